#include "gan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "layers.h"

/* The presets, by name; each is one branch of gp_gan_architecture. */
static const char *const PRESETS[] = {"mlp", "dcgan"};

static int known_preset(const char *name) {
    for (size_t i = 0; i < sizeof PRESETS / sizeof PRESETS[0]; i++)
        if (!strcmp(name, PRESETS[i])) return 1;
    return 0;
}

gp_status gp_gan_config_default(gp_gan_config *cfg, const char *preset, gp_err *err) {
    memset(cfg, 0, sizeof *cfg);
    if (!preset || strlen(preset) >= sizeof cfg->preset || !known_preset(preset))
        return gp_fail(err, GP_ERR_ARG, "unknown preset '%.40s' (available: mlp, dcgan)", preset ? preset : "");
    strcpy(cfg->preset, preset);
    cfg->batch = 64;
    cfg->latent = 100;
    cfg->lr_g = 2e-4f;
    cfg->lr_d = 2e-4f;
    cfg->beta1 = 0.5f;
    cfg->beta2 = 0.999f;
    cfg->adam_eps = 1e-8f;
    cfg->d_steps = 1;
    cfg->loss = GP_LOSS_NONSATURATING;
    cfg->real_label = 1.0f;
    cfg->seed = 1;
    return GP_OK;
}

gp_status gp_gan_config_check(const gp_gan_config *cfg, gp_err *err) {
    if (!known_preset(cfg->preset))
        return gp_fail(err, GP_ERR_ARG, "preset: unknown preset '%.15s' (available: mlp, dcgan)", cfg->preset);
    if (cfg->batch < 2 || cfg->batch > 1024)
        return gp_fail(err, GP_ERR_ARG, "batch: must be an integer in 2..1024, got %d", cfg->batch);
    if (cfg->latent < 1 || cfg->latent > 1024)
        return gp_fail(err, GP_ERR_ARG, "latent: must be an integer in 1..1024, got %d", cfg->latent);
    if (!(cfg->lr_g > 0.0f && cfg->lr_g <= 1.0f))
        return gp_fail(err, GP_ERR_ARG, "lr_g: must be in (0, 1], got %g", cfg->lr_g);
    if (!(cfg->lr_d > 0.0f && cfg->lr_d <= 1.0f))
        return gp_fail(err, GP_ERR_ARG, "lr_d: must be in (0, 1], got %g", cfg->lr_d);
    if (!(cfg->beta1 >= 0.0f && cfg->beta1 < 1.0f))
        return gp_fail(err, GP_ERR_ARG, "beta1: must be in [0, 1), got %g", cfg->beta1);
    if (!(cfg->beta2 >= 0.0f && cfg->beta2 < 1.0f))
        return gp_fail(err, GP_ERR_ARG, "beta2: must be in [0, 1), got %g", cfg->beta2);
    if (!(cfg->adam_eps > 0.0f && cfg->adam_eps < 1.0f))
        return gp_fail(err, GP_ERR_ARG, "adam_eps: must be in (0, 1), got %g", cfg->adam_eps);
    if (cfg->d_steps < 1 || cfg->d_steps > 16)
        return gp_fail(err, GP_ERR_ARG, "d_steps: must be an integer in 1..16, got %d", cfg->d_steps);
    if (cfg->loss != GP_LOSS_NONSATURATING && cfg->loss != GP_LOSS_MINIMAX)
        return gp_fail(err, GP_ERR_ARG, "loss: must be 0 (non-saturating) or 1 (minimax), got %d", cfg->loss);
    if (!(cfg->real_label >= 0.5f && cfg->real_label <= 1.0f))
        return gp_fail(err, GP_ERR_ARG, "real_label: must be in [0.5, 1], got %g", cfg->real_label);
    return GP_OK;
}

/* The DCGAN for 28x28:
 * G: z -> Linear 128*7*7 -> reshape -> BN -> ReLU -> ConvT(128,64,4,s2,p1)
 *      -> BN -> ReLU -> ConvT(64,1,4,s2,p1) -> Tanh
 * D: Conv(1,64,4,s2,p1) -> LReLU 0.2 -> Conv(64,128,4,s2,p1) -> BN -> LReLU
 *      -> Flatten -> Linear 1 */
static void dcgan_architecture(gp_layer_desc *g, int *g_n, gp_layer_desc *d, int *d_n) {
    int n = 0;
    g[n++] = gp_layer(GP_LAYER_LINEAR, 128 * 7 * 7, 0);
    g[n++] = gp_layer_reshape(128, 7, 7);
    g[n++] = gp_layer(GP_LAYER_BATCHNORM2D, 0, 0);
    g[n++] = gp_layer(GP_LAYER_RELU, 0, 0);
    g[n++] = gp_layer_conv(GP_LAYER_CONVT2D, 64, 4, 2, 1);
    g[n++] = gp_layer(GP_LAYER_BATCHNORM2D, 0, 0);
    g[n++] = gp_layer(GP_LAYER_RELU, 0, 0);
    g[n++] = gp_layer_conv(GP_LAYER_CONVT2D, 1, 4, 2, 1);
    g[n++] = gp_layer(GP_LAYER_TANH, 0, 0);
    *g_n = n;
    n = 0;
    d[n++] = gp_layer_conv(GP_LAYER_CONV2D, 64, 4, 2, 1);
    d[n++] = gp_layer(GP_LAYER_LEAKY_RELU, 0, 0.2f);
    d[n++] = gp_layer_conv(GP_LAYER_CONV2D, 128, 4, 2, 1);
    d[n++] = gp_layer(GP_LAYER_BATCHNORM2D, 0, 0);
    d[n++] = gp_layer(GP_LAYER_LEAKY_RELU, 0, 0.2f);
    d[n++] = gp_layer_reshape(128 * 7 * 7, 1, 1);
    d[n++] = gp_layer(GP_LAYER_LINEAR, 1, 0);
    *d_n = n;
}

gp_status gp_gan_architecture(const gp_gan_config *cfg, gp_shape *g_in, gp_layer_desc *g,
                              int *g_n, gp_shape *d_in, gp_layer_desc *d, int *d_n,
                              gp_err *err) {
    *g_in = (gp_shape){cfg->latent, 1, 1};
    *d_in = (gp_shape){1, 28, 28};
    if (!strcmp(cfg->preset, "dcgan")) {
        dcgan_architecture(g, g_n, d, d_n);
        return GP_OK;
    }
    if (strcmp(cfg->preset, "mlp") != 0)
        return gp_fail(err, GP_ERR_ARG, "preset: unknown preset '%.15s'", cfg->preset);
    /* The seed MLP GAN:
     * G: z -> 128 -> LReLU -> 256 -> BN -> LReLU -> 512 -> BN -> LReLU
     *      -> 1024 -> BN -> LReLU -> 784 -> Tanh
     * D: 784 -> 512 -> LReLU -> 256 -> LReLU -> 1 (logit) */
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
    g[n++] = gp_layer(GP_LAYER_LINEAR, 784, 0);
    g[n++] = gp_layer(GP_LAYER_TANH, 0, 0);
    *g_n = n;
    n = 0;
    d[n++] = gp_layer(GP_LAYER_LINEAR, 512, 0);
    d[n++] = gp_layer(GP_LAYER_LEAKY_RELU, 0, s);
    d[n++] = gp_layer(GP_LAYER_LINEAR, 256, 0);
    d[n++] = gp_layer(GP_LAYER_LEAKY_RELU, 0, s);
    d[n++] = gp_layer(GP_LAYER_LINEAR, 1, 0);
    *d_n = n;
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
    /* every preset makes 28x28 grayscale images */
    st = gp_gan_create_arch(gan, cfg, d_in, g_in, g, g_n, with_d ? d : NULL, with_d ? d_n : 0, err);
    if (st != GP_OK) return st;
    gp_rng init;
    gp_rng_seed(&init, cfg->seed);
    if (!strcmp(cfg->preset, "dcgan")) { /* DCGAN's initialization (Radford et al.): N(0, 0.02) */
        gp_net_init_normal(&gan->G, &init, 0.02f);
        if (gan->has_d) gp_net_init_normal(&gan->D, &init, 0.02f);
    } else { /* PyTorch's defaults */
        gp_net_init_params(&gan->G, &init);
        if (gan->has_d) gp_net_init_params(&gan->D, &init);
    }
    return GP_OK;
}

gp_status gp_gan_create_arch(gp_gan *gan, const gp_gan_config *cfg, gp_shape image, gp_shape g_in,
                             const gp_layer_desc *g_layers, int g_n, const gp_layer_desc *d_layers,
                             int d_n, gp_err *err) {
    memset(gan, 0, sizeof *gan);
    gp_status st = gp_gan_config_check(cfg, err);
    if (st != GP_OK) return st;
    if (g_in.c != cfg->latent || g_in.h != 1 || g_in.w != 1)
        return gp_fail(err, GP_ERR_ARG, "generator input must be the latent vector (%d)", cfg->latent);
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
    if (d_layers) {
        st = gp_net_create(&gan->D, image, d_layers, d_n, cfg->batch, err);
        if (st != GP_OK) goto fail;
        if (gp_shape_size(gp_net_output_shape(&gan->D)) != 1) {
            st = gp_fail(err, GP_ERR_ARG, "discriminator must output one logit per image");
            goto fail;
        }
        gan->has_d = 1;
    }
    size_t B = (size_t)cfg->batch;
    float *p = calloc(B * cfg->latent + B * n_img + B, sizeof(float));
    if (!p) {
        st = gp_fail(err, GP_ERR_NOMEM, "out of memory allocating training buffers");
        goto fail;
    }
    gan->block = p;
    gan->z = p;
    gan->real = p + B * cfg->latent;
    gan->dlogits = gan->real + B * n_img;

    /* a separate stream for batches and noise, derived from the seed */
    gp_rng_seed(&gan->rng, cfg->seed ^ 0x5DEECE66Dull);
    gan->opt_g = (gp_adam){cfg->lr_g, cfg->beta1, cfg->beta2, cfg->adam_eps, 0};
    gan->opt_d = (gp_adam){cfg->lr_d, cfg->beta1, cfg->beta2, cfg->adam_eps, 0};
    return GP_OK;
fail:
    gp_gan_free(gan);
    return st;
}

void gp_gan_free(gp_gan *gan) {
    gp_net_free(&gan->G);
    gp_net_free(&gan->D);
    free(gan->block);
    memset(gan, 0, sizeof *gan);
}

gp_shape gp_gan_image_shape(const gp_gan *gan) { return gan->image; }

static float mean_sigmoid(const float *logits, int n) {
    double s = 0.0;
    for (int i = 0; i < n; i++) s += gp_sigmoidf(logits[i]);
    return (float)(s / n);
}

gp_status gp_gan_d_step(gp_gan *gan, const gp_dataset *ds, gp_err *err) {
    if (!gan->has_d) return gp_fail(err, GP_ERR_ARG, "this model has no discriminator (generator-only file)");
    int B = gan->cfg.batch;
    if (ds->h != gan->image.h || ds->w != gan->image.w || ds->c != gan->image.c)
        return gp_fail(err, GP_ERR_ARG, "dataset images are %dx%dx%d, the model makes %dx%dx%d", ds->c,
                       ds->h, ds->w, gan->image.c, gan->image.h, gan->image.w);
    gp_dataset_sample_batch(ds, &gan->rng, gan->real, B);
    gp_rng_fill_normal(&gan->rng, gan->z, B * gan->cfg.latent, 0.0f, 1.0f);
    gan->G.training = 1;
    gan->D.training = 1;
    const float *fake = gp_net_forward(&gan->G, gan->z, B);

    gp_net_zero_grad(&gan->D);
    const float *logits = gp_net_forward(&gan->D, gan->real, B);
    float loss_real = gp_bce_logits(gan->dlogits, logits, B, gan->cfg.real_label, 1.0f);
    float d_real = mean_sigmoid(logits, B);
    gp_net_backward(&gan->D, gan->dlogits, B, 1, 0);
    /* the fake batch is detached: D's gradients only */
    logits = gp_net_forward(&gan->D, fake, B);
    float loss_fake = gp_bce_logits(gan->dlogits, logits, B, 0.0f, 1.0f);
    float d_fake = mean_sigmoid(logits, B);
    gp_net_backward(&gan->D, gan->dlogits, B, 1, 0);
    gp_net_adam_step(&gan->D, &gan->opt_d);

    gan->fake_ready = 1; /* G's activations still hold this fake batch */
    gan->stats.d_loss = loss_real + loss_fake;
    gan->stats.d_real = d_real;
    gan->stats.d_fake = d_fake;
    gan->stats.d_step++;
    if (!isfinite(gan->stats.d_loss))
        return gp_fail(err, GP_ERR_NAN, "the discriminator loss became %g at step %ld", gan->stats.d_loss,
                       gan->stats.step);
    return GP_OK;
}

/* reuse_fake: take the fake batch that the last D step made with the
 * current G (as PyTorch's DCGAN example does), saving one G forward. */
static gp_status g_step(gp_gan *gan, int reuse_fake, gp_err *err) {
    if (!gan->has_d) return gp_fail(err, GP_ERR_ARG, "this model has no discriminator (generator-only file)");
    int B = gan->cfg.batch;
    gan->G.training = 1;
    gan->D.training = 1;
    const float *fake = gan->G.acts[gan->G.n_layers];
    if (!(reuse_fake && gan->fake_ready)) {
        gp_rng_fill_normal(&gan->rng, gan->z, B * gan->cfg.latent, 0.0f, 1.0f);
        fake = gp_net_forward(&gan->G, gan->z, B);
    }
    gan->fake_ready = 0;
    const float *logits = gp_net_forward(&gan->D, fake, B);
    float g_loss;
    if (gan->cfg.loss == GP_LOSS_MINIMAX) /* minimize log(1 - D) = -BCE(x, 0) */
        g_loss = -gp_bce_logits(gan->dlogits, logits, B, 0.0f, -1.0f);
    else /* non-saturating: minimize -log D = BCE(x, 1) */
        g_loss = gp_bce_logits(gan->dlogits, logits, B, 1.0f, 1.0f);
    /* through D to its input without touching D's gradients, then into G */
    const float *dfake = gp_net_backward(&gan->D, gan->dlogits, B, 0, 1);
    gp_net_zero_grad(&gan->G);
    gp_net_backward(&gan->G, dfake, B, 1, 0);
    gp_net_adam_step(&gan->G, &gan->opt_g);
    gan->stats.g_loss = g_loss;
    gan->stats.step++;
    if (!isfinite(g_loss))
        return gp_fail(err, GP_ERR_NAN, "the generator loss became %g at step %ld", g_loss, gan->stats.step);
    return GP_OK;
}

gp_status gp_gan_g_step(gp_gan *gan, gp_err *err) { return g_step(gan, 0, err); }

gp_status gp_gan_train_step(gp_gan *gan, const gp_dataset *ds, gp_err *err) {
    for (int i = 0; i < gan->cfg.d_steps; i++) {
        gp_status st = gp_gan_d_step(gan, ds, err);
        if (st != GP_OK) return st;
    }
    return g_step(gan, 1, err);
}

void gp_gan_generate(gp_gan *gan, const float *z, int count, float *out) {
    int L = gan->cfg.latent, n_img = gp_shape_size(gp_net_output_shape(&gan->G));
    int saved = gan->G.training;
    gan->G.training = 0;
    gan->fake_ready = 0; /* this forward overwrites G's activations */
    for (int i = 0; i < count; i += gan->G.max_batch) {
        int b = count - i < gan->G.max_batch ? count - i : gan->G.max_batch;
        const float *y = gp_net_forward(&gan->G, z + (size_t)i * L, b);
        memcpy(out + (size_t)i * n_img, y, (size_t)b * n_img * sizeof(float));
    }
    gan->G.training = saved;
}

void gp_gan_recalibrate_bn(gp_gan *gan, int n_batches, uint64_t seed) {
    gp_net *G = &gan->G;
    float momentum[GP_MAX_LAYERS];
    for (int i = 0; i < G->n_layers; i++) momentum[i] = G->layers[i].alpha;
    gp_rng rng;
    gp_rng_seed(&rng, seed);
    int B = gan->cfg.batch;
    G->training = 1;
    for (int b = 0; b < n_batches; b++) {
        /* momentum 1/(b+1) makes the running statistics the mean over batches */
        for (int i = 0; i < G->n_layers; i++) {
            uint32_t kind = G->layers[i].kind;
            if (kind == GP_LAYER_BATCHNORM || kind == GP_LAYER_BATCHNORM2D) G->layers[i].alpha = 1.0f / (float)(b + 1);
        }
        gp_rng_fill_normal(&rng, gan->z, B * gan->cfg.latent, 0.0f, 1.0f);
        gp_net_forward(G, gan->z, B);
    }
    for (int i = 0; i < G->n_layers; i++) G->layers[i].alpha = momentum[i];
    gan->fake_ready = 0;
}

void gp_gan_latents(const gp_gan *gan, uint64_t seed, int count, float *z) {
    gp_rng rng;
    gp_rng_seed(&rng, seed);
    gp_rng_fill_normal(&rng, z, count * gan->cfg.latent, 0.0f, 1.0f);
}
