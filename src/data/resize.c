/* resize.c: area downscaling and bicubic upscaling (see resize.h). */
#include "data/resize.h"

#include <math.h>
#include <stddef.h>

void gp_image_downscale_area(const float *in, int c, int h, int w, int k, float *out) {
    int oh = h / k, ow = w / k;
    double inv = 1.0 / ((double)k * k);
    for (int ch = 0; ch < c; ch++)
        for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++) {
                const float *b = in + ((size_t)ch * h + (size_t)i * k) * w + (size_t)j * k;
                double s = 0.0;
                for (int y = 0; y < k; y++)
                    for (int x = 0; x < k; x++) s += b[(size_t)y * w + x];
                out[((size_t)ch * oh + i) * ow + j] = (float)(s * inv);
            }
}

/* Keys' cubic convolution kernel with a = -0.5 (Catmull-Rom's). */
static double keys(double t) {
    const double a = -0.5;
    t = fabs(t);
    if (t <= 1.0) return ((a + 2.0) * t - (a + 3.0)) * t * t + 1.0;
    if (t < 2.0) return ((a * t - 5.0 * a) * t + 8.0 * a) * t - 4.0 * a;
    return 0.0;
}

/* The four taps and weights for output coordinate o of a side n scaled by k. */
static void taps(int o, int n, int k, int idx[4], double wt[4]) {
    double u = (o + 0.5) / k - 0.5; /* in the small image's pixel coordinates */
    int base = (int)floor(u);
    for (int t = 0; t < 4; t++) {
        int p = base - 1 + t;
        wt[t] = keys(u - p);
        idx[t] = p < 0 ? 0 : p >= n ? n - 1 : p;
    }
}

void gp_image_upscale_bicubic(const float *in, int c, int h, int w, int k, float lo, float hi, float *out) {
    int oh = h * k, ow = w * k;
    for (int ch = 0; ch < c; ch++) {
        const float *src = in + (size_t)ch * h * w;
        for (int y = 0; y < oh; y++) {
            int iy[4];
            double wy[4];
            taps(y, h, k, iy, wy);
            for (int x = 0; x < ow; x++) {
                int ix[4];
                double wx[4], s = 0.0;
                taps(x, w, k, ix, wx);
                for (int a = 0; a < 4; a++) {
                    double row = 0.0;
                    for (int b = 0; b < 4; b++) row += wx[b] * src[(size_t)iy[a] * w + ix[b]];
                    s += wy[a] * row;
                }
                float v = (float)s;
                out[((size_t)ch * oh + y) * ow + x] = v < lo ? lo : v > hi ? hi : v;
            }
        }
    }
}
