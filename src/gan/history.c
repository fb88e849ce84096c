#include "gan/history.h"

static uint32_t u32_at(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

gp_status gp_history_check(const uint8_t *bytes, size_t len, gp_history_info *info, gp_err *err) {
    gp_history_info h = {0, 0, 0, 0, 0};
    size_t pos = 0;
    if (!bytes || len < 4) return gp_fail(err, GP_ERR_FORMAT, "history: too short for its chart point count");
    h.points = u32_at(bytes);
    pos = 4;
    if (h.points > GP_HISTORY_MAX_POINTS)
        return gp_fail(err, GP_ERR_FORMAT, "history: %u chart points (at most %u)", h.points, GP_HISTORY_MAX_POINTS);
    if (len - pos < (size_t)h.points * 20 + 4) return gp_fail(err, GP_ERR_FORMAT, "history: truncated in its chart points");
    pos += (size_t)h.points * 20;
    h.fd_points = u32_at(bytes + pos);
    pos += 4;
    if (h.fd_points > GP_HISTORY_MAX_FD)
        return gp_fail(err, GP_ERR_FORMAT, "history: %u FD points (at most %u)", h.fd_points, GP_HISTORY_MAX_FD);
    if (len - pos < (size_t)h.fd_points * 8 + 12) return gp_fail(err, GP_ERR_FORMAT, "history: truncated in its FD points");
    pos += (size_t)h.fd_points * 8;
    h.snapshots = u32_at(bytes + pos);
    h.snap_h = u32_at(bytes + pos + 4);
    h.snap_w = u32_at(bytes + pos + 8);
    pos += 12;
    if (h.snapshots > GP_HISTORY_MAX_SNAPSHOTS)
        return gp_fail(err, GP_ERR_FORMAT, "history: %u snapshots (at most %u)", h.snapshots, GP_HISTORY_MAX_SNAPSHOTS);
    if (h.snapshots && (h.snap_h < 1 || h.snap_h > GP_HISTORY_MAX_SIDE || h.snap_w < 1 || h.snap_w > GP_HISTORY_MAX_SIDE))
        return gp_fail(err, GP_ERR_FORMAT, "history: snapshot size %ux%u is outside 1..%u", h.snap_h, h.snap_w,
                       GP_HISTORY_MAX_SIDE);
    size_t each = 4 + (size_t)h.snap_h * h.snap_w;
    if (len - pos != (size_t)h.snapshots * each)
        return gp_fail(err, GP_ERR_FORMAT, "history: %zu bytes of snapshots where %u of %ux%u take %zu", len - pos,
                       h.snapshots, h.snap_h, h.snap_w, (size_t)h.snapshots * each);
    /* the timeline is in step order */
    for (uint32_t k = 1; k < h.snapshots; k++)
        if (u32_at(bytes + pos + k * each) < u32_at(bytes + pos + (k - 1) * each))
            return gp_fail(err, GP_ERR_FORMAT, "history: snapshot %u is at an earlier step than the one before", k);
    if (info) *info = h;
    return GP_OK;
}
