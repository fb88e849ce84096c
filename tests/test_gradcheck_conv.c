/* test_gradcheck_conv: the spatial layers' backward functions against
 * finite differences, as tests/test_gradcheck.c does for the others.
 *
 * The loss is a random projection L = sum(out * r), so dout = r. Each layer
 * has a double-precision reference forward here (Conv2d and
 * ConvTranspose2d by their definitions, BatchNorm2d over B*H*W per channel,
 * Dropout with a fixed mask); it is first checked against the C (float)
 * forward within FWD_TOL = 1e-5 of the magnitude, then differentiated by
 * central differences in double (step 1e-5 * max(1, |v|)), and the C
 * gradients must satisfy
 *     |grad - fd| <= GRAD_TOL * (max_i |fd_i| + |fd|)      GRAD_TOL = 1e-4
 * Whole networks (a small DCGAN-like generator and discriminator, and one
 * with Dropout) are checked the same way, and once more by central
 * differences of the float C forward itself (step 1e-3, tolerance 1e-2 of
 * the gradient scale). (Leaky)ReLU inputs stay KINK_MARGIN from 0, and
 * Dropout's mask is held fixed by reseeding the net's rng before every
 * forward. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kernels.h"
#include "layers.h"
#include "net.h"
#include "rng.h"

#define GRAD_TOL 1e-4
#define FWD_TOL 1e-5
#define KINK_MARGIN 0.02

static gp_rng rng;

static float urand(float lo, float hi) { return lo + (hi - lo) * gp_rng_uniform(&rng); }

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}
#define NEW(type, n) ((type *)xmalloc((size_t)(n) * sizeof(type)))

static void fill_rand(float *p, size_t n, float lo, float hi) {
    for (size_t i = 0; i < n; i++) p[i] = urand(lo, hi);
}
static double *to_double(const float *p, size_t n) {
    double *d = NEW(double, n);
    for (size_t i = 0; i < n; i++) d[i] = p[i];
    return d;
}
static double dot_dd(const double *a, const double *b, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

typedef double (*loss_fn)(void *ctx);

/* out[i] = dL/dv[i] by central differences; v is restored. */
static void fd_grad(double *out, double *v, size_t n, loss_fn f, void *ctx) {
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

/* got against ref with tol * (scale + |ref|), scale = max(max_i |ref_i|,
 * floor); floor covers gradients that cancel to far below their terms. */
static void check_grad_floor(const char *what, const float *got, const double *ref, size_t n, double tol,
                             double floor) {
    double scale = floor;
    for (size_t i = 0; i < n; i++)
        if (fabs(ref[i]) > scale) scale = fabs(ref[i]);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(fabs(got[i] - ref[i]) <= tol * (scale + fabs(ref[i])) + 1e-12)) {
            if (bad < 3)
                fprintf(stderr, "%s[%zu] = %.9g, expected %.9g (scale %.3g)\n", what, i, got[i], ref[i], scale);
            bad++;
        }
    }
    if (bad) fprintf(stderr, "%s: %d of %zu values off\n", what, bad, n);
    CHECK(bad == 0);
}

static void check_grad(const char *what, const float *got, const double *ref, size_t n) {
    check_grad_floor(what, got, ref, n, GRAD_TOL, 0.0);
}

static void check_fwd(const char *what, const float *got, const double *ref, size_t n) {
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

#define IDX4(a, b, c, d, B_, C_, D_) ((((size_t)(a) * (B_) + (b)) * (C_) + (c)) * (D_) + (d))

static void ref_conv(double *out, const double *x, const double *w, const double *bias, int B,
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

/* ConvTranspose2d as a scatter-add of every input value */
static void ref_convt(double *out, const double *x, const double *w, const double *bias, int B,
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

/* training-mode BatchNorm2d over (B, C, HW); mean and biased var out */
static void ref_bn2d(double *out, const double *x, const double *gamma, const double *beta, int B, int C,
                     int HW, double eps, double *mean_out, double *var_out) {
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

/* ---- Conv2d and ConvTranspose2d --------------------------------------------- */

typedef struct {
    double *x, *w, *b, *r;
    int B, transposed;
    gp_conv_geom g;
} conv_ctx;

static double conv_loss(void *p) {
    conv_ctx *c = p;
    size_t no = (size_t)c->B * c->g.oc * c->g.oh * c->g.ow;
    double *out = NEW(double, no);
    if (c->transposed)
        ref_convt(out, c->x, c->w, c->b, c->B, &c->g);
    else
        ref_conv(out, c->x, c->w, c->b, c->B, &c->g);
    double L = dot_dd(out, c->r, no);
    free(out);
    return L;
}

static void test_conv(int transposed, int B, int C, int H, int W, int OC, int k, int s, int p, int with_bias) {
    gp_conv_geom g = transposed ? gp_convt2d_geom(C, H, W, OC, k, s, p) : gp_conv2d_geom(C, H, W, OC, k, s, p);
    char name[96];
    snprintf(name, sizeof name, "%s C%d %dx%d OC%d k%d s%d p%d", transposed ? "convT" : "conv", C, H, W, OC, k,
             s, p);
    size_t nx = (size_t)B * C * H * W, no = (size_t)B * OC * g.oh * g.ow, nw = (size_t)OC * C * k * k;
    size_t nws = transposed ? gp_convt2d_workspace(B, &g) : gp_conv2d_workspace(B, &g);
    float *x = NEW(float, nx), *w = NEW(float, nw), *b = NEW(float, OC), *r = NEW(float, no);
    float *out = NEW(float, no), *dx = NEW(float, nx), *dw = NEW(float, nw), *db = NEW(float, OC);
    float *ws = NEW(float, nws);
    fill_rand(x, nx, -1.5f, 1.5f);
    fill_rand(w, nw, -0.7f, 0.7f);
    fill_rand(b, (size_t)OC, -1.0f, 1.0f);
    fill_rand(r, no, -1.0f, 1.0f);
    conv_ctx ctx = {to_double(x, nx), to_double(w, nw), with_bias ? to_double(b, (size_t)OC) : NULL,
                    to_double(r, no), B, transposed, g};
    double *ref = NEW(double, no);
    if (transposed) {
        ref_convt(ref, ctx.x, ctx.w, ctx.b, B, &g);
        gp_convt2d_forward(out, x, w, with_bias ? b : NULL, B, &g, ws);
    } else {
        ref_conv(ref, ctx.x, ctx.w, ctx.b, B, &g);
        gp_conv2d_forward(out, x, w, with_bias ? b : NULL, B, &g, ws);
    }
    char what[128];
    snprintf(what, sizeof what, "%s out", name);
    check_fwd(what, out, ref, no);

    memset(dw, 0, nw * sizeof(float));
    memset(db, 0, (size_t)OC * sizeof(float));
    if (transposed)
        gp_convt2d_backward(dx, dw, with_bias ? db : NULL, r, x, w, B, &g, ws);
    else
        gp_conv2d_backward(dx, dw, with_bias ? db : NULL, r, x, w, B, &g, ws);
    double *gr = NEW(double, nx > nw ? nx : nw);
    fd_grad(gr, ctx.x, nx, conv_loss, &ctx);
    snprintf(what, sizeof what, "%s dx", name);
    check_grad(what, dx, gr, nx);
    fd_grad(gr, ctx.w, nw, conv_loss, &ctx);
    snprintf(what, sizeof what, "%s dweight", name);
    check_grad(what, dw, gr, nw);
    if (with_bias) {
        fd_grad(gr, ctx.b, (size_t)OC, conv_loss, &ctx);
        snprintf(what, sizeof what, "%s dbias", name);
        check_grad(what, db, gr, (size_t)OC);
    }
    free(ctx.x); free(ctx.w); free(ctx.b); free(ctx.r);
    free(x); free(w); free(b); free(r); free(out); free(dx); free(dw); free(db); free(ws); free(ref); free(gr);
}

/* ---- BatchNorm2d ------------------------------------------------------------ */

typedef struct {
    double *x, *gamma, *beta, *r;
    int B, C, HW;
    double eps;
} bn_ctx;

static double bn_loss(void *p) {
    bn_ctx *c = p;
    size_t n = (size_t)c->B * c->C * c->HW;
    double *out = NEW(double, n);
    ref_bn2d(out, c->x, c->gamma, c->beta, c->B, c->C, c->HW, c->eps, NULL, NULL);
    double L = dot_dd(out, c->r, n);
    free(out);
    return L;
}

static void test_bn2d(int B, int C, int HW, float momentum, float eps) {
    size_t n = (size_t)B * C * HW;
    float *x = NEW(float, n), *r = NEW(float, n), *out = NEW(float, n), *dx = NEW(float, n);
    float *gamma = NEW(float, C), *beta = NEW(float, C), *dgamma = NEW(float, C), *dbeta = NEW(float, C);
    float *rm = NEW(float, C), *rv = NEW(float, C), *rm0 = NEW(float, C), *rv0 = NEW(float, C);
    float *smean = NEW(float, C), *sinv = NEW(float, C);
    /* channels with different offsets and spreads */
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++)
            for (int q = 0; q < HW; q++)
                x[((size_t)b * C + c) * HW + q] = urand(-1.0f, 1.0f) * (0.5f + 0.3f * c) + (float)c - 2.0f;
    fill_rand(r, n, -1.0f, 1.0f);
    fill_rand(gamma, (size_t)C, 0.5f, 1.5f);
    fill_rand(beta, (size_t)C, -0.5f, 0.5f);
    fill_rand(rm0, (size_t)C, -1.0f, 1.0f);
    fill_rand(rv0, (size_t)C, 0.5f, 2.0f);
    memcpy(rm, rm0, (size_t)C * sizeof(float));
    memcpy(rv, rv0, (size_t)C * sizeof(float));

    bn_ctx ctx = {to_double(x, n), to_double(gamma, (size_t)C), to_double(beta, (size_t)C), to_double(r, n),
                  B, C, HW, eps};
    double *ref = NEW(double, n), *mean = NEW(double, C), *var = NEW(double, C);
    ref_bn2d(ref, ctx.x, ctx.gamma, ctx.beta, B, C, HW, eps, mean, var);
    gp_batchnorm2d_forward(out, x, gamma, beta, rm, rv, smean, sinv, B, C, HW, momentum, eps, 1);
    check_fwd("bn2d out", out, ref, n);
    double cnt = (double)B * HW;
    for (int c = 0; c < C; c++) {
        CHECK_CLOSE(smean[c], mean[c], 1e-6, 1e-5);
        CHECK_CLOSE(sinv[c], 1.0 / sqrt(var[c] + eps), 0, 1e-5);
        double want_rm = (1.0 - momentum) * rm0[c] + momentum * mean[c];
        double want_rv = (1.0 - momentum) * rv0[c] + momentum * var[c] * cnt / (cnt - 1);
        CHECK_CLOSE(rm[c], want_rm, 1e-6, 1e-5);
        CHECK_CLOSE(rv[c], want_rv, 1e-6, 1e-5);
    }

    for (size_t i = 0; i < n; i++) dx[i] = NAN;
    memset(dgamma, 0, (size_t)C * sizeof(float));
    memset(dbeta, 0, (size_t)C * sizeof(float));
    gp_batchnorm2d_backward(dx, dgamma, dbeta, r, x, gamma, smean, sinv, B, C, HW);
    double *g = NEW(double, n);
    fd_grad(g, ctx.x, n, bn_loss, &ctx);
    double terms = 0; /* dx may cancel to far below gamma*invstd*dout */
    for (int c = 0; c < C; c++)
        for (int b = 0; b < B; b++)
            for (int q = 0; q < HW; q++) {
                double t = fabs((double)gamma[c] * sinv[c] * r[((size_t)b * C + c) * HW + q]);
                if (t > terms) terms = t;
            }
    check_grad_floor("bn2d dx", dx, g, n, GRAD_TOL, 0.01 * terms);
    fd_grad(g, ctx.gamma, (size_t)C, bn_loss, &ctx);
    check_grad("bn2d dgamma", dgamma, g, (size_t)C);
    fd_grad(g, ctx.beta, (size_t)C, bn_loss, &ctx);
    check_grad("bn2d dbeta", dbeta, g, (size_t)C);
    /* accumulation, and no input gradient */
    float *dg2 = NEW(float, C), *db2 = NEW(float, C);
    for (int c = 0; c < C; c++) dg2[c] = db2[c] = 1.0f;
    gp_batchnorm2d_backward(NULL, dg2, db2, r, x, gamma, smean, sinv, B, C, HW);
    for (int c = 0; c < C; c++) {
        CHECK_CLOSE(dg2[c], 1.0 + dgamma[c], 1e-6 * (1.0 + fabs(dgamma[c])), 0);
        CHECK_CLOSE(db2[c], 1.0 + dbeta[c], 1e-6 * (1.0 + fabs(dbeta[c])), 0);
    }

    /* eval: running statistics, nothing updated */
    float *rm1 = NEW(float, C), *rv1 = NEW(float, C);
    memcpy(rm1, rm, (size_t)C * sizeof(float));
    memcpy(rv1, rv, (size_t)C * sizeof(float));
    for (int c = 0; c < C; c++) smean[c] = sinv[c] = -7.0f;
    gp_batchnorm2d_forward(out, x, gamma, beta, rm, rv, smean, sinv, B, C, HW, momentum, eps, 0);
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++)
            for (int q = 0; q < HW; q++) {
                size_t i = ((size_t)b * C + c) * HW + q;
                ref[i] = (double)gamma[c] * ((double)x[i] - rm[c]) / sqrt((double)rv[c] + eps) + beta[c];
            }
    check_fwd("bn2d eval out", out, ref, n);
    CHECK(memcmp(rm, rm1, (size_t)C * sizeof(float)) == 0);
    CHECK(memcmp(rv, rv1, (size_t)C * sizeof(float)) == 0);
    for (int c = 0; c < C; c++) CHECK(smean[c] == -7.0f && sinv[c] == -7.0f);

    free(ctx.x); free(ctx.gamma); free(ctx.beta); free(ctx.r);
    free(x); free(r); free(out); free(dx); free(gamma); free(beta); free(dgamma); free(dbeta);
    free(rm); free(rv); free(rm0); free(rv0); free(smean); free(sinv); free(ref); free(mean); free(var);
    free(g); free(dg2); free(db2); free(rm1); free(rv1);
}

/* ---- Dropout, with the mask of one training forward held fixed ------------- */

typedef struct {
    double *x, *r;
    const float *mask;
    size_t n;
} drop_ctx;

static double drop_loss(void *p) {
    drop_ctx *c = p;
    double L = 0;
    for (size_t i = 0; i < c->n; i++) L += c->x[i] * c->mask[i] * c->r[i];
    return L;
}

static void test_dropout(size_t n, float p) {
    float *x = NEW(float, n), *r = NEW(float, n), *out = NEW(float, n), *mask = NEW(float, n), *dx = NEW(float, n);
    fill_rand(x, n, -2.0f, 2.0f);
    fill_rand(r, n, -1.0f, 1.0f);
    gp_rng drng;
    gp_rng_seed(&drng, 3);
    gp_dropout_forward(out, mask, x, n, p, 1, &drng);
    drop_ctx ctx = {to_double(x, n), to_double(r, n), mask, n};
    double *ref = NEW(double, n), *g = NEW(double, n);
    for (size_t i = 0; i < n; i++) ref[i] = ctx.x[i] * mask[i];
    check_fwd("dropout out", out, ref, n);
    gp_dropout_backward(dx, r, mask, n);
    fd_grad(g, ctx.x, n, drop_loss, &ctx);
    check_grad("dropout dx", dx, g, n);
    free(ctx.x); free(ctx.r); free(x); free(r); free(out); free(mask); free(dx); free(ref); free(g);
}

/* ---- whole networks ----------------------------------------------------------- */

static gp_conv_geom net_geom(const gp_net *net, int i) {
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

/* The net's forward in double, following its layer list; Dropout uses the
 * masks the last C forward stored. */
static double net_loss(void *p) {
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
        case GP_LAYER_LINEAR:
            for (int b = 0; b < B; b++)
                for (int o = 0; o < on; o++) {
                    double sum = pp[(size_t)on * in + o];
                    for (int k = 0; k < in; k++) sum += cur[(size_t)b * in + k] * pp[(size_t)o * in + k];
                    nxt[(size_t)b * on + o] = sum;
                }
            break;
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
        case GP_LAYER_BATCHNORM2D:
            ref_bn2d(nxt, cur, pp, pp + s.c, B, s.c, s.h * s.w, d->eps, NULL, NULL);
            break;
        case GP_LAYER_LEAKY_RELU:
        case GP_LAYER_RELU: {
            double slope = d->kind == GP_LAYER_RELU ? 0.0 : d->alpha;
            for (size_t k = 0; k < n; k++) {
                if (fabs(cur[k]) < c->min_kink) c->min_kink = fabs(cur[k]);
                nxt[k] = cur[k] > 0 ? cur[k] : slope * cur[k];
            }
            break;
        }
        case GP_LAYER_TANH:
            for (size_t k = 0; k < n; k++) nxt[k] = tanh(cur[k]);
            break;
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

/* float loss through the C forward, with dropout's stream reset so that
 * every forward draws the same masks */
static double c_net_loss(gp_net *net, const float *input, const double *r, int B) {
    gp_rng_seed(&net->rng, 77);
    const float *out = gp_net_forward(net, input, B);
    double s = 0;
    for (size_t i = 0; i < (size_t)B * gp_shape_size(gp_net_output_shape(net)); i++) s += (double)out[i] * r[i];
    return s;
}

static void test_net(const char *name, gp_shape in_shape, const gp_layer_desc *layers, int n_layers, int batch,
                     uint64_t seed) {
    gp_net net;
    gp_err err = {{0}};
    gp_status st = gp_net_create(&net, in_shape, layers, n_layers, batch, &err);
    CHECK(st == GP_OK);
    if (st != GP_OK) {
        fprintf(stderr, "%s: gp_net_create: %s\n", name, err.msg);
        return;
    }
    int in_n = gp_shape_size(in_shape), out_n = gp_shape_size(gp_net_output_shape(&net));
    size_t ni = (size_t)batch * in_n, no = (size_t)batch * out_n;
    float *input = NEW(float, ni), *r = NEW(float, no);
    double *g = NEW(double, net.n_params > ni ? net.n_params : ni);
    net_ctx ctx = {&net, NULL, NULL, NULL, batch, 0, NULL};

    /* the first seed whose (Leaky)ReLU inputs stay KINK_MARGIN from 0 */
    for (uint64_t s = seed; s < seed + 400; s++) {
        gp_rng init;
        gp_rng_seed(&init, s);
        gp_net_init_params(&net, &init);
        for (int i = 0; i < n_layers; i++)
            if (layers[i].kind == GP_LAYER_BATCHNORM2D) { /* non-trivial gamma and beta */
                int c = net.shape[i].c;
                float *p = net.params + net.param_off[i];
                for (int k = 0; k < c; k++) {
                    p[k] = 0.5f + gp_rng_uniform(&init);
                    p[c + k] = gp_rng_uniform(&init) - 0.5f;
                }
            }
        gp_rng_fill_uniform(&init, input, (int)ni, -2.0f, 2.0f);
        gp_rng_fill_uniform(&init, r, (int)no, -1.0f, 1.0f);
        free(ctx.params);
        free(ctx.input);
        free(ctx.r);
        ctx.params = to_double(net.params, net.n_params);
        ctx.input = to_double(input, ni);
        ctx.r = to_double(r, no);
        gp_rng_seed(&net.rng, 77);
        gp_net_forward(&net, input, batch); /* the dropout masks */
        net_loss(&ctx);
        if (ctx.min_kink > KINK_MARGIN) break;
    }
    if (!(ctx.min_kink > KINK_MARGIN)) fprintf(stderr, "%s: no seed keeps ReLU inputs off the kink\n", name);
    CHECK(ctx.min_kink > KINK_MARGIN);

    double *ref_out = NEW(double, no);
    ctx.out = ref_out;
    net_loss(&ctx);
    ctx.out = NULL;
    gp_rng_seed(&net.rng, 77);
    const float *out = gp_net_forward(&net, input, batch);
    check_fwd(name, out, ref_out, no);

    gp_net_zero_grad(&net);
    const float *dinput = gp_net_backward(&net, r, batch, 1, 1);
    CHECK(dinput != NULL);
    float *dinput_copy = NEW(float, ni), *grads1 = NEW(float, net.n_params);
    memcpy(dinput_copy, dinput, ni * sizeof(float));
    memcpy(grads1, net.grads, net.n_params * sizeof(float));
    fd_grad(g, ctx.params, net.n_params, net_loss, &ctx);
    for (int i = 0; i < n_layers; i++) {
        size_t cnt = gp_layer_param_count(&net, i);
        if (cnt) {
            char what[96];
            snprintf(what, sizeof what, "%s layer %d grads", name, i);
            check_grad(what, net.grads + net.param_off[i], g + net.param_off[i], cnt);
        }
    }
    fd_grad(g, ctx.input, ni, net_loss, &ctx);
    char what[96];
    snprintf(what, sizeof what, "%s input grad", name);
    check_grad(what, dinput_copy, g, ni);

    /* central differences of the float C forward, no reference involved */
    double scale = 0;
    for (size_t k = 0; k < net.n_params; k++) {
        float old = net.params[k];
        float h = 1e-3f * (fabsf(old) > 1.0f ? fabsf(old) : 1.0f);
        net.params[k] = old + h;
        double fp = c_net_loss(&net, input, ctx.r, batch);
        float xp = net.params[k];
        net.params[k] = old - h;
        double fm = c_net_loss(&net, input, ctx.r, batch);
        float xm = net.params[k];
        net.params[k] = old;
        g[k] = (fp - fm) / ((double)xp - xm);
        if (fabs(g[k]) > scale) scale = fabs(g[k]);
    }
    int bad = 0;
    for (size_t k = 0; k < net.n_params; k++)
        if (!(fabs(grads1[k] - g[k]) <= 1e-2 * scale)) {
            if (!bad) fprintf(stderr, "%s float fd: param %zu grad %.9g, fd %.9g\n", name, k, grads1[k], g[k]);
            bad++;
        }
    CHECK(bad == 0);

    /* backward again after the same forward: same input gradient, and the
     * parameter gradients accumulate */
    c_net_loss(&net, input, ctx.r, batch);
    const float *dinput2 = gp_net_backward(&net, r, batch, 1, 1);
    CHECK(dinput2 != NULL && memcmp(dinput2, dinput_copy, ni * sizeof(float)) == 0);
    double gmax = 0;
    for (size_t k = 0; k < net.n_params; k++)
        if (fabs(grads1[k]) > gmax) gmax = fabs(grads1[k]);
    for (size_t k = 0; k < net.n_params; k++)
        CHECK_CLOSE(net.grads[k], 2.0 * grads1[k], 1e-5 * fabs(grads1[k]) + 1e-6 * gmax, 0);

    free(ctx.params); free(ctx.input); free(ctx.r);
    free(input); free(r); free(g); free(ref_out); free(dinput_copy); free(grads1);
    gp_net_free(&net);
}

static gp_layer_desc L(uint32_t kind, uint32_t oc, uint32_t k, uint32_t s, uint32_t p) {
    gp_layer_desc d = {0};
    d.kind = kind;
    d.out_c = oc;
    d.kernel = k;
    d.stride = s;
    d.pad = p;
    if (kind == GP_LAYER_BATCHNORM2D) {
        d.alpha = 0.1f;
        d.eps = 1e-5f;
    }
    if (kind == GP_LAYER_LEAKY_RELU) d.alpha = 0.2f;
    return d;
}

static gp_layer_desc R(uint32_t c, uint32_t h, uint32_t w) {
    gp_layer_desc d = {0};
    d.kind = GP_LAYER_RESHAPE;
    d.out_c = c;
    d.out_h = h;
    d.out_w = w;
    return d;
}

int main(void) {
    int quick = getenv("GP_TEST_QUICK") != NULL;
    gp_rng_seed(&rng, 8);

    test_conv(0, 2, 3, 7, 6, 4, 3, 2, 1, 1);
    test_conv(0, 2, 2, 8, 8, 3, 4, 2, 1, 1); /* DCGAN's */
    test_conv(0, 2, 2, 5, 6, 2, 5, 1, 2, 0);
    test_conv(1, 2, 3, 4, 3, 2, 4, 2, 1, 1); /* DCGAN's */
    test_conv(1, 2, 2, 3, 4, 3, 3, 1, 0, 1);
    test_conv(1, 2, 2, 3, 3, 2, 5, 2, 2, 0);
    if (!quick) {
        test_conv(0, 3, 2, 9, 7, 2, 3, 1, 0, 1);
        test_conv(1, 3, 2, 4, 5, 2, 3, 2, 1, 1);
    }

    test_bn2d(3, 4, 5, 0.1f, 1e-5f);
    test_bn2d(2, 3, 1, 0.1f, 1e-5f); /* B*HW = 2: the smallest */
    test_bn2d(4, 5, 49, 0.3f, 1e-3f);

    test_dropout(37, 0.5f);
    test_dropout(8, 0.0f);

    /* a generator: Linear -> Reshape -> BN2d -> ReLU -> ConvT -> Tanh */
    const gp_layer_desc gen[] = {
        {.kind = GP_LAYER_LINEAR, .out_c = 2 * 3 * 3}, R(2, 3, 3), L(GP_LAYER_BATCHNORM2D, 0, 0, 0, 0),
        L(GP_LAYER_RELU, 0, 0, 0, 0), L(GP_LAYER_CONVT2D, 2, 4, 2, 1), {.kind = GP_LAYER_TANH},
    };
    test_net("net G", (gp_shape){4, 1, 1}, gen, 6, 4, 1);
    /* a discriminator: Conv -> LeakyReLU -> Conv -> BN2d -> Flatten -> Linear */
    gp_layer_desc disc[] = {
        L(GP_LAYER_CONV2D, 3, 4, 2, 1), L(GP_LAYER_LEAKY_RELU, 0, 0, 0, 0), L(GP_LAYER_CONV2D, 4, 3, 1, 1),
        L(GP_LAYER_BATCHNORM2D, 0, 0, 0, 0), R(36, 1, 1), {.kind = GP_LAYER_LINEAR, .out_c = 1},
    };
    disc[2].flags = GP_LAYER_NO_BIAS;
    test_net("net D", (gp_shape){1, 6, 6}, disc, 6, 4, 100);
    /* a reshape into a conv, and Dropout (its zeros would sit on a kink if
     * a LeakyReLU followed, so it comes after) */
    gp_layer_desc drop[] = {
        R(2, 3, 4), L(GP_LAYER_CONV2D, 3, 3, 1, 1), L(GP_LAYER_LEAKY_RELU, 0, 0, 0, 0),
        {.kind = GP_LAYER_DROPOUT, .alpha = 0.4f}, R(36, 1, 1), {.kind = GP_LAYER_LINEAR, .out_c = 2},
    };
    test_net("net dropout", (gp_shape){24, 1, 1}, drop, 6, 3, 200);

    return check_report("gradcheck_conv");
}
