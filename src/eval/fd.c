#include "eval/fd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

gp_status gp_feature_stats_init(gp_feature_stats *s, int dim, gp_err *err) {
    memset(s, 0, sizeof *s);
    if (dim < 1 || dim > 2048) return gp_fail(err, GP_ERR_ARG, "feature dimension %d is out of range", dim);
    size_t d = (size_t)dim;
    s->dim = dim;
    s->mean = calloc(d, sizeof(double));
    s->sum = calloc(d, sizeof(double));
    s->cov = calloc(d * d, sizeof(double));
    s->sum_outer = calloc(d * d, sizeof(double));
    if (!s->mean || !s->sum || !s->cov || !s->sum_outer) {
        gp_feature_stats_free(s);
        return gp_fail(err, GP_ERR_NOMEM, "out of memory for feature statistics");
    }
    return GP_OK;
}

void gp_feature_stats_free(gp_feature_stats *s) {
    free(s->mean);
    free(s->sum);
    free(s->cov);
    free(s->sum_outer);
    memset(s, 0, sizeof *s);
}

void gp_feature_stats_add(gp_feature_stats *s, const float *features, int n) {
    int d = s->dim;
    for (int r = 0; r < n; r++) {
        const float *f = features + (size_t)r * d;
        for (int i = 0; i < d; i++) {
            s->sum[i] += f[i];
            double fi = f[i];
            double *row = s->sum_outer + (size_t)i * d;
            for (int j = i; j < d; j++) row[j] += fi * f[j]; /* upper triangle */
        }
    }
    s->count += n;
}

gp_status gp_feature_stats_finish(gp_feature_stats *s, gp_err *err) {
    if (s->count < 2) return gp_fail(err, GP_ERR_ARG, "need at least 2 feature vectors, have %ld", s->count);
    int d = s->dim;
    double n = (double)s->count;
    for (int i = 0; i < d; i++) s->mean[i] = s->sum[i] / n;
    for (int i = 0; i < d; i++)
        for (int j = i; j < d; j++) {
            double c = (s->sum_outer[(size_t)i * d + j] - n * s->mean[i] * s->mean[j]) / (n - 1);
            s->cov[(size_t)i * d + j] = s->cov[(size_t)j * d + i] = c;
        }
    return GP_OK;
}

int gp_sym_eigen(double *a, int n, double *vals, double *vecs) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) vecs[(size_t)i * n + j] = i == j;
    int converged = 0;
    for (int sweep = 0; sweep < 100 && !converged; sweep++) {
        double off = 0, total = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double v = a[(size_t)i * n + j] * a[(size_t)i * n + j];
                total += v;
                if (i != j) off += v;
            }
        if (off <= 1e-30 * total || off == 0) {
            converged = 1;
            break;
        }
        for (int p = 0; p < n - 1; p++)
            for (int q = p + 1; q < n; q++) {
                double apq = a[(size_t)p * n + q];
                if (fabs(apq) < 1e-300) continue;
                double app = a[(size_t)p * n + p], aqq = a[(size_t)q * n + q];
                /* rotation angle that zeroes a[p][q] (Golub & Van Loan 8.4) */
                double theta = (aqq - app) / (2 * apq);
                double t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                for (int k = 0; k < n; k++) { /* columns p, q */
                    double akp = a[(size_t)k * n + p], akq = a[(size_t)k * n + q];
                    a[(size_t)k * n + p] = c * akp - s * akq;
                    a[(size_t)k * n + q] = s * akp + c * akq;
                }
                for (int k = 0; k < n; k++) { /* rows p, q */
                    double apk = a[(size_t)p * n + k], aqk = a[(size_t)q * n + k];
                    a[(size_t)p * n + k] = c * apk - s * aqk;
                    a[(size_t)q * n + k] = s * apk + c * aqk;
                }
                for (int k = 0; k < n; k++) {
                    double vkp = vecs[(size_t)k * n + p], vkq = vecs[(size_t)k * n + q];
                    vecs[(size_t)k * n + p] = c * vkp - s * vkq;
                    vecs[(size_t)k * n + q] = s * vkp + c * vkq;
                }
            }
    }
    for (int i = 0; i < n; i++) vals[i] = a[(size_t)i * n + i];
    /* sort ascending, moving eigenvector columns along */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && vals[j - 1] > vals[j]; j--) {
            double t = vals[j];
            vals[j] = vals[j - 1];
            vals[j - 1] = t;
            for (int k = 0; k < n; k++) {
                double *row = vecs + (size_t)k * n;
                t = row[j];
                row[j] = row[j - 1];
                row[j - 1] = t;
            }
        }
    return converged;
}

gp_status gp_frechet_distance(const gp_feature_stats *a, const gp_feature_stats *b, double *fd,
                              gp_err *err) {
    if (a->dim != b->dim) return gp_fail(err, GP_ERR_ARG, "feature dimensions differ (%d, %d)", a->dim, b->dim);
    int d = a->dim;
    size_t dd = (size_t)d * d;
    double *m = malloc(dd * sizeof(double)), *vecs = malloc(dd * sizeof(double));
    double *root = malloc(dd * sizeof(double)), *tmp = malloc(dd * sizeof(double));
    double *vals = malloc((size_t)d * sizeof(double));
    if (!m || !vecs || !root || !tmp || !vals) {
        free(m); free(vecs); free(root); free(tmp); free(vals);
        return gp_fail(err, GP_ERR_NOMEM, "out of memory computing a Fréchet distance");
    }
    gp_status st = GP_OK;
    /* root = sqrt(C1) = V sqrt(max(L, 0)) V^T */
    memcpy(m, a->cov, dd * sizeof(double));
    if (!gp_sym_eigen(m, d, vals, vecs)) st = gp_fail(err, GP_ERR_NAN, "eigen-decomposition did not converge");
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++) {
            double s = 0;
            for (int k = 0; k < d; k++)
                s += vecs[(size_t)i * d + k] * sqrt(fmax(vals[k], 0)) * vecs[(size_t)j * d + k];
            root[(size_t)i * d + j] = s;
        }
    /* tr sqrt(C1 C2) = tr sqrt(root C2 root), a symmetric PSD matrix */
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++) {
            double s = 0;
            for (int k = 0; k < d; k++) s += root[(size_t)i * d + k] * b->cov[(size_t)k * d + j];
            tmp[(size_t)i * d + j] = s;
        }
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++) {
            double s = 0;
            for (int k = 0; k < d; k++) s += tmp[(size_t)i * d + k] * root[(size_t)k * d + j];
            m[(size_t)i * d + j] = s;
        }
    for (int i = 0; i < d; i++) /* symmetrize rounding */
        for (int j = i + 1; j < d; j++) {
            double v = 0.5 * (m[(size_t)i * d + j] + m[(size_t)j * d + i]);
            m[(size_t)i * d + j] = m[(size_t)j * d + i] = v;
        }
    if (st == GP_OK && !gp_sym_eigen(m, d, vals, vecs))
        st = gp_fail(err, GP_ERR_NAN, "eigen-decomposition did not converge");
    double tr_sqrt = 0, tr_a = 0, tr_b = 0, dmu = 0;
    for (int i = 0; i < d; i++) {
        tr_sqrt += sqrt(fmax(vals[i], 0));
        tr_a += a->cov[(size_t)i * d + i];
        tr_b += b->cov[(size_t)i * d + i];
        dmu += (a->mean[i] - b->mean[i]) * (a->mean[i] - b->mean[i]);
    }
    *fd = fmax(dmu + tr_a + tr_b - 2 * tr_sqrt, 0);
    free(m); free(vecs); free(root); free(tmp); free(vals);
    return st;
}
