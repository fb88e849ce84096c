/* nearest.c: the memorization check (see nearest.h). */
#include "eval/nearest.h"

#include <stdlib.h>
#include <string.h>

/* Keeps the k smallest (distance, index) pairs seen, sorted; *have of them. */
static void keep_nearest(int k, int *have, int *idx, float *dist, int i, float d) {
    if (*have == k && !(d < dist[k - 1])) return; /* equal distances keep the lower index */
    int at = *have < k ? (*have)++ : k - 1;
    while (at > 0 && d < dist[at - 1]) {
        dist[at] = dist[at - 1];
        idx[at] = idx[at - 1];
        at--;
    }
    dist[at] = d;
    idx[at] = i;
}

int gp_nearest_pixels(const gp_dataset *ds, const float *image, int k, int *idx, float *dist) {
    GP_ASSERT(k >= 1 && k <= GP_NEAREST_MAX);
    size_t n = (size_t)ds->h * ds->w * ds->c;
    int have = 0;
    for (int t = 0; t < ds->n_train; t++) {
        int i = ds->train_index[t];
        const uint8_t *px = ds->pixels + (size_t)i * n;
        double d = 0.0;
        for (size_t p = 0; p < n; p++) {
            float v = (float)px[p] / 127.5f - 1.0f - image[p];
            d += (double)v * v;
        }
        keep_nearest(k, &have, idx, dist, i, (float)d);
    }
    return have;
}

gp_status gp_feature_bank_build(gp_classifier *c, const gp_dataset *ds, gp_feature_bank *bank, gp_err *err) {
    memset(bank, 0, sizeof *bank);
    gp_status st = gp_classifier_check_images(c, ds, err);
    if (st != GP_OK) return st;
    int dim = c->feature_dim, n = ds->n_train, B = c->net.max_batch;
    size_t n_img = (size_t)ds->h * ds->w * ds->c;
    bank->features = malloc(sizeof(float) * (size_t)n * dim);
    bank->index = malloc(sizeof(int32_t) * (size_t)n);
    float *images = malloc(sizeof(float) * n_img * (size_t)B);
    uint8_t *pred = malloc((size_t)B);
    if (!bank->features || !bank->index || !images || !pred) {
        free(images);
        free(pred);
        gp_feature_bank_free(bank);
        return gp_fail(err, GP_ERR_NOMEM, "out of memory for the features of %d training images", n);
    }
    for (int t0 = 0; t0 < n; t0 += B) {
        int b = n - t0 < B ? n - t0 : B;
        for (int j = 0; j < b; j++) {
            bank->index[t0 + j] = ds->train_index[t0 + j];
            gp_dataset_image(ds, ds->train_index[t0 + j], images + (size_t)j * n_img);
        }
        gp_classifier_run(c, images, b, pred, bank->features + (size_t)t0 * dim);
    }
    bank->n = n;
    bank->dim = dim;
    free(images);
    free(pred);
    return GP_OK;
}

void gp_feature_bank_free(gp_feature_bank *bank) {
    free(bank->features);
    free(bank->index);
    memset(bank, 0, sizeof *bank);
}

int gp_nearest_features(gp_classifier *c, const gp_feature_bank *bank, const float *image, int k, int *idx,
                        float *dist) {
    GP_ASSERT(k >= 1 && k <= GP_NEAREST_MAX && bank->dim == c->feature_dim);
    float f[4096];
    uint8_t pred;
    GP_ASSERT(bank->dim <= 4096);
    gp_classifier_run(c, image, 1, &pred, f);
    int have = 0;
    for (int t = 0; t < bank->n; t++) {
        const float *g = bank->features + (size_t)t * bank->dim;
        double d = 0.0;
        for (int j = 0; j < bank->dim; j++) {
            double v = (double)g[j] - f[j];
            d += v * v;
        }
        keep_nearest(k, &have, idx, dist, bank->index[t], (float)d);
    }
    return have;
}
