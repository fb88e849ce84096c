#include "gan/2d.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gan/losses.h"
#include "nn/layers.h"

#define PI_F 3.14159265358979f

const gp_2d_dist_info GP_2D_DISTS[GP_2D_DIST_COUNT] = {
    {"line", "Line", "Points along a line segment: G only has to stretch and turn its noise."},
    {"two", "Two clusters", "Two Gaussian clusters: a G that cannot split its noise makes a bridge between them."},
    {"ring", "Ring of 8 Gaussians", "Eight modes on a circle: the classic test of mode collapse."},
    {"grid", "5x5 grid of Gaussians", "Twenty-five modes: harder to cover all at once."},
    {"moons", "Two moons", "Two interleaved half circles: curved, and not separable by a line."},
    {"spiral", "Spiral", "One long curled arm: G must bend its noise a lot."},
    {"drawn", "Draw your own", "The points you draw on the canvas, each a small blob."},
};

gp_status gp_2d_dist_init(gp_2d_dist *dist, const char *name, const float *points, int n_points, gp_err *err) {
    memset(dist, 0, sizeof *dist);
    int kind = -1;
    for (int k = 0; k < GP_2D_DIST_COUNT; k++)
        if (name && !strcmp(name, GP_2D_DISTS[k].name)) kind = k;
    if (kind < 0)
        return gp_fail(err, GP_ERR_ARG, "unknown distribution '%.20s' (line, two, ring, grid, moons, spiral, drawn)",
                       name ? name : "");
    dist->kind = kind;
    switch (kind) {
    case GP_2D_TWO:
        dist->n_modes = 2;
        dist->modes[0][0] = -0.7f, dist->modes[0][1] = -0.35f;
        dist->modes[1][0] = 0.7f, dist->modes[1][1] = 0.35f;
        dist->mode_std = 0.1f;
        break;
    case GP_2D_RING:
        dist->n_modes = 8;
        for (int k = 0; k < 8; k++) {
            dist->modes[k][0] = cosf(2.0f * PI_F * (float)k / 8.0f);
            dist->modes[k][1] = sinf(2.0f * PI_F * (float)k / 8.0f);
        }
        dist->mode_std = 0.05f;
        break;
    case GP_2D_GRID:
        dist->n_modes = 25;
        for (int k = 0; k < 25; k++) {
            dist->modes[k][0] = -1.0f + 0.5f * (float)(k % 5);
            dist->modes[k][1] = -1.0f + 0.5f * (float)(k / 5);
        }
        dist->mode_std = 0.05f;
        break;
    case GP_2D_DRAWN:
        if (!points || n_points < 1 || n_points > GP_2D_MAX_DRAWN)
            return gp_fail(err, GP_ERR_ARG, "a drawn distribution needs 1..%d points, got %d", GP_2D_MAX_DRAWN,
                           points ? n_points : 0);
        for (int i = 0; i < n_points; i++) {
            float x = points[2 * i], y = points[2 * i + 1];
            if (!(fabsf(x) <= GP_2D_BOX) || !(fabsf(y) <= GP_2D_BOX))
                return gp_fail(err, GP_ERR_ARG, "drawn point %d (%g, %g) is outside the plane shown (|x|, |y| <= %g)",
                               i, (double)x, (double)y, (double)GP_2D_BOX);
            dist->drawn[i][0] = x;
            dist->drawn[i][1] = y;
        }
        dist->n_drawn = n_points;
        break;
    default: break;
    }
    return GP_OK;
}

void gp_2d_dist_sample(const gp_2d_dist *dist, gp_rng *rng, float *out, int n) {
    for (int i = 0; i < n; i++) {
        float x, y;
        switch (dist->kind) {
        case GP_2D_LINE: {
            float t = 2.0f * gp_rng_uniform(rng) - 1.0f;
            x = t + 0.03f * gp_rng_normal(rng);
            y = 0.5f * t + 0.03f * gp_rng_normal(rng);
            break;
        }
        case GP_2D_MOONS: { /* scikit-learn's two moons, centred and scaled by 0.8 */
            float t = PI_F * gp_rng_uniform(rng);
            int upper = gp_rng_below(rng, 2) == 0;
            x = upper ? cosf(t) : 1.0f - cosf(t);
            y = upper ? sinf(t) : 0.5f - sinf(t);
            x = 0.8f * (x - 0.5f) + 0.05f * gp_rng_normal(rng);
            y = 0.8f * (y - 0.25f) + 0.05f * gp_rng_normal(rng);
            break;
        }
        case GP_2D_SPIRAL: { /* one and a half turns, radius 0.1 to 1.2 */
            float t = gp_rng_uniform(rng), r = 0.1f + 1.1f * t, a = 3.0f * PI_F * t;
            x = r * cosf(a) + 0.03f * gp_rng_normal(rng);
            y = r * sinf(a) + 0.03f * gp_rng_normal(rng);
            break;
        }
        case GP_2D_DRAWN: {
            const float *p = dist->drawn[gp_rng_below(rng, (uint32_t)dist->n_drawn)];
            x = p[0] + GP_2D_DRAWN_STD * gp_rng_normal(rng);
            y = p[1] + GP_2D_DRAWN_STD * gp_rng_normal(rng);
            break;
        }
        default: { /* the mixtures: a mode, then its Gaussian */
            const float *m = dist->modes[gp_rng_below(rng, (uint32_t)dist->n_modes)];
            x = m[0] + dist->mode_std * gp_rng_normal(rng);
            y = m[1] + dist->mode_std * gp_rng_normal(rng);
            break;
        }
        }
        out[2 * i] = x;
        out[2 * i + 1] = y;
    }
}

static gp_status check_points(const gp_gan *gan, gp_err *err) {
    if (gan->image.c != 2 || gan->image.h != 1 || gan->image.w != 1)
        return gp_fail(err, GP_ERR_ARG, "a 2-D distribution trains 2-D models (2d), not %dx%dx%d images",
                       gan->image.c, gan->image.h, gan->image.w);
    return GP_OK;
}

gp_status gp_2d_d_step(gp_gan *gan, const gp_2d_dist *dist, gp_err *err) {
    gp_status st = check_points(gan, err);
    if (st != GP_OK) return st;
    gp_2d_dist_sample(dist, &gan->rng, gan->real, gan->cfg.batch);
    return gp_gan_d_step_real(gan, err);
}

gp_status gp_2d_round(gp_gan *gan, const gp_2d_dist *dist, gp_err *err) {
    for (int i = 0; i < gan->cfg.d_steps; i++) {
        gp_status st = gp_2d_d_step(gan, dist, err);
        if (st != GP_OK) return st;
    }
    return gp_gan_g_steps(gan, err);
}

static float readout(const gp_gan *gan, float score) {
    return GP_LOSSES[gan->cfg.loss].probability ? gp_sigmoidf(score) : score;
}

/* the step's noise (2 per row, 0 for 1-D noise) and fakes: G's input and its
 * output from the step's forward (before any update) */
static int trace_batch(const gp_gan *g, gp_2d_trace *t) {
    int B = g->cfg.batch, L = g->cfg.latent;
    GP_ASSERT(B <= GP_2D_MAX_BATCH && gp_shape_size(g->image) == 2);
    t->n = B;
    for (int i = 0; i < B; i++)
        for (int k = 0; k < 2; k++) t->z[2 * i + k] = k < L ? g->g_in[(size_t)i * L + k] : 0.0f;
    memcpy(t->fake, g->G.acts[g->G.n_layers], sizeof(float) * 2 * B);
    return B;
}

void gp_2d_trace_d(const gp_gan *g, gp_2d_trace *t) {
    int B = trace_batch(g, t);
    memcpy(t->real, g->real, sizeof(float) * 2 * B);
    for (int i = 0; i < B; i++) {
        t->d_real[i] = readout(g, g->seen_real[i]);
        t->d_fake[i] = readout(g, g->seen_fake[i]);
    }
    t->loss = g->stats.d_loss;
}

void gp_2d_trace_g(gp_gan *g, gp_2d_trace *t) {
    int B = trace_batch(g, t), L = g->cfg.latent;
    for (int i = 0; i < B; i++) t->d_fake[i] = readout(g, g->seen_g[i]);
    for (int i = 0; i < 2 * B; i++) t->grad[i] = -(float)B * g->dfake[i];
    t->loss = g->stats.g_loss;
    /* where the same noise lands now */
    float z[GP_2D_MAX_BATCH * 2];
    memcpy(z, g->g_in, sizeof(float) * (size_t)B * L);
    gp_gan_generate(g, z, NULL, B, t->after);
}

void gp_2d_d_grid(gp_gan *gan, int n, float *out) {
    float pts[2 * 256];
    for (int row = 0; row < n; row++) {
        float y = GP_2D_BOX - (2.0f * GP_2D_BOX) * ((float)row + 0.5f) / (float)n;
        for (int c0 = 0; c0 < n; c0 += 256) {
            int m = n - c0 < 256 ? n - c0 : 256;
            for (int j = 0; j < m; j++) {
                pts[2 * j] = -GP_2D_BOX + (2.0f * GP_2D_BOX) * ((float)(c0 + j) + 0.5f) / (float)n;
                pts[2 * j + 1] = y;
            }
            gp_gan_d_readouts(gan, pts, NULL, m, out + (size_t)row * n + c0);
        }
    }
}

int gp_2d_manifold(gp_gan *gan, int m, float *z, float *out) {
    int L = gan->cfg.latent, count = L == 1 ? m : m * m;
    float r = gan->cfg.noise == GP_NOISE_UNIFORM ? 1.0f : 2.0f;
    for (int i = 0; i < count; i++) {
        float a = m > 1 ? -r + 2.0f * r * (float)(i % m) / (float)(m - 1) : 0.0f;
        float b = m > 1 ? r - 2.0f * r * (float)(i / m) / (float)(m - 1) : 0.0f;
        z[(size_t)i * L] = a;
        if (L == 2) z[(size_t)i * L + 1] = b;
    }
    gp_gan_generate(gan, z, NULL, count, out);
    return count;
}

void gp_2d_g_arrows(gp_gan *gan, const float *x, int count, float *out) {
    gp_net *D = &gan->D;
    GP_ASSERT(gan->has_d && count >= 1 && count <= D->max_batch && gp_shape_size(gan->image) == 2);
    int saved = D->training;
    D->training = 0; /* no power-iteration or statistics updates: a look, not a step */
    gan->fake_ready = 0;
    const float *o = gp_net_forward(D, x, count);
    int K = gp_shape_size(gp_net_output_shape(D));
    for (int b = 0; b < count; b++) gan->scores[b] = o[(size_t)b * K];
    gp_loss_g(gan->cfg.loss, gan->scores, count, gan->dscores);
    memset(gan->dlogits, 0, (size_t)count * K * sizeof(float));
    for (int b = 0; b < count; b++) gan->dlogits[(size_t)b * K] = gan->dscores[b];
    const float *dx = gp_net_backward(D, gan->dlogits, count, 0, 1);
    for (int i = 0; i < 2 * count; i++) out[i] = -(float)count * dx[i];
    D->training = saved;
}

/* The cell of coordinate v: the edge cells take what is outside the box,
 * clamped before the cast (a float past int's range is undefined as an
 * int); NaN the first. */
static int cell(float v, int bins) {
    float c = floorf((v + GP_2D_BOX) / (2.0f * GP_2D_BOX) * (float)bins);
    return !(c >= 0.0f) ? 0 : c >= (float)bins ? bins - 1 : (int)c;
}

static void histogram(const float *p, int n, int bins, double *h) {
    for (int i = 0; i < bins * bins; i++) h[i] = 0.5;
    for (int i = 0; i < n; i++) h[cell(p[2 * i + 1], bins) * bins + cell(p[2 * i], bins)] += 1.0;
    double total = n + 0.5 * bins * bins;
    for (int i = 0; i < bins * bins; i++) h[i] /= total;
}

void gp_2d_divergence(const float *real, int n_real, const float *fake, int n_fake, int bins, double *kl,
                       double *js) {
    double *p = malloc(sizeof(double) * 2 * (size_t)bins * bins);
    if (!p) {
        *kl = *js = NAN;
        return;
    }
    double *q = p + (size_t)bins * bins;
    histogram(real, n_real, bins, p);
    histogram(fake, n_fake, bins, q);
    double k = 0.0, j = 0.0;
    for (int i = 0; i < bins * bins; i++) {
        double m = 0.5 * (p[i] + q[i]);
        k += p[i] * log(p[i] / q[i]);
        j += 0.5 * p[i] * log(p[i] / m) + 0.5 * q[i] * log(q[i] / m);
    }
    free(p);
    *kl = k;
    *js = j;
}

void gp_2d_coverage_of(const gp_2d_dist *dist, const float *points, int n, gp_2d_coverage *out) {
    int counts[GP_2D_MAX_MODES] = {0}, good = 0, K = dist->n_modes;
    out->total = K;
    out->covered = 0;
    out->high_quality = 0.0;
    if (!K || n < 1) return;
    float limit = GP_2D_QUALITY_SIGMAS * dist->mode_std;
    for (int i = 0; i < n; i++) {
        int best = 0;
        float best_d2 = INFINITY;
        for (int k = 0; k < K; k++) {
            float dx = points[2 * i] - dist->modes[k][0], dy = points[2 * i + 1] - dist->modes[k][1];
            float d2 = dx * dx + dy * dy;
            if (d2 < best_d2) best_d2 = d2, best = k;
        }
        if (best_d2 <= limit * limit) counts[best]++, good++;
    }
    for (int k = 0; k < K; k++)
        if (counts[k] >= GP_2D_COVER_SHARE * (double)n / K) out->covered++;
    out->high_quality = (double)good / n;
}

gp_status gp_2d_evaluate(gp_gan *gan, const gp_2d_dist *dist, int n, uint64_t seed, gp_2d_eval *out, gp_err *err) {
    gp_status st = check_points(gan, err);
    if (st != GP_OK) return st;
    if (n < 1 || n > 1000000) return gp_fail(err, GP_ERR_ARG, "evaluation needs 1..1000000 samples, got %d", n);
    int L = gan->cfg.latent;
    float *buf = malloc(sizeof(float) * (size_t)n * (4 + (size_t)L));
    if (!buf) return gp_fail(err, GP_ERR_NOMEM, "out of memory for %d evaluation samples", n);
    float *real = buf, *fake = buf + 2 * (size_t)n, *z = buf + 4 * (size_t)n;
    gp_rng rng;
    gp_rng_seed(&rng, GP_SALT_2D_EVAL);
    gp_2d_dist_sample(dist, &rng, real, n);
    gp_gan_latents(gan, seed, n, z);
    gp_gan_generate(gan, z, NULL, n, fake);
    gp_2d_divergence(real, n, fake, n, GP_2D_EVAL_BINS, &out->kl, &out->js);
    gp_2d_coverage_of(dist, fake, n, &out->coverage);
    free(buf);
    return GP_OK;
}

void gp_2d_eval_json(const gp_2d_eval *ev, int samples, gp_json *j) {
    gp_json_knum(j, "kl", ev->kl);
    gp_json_knum(j, "js", ev->js);
    gp_json_kint(j, "modes_covered", ev->coverage.covered);
    gp_json_kint(j, "modes_total", ev->coverage.total);
    gp_json_knum(j, "high_quality_share", ev->coverage.high_quality);
    gp_json_kint(j, "bins", GP_2D_EVAL_BINS);
    gp_json_kint(j, "samples", samples);
}

/* Each lesson's paragraph says only what its settings do with the lesson's
 * seed: tests/test_2d.c trains each one and checks every number the text
 * states. The older lessons pin the 2-D defaults they were written with
 * (32-wide ReLU networks, no EMA). */
#define OLD_NETS "g_width=32 d_width=32 activation=relu ema=0"
#define FAST_D "optimizer=sgd lr_g=0.002 lr_d=0.2 d_steps=10 activation=leaky_relu d_width=64 g_width=32 ema=0"
const gp_2d_lesson GP_2D_LESSONS[] = {
    {"healthy", "A healthy run on the ring",
     "Eight Gaussians on a circle, with the 2-D defaults. Within 500 rounds G's samples spread from a blob in the "
     "middle onto the circle and the coverage meter reads 8 of 8; by round 3,000 more than 80% of the samples are "
     "of high quality (within three standard deviations of a mode's centre) and D(x) and D(G(z)) both hover near "
     "0.5: D can no longer tell them apart.",
     "ring", "seed=1"},
    {"collapse", "Mode collapse",
     "The same ring, with G taking five large steps for each of D's. G moves all its samples to the place D "
     "currently rates most real, so the meter shows one mode of eight, or none while G is moving; D then learns "
     "to reject that place and G hops to another one. In 3,000 rounds the meter never shows more than one mode.",
     "ring", "seed=1 g_steps=5 lr_g=0.01 " OLD_NETS},
    {"oscillation", "Oscillation: too large a step",
     "Ten times the usual learning rates, and Adam's momentum at 0.9 instead of 0.5: each network overshoots the "
     "other. G's loss swings between about 0.2 and more than 5, D(x) between below 0.5 and nearly 1, and the fakes "
     "sweep across the plane without settling on the ring's modes: in 3,000 rounds the meter stays at 0 of 8.",
     "ring", "seed=1 lr_g=0.01 lr_d=0.01 beta1=0.9 " OLD_NETS},
    {"saturating", "The saturating loss fails to start",
     "The 2014 paper's minimax loss, log(1 - D(G(z))), against a discriminator that learns fast (ten plain "
     "gradient steps per round): within 100 rounds D rejects every fake with near certainty (D(G(z)) below 0.001), "
     "where that loss is flat. The fakes stay in the middle of the ring and their arrows are too short to see "
     "(G's gradient is below 0.03, and falling). Switch the loss to non-saturating: at once the arrows are "
     "thousands of times longer and within 200 rounds the fakes are on the ring, but on only one or two of its "
     "modes, because this D has already won.",
     "ring", "seed=1 " FAST_D " loss=minimax"},
    {"nonsaturating", "The non-saturating fix",
     "The same fast discriminator as in the saturating lesson, with G's loss -log D(G(z)) from the start: it is "
     "steepest exactly where D rejects the fakes. D(G(z)) is low (0.1 to 0.2), yet the arrows are long (G's "
     "gradient averages more than 1) and within 100 rounds the fakes are on the ring. The fix starts G; it does not "
     "stop collapse: the fakes gather on one or two of the eight modes.",
     "ring", "seed=1 " FAST_D " loss=nonsaturating"},
    {"strong_d", "A discriminator that wins too fast",
     "D is large and takes five steps per round: within 50 rounds D(x) is above 0.6 and D(G(z)) below 0.4. With "
     "the non-saturating loss G still gets a gradient, and a steep one: the arrows at the fakes are longer on "
     "average than 1, against about 0.1 with one D step of the usual size.",
     "moons", "seed=1 d_steps=5 d_layers=3 d_width=64 lr_d=0.003 g_width=32 activation=relu ema=0"},
    {"fold", "1-D noise must fold a line",
     "G's noise is one number, so its manifold is a curve. It covers both clusters (the meter reads 2 of 2), and "
     "to do so the curve must run through the gap between them: part of it stays on the bridge, and some samples "
     "with it. Those are the price of a continuous map.",
     "two", "seed=1 latent=1 noise=uniform " OLD_NETS},
    {"wgan_disjoint", "WGAN-GP when the supports do not overlap",
     "The two clusters and G's first blob do not overlap. A minimax D trained to certainty there is flat around "
     "the fakes (in the saturating lesson G's gradient is below 0.03). WGAN-GP's critic has no certainty to reach: "
     "its gradient penalty holds its slope near 1, so the arrows stay about 1 long wherever the fakes are, and "
     "within 1,000 rounds the fakes reach both clusters. Its score is not a probability: read D(x) - D(G(z)) as a "
     "distance, not as odds.",
     "two", "seed=1 loss=wgan_gp d_steps=5"},
    {"d_steps", "D steps per G step",
     "Five D steps for each G step on the ring. D stays ahead of G: D(x) stays about 0.2 above D(G(z)) (with one "
     "D step, the healthy lesson, about 0.02) and the arrows are several times longer. G reaches all eight modes "
     "sooner (8 of 8 at round 250, where one D step has fewer), but by round 1,000 it has dropped one (7 of 8). "
     "Set D steps back to 1 and train again to compare.",
     "ring", "seed=1 d_steps=5"},
    {"draw", "Draw your own distribution",
     "Draw on the plane: each point you draw becomes a small blob of real data. Press Use my points, then Play. "
     "Within 2,000 rounds most of G's samples lie near what you drew. Try two strokes far apart, or a closed "
     "loop, and watch whether G covers every part.",
     "drawn", "seed=1"},
};
const int GP_N_2D_LESSONS = (int)(sizeof GP_2D_LESSONS / sizeof GP_2D_LESSONS[0]);

const gp_2d_lesson *gp_2d_lesson_find(const char *name) {
    for (int i = 0; i < GP_N_2D_LESSONS; i++)
        if (name && !strcmp(name, GP_2D_LESSONS[i].name)) return &GP_2D_LESSONS[i];
    return NULL;
}

gp_status gp_2d_lesson_config(const gp_2d_lesson *lesson, gp_gan_config *cfg, gp_err *err) {
    gp_gan_config c;
    gp_status st = gp_gan_config_default(&c, "2d", err);
    if (st != GP_OK) return st;
    snprintf(c.dataset, sizeof c.dataset, "%s", lesson->dist);
    const char *p = lesson->settings;
    while (*p) {
        while (*p == ' ') p++;
        if (!*p) break;
        char key[32] = {0}, value[32] = {0};
        size_t k = 0, v = 0;
        while (*p && *p != '=' && k + 1 < sizeof key) key[k++] = *p++;
        if (*p == '=') p++;
        while (*p && *p != ' ' && v + 1 < sizeof value) value[v++] = *p++;
        const gp_setting *set = gp_setting_find(key);
        if (!set) return gp_fail(err, GP_ERR_ARG, "lesson %s: unknown setting '%s'", lesson->name, key);
        st = gp_setting_parse(&c, set, value, err);
        if (st != GP_OK) return st;
    }
    st = gp_gan_config_check(&c, err);
    if (st == GP_OK) *cfg = c;
    return st;
}

void gp_2d_json(gp_json *j) {
    gp_json_open(j, '{');
    gp_json_knum(j, "box", GP_2D_BOX);
    gp_json_knum(j, "arrow_scale", GP_2D_ARROW_SCALE);
    gp_json_knum(j, "arrow_max", GP_2D_ARROW_MAX);
    gp_json_key(j, "distributions");
    gp_json_open(j, '[');
    for (int k = 0; k < GP_2D_DIST_COUNT; k++) {
        gp_2d_dist t;
        float one[2] = {0, 0};
        gp_2d_dist_init(&t, GP_2D_DISTS[k].name, one, 1, NULL);
        gp_json_open(j, '{');
        gp_json_kstr(j, "name", GP_2D_DISTS[k].name);
        gp_json_kstr(j, "label", GP_2D_DISTS[k].label);
        gp_json_kstr(j, "help", GP_2D_DISTS[k].help);
        gp_json_kint(j, "modes", t.n_modes);
        gp_json_close(j, '}');
    }
    gp_json_close(j, ']');
    gp_json_key(j, "lessons");
    gp_json_open(j, '[');
    for (int i = 0; i < GP_N_2D_LESSONS; i++) {
        const gp_2d_lesson *l = &GP_2D_LESSONS[i];
        gp_json_open(j, '{');
        gp_json_kstr(j, "name", l->name);
        gp_json_kstr(j, "title", l->title);
        gp_json_kstr(j, "text", l->text);
        gp_json_kstr(j, "dist", l->dist);
        gp_json_kstr(j, "settings", l->settings);
        gp_json_close(j, '}');
    }
    gp_json_close(j, ']');
    gp_json_close(j, '}');
}
