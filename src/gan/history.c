#include "gan/history.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/checked.h"

static uint32_t u32_at(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static float f32_at(const uint8_t *p) {
    uint32_t bits = u32_at(p);
    float v;
    memcpy(&v, &bits, 4);
    return v;
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
    /* within the limits above this fits 32 bits; checked all the same, as every size a file declares */
    size_t each, all;
    if (!gp_size_mul(h.snap_h, h.snap_w, &each) || !gp_size_add(each, 4, &each) || !gp_size_mul(h.snapshots, each, &all))
        return gp_fail(err, GP_ERR_FORMAT, "history: %u snapshots of %ux%u: more bytes than this build can address",
                       h.snapshots, h.snap_h, h.snap_w);
    if (len - pos != all)
        return gp_fail(err, GP_ERR_FORMAT, "history: %zu bytes of snapshots where %u of %ux%u take %zu", len - pos,
                       h.snapshots, h.snap_h, h.snap_w, all);
    /* the timeline is in step order */
    for (uint32_t k = 1; k < h.snapshots; k++)
        if (u32_at(bytes + pos + k * each) < u32_at(bytes + pos + (k - 1) * each))
            return gp_fail(err, GP_ERR_FORMAT, "history: snapshot %u is at an earlier step than the one before", k);
    if (info) *info = h;
    return GP_OK;
}

/* ---- in memory ---------------------------------------------------------- */

static gp_status alloc_snaps(gp_history *h, int snap_h, int snap_w, gp_err *err) {
    h->snaps = NULL;
    h->snap_steps = NULL;
    h->snap_h = h->snap_w = 0;
    if (snap_h <= 0 || snap_w <= 0) return GP_OK;
    /* one more than kept: a push lands before the thinning */
    h->snaps = malloc((size_t)(GP_HISTORY_KEEP_SNAPSHOTS + 1) * (size_t)snap_h * (size_t)snap_w);
    h->snap_steps = malloc(sizeof(uint32_t) * (GP_HISTORY_KEEP_SNAPSHOTS + 1));
    if (!h->snaps || !h->snap_steps) {
        free(h->snaps);
        free(h->snap_steps);
        h->snaps = NULL;
        h->snap_steps = NULL;
        return gp_fail(err, GP_ERR_NOMEM, "out of memory for the timeline's snapshots");
    }
    h->snap_h = snap_h;
    h->snap_w = snap_w;
    return GP_OK;
}

gp_status gp_history_init(gp_history *h, int snap_h, int snap_w, gp_err *err) {
    memset(h, 0, sizeof *h);
    if (snap_h < 0 || snap_w < 0 || snap_h > (int)GP_HISTORY_MAX_SIDE || snap_w > (int)GP_HISTORY_MAX_SIDE)
        return gp_fail(err, GP_ERR_ARG, "history: snapshot size %dx%d is outside 0..%u", snap_h, snap_w,
                       GP_HISTORY_MAX_SIDE);
    h->points = malloc(sizeof(float) * GP_HISTORY_POINT * (GP_HISTORY_KEEP_POINTS + 1));
    h->measures = malloc(sizeof(float) * GP_HISTORY_MEASURE * (GP_HISTORY_KEEP_MEASURES + 1));
    gp_status st = h->points && h->measures ? alloc_snaps(h, snap_h, snap_w, err)
                                            : gp_fail(err, GP_ERR_NOMEM, "out of memory for the run's history");
    if (st != GP_OK) gp_history_free(h);
    return st;
}

void gp_history_free(gp_history *h) {
    free(h->points);
    free(h->measures);
    free(h->snaps);
    free(h->snap_steps);
    memset(h, 0, sizeof *h);
}

void gp_history_clear(gp_history *h) {
    h->n_points = h->n_measures = h->n_snaps = 0;
}

/* Merges neighbouring rows in pairs: x of the later, the mean of the values
 * each computed (a NaN is a value not computed). */
static uint32_t thin_rows(float *d, uint32_t n, int width) {
    uint32_t half = (n + 1) / 2;
    for (uint32_t i = 0; i < half; i++) {
        uint32_t a = 2 * i, b = 2 * i + 1 < n ? 2 * i + 1 : n - 1;
        float row[GP_HISTORY_POINT > GP_HISTORY_MEASURE ? GP_HISTORY_POINT : GP_HISTORY_MEASURE];
        row[0] = d[(size_t)b * width];
        for (int k = 1; k < width; k++) {
            float u = d[(size_t)a * width + k], v = d[(size_t)b * width + k];
            row[k] = a == b ? u : isnan(u) ? v : isnan(v) ? u : (u + v) / 2;
        }
        memcpy(d + (size_t)i * width, row, sizeof(float) * width);
    }
    return half;
}

void gp_history_push_point(gp_history *h, const float point[GP_HISTORY_POINT]) {
    memcpy(h->points + (size_t)h->n_points * GP_HISTORY_POINT, point, sizeof(float) * GP_HISTORY_POINT);
    if (++h->n_points > GP_HISTORY_KEEP_POINTS) {
        h->n_points = thin_rows(h->points, h->n_points, GP_HISTORY_POINT);
        h->thinned++;
    }
}

void gp_history_push_measure(gp_history *h, float x, float value, float second) {
    float *row = h->measures + (size_t)h->n_measures * GP_HISTORY_MEASURE;
    row[0] = x;
    row[1] = value;
    row[2] = second;
    if (++h->n_measures > GP_HISTORY_KEEP_MEASURES) h->n_measures = thin_rows(h->measures, h->n_measures, GP_HISTORY_MEASURE);
}

void gp_history_push_snapshot(gp_history *h, uint32_t step, const uint8_t *pixels) {
    if (!h->snaps) return;
    size_t each = (size_t)h->snap_h * h->snap_w;
    while (h->n_snaps && h->snap_steps[h->n_snaps - 1] >= step) h->n_snaps--; /* the same step again */
    memcpy(h->snaps + (size_t)h->n_snaps * each, pixels, each);
    h->snap_steps[h->n_snaps++] = step;
    if (h->n_snaps > GP_HISTORY_KEEP_SNAPSHOTS) { /* every other one, and the newest */
        uint32_t kept = 0;
        for (uint32_t k = 0; k < h->n_snaps; k++) {
            if (k % 2 && k != h->n_snaps - 1) continue;
            if (kept != k) {
                memmove(h->snaps + kept * each, h->snaps + k * each, each);
                h->snap_steps[kept] = h->snap_steps[k];
            }
            kept++;
        }
        h->n_snaps = kept;
    }
}

static uint8_t *put_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
    return p + 4;
}

static uint8_t *put_f32(uint8_t *p, float v) {
    uint32_t bits;
    memcpy(&bits, &v, 4);
    return put_u32(p, bits);
}

size_t gp_history_write(const gp_history *h, uint8_t *out) {
    uint32_t K = h->snaps ? h->n_snaps : 0;
    size_t each = (size_t)h->snap_h * h->snap_w;
    size_t len = 4 + (size_t)h->n_points * GP_HISTORY_POINT * 4 + 4 + (size_t)h->n_measures * 8 + 12 + K * (4 + each);
    if (!out) return len;
    uint8_t *p = put_u32(out, h->n_points);
    for (size_t i = 0; i < (size_t)h->n_points * GP_HISTORY_POINT; i++) p = put_f32(p, h->points[i]);
    p = put_u32(p, h->n_measures);
    for (uint32_t i = 0; i < h->n_measures; i++) { /* x and the first value: the file's FD points */
        p = put_f32(p, h->measures[(size_t)i * GP_HISTORY_MEASURE]);
        p = put_f32(p, h->measures[(size_t)i * GP_HISTORY_MEASURE + 1]);
    }
    p = put_u32(p, K);
    p = put_u32(p, K ? (uint32_t)h->snap_h : 0);
    p = put_u32(p, K ? (uint32_t)h->snap_w : 0);
    for (uint32_t k = 0; k < K; k++) {
        p = put_u32(p, h->snap_steps[k]);
        memcpy(p, h->snaps + k * each, each);
        p += each;
    }
    return len;
}

gp_status gp_history_read(gp_history *h, const uint8_t *bytes, size_t len, gp_err *err) {
    if (len == 0) {
        gp_history_clear(h);
        return GP_OK;
    }
    gp_history_info info;
    gp_status st = gp_history_check(bytes, len, &info, err);
    if (st != GP_OK) return st;
    gp_history tmp = *h;
    if (info.snapshots && ((int)info.snap_h != h->snap_h || (int)info.snap_w != h->snap_w)) {
        st = alloc_snaps(&tmp, (int)info.snap_h, (int)info.snap_w, err);
        if (st != GP_OK) return st;
        free(h->snaps);
        free(h->snap_steps);
    }
    gp_history_clear(&tmp);
    tmp.thinned = h->thinned + 1;
    const uint8_t *p = bytes + 4;
    for (uint32_t i = 0; i < info.points; i++, p += 4 * GP_HISTORY_POINT) {
        float row[GP_HISTORY_POINT];
        for (int k = 0; k < GP_HISTORY_POINT; k++) row[k] = f32_at(p + 4 * k);
        gp_history_push_point(&tmp, row);
    }
    p += 4;
    for (uint32_t i = 0; i < info.fd_points; i++, p += 8) gp_history_push_measure(&tmp, f32_at(p), f32_at(p + 4), NAN);
    p += 12;
    size_t each = (size_t)info.snap_h * info.snap_w;
    for (uint32_t k = 0; k < info.snapshots; k++, p += 4 + each) gp_history_push_snapshot(&tmp, u32_at(p), p + 4);
    *h = tmp;
    return GP_OK;
}
