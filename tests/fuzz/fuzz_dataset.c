/* Dataset files (GPDS): load from memory; a file that loads must give
 * images, batches and its held-out order within bounds. */
#include "data/dataset.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t len;
    uint8_t *file = fuzz_file(data, size, &len);
    if (!file) return 0;
    gp_dataset ds;
    gp_err err;
    if (gp_dataset_from_bytes(&ds, file, len, &err) == GP_OK) {
        size_t n_img = (size_t)ds.c * ds.h * ds.w;
        float *x = malloc(sizeof(float) * 4 * n_img);
        uint8_t labels[4];
        FUZZ_REQUIRE(x);
        gp_dataset_image(&ds, 0, x);
        gp_dataset_image(&ds, ds.count - 1, x);
        for (size_t i = 0; i < n_img; i++) FUZZ_REQUIRE(x[i] >= -1.0f && x[i] <= 1.0f);
        if (ds.n_train > 0) {
            gp_rng rng;
            gp_rng_seed(&rng, 3);
            gp_dataset_sample_batch(&ds, &rng, x, labels, 4);
        }
        for (int k = 0; k < ds.n_test && k < 64; k++) {
            int idx = gp_dataset_held_out_mixed(&ds, k);
            FUZZ_REQUIRE(idx >= 0 && idx < ds.count && idx % 5 == 4);
        }
        int classes = gp_dataset_classes(&ds);
        FUZZ_REQUIRE(classes >= 1 && classes <= 256);
        free(x);
        gp_dataset_free(&ds);
    } else {
        FUZZ_REQUIRE(err.msg[0] != 0);
    }
    free(file);
    return 0;
}
