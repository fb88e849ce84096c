/* kernels_x86.c: the GEMM's 256-bit tiles for x86-64 CPUs with AVX2 and
 * FMA, chosen at run time (the binary itself is built for plain x86-64, SSE2).
 * The tiles read the panels kernels.c packs (4-row A panels, 8-column B
 * panels) and cover 1, 2 or 3 consecutive A panels at once: 4, 8 or 12 rows
 * of C by 8 columns, one 256-bit accumulator per row, so 12 rows keep twelve
 * fused multiply-add chains in flight from one B load per k.
 * Every element of C is init, then fma(a, b, c) in k order, whatever the tile
 * height: the bits do not depend on how the rows were grouped or on the
 * thread count, but they differ from the 128-bit multiply-then-add tile (see
 * kernels.h on gp_kernels_strict). */
#include "nn/kernels_x86.h"

#if GP_X86_TILES
#include <immintrin.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "nn/microkernel.h" /* GP_TILE_ZERO / GP_TILE_BIAS / GP_TILE_LOAD */

#define TARGET __attribute__((target("avx2,fma")))

/* One tile of R = 4 * P rows (P panels: 1, 2 or 3), written out so that the
 * accumulators stay in registers. */
#define ROW_INIT(r)                                                                         \
    __m256 c##r = init == GP_TILE_LOAD   ? _mm256_loadu_ps(C + (size_t)(r) * ldc)            \
                  : init == GP_TILE_BIAS ? _mm256_loadu_ps(bias)                             \
                                         : _mm256_setzero_ps()
#define ROW_FMA(r, A) c##r = _mm256_fmadd_ps(_mm256_broadcast_ss((A) + ((r) & 3)), b, c##r)
#define ROW_STORE(r) _mm256_storeu_ps(C + (size_t)(r) * ldc, c##r)

static TARGET void tile4(int kc, const float *Ap, const float *Bp, float *C, int ldc, int init, const float *bias) {
    ROW_INIT(0); ROW_INIT(1); ROW_INIT(2); ROW_INIT(3);
    for (int k = 0; k < kc; k++) {
        __m256 b = _mm256_loadu_ps(Bp);
        ROW_FMA(0, Ap); ROW_FMA(1, Ap); ROW_FMA(2, Ap); ROW_FMA(3, Ap);
        Ap += 4;
        Bp += 8;
    }
    ROW_STORE(0); ROW_STORE(1); ROW_STORE(2); ROW_STORE(3);
}

static TARGET void tile8(int kc, const float *Ap, const float *Bp, float *C, int ldc, int init, const float *bias) {
    const float *A1 = Ap + (size_t)kc * 4;
    ROW_INIT(0); ROW_INIT(1); ROW_INIT(2); ROW_INIT(3);
    ROW_INIT(4); ROW_INIT(5); ROW_INIT(6); ROW_INIT(7);
    for (int k = 0; k < kc; k++) {
        __m256 b = _mm256_loadu_ps(Bp);
        ROW_FMA(0, Ap); ROW_FMA(1, Ap); ROW_FMA(2, Ap); ROW_FMA(3, Ap);
        ROW_FMA(4, A1); ROW_FMA(5, A1); ROW_FMA(6, A1); ROW_FMA(7, A1);
        Ap += 4;
        A1 += 4;
        Bp += 8;
    }
    ROW_STORE(0); ROW_STORE(1); ROW_STORE(2); ROW_STORE(3);
    ROW_STORE(4); ROW_STORE(5); ROW_STORE(6); ROW_STORE(7);
}

static TARGET void tile12(int kc, const float *Ap, const float *Bp, float *C, int ldc, int init, const float *bias) {
    const float *A1 = Ap + (size_t)kc * 4, *A2 = Ap + (size_t)kc * 8;
    ROW_INIT(0); ROW_INIT(1); ROW_INIT(2); ROW_INIT(3);
    ROW_INIT(4); ROW_INIT(5); ROW_INIT(6); ROW_INIT(7);
    ROW_INIT(8); ROW_INIT(9); ROW_INIT(10); ROW_INIT(11);
    for (int k = 0; k < kc; k++) {
        __m256 b = _mm256_loadu_ps(Bp);
        ROW_FMA(0, Ap); ROW_FMA(1, Ap); ROW_FMA(2, Ap); ROW_FMA(3, Ap);
        ROW_FMA(4, A1); ROW_FMA(5, A1); ROW_FMA(6, A1); ROW_FMA(7, A1);
        ROW_FMA(8, A2); ROW_FMA(9, A2); ROW_FMA(10, A2); ROW_FMA(11, A2);
        Ap += 4;
        A1 += 4;
        A2 += 4;
        Bp += 8;
    }
    ROW_STORE(0); ROW_STORE(1); ROW_STORE(2); ROW_STORE(3);
    ROW_STORE(4); ROW_STORE(5); ROW_STORE(6); ROW_STORE(7);
    ROW_STORE(8); ROW_STORE(9); ROW_STORE(10); ROW_STORE(11);
}

/* the three accumulators of row r of a 24-column tile: start, and store */
#define INIT3(r)                                                                          \
    if (init == GP_TILE_LOAD) {                                                           \
        c##r##0 = _mm256_loadu_ps(C + (size_t)(r) * ldc);                                 \
        c##r##1 = _mm256_loadu_ps(C + (size_t)(r) * ldc + 8);                             \
        c##r##2 = _mm256_loadu_ps(C + (size_t)(r) * ldc + 16);                            \
    } else if (init == GP_TILE_BIAS) {                                                    \
        c##r##0 = _mm256_loadu_ps(bias);                                                  \
        c##r##1 = _mm256_loadu_ps(bias + 8);                                              \
        c##r##2 = _mm256_loadu_ps(bias + 16);                                             \
    } else {                                                                              \
        c##r##0 = c##r##1 = c##r##2 = _mm256_setzero_ps();                                \
    }
#define STORE3(r)                                                   \
    _mm256_storeu_ps(C + (size_t)(r) * ldc, c##r##0);               \
    _mm256_storeu_ps(C + (size_t)(r) * ldc + 8, c##r##1);           \
    _mm256_storeu_ps(C + (size_t)(r) * ldc + 16, c##r##2);

/* 4 rows x 24 columns: one A panel against three consecutive B panels
 * (each kc x 8, kc * 8 floats apart), twelve accumulators from three B loads
 * and four broadcasts per k */
static TARGET void tile4x24(int kc, const float *Ap, const float *Bp, float *C, int ldc, int init,
                            const float *bias) {
    const float *B1 = Bp + (size_t)kc * 8, *B2 = Bp + (size_t)kc * 16;
    __m256 c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32;
    INIT3(0) INIT3(1) INIT3(2) INIT3(3)
    for (int k = 0; k < kc; k++) {
        __m256 b0 = _mm256_loadu_ps(Bp), b1 = _mm256_loadu_ps(B1), b2 = _mm256_loadu_ps(B2);
#define FMA3(r)                                                 \
    {                                                           \
        __m256 a = _mm256_broadcast_ss(Ap + (r));               \
        c##r##0 = _mm256_fmadd_ps(a, b0, c##r##0);              \
        c##r##1 = _mm256_fmadd_ps(a, b1, c##r##1);              \
        c##r##2 = _mm256_fmadd_ps(a, b2, c##r##2);              \
    }
        FMA3(0) FMA3(1) FMA3(2) FMA3(3)
#undef FMA3
        Ap += 4;
        Bp += 8;
        B1 += 8;
        B2 += 8;
    }
    STORE3(0) STORE3(1) STORE3(2) STORE3(3)
}

/* 8 rows x 24 columns with AVX-512VL's 32 vector registers (still 256-bit
 * operations): two A panels against three B panels, 24 accumulators from
 * three B loads and eight broadcasts per k */
#define TARGET512 __attribute__((target("avx2,fma,avx512f,avx512vl")))
static TARGET512 void tile8x24(int kc, const float *Ap, const float *Bp, float *C, int ldc, int init,
                               const float *bias) {
    const float *A1 = Ap + (size_t)kc * 4, *B1 = Bp + (size_t)kc * 8, *B2 = Bp + (size_t)kc * 16;
    __m256 c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32;
    __m256 c40, c41, c42, c50, c51, c52, c60, c61, c62, c70, c71, c72;
    INIT3(0) INIT3(1) INIT3(2) INIT3(3) INIT3(4) INIT3(5) INIT3(6) INIT3(7)
    for (int k = 0; k < kc; k++) {
        __m256 b0 = _mm256_loadu_ps(Bp), b1 = _mm256_loadu_ps(B1), b2 = _mm256_loadu_ps(B2);
#define FMA3(r, A)                                              \
    {                                                           \
        __m256 a = _mm256_broadcast_ss((A) + ((r) & 3));        \
        c##r##0 = _mm256_fmadd_ps(a, b0, c##r##0);              \
        c##r##1 = _mm256_fmadd_ps(a, b1, c##r##1);              \
        c##r##2 = _mm256_fmadd_ps(a, b2, c##r##2);              \
    }
        FMA3(0, Ap) FMA3(1, Ap) FMA3(2, Ap) FMA3(3, Ap) FMA3(4, A1) FMA3(5, A1) FMA3(6, A1) FMA3(7, A1)
#undef FMA3
        Ap += 4;
        A1 += 4;
        Bp += 8;
        B1 += 8;
        B2 += 8;
    }
    STORE3(0) STORE3(1) STORE3(2) STORE3(3) STORE3(4) STORE3(5) STORE3(6) STORE3(7)
}

void gp_x86_tile8x24_fma(int kc, const float *Ap, const float *Bp, float *C, int ldc, int init, const float *bias) {
    tile8x24(kc, Ap, Bp, C, ldc, init, bias);
}

void gp_x86_tile4x24_fma(int kc, const float *Ap, const float *Bp, float *C, int ldc, int init, const float *bias) {
    tile4x24(kc, Ap, Bp, C, ldc, init, bias);
}

void gp_x86_tile_fma(int rows, int kc, const float *Ap, const float *Bp, float *C, int ldc, int init,
                     const float *bias) {
    if (rows == 12) tile12(kc, Ap, Bp, C, ldc, init, bias);
    else if (rows == 8) tile8(kc, Ap, Bp, C, ldc, init, bias);
    else tile4(kc, Ap, Bp, C, ldc, init, bias);
}

static int cpu_level(void) {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return 0;
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") ? 2 : 1;
}

/* -1 not yet decided; else the level in use: 0 strict, 1 AVX2+FMA, 2 with
 * AVX-512VL's registers. Decided once from the CPU and GP_KERNELS. */
static atomic_int level_state = -1;

int gp_x86_level(void) {
    int s = atomic_load_explicit(&level_state, memory_order_relaxed);
    if (s < 0) {
        int want = gp_x86_level_named(getenv("GP_KERNELS"));
        s = cpu_level();
        if (want >= 0 && want < s) s = want;
        int expected = -1;
        atomic_compare_exchange_strong(&level_state, &expected, s);
        s = atomic_load(&level_state);
    }
    return s;
}

int gp_x86_level_named(const char *name) {
    if (!name || !*name || !strcmp(name, "best")) return 2;
    if (!strcmp(name, "strict")) return 0;
    if (!strcmp(name, "avx2-fma")) return 1;
    if (!strcmp(name, "avx512vl-fma")) return 2;
    return -1;
}

int gp_x86_set_level(int level) {
    if (level < 0 || level > cpu_level()) return 0;
    atomic_store(&level_state, level);
    return 1;
}

#else
typedef int gp_kernels_x86_unused; /* not an x86-64 build: nothing here */
#endif
