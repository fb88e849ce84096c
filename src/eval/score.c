#include "eval/score.h"

#include <stdlib.h>
#include <string.h>

void gp_score_labels(int *labels, int count, int classes, int label) {
    for (int i = 0; i < count; i++) labels[i] = label >= 0 ? label : (classes ? i % classes : 0);
}

gp_status gp_score_model(gp_classifier *c, const gp_feature_stats *ref, gp_gan *gan, int count, uint64_t seed,
                         int label, gp_quality *q, gp_err *err) {
    gp_shape img = gp_gan_image_shape(gan);
    if (gp_shape_size(img) != gp_shape_size(c->net.shape[0]))
        return gp_fail(err, GP_ERR_ARG, "the model makes %dx%dx%d images; the classifier reads %dx%dx%d", img.c, img.h,
                       img.w, c->net.shape[0].c, c->net.shape[0].h, c->net.shape[0].w);
    if (count < 2) return gp_fail(err, GP_ERR_ARG, "scoring needs at least 2 samples, got %d", count);
    int C = gan->cfg.classes;
    if (label < -1 || (label >= 0 && label >= C))
        return gp_fail(err, GP_ERR_ARG, "class %d: the model has %d classes", label, C);
    float *z = malloc(sizeof(float) * (size_t)count * gan->cfg.latent);
    float *images = malloc(sizeof(float) * (size_t)count * gp_shape_size(img));
    int *labels = malloc(sizeof(int) * (size_t)count);
    gp_status st;
    if (!z || !images || !labels) {
        st = gp_fail(err, GP_ERR_NOMEM, "out of memory for %d samples", count);
    } else {
        gp_gan_latents(gan, seed, count, z);
        gp_score_labels(labels, count, C, label);
        gp_gan_generate(gan, z, C ? labels : NULL, count, images);
        st = gp_quality_score(c, ref, images, C ? labels : NULL, count, q, err);
    }
    free(z);
    free(images);
    free(labels);
    return st;
}

void gp_images_blur(float *images, int count, int c, int h, int w, int k, float *tmp) {
    GP_ASSERT(k >= 1 && k <= GP_BLUR_MAX && k % 2 == 1);
    int r = k / 2;
    size_t plane = (size_t)h * w;
    for (size_t p = 0; p < (size_t)count * c; p++) {
        float *x = images + p * plane;
        for (int y = 0; y < h; y++)
            for (int xx = 0; xx < w; xx++) {
                double sum = 0.0;
                int n = 0;
                for (int dy = -r; dy <= r; dy++)
                    for (int dx = -r; dx <= r; dx++) {
                        int sy = y + dy, sx = xx + dx;
                        if (sy < 0 || sy >= h || sx < 0 || sx >= w) continue;
                        sum += x[sy * w + sx];
                        n++;
                    }
                tmp[y * w + xx] = (float)(sum / n);
            }
        memcpy(x, tmp, sizeof(float) * plane);
    }
}
