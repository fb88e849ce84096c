/* run.h: a training run, the loop the page and the CLI share.
 *
 * A run owns the model on show and borrows what it trains on (an image
 * dataset or a 2-D distribution) and, optionally, the classifier that
 * measures it. Training goes in turns: one turn trains for a budget (a few
 * milliseconds on the page, so that it stays responsive; a number of steps
 * on the command line) at full speed or at a set speed, and does what the
 * run's policy says is due: a chart point per step (or per turn in 2-D), a
 * snapshot of the sample grid every so many G steps, a measurement (the
 * FD, or KL and JS in 2-D), a last good training state now and then. A
 * non-finite loss halts the run; the last good state brings it back. The
 * history (history.h) goes into every training state the run saves, so a
 * state trained by `ganplay train` opens on the page with its charts.
 *
 * Time comes from run->clock (gp_now_ms unless a test sets another).
 * Nothing here allocates while it trains: the history, the snapshot's
 * buffers and the turn's points are allocated when the model is adopted;
 * keeping a good state serializes the model (between steps). */
#ifndef GP_RUN_H
#define GP_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "base/json.h"
#include "base/status.h"
#include "data/dataset.h"
#include "eval/classifier.h"
#include "eval/fd.h"
#include "gan/gan.h"
#include "gan/history.h"
#include "gan/2d.h"
#include "store/modelfile.h"

#define GP_RUN_TURN_POINTS 1024 /* most steps in one turn (their chart points go out with it) */
#define GP_RUN_RATE_LOG 256     /* turn ends remembered for the rate */
#define GP_RUN_VIEW_COUNT 64    /* the sample grid: 64 samples in 8 columns */
#define GP_RUN_VIEW_COLS 8

/* What one step of a run is: a whole step (or 2-D round), one D step, one G step. */
typedef enum { GP_RUN_STEP = 0, GP_RUN_D_STEP = 1, GP_RUN_G_STEP = 2 } gp_run_step_kind;

/* The run's policy: every number that says when what happens. */
typedef struct {
    const char *name;    /* "page", "page_2d", "cli" */
    double turn_ms;      /* training time per turn at full speed (0: turn_steps decides) */
    long turn_steps;     /* turns end at every multiple of this many steps since Start (0: turn_ms decides) */
    double frame_ms;     /* at a set speed: turns at least this far apart ... */
    double slow_ms;      /* ... and at most this far (so that a new speed takes hold soon) */
    double speed;        /* steps (2-D: rounds) per second; 0: as fast as possible */
    long snap_every;     /* G steps between snapshots of the sample grid; 0: none */
    long measure_every;  /* G steps between measurements; 0: by measure_ms */
    double measure_ms;   /* time between measurements (2-D); 0: by measure_every */
    int measure_count;   /* samples per measurement */
    uint64_t measure_seed;
    double keep_ms;      /* time between last good states (the page autosaves each); 0: by keep_every */
    long keep_every;     /* steps between last good states (checkpoints); 0: by keep_ms */
    double grid_ms;      /* time between redraws of the sample grid while training (page) */
    double realfake_ms;  /* time between redraws of D's view of real and generated images (page) */
    double rate_ms;      /* steps/s is measured over about this long */
    int point_per_turn;  /* 1: one chart point per turn (2-D rounds are fast), 0: one per step */
} gp_run_policy;

extern const gp_run_policy GP_RUN_POLICIES[];
extern const int GP_N_RUN_POLICIES;
/* The policy of that name, or NULL. */
const gp_run_policy *gp_run_policy_find(const char *name);

/* The steps per second a page offers, slowest first; 0 (last) is as fast as possible. */
extern const double GP_RUN_SPEEDS[];
extern const int GP_N_RUN_SPEEDS;
/* The snapshot intervals a page offers (G steps). */
extern const long GP_RUN_SNAP_CHOICES[];
extern const int GP_N_RUN_SNAP_CHOICES;

/* What one turn (or one step) did. */
typedef struct {
    int steps;          /* steps (2-D: rounds) trained */
    int points;         /* chart points pushed: run->turn_points */
    int measured;       /* 1: a new measurement (run->quality or run->eval_2d, and the history's last row) */
    int snapshots;      /* snapshots taken (the history's last ones) */
    int draw_grid;      /* the page's sample grid is due for a redraw */
    int draw_realfake;  /* D's view is due */
    int kept;           /* 1: a new last good state (run->good) */
    int halted;         /* a loss became non-finite: the run stopped (run->halt says why) */
    double next_ms;     /* the next turn in this many ms; < 0: none (paused, halted or done) */
} gp_run_turn;

typedef struct {
    gp_gan gan;         /* the model on show (owned) */
    int has_gan;
    const gp_dataset *ds;       /* what an image model trains on (borrowed) */
    const gp_2d_dist *dist;         /* what a 2-D model trains on (borrowed) */
    gp_classifier *clf;         /* the FD's classifier and its reference (borrowed; NULL: no FD) */
    const gp_feature_stats *ref;
    gp_2d_trace *trace;        /* 2-D: one D or G step's batch is kept here (borrowed; NULL: not kept) */
    gp_threads *threads;        /* the kernels' pool (borrowed; NULL: the caller's thread) */
    gp_run_policy policy;
    uint64_t view_seed;         /* the samples the grid and its snapshots show */
    int view_label;             /* a conditional model's class there; -1: classes in turn */
    gp_history hist;
    int running;
    int halted;
    gp_err halt;                /* why it halted */
    long rounds;                /* 2-D rounds trained (image runs: 0), by hand half-step by half-step too */
    int half_g;                 /* 2-D: G steps taken by hand since a D step by hand (-1: none pending) */
    long since_keep;            /* steps since the last good state */
    long stop_at;               /* total steps (rounds) after which turns stop; 0: none */
    double stop_ms;             /* clock time after which turns stop; 0: none */
    uint8_t *good;              /* the last good training state (a model file, history inside) */
    size_t good_len;
    long good_step;
    double debt;                /* steps owed at a set speed */
    double last_turn, last_grid, last_realfake, last_keep, last_measure;
    long grid_updates, realfake_updates; /* D + G steps when the views were last due */
    double rate_t[GP_RUN_RATE_LOG];
    long rate_n[GP_RUN_RATE_LOG];
    int rate_len;
    long rate_steps;            /* steps counted for the rate since the start */
    double rate;                /* steps (rounds) per second over the last rate_ms */
    double started;             /* when the run started (for spent) */
    double spent_train, spent_snapshot, spent_measure, spent_keep; /* ms since the start */
    gp_quality quality;         /* the last FD measurement */
    long quality_step;
    int has_quality;
    gp_2d_eval eval_2d;       /* the last 2-D measurement */
    int has_eval_2d;
    float turn_points[GP_RUN_TURN_POINTS * GP_HISTORY_POINT]; /* this turn's chart points */
    int n_turn_points;
    /* the sample grid of a snapshot */
    float *view_z, *view_images;
    int *view_labels;
    uint8_t *view_gray;
    int view_w, view_h;
    double (*clock)(void);
} gp_run;

/* An empty run with a policy (the model comes with gp_run_adopt). */
void gp_run_init(gp_run *run, const gp_run_policy *policy);
void gp_run_free(gp_run *run);

/* Makes gan the run's model (taking it over; on success the caller's gan is
 * zeroed): its history, if the file brought one, becomes the run's, and the
 * halt, the last good state and the rate start afresh. A history whose
 * snapshots are not of this model's sample grid (a 2-D model has none), or
 * that has a snapshot past the model's step, is refused (GP_ERR_FORMAT).
 * On failure the run and gan are unchanged and gan is still the caller's. */
gp_status gp_run_adopt(gp_run *run, gp_gan *gan, gp_err *err);
/* Whether a model file would be adopted (gp_model_load, then what
 * gp_run_adopt checks of its history), without touching any run: the page
 * asks before it asks whether to replace the model on show. */
gp_status gp_run_check_file(const uint8_t *bytes, size_t len, gp_err *err);
/* Drops the model (and its history). */
void gp_run_drop(gp_run *run);

/* The run's data: an image dataset, or a 2-D distribution (NULL: none). */
void gp_run_set_images(gp_run *run, const gp_dataset *ds);
void gp_run_set_2d(gp_run *run, const gp_2d_dist *dist);
/* The FD's classifier and its reference statistics (NULL: no FD). */
void gp_run_set_scorer(gp_run *run, gp_classifier *clf, const gp_feature_stats *ref);
/* Caps the training: total steps (0: no cap) and a clock time (0: none;
 * a run started takes at least one step before it stops for the time). */
void gp_run_set_limits(gp_run *run, long stop_at, double stop_ms);
/* The pool the model's layers use (results do not depend on it). */
void gp_run_set_threads(gp_run *run, gp_threads *threads);
/* What a person sets on a run: "speed" (steps per second, 0: as fast as
 * possible), "snap_every", "measure_every" (steps; 0: never), "view_seed"
 * and "view_label" (the samples the grid and its snapshots show; -1:
 * classes in turn). A refused value changes nothing. */
gp_status gp_run_set(gp_run *run, const char *key, double value, gp_err *err);

/* Start: checks that the run can train, keeps a first good state if there
 * is none yet, and starts the rate and the turns' timers. Pause: no more
 * turns. */
gp_status gp_run_start(gp_run *run, gp_err *err);
void gp_run_pause(gp_run *run);
/* Measures the model now: the FD (an image model with a scorer) or KL, JS
 * and coverage (2-D). Returns 1 if it did (a measurement that cannot be made
 * is skipped: the FD is an extra). */
int gp_run_measure(gp_run *run);

/* One turn: trains within the budget and does what is due. A non-finite
 * loss halts the run (out->halted; the status is still GP_OK: the halt is
 * an outcome, not a failure); any other failure returns its status with
 * the run paused. */
gp_status gp_run_turn_once(gp_run *run, gp_run_turn *out, gp_err *err);
/* One step of a kind while the run is paused (its chart point, snapshot
 * and measurement as a turn's). */
gp_status gp_run_step(gp_run *run, int kind, gp_run_turn *out, gp_err *err);

/* Keeps the model as the last good state (with the history), if it
 * trained since the last one or force is set; never a halted one. Returns
 * GP_OK with *kept 0 when there was nothing to keep. */
gp_status gp_run_keep(gp_run *run, int force, int *kept, gp_err *err);
/* Goes back to the last good state: the model, its history; the halt is
 * lifted. */
gp_status gp_run_restore(gp_run *run, gp_err *err);
/* The model's file (a gp_save_kind) in a malloc'ed buffer; a training
 * state carries the run's history. */
gp_status gp_run_save(gp_run *run, int kind, uint8_t **out, size_t *len, gp_err *err);

/* The same, written to path whole or not at all (gp_write_file_atomic). */
gp_status gp_run_save_file(gp_run *run, int kind, const char *path, gp_err *err);

/* A 2-D run's file (gp_model_save_2d): the model, its history, and the
 * plane: the run's distribution, rounds and measurements' JS, with lesson
 * (NULL or "": none) and frame_seed (the fakes the view draws). */
gp_status gp_run_save_2d(gp_run *run, const char *lesson, uint64_t frame_seed, uint8_t **out, size_t *len, gp_err *err);
/* Whether gp_run_open_2d would take the file, without touching any run. */
gp_status gp_run_check_2d(const uint8_t *bytes, size_t len, gp_err *err);
/* Opens a 2-D run's file: its model and history become the run's, its
 * rounds and its measurements' JS come back, its distribution is written to
 * *dist (which the run then borrows) and the model is measured (eval_2d,
 * with no new chart row); *st gets the plane section. On failure the run,
 * *dist and *st are unchanged. */
gp_status gp_run_open_2d(gp_run *run, gp_2d_dist *dist, gp_2d_state *st, const uint8_t *bytes, size_t len, gp_err *err);

/* The model's step count for people: G steps of an image model, rounds of a 2-D one. */
long gp_run_steps(const gp_run *run);

/* The turn as JSON (one object, snake_case; see docs/architecture.md). */
void gp_run_turn_json(const gp_run *run, const gp_run_turn *t, gp_json *j);
/* The whole history (chart points, measurements, the snapshots' steps). */
void gp_run_history_json(const gp_run *run, gp_json *j);
/* The policy's numbers, the speeds and snapshot choices, the chart point columns. */
void gp_run_policy_json(const gp_run_policy *p, gp_json *j);

/* A snapshot of the timeline (index k, 0 = oldest) as RGBA (width x snap_h
 * x 4; a colour model's snapshots hold RGB, snap_w = 3 x width). Returns
 * the width in pixels, 0 if there is no such snapshot. */
int gp_run_snapshot_rgba(const gp_run *run, uint32_t k, uint8_t *rgba);

#endif
