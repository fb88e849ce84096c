#include "eval/classifier.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/checked.h"
#include "nn/layers.h"

gp_status gp_classifier_create(gp_classifier *c, gp_shape input, int batch, uint64_t seed, gp_err *err) {
    /* 1x28x28 -> Conv 16 k5 s2 -> 14x14 -> ReLU -> Conv 32 k5 s2 -> 7x7 -> ReLU
     * -> Flatten 1568 -> Linear 128 -> ReLU (features) -> Dropout 0.3 -> Linear 10;
     * colour images (3x32x32, emoji) twice as wide: Conv 32, Conv 64 -> 8x8 -> Flatten 4096 */
    memset(c, 0, sizeof *c);
    if ((input.c != 1 && input.c != 3) || input.h < 4 || input.w < 4 || input.h > 256 || input.w > 256 || input.h % 4 ||
        input.w % 4)
        return gp_fail(err, GP_ERR_ARG, "a classifier reads images of 1 or 3 channels with sides 4..256, multiples of 4, "
                       "not %dx%dx%d", input.c, input.h, input.w);
    uint32_t w1 = input.c == 3 ? 32 : 16, w2 = 2 * w1;
    gp_layer_desc layers[9];
    int n = 0;
    layers[n++] = gp_layer_conv(GP_LAYER_CONV2D, w1, 5, 2, 2);
    layers[n++] = gp_layer(GP_LAYER_RELU, 0, 0);
    layers[n++] = gp_layer_conv(GP_LAYER_CONV2D, w2, 5, 2, 2);
    layers[n++] = gp_layer(GP_LAYER_RELU, 0, 0);
    layers[n++] = gp_layer_reshape(w2 * (uint32_t)(input.h / 4) * (uint32_t)(input.w / 4), 1, 1);
    layers[n++] = gp_layer(GP_LAYER_LINEAR, 128, 0);
    layers[n++] = gp_layer(GP_LAYER_RELU, 0, 0);
    int feature_layer = n - 1;
    layers[n++] = gp_layer(GP_LAYER_DROPOUT, 0, 0.3f);
    layers[n++] = gp_layer(GP_LAYER_LINEAR, GP_CLASSES, 0);
    gp_status st = gp_classifier_create_arch(c, input, layers, n, feature_layer, batch, err);
    if (st != GP_OK) return st;
    gp_rng init;
    gp_rng_seed(&init, seed);
    gp_net_init_params(&c->net, &init);
    gp_rng_seed(&c->rng, seed ^ GP_SALT_CLASSIFIER);
    return GP_OK;
}

gp_status gp_classifier_create_arch(gp_classifier *c, gp_shape input, const gp_layer_desc *layers,
                                    int n_layers, int feature_layer, int batch, gp_err *err) {
    memset(c, 0, sizeof *c);
    if (input.c < 1 || input.c > 4 || input.h < 1 || input.h > 256 || input.w < 1 || input.w > 256)
        return gp_fail(err, GP_ERR_ARG, "a classifier reads images of 1..4 channels of at most 256x256, not %dx%dx%d",
                       input.c, input.h, input.w);
    if (feature_layer < 0 || feature_layer >= n_layers - 1)
        return gp_fail(err, GP_ERR_ARG, "the feature layer must be one of the first %d layers", n_layers - 1);
    gp_status st = gp_net_create(&c->net, input, layers, n_layers, batch, err);
    if (st != GP_OK) return st;
    if (gp_shape_size(gp_net_output_shape(&c->net)) != GP_CLASSES) {
        gp_net_free(&c->net);
        return gp_fail(err, GP_ERR_ARG, "the classifier must end in %d logits", GP_CLASSES);
    }
    c->feature_layer = feature_layer;
    c->feature_dim = gp_shape_size(c->net.shape[feature_layer + 1]);
    c->opt = (gp_adam){1e-3f, 0.9f, 0.999f, 1e-8f, 0};
    size_t B = (size_t)batch, x_bytes;
    if (!gp_size_mul(B, sizeof(float) * (size_t)gp_shape_size(input), &x_bytes)) {
        gp_net_free(&c->net);
        return gp_fail(err, GP_ERR_ARG, "a batch of %d images of %dx%dx%d: more bytes than this build can address", batch,
                       input.c, input.h, input.w);
    }
    c->x = malloc(x_bytes);
    c->labels = malloc(B);
    c->dlogits = malloc(sizeof(float) * B * GP_CLASSES);
    if (!c->x || !c->labels || !c->dlogits) {
        gp_classifier_free(c);
        return gp_fail(err, GP_ERR_NOMEM, "out of memory for the classifier");
    }
    return GP_OK;
}

void gp_classifier_free(gp_classifier *c) {
    gp_net_free(&c->net);
    free(c->x);
    free(c->labels);
    free(c->dlogits);
    memset(c, 0, sizeof *c);
}

/* A training image shifted by (dx, dy) pixels, background (-1) filled in:
 * cheap augmentation that makes the classifier robust to small offsets. */
static void shifted_image(const gp_dataset *ds, int idx, int dx, int dy, float *out) {
    int h = ds->h, w = ds->w;
    for (int k = 0; k < ds->c; k++) {
        const uint8_t *px = ds->pixels + ((size_t)idx * ds->c + k) * h * w;
        float *o = out + (size_t)k * h * w;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int sx = x - dx, sy = y - dy;
                o[y * w + x] = sx >= 0 && sx < w && sy >= 0 && sy < h ? px[sy * w + sx] / 127.5f - 1.0f : -1.0f;
            }
    }
}

gp_status gp_classifier_check_images(const gp_classifier *c, const gp_dataset *ds, gp_err *err) {
    gp_shape in = c->net.shape[0];
    if (ds->c != in.c || ds->h != in.h || ds->w != in.w)
        return gp_fail(err, GP_ERR_ARG, "the dataset's images are %dx%dx%d; the classifier reads %dx%dx%d", ds->c,
                       ds->h, ds->w, in.c, in.h, in.w);
    return GP_OK;
}

gp_status gp_classifier_train_step(gp_classifier *c, const gp_dataset *ds, float lr, float *loss, gp_err *err) {
    gp_status st = gp_classifier_check_images(c, ds, err);
    if (st != GP_OK) return st;
    int B = c->net.max_batch;
    size_t n_img = (size_t)gp_shape_size(c->net.shape[0]);
    for (int b = 0; b < B; b++) {
        int idx = ds->train_index[gp_rng_below(&c->rng, (uint32_t)ds->n_train)];
        int dx = (int)gp_rng_below(&c->rng, 5) - 2, dy = (int)gp_rng_below(&c->rng, 5) - 2;
        shifted_image(ds, idx, dx, dy, c->x + (size_t)b * n_img);
        c->labels[b] = ds->labels[idx];
    }
    c->net.training = 1;
    const float *logits = gp_net_forward(&c->net, c->x, B);
    *loss = gp_softmax_xent(c->dlogits, logits, c->labels, B, GP_CLASSES);
    gp_net_zero_grad(&c->net);
    gp_net_backward(&c->net, c->dlogits, B, 1, 0);
    c->opt.lr = lr;
    gp_net_adam_step(&c->net, &c->opt);
    c->step++;
    if (!isfinite(*loss)) return gp_fail(err, GP_ERR_NAN, "the classifier loss became %g", *loss);
    return GP_OK;
}

void gp_classifier_run(gp_classifier *c, const float *images, int count, uint8_t *pred, float *features) {
    int saved = c->net.training;
    c->net.training = 0;
    int D = c->feature_dim;
    for (int i = 0; i < count; i += c->net.max_batch) {
        int b = count - i < c->net.max_batch ? count - i : c->net.max_batch;
        const float *logits = gp_net_forward(&c->net, images + (size_t)i * gp_shape_size(c->net.shape[0]), b);
        if (features) memcpy(features + (size_t)i * D, c->net.acts[c->feature_layer + 1], sizeof(float) * (size_t)b * D);
        for (int r = 0; pred && r < b; r++) {
            int best = 0;
            for (int k = 1; k < GP_CLASSES; k++)
                if (logits[r * GP_CLASSES + k] > logits[r * GP_CLASSES + best]) best = k;
            pred[i + r] = (uint8_t)best;
        }
    }
    c->net.training = saved;
}

float gp_classifier_lr(float lr, long step, long steps) {
    return lr * (0.05f + 0.95f * 0.5f * (1.0f + cosf(3.14159265f * (float)(step - 1) / (float)steps)));
}

gp_status gp_classifier_accuracy(gp_classifier *c, const gp_dataset *ds, double *acc, gp_err *err) {
    int n = ds->n_test, correct = 0;
    size_t n_img = (size_t)gp_shape_size(c->net.shape[0]);
    *acc = 0.0;
    gp_status st = gp_classifier_check_images(c, ds, err);
    if (st != GP_OK) return st;
    float *img = malloc(sizeof(float) * n_img * 256);
    if (!img) return gp_fail(err, GP_ERR_NOMEM, "out of memory measuring the classifier's accuracy");
    uint8_t pred[256];
    for (int i = 0; i < n; i += 256) {
        int b = n - i < 256 ? n - i : 256;
        for (int r = 0; r < b; r++) gp_dataset_image(ds, ds->test_index[i + r], img + (size_t)r * n_img);
        gp_classifier_run(c, img, b, pred, NULL);
        for (int r = 0; r < b; r++) correct += pred[r] == ds->labels[ds->test_index[i + r]];
    }
    free(img);
    *acc = n ? (double)correct / n : 0.0;
    return GP_OK;
}

gp_status gp_quality_reference(gp_classifier *c, const gp_dataset *ds, gp_feature_stats *ref, gp_err *err) {
    return gp_quality_reference_split(c, ds, 1, ref, err);
}

gp_status gp_quality_reference_split(gp_classifier *c, const gp_dataset *ds, int held_out, gp_feature_stats *ref,
                                     gp_err *err) {
    memset(ref, 0, sizeof *ref);
    gp_status st = gp_classifier_check_images(c, ds, err);
    if (st != GP_OK) return st;
    const int32_t *index = held_out ? ds->test_index : ds->train_index;
    int count = held_out ? ds->n_test : ds->n_train;
    if (count < 2)
        return gp_fail(err, GP_ERR_ARG, "the dataset's %s split has %d images; the reference needs 2 or more",
                       held_out ? "held-out" : "training", count);
    st = gp_feature_stats_init(ref, c->feature_dim, err);
    if (st != GP_OK) return st;
    enum { CHUNK = 256 };
    size_t n_img = (size_t)gp_shape_size(c->net.shape[0]);
    float *img = malloc(sizeof(float) * n_img * CHUNK), *feat = malloc(sizeof(float) * (size_t)c->feature_dim * CHUNK);
    if (!img || !feat) {
        free(img);
        free(feat);
        gp_feature_stats_free(ref);
        return gp_fail(err, GP_ERR_NOMEM, "out of memory computing reference statistics");
    }
    for (int i = 0; i < count; i += CHUNK) {
        int b = count - i < CHUNK ? count - i : CHUNK;
        for (int r = 0; r < b; r++) gp_dataset_image(ds, index[i + r], img + (size_t)r * n_img);
        gp_classifier_run(c, img, b, NULL, feat);
        gp_feature_stats_add(ref, feat, b);
    }
    free(img);
    free(feat);
    st = gp_feature_stats_finish(ref, err);
    if (st != GP_OK) gp_feature_stats_free(ref);
    return st;
}

gp_status gp_quality_score(gp_classifier *c, const gp_feature_stats *ref, const float *images, const int *labels,
                           int count, gp_quality *q, gp_err *err) {
    memset(q, 0, sizeof *q);
    q->cond_acc = -1.0;
    int right = 0;
    if (count < 2) return gp_fail(err, GP_ERR_ARG, "scoring needs at least 2 images");
    gp_feature_stats gen;
    gp_status st = gp_feature_stats_init(&gen, c->feature_dim, err);
    if (st != GP_OK) return st;
    enum { CHUNK = 256 };
    float *feat = malloc(sizeof(float) * (size_t)c->feature_dim * CHUNK);
    uint8_t pred[CHUNK];
    if (!feat) {
        gp_feature_stats_free(&gen);
        return gp_fail(err, GP_ERR_NOMEM, "out of memory scoring images");
    }
    for (int i = 0; i < count; i += CHUNK) {
        int b = count - i < CHUNK ? count - i : CHUNK;
        gp_classifier_run(c, images + (size_t)i * gp_shape_size(c->net.shape[0]), b, pred, feat);
        gp_feature_stats_add(&gen, feat, b);
        for (int r = 0; r < b; r++) {
            q->hist[pred[r]] += 1.0 / count;
            if (labels) right += pred[r] == labels[i + r];
        }
    }
    if (labels) q->cond_acc = (double)right / count;
    free(feat);
    st = gp_feature_stats_finish(&gen, err);
    if (st == GP_OK) st = gp_frechet_distance(&gen, ref, &q->fd, err);
    gp_feature_stats_free(&gen);
    q->count = count;
    for (int k = 0; k < GP_CLASSES; k++)
        if (q->hist[k] > 0) q->entropy -= q->hist[k] * log(q->hist[k]);
    return st;
}

void gp_quality_json(const gp_quality *q, gp_json *j) {
    gp_json_kint(j, "count", q->count);
    gp_json_knum(j, "fd", q->fd);
    gp_json_knum(j, "entropy", q->entropy);
    gp_json_key(j, "hist");
    gp_json_open(j, '[');
    for (int k = 0; k < GP_CLASSES; k++) gp_json_num(j, q->hist[k]);
    gp_json_close(j, ']');
    gp_json_key(j, "cond_acc");
    if (q->cond_acc >= 0) gp_json_num(j, q->cond_acc);
    else gp_json_null(j);
}
