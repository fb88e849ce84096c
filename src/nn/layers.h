/* layers.h: forward and backward functions of each layer, as plain functions
 * over caller-owned arrays. B is the batch size. Backward functions
 * accumulate (+=) into parameter gradients, as PyTorch does, and overwrite
 * input gradients; any gradient pointer may be NULL to skip that work.
 * ws is scratch of at least gp_layer_workspace(...) floats. th is the
 * thread pool to spread the work over (or NULL); results are the same bits
 * with any number of threads. */
#ifndef GP_LAYERS_H
#define GP_LAYERS_H

#include <stddef.h>
#include <stdint.h>

#include "base/rng.h"
#include "base/threads.h"

/* Scratch floats that gp_linear_* need for these sizes. */
size_t gp_linear_workspace(int B, int C, int OC);

/* inp (B,C), weight (OC,C), bias (OC) or NULL -> out (B,OC).
 * wpacked: the weight as gp_linear_pack left it (for weights used many
 * times), or NULL to pack it here. */
void gp_linear_forward(float *out, const float *inp, const float *weight, const float *wpacked,
                       const float *bias, int B, int C, int OC, float *ws, gp_threads *th);
size_t gp_linear_packed_size(int C, int OC);
void gp_linear_pack(float *packed, const float *weight, int C, int OC);
/* dout (B,OC) -> dinp (B,C), dweight (OC,C) +=, dbias (OC) += */
void gp_linear_backward(float *dinp, float *dweight, float *dbias,
                        const float *dout, const float *inp,
                        const float *weight, int B, int C, int OC, float *ws, gp_threads *th);

/* BatchNorm over features, inp and out (B,C); gamma, beta (C).
 * Training: normalizes with the batch mean and biased variance, saves
 * mean and invstd (C each) for backward, and updates running_mean and
 * running_var (unbiased) with momentum, as torch.nn.BatchNorm1d. B >= 2.
 * Eval (training == 0): uses the running statistics; save_* untouched. */
void gp_batchnorm_forward(float *out, const float *inp, const float *gamma,
                          const float *beta, float *running_mean,
                          float *running_var, float *save_mean,
                          float *save_invstd, int B, int C, float momentum,
                          float eps, int training, float *ws);
/* Backward of training-mode BatchNorm. ws holds >= 5*C floats. */
void gp_batchnorm_backward(float *dinp, float *dgamma, float *dbeta,
                           const float *dout, const float *inp,
                           const float *gamma, const float *save_mean,
                           const float *save_invstd, int B, int C, float *ws);

/* Backward of evaluation-mode BatchNorm (either kind; HW = 1 for features):
 * the running statistics are constants, so y = gamma (x - rm) / sqrt(rv +
 * eps) + beta is affine per channel. inp (B, C, HW). */
void gp_batchnorm_eval_backward(float *dinp, float *dgamma, float *dbeta, const float *dout, const float *inp,
                                const float *gamma, const float *running_mean, const float *running_var,
                                float eps, int B, int C, int HW);

/* ---- convolutions ------------------------------------------------------- */

/* Geometry of a 2-d convolution layer over one sample: input (c, h, w),
 * output (oc, oh, ow), square kernel k, stride s, zero padding p. */
typedef struct {
    int c, h, w, oc, oh, ow, k, s, p;
} gp_conv_geom;

/* Conv2d: oh = (h + 2p - k) / s + 1. ConvTranspose2d (no output_padding):
 * oh = (h - 1) * s - 2p + k. Likewise for ow. The caller checks that the
 * sizes are at least 1. */
gp_conv_geom gp_conv2d_geom(int c, int h, int w, int oc, int k, int s, int p);
gp_conv_geom gp_convt2d_geom(int c, int h, int w, int oc, int k, int s, int p);

/* Scratch floats that the conv functions need for batch B: an im2col
 * matrix, a channel-major copy and GEMM packing for as many samples as fit
 * in GP_CONV_WS_CAP floats (4 MiB; at least one sample). Larger batches go
 * through in chunks of that many samples. */
size_t gp_conv2d_workspace(int B, const gp_conv_geom *g);
size_t gp_convt2d_workspace(int B, const gp_conv_geom *g);

/* The forward product's weight operand packed once (see gp_linear_pack). */
size_t gp_conv2d_packed_size(const gp_conv_geom *g);
void gp_conv2d_pack(float *packed, const float *weight, const gp_conv_geom *g);
size_t gp_convt2d_packed_size(const gp_conv_geom *g);
void gp_convt2d_pack(float *packed, const float *weight, const gp_conv_geom *g);

/* Conv2d as PyTorch's, NCHW. Lowered onto GEMM: im2col of a chunk of
 * samples, then one product for the whole chunk.
 * inp (B,c,h,w), weight (oc,c,k,k), bias (oc) or NULL -> out (B,oc,oh,ow);
 * wpacked as for gp_linear_forward */
void gp_conv2d_forward(float *out, const float *inp, const float *weight, const float *wpacked,
                       const float *bias, int B, const gp_conv_geom *g, float *ws, gp_threads *th);
/* dout (B,oc,oh,ow) -> dinp (B,c,h,w), dweight (oc,c,k,k) +=, dbias (oc) += */
void gp_conv2d_backward(float *dinp, float *dweight, float *dbias,
                        const float *dout, const float *inp,
                        const float *weight, int B, const gp_conv_geom *g,
                        float *ws, gp_threads *th);

/* ConvTranspose2d as PyTorch's: the adjoint of Conv2d with the same weight,
 * computed as GEMM then col2im (no multiplications by inserted zeros).
 * inp (B,c,h,w), weight (c,oc,k,k), bias (oc) or NULL -> out (B,oc,oh,ow) */
void gp_convt2d_forward(float *out, const float *inp, const float *weight, const float *wpacked,
                        const float *bias, int B, const gp_conv_geom *g, float *ws, gp_threads *th);
/* dout (B,oc,oh,ow) -> dinp (B,c,h,w), dweight (c,oc,k,k) +=, dbias (oc) += */
void gp_convt2d_backward(float *dinp, float *dweight, float *dbias,
                         const float *dout, const float *inp,
                         const float *weight, int B, const gp_conv_geom *g,
                         float *ws, gp_threads *th);

/* BatchNorm2d as torch.nn.BatchNorm2d: per channel, statistics over the
 * B*HW values of inp (B,C,HW). Otherwise as gp_batchnorm_forward (saves
 * mean and invstd, C each; eval uses the running statistics). B*HW >= 2
 * in training. No workspace. */
void gp_batchnorm2d_forward(float *out, const float *inp, const float *gamma,
                            const float *beta, float *running_mean,
                            float *running_var, float *save_mean,
                            float *save_invstd, int B, int C, int HW,
                            float momentum, float eps, int training, gp_threads *th);
void gp_batchnorm2d_backward(float *dinp, float *dgamma, float *dbeta,
                             const float *dout, const float *inp,
                             const float *gamma, const float *save_mean,
                             const float *save_invstd, int B, int C, int HW, gp_threads *th);

/* Dropout with drop probability p in [0,1). Training: mask[i] is 0 with
 * probability p and 1/(1-p) otherwise (one rng draw per value), out = inp *
 * mask. Eval: mask = 1, out = inp. inp, out, mask: n values. */
void gp_dropout_forward(float *out, float *mask, const float *inp, size_t n,
                        float p, int training, gp_rng *rng);
/* dinp = dout * mask */
void gp_dropout_backward(float *dinp, const float *dout, const float *mask,
                         size_t n);

/* Elementwise activations over n values. ReLU is LeakyReLU with slope 0. */
void gp_leaky_relu_forward(float *out, const float *inp, size_t n, float slope);
void gp_leaky_relu_backward_layer(float *dinp, const float *dout,
                                  const float *inp, size_t n, float slope);
void gp_tanh_forward(float *out, const float *inp, size_t n);
void gp_tanh_backward_layer(float *dinp, const float *dout, const float *out,
                            size_t n);
void gp_sigmoid_forward(float *out, const float *inp, size_t n);
void gp_sigmoid_backward_layer(float *dinp, const float *dout,
                               const float *out, size_t n);

/* Binary cross-entropy on logits against a constant target y, averaged over
 * n: mean(max(x,0) - x*y + log1p(exp(-|x|))), finite for any finite x.
 * Writes dlogits = scale * (sigmoid(x) - y) / n when dlogits is not NULL
 * (scale lets a caller negate or weight the loss). Returns the loss. */
float gp_bce_logits(float *dlogits, const float *logits, int n, float target,
                    float scale);

/* Softmax cross-entropy of logits (B, C) against integer labels, averaged
 * over B; writes dlogits = (softmax - onehot) / B when not NULL. */
float gp_softmax_xent(float *dlogits, const float *logits, const uint8_t *labels, int B, int C);

/* Numerically stable logistic function. */
float gp_sigmoidf(float x);

#endif
