#include "layers.h"

#include <math.h>

#include "kernels.h"

size_t gp_linear_workspace(int B, int C, int OC) {
    size_t a = gp_gemm_workspace(B, OC, C);  /* forward */
    size_t b = gp_gemm_workspace(B, C, OC);  /* input gradient */
    size_t c = gp_gemm_workspace(OC, C, B);  /* weight gradient */
    size_t m = a > b ? a : b;
    m = m > c ? m : c;
    return m > (size_t)OC ? m : (size_t)OC; /* bias gradient sums */
}

void gp_linear_forward(float *out, const float *inp, const float *weight,
                       const float *bias, int B, int C, int OC, float *ws) {
    /* out = inp * weight^T + bias: weight^T(c, oc) = weight[oc*C + c] */
    gp_gemm(B, OC, C, inp, C, 1, weight, 1, C, bias, out, OC, 0, ws);
}

void gp_linear_backward(float *dinp, float *dweight, float *dbias,
                        const float *dout, const float *inp,
                        const float *weight, int B, int C, int OC, float *ws) {
    if (dinp) /* dinp (B,C) = dout (B,OC) * weight (OC,C) */
        gp_gemm(B, C, OC, dout, OC, 1, weight, C, 1, NULL, dinp, C, 0, ws);
    if (dweight) /* dweight (OC,C) += dout^T (OC,B) * inp (B,C) */
        gp_gemm(OC, C, B, dout, 1, OC, inp, C, 1, NULL, dweight, C, 1, ws);
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
