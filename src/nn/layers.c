#include "nn/layers.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "nn/kernels.h"

/* The pool for a loop over `floats` values, or NULL (run in the caller)
 * where waking the workers would cost more than the loop. */
static gp_threads *worth(gp_threads *th, size_t floats) { return floats >= 16384 ? th : NULL; }

size_t gp_linear_workspace(int B, int C, int OC) {
    size_t a = gp_gemm_workspace(B, OC, C);  /* forward */
    size_t b = gp_gemm_workspace(B, C, OC);  /* input gradient */
    size_t c = gp_gemm_workspace(OC, C, B);  /* weight gradient */
    size_t m = a > b ? a : b;
    m = m > c ? m : c;
    return m > (size_t)OC ? m : (size_t)OC; /* bias gradient sums */
}

/* The forward product's weight operand is weight^T (C, OC):
 * weight^T(c, oc) = weight[oc*C + c]. */
size_t gp_linear_packed_size(int C, int OC) { return gp_gemm_pack_b_size(OC, C); }
void gp_linear_pack(float *packed, const float *weight, int C, int OC) {
    gp_gemm_pack_b(packed, OC, C, weight, 1, C);
}

void gp_linear_forward(float *out, const float *inp, const float *weight, const float *wpacked,
                       const float *bias, int B, int C, int OC, float *ws, gp_threads *th) {
    /* out = inp * weight^T + bias */
    gp_gemm_prepacked(B, OC, C, NULL, inp, C, 1, wpacked, weight, 1, C, bias, out, OC, 0, ws, th);
}

void gp_linear_backward(float *dinp, float *dweight, float *dbias,
                        const float *dout, const float *inp,
                        const float *weight, int B, int C, int OC, float *ws, gp_threads *th) {
    if (dinp) /* dinp (B,C) = dout (B,OC) * weight (OC,C) */
        gp_gemm(B, C, OC, dout, OC, 1, weight, C, 1, NULL, dinp, C, 0, ws, th);
    if (dweight) /* dweight (OC,C) += dout^T (OC,B) * inp (B,C) */
        gp_gemm(OC, C, B, dout, 1, OC, inp, C, 1, NULL, dweight, C, 1, ws, th);
    if (dbias) {
        gp_col_sum(ws, dout, B, OC);
        for (int o = 0; o < OC; o++) dbias[o] += ws[o];
    }
}

void gp_batchnorm_forward(float *out, const float *inp, const float *gamma,
                          const float *beta, float *running_mean,
                          float *running_var, float *save_mean,
                          float *save_invstd, int B, int C, float momentum,
                          float eps, int training, float *ws) {
    float *scale = ws, *shift = ws + C;
    if (training) {
        float *mean = save_mean, *invstd = save_invstd, *sqdev = ws + 2 * C;
        gp_col_sum(mean, inp, B, C);
        for (int c = 0; c < C; c++) mean[c] /= (float)B;
        gp_col_sqdev(sqdev, inp, mean, B, C);
        for (int c = 0; c < C; c++) {
            float var = sqdev[c] / (float)B;
            invstd[c] = 1.0f / sqrtf(var + eps);
            scale[c] = gamma[c] * invstd[c];
            shift[c] = beta[c] - mean[c] * scale[c];
            /* running_var tracks the unbiased variance, as in PyTorch */
            float unbiased = B > 1 ? sqdev[c] / (float)(B - 1) : var;
            running_mean[c] = (1.0f - momentum) * running_mean[c] + momentum * mean[c];
            running_var[c] = (1.0f - momentum) * running_var[c] + momentum * unbiased;
        }
    } else {
        for (int c = 0; c < C; c++) {
            scale[c] = gamma[c] / sqrtf(running_var[c] + eps);
            shift[c] = beta[c] - running_mean[c] * scale[c];
        }
    }
    gp_col_affine(out, inp, scale, shift, B, C);
}

void gp_batchnorm_backward(float *dinp, float *dgamma, float *dbeta,
                           const float *dout, const float *inp,
                           const float *gamma, const float *save_mean,
                           const float *save_invstd, int B, int C, float *ws) {
    /* With xhat = (x - mean) * invstd:
     *   dbeta = sum dout, dgamma = sum dout * xhat,
     *   dx = gamma*invstd * (dout - dbeta/B - xhat * dgamma/B),
     * written as dx = dout*sa + x*sb + shift for one affine pass. */
    float *sum_dout = ws, *sum_dout_dev = ws + C;
    float *sa = ws + 2 * C, *sb = ws + 3 * C, *shift = ws + 4 * C;
    gp_col_sum(sum_dout, dout, B, C);
    gp_col_dot_dev(sum_dout_dev, dout, inp, save_mean, B, C);
    for (int c = 0; c < C; c++) {
        float invstd = save_invstd[c];
        float sum_dout_xhat = sum_dout_dev[c] * invstd;
        if (dbeta) dbeta[c] += sum_dout[c];
        if (dgamma) dgamma[c] += sum_dout_xhat;
        float k = gamma[c] * invstd;
        float xhat_coef = sum_dout_xhat / (float)B; /* multiplies xhat */
        sa[c] = k;
        sb[c] = -k * xhat_coef * invstd;
        shift[c] = k * (xhat_coef * invstd * save_mean[c] - sum_dout[c] / (float)B);
    }
    if (dinp) gp_col_affine2(dinp, dout, sa, inp, sb, shift, B, C);
}

void gp_batchnorm_eval_backward(float *dinp, float *dgamma, float *dbeta, const float *dout, const float *inp,
                                const float *gamma, const float *running_mean, const float *running_var,
                                float eps, int B, int C, int HW) {
    for (int c = 0; c < C; c++) {
        float invstd = 1.0f / sqrtf(running_var[c] + eps), k = gamma[c] * invstd;
        double sdy = 0.0, sdx = 0.0;
        for (int b = 0; b < B; b++) {
            size_t o = ((size_t)b * C + c) * (size_t)HW;
            for (int i = 0; i < HW; i++) {
                float dy = dout[o + i];
                sdy += dy;
                sdx += (double)dy * (inp[o + i] - running_mean[c]) * invstd;
                if (dinp) dinp[o + i] = dy * k;
            }
        }
        if (dbeta) dbeta[c] += (float)sdy;
        if (dgamma) dgamma[c] += (float)sdx;
    }
}

/* ---- convolutions ------------------------------------------------------- */

/* Workspace of one conv call, in floats, above which the batch is split
 * into chunks. A chunk is one GEMM, so chunks of many samples keep edge
 * tiles and weight packing rare: the DCGAN's training step measured 20-50%
 * slower with chunks of one or two samples. Beyond this cap (14 samples of
 * its 64->128 conv) whole-batch chunks (2^23) measured no faster, natively
 * or in wasm, and take 4x the memory. */
#ifndef GP_CONV_WS_CAP
#define GP_CONV_WS_CAP ((size_t)1 << 20)
#endif

gp_conv_geom gp_conv2d_geom(int c, int h, int w, int oc, int k, int s, int p) {
    gp_conv_geom g = {c, h, w, oc, (h + 2 * p - k) / s + 1, (w + 2 * p - k) / s + 1, k, s, p};
    return g;
}

gp_conv_geom gp_convt2d_geom(int c, int h, int w, int oc, int k, int s, int p) {
    gp_conv_geom g = {c, h, w, oc, (h - 1) * s - 2 * p + k, (w - 1) * s - 2 * p + k, k, s, p};
    return g;
}

/* ConvTranspose2d (c,h,w) -> (oc,oh,ow) is the input gradient of the
 * Conv2d (oc,oh,ow) -> (c,h,w) with the same weight tensor: that conv's
 * (out, in, k, k) weight layout is ConvTranspose2d's (in, out, k, k). */
static gp_conv_geom lowered(const gp_conv_geom *g) {
    gp_conv_geom u = {g->oc, g->oh, g->ow, g->c, g->h, g->w, g->k, g->s, g->p};
    return u;
}

/* Both layers work on the conv u: an im2col matrix col (Ku, nb*P) (the
 * products that read it make it panel by panel instead: col_panel), a
 * channel-major (u.oc, nb*P) buffer and the GEMMs
 * (u.oc, nb*P, Ku), (Ku, nb*P, u.oc) and (u.oc, Ku, nb*P). */
static uint64_t conv_ws(const gp_conv_geom *u, int nb) {
    uint64_t P = (uint64_t)u->oh * u->ow, N = (uint64_t)nb * P;
    int Ku = u->c * u->k * u->k;
    if (N > (1u << 30)) return UINT64_MAX; /* far over any cap; keeps ints safe */
    uint64_t a = gp_gemm_workspace(u->oc, (int)N, Ku);
    uint64_t b = gp_gemm_workspace(Ku, (int)N, u->oc);
    uint64_t c = gp_gemm_workspace(u->oc, Ku, (int)N);
    uint64_t m = a > b ? a : b;
    m = m > c ? m : c;
    return (uint64_t)Ku * N + (uint64_t)u->oc * N + m;
}

/* Samples per chunk: as many as fit under the cap (conv_ws grows with nb),
 * at least one. */
static int conv_chunk(const gp_conv_geom *u, int B) {
    int lo = 1, hi = B;
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (conv_ws(u, mid) <= GP_CONV_WS_CAP)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

size_t gp_conv2d_workspace(int B, const gp_conv_geom *g) {
    return (size_t)conv_ws(g, conv_chunk(g, B));
}

size_t gp_convt2d_workspace(int B, const gp_conv_geom *g) {
    gp_conv_geom u = lowered(g);
    return (size_t)conv_ws(&u, conv_chunk(&u, B));
}

/* Outputs o in [*lo, *hi) of a kernel tap kk read input o*s - p + kk
 * inside [0, n); out_n outputs in all. */
static void tap_range(int kk, int n, int out_n, int s, int p, int *lo, int *hi) {
    int a = p - kk, b = n - 1 + p - kk; /* need a <= o*s <= b */
    int l = a <= 0 ? 0 : (a + s - 1) / s;
    int h = b < 0 ? 0 : b / s + 1;
    if (h > out_n) h = out_n;
    if (l > h) l = h;
    *lo = l;
    *hi = h;
}

/* col2im's loop as tasks over (channel, sample) pairs: each task writes its
 * own plane of x, in the one-thread order, so threads change nothing in the
 * result. */
typedef struct {
    const float *col; /* read */
    float *x;         /* accumulated into */
    int nb;
    const gp_conv_geom *u;
} lowering_job;

/* Output rows [r_lo, r_hi) and columns [c_lo, c_hi) of kernel tap (ki, kj)
 * read the input (the others read padding). */
typedef struct {
    int r_lo, r_hi, c_lo, c_hi;
} tap_window;

static tap_window window_of(const gp_conv_geom *u, int ki, int kj) {
    tap_window t;
    tap_range(ki, u->h, u->oh, u->s, u->p, &t.r_lo, &t.r_hi);
    tap_range(kj, u->w, u->ow, u->s, u->p, &t.c_lo, &t.c_hi);
    return t;
}

/* The lowered input as a GEMM operand made panel by panel (gp_gemm_bfn),
 * never written out whole: each panel is made by the thread that uses it,
 * from the input itself. Its values are im2col's, so the products are the
 * same bits. */
typedef struct {
    const float *x; /* (nb, u.c, u.h, u.w) */
    const gp_conv_geom *u;
    int nb;
} lowered_src;

/* B = col (u.c*k*k, nb*oh*ow): rows (c, ki, kj) from k0, columns (b, oh, ow) from j0 */
static void col_panel(const void *ctx, float *dst, int j0, int k0, int kc) {
    const lowered_src *src = ctx;
    const gp_conv_geom *u = src->u;
    int k = u->k, H = u->h, W = u->w, OW = u->ow, P = u->oh * OW;
    int N = src->nb * P, cols = N - j0 < GP_GEMM_NR ? N - j0 : GP_GEMM_NR;
    size_t plane = (size_t)H * W;
    int ih0[GP_GEMM_NR], iw0[GP_GEMM_NR];
    const float *xb[GP_GEMM_NR];
    for (int c = 0; c < cols; c++) {
        int n = j0 + c, b = n / P, r = n % P;
        ih0[c] = r / OW * u->s - u->p;
        iw0[c] = r % OW * u->s - u->p;
        xb[c] = src->x + (size_t)b * u->c * plane;
    }
    int taps = k * k, ci = k0 / taps, ki = k0 % taps / k, kj = k0 % k;
    for (int t = 0; t < kc; t++, dst += GP_GEMM_NR) {
        size_t off = (size_t)ci * plane;
        for (int c = 0; c < cols; c++) {
            int ih = ih0[c] + ki, iw = iw0[c] + kj;
            dst[c] = (unsigned)ih < (unsigned)H && (unsigned)iw < (unsigned)W ? xb[c][off + (size_t)ih * W + iw] : 0.0f;
        }
        for (int c = cols; c < GP_GEMM_NR; c++) dst[c] = 0.0f;
        if (++kj == k) {
            kj = 0;
            if (++ki == k) {
                ki = 0;
                ci++;
            }
        }
    }
}

/* B = col^T (nb*oh*ow, u.c*k*k): rows (b, oh, ow) from k0, columns (c, ki, kj) from j0 */
static void col_t_panel(const void *ctx, float *dst, int j0, int k0, int kc) {
    const lowered_src *src = ctx;
    const gp_conv_geom *u = src->u;
    int k = u->k, H = u->h, W = u->w, OH = u->oh, OW = u->ow, taps = k * k;
    int Ku = u->c * taps, cols = Ku - j0 < GP_GEMM_NR ? Ku - j0 : GP_GEMM_NR;
    size_t plane = (size_t)H * W;
    size_t coff[GP_GEMM_NR];
    int dki[GP_GEMM_NR], dkj[GP_GEMM_NR];
    for (int c = 0; c < cols; c++) {
        int ku = j0 + c;
        coff[c] = (size_t)(ku / taps) * plane;
        dki[c] = ku % taps / k - u->p;
        dkj[c] = ku % k - u->p;
    }
    int P = OH * OW, b = k0 / P, oh = k0 % P / OW, ow = k0 % OW;
    for (int t = 0; t < kc; t++, dst += GP_GEMM_NR) {
        const float *xb = src->x + (size_t)b * u->c * plane;
        int ihb = oh * u->s, iwb = ow * u->s;
        for (int c = 0; c < cols; c++) {
            int ih = ihb + dki[c], iw = iwb + dkj[c];
            dst[c] = (unsigned)ih < (unsigned)H && (unsigned)iw < (unsigned)W ? xb[coff[c] + (size_t)ih * W + iw] : 0.0f;
        }
        for (int c = cols; c < GP_GEMM_NR; c++) dst[c] = 0.0f;
        if (++ow == OW) {
            ow = 0;
            if (++oh == OH) {
                oh = 0;
                b++;
            }
        }
    }
}

/* The adjoint of im2col: x (nb, u.c, u.h, u.w) += scatter of col; the task
 * of (c, b) adds into plane (b, c) in the order (ki, kj, oh, ow). */
static void col2im_task(void *ctx, int t) {
    const lowering_job *j = ctx;
    const gp_conv_geom *u = j->u;
    int c = t / j->nb, b = t % j->nb;
    int k = u->k, s = u->s, p = u->p, OH = u->oh, OW = u->ow, W = u->w;
    size_t P = (size_t)OH * OW, ld = (size_t)j->nb * P, plane = (size_t)u->h * W;
    float *xp = j->x + ((size_t)b * u->c + c) * plane;
    for (int ki = 0; ki < k; ki++)
        for (int kj = 0; kj < k; kj++) {
            tap_window t = window_of(u, ki, kj);
            int c_lo = t.c_lo, c_hi = t.c_hi;
            const float *src = j->col + ((size_t)(c * k + ki) * k + kj) * ld + (size_t)b * P;
            for (int oh = t.r_lo; oh < t.r_hi; oh++) {
                const float *sr = src + (size_t)oh * OW;
                float *xr = xp + (size_t)(oh * s - p + ki) * W;
                int base = kj - p;
                if (s == 1)
                    for (int ow = c_lo; ow < c_hi; ow++) xr[base + ow] += sr[ow];
                else
                    for (int ow = c_lo; ow < c_hi; ow++) xr[base + ow * s] += sr[ow];
            }
        }
}

static void col2im(float *x, const float *col, int nb, const gp_conv_geom *u, gp_threads *th) {
    lowering_job j = {col, x, nb, u};
    gp_threads_run(worth(th, (size_t)u->c * u->k * u->k * nb * u->oh * u->ow), u->c * nb, col2im_task, &j);
}

/* Layout changes between (nb, C, P) and (C, nb*P) planes, a task per plane:
 * to channel-major, or back (adding bias[c] when bias is given, or setting
 * every value to bias[c] (0 without bias) when src is NULL). */
typedef struct {
    float *dst;
    const float *src, *bias;
    int nb, C, to_channel_major;
    size_t P;
} planes_job;

static void planes_task(void *ctx, int t) {
    const planes_job *j = ctx;
    int b = t / j->C, c = t % j->C;
    size_t batch_major = ((size_t)b * j->C + c) * j->P, channel_major = ((size_t)c * j->nb + b) * j->P;
    if (j->to_channel_major) {
        memcpy(j->dst + channel_major, j->src + batch_major, j->P * sizeof(float));
        return;
    }
    float *d = j->dst + batch_major;
    if (!j->src) {
        float v = j->bias ? j->bias[c] : 0.0f;
        for (size_t i = 0; i < j->P; i++) d[i] = v;
    } else if (j->bias) {
        gp_scale_shift(d, j->src + channel_major, j->P, 1.0f, j->bias[c]);
    } else {
        memcpy(d, j->src + channel_major, j->P * sizeof(float));
    }
}

static void to_channel_major(float *dst, const float *src, int nb, int C, size_t P, gp_threads *th) {
    planes_job j = {dst, src, NULL, nb, C, 1, P};
    gp_threads_run(worth(th, (size_t)nb * C * P), nb * C, planes_task, &j);
}

static void from_channel_major(float *dst, const float *src, const float *bias, int nb, int C, size_t P,
                               gp_threads *th) {
    planes_job j = {dst, src, bias, nb, C, 0, P};
    gp_threads_run(worth(th, (size_t)nb * C * P), nb * C, planes_task, &j);
}

/* dbias[c] += sum of dout (B, C, P) over b and P */
typedef struct {
    float *dbias;
    const float *dout;
    int B, C;
    size_t P;
} plane_sums_job;

static void plane_sums_task(void *ctx, int c) {
    const plane_sums_job *j = ctx;
    double s = 0.0;
    for (int b = 0; b < j->B; b++) s += gp_sum(j->dout + ((size_t)b * j->C + c) * j->P, j->P);
    j->dbias[c] += (float)s;
}

static void plane_sums_add(float *dbias, const float *dout, int B, int C, size_t P, gp_threads *th) {
    plane_sums_job j = {dbias, dout, B, C, P};
    gp_threads_run(worth(th, (size_t)B * C * P), C, plane_sums_task, &j);
}

/* The forward products' weight operands: Conv2d's weight (oc, K) as A;
 * ConvTranspose2d's weight^T (Ku, c) as A. */
size_t gp_conv2d_packed_size(const gp_conv_geom *g) {
    return gp_gemm_pack_a_size(g->oc, g->c * g->k * g->k);
}
void gp_conv2d_pack(float *packed, const float *weight, const gp_conv_geom *g) {
    int K = g->c * g->k * g->k;
    gp_gemm_pack_a(packed, g->oc, K, weight, K, 1);
}
size_t gp_convt2d_packed_size(const gp_conv_geom *g) {
    return gp_gemm_pack_a_size(g->oc * g->k * g->k, g->c);
}
void gp_convt2d_pack(float *packed, const float *weight, const gp_conv_geom *g) {
    int Ku = g->oc * g->k * g->k;
    gp_gemm_pack_a(packed, Ku, g->c, weight, 1, Ku);
}

void gp_conv2d_forward(float *out, const float *inp, const float *weight, const float *wpacked,
                       const float *bias, int B, const gp_conv_geom *g, float *ws, gp_threads *th) {
    int K = g->c * g->k * g->k, nb = conv_chunk(g, B);
    size_t P = (size_t)g->oh * g->ow, in_n = (size_t)g->c * g->h * g->w, out_n = g->oc * P;
    float *col = ws, *y = col + (size_t)K * nb * P, *gws = y + (size_t)g->oc * nb * P;
    for (int b0 = 0; b0 < B; b0 += nb) {
        int n = B - b0 < nb ? B - b0 : nb, N = n * (int)P;
        /* y (oc, N) = weight (oc, K) * col (K, N), col made panel by panel */
        lowered_src src = {inp + b0 * in_n, g, n};
        gp_gemm_bfn(g->oc, N, K, wpacked, weight, K, 1, col_panel, &src, NULL, y, N, 0, gws, th);
        from_channel_major(out + b0 * out_n, y, bias, n, g->oc, P, th);
    }
}

void gp_conv2d_backward(float *dinp, float *dweight, float *dbias,
                        const float *dout, const float *inp,
                        const float *weight, int B, const gp_conv_geom *g,
                        float *ws, gp_threads *th) {
    int K = g->c * g->k * g->k, nb = conv_chunk(g, B);
    size_t P = (size_t)g->oh * g->ow, in_n = (size_t)g->c * g->h * g->w, out_n = g->oc * P;
    float *col = ws, *dy = col + (size_t)K * nb * P, *gws = dy + (size_t)g->oc * nb * P;
    if (dbias) plane_sums_add(dbias, dout, B, g->oc, P, th);
    if (!dinp && !dweight) return;
    for (int b0 = 0; b0 < B; b0 += nb) {
        int n = B - b0 < nb ? B - b0 : nb, N = n * (int)P;
        to_channel_major(dy, dout + b0 * out_n, n, g->oc, P, th);
        if (dweight) { /* dweight (oc, K) += dy (oc, N) * col^T (N, K) */
            lowered_src src = {inp + b0 * in_n, g, n};
            gp_gemm_bfn(g->oc, K, N, NULL, dy, N, 1, col_t_panel, &src, NULL, dweight, K, 1, gws, th);
        }
        if (dinp) { /* dcol (K, N) = weight^T (K, oc) * dy (oc, N), then scatter */
            gp_gemm(K, N, g->oc, weight, 1, K, dy, N, 1, NULL, col, N, 0, gws, th);
            memset(dinp + b0 * in_n, 0, n * in_n * sizeof(float));
            col2im(dinp + b0 * in_n, col, n, g, th);
        }
    }
}

void gp_convt2d_forward(float *out, const float *inp, const float *weight, const float *wpacked,
                        const float *bias, int B, const gp_conv_geom *g, float *ws, gp_threads *th) {
    gp_conv_geom u = lowered(g);
    int Ku = u.c * u.k * u.k, nb = conv_chunk(&u, B);
    size_t P = (size_t)g->h * g->w, in_n = g->c * P, out_plane = (size_t)g->oh * g->ow;
    size_t out_n = g->oc * out_plane;
    float *col = ws, *xc = col + (size_t)Ku * nb * P, *gws = xc + (size_t)g->c * nb * P;
    for (int b0 = 0; b0 < B; b0 += nb) {
        int n = B - b0 < nb ? B - b0 : nb, N = n * (int)P;
        to_channel_major(xc, inp + b0 * in_n, n, g->c, P, th);
        /* col (Ku, N) = weight^T (Ku, c) * xc (c, N); weight is (c, Ku) */
        gp_gemm_prepacked(Ku, N, g->c, wpacked, weight, 1, Ku, NULL, xc, N, 1, NULL, col, N, 0, gws, th);
        float *o = out + b0 * out_n;
        from_channel_major(o, NULL, bias, n, g->oc, out_plane, th); /* start from the bias */
        col2im(o, col, n, &u, th);
    }
}

void gp_convt2d_backward(float *dinp, float *dweight, float *dbias,
                         const float *dout, const float *inp,
                         const float *weight, int B, const gp_conv_geom *g,
                         float *ws, gp_threads *th) {
    gp_conv_geom u = lowered(g);
    int Ku = u.c * u.k * u.k, nb = conv_chunk(&u, B);
    size_t P = (size_t)g->h * g->w, in_n = g->c * P, out_n = (size_t)g->oc * g->oh * g->ow;
    float *col = ws, *xc = col + (size_t)Ku * nb * P, *gws = xc + (size_t)g->c * nb * P;
    if (dbias) plane_sums_add(dbias, dout, B, g->oc, (size_t)g->oh * g->ow, th);
    if (!dinp && !dweight) return;
    for (int b0 = 0; b0 < B; b0 += nb) {
        int n = B - b0 < nb ? B - b0 : nb, N = n * (int)P;
        lowered_src src = {dout + b0 * out_n, &u, n}; /* col (Ku, N), panel by panel */
        if (dweight) { /* dweight (c, Ku) += xc (c, N) * col^T (N, Ku) */
            to_channel_major(xc, inp + b0 * in_n, n, g->c, P, th);
            gp_gemm_bfn(g->c, Ku, N, NULL, xc, N, 1, col_t_panel, &src, NULL, dweight, Ku, 1, gws, th);
        }
        if (dinp) { /* the conv forward of dout: (c, N) = weight (c, Ku) * col (Ku, N) */
            gp_gemm_bfn(g->c, N, Ku, NULL, weight, Ku, 1, col_panel, &src, NULL, xc, N, 0, gws, th);
            from_channel_major(dinp + b0 * in_n, xc, NULL, n, g->c, P, th);
        }
    }
}

/* ---- BatchNorm2d and Dropout ---------------------------------------------- */

/* BatchNorm2d's loops as a task per channel: every channel's sums run over
 * its planes in order on one thread. */
typedef struct {
    float *out, *dgamma, *dbeta;
    const float *inp, *dout, *gamma, *beta;
    float *running_mean, *running_var, *save_mean, *save_invstd;
    const float *mean_in, *invstd_in;
    int B, C, training;
    size_t P;
    float momentum, eps;
} bn2d_job;

static void bn2d_forward_task(void *ctx, int c) {
    const bn2d_job *j = ctx;
    size_t P = j->P, cnt = (size_t)j->B * P;
    float scale, shift;
    if (j->training) {
        /* per-plane float sums added in double: accurate for large B*HW */
        double s = 0.0, q = 0.0;
        for (int b = 0; b < j->B; b++) s += gp_sum(j->inp + ((size_t)b * j->C + c) * P, P);
        float mean = (float)(s / (double)cnt);
        for (int b = 0; b < j->B; b++) q += gp_sum_sqdev(j->inp + ((size_t)b * j->C + c) * P, P, mean);
        float var = (float)(q / (double)cnt);
        float invstd = 1.0f / sqrtf(var + j->eps);
        j->save_mean[c] = mean;
        j->save_invstd[c] = invstd;
        scale = j->gamma[c] * invstd;
        shift = j->beta[c] - mean * scale;
        /* running_var tracks the unbiased variance, as in PyTorch */
        float unbiased = cnt > 1 ? (float)(q / (double)(cnt - 1)) : var;
        j->running_mean[c] = (1.0f - j->momentum) * j->running_mean[c] + j->momentum * mean;
        j->running_var[c] = (1.0f - j->momentum) * j->running_var[c] + j->momentum * unbiased;
    } else {
        scale = j->gamma[c] / sqrtf(j->running_var[c] + j->eps);
        shift = j->beta[c] - j->running_mean[c] * scale;
    }
    for (int b = 0; b < j->B; b++) {
        size_t o = ((size_t)b * j->C + c) * P;
        gp_scale_shift(j->out + o, j->inp + o, P, scale, shift);
    }
}

void gp_batchnorm2d_forward(float *out, const float *inp, const float *gamma,
                            const float *beta, float *running_mean,
                            float *running_var, float *save_mean,
                            float *save_invstd, int B, int C, int HW,
                            float momentum, float eps, int training, gp_threads *th) {
    bn2d_job j = {.out = out, .inp = inp, .gamma = gamma, .beta = beta, .running_mean = running_mean,
                  .running_var = running_var, .save_mean = save_mean, .save_invstd = save_invstd,
                  .B = B, .C = C, .training = training, .P = (size_t)HW, .momentum = momentum, .eps = eps};
    gp_threads_run(worth(th, (size_t)B * C * HW), C, bn2d_forward_task, &j);
}

/* as gp_batchnorm_backward, with sums over B*HW values per channel */
static void bn2d_backward_task(void *ctx, int c) {
    const bn2d_job *j = ctx;
    size_t P = j->P;
    float cnt = (float)((size_t)j->B * P);
    double sdy = 0.0, sdev = 0.0;
    for (int b = 0; b < j->B; b++) {
        size_t o = ((size_t)b * j->C + c) * P;
        float a, d;
        gp_sum_dot_dev(&a, &d, j->dout + o, j->inp + o, P, j->mean_in[c]);
        sdy += a;
        sdev += d;
    }
    float invstd = j->invstd_in[c], sum_dout = (float)sdy;
    float sum_dout_xhat = (float)sdev * invstd;
    if (j->dbeta) j->dbeta[c] += sum_dout;
    if (j->dgamma) j->dgamma[c] += sum_dout_xhat;
    if (!j->out) return;
    float k = j->gamma[c] * invstd;
    float xhat_coef = sum_dout_xhat / cnt;
    float sa = k, sb = -k * xhat_coef * invstd;
    float shift = k * (xhat_coef * invstd * j->mean_in[c] - sum_dout / cnt);
    for (int b = 0; b < j->B; b++) {
        size_t o = ((size_t)b * j->C + c) * P;
        gp_scale2_shift(j->out + o, j->dout + o, sa, j->inp + o, sb, shift, P);
    }
}

void gp_batchnorm2d_backward(float *dinp, float *dgamma, float *dbeta,
                             const float *dout, const float *inp,
                             const float *gamma, const float *save_mean,
                             const float *save_invstd, int B, int C, int HW, gp_threads *th) {
    bn2d_job j = {.out = dinp, .dgamma = dgamma, .dbeta = dbeta, .inp = inp, .dout = dout, .gamma = gamma,
                  .mean_in = save_mean, .invstd_in = save_invstd, .B = B, .C = C, .P = (size_t)HW};
    gp_threads_run(worth(th, (size_t)B * C * HW), C, bn2d_backward_task, &j);
}

void gp_dropout_forward(float *out, float *mask, const float *inp, size_t n,
                        float p, int training, gp_rng *rng) {
    if (!training) { /* identity; a unit mask keeps backward right */
        for (size_t i = 0; i < n; i++) mask[i] = 1.0f;
        if (out != inp) memcpy(out, inp, n * sizeof(float));
        return;
    }
    float keep = 1.0f / (1.0f - p);
    for (size_t i = 0; i < n; i++) mask[i] = gp_rng_uniform(rng) < p ? 0.0f : keep;
    gp_mul(out, inp, mask, n);
}

void gp_dropout_backward(float *dinp, const float *dout, const float *mask,
                         size_t n) {
    gp_mul(dinp, dout, mask, n);
}

void gp_leaky_relu_forward(float *out, const float *inp, size_t n, float slope) {
    gp_leaky_relu(out, inp, n, slope);
}

void gp_leaky_relu_backward_layer(float *dinp, const float *dout,
                                  const float *inp, size_t n, float slope) {
    gp_leaky_relu_backward(dinp, dout, inp, n, slope);
}

void gp_tanh_forward(float *out, const float *inp, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = tanhf(inp[i]);
}

void gp_tanh_backward_layer(float *dinp, const float *dout, const float *out,
                            size_t n) {
    gp_tanh_backward(dinp, dout, out, n);
}

float gp_sigmoidf(float x) {
    if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
    float e = expf(x);
    return e / (1.0f + e);
}

void gp_sigmoid_forward(float *out, const float *inp, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = gp_sigmoidf(inp[i]);
}

void gp_sigmoid_backward_layer(float *dinp, const float *dout,
                               const float *out, size_t n) {
    gp_sigmoid_backward(dinp, dout, out, n);
}

float gp_bce_logits(float *dlogits, const float *logits, int n, float target,
                    float scale) {
    double total = 0.0;
    for (int i = 0; i < n; i++) {
        float x = logits[i];
        total += (double)(fmaxf(x, 0.0f) - x * target + log1pf(expf(-fabsf(x))));
        if (dlogits) dlogits[i] = scale * (gp_sigmoidf(x) - target) / (float)n;
    }
    return (float)(total / n);
}

float gp_softmax_xent(float *dlogits, const float *logits, const uint8_t *labels, int B, int C) {
    double total = 0.0;
    for (int b = 0; b < B; b++) {
        const float *x = logits + (size_t)b * C;
        float max = x[0];
        for (int k = 1; k < C; k++) max = x[k] > max ? x[k] : max;
        double sum = 0.0; /* shifted by the max: exp never overflows */
        for (int k = 0; k < C; k++) sum += exp((double)(x[k] - max));
        total += log(sum) - (double)(x[labels[b]] - max);
        if (dlogits)
            for (int k = 0; k < C; k++)
                dlogits[(size_t)b * C + k] = (float)((exp((double)(x[k] - max)) / sum - (k == labels[b])) / B);
    }
    return (float)(total / B);
}
