/* net.h: a sequential network described as data.
 *
 * A gp_net is a list of gp_layer_desc (what a model file stores) plus the
 * memory that list implies, owned by the net and allocated once in
 * gp_net_create: one array each for parameters, their gradients, Adam's two
 * moments, non-trained buffers (BatchNorm running statistics), activations
 * for up to max_batch samples, and scratch. Forward, backward and optimizer
 * steps never allocate. */
#ifndef GP_NET_H
#define GP_NET_H

#include <stddef.h>
#include <stdint.h>

#include "base/rng.h"
#include "base/status.h"
#include "base/threads.h"

#define GP_MAX_LAYERS 32

typedef enum {
    GP_LAYER_LINEAR = 1,     /* out_c features; weight (out, in) + bias */
    GP_LAYER_BATCHNORM = 2,  /* over features; alpha = momentum, eps */
    GP_LAYER_LEAKY_RELU = 3, /* alpha = negative slope */
    GP_LAYER_RELU = 4,
    GP_LAYER_TANH = 5,
    GP_LAYER_SIGMOID = 6,
    GP_LAYER_CONV2D = 7,      /* out_c channels, kernel, stride, pad; NCHW;
                                 weight (out_c, C, k, k) + bias (out_c) */
    GP_LAYER_CONVT2D = 8,     /* ConvTranspose2d: out_c, kernel, stride, pad;
                                 weight (C, out_c, k, k) + bias (out_c) */
    GP_LAYER_BATCHNORM2D = 9, /* per channel; alpha = momentum, eps */
    GP_LAYER_RESHAPE = 10,    /* to (out_c, out_h, out_w); Flatten is (n,1,1) */
    GP_LAYER_DROPOUT = 11     /* alpha = drop probability in [0,1) */
} gp_layer_kind;

/* CONV2D, CONVT2D flags: no bias term (PyTorch's bias=False). */
#define GP_LAYER_NO_BIAS 1u
/* LINEAR, CONV2D flags: spectral normalization, as torch.nn.utils.spectral_norm
 * with one power iteration per training forward: the layer uses W / sigma,
 * sigma = u^T W v, W seen as (out_c, rest); u (out_c) and v (rest) are
 * buffers, updated in training, kept in evaluation. */
#define GP_LAYER_SPECTRAL_NORM 2u

/* One layer as stored in a model file (GP_LAYER_DESC_WORDS little-endian
 * 32-bit words, in this order). Unused fields are zero.
 * Convolutions: kernel 1..7, stride 1..4, pad 0..3; out_h and out_w are
 * either 0 or must equal the computed output size (a consistency check). */
typedef struct {
    uint32_t kind;
    uint32_t out_c;                /* LINEAR: outputs; CONV*: channels; RESHAPE */
    uint32_t out_h, out_w;         /* RESHAPE: new shape; CONV*: 0 or check */
    uint32_t kernel, stride, pad;  /* CONV2D, CONVT2D */
    uint32_t flags;                /* CONV*: GP_LAYER_NO_BIAS; LINEAR, CONV2D: GP_LAYER_SPECTRAL_NORM */
    union {                        /* one stored float, named by what it is for each kind */
        float slope;               /* LEAKY_RELU: negative slope */
        float momentum;            /* BATCHNORM*: running-statistics momentum */
        float drop;                /* DROPOUT: drop probability */
        float alpha;               /* the word as stored, whatever the kind */
    };
    float eps;                     /* BATCHNORM*: eps */
} gp_layer_desc;
#define GP_LAYER_DESC_WORDS 10

/* Sizes of one sample (C, H, W); a vector of n features is (n, 1, 1). */
typedef struct {
    int c, h, w;
} gp_shape;

static inline int gp_shape_size(gp_shape s) { return s.c * s.h * s.w; }

/* What one layer of a net ran while profiling was on (gp_net_set_profile):
 * sums over every pass since it was set. FLOPs are those of the layer's
 * products (Linear, Conv2d, ConvTranspose2d) counted from its shape, as
 * gp_layer_flops gives them for the passes that ran; BatchNorm, activations,
 * spectral norm's power iteration and copies count none. */
typedef struct {
    uint32_t kind;               /* gp_layer_kind */
    gp_shape in, out;            /* of one sample */
    long fwd_calls, bwd_calls;
    double fwd_ms, bwd_ms;       /* wall time (gp_now_ms) */
    double fwd_flops, bwd_flops; /* floating-point operations (a multiply-add is 2) */
} gp_layer_profile;

typedef struct {
    int n_layers;
    gp_layer_desc layers[GP_MAX_LAYERS];
    gp_shape shape[GP_MAX_LAYERS + 1]; /* shape[i]: input of layer i */
    size_t param_off[GP_MAX_LAYERS];   /* into params/grads/adam_m/adam_v */
    size_t buffer_off[GP_MAX_LAYERS];  /* into buffers */
    size_t save_off[GP_MAX_LAYERS];    /* into saved (batch statistics,
                                          dropout masks) */
    size_t n_params, n_buffers, n_saved;
    int max_batch;
    int training; /* 1: batch statistics, dropout on; 0: running
                     statistics, dropout off */
    gp_rng rng;   /* dropout masks; seeded by the init functions from their
                     rng (without advancing it), or set it directly */

    float *params, *grads, *adam_m, *adam_v; /* n_params each */
    float *buffers;                         /* n_buffers */
    float *saved;                           /* n_saved */
    float *acts[GP_MAX_LAYERS + 1]; /* acts[i]: input of layer i; last: output */
    float *dbuf[2];                 /* ping-pong gradients, max act size each */
    float *ws;                      /* scratch, ws_size floats */
    size_t ws_size;
    /* forward weights packed once for evaluation (see packed_weight in
     * net.c): current while packed_version[i] == params_version and the
     * layer's parameters still live at packed_from[i] */
    float *packed;
    size_t pack_off[GP_MAX_LAYERS];
    uint64_t params_version, packed_version[GP_MAX_LAYERS];
    const float *packed_from[GP_MAX_LAYERS];
    gp_threads *threads;            /* borrowed; NULL runs on the caller */
    gp_layer_profile *profile;      /* borrowed, n_layers records; NULL: off */
    void *block;                    /* the one allocation behind all of it */
} gp_net;

/* Layer descriptions for presets written in C. BatchNorm kinds get
 * PyTorch's momentum 0.1 and eps 1e-5. */
gp_layer_desc gp_layer(uint32_t kind, uint32_t out_c, float alpha);
gp_layer_desc gp_layer_conv(uint32_t kind, uint32_t out_c, uint32_t kernel, uint32_t stride, uint32_t pad);
gp_layer_desc gp_layer_reshape(uint32_t c, uint32_t h, uint32_t w);

/* Checks the description against the input shape and allocates.
 * Descriptions may come from files, so sizes are capped: at most 2^22
 * floats per sample in any activation, 2^26 parameters, 2^24 floats in one
 * sample's im2col matrix, and 2^28 floats (1 GiB) in all at max_batch.
 * On failure, net is zeroed and nothing is leaked. */
gp_status gp_net_create(gp_net *net, gp_shape input, const gp_layer_desc *layers,
                        int n_layers, int max_batch, gp_err *err);
void gp_net_free(gp_net *net);

gp_shape gp_net_output_shape(const gp_net *net);
/* Layers' default initialization, as PyTorch's: Linear weight and bias
 * U(-1/sqrt(in), 1/sqrt(in)); Conv2d likewise with in = C*k*k and
 * ConvTranspose2d with in = out_c*k*k (PyTorch's fan_in of its weight);
 * BatchNorm (both) gamma 1, beta 0, running (0, 1). Draws weights then bias,
 * layer by layer. Also clears gradients and optimizer moments, and seeds
 * net->rng from a copy of rng (rng's own sequence is not changed by that). */
void gp_net_init_params(gp_net *net, gp_rng *rng);
/* DCGAN's initialization: Linear, Conv2d and ConvTranspose2d weights
 * N(0, std), biases 0; BatchNorm (both) gamma N(1, std), beta 0, running
 * (0, 1). Otherwise as gp_net_init_params. */
void gp_net_init_normal(gp_net *net, gp_rng *rng, float std);

/* Copies input (batch x input size) in and runs every layer; returns the
 * output (batch x output size), valid until the next forward. */
const float *gp_net_forward(gp_net *net, const float *input, int batch);
/* Backpropagates dout (batch x output size) through the last forward.
 * Accumulates parameter gradients when param_grads is nonzero. Returns the
 * input gradient (valid until the next backward) if want_dinput, else NULL. */
const float *gp_net_backward(gp_net *net, const float *dout, int batch,
                             int param_grads, int want_dinput);
void gp_net_zero_grad(gp_net *net);
/* Whoever writes net->params (or points it elsewhere) outside the functions
 * here says so, so that packed weights are made again. The optimizer steps,
 * the inits and the model-file readers call it themselves. */
void gp_net_params_changed(gp_net *net);

/* The steps of gp_net_forward and gp_net_backward, one layer at a time
 * (for timing and tests): acts[i] -> acts[i+1]; dy (gradient of acts[i+1])
 * -> dx (of acts[i], may be NULL), parameter gradients if param_grads. */
void gp_net_layer_forward(gp_net *net, int i, int batch);
void gp_net_layer_backward(gp_net *net, int i, int batch, const float *dy,
                           float *dx, int param_grads);

/* Turns the per-layer profile on (profile: n_layers records, owned by the
 * caller, cleared here and labelled with each layer's kind and shapes) or
 * off (NULL). While on, every layer forward and backward adds its time and
 * FLOPs to its record; off, the passes cost one pointer test per layer. */
void gp_net_set_profile(gp_net *net, gp_layer_profile *profile);

/* The passes a layer's FLOPs are counted for: the forward product, and in
 * backward the input gradient's and the weight gradient's products. */
typedef enum { GP_PASS_FORWARD = 0, GP_PASS_DX = 1, GP_PASS_DW = 2 } gp_pass;
/* FLOPs of layer i's product in that pass for a batch: 2*B*in*out for
 * Linear, 2*B*OH*OW*OC*C*k*k for Conv2d (OH, OW its output),
 * 2*B*H*W*C*OC*k*k for ConvTranspose2d (H, W its input), the same in each
 * pass; 0 for the kinds without products. */
double gp_layer_flops(const gp_net *net, int i, int batch, gp_pass pass);
/* The kind's name ("Linear", "ConvTranspose2d", ...), or "?" */
const char *gp_layer_kind_name(uint32_t kind);

typedef struct {
    float lr, beta1, beta2, eps;
    long t; /* steps taken, for bias correction */
} gp_adam;

void gp_net_adam_step(gp_net *net, gp_adam *opt);
/* Plain SGD: p -= lr * g. */
void gp_net_sgd_step(gp_net *net, float lr);

/* Number of trained parameters of layer i and where they start. */
size_t gp_layer_param_count(const gp_net *net, int i);

#endif
