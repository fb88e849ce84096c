/* The 2-D GAN: toy distributions (deterministic for a seed), D over a grid,
 * G's manifold, the gradient arrows (against a difference quotient), the
 * KL/JS and coverage estimators (closed-form cases), and the lessons: the
 * healthy ring covers all eight modes, the mode-collapse lesson does not. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gan/gan.h"
#include "nn/layers.h"
#include "gan/losses.h"
#include "gan/2d.h"

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

/* The first two lessons do what their paragraphs say, within 3,000 rounds. */
static void test_lessons(void) {
    gp_err err;
    for (int i = 0; i < GP_N_2D_LESSONS; i++) {
        gp_gan_config cfg;
        CHECK(gp_2d_lesson_config(&GP_2D_LESSONS[i], &cfg, &err) == GP_OK);
    }
    const char *names[2] = {"healthy", "collapse"};
    int covered[2];
    for (int k = 0; k < 2; k++) {
        const gp_2d_lesson *lesson = gp_2d_lesson_find(names[k]);
        gp_gan_config cfg;
        CHECK(lesson && gp_2d_lesson_config(lesson, &cfg, &err) == GP_OK);
        gp_2d_dist dist;
        CHECK(gp_2d_dist_init(&dist, cfg.dataset, NULL, 0, &err) == GP_OK && dist.n_modes == 8);
        gp_gan gan;
        CHECK(gp_gan_create(&gan, &cfg, 1, &err) == GP_OK);
        int best = 0;
        for (int r = 1; r <= 3000; r++) {
            CHECK(gp_2d_round(&gan, &dist, &err) == GP_OK);
            if (r % 500 == 0) {
                gp_2d_eval ev;
                CHECK(gp_2d_evaluate(&gan, &dist, 2000, 7, &ev, &err) == GP_OK);
                if (ev.coverage.covered > best) best = ev.coverage.covered;
            }
        }
        covered[k] = best;
        gp_gan_free(&gan);
    }
    CHECK(covered[0] == 8);  /* healthy: all eight modes */
    CHECK(covered[1] <= 2);  /* collapse: never more than two at once */
    /* saturating: with the minimax loss the fakes never reach the ring and D
     * rejects them with near certainty; the non-saturating loss moves them there */
    double quality[2], d_fake[2];
    for (int k = 0; k < 2; k++) {
        gp_gan_config cfg;
        CHECK(gp_2d_lesson_config(gp_2d_lesson_find("saturating"), &cfg, &err) == GP_OK && cfg.loss == GP_LOSS_MINIMAX);
        if (k) cfg.loss = GP_LOSS_NONSATURATING;
        gp_2d_dist dist;
        gp_gan gan;
        CHECK(gp_2d_dist_init(&dist, cfg.dataset, NULL, 0, &err) == GP_OK && gp_gan_create(&gan, &cfg, 1, &err) == GP_OK);
        for (int r = 0; r < 400; r++) CHECK(gp_2d_round(&gan, &dist, &err) == GP_OK);
        gp_2d_eval ev;
        CHECK(gp_2d_evaluate(&gan, &dist, 1000, 7, &ev, &err) == GP_OK);
        quality[k] = ev.coverage.high_quality;
        d_fake[k] = gan.stats.d_fake;
        gp_gan_free(&gan);
    }
    CHECK(quality[0] == 0.0 && d_fake[0] < 0.01 && quality[1] > 0.2);
    CHECK(gp_2d_lesson_find("nope") == NULL);
    gp_json j;
    gp_json_init(&j);
    gp_2d_json(&j);
    const char *json = gp_json_text(&j);
    CHECK(json && strstr(json, "\"name\":\"ring\"") && strstr(json, "\"modes\":25") &&
          strstr(json, "\"name\":\"collapse\""));
    gp_json_free(&j);
}

int main(void) {
    test_sources();
    test_estimators();
    test_views();
    test_rounds();
    test_lessons();
    return check_report("2d");
}
