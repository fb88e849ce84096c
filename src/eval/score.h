/* score.h: a generator's quality, measured with a classifier: the scoring
 * pipeline the CLI and the page share. */
#ifndef GP_SCORE_H
#define GP_SCORE_H

#include <stdint.h>

#include "eval/classifier.h"
#include "gan/gan.h"

/* Scores count samples of gan (latents from seed) against ref. A
 * conditional model draws class `label` for every sample, or classes in
 * turn (sample i has class i mod classes) when label is -1, and q->cond_acc
 * is the share the classifier assigns to the class asked for. */
gp_status gp_score_model(gp_classifier *c, const gp_feature_stats *ref, gp_gan *gan, int count, uint64_t seed,
                         int label, gp_quality *q, gp_err *err);

/* A k x k box blur (k odd, 1..GP_BLUR_MAX) of count images (c x h x w, each
 * plane apart), in place; at the borders the mean of the window's part
 * inside the image. tmp: h x w floats. A reference for FD: what the data
 * scores when its details are gone. */
#define GP_BLUR_MAX 9
void gp_images_blur(float *images, int count, int c, int h, int w, int k, float *tmp);

/* The classes of count samples: label for all, or i mod classes if label is -1. */
void gp_score_labels(int *labels, int count, int classes, int label);

#endif
