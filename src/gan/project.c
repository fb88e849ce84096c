/* project.c: inversion of the generator (see project.h). */
#include "gan/project.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "data/resize.h"

gp_project_opts gp_project_defaults(void) {
    gp_project_opts o = {.steps = 300, .restarts = 8, .lr = 0.05f, .prior = 0.001f, .seed = 1, .label = -1,
                         .trace_every = 0, .op = GP_PROJECT_OP_NONE, .factor = 1};
    return o;
}

gp_project_opts gp_project_op_defaults(int op, int factor) {
    gp_project_opts o = gp_project_defaults();
    o.steps = 120;
    o.restarts = 20;
    o.lr = 0.1f;
    o.prior = 0.003f;
    o.op = op;
    o.factor = factor;
    return o;
}

/* ---- the operators ------------------------------------------------------- */

static const float LUMA[3] = {0.299f, 0.587f, 0.114f};

gp_status gp_project_op_shape(int op, int factor, gp_shape image, gp_shape *out, gp_err *err) {
    switch (op) {
    case GP_PROJECT_OP_NONE:
        *out = image;
        return GP_OK;
    case GP_PROJECT_OP_DOWNSCALE:
        if (factor < 1 || image.h % factor || image.w % factor)
            return gp_fail(err, GP_ERR_ARG, "projection: the upscaling factor %d does not divide the model's %dx%d images",
                           factor, image.w, image.h);
        *out = (gp_shape){image.c, image.h / factor, image.w / factor};
        return GP_OK;
    case GP_PROJECT_OP_LUMINANCE:
        if (image.c != 3)
            return gp_fail(err, GP_ERR_ARG, "projection: colourising needs a colour model; this one has %d channel%s",
                           image.c, image.c == 1 ? "" : "s");
        *out = (gp_shape){1, image.h, image.w};
        return GP_OK;
    default:
        return gp_fail(err, GP_ERR_ARG, "projection: no operator %d", op);
    }
}

void gp_project_op_apply(int op, int factor, gp_shape image, const float *x, float *y) {
    size_t hw = (size_t)image.h * image.w;
    if (op == GP_PROJECT_OP_DOWNSCALE) {
        gp_image_downscale_area(x, image.c, image.h, image.w, factor, y);
    } else if (op == GP_PROJECT_OP_LUMINANCE) {
        for (size_t i = 0; i < hw; i++) y[i] = LUMA[0] * x[i] + LUMA[1] * x[hw + i] + LUMA[2] * x[2 * hw + i];
    } else {
        memcpy(y, x, sizeof(float) * (size_t)gp_shape_size(image));
    }
}

void gp_project_op_adjoint(int op, int factor, gp_shape image, const float *y, float *x) {
    size_t hw = (size_t)image.h * image.w;
    if (op == GP_PROJECT_OP_DOWNSCALE) { /* each large pixel gets its block's value over K^2 */
        int K = factor, oh = image.h / K, ow = image.w / K;
        float inv = 1.0f / (float)(K * K);
        for (int c = 0; c < image.c; c++)
            for (int i = 0; i < image.h; i++)
                for (int j = 0; j < image.w; j++)
                    x[((size_t)c * image.h + i) * image.w + j] = y[((size_t)c * oh + i / K) * ow + j / K] * inv;
    } else if (op == GP_PROJECT_OP_LUMINANCE) {
        for (int c = 0; c < 3; c++)
            for (size_t i = 0; i < hw; i++) x[(size_t)c * hw + i] = LUMA[c] * y[i];
    } else {
        memcpy(x, y, sizeof(float) * (size_t)gp_shape_size(image));
    }
}

/* ---- the projection ------------------------------------------------------ */

static gp_status check_inputs(const gp_gan *gan, const float *target, const float *mask, const gp_project_opts *o,
                              float *trace, int trace_cap, gp_err *err) {
    int C = gan->cfg.classes;
    gp_shape ts;
    gp_status st = gp_project_op_shape(o->op, o->factor, gan->image, &ts, err);
    if (st != GP_OK) return st;
    int n_img = gp_shape_size(ts); /* the target's size */
    if (!target) return gp_fail(err, GP_ERR_ARG, "projection: no target image");
    if (o->steps < 1 || o->steps > 10000) return gp_fail(err, GP_ERR_ARG, "projection: steps must be 1..10000, not %d", o->steps);
    if (o->restarts < 1 || o->restarts > gan->G.max_batch)
        return gp_fail(err, GP_ERR_ARG, "projection: starting points must be 1..%d, not %d", gan->G.max_batch, o->restarts);
    if (!(o->lr > 0.0f && o->lr <= 1.0f)) return gp_fail(err, GP_ERR_ARG, "projection: the learning rate must be in (0, 1]");
    if (!(o->prior >= 0.0f && o->prior <= 100.0f)) return gp_fail(err, GP_ERR_ARG, "projection: the prior weight must be in 0..100");
    if (o->label < -1 || (C && o->label >= C) || (!C && o->label != -1))
        return gp_fail(err, GP_ERR_ARG, "projection: class %d does not exist (the model has %d classes)", o->label, C);
    if (o->trace_every < 0 || (o->trace_every > 0 && (!trace || trace_cap < 1)))
        return gp_fail(err, GP_ERR_ARG, "projection: a trace needs trace_every >= 1 and room for an image");
    for (int i = 0; i < n_img; i++)
        if (!(target[i] >= -1.0f && target[i] <= 1.0f))
            return gp_fail(err, GP_ERR_ARG, "projection: target pixel %d is %g, outside [-1, 1]", i, (double)target[i]);
    if (mask) {
        double counted = 0.0;
        for (int i = 0; i < n_img; i++) {
            if (!(mask[i] >= 0.0f && mask[i] <= 1.0f))
                return gp_fail(err, GP_ERR_ARG, "projection: mask value %d is %g, outside [0, 1]", i, (double)mask[i]);
            counted += mask[i];
        }
        if (counted <= 0.0) return gp_fail(err, GP_ERR_ARG, "projection: the mask leaves no pixel to match");
    }
    return GP_OK;
}

/* Pixel term of each start (mean of mask * (y - target)^2 over the counted
 * pixels) into loss, and its gradient with respect to y into dy (if not
 * NULL). A pixel with mask 0 adds exactly nothing to either. */
static void pixel_loss(const float *y, const float *target, const float *mask, int R, int n_img, double counted,
                       float *loss, float *dy) {
    for (int r = 0; r < R; r++) {
        const float *yr = y + (size_t)r * n_img;
        double sum = 0.0;
        for (int i = 0; i < n_img; i++) {
            float w = mask ? mask[i] : 1.0f, d = yr[i] - target[i];
            sum += (double)(w * d * d);
            if (dy) dy[(size_t)r * n_img + i] = (float)(2.0 * w * d / counted);
        }
        loss[r] = (float)(sum / counted);
    }
}

/* The pixel term of one image y (n_img) through the operator: A y into ay
 * (n_target), the loss of A y against the target, and (if dy is not NULL)
 * its gradient with respect to y, A^T of the gradient with respect to A y
 * (which overwrites ay). */
static float row_loss(int op, int K, gp_shape im, const float *y, const float *target, const float *mask, int n_target,
                      double counted, float *ay, float *dy) {
    gp_project_op_apply(op, K, im, y, ay);
    double sum = 0.0;
    for (int i = 0; i < n_target; i++) {
        float w = mask ? mask[i] : 1.0f, d = ay[i] - target[i];
        sum += (double)(w * d * d);
        ay[i] = (float)(2.0 * w * d / counted);
    }
    if (dy) gp_project_op_adjoint(op, K, im, ay, dy);
    return (float)(sum / counted);
}

/* pixel_loss through the operator, for every start. */
static void op_loss(const gp_projection *p, const float *y, float *loss, float *dy) {
    for (int r = 0; r < p->R; r++)
        loss[r] = row_loss(p->o.op, p->o.factor, p->gan->image, y + (size_t)r * p->n_img, p->target, p->mask,
                           p->n_target, p->counted, p->ay + (size_t)r * p->n_target, dy ? dy + (size_t)r * p->n_img : NULL);
}

gp_status gp_project_image_loss(int op, int factor, gp_shape image, const float *y, const float *target,
                                const float *mask, float *loss, float *dy, gp_err *err) {
    gp_shape ts;
    gp_status st = gp_project_op_shape(op, factor, image, &ts, err);
    if (st != GP_OK) return st;
    int n = gp_shape_size(ts);
    double counted = 0.0;
    for (int i = 0; i < n; i++) counted += mask ? mask[i] : 1.0f;
    if (!(counted > 0.0)) return gp_fail(err, GP_ERR_ARG, "projection: the mask leaves no pixel to match");
    float *ay = malloc(sizeof(float) * (size_t)n);
    if (!ay) return gp_fail(err, GP_ERR_NOMEM, "projection: out of memory");
    if (op == GP_PROJECT_OP_NONE)
        pixel_loss(y, target, mask, 1, n, counted, loss, dy);
    else
        *loss = row_loss(op, factor, image, y, target, mask, n, counted, ay, dy);
    free(ay);
    return GP_OK;
}

static float mean_sq(const float *z, int L) {
    double s = 0.0;
    for (int j = 0; j < L; j++) s += (double)z[j] * z[j];
    return (float)(s / L);
}

/* Keeps a latent on the prior's typical shell: a standard normal's mean z^2
 * is 1 give or take sqrt(2/L), so z is rescaled into 1 -+ 3 sqrt(2/L) (and
 * never below 0.5 or above 2). Off that shell G was never trained, and a
 * drawing that no latent draws exactly would otherwise pull z far out, where
 * G draws anything. A latent that G's own images come from is left alone. */
static void keep_typical(float *z, int L) {
    double band = 3.0 * sqrt(2.0 / L), lo = fmax(0.5, 1.0 - band), hi = fmin(2.0, 1.0 + band);
    double ms = mean_sq(z, L), target = ms < lo ? lo : ms > hi ? hi : ms;
    if (target == ms || !(ms > 0.0)) return;
    float scale = (float)sqrt(target / ms);
    for (int j = 0; j < L; j++) z[j] *= scale;
}

gp_status gp_project_begin(gp_projection *p, gp_gan *gan, const float *target, const float *mask,
                           const gp_project_opts *opts, float *trace, int trace_cap, gp_err *err) {
    memset(p, 0, sizeof *p);
    gp_project_opts o = opts ? *opts : gp_project_defaults();
    gp_status st = check_inputs(gan, target, mask, &o, trace, trace_cap, err);
    if (st != GP_OK) return st;
    int R = o.restarts, L = gan->cfg.latent, C = gan->cfg.classes, W = L + C, n_img = gp_shape_size(gan->image);
    gp_shape ts;
    gp_project_op_shape(o.op, o.factor, gan->image, &ts, err); /* checked above */
    int n_target = gp_shape_size(ts), with_op = o.op != GP_PROJECT_OP_NONE;
    size_t nz = (size_t)R * L;
    float *z = malloc(sizeof(float) * nz * 3), *rows = malloc(sizeof(float) * (size_t)R * W);
    float *dy = malloc(sizeof(float) * (size_t)R * n_img), *loss = malloc(sizeof(float) * (size_t)R * 2);
    float *ay = with_op ? malloc(sizeof(float) * (size_t)R * n_target) : NULL;
    int *labels = malloc(sizeof(int) * (size_t)R);
    if (!z || !rows || !dy || !loss || !labels || (with_op && !ay)) {
        free(z); free(rows); free(dy); free(loss); free(labels); free(ay);
        return gp_fail(err, GP_ERR_NOMEM, "projection: out of memory");
    }
    *p = (gp_projection){.gan = gan, .target = target, .mask = mask, .trace = trace, .trace_cap = trace_cap, .o = o,
                         .R = R, .L = L, .C = C, .W = W, .n_img = n_img, .n_target = n_target, .z = z, .m = z + nz,
                         .v = z + 2 * nz, .rows = rows, .dy = dy, .loss = loss, .total = loss + R, .ay = ay,
                         .labels = labels, .failed = GP_OK};
    for (int i = 0; i < n_target; i++) p->counted += mask ? mask[i] : 1.0f;
    memset(p->m, 0, sizeof(float) * nz * 2);
    gp_rng rng;
    gp_rng_seed(&rng, o.seed);
    gp_rng_fill_normal(&rng, z, (int)nz, 0.0f, 1.0f);
    for (int r = 0; r < R; r++) labels[r] = C ? (o.label >= 0 ? o.label : r % C) : 0;
    return GP_OK;
}

void gp_project_end(gp_projection *p) {
    if (!p) return;
    free(p->z); free(p->rows); free(p->dy); free(p->loss); free(p->labels); free(p->ay);
    memset(p, 0, sizeof *p);
}

/* Whether the projection can go on: begun, not failed, the model still of the shape it began with. */
static gp_status usable(gp_projection *p, gp_err *err) {
    if (!p->z) return gp_fail(err, GP_ERR_ARG, "projection: none under way");
    if (p->failed != GP_OK) return gp_fail(err, p->failed, "projection: it stopped at step %d and cannot go on", p->steps_done + 1);
    const gp_gan *gan = p->gan;
    if (gan->cfg.latent != p->L || gan->cfg.classes != p->C || gp_shape_size(gan->image) != p->n_img ||
        gan->G.max_batch < p->R)
        return gp_fail(err, p->failed = GP_ERR_ARG, "projection: the model changed while it ran");
    return GP_OK;
}

/* G frozen, in evaluation mode, on its averaged weights if it has them, for one call. */
typedef struct {
    float *params;
    int training;
} g_saved;

static g_saved freeze_g(gp_gan *gan) {
    gp_net *G = &gan->G;
    g_saved s = {G->params, G->training};
    if (gan->ema) G->params = gan->ema;
    G->training = 0;
    gan->fake_ready = 0; /* these forwards overwrite G's activations */
    return s;
}

static void thaw_g(gp_gan *gan, g_saved s) {
    gan->G.params = s.params;
    gan->G.training = s.training;
}

/* Pass t (1..steps + 1; the last only measures): G of every start, their
 * losses (and the gradient dy unless last), the best start into *best, the
 * trace. Returns G's images, or NULL if a loss is not finite. */
static const float *measure(gp_projection *p, int t, int last, int *best, gp_err *err) {
    int R = p->R, L = p->L, n_img = p->n_img;
    gp_gan_g_input_rows(p->gan, p->z, p->C ? p->labels : NULL, 0, R, p->rows);
    const float *y = gp_net_forward(&p->gan->G, p->rows, R);
    if (p->ay)
        op_loss(p, y, p->loss, last ? NULL : p->dy);
    else
        pixel_loss(y, p->target, p->mask, R, n_img, p->counted, p->loss, last ? NULL : p->dy);
    gp_status st = GP_OK;
    *best = 0;
    for (int r = 0; r < R; r++) {
        p->total[r] = p->loss[r] + p->o.prior * mean_sq(p->z + (size_t)r * L, L);
        if (!isfinite(p->total[r])) st = gp_fail(err, GP_ERR_NAN, "projection: the loss became %g at step %d", (double)p->total[r], t);
        if (p->total[r] < p->total[*best]) *best = r;
    }
    if (st != GP_OK) {
        p->failed = st;
        return NULL;
    }
    /* the last slot is the result's: a trace with less room than its steps keeps its first trace_cap - 1 and the result */
    int every = p->o.trace_every, cap = p->trace_cap;
    if (every && (last ? p->traced < cap : p->traced < cap - 1 && t % every == 0))
        memcpy(p->trace + (size_t)p->traced++ * n_img, y + (size_t)*best * n_img, sizeof(float) * (size_t)n_img);
    return y;
}

gp_status gp_project_step(gp_projection *p, int n, gp_err *err) {
    gp_status st = usable(p, err);
    if (st != GP_OK) return st;
    if (n < 1) return gp_fail(err, GP_ERR_ARG, "projection: steps per call must be at least 1, not %d", n);
    int R = p->R, L = p->L, W = p->W, end = p->o.steps - p->steps_done < n ? p->o.steps : p->steps_done + n;
    const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
    float *z = p->z, *m = p->m, *v = p->v, prior = p->o.prior;
    g_saved saved = freeze_g(p->gan);
    while (p->steps_done < end) {
        int t = p->steps_done + 1, best;
        if (!measure(p, t, 0, &best, err)) {
            st = p->failed;
            break;
        }
        const float *dx = gp_net_backward(&p->gan->G, p->dy, R, 0, 1);
        /* Adam on z, PyTorch's form, bias-corrected */
        double bc1 = 1.0 - pow(b1, t), bc2 = 1.0 - pow(b2, t);
        float step = (float)(p->o.lr / bc1), bc2_sqrt = (float)sqrt(bc2);
        for (int r = 0; r < R; r++)
            for (int j = 0; j < L; j++) {
                size_t k = (size_t)r * L + j;
                float g = dx[(size_t)r * W + j] + prior * 2.0f * z[k] / (float)L;
                m[k] = b1 * m[k] + (1.0f - b1) * g;
                v[k] = b2 * v[k] + (1.0f - b2) * g * g;
                z[k] -= step * m[k] / (sqrtf(v[k]) / bc2_sqrt + eps);
            }
        for (int r = 0; r < R; r++) keep_typical(z + (size_t)r * L, L);
        p->steps_done = t;
    }
    thaw_g(p->gan, saved);
    return st;
}

gp_status gp_project_finish(gp_projection *p, float *z_out, float *image_out, gp_project_result *res, gp_err *err) {
    gp_status st = usable(p, err);
    if (st != GP_OK) return st;
    if (p->steps_done < p->o.steps)
        return gp_fail(err, GP_ERR_ARG, "projection: %d of its %d steps taken; finish after the last", p->steps_done, p->o.steps);
    int L = p->L, n_img = p->n_img, best;
    g_saved saved = freeze_g(p->gan);
    const float *y = measure(p, p->o.steps + 1, 1, &best, err);
    if (y) {
        const float *zb = p->z + (size_t)best * L;
        if (z_out) memcpy(z_out, zb, sizeof(float) * (size_t)L);
        if (image_out) memcpy(image_out, y + (size_t)best * n_img, sizeof(float) * (size_t)n_img);
        if (res) *res = (gp_project_result){p->loss[best], mean_sq(zb, L), p->C ? p->labels[best] : -1, best, p->traced};
    }
    thaw_g(p->gan, saved);
    return y ? GP_OK : p->failed;
}

gp_status gp_project(gp_gan *gan, const float *target, const float *mask, const gp_project_opts *opts, float *z_out,
                     float *image_out, float *trace, int trace_cap, gp_project_result *res, gp_err *err) {
    gp_projection p;
    gp_status st = gp_project_begin(&p, gan, target, mask, opts, trace, trace_cap, err);
    if (st == GP_OK) st = gp_project_step(&p, p.o.steps, err);
    if (st == GP_OK) st = gp_project_finish(&p, z_out, image_out, res, err);
    gp_project_end(&p);
    return st;
}
