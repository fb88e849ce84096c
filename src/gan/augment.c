#include "gan/augment.h"

#include <string.h>

void gp_augment_sample(gp_augment_draw *d, int B, int h, int w, int mode, gp_rng *rng) {
    int sx = (int)(w * 0.125 + 0.5), sy = (int)(h * 0.125 + 0.5);
    int cw = (int)(w * 0.5 + 0.5), ch = (int)(h * 0.5 + 0.5);
    for (int b = 0; b < B; b++) {
        gp_augment_draw *a = &d[b];
        memset(a, 0, sizeof *a);
        if (mode == GP_AUGMENT_NONE) continue;
        a->dx = (int)gp_rng_below(rng, (uint32_t)(2 * sx + 1)) - sx;
        a->dy = (int)gp_rng_below(rng, (uint32_t)(2 * sy + 1)) - sy;
        if (mode != GP_AUGMENT_TRANSLATE_CUTOUT) continue;
        /* the square's centre anywhere in the image; the square is clipped */
        int cx = (int)gp_rng_below(rng, (uint32_t)w), cy = (int)gp_rng_below(rng, (uint32_t)h);
        a->x0 = cx - cw / 2 < 0 ? 0 : cx - cw / 2;
        a->x1 = cx - cw / 2 + cw > w ? w : cx - cw / 2 + cw;
        a->y0 = cy - ch / 2 < 0 ? 0 : cy - ch / 2;
        a->y1 = cy - ch / 2 + ch > h ? h : cy - ch / 2 + ch;
    }
}

static int cut(const gp_augment_draw *a, int y, int x) { return y >= a->y0 && y < a->y1 && x >= a->x0 && x < a->x1; }

void gp_augment_forward(float *out, const float *in, const gp_augment_draw *d, int B, int c, int h, int w,
                        float fill) {
    for (int b = 0; b < B; b++) {
        const gp_augment_draw *a = &d[b];
        for (int k = 0; k < c; k++) {
            const float *src = in + ((size_t)b * c + k) * h * w;
            float *dst = out + ((size_t)b * c + k) * h * w;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    int sy = y - a->dy, sx = x - a->dx;
                    int inside = sy >= 0 && sy < h && sx >= 0 && sx < w && !cut(a, y, x);
                    dst[y * w + x] = inside ? src[sy * w + sx] : fill;
                }
        }
    }
}

void gp_augment_backward(float *din, const float *dout, const gp_augment_draw *d, int B, int c, int h, int w) {
    for (int b = 0; b < B; b++) {
        const gp_augment_draw *a = &d[b];
        for (int k = 0; k < c; k++) {
            const float *g = dout + ((size_t)b * c + k) * h * w;
            float *dst = din + ((size_t)b * c + k) * h * w;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) { /* where pixel (y, x) went */
                    int ty = y + a->dy, tx = x + a->dx;
                    int kept = ty >= 0 && ty < h && tx >= 0 && tx < w && !cut(a, ty, tx);
                    dst[y * w + x] = kept ? g[ty * w + tx] : 0.0f;
                }
        }
    }
}
