#include "gan/gan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gan/history.h"
#include "nn/layers.h"
#include "gan/losses.h"

/* The DCGAN for an image (c, h, w) with h and w multiples of 4. Sides that
 * are multiples of 4 but not of 8, or under 32 (MNIST's 28x28), take two
 * upsamplings from (h/4, w/4):
 * G: z -> Linear 128*(h/4)*(w/4) -> reshape -> BN -> ReLU -> ConvT(128,64,4,s2,p1)
 *      -> BN -> ReLU -> ConvT(64,c,4,s2,p1) -> Tanh
 * D: Conv(c,64,4,s2,p1) -> LReLU 0.2 -> Conv(64,128,4,s2,p1) -> BN -> LReLU
 *      -> Flatten -> Linear d_out
 * Sides that are multiples of 8 from 32 on (32x32 colour) take three, from
 * (h/8, w/8), as Radford et al.'s networks for 32x32 do, at half their
 * widths so that a step costs about what MNIST's does (a page trains it):
 * G: z -> Linear 128*(h/8)*(w/8) -> reshape -> BN -> ReLU -> ConvT(128,64)
 *      -> BN -> ReLU -> ConvT(64,32) -> BN -> ReLU -> ConvT(32,c) -> Tanh
 * D: Conv(c,32) -> LReLU -> Conv(32,64) -> BN -> LReLU -> Conv(64,128)
 *      -> BN -> LReLU -> Flatten -> Linear d_out */
static void dcgan_architecture(gp_shape image, int d_out, gp_layer_desc *g, int *g_n, gp_layer_desc *d, int *d_n) {
    int stages = image.h % 8 == 0 && image.w % 8 == 0 && image.h >= 32 && image.w >= 32 ? 3 : 2;
    uint32_t f = stages == 3 ? 8 : 4, hs = (uint32_t)image.h / f, ws = (uint32_t)image.w / f;
    uint32_t top = 128, low = stages == 3 ? 32 : 64; /* channels at the smallest side and at the largest */
    int n = 0;
    g[n++] = gp_layer(GP_LAYER_LINEAR, top * hs * ws, 0);
    g[n++] = gp_layer_reshape(top, hs, ws);
    g[n++] = gp_layer(GP_LAYER_BATCHNORM2D, 0, 0);
    g[n++] = gp_layer(GP_LAYER_RELU, 0, 0);
    for (uint32_t ch = top / 2; ch >= low; ch /= 2) {
        g[n++] = gp_layer_conv(GP_LAYER_CONVT2D, ch, 4, 2, 1);
        g[n++] = gp_layer(GP_LAYER_BATCHNORM2D, 0, 0);
        g[n++] = gp_layer(GP_LAYER_RELU, 0, 0);
    }
    g[n++] = gp_layer_conv(GP_LAYER_CONVT2D, (uint32_t)image.c, 4, 2, 1);
    g[n++] = gp_layer(GP_LAYER_TANH, 0, 0);
    *g_n = n;
    n = 0;
    d[n++] = gp_layer_conv(GP_LAYER_CONV2D, low, 4, 2, 1);
    d[n++] = gp_layer(GP_LAYER_LEAKY_RELU, 0, 0.2f);
    for (uint32_t ch = 2 * low; ch <= top; ch *= 2) {
        d[n++] = gp_layer_conv(GP_LAYER_CONV2D, ch, 4, 2, 1);
        d[n++] = gp_layer(GP_LAYER_BATCHNORM2D, 0, 0);
        d[n++] = gp_layer(GP_LAYER_LEAKY_RELU, 0, 0.2f);
    }
    d[n++] = gp_layer_reshape(top * hs * ws, 1, 1);
    d[n++] = gp_layer(GP_LAYER_LINEAR, (uint32_t)d_out, 0);
    *d_n = n;
}

static gp_shape preset_image(const gp_gan_config *cfg) {
    gp_shape s;
    gp_gan_config_image(cfg, &s.c, &s.h, &s.w);
    return s;
}

/* D's outputs per image: the adversarial score, then (ACGAN) one logit per class. */
static int d_outputs(const gp_gan_config *cfg) { return 1 + (cfg->cond == GP_COND_ACGAN ? cfg->classes : 0); }

/* Spectral norm on: D's Linear and Conv2d layers normalized, its BatchNorm
 * layers dropped (as in SNGAN's discriminators). */
static void spectral_d(const gp_gan_config *cfg, gp_layer_desc *d, int *d_n) {
    if (!cfg->spectral_norm) return;
    int n = 0;
    for (int i = 0; i < *d_n; i++) {
        if (d[i].kind == GP_LAYER_BATCHNORM || d[i].kind == GP_LAYER_BATCHNORM2D) continue;
        d[n] = d[i];
        if (d[n].kind == GP_LAYER_LINEAR || d[n].kind == GP_LAYER_CONV2D) d[n].flags |= GP_LAYER_SPECTRAL_NORM;
        n++;
    }
    *d_n = n;
}

gp_status gp_gan_architecture(const gp_gan_config *cfg, gp_shape *g_in, gp_layer_desc *g, int *g_n,
                              gp_shape *d_in, gp_layer_desc *d, int *d_n, gp_err *err) {
    gp_shape image = preset_image(cfg);
    *g_in = (gp_shape){cfg->latent + cfg->classes, 1, 1};
    *d_in = image;
    if (cfg->cond == GP_COND_CONCAT) d_in->c += cfg->classes;
    int d_out = d_outputs(cfg);
    if (!strcmp(cfg->preset, "dcgan")) {
        dcgan_architecture(image, d_out, g, g_n, d, d_n);
        return spectral_d(cfg, d, d_n), GP_OK;
    }
    if (gp_preset_find(cfg->preset)->is_2d) {
        /* 2-D: z -> [Linear g_width -> act] x g_layers -> Linear 2 (no squashing: the plane is open)
         *      x -> [Linear d_width -> act] x d_layers -> Linear 1 (logit) */
        static const uint32_t act_kind[GP_ACT_COUNT] = {GP_LAYER_RELU, GP_LAYER_LEAKY_RELU, GP_LAYER_TANH};
        uint32_t act = act_kind[cfg->activation];
        int n = 0;
        for (int i = 0; i < cfg->g_layers; i++) {
            g[n++] = gp_layer(GP_LAYER_LINEAR, (uint32_t)cfg->g_width, 0);
            g[n++] = gp_layer(act, 0, 0.2f);
        }
        g[n++] = gp_layer(GP_LAYER_LINEAR, (uint32_t)gp_shape_size(image), 0);
        *g_n = n;
        n = 0;
        for (int i = 0; i < cfg->d_layers; i++) {
            d[n++] = gp_layer(GP_LAYER_LINEAR, (uint32_t)cfg->d_width, 0);
            d[n++] = gp_layer(act, 0, 0.2f);
        }
        d[n++] = gp_layer(GP_LAYER_LINEAR, (uint32_t)d_out, 0);
        *d_n = n;
        spectral_d(cfg, d, d_n);
        return GP_OK;
    }
    if (strcmp(cfg->preset, "mlp") != 0)
        return gp_fail(err, GP_ERR_ARG, "preset: unknown preset '%.15s'", cfg->preset);
    /* The seed MLP GAN:
     * G: z -> 128 -> LReLU -> 256 -> BN -> LReLU -> 512 -> BN -> LReLU
     *      -> 1024 -> BN -> LReLU -> image -> Tanh
     * D: image -> 512 -> LReLU -> 256 -> LReLU -> d_out (logit) */
    const float s = 0.2f;
    int n = 0;
    g[n++] = gp_layer(GP_LAYER_LINEAR, 128, 0);
    g[n++] = gp_layer(GP_LAYER_LEAKY_RELU, 0, s);
    const uint32_t widths[3] = {256, 512, 1024};
    for (int i = 0; i < 3; i++) {
        g[n++] = gp_layer(GP_LAYER_LINEAR, widths[i], 0);
        g[n++] = gp_layer(GP_LAYER_BATCHNORM, 0, 0);
        g[n++] = gp_layer(GP_LAYER_LEAKY_RELU, 0, s);
    }
    g[n++] = gp_layer(GP_LAYER_LINEAR, (uint32_t)gp_shape_size(image), 0);
    g[n++] = gp_layer(GP_LAYER_TANH, 0, 0);
    *g_n = n;
    n = 0;
    d[n++] = gp_layer(GP_LAYER_LINEAR, 512, 0);
    d[n++] = gp_layer(GP_LAYER_LEAKY_RELU, 0, s);
    d[n++] = gp_layer(GP_LAYER_LINEAR, 256, 0);
    d[n++] = gp_layer(GP_LAYER_LEAKY_RELU, 0, s);
    d[n++] = gp_layer(GP_LAYER_LINEAR, (uint32_t)d_out, 0);
    *d_n = n;
    spectral_d(cfg, d, d_n);
    return GP_OK;
}

gp_status gp_gan_create(gp_gan *gan, const gp_gan_config *cfg, int with_d, gp_err *err) {
    memset(gan, 0, sizeof *gan);
    gp_status st = gp_gan_config_check(cfg, err);
    if (st != GP_OK) return st;
    gp_layer_desc g[GP_MAX_LAYERS], d[GP_MAX_LAYERS];
    gp_shape g_in, d_in;
    int g_n, d_n;
    st = gp_gan_architecture(cfg, &g_in, g, &g_n, &d_in, d, &d_n, err);
    if (st != GP_OK) return st;
    st = gp_gan_create_arch(gan, cfg, preset_image(cfg), g_in, g, g_n, with_d ? d : NULL, with_d ? d_n : 0, err);
    if (st != GP_OK) return st;
    /* the architecture's D input and the one create_arch derives agree */
    GP_ASSERT(!gan->has_d || (gan->D.shape[0].c == d_in.c && gan->D.shape[0].h == d_in.h && gan->D.shape[0].w == d_in.w));
    gp_rng init;
    gp_rng_seed(&init, cfg->seed);
    if (!strcmp(cfg->preset, "dcgan")) { /* DCGAN's initialization (Radford et al.): N(0, 0.02) */
        gp_net_init_normal(&gan->G, &init, 0.02f);
        if (gan->has_d) gp_net_init_normal(&gan->D, &init, 0.02f);
    } else { /* PyTorch's defaults */
        gp_net_init_params(&gan->G, &init);
        if (gan->has_d) gp_net_init_params(&gan->D, &init);
    }
    if (gan->ema) memcpy(gan->ema, gan->G.params, gan->G.n_params * sizeof(float));
    gp_net_params_changed(&gan->G);
    return GP_OK;
}

gp_status gp_gan_create_arch(gp_gan *gan, const gp_gan_config *cfg, gp_shape image, gp_shape g_in,
                             const gp_layer_desc *g_layers, int g_n, const gp_layer_desc *d_layers,
                             int d_n, gp_err *err) {
    memset(gan, 0, sizeof *gan);
    gp_status st = gp_gan_config_check(cfg, err);
    if (st != GP_OK) return st;
    int C = cfg->classes;
    if (g_in.c != cfg->latent + C || g_in.h != 1 || g_in.w != 1)
        return gp_fail(err, GP_ERR_ARG, "generator input must be the latent vector (%d) and the class (%d)",
                       cfg->latent, C);
    if (image.c < 1 || image.h < 1 || image.w < 1 || image.c > 4 || image.h > 256 || image.w > 256)
        return gp_fail(err, GP_ERR_ARG, "image shape %dx%dx%d is not supported", image.c, image.h, image.w);
    gan->cfg = *cfg;
    gan->image = image;
    st = gp_net_create(&gan->G, g_in, g_layers, g_n, cfg->batch, err);
    if (st != GP_OK) goto fail;
    int n_img = gp_shape_size(image);
    if (gp_shape_size(gp_net_output_shape(&gan->G)) != n_img) {
        st = gp_fail(err, GP_ERR_ARG, "generator output does not match the %dx%dx%d image", image.c,
                     image.h, image.w);
        goto fail;
    }
    int concat = cfg->cond == GP_COND_CONCAT;
    if (d_layers) {
        gp_shape d_in = image;
        if (concat) d_in.c += C;
        st = gp_net_create(&gan->D, d_in, d_layers, d_n, cfg->batch, err);
        if (st != GP_OK) goto fail;
        if (gp_shape_size(gp_net_output_shape(&gan->D)) != d_outputs(cfg)) {
            st = gp_fail(err, GP_ERR_ARG, "discriminator must output %d value(s) per image", d_outputs(cfg));
            goto fail;
        }
        gan->has_d = 1;
    }
    size_t B = (size_t)cfg->batch, K = (size_t)d_outputs(cfg);
    size_t n_ema = cfg->ema > 0.0f ? gan->G.n_params : 0;
    size_t n_d_in = concat ? B * (size_t)(n_img + C * image.h * image.w) : 0;
    size_t n_draws = (B * sizeof(gp_augment_draw) + sizeof(float) - 1) / sizeof(float);
    size_t n_d_buffers = gan->has_d ? gan->D.n_buffers : 0;
    size_t total = B * (size_t)(cfg->latent + C) + B * (size_t)cfg->latent + B * n_img + n_d_in + 4 * B * n_img +
                   n_draws + 2 * B + B * K + 2 * B * (size_t)C + B /* 2 B labels */ + n_ema + n_d_buffers +
                   3 * B /* seen_* */;
    float *p = calloc(total, sizeof(float));
    if (!p) {
        st = gp_fail(err, GP_ERR_NOMEM, "out of memory allocating training buffers");
        goto fail;
    }
    gan->block = p;
    gan->g_in = p;                 p += B * (size_t)(cfg->latent + C);
    gan->z_scratch = p;            p += B * (size_t)cfg->latent;
    gan->real = p;                 p += B * n_img;
    gan->d_in = concat ? p : NULL; p += n_d_in;
    gan->dfake = p;                p += B * n_img;
    gan->aug = p;                  p += B * n_img;
    gan->aug_draws = (gp_augment_draw *)(void *)p;
    p += n_draws;
    gan->pen_x = p;                p += B * n_img;
    gan->pen_u = p;                p += B * n_img;
    gan->d_buffers = p;            p += n_d_buffers;
    gan->scores = p;               p += B;
    gan->dscores = p;              p += B;
    gan->dlogits = p;              p += B * K;
    gan->class_logits = p;         p += B * (size_t)C;
    gan->dclass_logits = p;        p += B * (size_t)C;
    gan->seen_real = p;            p += B;
    gan->seen_fake = p;            p += B;
    gan->seen_g = p;               p += B;
    gan->real_labels = (uint8_t *)p;
    gan->fake_labels = gan->real_labels + B;
    p += B;
    gan->ema = n_ema ? p : NULL;

    /* a separate stream for batches and noise, derived from the seed */
    gp_rng_seed(&gan->rng, cfg->seed ^ GP_SALT_TRAINING);
    gan->opt_g = (gp_adam){cfg->lr_g, cfg->beta1, cfg->beta2, cfg->adam_eps, 0};
    gan->opt_d = (gp_adam){cfg->lr_d, cfg->beta1, cfg->beta2, cfg->adam_eps, 0};
    return GP_OK;
fail:
    gp_gan_free(gan);
    return st;
}

void gp_gan_set_threads(gp_gan *gan, gp_threads *threads) {
    gan->G.threads = threads;
    gan->D.threads = threads;
}

void gp_gan_free(gp_gan *gan) {
    gp_net_free(&gan->G);
    gp_net_free(&gan->D);
    free(gan->block);
    free(gan->history);
    free(gan->units_off);
    memset(gan, 0, sizeof *gan);
}

gp_status gp_gan_set_history(gp_gan *gan, const uint8_t *bytes, size_t len, gp_err *err) {
    uint8_t *copy = NULL;
    if (len) {
        gp_status st = gp_history_check(bytes, len, NULL, err);
        if (st != GP_OK) return st;
        copy = malloc(len);
        if (!copy) return gp_fail(err, GP_ERR_NOMEM, "out of memory for the run's history (%zu bytes)", len);
        memcpy(copy, bytes, len);
    }
    free(gan->history);
    gan->history = copy;
    gan->history_len = len;
    return GP_OK;
}

gp_shape gp_gan_image_shape(const gp_gan *gan) { return gan->image; }

int gp_gan_g_input(const gp_gan *gan) { return gan->cfg.latent + gan->cfg.classes; }

void gp_gan_g_input_rows(const gp_gan *gan, const float *z, const int *labels, int first, int b, float *rows) {
    int L = gan->cfg.latent, C = gan->cfg.classes, W = L + C;
    for (int i = 0; i < b; i++) {
        float *row = rows + (size_t)i * W;
        memcpy(row, z + (size_t)i * L, (size_t)L * sizeof(float));
        if (!C) continue;
        memset(row + L, 0, (size_t)C * sizeof(float));
        int k = labels ? labels[i] : (first + i) % C;
        GP_ASSERT(k >= 0 && k < C);
        row[L + k] = 1.0f;
    }
}

/* Rows first..first+b-1 of G's input, into gan->g_in. */
static void compose_g_input(gp_gan *gan, const float *z, const int *labels, int first, int b) {
    gp_gan_g_input_rows(gan, z, labels, first, b, gan->g_in);
}

/* Fresh noise and (conditional) fake classes for a training batch in g_in. */
static void draw_g_input(gp_gan *gan) {
    int B = gan->cfg.batch, L = gan->cfg.latent, C = gan->cfg.classes;
    if (!C) { /* one call: the stream unconditional runs have always used */
        if (gan->cfg.noise == GP_NOISE_UNIFORM) gp_rng_fill_uniform(&gan->rng, gan->g_in, B * L, -1.0f, 1.0f);
        else gp_rng_fill_normal(&gan->rng, gan->g_in, B * L, 0.0f, 1.0f);
        return;
    }
    for (int i = 0; i < B; i++) {
        float *row = gan->g_in + (size_t)i * (L + C);
        if (gan->cfg.noise == GP_NOISE_UNIFORM) gp_rng_fill_uniform(&gan->rng, row, L, -1.0f, 1.0f);
        else gp_rng_fill_normal(&gan->rng, row, L, 0.0f, 1.0f);
        int k = (int)gp_rng_below(&gan->rng, (uint32_t)C);
        gan->fake_labels[i] = (uint8_t)k;
        memset(row + L, 0, (size_t)C * sizeof(float));
        row[L + k] = 1.0f;
    }
}

/* D's forward on images (batch x image) of the given classes; in training
 * (augment), through a fresh draw of DiffAugment if the model uses it. */
static const float *d_forward(gp_gan *gan, const float *images, const uint8_t *labels, int B, int augment) {
    gp_shape im = gan->image;
    if (augment && gan->cfg.augment != GP_AUGMENT_NONE) {
        gp_augment_sample(gan->aug_draws, B, im.h, im.w, gan->cfg.augment, &gan->rng);
        gp_augment_forward(gan->aug, images, gan->aug_draws, B, im.c, im.h, im.w, -1.0f); /* -1: background */
        images = gan->aug;
    }
    if (gan->cfg.cond != GP_COND_CONCAT) return gp_net_forward(&gan->D, images, B);
    int n_img = gp_shape_size(im), C = gan->cfg.classes, hw = im.h * im.w;
    size_t row = (size_t)n_img + (size_t)C * hw;
    for (int b = 0; b < B; b++) {
        float *dst = gan->d_in + b * row;
        memcpy(dst, images + (size_t)b * n_img, (size_t)n_img * sizeof(float));
        memset(dst + n_img, 0, (size_t)C * hw * sizeof(float));
        float *plane = dst + n_img + (size_t)labels[b] * hw;
        for (int i = 0; i < hw; i++) plane[i] = 1.0f;
    }
    return gp_net_forward(&gan->D, gan->d_in, B);
}

/* The gradient with respect to the images of the last training d_forward,
 * from D's input gradient: the image part of each row (the class planes are
 * constants), back through the augmentation. */
static const float *d_input_grad(gp_gan *gan, const float *dinput, int B, int augmented) {
    gp_shape im = gan->image;
    int n_img = gp_shape_size(im);
    if (gan->cfg.cond == GP_COND_CONCAT) {
        size_t row = (size_t)n_img + (size_t)gan->cfg.classes * im.h * im.w;
        for (int b = 0; b < B; b++)
            memcpy(gan->dfake + (size_t)b * n_img, dinput + b * row, (size_t)n_img * sizeof(float));
        dinput = gan->dfake;
    }
    if (!augmented || gan->cfg.augment == GP_AUGMENT_NONE) return dinput;
    float *out = dinput == gan->dfake ? gan->aug : gan->dfake; /* the augmented images are no longer needed */
    gp_augment_backward(out, dinput, gan->aug_draws, B, im.c, im.h, im.w);
    return out;
}

/* D's loss on its outputs for a batch of one kind (real, fake for D, or fake
 * for G), written into gan->dlogits; returns the adversarial part. ACGAN adds
 * aux_weight times the class cross-entropy; *acc gets the share of images
 * whose class D named (ACGAN only). */
typedef enum { ON_REAL, ON_FAKE, FOR_G } loss_role;
static float d_output_loss(gp_gan *gan, const float *out, const uint8_t *labels, int B, loss_role role,
                           float *readout, float *acc) {
    const gp_gan_config *c = &gan->cfg;
    int K = d_outputs(c), C = c->classes, acgan = c->cond == GP_COND_ACGAN;
    for (int b = 0; b < B; b++) gan->scores[b] = out[(size_t)b * K];
    float loss = role == ON_REAL   ? gp_loss_d_real(c->loss, gan->scores, B, c->real_label, gan->dscores)
                 : role == ON_FAKE ? gp_loss_d_fake(c->loss, gan->scores, B, gan->dscores)
                                   : gp_loss_g(c->loss, gan->scores, B, gan->dscores);
    if (readout) *readout = gp_loss_d_readout(c->loss, gan->scores, B);
    for (int b = 0; b < B; b++) gan->dlogits[(size_t)b * K] = gan->dscores[b];
    if (!acgan) return loss;
    int right = 0;
    for (int b = 0; b < B; b++) {
        const float *l = out + (size_t)b * K + 1;
        memcpy(gan->class_logits + (size_t)b * C, l, (size_t)C * sizeof(float));
        int best = 0;
        for (int k = 1; k < C; k++)
            if (l[k] > l[best]) best = k;
        right += best == labels[b];
    }
    if (acc) *acc = (float)right / (float)B;
    gp_softmax_xent(gan->dclass_logits, gan->class_logits, labels, B, C);
    for (int b = 0; b < B; b++)
        for (int k = 0; k < C; k++)
            gan->dlogits[(size_t)b * K + 1 + k] = c->aux_weight * gan->dclass_logits[(size_t)b * C + k];
    return loss;
}

/* ---- gradient penalties ----------------------------------------------------
 * Both penalties are functions of g_i = grad_x s_i(x_i), the gradient of D's
 * score of image i with respect to the image. Their gradient with respect
 * to D's weights needs the derivative of g_i, a Hessian-vector product:
 * d/dtheta [w_i |g_i|^2 / 2] = w_i d/dtheta [g_i . grad_x s_i(x_i)] with g_i
 * held fixed, the directional derivative of grad_theta s_i along u_i = w_i g_i.
 * It is taken as a central difference,
 *   (grad_theta s(x + eps u) - grad_theta s(x - eps u)) / (2 eps),
 * exact for piecewise linear parts of D away from their kinks; eps makes the
 * largest step 1e-2 long. Two extra passes through D per penalty, on images
 * without augmentation; D's BatchNorm statistics are restored afterwards. */
#define PENALTY_STEP 1e-2

/* g (into gan->pen_u) for the images in gan->pen_x; returns |g_i| in norms. */
static void penalty_gradients(gp_gan *gan, const uint8_t *labels, int B, float *norms) {
    int K = d_outputs(&gan->cfg), n_img = gp_shape_size(gan->image);
    d_forward(gan, gan->pen_x, labels, B, 0);
    memset(gan->dlogits, 0, (size_t)B * K * sizeof(float));
    for (int b = 0; b < B; b++) gan->dlogits[(size_t)b * K] = 1.0f;
    const float *g = d_input_grad(gan, gp_net_backward(&gan->D, gan->dlogits, B, 0, 1), B, 0);
    memcpy(gan->pen_u, g, (size_t)B * n_img * sizeof(float));
    for (int b = 0; b < B; b++) {
        double s = 0.0;
        for (int i = 0; i < n_img; i++) s += (double)g[(size_t)b * n_img + i] * g[(size_t)b * n_img + i];
        norms[b] = (float)sqrt(s);
    }
}

/* Adds the gradient of sum_i w_i |g_i|^2 / 2 to D's parameter gradients,
 * where pen_u holds g_i (overwritten with u_i = w_i g_i). */
static void penalty_backward(gp_gan *gan, const uint8_t *labels, int B, const float *w) {
    int K = d_outputs(&gan->cfg), n_img = gp_shape_size(gan->image);
    double longest = 0.0;
    for (int b = 0; b < B; b++) {
        double s = 0.0;
        float *u = gan->pen_u + (size_t)b * n_img;
        for (int i = 0; i < n_img; i++) {
            u[i] *= w[b];
            s += (double)u[i] * u[i];
        }
        if (s > longest) longest = s;
    }
    if (!(longest > 0.0)) return; /* a constant D: no penalty gradient */
    float eps = (float)(PENALTY_STEP / sqrt(longest));
    for (int sign = 1; sign >= -1; sign -= 2) {
        /* both passes from the same BatchNorm and spectral-norm state */
        memcpy(gan->D.buffers, gan->d_buffers, gan->D.n_buffers * sizeof(float));
        float *x = gan->aug; /* scratch: x + sign eps u */
        for (size_t i = 0; i < (size_t)B * n_img; i++) x[i] = gan->pen_x[i] + sign * eps * gan->pen_u[i];
        d_forward(gan, x, labels, B, 0);
        memset(gan->dlogits, 0, (size_t)B * K * sizeof(float));
        for (int b = 0; b < B; b++) gan->dlogits[(size_t)b * K] = (float)sign / (2.0f * eps);
        gp_net_backward(&gan->D, gan->dlogits, B, 1, 0);
    }
}

float gp_gan_penalty(gp_gan *gan, const float *x, const uint8_t *labels, int B, int kind, float weight) {
    GP_ASSERT(gan->has_d && B >= 1 && B <= gan->cfg.batch);
    int n_img = gp_shape_size(gan->image);
    float norms[4096], w[4096];
    memcpy(gan->d_buffers, gan->D.buffers, gan->D.n_buffers * sizeof(float));
    if (x != gan->pen_x) memcpy(gan->pen_x, x, (size_t)B * n_img * sizeof(float));
    penalty_gradients(gan, labels, B, norms);
    double sum = 0.0;
    for (int b = 0; b < B; b++) {
        if (kind == GP_PENALTY_GP) { /* weight mean_i (|g_i| - 1)^2: per image 2 weight (|g_i| - 1) / (B |g_i|) */
            sum += ((double)norms[b] - 1.0) * (norms[b] - 1.0);
            w[b] = norms[b] > 0.0f ? 2.0f * weight * (norms[b] - 1.0f) / ((float)B * norms[b]) : 0.0f;
        } else { /* weight/2 mean_i |g_i|^2: per image weight / B */
            sum += (double)norms[b] * norms[b] / 2.0;
            w[b] = weight / (float)B;
        }
    }
    penalty_backward(gan, labels, B, w);
    memcpy(gan->D.buffers, gan->d_buffers, gan->D.n_buffers * sizeof(float));
    return (float)(weight * sum / B);
}

/* WGAN-GP on interpolates of the real and fake batch, then R1 on the real
 * batch; returns the penalties' value. */
static float penalties(gp_gan *gan, const float *fake, int B) {
    const gp_gan_config *c = &gan->cfg;
    float total = 0.0f;
    if (GP_LOSSES[c->loss].gradient_penalty && c->gp_weight > 0.0f) {
        int n_img = gp_shape_size(gan->image);
        for (int b = 0; b < B; b++) {
            float a = gp_rng_uniform(&gan->rng);
            for (int i = 0; i < n_img; i++) {
                size_t k = (size_t)b * n_img + i;
                gan->pen_x[k] = a * gan->real[k] + (1.0f - a) * fake[k];
            }
        }
        /* an interpolate carries the real image's class (the fake's may differ) */
        total += gp_gan_penalty(gan, gan->pen_x, gan->real_labels, B, GP_PENALTY_GP, c->gp_weight);
    }
    if (c->r1 > 0.0f) total += gp_gan_penalty(gan, gan->real, gan->real_labels, B, GP_PENALTY_R1, c->r1);
    return total;
}

/* One update of a network's weights from its gradients. */
static void optimizer_step(gp_gan *gan, gp_net *net, gp_adam *opt, float lr) {
    if (gan->cfg.optimizer == GP_OPT_SGD) gp_net_sgd_step(net, lr);
    else gp_net_adam_step(net, opt);
}

gp_status gp_gan_check_data(const gp_gan *gan, const gp_dataset *ds, gp_err *err) {
    int C = gan->cfg.classes;
    if (ds->h != gan->image.h || ds->w != gan->image.w || ds->c != gan->image.c)
        return gp_fail(err, GP_ERR_ARG, "dataset images are %dx%dx%d, the model makes %dx%dx%d", ds->c,
                       ds->h, ds->w, gan->image.c, gan->image.h, gan->image.w);
    if (C && gp_dataset_classes(ds) > C)
        return gp_fail(err, GP_ERR_ARG, "the dataset has %d classes, the model knows %d", gp_dataset_classes(ds), C);
    return GP_OK;
}

gp_status gp_gan_d_step(gp_gan *gan, const gp_dataset *ds, gp_err *err) {
    if (!gan->has_d) return gp_fail(err, GP_ERR_ARG, "this model has no discriminator (generator-only file)");
    int B = gan->cfg.batch, C = gan->cfg.classes;
    gp_status st = gp_gan_check_data(gan, ds, err);
    if (st != GP_OK) return st;
    gp_dataset_sample_batch(ds, &gan->rng, gan->real, C ? gan->real_labels : NULL, B);
    return gp_gan_d_step_real(gan, err);
}

gp_status gp_gan_can_train(const gp_gan *gan, gp_err *err) {
    if (!gan->has_d) return gp_fail(err, GP_ERR_ARG, "this model has no discriminator (generator-only file)");
    if (gan->units_n_off)
        return gp_fail(err, GP_ERR_ARG, "%d unit%s of the generator's layer %d %s switched off: switch them on to train",
                       gan->units_n_off, gan->units_n_off == 1 ? "" : "s", gan->units_layer,
                       gan->units_n_off == 1 ? "is" : "are");
    return GP_OK;
}

gp_status gp_gan_d_step_real(gp_gan *gan, gp_err *err) {
    gp_status can = gp_gan_can_train(gan, err);
    if (can != GP_OK) return can;
    int B = gan->cfg.batch;
    draw_g_input(gan);
    gan->G.training = 1;
    gan->D.training = 1;
    const float *fake = gp_net_forward(&gan->G, gan->g_in, B);

    gp_net_zero_grad(&gan->D);
    float d_real, d_fake, acc = 0.0f;
    const float *out = d_forward(gan, gan->real, gan->real_labels, B, 1);
    float loss_real = d_output_loss(gan, out, gan->real_labels, B, ON_REAL, &d_real, &acc);
    memcpy(gan->seen_real, gan->scores, (size_t)B * sizeof(float));
    gp_net_backward(&gan->D, gan->dlogits, B, 1, 0);
    /* the fake batch is detached: D's gradients only */
    out = d_forward(gan, fake, gan->fake_labels, B, 1);
    float loss_fake = d_output_loss(gan, out, gan->fake_labels, B, ON_FAKE, &d_fake, NULL);
    memcpy(gan->seen_fake, gan->scores, (size_t)B * sizeof(float));
    gp_net_backward(&gan->D, gan->dlogits, B, 1, 0);
    float penalty = penalties(gan, fake, B);
    optimizer_step(gan, &gan->D, &gan->opt_d, gan->cfg.lr_d);

    gan->fake_ready = 1; /* G's activations still hold this fake batch */
    gan->stats.d_loss = loss_real + loss_fake + penalty;
    gan->stats.penalty = penalty;
    gan->stats.d_real = d_real;
    gan->stats.d_fake = d_fake;
    gan->stats.class_acc = acc;
    gan->stats.d_step++;
    if (!isfinite(gan->stats.d_loss))
        return gp_fail(err, GP_ERR_NAN, "the discriminator loss became %s at step %ld",
                       isnan(gan->stats.d_loss) ? "NaN" : "infinite", gan->stats.step);
    return GP_OK;
}

/* The average starts at the initial weights; its decay warms up as
 * (1 + t) / (10 + t) until it reaches cfg.ema, so that early samples are not
 * dominated by the random initialization (as TensorFlow's moving averages). */
static void ema_update(gp_gan *gan) {
    if (!gan->ema) return;
    double t = (double)gan->opt_g.t, warm = (1.0 + t) / (10.0 + t);
    float d = (float)(warm < gan->cfg.ema ? warm : gan->cfg.ema), e = 1.0f - d;
    const float *p = gan->G.params;
    for (size_t i = 0; i < gan->G.n_params; i++) gan->ema[i] = d * gan->ema[i] + e * p[i];
    gp_net_params_changed(&gan->G);
}

/* reuse_fake: take the fake batch that the last D step made with the
 * current G (as PyTorch's DCGAN example does), saving one G forward. */
static gp_status g_step(gp_gan *gan, int reuse_fake, gp_err *err) {
    gp_status can = gp_gan_can_train(gan, err);
    if (can != GP_OK) return can;
    int B = gan->cfg.batch;
    gan->G.training = 1;
    gan->D.training = 1;
    const float *fake = gan->G.acts[gan->G.n_layers];
    if (!(reuse_fake && gan->fake_ready)) {
        draw_g_input(gan);
        fake = gp_net_forward(&gan->G, gan->g_in, B);
    }
    gan->fake_ready = 0;
    const float *out = d_forward(gan, fake, gan->fake_labels, B, 1);
    float g_fake;
    float g_loss = d_output_loss(gan, out, gan->fake_labels, B, FOR_G, &g_fake, NULL);
    memcpy(gan->seen_g, gan->scores, (size_t)B * sizeof(float));
    /* through D to its input without touching D's gradients, then into G */
    const float *dfake = d_input_grad(gan, gp_net_backward(&gan->D, gan->dlogits, B, 0, 1), B, 1);
    if (dfake != gan->dfake) { /* kept where the teaching view reads it */
        memcpy(gan->dfake, dfake, (size_t)B * gp_shape_size(gan->image) * sizeof(float));
        dfake = gan->dfake;
    }
    gp_net_zero_grad(&gan->G);
    gp_net_backward(&gan->G, dfake, B, 1, 0);
    optimizer_step(gan, &gan->G, &gan->opt_g, gan->cfg.lr_g);
    ema_update(gan);
    gan->stats.g_loss = g_loss;
    gan->stats.g_fake = g_fake;
    gan->stats.step++;
    if (!isfinite(g_loss))
        return gp_fail(err, GP_ERR_NAN, "the generator loss became %s at step %ld", isnan(g_loss) ? "NaN" : "infinite",
                       gan->stats.step);
    return GP_OK;
}

gp_status gp_gan_g_step(gp_gan *gan, gp_err *err) { return g_step(gan, 0, err); }
gp_status gp_gan_g_step_after_d(gp_gan *gan, gp_err *err) { return g_step(gan, 1, err); }

gp_status gp_gan_train_step(gp_gan *gan, const gp_dataset *ds, gp_err *err) {
    for (int i = 0; i < gan->cfg.d_steps; i++) {
        gp_status st = gp_gan_d_step(gan, ds, err);
        if (st != GP_OK) return st;
    }
    return gp_gan_g_steps(gan, err);
}

gp_status gp_gan_g_steps(gp_gan *gan, gp_err *err) {
    for (int i = 0; i < gan->cfg.g_steps; i++) { /* the first reuses the last D step's fake batch */
        gp_status st = g_step(gan, i == 0, err);
        if (st != GP_OK) return st;
    }
    return GP_OK;
}

/* G's forward in evaluation with the units switched off (units.h) zeroed
 * in the output of their layer; the input is in gan->g_in. */
static const float *forward_units_off(gp_gan *gan, int b) {
    gp_net *G = &gan->G;
    int at = gan->units_layer;
    gp_shape s = G->shape[at + 1];
    size_t hw = (size_t)s.h * s.w;
    memcpy(G->acts[0], gan->g_in, (size_t)b * gp_shape_size(G->shape[0]) * sizeof(float));
    for (int i = 0; i < G->n_layers; i++) {
        gp_net_layer_forward(G, i, b);
        if (i != at) continue;
        for (int n = 0; n < b; n++)
            for (int c = 0; c < s.c; c++)
                if (gan->units_off[c]) memset(G->acts[i + 1] + ((size_t)n * s.c + c) * hw, 0, hw * sizeof(float));
    }
    return G->acts[G->n_layers];
}

/* Runs G (evaluation mode unless training) on z with classes; with EMA,
 * on the averaged weights (swapped in, not copied). */
static void run_g(gp_gan *gan, const float *z, const int *labels, int count, float *out, int training) {
    int L = gan->cfg.latent, n_img = gp_shape_size(gp_net_output_shape(&gan->G));
    int saved = gan->G.training;
    float *own = gan->G.params;
    if (gan->ema) gan->G.params = gan->ema;
    gan->G.training = training;
    gan->fake_ready = 0; /* this forward overwrites G's activations */
    for (int i = 0; i < count; i += gan->G.max_batch) {
        int b = count - i < gan->G.max_batch ? count - i : gan->G.max_batch;
        compose_g_input(gan, z + (size_t)i * L, labels ? labels + i : NULL, i, b);
        const float *y = !training && gan->units_n_off ? forward_units_off(gan, b) : gp_net_forward(&gan->G, gan->g_in, b);
        if (out) memcpy(out + (size_t)i * n_img, y, (size_t)b * n_img * sizeof(float));
    }
    gan->G.params = own;
    gan->G.training = saved;
}

void gp_gan_generate(gp_gan *gan, const float *z, const int *labels, int count, float *out) {
    run_g(gan, z, labels, count, out, 0);
}

void gp_gan_adopt_ema(gp_gan *gan) {
    if (!gan->ema) return;
    memcpy(gan->G.params, gan->ema, gan->G.n_params * sizeof(float));
    gp_net_params_changed(&gan->G);
    gan->ema = NULL; /* its memory stays in gan->block */
    gan->cfg.ema = 0.0f;
}

void gp_gan_recalibrate_bn(gp_gan *gan, int n_batches, uint64_t seed) {
    gp_net *G = &gan->G;
    float momentum[GP_MAX_LAYERS];
    for (int i = 0; i < G->n_layers; i++) momentum[i] = G->layers[i].momentum;
    gp_rng rng;
    gp_rng_seed(&rng, seed);
    int B = gan->cfg.batch, L = gan->cfg.latent;
    for (int b = 0; b < n_batches; b++) {
        /* momentum 1/(b+1) makes the running statistics the mean over batches */
        for (int i = 0; i < G->n_layers; i++) {
            uint32_t kind = G->layers[i].kind;
            if (kind == GP_LAYER_BATCHNORM || kind == GP_LAYER_BATCHNORM2D) G->layers[i].momentum = 1.0f / (float)(b + 1);
        }
        gp_rng_fill_normal(&rng, gan->z_scratch, B * L, 0.0f, 1.0f);
        run_g(gan, gan->z_scratch, NULL, B, NULL, 1);
    }
    for (int i = 0; i < G->n_layers; i++) G->layers[i].momentum = momentum[i];
    gan->fake_ready = 0;
}

void gp_gan_latents(const gp_gan *gan, uint64_t seed, int count, float *z) {
    gp_rng rng;
    gp_rng_seed(&rng, seed);
    if (gan->cfg.noise == GP_NOISE_UNIFORM) gp_rng_fill_uniform(&rng, z, count * gan->cfg.latent, -1.0f, 1.0f);
    else gp_rng_fill_normal(&rng, z, count * gan->cfg.latent, 0.0f, 1.0f);
}

void gp_model_info_json(const gp_gan *gan, gp_json *j) {
    const gp_gan_config *c = &gan->cfg;
    char text[32];
    gp_history_info hist = {0, 0, 0, 0, 0};
    if (gan->history_len) gp_history_check(gan->history, gan->history_len, &hist, NULL);
    gp_json_open(j, '{');
    gp_json_kstr(j, "preset", c->preset);
    gp_json_kstr(j, "dataset", c->dataset);
    gp_json_key(j, "image");
    gp_json_open(j, '{');
    gp_json_kint(j, "channels", gan->image.c);
    gp_json_kint(j, "height", gan->image.h);
    gp_json_kint(j, "width", gan->image.w);
    gp_json_close(j, '}');
    gp_json_key(j, "classes");
    gp_json_open(j, '{');
    gp_json_kint(j, "count", c->classes);
    gp_json_key(j, "names");
    gp_json_open(j, '[');
    for (int k = 0; k < c->classes; k++) gp_json_str(j, c->class_names[k]);
    gp_json_close(j, ']');
    gp_json_close(j, '}');
    gp_json_kint(j, "steps", gan->stats.step);
    gp_json_kint(j, "d_steps_taken", gan->stats.d_step);
    gp_json_kstr(j, "loss", GP_LOSSES[c->loss].name);
    gp_json_key(j, "tools");
    gp_json_open(j, '{');
    gp_json_kstr(j, "conditioning", gp_setting_find("cond")->choice(c->cond));
    static const char *const numbers[] = {"ema", "augment", "spectral_norm", "r1", "real_label"};
    for (int i = 0; i < 5; i++) {
        const gp_setting *s = gp_setting_find(numbers[i]);
        gp_json_key(j, numbers[i]);
        if (!strcmp(numbers[i], "spectral_norm")) {
            gp_json_bool(j, c->spectral_norm);
        } else {
            gp_setting_format(c, s, text, sizeof text);
            if (s->type == GP_SETTING_CHOICE) gp_json_str(j, text);
            else gp_json_raw(j, text);
        }
    }
    gp_json_close(j, '}');
    gp_json_kbool(j, "has_discriminator", gan->has_d);
    gp_json_key(j, "parameters");
    gp_json_open(j, '{');
    gp_json_kint(j, "generator", (long long)gan->G.n_params);
    gp_json_kint(j, "discriminator", gan->has_d ? (long long)gan->D.n_params : 0);
    gp_json_close(j, '}');
    gp_json_key(j, "history");
    gp_json_open(j, '{');
    gp_json_kint(j, "chart_points", hist.points);
    gp_json_kint(j, "fd_points", hist.fd_points);
    gp_json_kint(j, "snapshots", hist.snapshots);
    gp_json_close(j, '}');
    gp_json_key(j, "settings");
    gp_config_json(c, j);
    gp_json_close(j, '}');
}

/* Runs D in evaluation mode over count images in batches of its size (image
 * i judged as class labels[i], or i mod classes), calling per_batch after
 * each batch's forward with D's outputs; training is not disturbed. */
typedef void (*d_batch_fn)(gp_gan *gan, int first, int b, const float *outputs, float *out);

static void d_eval_batches(gp_gan *gan, const float *images, const int *labels, int count, d_batch_fn per_batch,
                           float *out) {
    GP_ASSERT(gan->has_d);
    gp_net *D = &gan->D;
    int n_img = gp_shape_size(gan->image), C = gan->cfg.classes, saved = D->training;
    uint8_t classes[4096];
    D->training = 0;
    gan->fake_ready = 0;
    for (int i = 0; i < count; i += D->max_batch) {
        int b = count - i < D->max_batch ? count - i : D->max_batch;
        for (int j = 0; j < b; j++) classes[j] = (uint8_t)(C ? (labels ? labels[i + j] : (i + j) % C) : 0);
        per_batch(gan, i, b, d_forward(gan, images + (size_t)i * n_img, classes, b, 0), out);
    }
    D->training = saved;
}

static void readouts_of(gp_gan *gan, int first, int b, const float *o, float *out) {
    int K = d_outputs(&gan->cfg);
    for (int j = 0; j < b; j++) gan->scores[j] = o[(size_t)j * K];
    for (int j = 0; j < b; j++) out[first + j] = gp_loss_d_readout(gan->cfg.loss, gan->scores + j, 1);
}

void gp_gan_d_readouts(gp_gan *gan, const float *images, const int *labels, int count, float *out) {
    d_eval_batches(gan, images, labels, count, readouts_of, out);
}

/* d score_j / d outputs: 1 on each image's real/fake score, 0 elsewhere; back to the pixels */
static void saliency_of(gp_gan *gan, int first, int b, const float *o, float *out) {
    (void)o;
    int K = d_outputs(&gan->cfg), n_img = gp_shape_size(gan->image);
    memset(gan->dlogits, 0, (size_t)b * K * sizeof(float));
    for (int j = 0; j < b; j++) gan->dlogits[(size_t)j * K] = 1.0f;
    const float *dx = gp_net_backward(&gan->D, gan->dlogits, b, 0, 1);
    memcpy(out + (size_t)first * n_img, d_input_grad(gan, dx, b, 0), (size_t)b * n_img * sizeof(float));
}

void gp_gan_d_saliency(gp_gan *gan, const float *images, const int *labels, int count, float *out) {
    d_eval_batches(gan, images, labels, count, saliency_of, out);
}

gp_status gp_gan_set_config(gp_gan *gan, const gp_gan_config *cfg, gp_err *err) {
    gp_status st = gp_gan_config_check(cfg, err);
    if (st != GP_OK) return st;
    for (int i = 0; i < GP_N_SETTINGS; i++) {
        const gp_setting *s = &GP_SETTINGS[i];
        if (!s->live && gp_setting_get(cfg, s) != gp_setting_get(&gan->cfg, s)) {
            char was[64];
            gp_setting_format(&gan->cfg, s, was, sizeof was);
            return gp_fail(err, GP_ERR_ARG, "%s cannot change on a model that exists (it has %s); it applies to the next new model",
                           s->label, was);
        }
    }
    if (strcmp(cfg->preset, gan->cfg.preset) || cfg->classes != gan->cfg.classes)
        return gp_fail(err, GP_ERR_ARG, "the preset and the classes of a model cannot change");
    gan->cfg = *cfg;
    gan->opt_g.lr = cfg->lr_g;
    gan->opt_d.lr = cfg->lr_d;
    gan->opt_g.beta1 = gan->opt_d.beta1 = cfg->beta1;
    gan->opt_g.beta2 = gan->opt_d.beta2 = cfg->beta2;
    gan->opt_g.eps = gan->opt_d.eps = cfg->adam_eps;
    return GP_OK;
}
