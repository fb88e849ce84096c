#include "store/modelfile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/checked.h"
#include "data/dataset.h"

/* CRC-32 (IEEE, as zlib), four bytes per step ("slicing-by-4"). */
uint32_t gp_crc32(const uint8_t *data, size_t len) {
    uint32_t t[4][256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int s = 1; s < 4; s++) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
    uint32_t crc = 0xFFFFFFFFu;
    size_t i = 0;
    for (; i + 4 <= len; i += 4) {
        crc ^= (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 | (uint32_t)data[i + 2] << 16 |
               (uint32_t)data[i + 3] << 24;
        crc = t[3][crc & 0xFF] ^ t[2][(crc >> 8) & 0xFF] ^ t[1][(crc >> 16) & 0xFF] ^ t[0][crc >> 24];
    }
    for (; i < len; i++) crc = t[0][(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

/* ---- writing ------------------------------------------------------------ */

typedef struct {
    uint8_t *p;
    size_t len, cap;
    int unreadable; /* 1: a non-finite weight, 2: one past float16's range (the reader refuses both) */
} writer;

static int w_bytes(writer *w, const void *src, size_t n) {
    if (n > w->cap - w->len) {
        size_t need, cap = w->cap ? w->cap : 4096;
        if (!gp_size_add(w->len, n, &need)) return 0;
        while (cap < need)
            if (!gp_size_mul(cap, 2, &cap)) cap = need;
        uint8_t *p = realloc(w->p, cap);
        if (!p) return 0;
        w->p = p;
        w->cap = cap;
    }
    memcpy(w->p + w->len, src, n);
    w->len += n;
    return 1;
}

static int w_u32(writer *w, uint32_t v) {
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return w_bytes(w, b, 4);
}

static int w_u64(writer *w, uint64_t v) { return w_u32(w, (uint32_t)v) && w_u32(w, (uint32_t)(v >> 32)); }

static int w_f32(writer *w, float f) {
    uint32_t v;
    memcpy(&v, &f, 4);
    return w_u32(w, v);
}

/* Weights and optimizer state: finite, or the file would not load. */
static int w_floats(writer *w, const float *f, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(f[i])) {
            w->unreadable = 1;
            return 0;
        }
        if (!w_f32(w, f[i])) return 0;
    }
    return 1;
}

uint16_t gp_f32_to_f16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u, exp = (x >> 23) & 0xFF, mant = x & 0x7FFFFFu;
    if (exp == 0xFF) return (uint16_t)(sign | 0x7C00u | (mant ? 0x200u : 0)); /* inf, NaN */
    int e = (int)exp - 127 + 15;
    if (e >= 31) return (uint16_t)(sign | 0x7C00u);                          /* overflow */
    if (e <= 0) {                                                             /* subnormal or 0 */
        if (e < -10) return (uint16_t)sign;
        mant |= 0x800000u;
        int shift = 14 - e;
        uint32_t half = mant >> shift, rest = mant & ((1u << shift) - 1), mid = 1u << (shift - 1);
        if (rest > mid || (rest == mid && (half & 1))) half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = ((uint32_t)e << 10) | (mant >> 13), rest = mant & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1))) half++; /* may carry into the exponent: right */
    return (uint16_t)(sign | half);
}

float gp_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1F, mant = h & 0x3FFu, x;
    if (exp == 0x1F) x = sign | 0x7F800000u | (mant << 13);
    else if (exp) x = sign | ((exp - 15 + 127) << 23) | (mant << 13);
    else if (!mant) x = sign;
    else { /* subnormal: normalize */
        int e = -1;
        do { mant <<= 1; e++; } while (!(mant & 0x400u));
        x = sign | ((uint32_t)(127 - 15 - e) << 23) | ((mant & 0x3FFu) << 13);
    }
    float f;
    memcpy(&f, &x, 4);
    return f;
}

static int w_halves(writer *w, const float *f, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint16_t h = gp_f32_to_f16(f[i]);
        if ((h & 0x7C00u) == 0x7C00u) { /* infinity or NaN in float16 */
            w->unreadable = isfinite(f[i]) ? 2 : 1;
            return 0;
        }
        uint8_t b[2] = {(uint8_t)h, (uint8_t)(h >> 8)};
        if (!w_bytes(w, b, 2)) return 0;
    }
    return 1;
}

/* params: the weights to write (net->params, or G's moving average) */
static int w_net(writer *w, const gp_net *net, const float *params, int with_opt, int half) {
    int ok = w_u32(w, (uint32_t)net->shape[0].c) && w_u32(w, (uint32_t)net->shape[0].h) &&
             w_u32(w, (uint32_t)net->shape[0].w) && w_u32(w, (uint32_t)net->n_layers);
    for (int i = 0; ok && i < net->n_layers; i++) {
        const gp_layer_desc *d = &net->layers[i];
        ok = w_u32(w, d->kind) && w_u32(w, d->out_c) && w_u32(w, d->out_h) && w_u32(w, d->out_w) &&
             w_u32(w, d->kernel) && w_u32(w, d->stride) && w_u32(w, d->pad) && w_u32(w, d->flags) &&
             w_f32(w, d->alpha) && w_f32(w, d->eps);
    }
    ok = ok && w_u32(w, (uint32_t)net->n_params) && w_u32(w, (uint32_t)net->n_buffers);
    if (half) ok = ok && w_halves(w, params, net->n_params) && w_halves(w, net->buffers, net->n_buffers);
    else ok = ok && w_floats(w, params, net->n_params) && w_floats(w, net->buffers, net->n_buffers);
    if (ok && with_opt) ok = w_floats(w, net->adam_m, net->n_params) && w_floats(w, net->adam_v, net->n_params);
    return ok;
}

/* Bytes a net takes in a file (see w_net). */
static size_t net_bytes(const gp_net *net, int with_opt, int half) {
    size_t n = 16 + 40 * (size_t)net->n_layers + 8;
    n += (net->n_params + net->n_buffers) * (half ? 2 : 4);
    if (with_opt) n += 8 * net->n_params;
    return n;
}

/* The plane section's bytes (see gp_2d_state). */
static size_t plane_bytes(const gp_2d_state *st) { return 4 + 2 * GP_NAME_LEN + 16 + 4 + 8 * (size_t)st->dist.n_drawn + 4 + 4 * (size_t)st->n_js; }

static int w_plane(writer *w, const gp_2d_state *st) {
    char dist[GP_NAME_LEN] = {0}, lesson[GP_NAME_LEN] = {0};
    memcpy(dist, GP_2D_DISTS[st->dist.kind].name, strlen(GP_2D_DISTS[st->dist.kind].name));
    for (int i = 0; i < GP_NAME_LEN - 1 && st->lesson[i]; i++) lesson[i] = st->lesson[i];
    int ok = w_u32(w, GP_2D_STATE_VERSION) && w_bytes(w, dist, GP_NAME_LEN) && w_bytes(w, lesson, GP_NAME_LEN) &&
             w_u64(w, (uint64_t)st->rounds) && w_u64(w, st->frame_seed) && w_u32(w, (uint32_t)st->dist.n_drawn);
    for (int i = 0; ok && i < st->dist.n_drawn; i++) ok = w_floats(w, st->dist.drawn[i], 2);
    return ok && w_u32(w, st->n_js) && w_floats(w, st->js, st->n_js);
}

static gp_status save(const gp_gan *gan, int kind, const gp_2d_state *plane, uint8_t **out, size_t *len, gp_err *err) {
    *out = NULL;
    *len = 0;
    if (kind != GP_SAVE_GENERATOR && kind != GP_SAVE_TRAINING && kind != GP_SAVE_GENERATOR_F16)
        return gp_fail(err, GP_ERR_ARG, "unknown kind of model file %d", kind);
    int full = kind == GP_SAVE_TRAINING, half = kind == GP_SAVE_GENERATOR_F16;
    int history = full && gan->history_len > 0;
    if (full && !gan->has_d)
        return gp_fail(err, GP_ERR_ARG, "a generator-only model cannot be saved as a training state");
    /* the whole file in one allocation: no doubling reallocs (in wasm memory
     * they leave holes that the heap never gives back) */
    size_t size = 4096 + (size_t)GP_MAX_CLASSES * GP_NAME_LEN + 24 * (size_t)GP_N_SETTINGS +
                  net_bytes(&gan->G, full, half) + (full ? net_bytes(&gan->D, 1, 0) : 0) +
                  (full && gan->ema ? 4 * gan->G.n_params : 0) + (history ? 4 + gan->history_len : 0) +
                  (plane ? plane_bytes(plane) : 0);
    writer w = {malloc(size), 0, size, 0};
    if (!w.p) return gp_fail(err, GP_ERR_NOMEM, "out of memory writing the model (%zu bytes)", size);
    const gp_gan_config *c = &gan->cfg;
    char preset[GP_NAME_LEN] = {0}, dataset[GP_NAME_LEN] = {0};
    memcpy(preset, c->preset, sizeof preset - 1);
    memcpy(dataset, c->dataset, sizeof dataset - 1);
    /* a generator alone carries the weights it samples with: the average if there is one */
    const float *g_params = !full && gan->ema ? gan->ema : gan->G.params;
    float ema = full ? c->ema : 0.0f;
    int ok = w_bytes(&w, GP_MODEL_MAGIC, 4) && w_u32(&w, GP_MODEL_VERSION) &&
             w_u32(&w, (full ? GP_MODEL_FLAG_TRAINING : 0) | (half ? GP_MODEL_FLAG_F16 : 0) |
                       (history ? GP_MODEL_FLAG_HISTORY : 0) | (plane ? GP_MODEL_FLAG_PLANE : 0)) &&
             w_bytes(&w, preset, 16) &&
             w_u32(&w, (uint32_t)gan->image.c) && w_u32(&w, (uint32_t)gan->image.h) &&
             w_u32(&w, (uint32_t)gan->image.w) && w_u32(&w, (uint32_t)c->batch) &&
             w_u32(&w, (uint32_t)c->latent) && w_u32(&w, (uint32_t)c->d_steps) &&
             w_u32(&w, (uint32_t)c->loss) && w_f32(&w, c->lr_g) && w_f32(&w, c->lr_d) &&
             w_f32(&w, c->beta1) && w_f32(&w, c->beta2) && w_f32(&w, c->adam_eps) &&
             w_f32(&w, c->real_label) && w_u64(&w, c->seed) && w_u64(&w, gan->rng.state) &&
             w_u64(&w, (uint64_t)gan->stats.step) && w_u64(&w, (uint64_t)gan->stats.d_step) &&
             w_u64(&w, (uint64_t)gan->opt_g.t) && w_u64(&w, (uint64_t)gan->opt_d.t) &&
             w_f32(&w, gan->stats.d_loss) && w_f32(&w, gan->stats.g_loss) &&
             w_f32(&w, gan->stats.d_real) && w_f32(&w, gan->stats.d_fake) &&
             /* version 2: the dataset, the classes, then every setting by name */
             w_bytes(&w, dataset, GP_NAME_LEN) && w_u32(&w, (uint32_t)c->classes);
    for (int k = 0; ok && k < c->classes; k++) {
        char name[GP_NAME_LEN] = {0};
        memcpy(name, c->class_names[k], sizeof name - 1);
        ok = w_bytes(&w, name, GP_NAME_LEN);
    }
    gp_gan_config saved = *c;
    saved.ema = ema;
    ok = ok && w_u32(&w, (uint32_t)(GP_N_SETTINGS - 1));
    for (int i = 0; ok && i < GP_N_SETTINGS; i++) {
        const gp_setting *set = &GP_SETTINGS[i];
        if (set->type == GP_SETTING_SEED) continue; /* the header has it exactly, as u64 */
        char name[GP_NAME_LEN] = {0};
        memcpy(name, set->name, strlen(set->name) < GP_NAME_LEN ? strlen(set->name) : GP_NAME_LEN - 1);
        double v = gp_setting_get(&saved, set);
        uint64_t bits;
        memcpy(&bits, &v, 8);
        ok = w_bytes(&w, name, GP_NAME_LEN) && w_u64(&w, bits);
    }
    ok = ok && w_net(&w, &gan->G, g_params, full, half) && (!full || w_net(&w, &gan->D, gan->D.params, full, 0));
    if (ok && full && gan->ema) ok = w_floats(&w, gan->ema, gan->G.n_params);
    if (ok && history)
        ok = w_u32(&w, (uint32_t)gan->history_len) && w_bytes(&w, gan->history, gan->history_len);
    if (ok && plane) ok = w_plane(&w, plane);
    ok = ok && w_u32(&w, gp_crc32(w.p, w.len));
    if (!ok) {
        free(w.p);
        if (w.unreadable == 1)
            return gp_fail(err, GP_ERR_NAN, "the model has a non-finite weight (a loss became NaN): a file of it would "
                                            "not load; return to the last good state first");
        if (w.unreadable == 2)
            return gp_fail(err, GP_ERR_ARG, "a weight of the generator is past float16's range (65504): save it as float32");
        return gp_fail(err, GP_ERR_NOMEM, "out of memory writing the model");
    }
    *out = w.p;
    *len = w.len;
    return GP_OK;
}

gp_status gp_model_save(const gp_gan *gan, int kind, uint8_t **out, size_t *len, gp_err *err) {
    return save(gan, kind, NULL, out, len, err);
}

static int is_points(const gp_gan *gan) { return gan->image.c == 2 && gan->image.h == 1 && gan->image.w == 1; }

gp_status gp_model_save_2d(const gp_gan *gan, const gp_2d_state *st, uint8_t **out, size_t *len, gp_err *err) {
    *out = NULL;
    *len = 0;
    if (!is_points(gan) || !gan->has_d)
        return gp_fail(err, GP_ERR_ARG, "only a 2-D model with its discriminator is saved as a 2-D training state");
    if (st->dist.kind < 0 || st->dist.kind >= GP_2D_DIST_COUNT || strcmp(GP_2D_DISTS[st->dist.kind].name, gan->cfg.dataset))
        return gp_fail(err, GP_ERR_ARG, "the distribution is not the model's ('%.15s')", gan->cfg.dataset);
    if (st->n_js > GP_2D_STATE_MAX_MEASURES || st->rounds < 0 || st->rounds > gan->stats.step ||
        st->frame_seed >= ((uint64_t)1 << 53) || (st->lesson[0] && !gp_2d_lesson_find(st->lesson)))
        return gp_fail(err, GP_ERR_ARG, "a 2-D state with %u measurements, %ld rounds (of %ld G steps), lesson '%.15s'",
                       st->n_js, st->rounds, gan->stats.step, st->lesson);
    return save(gan, GP_SAVE_TRAINING, st, out, len, err);
}

/* ---- reading ------------------------------------------------------------ */

/* Whether the last 4 bytes (little-endian) are the CRC-32 of the rest. */
static int crc_ok(const uint8_t *bytes, size_t len) {
    if (len < 4) return 0;
    uint32_t stored = (uint32_t)bytes[len - 4] | (uint32_t)bytes[len - 3] << 8 | (uint32_t)bytes[len - 2] << 16 |
                      (uint32_t)bytes[len - 1] << 24;
    return gp_crc32(bytes, len - 4) == stored;
}

typedef struct {
    const uint8_t *p;
    size_t len, pos;
    int ok; /* cleared on the first read past the end */
} reader;

static const uint8_t *r_take(reader *r, size_t n) {
    if (!r->ok || n > r->len - r->pos) {
        r->ok = 0;
        return NULL;
    }
    const uint8_t *p = r->p + r->pos;
    r->pos += n;
    return p;
}

static uint32_t r_u32(reader *r) {
    const uint8_t *b = r_take(r, 4);
    return b ? (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24 : 0;
}

static uint64_t r_u64(reader *r) {
    uint64_t lo = r_u32(r);
    return lo | (uint64_t)r_u32(r) << 32;
}

static float r_f32(reader *r) {
    uint32_t v = r_u32(r);
    float f;
    memcpy(&f, &v, 4);
    return f;
}

/* Reads n float32 (or float16 if half) into dst, all finite, or fails.
 * One bounds check for the whole array: this is the bulk of a file. */
static gp_status r_floats(reader *r, float *dst, size_t n, int half, const char *what, gp_err *err) {
    size_t size = half ? 2 : 4;
    const uint8_t *b = n <= (r->len - r->pos) / size ? r_take(r, n * size) : NULL;
    if (!b) {
        r->ok = 0;
        return gp_fail(err, GP_ERR_FORMAT, "model file is truncated in %s", what);
    }
    int finite = 1;
    if (half) {
        for (size_t i = 0; i < n; i++) dst[i] = gp_f16_to_f32((uint16_t)(b[2 * i] | b[2 * i + 1] << 8));
    } else {
        for (size_t i = 0; i < n; i++) {
            uint32_t v = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 | (uint32_t)b[4 * i + 2] << 16 |
                         (uint32_t)b[4 * i + 3] << 24;
            memcpy(&dst[i], &v, 4);
        }
    }
    for (size_t i = 0; i < n; i++) finite &= isfinite(dst[i]) != 0;
    if (!finite) return gp_fail(err, GP_ERR_FORMAT, "model file has a non-finite value in %s", what);
    return GP_OK;
}

typedef struct {
    gp_shape in;
    int n_layers;
    gp_layer_desc layers[GP_MAX_LAYERS];
} net_header;

static gp_status r_net_header(reader *r, net_header *h, const char *name, gp_err *err) {
    h->in.c = (int)r_u32(r);
    h->in.h = (int)r_u32(r);
    h->in.w = (int)r_u32(r);
    uint32_t n = r_u32(r);
    if (!r->ok) return gp_fail(err, GP_ERR_FORMAT, "model file is truncated in the %s header", name);
    if (n < 1 || n > GP_MAX_LAYERS)
        return gp_fail(err, GP_ERR_FORMAT, "model file: %s has %u layers (1..%d allowed)", name, n, GP_MAX_LAYERS);
    h->n_layers = (int)n;
    for (uint32_t i = 0; i < n; i++) {
        gp_layer_desc *d = &h->layers[i];
        d->kind = r_u32(r);
        d->out_c = r_u32(r);
        d->out_h = r_u32(r);
        d->out_w = r_u32(r);
        d->kernel = r_u32(r);
        d->stride = r_u32(r);
        d->pad = r_u32(r);
        d->flags = r_u32(r);
        d->alpha = r_f32(r);
        d->eps = r_f32(r);
    }
    if (!r->ok) return gp_fail(err, GP_ERR_FORMAT, "model file is truncated in the %s layers", name);
    return GP_OK;
}

/* Reads a net's counts and arrays into an already created net. */
static gp_status r_net_body(reader *r, gp_net *net, int with_opt, int half, const char *name, gp_err *err) {
    uint32_t n_params = r_u32(r), n_buffers = r_u32(r);
    if (!r->ok) return gp_fail(err, GP_ERR_FORMAT, "model file is truncated in the %s sizes", name);
    if (n_params != net->n_params || n_buffers != net->n_buffers)
        return gp_fail(err, GP_ERR_FORMAT,
                       "model file: %s declares %u parameters and %u buffers, its layers need %zu and %zu",
                       name, n_params, n_buffers, net->n_params, net->n_buffers);
    gp_status st = r_floats(r, net->params, net->n_params, half, name, err);
    gp_net_params_changed(net);
    if (st == GP_OK) st = r_floats(r, net->buffers, net->n_buffers, half, name, err);
    if (st == GP_OK && with_opt) st = r_floats(r, net->adam_m, net->n_params, 0, name, err);
    if (st == GP_OK && with_opt) st = r_floats(r, net->adam_v, net->n_params, 0, name, err);
    return st;
}

/* What a model file's header says. */
typedef struct {
    uint32_t version;
    int full, half, history, plane;
    gp_gan_config cfg;
    gp_shape image;
    uint64_t rng_state;
    gp_gan_stats stats;
    long t_g, t_d;
} file_header;

/* Version 2's dataset, classes and settings by name, each checked against
 * the settings table; those the version-1 header also holds must agree
 * with it. */
static gp_status read_v2_settings(reader *r, gp_gan_config *c, gp_err *err) {
    const uint8_t *name = r_take(r, GP_NAME_LEN);
    if (name) memcpy(c->dataset, name, GP_NAME_LEN - 1);
    uint32_t classes = r_u32(r);
    if (r->ok && classes > GP_MAX_CLASSES)
        return gp_fail(err, GP_ERR_FORMAT, "model file declares %u classes (0..%d allowed)", classes, GP_MAX_CLASSES);
    c->classes = (int)classes;
    for (int k = 0; r->ok && k < c->classes; k++) {
        name = r_take(r, GP_NAME_LEN);
        if (name) memcpy(c->class_names[k], name, GP_NAME_LEN - 1);
    }
    const gp_gan_config header = *c;
    static const char *const in_header[] = {"batch", "latent", "d_steps", "loss", "lr_g", "lr_d",
                                            "beta1", "beta2", "adam_eps", "real_label"};
    uint32_t n_settings = r_u32(r);
    if (r->ok && n_settings > 256) return gp_fail(err, GP_ERR_FORMAT, "model file declares %u settings", n_settings);
    for (uint32_t i = 0; r->ok && i < n_settings; i++) {
        char key[GP_NAME_LEN] = {0};
        name = r_take(r, GP_NAME_LEN);
        if (name) memcpy(key, name, GP_NAME_LEN - 1);
        uint64_t bits = r_u64(r);
        double v;
        memcpy(&v, &bits, 8);
        if (!r->ok) break;
        const gp_setting *set = gp_setting_find(key);
        if (!set || set->type == GP_SETTING_SEED)
            return gp_fail(err, GP_ERR_FORMAT, "model file has a setting '%.15s' this build does not know (a newer ganplay?)", key);
        gp_err set_err;
        if (gp_setting_set(c, set, v, &set_err) != GP_OK)
            return gp_fail(err, GP_ERR_FORMAT, "model file has a bad setting: %s", set_err.msg);
        for (size_t k = 0; k < sizeof in_header / sizeof in_header[0]; k++)
            if (!strcmp(key, in_header[k]) && gp_setting_get(c, set) != gp_setting_get(&header, set))
                return gp_fail(err, GP_ERR_FORMAT, "model file: %s differs between its header and its settings", key);
    }
    return GP_OK;
}

/* The magic, version, CRC, flags and the settings, checked whole; images
 * of 1 or 3 channels, or with points_2d a 2-D model's points (2x1x1, a 2-D preset). */
static gp_status read_header(reader *r, const uint8_t *bytes, size_t len, int points_2d, file_header *h, gp_err *err) {
    memset(h, 0, sizeof *h);
    h->version = r_u32(r);
    if (h->version < 1 || h->version > GP_MODEL_VERSION)
        return gp_fail(err, GP_ERR_FORMAT, "model file version %u is not supported (this build reads 1..%d)",
                       h->version, GP_MODEL_VERSION);
    if (!crc_ok(bytes, len)) return gp_fail(err, GP_ERR_FORMAT, "model file is corrupted or truncated (checksum mismatch)");
    uint32_t flags = r_u32(r);
    if ((flags & ~(GP_MODEL_FLAG_TRAINING | GP_MODEL_FLAG_F16 | GP_MODEL_FLAG_HISTORY | GP_MODEL_FLAG_PLANE)) ||
        (flags & GP_MODEL_FLAG_TRAINING && flags & GP_MODEL_FLAG_F16) ||
        (flags & (GP_MODEL_FLAG_HISTORY | GP_MODEL_FLAG_PLANE) && !(flags & GP_MODEL_FLAG_TRAINING)))
        return gp_fail(err, GP_ERR_FORMAT, "model file has unknown flags %#x", flags);
    h->full = (flags & GP_MODEL_FLAG_TRAINING) != 0;
    h->half = (flags & GP_MODEL_FLAG_F16) != 0;
    h->history = (flags & GP_MODEL_FLAG_HISTORY) != 0;
    h->plane = (flags & GP_MODEL_FLAG_PLANE) != 0;
    gp_gan_config *c = &h->cfg;
    const uint8_t *preset = r_take(r, 16);
    if (preset) memcpy(c->preset, preset, 15);
    /* settings a file predates keep their defaults (g_steps 1, Adam, ...) */
    if (gp_preset_find(c->preset)) {
        char name[GP_NAME_LEN];
        memcpy(name, c->preset, GP_NAME_LEN);
        gp_gan_config_default(c, name, NULL);
    }
    h->image.c = (int)r_u32(r);
    h->image.h = (int)r_u32(r);
    h->image.w = (int)r_u32(r);
    c->batch = (int)r_u32(r);
    c->latent = (int)r_u32(r);
    c->d_steps = (int)r_u32(r);
    c->loss = (int)r_u32(r);
    c->lr_g = r_f32(r);
    c->lr_d = r_f32(r);
    c->beta1 = r_f32(r);
    c->beta2 = r_f32(r);
    c->adam_eps = r_f32(r);
    c->real_label = r_f32(r);
    c->seed = r_u64(r);
    h->rng_state = r_u64(r);
    uint64_t counts[4]; /* G steps, D steps, Adam's step counts (G, D) */
    for (int k = 0; k < 4; k++) counts[k] = r_u64(r);
    h->stats.step = (long)counts[0];
    h->stats.d_step = (long)counts[1];
    h->t_g = (long)counts[2];
    h->t_d = (long)counts[3];
    h->stats.d_loss = r_f32(r);
    h->stats.g_loss = r_f32(r);
    h->stats.d_real = r_f32(r);
    h->stats.d_fake = r_f32(r);
    strcpy(c->dataset, "unknown"); /* version 1 did not record it */
    c->aux_weight = 1.0f;
    if (h->version >= 2) {
        gp_status st = read_v2_settings(r, c, err);
        if (st != GP_OK) return st;
    }
    if (!r->ok) return gp_fail(err, GP_ERR_FORMAT, "model file is truncated in its header");
    if (!h->full && c->ema != 0.0f) return gp_fail(err, GP_ERR_FORMAT, "model file: a generator alone has no moving average");
    int is_2d = h->image.c == 2 && h->image.h == 1 && h->image.w == 1 && gp_preset_find(c->preset) &&
                gp_preset_find(c->preset)->is_2d;
    if (is_2d && !points_2d)
        return gp_fail(err, GP_ERR_FORMAT, "this is a 2-D model (preset %s, points in the plane): open it in the 2-D "
                       "mode (\"The game in 2-D\")", c->preset);
    if (h->plane && !is_2d) return gp_fail(err, GP_ERR_FORMAT, "model file: a plane section on an image model");
    int points = points_2d && is_2d;
    if (!points && ((h->image.c != 1 && h->image.c != 3) || h->image.h < 1 || h->image.h > 256 || h->image.w < 1 ||
                    h->image.w > 256))
        return gp_fail(err, GP_ERR_FORMAT, "model file: image shape %dx%dx%d is not supported (1 or 3 channels, sides "
                       "1..256)", h->image.c, h->image.h, h->image.w);
    /* the config makes the file's images (a model of another size than its preset's keeps it) */
    c->channels = h->image.c;
    c->height = h->image.h;
    c->width = h->image.w;
    /* what every build counts in a long (wasm's has 32 bits) and a timeline's u32 step holds */
    for (int k = 0; k < 4; k++)
        if (counts[k] > INT32_MAX)
            return gp_fail(err, GP_ERR_FORMAT, "model file: a step count of %llu (at most %ld)",
                           (unsigned long long)counts[k], (long)INT32_MAX);
    gp_err cfg_err;
    if (gp_gan_config_check(c, &cfg_err) != GP_OK)
        return gp_fail(err, GP_ERR_FORMAT, "model file has a bad setting: %s", cfg_err.msg);
    return GP_OK;
}

/* The discriminator after a generator already read into *gan: the GAN is
 * made again with D, keeping the generator's arrays, and D's are read. */
static gp_status read_discriminator(reader *r, const file_header *h, const net_header *g, gp_gan *gan, gp_err *err) {
    net_header d;
    gp_status st = r_net_header(r, &d, "discriminator", err);
    if (st != GP_OK) return st;
    gp_err cfg_err;
    gp_gan both;
    st = gp_gan_create_arch(&both, &h->cfg, h->image, g->in, g->layers, g->n_layers, d.layers, d.n_layers, &cfg_err);
    if (st != GP_OK) return gp_fail(err, GP_ERR_FORMAT, "model file: bad discriminator: %s", cfg_err.msg);
    if (d.in.c != h->image.c + (h->cfg.cond == GP_COND_CONCAT ? h->cfg.classes : 0) || d.in.h != h->image.h ||
        d.in.w != h->image.w) {
        gp_gan_free(&both);
        return gp_fail(err, GP_ERR_FORMAT, "model file: discriminator input does not match the image");
    }
    size_t np = gan->G.n_params;
    memcpy(both.G.params, gan->G.params, np * sizeof(float));
    gp_net_params_changed(&both.G);
    memcpy(both.G.adam_m, gan->G.adam_m, np * sizeof(float));
    memcpy(both.G.adam_v, gan->G.adam_v, np * sizeof(float));
    memcpy(both.G.buffers, gan->G.buffers, gan->G.n_buffers * sizeof(float));
    gp_gan_free(gan);
    *gan = both;
    return r_net_body(r, &gan->D, h->full, 0, "discriminator", err);
}

/* The plane section (gp_2d_state), checked whole against the model read before it. */
static gp_status read_plane(reader *r, const gp_gan *gan, long g_steps, gp_2d_state *st, gp_err *err) {
    uint32_t version = r_u32(r);
    if (r->ok && version != GP_2D_STATE_VERSION)
        return gp_fail(err, GP_ERR_FORMAT, "model file: plane section version %u (this build reads %d): a newer ganplay?",
                       version, GP_2D_STATE_VERSION);
    char dist[GP_NAME_LEN] = {0};
    const uint8_t *name = r_take(r, GP_NAME_LEN);
    if (name) memcpy(dist, name, GP_NAME_LEN - 1);
    name = r_take(r, GP_NAME_LEN);
    memset(st->lesson, 0, sizeof st->lesson);
    if (name) memcpy(st->lesson, name, GP_NAME_LEN - 1);
    uint64_t rounds = r_u64(r), seed = r_u64(r);
    uint32_t n_drawn = r_u32(r);
    if (!r->ok) return gp_fail(err, GP_ERR_FORMAT, "model file is truncated in its plane section");
    if (strcmp(dist, gan->cfg.dataset))
        return gp_fail(err, GP_ERR_FORMAT, "model file: the plane's distribution '%s' is not the model's ('%s')", dist,
                       gan->cfg.dataset);
    if (rounds > (uint64_t)g_steps)
        return gp_fail(err, GP_ERR_FORMAT, "model file: %llu rounds, more than its %ld G steps",
                       (unsigned long long)rounds, g_steps);
    if (seed >= ((uint64_t)1 << 53)) return gp_fail(err, GP_ERR_FORMAT, "model file: the view's seed is past 2^53");
    if (st->lesson[0] && !gp_2d_lesson_find(st->lesson))
        return gp_fail(err, GP_ERR_FORMAT, "model file: a lesson '%s' this build does not know (a newer ganplay?)", st->lesson);
    if (n_drawn > GP_2D_MAX_DRAWN)
        return gp_fail(err, GP_ERR_FORMAT, "model file: %u drawn points (at most %d)", n_drawn, GP_2D_MAX_DRAWN);
    static const float none[2] = {0, 0};
    float *points = n_drawn ? malloc(8 * (size_t)n_drawn) : NULL;
    if (n_drawn && !points) return gp_fail(err, GP_ERR_NOMEM, "out of memory for %u drawn points", n_drawn);
    gp_status s = r_floats(r, points ? points : (float *)none, 2 * (size_t)n_drawn, 0, "the drawn points", err);
    gp_err dist_err;
    int drawn = !strcmp(dist, GP_2D_DISTS[GP_2D_DRAWN].name);
    if (s == GP_OK && !drawn && n_drawn)
        s = gp_fail(err, GP_ERR_FORMAT, "model file: %u drawn points for the distribution '%s'", n_drawn, dist);
    if (s == GP_OK && gp_2d_dist_init(&st->dist, dist, points, (int)n_drawn, &dist_err) != GP_OK)
        s = gp_fail(err, GP_ERR_FORMAT, "model file: bad distribution: %s", dist_err.msg);
    free(points);
    if (s != GP_OK) return s;
    gp_history_info info = {0, 0, 0, 0, 0};
    if (gan->history_len) gp_history_check(gan->history, gan->history_len, &info, NULL); /* checked when set */
    uint32_t n_js = r_u32(r);
    if (!r->ok) return gp_fail(err, GP_ERR_FORMAT, "model file is truncated in its plane section");
    if (n_js != info.fd_points || n_js > GP_2D_STATE_MAX_MEASURES)
        return gp_fail(err, GP_ERR_FORMAT, "model file: %u JS values for %u measurements (at most %d)", n_js,
                       info.fd_points, GP_2D_STATE_MAX_MEASURES);
    s = r_floats(r, st->js, n_js, 0, "the JS values", err);
    if (s != GP_OK) return s;
    st->n_js = n_js;
    st->rounds = (long)rounds;
    st->frame_seed = seed;
    return GP_OK;
}

/* The networks, the moving average, the history and the plane section (into
 * plane; NULL: checked and dropped); on failure *gan is freed. */
static gp_status read_networks(reader *r, const file_header *h, gp_gan *gan, gp_2d_state *plane, gp_err *err) {
    net_header g;
    gp_status st = r_net_header(r, &g, "generator", err);
    if (st != GP_OK) return st;
    /* create G now to learn its sizes, then read its arrays */
    gp_err cfg_err;
    st = gp_gan_create_arch(gan, &h->cfg, h->image, g.in, g.layers, g.n_layers, NULL, 0, &cfg_err);
    if (st != GP_OK) return gp_fail(err, GP_ERR_FORMAT, "model file: bad generator: %s", cfg_err.msg);
    st = r_net_body(r, &gan->G, h->full, h->half, "generator", err);
    if (st == GP_OK && h->full) st = read_discriminator(r, h, &g, gan, err);
    if (st == GP_OK && gan->ema) st = r_floats(r, gan->ema, gan->G.n_params, 0, "generator average", err);
    gp_net_params_changed(&gan->G);
    if (st == GP_OK && h->history) {
        uint32_t n = r_u32(r);
        const uint8_t *bytes = r->ok && n ? r_take(r, n) : NULL;
        if (!bytes) st = gp_fail(err, GP_ERR_FORMAT, "model file is truncated in its history");
        else st = gp_gan_set_history(gan, bytes, n, err);
    }
    if (st == GP_OK && h->plane) {
        gp_2d_state *own = plane ? plane : malloc(sizeof *own);
        st = own ? read_plane(r, gan, h->stats.step, own, err) : gp_fail(err, GP_ERR_NOMEM, "out of memory for the plane section");
        if (own != plane) free(own);
    }
    if (st == GP_OK && r->pos != r->len)
        st = gp_fail(err, GP_ERR_FORMAT, "model file has %zu unexpected trailing bytes", r->len - r->pos);
    if (st != GP_OK) gp_gan_free(gan);
    return st;
}

static gp_status load(gp_gan *gan, const uint8_t *bytes, size_t len, int points_2d, gp_2d_state *plane, int *has_plane,
                      gp_err *err) {
    memset(gan, 0, sizeof *gan);
    if (len < 12 || memcmp(bytes, GP_MODEL_MAGIC, 4) != 0)
        return gp_fail(err, GP_ERR_FORMAT, "not a ganplay model file (bad magic number)");
    if (len > GP_MODEL_MAX_BYTES)
        return gp_fail(err, GP_ERR_FORMAT, "model file is too large (%zu bytes)", len);
    reader r = {bytes, len - 4, 4, 1}; /* the last 4 bytes are the CRC */
    file_header h;
    gp_status st = read_header(&r, bytes, len, points_2d, &h, err);
    if (st != GP_OK) return st;
    gp_gan tmp;
    st = read_networks(&r, &h, &tmp, plane, err);
    if (st != GP_OK) return st;
    if (has_plane) *has_plane = h.plane;
    tmp.rng.state = h.rng_state;
    tmp.stats = h.stats;
    tmp.opt_g.t = h.t_g;
    tmp.opt_d.t = h.t_d;
    *gan = tmp;
    return GP_OK;
}

gp_status gp_model_load(gp_gan *gan, const uint8_t *bytes, size_t len, gp_err *err) {
    return load(gan, bytes, len, 0, NULL, NULL, err);
}

gp_status gp_model_load_state(gp_gan *gan, const uint8_t *bytes, size_t len, gp_err *err) {
    return load(gan, bytes, len, 1, NULL, NULL, err);
}

gp_status gp_model_load_2d(gp_gan *gan, gp_2d_state *st, const uint8_t *bytes, size_t len, gp_err *err) {
    gp_2d_state *tmp = malloc(sizeof *tmp);
    if (!tmp) {
        memset(gan, 0, sizeof *gan);
        return gp_fail(err, GP_ERR_NOMEM, "out of memory opening a 2-D state");
    }
    int has_plane = 0;
    gp_status s = load(gan, bytes, len, 1, tmp, &has_plane, err);
    if (s == GP_OK && !is_points(gan))
        s = gp_fail(err, GP_ERR_FORMAT, "this is an image model (preset %s, %dx%dx%d images): open it in the main "
                    "view's Model box, not in the 2-D mode", gan->cfg.preset, gan->image.c, gan->image.h, gan->image.w);
    else if (s == GP_OK && !gan->has_d)
        s = gp_fail(err, GP_ERR_FORMAT, "this 2-D model file has no discriminator: it is not a training state");
    else if (s == GP_OK && !has_plane)
        s = gp_fail(err, GP_ERR_FORMAT, "this 2-D model file has no plane section (distribution, rounds): it is a "
                    "run's internal state, not a saved run");
    if (s == GP_OK) *st = *tmp;
    else gp_gan_free(gan);
    free(tmp);
    return s;
}

void gp_2d_state_json(const gp_gan *gan, const gp_2d_state *st, gp_json *j) {
    const gp_2d_dist_info *d = &GP_2D_DISTS[st->dist.kind];
    gp_json_open(j, '{');
    gp_json_kstr(j, "mode", "2d");
    gp_json_kstr(j, "distribution", d->name);
    gp_json_kstr(j, "distribution_label", d->label);
    gp_json_kint(j, "drawn_points", st->dist.kind == GP_2D_DRAWN ? st->dist.n_drawn : 0);
    gp_json_kstr(j, "lesson", st->lesson[0] ? st->lesson : NULL);
    gp_json_kint(j, "rounds", st->rounds);
    gp_json_kint(j, "g_steps", gan->stats.step);
    gp_json_kint(j, "d_steps_taken", gan->stats.d_step);
    gp_json_kint(j, "measurements", st->n_js);
    gp_json_kint(j, "frame_seed", (long long)st->frame_seed);
    gp_json_key(j, "model");
    gp_model_info_json(gan, j);
    gp_json_close(j, '}');
}

/* Writes len bytes to path and frees them, atomically: a temporary file in
 * the same folder, flushed and synced, then renamed over path. On any
 * failure the temporary goes and whatever was at path stays. */
static gp_status write_and_free(const char *path, uint8_t *bytes, size_t len, gp_err *err) {
    gp_status st = gp_write_file_atomic(path, bytes, len, err);
    free(bytes);
    return st;
}

gp_status gp_model_save_file(const gp_gan *gan, int kind, const char *path, gp_err *err) {
    uint8_t *bytes;
    size_t len;
    gp_status st = gp_model_save(gan, kind, &bytes, &len, err);
    return st != GP_OK ? st : write_and_free(path, bytes, len, err);
}

gp_status gp_model_load_file(gp_gan *gan, const char *path, gp_err *err) {
    uint8_t *bytes;
    size_t len;
    memset(gan, 0, sizeof *gan);
    gp_status st = gp_read_file(path, &bytes, &len, GP_MODEL_MAX_BYTES, err);
    if (st != GP_OK) return st;
    st = gp_model_load(gan, bytes, len, err);
    free(bytes);
    return st;
}

/* ---- classifier files --------------------------------------------------- */

gp_status gp_classifier_save(const gp_classifier *c, uint8_t **out, size_t *len, gp_err *err) {
    writer w = {0};
    *out = NULL;
    *len = 0;
    int ok = w_bytes(&w, GP_CLASSIFIER_MAGIC, 4) && w_u32(&w, 1) && w_u32(&w, (uint32_t)c->feature_layer) &&
             w_u64(&w, (uint64_t)c->step) && w_net(&w, &c->net, c->net.params, 0, 0);
    ok = ok && w_u32(&w, gp_crc32(w.p, w.len));
    if (!ok) {
        free(w.p);
        if (w.unreadable)
            return gp_fail(err, GP_ERR_NAN, "the classifier has a non-finite weight (its loss became NaN): a file of it "
                                            "would not load");
        return gp_fail(err, GP_ERR_NOMEM, "out of memory writing the classifier");
    }
    *out = w.p;
    *len = w.len;
    return GP_OK;
}

gp_status gp_classifier_save_file(const gp_classifier *c, const char *path, gp_err *err) {
    uint8_t *bytes;
    size_t len;
    gp_status st = gp_classifier_save(c, &bytes, &len, err);
    return st == GP_OK ? write_and_free(path, bytes, len, err) : st;
}

gp_status gp_classifier_load(gp_classifier *c, const uint8_t *bytes, size_t len, gp_err *err) {
    memset(c, 0, sizeof *c);
    if (len < 16 || memcmp(bytes, GP_CLASSIFIER_MAGIC, 4) != 0)
        return gp_fail(err, GP_ERR_FORMAT, "not a ganplay classifier file (bad magic number)");
    if (len > GP_MODEL_MAX_BYTES) /* before the checksum reads it all */
        return gp_fail(err, GP_ERR_FORMAT, "classifier file is too large (%zu bytes, at most %zu)", len, GP_MODEL_MAX_BYTES);
    if (!crc_ok(bytes, len))
        return gp_fail(err, GP_ERR_FORMAT, "classifier file is corrupted or truncated (checksum mismatch)");
    reader r = {bytes, len - 4, 4, 1};
    uint32_t version = r_u32(&r), feature_layer = r_u32(&r);
    long steps = (long)r_u64(&r);
    if (!r.ok || version != 1) return gp_fail(err, GP_ERR_FORMAT, "classifier file version %u is not supported", version);
    net_header h;
    gp_status st = r_net_header(&r, &h, "classifier", err);
    if (st != GP_OK) return st;
    gp_err arch_err;
    if (feature_layer > GP_MAX_LAYERS ||
        gp_classifier_create_arch(c, h.in, h.layers, h.n_layers, (int)feature_layer, 64, &arch_err) != GP_OK)
        return gp_fail(err, GP_ERR_FORMAT, "classifier file: bad network: %s",
                       feature_layer > GP_MAX_LAYERS ? "feature layer out of range" : arch_err.msg);
    st = r_net_body(&r, &c->net, 0, 0, "classifier", err);
    if (st == GP_OK && r.pos != r.len)
        st = gp_fail(err, GP_ERR_FORMAT, "classifier file has %zu unexpected trailing bytes", r.len - r.pos);
    if (st != GP_OK) {
        gp_classifier_free(c);
        return st;
    }
    c->step = steps;
    return GP_OK;
}

gp_status gp_classifier_load_file(gp_classifier *c, const char *path, gp_err *err) {
    uint8_t *bytes;
    size_t len;
    memset(c, 0, sizeof *c);
    gp_status st = gp_read_file(path, &bytes, &len, GP_MODEL_MAX_BYTES, err);
    if (st != GP_OK) return st;
    st = gp_classifier_load(c, bytes, len, err);
    free(bytes);
    return st;
}
