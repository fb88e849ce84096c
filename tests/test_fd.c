/* Fréchet distance: exact cases and closed forms. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "eval/fd.h"
#include "base/rng.h"

static void finish_from(gp_feature_stats *s, const float *x, int n, int d) {
    gp_err err;
    gp_feature_stats_init(s, d, &err);
    gp_feature_stats_add(s, x, n);
    CHECK(gp_feature_stats_finish(s, &err) == GP_OK);
}

int main(void) {
    gp_err err;
    /* eigen-decomposition of a known matrix: [[2,1],[1,2]] -> 1, 3 */
    double a[4] = {2, 1, 1, 2}, vals[2], vecs[4];
    CHECK(gp_sym_eigen(a, 2, vals, vecs));
    CHECK_CLOSE(vals[0], 1, 1e-12, 0);
    CHECK_CLOSE(vals[1], 3, 1e-12, 0);
    CHECK_CLOSE(fabs(vecs[0 * 2 + 1]), sqrt(0.5), 1e-12, 0);

    /* a random SPD matrix: A v = lambda v for every pair */
    enum { N = 12 };
    double m[N * N], orig[N * N], ev[N], V[N * N];
    gp_rng rng;
    gp_rng_seed(&rng, 5);
    double g[N * N];
    for (int i = 0; i < N * N; i++) g[i] = gp_rng_normal(&rng);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < N; k++) s += g[i * N + k] * g[j * N + k];
            m[i * N + j] = orig[i * N + j] = s;
        }
    CHECK(gp_sym_eigen(m, N, ev, V));
    double worst = 0;
    for (int c = 0; c < N; c++)
        for (int i = 0; i < N; i++) {
            double av = 0;
            for (int k = 0; k < N; k++) av += orig[i * N + k] * V[k * N + c];
            worst = fmax(worst, fabs(av - ev[c] * V[i * N + c]));
        }
    CHECK(worst < 1e-9);
    for (int c = 1; c < N; c++) CHECK(ev[c - 1] <= ev[c]);

    /* identical sets: distance 0 */
    enum { n = 400, d = 6 };
    float *x = malloc(sizeof(float) * n * d), *y = malloc(sizeof(float) * n * d);
    for (int i = 0; i < n * d; i++) x[i] = gp_rng_normal(&rng);
    gp_feature_stats sx, sy;
    finish_from(&sx, x, n, d);
    finish_from(&sy, x, n, d);
    double fd;
    CHECK(gp_frechet_distance(&sx, &sy, &fd, &err) == GP_OK);
    CHECK_CLOSE(fd, 0, 1e-9, 0);
    gp_feature_stats_free(&sy);

    /* y = 2x + 3: C2 = 4 C1, so FD = |mu_x - mu_y|^2 + tr(C1) + 4 tr(C1) - 2*2 tr(C1) */
    for (int i = 0; i < n * d; i++) y[i] = 2 * x[i] + 3;
    finish_from(&sy, y, n, d);
    CHECK(gp_frechet_distance(&sx, &sy, &fd, &err) == GP_OK);
    double tr = 0, dmu = 0;
    for (int i = 0; i < d; i++) {
        tr += sx.cov[i * d + i];
        dmu += (sx.mean[i] + 3) * (sx.mean[i] + 3); /* mu_y = 2 mu_x + 3 */
    }
    CHECK_CLOSE(fd, dmu + tr, 1e-6, 1e-9);
    /* symmetric */
    double fd2;
    CHECK(gp_frechet_distance(&sy, &sx, &fd2, &err) == GP_OK);
    CHECK_CLOSE(fd2, fd, 1e-6, 1e-9);
    gp_feature_stats_free(&sy);

    /* diagonal covariances: FD = sum (mu diff)^2 + (s1 - s2)^2 per axis */
    gp_feature_stats p, q;
    gp_feature_stats_init(&p, 3, &err);
    gp_feature_stats_init(&q, 3, &err);
    double s1[3] = {1, 4, 9}, s2[3] = {4, 1, 9}, mu1[3] = {0, 1, 2}, mu2[3] = {1, 1, 0};
    for (int i = 0; i < 3; i++) {
        p.mean[i] = mu1[i], q.mean[i] = mu2[i];
        p.cov[i * 3 + i] = s1[i], q.cov[i * 3 + i] = s2[i];
    }
    CHECK(gp_frechet_distance(&p, &q, &fd, &err) == GP_OK);
    double want = 0;
    for (int i = 0; i < 3; i++) want += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]) + pow(sqrt(s1[i]) - sqrt(s2[i]), 2);
    CHECK_CLOSE(fd, want, 1e-9, 0);
    gp_feature_stats_free(&p);
    gp_feature_stats_free(&q);

    /* refusals */
    gp_feature_stats one;
    gp_feature_stats_init(&one, d, &err);
    gp_feature_stats_add(&one, x, 1);
    CHECK(gp_feature_stats_finish(&one, &err) == GP_ERR_ARG);
    gp_feature_stats_free(&one);
    CHECK(gp_feature_stats_init(&one, 0, &err) == GP_ERR_ARG);
    gp_feature_stats_free(&sx);
    free(x);
    free(y);
    return check_report("fd");
}
