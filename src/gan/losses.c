#include "gan/losses.h"

#include <string.h>

#include "nn/layers.h"
#include "base/status.h"

const gp_loss_info GP_LOSSES[GP_LOSS_COUNT] = {
    [GP_LOSS_NONSATURATING] = {"nonsaturating", "Non-saturating (−log D(G(z)))",
                               "G maximizes log D(G(z)): strong gradients while D easily spots fakes.", 1, 0},
    [GP_LOSS_MINIMAX] = {"minimax", "Minimax (the 2014 paper's log(1 − D(G(z))))",
                         "G minimizes log(1 − D(G(z))): the original game; its gradient vanishes while D wins.", 1, 0},
    [GP_LOSS_LSGAN] = {"lsgan", "Least squares (LSGAN)",
                       "D regresses real to 1 and fake to 0, G pushes fakes to 1: smooth, non-vanishing gradients.", 0, 0},
    [GP_LOSS_HINGE] = {"hinge", "Hinge",
                       "D wants scores ≥ 1 on real and ≤ −1 on fake; G raises D's score of its fakes.", 0, 0},
    [GP_LOSS_WGAN_GP] = {"wgan_gp", "Wasserstein with gradient penalty (WGAN-GP)",
                         "D (a critic) scores real above fake, its slope held near 1 by a penalty on images between "
                         "real and fake; G raises its fakes' scores. Usually with 5 D steps and β1 = 0.", 0, 1},
};

int gp_loss_by_name(const char *name) {
    for (int i = 0; i < GP_LOSS_COUNT; i++)
        if (!strcmp(name, GP_LOSSES[i].name)) return i;
    return -1;
}

/* 0.5 * mean((s - t)^2) */
static float squares(const float *s, int n, float t, float *ds) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        float d = s[i] - t;
        sum += 0.5 * (double)d * d;
        if (ds) ds[i] = d / (float)n;
    }
    return (float)(sum / n);
}

/* mean(relu(margin + sign * s)); the gradient at the kink is 0 */
static float hinge(const float *s, int n, float sign, float *ds) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        float h = 1.0f + sign * s[i];
        if (h > 0.0f) sum += h;
        if (ds) ds[i] = h > 0.0f ? sign / (float)n : 0.0f;
    }
    return (float)(sum / n);
}

/* sign * mean(s) */
static float linear(const float *s, int n, float sign, float *ds) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        sum += s[i];
        if (ds) ds[i] = sign / (float)n;
    }
    return (float)(sign * sum / n);
}

float gp_loss_d_real(int loss, const float *s, int n, float real_target, float *ds) {
    switch (loss) {
    case GP_LOSS_NONSATURATING:
    case GP_LOSS_MINIMAX: return gp_bce_logits(ds, s, n, real_target, 1.0f);
    case GP_LOSS_LSGAN: return squares(s, n, real_target, ds);
    case GP_LOSS_HINGE: return hinge(s, n, -1.0f, ds);
    case GP_LOSS_WGAN_GP: return linear(s, n, -1.0f, ds);
    }
    GP_ASSERT(!"unknown loss");
    return 0.0f;
}

float gp_loss_d_fake(int loss, const float *s, int n, float *ds) {
    switch (loss) {
    case GP_LOSS_NONSATURATING:
    case GP_LOSS_MINIMAX: return gp_bce_logits(ds, s, n, 0.0f, 1.0f);
    case GP_LOSS_LSGAN: return squares(s, n, 0.0f, ds);
    case GP_LOSS_HINGE: return hinge(s, n, 1.0f, ds);
    case GP_LOSS_WGAN_GP: return linear(s, n, 1.0f, ds);
    }
    GP_ASSERT(!"unknown loss");
    return 0.0f;
}

float gp_loss_g(int loss, const float *s, int n, float *ds) {
    switch (loss) {
    case GP_LOSS_NONSATURATING: return gp_bce_logits(ds, s, n, 1.0f, 1.0f); /* -log D = BCE(s, 1) */
    case GP_LOSS_MINIMAX: return -gp_bce_logits(ds, s, n, 0.0f, -1.0f);     /* log(1 - D) = -BCE(s, 0) */
    case GP_LOSS_LSGAN: return squares(s, n, 1.0f, ds);
    case GP_LOSS_HINGE:
    case GP_LOSS_WGAN_GP: return linear(s, n, -1.0f, ds);
    }
    GP_ASSERT(!"unknown loss");
    return 0.0f;
}

float gp_loss_d_readout(int loss, const float *s, int n) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += GP_LOSSES[loss].probability ? gp_sigmoidf(s[i]) : s[i];
    return (float)(sum / n);
}
