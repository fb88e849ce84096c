/* layers.h: forward and backward functions of each layer, as plain functions
 * over caller-owned arrays. B is the batch size. Backward functions
 * accumulate (+=) into parameter gradients, as PyTorch does, and overwrite
 * input gradients; any gradient pointer may be NULL to skip that work.
 * ws is scratch of at least gp_layer_workspace(...) floats. */
#ifndef GP_LAYERS_H
#define GP_LAYERS_H

#include <stddef.h>

/* Scratch floats that gp_linear_* need for these sizes. */
size_t gp_linear_workspace(int B, int C, int OC);

/* inp (B,C), weight (OC,C), bias (OC) or NULL -> out (B,OC) */
void gp_linear_forward(float *out, const float *inp, const float *weight,
                       const float *bias, int B, int C, int OC, float *ws);
/* dout (B,OC) -> dinp (B,C), dweight (OC,C) +=, dbias (OC) += */
void gp_linear_backward(float *dinp, float *dweight, float *dbias,
                        const float *dout, const float *inp,
                        const float *weight, int B, int C, int OC, float *ws);

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

/* Numerically stable logistic function. */
float gp_sigmoidf(float x);

#endif
