#include "net.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "layers.h"

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
        *out = (gp_shape){(int)d->out_c, 1, 1};
        return 1;
    case GP_LAYER_BATCHNORM:
        if (!(d->alpha >= 0.0f && d->alpha <= 1.0f) || !(d->eps > 0.0f && d->eps < 1.0f)) {
            gp_fail(err, GP_ERR_ARG, "layer %d: BatchNorm needs momentum in [0,1] and eps in (0,1)", index);
            return 0;
        }
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
    default:
        gp_fail(err, GP_ERR_ARG, "layer %d: unknown layer kind %u", index, d->kind);
        return 0;
    }
}

static size_t layer_params(const gp_layer_desc *d, gp_shape in) {
    size_t n_in = (size_t)gp_shape_size(in);
    if (d->kind == GP_LAYER_LINEAR) return (size_t)d->out_c * n_in + d->out_c;
    if (d->kind == GP_LAYER_BATCHNORM) return 2 * (size_t)in.c * in.h * in.w;
    return 0;
}

static size_t layer_buffers(const gp_layer_desc *d, gp_shape in) {
    return d->kind == GP_LAYER_BATCHNORM ? 2 * (size_t)gp_shape_size(in) : 0;
}

size_t gp_layer_param_count(const gp_net *net, int i) {
    return layer_params(&net->layers[i], net->shape[i]);
}

gp_status gp_net_create(gp_net *net, gp_shape input, const gp_layer_desc *layers,
                        int n_layers, int max_batch, gp_err *err) {
    memset(net, 0, sizeof *net);
    if (n_layers < 1 || n_layers > GP_MAX_LAYERS)
        return gp_fail(err, GP_ERR_ARG, "a network needs 1..%d layers, got %d", GP_MAX_LAYERS, n_layers);
    if (max_batch < 2 || max_batch > 4096)
        return gp_fail(err, GP_ERR_ARG, "batch size must be in 2..4096, got %d", max_batch);
    if (input.c < 1 || input.h < 1 || input.w < 1 || gp_shape_size(input) > (1 << 20))
        return gp_fail(err, GP_ERR_ARG, "bad network input shape");

    net->n_layers = n_layers;
    net->max_batch = max_batch;
    net->training = 1;
    net->shape[0] = input;
    size_t max_act = (size_t)gp_shape_size(input), act_total = max_act;
    for (int i = 0; i < n_layers; i++) {
        net->layers[i] = layers[i];
        if (!layer_out_shape(&layers[i], net->shape[i], &net->shape[i + 1], i, err)) {
            memset(net, 0, sizeof *net);
            return GP_ERR_ARG;
        }
        net->param_off[i] = net->n_params;
        net->n_params += layer_params(&layers[i], net->shape[i]);
        net->buffer_off[i] = net->n_buffers;
        net->n_buffers += layer_buffers(&layers[i], net->shape[i]);
        net->save_off[i] = net->n_saved;
        net->n_saved += layer_buffers(&layers[i], net->shape[i]); /* mean, invstd */
        size_t n_out = (size_t)gp_shape_size(net->shape[i + 1]);
        if (n_out > max_act) max_act = n_out;
        act_total += n_out;
        size_t ws = 0;
        if (layers[i].kind == GP_LAYER_LINEAR)
            ws = gp_linear_workspace(max_batch, gp_shape_size(net->shape[i]), (int)layers[i].out_c);
        else if (layers[i].kind == GP_LAYER_BATCHNORM)
            ws = 5 * (size_t)gp_shape_size(net->shape[i]);
        if (ws > net->ws_size) net->ws_size = ws;
    }
    size_t B = (size_t)max_batch;
    size_t total = 4 * net->n_params + net->n_buffers + net->n_saved +
                   B * act_total + 2 * B * max_act + net->ws_size;
    float *p = calloc(total, sizeof(float));
    if (!p) {
        memset(net, 0, sizeof *net);
        return gp_fail(err, GP_ERR_NOMEM, "out of memory allocating a network of %zu floats", total);
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
        p += B * (size_t)gp_shape_size(net->shape[i]);
    }
    net->dbuf[0] = p; p += B * max_act;
    net->dbuf[1] = p; p += B * max_act;
    net->ws = p;
    return GP_OK;
}

void gp_net_free(gp_net *net) {
    free(net->block);
    memset(net, 0, sizeof *net);
}

gp_shape gp_net_output_shape(const gp_net *net) { return net->shape[net->n_layers]; }

void gp_net_init_params(gp_net *net, gp_rng *rng) {
    for (int i = 0; i < net->n_layers; i++) {
        const gp_layer_desc *d = &net->layers[i];
        float *p = net->params + net->param_off[i];
        int n_in = gp_shape_size(net->shape[i]);
        if (d->kind == GP_LAYER_LINEAR) {
            float bound = 1.0f / sqrtf((float)n_in);
            gp_rng_fill_uniform(rng, p, (int)d->out_c * n_in, -bound, bound);
            gp_rng_fill_uniform(rng, p + (size_t)d->out_c * n_in, (int)d->out_c, -bound, bound);
        } else if (d->kind == GP_LAYER_BATCHNORM) {
            float *buf = net->buffers + net->buffer_off[i];
            for (int c = 0; c < n_in; c++) {
                p[c] = 1.0f;        /* gamma */
                p[n_in + c] = 0.0f; /* beta */
                buf[c] = 0.0f;      /* running mean */
                buf[n_in + c] = 1.0f; /* running var */
            }
        }
    }
    memset(net->grads, 0, net->n_params * sizeof(float));
    memset(net->adam_m, 0, net->n_params * sizeof(float));
    memset(net->adam_v, 0, net->n_params * sizeof(float));
}

const float *gp_net_forward(gp_net *net, const float *input, int batch) {
    GP_ASSERT(batch >= 1 && batch <= net->max_batch);
    GP_ASSERT(!net->training || batch >= 2 || net->n_buffers == 0);
    memcpy(net->acts[0], input, (size_t)batch * gp_shape_size(net->shape[0]) * sizeof(float));
    for (int i = 0; i < net->n_layers; i++) {
        const gp_layer_desc *d = &net->layers[i];
        const float *in = net->acts[i];
        float *out = net->acts[i + 1];
        float *p = net->params + net->param_off[i];
        int n_in = gp_shape_size(net->shape[i]);
        size_t n = (size_t)batch * n_in;
        switch (d->kind) {
        case GP_LAYER_LINEAR:
            gp_linear_forward(out, in, p, p + (size_t)d->out_c * n_in, batch, n_in, (int)d->out_c, net->ws);
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
        default: GP_ASSERT(!"unknown layer kind");
        }
    }
    return net->acts[net->n_layers];
}

const float *gp_net_backward(gp_net *net, const float *dout, int batch,
                             int param_grads, int want_dinput) {
    GP_ASSERT(batch >= 1 && batch <= net->max_batch);
    const float *dy = dout;
    int which = 0;
    for (int i = net->n_layers - 1; i >= 0; i--) {
        const gp_layer_desc *d = &net->layers[i];
        int need_dx = i > 0 || want_dinput;
        float *dx = need_dx ? net->dbuf[which] : NULL;
        float *p = net->params + net->param_off[i];
        float *g = param_grads ? net->grads + net->param_off[i] : NULL;
        const float *in = net->acts[i];
        const float *out = net->acts[i + 1];
        int n_in = gp_shape_size(net->shape[i]);
        size_t n = (size_t)batch * n_in;
        switch (d->kind) {
        case GP_LAYER_LINEAR:
            gp_linear_backward(dx, g, g ? g + (size_t)d->out_c * n_in : NULL, dy, in, p, batch, n_in,
                               (int)d->out_c, net->ws);
            break;
        case GP_LAYER_BATCHNORM: {
            const float *sv = net->saved + net->save_off[i];
            gp_batchnorm_backward(dx, g, g ? g + n_in : NULL, dy, in, p, sv, sv + n_in, batch, n_in, net->ws);
            break;
        }
        case GP_LAYER_LEAKY_RELU: if (dx) gp_leaky_relu_backward_layer(dx, dy, in, n, d->alpha); break;
        case GP_LAYER_RELU: if (dx) gp_leaky_relu_backward_layer(dx, dy, in, n, 0.0f); break;
        case GP_LAYER_TANH: if (dx) gp_tanh_backward_layer(dx, dy, out, n); break;
        case GP_LAYER_SIGMOID: if (dx) gp_sigmoid_backward_layer(dx, dy, out, n); break;
        default: GP_ASSERT(!"unknown layer kind");
        }
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
