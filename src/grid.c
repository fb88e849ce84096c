#include "grid.h"

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

void gp_grid_render(uint8_t *out, int channels, const float *images, int count, int cols, int h, int w) {
    int gw, gh;
    gp_grid_size(count, cols, h, w, &gw, &gh);
    if (cols < 1) cols = 1;
    if (cols > count) cols = count > 0 ? count : 1;
    for (int i = 0; i < gw * gh; i++)
        for (int ch = 0; ch < channels; ch++)
            out[i * channels + ch] = ch == 3 ? 255 : GP_GRID_PAD_VALUE;
    for (int n = 0; n < count; n++) {
        int x0 = GP_GRID_PAD + (n % cols) * (w + GP_GRID_PAD);
        int y0 = GP_GRID_PAD + (n / cols) * (h + GP_GRID_PAD);
        const float *img = images + (long)n * h * w;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                uint8_t v = to_byte(img[y * w + x]);
                uint8_t *px = out + ((long)(y0 + y) * gw + x0 + x) * channels;
                for (int ch = 0; ch < channels; ch++) px[ch] = ch == 3 ? 255 : v;
            }
    }
}
