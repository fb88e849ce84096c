/* losses.h: the adversarial losses, one table.
 *
 * D outputs one raw score per image (a logit for the BCE losses). Each loss
 * is three functions of a batch of scores: D's loss on real images, D's loss
 * on fake images, and G's loss on fake images. Each writes the gradient of
 * its value with respect to every score (dscores, n values) and returns the
 * value (a mean over the n scores). */
#ifndef GP_LOSSES_H
#define GP_LOSSES_H

#include "base/json.h"

typedef enum {
    GP_LOSS_NONSATURATING = 0, /* D: BCE; G minimizes -log D(G(z)) */
    GP_LOSS_MINIMAX = 1,       /* D: BCE; G minimizes log(1 - D(G(z))) (Goodfellow et al. 2014) */
    GP_LOSS_LSGAN = 2,         /* least squares (Mao et al. 2017) */
    GP_LOSS_HINGE = 3,         /* hinge (Lim & Ye 2017; Miyato et al. 2018) */
    GP_LOSS_WGAN_GP = 4,       /* Wasserstein with gradient penalty (Gulrajani et al. 2017) */
    GP_LOSS_COUNT
} gp_gan_loss;

typedef struct {
    const char *name;  /* as the CLI, the page's address and the model card spell it */
    const char *label; /* for the page */
    const char *help;  /* one line */
    int probability;   /* 1: sigmoid(score) is D's probability that an image is real */
    int gradient_penalty; /* D's loss adds gp_weight * mean((|grad_x D(x^)| - 1)^2) on interpolates */
    const char *losses_note; /* what the D loss and the G loss mean on the loss chart */
    const char *readout_note; /* what the mean D(x) and D(G(z)) chart shows */
    /* settings that usually go with this loss (the help names them), by the
     * settings table's names and as a person would type them; NULL ends */
    struct { const char *name, *value; } recommended[3];
} gp_loss_info;

extern const gp_loss_info GP_LOSSES[GP_LOSS_COUNT];

/* What D's readouts are called on the page: probabilities for the BCE
 * losses ("Mean D(x)"), raw scores for the others ("Mean D score, real");
 * and what one badge of D's verdict on an image means. */
typedef struct {
    const char *d_real, *d_fake, *g_fake, *verdict;
} gp_readout_names;
extern const gp_readout_names GP_READOUT_PROBABILITY, GP_READOUT_SCORE;

#define GP_LOSS_CURVE_POINTS 51 /* the G gradient curve: D(G(z)) = 0, 0.02, ..., 1 */
/* |dL_G/ds| for one fake whose score s gives the readout d = D(G(z)), at
 * GP_LOSS_CURVE_POINTS values of d from 0 to 1 (the losses whose D is a
 * probability; 0 for the others): why the minimax loss stalls while D wins. */
void gp_loss_g_gradient_curve(int loss, float *out);
/* A loss's row as JSON: name, label, help, probability, gradient_penalty,
 * the notes, the readout names and the gradient curve (null without one). */
void gp_loss_json(gp_json *j, int loss);

/* The loss of that name, or -1. */
int gp_loss_by_name(const char *name);

/* real_target: the target for real images (1, or less with one-sided label
 * smoothing) where the loss has one (BCE, least squares); hinge ignores it. */
float gp_loss_d_real(int loss, const float *scores, int n, float real_target, float *dscores);
float gp_loss_d_fake(int loss, const float *scores, int n, float *dscores);
float gp_loss_g(int loss, const float *scores, int n, float *dscores);

/* What the D(x) readouts show: the mean of sigmoid(score) for the BCE losses
 * (a probability), the mean raw score otherwise. */
float gp_loss_d_readout(int loss, const float *scores, int n);

#endif
