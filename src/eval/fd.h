/* fd.h: Fréchet distance between two sets of feature vectors, each summed
 * up by its mean and covariance (the FID formula, on our own classifier's
 * features):  |mu1 - mu2|^2 + tr(C1) + tr(C2) - 2 tr sqrt(C1 C2).
 * All in double precision. */
#ifndef GP_FD_H
#define GP_FD_H

#include "base/status.h"

typedef struct {
    int dim;
    long count;
    double *mean; /* dim */
    double *cov;  /* dim x dim, unbiased (count - 1) */
    double *sum, *sum_outer; /* running sums while adding */
} gp_feature_stats;

gp_status gp_feature_stats_init(gp_feature_stats *s, int dim, gp_err *err);
void gp_feature_stats_free(gp_feature_stats *s);
/* Adds n feature vectors (n x dim floats). */
void gp_feature_stats_add(gp_feature_stats *s, const float *features, int n);
/* Computes mean and cov from what was added (needs count >= 2). */
gp_status gp_feature_stats_finish(gp_feature_stats *s, gp_err *err);

/* Fréchet distance of two finished stats of the same dim. */
gp_status gp_frechet_distance(const gp_feature_stats *a, const gp_feature_stats *b, double *fd,
                              gp_err *err);

/* Eigenvalues (ascending) and eigenvectors (columns of vecs, n x n
 * row-major) of a symmetric matrix by cyclic Jacobi rotations; a is
 * overwritten. Returns 0 if it did not converge. */
int gp_sym_eigen(double *a, int n, double *vals, double *vecs);

#endif
