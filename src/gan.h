/* gan.h: a generator and a discriminator trained against each other.
 *
 * Presets name architectures; the architecture itself is data (two lists of
 * gp_layer_desc) so that model files can carry it. One training step is
 * d_steps discriminator steps then one generator step, as in Algorithm 1 of
 * Goodfellow et al. (2014). */
#ifndef GP_GAN_H
#define GP_GAN_H

#include "dataset.h"
#include "net.h"
#include "rng.h"
#include "status.h"

typedef enum {
    GP_LOSS_NONSATURATING = 0, /* G minimizes -log D(G(z)) */
    GP_LOSS_MINIMAX = 1        /* G minimizes log(1 - D(G(z))) */
} gp_gan_loss;

typedef struct {
    char preset[16];       /* "mlp" */
    int batch;             /* 2..1024 */
    int latent;            /* 1..1024 */
    float lr_g, lr_d;      /* Adam learning rates, (0, 1] */
    float beta1, beta2;    /* [0, 1) */
    float adam_eps;        /* (0, 1) */
    int d_steps;           /* discriminator steps per generator step, 1..16 */
    int loss;              /* gp_gan_loss */
    float real_label;      /* target for real images: 1, or e.g. 0.9 (one-sided smoothing) */
    uint64_t seed;         /* initial weights and the training stream */
} gp_gan_config;

typedef struct {
    long step;        /* generator steps taken */
    long d_step;      /* discriminator steps taken */
    float d_loss;     /* BCE on real + BCE on fake, last D step */
    float g_loss;     /* generator loss, last G step */
    float d_real;     /* mean D(x) on the real batch, last D step */
    float d_fake;     /* mean D(G(z)) on the fake batch, last D step */
} gp_gan_stats;

typedef struct {
    gp_gan_config cfg;
    gp_net G, D;
    gp_shape image;     /* what G makes and D judges: (1, 28, 28) */
    int has_d;          /* 0 for a generator-only model (sampling only) */
    gp_adam opt_g, opt_d;
    gp_rng rng;         /* the training stream: batches and noise */
    int fake_ready;     /* G's activations hold the last D step's fake batch */
    gp_gan_stats stats;
    float *z;           /* batch x latent */
    float *real;        /* batch x image */
    float *dlogits;     /* batch */
    void *block;
} gp_gan;

/* The defaults of a preset (the seed article's MLP GAN for "mlp"). */
gp_status gp_gan_config_default(gp_gan_config *cfg, const char *preset, gp_err *err);
/* Refuses out-of-range hyperparameters with a message naming the field. */
gp_status gp_gan_config_check(const gp_gan_config *cfg, gp_err *err);
/* Architecture of a preset for this config. Returns the layer counts. */
gp_status gp_gan_architecture(const gp_gan_config *cfg, gp_shape *g_in, gp_layer_desc *g_layers,
                              int *g_n, gp_shape *d_in, gp_layer_desc *d_layers, int *d_n,
                              gp_err *err);

/* Builds and initializes (from cfg.seed) the preset's GAN; with_d = 0
 * builds only G. On failure gan is zeroed and nothing is leaked. */
gp_status gp_gan_create(gp_gan *gan, const gp_gan_config *cfg, int with_d, gp_err *err);
/* The same for an explicit architecture (as read from a model file): G maps
 * g_in to image, D (if d_layers) maps image to one logit. Parameters are
 * left zero (BatchNorm: gamma 0): the caller initializes or loads them. */
gp_status gp_gan_create_arch(gp_gan *gan, const gp_gan_config *cfg, gp_shape image, gp_shape g_in,
                             const gp_layer_desc *g_layers, int g_n, const gp_layer_desc *d_layers,
                             int d_n, gp_err *err);
void gp_gan_free(gp_gan *gan);

/* Image shape the generator produces and the discriminator takes. */
gp_shape gp_gan_image_shape(const gp_gan *gan);

/* One discriminator step on a real batch drawn from ds and a fake batch. */
gp_status gp_gan_d_step(gp_gan *gan, const gp_dataset *ds, gp_err *err);
/* One generator step on fresh noise. */
gp_status gp_gan_g_step(gp_gan *gan, gp_err *err);
/* d_steps discriminator steps and one generator step on the last D step's
 * fake batch. Returns GP_ERR_NAN
 * (and a message) if a loss or a weight became non-finite. */
gp_status gp_gan_train_step(gp_gan *gan, const gp_dataset *ds, gp_err *err);

/* Generator output for count latent vectors z (count x latent), in
 * evaluation mode (running BatchNorm statistics). out: count x image. */
void gp_gan_generate(gp_gan *gan, const float *z, int count, float *out);
/* Re-estimates G's BatchNorm running statistics as the plain average over
 * n_batches training-mode batches of fresh noise from seed (the weights do
 * not change). Running averages taken while G was still changing lag behind
 * the final weights; evaluation-mode samples then differ from what training
 * showed. */
void gp_gan_recalibrate_bn(gp_gan *gan, int n_batches, uint64_t seed);

/* The latent vectors for sample seed: count x latent standard normals. */
void gp_gan_latents(const gp_gan *gan, uint64_t seed, int count, float *z);

#endif
