#include "nn/net.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "nn/kernels.h"
#include "nn/layers.h"

/* Limits on what a description (possibly from a file) may ask for: floats
 * per sample of any activation, trained parameters in all, per-sample
 * im2col matrix of a convolution, and the whole allocation. */
#define MAX_SAMPLE_FLOATS ((uint64_t)1 << 22)
#define MAX_PARAMS ((uint64_t)1 << 26)
#define MAX_COL_FLOATS ((uint64_t)1 << 24)
#define MAX_NET_FLOATS ((uint64_t)1 << 28)

static int is_conv(uint32_t kind) { return kind == GP_LAYER_CONV2D || kind == GP_LAYER_CONVT2D; }

static int conv_out_shape(const gp_layer_desc *d, gp_shape in, gp_shape *out, int index,
                          gp_err *err) {
    const char *name = d->kind == GP_LAYER_CONV2D ? "Conv2d" : "ConvTranspose2d";
    if (d->out_c < 1 || d->out_c > 65536) {
        gp_fail(err, GP_ERR_ARG, "layer %d: %s needs 1..65536 output channels, got %u", index, name, d->out_c);
        return 0;
    }
    if (d->kernel < 1 || d->kernel > 7 || d->stride < 1 || d->stride > 4 || d->pad > 3) {
        gp_fail(err, GP_ERR_ARG, "layer %d: %s needs kernel 1..7, stride 1..4 and pad 0..3, got %u, %u, %u",
                index, name, d->kernel, d->stride, d->pad);
        return 0;
    }
    uint32_t known = GP_LAYER_NO_BIAS | (d->kind == GP_LAYER_CONV2D ? GP_LAYER_SPECTRAL_NORM : 0);
    if (d->flags & ~known) {
        gp_fail(err, GP_ERR_ARG, "layer %d: %s has unknown flags %#x", index, name, d->flags);
        return 0;
    }
    int64_t k = d->kernel, s = d->stride, p = d->pad, oh, ow;
    if (d->kind == GP_LAYER_CONV2D) {
        if (in.h + 2 * p < k || in.w + 2 * p < k) {
            gp_fail(err, GP_ERR_ARG, "layer %d: %s input %dx%d is smaller than kernel %u with pad %u", index,
                    name, in.h, in.w, d->kernel, d->pad);
            return 0;
        }
        oh = (in.h + 2 * p - k) / s + 1;
        ow = (in.w + 2 * p - k) / s + 1;
    } else {
        oh = (in.h - 1) * s - 2 * p + k;
        ow = (in.w - 1) * s - 2 * p + k;
        if (oh < 1 || ow < 1) {
            gp_fail(err, GP_ERR_ARG, "layer %d: %s output would be %lldx%lld", index, name, (long long)oh,
                    (long long)ow);
            return 0;
        }
    }
    if ((d->out_h && d->out_h != oh) || (d->out_w && d->out_w != ow)) {
        gp_fail(err, GP_ERR_ARG, "layer %d: %s declares output %ux%u, but computes %lldx%lld", index, name,
                d->out_h, d->out_w, (long long)oh, (long long)ow);
        return 0;
    }
    /* per-sample im2col: (C*k*k) x (oh*ow) for Conv2d, (out_c*k*k) x (h*w)
     * for ConvTranspose2d */
    uint64_t col = d->kind == GP_LAYER_CONV2D ? (uint64_t)in.c * k * k * oh * ow
                                              : (uint64_t)d->out_c * k * k * in.h * in.w;
    if ((uint64_t)d->out_c * oh * ow > MAX_SAMPLE_FLOATS || col > MAX_COL_FLOATS) {
        gp_fail(err, GP_ERR_ARG, "layer %d: %s with %u channels of %lldx%lld is too large", index, name,
                d->out_c, (long long)oh, (long long)ow);
        return 0;
    }
    *out = (gp_shape){(int)d->out_c, (int)oh, (int)ow};
    return 1;
}

static int has_bias(const gp_layer_desc *d) { return !(is_conv(d->kind) && (d->flags & GP_LAYER_NO_BIAS)); }

/* Weights of a convolution: out_c*C*k*k for both kinds. */
static uint64_t conv_weights(const gp_layer_desc *d, gp_shape in) {
    return (uint64_t)d->out_c * in.c * d->kernel * d->kernel;
}

static int spectral(const gp_layer_desc *d) {
    return (d->kind == GP_LAYER_LINEAR || d->kind == GP_LAYER_CONV2D) && (d->flags & GP_LAYER_SPECTRAL_NORM);
}

/* A spectrally normalized weight as a matrix: out_c rows of `cols`. */
static uint64_t sn_cols(const gp_layer_desc *d, gp_shape in) {
    return d->kind == GP_LAYER_LINEAR ? (uint64_t)gp_shape_size(in) : (uint64_t)in.c * d->kernel * d->kernel;
}

/* ---- one row per layer kind --------------------------------------------------
 * What a layer description means for each kind: its output shape (and the
 * checks of its fields), the floats it needs (trained parameters, buffers
 * such as running statistics, values saved between forward and backward,
 * scratch), its initialization, forward and backward. A new kind is one row
 * plus its kernels in layers.c. */

typedef struct {
    gp_net *net;
    int i;          /* the layer */
    const gp_layer_desc *d;
    gp_shape in;    /* its input shape per sample */
    int n_in;       /* floats per input sample */
    float *p;       /* its parameters */
    float *buf;     /* its buffers */
    float *sv;      /* its saved values */
} layer_ctx;

typedef struct {
    const char *name;
    /* output shape; 0 and a message in err if the description is malformed */
    int (*shape)(const gp_layer_desc *d, gp_shape in, gp_shape *out, int index, gp_err *err);
    uint64_t (*params)(const gp_layer_desc *d, gp_shape in);
    uint64_t (*buffers)(const gp_layer_desc *d, gp_shape in);
    uint64_t (*saved)(const gp_layer_desc *d, gp_shape in, int max_batch);
    size_t (*workspace)(const gp_layer_desc *d, gp_shape in, gp_shape out, int max_batch);
    /* std 0: PyTorch's defaults; std > 0: DCGAN's N(0, std) */
    void (*init)(const layer_ctx *c, gp_rng *rng, float std);
    void (*forward)(const layer_ctx *c, const float *in, float *out, int batch);
    /* dx may be NULL; g (parameter gradients, +=) may be NULL */
    void (*backward)(const layer_ctx *c, const float *dy, float *dx, float *g, int batch);
    /* floats of the forward product's weight packed once (NULL or 0: the
     * kind has no such weight), and the packing */
    uint64_t (*packed)(const gp_layer_desc *d, gp_shape in);
    void (*pack)(const layer_ctx *c, float *dst);
} layer_kind;

static uint64_t none_floats(const gp_layer_desc *d, gp_shape in) {
    (void)d;
    (void)in;
    return 0;
}

static uint64_t none_saved(const gp_layer_desc *d, gp_shape in, int max_batch) {
    (void)d;
    (void)in;
    (void)max_batch;
    return 0;
}

/* Evaluation reuses packed weights: sampling, scoring and redraws run the
 * same weights many times. Training packs per product (the weights change
 * every step, and spectral norm's W / sigma with them). The pack is current
 * while params_version and the params array are those it was made from. */
static const float *packed_weight(const layer_ctx *c);

static size_t none_workspace(const gp_layer_desc *d, gp_shape in, gp_shape out, int max_batch) {
    (void)d;
    (void)in;
    (void)out;
    (void)max_batch;
    return 0;
}

static void none_init(const layer_ctx *c, gp_rng *rng, float std) {
    (void)c;
    (void)rng;
    (void)std;
}

static int same_shape(const gp_layer_desc *d, gp_shape in, gp_shape *out, int index, gp_err *err) {
    (void)d;
    (void)index;
    (void)err;
    *out = in;
    return 1;
}

/* -- spectral normalization (Linear, Conv2d) -- */

static void normalize(float *x, int n) {
    double s = 0.0;
    for (int i = 0; i < n; i++) s += (double)x[i] * x[i];
    double norm = sqrt(s);
    float scale = (float)(1.0 / (norm > 1e-12 ? norm : 1e-12));
    for (int i = 0; i < n; i++) x[i] *= scale;
}

/* u and v: normalized standard normals, as PyTorch draws them. */
static void init_sn(const layer_ctx *c, gp_rng *rng) {
    if (!spectral(c->d)) return;
    int rows = (int)c->d->out_c, cols = (int)sn_cols(c->d, c->in);
    float *u = c->buf, *v = u + rows;
    gp_rng_fill_normal(rng, u, rows, 0.0f, 1.0f);
    gp_rng_fill_normal(rng, v, cols, 0.0f, 1.0f);
    normalize(u, rows);
    normalize(v, cols);
}

/* W / sigma into the saved area (after one power iteration on u and v in
 * training), as torch.nn.utils.spectral_norm: v = normalize(W^T u),
 * u = normalize(W v), sigma = u . W v. Without spectral norm: W itself. */
static const float *layer_weight(const layer_ctx *c) {
    if (!spectral(c->d)) return c->p;
    int rows = (int)c->d->out_c, cols = (int)sn_cols(c->d, c->in);
    const float *W = c->p;
    float *u = c->buf, *v = u + rows;
    float *wsn = c->sv, *sigma = wsn + 2 * (size_t)rows * cols;
    if (c->net->training) {
        memset(v, 0, (size_t)cols * sizeof(float));
        for (int r = 0; r < rows; r++)
            for (int k = 0; k < cols; k++) v[k] += W[(size_t)r * cols + k] * u[r];
        normalize(v, cols);
        for (int r = 0; r < rows; r++) {
            double acc = 0.0;
            for (int k = 0; k < cols; k++) acc += (double)W[(size_t)r * cols + k] * v[k];
            u[r] = (float)acc;
        }
        normalize(u, rows);
    }
    double s = 0.0;
    for (int r = 0; r < rows; r++) {
        double acc = 0.0;
        for (int k = 0; k < cols; k++) acc += (double)W[(size_t)r * cols + k] * v[k];
        s += u[r] * acc;
    }
    *sigma = (float)s;
    float inv = 1.0f / *sigma;
    for (size_t k = 0; k < (size_t)rows * cols; k++) wsn[k] = W[k] * inv;
    return wsn;
}

/* Where the weight gradient goes: g itself, or (spectral norm) a cleared
 * scratch that weight_grad_done carries through the normalization. */
static float *weight_grad(const layer_ctx *c, float *g, size_t nw) {
    if (!g || !spectral(c->d)) return g;
    float *dwsn = c->sv + nw;
    memset(dwsn, 0, nw * sizeof(float));
    return dwsn;
}

/* dW += (dWsn - <dWsn, Wsn> u v^T) / sigma, u and v held constant. */
static void weight_grad_done(const layer_ctx *c, float *g) {
    if (!g || !spectral(c->d)) return;
    int rows = (int)c->d->out_c, cols = (int)sn_cols(c->d, c->in);
    const float *u = c->buf, *v = u + rows;
    const float *wsn = c->sv, *dwsn = wsn + (size_t)rows * cols;
    float sigma = wsn[2 * (size_t)rows * cols];
    double dot = 0.0;
    for (size_t k = 0; k < (size_t)rows * cols; k++) dot += (double)dwsn[k] * wsn[k];
    for (int r = 0; r < rows; r++)
        for (int k = 0; k < cols; k++) {
            size_t at = (size_t)r * cols + k;
            g[at] += (float)((dwsn[at] - dot * u[r] * v[k]) / sigma);
        }
}

/* spectral norm: u and v are buffers; W / sigma, a gradient scratch and sigma are saved */
static uint64_t weighted_buffers(const gp_layer_desc *d, gp_shape in) {
    return spectral(d) ? d->out_c + sn_cols(d, in) : 0;
}

static uint64_t weighted_saved(const gp_layer_desc *d, gp_shape in, int max_batch) {
    (void)max_batch;
    return spectral(d) ? 2 * d->out_c * sn_cols(d, in) + 1 : 0;
}

/* -- Linear: out_c features; weight (out_c, in) + bias -- */

static int linear_shape(const gp_layer_desc *d, gp_shape in, gp_shape *out, int index, gp_err *err) {
    (void)in;
    if (d->out_c < 1 || d->out_c > (1u << 20)) {
        gp_fail(err, GP_ERR_ARG, "layer %d: Linear needs 1..1048576 outputs, got %u", index, d->out_c);
        return 0;
    }
    if (d->flags & ~GP_LAYER_SPECTRAL_NORM) {
        gp_fail(err, GP_ERR_ARG, "layer %d: Linear has unknown flags %#x", index, d->flags);
        return 0;
    }
    *out = (gp_shape){(int)d->out_c, 1, 1};
    return 1;
}

static uint64_t linear_params(const gp_layer_desc *d, gp_shape in) {
    return (uint64_t)d->out_c * gp_shape_size(in) + d->out_c;
}

static size_t linear_workspace(const gp_layer_desc *d, gp_shape in, gp_shape out, int max_batch) {
    (void)out;
    return gp_linear_workspace(max_batch, gp_shape_size(in), (int)d->out_c);
}

static void linear_init(const layer_ctx *c, gp_rng *rng, float std) {
    int nw = (int)c->d->out_c * c->n_in;
    if (std > 0.0f) {
        gp_rng_fill_normal(rng, c->p, nw, 0.0f, std);
        memset(c->p + nw, 0, c->d->out_c * sizeof(float));
    } else { /* U(-1/sqrt(in), 1/sqrt(in)) for weight and bias */
        float bound = 1.0f / sqrtf((float)c->n_in);
        gp_rng_fill_uniform(rng, c->p, nw, -bound, bound);
        gp_rng_fill_uniform(rng, c->p + nw, (int)c->d->out_c, -bound, bound);
    }
    init_sn(c, rng);
}

static void linear_forward(const layer_ctx *c, const float *in, float *out, int batch) {
    int oc = (int)c->d->out_c;
    gp_linear_forward(out, in, layer_weight(c), packed_weight(c), c->p + (size_t)oc * c->n_in, batch, c->n_in,
                      oc, c->net->ws, c->net->threads);
}

static void linear_backward(const layer_ctx *c, const float *dy, float *dx, float *g, int batch) {
    int oc = (int)c->d->out_c;
    size_t nw = (size_t)oc * c->n_in;
    const float *w = spectral(c->d) ? c->sv : c->p; /* the weight the forward used */
    gp_linear_backward(dx, weight_grad(c, g, nw), g ? g + nw : NULL, dy, c->net->acts[c->i], w, batch, c->n_in, oc,
                       c->net->ws, c->net->threads);
    weight_grad_done(c, g);
}

/* spectral norm's W / sigma is made per forward: not packed once */
static uint64_t linear_packed(const gp_layer_desc *d, gp_shape in) {
    return spectral(d) ? 0 : gp_linear_packed_size(gp_shape_size(in), (int)d->out_c);
}

static void linear_pack(const layer_ctx *c, float *dst) { gp_linear_pack(dst, c->p, c->n_in, (int)c->d->out_c); }

/* -- Conv2d and ConvTranspose2d: NCHW, square kernel -- */

static gp_conv_geom layer_geom(const gp_layer_desc *d, gp_shape in) {
    if (d->kind == GP_LAYER_CONV2D)
        return gp_conv2d_geom(in.c, in.h, in.w, (int)d->out_c, (int)d->kernel, (int)d->stride, (int)d->pad);
    return gp_convt2d_geom(in.c, in.h, in.w, (int)d->out_c, (int)d->kernel, (int)d->stride, (int)d->pad);
}

static uint64_t conv_params(const gp_layer_desc *d, gp_shape in) {
    return conv_weights(d, in) + (has_bias(d) ? d->out_c : 0);
}

static size_t conv_workspace(const gp_layer_desc *d, gp_shape in, gp_shape out, int max_batch) {
    (void)out;
    gp_conv_geom g = layer_geom(d, in);
    return d->kind == GP_LAYER_CONV2D ? gp_conv2d_workspace(max_batch, &g) : gp_convt2d_workspace(max_batch, &g);
}

static void conv_init(const layer_ctx *c, gp_rng *rng, float std) {
    int nw = (int)conv_weights(c->d, c->in);
    if (std > 0.0f) {
        gp_rng_fill_normal(rng, c->p, nw, 0.0f, std);
        if (has_bias(c->d)) memset(c->p + nw, 0, c->d->out_c * sizeof(float));
    } else {
        /* kaiming_uniform(a=sqrt(5)) gives U(-1/sqrt(fan_in), ..), as the
         * bias; PyTorch's fan_in is weight.size(1)*k*k */
        int fan_in = (c->d->kind == GP_LAYER_CONV2D ? c->in.c : (int)c->d->out_c) * (int)(c->d->kernel * c->d->kernel);
        float bound = 1.0f / sqrtf((float)fan_in);
        gp_rng_fill_uniform(rng, c->p, nw, -bound, bound);
        if (has_bias(c->d)) gp_rng_fill_uniform(rng, c->p + nw, (int)c->d->out_c, -bound, bound);
    }
    init_sn(c, rng);
}

static uint64_t conv_packed(const gp_layer_desc *d, gp_shape in) {
    if (spectral(d)) return 0;
    gp_conv_geom g = layer_geom(d, in);
    return d->kind == GP_LAYER_CONV2D ? gp_conv2d_packed_size(&g) : gp_convt2d_packed_size(&g);
}

static void conv_pack(const layer_ctx *c, float *dst) {
    gp_conv_geom g = layer_geom(c->d, c->in);
    if (c->d->kind == GP_LAYER_CONV2D)
        gp_conv2d_pack(dst, c->p, &g);
    else
        gp_convt2d_pack(dst, c->p, &g);
}

static void conv_forward(const layer_ctx *c, const float *in, float *out, int batch) {
    gp_conv_geom g = layer_geom(c->d, c->in);
    const float *bias = has_bias(c->d) ? c->p + conv_weights(c->d, c->in) : NULL;
    if (c->d->kind == GP_LAYER_CONV2D)
        gp_conv2d_forward(out, in, layer_weight(c), packed_weight(c), bias, batch, &g, c->net->ws,
                          c->net->threads);
    else
        gp_convt2d_forward(out, in, c->p, packed_weight(c), bias, batch, &g, c->net->ws, c->net->threads);
}

static void conv_backward(const layer_ctx *c, const float *dy, float *dx, float *g, int batch) {
    gp_conv_geom geom = layer_geom(c->d, c->in);
    size_t nw = (size_t)conv_weights(c->d, c->in);
    float *db = g && has_bias(c->d) ? g + nw : NULL;
    const float *in = c->net->acts[c->i];
    if (c->d->kind == GP_LAYER_CONV2D) {
        const float *w = spectral(c->d) ? c->sv : c->p;
        gp_conv2d_backward(dx, weight_grad(c, g, nw), db, dy, in, w, batch, &geom, c->net->ws, c->net->threads);
        weight_grad_done(c, g);
    } else {
        gp_convt2d_backward(dx, g, db, dy, in, c->p, batch, &geom, c->net->ws, c->net->threads);
    }
}

/* -- BatchNorm (over features) and BatchNorm2d (per channel) --
 * gamma and beta; buffers running mean and variance; saved batch mean and
 * invstd. C channels of HW values each (HW = 1 over features). */

static int bn_shape(const gp_layer_desc *d, gp_shape in, gp_shape *out, int index, gp_err *err) {
    if (!(d->momentum >= 0.0f && d->momentum <= 1.0f) || !(d->eps > 0.0f && d->eps < 1.0f)) {
        gp_fail(err, GP_ERR_ARG, "layer %d: BatchNorm needs momentum in [0,1] and eps in (0,1)", index);
        return 0;
    }
    *out = in;
    return 1;
}

static uint64_t bn_channels(const gp_layer_desc *d, gp_shape in) {
    return d->kind == GP_LAYER_BATCHNORM2D ? (uint64_t)in.c : (uint64_t)gp_shape_size(in);
}

static uint64_t bn_floats(const gp_layer_desc *d, gp_shape in) { return 2 * bn_channels(d, in); }

static uint64_t bn_saved(const gp_layer_desc *d, gp_shape in, int max_batch) {
    (void)max_batch;
    return 2 * bn_channels(d, in);
}

static size_t bn_workspace(const gp_layer_desc *d, gp_shape in, gp_shape out, int max_batch) {
    (void)out;
    (void)max_batch;
    return d->kind == GP_LAYER_BATCHNORM ? 5 * (size_t)gp_shape_size(in) : 0;
}

/* gamma 1 (or N(1, std) if std > 0), beta 0, running mean 0, running var 1 */
static void bn_init(const layer_ctx *c, gp_rng *rng, float std) {
    int C = (int)bn_channels(c->d, c->in);
    if (std > 0.0f)
        gp_rng_fill_normal(rng, c->p, C, 1.0f, std);
    else
        for (int k = 0; k < C; k++) c->p[k] = 1.0f;
    for (int k = 0; k < C; k++) {
        c->p[C + k] = 0.0f;
        c->buf[k] = 0.0f;
        c->buf[C + k] = 1.0f;
    }
}

static void bn_forward(const layer_ctx *c, const float *in, float *out, int batch) {
    int C = (int)bn_channels(c->d, c->in);
    const gp_layer_desc *d = c->d;
    if (d->kind == GP_LAYER_BATCHNORM)
        gp_batchnorm_forward(out, in, c->p, c->p + C, c->buf, c->buf + C, c->sv, c->sv + C, batch, C, d->momentum,
                             d->eps, c->net->training, c->net->ws);
    else
        gp_batchnorm2d_forward(out, in, c->p, c->p + C, c->buf, c->buf + C, c->sv, c->sv + C, batch, C,
                               c->in.h * c->in.w, d->momentum, d->eps, c->net->training, c->net->threads);
}

static void bn_backward(const layer_ctx *c, const float *dy, float *dx, float *g, int batch) {
    int C = (int)bn_channels(c->d, c->in), HW = c->d->kind == GP_LAYER_BATCHNORM2D ? c->in.h * c->in.w : 1;
    const float *in = c->net->acts[c->i];
    float *dgamma = g, *dbeta = g ? g + C : NULL;
    if (!c->net->training) /* through the running statistics, as the forward used them */
        gp_batchnorm_eval_backward(dx, dgamma, dbeta, dy, in, c->p, c->buf, c->buf + C, c->d->eps, batch, C, HW);
    else if (c->d->kind == GP_LAYER_BATCHNORM)
        gp_batchnorm_backward(dx, dgamma, dbeta, dy, in, c->p, c->sv, c->sv + C, batch, C, c->net->ws);
    else
        gp_batchnorm2d_backward(dx, dgamma, dbeta, dy, in, c->p, c->sv, c->sv + C, batch, C, HW, c->net->threads);
}

/* -- elementwise: LeakyReLU (slope), ReLU, Tanh, Sigmoid -- */

static int lrelu_shape(const gp_layer_desc *d, gp_shape in, gp_shape *out, int index, gp_err *err) {
    if (!(d->slope >= 0.0f && d->slope < 1.0f)) {
        gp_fail(err, GP_ERR_ARG, "layer %d: LeakyReLU slope must be in [0,1)", index);
        return 0;
    }
    *out = in;
    return 1;
}

static float act_slope(const gp_layer_desc *d) { return d->kind == GP_LAYER_RELU ? 0.0f : d->slope; }

static void lrelu_forward(const layer_ctx *c, const float *in, float *out, int batch) {
    gp_leaky_relu_forward(out, in, (size_t)batch * c->n_in, act_slope(c->d));
}

static void lrelu_backward(const layer_ctx *c, const float *dy, float *dx, float *g, int batch) {
    (void)g;
    if (dx) gp_leaky_relu_backward_layer(dx, dy, c->net->acts[c->i], (size_t)batch * c->n_in, act_slope(c->d));
}

static void tanh_forward(const layer_ctx *c, const float *in, float *out, int batch) {
    gp_tanh_forward(out, in, (size_t)batch * c->n_in);
}

static void tanh_backward(const layer_ctx *c, const float *dy, float *dx, float *g, int batch) {
    (void)g;
    if (dx) gp_tanh_backward_layer(dx, dy, c->net->acts[c->i + 1], (size_t)batch * c->n_in);
}

static void sigmoid_forward(const layer_ctx *c, const float *in, float *out, int batch) {
    gp_sigmoid_forward(out, in, (size_t)batch * c->n_in);
}

static void sigmoid_backward(const layer_ctx *c, const float *dy, float *dx, float *g, int batch) {
    (void)g;
    if (dx) gp_sigmoid_backward_layer(dx, dy, c->net->acts[c->i + 1], (size_t)batch * c->n_in);
}

/* -- Reshape (Flatten is (n, 1, 1)) -- */

static int reshape_shape(const gp_layer_desc *d, gp_shape in, gp_shape *out, int index, gp_err *err) {
    uint64_t n = (uint64_t)d->out_c * d->out_h * d->out_w;
    if (d->out_c < 1 || d->out_h < 1 || d->out_w < 1 || n != (uint64_t)gp_shape_size(in)) {
        gp_fail(err, GP_ERR_ARG, "layer %d: Reshape to %ux%ux%u does not hold the %dx%dx%d input", index, d->out_c,
                d->out_h, d->out_w, in.c, in.h, in.w);
        return 0;
    }
    *out = (gp_shape){(int)d->out_c, (int)d->out_h, (int)d->out_w};
    return 1;
}

static void copy_forward(const layer_ctx *c, const float *in, float *out, int batch) {
    memcpy(out, in, (size_t)batch * c->n_in * sizeof(float));
}

static void copy_backward(const layer_ctx *c, const float *dy, float *dx, float *g, int batch) {
    (void)g;
    if (dx) memcpy(dx, dy, (size_t)batch * c->n_in * sizeof(float));
}

/* -- Dropout (drop probability); its mask is saved for every value of a batch -- */

static int dropout_shape(const gp_layer_desc *d, gp_shape in, gp_shape *out, int index, gp_err *err) {
    if (!(d->drop >= 0.0f && d->drop < 1.0f)) {
        gp_fail(err, GP_ERR_ARG, "layer %d: Dropout probability must be in [0,1)", index);
        return 0;
    }
    *out = in;
    return 1;
}

static uint64_t dropout_saved(const gp_layer_desc *d, gp_shape in, int max_batch) {
    (void)d;
    return (uint64_t)max_batch * gp_shape_size(in);
}

static void dropout_forward(const layer_ctx *c, const float *in, float *out, int batch) {
    gp_dropout_forward(out, c->sv, in, (size_t)batch * c->n_in, c->d->drop, c->net->training, &c->net->rng);
}

static void dropout_backward(const layer_ctx *c, const float *dy, float *dx, float *g, int batch) {
    (void)g;
    if (dx) gp_dropout_backward(dx, dy, c->sv, (size_t)batch * c->n_in);
}

static const layer_kind KINDS[] = {
    [GP_LAYER_LINEAR] = {"Linear", linear_shape, linear_params, weighted_buffers, weighted_saved, linear_workspace,
                         linear_init, linear_forward, linear_backward, linear_packed, linear_pack},
    [GP_LAYER_BATCHNORM] = {"BatchNorm", bn_shape, bn_floats, bn_floats, bn_saved, bn_workspace, bn_init, bn_forward,
                            bn_backward, NULL, NULL},
    [GP_LAYER_LEAKY_RELU] = {"LeakyReLU", lrelu_shape, none_floats, none_floats, none_saved, none_workspace,
                             none_init, lrelu_forward, lrelu_backward, NULL, NULL},
    [GP_LAYER_RELU] = {"ReLU", same_shape, none_floats, none_floats, none_saved, none_workspace, none_init,
                       lrelu_forward, lrelu_backward, NULL, NULL},
    [GP_LAYER_TANH] = {"Tanh", same_shape, none_floats, none_floats, none_saved, none_workspace, none_init,
                       tanh_forward, tanh_backward, NULL, NULL},
    [GP_LAYER_SIGMOID] = {"Sigmoid", same_shape, none_floats, none_floats, none_saved, none_workspace, none_init,
                          sigmoid_forward, sigmoid_backward, NULL, NULL},
    [GP_LAYER_CONV2D] = {"Conv2d", conv_out_shape, conv_params, weighted_buffers, weighted_saved, conv_workspace,
                         conv_init, conv_forward, conv_backward, conv_packed, conv_pack},
    [GP_LAYER_CONVT2D] = {"ConvTranspose2d", conv_out_shape, conv_params, weighted_buffers, weighted_saved,
                          conv_workspace, conv_init, conv_forward, conv_backward, conv_packed, conv_pack},
    [GP_LAYER_BATCHNORM2D] = {"BatchNorm2d", bn_shape, bn_floats, bn_floats, bn_saved, bn_workspace, bn_init,
                              bn_forward, bn_backward, NULL, NULL},
    [GP_LAYER_RESHAPE] = {"Reshape", reshape_shape, none_floats, none_floats, none_saved, none_workspace, none_init,
                          copy_forward, copy_backward, NULL, NULL},
    [GP_LAYER_DROPOUT] = {"Dropout", dropout_shape, none_floats, none_floats, dropout_saved, none_workspace,
                          none_init, dropout_forward, dropout_backward, NULL, NULL},
};

/* The row of a kind, or NULL for a kind no row describes. */
static const layer_kind *kind_of(uint32_t kind) {
    if (kind >= sizeof KINDS / sizeof KINDS[0] || !KINDS[kind].name) return NULL;
    return &KINDS[kind];
}

static const float *packed_weight(const layer_ctx *c) {
    gp_net *net = c->net;
    int i = c->i;
    const layer_kind *k = kind_of(c->d->kind);
    if (!k->packed || !k->packed(c->d, c->in)) return NULL;
    float *dst = net->packed + net->pack_off[i];
    if (net->packed_version[i] != net->params_version || net->packed_from[i] != c->p) {
        k->pack(c, dst);
        net->packed_version[i] = net->params_version;
        net->packed_from[i] = c->p;
    }
    return dst;
}

static layer_ctx ctx_of(gp_net *net, int i) {
    layer_ctx c = {net, i, &net->layers[i], net->shape[i], gp_shape_size(net->shape[i]),
                   net->params + net->param_off[i], net->buffers + net->buffer_off[i], net->saved + net->save_off[i]};
    return c;
}

size_t gp_layer_param_count(const gp_net *net, int i) {
    return (size_t)kind_of(net->layers[i].kind)->params(&net->layers[i], net->shape[i]);
}

gp_status gp_net_create(gp_net *net, gp_shape input, const gp_layer_desc *layers,
                        int n_layers, int max_batch, gp_err *err) {
    memset(net, 0, sizeof *net);
    if (n_layers < 1 || n_layers > GP_MAX_LAYERS)
        return gp_fail(err, GP_ERR_ARG, "a network needs 1..%d layers, got %d", GP_MAX_LAYERS, n_layers);
    if (max_batch < 2 || max_batch > 4096)
        return gp_fail(err, GP_ERR_ARG, "batch size must be in 2..4096, got %d", max_batch);
    if (input.c < 1 || input.h < 1 || input.w < 1 ||
        (uint64_t)input.c * (uint64_t)input.h * (uint64_t)input.w > (1u << 20))
        return gp_fail(err, GP_ERR_ARG, "bad network input shape");

    net->n_layers = n_layers;
    net->max_batch = max_batch;
    net->training = 1;
    net->shape[0] = input;
    uint64_t max_act = (uint64_t)gp_shape_size(input), act_total = max_act;
    uint64_t n_params = 0, n_buffers = 0, n_saved = 0, n_packed = 0;
    for (int i = 0; i < n_layers; i++) {
        const gp_layer_desc *d = &layers[i];
        gp_shape in = net->shape[i];
        net->layers[i] = *d;
        const layer_kind *k = kind_of(d->kind);
        if (!k) {
            memset(net, 0, sizeof *net);
            return gp_fail(err, GP_ERR_ARG, "layer %d: unknown layer kind %u", i, d->kind);
        }
        if (!k->shape(d, in, &net->shape[i + 1], i, err)) {
            memset(net, 0, sizeof *net);
            return GP_ERR_ARG;
        }
        uint64_t n_out = (uint64_t)gp_shape_size(net->shape[i + 1]);
        net->param_off[i] = (size_t)n_params;
        n_params += k->params(d, in);
        if (n_out > MAX_SAMPLE_FLOATS || n_params > MAX_PARAMS) {
            memset(net, 0, sizeof *net);
            return gp_fail(err, GP_ERR_ARG, "layer %d: network too large (%llu floats per sample, %llu parameters)",
                           i, (unsigned long long)n_out, (unsigned long long)n_params);
        }
        net->buffer_off[i] = (size_t)n_buffers;
        n_buffers += k->buffers(d, in);
        net->save_off[i] = (size_t)n_saved;
        n_saved += k->saved(d, in, max_batch);
        if (n_out > max_act) max_act = n_out;
        act_total += n_out;
        net->pack_off[i] = (size_t)n_packed;
        n_packed += k->packed ? k->packed(d, in) : 0;
        size_t ws = k->workspace(d, in, net->shape[i + 1], max_batch);
        if (ws > net->ws_size) net->ws_size = ws;
    }
    uint64_t B = (uint64_t)max_batch;
    uint64_t total = 4 * n_params + n_buffers + n_saved + n_packed + B * act_total + 2 * B * max_act + net->ws_size;
    if (total > MAX_NET_FLOATS) {
        memset(net, 0, sizeof *net);
        return gp_fail(err, GP_ERR_ARG, "network too large: it needs %llu floats at batch %d",
                       (unsigned long long)total, max_batch);
    }
    net->n_params = (size_t)n_params;
    net->n_buffers = (size_t)n_buffers;
    net->n_saved = (size_t)n_saved;
    float *p = calloc((size_t)total, sizeof(float));
    if (!p) {
        memset(net, 0, sizeof *net);
        return gp_fail(err, GP_ERR_NOMEM, "out of memory allocating a network of %llu floats",
                       (unsigned long long)total);
    }
    net->block = p;
    net->params = p;  p += net->n_params;
    net->grads = p;   p += net->n_params;
    net->adam_m = p;  p += net->n_params;
    net->adam_v = p;  p += net->n_params;
    net->buffers = p; p += net->n_buffers;
    net->saved = p;   p += net->n_saved;
    net->packed = p;  p += (size_t)n_packed;
    net->params_version = 1; /* packs start at version 0: none is current */
    for (int i = 0; i <= n_layers; i++) {
        net->acts[i] = p;
        p += (size_t)B * gp_shape_size(net->shape[i]);
    }
    net->dbuf[0] = p; p += (size_t)(B * max_act);
    net->dbuf[1] = p; p += (size_t)(B * max_act);
    net->ws = p;
    return GP_OK;
}

void gp_net_free(gp_net *net) {
    free(net->block);
    memset(net, 0, sizeof *net);
}

gp_shape gp_net_output_shape(const gp_net *net) { return net->shape[net->n_layers]; }

/* Dropout's stream comes from a copy of the init rng, so that the init
 * draws (and any user of rng after this) stay what they were without it. */
static void seed_net_rng(gp_net *net, const gp_rng *rng) {
    gp_rng copy = *rng;
    gp_rng_seed(&net->rng, gp_rng_u64(&copy) ^ GP_SALT_DROPOUT);
}

static void clear_training_state(gp_net *net) {
    memset(net->grads, 0, net->n_params * sizeof(float));
    memset(net->adam_m, 0, net->n_params * sizeof(float));
    memset(net->adam_v, 0, net->n_params * sizeof(float));
}

void gp_net_params_changed(gp_net *net) { net->params_version++; }

static void init_all(gp_net *net, gp_rng *rng, float std) {
    gp_net_params_changed(net);
    seed_net_rng(net, rng);
    for (int i = 0; i < net->n_layers; i++) {
        layer_ctx c = ctx_of(net, i);
        kind_of(net->layers[i].kind)->init(&c, rng, std);
    }
    clear_training_state(net);
}

void gp_net_init_params(gp_net *net, gp_rng *rng) { init_all(net, rng, 0.0f); }

void gp_net_init_normal(gp_net *net, gp_rng *rng, float std) {
    GP_ASSERT(std > 0.0f);
    init_all(net, rng, std);
}

const char *gp_layer_kind_name(uint32_t kind) {
    const layer_kind *k = kind_of(kind);
    return k ? k->name : "?";
}

double gp_layer_flops(const gp_net *net, int i, int batch, gp_pass pass) {
    (void)pass; /* each pass of a layer is one product of the same size */
    const gp_layer_desc *d = &net->layers[i];
    gp_shape in = net->shape[i], out = net->shape[i + 1];
    double kk = (double)d->kernel * d->kernel;
    switch (d->kind) {
    case GP_LAYER_LINEAR: return 2.0 * batch * gp_shape_size(in) * (double)d->out_c;
    case GP_LAYER_CONV2D: return 2.0 * batch * out.h * out.w * (double)out.c * in.c * kk;
    case GP_LAYER_CONVT2D: return 2.0 * batch * in.h * in.w * (double)in.c * out.c * kk;
    default: return 0.0;
    }
}

void gp_net_set_profile(gp_net *net, gp_layer_profile *profile) {
    net->profile = profile;
    if (!profile) return;
    memset(profile, 0, (size_t)net->n_layers * sizeof *profile);
    for (int i = 0; i < net->n_layers; i++) {
        profile[i].kind = net->layers[i].kind;
        profile[i].in = net->shape[i];
        profile[i].out = net->shape[i + 1];
    }
}

void gp_net_layer_forward(gp_net *net, int i, int batch) {
    layer_ctx c = ctx_of(net, i);
    gp_layer_profile *p = net->profile ? &net->profile[i] : NULL;
    double t0 = p ? gp_now_ms() : 0.0;
    kind_of(net->layers[i].kind)->forward(&c, net->acts[i], net->acts[i + 1], batch);
    if (p) {
        p->fwd_ms += gp_now_ms() - t0;
        p->fwd_flops += gp_layer_flops(net, i, batch, GP_PASS_FORWARD);
        p->fwd_calls++;
    }
}

const float *gp_net_forward(gp_net *net, const float *input, int batch) {
    GP_ASSERT(batch >= 1 && batch <= net->max_batch);
    GP_ASSERT(!net->training || batch >= 2 || net->n_buffers == 0);
    memcpy(net->acts[0], input, (size_t)batch * gp_shape_size(net->shape[0]) * sizeof(float));
    for (int i = 0; i < net->n_layers; i++) gp_net_layer_forward(net, i, batch);
    return net->acts[net->n_layers];
}

void gp_net_layer_backward(gp_net *net, int i, int batch, const float *dy, float *dx,
                           int param_grads) {
    layer_ctx c = ctx_of(net, i);
    float *g = param_grads ? net->grads + net->param_off[i] : NULL;
    gp_layer_profile *p = net->profile ? &net->profile[i] : NULL;
    double t0 = p ? gp_now_ms() : 0.0;
    kind_of(net->layers[i].kind)->backward(&c, dy, dx, g, batch);
    if (p) {
        p->bwd_ms += gp_now_ms() - t0;
        p->bwd_flops += (dx ? gp_layer_flops(net, i, batch, GP_PASS_DX) : 0.0) +
                        (g ? gp_layer_flops(net, i, batch, GP_PASS_DW) : 0.0);
        p->bwd_calls++;
    }
}

const float *gp_net_backward(gp_net *net, const float *dout, int batch,
                             int param_grads, int want_dinput) {
    GP_ASSERT(batch >= 1 && batch <= net->max_batch);
    const float *dy = dout;
    int which = 0;
    for (int i = net->n_layers - 1; i >= 0; i--) {
        int need_dx = i > 0 || want_dinput;
        float *dx = need_dx ? net->dbuf[which] : NULL;
        gp_net_layer_backward(net, i, batch, dy, dx, param_grads);
        if (!dx) return NULL;
        dy = dx;
        which ^= 1;
    }
    return dy;
}

void gp_net_zero_grad(gp_net *net) { memset(net->grads, 0, net->n_params * sizeof(float)); }

/* Adam is elementwise: a slice of the parameters per thread. */
typedef struct {
    gp_net *net;
    float b1, b2, step_size, bc2_sqrt, eps;
    int parts;
} adam_job;

static void adam_task(void *ctx, int part) {
    const adam_job *j = ctx;
    int lo, hi;
    gp_net *net = j->net;
    GP_ASSERT(net->n_params <= (size_t)INT32_MAX);
    gp_threads_split((int)net->n_params, j->parts, part, 16, &lo, &hi);
    gp_adam_update(net->params + lo, net->grads + lo, net->adam_m + lo, net->adam_v + lo, (size_t)(hi - lo), j->b1,
                   j->b2, j->step_size, j->bc2_sqrt, j->eps);
}

void gp_net_adam_step(gp_net *net, gp_adam *opt) {
    opt->t++;
    /* bias corrections in double, as PyTorch computes them in Python floats */
    double bc1 = 1.0 - pow((double)opt->beta1, (double)opt->t);
    double bc2 = 1.0 - pow((double)opt->beta2, (double)opt->t);
    float step_size = (float)(opt->lr / bc1);
    float bc2_sqrt = (float)sqrt(bc2);
    adam_job j = {net, opt->beta1, opt->beta2, step_size, bc2_sqrt, opt->eps,
                  gp_threads_count(net->threads)};
    gp_net_params_changed(net);
    gp_threads_run(net->n_params >= 65536 ? net->threads : NULL, j.parts, adam_task, &j);
}

void gp_net_sgd_step(gp_net *net, float lr) {
    gp_net_params_changed(net);
    for (size_t i = 0; i < net->n_params; i++) net->params[i] -= lr * net->grads[i];
}

gp_layer_desc gp_layer(uint32_t kind, uint32_t out_c, float alpha) {
    gp_layer_desc d = {0};
    d.kind = kind;
    d.out_c = out_c;
    d.alpha = alpha;
    if (kind == GP_LAYER_BATCHNORM || kind == GP_LAYER_BATCHNORM2D) {
        d.alpha = 0.1f;
        d.eps = 1e-5f;
    }
    return d;
}

gp_layer_desc gp_layer_conv(uint32_t kind, uint32_t out_c, uint32_t kernel, uint32_t stride, uint32_t pad) {
    gp_layer_desc d = gp_layer(kind, out_c, 0.0f);
    d.kernel = kernel;
    d.stride = stride;
    d.pad = pad;
    return d;
}

gp_layer_desc gp_layer_reshape(uint32_t c, uint32_t h, uint32_t w) {
    gp_layer_desc d = gp_layer(GP_LAYER_RESHAPE, c, 0.0f);
    d.out_h = h;
    d.out_w = w;
    return d;
}
