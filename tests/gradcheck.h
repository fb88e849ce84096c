/* gradcheck.h: helpers shared by the layer and network tests
 * (test_gradcheck, test_gradcheck_conv, test_conv) and the conv benchmark:
 * allocation and random fills, dot products, central differences, the
 * forward and gradient comparisons with their tolerances, double-precision
 * reference forwards (Linear, BatchNorm over B*HW per channel, activations,
 * Conv2d, ConvTranspose2d, and a whole gp_net), and layer descriptions.
 * Everything is static, for tests built as standalone programs. */
#ifndef GP_GRADCHECK_H
#define GP_GRADCHECK_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nn/kernels.h"
#include "nn/layers.h"
#include "nn/net.h"
#include "base/rng.h"

/* |grad - fd| <= GRAD_TOL * (max_i |fd_i| + |fd|); forwards against the
 * double reference within FWD_TOL of the magnitude */
#define GRAD_TOL 1e-4
#define FWD_TOL 1e-5

/* ---- allocation and random fills ------------------------------------------ */

static gp_rng rng; /* seeded by each test's main */

static inline float urand(float lo, float hi) { return lo + (hi - lo) * gp_rng_uniform(&rng); }

static inline void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}
#define NEW(type, n) ((type *)xmalloc((size_t)(n) * sizeof(type)))

static inline void fill_rand(float *p, size_t n, float lo, float hi) {
    for (size_t i = 0; i < n; i++) p[i] = urand(lo, hi);
}
static inline double *to_double(const float *p, size_t n) {
    double *d = NEW(double, n);
    for (size_t i = 0; i < n; i++) d[i] = p[i];
    return d;
}
static inline double dot_fd(const float *a, const double *b, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}
static inline double dot_dd(const double *a, const double *b, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

/* ---- finite differences and comparisons ----------------------------------- */

typedef double (*loss_fn)(void *ctx);

/* out[i] = dL/dv[i] by central differences; v is restored. */
static inline void fd_grad(double *out, double *v, size_t n, loss_fn f, void *ctx) {
    for (size_t i = 0; i < n; i++) {
        double old = v[i], h = 1e-5 * (fabs(old) > 1.0 ? fabs(old) : 1.0);
        double xp = old + h, xm = old - h;
        v[i] = xp;
        double fp = f(ctx);
        v[i] = xm;
        double fm = f(ctx);
        v[i] = old;
        out[i] = (fp - fm) / (xp - xm);
    }
}

/* got (float, from C) against ref with tol * (scale + |ref|), scale =
 * max(max_i |ref_i|, floor); floor is the size of the terms that cancel in
 * the gradient where that exceeds the result (0 otherwise). */
static inline void check_grad_floor(const char *what, const float *got, const double *ref, size_t n,
                                    double tol, double floor) {
    double scale = floor;
    for (size_t i = 0; i < n; i++)
        if (fabs(ref[i]) > scale) scale = fabs(ref[i]);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(fabs(got[i] - ref[i]) <= tol * (scale + fabs(ref[i])) + 1e-12)) {
            if (bad < 3)
                fprintf(stderr, "%s[%zu] = %.9g, expected %.9g (scale %.3g)\n", what, i, got[i],
                        ref[i], scale);
            bad++;
        }
    }
    if (bad) fprintf(stderr, "%s: %d of %zu values off\n", what, bad, n);
    CHECK(bad == 0);
}

static inline void check_grad(const char *what, const float *got, const double *ref, size_t n) {
    check_grad_floor(what, got, ref, n, GRAD_TOL, 0.0);
}

/* C forward (float) vs reference (double) within FWD_TOL of the magnitude */
static inline void check_fwd(const char *what, const float *got, const double *ref, size_t n) {
    double scale = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(ref[i]) > scale) scale = fabs(ref[i]);
    int bad = 0;
    for (size_t i = 0; i < n; i++)
        if (!(fabs(got[i] - ref[i]) <= FWD_TOL * (scale + fabs(ref[i])) + 1e-30)) {
            if (!bad) fprintf(stderr, "%s[%zu] = %.9g, expected %.9g\n", what, i, got[i], ref[i]);
            bad++;
        }
    CHECK(bad == 0);
}

/* ---- double-precision references ------------------------------------------ */

static inline void ref_linear(double *out, const double *x, const double *w, const double *b, int B,
                              int C, int OC) {
    for (int i = 0; i < B; i++)
        for (int o = 0; o < OC; o++) {
            double s = b ? b[o] : 0.0;
            for (int c = 0; c < C; c++) s += x[i * C + c] * w[o * C + c];
            out[i * OC + o] = s;
        }
}

/* training-mode BatchNorm over (B, C, HW), HW = 1 for BatchNorm1d; mean and
 * biased var out if not NULL */
static inline void ref_bn2d(double *out, const double *x, const double *gamma, const double *beta,
                            int B, int C, int HW, double eps, double *mean_out, double *var_out) {
    for (int c = 0; c < C; c++) {
        double mean = 0, var = 0, n = (double)B * HW;
        for (int b = 0; b < B; b++)
            for (int q = 0; q < HW; q++) mean += x[((size_t)b * C + c) * HW + q];
        mean /= n;
        for (int b = 0; b < B; b++)
            for (int q = 0; q < HW; q++) {
                double d = x[((size_t)b * C + c) * HW + q] - mean;
                var += d * d;
            }
        var /= n;
        if (mean_out) mean_out[c] = mean;
        if (var_out) var_out[c] = var;
        for (int b = 0; b < B; b++)
            for (int q = 0; q < HW; q++) {
                size_t i = ((size_t)b * C + c) * HW + q;
                out[i] = gamma[c] * (x[i] - mean) / sqrt(var + eps) + beta[c];
            }
    }
}

enum act { ACT_LEAKY, ACT_RELU, ACT_TANH, ACT_SIGMOID };

static inline void ref_act(double *out, const double *x, size_t n, enum act a, double slope) {
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        switch (a) {
        case ACT_LEAKY: out[i] = v > 0 ? v : slope * v; break;
        case ACT_RELU: out[i] = v > 0 ? v : 0.0; break;
        case ACT_TANH: out[i] = tanh(v); break;
        case ACT_SIGMOID: out[i] = 1.0 / (1.0 + exp(-v)); break;
        }
    }
}

#define IDX4(a, b, c, d, B_, C_, D_) ((((size_t)(a) * (B_) + (b)) * (C_) + (c)) * (D_) + (d))

/* Conv2d by its definition:
 * out[b,o,y,x] = bias[o] + sum_{c,i,j} w[o,c,i,j] * x[b,c,y*s-p+i,x*s-p+j] */
static inline void ref_conv(double *out, const double *x, const double *w, const double *bias, int B,
                            const gp_conv_geom *g) {
    for (int b = 0; b < B; b++)
        for (int o = 0; o < g->oc; o++)
            for (int y = 0; y < g->oh; y++)
                for (int xo = 0; xo < g->ow; xo++) {
                    double s = bias ? bias[o] : 0.0;
                    for (int c = 0; c < g->c; c++)
                        for (int i = 0; i < g->k; i++)
                            for (int j = 0; j < g->k; j++) {
                                int iy = y * g->s - g->p + i, ix = xo * g->s - g->p + j;
                                if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w) continue;
                                s += w[IDX4(o, c, i, j, g->c, g->k, g->k)] * x[IDX4(b, c, iy, ix, g->c, g->h, g->w)];
                            }
                    out[IDX4(b, o, y, xo, g->oc, g->oh, g->ow)] = s;
                }
}

/* ConvTranspose2d as a scatter-add of every input value:
 * out[b,o,y*s-p+i,x*s-p+j] += x[b,c,y,x] * w[c,o,i,j], plus bias[o] */
static inline void ref_convt(double *out, const double *x, const double *w, const double *bias, int B,
                             const gp_conv_geom *g) {
    size_t plane = (size_t)g->oh * g->ow;
    for (int b = 0; b < B; b++)
        for (int o = 0; o < g->oc; o++)
            for (size_t q = 0; q < plane; q++) out[((size_t)b * g->oc + o) * plane + q] = bias ? bias[o] : 0.0;
    for (int b = 0; b < B; b++)
        for (int c = 0; c < g->c; c++)
            for (int y = 0; y < g->h; y++)
                for (int xi = 0; xi < g->w; xi++) {
                    double v = x[IDX4(b, c, y, xi, g->c, g->h, g->w)];
                    for (int o = 0; o < g->oc; o++)
                        for (int i = 0; i < g->k; i++)
                            for (int j = 0; j < g->k; j++) {
                                int oy = y * g->s - g->p + i, ox = xi * g->s - g->p + j;
                                if (oy < 0 || oy >= g->oh || ox < 0 || ox >= g->ow) continue;
                                out[IDX4(b, o, oy, ox, g->oc, g->oh, g->ow)] +=
                                    v * w[IDX4(c, o, i, j, g->oc, g->k, g->k)];
                            }
                }
}

/* ---- BatchNorm loss for fd_grad --------------------------------------------- */

typedef struct {
    double *x, *gamma, *beta, *r;
    int B, C, HW;
    double eps;
} bn_ctx;

static inline double bn_loss(void *p) {
    bn_ctx *c = p;
    size_t n = (size_t)c->B * c->C * c->HW;
    double *out = NEW(double, n);
    ref_bn2d(out, c->x, c->gamma, c->beta, c->B, c->C, c->HW, c->eps, NULL, NULL);
    double L = dot_dd(out, c->r, n);
    free(out);
    return L;
}

/* ---- whole networks ----------------------------------------------------------- */

static inline gp_conv_geom net_geom(const gp_net *net, int i) {
    const gp_layer_desc *d = &net->layers[i];
    gp_shape s = net->shape[i];
    if (d->kind == GP_LAYER_CONV2D)
        return gp_conv2d_geom(s.c, s.h, s.w, (int)d->out_c, (int)d->kernel, (int)d->stride, (int)d->pad);
    return gp_convt2d_geom(s.c, s.h, s.w, (int)d->out_c, (int)d->kernel, (int)d->stride, (int)d->pad);
}

typedef struct {
    const gp_net *net;
    double *params, *input, *r;
    int batch;
    double min_kink; /* smallest |input| of a (Leaky)ReLU in the last forward */
    double *out;     /* last output, if not NULL */
} net_ctx;

/* L = sum(out * r) of the net's forward in double, following its layer
 * list; Dropout uses the masks the last C forward stored. */
static inline double net_loss(void *p) {
    net_ctx *c = p;
    const gp_net *net = c->net;
    int B = c->batch;
    size_t n0 = (size_t)B * gp_shape_size(net->shape[0]);
    double *cur = NEW(double, n0);
    memcpy(cur, c->input, n0 * sizeof(double));
    c->min_kink = INFINITY;
    for (int i = 0; i < net->n_layers; i++) {
        const gp_layer_desc *d = &net->layers[i];
        gp_shape s = net->shape[i];
        int in = gp_shape_size(s), on = gp_shape_size(net->shape[i + 1]);
        size_t n = (size_t)B * in;
        double *nxt = NEW(double, (size_t)B * on);
        const double *pp = c->params + net->param_off[i];
        switch (d->kind) {
        case GP_LAYER_LINEAR: ref_linear(nxt, cur, pp, pp + (size_t)on * in, B, in, on); break;
        case GP_LAYER_CONV2D:
        case GP_LAYER_CONVT2D: {
            gp_conv_geom g = net_geom(net, i);
            size_t nw = (size_t)g.oc * g.c * g.k * g.k;
            const double *bias = d->flags & GP_LAYER_NO_BIAS ? NULL : pp + nw;
            if (d->kind == GP_LAYER_CONV2D)
                ref_conv(nxt, cur, pp, bias, B, &g);
            else
                ref_convt(nxt, cur, pp, bias, B, &g);
            break;
        }
        case GP_LAYER_BATCHNORM: ref_bn2d(nxt, cur, pp, pp + in, B, in, 1, d->eps, NULL, NULL); break;
        case GP_LAYER_BATCHNORM2D:
            ref_bn2d(nxt, cur, pp, pp + s.c, B, s.c, s.h * s.w, d->eps, NULL, NULL);
            break;
        case GP_LAYER_LEAKY_RELU:
        case GP_LAYER_RELU:
            for (size_t k = 0; k < n; k++)
                if (fabs(cur[k]) < c->min_kink) c->min_kink = fabs(cur[k]);
            ref_act(nxt, cur, n, d->kind == GP_LAYER_RELU ? ACT_RELU : ACT_LEAKY, d->alpha);
            break;
        case GP_LAYER_TANH: ref_act(nxt, cur, n, ACT_TANH, 0); break;
        case GP_LAYER_SIGMOID: ref_act(nxt, cur, n, ACT_SIGMOID, 0); break;
        case GP_LAYER_RESHAPE: memcpy(nxt, cur, n * sizeof(double)); break;
        case GP_LAYER_DROPOUT: {
            const float *mask = net->saved + net->save_off[i];
            for (size_t k = 0; k < n; k++) nxt[k] = cur[k] * mask[k];
            break;
        }
        default: CHECK(!"layer kind not covered by the reference");
        }
        free(cur);
        cur = nxt;
    }
    size_t no = (size_t)B * gp_shape_size(net->shape[net->n_layers]);
    double L = dot_dd(cur, c->r, no);
    if (c->out) memcpy(c->out, cur, no * sizeof(double));
    free(cur);
    return L;
}

/* the loss sum(out * r) through the float C forward */
typedef double (*c_net_loss_fn)(gp_net *net, const float *input, const double *r, int B);

/* The parameter gradients grads against central differences of the float
 * C forward itself (step 1e-3 * max(1, |p|)), within 1e-2 of the largest;
 * no reference code involved. g: n_params doubles of scratch. */
static inline void check_float_fd(const char *name, gp_net *net, c_net_loss_fn loss, const float *input,
                                  const double *r, int B, const float *grads, double *g) {
    double scale = 0;
    for (size_t k = 0; k < net->n_params; k++) {
        float old = net->params[k];
        float h = 1e-3f * (fabsf(old) > 1.0f ? fabsf(old) : 1.0f);
        /* weights written by hand: the net's packed copies are stale */
        net->params[k] = old + h;
        gp_net_params_changed(net);
        double fp = loss(net, input, r, B);
        float xp = net->params[k];
        net->params[k] = old - h;
        gp_net_params_changed(net);
        double fm = loss(net, input, r, B);
        float xm = net->params[k];
        net->params[k] = old;
        gp_net_params_changed(net);
        g[k] = (fp - fm) / ((double)xp - xm);
        if (fabs(g[k]) > scale) scale = fabs(g[k]);
    }
    int bad = 0;
    for (size_t k = 0; k < net->n_params; k++)
        if (!(fabs(grads[k] - g[k]) <= 1e-2 * scale)) {
            if (!bad) fprintf(stderr, "%s float fd: param %zu grad %.9g, fd %.9g\n", name, k, grads[k], g[k]);
            bad++;
        }
    CHECK(bad == 0);
}

/* ---- layer descriptions ------------------------------------------------------- */

/* Conv2d or ConvTranspose2d */
static inline gp_layer_desc desc_conv(uint32_t kind, uint32_t oc, uint32_t k, uint32_t s, uint32_t p) {
    gp_layer_desc d = {0};
    d.kind = kind;
    d.out_c = oc;
    d.kernel = k;
    d.stride = s;
    d.pad = p;
    return d;
}

/* a layer given by alpha alone (slope, dropout rate); BatchNorm gets
 * PyTorch's momentum 0.1 and eps 1e-5 instead */
static inline gp_layer_desc desc_simple(uint32_t kind, float alpha) {
    gp_layer_desc d = {0};
    d.kind = kind;
    d.alpha = alpha;
    if (kind == GP_LAYER_BATCHNORM2D || kind == GP_LAYER_BATCHNORM) {
        d.alpha = 0.1f;
        d.eps = 1e-5f;
    }
    return d;
}

static inline gp_layer_desc desc_reshape(uint32_t c, uint32_t h, uint32_t w) {
    gp_layer_desc d = {0};
    d.kind = GP_LAYER_RESHAPE;
    d.out_c = c;
    d.out_h = h;
    d.out_w = w;
    return d;
}

#endif
