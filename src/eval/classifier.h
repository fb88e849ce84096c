/* classifier.h: a small MNIST classifier trained with our own core, and the
 * quality scores built on it: the Fréchet distance between the classifier's
 * penultimate features of generated and held-out real images ("digit FD"),
 * and the histogram and entropy of the predicted classes. */
#ifndef GP_CLASSIFIER_H
#define GP_CLASSIFIER_H

#include <stdint.h>

#include "base/json.h"
#include "data/dataset.h"
#include "eval/fd.h"
#include "nn/net.h"
#include "base/status.h"

#define GP_CLASSES 10

typedef struct {
    gp_net net;
    int feature_layer; /* the layer whose output is the feature vector */
    int feature_dim;
    gp_adam opt;
    gp_rng rng;        /* batches and augmentation */
    float *x;          /* batch x image */
    uint8_t *labels;   /* batch */
    float *dlogits;    /* batch x classes */
    long step;
} gp_classifier;

/* The classifier architecture for images of input's shape (1x28x28 digits
 * and clothes, 3x32x32 emoji; 1 or 3 channels, sides multiples of 4),
 * initialized from seed. */
gp_status gp_classifier_create(gp_classifier *c, gp_shape input, int batch, uint64_t seed, gp_err *err);
/* The same for a description read from a file (weights then overwritten). */
gp_status gp_classifier_create_arch(gp_classifier *c, gp_shape input, const gp_layer_desc *layers,
                                    int n_layers, int feature_layer, int batch, gp_err *err);
void gp_classifier_free(gp_classifier *c);

/* One Adam step on a training batch (random shifts of up to 2 pixels).
 * Writes the batch's mean cross-entropy to *loss. */
gp_status gp_classifier_train_step(gp_classifier *c, const gp_dataset *ds, float lr, float *loss, gp_err *err);

/* Whether the dataset's images have the shape the classifier reads (a
 * message if not). */
gp_status gp_classifier_check_images(const gp_classifier *c, const gp_dataset *ds, gp_err *err);

/* Evaluation mode. images: count x the classifier's input size, in [-1, 1]. Either output may be NULL:
 * predicted classes (count) and features (count x feature_dim). */
void gp_classifier_run(gp_classifier *c, const float *images, int count, uint8_t *pred, float *features);
/* Accuracy on the dataset's held-out images (0..1). */
gp_status gp_classifier_accuracy(gp_classifier *c, const gp_dataset *ds, double *acc, gp_err *err);
/* The learning rate of training step `step` (1..steps): cosine decay from
 * lr to 5% of lr over the run. */
float gp_classifier_lr(float lr, long step, long steps);

typedef struct {
    int count;
    double fd;                  /* digit FD against the reference */
    double entropy;             /* of the class histogram, nats (max ln 10) */
    double hist[GP_CLASSES];    /* fraction of images per predicted class */
    double cond_acc;            /* with labels: share of images classified as their label; else -1 */
} gp_quality;

/* Feature statistics of the dataset's held-out images (ref is initialized
 * here; free with gp_feature_stats_free). Refuses a dataset whose images are
 * not the classifier's shape, or that holds out fewer than 2 images. */
gp_status gp_quality_reference(gp_classifier *c, const gp_dataset *ds, gp_feature_stats *ref, gp_err *err);
/* The same from the held-out split (held_out 1) or the training split (0). */
gp_status gp_quality_reference_split(gp_classifier *c, const gp_dataset *ds, int held_out, gp_feature_stats *ref,
                                     gp_err *err);
/* Scores count images (count x the classifier's input size, in [-1, 1],
 * count >= 2) against ref;
 * labels (count classes, or NULL) are the classes the images were asked to
 * show, for the conditional accuracy. */
/* The quality's fields (count, fd, entropy, hist, cond_acc: null without
 * labels) into an open JSON object. */
void gp_quality_json(const gp_quality *q, gp_json *j);
gp_status gp_quality_score(gp_classifier *c, const gp_feature_stats *ref, const float *images, const int *labels,
                           int count, gp_quality *q, gp_err *err);

#endif
