/* gan.h: a generator and a discriminator trained against each other.
 *
 * Presets name architectures; the architecture itself is data (two lists of
 * gp_layer_desc) so that model files can carry it. One training step is
 * d_steps discriminator steps then one generator step, as in Algorithm 1 of
 * Goodfellow et al. (2014). */
#ifndef GP_GAN_H
#define GP_GAN_H

#include "gan/augment.h"
#include "gan/config.h"
#include "data/dataset.h"
#include "nn/net.h"
#include "base/rng.h"
#include "base/status.h"

typedef struct {
    long step;        /* generator steps taken */
    long d_step;      /* discriminator steps taken */
    float d_loss;     /* BCE on real + BCE on fake, last D step */
    float g_loss;     /* generator loss, last G step */
    float d_real;     /* mean D(x) on the real batch, last D step (see gp_loss_d_readout) */
    float d_fake;     /* mean D(G(z)) on the fake batch, last D step */
    float g_fake;     /* mean D(G(z)) on the fake batch as the last G step saw it (after D's update) */
    float class_acc;  /* conditional: share of the real batch whose class D named, last D step */
    float penalty;    /* gradient penalties (WGAN-GP, R1) added to D's loss, last D step */
} gp_gan_stats;

typedef struct {
    gp_gan_config cfg;
    gp_net G, D;
    gp_shape image;     /* what G makes and D judges, e.g. (1, 28, 28) */
    int has_d;          /* 0 for a generator-only model (sampling only) */
    gp_adam opt_g, opt_d;
    gp_rng rng;         /* the training stream: batches, noise and fake classes */
    int fake_ready;     /* G's activations hold the last D step's fake batch */
    gp_gan_stats stats;
    /* training buffers, batch rows each */
    float *g_in;        /* G's input: z (latent) then the one-hot class (classes) */
    float *z_scratch;   /* batch x latent, for BatchNorm recalibration */
    float *real;        /* real images */
    float *d_in;        /* D's input in concat mode: image then class planes */
    float *dfake;       /* gradient of G's loss with respect to the fake images (of the last G step) */
    float *aug;         /* augmented images (DiffAugment), then scratch for their gradient */
    gp_augment_draw *aug_draws; /* the last batch's augmentation */
    float *pen_x, *pen_u; /* gradient penalties: the images, and the direction of the difference quotient */
    float *d_buffers;     /* D's BatchNorm statistics, kept across the penalty's extra passes */
    float *scores;      /* D's adversarial score per image */
    float *dscores;     /* its gradient */
    float *dlogits;     /* batch x D outputs: gradient of D's outputs */
    float *class_logits;  /* ACGAN: batch x classes */
    float *dclass_logits; /* ACGAN: their gradient */
    /* D's raw scores of each image, as the last steps saw them (before their
     * updates): the D step's real and fake batches, the G step's fakes */
    float *seen_real, *seen_fake, *seen_g;
    uint8_t *real_labels, *fake_labels;
    float *ema;         /* cfg.ema > 0: moving average of G's parameters */
    void *block;
    uint8_t *history;   /* what the run showed (history.h), kept with a training state; owned */
    size_t history_len;
    /* units of G switched off (units.h): evaluation-mode generation zeroes
     * the output channels of G's layer units_layer marked in units_off;
     * training is refused while any is off. Not saved with the model. */
    uint8_t *units_off; /* one byte per channel of that layer; owned; NULL: all on */
    int units_layer, units_n_off;
} gp_gan;

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
/* The pool G's and D's layers spread their work over (borrowed; NULL: the
 * caller's thread). Results do not depend on it. */
void gp_gan_set_threads(gp_gan *gan, gp_threads *threads);
void gp_gan_free(gp_gan *gan);
/* Replaces the run's history (history.h) with a checked copy of bytes; len 0
 * drops it. On failure the old history stays. */
gp_status gp_gan_set_history(gp_gan *gan, const uint8_t *bytes, size_t len, gp_err *err);

/* Image shape the generator produces and the discriminator takes. */
gp_shape gp_gan_image_shape(const gp_gan *gan);

/* Whether ds can train gan: images of the model's shape, and no more
 * classes than a conditional model knows. */
gp_status gp_gan_check_data(const gp_gan *gan, const gp_dataset *ds, gp_err *err);
/* One discriminator step on a real batch drawn from ds and a fake batch. */
gp_status gp_gan_d_step(gp_gan *gan, const gp_dataset *ds, gp_err *err);
/* The same on the real batch the caller put in gan->real (batch rows of
 * the image shape; with their classes in real_labels if conditional): how
 * sources other than image datasets (2-D points, 2d.h) train. */
gp_status gp_gan_d_step_real(gp_gan *gan, gp_err *err);
/* One generator step on fresh noise. */
gp_status gp_gan_g_step(gp_gan *gan, gp_err *err);
/* One generator step on the last D step's fake batch (fresh noise if G's
 * activations no longer hold it), as the first G step of a round. */
gp_status gp_gan_g_step_after_d(gp_gan *gan, gp_err *err);
/* A round's generator steps (g_steps; the first on the last D step's fake
 * batch, as gp_gan_train_step). */
gp_status gp_gan_g_steps(gp_gan *gan, gp_err *err);
/* d_steps discriminator steps and one generator step on the last D step's
 * fake batch. Returns GP_ERR_NAN
 * (and a message) if a loss or a weight became non-finite. */
gp_status gp_gan_train_step(gp_gan *gan, const gp_dataset *ds, gp_err *err);

/* Whether gan can take a training step: it has a discriminator, and no
 * unit of G is switched off (units.h). */
gp_status gp_gan_can_train(const gp_gan *gan, gp_err *err);

/* Generator output for count latent vectors z (count x latent), in
 * evaluation mode (running BatchNorm statistics; the EMA weights if the
 * model has them; the units switched off, units.h, give 0). labels (count) gives each sample's class for a
 * conditional model; NULL means classes in turn (sample i has class
 * i mod classes). Unconditional models ignore labels. out: count x image. */
void gp_gan_generate(gp_gan *gan, const float *z, const int *labels, int count, float *out);
/* Replaces G's weights by their moving average (for export) and drops the
 * average. No-op without EMA. */
void gp_gan_adopt_ema(gp_gan *gan);
/* G's input size: latent + classes. */
int gp_gan_g_input(const gp_gan *gan);
/* Writes b rows of G's input into rows (b x gp_gan_g_input): z (b x latent),
 * then the one-hot class of each (labels, or (first + i) mod classes when
 * labels is NULL). */
void gp_gan_g_input_rows(const gp_gan *gan, const float *z, const int *labels, int first, int b, float *rows);
/* Re-estimates G's BatchNorm running statistics as the plain average over
 * n_batches training-mode batches of fresh noise from seed (the weights do
 * not change). Running averages taken while G was still changing lag behind
 * the final weights; evaluation-mode samples then differ from what training
 * showed. */
void gp_gan_recalibrate_bn(gp_gan *gan, int n_batches, uint64_t seed);

/* Gradient penalties on D: R1 = weight/2 mean_i |grad_x s_i|^2 (Mescheder et
 * al. 2018), GP = weight mean_i (|grad_x s_i| - 1)^2 (Gulrajani et al. 2017),
 * where s_i is D's score of image i of x (B images of the given classes, in
 * training mode). Adds the penalty's gradient with respect to D's weights to
 * D's gradients (a difference quotient of D's weight gradient along the
 * input gradient, see gan.c) and returns the penalty. D's BatchNorm
 * statistics are left as they were. */
typedef enum { GP_PENALTY_R1 = 0, GP_PENALTY_GP = 1 } gp_penalty_kind;
float gp_gan_penalty(gp_gan *gan, const float *x, const uint8_t *labels, int B, int kind, float weight);

/* D's readout of each image (evaluation mode; training is not disturbed):
 * sigmoid of its score for the BCE losses, the raw score otherwise (see
 * gp_loss_d_readout). A conditional D judges image i as class labels[i]
 * (i mod classes if labels is NULL). Needs a discriminator. */
void gp_gan_d_readouts(gp_gan *gan, const float *images, const int *labels, int count, float *out);

/* Why D decides: the gradient of D's score of each image (its logit, before
 * any sigmoid; ACGAN: the real/fake output) with respect to the image's
 * pixels, in evaluation mode; training is not disturbed. labels as for
 * gp_gan_d_readouts. out: count x image. Needs a discriminator. */
void gp_gan_d_saliency(gp_gan *gan, const float *images, const int *labels, int count, float *out);

/* Changes the settings of an existing model: only rows marked live may
 * differ from the model's (an optimizer's learning rate, betas and eps follow
 * at once; Adam's moments and step counts carry on). A refused config
 * changes nothing. */
gp_status gp_gan_set_config(gp_gan *gan, const gp_gan_config *cfg, gp_err *err);

/* The model as one JSON object (what `ganplay info` prints): preset,
 * dataset, image shape, classes, steps, loss, stability tools, the
 * history's counts, settings. */
void gp_model_info_json(const gp_gan *gan, gp_json *j);

/* The latent vectors for sample seed: count x latent standard normals. */
void gp_gan_latents(const gp_gan *gan, uint64_t seed, int count, float *z);

#endif
