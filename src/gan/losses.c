#include "gan/losses.h"

#include <math.h>
#include <string.h>

#include "nn/layers.h"
#include "base/status.h"

#define PROBABILITY_NOTE                                                                                         \
    "D(x) is D’s average belief that real images are real, D(G(z)) that fakes are real. Both near 0.5 means D "  \
    "cannot tell them apart, but early in training that is because both networks are still weak: look at the FD " \
    "and the class histogram, not at 0.5, to judge the images. D(x) near 1 with D(G(z)) near 0 for long means D " \
    "is winning."
#define SCORE_NOTE "D(x) and D(G(z)) are D’s average raw scores of real and generated images, not probabilities: "

const gp_loss_info GP_LOSSES[GP_LOSS_COUNT] = {
    [GP_LOSS_NONSATURATING] = {"nonsaturating", "Non-saturating (−log D(G(z)))",
                               "G maximizes log D(G(z)): strong gradients while D easily spots fakes.", 1, 0,
                               "D loss is its cross-entropy on real and fake images; G loss is −log D(G(z)). When D "
                               "can no longer tell, they sit near 1.39 and 0.69. Loss curves say little about image "
                               "quality.", PROBABILITY_NOTE},
    [GP_LOSS_MINIMAX] = {"minimax", "Minimax (the 2014 paper's log(1 − D(G(z))))",
                         "G minimizes log(1 − D(G(z))): the original game; its gradient vanishes while D wins.", 1, 0,
                         "D loss is its cross-entropy on real and fake images; G loss is log(1 − D(G(z))), the 2014 "
                         "paper’s payoff: negative, near −0.69 when D can no longer tell, and flat (no gradient) while "
                         "D wins.", PROBABILITY_NOTE},
    [GP_LOSS_LSGAN] = {"lsgan", "Least squares (LSGAN)",
                       "D regresses real to 1 and fake to 0, G pushes fakes to 1: smooth, non-vanishing gradients.", 0, 0,
                       "Least squares: D loss is ½(D(x) − 1)² + ½D(G(z))², G loss ½(D(G(z)) − 1)², each averaged. If D "
                       "gave every image 0.5 they would be 0.25 and 0.125.",
                       SCORE_NOTE "D is trained towards 1 for real and 0 for fake."},
    [GP_LOSS_HINGE] = {"hinge", "Hinge",
                       "D wants scores ≥ 1 on real and ≤ −1 on fake; G raises D's score of its fakes.", 0, 0,
                       "Hinge: D loss is max(0, 1 − D(x)) + max(0, 1 + D(G(z))), G loss −D(G(z)). D stops pushing "
                       "once reals score above 1 and fakes below −1.",
                       SCORE_NOTE "D wants reals above 1 and fakes below −1."},
    [GP_LOSS_WGAN_GP] = {"wgan_gp", "Wasserstein with gradient penalty (WGAN-GP)",
                         "D (a critic) scores real above fake, its slope held near 1 by a penalty on images between "
                         "real and fake; G raises its fakes' scores. Usually with 5 D steps and β1 = 0.", 0, 1,
                         "WGAN-GP: D (a critic) loss is D(G(z)) − D(x) plus the gradient penalty; its negative "
                         "estimates how far the generated images are from the real ones (a Wasserstein distance), "
                         "which should shrink. G loss is −D(G(z)).",
                         SCORE_NOTE "their gap is the critic’s estimate of the distance between real and generated "
                         "images.",
                         {{"d_steps", "5"}, {"beta1", "0"}}},
};

const gp_readout_names GP_READOUT_PROBABILITY = {
    "Mean D(x)", "Mean D(G(z))", "D(G(z)) seen by G",
    "Each number is D’s probability that the image is real. Early on D tells them apart easily (reals near 1, fakes "
    "near 0); as G improves, both drift towards 0.5."};
const gp_readout_names GP_READOUT_SCORE = {
    "Mean D score, real", "Mean D score, fake", "D score of fakes seen by G",
    "Each number is D’s raw score of the image (this loss has no probabilities): higher means “more real”."};

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

void gp_loss_g_gradient_curve(int loss, float *out) {
    for (int i = 0; i < GP_LOSS_CURVE_POINTS; i++) {
        out[i] = 0.0f;
        if (!GP_LOSSES[loss].probability) continue;
        /* the score whose sigmoid is d (the ends just inside (0, 1)) */
        double d = (double)i / (GP_LOSS_CURVE_POINTS - 1);
        if (d < 1e-6) d = 1e-6;
        if (d > 1.0 - 1e-6) d = 1.0 - 1e-6;
        float s = (float)log(d / (1.0 - d)), ds;
        gp_loss_g(loss, &s, 1, &ds);
        out[i] = fabsf(ds);
    }
}

void gp_loss_json(gp_json *j, int loss) {
    const gp_loss_info *l = &GP_LOSSES[loss];
    const gp_readout_names *r = l->probability ? &GP_READOUT_PROBABILITY : &GP_READOUT_SCORE;
    gp_json_open(j, '{');
    gp_json_kstr(j, "name", l->name);
    gp_json_kstr(j, "label", l->label);
    gp_json_kstr(j, "help", l->help);
    gp_json_kbool(j, "probability", l->probability);
    gp_json_kbool(j, "gradient_penalty", l->gradient_penalty);
    gp_json_kstr(j, "losses_note", l->losses_note);
    gp_json_kstr(j, "readout_note", l->readout_note);
    gp_json_kstr(j, "verdict_note", r->verdict);
    gp_json_kstr(j, "d_real_label", r->d_real);
    gp_json_kstr(j, "d_fake_label", r->d_fake);
    gp_json_kstr(j, "g_fake_label", r->g_fake);
    gp_json_key(j, "recommended"); /* {"d_steps": "5", "beta1": "0"}: what the help advises, to apply */
    gp_json_open(j, '{');
    for (int k = 0; k < 3 && l->recommended[k].name; k++) gp_json_kstr(j, l->recommended[k].name, l->recommended[k].value);
    gp_json_close(j, '}');
    gp_json_key(j, "g_gradient");
    if (l->probability) {
        float curve[GP_LOSS_CURVE_POINTS];
        gp_loss_g_gradient_curve(loss, curve);
        gp_json_nums(j, curve, GP_LOSS_CURVE_POINTS, 1);
    } else {
        gp_json_null(j);
    }
    gp_json_close(j, '}');
}
