/* nearest.h: the memorization check. For a generated image, the training
 * images nearest to it, in pixels (squared distance over [-1, 1] pixels)
 * and in the classifier's feature space (its penultimate layer, where
 * images of the same digit drawn alike are close even when their pixels are
 * shifted). A generator that copies its training set shows distances near
 * zero here. Only the training split is searched: the held-out images were
 * never seen. */
#ifndef GP_NEAREST_H
#define GP_NEAREST_H

#include <stdint.h>

#include "eval/classifier.h"
#include "data/dataset.h"
#include "base/status.h"

#define GP_NEAREST_MAX 16

/* The k (1..GP_NEAREST_MAX) training images nearest to image in pixels:
 * idx (dataset image indices) and dist (squared distances), nearest first;
 * ties go to the lower index. Returns how many were written (k, or fewer if
 * the training split is smaller). */
int gp_nearest_pixels(const gp_dataset *ds, const float *image, int k, int *idx, float *dist);

/* The classifier's features of every training image, computed once. */
typedef struct {
    int n, dim;
    float *features; /* n x dim */
    int32_t *index;  /* n dataset image indices */
} gp_feature_bank;

gp_status gp_feature_bank_build(gp_classifier *c, const gp_dataset *ds, gp_feature_bank *bank, gp_err *err);
void gp_feature_bank_free(gp_feature_bank *bank);

/* As gp_nearest_pixels, in feature space (squared distance of features). */
int gp_nearest_features(gp_classifier *c, const gp_feature_bank *bank, const float *image, int k, int *idx,
                        float *dist);

#endif
