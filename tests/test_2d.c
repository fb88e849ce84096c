/* The 2-D GAN: toy distributions (deterministic for a seed), D over a grid,
 * G's manifold, the gradient arrows (against a difference quotient), the
 * KL/JS and coverage estimators (closed-form cases), and the lessons: every
 * number a lesson's paragraph states, measured with its seed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nn/kernels.h"
#include "gan/gan.h"
#include "nn/layers.h"
#include "gan/losses.h"
#include "gan/2d.h"
#include "gan/config.h"

static void test_sources(void) {
    gp_err err;
    static float a[2 * 4000], b[2 * 4000];
    for (int k = 0; k < GP_2D_DIST_COUNT; k++) {
        gp_2d_dist dist;
        const float drawn[6] = {0.5f, 0.5f, -0.5f, 0.2f, 0.0f, -1.0f};
        CHECK(gp_2d_dist_init(&dist, GP_2D_DISTS[k].name, drawn, 3, &err) == GP_OK);
        gp_rng r1, r2, r3;
        gp_rng_seed(&r1, 11);
        gp_rng_seed(&r2, 11);
        gp_rng_seed(&r3, 12);
        gp_2d_dist_sample(&dist, &r1, a, 4000);
        gp_2d_dist_sample(&dist, &r2, b, 4000);
        CHECK(memcmp(a, b, sizeof a) == 0); /* the same seed, the same points */
        gp_2d_dist_sample(&dist, &r3, b, 4000);
        CHECK(memcmp(a, b, sizeof a) != 0);
        int inside = 0;
        for (int i = 0; i < 4000; i++) inside += fabsf(a[2 * i]) < GP_2D_BOX && fabsf(a[2 * i + 1]) < GP_2D_BOX;
        CHECK(inside >= 3990);
        if (dist.n_modes) { /* a mixture's own samples cover every mode, nearly all of high quality */
            gp_2d_coverage cov;
            gp_2d_coverage_of(&dist, a, 4000, &cov);
            CHECK(cov.covered == dist.n_modes && cov.total == dist.n_modes && cov.high_quality > 0.98); /* 1 - exp(-9/2) = 0.989 in 2-D */
        }
        if (k == GP_2D_DRAWN) /* each point is near one of the drawn ones */
            for (int i = 0; i < 4000; i++) {
                float best = INFINITY;
                for (int j = 0; j < 3; j++) {
                    float dx = a[2 * i] - drawn[2 * j], dy = a[2 * i + 1] - drawn[2 * j + 1];
                    if (dx * dx + dy * dy < best) best = dx * dx + dy * dy;
                }
                CHECK(sqrtf(best) < 6 * GP_2D_DRAWN_STD);
            }
    }
    gp_2d_dist dist;
    CHECK(gp_2d_dist_init(&dist, "ring", NULL, 0, &err) == GP_OK && dist.n_modes == 8);
    CHECK(fabsf(dist.modes[2][0]) < 1e-6f && fabsf(dist.modes[2][1] - 1.0f) < 1e-6f);
    CHECK(gp_2d_dist_init(&dist, "grid", NULL, 0, &err) == GP_OK && dist.n_modes == 25);
    CHECK(gp_2d_dist_init(&dist, "circle", NULL, 0, &err) == GP_ERR_ARG && strstr(err.msg, "unknown distribution"));
    CHECK(gp_2d_dist_init(&dist, "drawn", NULL, 0, &err) == GP_ERR_ARG && strstr(err.msg, "1..2000"));
    const float outside[2] = {2.0f, 0.0f}, nan_point[2] = {NAN, 0.0f};
    CHECK(gp_2d_dist_init(&dist, "drawn", outside, 1, &err) == GP_ERR_ARG && strstr(err.msg, "outside"));
    CHECK(gp_2d_dist_init(&dist, "drawn", nan_point, 1, &err) == GP_ERR_ARG);
}

static void test_estimators(void) {
    enum { N = 1000 };
    static float p[2 * N], q[2 * N];
    double kl, js;
    /* identical samples: both zero */
    for (int i = 0; i < N; i++) p[2 * i] = q[2 * i] = 0.3f * sinf((float)i), p[2 * i + 1] = q[2 * i + 1] = 0.1f * i / N;
    gp_2d_divergence(p, N, q, N, 16, &kl, &js);
    CHECK(fabs(kl) < 1e-12 && fabs(js) < 1e-12);
    /* 2 x 2 cells, all of one sample in the lower left cell, all of the other in the upper right:
     * with half a count added per cell, a = (N + 1/2) / (N + 2), b = (1/2) / (N + 2) */
    for (int i = 0; i < N; i++) p[2 * i] = p[2 * i + 1] = -0.5f, q[2 * i] = q[2 * i + 1] = 0.5f;
    gp_2d_divergence(p, N, q, N, 2, &kl, &js);
    double a = (N + 0.5) / (N + 2.0), b = 0.5 / (N + 2.0), m = 0.5 * (a + b);
    CHECK_CLOSE(kl, (a - b) * log(a / b), 1e-9, 0);
    CHECK_CLOSE(js, a * log(a / m) + b * log(b / m), 1e-9, 0);
    CHECK(js > 0.68 && js < log(2.0)); /* near its maximum, ln 2 */
    /* points far outside the box count in the edge cells, past any int too
     * (a diverging G's; they were cast to int as they were: the wrong cell) */
    for (int i = 0; i < N; i++) q[2 * i] = q[2 * i + 1] = i % 2 ? 3e9f : 1e30f;
    gp_2d_divergence(p, N, q, N, 2, &kl, &js);
    CHECK_CLOSE(kl, (a - b) * log(a / b), 1e-9, 0);
    /* NaN in the first */
    q[0] = 100.0f, q[1] = -100.0f, q[2] = NAN;
    gp_2d_divergence(p, N, q, N, 2, &kl, &js);
    CHECK(isfinite(kl) && isfinite(js));

    /* coverage: three modes of the ring at their centres, evenly; then one far point */
    gp_2d_dist dist;
    gp_err err;
    CHECK(gp_2d_dist_init(&dist, "ring", NULL, 0, &err) == GP_OK);
    for (int i = 0; i < 300; i++) p[2 * i] = dist.modes[i % 3][0], p[2 * i + 1] = dist.modes[i % 3][1];
    gp_2d_coverage cov;
    gp_2d_coverage_of(&dist, p, 300, &cov);
    CHECK(cov.covered == 3 && cov.total == 8 && cov.high_quality == 1.0);
    p[0] = 0.0f, p[1] = 0.0f; /* the centre of the ring: no mode's */
    gp_2d_coverage_of(&dist, p, 300, &cov);
    CHECK(cov.covered == 3 && fabs(cov.high_quality - 299.0 / 300.0) < 1e-12);
    /* a mode needs a quarter of an even share: 300/8/4 = 9.375 samples */
    for (int i = 0; i < 300; i++) p[2 * i] = dist.modes[0][0], p[2 * i + 1] = dist.modes[0][1];
    for (int i = 0; i < 9; i++) p[2 * i] = dist.modes[1][0], p[2 * i + 1] = dist.modes[1][1];
    gp_2d_coverage_of(&dist, p, 300, &cov);
    CHECK(cov.covered == 1);
    p[18] = dist.modes[1][0], p[19] = dist.modes[1][1];
    gp_2d_coverage_of(&dist, p, 300, &cov);
    CHECK(cov.covered == 2);
    /* not a mixture: nothing to cover */
    CHECK(gp_2d_dist_init(&dist, "moons", NULL, 0, &err) == GP_OK);
    gp_2d_coverage_of(&dist, p, 300, &cov);
    CHECK(cov.total == 0 && cov.covered == 0);
}

static void make_2d_gan(gp_gan *gan, const char *settings_loss, int latent, int noise) {
    gp_gan_config cfg;
    gp_err err;
    CHECK(gp_gan_config_default(&cfg, "2d", &err) == GP_OK);
    cfg.loss = settings_loss ? GP_LOSS_MINIMAX : GP_LOSS_NONSATURATING;
    cfg.latent = latent;
    cfg.noise = noise;
    cfg.batch = 32;
    CHECK(gp_gan_create(gan, &cfg, 1, &err) == GP_OK);
}

/* The grid is D's readout at cell centres; the manifold is G on a grid of z;
 * the arrows are minus the per-sample gradient of G's loss. */
static void test_views(void) {
    gp_gan gan;
    make_2d_gan(&gan, NULL, 2, GP_NOISE_UNIFORM);
    CHECK(gan.image.c == 2 && gan.image.h == 1 && gan.D.n_layers == 5 && gan.G.n_layers == 5);
    enum { G = 8 };
    float grid[G * G], direct[1];
    gp_2d_d_grid(&gan, G, grid);
    for (int r = 0; r < G; r += 3)
        for (int c = 0; c < G; c += 3) {
            float pt[2] = {-GP_2D_BOX + 2 * GP_2D_BOX * (c + 0.5f) / G, GP_2D_BOX - 2 * GP_2D_BOX * (r + 0.5f) / G};
            gp_gan_d_readouts(&gan, pt, NULL, 1, direct);
            CHECK(grid[r * G + c] == direct[0] && direct[0] > 0.0f && direct[0] < 1.0f);
        }
    float z[2 * 9], pts[2 * 9], again[2 * 9];
    CHECK(gp_2d_manifold(&gan, 3, z, pts) == 9);
    CHECK(z[0] == -1.0f && z[1] == 1.0f && z[2 * 8] == 1.0f && z[2 * 8 + 1] == -1.0f && z[2 * 4] == 0.0f);
    gp_gan_generate(&gan, z, NULL, 9, again);
    CHECK(memcmp(pts, again, sizeof pts) == 0);

    /* arrows against a central difference of one sample's G loss */
    for (int loss = 0; loss < 2; loss++) {
        gan.cfg.loss = loss ? GP_LOSS_MINIMAX : GP_LOSS_NONSATURATING;
        float x[2] = {0.3f, -0.2f}, arrow[2];
        gp_2d_g_arrows(&gan, x, 1, arrow);
        for (int k = 0; k < 2; k++) {
            const double h = 1e-3;
            float xp[2] = {x[0], x[1]}, xm[2] = {x[0], x[1]}, s, ds;
            xp[k] += (float)h, xm[k] -= (float)h;
            gan.D.training = 0;
            s = gp_net_forward(&gan.D, xp, 1)[0];
            double lp = gp_loss_g(gan.cfg.loss, &s, 1, &ds);
            s = gp_net_forward(&gan.D, xm, 1)[0];
            double lm = gp_loss_g(gan.cfg.loss, &s, 1, &ds);
            CHECK_CLOSE(arrow[k], -(lp - lm) / (2 * h), 2e-3, 0);
        }
    }
    gp_gan_free(&gan);

    /* 1-D noise: a curve of m points across [-2, 2] for Gaussian noise */
    make_2d_gan(&gan, NULL, 1, GP_NOISE_GAUSSIAN);
    float z1[5], c1[10];
    CHECK(gp_2d_manifold(&gan, 5, z1, c1) == 5 && z1[0] == -2.0f && z1[2] == 0.0f && z1[4] == 2.0f);
    gp_gan_free(&gan);

    /* the configuration refuses what a 2-D GAN cannot be */
    gp_gan_config cfg;
    gp_err err;
    gp_gan_config_default(&cfg, "2d", &err);
    cfg.latent = 3;
    CHECK(gp_gan_create(&gan, &cfg, 1, &err) == GP_ERR_ARG && strstr(err.msg, "1 or 2"));
    gp_gan_config_default(&cfg, "2d", &err);
    cfg.g_layers = 0;
    cfg.d_layers = 0;
    CHECK(gp_gan_create(&gan, &cfg, 1, &err) == GP_OK && gan.G.n_layers == 1 && gan.D.n_layers == 1);
    gp_gan_free(&gan);
}

/* A round is d_steps D steps then g_steps G steps; the same seed trains the same model. */
static void test_rounds(void) {
    gp_gan_config cfg;
    gp_err err;
    gp_gan_config_default(&cfg, "2d", &err);
    cfg.d_steps = 3;
    cfg.g_steps = 2;
    gp_2d_dist dist;
    CHECK(gp_2d_dist_init(&dist, "moons", NULL, 0, &err) == GP_OK);
    gp_gan a, b;
    CHECK(gp_gan_create(&a, &cfg, 1, &err) == GP_OK && gp_gan_create(&b, &cfg, 1, &err) == GP_OK);
    for (int r = 0; r < 20; r++) CHECK(gp_2d_round(&a, &dist, &err) == GP_OK && gp_2d_round(&b, &dist, &err) == GP_OK);
    CHECK(a.stats.d_step == 60 && a.stats.step == 40);
    CHECK(memcmp(a.G.params, b.G.params, a.G.n_params * sizeof(float)) == 0);
    /* SGD changes weights by -lr * grad exactly */
    gp_gan_free(&b);
    cfg.optimizer = GP_OPT_SGD;
    cfg.d_steps = 1;
    CHECK(gp_gan_create(&b, &cfg, 1, &err) == GP_OK);
    float *before = malloc(b.D.n_params * sizeof(float));
    memcpy(before, b.D.params, b.D.n_params * sizeof(float));
    CHECK(gp_2d_d_step(&b, &dist, &err) == GP_OK);
    int exact = 1;
    for (size_t i = 0; i < b.D.n_params; i++) exact &= b.D.params[i] == before[i] - cfg.lr_d * b.D.grads[i];
    CHECK(exact);
    free(before);
    /* the batch D saw, with its scores: the readouts are sigmoid(score) */
    float r0 = gp_sigmoidf(b.seen_real[0]);
    CHECK(r0 > 0.0f && r0 < 1.0f && b.real[0] != 0.0f);
    gp_gan_free(&a);
    gp_gan_free(&b);
    /* an image model is refused */
    gp_gan_config_default(&cfg, "mlp", &err);
    cfg.batch = 4;
    CHECK(gp_gan_create(&a, &cfg, 1, &err) == GP_OK);
    CHECK(gp_2d_round(&a, &dist, &err) == GP_ERR_ARG && strstr(err.msg, "2d"));
    gp_gan_free(&a);
}

/* ---- the lessons: each paragraph's claims, measured with the lesson's seed ---- */

typedef struct {
    gp_gan gan;
    gp_2d_dist dist;
} lesson_run;

static void settings(gp_gan_config *c, const char *text) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", text);
    for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " ")) {
        char *eq = strchr(tok, '=');
        gp_err err;
        CHECK(eq != NULL);
        *eq = 0;
        const gp_setting *set = gp_setting_find(tok);
        CHECK(set && gp_setting_parse(c, set, eq + 1, &err) == GP_OK);
    }
}

/* The lesson's model and distribution, with extra settings (NULL: none) and drawn points. */
static void lesson_start(lesson_run *L, const char *name, const char *extra, const float *pts, int n) {
    gp_err err;
    gp_gan_config cfg;
    const gp_2d_lesson *lesson = gp_2d_lesson_find(name);
    CHECK(lesson && gp_2d_lesson_config(lesson, &cfg, &err) == GP_OK);
    if (extra) settings(&cfg, extra);
    CHECK(gp_2d_dist_init(&L->dist, cfg.dataset, pts, n, &err) == GP_OK);
    CHECK(gp_gan_create(&L->gan, &cfg, 1, &err) == GP_OK);
}

typedef struct {
    double g_lo, g_hi, dr_lo, dr_hi, gap; /* G loss and D(x) extremes; mean D(x) - D(G(z)) */
    long n;
} lesson_log;

static void lesson_rounds(lesson_run *L, int n, lesson_log *log) {
    gp_err err;
    for (int r = 0; r < n; r++) {
        CHECK(gp_2d_round(&L->gan, &L->dist, &err) == GP_OK);
        if (!log) continue;
        const gp_gan_stats *s = &L->gan.stats;
        if (!log->n) log->g_lo = log->dr_lo = INFINITY, log->g_hi = log->dr_hi = -INFINITY;
        log->g_lo = fmin(log->g_lo, s->g_loss), log->g_hi = fmax(log->g_hi, s->g_loss);
        log->dr_lo = fmin(log->dr_lo, s->d_real), log->dr_hi = fmax(log->dr_hi, s->d_real);
        log->gap += ((double)s->d_real - s->d_fake - log->gap) / (double)++log->n;
    }
}

static gp_2d_eval lesson_eval(lesson_run *L) {
    gp_2d_eval ev;
    gp_err err;
    CHECK(gp_2d_evaluate(&L->gan, &L->dist, 2000, 7, &ev, &err) == GP_OK);
    return ev;
}

/* G's arrows at 128 of its samples: mean and largest length; the samples' mean
 * distance from the centre; the mode that holds most of them. */
typedef struct {
    double mean, max, radius;
    int mode;
} lesson_look;

static lesson_look lesson_arrows(lesson_run *L) {
    enum { N = 128 };
    float z[2 * N], x[2 * N], a[2 * N];
    lesson_look o = {0, 0, 0, -1};
    int counts[GP_2D_MAX_MODES] = {0};
    gp_gan_latents(&L->gan, 9, N, z);
    gp_gan_generate(&L->gan, z, NULL, N, x);
    gp_2d_g_arrows(&L->gan, x, N, a);
    for (int i = 0; i < N; i++) {
        double len = hypot(a[2 * i], a[2 * i + 1]);
        o.mean += len / N;
        o.max = fmax(o.max, len);
        o.radius += hypot(x[2 * i], x[2 * i + 1]) / N;
        int best = 0;
        for (int k = 1; k < L->dist.n_modes; k++)
            if (hypot(x[2 * i] - L->dist.modes[k][0], x[2 * i + 1] - L->dist.modes[k][1]) <
                hypot(x[2 * i] - L->dist.modes[best][0], x[2 * i + 1] - L->dist.modes[best][1]))
                best = k;
        if (L->dist.n_modes) counts[best]++;
    }
    for (int k = 0; k < L->dist.n_modes; k++)
        if (o.mode < 0 || counts[k] > counts[o.mode]) o.mode = k;
    return o;
}

/* healthy (the 2-D defaults on the ring) and d_steps (five D steps): 8 of 8 by
 * round 500, more than 80% of high quality and D near 0.5 at 3,000; five D
 * steps keep D ahead, with longer arrows, 8 of 8 sooner and 7 of 8 at 1,000. */
static void test_lesson_healthy_and_d_steps(void) {
    lesson_run h, d;
    lesson_log hl = {0}, dl = {0};
    lesson_start(&h, "healthy", NULL, NULL, 0);
    lesson_start(&d, "d_steps", NULL, NULL, 0);
    CHECK(h.gan.cfg.d_steps == 1 && d.gan.cfg.d_steps == 5);
    lesson_rounds(&h, 250, &hl);
    lesson_rounds(&d, 250, &dl);
    gp_2d_eval h250 = lesson_eval(&h), d250 = lesson_eval(&d);
    CHECK(d250.coverage.covered == 8 && h250.coverage.covered < 8);
    lesson_rounds(&h, 250, &hl);
    gp_2d_eval h500 = lesson_eval(&h);
    CHECK(h500.coverage.covered == 8);
    lesson_rounds(&h, 500, &hl);
    lesson_rounds(&d, 750, &dl);
    gp_2d_eval d1000 = lesson_eval(&d);
    lesson_look ha = lesson_arrows(&h), da = lesson_arrows(&d);
    CHECK(d1000.coverage.covered == 7);
    CHECK(dl.gap > 0.15 && dl.gap < 0.25 && hl.gap < 0.05);  /* D(x) - D(G(z)), mean over 1,000 rounds */
    CHECK(da.mean > 3 * ha.mean);          /* several times longer arrows */
    printf("  healthy: 250: %d/8, 500: %d/8; gap %.3f, arrows %.3f | d_steps: 250: %d/8, 1000: %d/8, gap %.3f, "
           "arrows %.3f\n", h250.coverage.covered, h500.coverage.covered, hl.gap, ha.mean, d250.coverage.covered,
           d1000.coverage.covered, dl.gap, da.mean);
    gp_gan_free(&d.gan);
    lesson_rounds(&h, 1900, NULL);
    lesson_log tail = {0};
    lesson_rounds(&h, 100, &tail);
    double d_real = 0, d_fake = 0;
    for (int r = 0; r < 100; r++) { /* the last 100 rounds' readouts, averaged: near 0.5 */
        lesson_rounds(&h, 1, NULL);
        d_real += h.gan.stats.d_real / 100.0, d_fake += h.gan.stats.d_fake / 100.0;
    }
    gp_2d_eval h3000 = lesson_eval(&h);
    lesson_look end = lesson_arrows(&h);
    CHECK(h3000.coverage.covered == 8 && h3000.coverage.high_quality > 0.8);
    CHECK(fabs(end.radius - 1.0) < 0.1); /* on the circle */
    CHECK(fabs(d_real - 0.5) < 0.05 && fabs(d_fake - 0.5) < 0.05);
    printf("  healthy: 3100 rounds: %d/8, high quality %.3f, radius %.3f, D(x) %.3f, D(G(z)) %.3f\n",
           h3000.coverage.covered, h3000.coverage.high_quality, end.radius, d_real, d_fake);
    gp_gan_free(&h.gan);
}

/* collapse: at most one mode at a time for 3,000 rounds, and not always the same one. */
static void test_lesson_collapse(void) {
    lesson_run L;
    lesson_start(&L, "collapse", NULL, NULL, 0);
    int most = 0, held = -1, hops = 0, ones = 0;
    for (int r = 250; r <= 3000; r += 250) {
        lesson_rounds(&L, 250, NULL);
        gp_2d_eval ev = lesson_eval(&L);
        most = ev.coverage.covered > most ? ev.coverage.covered : most;
        if (ev.coverage.covered == 1) {
            int mode = lesson_arrows(&L).mode;
            ones++;
            hops += held >= 0 && mode != held;
            held = mode;
        }
    }
    CHECK(most == 1 && ones >= 2 && hops >= 1);
    printf("  collapse: at most %d mode, one mode at %d of 12 looks, %d hops\n", most, ones, hops);
    gp_gan_free(&L.gan);
}

/* oscillation: G's loss from below 0.25 to above 5, D(x) from below 0.5 to
 * above 0.95, and 0 of 8 modes all along. */
static void test_lesson_oscillation(void) {
    lesson_run L;
    lesson_log log = {0};
    lesson_start(&L, "oscillation", NULL, NULL, 0);
    int most = 0;
    for (int r = 250; r <= 3000; r += 250) {
        lesson_rounds(&L, 250, &log);
        gp_2d_eval ev = lesson_eval(&L);
        most = ev.coverage.covered > most ? ev.coverage.covered : most;
    }
    CHECK(log.g_lo < 0.25 && log.g_hi > 5 && log.dr_lo < 0.5 && log.dr_hi > 0.95 && most == 0);
    printf("  oscillation: G loss %.3f..%.3f, D(x) %.3f..%.3f, modes at most %d\n", log.g_lo, log.g_hi, log.dr_lo,
           log.dr_hi, most);
    gp_gan_free(&L.gan);
}

/* saturating: D(G(z)) below 0.001 by round 100, arrows below 0.03 and
 * falling, the fakes in the middle; switched to non-saturating at round 300,
 * arrows thousands of times longer at once, the fakes on the ring 200 rounds
 * later, on one or two modes. nonsaturating: from the start, long arrows while
 * D(G(z)) is about 0.1, on the ring by round 100, one or two modes. */
static void test_lesson_saturating(void) {
    lesson_run L;
    lesson_start(&L, "saturating", NULL, NULL, 0);
    CHECK(L.gan.cfg.loss == GP_LOSS_MINIMAX);
    double first = 0, last = 0;
    for (int r = 50; r <= 300; r += 50) {
        lesson_rounds(&L, 50, NULL);
        lesson_look a = lesson_arrows(&L);
        gp_2d_eval ev = lesson_eval(&L);
        CHECK(a.max < 0.03 && a.radius < 0.2 && ev.coverage.high_quality == 0.0);
        if (r >= 100) CHECK(L.gan.stats.d_fake < 0.001);
        if (r == 50) first = a.max;
        last = a.max;
    }
    CHECK(last < first / 2);
    /* the arrows on the plane's fixed scale: under a hundredth of the plane's width */
    CHECK(first * GP_2D_ARROW_SCALE < 0.01 * 2 * GP_2D_BOX);
    double before = lesson_arrows(&L).mean;
    gp_gan_config c = L.gan.cfg;
    gp_err err;
    c.loss = GP_LOSS_NONSATURATING;
    CHECK(gp_gan_set_config(&L.gan, &c, &err) == GP_OK);
    double after = lesson_arrows(&L).mean;
    CHECK(after > 1000 * before);
    lesson_rounds(&L, 200, NULL);
    gp_2d_eval ev = lesson_eval(&L);
    lesson_look a = lesson_arrows(&L);
    CHECK(fabs(a.radius - 1.0) < 0.1 && ev.coverage.high_quality > 0.5);
    int lo = 8, hi = 0;
    for (int r = 500; r <= 1500; r += 250) {
        if (r > 500) lesson_rounds(&L, 250, NULL);
        int k = lesson_eval(&L).coverage.covered;
        lo = k < lo ? k : lo, hi = k > hi ? k : hi;
    }
    CHECK(lo >= 1 && hi <= 2);
    printf("  saturating: largest arrow %.4f at 50, %.4f at 300; switched: arrows %.4f -> %.2f; at 500 radius %.3f, "
           "high quality %.3f; modes %d..%d to 1500\n", first, last, before, after, a.radius,
           ev.coverage.high_quality, lo, hi);
    gp_gan_free(&L.gan);

    lesson_start(&L, "nonsaturating", NULL, NULL, 0);
    CHECK(L.gan.cfg.loss == GP_LOSS_NONSATURATING && L.gan.cfg.d_steps == 10);
    double shortest = INFINITY, fake_lo = 1, fake_hi = 0, radius100 = 0;
    lo = 8, hi = 0;
    for (int r = 50; r <= 1000; r += 50) {
        lesson_rounds(&L, 50, NULL);
        lesson_look n = lesson_arrows(&L);
        int k = lesson_eval(&L).coverage.covered;
        shortest = fmin(shortest, n.mean);
        fake_lo = fmin(fake_lo, L.gan.stats.d_fake), fake_hi = fmax(fake_hi, L.gan.stats.d_fake);
        if (r == 100) radius100 = n.radius;
        lo = k < lo ? k : lo, hi = k > hi ? k : hi;
    }
    CHECK(shortest > 1 && fake_lo > 0.05 && fake_hi < 0.25 && fabs(radius100 - 1.0) < 0.1 && lo >= 1 && hi <= 2);
    printf("  nonsaturating: arrows at least %.3f, D(G(z)) %.3f..%.3f, radius at 100 %.3f, modes %d..%d\n", shortest,
           fake_lo, fake_hi, radius100, lo, hi);
    gp_gan_free(&L.gan);
}

/* strong_d: D(x) above 0.6 and D(G(z)) below 0.4 within 50 rounds; the arrows
 * longer than 1 on average, against about 0.1 with one D step of the usual size. */
static void test_lesson_strong_d(void) {
    lesson_run L, U;
    lesson_start(&L, "strong_d", NULL, NULL, 0);
    lesson_start(&U, "strong_d", "d_steps=1 d_layers=2 d_width=32 lr_d=0.001", NULL, 0);
    lesson_rounds(&L, 50, NULL);
    lesson_rounds(&U, 50, NULL);
    double d_real = L.gan.stats.d_real, d_fake = L.gan.stats.d_fake;
    double strong = 0, usual = 0;
    for (int r = 0; r < 4; r++) {
        lesson_rounds(&L, 50, NULL);
        lesson_rounds(&U, 50, NULL);
        strong += lesson_arrows(&L).mean / 4, usual += lesson_arrows(&U).mean / 4;
    }
    printf("  strong_d: at 50 D(x) %.3f D(G(z)) %.3f; arrows (rounds 100-250) %.3f, usual D %.3f\n", d_real, d_fake,
           strong, usual);
    CHECK(d_real > 0.6 && d_fake < 0.4 && strong > 1 && usual < 0.15);
    gp_gan_free(&L.gan);
    gp_gan_free(&U.gan);
}

/* fold: 2 of 2 clusters, G's curve crossing the gap, some samples off both. */
static void test_lesson_fold(void) {
    lesson_run L;
    lesson_start(&L, "fold", NULL, NULL, 0);
    CHECK(L.gan.cfg.latent == 1);
    lesson_rounds(&L, 3000, NULL);
    gp_2d_eval ev = lesson_eval(&L);
    enum { M = 201 };
    float z[M], curve[2 * M];
    CHECK(gp_2d_manifold(&L.gan, M, z, curve) == M);
    int bridge = 0;
    float far = GP_2D_QUALITY_SIGMAS * L.dist.mode_std;
    for (int i = 0; i < M; i++) {
        float x = curve[2 * i], y = curve[2 * i + 1];
        float a = hypotf(x - L.dist.modes[0][0], y - L.dist.modes[0][1]);
        float b = hypotf(x - L.dist.modes[1][0], y - L.dist.modes[1][1]);
        bridge += a > far && b > far && fabsf(x) < 0.5f; /* between the clusters, near neither */
    }
    CHECK(ev.coverage.covered == 2 && bridge >= 1 && ev.coverage.high_quality < 0.99);
    printf("  fold: %d/2, high quality %.3f, %d of %d curve points on the bridge\n", ev.coverage.covered,
           ev.coverage.high_quality, bridge, M);
    gp_gan_free(&L.gan);
}

/* wgan_disjoint: no overlap at the start; the critic's arrows about 1 long
 * throughout; both clusters reached within 1,000 rounds. */
static void test_lesson_wgan_disjoint(void) {
    lesson_run L;
    lesson_start(&L, "wgan_disjoint", NULL, NULL, 0);
    CHECK(L.gan.cfg.loss == GP_LOSS_WGAN_GP && lesson_eval(&L).coverage.high_quality == 0.0);
    double lo = INFINITY, hi = 0;
    int both = 0;
    for (int r = 100; r <= 1000; r += 100) {
        lesson_rounds(&L, 100, NULL);
        lesson_look a = lesson_arrows(&L);
        lo = fmin(lo, a.mean), hi = fmax(hi, a.mean);
        if (lesson_eval(&L).coverage.covered == 2 && !both) both = r;
    }
    CHECK(lo > 0.7 && hi < 1.3 && both > 0);
    gp_gan_free(&L.gan);
    /* against minimax with a D trained to certainty: the saturating lesson on the same clusters */
    gp_gan_config cfg;
    gp_err err;
    CHECK(gp_2d_lesson_config(gp_2d_lesson_find("saturating"), &cfg, &err) == GP_OK);
    CHECK(gp_2d_dist_init(&L.dist, "two", NULL, 0, &err) == GP_OK && gp_gan_create(&L.gan, &cfg, 1, &err) == GP_OK);
    lesson_rounds(&L, 300, NULL);
    lesson_look m = lesson_arrows(&L);
    CHECK(m.max < 0.06 && m.radius < 0.2 && lesson_eval(&L).coverage.high_quality == 0.0);
    gp_gan_free(&L.gan);
    /* and minimax with the lesson's own D (Adam, 5 steps): no saturation, both clusters by round 200 */
    lesson_start(&L, "wgan_disjoint", "loss=minimax", NULL, 0);
    lesson_rounds(&L, 200, NULL);
    int own = lesson_eval(&L).coverage.covered;
    CHECK(own == 2);
    printf("  wgan_disjoint: arrows %.3f..%.3f, both clusters at round %d; minimax with a certain D: largest arrow "
           "%.4f, radius %.3f at 300; minimax with the lesson's D: %d/2 at 200\n", lo, hi, both, m.max, m.radius, own);
    gp_gan_free(&L.gan);
}

/* draw: a drawn L shape; within 2,000 rounds most samples lie near it. */
static void test_lesson_draw(void) {
    float pts[2 * 60];
    for (int i = 0; i < 30; i++) {
        pts[2 * i] = -0.8f, pts[2 * i + 1] = -0.8f + 1.6f * (float)i / 29.0f;
        pts[60 + 2 * i] = -0.8f + 1.6f * (float)i / 29.0f, pts[60 + 2 * i + 1] = -0.8f;
    }
    lesson_run L;
    lesson_start(&L, "draw", NULL, pts, 60);
    CHECK(L.dist.kind == GP_2D_DRAWN);
    lesson_rounds(&L, 2000, NULL);
    enum { N = 1000 };
    static float z[2 * N], x[2 * N];
    gp_gan_latents(&L.gan, 7, N, z);
    gp_gan_generate(&L.gan, z, NULL, N, x);
    int near = 0;
    for (int i = 0; i < N; i++) {
        float best = INFINITY;
        for (int j = 0; j < 60; j++) best = fminf(best, hypotf(x[2 * i] - pts[2 * j], x[2 * i + 1] - pts[2 * j + 1]));
        near += best < 0.1f;
    }
    CHECK(near > N / 2);
    printf("  draw: %d of %d samples within 0.1 of a drawn point\n", near, N);
    gp_gan_free(&L.gan);
}

static void test_lessons(void) {
    gp_err err;
    const char *names[] = {"healthy", "collapse", "oscillation", "saturating", "nonsaturating",
                           "strong_d", "fold", "wgan_disjoint", "d_steps", "draw"};
    CHECK(GP_N_2D_LESSONS == 10);
    for (int i = 0; i < GP_N_2D_LESSONS; i++) {
        gp_gan_config cfg;
        CHECK(!strcmp(GP_2D_LESSONS[i].name, names[i]));
        CHECK(gp_2d_lesson_config(&GP_2D_LESSONS[i], &cfg, &err) == GP_OK);
    }
    CHECK(gp_2d_lesson_find("nope") == NULL);
    gp_json j;
    gp_json_init(&j);
    gp_2d_json(&j);
    const char *json = gp_json_text(&j);
    CHECK(json && strstr(json, "\"name\":\"ring\"") && strstr(json, "\"modes\":25") &&
          strstr(json, "\"name\":\"collapse\"") && strstr(json, "\"arrow_scale\":0.1") &&
          strstr(json, "\"name\":\"draw\",") && strstr(json, "\"dist\":\"drawn\""));
    gp_json_free(&j);
    /* the 2-D defaults changed, the first visit and the image presets did not */
    gp_gan_config c2, cm;
    CHECK(gp_gan_config_default(&c2, "2d", &err) == GP_OK && gp_gan_config_default(&cm, "mlp", &err) == GP_OK);
    CHECK(c2.g_width == 64 && c2.d_width == 64 && c2.activation == GP_ACT_LEAKY_RELU && c2.ema == 0.99f);
    CHECK(cm.ema == 0.0f && cm.g_width == 32 && cm.activation == GP_ACT_RELU);
    test_lesson_healthy_and_d_steps();
    test_lesson_collapse();
    test_lesson_oscillation();
    test_lesson_saturating();
    test_lesson_strong_d();
    test_lesson_fold();
    test_lesson_wgan_disjoint();
    test_lesson_draw();
}

int main(void) {
    /* the lessons' claims hold for the multiply-then-add tile (kernels.h), as
     * the CLI's train2d and the page's SIMD engine run them */
    gp_kernels_select("strict");
    test_sources();
    test_estimators();
    test_views();
    test_rounds();
    test_lessons();
    return check_report("2d");
}
