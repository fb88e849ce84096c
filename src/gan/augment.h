/* augment.h: differentiable augmentation for D (DiffAugment, Zhao et al.
 * 2020): random translation and cutout applied to the real and the fake
 * batch alike before D sees them, with gradients flowing back to G. It keeps
 * D from memorizing a small training set.
 *
 * Colour (first, in the colour modes, as DiffAugment orders them) moves each
 * image's brightness by U(-0.5, 0.5), scales its saturation (each pixel's
 * distance from its mean over the channels) by U(0, 2) and its contrast
 * (distance from the image's mean) by U(0.5, 1.5); a gray image has no
 * saturation to change. Translation shifts each image by up to 1/8 of its
 * size (padding with `fill`); cutout then fills a random square of half the
 * image size. All are affine in the image, so backward is the exact
 * transpose of their linear part. */
#ifndef GP_AUGMENT_H
#define GP_AUGMENT_H

#include "base/rng.h"

typedef enum {
    GP_AUGMENT_NONE = 0,
    GP_AUGMENT_TRANSLATE = 1,
    GP_AUGMENT_TRANSLATE_CUTOUT = 2,
    GP_AUGMENT_COLOR_TRANSLATE = 3,
    GP_AUGMENT_COLOR_TRANSLATE_CUTOUT = 4,
    GP_AUGMENT_COUNT
} gp_augment_mode;

/* One image's draw: brightness shift, saturation and contrast factors
 * (0, 1, 1: no colour change); shift (dx, dy); cutout square rows
 * y0..y1-1, columns x0..x1-1 (empty when y0 == y1). */
typedef struct {
    float bright, sat, contrast;
    int dx, dy, x0, x1, y0, y1;
} gp_augment_draw;

/* Draws B images' augmentations for mode (h x w images). */
void gp_augment_sample(gp_augment_draw *d, int B, int h, int w, int mode, gp_rng *rng);
/* in, out (B, c, h, w): out = augment(in); out must not alias in. */
void gp_augment_forward(float *out, const float *in, const gp_augment_draw *d, int B, int c, int h, int w,
                        float fill);
/* dout -> din, the transpose of gp_augment_forward (din overwritten). */
void gp_augment_backward(float *din, const float *dout, const gp_augment_draw *d, int B, int c, int h, int w);

#endif
