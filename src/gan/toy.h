/* toy.h: 2-D toy distributions for the 2-D GAN (the toy2d preset) and what
 * the teaching view measures on them.
 *
 * A 2-D GAN is the same gp_gan as the image presets, with (2, 1, 1) images:
 * the real batch comes from a distribution here instead of a dataset, and
 * the same layers, losses and optimizers train it. Points live in the view
 * box [-GP_TOY_BOX, GP_TOY_BOX]^2. Every distribution is one row of
 * GP_TOYS; the mixtures (two clusters, ring, grid) have modes, which the
 * coverage meter counts. */
#ifndef GP_TOY_H
#define GP_TOY_H

#include "gan/gan.h"
#include "base/rng.h"
#include "base/status.h"

#define GP_TOY_BOX 1.5f       /* the plane shown: [-1.5, 1.5] on both axes */
#define GP_TOY_MAX_MODES 25
#define GP_TOY_MAX_DRAWN 2000 /* points of a drawn distribution */
#define GP_TOY_DRAWN_STD 0.03f /* each drawn point is a small Gaussian blob */
/* Mode coverage (as in the unrolled-GAN and VEEGAN papers): a sample is of
 * high quality if within 3 standard deviations of a mode's centre; a mode is
 * covered when it holds at least this share of an even split of the samples. */
#define GP_TOY_QUALITY_SIGMAS 3.0f
#define GP_TOY_COVER_SHARE 0.25

typedef enum {
    GP_TOY_LINE = 0,
    GP_TOY_TWO,
    GP_TOY_RING,
    GP_TOY_GRID,
    GP_TOY_MOONS,
    GP_TOY_SPIRAL,
    GP_TOY_DRAWN,
    GP_TOY_COUNT
} gp_toy_kind;

typedef struct {
    const char *name;  /* "ring" */
    const char *label; /* "Ring of 8 Gaussians" */
    const char *help;  /* one line */
} gp_toy_info;
extern const gp_toy_info GP_TOYS[GP_TOY_COUNT];

typedef struct {
    int kind;                            /* gp_toy_kind */
    int n_modes;                         /* mixtures: their Gaussians, else 0 */
    float modes[GP_TOY_MAX_MODES][2];
    float mode_std;
    int n_drawn;                         /* GP_TOY_DRAWN: the points drawn */
    float drawn[GP_TOY_MAX_DRAWN][2];
} gp_toy;

/* The distribution of that name (a GP_TOYS row); "drawn" takes n_points
 * points (x, y pairs inside the box, 1..GP_TOY_MAX_DRAWN). */
gp_status gp_toy_init(gp_toy *toy, const char *name, const float *points, int n_points, gp_err *err);
/* n points (x, y pairs) drawn with rng: the same rng state gives the same points. */
void gp_toy_sample(const gp_toy *toy, gp_rng *rng, float *out, int n);

/* Training on a distribution: one D step on a fresh real batch, and one
 * round (d_steps D steps, then the G steps). gan must be a toy2d model. */
gp_status gp_toy_d_step(gp_gan *gan, const gp_toy *toy, gp_err *err);
gp_status gp_toy_round(gp_gan *gan, const gp_toy *toy, gp_err *err);

/* D's readout (a probability for the losses that have one, else the raw
 * score) at the centres of an n x n grid of cells over the box, row by row
 * from the top (y = +box) and left to right. */
void gp_toy_d_grid(gp_gan *gan, int n, float *out);
/* The image of the noise space under G: for 1-D noise m points across
 * [-r, r], for 2-D noise an m x m mesh (row by row); r = 1 for uniform
 * noise, 2 for Gaussian (two standard deviations). Writes the noise to z
 * (latent per point) and G's points to out (2 per point); returns the count. */
int gp_toy_manifold(gp_gan *gan, int m, float *z, float *out);
/* -dL_G/dx at each point x (count points, count <= batch): the direction
 * and size of the step G's loss pushes a sample at x, per sample (the batch
 * mean's gradient times the batch size). */
void gp_toy_g_arrows(gp_gan *gan, const float *x, int count, float *out);

/* KL(real || fake) and the Jensen-Shannon divergence (natural log, 0..ln 2)
 * between two samples, from histograms on bins x bins cells of the box:
 * each cell's probability is (count + 1/2) / (n + bins^2 / 2), so that no
 * cell is empty (points outside the box go to the nearest edge cell). */
void gp_toy_divergence(const float *real, int n_real, const float *fake, int n_fake, int bins, double *kl,
                       double *js);

typedef struct {
    int covered, total;  /* modes covered, modes of the distribution (0: not a mixture) */
    double high_quality; /* share of samples within 3 std of some mode's centre */
} gp_toy_coverage;
void gp_toy_coverage_of(const gp_toy *toy, const float *points, int n, gp_toy_coverage *out);

/* What the teaching view and `ganplay train2d` report: KL and JS on
 * GP_TOY_EVAL_BINS^2 cells and the coverage, from n real points (a fixed
 * stream) and n samples of G (EMA weights if any; noise from seed). */
#define GP_TOY_EVAL_BINS 32
typedef struct {
    double kl, js;
    gp_toy_coverage coverage;
} gp_toy_eval;
gp_status gp_toy_evaluate(gp_gan *gan, const gp_toy *toy, int n, uint64_t seed, gp_toy_eval *out, gp_err *err);

/* Ready-made experiments: a distribution and settings (name=value, space
 * separated, applied to the toy2d defaults) that show one phenomenon. */
typedef struct {
    const char *name;     /* "collapse": the page's #lesson=collapse */
    const char *title;
    const char *text;     /* one paragraph: what to watch and why */
    const char *dist;     /* a GP_TOYS name */
    const char *settings; /* "loss=minimax d_steps=5" */
} gp_toy_lesson;
extern const gp_toy_lesson GP_TOY_LESSONS[];
extern const int GP_N_TOY_LESSONS;
const gp_toy_lesson *gp_toy_lesson_find(const char *name);
/* cfg = the toy2d defaults with the lesson's distribution and settings. */
gp_status gp_toy_lesson_config(const gp_toy_lesson *lesson, gp_gan_config *cfg, gp_err *err);

/* JSON for the page: {"distributions":[{name,label,help,modes}],
 * "lessons":[{name,title,text,dist,settings}],"box":1.5}. Returns the
 * length (the length needed if cap is too small). */
size_t gp_toy_json(char *buf, size_t cap);

#endif
