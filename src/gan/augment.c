#include "gan/augment.h"

#include <string.h>

void gp_augment_sample(gp_augment_draw *d, int B, int h, int w, int mode, gp_rng *rng) {
    int sx = (int)(w * 0.125 + 0.5), sy = (int)(h * 0.125 + 0.5);
    int cw = (int)(w * 0.5 + 0.5), ch = (int)(h * 0.5 + 0.5);
    for (int b = 0; b < B; b++) {
        gp_augment_draw *a = &d[b];
        memset(a, 0, sizeof *a);
        a->sat = a->contrast = 1.0f;
        if (mode == GP_AUGMENT_NONE) continue;
        if (mode == GP_AUGMENT_COLOR_TRANSLATE || mode == GP_AUGMENT_COLOR_TRANSLATE_CUTOUT) {
            a->bright = gp_rng_uniform(rng) - 0.5f;
            a->sat = 2.0f * gp_rng_uniform(rng);
            a->contrast = gp_rng_uniform(rng) + 0.5f;
        }
        a->dx = (int)gp_rng_below(rng, (uint32_t)(2 * sx + 1)) - sx;
        a->dy = (int)gp_rng_below(rng, (uint32_t)(2 * sy + 1)) - sy;
        if (mode != GP_AUGMENT_TRANSLATE_CUTOUT && mode != GP_AUGMENT_COLOR_TRANSLATE_CUTOUT) continue;
        /* the square's centre anywhere in the image; the square is clipped */
        int cx = (int)gp_rng_below(rng, (uint32_t)w), cy = (int)gp_rng_below(rng, (uint32_t)h);
        a->x0 = cx - cw / 2 < 0 ? 0 : cx - cw / 2;
        a->x1 = cx - cw / 2 + cw > w ? w : cx - cw / 2 + cw;
        a->y0 = cy - ch / 2 < 0 ? 0 : cy - ch / 2;
        a->y1 = cy - ch / 2 + ch > h ? h : cy - ch / 2 + ch;
    }
}

static int cut(const gp_augment_draw *a, int y, int x) { return y >= a->y0 && y < a->y1 && x >= a->x0 && x < a->x1; }

/* The colour ops folded into one affine map of the image x (c planes of
 * plane pixels): brightness b, then saturation s around each pixel's channel
 * mean m_p, then contrast t around the image mean M (which saturation keeps,
 * brightness moves by b) give
 *   y = t s (x - m_p) + t (m_p - M) + M + b.
 * Its linear part (b = 0) is symmetric: backward applies it to the gradient,
 * as this does (forward computes the whole map pixel by pixel). */
static void colour(float *x, int c, size_t plane, const gp_augment_draw *a) {
    if (a->sat == 1.0f && a->contrast == 1.0f && a->bright == 0.0f) return;
    double sum = 0.0;
    for (size_t i = 0; i < (size_t)c * plane; i++) sum += x[i];
    float M = (float)(sum / ((double)c * plane)), ts = a->contrast * a->sat;
    for (size_t p = 0; p < plane; p++) {
        float m = 0.0f;
        for (int k = 0; k < c; k++) m += x[k * plane + p];
        m /= (float)c;
        for (int k = 0; k < c; k++) {
            float *v = &x[k * plane + p];
            *v = ts * (*v - m) + a->contrast * (m - M) + M;
        }
    }
}

void gp_augment_forward(float *out, const float *in, const gp_augment_draw *d, int B, int c, int h, int w,
                        float fill) {
    size_t plane = (size_t)h * w;
    for (int b = 0; b < B; b++) {
        const gp_augment_draw *a = &d[b];
        const float *src = in + (size_t)b * c * plane;
        float *dst = out + (size_t)b * c * plane;
        int tinted = !(a->sat == 1.0f && a->contrast == 1.0f && a->bright == 0.0f);
        float M = 0.0f, ts = a->contrast * a->sat;
        if (tinted) {
            double sum = 0.0;
            for (size_t i = 0; i < (size_t)c * plane; i++) sum += src[i];
            M = (float)(sum / ((double)c * plane));
        }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int sy = y - a->dy, sx = x - a->dx;
                size_t to = (size_t)y * w + x, from = (size_t)sy * w + sx;
                if (!(sy >= 0 && sy < h && sx >= 0 && sx < w && !cut(a, y, x))) {
                    for (int k = 0; k < c; k++) dst[k * plane + to] = fill;
                } else if (!tinted) {
                    for (int k = 0; k < c; k++) dst[k * plane + to] = src[k * plane + from];
                } else { /* the colour map of the pixel that lands here (see colour) */
                    float m = 0.0f;
                    for (int k = 0; k < c; k++) m += src[k * plane + from];
                    m /= (float)c;
                    for (int k = 0; k < c; k++)
                        dst[k * plane + to] = ts * (src[k * plane + from] - m) + a->contrast * (m - M) + M + a->bright;
                }
            }
    }
}

void gp_augment_backward(float *din, const float *dout, const gp_augment_draw *d, int B, int c, int h, int w) {
    size_t plane = (size_t)h * w;
    for (int b = 0; b < B; b++) {
        const gp_augment_draw *a = &d[b];
        for (int k = 0; k < c; k++) {
            const float *g = dout + ((size_t)b * c + k) * plane;
            float *dst = din + ((size_t)b * c + k) * plane;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) { /* where pixel (y, x) went */
                    int ty = y + a->dy, tx = x + a->dx;
                    int kept = ty >= 0 && ty < h && tx >= 0 && tx < w && !cut(a, ty, tx);
                    dst[y * w + x] = kept ? g[ty * w + tx] : 0.0f;
                }
        }
        colour(din + (size_t)b * c * plane, c, plane, a); /* the colour map's linear part is its own transpose */
    }
}
