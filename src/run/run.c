#include "run/run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "data/grid.h"
#include "eval/score.h"
#include "gan/losses.h"
#include "store/modelfile.h"

/* ---- policies ---------------------------------------------------------------- */

const gp_run_policy GP_RUN_POLICIES[] = {
    /* the page's image training: 40 ms turns keep the worker answering the page between them */
    {.name = "page", .turn_ms = 40.0, .frame_ms = 1000.0 / 60.0, .slow_ms = 100.0, .snap_every = 50,
     .measure_every = 250, .measure_count = 500, .measure_seed = 424242, .keep_ms = 2000.0, .grid_ms = 200.0,
     .realfake_ms = 1500.0, .rate_ms = 3000.0},
    /* the page's 2-D game: short turns, one chart point each, KL and JS four times a second */
    {.name = "page_2d", .turn_ms = 8.0, .frame_ms = 4.0, .slow_ms = 100.0, .measure_ms = 250.0,
     .measure_count = 1000, .measure_seed = 7, .rate_ms = 2000.0, .point_per_turn = 1},
    /* ganplay train: turns of log lines (turn_steps is --log-every) */
    {.name = "cli", .turn_steps = 100, .snap_every = 50, .measure_every = 250, .measure_count = 500,
     .measure_seed = 424242, .rate_ms = 3000.0},
    /* ganplay train2d: a measurement per log line (measure_every is --log-every) */
    {.name = "cli_2d", .turn_steps = 1000, .measure_every = 1000, .measure_count = 2000, .measure_seed = 7,
     .rate_ms = 3000.0, .point_per_turn = 1},
};
const int GP_N_RUN_POLICIES = (int)(sizeof GP_RUN_POLICIES / sizeof GP_RUN_POLICIES[0]);

const double GP_RUN_SPEEDS[] = {0.5, 1, 2, 5, 10, 30, 60, 0};
const int GP_N_RUN_SPEEDS = (int)(sizeof GP_RUN_SPEEDS / sizeof GP_RUN_SPEEDS[0]);
const long GP_RUN_SNAP_CHOICES[] = {10, 50, 200, 1000};
const int GP_N_RUN_SNAP_CHOICES = (int)(sizeof GP_RUN_SNAP_CHOICES / sizeof GP_RUN_SNAP_CHOICES[0]);

static const char *const POINT_COLUMNS[GP_HISTORY_POINT] = {"x", "d_loss", "g_loss", "d_real", "d_fake"};

const gp_run_policy *gp_run_policy_find(const char *name) {
    for (int i = 0; name && i < GP_N_RUN_POLICIES; i++)
        if (!strcmp(name, GP_RUN_POLICIES[i].name)) return &GP_RUN_POLICIES[i];
    return NULL;
}

/* ---- life ------------------------------------------------------------------------ */

static gp_status need_training(gp_run *run, gp_err *err);
static void take_snapshot(gp_run *run);

void gp_run_init(gp_run *run, const gp_run_policy *policy) {
    memset(run, 0, sizeof *run);
    run->policy = *policy;
    run->view_seed = 1;
    run->view_label = -1;
    run->clock = gp_now_ms;
}

static void free_view(gp_run *run) {
    free(run->view_z);
    free(run->view_images);
    free(run->view_labels);
    free(run->view_gray);
    run->view_z = run->view_images = NULL;
    run->view_labels = NULL;
    run->view_gray = NULL;
    run->view_w = run->view_h = 0;
}

static void drop_good(gp_run *run) {
    free(run->good);
    run->good = NULL;
    run->good_len = 0;
    run->good_step = 0;
}

void gp_run_drop(gp_run *run) {
    if (run->has_gan) gp_gan_free(&run->gan);
    run->has_gan = 0;
    gp_history_free(&run->hist);
    free_view(run);
    drop_good(run);
    run->running = run->halted = 0;
}

void gp_run_free(gp_run *run) {
    gp_run_drop(run);
    gp_run_policy policy = run->policy;
    gp_run_init(run, &policy);
}

static int is_2d(const gp_gan *gan) { return gp_shape_size(gan->image) == 2 && gan->image.c == 2; }

long gp_run_steps(const gp_run *run) {
    if (!run->has_gan) return 0;
    return is_2d(&run->gan) ? run->rounds : run->gan.stats.step;
}

/* Bytes per pixel of the timeline's snapshots: 3 (RGB) for a colour model, else 1. */
static int snap_channels(const gp_gan *gan) { return gan->image.c == 3 ? 3 : 1; }

/* The timeline's snapshot of the sample grid: gh rows of gw bytes, gray
 * pixels or (a colour model) RGB triplets; 0 x 0 for a 2-D model. */
static void snap_size(const gp_gan *gan, int *gw, int *gh) {
    *gw = *gh = 0;
    if (is_2d(gan)) return;
    gp_grid_size(GP_RUN_VIEW_COUNT, GP_RUN_VIEW_COLS, gan->image.h, gan->image.w, gw, gh);
    *gw *= snap_channels(gan);
}

/* A file's timeline must be of this model's sample grid (gh x gw; a 2-D
 * model has none), checked before its snapshots take any memory, and must
 * not run past the model's own step. */
static gp_status timeline_fits(const gp_gan *gan, int gh, int gw, gp_err *err) {
    gp_history_info info;
    if (!gan->history_len) return GP_OK;
    gp_status st = gp_history_check(gan->history, gan->history_len, &info, err);
    if (st != GP_OK || !info.snapshots) return st;
    if (!gw || !gh)
        return gp_fail(err, GP_ERR_FORMAT, "history: %u snapshots of %ux%u pixels, but this model has no sample grid",
                       info.snapshots, info.snap_w, info.snap_h);
    if ((int)info.snap_h != gh || (int)info.snap_w != gw)
        return gp_fail(err, GP_ERR_FORMAT, "history: snapshots of %ux%u pixels, but this model's sample grid is %dx%d",
                       info.snap_w, info.snap_h, gw, gh);
    return GP_OK;
}

gp_status gp_run_check_file(const uint8_t *bytes, size_t len, gp_err *err) {
    gp_gan gan;
    gp_status st = gp_model_load(&gan, bytes, len, err);
    if (st != GP_OK) return st;
    gp_history hist;
    memset(&hist, 0, sizeof hist);
    int gw, gh;
    snap_size(&gan, &gw, &gh);
    st = timeline_fits(&gan, gh, gw, err);
    if (st == GP_OK) st = gp_history_init(&hist, gh, gw, err);
    if (st == GP_OK && gan.history_len) st = gp_history_read(&hist, gan.history, gan.history_len, err);
    if (st == GP_OK && hist.n_snaps && hist.snap_steps[hist.n_snaps - 1] > (uint64_t)gan.stats.step)
        st = gp_fail(err, GP_ERR_FORMAT, "history: a snapshot at step %u, past the model's step %ld",
                     hist.snap_steps[hist.n_snaps - 1], gan.stats.step);
    gp_history_free(&hist);
    gp_gan_free(&gan);
    return st;
}

gp_status gp_run_adopt(gp_run *run, gp_gan *gan, gp_err *err) {
    /* everything the run will need, before anything of the old model goes */
    gp_run next = *run;
    memset(&next.hist, 0, sizeof next.hist);
    next.view_z = next.view_images = NULL;
    next.view_labels = NULL;
    next.view_gray = NULL;
    next.view_w = next.view_h = 0;
    int gw, gh, points = is_2d(gan);
    snap_size(gan, &gw, &gh);
    gp_status st = timeline_fits(gan, gh, gw, err);
    if (st == GP_OK) st = gp_history_init(&next.hist, gh, gw, err);
    if (st == GP_OK && gan->history_len) st = gp_history_read(&next.hist, gan->history, gan->history_len, err);
    if (st == GP_OK && next.hist.n_snaps && next.hist.snap_steps[next.hist.n_snaps - 1] > (uint64_t)gan->stats.step)
        st = gp_fail(err, GP_ERR_FORMAT, "history: a snapshot at step %u, past the model's step %ld",
                     next.hist.snap_steps[next.hist.n_snaps - 1], gan->stats.step);
    if (st == GP_OK && !points) {
        size_t n_img = (size_t)gp_shape_size(gan->image);
        next.view_z = malloc(sizeof(float) * GP_RUN_VIEW_COUNT * (size_t)gan->cfg.latent);
        next.view_images = malloc(sizeof(float) * GP_RUN_VIEW_COUNT * n_img);
        next.view_labels = malloc(sizeof(int) * GP_RUN_VIEW_COUNT);
        next.view_gray = malloc((size_t)gw * gh);
        if (!next.view_z || !next.view_images || !next.view_labels || !next.view_gray)
            st = gp_fail(err, GP_ERR_NOMEM, "out of memory for the sample grid");
        next.view_w = gw / snap_channels(gan);
        next.view_h = gh;
    }
    if (st != GP_OK) {
        gp_history_free(&next.hist);
        free_view(&next);
        return st;
    }
    gp_run_drop(run);
    next.gan = *gan;
    next.has_gan = 1;
    memset(gan, 0, sizeof *gan);
    next.good = NULL;
    next.good_len = 0;
    next.good_step = 0;
    next.running = next.halted = 0;
    next.rounds = 0;
    next.half_g = -1;
    next.since_keep = 0;
    next.has_quality = next.has_eval_2d = 0;
    next.rate_len = 0;
    next.rate = 0.0;
    next.n_turn_points = 0;
    next.grid_updates = next.realfake_updates = -1;
    *run = next;
    gp_gan_set_threads(&run->gan, run->threads);
    /* a training model's timeline starts with the samples as they are now */
    if (run->gan.has_d && run->hist.n_snaps == 0) take_snapshot(run);
    return GP_OK;
}

void gp_run_set_threads(gp_run *run, gp_threads *threads) {
    run->threads = threads;
    if (run->has_gan) gp_gan_set_threads(&run->gan, threads);
}

void gp_run_set_images(gp_run *run, const gp_dataset *ds) { run->ds = ds; }
void gp_run_set_2d(gp_run *run, const gp_2d_dist *dist) { run->dist = dist; }

void gp_run_set_scorer(gp_run *run, gp_classifier *clf, const gp_feature_stats *ref) {
    run->clf = clf;
    run->ref = clf ? ref : NULL;
}

void gp_run_set_limits(gp_run *run, long stop_at, double stop_ms) {
    run->stop_at = stop_at;
    run->stop_ms = stop_ms;
}

gp_status gp_run_set(gp_run *run, const char *key, double value, gp_err *err) {
    if (!key) return gp_fail(err, GP_ERR_ARG, "a run setting needs a name");
    if (!strcmp(key, "speed")) {
        if (!(value >= 0.0 && value <= 1e6)) return gp_fail(err, GP_ERR_ARG, "speed must be 0..1000000 steps per second, got %g", value);
        run->policy.speed = value;
        run->debt = 0.0;
    } else if (!strcmp(key, "snap_every") || !strcmp(key, "measure_every")) {
        if (!(value >= 0.0 && value <= 1e8 && value == floor(value)))
            return gp_fail(err, GP_ERR_ARG, "%s must be a whole number of steps in 0..100000000, got %g", key, value);
        if (key[0] == 's') run->policy.snap_every = (long)value;
        else run->policy.measure_every = (long)value;
    } else if (!strcmp(key, "view_seed")) {
        if (!(value >= 0.0 && value <= 9007199254740991.0 && value == floor(value)))
            return gp_fail(err, GP_ERR_ARG, "the samples' seed must be a whole number in 0..9007199254740991, got %g", value);
        run->view_seed = (uint64_t)value;
    } else if (!strcmp(key, "view_label")) {
        int classes = run->has_gan ? run->gan.cfg.classes : 0;
        if (!(value == -1.0 || (value >= 0.0 && value < classes && value == floor(value))))
            return gp_fail(err, GP_ERR_ARG, "class must be in -1..%d, got %g", classes - 1, value);
        run->view_label = (int)value;
    } else {
        return gp_fail(err, GP_ERR_ARG, "unknown run setting '%.40s' (speed, snap_every, measure_every, view_seed, view_label)",
                       key);
    }
    return GP_OK;
}

/* ---- what a step does besides training ----------------------------------------- */

static double now(const gp_run *run) { return run->clock(); }

/* The sample grid now, as the snapshot's gray pixels; pushed into the timeline. */
static void take_snapshot(gp_run *run) {
    if (!run->view_gray || !run->hist.snaps) return;
    double t = now(run);
    gp_gan *g = &run->gan;
    gp_gan_latents(g, run->view_seed, GP_RUN_VIEW_COUNT, run->view_z);
    gp_score_labels(run->view_labels, GP_RUN_VIEW_COUNT, g->cfg.classes, run->view_label);
    gp_gan_generate(g, run->view_z, g->cfg.classes ? run->view_labels : NULL, GP_RUN_VIEW_COUNT, run->view_images);
    gp_grid_render(run->view_gray, snap_channels(g), run->view_images, GP_RUN_VIEW_COUNT, GP_RUN_VIEW_COLS, g->image.c,
                   g->image.h, g->image.w);
    gp_history_push_snapshot(&run->hist, (uint32_t)g->stats.step, run->view_gray);
    run->spent_snapshot += now(run) - t;
}

int gp_run_measure(gp_run *run) {
    double t = now(run);
    int done = 0;
    gp_gan *g = &run->gan;
    if (run->dist && is_2d(g)) {
        if (gp_2d_evaluate(g, run->dist, run->policy.measure_count, run->policy.measure_seed, &run->eval_2d, NULL) == GP_OK) {
            run->has_eval_2d = 1;
            gp_history_push_measure(&run->hist, (float)run->rounds, (float)run->eval_2d.kl, (float)run->eval_2d.js);
            done = 1;
        }
    } else if (run->clf && run->ref) {
        if (gp_score_model(run->clf, run->ref, g, run->policy.measure_count, run->policy.measure_seed, -1, &run->quality,
                           NULL) == GP_OK) {
            run->has_quality = 1;
            run->quality_step = g->stats.step;
            gp_history_push_measure(&run->hist, (float)g->stats.step, (float)run->quality.fd, NAN);
            done = 1;
        }
    }
    run->last_measure = now(run);
    run->spent_measure += run->last_measure - t;
    return done;
}

/* A chart point: x counts network updates (D steps + G steps; 2-D: rounds),
 * so that a D step alone and a G step alone both move it; a step plots only
 * the values it computed (NaN for the others): a D step the D loss, D(x) and
 * D(G(z)); a G step the G loss and D(G(z)) as G saw it after D's update. */
static void chart_point(gp_run *run, int kind) {
    const gp_gan_stats *st = &run->gan.stats;
    float x = is_2d(&run->gan) ? (float)run->rounds : (float)(st->step + st->d_step);
    float p[GP_HISTORY_POINT] = {x, st->d_loss, st->g_loss, st->d_real, st->d_fake};
    if (kind == GP_RUN_D_STEP) p[2] = NAN;
    if (kind == GP_RUN_G_STEP) p[1] = p[3] = NAN, p[4] = st->g_fake;
    gp_history_push_point(&run->hist, p);
    if (run->n_turn_points < GP_RUN_TURN_POINTS)
        memcpy(run->turn_points + (size_t)run->n_turn_points++ * GP_HISTORY_POINT, p, sizeof p);
}

static gp_status need_training(gp_run *run, gp_err *err) {
    if (!run->has_gan) return gp_fail(err, GP_ERR_ARG, "no model: create or load one first");
    if (!run->gan.has_d)
        return gp_fail(err, GP_ERR_ARG, "this model file holds a generator only; it can sample but not train");
    if (is_2d(&run->gan) ? !run->dist : !run->ds || run->ds->count == 0)
        return gp_fail(err, GP_ERR_ARG, is_2d(&run->gan) ? "no 2-D distribution chosen" : "no dataset loaded");
    if (run->halted)
        return gp_fail(err, GP_ERR_NAN, "training stopped because a loss became NaN; return to the last good state or start anew");
    gp_status can = gp_gan_can_train(&run->gan, err); /* e.g. units of G switched off */
    if (can != GP_OK) return can;
    return is_2d(&run->gan) ? GP_OK : gp_gan_check_data(&run->gan, run->ds, err);
}

/* The training call itself: a step of a kind, as the page's buttons and the CLI take it. */
static gp_status train(gp_run *run, int kind, gp_err *err) {
    gp_gan *g = &run->gan;
    if (is_2d(g)) {
        gp_status st;
        if (kind == GP_RUN_D_STEP) {
            st = gp_2d_d_step(g, run->dist, err);
            if (run->trace) gp_2d_trace_d(g, run->trace);
            if (st == GP_OK) run->half_g = 0;
        } else if (kind == GP_RUN_G_STEP) {
            st = gp_gan_g_step_after_d(g, err);
            if (run->trace) gp_2d_trace_g(g, run->trace);
            /* D steps by hand then g_steps G steps make a round too (slow motion's) */
            if (st == GP_OK && run->half_g >= 0 && ++run->half_g >= g->cfg.g_steps) run->rounds++, run->half_g = -1;
        } else {
            st = gp_2d_round(g, run->dist, err);
            if (st == GP_OK) run->rounds++, run->half_g = -1;
        }
        return st;
    }
    if (kind == GP_RUN_D_STEP) return gp_gan_d_step(g, run->ds, err);
    if (kind == GP_RUN_G_STEP) return gp_gan_g_step(g, err);
    return gp_gan_train_step(g, run->ds, err);
}

static void halt(gp_run *run, const gp_err *why, gp_run_turn *out) {
    run->halted = 1;
    run->running = 0;
    run->halt = *why;
    out->halted = 1;
    out->next_ms = -1.0;
}

/* One step and what is due after it by the step count: the chart point
 * (unless points come per turn), a snapshot, a measurement, a checkpoint. */
static gp_status one_step(gp_run *run, int kind, int per_turn, gp_run_turn *out, gp_err *err) {
    gp_err why = {{0}};
    double t = now(run);
    gp_status st = train(run, kind, &why);
    run->spent_train += now(run) - t;
    if (st == GP_ERR_NAN) {
        halt(run, &why, out);
        return GP_OK;
    }
    if (st != GP_OK) {
        if (err) *err = why;
        return st;
    }
    run->since_keep++;
    if (!per_turn) {
        chart_point(run, kind);
        out->points++;
    }
    long n = gp_run_steps(run);
    const gp_run_policy *p = &run->policy;
    if (kind != GP_RUN_D_STEP && p->snap_every && n % p->snap_every == 0 && run->view_gray) {
        take_snapshot(run);
        out->snapshots++;
    }
    if (kind != GP_RUN_D_STEP && p->measure_every && n % p->measure_every == 0 && gp_run_measure(run)) out->measured = 1;
    if (p->keep_every && kind == GP_RUN_STEP && n % p->keep_every == 0) {
        int kept = 0;
        st = gp_run_keep(run, 0, &kept, err);
        if (st != GP_OK) return st;
        out->kept |= kept;
    }
    return GP_OK;
}

/* ---- turns ------------------------------------------------------------------------- */

gp_status gp_run_start(gp_run *run, gp_err *err) {
    gp_status st = need_training(run, err);
    if (st != GP_OK) return st;
    if (!run->good) { /* a state to come back to, whatever happens next */
        int kept;
        st = gp_run_keep(run, 1, &kept, err);
        if (st != GP_OK) return st;
    }
    double t = now(run);
    run->running = 1;
    run->debt = 1.0; /* at a set speed the first step comes at once */
    run->last_turn = t;
    run->last_keep = t;
    run->rate_len = 0;
    run->rate_steps = 0;
    run->rate = 0.0;
    run->started = t;
    run->spent_train = run->spent_snapshot = run->spent_measure = run->spent_keep = 0.0;
    return GP_OK;
}

void gp_run_pause(gp_run *run) {
    run->running = 0;
    run->rate = 0.0;
}

static void update_rate(gp_run *run, double t, int steps) {
    run->rate_steps += steps;
    if (run->rate_len == GP_RUN_RATE_LOG) { /* the oldest goes */
        memmove(run->rate_t, run->rate_t + 1, sizeof(double) * (GP_RUN_RATE_LOG - 1));
        memmove(run->rate_n, run->rate_n + 1, sizeof(long) * (GP_RUN_RATE_LOG - 1));
        run->rate_len--;
    }
    run->rate_t[run->rate_len] = t;
    run->rate_n[run->rate_len++] = run->rate_steps;
    int drop = 0;
    while (run->rate_len - drop > 2 && t - run->rate_t[drop + 1] > run->policy.rate_ms) drop++;
    if (drop) {
        memmove(run->rate_t, run->rate_t + drop, sizeof(double) * (size_t)(run->rate_len - drop));
        memmove(run->rate_n, run->rate_n + drop, sizeof(long) * (size_t)(run->rate_len - drop));
        run->rate_len -= drop;
    }
    double span = t - run->rate_t[0];
    run->rate = run->rate_len > 1 && span > 0 ? (double)(run->rate_steps - run->rate_n[0]) * 1000.0 / span : 0.0;
}

/* How many steps this turn may take: at a set speed, the steps owed. */
static long turn_budget(gp_run *run, double t) {
    const gp_run_policy *p = &run->policy;
    if (!(p->speed > 0)) return GP_RUN_TURN_POINTS;
    run->debt += p->speed * (t - run->last_turn) / 1000.0;
    double most = p->speed > 1.0 ? p->speed : 1.0; /* a stalled machine does not owe more than a second */
    if (run->debt > most) run->debt = most;
    long n = (long)floor(run->debt);
    return n < GP_RUN_TURN_POINTS ? n : GP_RUN_TURN_POINTS;
}

/* The step cap, or the clock time once the run took a step since Start (so
 * that a time too short for one step still trains one: a model trained for
 * no step has no losses to show). */
static int limit_reached(const gp_run *run, double t, long taken) {
    return (run->stop_at > 0 && gp_run_steps(run) >= run->stop_at) || (run->stop_ms > 0 && t >= run->stop_ms && taken > 0);
}

gp_status gp_run_turn_once(gp_run *run, gp_run_turn *out, gp_err *err) {
    memset(out, 0, sizeof *out);
    out->next_ms = -1.0;
    run->n_turn_points = 0;
    if (!run->running || run->halted) return GP_OK;
    gp_status st = need_training(run, err);
    if (st != GP_OK) {
        run->running = 0;
        return st;
    }
    const gp_run_policy *p = &run->policy;
    double t0 = now(run), t = t0;
    long budget = turn_budget(run, t0);
    run->last_turn = t0;
    while (out->steps < budget) {
        if (limit_reached(run, t, run->rate_steps + out->steps)) {
            run->running = 0;
            break;
        }
        st = one_step(run, GP_RUN_STEP, p->point_per_turn, out, err);
        if (st != GP_OK) {
            run->running = 0;
            return st;
        }
        if (out->halted) break;
        out->steps++;
        t = now(run);
        if (p->speed > 0) {
            if (t - t0 > 250.0) break; /* a slow machine at a set speed still answers */
        } else if (p->turn_ms > 0 && t - t0 >= p->turn_ms) {
            break;
        }
        if (p->turn_steps && (run->rate_steps + out->steps) % p->turn_steps == 0) break;
        if (out->kept) break; /* a checkpoint ends the turn: the CLI writes it now */
    }
    if (p->speed > 0) run->debt -= out->steps;
    if (limit_reached(run, t, run->rate_steps + out->steps)) run->running = 0;
    if (p->point_per_turn && out->steps) {
        chart_point(run, GP_RUN_STEP);
        out->points++;
    }
    t = now(run);
    update_rate(run, t, out->steps);
    if (out->halted) return GP_OK;
    if (p->measure_ms > 0 && out->steps && t - run->last_measure >= p->measure_ms && gp_run_measure(run)) out->measured = 1;
    /* the views, when due and when the model changed since they were drawn */
    long updates = run->gan.stats.step + run->gan.stats.d_step;
    if (p->grid_ms > 0 && t - run->last_grid >= p->grid_ms && updates != run->grid_updates) {
        out->draw_grid = 1;
        run->last_grid = t;
        run->grid_updates = updates;
    }
    if (p->realfake_ms > 0 && t - run->last_realfake >= p->realfake_ms && updates != run->realfake_updates) {
        out->draw_realfake = 1;
        run->last_realfake = t;
        run->realfake_updates = updates;
    }
    if (p->keep_ms > 0 && t - run->last_keep >= p->keep_ms) {
        int kept = 0;
        st = gp_run_keep(run, 0, &kept, err);
        if (st != GP_OK) {
            run->running = 0;
            return st;
        }
        out->kept |= kept;
    }
    if (run->running) {
        double wait = 0.0;
        if (p->speed > 0) {
            wait = 1000.0 / p->speed;
            if (wait < p->frame_ms) wait = p->frame_ms;
            if (p->slow_ms > 0 && wait > p->slow_ms) wait = p->slow_ms;
            wait -= now(run) - t0;
            if (wait < 0) wait = 0;
        }
        out->next_ms = wait;
    }
    return GP_OK;
}

gp_status gp_run_step(gp_run *run, int kind, gp_run_turn *out, gp_err *err) {
    memset(out, 0, sizeof *out);
    out->next_ms = -1.0;
    run->n_turn_points = 0;
    if (kind != GP_RUN_STEP && kind != GP_RUN_D_STEP && kind != GP_RUN_G_STEP)
        return gp_fail(err, GP_ERR_ARG, "a step is whole (0), D (1) or G (2), not %d", kind);
    if (run->running) return gp_fail(err, GP_ERR_ARG, "pause training first");
    gp_status st = need_training(run, err);
    if (st != GP_OK) return st;
    st = one_step(run, kind, 0, out, err);
    if (st != GP_OK || out->halted) return st;
    out->steps = 1;
    /* a step while paused is watched closely: its measurement (2-D) and the views at once */
    if (run->policy.measure_ms > 0 && gp_run_measure(run)) out->measured = 1;
    out->draw_grid = out->draw_realfake = 1;
    return GP_OK;
}

/* ---- keeping and returning ------------------------------------------------------ */

gp_status gp_run_save(gp_run *run, int kind, uint8_t **out, size_t *len, gp_err *err) {
    if (!run->has_gan) return gp_fail(err, GP_ERR_ARG, "no model to save");
    if (kind == GP_SAVE_TRAINING && run->gan.has_d) {
        size_t n = gp_history_write(&run->hist, NULL);
        uint8_t *bytes = malloc(n);
        if (!bytes) return gp_fail(err, GP_ERR_NOMEM, "out of memory for the run's history (%zu bytes)", n);
        gp_history_write(&run->hist, bytes);
        gp_status st = gp_gan_set_history(&run->gan, bytes, n, err);
        free(bytes);
        if (st != GP_OK) return st;
    }
    return gp_model_save(&run->gan, kind, out, len, err);
}

gp_status gp_run_keep(gp_run *run, int force, int *kept, gp_err *err) {
    *kept = 0;
    run->last_keep = now(run);
    if (!run->has_gan || !run->gan.has_d || run->halted) return GP_OK;
    if (!run->since_keep && !force && run->good) return GP_OK;
    double t = now(run);
    uint8_t *bytes;
    size_t len;
    gp_status st = gp_run_save(run, GP_SAVE_TRAINING, &bytes, &len, err);
    if (st != GP_OK) return st;
    drop_good(run);
    run->good = bytes;
    run->good_len = len;
    run->good_step = gp_run_steps(run);
    run->since_keep = 0;
    run->spent_keep += now(run) - t;
    *kept = 1;
    return GP_OK;
}

gp_status gp_run_save_file(gp_run *run, int kind, const char *path, gp_err *err) {
    uint8_t *bytes;
    size_t len;
    gp_status st = gp_run_save(run, kind, &bytes, &len, err);
    if (st != GP_OK) return st;
    st = gp_write_file_atomic(path, bytes, len, err);
    free(bytes);
    return st;
}

gp_status gp_run_save_2d(gp_run *run, const char *lesson, uint64_t frame_seed, uint8_t **out, size_t *len, gp_err *err) {
    *out = NULL;
    *len = 0;
    if (!run->has_gan || !is_2d(&run->gan) || !run->dist) return gp_fail(err, GP_ERR_ARG, "no 2-D run to save");
    if (lesson && strlen(lesson) >= GP_NAME_LEN) return gp_fail(err, GP_ERR_ARG, "lesson name too long");
    gp_2d_state *st = calloc(1, sizeof *st);
    if (!st) return gp_fail(err, GP_ERR_NOMEM, "out of memory saving the 2-D run");
    st->dist = *run->dist;
    if (lesson) memcpy(st->lesson, lesson, strlen(lesson));
    st->rounds = run->rounds;
    st->frame_seed = frame_seed;
    st->n_js = run->hist.n_measures; /* at most GP_HISTORY_KEEP_MEASURES: the history thins past it */
    for (uint32_t i = 0; i < st->n_js; i++) st->js[i] = run->hist.measures[(size_t)i * GP_HISTORY_MEASURE + 2];
    size_t n = gp_history_write(&run->hist, NULL);
    uint8_t *hist = malloc(n);
    gp_status s = hist ? gp_gan_set_history(&run->gan, hist, gp_history_write(&run->hist, hist), err)
                       : gp_fail(err, GP_ERR_NOMEM, "out of memory for the run's history (%zu bytes)", n);
    free(hist);
    if (s == GP_OK) s = gp_model_save_2d(&run->gan, st, out, len, err);
    free(st);
    return s;
}

gp_status gp_run_check_2d(const uint8_t *bytes, size_t len, gp_err *err) {
    gp_gan gan;
    gp_2d_state *st = malloc(sizeof *st);
    if (!st) return gp_fail(err, GP_ERR_NOMEM, "out of memory opening a 2-D run");
    gp_status s = gp_model_load_2d(&gan, st, bytes, len, err);
    if (s == GP_OK) s = timeline_fits(&gan, 0, 0, err);
    gp_gan_free(&gan);
    free(st);
    return s;
}

gp_status gp_run_open_2d(gp_run *run, gp_2d_dist *dist, gp_2d_state *st, const uint8_t *bytes, size_t len, gp_err *err) {
    gp_gan gan;
    gp_2d_state *tmp = malloc(sizeof *tmp);
    if (!tmp) return gp_fail(err, GP_ERR_NOMEM, "out of memory opening a 2-D run");
    gp_status s = gp_model_load_2d(&gan, tmp, bytes, len, err);
    if (s == GP_OK && (s = gp_run_adopt(run, &gan, err)) != GP_OK) gp_gan_free(&gan);
    if (s == GP_OK) {
        *dist = tmp->dist;
        *st = *tmp;
        run->dist = dist;
        run->rounds = tmp->rounds;
        for (uint32_t i = 0; i < tmp->n_js && i < run->hist.n_measures; i++)
            run->hist.measures[(size_t)i * GP_HISTORY_MEASURE + 2] = tmp->js[i];
        /* the readouts as they were: the same measurement, no new chart row */
        run->has_eval_2d = gp_2d_evaluate(&run->gan, dist, run->policy.measure_count, run->policy.measure_seed,
                                          &run->eval_2d, NULL) == GP_OK;
    }
    free(tmp);
    return s;
}

gp_status gp_run_restore(gp_run *run, gp_err *err) {
    if (!run->good) return gp_fail(err, GP_ERR_ARG, "there is no earlier good state to return to");
    gp_gan gan;
    gp_status st = gp_model_load_state(&gan, run->good, run->good_len, err);
    if (st != GP_OK) return st;
    /* the run's own state stays: the good state, the timers; its model and history go back */
    uint8_t *good = run->good;
    size_t good_len = run->good_len;
    long good_step = run->good_step, rounds = run->rounds;
    run->good = NULL;
    st = gp_run_adopt(run, &gan, err);
    if (st != GP_OK) {
        gp_gan_free(&gan);
        run->good = good;
        return st;
    }
    run->good = good;
    run->good_len = good_len;
    run->good_step = good_step;
    if (is_2d(&run->gan)) run->rounds = rounds < good_step ? rounds : good_step;
    return GP_OK;
}

/* ---- for people and pages --------------------------------------------------------- */

static void stats_json(const gp_run *run, gp_json *j) {
    const gp_gan_stats *s = &run->gan.stats;
    gp_json_kint(j, "step", s->step);
    gp_json_kint(j, "d_step", s->d_step);
    gp_json_kint(j, "rounds", run->rounds);
    gp_json_knum(j, "d_loss", s->d_loss);
    gp_json_knum(j, "g_loss", s->g_loss);
    gp_json_knum(j, "d_real", s->d_real);
    gp_json_knum(j, "d_fake", s->d_fake);
    gp_json_knum(j, "g_fake", s->g_fake);
    gp_json_knum(j, "class_acc", s->class_acc);
    gp_json_knum(j, "penalty", s->penalty);
    gp_json_kbool(j, "probability", GP_LOSSES[run->gan.cfg.loss].probability);
}

static void measure_json(const gp_run *run, gp_json *j) {
    gp_json_open(j, '{');
    if (is_2d(&run->gan)) {
        gp_json_kint(j, "round", run->rounds);
        gp_2d_eval_json(&run->eval_2d, run->policy.measure_count, j);
    } else {
        gp_json_kint(j, "step", run->quality_step);
        gp_quality_json(&run->quality, j);
    }
    gp_json_close(j, '}');
}

static void timeline_json(const gp_run *run, gp_json *j) {
    gp_json_key(j, "timeline");
    gp_json_open(j, '[');
    for (uint32_t k = 0; k < run->hist.n_snaps; k++) gp_json_int(j, run->hist.snap_steps[k]);
    gp_json_close(j, ']');
}

void gp_run_turn_json(const gp_run *run, const gp_run_turn *t, gp_json *j) {
    gp_json_open(j, '{');
    gp_json_kbool(j, "running", run->running);
    gp_json_kbool(j, "halted", run->halted);
    gp_json_kstr(j, "message", run->halted ? run->halt.msg : NULL);
    if (run->has_gan) stats_json(run, j);
    gp_json_kint(j, "steps", t->steps);
    double rate = run->running ? run->rate : 0.0;
    gp_json_knum(j, "steps_per_s", rate);
    gp_json_knum(j, "images_per_s", run->has_gan ? rate * run->gan.cfg.batch : 0.0);
    gp_json_key(j, "points");
    gp_json_nums(j, run->turn_points, (size_t)run->n_turn_points * GP_HISTORY_POINT, 1);
    gp_json_key(j, "measured");
    if (t->measured) measure_json(run, j);
    else gp_json_null(j);
    gp_json_kint(j, "snapshots", t->snapshots);
    if (t->snapshots) timeline_json(run, j);
    gp_json_kbool(j, "draw_grid", t->draw_grid);
    gp_json_kbool(j, "draw_realfake", t->draw_realfake);
    gp_json_kbool(j, "kept", t->kept);
    gp_json_kint(j, "good_step", run->good ? run->good_step : -1);
    gp_json_knum(j, "next_ms", t->next_ms);
    gp_json_close(j, '}');
}

void gp_run_history_json(const gp_run *run, gp_json *j) {
    gp_json_open(j, '{');
    if (run->has_gan) stats_json(run, j);
    gp_json_key(j, "points");
    gp_json_nums(j, run->hist.points, (size_t)run->hist.n_points * GP_HISTORY_POINT, 1);
    gp_json_key(j, "measures");
    gp_json_nums(j, run->hist.measures, (size_t)run->hist.n_measures * GP_HISTORY_MEASURE, 1);
    timeline_json(run, j);
    gp_json_key(j, "last_measure");
    if (run->has_quality || run->has_eval_2d) measure_json(run, j);
    else gp_json_null(j);
    gp_json_kint(j, "good_step", run->good ? run->good_step : -1);
    gp_json_close(j, '}');
}

void gp_run_policy_json(const gp_run_policy *p, gp_json *j) {
    gp_json_open(j, '{');
    gp_json_kstr(j, "name", p->name);
    gp_json_knum(j, "turn_ms", p->turn_ms);
    gp_json_knum(j, "speed", p->speed);
    gp_json_kint(j, "snap_every", p->snap_every);
    gp_json_kint(j, "measure_every", p->measure_every);
    gp_json_knum(j, "measure_ms", p->measure_ms);
    gp_json_kint(j, "measure_count", p->measure_count);
    gp_json_kint(j, "measure_seed", (long long)p->measure_seed);
    gp_json_knum(j, "keep_ms", p->keep_ms);
    gp_json_knum(j, "grid_ms", p->grid_ms);
    gp_json_knum(j, "realfake_ms", p->realfake_ms);
    gp_json_knum(j, "rate_ms", p->rate_ms);
    gp_json_kint(j, "view_count", GP_RUN_VIEW_COUNT);
    gp_json_kint(j, "view_cols", GP_RUN_VIEW_COLS);
    gp_json_key(j, "speeds");
    gp_json_open(j, '[');
    for (int i = 0; i < GP_N_RUN_SPEEDS; i++) gp_json_num(j, GP_RUN_SPEEDS[i]);
    gp_json_close(j, ']');
    gp_json_key(j, "snap_choices");
    gp_json_open(j, '[');
    for (int i = 0; i < GP_N_RUN_SNAP_CHOICES; i++) gp_json_int(j, GP_RUN_SNAP_CHOICES[i]);
    gp_json_close(j, ']');
    gp_json_key(j, "point_columns");
    gp_json_open(j, '[');
    for (int i = 0; i < GP_HISTORY_POINT; i++) gp_json_str(j, POINT_COLUMNS[i]);
    gp_json_close(j, ']');
    gp_json_close(j, '}');
}

int gp_run_snapshot_rgba(const gp_run *run, uint32_t k, uint8_t *rgba) {
    const gp_history *h = &run->hist;
    if (k >= h->n_snaps || !h->snaps) return 0;
    int c = snap_channels(&run->gan);
    size_t each = (size_t)h->snap_h * h->snap_w, n = each / (size_t)c;
    const uint8_t *px = h->snaps + k * each;
    for (size_t i = 0; i < n; i++) {
        for (int ch = 0; ch < 3; ch++) rgba[4 * i + ch] = px[c * i + (c == 3 ? ch : 0)];
        rgba[4 * i + 3] = 255;
    }
    return h->snap_w / c;
}
