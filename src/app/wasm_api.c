/* wasm_api.c: the functions the page calls, a thin layer over the core.
 *
 * JS owns one gp_session per model it shows (a pointer). Every call that can
 * fail returns 0 for success or a gp_status, and gpw_error() then says why in
 * words; a failed call leaves the session's model and data as they were.
 * Buffers cross the boundary as (pointer, length) in wasm memory: JS gets
 * them with gpw_alloc and must read heap views afresh after each call, since
 * memory may grow. Every call checks its arguments (a NULL session, sizes,
 * overflow, the length of each buffer it is given) and refuses rather than
 * trap or write outside what it was given; without a session it can only
 * return the status. */
#include <emscripten/emscripten.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/wasm_mem.h"
#include "eval/classifier.h"
#include "data/dataset.h"
#include "eval/fd.h"
#include "gan/gan.h"
#include "data/grid.h"
#include "data/resize.h"
#include "eval/nearest.h"
#include "gan/project.h"
#include "nn/kernels.h"
#include "gan/latent.h"
#include "store/modelfile.h"
#include "store/provenance.h"
#include "run/run.h"
#include "eval/score.h"
#include "eval/directions.h"
#include "gan/units.h"

#define GPW_MAX_IMAGES 256 /* most images one render or sample call makes */
#define GPW_MIN_USER_IMAGES 10
#define GPW_MAX_USER_IMAGES 10000
#define GPW_MAX_SCORE 2000 /* most samples one gpw_score call scores */
/* the page's latent directions: samples they are fitted and measured on */
#define GPW_DIR_FIT 1000
#define GPW_DIR_MEASURE 100
/* the page's projection: steps per gpw_project_step call, a fraction of a
 * second each, so that a Cancel is taken between two calls */
#define GPW_PROJECT_STEPS_PER_CALL 2
/* the page's upscaling factors: 7x7 and 14x14 pictures of 28x28 digits (8x8, 16x16 of 32x32 emoji) */
static const int GPW_UPSCALE_FACTORS[] = {4, 2};

typedef struct {
    gp_err err;
    gp_gan_config cfg; /* settings for the next gpw_create */
    gp_dataset ds;
    gp_run run;        /* the model on show and its training run (run.h) */
    gp_json out;       /* the last JSON answer */
    float *z;          /* GPW_MAX_IMAGES x latent */
    float *images;     /* GPW_MAX_IMAGES x image */
    uint8_t *rgba;     /* the last rendered grid */
    size_t rgba_cap;   /* its capacity in pixels */
    int rgba_w, rgba_h;
    uint8_t *saved;    /* the last gpw_save output */
    size_t saved_len;
    /* explore: latent rows that JS composes with the gpw_z_* calls */
    float *zw;         /* GPW_MAX_IMAGES x latent */
    gp_direction_set *dirs; /* the model's named and principal directions (none until gpw_directions_find) */
    int dirs_fit, dirs_measure, dirs_classifier; /* how they were found */
    int n_images;      /* images in s->images from the last render */
    float probs[GPW_MAX_IMAGES]; /* D's readouts, see gpw_d_score */
    int label;         /* class drawn by renders and samples of a conditional model; -1: in turn */
    int data_classes;  /* the classes of the dataset the next model trains on */
    int data_c, data_h, data_w; /* its images (gp_dataset_image_shape); 0: the preset's */
    int labels[GPW_MAX_IMAGES];
    /* digit FD: the classifier and the held-out images' feature statistics */
    gp_classifier clf;
    int has_clf;
    gp_feature_stats ref;
    int has_ref;
    gp_quality quality; /* the last gpw_score */
    gp_threads *threads; /* the kernels' pool (gpw_set_threads); NULL: one thread */
    /* the memorization check's features of the training images (built on first use) */
    gp_feature_bank bank;
    int has_bank;
    /* a projection in steps (gpw_project_begin): its state, and the target,
     * mask and trace it reads and writes (proj_mem), the row it ends in */
    gp_projection proj;
    float *proj_mem;
    int proj_row;
    int proj_model_gone; /* the last projection was ended by a new, loaded or restored model */
    /* an edit through an operator (gpw_project_op_begin): the projection's
     * operator (GP_PROJECT_OP_NONE for a plain one), its factor, the held-out
     * image its picture came from (-1: the user's); the last one's
     * comparison (gpw_project_op_json) */
    int proj_op, proj_factor, proj_real;
    float *op_cmp; /* up to 4 images: the input as G was given it, the baseline, the result, the original */
    int op_images, op_op, op_factor, op_real, op_original_class, op_class_result, op_class_baseline;
    double op_mse_result, op_mse_baseline;
    /* provenance: the model's weights hash, the last stamped PNG (gpw_png_stamp) */
    char weights[GP_PROV_HASH_LEN];
    uint8_t *png;
    size_t png_len;
} gp_session;

/* A session the caller passed: not NULL and inside the memory (wasm_mem.h). */
#define LIVE(s) gpw_in_memory((s), sizeof *(s))

/* The first line of every call that takes a session. */
#define NEED_SESSION(s, bad)       \
    do {                           \
        if (!LIVE(s)) return (bad); \
    } while (0)

EMSCRIPTEN_KEEPALIVE int gpw_simd(void) { return gp_kernels_simd(); }
EMSCRIPTEN_KEEPALIVE void *gpw_alloc(int bytes) { return bytes > 0 ? malloc((size_t)bytes) : NULL; }
EMSCRIPTEN_KEEPALIVE void gpw_free(void *p) {
    if (gpw_in_memory(p, 1)) free(p);
}

EMSCRIPTEN_KEEPALIVE gp_session *gpw_new(void) {
    gp_session *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    gp_gan_config_default(&s->cfg, "mlp", NULL);
    gp_run_init(&s->run, gp_run_policy_find("page"));
    gp_run_set_images(&s->run, &s->ds);
    gp_json_init(&s->out);
    s->label = -1;
    s->data_classes = 10; /* the default dataset, MNIST */
    return s;
}

/* Ends a projection in steps, if one is under way: nothing it did is kept. */
static int drop_projection(gp_session *s) {
    int was = s->proj_mem != NULL;
    gp_project_end(&s->proj);
    free(s->proj_mem);
    s->proj_mem = NULL;
    s->proj_op = GP_PROJECT_OP_NONE;
    return was;
}

/* The model on show is replaced: a projection on it ends. */
static void model_replaced(gp_session *s) {
    if (drop_projection(s)) s->proj_model_gone = 1;
}

/* Why a step or finish has no projection to go on with. */
static int no_projection(gp_session *s) {
    return gp_fail(&s->err, GP_ERR_ARG, s->proj_model_gone ? "the projection was ended: another model is on show"
                                                            : "no projection under way");
}

static void drop_model(gp_session *s) {
    model_replaced(s); /* it ran on this model */
    gp_run_drop(&s->run);
    free(s->z);
    free(s->images);
    free(s->rgba);
    free(s->zw);
    free(s->dirs);
    s->z = s->images = s->zw = NULL;
    s->dirs = NULL;
    s->rgba = NULL;
    s->n_images = 0;
}

/* The answer in s->out, or NULL (and a message) if it could not be built. */
static const char *answer(gp_session *s) {
    const char *text = gp_json_text(&s->out);
    if (!text) gp_fail(&s->err, GP_ERR_NOMEM, "out of memory building the answer");
    return text;
}

static void drop_reference(gp_session *s) {
    gp_run_set_scorer(&s->run, NULL, NULL);
    if (s->has_ref) gp_feature_stats_free(&s->ref);
    s->has_ref = 0;
    if (s->has_bank) gp_feature_bank_free(&s->bank); /* it also belongs to the dataset and the classifier */
    s->has_bank = 0;
}

EMSCRIPTEN_KEEPALIVE void gpw_delete(gp_session *s) {
    if (!LIVE(s)) return;
    drop_model(s);
    drop_reference(s);
    free(s->op_cmp);
    if (s->has_clf) gp_classifier_free(&s->clf);
    gp_dataset_free(&s->ds);
    gp_json_free(&s->out);
    free(s->saved);
    free(s->png);
    gp_threads_free(s->threads);
    free(s);
}

#ifdef __EMSCRIPTEN_PTHREADS__
/* Web Workers loaded and free to host a pthread at once. */
EM_JS(int, ready_workers, (void), { return PThread.unusedWorkers.length; });
#endif

/* The kernels' pool: n threads in all (1..GP_MAX_THREADS). The threaded
 * build starts up to n-1 workers, as many as its pool of Web Workers has
 * ready (a pthread beyond those would wait for this thread to return to the
 * event loop, which it never does while it computes); the other builds run
 * one thread whatever n says. Results do not depend on it. Returns the
 * threads now running, or 0 for a bad n (the old pool then stays). */
EMSCRIPTEN_KEEPALIVE int gpw_set_threads(gp_session *s, int n) {
    NEED_SESSION(s, 0);
    if (n < 1 || n > GP_MAX_THREADS) {
        gp_fail(&s->err, GP_ERR_ARG, "threads must be 1..%d, not %d", GP_MAX_THREADS, n);
        return 0;
    }
    gp_run_set_threads(&s->run, NULL);
    if (s->has_clf) s->clf.net.threads = NULL;
    gp_threads_free(s->threads);
    s->threads = NULL;
#ifdef __EMSCRIPTEN_PTHREADS__
    int ready = ready_workers();
    if (n > ready + 1) n = ready + 1;
#endif
    if (gp_threads_create(&s->threads, n, &s->err) != GP_OK) return 1; /* out of memory: one thread */
    gp_run_set_threads(&s->run, s->threads);
    if (s->has_clf) s->clf.net.threads = s->threads;
    return gp_threads_count(s->threads);
}

EMSCRIPTEN_KEEPALIVE const char *gpw_error(gp_session *s) { return LIVE(s) ? s->err.msg : "no session"; }

/* An array the caller passed: n items of size bytes at p (any p when n is
 * 0), inside the memory. */
static int array_ok(gp_session *s, const void *p, int n, int size, const char *what) {
    if (n < 0 || (n > 0 && !p)) {
        gp_fail(&s->err, GP_ERR_ARG, "%s: %d %s at %p", what, n, size == 1 ? "bytes" : "items", p);
        return 0;
    }
    if (n > 0 && !gpw_in_memory(p, (uint64_t)n * (uint64_t)size)) {
        gp_fail(&s->err, GP_ERR_ARG, "%s: %d %s at %p lie outside the engine's memory (%llu bytes)", what, n,
                size == 1 ? "bytes" : "items", p, (unsigned long long)gpw_memory_bytes());
        return 0;
    }
    return 1;
}

/* A buffer the caller passed: len bytes at p. */
static int buffer_ok(gp_session *s, const void *p, int len, const char *what) { return array_ok(s, p, len, 1, what); }

/* A string the caller passed, its NUL inside the memory; NULL is refused. */
static int string_ok(gp_session *s, const char *p, const char *what) {
    if (gpw_string_in_memory(p)) return 1;
    gp_fail(&s->err, GP_ERR_ARG, p ? "%s: the text at %p does not end inside the engine's memory" : "%s: no text given",
            what, (const void *)p);
    return 0;
}

EMSCRIPTEN_KEEPALIVE int gpw_load_dataset(gp_session *s, const uint8_t *bytes, int len) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!buffer_ok(s, bytes, len, "dataset")) return GP_ERR_ARG;
    gp_dataset ds;
    gp_status st = gp_dataset_from_bytes(&ds, bytes, (size_t)(len > 0 ? len : 0), &s->err);
    if (st != GP_OK) return (int)st;
    gp_dataset_free(&s->ds);
    s->ds = ds;
    drop_reference(s); /* the FD reference belongs to the old held-out images */
    return 0;
}

EMSCRIPTEN_KEEPALIVE int gpw_dataset_count(gp_session *s) { return LIVE(s) ? s->ds.count : 0; }
/* Held-out images of the dataset (i % 5 == 4). */
EMSCRIPTEN_KEEPALIVE int gpw_dataset_held_out(gp_session *s) { return LIVE(s) ? s->ds.n_test : 0; }

/* A dataset from images the user drew or picked (see gp_dataset_from_rgba):
 * len bytes at rgba, which must be count x h x w x 4, made gray (channels
 * 1) or colour (3). */
EMSCRIPTEN_KEEPALIVE int gpw_dataset_from_rgba(gp_session *s, const uint8_t *rgba, int len, int count, int h, int w,
                                               int channels) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (channels != 1 && channels != 3)
        return gp_fail(&s->err, GP_ERR_ARG, "images: 1 (gray) or 3 (colour) channels, not %d", channels);
    if (!buffer_ok(s, rgba, len, "images")) return GP_ERR_ARG;
    if (count >= 0 && h >= 0 && w >= 0 && (double)count * h * w * 4 != (double)len)
        return gp_fail(&s->err, GP_ERR_ARG, "images: %d bytes given for %d images of %dx%d RGBA (%.0f bytes)", len, count,
                       h, w, (double)count * h * w * 4);
    gp_dataset ds;
    gp_status st = gp_dataset_from_rgba(&ds, rgba, count, h, w, channels, GPW_MIN_USER_IMAGES, GPW_MAX_USER_IMAGES,
                                        &s->err);
    if (st != GP_OK) return (int)st;
    gp_dataset_free(&s->ds);
    s->ds = ds;
    drop_reference(s);
    return 0;
}

/* count user images (len bytes at rgba: count x h x w x 4) as they are
 * trained on (gp_image_as_trained) with channels 1 (gray) or 3 (colour
 * planes), into out (out_len bytes, at least count x channels x h x w):
 * what the page shows as thumbnails. */
EMSCRIPTEN_KEEPALIVE int gpw_images_as_trained(gp_session *s, const uint8_t *rgba, int len, int count, int h, int w,
                                               int channels, uint8_t *out, int out_len) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (count < 1 || count > GPW_MAX_USER_IMAGES || h < 1 || h > 256 || w < 1 || w > 256)
        return gp_fail(&s->err, GP_ERR_ARG, "images: %d images of %dx%d (1..%d images, sides 1..256)", count, h, w,
                       GPW_MAX_USER_IMAGES);
    if (channels != 1 && channels != 3)
        return gp_fail(&s->err, GP_ERR_ARG, "images: 1 (gray) or 3 (colour) channels, not %d", channels);
    if (!buffer_ok(s, rgba, len, "images") || !buffer_ok(s, out, out_len, "images as trained")) return GP_ERR_ARG;
    double px = (double)count * h * w;
    if (4 * px != (double)len || channels * px > (double)out_len)
        return gp_fail(&s->err, GP_ERR_ARG, "images: %d bytes in and %d out for %d images of %dx%dx%d", len, out_len,
                       count, channels, h, w);
    size_t n = (size_t)h * (size_t)w;
    for (int k = 0; k < count; k++)
        gp_image_as_trained(rgba + (size_t)k * n * 4, h, w, channels, out + (size_t)k * n * (size_t)channels);
    return 0;
}

/* Starts the settings for the next gpw_create from a preset's defaults, or
 * from a recipe of the settings table ("first_visit"; "" for none). */
EMSCRIPTEN_KEEPALIVE int gpw_config_default(gp_session *s, const char *preset, const char *recipe) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!string_ok(s, preset, "preset") || (recipe && !string_ok(s, recipe, "recipe"))) return GP_ERR_ARG;
    gp_gan_config cfg;
    gp_status st = gp_gan_config_recipe(&cfg, preset, recipe, &s->err);
    if (st == GP_OK && s->data_c) st = gp_gan_config_set_image(&cfg, s->data_c, s->data_h, s->data_w, &s->err);
    if (st == GP_OK) st = gp_gan_config_set_classes(&cfg, s->data_classes, &s->err);
    if (st == GP_OK) {
        snprintf(cfg.dataset, sizeof cfg.dataset, "%s", s->cfg.dataset);
        s->cfg = cfg;
    }
    return (int)st;
}

/* JS numbers are doubles: seeds must be exact integers in 0..2^53-1. */
static int seed_ok(gp_session *s, double seed) {
    if (seed >= 0 && seed <= 9007199254740991.0 && seed == floor(seed)) return 1;
    gp_fail(&s->err, GP_ERR_ARG, "seed: must be an integer in 0..9007199254740991, got %g", seed);
    return 0;
}

/* What the page needs to know once, as one JSON object: the settings table
 * with its defaults and recipes, the presets, the losses with the notes
 * their charts show ("tables", see gp_settings_json); the page's run policy
 * ("run", gp_run_policy_json); editing's defaults ("project"); the explore
 * sliders ("directions"); the engine's limits: model file size, the user's
 * images, images per render, the grid's padding ("limits"); what each
 * status a call returns means ("statuses"). */
EMSCRIPTEN_KEEPALIVE const char *gpw_tables_json(gp_session *s) {
    NEED_SESSION(s, NULL);
    gp_json *j = &s->out;
    gp_json_reset(j);
    gp_json_open(j, '{');
    gp_json_key(j, "tables");
    gp_settings_json(j);
    gp_json_key(j, "run");
    gp_run_policy_json(&s->run.policy, j);
    gp_project_opts o = gp_project_defaults();
    gp_json_key(j, "project");
    gp_json_open(j, '{');
    gp_json_kint(j, "steps", o.steps);
    gp_json_kint(j, "starts", o.restarts);
    gp_json_knum(j, "lr", o.lr);
    gp_json_knum(j, "prior", o.prior);
    gp_json_kint(j, "max_steps", 10000);
    gp_json_kint(j, "steps_per_call", GPW_PROJECT_STEPS_PER_CALL);
    gp_project_opts up = gp_project_op_defaults(GP_PROJECT_OP_DOWNSCALE, GPW_UPSCALE_FACTORS[0]);
    gp_json_kint(j, "op_steps", up.steps);   /* upscaling's and colourising's search (gp_project_op_defaults) */
    gp_json_kint(j, "op_starts", up.restarts);
    gp_json_key(j, "upscale_factors"); /* the page's upscaling choices (gpw_project_op_begin), largest first */
    gp_json_open(j, '[');
    for (int k = 0; k < (int)(sizeof GPW_UPSCALE_FACTORS / sizeof GPW_UPSCALE_FACTORS[0]); k++) gp_json_int(j, GPW_UPSCALE_FACTORS[k]);
    gp_json_close(j, ']');
    gp_json_close(j, '}');
    gp_json_key(j, "datasets"); /* the shipped datasets' names for people (GP_DATASETS) */
    gp_json_open(j, '[');
    for (int k = 0; k < GP_N_DATASETS; k++) {
        gp_json_open(j, '{');
        gp_json_kstr(j, "name", GP_DATASETS[k].name);
        gp_json_kstr(j, "label", GP_DATASETS[k].label);
        gp_json_kstr(j, "fd_label", GP_DATASETS[k].fd_label);
        gp_json_kstr(j, "things", GP_DATASETS[k].things);
        gp_json_kint(j, "classes", GP_DATASETS[k].classes);
        gp_json_kint(j, "channels", GP_DATASETS[k].channels);
        gp_json_kint(j, "height", GP_DATASETS[k].height);
        gp_json_kint(j, "width", GP_DATASETS[k].width);
        gp_json_key(j, "class_labels"); /* the classes' names for people (gp_dataset_class_label) */
        gp_json_open(j, '[');
        for (int c = 0; c < GP_DATASETS[k].classes; c++) gp_json_str(j, gp_dataset_class_label(GP_DATASETS[k].name, c));
        gp_json_close(j, ']');
        gp_json_close(j, '}');
    }
    gp_json_close(j, ']');
    gp_json_kint(j, "directions", GP_DIR_MAX);
    gp_json_kint(j, "direction_fit", GPW_DIR_FIT);
    gp_json_kint(j, "direction_measure", GPW_DIR_MEASURE);
    gp_json_key(j, "limits");
    gp_json_open(j, '{');
    gp_json_kint(j, "model_bytes", (long long)GP_MODEL_MAX_BYTES);
    gp_json_kint(j, "user_images_min", GPW_MIN_USER_IMAGES);
    gp_json_kint(j, "user_images_max", GPW_MAX_USER_IMAGES);
    gp_json_kint(j, "own_gray_side", GP_OWN_GRAY_SIDE);     /* a user's gray images: 1 x side x side */
    gp_json_kint(j, "own_colour_side", GP_OWN_COLOUR_SIDE); /* colour: 3 x side x side */
    gp_json_kint(j, "images_per_render", GPW_MAX_IMAGES);
    gp_json_kint(j, "grid_pad", GP_GRID_PAD);
    gp_json_close(j, '}');
    static const char *const statuses[] = {"ok", "arg", "nomem", "io", "format", "nan"};
    gp_json_key(j, "statuses"); /* what the calls' nonzero returns mean (status.h) */
    gp_json_open(j, '{');
    for (int k = GP_OK; k <= GP_ERR_NAN; k++) gp_json_kint(j, statuses[k], k);
    gp_json_close(j, '}');
    gp_json_close(j, '}');
    return answer(s);
}

/* One setting, from the text a person typed (a decimal number or a choice's
 * name): for the next new model always, and at once for the model on show
 * if it trains and the setting is live. Answers {"applied": "now" or
 * "next", "pending": the next model's settings, "model": the model's
 * (gp_model_info_json) or null, "marker": "lr_d 0.0003" (the charts mark a
 * change during a run) or null}; a refused value changes nothing (NULL and
 * a message that names the setting and repeats the text). */
EMSCRIPTEN_KEEPALIVE const char *gpw_setting(gp_session *s, const char *key, const char *text) {
    NEED_SESSION(s, NULL);
    if (!key || !text) {
        gp_fail(&s->err, GP_ERR_ARG, "a setting needs a name and a value");
        return NULL;
    }
    if (!string_ok(s, key, "setting") || !string_ok(s, text, "setting's value")) return NULL;
    const gp_setting *set = gp_setting_find(key);
    if (!set) {
        gp_fail(&s->err, GP_ERR_ARG, "unknown setting '%.40s'", key);
        return NULL;
    }
    gp_gan_config c = s->cfg;
    gp_status st = gp_setting_parse(&c, set, text, &s->err);
    /* conditioning on or off: the classes follow the dataset's */
    if (st == GP_OK) st = gp_gan_config_set_classes(&c, s->data_classes, &s->err);
    if (st != GP_OK) return NULL;
    gp_gan *gan = &s->run.gan;
    int now = s->run.has_gan && gan->has_d && set->live;
    if (now) {
        gp_gan_config m = gan->cfg;
        if (gp_setting_parse(&m, set, text, &s->err) != GP_OK || gp_gan_set_config(gan, &m, &s->err) != GP_OK) return NULL;
    }
    s->cfg = c;
    gp_json *j = &s->out;
    gp_json_reset(j);
    gp_json_open(j, '{');
    gp_json_kstr(j, "applied", now ? "now" : "next");
    gp_json_key(j, "pending");
    gp_config_json(&s->cfg, j);
    gp_json_key(j, "model");
    if (s->run.has_gan) gp_model_info_json(gan, j);
    else gp_json_null(j);
    gp_json_key(j, "marker");
    if (now && gan->stats.step + gan->stats.d_step > 0) {
        char value[64], marker[128];
        gp_setting_format(&gan->cfg, set, value, sizeof value);
        /* a choice by its label for people ("Hinge"), a number by the setting's name */
        int pick = set->choice ? (int)gp_setting_get(&gan->cfg, set) : -1;
        if (pick >= 0 && set->choice_label) snprintf(marker, sizeof marker, "%s", set->choice_label(pick));
        else snprintf(marker, sizeof marker, "%s %s", set->name, value);
        gp_json_str(j, marker);
    } else {
        gp_json_null(j);
    }
    gp_json_close(j, '}');
    return answer(s);
}

/* The dataset the next model trains on, by name ("mnist", "fashion",
 * "emoji", "own"), its class count (a conditional model learns that many
 * classes) and its channels: 0 for a shipped dataset's own; a user's images
 * ("own") are gray with 0 or 1, colour with 3. The model's image follows
 * (gp_dataset_image_shape: emoji 3x32x32, own colour 3x32x32). */
EMSCRIPTEN_KEEPALIVE int gpw_config_dataset(gp_session *s, const char *name, int classes, int channels) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!name) return gp_fail(&s->err, GP_ERR_ARG, "the dataset needs a name");
    if (!string_ok(s, name, "dataset")) return GP_ERR_ARG;
    if (classes < 0 || classes > GP_MAX_CLASSES)
        return gp_fail(&s->err, GP_ERR_ARG, "classes must be in 0..%d, got %d", GP_MAX_CLASSES, classes);
    int ic, ih, iw;
    gp_status st = gp_dataset_image_shape(name, channels, &ic, &ih, &iw, &s->err);
    if (st != GP_OK) return (int)st;
    gp_gan_config c = s->cfg;
    snprintf(c.dataset, sizeof c.dataset, "%s", name);
    st = gp_gan_config_set_image(&c, ic, ih, iw, &s->err);
    if (st == GP_OK) st = gp_gan_config_set_classes(&c, classes, &s->err);
    if (st == GP_OK) {
        s->cfg = c;
        s->data_classes = classes;
        s->data_c = ic;
        s->data_h = ih;
        s->data_w = iw;
    }
    return (int)st;
}

/* The settings as JSON (gp_config_json): which = 0 the settings for the next
 * gpw_create; 1 the model's own ("null" without a model). */
EMSCRIPTEN_KEEPALIVE const char *gpw_config_json(gp_session *s, int which) {
    NEED_SESSION(s, NULL);
    if (which && !s->run.has_gan) return "null";
    gp_json_reset(&s->out);
    gp_config_json(which ? &s->run.gan.cfg : &s->cfg, &s->out);
    return answer(s);
}

/* Buffers that go with a model; on failure the old model stays. */
static int adopt_model(gp_session *s, gp_gan *gan) {
    int L = gan->cfg.latent, n_img = gp_shape_size(gp_gan_image_shape(gan));
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
    gp_direction_set *dirs = calloc(1, sizeof *dirs);
    if (!z || !images || !rgba || !zw || !dirs) {
        free(z);
        free(images);
        free(rgba);
        free(zw);
        free(dirs);
        gp_gan_free(gan);
        return gp_fail(&s->err, GP_ERR_NOMEM, "out of memory for the sample buffers");
    }
    gp_run_set_scorer(&s->run, s->has_clf && s->has_ref ? &s->clf : NULL, &s->ref);
    s->run.view_label = -1;
    gp_status st = gp_run_adopt(&s->run, gan, &s->err);
    if (st == GP_OK) model_replaced(s);
    if (st != GP_OK) {
        free(z);
        free(images);
        free(rgba);
        free(zw);
        free(dirs);
        gp_gan_free(gan);
        return (int)st;
    }
    free(s->z);
    free(s->images);
    free(s->rgba);
    free(s->zw);
    free(s->dirs);
    s->z = z;
    s->images = images;
    s->rgba = rgba;
    s->rgba_cap = cap;
    s->rgba_w = s->rgba_h = 0;
    s->zw = zw;
    s->dirs = dirs; /* none yet: gpw_directions_find */
    s->label = -1;
    s->n_images = 0;
    return 0;
}

EMSCRIPTEN_KEEPALIVE int gpw_create(gp_session *s) {
    NEED_SESSION(s, GP_ERR_ARG);
    gp_gan gan;
    gp_status st = gp_gan_create(&gan, &s->cfg, 1, &s->err);
    if (st != GP_OK) return (int)st;
    return adopt_model(s, &gan);
}

EMSCRIPTEN_KEEPALIVE int gpw_has_model(gp_session *s) { return LIVE(s) && s->run.has_gan; }
EMSCRIPTEN_KEEPALIVE int gpw_has_discriminator(gp_session *s) { return LIVE(s) && s->run.has_gan && s->run.gan.has_d; }

/* ---- the training run (run.h) -------------------------------------------- */
/* The page trains through these: Start, then one turn at a time (each
 * answers what it did as JSON, gp_run_turn_json), Pause; a step while
 * paused; the last good state (for autosave, and to return to after a
 * NaN); the history a model file brought. */

static const char *turn_answer(gp_session *s, const gp_run_turn *t) {
    gp_json_reset(&s->out);
    gp_run_turn_json(&s->run, t, &s->out);
    return answer(s);
}

EMSCRIPTEN_KEEPALIVE int gpw_run_start(gp_session *s) {
    NEED_SESSION(s, GP_ERR_ARG);
    return (int)gp_run_start(&s->run, &s->err);
}

/* One turn; NULL (and a message) if it failed: see gp_run_turn_once. */
EMSCRIPTEN_KEEPALIVE const char *gpw_run_turn(gp_session *s) {
    NEED_SESSION(s, NULL);
    gp_run_turn t;
    if (gp_run_turn_once(&s->run, &t, &s->err) != GP_OK) return NULL;
    return turn_answer(s, &t);
}

/* One step while paused: kind 0 a whole step, 1 a D step, 2 a G step. */
EMSCRIPTEN_KEEPALIVE const char *gpw_run_step(gp_session *s, int kind) {
    NEED_SESSION(s, NULL);
    gp_run_turn t;
    if (gp_run_step(&s->run, kind, &t, &s->err) != GP_OK) return NULL;
    return turn_answer(s, &t);
}

/* Pause: no more turns; the model is kept as the last good state if it
 * trained since the last ("kept" in the answer: the page autosaves it). */
EMSCRIPTEN_KEEPALIVE const char *gpw_run_pause(gp_session *s) {
    NEED_SESSION(s, NULL);
    gp_run_pause(&s->run);
    gp_run_turn t;
    memset(&t, 0, sizeof t);
    t.next_ms = -1.0;
    s->run.n_turn_points = 0;
    if (gp_run_keep(&s->run, 0, &t.kept, &s->err) != GP_OK) return NULL;
    return turn_answer(s, &t);
}

/* The run as it stands (a turn that trained nothing). */
EMSCRIPTEN_KEEPALIVE const char *gpw_run_json(gp_session *s) {
    NEED_SESSION(s, NULL);
    gp_run_turn t;
    memset(&t, 0, sizeof t);
    t.next_ms = -1.0;
    s->run.n_turn_points = 0;
    return turn_answer(s, &t);
}

/* Keeps the model as the last good state (force: even if it did not train
 * since); returns 1 if it did, 0 if there was nothing new, -status on failure. */
EMSCRIPTEN_KEEPALIVE int gpw_run_keep(gp_session *s, int force) {
    NEED_SESSION(s, -GP_ERR_ARG);
    int kept = 0;
    gp_status st = gp_run_keep(&s->run, force, &kept, &s->err);
    return st != GP_OK ? -(int)st : kept;
}

/* The last good state's file (with the history), for autosave. */
EMSCRIPTEN_KEEPALIVE const uint8_t *gpw_run_good(gp_session *s) { return LIVE(s) ? s->run.good : NULL; }
EMSCRIPTEN_KEEPALIVE int gpw_run_good_len(gp_session *s) { return LIVE(s) ? (int)s->run.good_len : 0; }

/* Back to the last good state (after a NaN), showing classes in turn: the
 * renders' class and the snapshots' alike. */
EMSCRIPTEN_KEEPALIVE int gpw_run_restore(gp_session *s) {
    NEED_SESSION(s, GP_ERR_ARG);
    gp_status st = gp_run_restore(&s->run, &s->err);
    if (st == GP_OK) model_replaced(s);
    if (st == GP_OK) s->label = s->run.view_label = -1;
    return (int)st;
}

/* The whole history: chart points, measurements, the timeline's steps. */
EMSCRIPTEN_KEEPALIVE const char *gpw_run_history_json(gp_session *s) {
    NEED_SESSION(s, NULL);
    gp_json_reset(&s->out);
    gp_run_history_json(&s->run, &s->out);
    return answer(s);
}

/* Snapshot k of the timeline (0 = oldest) as the rendered set's RGBA (gpw_rgba*). */
EMSCRIPTEN_KEEPALIVE int gpw_run_snapshot(gp_session *s, int k) {
    NEED_SESSION(s, GP_ERR_ARG);
    const gp_history *h = &s->run.hist;
    if (k < 0 || (uint32_t)k >= h->n_snaps)
        return gp_fail(&s->err, GP_ERR_ARG, "snapshot %d is not in the timeline of %u", k, h->n_snaps);
    size_t bpp = s->run.gan.image.c == 3 ? 3 : 1; /* a colour model's snapshots hold RGB */
    if ((size_t)h->snap_w / bpp * h->snap_h > s->rgba_cap)
        return gp_fail(&s->err, GP_ERR_FORMAT, "the timeline's snapshots are %dx%d, larger than this model's grids",
                       h->snap_w, h->snap_h);
    int w = gp_run_snapshot_rgba(&s->run, (uint32_t)k, s->rgba);
    s->rgba_w = w;
    s->rgba_h = h->snap_h;
    return 0;
}

/* A run setting by name (gp_run_set): speed, snap_every, measure_every, view_seed. */
EMSCRIPTEN_KEEPALIVE int gpw_run_set(gp_session *s, const char *key, double value) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!string_ok(s, key, "run setting")) return GP_ERR_ARG;
    if (!strcmp(key, "view_label"))
        return gp_fail(&s->err, GP_ERR_ARG, "the class is set with gpw_set_class");
    return (int)gp_run_set(&s->run, key, value, &s->err);
}

/* Where the time went since Start (ms), for the page's benchmark. */
EMSCRIPTEN_KEEPALIVE const char *gpw_run_timing_json(gp_session *s) {
    NEED_SESSION(s, NULL);
    const gp_run *r = &s->run;
    gp_json *j = &s->out;
    gp_json_reset(j);
    gp_json_open(j, '{');
    gp_json_knum(j, "train", r->spent_train);
    gp_json_knum(j, "snapshot", r->spent_snapshot);
    gp_json_knum(j, "measure", r->spent_measure);
    gp_json_knum(j, "keep", r->spent_keep);
    gp_json_knum(j, "wall", r->started > 0 ? r->clock() - r->started : 0.0);
    gp_json_kint(j, "steps", r->rate_steps);
    gp_json_close(j, '}');
    return answer(s);
}

/* Chart points and FD points that an autosave from before states carried
 * their history kept beside the state (n_points x 5 and n_fd x 2 floats):
 * they become the run's history. */
EMSCRIPTEN_KEEPALIVE int gpw_run_import_history(gp_session *s, const float *points, int n_points, const float *fd, int n_fd) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!s->run.has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
    if (n_points < 0 || n_fd < 0 || n_points > (int)GP_HISTORY_MAX_POINTS || n_fd > (int)GP_HISTORY_MAX_FD ||
        (n_points && !points) || (n_fd && !fd))
        return gp_fail(&s->err, GP_ERR_ARG, "history: %d points at %p, %d FD points at %p", n_points, (const void *)points,
                       n_fd, (const void *)fd);
    if (!array_ok(s, points, n_points, 4 * GP_HISTORY_POINT, "chart points") || !array_ok(s, fd, n_fd, 8, "FD points"))
        return GP_ERR_ARG;
    gp_history *h = &s->run.hist;
    h->n_points = h->n_measures = 0;
    h->thinned++;
    for (int i = 0; i < n_points; i++) gp_history_push_point(h, points + (size_t)i * GP_HISTORY_POINT);
    for (int i = 0; i < n_fd; i++) gp_history_push_measure(h, fd[2 * i], fd[2 * i + 1], NAN);
    return 0;
}

/* The class that renders, samples and D's scores use for a conditional
 * model: 0..classes-1, or -1 for classes in turn (image i has class i mod
 * classes). */
EMSCRIPTEN_KEEPALIVE int gpw_set_class(gp_session *s, int label) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!s->run.has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
    gp_status st = gp_run_set(&s->run, "view_label", label, &s->err);
    if (st == GP_OK) s->label = label;
    return (int)st;
}

static int check_count(gp_session *s, int count) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!s->run.has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
    if (count < 1 || count > GPW_MAX_IMAGES)
        return gp_fail(&s->err, GP_ERR_ARG, "count must be in 1..%d", GPW_MAX_IMAGES);
    return 0;
}

static int render(gp_session *s, const float *z, int count, int cols) {
    if (cols < 1 || cols > GPW_MAX_IMAGES)
        return gp_fail(&s->err, GP_ERR_ARG, "columns must be in 1..%d", GPW_MAX_IMAGES);
    int gw, gh;
    gp_grid_size(count, cols, s->run.gan.image.h, s->run.gan.image.w, &gw, &gh);
    GP_ASSERT((size_t)gw * gh <= s->rgba_cap);
    gp_score_labels(s->labels, count, s->run.gan.cfg.classes, s->label);
    gp_gan_generate(&s->run.gan, z, s->run.gan.cfg.classes ? s->labels : NULL, count, s->images);
    s->n_images = count;
    s->rgba_w = gw;
    s->rgba_h = gh;
    gp_grid_render(s->rgba, 4, s->images, count, cols, s->run.gan.image.c, s->run.gan.image.h, s->run.gan.image.w);
    return 0;
}

/* Renders count samples of the given seed as RGBA. */
EMSCRIPTEN_KEEPALIVE int gpw_render_seed(gp_session *s, double seed, int count, int cols) {
    int st = check_count(s, count);
    if (st) return st;
    if (!seed_ok(s, seed)) return GP_ERR_ARG;
    gp_gan_latents(&s->run.gan, (uint64_t)seed, count, s->z);
    return render(s, s->z, count, cols);
}

EMSCRIPTEN_KEEPALIVE uint8_t *gpw_rgba(gp_session *s) { return LIVE(s) ? s->rgba : NULL; }
EMSCRIPTEN_KEEPALIVE int gpw_rgba_width(gp_session *s) { return LIVE(s) ? s->rgba_w : 0; }
EMSCRIPTEN_KEEPALIVE int gpw_rgba_height(gp_session *s) { return LIVE(s) ? s->rgba_h : 0; }

/* Floats per image (784 for 28x28 grayscale) and the latent size. */
EMSCRIPTEN_KEEPALIVE int gpw_image_size(gp_session *s) { return LIVE(s) && s->run.has_gan ? gp_shape_size(s->run.gan.image) : 0; }
EMSCRIPTEN_KEEPALIVE int gpw_latent_size(gp_session *s) { return LIVE(s) && s->run.has_gan ? s->run.gan.cfg.latent : 0; }

/* Writes count samples of the given seed (count x image floats in [-1, 1])
 * into out, which holds out_len floats. */
EMSCRIPTEN_KEEPALIVE int gpw_sample(gp_session *s, double seed, int count, float *out, int out_len) {
    int st = check_count(s, count);
    if (st) return st;
    if (!out || out_len < 0 || (size_t)out_len < (size_t)count * gp_shape_size(s->run.gan.image))
        return gp_fail(&s->err, GP_ERR_ARG, "samples: %d floats at %p, %d images need %zu", out_len, (void *)out, count,
                       (size_t)count * gp_shape_size(s->run.gan.image));
    if (!array_ok(s, out, out_len, 4, "samples")) return GP_ERR_ARG;
    if (!seed_ok(s, seed)) return GP_ERR_ARG;
    gp_gan_latents(&s->run.gan, (uint64_t)seed, count, s->z);
    gp_score_labels(s->labels, count, s->run.gan.cfg.classes, s->label);
    gp_gan_generate(&s->run.gan, s->z, s->run.gan.cfg.classes ? s->labels : NULL, count, out);
    return 0;
}

/* Serializes the model (kind: 0 generator, 1 whole training state,
 * 2 generator with float16 weights): see gpw_saved*. */
EMSCRIPTEN_KEEPALIVE int gpw_save(gp_session *s, int kind) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!s->run.has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model to save");
    /* the last save was copied out by the caller: its memory goes first, so
     * that the next (a little larger as the history grows) can take its place */
    free(s->saved);
    s->saved = NULL;
    s->saved_len = 0;
    uint8_t *bytes;
    size_t len;
    gp_status st = gp_run_save(&s->run, kind, &bytes, &len, &s->err);
    if (st != GP_OK) return (int)st;
    s->saved = bytes;
    s->saved_len = len;
    return 0;
}

EMSCRIPTEN_KEEPALIVE uint8_t *gpw_saved(gp_session *s) { return LIVE(s) ? s->saved : NULL; }
EMSCRIPTEN_KEEPALIVE int gpw_saved_len(gp_session *s) { return LIVE(s) ? (int)s->saved_len : 0; }

/* Replaces the model with a model file's; a bad file changes nothing. A
 * training state's history (charts, FD points, timeline) becomes the run's,
 * and its settings the next new model's; a generator alone leaves the
 * settings for the next new model as they were. */
EMSCRIPTEN_KEEPALIVE int gpw_load_model(gp_session *s, const uint8_t *bytes, int len) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!buffer_ok(s, bytes, len, "model file")) return GP_ERR_ARG;
    gp_gan gan;
    gp_status st = gp_model_load(&gan, bytes, (size_t)(len > 0 ? len : 0), &s->err);
    if (st != GP_OK) return (int)st;
    int training = gan.has_d;
    gp_gan_config cfg = gan.cfg;
    int rc = adopt_model(s, &gan);
    if (rc == 0 && training) s->cfg = cfg;
    return rc;
}

/* Whether gpw_load_model would take the file (0) or why not (gpw_error),
 * without loading it: the session is left as it was. */
EMSCRIPTEN_KEEPALIVE int gpw_check_model(gp_session *s, const uint8_t *bytes, int len) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!buffer_ok(s, bytes, len, "model file")) return GP_ERR_ARG;
    return (int)gp_run_check_file(bytes, (size_t)len, &s->err);
}

/* n standard normals (1..2^20) of gp_rng seeded with seed into out, which
 * holds out_len floats: the RNG parity test. No session: only a status. */
EMSCRIPTEN_KEEPALIVE int gpw_rng_normals(double seed, int n, float *out, int out_len) {
    if (n < 1 || n > (1 << 20) || out_len < n || !gpw_in_memory(out, 4 * (uint64_t)out_len) || !(seed >= 0 && seed < 1.8e19))
        return GP_ERR_ARG;
    gp_rng rng;
    gp_rng_seed(&rng, (uint64_t)seed);
    gp_rng_fill_normal(&rng, out, n, 0.0f, 1.0f);
    return 0;
}

/* ---- model description ------------------------------------------------- */

/* The model as JSON (gp_model_info_json), or "null" without one. */
EMSCRIPTEN_KEEPALIVE const char *gpw_model_json(gp_session *s) {
    if (!LIVE(s) || !s->run.has_gan) return "null";
    gp_json_reset(&s->out);
    gp_model_info_json(&s->run.gan, &s->out);
    return answer(s);
}

/* ---- explore: latent rows ---------------------------------------------- */
/* JS composes latent vectors in GPW_MAX_IMAGES rows of the session and
 * renders them; nothing here touches the training state. */

static int check_rows(gp_session *s, int row, int count) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!s->run.has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
    if (row < 0 || row >= GPW_MAX_IMAGES || count < 1 || count > GPW_MAX_IMAGES - row) /* no overflow */
        return gp_fail(&s->err, GP_ERR_ARG, "latent rows from %d, %d of them, are outside 0..%d", row, count,
                       GPW_MAX_IMAGES - 1);
    return 0;
}

static float *zrow(gp_session *s, int row) { return s->zw + (size_t)row * s->run.gan.cfg.latent; }

/* Row `row` = the latent of sample `index` of seed (what gpw_render_seed
 * draws at that place). */
EMSCRIPTEN_KEEPALIVE int gpw_z_seed(gp_session *s, int row, double seed, int index) {
    int st = check_rows(s, row, 1);
    if (st) return st;
    if (!seed_ok(s, seed)) return GP_ERR_ARG;
    if (index < 0 || index >= GPW_MAX_IMAGES)
        return gp_fail(&s->err, GP_ERR_ARG, "sample index must be in 0..%d, got %d", GPW_MAX_IMAGES - 1, index);
    int L = s->run.gan.cfg.latent;
    gp_gan_latents(&s->run.gan, (uint64_t)seed, index + 1, s->z);
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
    gp_latent_slerp(zrow(s, row), zrow(s, a), zrow(s, b), s->run.gan.cfg.latent, t);
    return 0;
}

/* Row `row` = row src + amount * direction k of the model's (see
 * gpw_directions_find; a unit vector: one unit is one standard deviation
 * of the noise along it). */
EMSCRIPTEN_KEEPALIVE int gpw_z_direction(gp_session *s, int row, int src, int k, double amount) {
    int st = check_rows(s, row, 1);
    if (!st) st = check_rows(s, src, 1);
    if (st) return st;
    const gp_direction_set *set = s->dirs;
    if (k < 0 || k >= set->n)
        return gp_fail(&s->err, GP_ERR_ARG, "direction %d: the model has %d directions%s", k, set->n,
                       set->n ? "" : " (find them first)");
    if (set->latent != s->run.gan.cfg.latent)
        return gp_fail(&s->err, GP_ERR_ARG, "the directions were found for another model: find them again");
    if (!(amount >= -10.0 && amount <= 10.0))
        return gp_fail(&s->err, GP_ERR_ARG, "amount must be in [-10, 10], got %g", amount);
    gp_directions_move(set, k, zrow(s, src), 1, amount, zrow(s, row));
    return 0;
}

/* The most directions a model has (sessionless). */
EMSCRIPTEN_KEEPALIVE int gpw_directions(void) { return GP_DIR_MAX; }

/* Fits the model's directions on `fit` samples and measures them on
 * `measure` fresh ones (eval/directions.h), and keeps them for
 * gpw_z_direction; gpw_directions_json says what they are. Class retention
 * is measured with the classifier file clf_bytes (a .gpc for the model's
 * data; read for this call only), or without one (NULL) with the loaded
 * classifier if it reads images of the model's shape, or not at all. On a
 * refusal the directions found before stay. */
EMSCRIPTEN_KEEPALIVE int gpw_directions_find(gp_session *s, int fit, int measure, const uint8_t *clf_bytes, int clf_len) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!s->run.has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
    if (!buffer_ok(s, clf_bytes, clf_len, "classifier file")) return GP_ERR_ARG;
    gp_direction_opts o = gp_direction_defaults();
    o.fit_samples = fit;
    o.measure_samples = measure;
    int n_img = gp_shape_size(s->run.gan.image);
    gp_classifier own, *clf = s->has_clf && gp_shape_size(s->clf.net.shape[0]) == n_img ? &s->clf : NULL;
    if (clf_bytes) {
        gp_status st = gp_classifier_load(&own, clf_bytes, (size_t)clf_len, &s->err);
        if (st != GP_OK) return (int)st;
        own.net.threads = s->threads;
        clf = &own;
    }
    gp_direction_set *set = malloc(sizeof *set);
    gp_status st = set ? gp_directions_fit(&s->run.gan, &o, set, &s->err)
                       : gp_fail(&s->err, GP_ERR_NOMEM, "out of memory");
    if (st == GP_OK) st = gp_directions_measure(&s->run.gan, clf, &o, set, &s->err);
    if (clf_bytes) gp_classifier_free(&own);
    if (st != GP_OK) {
        free(set);
        return (int)st;
    }
    free(s->dirs);
    s->dirs = set;
    s->dirs_fit = fit;
    s->dirs_measure = measure;
    s->dirs_classifier = clf != NULL;
    return 0;
}

/* The directions found: {count, fit_samples, measure_samples, classifier
 * (whether class retention was measured), directions: [...] as
 * gp_directions_json writes them}. */
EMSCRIPTEN_KEEPALIVE const char *gpw_directions_json(gp_session *s) {
    NEED_SESSION(s, NULL);
    if (!s->run.has_gan) {
        gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
        return NULL;
    }
    gp_json *j = &s->out;
    gp_json_reset(j);
    gp_json_open(j, '{');
    gp_json_kint(j, "count", s->dirs->n);
    gp_json_kint(j, "fit_samples", s->dirs->n ? s->dirs_fit : 0);
    gp_json_kint(j, "measure_samples", s->dirs->n ? s->dirs_measure : 0);
    gp_json_kbool(j, "classifier", s->dirs->n && s->dirs_classifier);
    gp_json_key(j, "directions");
    gp_directions_json(s->dirs, j);
    gp_json_close(j, '}');
    return answer(s);
}

/* Row `row` = row src + radius * standard normal noise drawn from seed:
 * a neighbour of src. */
EMSCRIPTEN_KEEPALIVE int gpw_z_jitter(gp_session *s, int row, int src, double seed, double radius) {
    int st = check_rows(s, row, 1);
    if (!st) st = check_rows(s, src, 1);
    if (st) return st;
    if (!seed_ok(s, seed)) return GP_ERR_ARG;
    if (!(radius >= 0.0 && radius <= 10.0))
        return gp_fail(&s->err, GP_ERR_ARG, "radius must be in [0, 10], got %g", radius);
    gp_latent_jitter(zrow(s, row), zrow(s, src), s->run.gan.cfg.latent, (uint64_t)seed, radius);
    return 0;
}

/* The rows themselves (GPW_MAX_IMAGES x latent floats), for tests. */
EMSCRIPTEN_KEEPALIVE float *gpw_z(gp_session *s) { return LIVE(s) && s->run.has_gan ? s->zw : NULL; }

/* Renders rows row..row+count-1 as an RGBA grid: see gpw_rgba*. */
EMSCRIPTEN_KEEPALIVE int gpw_render_z(gp_session *s, int row, int count, int cols) {
    int st = check_rows(s, row, count);
    return st ? st : render(s, zrow(s, row), count, cols);
}

/* ---- real images and the discriminator's view ---------------------------- */

/* Renders count held-out images of the dataset, from the first-th on in an
 * order that mixes the classes (see gp_dataset_held_out_mixed), as an RGBA
 * grid: see gpw_rgba*. */
EMSCRIPTEN_KEEPALIVE int gpw_render_real(gp_session *s, int first, int count, int cols) {
    int st = check_count(s, count);
    if (st) return st;
    if (s->ds.n_test == 0) return gp_fail(&s->err, GP_ERR_ARG, "no dataset loaded");
    if (s->ds.h != s->run.gan.image.h || s->ds.w != s->run.gan.image.w || s->ds.c != s->run.gan.image.c)
        return gp_fail(&s->err, GP_ERR_ARG, "dataset images are %dx%d, the model's %dx%d", s->ds.h, s->ds.w,
                       s->run.gan.image.h, s->run.gan.image.w);
    if (first < 0 || first > 2147483647 - count) /* first + i must not overflow */
        return gp_fail(&s->err, GP_ERR_ARG, "first must be in 0..%d, got %d", 2147483647 - count, first);
    if (cols < 1 || cols > GPW_MAX_IMAGES)
        return gp_fail(&s->err, GP_ERR_ARG, "columns must be in 1..%d", GPW_MAX_IMAGES);
    int n_img = gp_shape_size(s->run.gan.image);
    for (int i = 0; i < count; i++) {
        int idx = gp_dataset_held_out_mixed(&s->ds, first + i);
        gp_dataset_image(&s->ds, idx, s->images + (size_t)i * n_img);
        s->labels[i] = s->run.gan.cfg.classes ? s->ds.labels[idx] % s->run.gan.cfg.classes : 0; /* D judges them as what they are */
    }
    int gw, gh;
    gp_grid_size(count, cols, s->run.gan.image.h, s->run.gan.image.w, &gw, &gh);
    GP_ASSERT((size_t)gw * gh <= s->rgba_cap);
    s->n_images = count;
    s->rgba_w = gw;
    s->rgba_h = gh;
    gp_grid_render(s->rgba, 4, s->images, count, cols, s->run.gan.image.c, s->run.gan.image.h, s->run.gan.image.w);
    return 0;
}

/* D's probability that each image of the last render is real (evaluation
 * mode: BatchNorm's running statistics; training is not disturbed): see
 * gpw_probs. */
EMSCRIPTEN_KEEPALIVE int gpw_d_score(gp_session *s) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!s->run.has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
    if (!s->run.gan.has_d) return gp_fail(&s->err, GP_ERR_ARG, "this model has no discriminator (generator-only file)");
    if (s->n_images < 1) return gp_fail(&s->err, GP_ERR_ARG, "nothing rendered to score");
    gp_gan_d_readouts(&s->run.gan, s->images, s->run.gan.cfg.classes ? s->labels : NULL, s->n_images, s->probs);
    return 0;
}

EMSCRIPTEN_KEEPALIVE float *gpw_probs(gp_session *s) { return LIVE(s) ? s->probs : NULL; }

/* ---- editing with the generator, and why D decides ------------------------ */

/* Projects a picture onto the generator (see gp_project), in steps so
 * that the caller can stay responsive and stop it: gpw_project_begin
 * checks the request and starts; gpw_project_step takes a few steps at a
 * time; gpw_project_finish writes the result; gpw_project_cancel ends it
 * with nothing written. One projection at a time: a second begin is
 * refused while one is under way. A new, loaded or restored model ends it
 * (a step then says so).
 *
 * begin takes rgba (h x w x 4, the model's size or a whole multiple; dark
 * ink on paper is inverted), an optional mask of the same size (light
 * pixels must match, G fills the dark ones; NULL for none), Gaussian noise
 * of std `noise` added to the target first (denoising; 0..2, from seed),
 * steps, starting points, the seed of the starts, the class (-1: the best
 * class of a conditional model) and the latent row that receives the
 * result. The picture and mask are copied: the caller may free them. */
EMSCRIPTEN_KEEPALIVE int gpw_project_begin(gp_session *s, const uint8_t *rgba, int len, int h, int w, const uint8_t *mask_rgba,
                                           int mask_len, double noise, int steps, int starts, double seed, int label, int row) {
    int st = check_rows(s, row, 1);
    if (st) return st;
    if (s->proj_mem) return gp_fail(&s->err, GP_ERR_ARG, "a projection is under way: cancel it or let it finish first");
    if (!buffer_ok(s, rgba, len, "picture") || !buffer_ok(s, mask_rgba, mask_len, "mask")) return GP_ERR_ARG;
    if (h < 1 || w < 1 || h > 1024 || w > 1024 || len != h * w * 4 || (mask_rgba && mask_len != len))
        return gp_fail(&s->err, GP_ERR_ARG, "the picture must be h x w x 4 bytes (h, w in 1..1024) and the mask as large");
    if (!(noise >= 0.0 && noise <= 2.0)) return gp_fail(&s->err, GP_ERR_ARG, "noise must be in 0..2, got %g", noise);
    if (!seed_ok(s, seed)) return GP_ERR_ARG;
    gp_shape im = s->run.gan.image;
    int n_img = gp_shape_size(im), cap = 11;
    /* the picture and mask as the model sees them, then room for the trace */
    float *target = malloc(sizeof(float) * (size_t)n_img * (2 + cap)), *mask = target ? target + n_img : NULL;
    if (!target) return gp_fail(&s->err, GP_ERR_NOMEM, "out of memory");
    st = (int)gp_image_from_rgba(target, rgba, h, w, im.c, im.h, im.w, 0, &s->err);
    if (!st && mask_rgba) st = (int)gp_image_from_rgba(mask, mask_rgba, h, w, im.c, im.h, im.w, 1, &s->err);
    if (st) {
        free(target);
        return st;
    }
    if (noise > 0.0) {
        gp_rng rng;
        gp_rng_seed(&rng, (uint64_t)seed ^ 0x6e6f697365ull); /* "noise": not the starts' stream */
        for (int i = 0; i < n_img; i++) {
            float v = target[i] + (float)noise * gp_rng_normal(&rng);
            target[i] = v < -1.0f ? -1.0f : v > 1.0f ? 1.0f : v;
        }
    }
    gp_project_opts o = gp_project_defaults();
    o.steps = steps;
    o.restarts = starts;
    o.seed = (uint64_t)seed;
    o.label = label;
    /* every tenth of the steps, rounded up: at most ten points along the way, then the result (steps < 10: one per step) */
    o.trace_every = steps > 10 ? steps / 10 + (steps % 10 != 0) : 1;
    st = (int)gp_project_begin(&s->proj, &s->run.gan, target, mask_rgba ? mask : NULL, &o, mask + n_img, cap, &s->err);
    if (st) {
        free(target);
        return st;
    }
    s->proj_mem = target;
    s->proj_row = row;
    s->proj_model_gone = 0;
    return 0;
}

/* Up to n (1..10000) more steps of the projection under way; then
 * gpw_project_json says step (taken so far) and steps (in all). A failed
 * step ends the projection, with nothing written. */
EMSCRIPTEN_KEEPALIVE int gpw_project_step(gp_session *s, int n) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!s->proj_mem) return no_projection(s);
    if (n < 1 || n > 10000) return gp_fail(&s->err, GP_ERR_ARG, "steps per call must be 1..10000, not %d", n);
    int st = (int)gp_project_step(&s->proj, n, &s->err);
    if (st) {
        drop_projection(s);
        return st;
    }
    gp_json *j = &s->out;
    gp_json_reset(j);
    gp_json_open(j, '{');
    gp_json_kint(j, "step", s->proj.steps_done);
    gp_json_kint(j, "steps", s->proj.o.steps);
    gp_json_close(j, '}');
    return answer(s) ? 0 : GP_ERR_NOMEM;
}

static int op_compare(gp_session *s, const float *result);

/* After the last step: the latent row receives the result, and the
 * rendered set (gpw_rgba) is one row: the target as the engine saw it, the
 * best start's image every tenth of the steps, and last the result;
 * gpw_project_json says loss, class, start, mean_z2, traced and counted
 * (the pixels the loss is over). The projection is over either way. */
EMSCRIPTEN_KEEPALIVE int gpw_project_finish(gp_session *s) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!s->proj_mem) return no_projection(s);
    gp_projection *p = &s->proj;
    if (p->steps_done < p->o.steps)
        return gp_fail(&s->err, GP_ERR_ARG, "the projection has taken %d of its %d steps: step on first", p->steps_done, p->o.steps);
    int st = check_rows(s, s->proj_row, 1);
    gp_project_result r;
    if (!st) st = (int)gp_project_finish(p, zrow(s, s->proj_row), NULL, &r, &s->err);
    gp_shape im = s->run.gan.image;
    int n_img = p->n_img;
    double counted = p->counted;
    if (!st) { /* the rendered set: the target, then the trace (the result is its last image) */
        memcpy(s->images, s->proj_mem, sizeof(float) * (size_t)n_img);
        memcpy(s->images + n_img, p->trace, sizeof(float) * (size_t)n_img * r.traced);
    }
    if (!st && s->proj_op != GP_PROJECT_OP_NONE) st = op_compare(s, p->trace + (size_t)(r.traced - 1) * n_img);
    drop_projection(s);
    if (st) return st;
    int count = 1 + r.traced, gw, gh;
    gp_grid_size(count, count, im.h, im.w, &gw, &gh);
    GP_ASSERT((size_t)gw * gh <= s->rgba_cap);
    for (int i = 0; i < count; i++) s->labels[i] = r.label >= 0 ? r.label : 0;
    s->n_images = count;
    s->rgba_w = gw;
    s->rgba_h = gh;
    gp_grid_render(s->rgba, 4, s->images, count, count, im.c, im.h, im.w);
    gp_json *j = &s->out;
    gp_json_reset(j);
    gp_json_open(j, '{');
    gp_json_knum(j, "loss", r.loss);
    gp_json_kint(j, "class", r.label);
    gp_json_kint(j, "start", r.start);
    gp_json_knum(j, "mean_z2", r.prior);
    gp_json_kint(j, "traced", r.traced);
    gp_json_knum(j, "counted", counted);
    gp_json_close(j, '}');
    return answer(s) ? 0 : GP_ERR_NOMEM;
}

/* Ends the projection under way with nothing written (the latent rows, the
 * rendered set and the model are as they were). Returns 1 if there was one,
 * 0 if not. */
EMSCRIPTEN_KEEPALIVE int gpw_project_cancel(gp_session *s) {
    NEED_SESSION(s, 0);
    return drop_projection(s);
}

/* The whole projection in one call: begin, every step, finish (see above). */
EMSCRIPTEN_KEEPALIVE int gpw_project(gp_session *s, const uint8_t *rgba, int len, int h, int w, const uint8_t *mask_rgba,
                                     int mask_len, double noise, int steps, int starts, double seed, int label, int row) {
    int st = gpw_project_begin(s, rgba, len, h, w, mask_rgba, mask_len, noise, steps, starts, seed, label, row);
    if (!st) st = gpw_project_step(s, steps);
    return st ? st : gpw_project_finish(s);
}

/* What the last gpw_project, gpw_project_step or _finish or gpw_nearest found (read it before another JSON call). */
EMSCRIPTEN_KEEPALIVE const char *gpw_project_json(gp_session *s) { return LIVE(s) ? answer(s) : NULL; }

/* Why D decides: the saliency (gradient of D's score with respect to the
 * pixels) of the rendered set, laid over it as heat in a grid of cols
 * columns (gpw_rgba). */
EMSCRIPTEN_KEEPALIVE int gpw_saliency(gp_session *s, int cols) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!s->run.has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
    if (!s->run.gan.has_d) return gp_fail(&s->err, GP_ERR_ARG, "this model has no discriminator (generator-only file)");
    if (s->n_images < 1) return gp_fail(&s->err, GP_ERR_ARG, "nothing rendered to explain");
    if (cols < 1 || cols > GPW_MAX_IMAGES) return gp_fail(&s->err, GP_ERR_ARG, "columns must be in 1..%d", GPW_MAX_IMAGES);
    int n = s->n_images, n_img = gp_shape_size(s->run.gan.image);
    float *heat = malloc(sizeof(float) * (size_t)n * n_img);
    if (!heat) return gp_fail(&s->err, GP_ERR_NOMEM, "out of memory");
    gp_gan_d_saliency(&s->run.gan, s->images, s->run.gan.cfg.classes ? s->labels : NULL, n, heat);
    int gw, gh;
    gp_grid_size(n, cols, s->run.gan.image.h, s->run.gan.image.w, &gw, &gh);
    GP_ASSERT((size_t)gw * gh <= s->rgba_cap);
    s->rgba_w = gw;
    s->rgba_h = gh;
    gp_grid_render_heat(s->rgba, s->images, heat, n, cols, s->run.gan.image.c, s->run.gan.image.h,
                        s->run.gan.image.w);
    free(heat);
    return 0;
}

/* The memorization check: the k (1..16) training images nearest to image
 * `which` of the rendered set, in pixels (features 0) or in the
 * classifier's feature space (features 1; needs the classifier and its
 * dataset). They become the rendered set, in one row; gpw_project_json
 * then says space, indices, labels and distances. */
EMSCRIPTEN_KEEPALIVE int gpw_nearest(gp_session *s, int which, int k, int features) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!s->run.has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
    if (which < 0 || which >= s->n_images)
        return gp_fail(&s->err, GP_ERR_ARG, "image %d is not in the rendered set of %d", which, s->n_images);
    if (k < 1 || k > GP_NEAREST_MAX) return gp_fail(&s->err, GP_ERR_ARG, "k must be in 1..%d, got %d", GP_NEAREST_MAX, k);
    if (features != 0 && features != 1) return gp_fail(&s->err, GP_ERR_ARG, "features must be 0 (pixels) or 1");
    gp_shape im = s->run.gan.image;
    if (s->ds.n_train == 0) return gp_fail(&s->err, GP_ERR_ARG, "no dataset loaded");
    if (s->ds.h != im.h || s->ds.w != im.w || s->ds.c != im.c)
        return gp_fail(&s->err, GP_ERR_ARG, "the dataset's images are %dx%d, the model's %dx%d", s->ds.w, s->ds.h, im.w, im.h);
    int n_img = gp_shape_size(im), idx[GP_NEAREST_MAX], found;
    float dist[GP_NEAREST_MAX], *image = malloc(sizeof(float) * (size_t)n_img);
    if (!image) return gp_fail(&s->err, GP_ERR_NOMEM, "out of memory");
    memcpy(image, s->images + (size_t)which * n_img, sizeof(float) * (size_t)n_img);
    if (features) {
        if (!s->has_clf) {
            free(image);
            return gp_fail(&s->err, GP_ERR_ARG, "no classifier for this dataset: compare pixels instead");
        }
        if (!s->has_bank) {
            gp_status st = gp_feature_bank_build(&s->clf, &s->ds, &s->bank, &s->err);
            if (st != GP_OK) {
                free(image);
                return (int)st;
            }
            s->has_bank = 1;
        }
        found = gp_nearest_features(&s->clf, &s->bank, image, k, idx, dist);
    } else {
        found = gp_nearest_pixels(&s->ds, image, k, idx, dist);
    }
    free(image);
    gp_json *j = &s->out;
    gp_json_reset(j);
    gp_json_open(j, '{');
    gp_json_kstr(j, "space", features ? "features" : "pixels");
    gp_json_key(j, "indices");
    gp_json_open(j, '[');
    for (int i = 0; i < found; i++) gp_json_int(j, idx[i]);
    gp_json_close(j, ']');
    gp_json_key(j, "labels");
    gp_json_open(j, '[');
    for (int i = 0; i < found; i++) gp_json_int(j, s->ds.labels[idx[i]]);
    gp_json_close(j, ']');
    gp_json_key(j, "distances");
    gp_json_nums(j, dist, (size_t)found, 1);
    gp_json_close(j, '}');
    if (!answer(s)) return GP_ERR_NOMEM;
    for (int i = 0; i < found; i++) {
        gp_dataset_image(&s->ds, idx[i], s->images + (size_t)i * n_img);
        s->labels[i] = s->run.gan.cfg.classes ? s->ds.labels[idx[i]] % s->run.gan.cfg.classes : 0;
    }
    int gw, gh;
    gp_grid_size(found, found, im.h, im.w, &gw, &gh);
    GP_ASSERT((size_t)gw * gh <= s->rgba_cap);
    s->n_images = found;
    s->rgba_w = gw;
    s->rgba_h = gh;
    gp_grid_render(s->rgba, 4, s->images, found, found, im.c, im.h, im.w);
    return 0;
}

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

/* Sums and FNV-1a hashes of the model's arrays as JSON: g_sum, g_hash,
 * d_sum, d_hash (trained parameters), g_buffers, d_buffers (BatchNorm's
 * running statistics, which a D step's pass through G also updates),
 * g_adam, d_adam (Adam's moments). */
EMSCRIPTEN_KEEPALIVE const char *gpw_checksum_json(gp_session *s) {
    double v[8] = {0}, unused;
    if (!LIVE(s) || !s->run.has_gan) return "null";
    gp_net *G = &s->run.gan.G, *D = &s->run.gan.D;
    sum_and_hash(G->params, G->n_params, &v[0], &v[1]);
    sum_and_hash(G->buffers, G->n_buffers, &unused, &v[4]);
    if (s->run.gan.has_d) {
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
    static const char *const keys[8] = {"g_sum", "g_hash", "d_sum", "d_hash", "g_buffers", "d_buffers", "g_adam", "d_adam"};
    gp_json *j = &s->out;
    gp_json_reset(j);
    gp_json_open(j, '{');
    for (int k = 0; k < 8; k++) {
        gp_json_key(j, keys[k]);
        gp_json_double(j, v[k]);
    }
    gp_json_close(j, '}');
    return answer(s);
}

/* For tests of the page's divergence handling: writes NaN into G's first
 * weight, so the next training step reports GP_ERR_NAN as a real
 * divergence would. */
EMSCRIPTEN_KEEPALIVE int gpw_test_poison(gp_session *s) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!s->run.has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
    s->run.gan.G.params[0] = NAN;
    gp_net_params_changed(&s->run.gan.G);
    return 0;
}

/* ---- digit FD ------------------------------------------------------------- */

/* Loads the classifier (a .gpc file) and computes the reference feature
 * statistics of the loaded dataset's held-out images. A bad file changes
 * nothing. Loading another dataset drops the reference: call this again. */
EMSCRIPTEN_KEEPALIVE int gpw_load_classifier(gp_session *s, const uint8_t *bytes, int len) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!buffer_ok(s, bytes, len, "classifier file")) return GP_ERR_ARG;
    if (s->ds.count == 0) return gp_fail(&s->err, GP_ERR_ARG, "load a dataset before the classifier");
    gp_classifier c;
    gp_status st = gp_classifier_load(&c, bytes, (size_t)(len > 0 ? len : 0), &s->err);
    if (st != GP_OK) return (int)st;
    c.net.threads = s->threads;
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
    gp_run_set_scorer(&s->run, &s->clf, &s->ref);
    return 0;
}

/* Scores count samples of seed (2..GPW_MAX_SCORE): see gpw_score_json. A
 * conditional model draws class `label` for all (its FD then compares one
 * class with every held-out image), or classes in turn with label -1. */
EMSCRIPTEN_KEEPALIVE int gpw_score(gp_session *s, int count, double seed, int label) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!s->run.has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
    if (!s->has_clf || !s->has_ref)
        return gp_fail(&s->err, GP_ERR_ARG, "no classifier reference: load the classifier after the dataset");
    if (count < 2 || count > GPW_MAX_SCORE)
        return gp_fail(&s->err, GP_ERR_ARG, "count must be in 2..%d, got %d", GPW_MAX_SCORE, count);
    if (!seed_ok(s, seed)) return GP_ERR_ARG;
    return (int)gp_score_model(&s->clf, &s->ref, &s->run.gan, count, (uint64_t)seed, label, &s->quality, &s->err);
}

/* The last gpw_score as JSON: fd, entropy, hist (10 shares), cond_acc (a
 * conditional model's share of samples the classifier assigns to the class
 * asked for; null otherwise), count. */
EMSCRIPTEN_KEEPALIVE const char *gpw_score_json(gp_session *s) {
    NEED_SESSION(s, NULL);
    gp_json *j = &s->out;
    gp_json_reset(j);
    gp_json_open(j, '{');
    gp_quality_json(&s->quality, j);
    gp_json_close(j, '}');
    return answer(s);
}

/* ---- upscaling and colourising by projection ----------------------------- */
/* The projection through an operator (gp_project's op): area downscaling
 * makes it upscaling (G's image made small must match a small picture),
 * luminance makes it colourising (G's colour image's gray must match a gray
 * picture). Begin here; step, finish and cancel as any projection; then
 * gpw_project_op_json compares the result with the baseline (bicubic
 * interpolation, or the gray picture itself) and, for a held-out image,
 * with the original. */

/* The operator and factor, checked against the model's images; the target's shape into *ts. */
static int op_check(gp_session *s, int op, int factor, gp_shape *ts) {
    if (!s->run.has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
    if (op != GP_PROJECT_OP_DOWNSCALE && op != GP_PROJECT_OP_LUMINANCE)
        return gp_fail(&s->err, GP_ERR_ARG, "operator %d: 1 (upscale) or 2 (colourise)", op);
    return (int)gp_project_op_shape(op, op == GP_PROJECT_OP_DOWNSCALE ? factor : 1, s->run.gan.image, ts, &s->err);
}

/* The held-out image k (in the mixed order) of the dataset, checked against the model's images. */
static int op_original(gp_session *s, int k, float *out) {
    gp_shape im = s->run.gan.image;
    if (s->ds.n_test == 0) return gp_fail(&s->err, GP_ERR_ARG, "no dataset loaded");
    if (s->ds.h != im.h || s->ds.w != im.w || s->ds.c != im.c)
        return gp_fail(&s->err, GP_ERR_ARG, "dataset images are %dx%dx%d, the model's %dx%dx%d", s->ds.c, s->ds.h, s->ds.w,
                       im.c, im.h, im.w);
    if (k < 0) return gp_fail(&s->err, GP_ERR_ARG, "held-out image %d: must be 0 or more", k);
    if (out) gp_dataset_image(&s->ds, gp_dataset_held_out_mixed(&s->ds, k), out);
    return 0;
}

/* A target (the operator's output) shown at the model's size: each small
 * pixel as a block, or the gray in all three planes. */
static void op_show(int op, int factor, gp_shape im, const float *t, float *out) {
    int hw = im.h * im.w;
    if (op == GP_PROJECT_OP_LUMINANCE) {
        for (int c = 0; c < 3; c++) memcpy(out + (size_t)c * hw, t, sizeof(float) * (size_t)hw);
        return;
    }
    int oh = im.h / factor, ow = im.w / factor;
    for (int c = 0; c < im.c; c++)
        for (int y = 0; y < im.h; y++)
            for (int x = 0; x < im.w; x++)
                out[(size_t)c * hw + (size_t)y * im.w + x] = t[((size_t)c * oh + y / factor) * ow + x / factor];
}

/* Held-out image k through the operator (op 1: area-downscaled by factor;
 * op 2: its gray), shown at the model's size (op_show) as a one-image grid:
 * see gpw_rgba*. The page puts it on its pad; gpw_project_op_begin with
 * real = k then compares the result with the original. */
EMSCRIPTEN_KEEPALIVE int gpw_edit_real_op(gp_session *s, int k, int op, int factor) {
    NEED_SESSION(s, GP_ERR_ARG);
    gp_shape ts;
    int st = op_check(s, op, factor, &ts);
    if (!st) st = op_original(s, k, NULL);
    if (st) return st;
    gp_shape im = s->run.gan.image;
    int n_img = gp_shape_size(im);
    float *orig = malloc(sizeof(float) * (size_t)n_img * 2);
    if (!orig) return gp_fail(&s->err, GP_ERR_NOMEM, "out of memory");
    op_original(s, k, orig);
    gp_project_op_apply(op, factor, im, orig, orig + n_img);
    op_show(op, factor, im, orig + n_img, s->images);
    free(orig);
    int gw, gh;
    gp_grid_size(1, 1, im.h, im.w, &gw, &gh);
    s->n_images = 1;
    s->labels[0] = 0;
    s->rgba_w = gw;
    s->rgba_h = gh;
    gp_grid_render(s->rgba, 4, s->images, 1, 1, im.c, im.h, im.w);
    return 0;
}

/* Begins an upscaling (op 1, by factor: one of the tables' upscale_factors
 * or any that divides the model's sides) or a colourising (op 2, colour
 * models) projection of rgba (h x w x 4). Upscaling reads the picture as
 * the model's size over factor (or a whole multiple of it, averaged down);
 * colourising reads it at the model's size (or a whole multiple) as colour
 * and takes its gray. real: the held-out image the picture came from
 * (gpw_edit_real_op), or -1. steps, starts, seed, label and row as for
 * gpw_project_begin; no mask, no noise. */
EMSCRIPTEN_KEEPALIVE int gpw_project_op_begin(gp_session *s, const uint8_t *rgba, int len, int h, int w, int op, int factor,
                                              int real, int steps, int starts, double seed, int label, int row) {
    int st = check_rows(s, row, 1);
    if (st) return st;
    if (s->proj_mem) return gp_fail(&s->err, GP_ERR_ARG, "a projection is under way: cancel it or let it finish first");
    if (!buffer_ok(s, rgba, len, "picture")) return GP_ERR_ARG;
    if (h < 1 || w < 1 || h > 1024 || w > 1024 || len != h * w * 4)
        return gp_fail(&s->err, GP_ERR_ARG, "the picture must be h x w x 4 bytes (h, w in 1..1024)");
    gp_shape ts;
    if ((st = op_check(s, op, factor, &ts))) return st;
    if (op == GP_PROJECT_OP_LUMINANCE) factor = 1;
    if (real != -1 && (st = op_original(s, real, NULL))) return st;
    if (!seed_ok(s, seed)) return GP_ERR_ARG;
    gp_shape im = s->run.gan.image;
    int n_img = gp_shape_size(im), n_t = gp_shape_size(ts), cap = 11;
    /* the target as shown, the target, then room for the trace (which first holds a colour picture) */
    float *mem = malloc(sizeof(float) * ((size_t)n_img * (1 + cap) + (size_t)n_t)), *target = mem ? mem + n_img : NULL;
    if (!mem) return gp_fail(&s->err, GP_ERR_NOMEM, "out of memory");
    float *trace = target + n_t;
    if (op == GP_PROJECT_OP_DOWNSCALE) {
        st = (int)gp_image_from_rgba(target, rgba, h, w, im.c, ts.h, ts.w, 0, &s->err);
    } else {
        st = (int)gp_image_from_rgba(trace, rgba, h, w, 3, im.h, im.w, 0, &s->err);
        if (!st) gp_project_op_apply(op, factor, im, trace, target);
    }
    if (st) {
        free(mem);
        return st;
    }
    op_show(op, factor, im, target, mem);
    gp_project_opts o = gp_project_op_defaults(op, factor); /* its learning rate and prior */
    o.steps = steps;
    o.restarts = starts;
    o.seed = (uint64_t)seed;
    o.label = label;
    o.trace_every = steps > 10 ? steps / 10 + (steps % 10 != 0) : 1; /* as gpw_project_begin's */
    st = (int)gp_project_begin(&s->proj, &s->run.gan, target, NULL, &o, trace, cap, &s->err);
    if (st) {
        free(mem);
        return st;
    }
    s->proj_mem = mem;
    s->proj_row = row;
    s->proj_model_gone = 0;
    s->proj_op = op;
    s->proj_factor = factor;
    s->proj_real = real;
    return 0;
}

static double op_mse(const float *a, const float *b, int n) {
    double e = 0.0;
    for (int i = 0; i < n; i++) e += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    return e / n;
}

/* At the finish of a projection through an operator (before it is
 * dropped): the comparison gpw_project_op_json reports. */
static int op_compare(gp_session *s, const float *result) {
    gp_projection *p = &s->proj;
    gp_shape im = s->run.gan.image;
    int n_img = p->n_img, op = s->proj_op, K = s->proj_factor, real = s->proj_real, n = real >= 0 ? 4 : 3;
    float *cmp = malloc(sizeof(float) * (size_t)n_img * 4);
    if (!cmp) return gp_fail(&s->err, GP_ERR_NOMEM, "out of memory");
    memcpy(cmp, s->proj_mem, sizeof(float) * (size_t)n_img); /* the input as shown */
    if (op == GP_PROJECT_OP_DOWNSCALE)
        gp_image_upscale_bicubic(p->target, im.c, im.h / K, im.w / K, K, -1.0f, 1.0f, cmp + n_img);
    else
        memcpy(cmp + n_img, s->proj_mem, sizeof(float) * (size_t)n_img); /* the gray picture itself */
    memcpy(cmp + 2 * (size_t)n_img, result, sizeof(float) * (size_t)n_img);
    s->op_original_class = -1;
    if (real >= 0) {
        op_original(s, real, cmp + 3 * (size_t)n_img);
        s->op_original_class = s->ds.labels[gp_dataset_held_out_mixed(&s->ds, real)];
    }
    free(s->op_cmp);
    s->op_cmp = cmp;
    s->op_images = n;
    s->op_op = op;
    s->op_factor = K;
    s->op_real = real;
    s->op_mse_result = real >= 0 ? op_mse(cmp + 2 * (size_t)n_img, cmp + 3 * (size_t)n_img, n_img) : -1.0;
    s->op_mse_baseline = real >= 0 ? op_mse(cmp + (size_t)n_img, cmp + 3 * (size_t)n_img, n_img) : -1.0;
    s->op_class_result = s->op_class_baseline = -1;
    gp_shape cin = s->has_clf ? s->clf.net.shape[0] : im;
    if (s->has_clf && cin.c == im.c && cin.h == im.h && cin.w == im.w) { /* the classifier reads these images */
        uint8_t pred[2];
        gp_classifier_run(&s->clf, cmp + (size_t)n_img, 2, pred, NULL);
        s->op_class_baseline = pred[0];
        s->op_class_result = pred[1];
    }
    return 0;
}

/* The last upscaling or colourising projection's comparison: the rendered
 * set (gpw_rgba) is one row of images: the input as G was given it (a
 * small picture's pixels as blocks, or the gray), the baseline (bicubic
 * interpolation of the small picture, or the gray itself), the result, and
 * for a held-out image the original. Answers {op: "upscale" or
 * "colourise", factor, real, images, original_class (the held-out image's
 * label, or -1), mse_result and mse_baseline (mean squared pixel error
 * against the original, pixels in [-1, 1]; null without one), class_result
 * and class_baseline (what the classifier, if loaded for these images,
 * takes them for; -1 without)}. */
EMSCRIPTEN_KEEPALIVE const char *gpw_project_op_json(gp_session *s) {
    NEED_SESSION(s, NULL);
    if (!s->op_cmp || !s->run.has_gan) {
        gp_fail(&s->err, GP_ERR_ARG, "no upscaling or colourising finished yet");
        return NULL;
    }
    gp_shape im = s->run.gan.image;
    int n = s->op_images, gw, gh;
    memcpy(s->images, s->op_cmp, sizeof(float) * (size_t)n * gp_shape_size(im));
    for (int i = 0; i < n; i++) s->labels[i] = 0;
    gp_grid_size(n, n, im.h, im.w, &gw, &gh);
    GP_ASSERT((size_t)gw * gh <= s->rgba_cap);
    s->n_images = n;
    s->rgba_w = gw;
    s->rgba_h = gh;
    gp_grid_render(s->rgba, 4, s->images, n, n, im.c, im.h, im.w);
    gp_json *j = &s->out;
    gp_json_reset(j);
    gp_json_open(j, '{');
    gp_json_kstr(j, "op", s->op_op == GP_PROJECT_OP_DOWNSCALE ? "upscale" : "colourise");
    gp_json_kint(j, "factor", s->op_factor);
    gp_json_kint(j, "real", s->op_real);
    gp_json_kint(j, "images", n);
    gp_json_kint(j, "original_class", s->op_original_class);
    if (s->op_real >= 0) {
        gp_json_knum(j, "mse_result", s->op_mse_result);
        gp_json_knum(j, "mse_baseline", s->op_mse_baseline);
    } else {
        gp_json_key(j, "mse_result");
        gp_json_null(j);
        gp_json_key(j, "mse_baseline");
        gp_json_null(j);
    }
    gp_json_kint(j, "class_result", s->op_class_result);
    gp_json_kint(j, "class_baseline", s->op_class_baseline);
    gp_json_close(j, '}');
    return answer(s);
}

/* ---- provenance: the PNGs the page offers -------------------------------------- */
/* Every PNG the page offers for download goes through gpw_png_stamp, which
 * adds the text chunk saying what made it (provenance.h). */

/* The hash of the weights the model on show samples with
 * (gp_gan_weights_hash), or NULL without a model. */
EMSCRIPTEN_KEEPALIVE const char *gpw_weights_hash(gp_session *s) {
    NEED_SESSION(s, NULL);
    if (!s->run.has_gan) {
        gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
        return NULL;
    }
    gp_gan_weights_hash(&s->run.gan, s->weights);
    return s->weights;
}

/* The PNG png (len bytes, a canvas's toBlob) with the provenance of the
 * model on show: where it came from (source: the shipped file's path or the
 * opened file's name; "" for a model trained in the page, see
 * gp_provenance_model_name), the latents' seed (-1: none), the first
 * sample's index among them (-1: none), count images, the class all have
 * (-1: none), what made it; n_dirs latent directions, their names in
 * dir_names one per line ("\n" between) and amounts in dir_amounts; units
 * switched off in layer units_layer (-1: none), n_units of them in units.
 * The result: gpw_png, gpw_png_len (until the next call). */
EMSCRIPTEN_KEEPALIVE int gpw_png_stamp(gp_session *s, const uint8_t *png, int len, const char *source, double seed,
                                       int index, int count, int label, const char *what, const char *dir_names,
                                       const double *dir_amounts, int n_dirs, int units_layer, const int *units,
                                       int n_units) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!s->run.has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
    if (!buffer_ok(s, png, len, "PNG") || !string_ok(s, source, "model source") || !string_ok(s, what, "what"))
        return GP_ERR_ARG;
    if (seed != -1 && !seed_ok(s, seed)) return GP_ERR_ARG;
    if (n_dirs < 0 || n_dirs > GP_PROV_MAX_DIRECTIONS)
        return gp_fail(&s->err, GP_ERR_ARG, "%d directions: at most %d", n_dirs, GP_PROV_MAX_DIRECTIONS);
    if (n_dirs > 0 && (!string_ok(s, dir_names, "direction names") ||
                       !array_ok(s, dir_amounts, n_dirs, sizeof(double), "direction amounts")))
        return GP_ERR_ARG;
    if (units_layer >= 0 && !array_ok(s, units, n_units, sizeof(int), "units"))
        return GP_ERR_ARG;
    gp_provenance p;
    gp_provenance_init(&p);
    char name[256];
    p.model = gp_provenance_model_name(source, name, sizeof name);
    gp_gan_weights_hash(&s->run.gan, s->weights);
    p.weights = s->weights;
    p.seed = seed == -1 ? -1 : (int64_t)seed;
    p.index = index;
    p.count = count;
    p.label = label;
    p.what = what;
    p.units_layer = units_layer;
    p.n_units = n_units;
    p.units = units;
    /* no units given: the ones switched off in the model now (gpw_units_*), which drew the picture */
    int off[GP_PROV_MAX_UNITS];
    const gp_gan *g = &s->run.gan;
    if (units_layer < 0 && g->units_off) {
        p.units_layer = g->units_layer;
        p.n_units = 0;
        for (int u = 0; u < g->G.shape[g->units_layer + 1].c && p.n_units < GP_PROV_MAX_UNITS; u++)
            if (g->units_off[u]) off[p.n_units++] = u;
        p.units = off;
    }
    /* the names, cut at their line breaks into a copy */
    size_t names_len = n_dirs > 0 ? strlen(dir_names) + 1 : 0;
    char *names = names_len ? malloc(names_len) : NULL;
    if (names_len && !names) return gp_fail(&s->err, GP_ERR_NOMEM, "out of memory for the direction names");
    if (names) memcpy(names, dir_names, names_len);
    char *at = names;
    p.n_directions = n_dirs;
    for (int k = 0; k < n_dirs; k++) {
        p.direction_names[k] = at;
        p.direction_amounts[k] = dir_amounts[k];
        char *nl = at ? strchr(at, '\n') : NULL;
        if (nl) *nl = 0;
        at = nl ? nl + 1 : NULL;
        if (!p.direction_names[k]) break; /* fewer names than directions: refused below */
    }
    gp_json j;
    gp_json_init(&j);
    uint8_t *out = NULL;
    size_t out_len = 0;
    gp_status st = gp_provenance_json(&p, &j, &s->err);
    if (st == GP_OK) st = gp_png_add_text(png, (size_t)len, GP_PROV_KEYWORD, gp_json_text(&j), &out, &out_len, &s->err);
    gp_json_free(&j);
    free(names);
    if (st != GP_OK) return (int)st;
    free(s->png);
    s->png = out;
    s->png_len = out_len;
    return 0;
}

EMSCRIPTEN_KEEPALIVE uint8_t *gpw_png(gp_session *s) { return LIVE(s) ? s->png : NULL; }
EMSCRIPTEN_KEEPALIVE int gpw_png_len(gp_session *s) { return LIVE(s) ? (int)s->png_len : 0; }

/* The provenance text a PNG carries (gp_png_find_text), or NULL and why. */
EMSCRIPTEN_KEEPALIVE const char *gpw_png_provenance(gp_session *s, const uint8_t *png, int len) {
    NEED_SESSION(s, NULL);
    if (!buffer_ok(s, png, len, "PNG")) return NULL;
    char *text = NULL;
    if (gp_png_find_text(png, (size_t)len, GP_PROV_KEYWORD, &text, &s->err) != GP_OK) return NULL;
    gp_json_reset(&s->out);
    gp_json_raw(&s->out, text);
    free(text);
    return answer(s);
}

/* ---- units of G: what they draw, and switching them off (units.h) ------------- */

/* G's layers with unit maps, the units off now, the quantile and stroke
 * threshold of the ranking, and a note when G has no such layer. */
EMSCRIPTEN_KEEPALIVE const char *gpw_units_json(gp_session *s) {
    NEED_SESSION(s, NULL);
    if (!s->run.has_gan) {
        gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
        return NULL;
    }
    gp_json_reset(&s->out);
    gp_units_json(&s->run.gan, &s->out);
    return answer(s);
}

/* Every unit of a layer ranked by its stroke IoU over count samples of seed
 * (1..GPW_MAX_IMAGES; a conditional model's classes as renders draw them):
 * {layer, samples, quantile, units: [{unit, iou}]}, best first. */
EMSCRIPTEN_KEEPALIVE const char *gpw_units_rank_json(gp_session *s, int layer, double seed, int count) {
    if (check_count(s, count) || !seed_ok(s, seed)) return NULL;
    gp_gan *g = &s->run.gan;
    gp_units_layer L;
    if (gp_units_find_layer(g, layer, &L, &s->err) != GP_OK) return NULL;
    gp_unit_score *scores = malloc(sizeof *scores * (size_t)L.units);
    if (!scores) {
        gp_fail(&s->err, GP_ERR_NOMEM, "out of memory ranking the units");
        return NULL;
    }
    gp_gan_latents(g, (uint64_t)seed, count, s->z);
    gp_score_labels(s->labels, count, g->cfg.classes, s->label);
    gp_status st = gp_units_rank(g, s->z, g->cfg.classes ? s->labels : NULL, count, layer, scores, &s->err);
    if (st == GP_OK) {
        gp_json_reset(&s->out);
        gp_units_rank_json(layer, count, scores, L.units, &s->out);
    }
    free(scores);
    return st == GP_OK ? answer(s) : NULL;
}

/* The maps of n units (indices at units) of a layer for latent row `row`
 * (of a conditional model: the class set with gpw_set_class, 0 for classes
 * in turn) as one RGBA grid of n + 1 images in cols columns (see gpw_rgba*):
 * first the image the whole G draws (every unit on), then each unit's map
 * laid over it as orange heat where it is above the unit's threshold (the
 * ranking's, at thresholds; what its IoU counts), by how far above. */
EMSCRIPTEN_KEEPALIVE int gpw_units_render(gp_session *s, int row, int layer, const int *units, const float *thresholds,
                                          int n, int cols) {
    int st = check_rows(s, row, 1);
    if (st) return st;
    gp_gan *g = &s->run.gan;
    gp_units_layer L;
    if (gp_units_find_layer(g, layer, &L, &s->err) != GP_OK) return GP_ERR_ARG;
    if (n < 1 || n > GPW_MAX_IMAGES - 1)
        return gp_fail(&s->err, GP_ERR_ARG, "units: 1..%d of them, got %d", GPW_MAX_IMAGES - 1, n);
    if (cols < 1 || cols > GPW_MAX_IMAGES) return gp_fail(&s->err, GP_ERR_ARG, "columns must be in 1..%d", GPW_MAX_IMAGES);
    if (!array_ok(s, units, n, 4, "units") || !array_ok(s, thresholds, n, 4, "thresholds")) return GP_ERR_ARG;
    for (int i = 0; i < n; i++) {
        if (units[i] < 0 || units[i] >= L.units)
            return gp_fail(&s->err, GP_ERR_ARG, "layer %d has units 0..%d, got %d", layer, L.units - 1, units[i]);
        if (!isfinite(thresholds[i])) return gp_fail(&s->err, GP_ERR_ARG, "unit %d: its threshold is not finite", units[i]);
    }
    int c = g->image.c, n_img = gp_shape_size(g->image), HW = g->image.h * g->image.w;
    float *maps = malloc(sizeof(float) * (size_t)L.units * HW), *image = malloc(sizeof(float) * (size_t)n_img);
    float *images = malloc(sizeof(float) * (size_t)(n + 1) * n_img), *heat = calloc((size_t)(n + 1) * n_img, sizeof(float));
    if (!maps || !image || !images || !heat) {
        free(maps), free(image), free(images), free(heat);
        return gp_fail(&s->err, GP_ERR_NOMEM, "out of memory drawing the units' maps");
    }
    int label = s->label < 0 ? 0 : s->label;
    st = (int)gp_units_maps(g, zrow(s, row), g->cfg.classes ? &label : NULL, layer, NULL, maps, image, &s->err);
    if (st == 0) {
        for (int i = 0; i <= n; i++) memcpy(images + (size_t)i * n_img, image, sizeof(float) * (size_t)n_img);
        for (int i = 0; i < n; i++) { /* image 0 has no heat */
            const float *m = maps + (size_t)units[i] * HW;
            float *h = heat + (size_t)(i + 1) * n_img; /* the first channel's plane; the others stay 0 */
            for (int p = 0; p < HW; p++) h[p] = m[p] > thresholds[i] ? m[p] - thresholds[i] : 0.0f;
        }
        int gw, gh;
        gp_grid_size(n + 1, cols, g->image.h, g->image.w, &gw, &gh);
        GP_ASSERT((size_t)gw * gh <= s->rgba_cap);
        s->rgba_w = gw;
        s->rgba_h = gh;
        gp_grid_render_heat(s->rgba, images, heat, n + 1, cols, c, g->image.h, g->image.w);
    }
    free(maps), free(image), free(images), free(heat);
    return st;
}

/* Switches n units (indices at units) of a layer off (off 1) or on (0);
 * units of one layer at a time (gp_units_set). Renders and samples then
 * draw without them; training is refused until all are on. */
EMSCRIPTEN_KEEPALIVE int gpw_units_set(gp_session *s, int layer, const int *units, int n, int off) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!s->run.has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
    if (!array_ok(s, units, n, 4, "units")) return GP_ERR_ARG;
    return (int)gp_units_set(&s->run.gan, layer, units, n, off, &s->err);
}

/* Every unit on again. */
EMSCRIPTEN_KEEPALIVE int gpw_units_clear(gp_session *s) {
    NEED_SESSION(s, GP_ERR_ARG);
    if (!s->run.has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no model: create or load one first");
    gp_units_clear(&s->run.gan);
    return 0;
}
