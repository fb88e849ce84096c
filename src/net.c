#include "net.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "layers.h"

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

static int bn_check(const gp_layer_desc *d, int index, gp_err *err) {
    if (!(d->alpha >= 0.0f && d->alpha <= 1.0f) || !(d->eps > 0.0f && d->eps < 1.0f)) {
        gp_fail(err, GP_ERR_ARG, "layer %d: BatchNorm needs momentum in [0,1] and eps in (0,1)", index);
        return 0;
    }
    return 1;
}

/* Output shape of one layer; returns 0 (and sets err) if the layer is
 * malformed for this input. */
static int layer_out_shape(const gp_layer_desc *d, gp_shape in, gp_shape *out,
                           int index, gp_err *err) {
    switch (d->kind) {
    case GP_LAYER_LINEAR:
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
    case GP_LAYER_BATCHNORM:
    case GP_LAYER_BATCHNORM2D:
        if (!bn_check(d, index, err)) return 0;
        *out = in;
        return 1;
    case GP_LAYER_LEAKY_RELU:
        if (!(d->alpha >= 0.0f && d->alpha < 1.0f)) {
            gp_fail(err, GP_ERR_ARG, "layer %d: LeakyReLU slope must be in [0,1)", index);
            return 0;
        }
        *out = in;
        return 1;
    case GP_LAYER_RELU:
    case GP_LAYER_TANH:
    case GP_LAYER_SIGMOID:
        *out = in;
        return 1;
    case GP_LAYER_CONV2D:
    case GP_LAYER_CONVT2D:
        return conv_out_shape(d, in, out, index, err);
    case GP_LAYER_RESHAPE: {
        uint64_t n = (uint64_t)d->out_c * d->out_h * d->out_w;
        if (d->out_c < 1 || d->out_h < 1 || d->out_w < 1 || n != (uint64_t)gp_shape_size(in)) {
            gp_fail(err, GP_ERR_ARG, "layer %d: Reshape to %ux%ux%u does not hold the %dx%dx%d input", index,
                    d->out_c, d->out_h, d->out_w, in.c, in.h, in.w);
            return 0;
        }
        *out = (gp_shape){(int)d->out_c, (int)d->out_h, (int)d->out_w};
        return 1;
    }
    case GP_LAYER_DROPOUT:
        if (!(d->alpha >= 0.0f && d->alpha < 1.0f)) {
            gp_fail(err, GP_ERR_ARG, "layer %d: Dropout probability must be in [0,1)", index);
            return 0;
        }
        *out = in;
        return 1;
    default:
        gp_fail(err, GP_ERR_ARG, "layer %d: unknown layer kind %u", index, d->kind);
        return 0;
    }
}

static int has_bias(const gp_layer_desc *d) { return !(is_conv(d->kind) && (d->flags & GP_LAYER_NO_BIAS)); }

/* Weights of a convolution: out_c*C*k*k for both kinds. */
static uint64_t conv_weights(const gp_layer_desc *d, gp_shape in) {
    return (uint64_t)d->out_c * in.c * d->kernel * d->kernel;
}

static uint64_t layer_params(const gp_layer_desc *d, gp_shape in) {
    uint64_t n_in = (uint64_t)gp_shape_size(in);
    switch (d->kind) {
    case GP_LAYER_LINEAR: return (uint64_t)d->out_c * n_in + d->out_c;
    case GP_LAYER_BATCHNORM: return 2 * n_in;
    case GP_LAYER_CONV2D:
    case GP_LAYER_CONVT2D: return conv_weights(d, in) + (has_bias(d) ? d->out_c : 0);
    case GP_LAYER_BATCHNORM2D: return 2 * (uint64_t)in.c;
    default: return 0;
    }
}

static int spectral(const gp_layer_desc *d) {
    return (d->kind == GP_LAYER_LINEAR || d->kind == GP_LAYER_CONV2D) && (d->flags & GP_LAYER_SPECTRAL_NORM);
}

/* A spectrally normalized weight as a matrix: out_c rows of `cols`. */
static uint64_t sn_cols(const gp_layer_desc *d, gp_shape in) {
    return d->kind == GP_LAYER_LINEAR ? (uint64_t)gp_shape_size(in) : (uint64_t)in.c * d->kernel * d->kernel;
}

/* running statistics; spectral norm's u and v */
static uint64_t layer_buffers(const gp_layer_desc *d, gp_shape in) {
    if (d->kind == GP_LAYER_BATCHNORM) return 2 * (uint64_t)gp_shape_size(in);
    if (d->kind == GP_LAYER_BATCHNORM2D) return 2 * (uint64_t)in.c;
    if (spectral(d)) return d->out_c + sn_cols(d, in);
    return 0;
}

/* batch mean and invstd; dropout's mask for every value of a batch;
 * spectral norm's W / sigma, a gradient scratch of that size, and sigma */
static uint64_t layer_saved(const gp_layer_desc *d, gp_shape in, int max_batch) {
    if (d->kind == GP_LAYER_DROPOUT) return (uint64_t)max_batch * gp_shape_size(in);
    if (spectral(d)) return 2 * d->out_c * sn_cols(d, in) + 1;
    return layer_buffers(d, in);
}

static gp_conv_geom layer_geom(const gp_net *net, int i) {
    const gp_layer_desc *d = &net->layers[i];
    gp_shape in = net->shape[i];
    if (d->kind == GP_LAYER_CONV2D)
        return gp_conv2d_geom(in.c, in.h, in.w, (int)d->out_c, (int)d->kernel, (int)d->stride, (int)d->pad);
    return gp_convt2d_geom(in.c, in.h, in.w, (int)d->out_c, (int)d->kernel, (int)d->stride, (int)d->pad);
}

size_t gp_layer_param_count(const gp_net *net, int i) {
    return (size_t)layer_params(&net->layers[i], net->shape[i]);
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
    uint64_t n_params = 0, n_buffers = 0, n_saved = 0;
    for (int i = 0; i < n_layers; i++) {
        const gp_layer_desc *d = &layers[i];
        gp_shape in = net->shape[i];
        net->layers[i] = *d;
        if (!layer_out_shape(d, in, &net->shape[i + 1], i, err)) {
            memset(net, 0, sizeof *net);
            return GP_ERR_ARG;
        }
        uint64_t n_out = (uint64_t)gp_shape_size(net->shape[i + 1]);
        net->param_off[i] = (size_t)n_params;
        n_params += layer_params(d, in);
        if (n_out > MAX_SAMPLE_FLOATS || n_params > MAX_PARAMS) {
            memset(net, 0, sizeof *net);
            return gp_fail(err, GP_ERR_ARG, "layer %d: network too large (%llu floats per sample, %llu parameters)",
                           i, (unsigned long long)n_out, (unsigned long long)n_params);
        }
        net->buffer_off[i] = (size_t)n_buffers;
        n_buffers += layer_buffers(d, in);
        net->save_off[i] = (size_t)n_saved;
        n_saved += layer_saved(d, in, max_batch);
        if (n_out > max_act) max_act = n_out;
        act_total += n_out;
        size_t ws = 0;
        if (d->kind == GP_LAYER_LINEAR) {
            ws = gp_linear_workspace(max_batch, gp_shape_size(in), (int)d->out_c);
        } else if (d->kind == GP_LAYER_BATCHNORM) {
            ws = 5 * (size_t)gp_shape_size(in);
        } else if (is_conv(d->kind)) {
            gp_conv_geom g = layer_geom(net, i);
            ws = d->kind == GP_LAYER_CONV2D ? gp_conv2d_workspace(max_batch, &g)
                                            : gp_convt2d_workspace(max_batch, &g);
        }
        if (ws > net->ws_size) net->ws_size = ws;
    }
    uint64_t B = (uint64_t)max_batch;
    uint64_t total = 4 * n_params + n_buffers + n_saved + B * act_total + 2 * B * max_act + net->ws_size;
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
    gp_rng_seed(&net->rng, gp_rng_u64(&copy) ^ 0xD1B54A32D192ED03ull);
}

/* BatchNorm (either kind) of layer i: gamma 1 (or N(1, std) if std > 0),
 * beta 0, running mean 0, running var 1. */
static void init_bn(gp_net *net, int i, gp_rng *rng, float std) {
    const gp_layer_desc *d = &net->layers[i];
    int C = d->kind == GP_LAYER_BATCHNORM2D ? net->shape[i].c : gp_shape_size(net->shape[i]);
    float *p = net->params + net->param_off[i], *buf = net->buffers + net->buffer_off[i];
    if (std > 0.0f)
        gp_rng_fill_normal(rng, p, C, 1.0f, std);
    else
        for (int c = 0; c < C; c++) p[c] = 1.0f;
    for (int c = 0; c < C; c++) {
        p[C + c] = 0.0f;   /* beta */
        buf[c] = 0.0f;     /* running mean */
        buf[C + c] = 1.0f; /* running var */
    }
}

/* Spectral norm's u and v: normalized standard normals, as PyTorch draws them. */
static void normalize(float *x, int n) {
    double s = 0.0;
    for (int i = 0; i < n; i++) s += (double)x[i] * x[i];
    double norm = sqrt(s);
    float scale = (float)(1.0 / (norm > 1e-12 ? norm : 1e-12));
    for (int i = 0; i < n; i++) x[i] *= scale;
}

static void init_sn(gp_net *net, int i, gp_rng *rng) {
    const gp_layer_desc *d = &net->layers[i];
    if (!spectral(d)) return;
    int rows = (int)d->out_c, cols = (int)sn_cols(d, net->shape[i]);
    float *u = net->buffers + net->buffer_off[i], *v = u + rows;
    gp_rng_fill_normal(rng, u, rows, 0.0f, 1.0f);
    gp_rng_fill_normal(rng, v, cols, 0.0f, 1.0f);
    normalize(u, rows);
    normalize(v, cols);
}

/* W / sigma of spectrally normalized layer i into its saved area (after one
 * power iteration on u and v in training), as torch.nn.utils.spectral_norm:
 * v = normalize(W^T u), u = normalize(W v), sigma = u . W v. */
static const float *sn_weight(gp_net *net, int i) {
    const gp_layer_desc *d = &net->layers[i];
    int rows = (int)d->out_c, cols = (int)sn_cols(d, net->shape[i]);
    const float *W = net->params + net->param_off[i];
    float *u = net->buffers + net->buffer_off[i], *v = u + rows;
    float *wsn = net->saved + net->save_off[i], *sigma = wsn + 2 * (size_t)rows * cols;
    if (net->training) {
        memset(v, 0, (size_t)cols * sizeof(float));
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) v[c] += W[(size_t)r * cols + c] * u[r];
        normalize(v, cols);
        for (int r = 0; r < rows; r++) {
            double acc = 0.0;
            for (int c = 0; c < cols; c++) acc += (double)W[(size_t)r * cols + c] * v[c];
            u[r] = (float)acc;
        }
        normalize(u, rows);
    }
    double s = 0.0;
    for (int r = 0; r < rows; r++) {
        double acc = 0.0;
        for (int c = 0; c < cols; c++) acc += (double)W[(size_t)r * cols + c] * v[c];
        s += u[r] * acc;
    }
    *sigma = (float)s;
    float inv = 1.0f / *sigma;
    for (size_t k = 0; k < (size_t)rows * cols; k++) wsn[k] = W[k] * inv;
    return wsn;
}

/* The weight gradient through the normalization, u and v held constant:
 * dW += (dWsn - <dWsn, Wsn> u v^T) / sigma, dWsn in the scratch after Wsn. */
static void sn_backward(gp_net *net, int i, float *dW) {
    const gp_layer_desc *d = &net->layers[i];
    int rows = (int)d->out_c, cols = (int)sn_cols(d, net->shape[i]);
    const float *u = net->buffers + net->buffer_off[i], *v = u + rows;
    const float *wsn = net->saved + net->save_off[i], *dwsn = wsn + (size_t)rows * cols;
    float sigma = wsn[2 * (size_t)rows * cols];
    double dot = 0.0;
    for (size_t k = 0; k < (size_t)rows * cols; k++) dot += (double)dwsn[k] * wsn[k];
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            size_t k = (size_t)r * cols + c;
            dW[k] += (float)((dwsn[k] - dot * u[r] * v[c]) / sigma);
        }
}

static void clear_training_state(gp_net *net) {
    memset(net->grads, 0, net->n_params * sizeof(float));
    memset(net->adam_m, 0, net->n_params * sizeof(float));
    memset(net->adam_v, 0, net->n_params * sizeof(float));
}

void gp_net_init_params(gp_net *net, gp_rng *rng) {
    seed_net_rng(net, rng);
    for (int i = 0; i < net->n_layers; i++) {
        const gp_layer_desc *d = &net->layers[i];
        gp_shape in = net->shape[i];
        float *p = net->params + net->param_off[i];
        int n_in = gp_shape_size(in);
        if (d->kind == GP_LAYER_LINEAR) {
            float bound = 1.0f / sqrtf((float)n_in);
            gp_rng_fill_uniform(rng, p, (int)d->out_c * n_in, -bound, bound);
            gp_rng_fill_uniform(rng, p + (size_t)d->out_c * n_in, (int)d->out_c, -bound, bound);
            init_sn(net, i, rng);
        } else if (is_conv(d->kind)) {
            /* kaiming_uniform(a=sqrt(5)) gives U(-1/sqrt(fan_in), ..), as
             * the bias; PyTorch's fan_in is weight.size(1)*k*k */
            int fan_in = (d->kind == GP_LAYER_CONV2D ? in.c : (int)d->out_c) * (int)(d->kernel * d->kernel);
            float bound = 1.0f / sqrtf((float)fan_in);
            int nw = (int)conv_weights(d, in);
            gp_rng_fill_uniform(rng, p, nw, -bound, bound);
            if (has_bias(d)) gp_rng_fill_uniform(rng, p + nw, (int)d->out_c, -bound, bound);
            init_sn(net, i, rng);
        } else if (d->kind == GP_LAYER_BATCHNORM || d->kind == GP_LAYER_BATCHNORM2D) {
            init_bn(net, i, rng, 0.0f);
        }
    }
    clear_training_state(net);
}

void gp_net_init_normal(gp_net *net, gp_rng *rng, float std) {
    seed_net_rng(net, rng);
    for (int i = 0; i < net->n_layers; i++) {
        const gp_layer_desc *d = &net->layers[i];
        gp_shape in = net->shape[i];
        float *p = net->params + net->param_off[i];
        if (d->kind == GP_LAYER_LINEAR || is_conv(d->kind)) {
            int nw = d->kind == GP_LAYER_LINEAR ? (int)d->out_c * gp_shape_size(in) : (int)conv_weights(d, in);
            gp_rng_fill_normal(rng, p, nw, 0.0f, std);
            if (has_bias(d)) memset(p + nw, 0, d->out_c * sizeof(float));
            init_sn(net, i, rng);
        } else if (d->kind == GP_LAYER_BATCHNORM || d->kind == GP_LAYER_BATCHNORM2D) {
            init_bn(net, i, rng, std);
        }
    }
    clear_training_state(net);
}

void gp_net_layer_forward(gp_net *net, int i, int batch) {
    const gp_layer_desc *d = &net->layers[i];
    gp_shape s = net->shape[i];
    const float *in = net->acts[i];
    float *out = net->acts[i + 1];
    float *p = net->params + net->param_off[i];
    int n_in = gp_shape_size(s);
    size_t n = (size_t)batch * n_in;
    switch (d->kind) {
    case GP_LAYER_LINEAR:
        gp_linear_forward(out, in, spectral(d) ? sn_weight(net, i) : p, p + (size_t)d->out_c * n_in, batch, n_in,
                          (int)d->out_c, net->ws);
        break;
    case GP_LAYER_BATCHNORM: {
        float *buf = net->buffers + net->buffer_off[i];
        float *sv = net->saved + net->save_off[i];
        gp_batchnorm_forward(out, in, p, p + n_in, buf, buf + n_in, sv, sv + n_in, batch, n_in,
                             d->alpha, d->eps, net->training, net->ws);
        break;
    }
    case GP_LAYER_LEAKY_RELU: gp_leaky_relu_forward(out, in, n, d->alpha); break;
    case GP_LAYER_RELU: gp_leaky_relu_forward(out, in, n, 0.0f); break;
    case GP_LAYER_TANH: gp_tanh_forward(out, in, n); break;
    case GP_LAYER_SIGMOID: gp_sigmoid_forward(out, in, n); break;
    case GP_LAYER_CONV2D:
    case GP_LAYER_CONVT2D: {
        gp_conv_geom g = layer_geom(net, i);
        const float *bias = has_bias(d) ? p + conv_weights(d, s) : NULL;
        if (d->kind == GP_LAYER_CONV2D)
            gp_conv2d_forward(out, in, spectral(d) ? sn_weight(net, i) : p, bias, batch, &g, net->ws);
        else
            gp_convt2d_forward(out, in, p, bias, batch, &g, net->ws);
        break;
    }
    case GP_LAYER_BATCHNORM2D: {
        float *buf = net->buffers + net->buffer_off[i];
        float *sv = net->saved + net->save_off[i];
        gp_batchnorm2d_forward(out, in, p, p + s.c, buf, buf + s.c, sv, sv + s.c, batch, s.c, s.h * s.w,
                               d->alpha, d->eps, net->training);
        break;
    }
    case GP_LAYER_RESHAPE: memcpy(out, in, n * sizeof(float)); break;
    case GP_LAYER_DROPOUT:
        gp_dropout_forward(out, net->saved + net->save_off[i], in, n, d->alpha, net->training, &net->rng);
        break;
    default: GP_ASSERT(!"unknown layer kind");
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
    const gp_layer_desc *d = &net->layers[i];
    gp_shape s = net->shape[i];
    float *p = net->params + net->param_off[i];
    float *g = param_grads ? net->grads + net->param_off[i] : NULL;
    const float *in = net->acts[i];
    const float *out = net->acts[i + 1];
    int n_in = gp_shape_size(s);
    size_t n = (size_t)batch * n_in;
    switch (d->kind) {
    case GP_LAYER_LINEAR:
        if (spectral(d)) { /* through W / sigma: the weight gradient goes to the scratch, then through sigma */
            const float *wsn = net->saved + net->save_off[i];
            float *dwsn = g ? net->saved + net->save_off[i] + (size_t)d->out_c * n_in : NULL;
            if (dwsn) memset(dwsn, 0, (size_t)d->out_c * n_in * sizeof(float));
            gp_linear_backward(dx, dwsn, g ? g + (size_t)d->out_c * n_in : NULL, dy, in, wsn, batch, n_in,
                               (int)d->out_c, net->ws);
            if (g) sn_backward(net, i, g);
            break;
        }
        gp_linear_backward(dx, g, g ? g + (size_t)d->out_c * n_in : NULL, dy, in, p, batch, n_in,
                           (int)d->out_c, net->ws);
        break;
    case GP_LAYER_BATCHNORM: {
        const float *sv = net->saved + net->save_off[i], *buf = net->buffers + net->buffer_off[i];
        if (!net->training) /* through the running statistics, as the forward used them */
            gp_batchnorm_eval_backward(dx, g, g ? g + n_in : NULL, dy, in, p, buf, buf + n_in, d->eps, batch, n_in, 1);
        else
            gp_batchnorm_backward(dx, g, g ? g + n_in : NULL, dy, in, p, sv, sv + n_in, batch, n_in, net->ws);
        break;
    }
    case GP_LAYER_LEAKY_RELU: if (dx) gp_leaky_relu_backward_layer(dx, dy, in, n, d->alpha); break;
    case GP_LAYER_RELU: if (dx) gp_leaky_relu_backward_layer(dx, dy, in, n, 0.0f); break;
    case GP_LAYER_TANH: if (dx) gp_tanh_backward_layer(dx, dy, out, n); break;
    case GP_LAYER_SIGMOID: if (dx) gp_sigmoid_backward_layer(dx, dy, out, n); break;
    case GP_LAYER_CONV2D:
    case GP_LAYER_CONVT2D: {
        gp_conv_geom geom = layer_geom(net, i);
        size_t nw = (size_t)conv_weights(d, s);
        float *db = g && has_bias(d) ? g + nw : NULL;
        if (d->kind == GP_LAYER_CONV2D && spectral(d)) {
            const float *wsn = net->saved + net->save_off[i];
            float *dwsn = g ? net->saved + net->save_off[i] + nw : NULL;
            if (dwsn) memset(dwsn, 0, nw * sizeof(float));
            gp_conv2d_backward(dx, dwsn, db, dy, in, wsn, batch, &geom, net->ws);
            if (g) sn_backward(net, i, g);
        } else if (d->kind == GP_LAYER_CONV2D)
            gp_conv2d_backward(dx, g, db, dy, in, p, batch, &geom, net->ws);
        else
            gp_convt2d_backward(dx, g, db, dy, in, p, batch, &geom, net->ws);
        break;
    }
    case GP_LAYER_BATCHNORM2D: {
        const float *sv = net->saved + net->save_off[i], *buf = net->buffers + net->buffer_off[i];
        if (!net->training)
            gp_batchnorm_eval_backward(dx, g, g ? g + s.c : NULL, dy, in, p, buf, buf + s.c, d->eps, batch, s.c,
                                       s.h * s.w);
        else
            gp_batchnorm2d_backward(dx, g, g ? g + s.c : NULL, dy, in, p, sv, sv + s.c, batch, s.c, s.h * s.w);
        break;
    }
    case GP_LAYER_RESHAPE: if (dx) memcpy(dx, dy, n * sizeof(float)); break;
    case GP_LAYER_DROPOUT:
        if (dx) gp_dropout_backward(dx, dy, net->saved + net->save_off[i], n);
        break;
    default: GP_ASSERT(!"unknown layer kind");
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

void gp_net_adam_step(gp_net *net, gp_adam *opt) {
    opt->t++;
    /* bias corrections in double, as PyTorch computes them in Python floats */
    double bc1 = 1.0 - pow((double)opt->beta1, (double)opt->t);
    double bc2 = 1.0 - pow((double)opt->beta2, (double)opt->t);
    float step_size = (float)(opt->lr / bc1);
    float bc2_sqrt = (float)sqrt(bc2);
    gp_adam_update(net->params, net->grads, net->adam_m, net->adam_v, net->n_params, opt->beta1,
                   opt->beta2, step_size, bc2_sqrt, opt->eps);
}

void gp_net_sgd_step(gp_net *net, float lr) {
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
