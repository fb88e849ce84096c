#include "data/grid.h"

#include <math.h>
#include <stddef.h>

void gp_grid_size(int count, int cols, int h, int w, int *grid_w, int *grid_h) {
    if (cols < 1) cols = 1;
    if (cols > count) cols = count > 0 ? count : 1;
    int rows = (count + cols - 1) / cols;
    *grid_w = cols * (w + GP_GRID_PAD) + GP_GRID_PAD;
    *grid_h = rows * (h + GP_GRID_PAD) + GP_GRID_PAD;
}

static uint8_t to_byte(float v) {
    float x = (v + 1.0f) * 127.5f;
    if (!(x > 0.0f)) return 0; /* also NaN */
    if (x >= 255.0f) return 255;
    return (uint8_t)(x + 0.5f);
}

void gp_grid_render(uint8_t *out, int channels, const float *images, int count, int cols, int c, int h, int w) {
    int gw, gh;
    gp_grid_size(count, cols, h, w, &gw, &gh);
    if (cols < 1) cols = 1;
    if (cols > count) cols = count > 0 ? count : 1;
    for (int i = 0; i < gw * gh; i++)
        for (int ch = 0; ch < channels; ch++)
            out[i * channels + ch] = ch == 3 ? 255 : GP_GRID_PAD_VALUE;
    size_t plane = (size_t)h * w;
    for (int n = 0; n < count; n++) {
        int x0 = GP_GRID_PAD + (n % cols) * (w + GP_GRID_PAD);
        int y0 = GP_GRID_PAD + (n / cols) * (h + GP_GRID_PAD);
        const float *img = images + (size_t)n * c * plane;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                size_t i = (size_t)y * w + x;
                uint8_t rgb[3];
                for (int k = 0; k < 3; k++) rgb[k] = to_byte(img[(c == 3 ? k : 0) * plane + i]);
                uint8_t *px = out + ((long)(y0 + y) * gw + x0 + x) * channels;
                if (channels == 1) px[0] = c == 3 ? (uint8_t)((77 * rgb[0] + 150 * rgb[1] + 29 * rgb[2] + 128) >> 8) : rgb[0];
                else
                    for (int ch = 0; ch < channels; ch++) px[ch] = ch == 3 ? 255 : rgb[ch];
            }
    }
}

/* a pixel's heat: |heat| summed over the channels */
static float pixel_heat(const float *hm, int c, size_t plane, size_t i) {
    float v = 0.0f;
    for (int k = 0; k < c; k++) v += fabsf(hm[(size_t)k * plane + i]);
    return v;
}

void gp_grid_render_heat(uint8_t *out, const float *images, const float *heat, int count, int cols, int c, int h,
                         int w) {
    gp_grid_render(out, 4, images, count, cols, c, h, w);
    int gw, gh;
    gp_grid_size(count, cols, h, w, &gw, &gh);
    if (cols < 1) cols = 1;
    if (cols > count) cols = count > 0 ? count : 1;
    size_t plane = (size_t)h * w;
    for (int n = 0; n < count; n++) {
        const float *hm = heat + (size_t)n * c * plane;
        float top = 0.0f;
        for (size_t i = 0; i < plane; i++)
            if (pixel_heat(hm, c, plane, i) > top) top = pixel_heat(hm, c, plane, i); /* NaN never wins */
        if (!(top > 0.0f)) continue;
        int x0 = GP_GRID_PAD + (n % cols) * (w + GP_GRID_PAD);
        int y0 = GP_GRID_PAD + (n / cols) * (h + GP_GRID_PAD);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                float a = pixel_heat(hm, c, plane, (size_t)y * w + x) / top;
                a = a > 1.0f ? 1.0f : a > 0.0f ? sqrtf(a) : 0.0f; /* the square root shows the weaker half too */
                uint8_t *px = out + ((long)(y0 + y) * gw + x0 + x) * 4;
                const float heat_rgb[3] = {255.0f, 140.0f, 0.0f};
                for (int ch = 0; ch < 3; ch++) px[ch] = (uint8_t)(px[ch] * (1.0f - a) + heat_rgb[ch] * a + 0.5f);
            }
    }
}
