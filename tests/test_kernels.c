/* test_kernels: gp_gemm (SIMD) and gp_gemm_portable against a naive
 * double-precision product, and every elementwise kernel SIMD against
 * portable.
 *
 * Tolerances:
 *  - GEMM vs the double reference: |C - ref| <= 1e-5 * mag + 1e-30 per
 *    element, where mag = |init| + sum_k |A(i,k) B(k,j)| (init is the bias or
 *    the previous C). Float summation of K terms stays far below this for the
 *    K used here (K <= 777).
 *  - gp_gemm_strict vs gp_gemm_portable: bit-identical. Both micro-kernels
 *    do the same IEEE multiply-then-add in the same k order (no FMA,
 *    -ffp-contract=off), which is what lets native and wasm agree. gp_gemm
 *    is the same bits too when gp_kernels_strict(); where it fuses (the x86
 *    FMA tiles) it is held to the double reference only, and every case
 *    runs once per tile this CPU has (strict, avx2-fma, avx512vl-fma).
 *  - Elementwise SIMD vs portable: bit-identical, for the same reason (the
 *    SIMD loops use the same operations in the same order and hand the tail
 *    to the portable loop). The portable loops are also checked against a
 *    double-precision reference at 1e-6 relative to the magnitude.
 *  - Nothing is written outside the output (guard values after each output
 *    and in the ldc padding), the GEMM workspace is pure scratch (filled with
 *    NaN first), and accumulate=0 never reads C (C filled with NaN first).
 *  - The plane kernels (gp_sum, gp_scale_shift, ...) likewise, SIMD against
 *    portable bit for bit on sizes 0..19, 49, 196, 197.
 * GP_TEST_QUICK skips part of the shape cross product. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nn/kernels.h"
#include "base/rng.h"

#define GUARD 5
static const float SENTINEL = -12345.678f;

static gp_rng rng;

static float urand(float lo, float hi) { return lo + (hi - lo) * gp_rng_uniform(&rng); }

static float *alloc_floats(size_t n) {
    float *p = malloc((n ? n : 1) * sizeof(float));
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

static void fill_rand(float *p, size_t n, float lo, float hi) {
    for (size_t i = 0; i < n; i++) p[i] = urand(lo, hi);
}

static int same_bits(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Counts elements whose bits differ; reports the first. */
static int count_bit_diffs(const char *what, const float *a, const float *b, size_t n) {
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        if (!same_bits(a[i], b[i])) {
            if (!bad)
                fprintf(stderr, "%s: element %zu differs: %.9g vs %.9g\n", what, i, a[i], b[i]);
            bad++;
        }
    }
    return bad;
}

/* ---- GEMM ----------------------------------------------------------- */

static int gemm_cases = 0;

/* A is M x K, stored row-major (lda >= K) or transposed (K x M, lda >= M);
 * B is K x N, stored row-major (ldb >= N) or transposed (N x K, ldb >= K). */
static void gemm_case(int M, int N, int K, int a_trans, int b_trans, int lda_pad, int ldb_pad,
                      int use_bias, int accumulate, int ldc_pad) {
    int lda = (a_trans ? M : K) + lda_pad;
    int ldb = (b_trans ? K : N) + ldb_pad;
    size_t a_size = (size_t)(a_trans ? K : M) * lda;
    size_t b_size = (size_t)(b_trans ? N : K) * ldb;
    int a_rs = a_trans ? 1 : lda, a_cs = a_trans ? lda : 1;
    int b_rs = b_trans ? 1 : ldb, b_cs = b_trans ? ldb : 1;
    int ldc = N + ldc_pad;
    size_t c_size = (size_t)M * ldc + GUARD;

    float *A = alloc_floats(a_size), *B = alloc_floats(b_size);
    float *bias = use_bias ? alloc_floats((size_t)N) : NULL;
    float *C0 = alloc_floats(c_size), *C1 = alloc_floats(c_size), *C2 = alloc_floats(c_size);
    float *C3 = alloc_floats(c_size);
    size_t ws_n = gp_gemm_workspace(M, N, K);
    float *ws = alloc_floats(ws_n);
    fill_rand(A, a_size, -1.0f, 1.0f);
    fill_rand(B, b_size, -1.0f, 1.0f);
    if (bias) fill_rand(bias, (size_t)N, -2.0f, 2.0f);

    /* initial C: random values where the product goes when accumulating,
     * NaN there otherwise (must not be read); sentinels in the padding */
    for (size_t i = 0; i < c_size; i++) C0[i] = SENTINEL;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) C0[(size_t)i * ldc + j] = accumulate ? urand(-3.0f, 3.0f) : NAN;

    memcpy(C1, C0, c_size * sizeof(float));
    memcpy(C2, C0, c_size * sizeof(float));
    memcpy(C3, C0, c_size * sizeof(float));
    for (size_t i = 0; i < ws_n; i++) ws[i] = NAN;
    gp_gemm(M, N, K, A, a_rs, a_cs, B, b_rs, b_cs, bias, C1, ldc, accumulate, ws, NULL);
    for (size_t i = 0; i < ws_n; i++) ws[i] = NAN;
    gp_gemm_portable(M, N, K, A, a_rs, a_cs, B, b_rs, b_cs, bias, C2, ldc, accumulate, ws, NULL);
    for (size_t i = 0; i < ws_n; i++) ws[i] = NAN;
    gp_gemm_strict(M, N, K, A, a_rs, a_cs, B, b_rs, b_cs, bias, C3, ldc, accumulate, ws, NULL);

    int bad_ref = 0, bad_pad = 0;
    for (int i = 0; i < M; i++) {
        for (int j = 0; j < N; j++) {
            double init = accumulate ? C0[(size_t)i * ldc + j] : bias ? bias[j] : 0.0;
            double ref = init, mag = fabs(init);
            for (int k = 0; k < K; k++) {
                double t = (double)A[(size_t)i * a_rs + (size_t)k * a_cs] *
                           (double)B[(size_t)k * b_rs + (size_t)j * b_cs];
                ref += t;
                mag += fabs(t);
            }
            double tol = 1e-5 * mag + 1e-30;
            float got[3] = {C1[(size_t)i * ldc + j], C2[(size_t)i * ldc + j], C3[(size_t)i * ldc + j]};
            for (int w = 0; w < 3; w++) {
                if (!(fabs(got[w] - ref) <= tol)) {
                    if (!bad_ref)
                        fprintf(stderr,
                                "gemm %s M=%d N=%d K=%d at=%d bt=%d bias=%d acc=%d ldc=%d: "
                                "C(%d,%d) = %.9g, expected %.9g\n",
                                w == 2 ? "strict" : w ? "portable" : gp_kernels_name(), M, N, K, a_trans, b_trans, use_bias,
                                accumulate, ldc, i, j, got[w], ref);
                    bad_ref++;
                }
            }
        }
    }
    /* padding columns and the guard after C are untouched */
    for (size_t i = 0; i < c_size; i++) {
        size_t r = i / (size_t)ldc, c = i % (size_t)ldc;
        if (r < (size_t)M && c < (size_t)N) continue;
        if (!same_bits(C1[i], SENTINEL) || !same_bits(C2[i], SENTINEL) || !same_bits(C3[i], SENTINEL)) bad_pad++;
    }
    if (bad_pad)
        fprintf(stderr, "gemm M=%d N=%d K=%d ldc=%d: %d values outside C written\n", M, N, K, ldc,
                bad_pad);
    CHECK(bad_ref == 0);
    CHECK(bad_pad == 0);
    CHECK(count_bit_diffs("gemm strict vs portable", C3, C2, c_size) == 0);
    if (gp_kernels_strict()) CHECK(count_bit_diffs("gemm simd vs portable", C1, C2, c_size) == 0);
    gemm_cases++;

    free(A);
    free(B);
    free(bias);
    free(C0);
    free(C1);
    free(C2);
    free(C3);
    free(ws);
}

static void test_gemm_shapes(int quick) {
    static const int dims[] = {1, 3, 5, 7, 13, 17, 31, 33, 65};
    const int nd = (int)(sizeof dims / sizeof dims[0]);
    int variant = 0;
    for (int mi = 0; mi < nd; mi++)
        for (int ni = 0; ni < nd; ni++)
            for (int ki = 0; ki < nd; ki++) {
                if (quick && (mi + ni + ki) % 3 != 0) continue;
                int M = dims[mi], N = dims[ni], K = dims[ki];
                /* every transpose and init mode for each shape; the padding
                 * of lda/ldb/ldc rotates with a counter */
                for (int t = 0; t < 4; t++) {
                    for (int mode = 0; mode < 3; mode++) {
                        int pad = variant++ % 3;
                        gemm_case(M, N, K, t & 1, t >> 1, pad == 1 ? 2 : 0, pad == 2 ? 3 : 0,
                                  mode == 1, mode == 2, pad);
                    }
                }
            }
}

/* K above GP_GEMM_KC (256) and not a multiple of it: several K blocks, the
 * later ones loading C. */
static void test_gemm_long_k(int quick) {
    static const int ks[] = {255, 256, 257, 300, 512, 777};
    static const int mn[][2] = {{1, 1}, {5, 13}, {4, 8}, {33, 17}, {65, 31}, {7, 65}};
    for (size_t a = 0; a < sizeof ks / sizeof ks[0]; a++)
        for (size_t b = 0; b < sizeof mn / sizeof mn[0]; b++)
            for (int t = 0; t < 4; t++)
                for (int mode = 0; mode < 3; mode++) {
                    if (quick && (t + mode) % 2) continue;
                    gemm_case(mn[b][0], mn[b][1], ks[a], t & 1, t >> 1, 0, t == 3 ? 1 : 0,
                              mode == 1, mode == 2, (int)(b % 2) * 5);
                }
}

/* K = 0: C = bias, C = 0, or C unchanged; M or N = 0: nothing at all. */
static void test_gemm_empty(void) {
    float A[4] = {1, 2, 3, 4}, B[4] = {5, 6, 7, 8};
    float bias[3] = {0.5f, -1.5f, 2.25f};
    for (int simd = 0; simd < 2; simd++) {
        void (*gemm)(int, int, int, const float *, int, int, const float *, int, int,
                     const float *, float *, int, int, float *, gp_threads *) = simd ? gp_gemm : gp_gemm_portable;
        size_t ws_n = gp_gemm_workspace(2, 3, 0);
        float *ws = alloc_floats(ws_n);
        float C[2 * 5];
        for (int i = 0; i < 10; i++) C[i] = SENTINEL;
        gemm(2, 3, 0, A, 0, 1, B, 3, 1, bias, C, 5, 0, ws, NULL);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 5; j++)
                CHECK(same_bits(C[i * 5 + j], j < 3 ? bias[j] : SENTINEL));
        for (int i = 0; i < 10; i++) C[i] = NAN;
        gemm(2, 3, 0, A, 0, 1, B, 3, 1, NULL, C, 3, 0, ws, NULL);
        for (int i = 0; i < 6; i++) CHECK(same_bits(C[i], 0.0f));
        for (int i = 6; i < 10; i++) CHECK(isnan(C[i]));
        for (int i = 0; i < 10; i++) C[i] = (float)i;
        gemm(2, 3, 0, A, 0, 1, B, 3, 1, NULL, C, 5, 1, ws, NULL);
        for (int i = 0; i < 10; i++) CHECK(same_bits(C[i], (float)i));
        /* M = 0 and N = 0 */
        gemm(0, 3, 2, A, 2, 1, B, 3, 1, bias, C, 3, 0, ws, NULL);
        gemm(2, 0, 2, A, 2, 1, B, 3, 1, bias, C, 3, 0, ws, NULL);
        for (int i = 0; i < 10; i++) CHECK(same_bits(C[i], (float)i));
        free(ws);
    }
}

/* A hand-computed product, so the reference itself is checked. */
static void test_gemm_known(void) {
    /* A (2x3) = [1 2 3; 4 5 6], B (3x2) = [7 8; 9 10; 11 12] */
    const float A[6] = {1, 2, 3, 4, 5, 6}, B[6] = {7, 8, 9, 10, 11, 12};
    const float bias[2] = {0.5f, -1.0f};
    float C[4];
    float *ws = alloc_floats(gp_gemm_workspace(2, 2, 3));
    gp_gemm(2, 2, 3, A, 3, 1, B, 2, 1, bias, C, 2, 0, ws, NULL);
    CHECK(C[0] == 58.5f && C[1] == 63.0f && C[2] == 139.5f && C[3] == 153.0f);
    gp_gemm(2, 2, 3, A, 3, 1, B, 2, 1, NULL, C, 2, 1, ws, NULL); /* C += A B */
    CHECK(C[0] == 116.5f && C[1] == 127.0f && C[2] == 278.5f && C[3] == 307.0f);
    /* A^T B^T with A stored as (3x2) and B as (2x3): (A^T)(i,k) = A[k*2+i] */
    gp_gemm_portable(2, 2, 3, A, 1, 2, B, 1, 3, NULL, C, 2, 0, ws, NULL);
    /* A^T = [1 3 5; 2 4 6], B^T = [7 10; 8 11; 9 12] */
    CHECK(C[0] == 76.0f && C[1] == 103.0f && C[2] == 100.0f && C[3] == 136.0f);
    free(ws);
}

/* ---- elementwise ------------------------------------------------------ */

/* out buffers carry GUARD sentinel values after n */
static float *alloc_out(size_t n) {
    float *p = alloc_floats(n + GUARD);
    for (size_t i = 0; i < n + GUARD; i++) p[i] = NAN;
    for (size_t i = n; i < n + GUARD; i++) p[i] = SENTINEL;
    return p;
}

static int guard_ok(const float *p, size_t n) {
    for (size_t i = n; i < n + GUARD; i++)
        if (!same_bits(p[i], SENTINEL)) return 0;
    return 1;
}

/* n random values in [lo, hi); with_zeros puts +0 in the middle and -0 at
 * the end (inside the SIMD part and in the portable tail) */
static float *rand_vec(size_t n, float lo, float hi, int with_zeros) {
    float *p = alloc_floats(n);
    fill_rand(p, n, lo, hi);
    if (with_zeros && n > 2) p[n / 2] = 0.0f;
    if (with_zeros && n > 1) p[n - 1] = -0.0f;
    return p;
}

static void check_ref(const char *what, const float *got, const double *ref, const double *mag,
                      size_t n) {
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(fabs(got[i] - ref[i]) <= 1e-6 * mag[i] + 1e-30)) {
            if (!bad) fprintf(stderr, "%s[%zu] = %.9g, expected %.9g\n", what, i, got[i], ref[i]);
            bad++;
        }
    }
    CHECK(bad == 0);
}

static void test_vector_kernels(void) {
    static const float slopes[] = {0.2f, 0.0f, 0.01f};
    for (size_t n = 0; n <= 19; n++) {
        float *x = rand_vec(n, -2.0f, 2.0f, 1), *dy = rand_vec(n, -3.0f, 3.0f, 0);
        float *y01 = rand_vec(n, 0.0f, 1.0f, 1), *ypm = rand_vec(n, -1.0f, 1.0f, 1);
        float *a = alloc_out(n), *b = alloc_out(n);
        double *ref = malloc((n + 1) * sizeof(double)), *mag = malloc((n + 1) * sizeof(double));

        for (size_t s = 0; s < sizeof slopes / sizeof slopes[0]; s++) {
            float slope = slopes[s];
            gp_leaky_relu(a, x, n, slope);
            gp_leaky_relu_portable(b, x, n, slope);
            CHECK(count_bit_diffs("leaky_relu", a, b, n) == 0);
            CHECK(guard_ok(a, n) && guard_ok(b, n));
            for (size_t i = 0; i < n; i++) {
                ref[i] = x[i] > 0 ? x[i] : (double)slope * x[i];
                mag[i] = fabs(x[i]);
            }
            check_ref("leaky_relu", b, ref, mag, n);
            /* in place */
            memcpy(a, x, n * sizeof(float));
            gp_leaky_relu(a, a, n, slope);
            CHECK(count_bit_diffs("leaky_relu in place", a, b, n) == 0);

            gp_leaky_relu_backward(a, dy, x, n, slope);
            gp_leaky_relu_backward_portable(b, dy, x, n, slope);
            CHECK(count_bit_diffs("leaky_relu_backward", a, b, n) == 0);
            CHECK(guard_ok(a, n) && guard_ok(b, n));
            for (size_t i = 0; i < n; i++) {
                ref[i] = x[i] > 0 ? dy[i] : (double)slope * dy[i]; /* x == 0 takes the slope */
                mag[i] = fabs(dy[i]);
            }
            check_ref("leaky_relu_backward", b, ref, mag, n);
        }

        gp_tanh_backward(a, dy, ypm, n);
        gp_tanh_backward_portable(b, dy, ypm, n);
        CHECK(count_bit_diffs("tanh_backward", a, b, n) == 0);
        CHECK(guard_ok(a, n) && guard_ok(b, n));
        for (size_t i = 0; i < n; i++) {
            ref[i] = dy[i] * (1.0 - (double)ypm[i] * ypm[i]);
            mag[i] = fabs(dy[i]);
        }
        check_ref("tanh_backward", b, ref, mag, n);

        gp_sigmoid_backward(a, dy, y01, n);
        gp_sigmoid_backward_portable(b, dy, y01, n);
        CHECK(count_bit_diffs("sigmoid_backward", a, b, n) == 0);
        CHECK(guard_ok(a, n) && guard_ok(b, n));
        for (size_t i = 0; i < n; i++) {
            ref[i] = dy[i] * (double)y01[i] * (1.0 - y01[i]);
            mag[i] = fabs(dy[i]);
        }
        check_ref("sigmoid_backward", b, ref, mag, n);

        free(x);
        free(dy);
        free(y01);
        free(ypm);
        free(a);
        free(b);
        free(ref);
        free(mag);
    }
}

static void test_column_kernels(void) {
    static const int row_counts[] = {1, 2, 3, 5, 8, 17};
    for (size_t ri = 0; ri < sizeof row_counts / sizeof row_counts[0]; ri++) {
        int rows = row_counts[ri];
        for (int cols = 1; cols <= 19; cols++) {
            size_t n = (size_t)rows * cols;
            float *x = rand_vec(n, -2.0f, 3.0f, 1), *dy = rand_vec(n, -1.0f, 1.0f, 0);
            float *mean = rand_vec((size_t)cols, -0.5f, 0.5f, 0);
            float *sa = rand_vec((size_t)cols, -2.0f, 2.0f, 0), *sb = rand_vec((size_t)cols, -2.0f, 2.0f, 0);
            float *shift = rand_vec((size_t)cols, -1.0f, 1.0f, 0);
            float *va = alloc_out((size_t)cols), *vb = alloc_out((size_t)cols);
            float *ma = alloc_out(n), *mb = alloc_out(n);
            double *ref = malloc(n * sizeof(double)), *mag = malloc(n * sizeof(double));

            gp_col_sum(va, x, rows, cols);
            gp_col_sum_portable(vb, x, rows, cols);
            CHECK(count_bit_diffs("col_sum", va, vb, (size_t)cols) == 0);
            CHECK(guard_ok(va, (size_t)cols) && guard_ok(vb, (size_t)cols));
            for (int c = 0; c < cols; c++) {
                ref[c] = mag[c] = 0;
                for (int r = 0; r < rows; r++) {
                    ref[c] += x[(size_t)r * cols + c];
                    mag[c] += fabs(x[(size_t)r * cols + c]);
                }
            }
            check_ref("col_sum", vb, ref, mag, (size_t)cols);

            gp_col_sqdev(va, x, mean, rows, cols);
            gp_col_sqdev_portable(vb, x, mean, rows, cols);
            CHECK(count_bit_diffs("col_sqdev", va, vb, (size_t)cols) == 0);
            CHECK(guard_ok(va, (size_t)cols) && guard_ok(vb, (size_t)cols));
            for (int c = 0; c < cols; c++) {
                ref[c] = 0;
                for (int r = 0; r < rows; r++) {
                    double d = (double)x[(size_t)r * cols + c] - mean[c];
                    ref[c] += d * d;
                }
                mag[c] = ref[c];
            }
            check_ref("col_sqdev", vb, ref, mag, (size_t)cols);

            gp_col_dot_dev(va, dy, x, mean, rows, cols);
            gp_col_dot_dev_portable(vb, dy, x, mean, rows, cols);
            CHECK(count_bit_diffs("col_dot_dev", va, vb, (size_t)cols) == 0);
            CHECK(guard_ok(va, (size_t)cols) && guard_ok(vb, (size_t)cols));
            for (int c = 0; c < cols; c++) {
                ref[c] = mag[c] = 0;
                for (int r = 0; r < rows; r++) {
                    size_t i = (size_t)r * cols + c;
                    double t = (double)dy[i] * ((double)x[i] - mean[c]);
                    ref[c] += t;
                    mag[c] += fabs((double)dy[i]) * (fabs((double)x[i]) + fabs((double)mean[c]));
                }
            }
            check_ref("col_dot_dev", vb, ref, mag, (size_t)cols);

            gp_col_affine(ma, x, sa, shift, rows, cols);
            gp_col_affine_portable(mb, x, sa, shift, rows, cols);
            CHECK(count_bit_diffs("col_affine", ma, mb, n) == 0);
            CHECK(guard_ok(ma, n) && guard_ok(mb, n));
            for (size_t i = 0; i < n; i++) {
                int c = (int)(i % (size_t)cols);
                ref[i] = (double)x[i] * sa[c] + shift[c];
                mag[i] = fabs((double)x[i] * sa[c]) + fabs((double)shift[c]);
            }
            check_ref("col_affine", mb, ref, mag, n);
            /* in place */
            memcpy(ma, x, n * sizeof(float));
            gp_col_affine(ma, ma, sa, shift, rows, cols);
            CHECK(count_bit_diffs("col_affine in place", ma, mb, n) == 0);

            gp_col_affine2(ma, dy, sa, x, sb, shift, rows, cols);
            gp_col_affine2_portable(mb, dy, sa, x, sb, shift, rows, cols);
            CHECK(count_bit_diffs("col_affine2", ma, mb, n) == 0);
            CHECK(guard_ok(ma, n) && guard_ok(mb, n));
            for (size_t i = 0; i < n; i++) {
                int c = (int)(i % (size_t)cols);
                ref[i] = (double)dy[i] * sa[c] + (double)x[i] * sb[c] + shift[c];
                mag[i] = fabs((double)dy[i] * sa[c]) + fabs((double)x[i] * sb[c]) + fabs((double)shift[c]);
            }
            check_ref("col_affine2", mb, ref, mag, n);

            free(x);
            free(dy);
            free(mean);
            free(sa);
            free(sb);
            free(shift);
            free(va);
            free(vb);
            free(ma);
            free(mb);
            free(ref);
            free(mag);
        }
    }
}

/* Kernels over one contiguous plane (BatchNorm2d, Dropout, conv bias):
 * SIMD against portable bit for bit, and the portable ones against double.
 * Sums may round at every one of their n additions, so they get n * 1.2e-7
 * of the magnitude (the textbook bound for recursive summation). */
static void test_plane_kernels(void) {
    static const size_t sizes[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 16, 17, 19, 49, 196, 197};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        float *x = rand_vec(n, -2.0f, 3.0f, 1), *dy = rand_vec(n, -1.0f, 1.0f, 1);
        float *a = alloc_out(n), *b = alloc_out(n);
        double *ref = malloc((n + 1) * sizeof(double)), *mag = malloc((n + 1) * sizeof(double));
        float mean = urand(-0.5f, 0.5f), sa = urand(-2.0f, 2.0f), sb = urand(-2.0f, 2.0f);
        float shift = urand(-1.0f, 1.0f);
        double sum_tol = (double)(n + 2) * 1.2e-7;

        float s1 = gp_sum(x, n), s2 = gp_sum_portable(x, n);
        CHECK(same_bits(s1, s2));
        double r = 0, m = 0;
        for (size_t i = 0; i < n; i++) {
            r += x[i];
            m += fabs(x[i]);
        }
        CHECK_CLOSE(s2, r, sum_tol * m + 1e-30, 0);

        s1 = gp_sum_sqdev(x, n, mean);
        s2 = gp_sum_sqdev_portable(x, n, mean);
        CHECK(same_bits(s1, s2));
        r = 0;
        for (size_t i = 0; i < n; i++) r += ((double)x[i] - mean) * ((double)x[i] - mean);
        CHECK_CLOSE(s2, r, sum_tol * r + 1e-30, 0);

        float t1, t2, u1, u2;
        gp_sum_dot_dev(&t1, &u1, dy, x, n, mean);
        gp_sum_dot_dev_portable(&t2, &u2, dy, x, n, mean);
        CHECK(same_bits(t1, t2) && same_bits(u1, u2));
        double rt = 0, mt = 0, ru = 0, mu = 0;
        for (size_t i = 0; i < n; i++) {
            rt += dy[i];
            mt += fabs(dy[i]);
            ru += dy[i] * ((double)x[i] - mean);
            mu += fabs(dy[i]) * (fabs(x[i]) + fabs(mean));
        }
        CHECK(same_bits(t2, gp_sum_portable(dy, n)));
        CHECK_CLOSE(t2, rt, sum_tol * mt + 1e-30, 0);
        CHECK_CLOSE(u2, ru, sum_tol * mu + 1e-30, 0);

        gp_scale_shift(a, x, n, sa, shift);
        gp_scale_shift_portable(b, x, n, sa, shift);
        CHECK(count_bit_diffs("scale_shift", a, b, n) == 0);
        CHECK(guard_ok(a, n) && guard_ok(b, n));
        for (size_t i = 0; i < n; i++) {
            ref[i] = (double)x[i] * sa + shift;
            mag[i] = fabs((double)x[i] * sa) + fabs(shift);
        }
        check_ref("scale_shift", b, ref, mag, n);
        memcpy(a, x, n * sizeof(float)); /* in place */
        gp_scale_shift(a, a, n, sa, shift);
        CHECK(count_bit_diffs("scale_shift in place", a, b, n) == 0);

        gp_scale2_shift(a, dy, sa, x, sb, shift, n);
        gp_scale2_shift_portable(b, dy, sa, x, sb, shift, n);
        CHECK(count_bit_diffs("scale2_shift", a, b, n) == 0);
        CHECK(guard_ok(a, n) && guard_ok(b, n));
        for (size_t i = 0; i < n; i++) {
            ref[i] = (double)dy[i] * sa + (double)x[i] * sb + shift;
            mag[i] = fabs((double)dy[i] * sa) + fabs((double)x[i] * sb) + fabs(shift);
        }
        check_ref("scale2_shift", b, ref, mag, n);

        gp_mul(a, x, dy, n);
        gp_mul_portable(b, x, dy, n);
        CHECK(count_bit_diffs("mul", a, b, n) == 0);
        CHECK(guard_ok(a, n) && guard_ok(b, n));
        for (size_t i = 0; i < n; i++) CHECK(same_bits(b[i], x[i] * dy[i]));
        memcpy(a, x, n * sizeof(float));
        gp_mul(a, a, dy, n);
        CHECK(count_bit_diffs("mul in place", a, b, n) == 0);

        free(x);
        free(dy);
        free(a);
        free(b);
        free(ref);
        free(mag);
    }
    /* the documented order: lanes (0+1)+(2+3), then the tail. With these
     * values any other order gives a different float. */
    float v[6] = {1e8f, 3.0f, -1e8f, 5.0f, 1.0f, 1.0f};
    float lanes = (v[0] + v[1]) + (v[2] + v[3]);
    float want = (lanes + v[4]) + v[5];
    CHECK(same_bits(gp_sum_portable(v, 6), want));
    CHECK(same_bits(gp_sum(v, 6), want));
}

static void test_adam_kernel(void) {
    struct {
        float b1, b2, lr, eps;
    } cfg[] = {{0.5f, 0.999f, 2e-4f, 1e-8f}, {0.9f, 0.999f, 1e-2f, 1e-8f}};
    for (size_t ci = 0; ci < sizeof cfg / sizeof cfg[0]; ci++) {
        for (size_t n = 0; n <= 19; n++) {
            float *p0 = rand_vec(n, -1.0f, 1.0f, 0), *g = rand_vec(n, -0.5f, 0.5f, 1);
            float *m0 = rand_vec(n, -0.1f, 0.1f, 0), *v0 = rand_vec(n, 0.0f, 0.05f, 0);
            float *pa = alloc_out(n), *ma = alloc_out(n), *va = alloc_out(n);
            float *pb = alloc_out(n), *mb = alloc_out(n), *vb = alloc_out(n);
            if (n > 3) { /* a zero gradient with zero moments: p must not move */
                g[1] = 0.0f;
                m0[1] = 0.0f;
                v0[1] = 0.0f;
            }
            memcpy(pa, p0, n * sizeof(float));
            memcpy(pb, p0, n * sizeof(float));
            memcpy(ma, m0, n * sizeof(float));
            memcpy(mb, m0, n * sizeof(float));
            memcpy(va, v0, n * sizeof(float));
            memcpy(vb, v0, n * sizeof(float));
            for (int t = 1; t <= 3; t++) {
                double bc1 = 1.0 - pow(cfg[ci].b1, t), bc2 = 1.0 - pow(cfg[ci].b2, t);
                float step = (float)(cfg[ci].lr / bc1), bc2s = (float)sqrt(bc2);
                float *pprev = alloc_floats(n), *mprev = alloc_floats(n), *vprev = alloc_floats(n);
                memcpy(pprev, pb, n * sizeof(float));
                memcpy(mprev, mb, n * sizeof(float));
                memcpy(vprev, vb, n * sizeof(float));
                gp_adam_update(pa, g, ma, va, n, cfg[ci].b1, cfg[ci].b2, step, bc2s, cfg[ci].eps);
                gp_adam_update_portable(pb, g, mb, vb, n, cfg[ci].b1, cfg[ci].b2, step, bc2s,
                                        cfg[ci].eps);
                CHECK(count_bit_diffs("adam p", pa, pb, n) == 0);
                CHECK(count_bit_diffs("adam m", ma, mb, n) == 0);
                CHECK(count_bit_diffs("adam v", va, vb, n) == 0);
                CHECK(guard_ok(pa, n) && guard_ok(ma, n) && guard_ok(va, n));
                /* the portable update against the formula in double */
                for (size_t i = 0; i < n; i++) {
                    double m = cfg[ci].b1 * (double)mprev[i] + (1.0 - cfg[ci].b1) * (double)g[i];
                    double v = cfg[ci].b2 * (double)vprev[i] + (1.0 - cfg[ci].b2) * (double)g[i] * g[i];
                    double upd = step * (m / (sqrt(v) / bc2s + cfg[ci].eps));
                    double p = pprev[i] - upd;
                    /* tolerances scale with the terms, not the sum, which
                     * may cancel */
                    double m_mag = fabs(cfg[ci].b1 * mprev[i]) + fabs((1.0 - cfg[ci].b1) * g[i]);
                    double v_mag = fabs(cfg[ci].b2 * vprev[i]) + (1.0 - cfg[ci].b2) * g[i] * g[i];
                    CHECK_CLOSE(mb[i], m, 1e-6 * m_mag + 1e-30, 0);
                    CHECK_CLOSE(vb[i], v, 1e-6 * v_mag + 1e-30, 0);
                    CHECK_CLOSE(pb[i], p, 1e-7 + 1e-5 * fabs(upd), 1e-7);
                }
                if (n > 3) CHECK(same_bits(pb[1], p0[1]));
                free(pprev);
                free(mprev);
                free(vprev);
            }
            free(p0);
            free(g);
            free(m0);
            free(v0);
            free(pa);
            free(ma);
            free(va);
            free(pb);
            free(mb);
            free(vb);
        }
    }
}

int main(void) {
    int quick = getenv("GP_TEST_QUICK") != NULL;
    gp_rng_seed(&rng, 20240601);
    printf("test_kernels: SIMD %s\n", gp_kernels_simd() ? "on" : "off");
    test_gemm_known();
    test_gemm_empty();
    /* every GEMM tile this build and CPU have, the best last (as it stays) */
    static const char *const tiles[] = {"strict", "avx2-fma", "avx512vl-fma", "best"};
    for (size_t t = 0; t < sizeof tiles / sizeof tiles[0]; t++) {
        if (!gp_kernels_select(tiles[t])) continue;
        int before = gemm_cases;
        test_gemm_shapes(quick);
        test_gemm_long_k(quick);
        printf("test_kernels: %d gemm cases with the %s tile\n", gemm_cases - before, gp_kernels_name());
    }
    CHECK(!gp_kernels_select("no-such-tile"));
    test_vector_kernels();
    test_column_kernels();
    test_plane_kernels();
    test_adam_kernel();
    return check_report("kernels");
}
