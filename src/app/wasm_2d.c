/* wasm_toy.c: the 2-D mode's calls (prefix gpt_), a thin layer over toy.h.
 *
 * JS owns one gp_2d_session: the settings for the next model, the
 * distribution, the model (the same gp_gan as the image mode, preset
 * 2d) and the buffers a frame fills. Calls that can fail return 0 or a
 * gp_status, gpt_error() says why, and a failed call changes nothing. */
#include <emscripten/emscripten.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gan/gan.h"
#include "nn/layers.h"
#include "gan/losses.h"
#include "gan/2d.h"

#define GPT_MAX_GRID 128     /* D's grid: up to 128 x 128 cells */
#define GPT_MAX_POINTS 4096  /* samples, mesh points */
#define GPT_MAX_BATCH 1024   /* the settings table's largest batch */

typedef struct {
    gp_err err;
    gp_gan_config cfg; /* for the next gpt_create */
    gp_2d_dist toy;
    gp_gan gan;
    int has_gan;
    long rounds;
    double stats[8]; /* rounds, G steps, D steps, D loss, G loss, mean D(x), mean D(G(z)), D(G(z)) seen by G */
    float grid[GPT_MAX_GRID * GPT_MAX_GRID];
    float mesh_z[2 * GPT_MAX_POINTS], mesh[2 * GPT_MAX_POINTS];
    float real[2 * GPT_MAX_POINTS], fake[2 * GPT_MAX_POINTS], fake_d[GPT_MAX_POINTS];
    float z[2 * GPT_MAX_POINTS];
    float arrows[2 * GPT_MAX_BATCH];
    /* the last step's batch, for slow motion: see gpt_batch_* */
    int batch_n;
    float b_real[2 * GPT_MAX_BATCH], b_z[2 * GPT_MAX_BATCH], b_fake[2 * GPT_MAX_BATCH], b_after[2 * GPT_MAX_BATCH];
    float b_d_real[GPT_MAX_BATCH], b_d_fake[GPT_MAX_BATCH], b_grad[2 * GPT_MAX_BATCH];
    float b_loss;
    char json[8192];
} gp_2d_session;

EMSCRIPTEN_KEEPALIVE gp_2d_session *gpt_new(void) {
    gp_2d_session *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    gp_gan_config_default(&s->cfg, "2d", NULL);
    gp_2d_dist_init(&s->toy, s->cfg.dataset, NULL, 0, NULL);
    return s;
}

EMSCRIPTEN_KEEPALIVE void gpt_delete(gp_2d_session *s) {
    if (!s) return;
    if (s->has_gan) gp_gan_free(&s->gan);
    free(s);
}

EMSCRIPTEN_KEEPALIVE const char *gpt_error(gp_2d_session *s) { return s ? s->err.msg : "no 2-D session"; }

static const char *answer(gp_2d_session *s, size_t need) {
    return need < sizeof s->json ? s->json : "{\"error\":\"answer too long\"}";
}

/* Distributions and lessons (gp_2d_json). */
EMSCRIPTEN_KEEPALIVE const char *gpt_toys_json(gp_2d_session *s) {
    return s ? answer(s, gp_2d_json(s->json, sizeof s->json)) : "null";
}

/* The settings for the next model (which = 0) or of the model (1), by name. */
EMSCRIPTEN_KEEPALIVE const char *gpt_config_json(gp_2d_session *s, int which) {
    if (!s) return "null";
    const gp_gan_config *c = which && s->has_gan ? &s->gan.cfg : &s->cfg;
    return answer(s, gp_config_json(c, s->json, sizeof s->json));
}

/* One setting for the next model, from the text typed; bad text changes nothing. */
EMSCRIPTEN_KEEPALIVE int gpt_config_set(gp_2d_session *s, const char *key, const char *text) {
    if (!s) return GP_ERR_ARG;
    if (!key || !text) return gp_fail(&s->err, GP_ERR_ARG, "a setting needs a name and a value");
    const gp_setting *set = gp_setting_find(key);
    if (!set || set->scope == GP_SCOPE_IMAGE)
        return gp_fail(&s->err, GP_ERR_ARG, "'%.40s' is not a setting of the 2-D GAN", key);
    gp_gan_config c = s->cfg;
    gp_status st = gp_setting_parse(&c, set, text, &s->err);
    if (st == GP_OK) st = gp_gan_config_check(&c, &s->err);
    if (st == GP_OK) s->cfg = c;
    return (int)st;
}

/* The same on the model, for the settings that can change while it trains. */
EMSCRIPTEN_KEEPALIVE int gpt_model_set(gp_2d_session *s, const char *key, const char *text) {
    if (!s) return GP_ERR_ARG;
    if (!key || !text) return gp_fail(&s->err, GP_ERR_ARG, "a setting needs a name and a value");
    if (!s->has_gan) return gp_fail(&s->err, GP_ERR_ARG, "no 2-D model yet");
    const gp_setting *set = gp_setting_find(key);
    if (!set || set->scope == GP_SCOPE_IMAGE)
        return gp_fail(&s->err, GP_ERR_ARG, "'%.40s' is not a setting of the 2-D GAN", key);
    if (!set->live) return gp_fail(&s->err, GP_ERR_ARG, "%s: takes effect at Reset", set->label);
    gp_gan_config c = s->gan.cfg;
    gp_status st = gp_setting_parse(&c, set, text, &s->err);
    if (st == GP_OK) st = gp_gan_set_config(&s->gan, &c, &s->err);
    return (int)st;
}

/* The next model's settings: the 2d defaults, or a lesson's. */
EMSCRIPTEN_KEEPALIVE int gpt_config_default(gp_2d_session *s) {
    if (!s) return GP_ERR_ARG;
    gp_gan_config c;
    gp_status st = gp_gan_config_default(&c, "2d", &s->err);
    if (st == GP_OK) snprintf(c.dataset, sizeof c.dataset, "%s", s->cfg.dataset);
    if (st == GP_OK) s->cfg = c;
    return (int)st;
}

EMSCRIPTEN_KEEPALIVE int gpt_lesson(gp_2d_session *s, const char *name) {
    if (!s) return GP_ERR_ARG;
    const gp_2d_lesson *lesson = name ? gp_2d_lesson_find(name) : NULL;
    if (!lesson) return gp_fail(&s->err, GP_ERR_ARG, "unknown lesson '%.40s'", name ? name : "");
    gp_gan_config c;
    gp_status st = gp_2d_lesson_config(lesson, &c, &s->err);
    if (st == GP_OK) s->cfg = c;
    return (int)st;
}

/* The distribution the model trains on (points: n x,y pairs for "drawn");
 * it may change while a model trains. */
EMSCRIPTEN_KEEPALIVE int gpt_set_dist(gp_2d_session *s, const char *name, const float *points, int n) {
    if (!s) return GP_ERR_ARG;
    if (!name) return gp_fail(&s->err, GP_ERR_ARG, "the distribution needs a name");
    if (n < 0 || (n > 0 && !points)) return gp_fail(&s->err, GP_ERR_ARG, "%d points at %p", n, (const void *)points);
    gp_2d_dist t;
    gp_status st = gp_2d_dist_init(&t, name, points, n, &s->err);
    if (st != GP_OK) return (int)st;
    s->toy = t;
    snprintf(s->cfg.dataset, sizeof s->cfg.dataset, "%s", name);
    if (s->has_gan) snprintf(s->gan.cfg.dataset, sizeof s->gan.cfg.dataset, "%s", name);
    return 0;
}

static void read_stats(gp_2d_session *s) {
    const gp_gan_stats *st = &s->gan.stats;
    double v[8] = {(double)s->rounds, (double)st->step, (double)st->d_step, st->d_loss, st->g_loss, st->d_real,
                   st->d_fake, st->g_fake};
    memcpy(s->stats, v, sizeof v);
}

/* A new model from the settings (weights from its seed). */
EMSCRIPTEN_KEEPALIVE int gpt_create(gp_2d_session *s) {
    if (!s) return GP_ERR_ARG;
    gp_gan gan;
    gp_status st = gp_gan_create(&gan, &s->cfg, 1, &s->err);
    if (st != GP_OK) return (int)st;
    if (s->has_gan) gp_gan_free(&s->gan);
    s->gan = gan;
    s->has_gan = 1;
    s->rounds = 0;
    s->batch_n = 0;
    read_stats(s);
    return 0;
}

static int need_model(gp_2d_session *s) {
    if (!s || !s->has_gan) return s ? gp_fail(&s->err, GP_ERR_ARG, "no 2-D model yet") : GP_ERR_ARG;
    return 0;
}

/* rounds rounds (d_steps D steps, then g_steps G steps, each). */
EMSCRIPTEN_KEEPALIVE int gpt_train(gp_2d_session *s, int rounds) {
    int rc = need_model(s);
    if (rc) return rc;
    if (rounds < 1 || rounds > 1000000) return gp_fail(&s->err, GP_ERR_ARG, "rounds must be 1..1000000, got %d", rounds);
    for (int i = 0; i < rounds; i++) {
        gp_status st = gp_2d_round(&s->gan, &s->toy, &s->err);
        if (st != GP_OK) {
            read_stats(s);
            return (int)st;
        }
        s->rounds++;
    }
    read_stats(s);
    return 0;
}

/* The last step's noise (2 per row, 0 for 1-D noise) and fakes: G's input
 * and its output from the step's forward (before any update). */
static int keep_batch(gp_2d_session *s) {
    const gp_gan *g = &s->gan;
    int B = g->cfg.batch, L = g->cfg.latent;
    s->batch_n = B;
    for (int i = 0; i < B; i++)
        for (int k = 0; k < 2; k++) s->b_z[2 * i + k] = k < L ? g->g_in[(size_t)i * L + k] : 0.0f;
    memcpy(s->b_fake, g->G.acts[g->G.n_layers], sizeof(float) * 2 * B);
    return B;
}

static float readout(const gp_gan *gan, float score) {
    return GP_LOSSES[gan->cfg.loss].probability ? gp_sigmoidf(score) : score;
}

/* One D step on a fresh batch, keeping what it saw (gpt_batch_*): the real
 * points, the noise and the fakes, D's readouts of each before its update,
 * and its loss. */
EMSCRIPTEN_KEEPALIVE int gpt_d_step(gp_2d_session *s) {
    int rc = need_model(s);
    if (rc) return rc;
    gp_gan *g = &s->gan;
    gp_status st = gp_2d_d_step(g, &s->toy, &s->err);
    int B = keep_batch(s);
    memcpy(s->b_real, g->real, sizeof(float) * 2 * B);
    for (int i = 0; i < B; i++) {
        s->b_d_real[i] = readout(g, g->seen_real[i]);
        s->b_d_fake[i] = readout(g, g->seen_fake[i]);
    }
    s->b_loss = g->stats.d_loss;
    read_stats(s);
    return (int)st;
}

/* One G step (on the last D step's fakes if G has not moved since, else on
 * fresh noise), keeping its batch: the fakes before and after the update,
 * D's readouts of them, the arrows (-dL_G/dx per sample) and the loss. */
EMSCRIPTEN_KEEPALIVE int gpt_g_step(gp_2d_session *s) {
    int rc = need_model(s);
    if (rc) return rc;
    gp_gan *g = &s->gan;
    gp_status st = gp_gan_g_step_after_d(g, &s->err);
    int B = keep_batch(s), L = g->cfg.latent;
    for (int i = 0; i < B; i++) s->b_d_fake[i] = readout(g, g->seen_g[i]);
    for (int i = 0; i < 2 * B; i++) s->b_grad[i] = -(float)B * g->dfake[i];
    s->b_loss = g->stats.g_loss;
    /* where the same noise lands now */
    float z[GPT_MAX_BATCH * 2];
    memcpy(z, g->g_in, sizeof(float) * (size_t)B * L);
    gp_gan_generate(g, z, NULL, B, s->b_after);
    read_stats(s);
    return (int)st;
}

EMSCRIPTEN_KEEPALIVE double *gpt_stats(gp_2d_session *s) { return s ? s->stats : NULL; }
EMSCRIPTEN_KEEPALIVE int gpt_batch_n(gp_2d_session *s) { return s ? s->batch_n : 0; }
EMSCRIPTEN_KEEPALIVE float *gpt_batch_real(gp_2d_session *s) { return s ? s->b_real : NULL; }
EMSCRIPTEN_KEEPALIVE float *gpt_batch_z(gp_2d_session *s) { return s ? s->b_z : NULL; }
EMSCRIPTEN_KEEPALIVE float *gpt_batch_fake(gp_2d_session *s) { return s ? s->b_fake : NULL; }
EMSCRIPTEN_KEEPALIVE float *gpt_batch_after(gp_2d_session *s) { return s ? s->b_after : NULL; }
EMSCRIPTEN_KEEPALIVE float *gpt_batch_d_real(gp_2d_session *s) { return s ? s->b_d_real : NULL; }
EMSCRIPTEN_KEEPALIVE float *gpt_batch_d_fake(gp_2d_session *s) { return s ? s->b_d_fake : NULL; }
EMSCRIPTEN_KEEPALIVE float *gpt_batch_grad(gp_2d_session *s) { return s ? s->b_grad : NULL; }
EMSCRIPTEN_KEEPALIVE double gpt_batch_loss(gp_2d_session *s) { return s ? s->b_loss : NAN; }

/* What one frame draws: D over a grid x grid cells, G's manifold (mesh
 * points per side), n real points (a fixed stream) and n fakes (fixed noise
 * from seed, so they move smoothly as G learns) with D's readout of each,
 * and the arrows on the first n_arrows fakes. */
EMSCRIPTEN_KEEPALIVE int gpt_frame(gp_2d_session *s, int grid, int mesh, int n, int n_arrows, double seed) {
    int rc = need_model(s);
    if (rc) return rc;
    gp_gan *g = &s->gan;
    int L = g->cfg.latent;
    if (grid < 2 || grid > GPT_MAX_GRID) return gp_fail(&s->err, GP_ERR_ARG, "grid must be 2..%d, got %d", GPT_MAX_GRID, grid);
    if (mesh < 2 || mesh > GPT_MAX_POINTS || (L == 2 && mesh > 64)) /* 64 x 64 = GPT_MAX_POINTS, no overflow */
        return gp_fail(&s->err, GP_ERR_ARG, "mesh %d is outside 2..%d points", mesh, GPT_MAX_POINTS);
    if (n < 1 || n > GPT_MAX_POINTS) return gp_fail(&s->err, GP_ERR_ARG, "points must be 1..%d, got %d", GPT_MAX_POINTS, n);
    if (n_arrows < 0 || n_arrows > n || n_arrows > g->cfg.batch)
        return gp_fail(&s->err, GP_ERR_ARG, "arrows must be 0..%d, got %d", n < g->cfg.batch ? n : g->cfg.batch, n_arrows);
    if (!(seed >= 0 && seed < 9007199254740992.0)) return gp_fail(&s->err, GP_ERR_ARG, "bad seed");
    gp_2d_d_grid(g, grid, s->grid);
    gp_2d_manifold(g, mesh, s->mesh_z, s->mesh);
    gp_rng rng;
    gp_rng_seed(&rng, (uint64_t)seed ^ GP_SALT_2D_EVAL);
    gp_2d_dist_sample(&s->toy, &rng, s->real, n);
    gp_gan_latents(g, (uint64_t)seed, n, s->z);
    gp_gan_generate(g, s->z, NULL, n, s->fake);
    gp_gan_d_readouts(g, s->fake, NULL, n, s->fake_d);
    if (n_arrows) gp_2d_g_arrows(g, s->fake, n_arrows, s->arrows);
    return 0;
}

EMSCRIPTEN_KEEPALIVE float *gpt_grid(gp_2d_session *s) { return s ? s->grid : NULL; }
EMSCRIPTEN_KEEPALIVE float *gpt_mesh(gp_2d_session *s) { return s ? s->mesh : NULL; }
EMSCRIPTEN_KEEPALIVE float *gpt_real(gp_2d_session *s) { return s ? s->real : NULL; }
EMSCRIPTEN_KEEPALIVE float *gpt_fake(gp_2d_session *s) { return s ? s->fake : NULL; }
EMSCRIPTEN_KEEPALIVE float *gpt_fake_d(gp_2d_session *s) { return s ? s->fake_d : NULL; }
EMSCRIPTEN_KEEPALIVE float *gpt_arrows(gp_2d_session *s) { return s ? s->arrows : NULL; }

/* KL, JS and mode coverage of n samples against n real points, as JSON. */
EMSCRIPTEN_KEEPALIVE const char *gpt_measure_json(gp_2d_session *s, int n) {
    if (need_model(s)) return "null";
    gp_2d_eval ev;
    if (gp_2d_evaluate(&s->gan, &s->toy, n, 7, &ev, &s->err) != GP_OK) return "null";
    snprintf(s->json, sizeof s->json,
             "{\"kl\":%.6g,\"js\":%.6g,\"modes_covered\":%d,\"modes_total\":%d,\"high_quality_share\":%.6g,\"bins\":%d,"
             "\"samples\":%d}",
             isfinite(ev.kl) ? ev.kl : -1.0, isfinite(ev.js) ? ev.js : -1.0, ev.coverage.covered, ev.coverage.total,
             ev.coverage.high_quality, GP_2D_EVAL_BINS, n);
    return s->json;
}
