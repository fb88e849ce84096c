#include "gan/units.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RANK_SAMPLES 1024
#define MAX_RANK_FLOATS ((size_t)1 << 24) /* the batch's activations of one layer */

static const char *nonlinearity(uint32_t kind) {
    switch (kind) {
    case GP_LAYER_RELU: return "ReLU";
    case GP_LAYER_LEAKY_RELU: return "LeakyReLU";
    case GP_LAYER_TANH: return "Tanh";
    case GP_LAYER_SIGMOID: return "Sigmoid";
    default: return NULL;
    }
}

int gp_units_layers(const gp_gan *gan, gp_units_layer *out, int max) {
    const gp_net *G = &gan->G;
    int n = 0;
    for (int i = 0; i + 1 < G->n_layers && n < max; i++) {
        gp_shape s = G->shape[i + 1];
        if (!nonlinearity(G->layers[i].kind) || (s.h < 2 && s.w < 2)) continue;
        out[n++] = (gp_units_layer){i, G->layers[i].kind, s.c, s.h, s.w};
    }
    return n;
}

gp_status gp_units_find_layer(const gp_gan *gan, int layer, gp_units_layer *out, gp_err *err) {
    gp_units_layer all[GP_UNITS_MAX_LAYERS];
    int n = gp_units_layers(gan, all, GP_UNITS_MAX_LAYERS);
    if (n == 0) return gp_fail(err, GP_ERR_ARG, "this generator has no layer with unit maps (its layers are vectors, as an MLP's)");
    for (int i = 0; i < n; i++)
        if (all[i].layer == layer) return *out = all[i], GP_OK;
    char list[64] = "";
    for (int i = 0, at = 0; i < n && at < (int)sizeof list - 8; i++)
        at += snprintf(list + at, sizeof list - (size_t)at, "%s%d", i ? ", " : "", all[i].layer);
    return gp_fail(err, GP_ERR_ARG, "layer %d of the generator has no unit maps (the layers with maps: %s)", layer, list);
}

/* ---- maps, strokes, IoU ---------------------------------------------------------- */

/* Source index and weight of the second neighbour for output index o of n
 * outputs from m inputs (align_corners=False; clamped at the edges). */
static void bilinear_at(int o, int m, int n, int *i0, int *i1, float *t) {
    float src = ((float)o + 0.5f) * ((float)m / (float)n) - 0.5f;
    if (src < 0.0f) src = 0.0f;
    int i = (int)src;
    if (i > m - 1) i = m - 1;
    *i0 = i;
    *i1 = i < m - 1 ? i + 1 : i;
    *t = src - (float)i;
}

void gp_units_upsample(const float *src, int h, int w, float *dst, int H, int W) {
    for (int y = 0; y < H; y++) {
        int y0, y1;
        float ty;
        bilinear_at(y, h, H, &y0, &y1, &ty);
        for (int x = 0; x < W; x++) {
            int x0, x1;
            float tx;
            bilinear_at(x, w, W, &x0, &x1, &tx);
            float top = (1.0f - tx) * src[y0 * w + x0] + tx * src[y0 * w + x1];
            float bottom = (1.0f - tx) * src[y1 * w + x0] + tx * src[y1 * w + x1];
            dst[y * W + x] = (1.0f - ty) * top + ty * bottom;
        }
    }
}

void gp_units_strokes(const float *image, int c, int h, int w, uint8_t *mask) {
    GP_ASSERT(c >= 1 && c <= 4 && h >= 1 && w >= 1);
    size_t hw = (size_t)h * w;
    double bg[4] = {0, 0, 0, 0};
    int border = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            if (y != 0 && y != h - 1 && x != 0 && x != w - 1) continue;
            for (int k = 0; k < c; k++) bg[k] += image[k * hw + (size_t)y * w + x];
            border++;
        }
    for (int k = 0; k < c; k++) bg[k] /= border;
    /* distance / 2 > s  <=>  sum of squares / c > (2 s)^2 */
    double limit = 4.0 * GP_UNITS_STROKE * GP_UNITS_STROKE * c;
    for (size_t p = 0; p < hw; p++) {
        double d = 0.0;
        for (int k = 0; k < c; k++) d += (image[k * hw + p] - bg[k]) * (image[k * hw + p] - bg[k]);
        mask[p] = d > limit;
    }
}

static void swapf(float *a, float *b) {
    float t = *a;
    *a = *b;
    *b = t;
}

/* The k-th smallest of a[0..n-1] (reordering a): quickselect with a
 * three-way partition, so that many equal values (a ReLU's zeros) cost no
 * more than distinct ones. */
static float kth_smallest(float *a, size_t n, size_t k) {
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        float p0 = a[lo], p1 = a[lo + (hi - lo) / 2], p2 = a[hi - 1];
        float pivot = p0 < p1 ? (p1 < p2 ? p1 : (p0 < p2 ? p2 : p0)) : (p0 < p2 ? p0 : (p1 < p2 ? p2 : p1));
        size_t lt = lo, i = lo, gt = hi;
        while (i < gt) {
            if (a[i] < pivot) swapf(&a[lt++], &a[i++]);
            else if (a[i] > pivot) swapf(&a[i], &a[--gt]);
            else i++;
        }
        if (k < lt) hi = lt;
        else if (k >= gt) lo = gt;
        else return pivot;
    }
    return a[lo];
}

float gp_units_iou(const float *maps, const uint8_t *strokes, size_t n, double q, float *threshold, float *scratch) {
    GP_ASSERT(n > 0 && q >= 0.0 && q < 1.0);
    memcpy(scratch, maps, n * sizeof(float));
    /* the threshold is the value ceil(q n) places up: above it lie at most (1 - q) n values */
    double at = ceil(q * (double)n - 1e-9);
    size_t k = at >= 1.0 ? (size_t)at - 1 : 0;
    if (k > n - 1) k = n - 1;
    float t = kth_smallest(scratch, n, k);
    if (threshold) *threshold = t;
    size_t both = 0, either = 0;
    for (size_t i = 0; i < n; i++) {
        int on = maps[i] > t;
        both += on && strokes[i];
        either += on || strokes[i];
    }
    return either ? (float)((double)both / (double)either) : 0.0f;
}

/* ---- maps of a sample and the ranking ------------------------------------------------ */

/* G in evaluation on count rows (count <= batch) with every unit on; its
 * activations hold them after. */
static void generate_whole(gp_gan *gan, const float *z, const int *labels, int count, float *images) {
    int n_off = gan->units_n_off;
    gan->units_n_off = 0;
    gp_gan_generate(gan, z, labels, count, images);
    gan->units_n_off = n_off;
}

gp_status gp_units_maps(gp_gan *gan, const float *z, const int *label, int layer, float *raw, float *maps,
                        float *image, gp_err *err) {
    gp_units_layer L;
    gp_status st = gp_units_find_layer(gan, layer, &L, err);
    if (st != GP_OK) return st;
    int zero = 0, C = gan->cfg.classes;
    if (C && label && (*label < 0 || *label >= C))
        return gp_fail(err, GP_ERR_ARG, "class must be in 0..%d, got %d", C - 1, *label);
    generate_whole(gan, z, C ? (label ? label : &zero) : NULL, 1, image);
    const float *act = gan->G.acts[layer + 1]; /* sample 0 of the last forward */
    size_t hw = (size_t)L.h * L.w, HW = (size_t)gan->image.h * gan->image.w;
    if (raw) memcpy(raw, act, (size_t)L.units * hw * sizeof(float));
    if (maps)
        for (int u = 0; u < L.units; u++)
            gp_units_upsample(act + u * hw, L.h, L.w, maps + u * HW, gan->image.h, gan->image.w);
    return GP_OK;
}

static int by_iou(const void *a, const void *b) {
    const gp_unit_score *x = a, *y = b;
    if (x->iou != y->iou) return x->iou > y->iou ? -1 : 1;
    return (x->unit > y->unit) - (x->unit < y->unit);
}

gp_status gp_units_rank(gp_gan *gan, const float *z, const int *labels, int count, int layer, gp_unit_score *scores,
                        gp_err *err) {
    gp_units_layer L;
    gp_status st = gp_units_find_layer(gan, layer, &L, err);
    if (st != GP_OK) return st;
    if (count < 1 || count > MAX_RANK_SAMPLES)
        return gp_fail(err, GP_ERR_ARG, "the units are ranked over 1..%d samples, got %d", MAX_RANK_SAMPLES, count);
    int C = gan->cfg.classes, Lz = gan->cfg.latent, B = gan->G.max_batch;
    if (labels && C)
        for (int i = 0; i < count; i++)
            if (labels[i] < 0 || labels[i] >= C)
                return gp_fail(err, GP_ERR_ARG, "class must be in 0..%d, got %d", C - 1, labels[i]);
    size_t hw = (size_t)L.h * L.w, per = (size_t)L.units * hw;
    size_t HW = (size_t)gan->image.h * gan->image.w, N = (size_t)count * HW, n_img = (size_t)gp_shape_size(gan->image);
    if ((size_t)count * per > MAX_RANK_FLOATS)
        return gp_fail(err, GP_ERR_ARG, "ranking %d samples of %d units of %dx%d needs too much memory", count, L.units,
                       L.h, L.w);
    float *acts = malloc((size_t)count * per * sizeof(float)), *image = malloc((size_t)B * n_img * sizeof(float));
    float *up = malloc(N * sizeof(float)), *scratch = malloc(N * sizeof(float));
    uint8_t *strokes = malloc(N);
    int *own = C ? malloc((size_t)count * sizeof(int)) : NULL;
    if (!acts || !image || !up || !scratch || !strokes || (C && !own)) {
        free(acts), free(image), free(up), free(scratch), free(strokes), free(own);
        return gp_fail(err, GP_ERR_NOMEM, "out of memory ranking the units");
    }
    /* classes in turn over the whole batch, not restarting in each chunk */
    for (int i = 0; C && i < count; i++) own[i] = labels ? labels[i] : i % C;
    for (int first = 0; first < count; first += B) {
        int b = count - first < B ? count - first : B;
        generate_whole(gan, z + (size_t)first * Lz, C ? own + first : NULL, b, image);
        memcpy(acts + (size_t)first * per, gan->G.acts[layer + 1], (size_t)b * per * sizeof(float));
        for (int i = 0; i < b; i++)
            gp_units_strokes(image + (size_t)i * n_img, gan->image.c, gan->image.h, gan->image.w,
                             strokes + (size_t)(first + i) * HW);
    }
    for (int u = 0; u < L.units; u++) {
        for (int i = 0; i < count; i++)
            gp_units_upsample(acts + (size_t)i * per + (size_t)u * hw, L.h, L.w, up + (size_t)i * HW, gan->image.h,
                              gan->image.w);
        scores[u].unit = u;
        scores[u].iou = gp_units_iou(up, strokes, N, GP_UNITS_QUANTILE, &scores[u].threshold, scratch);
    }
    qsort(scores, (size_t)L.units, sizeof *scores, by_iou);
    free(acts), free(image), free(up), free(scratch), free(strokes), free(own);
    return GP_OK;
}

/* ---- switching units off ------------------------------------------------------------- */

gp_status gp_units_set(gp_gan *gan, int layer, const int *units, int n, int off, gp_err *err) {
    gp_units_layer L;
    gp_status st = gp_units_find_layer(gan, layer, &L, err);
    if (st != GP_OK) return st;
    if (off != 0 && off != 1) return gp_fail(err, GP_ERR_ARG, "a unit is switched off (1) or on (0), got %d", off);
    if (n < 0 || (n && !units)) return gp_fail(err, GP_ERR_ARG, "no units given");
    for (int i = 0; i < n; i++)
        if (units[i] < 0 || units[i] >= L.units)
            return gp_fail(err, GP_ERR_ARG, "layer %d has units 0..%d, got %d", layer, L.units - 1, units[i]);
    int here = gan->units_off && gan->units_layer == layer;
    if (!here && !off) return GP_OK; /* on already */
    if (!here) { /* a new layer: its mask first (nothing changes if that fails), then the old one goes */
        uint8_t *mask = calloc((size_t)L.units, 1);
        if (!mask) return gp_fail(err, GP_ERR_NOMEM, "out of memory switching units off");
        gp_units_clear(gan);
        gan->units_off = mask;
        gan->units_layer = layer;
    }
    for (int i = 0; i < n; i++) {
        uint8_t *m = &gan->units_off[units[i]];
        if (*m == off) continue;
        *m = (uint8_t)off;
        gan->units_n_off += off ? 1 : -1;
    }
    if (!gan->units_n_off) gp_units_clear(gan);
    return GP_OK;
}

void gp_units_clear(gp_gan *gan) {
    free(gan->units_off);
    gan->units_off = NULL;
    gan->units_layer = 0;
    gan->units_n_off = 0;
}

int gp_units_is_off(const gp_gan *gan, int layer, int u) {
    if (!gan->units_n_off || gan->units_layer != layer || u < 0 || u >= gan->G.shape[layer + 1].c) return 0;
    return gan->units_off[u];
}

/* ---- JSON ---------------------------------------------------------------------------- */

void gp_units_json(const gp_gan *gan, gp_json *j) {
    gp_units_layer all[GP_UNITS_MAX_LAYERS];
    int n = gp_units_layers(gan, all, GP_UNITS_MAX_LAYERS);
    gp_json_open(j, '{');
    gp_json_key(j, "layers");
    gp_json_open(j, '[');
    for (int i = 0; i < n; i++) {
        gp_json_open(j, '{');
        gp_json_kint(j, "layer", all[i].layer);
        gp_json_kstr(j, "kind", nonlinearity(all[i].kind));
        gp_json_kint(j, "units", all[i].units);
        gp_json_kint(j, "height", all[i].h);
        gp_json_kint(j, "width", all[i].w);
        gp_json_close(j, '}');
    }
    gp_json_close(j, ']');
    gp_json_key(j, "off");
    gp_json_open(j, '{');
    gp_json_kint(j, "layer", gan->units_n_off ? gan->units_layer : -1);
    gp_json_key(j, "units");
    gp_json_open(j, '[');
    for (int u = 0; gan->units_n_off && u < gan->G.shape[gan->units_layer + 1].c; u++)
        if (gan->units_off[u]) gp_json_int(j, u);
    gp_json_close(j, ']');
    gp_json_close(j, '}');
    gp_json_knum(j, "quantile", GP_UNITS_QUANTILE);
    gp_json_knum(j, "stroke", GP_UNITS_STROKE);
    gp_json_key(j, "note");
    if (n) gp_json_null(j);
    else gp_json_str(j, "This generator has no layer with unit maps: its layers are vectors (an MLP), not images.");
    gp_json_close(j, '}');
}

void gp_units_rank_json(int layer, int samples, const gp_unit_score *scores, int n, gp_json *j) {
    gp_json_open(j, '{');
    gp_json_kint(j, "layer", layer);
    gp_json_kint(j, "samples", samples);
    gp_json_knum(j, "quantile", GP_UNITS_QUANTILE);
    gp_json_key(j, "units");
    gp_json_open(j, '[');
    for (int i = 0; i < n; i++) {
        gp_json_open(j, '{');
        gp_json_kint(j, "unit", scores[i].unit);
        gp_json_knum(j, "iou", scores[i].iou);
        gp_json_knum(j, "threshold", scores[i].threshold);
        gp_json_close(j, '}');
    }
    gp_json_close(j, ']');
    gp_json_close(j, '}');
}
