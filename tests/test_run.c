/* The training run (run.h): turns within their budget and at a set speed,
 * the same bits as plain training steps, chart points, snapshots,
 * measurements and last good states when the policy says, the NaN halt and
 * the way back, the history in a saved state, limits, the 2-D rounds, and
 * the JSON it answers with. Time comes from a fake clock. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "check.h"
#include "data/dataset.h"
#include "eval/classifier.h"
#include "gan/gan.h"
#include "gan/history.h"
#include "run/run.h"
#include "store/modelfile.h"

static double fake_now = 0.0, fake_tick = 0.0;
static double fake_clock(void) {
    fake_now += fake_tick;
    return fake_now;
}

static gp_dataset ds;

static void small_config(gp_gan_config *cfg, const char *preset) {
    gp_gan_config_default(cfg, preset, NULL);
    cfg->batch = 8;
    cfg->seed = 5;
}

/* A run of a new small model on MNIST with the page's policy and the fake clock. */
static void page_run(gp_run *run, const char *policy, const char *preset) {
    gp_gan_config cfg;
    small_config(&cfg, preset);
    gp_gan gan;
    gp_err err;
    CHECK(gp_gan_create(&gan, &cfg, 1, &err) == GP_OK);
    gp_run_init(run, gp_run_policy_find(policy));
    run->clock = fake_clock;
    CHECK(gp_run_adopt(run, &gan, &err) == GP_OK);
    gp_run_set_images(run, &ds);
}

static uint32_t params_hash(const gp_net *n) {
    uint32_t h = 2166136261u;
    const uint8_t *b = (const uint8_t *)n->params;
    for (size_t i = 0; i < n->n_params * sizeof(float); i++) h = (h ^ b[i]) * 16777619u;
    return h;
}

/* Turns of 40 ms at full speed: steps stop at the budget; each step is one
 * chart point with x = D steps + G steps; the same bits as training steps
 * called one by one; snapshots every snap_every G steps. */
static void test_turns(void) {
    gp_run run;
    gp_err err;
    page_run(&run, "page", "mlp");
    CHECK(run.hist.n_snaps == 1 && run.hist.snap_steps[0] == 0); /* the timeline starts with the model as it is */
    fake_now = 1000.0;
    fake_tick = 0.0;
    CHECK(gp_run_start(&run, &err) == GP_OK);
    CHECK(run.good != NULL && run.good_step == 0); /* a state to return to */
    fake_tick = 1.0; /* every clock reading is 1 ms later */
    gp_run_turn t;
    CHECK(gp_run_turn_once(&run, &t, &err) == GP_OK);
    /* each step reads the clock three times (before, after, the budget): 40 ms is 13 or 14 steps */
    CHECK(t.steps >= 10 && t.steps <= 20 && t.points == t.steps && !t.halted && t.next_ms == 0.0);
    CHECK(run.hist.n_points == (uint32_t)t.steps && run.n_turn_points == t.steps);
    for (int i = 0; i < t.steps; i++) CHECK(run.hist.points[i * GP_HISTORY_POINT] == 2.0f * (float)(i + 1));
    CHECK(run.gan.stats.step == t.steps);

    /* the same training, step by step, gives the same bits */
    gp_gan_config cfg;
    small_config(&cfg, "mlp");
    gp_gan plain;
    CHECK(gp_gan_create(&plain, &cfg, 1, &err) == GP_OK);
    for (int i = 0; i < t.steps; i++) CHECK(gp_gan_train_step(&plain, &ds, &err) == GP_OK);
    CHECK(params_hash(&plain.G) == params_hash(&run.gan.G) && params_hash(&plain.D) == params_hash(&run.gan.D));
    gp_gan_free(&plain);

    /* until step 50: a snapshot there, one only */
    uint32_t before = run.hist.n_snaps;
    while (run.gan.stats.step < 50) CHECK(gp_run_turn_once(&run, &t, &err) == GP_OK);
    CHECK(run.hist.n_snaps == before + 1 && run.hist.snap_steps[run.hist.n_snaps - 1] == 50);
    /* the grid is due every 200 ms of turns, not more often */
    int draws = 0;
    double from = fake_now;
    for (int k = 0; k < 20; k++) {
        CHECK(gp_run_turn_once(&run, &t, &err) == GP_OK);
        draws += t.draw_grid;
    }
    double span = fake_now - from;
    CHECK(draws >= (int)(span / 200.0) - 1 && draws <= (int)(span / 200.0) + 1);
    gp_run_free(&run);
}

/* At a set speed: the first step comes at once, then the steps owed; the
 * turns wait between them (never less than a frame, never more than the
 * slow limit); the rate is what the clock says. */
static void test_speed(void) {
    gp_run run;
    gp_err err;
    page_run(&run, "page", "mlp");
    CHECK(gp_run_set(&run, "speed", 2.0, &err) == GP_OK);
    CHECK(gp_run_set(&run, "speed", -1.0, &err) == GP_ERR_ARG && strstr(err.msg, "speed"));
    CHECK(gp_run_set(&run, "pace", 1.0, &err) == GP_ERR_ARG && strstr(err.msg, "unknown run setting"));
    fake_now = 0.0;
    fake_tick = 0.0;
    CHECK(gp_run_start(&run, &err) == GP_OK);
    gp_run_turn t;
    CHECK(gp_run_turn_once(&run, &t, &err) == GP_OK);
    CHECK(t.steps == 1 && t.next_ms == 100.0); /* 2 steps/s: 500 ms apart, but a turn at least every 100 ms */
    long steps = 1;
    for (int k = 0; k < 50; k++) { /* five seconds of turns, 100 ms apart */
        fake_now += 100.0;
        CHECK(gp_run_turn_once(&run, &t, &err) == GP_OK);
        steps += t.steps;
        CHECK(t.steps <= 1);
    }
    CHECK(steps == 11); /* the first, then 2 per second for 5 s */
    CHECK_CLOSE(run.rate, 2.0, 0.0, 0.25);
    /* 60 steps/s: a turn every frame, the steps owed in each */
    CHECK(gp_run_set(&run, "speed", 60.0, &err) == GP_OK);
    fake_now += 1000.0 / 60.0;
    CHECK(gp_run_turn_once(&run, &t, &err) == GP_OK);
    CHECK(t.steps == 1 && fabs(t.next_ms - 1000.0 / 60.0) < 1e-9);
    gp_run_pause(&run);
    CHECK(gp_run_turn_once(&run, &t, &err) == GP_OK && t.steps == 0 && t.next_ms < 0);
    gp_run_free(&run);
}

/* NaN: the turn halts with the reason, nothing is kept from then on, and
 * restore brings back the last good state's weights and history. */
static void test_halt_and_restore(void) {
    gp_run run;
    gp_err err;
    page_run(&run, "page", "mlp");
    fake_tick = 0.0;
    fake_now = 0.0;
    CHECK(gp_run_start(&run, &err) == GP_OK);
    fake_tick = 1.0;
    gp_run_turn t;
    CHECK(gp_run_turn_once(&run, &t, &err) == GP_OK);
    int kept = 0;
    CHECK(gp_run_keep(&run, 0, &kept, &err) == GP_OK && kept == 1 && run.good_step == run.gan.stats.step);
    CHECK(gp_run_keep(&run, 0, &kept, &err) == GP_OK && kept == 0); /* nothing new to keep */
    uint32_t g_good = params_hash(&run.gan.G), points_good = run.hist.n_points;
    long step_good = run.gan.stats.step;
    CHECK(gp_run_turn_once(&run, &t, &err) == GP_OK && t.steps > 0);
    run.gan.G.params[0] = NAN;
    gp_net_params_changed(&run.gan.G);
    CHECK(gp_run_turn_once(&run, &t, &err) == GP_OK);
    CHECK(t.halted && run.halted && !run.running && t.next_ms < 0 && strstr(run.halt.msg, "NaN"));
    CHECK(gp_run_keep(&run, 1, &kept, &err) == GP_OK && kept == 0); /* a broken state is never kept */
    uint8_t *broken = NULL;
    size_t broken_len;
    CHECK(gp_run_save(&run, GP_SAVE_TRAINING, &broken, &broken_len, &err) == GP_ERR_NAN && !broken); /* nor saved: it would not load */
    CHECK(gp_run_start(&run, &err) == GP_ERR_NAN);
    gp_run_turn s;
    CHECK(gp_run_step(&run, GP_RUN_STEP, &s, &err) == GP_ERR_NAN);
    CHECK(gp_run_restore(&run, &err) == GP_OK);
    CHECK(!run.halted && run.gan.stats.step == step_good && params_hash(&run.gan.G) == g_good);
    CHECK(run.hist.n_points == points_good && run.good_step == step_good);
    CHECK(gp_run_step(&run, GP_RUN_STEP, &s, &err) == GP_OK && s.steps == 1 && s.points == 1);
    CHECK(isfinite(run.gan.stats.d_loss) && isfinite(run.gan.stats.g_loss));
    gp_run_free(&run);
    gp_run_init(&run, gp_run_policy_find("page"));
    CHECK(gp_run_restore(&run, &err) == GP_ERR_ARG && strstr(err.msg, "no earlier good state"));
    CHECK(gp_run_start(&run, &err) == GP_ERR_ARG && strstr(err.msg, "no model"));
}

/* One D step, one G step: a chart point each with only their values; a
 * generator alone cannot train. */
static void test_steps(void) {
    gp_run run;
    gp_err err;
    page_run(&run, "page", "mlp");
    gp_run_turn t;
    CHECK(gp_run_step(&run, GP_RUN_D_STEP, &t, &err) == GP_OK && run.gan.stats.d_step == 1 && run.gan.stats.step == 0);
    const float *p = run.hist.points;
    CHECK(p[0] == 1.0f && isfinite(p[1]) && isnan(p[2]) && isfinite(p[3]) && isfinite(p[4]));
    CHECK(gp_run_step(&run, GP_RUN_G_STEP, &t, &err) == GP_OK && run.gan.stats.step == 1);
    p = run.hist.points + GP_HISTORY_POINT;
    CHECK(p[0] == 2.0f && isnan(p[1]) && isfinite(p[2]) && isnan(p[3]) && p[4] == run.gan.stats.g_fake);
    CHECK(t.draw_grid && t.draw_realfake);
    CHECK(gp_run_step(&run, 7, &t, &err) == GP_ERR_ARG);
    fake_tick = 0.0;
    CHECK(gp_run_start(&run, &err) == GP_OK);
    CHECK(gp_run_step(&run, GP_RUN_STEP, &t, &err) == GP_ERR_ARG && strstr(err.msg, "pause"));
    gp_run_pause(&run);
    /* a generator alone */
    uint8_t *bytes;
    size_t len;
    CHECK(gp_run_save(&run, GP_SAVE_GENERATOR, &bytes, &len, &err) == GP_OK);
    gp_gan gen;
    CHECK(gp_model_load(&gen, bytes, len, &err) == GP_OK);
    free(bytes);
    CHECK(gp_run_adopt(&run, &gen, &err) == GP_OK && run.hist.n_snaps == 0);
    CHECK(gp_run_step(&run, GP_RUN_STEP, &t, &err) == GP_ERR_ARG && strstr(err.msg, "generator only"));
    gp_run_free(&run);
    /* data of another image size: Start refuses it (it started, kept a state and failed at the first turn) */
    page_run(&run, "page", "mlp");
    uint8_t *rgba = calloc(20 * 16 * 16 * 4, 1);
    gp_dataset small;
    CHECK(gp_dataset_from_rgba(&small, rgba, 20, 16, 16, 1, 10, 100, &err) == GP_OK);
    gp_run_set_images(&run, &small);
    CHECK(gp_run_start(&run, &err) == GP_ERR_ARG && strstr(err.msg, "dataset images are 1x16x16") && !run.running && !run.good);
    CHECK(gp_run_step(&run, GP_RUN_D_STEP, &t, &err) == GP_ERR_ARG && run.hist.n_points == 0);
    gp_dataset_free(&small);
    free(rgba);
    gp_run_free(&run);
}

/* The command line's policy: turns of N steps, a limit, checkpoints every K
 * steps that end their turn; the saved state carries the history, and a
 * run that adopts it has the same history. */
static void test_cli_policy_and_history(void) {
    gp_run run;
    gp_err err;
    page_run(&run, "cli", "mlp");
    run.policy.turn_steps = 7;
    run.policy.keep_every = 10;
    run.policy.snap_every = 5;
    gp_run_set_limits(&run, 23, 0);
    fake_tick = 0.0;
    CHECK(gp_run_start(&run, &err) == GP_OK);
    int turns = 0, kept_at[4] = {0}, n_kept = 0;
    gp_run_turn t;
    while (run.running && turns < 20) {
        CHECK(gp_run_turn_once(&run, &t, &err) == GP_OK);
        if (t.kept && n_kept < 4) kept_at[n_kept++] = (int)run.gan.stats.step;
        turns++;
    }
    CHECK(run.gan.stats.step == 23 && !run.running);
    CHECK(n_kept == 2 && kept_at[0] == 10 && kept_at[1] == 20);
    /* turns end at multiples of 7, at checkpoints and at the limit: 7, 10, 14, 20, 21, 23 */
    CHECK(turns == 6);
    CHECK(run.hist.n_points == 23 && run.hist.n_snaps == 5); /* 0, 5, 10, 15, 20 */
    uint8_t *bytes;
    size_t len;
    CHECK(gp_run_save(&run, GP_SAVE_TRAINING, &bytes, &len, &err) == GP_OK);
    gp_gan back;
    CHECK(gp_model_load(&back, bytes, len, &err) == GP_OK);
    free(bytes);
    gp_history_info info;
    CHECK(gp_history_check(back.history, back.history_len, &info, &err) == GP_OK);
    CHECK(info.points == 23 && info.snapshots == 5 && info.fd_points == 0);
    gp_run other;
    gp_run_init(&other, gp_run_policy_find("page"));
    CHECK(gp_run_adopt(&other, &back, &err) == GP_OK);
    CHECK(other.hist.n_points == 23 && other.hist.n_snaps == 5);
    CHECK(memcmp(other.hist.points, run.hist.points, sizeof(float) * 23 * GP_HISTORY_POINT) == 0);
    CHECK(memcmp(other.hist.snaps, run.hist.snaps, (size_t)5 * run.hist.snap_h * run.hist.snap_w) == 0);
    gp_run_free(&other);
    /* a time limit already past at Start: one step, then the run stops */
    gp_run_set_limits(&run, 0, fake_now - 1.0);
    long at = run.gan.stats.step;
    CHECK(gp_run_start(&run, &err) == GP_OK);
    CHECK(gp_run_turn_once(&run, &t, &err) == GP_OK && t.steps == 1 && !run.running && run.gan.stats.step == at + 1);
    gp_run_free(&run);
}

/* The history: thinning keeps the course (x of the later, means of what
 * was computed); snapshots thin to every other one and the newest. */
static void test_history_thinning(void) {
    gp_history h;
    gp_err err;
    CHECK(gp_history_init(&h, 3, 2, &err) == GP_OK);
    for (uint32_t i = 1; i <= GP_HISTORY_KEEP_POINTS + 1; i++) {
        float p[GP_HISTORY_POINT] = {(float)i, (float)i, i % 2 ? NAN : 1.0f, 0.5f, NAN};
        gp_history_push_point(&h, p);
    }
    CHECK(h.n_points == GP_HISTORY_KEEP_POINTS / 2 + 1 && h.thinned == 1);
    CHECK(h.points[0] == 2.0f && h.points[1] == 1.5f && h.points[2] == 1.0f && h.points[3] == 0.5f && isnan(h.points[4]));
    const float *last = h.points + (size_t)(h.n_points - 1) * GP_HISTORY_POINT;
    CHECK(last[0] == (float)(GP_HISTORY_KEEP_POINTS + 1) && isnan(last[2])); /* the odd one out stays as it was */
    uint8_t px[6];
    for (uint32_t k = 0; k <= GP_HISTORY_KEEP_SNAPSHOTS; k++) {
        memset(px, (int)k, sizeof px);
        gp_history_push_snapshot(&h, 10 * k, px);
    }
    CHECK(h.n_snaps == GP_HISTORY_KEEP_SNAPSHOTS / 2 + 1);
    CHECK(h.snap_steps[0] == 0 && h.snap_steps[1] == 20 && h.snap_steps[h.n_snaps - 1] == 10 * GP_HISTORY_KEEP_SNAPSHOTS);
    CHECK(h.snaps[6] == 2 && h.snaps[(h.n_snaps - 1) * 6] == GP_HISTORY_KEEP_SNAPSHOTS);
    /* the same step again replaces */
    memset(px, 99, sizeof px);
    gp_history_push_snapshot(&h, 10 * GP_HISTORY_KEEP_SNAPSHOTS, px);
    CHECK(h.n_snaps == GP_HISTORY_KEEP_SNAPSHOTS / 2 + 1 && h.snaps[(h.n_snaps - 1) * 6] == 99);
    /* written and read back: the same rows */
    size_t n = gp_history_write(&h, NULL);
    uint8_t *bytes = malloc(n);
    gp_history_write(&h, bytes);
    gp_history g;
    CHECK(gp_history_init(&g, 0, 0, &err) == GP_OK);
    CHECK(gp_history_read(&g, bytes, n, &err) == GP_OK);
    CHECK(g.n_points == h.n_points && g.n_snaps == h.n_snaps && g.snap_h == 3 && g.snap_w == 2);
    CHECK(memcmp(g.points, h.points, sizeof(float) * GP_HISTORY_POINT * h.n_points) == 0);
    bytes[0] ^= 0xff; /* a count past the file: refused, nothing changes */
    CHECK(gp_history_read(&g, bytes, n, &err) == GP_ERR_FORMAT && g.n_points == h.n_points);
    free(bytes);
    gp_history_free(&g);
    gp_history_free(&h);
}

static uint8_t *put_u32(uint8_t *p, uint32_t v) {
    for (int b = 0; b < 4; b++) p[b] = (uint8_t)(v >> (8 * b));
    return p + 4;
}
static uint8_t *put_f32(uint8_t *p, float v) {
    uint32_t bits;
    memcpy(&bits, &v, 4);
    return put_u32(p, bits);
}

/* A history section as a file may hold it: P chart points (x = 1..P), F FD
 * points, K snapshots of h x w pixels at the steps step_of gives. */
static uint8_t *history_bytes(uint32_t P, uint32_t F, uint32_t K, uint32_t h, uint32_t w, uint32_t (*step_of)(uint32_t),
                              size_t *len) {
    *len = 4 + (size_t)P * 20 + 4 + (size_t)F * 8 + 12 + (size_t)K * (4 + (size_t)h * w);
    uint8_t *b = calloc(1, *len), *p = put_u32(b, P);
    for (uint32_t i = 0; i < P; i++) {
        p = put_f32(p, (float)(i + 1));
        for (int k = 1; k < GP_HISTORY_POINT; k++) p = put_f32(p, 0.5f);
    }
    p = put_u32(p, F);
    for (uint32_t i = 0; i < F; i++) p = put_f32(put_f32(p, (float)(i + 1)), 100.0f);
    p = put_u32(put_u32(put_u32(p, K), h), w);
    for (uint32_t k = 0; k < K; k++) {
        p = put_u32(p, step_of(k));
        memset(p, (int)(k & 0xff), (size_t)h * w);
        p += (size_t)h * w;
    }
    return b;
}
static uint32_t step_k(uint32_t k) { return k; }
static uint32_t step_10k(uint32_t k) { return 10 * k; }

/* The run adopts a new model at a step with a history section, through a
 * model file (an image model's training state) or as it is (2-D). */
static gp_status adopt_with_history(gp_run *run, long step, const uint8_t *hist, size_t len, const char *preset, gp_err *err) {
    gp_gan_config cfg;
    small_config(&cfg, preset);
    gp_gan gan;
    CHECK(gp_gan_create(&gan, &cfg, 1, err) == GP_OK);
    gan.stats.step = gan.stats.d_step = step;
    gp_status st = gp_gan_set_history(&gan, hist, len, err);
    if (st == GP_OK && strcmp(preset, "2d") != 0) {
        uint8_t *bytes = NULL;
        size_t n = 0;
        st = gp_model_save(&gan, GP_SAVE_TRAINING, &bytes, &n, err);
        gp_gan_free(&gan);
        if (st == GP_OK) st = gp_model_load(&gan, bytes, n, err);
        free(bytes);
    }
    if (st == GP_OK) st = gp_run_adopt(run, &gan, err);
    if (st != GP_OK) gp_gan_free(&gan);
    return st;
}

/* Hostile history sections: snapshots of another size than the model's
 * grid (larger ones were read past the grid's pixels at the next snapshot),
 * snapshots in a 2-D model, a timeline past the model's step are refused
 * in words, the run keeping its model; the most snapshots and many chart
 * points thin to what a run keeps, in order, and train and save on. */
static void test_hostile_history(void) {
    gp_run run;
    gp_err err;
    page_run(&run, "page", "mlp");
    uint32_t gw = (uint32_t)run.hist.snap_w, gh = (uint32_t)run.hist.snap_h;
    const uint32_t sizes[3][2] = {{gh + 10, gw + 10}, {5, 5}, {gh, gw + 1}};
    for (int i = 0; i < 3; i++) {
        size_t len;
        uint8_t *h = history_bytes(3, 1, 2, sizes[i][0], sizes[i][1], step_k, &len);
        gp_status st = adopt_with_history(&run, 100, h, len, "mlp", &err);
        CHECK_OK(st == GP_ERR_FORMAT && strstr(err.msg, "sample grid"), err.msg);
        CHECK(run.has_gan && run.gan.stats.step == 0 && run.hist.snap_w == (int)gw && run.hist.n_points == 0);
        free(h);
    }
    size_t len;
    uint8_t *h = history_bytes(3, 0, 2, gh, gw, step_10k, &len); /* snapshots at 0 and 10 */
    CHECK_OK(adopt_with_history(&run, 5, h, len, "mlp", &err) == GP_ERR_FORMAT && strstr(err.msg, "past the model's step"),
             err.msg);
    free(h);
    h = history_bytes(3, 0, 1, 4, 4, step_k, &len);
    CHECK_OK(adopt_with_history(&run, 5, h, len, "2d", &err) == GP_ERR_FORMAT && strstr(err.msg, "no sample grid"), err.msg);
    free(h);

    /* the most a file holds: thinned in order, and the run goes on */
    h = history_bytes(100000, 5000, GP_HISTORY_MAX_SNAPSHOTS, gh, gw, step_10k, &len);
    CHECK_OK(adopt_with_history(&run, 10 * GP_HISTORY_MAX_SNAPSHOTS, h, len, "mlp", &err) == GP_OK, err.msg);
    free(h);
    const gp_history *hi = &run.hist;
    CHECK(hi->n_points <= GP_HISTORY_KEEP_POINTS && hi->n_measures <= GP_HISTORY_KEEP_MEASURES);
    CHECK(hi->n_snaps <= GP_HISTORY_KEEP_SNAPSHOTS && hi->snap_steps[hi->n_snaps - 1] == 10 * (GP_HISTORY_MAX_SNAPSHOTS - 1));
    CHECK(hi->points[(size_t)(hi->n_points - 1) * GP_HISTORY_POINT] == 100000.0f);
    for (uint32_t i = 1; i < hi->n_points; i++) CHECK(hi->points[i * GP_HISTORY_POINT] > hi->points[(i - 1) * GP_HISTORY_POINT]);
    for (uint32_t k = 1; k < hi->n_snaps; k++) CHECK(hi->snap_steps[k] > hi->snap_steps[k - 1]);
    gp_run_set_images(&run, &ds);
    run.policy.snap_every = 1;
    gp_run_turn t;
    CHECK(gp_run_step(&run, GP_RUN_STEP, &t, &err) == GP_OK && t.snapshots == 1);
    CHECK(hi->snap_steps[hi->n_snaps - 1] == 10 * GP_HISTORY_MAX_SNAPSHOTS + 1);
    uint8_t *bytes;
    size_t n;
    CHECK(gp_run_save(&run, GP_SAVE_TRAINING, &bytes, &n, &err) == GP_OK);
    gp_gan back;
    CHECK(gp_model_load(&back, bytes, n, &err) == GP_OK);
    free(bytes);
    gp_history_info info;
    CHECK(gp_history_check(back.history, back.history_len, &info, &err) == GP_OK);
    CHECK(info.points == hi->n_points && info.snapshots == hi->n_snaps && info.snap_w == gw && info.snap_h == gh);
    gp_gan_free(&back);
    gp_run_free(&run);
}

/* The FD every measure_every G steps when a scorer is set; a 2-D run
 * pushes one point per turn and measures by time; its D and G steps keep
 * their batch for slow motion. */
static void test_measures_and_2d(gp_classifier *clf, const gp_feature_stats *ref) {
    gp_run run;
    gp_err err;
    page_run(&run, "page", "mlp");
    run.policy.measure_every = 5;
    run.policy.measure_count = 50;
    gp_run_set_scorer(&run, clf, ref);
    gp_run_turn t;
    int measured = 0;
    for (int i = 0; i < 10; i++) {
        CHECK(gp_run_step(&run, GP_RUN_STEP, &t, &err) == GP_OK);
        measured += t.measured;
    }
    CHECK(measured == 2 && run.hist.n_measures == 2 && run.hist.measures[0] == 5.0f && run.hist.measures[3] == 10.0f);
    CHECK(run.has_quality && run.quality.fd > 0 && run.hist.measures[4] == (float)run.quality.fd);
    gp_run_free(&run);

    gp_gan_config cfg;
    gp_gan_config_default(&cfg, "2d", NULL);
    gp_gan gan;
    CHECK(gp_gan_create(&gan, &cfg, 1, &err) == GP_OK);
    gp_2d_dist dist;
    CHECK(gp_2d_dist_init(&dist, "ring", NULL, 0, &err) == GP_OK);
    gp_run_init(&run, gp_run_policy_find("page_2d"));
    run.clock = fake_clock;
    static gp_2d_trace trace;
    run.trace = &trace;
    CHECK(gp_run_adopt(&run, &gan, &err) == GP_OK && run.view_gray == NULL && run.hist.n_snaps == 0);
    gp_run_set_2d(&run, &dist);
    fake_now = 0.0;
    fake_tick = 0.0;
    CHECK(gp_run_start(&run, &err) == GP_OK);
    fake_tick = 0.1;
    CHECK(gp_run_turn_once(&run, &t, &err) == GP_OK);
    CHECK(t.steps > 5 && run.rounds == t.steps && t.points == 1 && run.hist.n_points == 1);
    CHECK(run.hist.points[0] == (float)run.rounds);
    fake_now += 300.0;
    CHECK(gp_run_turn_once(&run, &t, &err) == GP_OK && t.measured && run.has_eval_2d);
    CHECK(run.hist.measures[(run.hist.n_measures - 1) * GP_HISTORY_MEASURE] == (float)run.rounds);
    gp_run_pause(&run);
    long rounds = run.rounds;
    CHECK(gp_run_step(&run, GP_RUN_D_STEP, &t, &err) == GP_OK && run.rounds == rounds && t.measured);
    CHECK(trace.n == cfg.batch && trace.loss == run.gan.stats.d_loss && trace.d_real[0] > 0 && trace.d_real[0] < 1);
    CHECK(gp_run_step(&run, GP_RUN_G_STEP, &t, &err) == GP_OK && trace.loss == run.gan.stats.g_loss);
    CHECK(trace.after[0] != trace.fake[0] || trace.after[1] != trace.fake[1]);
    /* a D step then the round's G steps by hand (slow motion) make a round; more G steps do not */
    CHECK(run.rounds == rounds + 1);
    CHECK(gp_run_step(&run, GP_RUN_G_STEP, &t, &err) == GP_OK && run.rounds == rounds + 1);
    CHECK(gp_run_step(&run, GP_RUN_STEP, &t, &err) == GP_OK && run.rounds == rounds + 2);
    gp_run_free(&run);
}

/* A 2-D run's last good state (kept at Start, and when asked) brings back
 * the weights, the rounds and the history: the way back after a NaN works
 * in 2-D too (its state did not load: a model file held images only), and
 * the chart's x goes on increasing from there. */
static void test_2d_keep_and_restore(void) {
    gp_gan_config cfg;
    gp_gan_config_default(&cfg, "2d", NULL);
    gp_gan gan;
    gp_err err;
    CHECK(gp_gan_create(&gan, &cfg, 1, &err) == GP_OK);
    gp_2d_dist dist;
    CHECK(gp_2d_dist_init(&dist, "ring", NULL, 0, &err) == GP_OK);
    gp_run run;
    gp_run_init(&run, gp_run_policy_find("page_2d"));
    run.clock = fake_clock;
    CHECK(gp_run_adopt(&run, &gan, &err) == GP_OK);
    gp_run_set_2d(&run, &dist);
    fake_now = 0.0;
    fake_tick = 0.1;
    CHECK(gp_run_start(&run, &err) == GP_OK && run.good && run.good_step == 0);
    gp_run_turn t;
    for (int i = 0; i < 3; i++) CHECK(gp_run_turn_once(&run, &t, &err) == GP_OK);
    int kept = 0;
    CHECK(gp_run_keep(&run, 0, &kept, &err) == GP_OK && kept && run.good_step == run.rounds);
    long rounds = run.rounds;
    uint32_t points = run.hist.n_points;
    uint32_t g_good = params_hash(&run.gan.G);
    for (int i = 0; i < 3; i++) CHECK(gp_run_turn_once(&run, &t, &err) == GP_OK);
    CHECK(run.rounds > rounds);
    run.gan.G.params[0] = NAN;
    gp_net_params_changed(&run.gan.G);
    CHECK(gp_run_turn_once(&run, &t, &err) == GP_OK && t.halted);
    CHECK_OK(gp_run_restore(&run, &err) == GP_OK, err.msg);
    CHECK(!run.halted && run.rounds == rounds && run.good_step == rounds && run.hist.n_points == points);
    CHECK(params_hash(&run.gan.G) == g_good && run.view_gray == NULL);
    CHECK(gp_run_start(&run, &err) == GP_OK);
    for (int i = 0; i < 3; i++) CHECK(gp_run_turn_once(&run, &t, &err) == GP_OK && !t.halted);
    CHECK(run.rounds > rounds && run.hist.n_points > points);
    for (uint32_t i = 1; i < run.hist.n_points; i++)
        CHECK(run.hist.points[i * GP_HISTORY_POINT] > run.hist.points[(i - 1) * GP_HISTORY_POINT]);
    /* a person's file is an image model: a 2-D state is not one */
    gp_gan back;
    CHECK(gp_model_load(&back, run.good, run.good_len, &err) == GP_ERR_FORMAT && strstr(err.msg, "2-D mode"));
    gp_run_free(&run);
}

/* The answers: one object, snake_case, numbers or null; an answer that
 * cannot grow is refused whole, never cut. */
static void test_json(void) {
    gp_json j;
    gp_json_init(&j);
    gp_json_open(&j, '{');
    gp_json_kstr(&j, "a", "say \"hi\"\n");
    gp_json_knum(&j, "b", NAN);
    gp_json_key(&j, "c");
    gp_json_open(&j, '[');
    gp_json_int(&j, 1);
    gp_json_open(&j, '{');
    gp_json_close(&j, '}');
    gp_json_bool(&j, 0);
    gp_json_close(&j, ']');
    gp_json_close(&j, '}');
    CHECK(strcmp(gp_json_text(&j), "{\"a\":\"say \\\"hi\\\"\\u000a\",\"b\":null,\"c\":[1,{},false]}") == 0);
    /* bytes that are not UTF-8 (a stray byte, a character cut short, an
     * overlong form, a surrogate) come out as U+FFFD; UTF-8 as it is */
    gp_json_reset(&j);
    gp_json_str(&j, "\xc3\xa9\xff|\xc0\xaf|\xed\xa0\x80|\xf0\x9f\x98\x80|\x7f|\xe2\x82");
    CHECK_OK(strcmp(gp_json_text(&j), "\"\xc3\xa9\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|\xf0\x9f\x98\x80|\x7f|"
                                      "\\ufffd\\ufffd\"") == 0, gp_json_text(&j));
    gp_json_reset(&j);
    for (int i = 0; i < GP_JSON_MAX_DEPTH + 1; i++) gp_json_open(&j, '[');
    CHECK(gp_json_text(&j) == NULL);
    /* a long answer grows to fit, whole */
    gp_json_reset(&j);
    gp_json_open(&j, '[');
    for (int i = 0; i < 400000; i++) gp_json_num(&j, 1.0 / 3.0);
    gp_json_close(&j, ']');
    const char *big = gp_json_text(&j);
    CHECK(big && strlen(big) == 2 + 400000 * 11 + 399999 && big[strlen(big) - 1] == ']');
    gp_json_free(&j);

    gp_run run;
    gp_err err;
    page_run(&run, "page", "mlp");
    gp_run_turn t;
    CHECK(gp_run_step(&run, GP_RUN_STEP, &t, &err) == GP_OK);
    gp_json_init(&j);
    gp_run_turn_json(&run, &t, &j);
    const char *s = gp_json_text(&j);
    CHECK(s && s[0] == '{' && strstr(s, "\"running\":false,\"halted\":false,\"message\":null,\"step\":1,\"d_step\":1,"));
    CHECK(strstr(s, "\"points\":[2,") && strstr(s, "\"draw_grid\":true") && strstr(s, "\"next_ms\":-1}"));
    for (const char *c = s; *c; c++) CHECK(!(*c >= 'A' && *c <= 'Z')); /* no camelCase key (and no capitals at all here) */
    gp_json_reset(&j);
    gp_run_policy_json(&run.policy, &j);
    CHECK(strstr(gp_json_text(&j), "\"point_columns\":[\"x\",\"d_loss\",\"g_loss\",\"d_real\",\"d_fake\"]") != NULL);
    gp_json_free(&j);
    gp_run_free(&run);
}

int main(void) {
    gp_err err;
    if (gp_dataset_load(&ds, "build/data/mnist.bin", &err) != GP_OK) {
        fprintf(stderr, "test_run: %s (run make first)\n", err.msg);
        return 1;
    }
    gp_classifier clf;
    gp_feature_stats ref;
    int scorer = gp_classifier_load_file(&clf, "models/mnist-classifier.gpc", &err) == GP_OK;
    CHECK_OK(scorer, err.msg);
    if (scorer) CHECK_OK(gp_quality_reference(&clf, &ds, &ref, &err) == GP_OK, err.msg);
    test_json();
    test_history_thinning();
    test_turns();
    test_speed();
    test_halt_and_restore();
    test_steps();
    test_cli_policy_and_history();
    test_hostile_history();
    if (scorer) test_measures_and_2d(&clf, &ref);
    test_2d_keep_and_restore();
    if (scorer) {
        gp_feature_stats_free(&ref);
        gp_classifier_free(&clf);
    }
    gp_dataset_free(&ds);
    return check_report("run");
}
