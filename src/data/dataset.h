/* dataset.h: labelled images, gray or colour, in ganplay's dataset file.
 *
 * File layout (all integers little-endian uint32):
 *   magic "GPDS", version (1), count, height, width, channels (1: gray, 3: RGB),
 *   then count*channels*height*width uint8 pixels: per image its channel
 *   planes (all R, then G, then B), each row-major, 0 = black;
 *   then count uint8 labels (0..9).
 * The held-out split is part of the format's contract: image i (in file
 * order) is held out when i % 5 == 4; models train on the others. */
#ifndef GP_DATASET_H
#define GP_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "base/rng.h"
#include "base/status.h"

#define GP_DATASET_MAGIC "GPDS"
#define GP_DATASET_VERSION 1

typedef struct {
    int count, h, w, c;
    uint8_t *pixels;      /* count * h * w * c */
    uint8_t *labels;      /* count */
    int n_train, n_test;
    int32_t *train_index; /* images with i % 5 != 4 */
    int32_t *test_index;  /* images with i % 5 == 4 */
} gp_dataset;

/* Parses a dataset held in memory (copies what it keeps). */
gp_status gp_dataset_from_bytes(gp_dataset *ds, const uint8_t *bytes, size_t len, gp_err *err);
gp_status gp_dataset_load(gp_dataset *ds, const char *path, gp_err *err);
/* One user image (h x w RGBA) as it is trained on, into out (channels x h
 * x w). Gray (channels 1): luma composited over white, inverted when its
 * border is mostly light (dark ink on paper), so it is light strokes on
 * black as in MNIST. Colour (3): R, G, B planes composited over white. */
void gp_image_as_trained(const uint8_t *rgba, int h, int w, int channels, uint8_t *out);
/* A dataset from images a user drew or picked: count RGBA images of h x w
 * (count*h*w*4 bytes, as a canvas's getImageData gives them), all labelled
 * 0. Each becomes channels (1 or 3) planes as gp_image_as_trained says.
 * Refuses a count outside min..max. */
gp_status gp_dataset_from_rgba(gp_dataset *ds, const uint8_t *rgba, int count, int h, int w, int channels,
                               int min_count, int max_count, gp_err *err);
void gp_dataset_free(gp_dataset *ds);
#define GP_IMAGE_MAX_SIDE 4096 /* a user image's sides at most (a PNG is refused from its header above it) */
/* One user image as the models see it: rgba (h x w x 4, a canvas's or a
 * PNG's pixels) of out_h x out_w or a whole multiple of it (averaged down
 * by blocks), composited over white. As a gray image (out_c 1, as_mask 0):
 * light strokes on black in [-1, 1], inverted when the border is mostly
 * light (dark ink on paper). As a colour image (out_c 3): R, G, B planes in
 * [-1, 1], never inverted. As a mask (as_mask 1): 1 where the pixel's gray
 * is light (counts), 0 where it is dark, the same in each of the out_c
 * planes. Sides up to GP_IMAGE_MAX_SIDE. out: out_c x out_h x out_w floats. */
gp_status gp_image_from_rgba(float *out, const uint8_t *rgba, int h, int w, int out_c, int out_h, int out_w,
                             int as_mask, gp_err *err);

static inline int gp_dataset_is_held_out(int i) { return i % 5 == 4; }

/* Writes image idx as floats in [-1, 1] (pixel / 127.5 - 1). */
void gp_dataset_image(const gp_dataset *ds, int idx, float *out);
/* Fills out (batch x h*w*c) with training images drawn uniformly, and
 * labels (batch) with their classes unless labels is NULL. */
void gp_dataset_sample_batch(const gp_dataset *ds, gp_rng *rng, float *out, uint8_t *labels, int batch);
/* The k-th held-out image (k >= 0, wrapping around) in an order that mixes
 * the classes: files are often ordered by class, so consecutive held-out
 * images would all show one class. Returns an image index. */
int gp_dataset_held_out_mixed(const gp_dataset *ds, int k);
/* 1 + the largest label. */
int gp_dataset_classes(const gp_dataset *ds);
/* The name of class `label` of a known dataset ("mnist", "fashion", "emoji"), or NULL. */
const char *gp_dataset_class_name(const char *dataset, int label);

/* The datasets the project ships, as the page and the run names call them. */
typedef struct {
    const char *name;     /* as the address and the settings spell it: "mnist" */
    const char *label;    /* in a run's name and the banners: "MNIST digits" */
    const char *fd_label; /* the FD chart's title: "Digit FD" */
    const char *things;   /* what its images show, for the FD's explanation: "digit" */
    int classes;
    int channels, height, width; /* its images */
} gp_dataset_info;
#define GP_N_DATASETS 3
extern const gp_dataset_info GP_DATASETS[GP_N_DATASETS];
/* The shipped dataset of that name, or NULL. */
const gp_dataset_info *gp_dataset_find(const char *name);
/* The emoji classes' whole names, as emoji-datasource calls its categories. */
extern const char *const GP_EMOJI_CATEGORIES[9];
/* The name of class `label` for people: the emoji categories whole ("Smileys
 * & Emotion"), else as gp_dataset_class_name; NULL if unknown. */
const char *gp_dataset_class_label(const char *dataset, int label);
/* The images a model that trains on dataset `name` makes: a shipped
 * dataset's own (channels 0, or the dataset's channels); any other name is
 * a user's images, gray 1 x GP_OWN_GRAY_SIDE^2 (channels 0 or 1) or colour
 * 3 x GP_OWN_COLOUR_SIDE^2 (channels 3). Other channels are refused. */
#define GP_OWN_GRAY_SIDE 28
#define GP_OWN_COLOUR_SIDE 32
gp_status gp_dataset_image_shape(const char *name, int channels, int *c, int *h, int *w, gp_err *err);

/* Reads a whole file; *data is malloc'ed. Refuses files over max_len. */
gp_status gp_read_file(const char *path, uint8_t **data, size_t *len, size_t max_len, gp_err *err);
/* Writes a whole file so that a failure never destroys what was at path:
 * a temporary file beside it, flushed and synced, then renamed over it. */
gp_status gp_write_file_atomic(const char *path, const uint8_t *bytes, size_t len, gp_err *err);
/* Whether path can be written that way (its folder exists and takes a new
 * file; it is not a folder), checked by making a file beside it and
 * removing it: before a long computation whose result goes there. */
gp_status gp_check_writable(const char *path, gp_err *err);

#endif
