/* history.h: what a training run showed, kept with its training state so
 * that a reopened or resumed run has its charts and its timeline back.
 *
 * In memory (gp_history): chart points, measurements and snapshots of the
 * sample grid, each bounded: past its limit, neighbouring rows are merged
 * in pairs (chart points and measurements: x of the later, the mean of the
 * values each computed) or every other snapshot is dropped (the newest
 * stays), so that a long run keeps its whole course at a coarser grain.
 *
 * The bytes (little-endian) are the model file's history section:
 *   u32 chart points P; P x 5 f32: network updates (D steps + G steps),
 *       D loss, G loss, mean D(x), mean D(G(z)) (NaN where that update did
 *       not compute the value: a D step has no G loss);
 *   u32 FD points F; F x 2 f32: G step, FD;
 *   u32 snapshots K, u32 height H, u32 width W; K x (u32 G step, H*W
 *       uint8 of the sample grid at that step: gray pixels, or for a
 *       colour model RGB triplets, W = 3 x the grid's width).
 * The core checks them whole before keeping them. */
#ifndef GP_HISTORY_H
#define GP_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

/* what a file may hold */
#define GP_HISTORY_MAX_POINTS (1u << 22)
#define GP_HISTORY_MAX_FD (1u << 16)
#define GP_HISTORY_MAX_SNAPSHOTS 256u
#define GP_HISTORY_MAX_SIDE 2048u
/* what a run keeps in memory before thinning */
#define GP_HISTORY_KEEP_POINTS 4096u
#define GP_HISTORY_KEEP_MEASURES 512u
#define GP_HISTORY_KEEP_SNAPSHOTS 64u

#define GP_HISTORY_POINT 5   /* floats per chart point */
#define GP_HISTORY_MEASURE 3 /* floats per measurement: x, value, second value (NaN if none) */

typedef struct {
    uint32_t points, fd_points, snapshots, snap_h, snap_w;
} gp_history_info;

/* Checks that bytes hold exactly one history as above (every count within
 * its limit, the length what the counts imply, steps not decreasing);
 * fills info. */
gp_status gp_history_check(const uint8_t *bytes, size_t len, gp_history_info *info, gp_err *err);

typedef struct {
    float *points;       /* n_points x GP_HISTORY_POINT */
    uint32_t n_points;
    float *measures;     /* n_measures x GP_HISTORY_MEASURE: FD points (x = G step), or 2-D KL and JS (x = round) */
    uint32_t n_measures;
    uint8_t *snaps;      /* n_snaps x snap_h x snap_w bytes: gray pixels, or RGB triplets */
    uint32_t *snap_steps;
    uint32_t n_snaps;
    int snap_h, snap_w;  /* 0 x 0: no snapshots */
    uint32_t thinned;    /* times the chart points were thinned (the page redraws them whole) */
} gp_history;

/* Room for the kept rows and snapshots of snap_h x snap_w (0 x 0: none);
 * nothing is allocated after this. On failure h is empty and freeable. */
gp_status gp_history_init(gp_history *h, int snap_h, int snap_w, gp_err *err);
void gp_history_free(gp_history *h);
void gp_history_clear(gp_history *h);
void gp_history_push_point(gp_history *h, const float point[GP_HISTORY_POINT]);
void gp_history_push_measure(gp_history *h, float x, float value, float second);
/* A snapshot at step (pixels: snap_h x snap_w); an earlier or equal step
 * replaces the snapshots from that step on. */
void gp_history_push_snapshot(gp_history *h, uint32_t step, const uint8_t *pixels);

/* The file's bytes: the length; writes them when out is not NULL. */
size_t gp_history_write(const gp_history *h, uint8_t *out);
/* Replaces h's rows with a checked file section's (len 0: empty). The
 * snapshots take the file's size if it differs (snapshot memory is
 * allocated again then); rows past the kept limits are thinned. On
 * failure h is unchanged. */
gp_status gp_history_read(gp_history *h, const uint8_t *bytes, size_t len, gp_err *err);

#endif
