/* wasm_api.c: the functions the page calls, a thin layer over the core.
 *
 * JS owns one gp_session per model it shows (a pointer). Every call that can
 * fail returns 0 for success or a gp_status, and gpw_error() then says why in
 * words; a failed call leaves the session's model and data as they were.
 * Buffers cross the boundary as (pointer, length) in wasm memory: JS gets
 * them with gpw_alloc and must read heap views afresh after each call, since
 * memory may grow. */
#include <emscripten/emscripten.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "gan.h"
#include "grid.h"
#include "kernels.h"
#include "modelfile.h"

#define GPW_MAX_IMAGES 256 /* most images one render or sample call makes */
#define GPW_FIXED 64       /* fixed-noise grid size */

typedef struct {
    gp_err err;
    gp_gan_config cfg; /* settings for the next gpw_create */
    gp_dataset ds;
    gp_gan gan;
    int has_gan;
    double stats[6];
    float *fixed_z;    /* GPW_FIXED x latent, from the model's seed */
    float *z;          /* GPW_MAX_IMAGES x latent */
    float *images;     /* GPW_MAX_IMAGES x image */
    uint8_t *rgba;     /* the last rendered grid */
    size_t rgba_cap;   /* its capacity in pixels */
    int rgba_w, rgba_h;
    uint8_t *saved;    /* the last gpw_save output */
    size_t saved_len;
} gp_session;

EMSCRIPTEN_KEEPALIVE int gpw_simd(void) { return gp_kernels_simd(); }
EMSCRIPTEN_KEEPALIVE void *gpw_alloc(int bytes) { return bytes > 0 ? malloc((size_t)bytes) : NULL; }
EMSCRIPTEN_KEEPALIVE void gpw_free(void *p) { free(p); }

EMSCRIPTEN_KEEPALIVE gp_session *gpw_new(void) {
    gp_session *s = calloc(1, sizeof *s);
    if (s) gp_gan_config_default(&s->cfg, "mlp", NULL);
    return s;
}

static void drop_model(gp_session *s) {
    if (s->has_gan) gp_gan_free(&s->gan);
    s->has_gan = 0;
    free(s->fixed_z);
    free(s->z);
    free(s->images);
    free(s->rgba);
    s->fixed_z = s->z = s->images = NULL;
    s->rgba = NULL;
}

EMSCRIPTEN_KEEPALIVE void gpw_delete(gp_session *s) {
    if (!s) return;
    drop_model(s);
    gp_dataset_free(&s->ds);
    free(s->saved);
    free(s);
}

EMSCRIPTEN_KEEPALIVE const char *gpw_error(gp_session *s) { return s->err.msg; }

EMSCRIPTEN_KEEPALIVE int gpw_load_dataset(gp_session *s, const uint8_t *bytes, int len) {
    gp_dataset ds;
    gp_status st = gp_dataset_from_bytes(&ds, bytes, (size_t)(len > 0 ? len : 0), &s->err);
    if (st != GP_OK) return (int)st;
    gp_dataset_free(&s->ds);
    s->ds = ds;
    return 0;
}

EMSCRIPTEN_KEEPALIVE int gpw_dataset_count(gp_session *s) { return s->ds.count; }

/* Starts the settings for the next gpw_create from a preset's defaults. */
EMSCRIPTEN_KEEPALIVE int gpw_config_default(gp_session *s, const char *preset) {
    gp_gan_config cfg;
    gp_status st = gp_gan_config_default(&cfg, preset, &s->err);
    if (st == GP_OK) s->cfg = cfg;
    return (int)st;
}

/* JS numbers are doubles: seeds must be exact integers in 0..2^53-1. */
static int seed_ok(gp_session *s, double seed) {
    if (seed >= 0 && seed <= 9007199254740991.0 && seed == floor(seed)) return 1;
    gp_fail(&s->err, GP_ERR_ARG, "seed: must be an integer in 0..9007199254740991, got %g", seed);
    return 0;
}

/* An integer setting, or -1 (which every range check refuses). */
static int int_or_invalid(double v) {
    return v >= -1e6 && v <= 1e6 && v == floor(v) ? (int)v : -1;
}

/* Sets one setting by name; the value is checked here and again by create. */
EMSCRIPTEN_KEEPALIVE int gpw_config_set(gp_session *s, const char *key, double value) {
    gp_gan_config c = s->cfg;
    if (!strcmp(key, "seed")) {
        if (!seed_ok(s, value)) return GP_ERR_ARG;
        c.seed = (uint64_t)value;
    } else if (!strcmp(key, "batch")) c.batch = int_or_invalid(value);
    else if (!strcmp(key, "latent")) c.latent = int_or_invalid(value);
    else if (!strcmp(key, "d_steps")) c.d_steps = int_or_invalid(value);
    else if (!strcmp(key, "loss")) c.loss = int_or_invalid(value);
    else if (!strcmp(key, "lr_g")) c.lr_g = (float)value;
    else if (!strcmp(key, "lr_d")) c.lr_d = (float)value;
    else if (!strcmp(key, "beta1")) c.beta1 = (float)value;
    else if (!strcmp(key, "beta2")) c.beta2 = (float)value;
    else if (!strcmp(key, "adam_eps")) c.adam_eps = (float)value;
    else if (!strcmp(key, "real_label")) c.real_label = (float)value;
    else return gp_fail(&s->err, GP_ERR_ARG, "unknown setting '%.40s'", key);
    gp_status st = gp_gan_config_check(&c, &s->err);
    if (st == GP_OK) s->cfg = c;
    return (int)st;
}

/* Buffers that go with a model; on failure the old model stays. */
static int adopt_model(gp_session *s, gp_gan *gan) {
    int L = gan->cfg.latent, n_img = gp_shape_size(gp_gan_image_shape(gan));
    float *fixed_z = malloc(sizeof(float) * GPW_FIXED * L);
    float *z = malloc(sizeof(float) * GPW_MAX_IMAGES * L);
    float *images = malloc(sizeof(float) * GPW_MAX_IMAGES * n_img);
    /* the largest grid any count and column choice can make */
    size_t cap = 0;
    for (int cols = 1; cols <= GPW_MAX_IMAGES; cols++) {
        int gw, gh;
        gp_grid_size(GPW_MAX_IMAGES, cols, gan->image.h, gan->image.w, &gw, &gh);
        if ((size_t)gw * gh > cap) cap = (size_t)gw * gh;
    }
    uint8_t *rgba = malloc(4 * cap);
    if (!fixed_z || !z || !images || !rgba) {
        free(fixed_z);
        free(z);
        free(images);
        free(rgba);
        gp_gan_free(gan);
        return gp_fail(&s->err, GP_ERR_NOMEM, "out of memory for the sample buffers");
    }
    drop_model(s);
    s->gan = *gan;
    s->has_gan = 1;
    s->fixed_z = fixed_z;
    s->z = z;
    s->images = images;
    s->rgba = rgba;
    s->rgba_cap = cap;
    s->rgba_w = s->rgba_h = 0;
    /* the fixed grid noise comes from the model's seed, so it is the same
     * every time this model is shown */
    gp_gan_latents(&s->gan, s->gan.cfg.seed + 1000003u, GPW_FIXED, s->fixed_z);
    return 0;
}

EMSCRIPTEN_KEEPALIVE int gpw_create(gp_session *s) {
    gp_gan gan;
    gp_status st = gp_gan_create(&gan, &s->cfg, 1, &s->err);
    if (st != GP_OK) return (int)st;
    return adopt_model(s, &gan);
}

EMSCRIPTEN_KEEPALIVE int gpw_has_model(gp_session *s) { return s->has_gan; }
EMSCRIPTEN_KEEPALIVE int gpw_has_discriminator(gp_session *s) { return s->has_gan && s->gan.has_d; }

static int need_training(gp_session *s) {
    if (!s->has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
    if (!s->gan.has_d)
        return gp_fail(&s->err, GP_ERR_ARG, "this model file holds a generator only; it can sample but not train");
    if (s->ds.count == 0) return gp_fail(&s->err, GP_ERR_ARG, "no dataset loaded");
    return 0;
}

/* Runs steps full training steps (d_steps D steps + one G step each). */
EMSCRIPTEN_KEEPALIVE int gpw_train(gp_session *s, int steps) {
    int st = need_training(s);
    for (int i = 0; st == 0 && i < steps; i++) st = (int)gp_gan_train_step(&s->gan, &s->ds, &s->err);
    return st;
}

EMSCRIPTEN_KEEPALIVE int gpw_d_step(gp_session *s) {
    int st = need_training(s);
    return st ? st : (int)gp_gan_d_step(&s->gan, &s->ds, &s->err);
}

EMSCRIPTEN_KEEPALIVE int gpw_g_step(gp_session *s) {
    int st = need_training(s);
    return st ? st : (int)gp_gan_g_step(&s->gan, &s->err);
}

/* [step, d_step, d_loss, g_loss, d_real, d_fake] as doubles */
EMSCRIPTEN_KEEPALIVE double *gpw_stats(gp_session *s) {
    const gp_gan_stats *t = &s->gan.stats;
    s->stats[0] = (double)t->step;
    s->stats[1] = (double)t->d_step;
    s->stats[2] = t->d_loss;
    s->stats[3] = t->g_loss;
    s->stats[4] = t->d_real;
    s->stats[5] = t->d_fake;
    return s->stats;
}

static int check_count(gp_session *s, int count) {
    if (!s->has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
    if (count < 1 || count > GPW_MAX_IMAGES)
        return gp_fail(&s->err, GP_ERR_ARG, "count must be in 1..%d", GPW_MAX_IMAGES);
    return 0;
}

static int render(gp_session *s, const float *z, int count, int cols) {
    if (cols < 1 || cols > GPW_MAX_IMAGES)
        return gp_fail(&s->err, GP_ERR_ARG, "columns must be in 1..%d", GPW_MAX_IMAGES);
    int gw, gh;
    gp_grid_size(count, cols, s->gan.image.h, s->gan.image.w, &gw, &gh);
    GP_ASSERT((size_t)gw * gh <= s->rgba_cap);
    gp_gan_generate(&s->gan, z, count, s->images);
    s->rgba_w = gw;
    s->rgba_h = gh;
    gp_grid_render(s->rgba, 4, s->images, count, cols, s->gan.image.h, s->gan.image.w);
    return 0;
}

/* Renders the fixed-noise grid (count <= 64) as RGBA: see gpw_rgba*. */
EMSCRIPTEN_KEEPALIVE int gpw_render_fixed(gp_session *s, int count, int cols) {
    int st = check_count(s, count);
    if (!st && count > GPW_FIXED) st = gp_fail(&s->err, GP_ERR_ARG, "the fixed grid holds %d images", GPW_FIXED);
    return st ? st : render(s, s->fixed_z, count, cols);
}

/* Renders count samples of the given seed as RGBA. */
EMSCRIPTEN_KEEPALIVE int gpw_render_seed(gp_session *s, double seed, int count, int cols) {
    int st = check_count(s, count);
    if (st) return st;
    if (!seed_ok(s, seed)) return GP_ERR_ARG;
    gp_gan_latents(&s->gan, (uint64_t)seed, count, s->z);
    return render(s, s->z, count, cols);
}

EMSCRIPTEN_KEEPALIVE uint8_t *gpw_rgba(gp_session *s) { return s->rgba; }
EMSCRIPTEN_KEEPALIVE int gpw_rgba_width(gp_session *s) { return s->rgba_w; }
EMSCRIPTEN_KEEPALIVE int gpw_rgba_height(gp_session *s) { return s->rgba_h; }

/* Floats per image (784 for 28x28 grayscale) and the latent size. */
EMSCRIPTEN_KEEPALIVE int gpw_image_size(gp_session *s) { return s->has_gan ? gp_shape_size(s->gan.image) : 0; }
EMSCRIPTEN_KEEPALIVE int gpw_latent_size(gp_session *s) { return s->has_gan ? s->gan.cfg.latent : 0; }

/* Writes count samples of the given seed (count x image floats in [-1, 1]). */
EMSCRIPTEN_KEEPALIVE int gpw_sample(gp_session *s, double seed, int count, float *out) {
    int st = check_count(s, count);
    if (st) return st;
    if (!seed_ok(s, seed)) return GP_ERR_ARG;
    gp_gan_latents(&s->gan, (uint64_t)seed, count, s->z);
    gp_gan_generate(&s->gan, s->z, count, out);
    return 0;
}

/* Serializes the model (kind: 0 generator, 1 whole training state,
 * 2 generator with float16 weights): see gpw_saved*. */
EMSCRIPTEN_KEEPALIVE int gpw_save(gp_session *s, int kind) {
    if (!s->has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model to save");
    uint8_t *bytes;
    size_t len;
    gp_status st = gp_model_save(&s->gan, kind, &bytes, &len, &s->err);
    if (st != GP_OK) return (int)st;
    free(s->saved);
    s->saved = bytes;
    s->saved_len = len;
    return 0;
}

EMSCRIPTEN_KEEPALIVE uint8_t *gpw_saved(gp_session *s) { return s->saved; }
EMSCRIPTEN_KEEPALIVE int gpw_saved_len(gp_session *s) { return (int)s->saved_len; }

/* Replaces the model with a model file's; a bad file changes nothing. */
EMSCRIPTEN_KEEPALIVE int gpw_load_model(gp_session *s, const uint8_t *bytes, int len) {
    gp_gan gan;
    gp_status st = gp_model_load(&gan, bytes, (size_t)(len > 0 ? len : 0), &s->err);
    if (st != GP_OK) return (int)st;
    int rc = adopt_model(s, &gan);
    if (rc == 0) s->cfg = s->gan.cfg;
    return rc;
}

/* n standard normals of gp_rng seeded with seed: the RNG parity test. */
EMSCRIPTEN_KEEPALIVE void gpw_rng_normals(double seed, int n, float *out) {
    gp_rng rng;
    gp_rng_seed(&rng, seed >= 0 && seed < 1.8e19 ? (uint64_t)seed : 0);
    gp_rng_fill_normal(&rng, out, n, 0.0f, 1.0f);
}
