/* wasm_2d.c: the 2-D mode's calls (prefix gpw_2d_), a thin layer over
 * 2d.h and run.h.
 *
 * JS owns one gp_2d_session: the settings for the next model, the
 * distribution, the run (the same gp_gan as the image mode, preset 2d, and
 * the core's training run with the page's 2-D policy) and the buffers a
 * frame fills. Calls that can fail return 0 or a gp_status (or NULL for an
 * answer), gpw_2d_error() says why, and a failed call changes nothing. */
#include <emscripten/emscripten.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/wasm_mem.h"
#include "base/json.h"
#include "gan/2d.h"
#include "gan/gan.h"
#include "run/run.h"
#include "store/modelfile.h"

#define GPW_2D_MAX_GRID 128    /* D's grid: up to 128 x 128 cells */
#define GPW_2D_MAX_POINTS 4096 /* samples, mesh points */

typedef struct {
    gp_err err;
    gp_gan_config cfg; /* for the next gpw_2d_create */
    gp_2d_dist dist;
    gp_run run;
    gp_2d_trace trace; /* the last D or G step's batch, for slow motion */
    gp_json out;
    float grid[GPW_2D_MAX_GRID * GPW_2D_MAX_GRID];
    float mesh_z[2 * GPW_2D_MAX_POINTS], mesh[2 * GPW_2D_MAX_POINTS];
    float real[2 * GPW_2D_MAX_POINTS], fake[2 * GPW_2D_MAX_POINTS], fake_d[GPW_2D_MAX_POINTS];
    float z[2 * GPW_2D_MAX_POINTS];
    float arrows[2 * GP_2D_MAX_BATCH];
    uint8_t *saved;      /* the last gpw_2d_save output */
    size_t saved_len;
    gp_2d_state opened;  /* the plane section of the last saved run opened */
    int has_opened;
} gp_2d_session;

/* A session the caller passed: not NULL and inside the memory (wasm_mem.h). */
#define LIVE(s) gpw_in_memory((s), sizeof *(s))

/* A string the caller passed, its NUL inside the memory; NULL is refused. */
static int string_ok(gp_2d_session *s, const char *p, const char *what) {
    if (gpw_string_in_memory(p)) return 1;
    gp_fail(&s->err, GP_ERR_ARG, p ? "%s: the text at %p does not end inside the engine's memory" : "%s: no text given",
            what, (const void *)p);
    return 0;
}

EMSCRIPTEN_KEEPALIVE gp_2d_session *gpw_2d_new(void) {
    gp_2d_session *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    gp_gan_config_default(&s->cfg, "2d", NULL);
    gp_2d_dist_init(&s->dist, s->cfg.dataset, NULL, 0, NULL);
    gp_run_init(&s->run, gp_run_policy_find("page_2d"));
    gp_run_set_2d(&s->run, &s->dist);
    s->run.trace = &s->trace;
    gp_json_init(&s->out);
    return s;
}

EMSCRIPTEN_KEEPALIVE void gpw_2d_delete(gp_2d_session *s) {
    if (!LIVE(s)) return;
    gp_run_free(&s->run);
    gp_json_free(&s->out);
    free(s->saved);
    free(s);
}

EMSCRIPTEN_KEEPALIVE const char *gpw_2d_error(gp_2d_session *s) { return LIVE(s) ? s->err.msg : "no 2-D session"; }

static const char *answer(gp_2d_session *s) {
    const char *text = gp_json_text(&s->out);
    if (!text) gp_fail(&s->err, GP_ERR_NOMEM, "out of memory building the answer");
    return text;
}

/* Distributions, lessons and the run's policy: {"dists": gp_2d_json, "run": gp_run_policy_json}. */
EMSCRIPTEN_KEEPALIVE const char *gpw_2d_tables_json(gp_2d_session *s) {
    if (!LIVE(s)) return NULL;
    gp_json_reset(&s->out);
    gp_json_open(&s->out, '{');
    gp_json_key(&s->out, "dists");
    gp_2d_json(&s->out);
    gp_json_key(&s->out, "run");
    gp_run_policy_json(&s->run.policy, &s->out);
    gp_json_close(&s->out, '}');
    return answer(s);
}

/* The settings for the next model (which = 0) or of the model (1), by name. */
EMSCRIPTEN_KEEPALIVE const char *gpw_2d_config_json(gp_2d_session *s, int which) {
    if (!LIVE(s)) return NULL;
    gp_json_reset(&s->out);
    gp_config_json(which && s->run.has_gan ? &s->run.gan.cfg : &s->cfg, &s->out);
    return answer(s);
}

/* One setting from the text typed: for the next model always, and at once
 * for the model if the setting is live. Answers {"applied": "now" or
 * "next", "pending": ..., "config": the model's}; a refused value changes
 * nothing (NULL and the message). */
EMSCRIPTEN_KEEPALIVE const char *gpw_2d_setting(gp_2d_session *s, const char *key, const char *text) {
    if (!LIVE(s)) return NULL;
    if (!key || !text) {
        gp_fail(&s->err, GP_ERR_ARG, "a setting needs a name and a value");
        return NULL;
    }
    if (!string_ok(s, key, "setting") || !string_ok(s, text, "setting's value")) return NULL;
    const gp_setting *set = gp_setting_find(key);
    if (!set || set->scope == GP_SCOPE_IMAGE) {
        gp_fail(&s->err, GP_ERR_ARG, "'%.40s' is not a setting of the 2-D GAN", key);
        return NULL;
    }
    gp_gan_config c = s->cfg;
    gp_status st = gp_setting_parse(&c, set, text, &s->err);
    if (st == GP_OK) st = gp_gan_config_check(&c, &s->err);
    if (st != GP_OK) return NULL;
    int now = s->run.has_gan && set->live;
    if (now) {
        gp_gan_config m = s->run.gan.cfg;
        if (gp_setting_parse(&m, set, text, &s->err) != GP_OK || gp_gan_set_config(&s->run.gan, &m, &s->err) != GP_OK)
            return NULL;
    }
    s->cfg = c;
    gp_json_reset(&s->out);
    gp_json_open(&s->out, '{');
    gp_json_kstr(&s->out, "applied", now ? "now" : "next");
    gp_json_key(&s->out, "pending");
    gp_config_json(&s->cfg, &s->out);
    gp_json_key(&s->out, "config");
    if (s->run.has_gan) gp_config_json(&s->run.gan.cfg, &s->out);
    else gp_json_null(&s->out);
    gp_json_close(&s->out, '}');
    return answer(s);
}

/* The next model's settings: the 2d defaults (the distribution stays). */
EMSCRIPTEN_KEEPALIVE int gpw_2d_config_default(gp_2d_session *s) {
    if (!LIVE(s)) return GP_ERR_ARG;
    gp_gan_config c;
    gp_status st = gp_gan_config_default(&c, "2d", &s->err);
    if (st == GP_OK) snprintf(c.dataset, sizeof c.dataset, "%s", s->cfg.dataset);
    if (st == GP_OK) s->cfg = c;
    return (int)st;
}

/* A lesson's distribution and settings for the next model. */
EMSCRIPTEN_KEEPALIVE int gpw_2d_lesson(gp_2d_session *s, const char *name) {
    if (!LIVE(s)) return GP_ERR_ARG;
    if (!string_ok(s, name, "lesson")) return GP_ERR_ARG;
    const gp_2d_lesson *lesson = gp_2d_lesson_find(name);
    if (!lesson) return gp_fail(&s->err, GP_ERR_ARG, "unknown lesson '%.40s'", name);
    gp_gan_config c;
    gp_2d_dist d;
    gp_status st = gp_2d_lesson_config(lesson, &c, &s->err);
    if (st != GP_OK) return (int)st;
    if (!strcmp(c.dataset, "drawn")) { /* the points come from the page's canvas: the distribution stays until then */
        snprintf(c.dataset, sizeof c.dataset, "%s", GP_2D_DISTS[s->dist.kind].name);
        s->cfg = c;
        return 0;
    }
    st = gp_2d_dist_init(&d, c.dataset, NULL, 0, &s->err);
    if (st != GP_OK) return (int)st;
    s->cfg = c;
    s->dist = d;
    return 0;
}

/* The distribution the model trains on (points: n x,y pairs for "drawn");
 * it may change while a model trains. */
EMSCRIPTEN_KEEPALIVE int gpw_2d_set_dist(gp_2d_session *s, const char *name, const float *points, int n) {
    if (!LIVE(s)) return GP_ERR_ARG;
    if (!name) return gp_fail(&s->err, GP_ERR_ARG, "the distribution needs a name");
    if (!string_ok(s, name, "distribution")) return GP_ERR_ARG;
    if (n < 0 || (n > 0 && !points)) return gp_fail(&s->err, GP_ERR_ARG, "%d points at %p", n, (const void *)points);
    if (n > 0 && !gpw_in_memory(points, 8 * (uint64_t)n))
        return gp_fail(&s->err, GP_ERR_ARG, "%d points at %p lie outside the engine's memory (%llu bytes)", n,
                       (const void *)points, (unsigned long long)gpw_memory_bytes());
    gp_2d_dist d;
    gp_status st = gp_2d_dist_init(&d, name, points, n, &s->err);
    if (st != GP_OK) return (int)st;
    s->dist = d;
    snprintf(s->cfg.dataset, sizeof s->cfg.dataset, "%s", name);
    if (s->run.has_gan) snprintf(s->run.gan.cfg.dataset, sizeof s->run.gan.cfg.dataset, "%s", name);
    s->run.has_eval_2d = 0;
    return 0;
}

/* A new model from the settings (weights from its seed). */
EMSCRIPTEN_KEEPALIVE int gpw_2d_create(gp_2d_session *s) {
    if (!LIVE(s)) return GP_ERR_ARG;
    gp_gan gan;
    gp_status st = gp_gan_create(&gan, &s->cfg, 1, &s->err);
    if (st == GP_OK && (st = gp_run_adopt(&s->run, &gan, &s->err)) != GP_OK) gp_gan_free(&gan);
    if (st == GP_OK) {
        s->trace.n = 0;
        gp_run_measure(&s->run);
    }
    return (int)st;
}

/* ---- the run ---------------------------------------------------------------- */

static const char *turn_answer(gp_2d_session *s, const gp_run_turn *t) {
    gp_json_reset(&s->out);
    gp_run_turn_json(&s->run, t, &s->out);
    return answer(s);
}

EMSCRIPTEN_KEEPALIVE int gpw_2d_run_start(gp_2d_session *s) {
    return LIVE(s) ? (int)gp_run_start(&s->run, &s->err) : GP_ERR_ARG;
}

/* One turn (see gp_run_turn_once): what it trained, its chart point and measurement, the next turn's time. */
EMSCRIPTEN_KEEPALIVE const char *gpw_2d_run_turn(gp_2d_session *s) {
    if (!LIVE(s)) return NULL;
    gp_run_turn t;
    if (gp_run_turn_once(&s->run, &t, &s->err) != GP_OK) return NULL;
    return turn_answer(s, &t);
}

/* One round (kind 0), D step (1) or G step (2) while paused; a D or G step
 * keeps its batch (gpw_2d_batch_*). */
EMSCRIPTEN_KEEPALIVE const char *gpw_2d_run_step(gp_2d_session *s, int kind) {
    if (!LIVE(s)) return NULL;
    gp_run_turn t;
    if (gp_run_step(&s->run, kind, &t, &s->err) != GP_OK) return NULL;
    return turn_answer(s, &t);
}

/* Pause, with a measurement of the model as it stopped. */
EMSCRIPTEN_KEEPALIVE const char *gpw_2d_run_pause(gp_2d_session *s) {
    if (!LIVE(s)) return NULL;
    gp_run_pause(&s->run);
    gp_run_turn t;
    memset(&t, 0, sizeof t);
    t.next_ms = -1.0;
    s->run.n_turn_points = 0;
    if (s->run.has_gan) t.measured = gp_run_measure(&s->run);
    return turn_answer(s, &t);
}

/* The run as it stands. */
EMSCRIPTEN_KEEPALIVE const char *gpw_2d_run_json(gp_2d_session *s) {
    if (!LIVE(s)) return NULL;
    gp_run_turn t;
    memset(&t, 0, sizeof t);
    t.next_ms = -1.0;
    t.measured = s->run.has_eval_2d;
    s->run.n_turn_points = 0;
    return turn_answer(s, &t);
}

/* KL, JS and mode coverage of n samples (1..1000000) against n real points, as JSON. */
EMSCRIPTEN_KEEPALIVE const char *gpw_2d_measure_json(gp_2d_session *s, int n) {
    if (!LIVE(s)) return NULL;
    if (!s->run.has_gan) {
        gp_fail(&s->err, GP_ERR_ARG, "no 2-D model yet");
        return NULL;
    }
    gp_2d_eval ev;
    if (gp_2d_evaluate(&s->run.gan, &s->dist, n, s->run.policy.measure_seed, &ev, &s->err) != GP_OK) return NULL;
    gp_json *j = &s->out;
    gp_json_reset(j);
    gp_json_open(j, '{');
    gp_2d_eval_json(&ev, n, j);
    gp_json_close(j, '}');
    return answer(s);
}

/* speed (rounds per second; 0: as fast as possible). */
EMSCRIPTEN_KEEPALIVE int gpw_2d_run_set(gp_2d_session *s, const char *key, double value) {
    if (!LIVE(s)) return GP_ERR_ARG;
    return string_ok(s, key, "run setting") ? (int)gp_run_set(&s->run, key, value, &s->err) : GP_ERR_ARG;
}

EMSCRIPTEN_KEEPALIVE int gpw_2d_batch_n(gp_2d_session *s) { return LIVE(s) ? s->trace.n : 0; }
EMSCRIPTEN_KEEPALIVE float *gpw_2d_batch_real(gp_2d_session *s) { return LIVE(s) ? s->trace.real : NULL; }
EMSCRIPTEN_KEEPALIVE float *gpw_2d_batch_z(gp_2d_session *s) { return LIVE(s) ? s->trace.z : NULL; }
EMSCRIPTEN_KEEPALIVE float *gpw_2d_batch_fake(gp_2d_session *s) { return LIVE(s) ? s->trace.fake : NULL; }
EMSCRIPTEN_KEEPALIVE float *gpw_2d_batch_after(gp_2d_session *s) { return LIVE(s) ? s->trace.after : NULL; }
EMSCRIPTEN_KEEPALIVE float *gpw_2d_batch_d_real(gp_2d_session *s) { return LIVE(s) ? s->trace.d_real : NULL; }
EMSCRIPTEN_KEEPALIVE float *gpw_2d_batch_d_fake(gp_2d_session *s) { return LIVE(s) ? s->trace.d_fake : NULL; }
EMSCRIPTEN_KEEPALIVE float *gpw_2d_batch_grad(gp_2d_session *s) { return LIVE(s) ? s->trace.grad : NULL; }
EMSCRIPTEN_KEEPALIVE double gpw_2d_batch_loss(gp_2d_session *s) { return LIVE(s) ? s->trace.loss : NAN; }

/* ---- what a frame draws -------------------------------------------------------- */

/* D over a grid x grid cells, G's manifold (mesh points per side), n real
 * points (a fixed stream) and n fakes (fixed noise from seed, so they move
 * smoothly as G learns) with D's readout of each, and the arrows on the
 * first n_arrows fakes. */
EMSCRIPTEN_KEEPALIVE int gpw_2d_frame(gp_2d_session *s, int grid, int mesh, int n, int n_arrows, double seed) {
    if (!LIVE(s)) return GP_ERR_ARG;
    if (!s->run.has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no 2-D model yet");
    gp_gan *g = &s->run.gan;
    int L = g->cfg.latent;
    if (grid < 2 || grid > GPW_2D_MAX_GRID)
        return gp_fail(&s->err, GP_ERR_ARG, "grid must be 2..%d, got %d", GPW_2D_MAX_GRID, grid);
    if (mesh < 2 || mesh > GPW_2D_MAX_POINTS || (L == 2 && mesh > 64)) /* 64 x 64 = GPW_2D_MAX_POINTS, no overflow */
        return gp_fail(&s->err, GP_ERR_ARG, "mesh %d is outside 2..%d points", mesh, GPW_2D_MAX_POINTS);
    if (n < 1 || n > GPW_2D_MAX_POINTS)
        return gp_fail(&s->err, GP_ERR_ARG, "points must be 1..%d, got %d", GPW_2D_MAX_POINTS, n);
    if (n_arrows < 0 || n_arrows > n || n_arrows > g->cfg.batch)
        return gp_fail(&s->err, GP_ERR_ARG, "arrows must be 0..%d, got %d", n < g->cfg.batch ? n : g->cfg.batch, n_arrows);
    if (!(seed >= 0 && seed < 9007199254740992.0)) return gp_fail(&s->err, GP_ERR_ARG, "bad seed");
    gp_2d_d_grid(g, grid, s->grid);
    gp_2d_manifold(g, mesh, s->mesh_z, s->mesh);
    gp_rng rng;
    gp_rng_seed(&rng, (uint64_t)seed ^ GP_SALT_2D_EVAL);
    gp_2d_dist_sample(&s->dist, &rng, s->real, n);
    gp_gan_latents(g, (uint64_t)seed, n, s->z);
    gp_gan_generate(g, s->z, NULL, n, s->fake);
    gp_gan_d_readouts(g, s->fake, NULL, n, s->fake_d);
    if (n_arrows) gp_2d_g_arrows(g, s->fake, n_arrows, s->arrows);
    return 0;
}

EMSCRIPTEN_KEEPALIVE float *gpw_2d_grid(gp_2d_session *s) { return LIVE(s) ? s->grid : NULL; }
EMSCRIPTEN_KEEPALIVE float *gpw_2d_mesh(gp_2d_session *s) { return LIVE(s) ? s->mesh : NULL; }
EMSCRIPTEN_KEEPALIVE float *gpw_2d_real(gp_2d_session *s) { return LIVE(s) ? s->real : NULL; }
EMSCRIPTEN_KEEPALIVE float *gpw_2d_fake(gp_2d_session *s) { return LIVE(s) ? s->fake : NULL; }
EMSCRIPTEN_KEEPALIVE float *gpw_2d_fake_d(gp_2d_session *s) { return LIVE(s) ? s->fake_d : NULL; }
EMSCRIPTEN_KEEPALIVE float *gpw_2d_arrows(gp_2d_session *s) { return LIVE(s) ? s->arrows : NULL; }

/* ---- saved runs (a model file with its plane section, docs/formats.md) ------------------------------ */

/* A file's bytes the caller passed: len bytes at p inside the memory. */
static int bytes_ok(gp_2d_session *s, const uint8_t *p, int len) {
    if (len <= 0 || !p) return gp_fail(&s->err, GP_ERR_ARG, "the file is empty (%d bytes at %p)", len, (const void *)p), 0;
    if (!gpw_in_memory(p, (uint64_t)len))
        return gp_fail(&s->err, GP_ERR_ARG, "%d bytes at %p lie outside the engine's memory (%llu bytes)", len,
                       (const void *)p, (unsigned long long)gpw_memory_bytes()), 0;
    return 1;
}

/* The run as a saved run's file (gp_run_save_2d): lesson ("": none) and
 * the seed of the fakes the view draws (0 .. 2^53 - 1). The bytes are at
 * gpw_2d_saved, gpw_2d_saved_len until the next save. */
EMSCRIPTEN_KEEPALIVE int gpw_2d_save(gp_2d_session *s, const char *lesson, double frame_seed) {
    if (!LIVE(s)) return GP_ERR_ARG;
    if (!string_ok(s, lesson, "lesson")) return GP_ERR_ARG;
    if (!(frame_seed >= 0 && frame_seed < 9007199254740992.0 && frame_seed == floor(frame_seed)))
        return gp_fail(&s->err, GP_ERR_ARG, "the frame's seed must be a whole number in 0..2^53-1");
    free(s->saved); /* the last save was copied out: its memory goes first */
    s->saved = NULL;
    s->saved_len = 0;
    return (int)gp_run_save_2d(&s->run, lesson, (uint64_t)frame_seed, &s->saved, &s->saved_len, &s->err);
}

EMSCRIPTEN_KEEPALIVE uint8_t *gpw_2d_saved(gp_2d_session *s) { return LIVE(s) ? s->saved : NULL; }
EMSCRIPTEN_KEEPALIVE int gpw_2d_saved_len(gp_2d_session *s) { return LIVE(s) ? (int)s->saved_len : 0; }

/* Whether gpw_2d_open would take the file (asked before the page asks
 * whether to replace the run on show); changes nothing. */
EMSCRIPTEN_KEEPALIVE int gpw_2d_check(gp_2d_session *s, const uint8_t *bytes, int len) {
    if (!LIVE(s)) return GP_ERR_ARG;
    if (!bytes_ok(s, bytes, len)) return GP_ERR_ARG;
    return (int)gp_run_check_2d(bytes, (size_t)len, &s->err);
}

/* Opens a saved run (gp_run_open_2d): its model, optimiser state, history,
 * rounds and distribution become the session's, and its settings the next
 * model's (Reset makes a new model like it). A refused file changes
 * nothing. What it held: gpw_2d_opened_json. */
EMSCRIPTEN_KEEPALIVE int gpw_2d_open(gp_2d_session *s, const uint8_t *bytes, int len) {
    if (!LIVE(s)) return GP_ERR_ARG;
    if (!bytes_ok(s, bytes, len)) return GP_ERR_ARG;
    gp_status st = gp_run_open_2d(&s->run, &s->dist, &s->opened, bytes, (size_t)len, &s->err);
    if (st != GP_OK) return (int)st;
    s->has_opened = 1;
    s->cfg = s->run.gan.cfg;
    s->trace.n = 0;
    return 0;
}

/* The last saved run opened (gp_2d_state_json), or NULL. */
EMSCRIPTEN_KEEPALIVE const char *gpw_2d_opened_json(gp_2d_session *s) {
    if (!LIVE(s)) return NULL;
    if (!s->has_opened || !s->run.has_gan) {
        gp_fail(&s->err, GP_ERR_ARG, "no saved run opened");
        return NULL;
    }
    gp_json_reset(&s->out);
    gp_2d_state_json(&s->run.gan, &s->opened, &s->out);
    return answer(s);
}

/* The distribution's drawn points (x, y pairs; gpw_2d_drawn_n of them, 0 unless "drawn"). */
EMSCRIPTEN_KEEPALIVE int gpw_2d_drawn_n(gp_2d_session *s) { return LIVE(s) && s->dist.kind == GP_2D_DRAWN ? s->dist.n_drawn : 0; }
EMSCRIPTEN_KEEPALIVE float *gpw_2d_drawn(gp_2d_session *s) { return LIVE(s) ? &s->dist.drawn[0][0] : NULL; }

/* The run's whole history (gp_run_history_json): the charts of an opened run. */
EMSCRIPTEN_KEEPALIVE const char *gpw_2d_history_json(gp_2d_session *s) {
    if (!LIVE(s)) return NULL;
    gp_json_reset(&s->out);
    gp_run_history_json(&s->run, &s->out);
    return answer(s);
}
