/* kernels.h: matrix products and elementwise loops.
 * Every kernel has a portable C version (suffix _portable) that serves as the
 * reference; the unsuffixed name uses the 128-bit SIMD path when the build has
 * one (wasm -msimd128 or native SSE2) and the portable one otherwise.
 * Nothing outside the kernel files (kernels.c, and kernels_relaxed.c, the
 * separately built relaxed-SIMD micro-kernel) sees an intrinsic. */
#ifndef GP_KERNELS_H
#define GP_KERNELS_H

#include <stddef.h>

#include "base/threads.h"

/* Register tile of the GEMM micro-kernel: MR rows x NR columns. */
#define GP_GEMM_MR 4
#define GP_GEMM_NR 8

/* 1 if gp_gemm and the vector loops use SIMD in this build. */
int gp_kernels_simd(void);
/* The GEMM's tile as this build and CPU run it: "avx512vl-fma" or
 * "avx2-fma" (native x86-64 with AVX2 and FMA, chosen at run time; the first
 * uses AVX-512VL's 32 registers for a larger tile, still 256-bit), "sse2",
 * "simd128", "simd128-relaxed" or "portable". */
const char *gp_kernels_name(void);
/* 1 when gp_gemm multiplies then adds, as gp_gemm_portable does, so the two
 * give the same bits (and native and wasm builds round alike); 0 when it
 * fuses multiply-adds (the x86 FMA tiles, the relaxed-SIMD builds): results
 * then agree within rounding, and are the same bits on any thread count. */
int gp_kernels_strict(void);
/* Chooses the tile, process-wide, before the work starts: "best",
 * "strict", or one of the x86 names above. Natively GP_KERNELS in the
 * environment does the same at the first GEMM. 0 when this CPU or build
 * cannot (the choice is then unchanged). */
int gp_kernels_select(const char *name);

/* Floats of workspace gp_gemm needs for an M x N x K product. */
size_t gp_gemm_workspace(int M, int N, int K);

/* C[M,N] = bias[N] (row-broadcast, or 0 if bias is NULL) + A[M,K] * B[K,N],
 * or C += A * B when accumulate is nonzero (bias must then be NULL).
 * A(i,k) = A[i*a_rs + k*a_cs] and B(k,j) = B[k*b_rs + j*b_cs], so any
 * transposition is a choice of strides. C is row-major with leading dim ldc.
 * ws holds gp_gemm_workspace(M,N,K) floats; it is scratch. th: the pool to
 * spread the tiles over, or NULL; the result is the same bits either way. */
void gp_gemm(int M, int N, int K, const float *A, int a_rs, int a_cs,
             const float *B, int b_rs, int b_cs, const float *bias, float *C,
             int ldc, int accumulate, float *ws, gp_threads *th);
void gp_gemm_portable(int M, int N, int K, const float *A, int a_rs, int a_cs,
                      const float *B, int b_rs, int b_cs, const float *bias,
                      float *C, int ldc, int accumulate, float *ws, gp_threads *th);
/* gp_gemm with the build's multiply-then-add tile (128-bit SIMD where the
 * build has it): always the same bits as gp_gemm_portable */
void gp_gemm_strict(int M, int N, int K, const float *A, int a_rs, int a_cs,
                    const float *B, int b_rs, int b_cs, const float *bias,
                    float *C, int ldc, int accumulate, float *ws, gp_threads *th);

/* Packing an operand once, for weights reused by many products: the panels
 * gp_gemm would build, for all of K. gp_gemm_prepacked takes either operand
 * packed (the other pointer is then unused) or NULL to pack it as gp_gemm
 * does, and gives the same bits as gp_gemm. */
size_t gp_gemm_pack_a_size(int M, int K);
size_t gp_gemm_pack_b_size(int N, int K);
void gp_gemm_pack_a(float *Apacked, int M, int K, const float *A, int a_rs, int a_cs);
void gp_gemm_pack_b(float *Bpacked, int N, int K, const float *B, int b_rs, int b_cs);
void gp_gemm_prepacked(int M, int N, int K, const float *Apacked, const float *A, int a_rs, int a_cs,
                       const float *Bpacked, const float *B, int b_rs, int b_cs, const float *bias, float *C,
                       int ldc, int accumulate, float *ws, gp_threads *th);

/* gp_gemm with B made panel by panel by a function instead of read from
 * memory (a convolution's lowered input, say, never written out whole):
 * bfn(bctx, dst, j0, k0, kc) writes dst[k * GP_GEMM_NR + c] = B(k0 + k,
 * j0 + c) for k < kc and c < GP_GEMM_NR, 0 for columns past N. It is called
 * from the pool's threads, each panel once per K block. A as in
 * gp_gemm_prepacked (Apacked or NULL). The same bits as gp_gemm on the B
 * bfn describes. */
typedef void (*gp_gemm_b_panel_fn)(const void *bctx, float *dst, int j0, int k0, int kc);
void gp_gemm_bfn(int M, int N, int K, const float *Apacked, const float *A, int a_rs, int a_cs,
                 gp_gemm_b_panel_fn bfn, const void *bctx, const float *bias, float *C, int ldc, int accumulate,
                 float *ws, gp_threads *th);

/* y = x > 0 ? x : slope*x (slope 0 gives ReLU). In place allowed. */
void gp_leaky_relu(float *y, const float *x, size_t n, float slope);
void gp_leaky_relu_portable(float *y, const float *x, size_t n, float slope);
/* dx = dy * (x > 0 ? 1 : slope) */
void gp_leaky_relu_backward(float *dx, const float *dy, const float *x,
                            size_t n, float slope);
void gp_leaky_relu_backward_portable(float *dx, const float *dy,
                                     const float *x, size_t n, float slope);
/* dx = dy * (1 - y*y), y = tanh(x) */
void gp_tanh_backward(float *dx, const float *dy, const float *y, size_t n);
void gp_tanh_backward_portable(float *dx, const float *dy, const float *y,
                               size_t n);
/* dx = dy * y * (1 - y), y = sigmoid(x) */
void gp_sigmoid_backward(float *dx, const float *dy, const float *y, size_t n);
void gp_sigmoid_backward_portable(float *dx, const float *dy, const float *y,
                                  size_t n);

/* Per-column sums of x (rows, cols): sum[c] = sum_r x[r,c],
 * sumsq[c] = sum_r (x[r,c] - mean[c])^2 when mean is given (else not written). */
void gp_col_sum(float *sum, const float *x, int rows, int cols);
void gp_col_sum_portable(float *sum, const float *x, int rows, int cols);
void gp_col_sqdev(float *sumsq, const float *x, const float *mean, int rows,
                  int cols);
void gp_col_sqdev_portable(float *sumsq, const float *x, const float *mean,
                           int rows, int cols);
/* y[r,c] = x[r,c] * scale[c] + shift[c] */
void gp_col_affine(float *y, const float *x, const float *scale,
                   const float *shift, int rows, int cols);
void gp_col_affine_portable(float *y, const float *x, const float *scale,
                            const float *shift, int rows, int cols);

/* sum[c] = sum_r dy[r,c] * (x[r,c] - mean[c]) */
void gp_col_dot_dev(float *sum, const float *dy, const float *x,
                    const float *mean, int rows, int cols);
void gp_col_dot_dev_portable(float *sum, const float *dy, const float *x,
                             const float *mean, int rows, int cols);
/* y[r,c] = a[r,c] * sa[c] + b[r,c] * sb[c] + shift[c] */
void gp_col_affine2(float *y, const float *a, const float *sa, const float *b,
                    const float *sb, const float *shift, int rows, int cols);
void gp_col_affine2_portable(float *y, const float *a, const float *sa,
                             const float *b, const float *sb,
                             const float *shift, int rows, int cols);

/* One Adam update over n parameters, PyTorch semantics:
 * m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g*g;
 * p -= step_size * m / (sqrt(v) / bc2_sqrt + eps)
 * with step_size = lr / (1 - b1^t) and bc2_sqrt = sqrt(1 - b2^t). */
void gp_adam_update(float *p, const float *g, float *m, float *v, size_t n,
                    float b1, float b2, float step_size, float bc2_sqrt,
                    float eps);
void gp_adam_update_portable(float *p, const float *g, float *m, float *v,
                             size_t n, float b1, float b2, float step_size,
                             float bc2_sqrt, float eps);

/* Reductions and affine maps over one contiguous run of n floats, for
 * per-channel statistics of NCHW tensors (one run = one H*W plane).
 * The sums keep 4 interleaved partial sums (element i goes to i % 4 of the
 * whole-vector part), combine them as (s0 + s1) + (s2 + s3) and then add the
 * tail in order; the SIMD path does exactly that, so both give the same bits. */
float gp_sum(const float *x, size_t n);
float gp_sum_portable(const float *x, size_t n);
/* sum of (x - mean)^2 */
float gp_sum_sqdev(const float *x, size_t n, float mean);
float gp_sum_sqdev_portable(const float *x, size_t n, float mean);
/* *sum_dy = sum dy, *sum_dev = sum dy * (x - mean), in one pass */
void gp_sum_dot_dev(float *sum_dy, float *sum_dev, const float *dy,
                    const float *x, size_t n, float mean);
void gp_sum_dot_dev_portable(float *sum_dy, float *sum_dev, const float *dy,
                             const float *x, size_t n, float mean);
/* y = x * scale + shift (scalars); in place allowed */
void gp_scale_shift(float *y, const float *x, size_t n, float scale,
                    float shift);
void gp_scale_shift_portable(float *y, const float *x, size_t n, float scale,
                             float shift);
/* y = a * sa + b * sb + shift (scalars) */
void gp_scale2_shift(float *y, const float *a, float sa, const float *b,
                     float sb, float shift, size_t n);
void gp_scale2_shift_portable(float *y, const float *a, float sa,
                              const float *b, float sb, float shift, size_t n);
/* y = a * b elementwise; in place allowed */
void gp_mul(float *y, const float *a, const float *b, size_t n);
void gp_mul_portable(float *y, const float *a, const float *b, size_t n);

#endif
