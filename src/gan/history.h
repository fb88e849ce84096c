/* history.h: what a training run showed, kept with its training state so
 * that a reopened or resumed run has its charts and its timeline back.
 *
 * The bytes (little-endian) are the model file's history section:
 *   u32 chart points P; P x 5 f32: network updates (D steps + G steps),
 *       D loss, G loss, mean D(x), mean D(G(z)) (NaN where that update did
 *       not compute the value: a D step has no G loss);
 *   u32 FD points F; F x 2 f32: G step, FD;
 *   u32 snapshots K, u32 height H, u32 width W; K x (u32 G step, H*W
 *       uint8 gray pixels of the sample grid at that step).
 * The page writes them; the core checks them whole before keeping them. */
#ifndef GP_HISTORY_H
#define GP_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

#define GP_HISTORY_MAX_POINTS (1u << 22)
#define GP_HISTORY_MAX_FD (1u << 16)
#define GP_HISTORY_MAX_SNAPSHOTS 256u
#define GP_HISTORY_MAX_SIDE 2048u

typedef struct {
    uint32_t points, fd_points, snapshots, snap_h, snap_w;
} gp_history_info;

/* Checks that bytes hold exactly one history as above (every count within
 * its limit, the length what the counts imply, steps not decreasing);
 * fills info. */
gp_status gp_history_check(const uint8_t *bytes, size_t len, gp_history_info *info, gp_err *err);

#endif
