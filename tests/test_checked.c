/* Size arithmetic that refuses to wrap (base/checked.h), at 32 bits as in
 * wasm and at 64, and the loaders on files whose declared sizes wrap a
 * 32-bit size_t. `make test-fuzz32` also runs this program built for wasm
 * (a 32-bit size_t, under ASan/UBSan), where the wrap is real. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/checked.h"
#include "check.h"
#include "data/dataset.h"
#include "gan/history.h"
#include "store/modelfile.h"

static void put_u32(uint8_t *p, uint32_t v) {
    for (int b = 0; b < 4; b++) p[b] = (uint8_t)(v >> (8 * b));
}

static void test_within(void) {
    uint64_t r = 7;
    /* the dataset: 262,144 images of 128x128 is 2^32 bytes, one past 32 bits */
    CHECK(!gp_mul_within(262144, 16384, UINT32_MAX, &r) && r == 7);
    CHECK(gp_mul_within(262144, 16384, UINT64_MAX, &r) && r == (uint64_t)1 << 32);
    CHECK(gp_mul_within(65535, 65537, UINT32_MAX, &r) && r == UINT32_MAX); /* 2^32 - 1 exactly */
    CHECK(!gp_mul_within(65536, 65536, UINT32_MAX, &r));
    CHECK(gp_mul_within(0, UINT64_MAX, 0, &r) && r == 0);
    CHECK(gp_mul_within(UINT64_MAX, 0, 0, &r) && r == 0);
    CHECK(gp_mul_within(UINT64_MAX, 1, UINT64_MAX, &r) && r == UINT64_MAX);
    CHECK(!gp_mul_within((uint64_t)1 << 32, (uint64_t)1 << 32, UINT64_MAX, &r)); /* wraps 64 bits to 0 */
    CHECK(!gp_mul_within(3, 5, 14, &r) && gp_mul_within(3, 5, 15, &r) && r == 15);
    r = 7;
    CHECK(gp_add_within(UINT32_MAX - 1, 1, UINT32_MAX, &r) && r == UINT32_MAX);
    CHECK(!gp_add_within(UINT32_MAX - 1, 2, UINT32_MAX, &r) && r == UINT32_MAX);
    CHECK(!gp_add_within(UINT64_MAX, 1, UINT64_MAX, &r)); /* wraps 64 bits to 0 */
    CHECK(!gp_add_within(20, 0, 10, &r)); /* an addend already past the limit */
}

static void test_size_t(void) {
    size_t r = 7;
    CHECK(gp_size_mul(SIZE_MAX / 3, 3, &r) && r == SIZE_MAX / 3 * 3);
    CHECK(!gp_size_mul(SIZE_MAX / 2 + 1, 2, &r) && r == SIZE_MAX / 3 * 3);
    CHECK(gp_size_add(SIZE_MAX - 5, 5, &r) && r == SIZE_MAX);
    CHECK(!gp_size_add(SIZE_MAX - 5, 6, &r) && r == SIZE_MAX);
    /* what a plain size_t product would have wrapped to in 32 bits */
    CHECK(gp_size_mul(262144, 16384, &r) == (sizeof(size_t) > 4));
    printf("size_t has %d bits here\n", (int)(8 * sizeof(size_t)));
}

/* A dataset file's 24-byte header and len bytes in all (zeros after it). */
static uint8_t *dataset_file(uint32_t count, uint32_t h, uint32_t w, size_t len) {
    uint8_t *f = calloc(len, 1);
    if (!f) return NULL;
    memcpy(f, GP_DATASET_MAGIC, 4);
    put_u32(f + 4, GP_DATASET_VERSION);
    put_u32(f + 8, count);
    put_u32(f + 12, h);
    put_u32(f + 16, w);
    put_u32(f + 20, 1);
    return f;
}

static void test_dataset(void) {
    /* count * h * w wraps a 32-bit size_t to 0 (and 24 + count labels is then the whole file) */
    static const struct { uint32_t count, h, w; size_t len; } wraps[] = {
        {262144, 128, 128, 262168}, /* the issue's: 2^18 * 2^14 = 2^32 */
        {65536, 256, 256, 65560},   /* 2^16 * 2^16 = 2^32 */
    };
    for (size_t k = 0; k < sizeof wraps / sizeof wraps[0]; k++) {
        uint8_t *f = dataset_file(wraps[k].count, wraps[k].h, wraps[k].w, wraps[k].len);
        if (!CHECK_OK(f, "memory for the file")) return;
        gp_dataset ds;
        gp_err err = {{0}};
        gp_status st = gp_dataset_from_bytes(&ds, f, wraps[k].len, &err);
        CHECK_OK(st == GP_ERR_FORMAT && ds.pixels == NULL && err.msg[0], err.msg);
        if (st == GP_OK) gp_dataset_free(&ds);
        free(f);
    }
    /* and a file that is what its header says still loads */
    uint8_t *f = dataset_file(5, 2, 3, 24 + 5 * 6 + 5);
    gp_dataset ds;
    gp_err err;
    if (CHECK_OK(f && gp_dataset_from_bytes(&ds, f, 24 + 5 * 6 + 5, &err) == GP_OK, f ? err.msg : "no memory")) {
        CHECK(ds.count == 5 && ds.h == 2 && ds.w == 3 && ds.labels == ds.pixels + 30);
        gp_dataset_free(&ds);
    }
    free(f);
}

static void test_history(void) {
    /* the most snapshots of the largest side, in a section of 20 bytes */
    uint8_t h[20] = {0};
    put_u32(h + 8, GP_HISTORY_MAX_SNAPSHOTS);
    put_u32(h + 12, GP_HISTORY_MAX_SIDE);
    put_u32(h + 16, GP_HISTORY_MAX_SIDE);
    gp_err err = {{0}};
    CHECK_OK(gp_history_check(h, sizeof h, NULL, &err) == GP_ERR_FORMAT && strstr(err.msg, "snapshots"), err.msg);
}

static void test_classifier_cap(void) {
    /* a length past the cap is refused before the checksum reads it all */
    size_t len = GP_MODEL_MAX_BYTES + 16;
    uint8_t *f = malloc(len);
    if (!f) {
        printf("no memory for a %zu-byte classifier file: skipped\n", len);
        return;
    }
    memcpy(f, GP_CLASSIFIER_MAGIC, 4);
    gp_classifier c;
    gp_err err = {{0}};
    CHECK_OK(gp_classifier_load(&c, f, len, &err) == GP_ERR_FORMAT && strstr(err.msg, "too large"), err.msg);
    free(f);
}

int main(void) {
    test_within();
    test_size_t();
    test_dataset();
    test_history();
    test_classifier_cap();
    return check_report("test_checked");
}
