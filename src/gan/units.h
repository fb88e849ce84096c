/* units.h: what G's units draw, and switching them off.
 *
 * As in GAN Dissection (Bau et al., 2019): a unit is one channel of an
 * intermediate layer of G; its activation map over a sample, upsampled to
 * the image, shows where in the picture it fires. A unit is ranked by how
 * well its map marks the strokes: over a batch of samples, the pixels where
 * its upsampled map is in its top 20% (its values over the whole batch) are
 * compared with the stroke pixels, and the IoU (|both| / |either|, summed
 * over the batch) is its score. Switching a set of units off sets their
 * activations to 0 in every evaluation-mode generation (gp_gan_generate:
 * the grid, the kept sample, the scores); switching them on again gives
 * back the same images bit for bit. Training is refused while a unit is off
 * (gp_gan_can_train), so no step, snapshot or measurement of a run ever
 * sees an ablated G. The units' maps and IoUs are always of the whole G:
 * what a unit draws, whether it is on or off now. Projections (project.h)
 * fit the whole G. */
#ifndef GP_UNITS_H
#define GP_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "base/json.h"
#include "base/status.h"
#include "gan/gan.h"

/* A unit's map marks the pixels where it is above this quantile of its
 * upsampled values over the batch (0.8: its top 20%). */
#define GP_UNITS_QUANTILE 0.8
/* A pixel is a stroke where its distance from the image's background (the
 * mean of its border pixels) is more than this, in units of the value range
 * 2 (the root mean square over channels for colour): for a gray digit on
 * black, pixels brighter than mid-gray. */
#define GP_UNITS_STROKE 0.5
#define GP_UNITS_MAX_LAYERS 8
#define GP_UNITS_MAX_OFF 1024 /* units one command line switches off */

/* A layer whose units have maps: a nonlinearity of G with a spatial output
 * (height or width above 1), not G's last layer (the image itself). */
typedef struct {
    int layer;      /* index in G's layers */
    uint32_t kind;  /* gp_layer_kind */
    int units;      /* channels */
    int h, w;       /* each unit's map */
} gp_units_layer;

/* G's layers with maps, first to last, at most max; returns their count
 * (0 for an MLP generator: its layers are vectors, no map to show). */
int gp_units_layers(const gp_gan *gan, gp_units_layer *out, int max);
/* Whether layer is one of them; a message if not. */
gp_status gp_units_find_layer(const gp_gan *gan, int layer, gp_units_layer *out, gp_err *err);

/* Bilinear resampling of an h x w map to H x W as PyTorch's
 * F.interpolate(mode='bilinear', align_corners=False). */
void gp_units_upsample(const float *src, int h, int w, float *dst, int H, int W);
/* The stroke pixels (1) of an image (c x h x w, values in [-1, 1]) into
 * mask (h x w); see GP_UNITS_STROKE. */
void gp_units_strokes(const float *image, int c, int h, int w, uint8_t *mask);
/* The IoU of a unit's maps (n values over a batch, upsampled) thresholded
 * at quantile q of those values (a pixel is marked where its value is above
 * the threshold) with the stroke pixels (n bytes). *threshold (may be NULL)
 * gets the threshold. 0 where neither marks any pixel. scratch: n floats. */
float gp_units_iou(const float *maps, const uint8_t *strokes, size_t n, double q, float *threshold, float *scratch);

/* One sample's maps of a layer's units, from the whole G in evaluation
 * mode (units switched off are not zeroed here): z (latent), label (a
 * conditional model's class; NULL: class 0). Any output may be NULL: raw
 * (units x h x w, the activations), maps (units x image h x image w,
 * upsampled), image (the sample as the whole G draws it). */
gp_status gp_units_maps(gp_gan *gan, const float *z, const int *label, int layer, float *raw, float *maps,
                        float *image, gp_err *err);

typedef struct {
    int unit;
    float iou;
    float threshold; /* the unit's top-quantile threshold over the batch */
} gp_unit_score;

/* Every unit of a layer scored over count samples (z count x latent,
 * labels as gp_gan_generate's) of the whole G, best first (ties by unit):
 * scores holds the layer's units. Allocates its scratch (not a training
 * path). */
gp_status gp_units_rank(gp_gan *gan, const float *z, const int *labels, int count, int layer, gp_unit_score *scores,
                        gp_err *err);

/* Switches units (n indices) of a layer off (off = 1) or on (0). One layer
 * at a time: switching a unit of another layer off first switches the
 * other layer's units on. A bad layer or unit changes nothing. */
gp_status gp_units_set(gp_gan *gan, int layer, const int *units, int n, int off, gp_err *err);
/* Every unit on again. */
void gp_units_clear(gp_gan *gan);
/* Whether unit u of layer is off now. */
int gp_units_is_off(const gp_gan *gan, int layer, int u);

/* The layers (layer, kind, units, height, width), the units off now
 * ({layer, units}; layer -1 when all are on), the quantile and the stroke
 * threshold, and a note when G has no layer with maps. */
void gp_units_json(const gp_gan *gan, gp_json *j);
/* A ranking as JSON: {layer, samples, quantile, units: [{unit, iou, threshold}]}. */
void gp_units_rank_json(int layer, int samples, const gp_unit_score *scores, int n, gp_json *j);

#endif
