/* resize.h: images made smaller by averaging blocks, and larger by bicubic
 * interpolation, as the upscaling edits compare them.
 *
 * Images are c planes of h x w floats (row-major, plane after plane), as
 * the models and the datasets hold them. A small pixel (i, j) stands for
 * the block of k x k large pixels whose corner is (k i, k j): its centre is
 * at large coordinate k (i + 0.5) - 0.5, and both functions keep to that. */
#ifndef GP_RESIZE_H
#define GP_RESIZE_H

/* out (c x h/k x w/k): the mean of each k x k block of in (c x h x w);
 * k >= 1 divides h and w. */
void gp_image_downscale_area(const float *in, int c, int h, int w, int k, float *out);

/* out (c x h*k x w*k): in (c x h x w) interpolated by Keys' cubic
 * convolution (a = -0.5), sample positions outside the image taken from
 * its nearest edge, each value clamped to [lo, hi] (the pixels' range, as
 * 8-bit resamplers do). k >= 1. */
void gp_image_upscale_bicubic(const float *in, int c, int h, int w, int k, float lo, float hi, float *out);

#endif
