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

#include "classifier.h"
#include "dataset.h"
#include "fd.h"
#include "gan.h"
#include "grid.h"
#include "kernels.h"
#include "modelfile.h"

#define GPW_MAX_IMAGES 256 /* most images one render or sample call makes */
#define GPW_FIXED 64       /* fixed-noise grid size */
#define GPW_DIRECTIONS 4   /* fixed latent directions for the explore sliders */
#define GPW_MIN_USER_IMAGES 10
#define GPW_MAX_USER_IMAGES 10000
#define GPW_MAX_SCORE 2000 /* most samples one gpw_score call scores */

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
    /* explore: latent rows that JS composes with the gpw_z_* calls */
    float *zw;         /* GPW_MAX_IMAGES x latent */
    float *dirs;       /* GPW_DIRECTIONS x latent, orthonormal */
    int n_images;      /* images in s->images from the last render */
    float probs[GPW_MAX_IMAGES]; /* D's probabilities, see gpw_d_score */
    double info[16];
    double cfg_values[12];
    double sums[8];
    /* digit FD: the classifier and the held-out images' feature statistics */
    gp_classifier clf;
    int has_clf;
    gp_feature_stats ref;
    int has_ref;
    double score[2 + GP_CLASSES];
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
    free(s->zw);
    free(s->dirs);
    s->fixed_z = s->z = s->images = s->zw = s->dirs = NULL;
    s->rgba = NULL;
    s->n_images = 0;
}

static void drop_reference(gp_session *s) {
    if (s->has_ref) gp_feature_stats_free(&s->ref);
    s->has_ref = 0;
}

EMSCRIPTEN_KEEPALIVE void gpw_delete(gp_session *s) {
    if (!s) return;
    drop_model(s);
    drop_reference(s);
    if (s->has_clf) gp_classifier_free(&s->clf);
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
    drop_reference(s); /* the FD reference belongs to the old held-out images */
    return 0;
}

EMSCRIPTEN_KEEPALIVE int gpw_dataset_count(gp_session *s) { return s->ds.count; }
/* Held-out images of the dataset (i % 5 == 4). */
EMSCRIPTEN_KEEPALIVE int gpw_dataset_held_out(gp_session *s) { return s->ds.n_test; }

/* A dataset from images the user drew or picked: count RGBA images of
 * h x w (count*h*w*4 bytes, as canvas getImageData gives them), all
 * labelled 0. Each becomes gray (luma, composited over white); an image
 * whose border is mostly light (dark ink on paper) is inverted, so every
 * image is light strokes on black as in MNIST. The held-out rule applies as
 * for any dataset. Refuses fewer than GPW_MIN_USER_IMAGES images. */
EMSCRIPTEN_KEEPALIVE int gpw_dataset_from_rgba(gp_session *s, const uint8_t *rgba, int count, int h, int w) {
    if (count < GPW_MIN_USER_IMAGES)
        return gp_fail(&s->err, GP_ERR_ARG, "at least %d images are needed to train on, got %d",
                       GPW_MIN_USER_IMAGES, count < 0 ? 0 : count);
    if (count > GPW_MAX_USER_IMAGES)
        return gp_fail(&s->err, GP_ERR_ARG, "at most %d images, got %d", GPW_MAX_USER_IMAGES, count);
    if (h < 1 || h > 256 || w < 1 || w > 256)
        return gp_fail(&s->err, GP_ERR_ARG, "image size must be in 1..256, got %dx%d", h, w);
    if (!rgba) return gp_fail(&s->err, GP_ERR_ARG, "no pixels given");
    size_t n = (size_t)h * w, len = 24 + (size_t)count * n + (size_t)count;
    uint8_t *file = malloc(len);
    if (!file) return gp_fail(&s->err, GP_ERR_NOMEM, "out of memory for %d images", count);
    memcpy(file, GP_DATASET_MAGIC, 4);
    const uint32_t head[5] = {GP_DATASET_VERSION, (uint32_t)count, (uint32_t)h, (uint32_t)w, 1};
    for (int i = 0; i < 5; i++)
        for (int b = 0; b < 4; b++) file[4 + 4 * i + b] = (uint8_t)(head[i] >> (8 * b));
    for (int k = 0; k < count; k++) {
        const uint8_t *src = rgba + (size_t)k * n * 4;
        uint8_t *dst = file + 24 + (size_t)k * n;
        long border = 0, border_n = 0;
        for (size_t i = 0; i < n; i++) {
            const uint8_t *p = src + 4 * i;
            int luma = (77 * p[0] + 150 * p[1] + 29 * p[2] + 128) >> 8;
            int v = (luma * p[3] + 255 * (255 - p[3]) + 127) / 255;
            dst[i] = (uint8_t)v;
            int y = (int)(i / (size_t)w), x = (int)(i % (size_t)w);
            if (y == 0 || x == 0 || y == h - 1 || x == w - 1) {
                border += v;
                border_n++;
            }
        }
        if (border > 128 * border_n)
            for (size_t i = 0; i < n; i++) dst[i] = (uint8_t)(255 - dst[i]);
    }
    memset(file + 24 + (size_t)count * n, 0, (size_t)count);
    int rc = gpw_load_dataset(s, file, (int)len);
    free(file);
    return rc;
}

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

/* Writes one setting by name into c (unchecked). */
static int apply_setting(gp_session *s, gp_gan_config *c_, const char *key, double value) {
    gp_gan_config c = *c_;
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
    *c_ = c;
    return 0;
}

/* Sets one setting by name; the value is checked here and again by create. */
EMSCRIPTEN_KEEPALIVE int gpw_config_set(gp_session *s, const char *key, double value) {
    gp_gan_config c = s->cfg;
    int rc = apply_setting(s, &c, key, value);
    if (rc) return rc;
    gp_status st = gp_gan_config_check(&c, &s->err);
    if (st == GP_OK) s->cfg = c;
    return (int)st;
}

/* The settings as numbers, in this order: seed, batch, latent, lr_g, lr_d,
 * beta1, beta2, adam_eps, d_steps, loss, real_label. which = 0: the settings
 * for the next gpw_create; 1: the model's own (NULL without a model). */
EMSCRIPTEN_KEEPALIVE double *gpw_config_values(gp_session *s, int which) {
    if (which && !s->has_gan) return NULL;
    const gp_gan_config *c = which ? &s->gan.cfg : &s->cfg;
    double *v = s->cfg_values;
    v[0] = (double)c->seed;
    v[1] = c->batch;
    v[2] = c->latent;
    v[3] = c->lr_g;
    v[4] = c->lr_d;
    v[5] = c->beta1;
    v[6] = c->beta2;
    v[7] = c->adam_eps;
    v[8] = c->d_steps;
    v[9] = c->loss;
    v[10] = c->real_label;
    return v;
}

/* The preset name of the settings (which = 0) or of the model (1). */
EMSCRIPTEN_KEEPALIVE const char *gpw_config_preset(gp_session *s, int which) {
    if (which && !s->has_gan) return "";
    return which ? s->gan.cfg.preset : s->cfg.preset;
}

/* Changes a setting of the live model, for the settings that do not change
 * its shape or history: lr_g, lr_d, beta1, beta2, adam_eps, d_steps, loss,
 * real_label. A refused value changes nothing. Adam's moments and step
 * counts carry on. */
EMSCRIPTEN_KEEPALIVE int gpw_model_set(gp_session *s, const char *key, double value) {
    if (!s->has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
    static const char *const live[] = {"lr_g", "lr_d", "beta1", "beta2", "adam_eps", "d_steps", "loss", "real_label"};
    int ok = 0;
    for (size_t i = 0; i < sizeof live / sizeof live[0]; i++) ok |= !strcmp(key, live[i]);
    if (!ok)
        return gp_fail(&s->err, GP_ERR_ARG, "%.40s: cannot change on a live model (it takes effect when a new model is made)", key);
    gp_gan_config c = s->gan.cfg;
    int rc = apply_setting(s, &c, key, value);
    if (rc) return rc;
    gp_status st = gp_gan_config_check(&c, &s->err);
    if (st != GP_OK) return (int)st;
    s->gan.cfg = c;
    s->gan.opt_g.lr = c.lr_g;
    s->gan.opt_d.lr = c.lr_d;
    s->gan.opt_g.beta1 = s->gan.opt_d.beta1 = c.beta1;
    s->gan.opt_g.beta2 = s->gan.opt_d.beta2 = c.beta2;
    s->gan.opt_g.eps = s->gan.opt_d.eps = c.adam_eps;
    return 0;
}

/* GPW_DIRECTIONS orthonormal directions in latent space (Gram-Schmidt on
 * normals from a fixed seed): the same for every model of a latent size.
 * With latent < GPW_DIRECTIONS the extra directions stay zero. */
static void make_directions(float *dirs, int L) {
    gp_rng rng;
    gp_rng_seed(&rng, 0xD1CEull + (uint64_t)L);
    gp_rng_fill_normal(&rng, dirs, GPW_DIRECTIONS * L, 0.0f, 1.0f);
    for (int k = 0; k < GPW_DIRECTIONS; k++) {
        float *d = dirs + (size_t)k * L;
        for (int j = 0; j < k; j++) {
            const float *e = dirs + (size_t)j * L;
            double dot = 0.0;
            for (int i = 0; i < L; i++) dot += (double)d[i] * e[i];
            for (int i = 0; i < L; i++) d[i] -= (float)(dot * e[i]);
        }
        double norm = 0.0;
        for (int i = 0; i < L; i++) norm += (double)d[i] * d[i];
        norm = sqrt(norm);
        for (int i = 0; i < L; i++) d[i] = norm > 1e-6 ? (float)(d[i] / norm) : 0.0f;
    }
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
    float *zw = calloc((size_t)GPW_MAX_IMAGES * L, sizeof(float));
    float *dirs = malloc(sizeof(float) * GPW_DIRECTIONS * L);
    if (!fixed_z || !z || !images || !rgba || !zw || !dirs) {
        free(fixed_z);
        free(z);
        free(images);
        free(rgba);
        free(zw);
        free(dirs);
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
    s->zw = zw;
    s->dirs = dirs;
    make_directions(dirs, L);
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
    s->n_images = count;
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

/* ---- model description ------------------------------------------------- */

/* [has model, latent, channels, height, width, has discriminator, classes,
 *  G parameters, D parameters, step, D steps, batch] */
EMSCRIPTEN_KEEPALIVE double *gpw_model_info(gp_session *s) {
    double *v = s->info;
    memset(v, 0, sizeof s->info);
    if (!s->has_gan) return v;
    v[0] = 1;
    v[1] = s->gan.cfg.latent;
    v[2] = s->gan.image.c;
    v[3] = s->gan.image.h;
    v[4] = s->gan.image.w;
    v[5] = s->gan.has_d;
    v[6] = 0; /* no class-conditional preset yet */
    v[7] = (double)s->gan.G.n_params;
    v[8] = s->gan.has_d ? (double)s->gan.D.n_params : 0;
    v[9] = (double)s->gan.stats.step;
    v[10] = (double)s->gan.stats.d_step;
    v[11] = s->gan.cfg.batch;
    return v;
}

/* ---- explore: latent rows ---------------------------------------------- */
/* JS composes latent vectors in GPW_MAX_IMAGES rows of the session and
 * renders them; nothing here touches the training state. */

static int check_rows(gp_session *s, int row, int count) {
    if (!s->has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
    if (row < 0 || count < 1 || row + count > GPW_MAX_IMAGES)
        return gp_fail(&s->err, GP_ERR_ARG, "latent rows %d..%d are outside 0..%d", row, row + count - 1,
                       GPW_MAX_IMAGES - 1);
    return 0;
}

static float *zrow(gp_session *s, int row) { return s->zw + (size_t)row * s->gan.cfg.latent; }

/* Row `row` = the latent of sample `index` of seed (what gpw_render_seed
 * draws at that place). */
EMSCRIPTEN_KEEPALIVE int gpw_z_seed(gp_session *s, int row, double seed, int index) {
    int st = check_rows(s, row, 1);
    if (st) return st;
    if (!seed_ok(s, seed)) return GP_ERR_ARG;
    if (index < 0 || index >= GPW_MAX_IMAGES)
        return gp_fail(&s->err, GP_ERR_ARG, "sample index must be in 0..%d, got %d", GPW_MAX_IMAGES - 1, index);
    int L = s->gan.cfg.latent;
    gp_gan_latents(&s->gan, (uint64_t)seed, index + 1, s->z);
    memcpy(zrow(s, row), s->z + (size_t)index * L, sizeof(float) * L);
    return 0;
}

/* Row `row` = spherical interpolation from row a (t = 0) to row b (t = 1):
 * it keeps the vectors' typical length, which a straight line would shrink. */
EMSCRIPTEN_KEEPALIVE int gpw_z_slerp(gp_session *s, int row, int a, int b, double t) {
    int st = check_rows(s, row, 1);
    if (!st) st = check_rows(s, a, 1);
    if (!st) st = check_rows(s, b, 1);
    if (st) return st;
    if (!(t >= 0.0 && t <= 1.0)) return gp_fail(&s->err, GP_ERR_ARG, "t must be in [0, 1], got %g", t);
    int L = s->gan.cfg.latent;
    const float *za = zrow(s, a), *zb = zrow(s, b);
    double na = 0, nb = 0, dot = 0;
    for (int i = 0; i < L; i++) {
        na += (double)za[i] * za[i];
        nb += (double)zb[i] * zb[i];
        dot += (double)za[i] * zb[i];
    }
    double wa = 1.0 - t, wb = t;
    if (na > 0 && nb > 0) {
        double c = dot / sqrt(na * nb);
        c = c > 1 ? 1 : c < -1 ? -1 : c;
        double omega = acos(c), so = sin(omega);
        if (so > 1e-6) {
            wa = sin((1.0 - t) * omega) / so;
            wb = sin(t * omega) / so;
        }
    }
    float *out = zrow(s, row); /* may alias a or b: compute then write */
    for (int i = 0; i < L; i++) {
        float v = (float)(wa * za[i] + wb * zb[i]);
        out[i] = v;
    }
    return 0;
}

/* Row `row` = row src + amount * direction k (a unit vector; one unit is
 * one standard deviation of the noise along it). */
EMSCRIPTEN_KEEPALIVE int gpw_z_direction(gp_session *s, int row, int src, int k, double amount) {
    int st = check_rows(s, row, 1);
    if (!st) st = check_rows(s, src, 1);
    if (st) return st;
    if (k < 0 || k >= GPW_DIRECTIONS)
        return gp_fail(&s->err, GP_ERR_ARG, "direction must be in 0..%d, got %d", GPW_DIRECTIONS - 1, k);
    if (!(amount >= -10.0 && amount <= 10.0))
        return gp_fail(&s->err, GP_ERR_ARG, "amount must be in [-10, 10], got %g", amount);
    int L = s->gan.cfg.latent;
    const float *d = s->dirs + (size_t)k * L, *z = zrow(s, src);
    float *out = zrow(s, row);
    for (int i = 0; i < L; i++) out[i] = z[i] + (float)amount * d[i];
    return 0;
}

EMSCRIPTEN_KEEPALIVE int gpw_directions(void) { return GPW_DIRECTIONS; }

/* Row `row` = row src + radius * standard normal noise drawn from seed:
 * a neighbour of src. */
EMSCRIPTEN_KEEPALIVE int gpw_z_jitter(gp_session *s, int row, int src, double seed, double radius) {
    int st = check_rows(s, row, 1);
    if (!st) st = check_rows(s, src, 1);
    if (st) return st;
    if (!seed_ok(s, seed)) return GP_ERR_ARG;
    if (!(radius >= 0.0 && radius <= 10.0))
        return gp_fail(&s->err, GP_ERR_ARG, "radius must be in [0, 10], got %g", radius);
    int L = s->gan.cfg.latent;
    gp_rng rng;
    gp_rng_seed(&rng, (uint64_t)seed);
    const float *z = zrow(s, src);
    float *out = zrow(s, row);
    for (int i = 0; i < L; i++) out[i] = z[i] + (float)radius * gp_rng_normal(&rng);
    return 0;
}

/* The rows themselves (GPW_MAX_IMAGES x latent floats), for tests. */
EMSCRIPTEN_KEEPALIVE float *gpw_z(gp_session *s) { return s->has_gan ? s->zw : NULL; }

/* Renders rows row..row+count-1 as an RGBA grid: see gpw_rgba*. */
EMSCRIPTEN_KEEPALIVE int gpw_render_z(gp_session *s, int row, int count, int cols) {
    int st = check_rows(s, row, count);
    return st ? st : render(s, zrow(s, row), count, cols);
}

/* ---- real images and the discriminator's view ---------------------------- */

/* Renders count held-out images of the dataset, from the first-th on
 * (wrapping around), as an RGBA grid: see gpw_rgba*. */
EMSCRIPTEN_KEEPALIVE int gpw_render_real(gp_session *s, int first, int count, int cols) {
    int st = check_count(s, count);
    if (st) return st;
    if (s->ds.n_test == 0) return gp_fail(&s->err, GP_ERR_ARG, "no dataset loaded");
    if (s->ds.h != s->gan.image.h || s->ds.w != s->gan.image.w || s->ds.c != s->gan.image.c)
        return gp_fail(&s->err, GP_ERR_ARG, "dataset images are %dx%d, the model's %dx%d", s->ds.h, s->ds.w,
                       s->gan.image.h, s->gan.image.w);
    if (first < 0) return gp_fail(&s->err, GP_ERR_ARG, "first must be >= 0, got %d", first);
    if (cols < 1 || cols > GPW_MAX_IMAGES)
        return gp_fail(&s->err, GP_ERR_ARG, "columns must be in 1..%d", GPW_MAX_IMAGES);
    int n_img = gp_shape_size(s->gan.image);
    for (int i = 0; i < count; i++)
        gp_dataset_image(&s->ds, s->ds.test_index[(first + i) % s->ds.n_test], s->images + (size_t)i * n_img);
    int gw, gh;
    gp_grid_size(count, cols, s->gan.image.h, s->gan.image.w, &gw, &gh);
    GP_ASSERT((size_t)gw * gh <= s->rgba_cap);
    s->n_images = count;
    s->rgba_w = gw;
    s->rgba_h = gh;
    gp_grid_render(s->rgba, 4, s->images, count, cols, s->gan.image.h, s->gan.image.w);
    return 0;
}

/* D's probability that each image of the last render is real (evaluation
 * mode: BatchNorm's running statistics; training is not disturbed): see
 * gpw_probs. */
EMSCRIPTEN_KEEPALIVE int gpw_d_score(gp_session *s) {
    if (!s->has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
    if (!s->gan.has_d) return gp_fail(&s->err, GP_ERR_ARG, "this model has no discriminator (generator-only file)");
    if (s->n_images < 1) return gp_fail(&s->err, GP_ERR_ARG, "nothing rendered to score");
    gp_net *D = &s->gan.D;
    int n_img = gp_shape_size(s->gan.image), saved = D->training;
    D->training = 0;
    for (int i = 0; i < s->n_images; i += D->max_batch) {
        int b = s->n_images - i < D->max_batch ? s->n_images - i : D->max_batch;
        const float *logits = gp_net_forward(D, s->images + (size_t)i * n_img, b);
        for (int j = 0; j < b; j++) s->probs[i + j] = 1.0f / (1.0f + expf(-logits[j]));
    }
    D->training = saved;
    return 0;
}

EMSCRIPTEN_KEEPALIVE float *gpw_probs(gp_session *s) { return s->probs; }
EMSCRIPTEN_KEEPALIVE int gpw_rendered_count(gp_session *s) { return s->n_images; }

/* ---- checksums ------------------------------------------------------------ */

static void sum_and_hash(const float *v, size_t n, double *sum, double *hash) {
    double acc = 0.0;
    uint32_t h = 2166136261u; /* FNV-1a over the bytes */
    for (size_t i = 0; i < n; i++) {
        acc += v[i];
        uint32_t bits;
        memcpy(&bits, v + i, 4);
        for (int b = 0; b < 4; b++) {
            h ^= (bits >> (8 * b)) & 0xFFu;
            h *= 16777619u;
        }
    }
    *sum = acc;
    *hash = (double)h;
}

/* [G weights sum, G weights hash, D weights sum, D weights hash,
 *  G buffers hash, D buffers hash, G Adam moments hash, D Adam moments hash]:
 * weights are the trained parameters; buffers are BatchNorm's running
 * statistics, which a D step's pass through G also updates. */
EMSCRIPTEN_KEEPALIVE double *gpw_checksum(gp_session *s) {
    double *v = s->sums, unused;
    for (int i = 0; i < 8; i++) v[i] = 0;
    if (!s->has_gan) return v;
    gp_net *G = &s->gan.G, *D = &s->gan.D;
    sum_and_hash(G->params, G->n_params, &v[0], &v[1]);
    sum_and_hash(G->buffers, G->n_buffers, &unused, &v[4]);
    if (s->gan.has_d) {
        sum_and_hash(D->params, D->n_params, &v[2], &v[3]);
        sum_and_hash(D->buffers, D->n_buffers, &unused, &v[5]);
        double m, mv;
        sum_and_hash(G->adam_m, G->n_params, &unused, &m);
        sum_and_hash(G->adam_v, G->n_params, &unused, &mv);
        v[6] = (double)((uint32_t)m ^ (uint32_t)mv);
        sum_and_hash(D->adam_m, D->n_params, &unused, &m);
        sum_and_hash(D->adam_v, D->n_params, &unused, &mv);
        v[7] = (double)((uint32_t)m ^ (uint32_t)mv);
    }
    return v;
}

/* For tests of the page's divergence handling: writes NaN into G's first
 * weight, so the next training step reports GP_ERR_NAN as a real
 * divergence would. */
EMSCRIPTEN_KEEPALIVE int gpw_test_poison(gp_session *s) {
    if (!s->has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
    s->gan.G.params[0] = NAN;
    return 0;
}

/* ---- digit FD ------------------------------------------------------------- */

/* Loads the classifier (a .gpc file) and computes the reference feature
 * statistics of the loaded dataset's held-out images. A bad file changes
 * nothing. Loading another dataset drops the reference: call this again. */
EMSCRIPTEN_KEEPALIVE int gpw_load_classifier(gp_session *s, const uint8_t *bytes, int len) {
    if (s->ds.count == 0) return gp_fail(&s->err, GP_ERR_ARG, "load a dataset before the classifier");
    gp_classifier c;
    gp_status st = gp_classifier_load(&c, bytes, (size_t)(len > 0 ? len : 0), &s->err);
    if (st != GP_OK) return (int)st;
    gp_feature_stats ref;
    st = gp_quality_reference(&c, &s->ds, &ref, &s->err);
    if (st != GP_OK) {
        gp_classifier_free(&c);
        return (int)st;
    }
    drop_reference(s);
    if (s->has_clf) gp_classifier_free(&s->clf);
    s->clf = c;
    s->has_clf = 1;
    s->ref = ref;
    s->has_ref = 1;
    return 0;
}

/* Scores count samples of seed (2..GPW_MAX_SCORE): see gpw_score_result. */
EMSCRIPTEN_KEEPALIVE int gpw_score(gp_session *s, int count, double seed) {
    if (!s->has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
    if (!s->has_clf || !s->has_ref)
        return gp_fail(&s->err, GP_ERR_ARG, "no classifier reference: load the classifier after the dataset");
    if (count < 2 || count > GPW_MAX_SCORE)
        return gp_fail(&s->err, GP_ERR_ARG, "count must be in 2..%d, got %d", GPW_MAX_SCORE, count);
    if (!seed_ok(s, seed)) return GP_ERR_ARG;
    if (gp_shape_size(s->gan.image) != 784)
        return gp_fail(&s->err, GP_ERR_ARG, "the classifier scores 28x28 grayscale images only");
    int L = s->gan.cfg.latent;
    float *z = malloc(sizeof(float) * (size_t)count * L);
    float *images = malloc(sizeof(float) * (size_t)count * 784);
    if (!z || !images) {
        free(z);
        free(images);
        return gp_fail(&s->err, GP_ERR_NOMEM, "out of memory scoring %d samples", count);
    }
    gp_gan_latents(&s->gan, (uint64_t)seed, count, z);
    gp_gan_generate(&s->gan, z, count, images);
    gp_quality q;
    gp_status st = gp_quality_score(&s->clf, &s->ref, images, count, &q, &s->err);
    free(z);
    free(images);
    if (st != GP_OK) return (int)st;
    s->score[0] = q.fd;
    s->score[1] = q.entropy;
    for (int i = 0; i < GP_CLASSES; i++) s->score[2 + i] = q.hist[i];
    return 0;
}

/* [fd, class entropy, histogram of the 10 classes] of the last gpw_score. */
EMSCRIPTEN_KEEPALIVE double *gpw_score_result(gp_session *s) { return s->score; }
