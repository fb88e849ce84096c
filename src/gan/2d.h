/* 2d.h: the 2-D GAN (the 2d preset): toy distributions in the plane and what
 * the teaching view measures on them.
 *
 * A 2-D GAN is the same gp_gan as the image presets, with (2, 1, 1) images:
 * the real batch comes from a distribution here instead of a dataset, and
 * the same layers, losses and optimizers train it. Points live in the view
 * box [-GP_2D_BOX, GP_2D_BOX]^2. Every distribution is one row of
 * GP_2D_DISTS; the mixtures (two clusters, ring, grid) have modes, which the
 * coverage meter counts. */
#ifndef GP_2D_H
#define GP_2D_H

#include "base/json.h"
#include "gan/gan.h"
#include "base/rng.h"
#include "base/status.h"

#define GP_2D_BOX 1.5f       /* the plane shown: [-1.5, 1.5] on both axes */
#define GP_2D_MAX_MODES 25
/* The arrows' scale, the same in every frame and lesson, so that a short
 * arrow means a small gradient: an arrow of G's gradient g (per sample, as
 * gp_2d_g_arrows gives it) is drawn GP_2D_ARROW_SCALE * |g| long in plane
 * units, cut at GP_2D_ARROW_MAX (a gradient of 5). */
#define GP_2D_ARROW_SCALE 0.1f
#define GP_2D_ARROW_MAX 0.5f
#define GP_2D_MAX_DRAWN 2000 /* points of a drawn distribution */
#define GP_2D_DRAWN_STD 0.03f /* each drawn point is a small Gaussian blob */
/* Mode coverage (as in the unrolled-GAN and VEEGAN papers): a sample is of
 * high quality if within 3 standard deviations of a mode's centre; a mode is
 * covered when it holds at least this share of an even split of the samples. */
#define GP_2D_QUALITY_SIGMAS 3.0f
#define GP_2D_COVER_SHARE 0.25

typedef enum {
    GP_2D_LINE = 0,
    GP_2D_TWO,
    GP_2D_RING,
    GP_2D_GRID,
    GP_2D_MOONS,
    GP_2D_SPIRAL,
    GP_2D_DRAWN,
    GP_2D_DIST_COUNT
} gp_2d_dist_kind;

typedef struct {
    const char *name;  /* "ring" */
    const char *label; /* "Ring of 8 Gaussians" */
    const char *help;  /* one line */
} gp_2d_dist_info;
extern const gp_2d_dist_info GP_2D_DISTS[GP_2D_DIST_COUNT];

typedef struct {
    int kind;                            /* gp_2d_dist_kind */
    int n_modes;                         /* mixtures: their Gaussians, else 0 */
    float modes[GP_2D_MAX_MODES][2];
    float mode_std;
    int n_drawn;                         /* GP_2D_DRAWN: the points drawn */
    float drawn[GP_2D_MAX_DRAWN][2];
} gp_2d_dist;

/* The distribution of that name (a GP_2D_DISTS row); "drawn" takes n_points
 * points (x, y pairs inside the box, 1..GP_2D_MAX_DRAWN). */
gp_status gp_2d_dist_init(gp_2d_dist *dist, const char *name, const float *points, int n_points, gp_err *err);
/* n points (x, y pairs) drawn with rng: the same rng state gives the same points. */
void gp_2d_dist_sample(const gp_2d_dist *dist, gp_rng *rng, float *out, int n);

/* Training on a distribution: one D step on a fresh real batch, and one
 * round (d_steps D steps, then the G steps). gan must be a 2d model. */
gp_status gp_2d_d_step(gp_gan *gan, const gp_2d_dist *dist, gp_err *err);
gp_status gp_2d_round(gp_gan *gan, const gp_2d_dist *dist, gp_err *err);

/* One D or G step's batch, as the teaching view's slow motion shows it. */
#define GP_2D_MAX_BATCH 1024 /* the settings table's largest batch */
typedef struct {
    int n;                          /* the batch's size (0: nothing kept yet) */
    float z[2 * GP_2D_MAX_BATCH];  /* the noise (2 per row; 0 for 1-D noise) */
    float fake[2 * GP_2D_MAX_BATCH]; /* G's points from the step's forward, before any update */
    float real[2 * GP_2D_MAX_BATCH]; /* D step: the real points */
    float d_real[GP_2D_MAX_BATCH];   /* D step: D's readout of each real point, before its update */
    float d_fake[GP_2D_MAX_BATCH];   /* D's readout of each fake, before the step's update */
    float after[2 * GP_2D_MAX_BATCH]; /* G step: where the same noise lands after G's update */
    float grad[2 * GP_2D_MAX_BATCH];  /* G step: -dL_G/dx per sample (the arrows) */
    float loss;                        /* the step's loss */
} gp_2d_trace;
/* Fill t from the D step or the G step just taken (before anything else runs G or D). */
void gp_2d_trace_d(const gp_gan *gan, gp_2d_trace *t);
void gp_2d_trace_g(gp_gan *gan, gp_2d_trace *t);

/* D's readout (a probability for the losses that have one, else the raw
 * score) at the centres of an n x n grid of cells over the box, row by row
 * from the top (y = +box) and left to right. */
void gp_2d_d_grid(gp_gan *gan, int n, float *out);
/* The image of the noise space under G: for 1-D noise m points across
 * [-r, r], for 2-D noise an m x m mesh (row by row); r = 1 for uniform
 * noise, 2 for Gaussian (two standard deviations). Writes the noise to z
 * (latent per point) and G's points to out (2 per point); returns the count. */
int gp_2d_manifold(gp_gan *gan, int m, float *z, float *out);
/* -dL_G/dx at each point x (count points, count <= batch): the direction
 * and size of the step G's loss pushes a sample at x, per sample (the batch
 * mean's gradient times the batch size). */
void gp_2d_g_arrows(gp_gan *gan, const float *x, int count, float *out);

/* KL(real || fake) and the Jensen-Shannon divergence (natural log, 0..ln 2)
 * between two samples, from histograms on bins x bins cells of the box:
 * each cell's probability is (count + 1/2) / (n + bins^2 / 2), so that no
 * cell is empty (points outside the box go to the nearest edge cell). */
void gp_2d_divergence(const float *real, int n_real, const float *fake, int n_fake, int bins, double *kl,
                       double *js);

typedef struct {
    int covered, total;  /* modes covered, modes of the distribution (0: not a mixture) */
    double high_quality; /* share of samples within 3 std of some mode's centre */
} gp_2d_coverage;
void gp_2d_coverage_of(const gp_2d_dist *dist, const float *points, int n, gp_2d_coverage *out);

/* What the teaching view and `ganplay train2d` report: KL and JS on
 * GP_2D_EVAL_BINS^2 cells and the coverage, from n real points (a fixed
 * stream) and n samples of G (EMA weights if any; noise from seed). */
#define GP_2D_EVAL_BINS 32
typedef struct {
    double kl, js;
    gp_2d_coverage coverage;
} gp_2d_eval;
gp_status gp_2d_evaluate(gp_gan *gan, const gp_2d_dist *dist, int n, uint64_t seed, gp_2d_eval *out, gp_err *err);
/* Its fields (kl, js, modes_covered, modes_total, high_quality_share,
 * bins, samples) into an open JSON object. */
void gp_2d_eval_json(const gp_2d_eval *ev, int samples, gp_json *j);

/* Ready-made experiments: a distribution and settings (name=value, space
 * separated, applied to the 2d defaults) that show one phenomenon. */
typedef struct {
    const char *name;     /* "collapse": the page's #lesson=collapse */
    const char *title;
    const char *text;     /* one paragraph: what to watch and why */
    const char *dist;     /* a GP_2D_DISTS name */
    const char *settings; /* "loss=minimax d_steps=5" */
} gp_2d_lesson;
extern const gp_2d_lesson GP_2D_LESSONS[];
extern const int GP_N_2D_LESSONS;
const gp_2d_lesson *gp_2d_lesson_find(const char *name);
/* cfg = the 2d defaults with the lesson's distribution and settings. */
gp_status gp_2d_lesson_config(const gp_2d_lesson *lesson, gp_gan_config *cfg, gp_err *err);

/* JSON for the page: {"box":1.5,"arrow_scale":0.1,"arrow_max":0.5,"distributions":[{name,label,help,modes}],
 * "lessons":[{name,title,text,dist,settings}]}. */
void gp_2d_json(gp_json *j);

#endif
