/* The user's images (the page's "your own images"): count, height and width
 * from the first three bytes after the options, then RGBA pixels; a set that
 * is accepted must be light on dark, in range, with every fifth held out. */
#include "data/dataset.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 4) return 0;
    int count = data[1] % 40, h = 1 + data[2] % 32, w = 1 + data[3] % 32;
    size_t need = (size_t)count * h * w * 4;
    if (size - 4 < need) return 0;
    uint8_t *rgba = malloc(need ? need : 1); /* a copy of exactly what the page would pass */
    FUZZ_REQUIRE(rgba);
    memcpy(rgba, data + 4, need);
    gp_dataset ds;
    gp_err err;
    if (gp_dataset_from_rgba(&ds, rgba, count, h, w, 1, 10, 100, &err) == GP_OK) {
        FUZZ_REQUIRE(ds.count == count && ds.h == h && ds.w == w && ds.n_test == count / 5);
        float *x = malloc(sizeof(float) * (size_t)h * w);
        FUZZ_REQUIRE(x);
        for (int i = 0; i < count; i++) {
            gp_dataset_image(&ds, i, x);
            for (int k = 0; k < h * w; k++) FUZZ_REQUIRE(x[k] >= -1.0f && x[k] <= 1.0f);
        }
        free(x);
        gp_dataset_free(&ds);
    } else {
        FUZZ_REQUIRE(err.msg[0] != 0 && (count < 10 || count > 100));
    }
    free(rgba);
    return 0;
}
