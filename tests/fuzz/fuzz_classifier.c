/* Classifier files: load from memory; a file that loads must classify two
 * images and save, reload and save again to the same bytes. */
#include "eval/classifier.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t len;
    uint8_t *file = fuzz_file(data, size, &len);
    if (!file) return 0;
    gp_classifier c;
    gp_err err;
    if (gp_classifier_load(&c, file, len, &err) == GP_OK) {
        size_t n_img = (size_t)gp_shape_size(c.net.shape[0]);
        float *x = calloc(2 * n_img, sizeof(float)), *features = malloc(sizeof(float) * 2 * (size_t)c.feature_dim);
        uint8_t pred[2];
        FUZZ_REQUIRE(x && features);
        if (c.net.max_batch >= 2) {
            gp_classifier_run(&c, x, 2, pred, features);
            FUZZ_REQUIRE(pred[0] < GP_CLASSES && pred[1] < GP_CLASSES);
        }
        free(x);
        free(features);
        uint8_t *a, *b;
        size_t na, nb;
        gp_classifier again;
        FUZZ_REQUIRE(gp_classifier_save(&c, &a, &na, &err) == GP_OK);
        FUZZ_REQUIRE(gp_classifier_load(&again, a, na, &err) == GP_OK);
        FUZZ_REQUIRE(gp_classifier_save(&again, &b, &nb, &err) == GP_OK);
        FUZZ_REQUIRE(na == nb && memcmp(a, b, na) == 0);
        free(a);
        free(b);
        gp_classifier_free(&again);
        gp_classifier_free(&c);
    } else {
        FUZZ_REQUIRE(err.msg[0] != 0);
    }
    free(file);
    return 0;
}
