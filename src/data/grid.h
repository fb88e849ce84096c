/* grid.h: lays images out as a grid of 8-bit pixels, for PNG files and the
 * page's canvas alike. */
#ifndef GP_GRID_H
#define GP_GRID_H

#include <stdint.h>

#define GP_GRID_PAD 2        /* pixels between and around images */
#define GP_GRID_PAD_VALUE 48 /* gray of the padding */

/* Size of the grid for count images of h x w in cols columns. */
void gp_grid_size(int count, int cols, int h, int w, int *grid_w, int *grid_h);
/* images: count x (c x h x w) floats in [-1, 1] (clamped), c 1 (gray) or 3
 * (R, G, B planes). out: grid_w x grid_h pixels of channels bytes each: 1
 * (gray; colour images as their luma), 3 (RGB) or 4 (RGBA, opaque). */
void gp_grid_render(uint8_t *out, int channels, const float *images, int count, int cols, int c, int h, int w);
/* As gp_grid_render (RGBA), with heat (count x c*h*w, any sign; a pixel's is
 * |heat| summed over its channels) laid over each
 * image in orange: a pixel's strength is |heat| over the image's largest
 * |heat|, so every image shows where its own heat is, whatever its scale. */
void gp_grid_render_heat(uint8_t *out, const float *images, const float *heat, int count, int cols, int c, int h,
                         int w);

#endif
