/* kernels.c: GEMM and elementwise loops, portable and 128-bit SIMD.
 *
 * GEMM follows the packed, register-blocked scheme of BLIS/XNNPACK: for each
 * block of GP_GEMM_KC along K, A is packed into panels of MR rows (k-major,
 * MR values per k) and B into panels of NR columns (NR values per k), with
 * zero padding at the edges. A micro-kernel then computes one MR x NR tile of
 * C from one A panel and one B panel. The B panel (KC*NR floats = 8 KiB) stays
 * in L1 while the A panels stream from L2. Packing also absorbs transposition:
 * callers describe A and B by row and column strides. */
#include "nn/kernels.h"
#include "nn/kernels_x86.h"
#include "nn/simd.h"

#include <math.h>
#include <string.h>

#define MR GP_GEMM_MR
#define NR GP_GEMM_NR
#define GP_GEMM_KC 256

int gp_kernels_simd(void) { return GP_SIMD; }
int gp_kernels_relaxed(void) { return GP_RELAXED; }

/* 0 when gp_gemm runs the build's own tile, else the level of the x86-64
 * FMA tiles (kernels_x86.h) */
static int fma_tiles(void) {
#if GP_X86_TILES
    return gp_x86_level();
#else
    return 0;
#endif
}

const char *gp_kernels_name(void) {
    int level = fma_tiles();
    if (level == 2) return "avx512vl-fma";
    if (level == 1) return "avx2-fma";
    if (GP_RELAXED) return "simd128-relaxed";
#if GP_SIMD && defined(__wasm_simd128__)
    return "simd128";
#elif GP_SIMD
    return "sse2";
#else
    return "portable";
#endif
}

int gp_kernels_strict(void) { return !fma_tiles() && !GP_RELAXED; }

int gp_kernels_select(const char *name) {
#if GP_X86_TILES
    int level = gp_x86_level_named(name);
    if (level < 0) return 0;
    if (!name || !*name || !strcmp(name, "best")) /* the highest level this CPU has */
        return gp_x86_set_level(2) || gp_x86_set_level(1) || gp_x86_set_level(0);
    return gp_x86_set_level(level);
#else
    /* one tile per build: the best and the strict name it, and no other */
    return name && (!strcmp(name, "best") || !strcmp(name, gp_kernels_name()) ||
                    (!strcmp(name, "strict") && gp_kernels_strict()));
#endif
}

static int round_up(int x, int m) { return (x + m - 1) / m * m; }
static int min_int(int a, int b) { return a < b ? a : b; }

size_t gp_gemm_workspace(int M, int N, int K) {
    int kc = min_int(K, GP_GEMM_KC);
    if (kc < 1) kc = 1;
    return (size_t)round_up(M, MR) * kc + (size_t)kc * round_up(N, NR);
}

/* One A panel: Apack[k][r] for rows [i0, i0+MR) (zero past M), k in
 * [k0, k0+kc). */
static void pack_a_panel(float *Apack, int M, int i0, int kc, int k0, const float *A, int a_rs, int a_cs) {
    int rows = min_int(MR, M - i0);
    for (int k = 0; k < kc; k++) {
        const float *src = A + (size_t)(k0 + k) * a_cs + (size_t)i0 * a_rs;
        for (int r = 0; r < rows; r++) Apack[r] = src[(size_t)r * a_rs];
        for (int r = rows; r < MR; r++) Apack[r] = 0.0f;
        Apack += MR;
    }
}

/* One B panel: Bpack[k][c] for columns [j0, j0+NR) (zero past N) */
static void pack_b_panel(float *Bpack, int N, int j0, int kc, int k0, const float *B, int b_rs, int b_cs) {
    int cols = min_int(NR, N - j0);
    if (cols == NR && b_cs == 1) { /* whole rows of 8: a fixed-size copy each */
        const float *src = B + (size_t)k0 * b_rs + j0;
        for (int k = 0; k < kc; k++, src += b_rs, Bpack += NR) memcpy(Bpack, src, NR * sizeof(float));
        return;
    }
    for (int k = 0; k < kc; k++) {
        const float *src = B + (size_t)(k0 + k) * b_rs + (size_t)j0 * b_cs;
        if (b_cs == 1) {
            memcpy(Bpack, src, (size_t)cols * sizeof(float));
        } else {
            for (int c = 0; c < cols; c++) Bpack[c] = src[(size_t)c * b_cs];
        }
        for (int c = cols; c < NR; c++) Bpack[c] = 0.0f;
        Bpack += NR;
    }
}

/* How a micro-kernel starts its accumulators (microkernel.h). */
#include "nn/microkernel.h"
enum tile_init { TILE_ZERO = GP_TILE_ZERO, TILE_BIAS = GP_TILE_BIAS, TILE_LOAD = GP_TILE_LOAD };

/* One MR x NR tile: C = init + Apanel * Bpanel over kc. C has leading dim ldc
 * and is a full tile here (edges go through a scratch tile). */
typedef void (*microkernel_fn)(int kc, const float *Ap, const float *Bp,
                               float *C, int ldc, int init, const float *bias);

static void microkernel_portable(int kc, const float *Ap, const float *Bp,
                                 float *C, int ldc, int init, const float *bias) {
    float acc[MR][NR];
    for (int r = 0; r < MR; r++)
        for (int c = 0; c < NR; c++)
            acc[r][c] = init == TILE_LOAD   ? C[r * ldc + c]
                        : init == TILE_BIAS ? bias[c]
                                            : 0.0f;
    for (int k = 0; k < kc; k++) {
        for (int r = 0; r < MR; r++) {
            float a = Ap[r];
            for (int c = 0; c < NR; c++) acc[r][c] += a * Bp[c];
        }
        Ap += MR;
        Bp += NR;
    }
    for (int r = 0; r < MR; r++)
        for (int c = 0; c < NR; c++) C[r * ldc + c] = acc[r][c];
}

#if GP_SIMD
/* the 4 x 8 SIMD tile, multiply then add (see microkernel.h) */
#define GP_MICROKERNEL microkernel_simd
#define GP_MICROKERNEL_LINKAGE static
#include "nn/microkernel.h"
#endif

#if GP_X86_TILES
/* the 4-row FMA tile as a micro-kernel, for the edges of the FMA path */
static void microkernel_fma4(int kc, const float *Ap, const float *Bp, float *C, int ldc, int init, const float *bias) {
    gp_x86_tile_fma(MR, kc, Ap, Bp, C, ldc, init, bias);
}
#endif

#if GP_RELAXED
/* The same tile with fused multiply-add, from the kernel module built with
 * a newer clang (src/nn/kernels_relaxed.c); the page instantiates it on the
 * engine's memory and passes its export in as this import. */
void gp_relaxed_microkernel(int kc, const float *Ap, const float *Bp, float *C, int ldc, int init, const float *bias);
#define microkernel_relaxed gp_relaxed_microkernel
#endif

/* Rows of C one tile task covers: MB rows by one NR-column panel, so the
 * B panel stays in L1 while MB/MR A panels go by; with the FMA tiles, a
 * multiple of their 12 rows. */
#define MB 64
#define MB_FMA 48
/* Below this many multiply-adds a GEMM runs in the caller: waking the
 * pool would cost more than it saves. Either way the bits are the same. */
#define GEMM_PARALLEL_MIN (1L << 19)
/* Packing goes to the pool from this many floats. */
#define GEMM_PARALLEL_PACK (1L << 16)

/* One GEMM in flight, shared by its tasks. Apre/Bpre: the operand already
 * packed over all of K (see gp_gemm_pack_a), or NULL to pack per block. */
typedef struct {
    microkernel_fn kernel;
    int fma; /* the x86 FMA tiles: 1 AVX2, 2 with AVX-512VL's registers too */
    int mb;  /* rows per tile task */
    int M, N, K;
    const float *A, *Apre;
    int a_rs, a_cs;
    const float *B, *Bpre;
    int b_rs, b_cs;
    gp_gemm_b_panel_fn bfn; /* B made panel by panel by a function, or NULL */
    const void *bctx;
    const float *bias;
    float *C;
    int ldc;
    float *Apack, *Bpack; /* the current block's packed panels */
    int k0, kc;
    enum tile_init init;
    int a_panels, b_panels, row_blocks;
    int nrg, b_tasks; /* column panels per tile task, and the tasks across N */
} gemm_job;

/* B panel at column j0 of the current K block, from B or from bfn */
static void job_b_panel(const gemm_job *j, float *dst, int j0) {
    if (j->bfn) j->bfn(j->bctx, dst, j0, j->k0, j->kc);
    else pack_b_panel(dst, j->N, j0, j->kc, j->k0, j->B, j->b_rs, j->b_cs);
}

/* task t packs A panel t, then B panel t - (A panels to pack) */
static void pack_task(void *ctx, int t) {
    gemm_job *j = ctx;
    int a_tasks = j->Apre ? 0 : j->a_panels;
    if (t < a_tasks)
        pack_a_panel(j->Apack + (size_t)t * j->kc * MR, j->M, t * MR, j->kc, j->k0, j->A, j->a_rs, j->a_cs);
    else
        job_b_panel(j, j->Bpack + (size_t)(t - a_tasks) * j->kc * NR, (t - a_tasks) * NR);
}

/* rows [i_beg, i_end) of C against column panel jb */
static void panel_rows(const gemm_job *j, int jb, int i_beg, int i_end) {
    int j0 = jb * NR, cols = min_int(NR, j->N - j0), kc = j->kc;
    const float *Bp = j->Bpack + (size_t)jb * kc * NR;
    float bias_edge[NR];
    const float *tile_bias = j->bias ? j->bias + j0 : NULL;
    if (j->bias && cols < NR) {
        for (int c = 0; c < NR; c++) bias_edge[c] = c < cols ? j->bias[j0 + c] : 0.0f;
        tile_bias = bias_edge;
    }
    for (int i0 = i_beg; i0 < i_end;) {
        int rows = min_int(MR, j->M - i0);
        const float *Ap = j->Apack + (size_t)(i0 / MR) * kc * MR;
        float *Ct = j->C + (size_t)i0 * j->ldc + j0;
#if GP_X86_TILES
        /* 12 or 8 full rows at once (16 as 8 + 8, not 12 + 4): the same
         * fused chain per element as the 4-row tile, so the grouping does
         * not change the bits */
        int rem = i_end - i0, group = rem == 16 ? 8 : rem >= 12 ? 12 : rem >= 8 ? 8 : 0;
        if (j->fma && group && cols == NR) {
            gp_x86_tile_fma(group, kc, Ap, Bp, Ct, j->ldc, j->init, tile_bias);
            i0 += group;
            continue;
        }
#endif
        if (rows == MR && cols == NR) {
            j->kernel(kc, Ap, Bp, Ct, j->ldc, j->init, tile_bias);
        } else {
            float tile[MR * NR] = {0};
            if (j->init == TILE_LOAD)
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < cols; c++) tile[r * NR + c] = Ct[(size_t)r * j->ldc + c];
            j->kernel(kc, Ap, Bp, tile, NR, j->init, tile_bias);
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) Ct[(size_t)r * j->ldc + c] = tile[r * NR + c];
        }
        i0 += MR;
    }
}

/* rows [i_beg, i_end) of column panels [jb0, jb_end) */
static void tile_rows(const gemm_job *j, int i_beg, int i_end, int jb0, int jb_end) {
#if GP_X86_TILES
    /* three whole column panels: 8 x 24 or 4 x 24 tiles, the rows past the
     * last whole A panel panel by panel */
    if (j->fma && jb_end - jb0 == 3 && (jb0 + 3) * NR <= j->N) {
        int kc = j->kc, i0 = i_beg;
        const float *Bp = j->Bpack + (size_t)jb0 * kc * NR;
        const float *tile_bias = j->bias ? j->bias + jb0 * NR : NULL;
        if (j->fma > 1)
            for (; i0 + 2 * MR <= i_end; i0 += 2 * MR)
                gp_x86_tile8x24_fma(kc, j->Apack + (size_t)(i0 / MR) * kc * MR, Bp, j->C + (size_t)i0 * j->ldc + jb0 * NR,
                                    j->ldc, j->init, tile_bias);
        for (; i0 + MR <= i_end; i0 += MR)
            gp_x86_tile4x24_fma(kc, j->Apack + (size_t)(i0 / MR) * kc * MR, Bp, j->C + (size_t)i0 * j->ldc + jb0 * NR,
                                j->ldc, j->init, tile_bias);
        if (i0 < i_end)
            for (int jb = jb0; jb < jb_end; jb++) panel_rows(j, jb, i0, i_end);
        return;
    }
#endif
    for (int jb = jb0; jb < jb_end; jb++) panel_rows(j, jb, i_beg, i_end);
}

/* rows [ib*mb, ib*mb+mb) of column group jg (panels [jg*nrg, jg*nrg+nrg)),
 * three panels (the FMA tiles' width) at a time */
static void tile_block(const gemm_job *j, int ib, int jg) {
    int i_beg = ib * j->mb, i_end = min_int(j->M, i_beg + j->mb);
    int jb0 = jg * j->nrg, jb_end = min_int(j->b_panels, jb0 + j->nrg);
    for (int jb = jb0; jb < jb_end; jb += 3) tile_rows(j, i_beg, i_end, jb, min_int(jb + 3, jb_end));
}

/* task t: one row block of one column group (the panels packed before) */
static void tile_task(void *ctx, int t) {
    const gemm_job *j = ctx;
    tile_block(j, t / j->b_tasks, t % j->b_tasks);
}

/* task t: column group t whole: its B panels packed here (unless packed
 * before), then every row block against them, so a group's panels are
 * packed and read by the same core and no two cores share its source lines */
static void column_task(void *ctx, int t) {
    const gemm_job *j = ctx;
    if (!j->Bpre) {
        int jb_end = min_int(j->b_panels, (t + 1) * j->nrg);
        for (int jb = t * j->nrg; jb < jb_end; jb++)
            job_b_panel(j, j->Bpack + (size_t)jb * j->kc * NR, jb * NR);
    }
    for (int ib = 0; ib < j->row_blocks; ib++) tile_block(j, ib, t);
}

/* task t packs A panel t */
static void pack_a_task(void *ctx, int t) {
    const gemm_job *j = ctx;
    pack_a_panel(j->Apack + (size_t)t * j->kc * MR, j->M, t * MR, j->kc, j->k0, j->A, j->a_rs, j->a_cs);
}

/* Every tile of C is computed by one task, over the K blocks in order, so
 * the result is the same on any number of threads. */
static void gemm_packed(gemm_job *j, int accumulate, float *ws, gp_threads *th) {
    int M = j->M, N = j->N, K = j->K;
    if (M <= 0 || N <= 0) return;
    if (K <= 0) { /* empty sum: C = bias (or 0), or unchanged */
        if (accumulate) return;
        for (int i = 0; i < M; i++)
            for (int c = 0; c < N; c++) j->C[(size_t)i * j->ldc + c] = j->bias ? j->bias[c] : 0.0f;
        return;
    }
    if ((long)M * N * K < GEMM_PARALLEL_MIN) th = NULL;
    int kc_max = min_int(K, GP_GEMM_KC);
    j->a_panels = (M + MR - 1) / MR;
    j->b_panels = (N + NR - 1) / NR;
    j->mb = j->fma ? MB_FMA : MB;
    j->row_blocks = (M + j->mb - 1) / j->mb;
    /* column groups: a multiple of 3 panels (the FMA tiles' width; 2, a
     * cache line of columns, for the others), about 8 per thread, so that a
     * task is worth taking from the shared counter */
    int base = j->fma ? 3 : 2;
    j->nrg = base;
    if (th) {
        int per = (j->b_panels + 8 * gp_threads_count(th) - 1) / (8 * gp_threads_count(th));
        j->nrg = per > base ? (per + base - 1) / base * base : base;
    }
    j->b_tasks = (j->b_panels + j->nrg - 1) / j->nrg;
    /* with column groups enough for every thread (a few each, to even out),
     * a task packs and uses its own group; with fewer, the B panels are
     * packed first and the tasks split the rows too */
    int by_column = !th || j->b_tasks >= 3 * gp_threads_count(th);
    for (int k0 = 0; k0 < K; k0 += GP_GEMM_KC) {
        j->k0 = k0;
        j->kc = min_int(GP_GEMM_KC, K - k0);
        j->Apack = j->Apre ? (float *)j->Apre + (size_t)round_up(M, MR) * k0 : ws;
        j->Bpack = j->Bpre ? (float *)j->Bpre + (size_t)round_up(N, NR) * k0
                           : ws + (size_t)round_up(M, MR) * kc_max;
        j->init = (k0 > 0 || accumulate) ? TILE_LOAD : j->bias ? TILE_BIAS : TILE_ZERO;
        /* small packs (an activation panel set under sampling) stay in the
         * caller: a parallel region costs a round trip to the workers */
        if (by_column) {
            if (!j->Apre)
                gp_threads_run((long)j->a_panels * j->kc * MR >= GEMM_PARALLEL_PACK ? th : NULL, j->a_panels,
                               pack_a_task, j);
            gp_threads_run(th, j->b_tasks, column_task, j);
        } else {
            int pack_tasks = (j->Apre ? 0 : j->a_panels) + (j->Bpre ? 0 : j->b_panels);
            long pack_floats = (long)pack_tasks * j->kc * NR;
            gp_threads_run(pack_floats >= GEMM_PARALLEL_PACK ? th : NULL, pack_tasks, pack_task, j);
            gp_threads_run(th, j->row_blocks * j->b_tasks, tile_task, j);
        }
    }
}

size_t gp_gemm_pack_a_size(int M, int K) { return (size_t)round_up(M, MR) * (K > 0 ? K : 0); }
size_t gp_gemm_pack_b_size(int N, int K) { return (size_t)round_up(N, NR) * (K > 0 ? K : 0); }

void gp_gemm_pack_a(float *Apacked, int M, int K, const float *A, int a_rs, int a_cs) {
    for (int k0 = 0; k0 < K; k0 += GP_GEMM_KC) {
        int kc = min_int(GP_GEMM_KC, K - k0);
        float *block = Apacked + (size_t)round_up(M, MR) * k0;
        for (int i0 = 0; i0 < M; i0 += MR) pack_a_panel(block + (size_t)(i0 / MR) * kc * MR, M, i0, kc, k0, A, a_rs, a_cs);
    }
}

void gp_gemm_pack_b(float *Bpacked, int N, int K, const float *B, int b_rs, int b_cs) {
    for (int k0 = 0; k0 < K; k0 += GP_GEMM_KC) {
        int kc = min_int(GP_GEMM_KC, K - k0);
        float *block = Bpacked + (size_t)round_up(N, NR) * k0;
        for (int j0 = 0; j0 < N; j0 += NR) pack_b_panel(block + (size_t)(j0 / NR) * kc * NR, N, j0, kc, k0, B, b_rs, b_cs);
    }
}

#if GP_RELAXED
#define BEST_KERNEL microkernel_relaxed
#elif GP_SIMD
#define BEST_KERNEL microkernel_simd
#else
#define BEST_KERNEL microkernel_portable
#endif
#if GP_SIMD
#define STRICT_KERNEL microkernel_simd
#else
#define STRICT_KERNEL microkernel_portable
#endif

/* the best tile this build and CPU have (see gp_kernels_strict) */
static void choose_kernel(gemm_job *j) {
#if GP_X86_TILES
    if (fma_tiles()) {
        j->kernel = microkernel_fma4;
        j->fma = fma_tiles();
        return;
    }
#endif
    j->kernel = BEST_KERNEL;
}

void gp_gemm_portable(int M, int N, int K, const float *A, int a_rs, int a_cs,
                      const float *B, int b_rs, int b_cs, const float *bias,
                      float *C, int ldc, int accumulate, float *ws, gp_threads *th) {
    gemm_job j = {.kernel = microkernel_portable, .M = M, .N = N, .K = K, .A = A, .a_rs = a_rs, .a_cs = a_cs,
                  .B = B, .b_rs = b_rs, .b_cs = b_cs, .bias = bias, .C = C, .ldc = ldc};
    gemm_packed(&j, accumulate, ws, th);
}

void gp_gemm_strict(int M, int N, int K, const float *A, int a_rs, int a_cs,
                    const float *B, int b_rs, int b_cs, const float *bias,
                    float *C, int ldc, int accumulate, float *ws, gp_threads *th) {
    gemm_job j = {.kernel = STRICT_KERNEL, .M = M, .N = N, .K = K, .A = A, .a_rs = a_rs, .a_cs = a_cs,
                  .B = B, .b_rs = b_rs, .b_cs = b_cs, .bias = bias, .C = C, .ldc = ldc};
    gemm_packed(&j, accumulate, ws, th);
}

void gp_gemm(int M, int N, int K, const float *A, int a_rs, int a_cs,
             const float *B, int b_rs, int b_cs, const float *bias, float *C,
             int ldc, int accumulate, float *ws, gp_threads *th) {
    gemm_job j = {.M = M, .N = N, .K = K, .A = A, .a_rs = a_rs, .a_cs = a_cs,
                  .B = B, .b_rs = b_rs, .b_cs = b_cs, .bias = bias, .C = C, .ldc = ldc};
    choose_kernel(&j);
    gemm_packed(&j, accumulate, ws, th);
}

void gp_gemm_bfn(int M, int N, int K, const float *Apacked, const float *A, int a_rs, int a_cs,
                 gp_gemm_b_panel_fn bfn, const void *bctx, const float *bias, float *C, int ldc, int accumulate,
                 float *ws, gp_threads *th) {
    gemm_job j = {.M = M, .N = N, .K = K, .A = A, .Apre = Apacked, .a_rs = a_rs, .a_cs = a_cs, .bfn = bfn,
                  .bctx = bctx, .bias = bias, .C = C, .ldc = ldc};
    choose_kernel(&j);
    gemm_packed(&j, accumulate, ws, th);
}

void gp_gemm_prepacked(int M, int N, int K, const float *Apacked, const float *A, int a_rs, int a_cs,
                       const float *Bpacked, const float *B, int b_rs, int b_cs, const float *bias, float *C,
                       int ldc, int accumulate, float *ws, gp_threads *th) {
    gemm_job j = {.M = M, .N = N, .K = K, .A = A, .Apre = Apacked, .a_rs = a_rs,
                  .a_cs = a_cs, .B = B, .Bpre = Bpacked, .b_rs = b_rs, .b_cs = b_cs, .bias = bias, .C = C, .ldc = ldc};
    choose_kernel(&j);
    gemm_packed(&j, accumulate, ws, th);
}

/* ---- elementwise ------------------------------------------------------ */

void gp_leaky_relu_portable(float *y, const float *x, size_t n, float slope) {
    for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : slope * x[i];
}

void gp_leaky_relu_backward_portable(float *dx, const float *dy,
                                     const float *x, size_t n, float slope) {
    for (size_t i = 0; i < n; i++) dx[i] = x[i] > 0.0f ? dy[i] : slope * dy[i];
}

void gp_tanh_backward_portable(float *dx, const float *dy, const float *y,
                               size_t n) {
    for (size_t i = 0; i < n; i++) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}

void gp_sigmoid_backward_portable(float *dx, const float *dy, const float *y,
                                  size_t n) {
    for (size_t i = 0; i < n; i++) dx[i] = dy[i] * (y[i] * (1.0f - y[i]));
}

void gp_col_sum_portable(float *sum, const float *x, int rows, int cols) {
    for (int c = 0; c < cols; c++) sum[c] = 0.0f;
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) sum[c] += x[(size_t)r * cols + c];
}

void gp_col_sqdev_portable(float *sumsq, const float *x, const float *mean,
                           int rows, int cols) {
    for (int c = 0; c < cols; c++) sumsq[c] = 0.0f;
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            float d = x[(size_t)r * cols + c] - mean[c];
            sumsq[c] += d * d;
        }
}

void gp_col_affine_portable(float *y, const float *x, const float *scale,
                            const float *shift, int rows, int cols) {
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            size_t i = (size_t)r * cols + c;
            y[i] = x[i] * scale[c] + shift[c];
        }
}

void gp_col_dot_dev_portable(float *sum, const float *dy, const float *x,
                             const float *mean, int rows, int cols) {
    for (int c = 0; c < cols; c++) sum[c] = 0.0f;
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            size_t i = (size_t)r * cols + c;
            sum[c] += dy[i] * (x[i] - mean[c]);
        }
}

void gp_col_affine2_portable(float *y, const float *a, const float *sa,
                             const float *b, const float *sb,
                             const float *shift, int rows, int cols) {
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            size_t i = (size_t)r * cols + c;
            y[i] = a[i] * sa[c] + b[i] * sb[c] + shift[c];
        }
}

void gp_adam_update_portable(float *p, const float *g, float *m, float *v,
                             size_t n, float b1, float b2, float step_size,
                             float bc2_sqrt, float eps) {
    for (size_t i = 0; i < n; i++) {
        m[i] = b1 * m[i] + (1.0f - b1) * g[i];
        v[i] = b2 * v[i] + (1.0f - b2) * (g[i] * g[i]);
        float denom = sqrtf(v[i]) / bc2_sqrt + eps;
        p[i] -= step_size * (m[i] / denom);
    }
}

/* ---- runs of one plane (see kernels.h for the summation order) --------- */

float gp_sum_portable(const float *x, size_t n) {
    float a[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int l = 0; l < 4; l++) a[l] += x[i + l];
    float s = (a[0] + a[1]) + (a[2] + a[3]);
    for (; i < n; i++) s += x[i];
    return s;
}

float gp_sum_sqdev_portable(const float *x, size_t n, float mean) {
    float a[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int l = 0; l < 4; l++) {
            float d = x[i + l] - mean;
            a[l] += d * d;
        }
    float s = (a[0] + a[1]) + (a[2] + a[3]);
    for (; i < n; i++) {
        float d = x[i] - mean;
        s += d * d;
    }
    return s;
}

void gp_sum_dot_dev_portable(float *sum_dy, float *sum_dev, const float *dy,
                             const float *x, size_t n, float mean) {
    float a[4] = {0.0f, 0.0f, 0.0f, 0.0f}, b[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int l = 0; l < 4; l++) {
            a[l] += dy[i + l];
            b[l] += dy[i + l] * (x[i + l] - mean);
        }
    float s = (a[0] + a[1]) + (a[2] + a[3]), t = (b[0] + b[1]) + (b[2] + b[3]);
    for (; i < n; i++) {
        s += dy[i];
        t += dy[i] * (x[i] - mean);
    }
    *sum_dy = s;
    *sum_dev = t;
}

void gp_scale_shift_portable(float *y, const float *x, size_t n, float scale,
                             float shift) {
    for (size_t i = 0; i < n; i++) y[i] = x[i] * scale + shift;
}

void gp_scale2_shift_portable(float *y, const float *a, float sa,
                              const float *b, float sb, float shift, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = a[i] * sa + b[i] * sb + shift;
}

void gp_mul_portable(float *y, const float *a, const float *b, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = a[i] * b[i];
}

#if GP_SIMD
/* Each SIMD loop handles whole f32x4 vectors and leaves the tail (< 4
 * elements, or < 4 columns) to the portable loop, so both round alike. */

void gp_leaky_relu(float *y, const float *x, size_t n, float slope) {
    f32x4 s = f32x4_splat(slope);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        f32x4 v = f32x4_load(x + i);
        f32x4_store(y + i, f32x4_select_pos(v, v, f32x4_mul(s, v)));
    }
    gp_leaky_relu_portable(y + i, x + i, n - i, slope);
}

void gp_leaky_relu_backward(float *dx, const float *dy, const float *x,
                            size_t n, float slope) {
    f32x4 s = f32x4_splat(slope);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        f32x4 g = f32x4_load(dy + i);
        f32x4_store(dx + i, f32x4_select_pos(f32x4_load(x + i), g, f32x4_mul(s, g)));
    }
    gp_leaky_relu_backward_portable(dx + i, dy + i, x + i, n - i, slope);
}

void gp_tanh_backward(float *dx, const float *dy, const float *y, size_t n) {
    f32x4 one = f32x4_splat(1.0f);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        f32x4 v = f32x4_load(y + i);
        f32x4_store(dx + i, f32x4_mul(f32x4_load(dy + i), f32x4_sub(one, f32x4_mul(v, v))));
    }
    gp_tanh_backward_portable(dx + i, dy + i, y + i, n - i);
}

void gp_sigmoid_backward(float *dx, const float *dy, const float *y, size_t n) {
    f32x4 one = f32x4_splat(1.0f);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        f32x4 v = f32x4_load(y + i);
        f32x4_store(dx + i, f32x4_mul(f32x4_load(dy + i), f32x4_mul(v, f32x4_sub(one, v))));
    }
    gp_sigmoid_backward_portable(dx + i, dy + i, y + i, n - i);
}

void gp_col_sum(float *sum, const float *x, int rows, int cols) {
    int c = 0;
    for (; c + 4 <= cols; c += 4) {
        f32x4 acc = f32x4_splat(0.0f);
        for (int r = 0; r < rows; r++)
            acc = f32x4_add(acc, f32x4_load(x + (size_t)r * cols + c));
        f32x4_store(sum + c, acc);
    }
    for (; c < cols; c++) {
        float acc = 0.0f;
        for (int r = 0; r < rows; r++) acc += x[(size_t)r * cols + c];
        sum[c] = acc;
    }
}

void gp_col_sqdev(float *sumsq, const float *x, const float *mean, int rows,
                  int cols) {
    int c = 0;
    for (; c + 4 <= cols; c += 4) {
        f32x4 mu = f32x4_load(mean + c);
        f32x4 acc = f32x4_splat(0.0f);
        for (int r = 0; r < rows; r++) {
            f32x4 d = f32x4_sub(f32x4_load(x + (size_t)r * cols + c), mu);
            acc = f32x4_add(acc, f32x4_mul(d, d));
        }
        f32x4_store(sumsq + c, acc);
    }
    for (; c < cols; c++) {
        float acc = 0.0f;
        for (int r = 0; r < rows; r++) {
            float d = x[(size_t)r * cols + c] - mean[c];
            acc += d * d;
        }
        sumsq[c] = acc;
    }
}

void gp_col_affine(float *y, const float *x, const float *scale,
                   const float *shift, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * cols;
        float *yr = y + (size_t)r * cols;
        int c = 0;
        for (; c + 4 <= cols; c += 4)
            f32x4_store(yr + c, f32x4_add(f32x4_mul(f32x4_load(xr + c), f32x4_load(scale + c)),
                                          f32x4_load(shift + c)));
        for (; c < cols; c++) yr[c] = xr[c] * scale[c] + shift[c];
    }
}

void gp_col_dot_dev(float *sum, const float *dy, const float *x,
                    const float *mean, int rows, int cols) {
    int c = 0;
    for (; c + 4 <= cols; c += 4) {
        f32x4 mu = f32x4_load(mean + c);
        f32x4 acc = f32x4_splat(0.0f);
        for (int r = 0; r < rows; r++) {
            size_t i = (size_t)r * cols + c;
            acc = f32x4_add(acc, f32x4_mul(f32x4_load(dy + i), f32x4_sub(f32x4_load(x + i), mu)));
        }
        f32x4_store(sum + c, acc);
    }
    for (; c < cols; c++) {
        float acc = 0.0f;
        for (int r = 0; r < rows; r++) {
            size_t i = (size_t)r * cols + c;
            acc += dy[i] * (x[i] - mean[c]);
        }
        sum[c] = acc;
    }
}

void gp_col_affine2(float *y, const float *a, const float *sa, const float *b,
                    const float *sb, const float *shift, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
        size_t o = (size_t)r * cols;
        int c = 0;
        for (; c + 4 <= cols; c += 4) {
            f32x4 t = f32x4_add(f32x4_mul(f32x4_load(a + o + c), f32x4_load(sa + c)),
                                f32x4_mul(f32x4_load(b + o + c), f32x4_load(sb + c)));
            f32x4_store(y + o + c, f32x4_add(t, f32x4_load(shift + c)));
        }
        for (; c < cols; c++) y[o + c] = a[o + c] * sa[c] + b[o + c] * sb[c] + shift[c];
    }
}

void gp_adam_update(float *p, const float *g, float *m, float *v, size_t n,
                    float b1, float b2, float step_size, float bc2_sqrt,
                    float eps) {
    f32x4 vb1 = f32x4_splat(b1), vb2 = f32x4_splat(b2);
    f32x4 vb1c = f32x4_splat(1.0f - b1), vb2c = f32x4_splat(1.0f - b2);
    f32x4 vstep = f32x4_splat(step_size), vbc2 = f32x4_splat(bc2_sqrt);
    f32x4 veps = f32x4_splat(eps);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        f32x4 gi = f32x4_load(g + i);
        f32x4 mi = f32x4_add(f32x4_mul(vb1, f32x4_load(m + i)), f32x4_mul(vb1c, gi));
        f32x4 vi = f32x4_add(f32x4_mul(vb2, f32x4_load(v + i)), f32x4_mul(vb2c, f32x4_mul(gi, gi)));
        f32x4 denom = f32x4_add(f32x4_div(f32x4_sqrt(vi), vbc2), veps);
        f32x4_store(m + i, mi);
        f32x4_store(v + i, vi);
        f32x4_store(p + i, f32x4_sub(f32x4_load(p + i), f32x4_mul(vstep, f32x4_div(mi, denom))));
    }
    gp_adam_update_portable(p + i, g + i, m + i, v + i, n - i, b1, b2, step_size, bc2_sqrt, eps);
}


/* lanes of v combined as (v0 + v1) + (v2 + v3), as the portable sums do */
static float hsum4(f32x4 v) {
    float l[4];
    f32x4_store(l, v);
    return (l[0] + l[1]) + (l[2] + l[3]);
}

float gp_sum(const float *x, size_t n) {
    f32x4 acc = f32x4_splat(0.0f);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) acc = f32x4_add(acc, f32x4_load(x + i));
    float s = hsum4(acc);
    for (; i < n; i++) s += x[i];
    return s;
}

float gp_sum_sqdev(const float *x, size_t n, float mean) {
    f32x4 mu = f32x4_splat(mean), acc = f32x4_splat(0.0f);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        f32x4 d = f32x4_sub(f32x4_load(x + i), mu);
        acc = f32x4_add(acc, f32x4_mul(d, d));
    }
    float s = hsum4(acc);
    for (; i < n; i++) {
        float d = x[i] - mean;
        s += d * d;
    }
    return s;
}

void gp_sum_dot_dev(float *sum_dy, float *sum_dev, const float *dy,
                    const float *x, size_t n, float mean) {
    f32x4 mu = f32x4_splat(mean), a = f32x4_splat(0.0f), b = f32x4_splat(0.0f);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        f32x4 g = f32x4_load(dy + i);
        a = f32x4_add(a, g);
        b = f32x4_add(b, f32x4_mul(g, f32x4_sub(f32x4_load(x + i), mu)));
    }
    float s = hsum4(a), t = hsum4(b);
    for (; i < n; i++) {
        s += dy[i];
        t += dy[i] * (x[i] - mean);
    }
    *sum_dy = s;
    *sum_dev = t;
}

void gp_scale_shift(float *y, const float *x, size_t n, float scale,
                    float shift) {
    f32x4 vs = f32x4_splat(scale), vt = f32x4_splat(shift);
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        f32x4_store(y + i, f32x4_add(f32x4_mul(f32x4_load(x + i), vs), vt));
    gp_scale_shift_portable(y + i, x + i, n - i, scale, shift);
}

void gp_scale2_shift(float *y, const float *a, float sa, const float *b,
                     float sb, float shift, size_t n) {
    f32x4 va = f32x4_splat(sa), vb = f32x4_splat(sb), vt = f32x4_splat(shift);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        f32x4 t = f32x4_add(f32x4_mul(f32x4_load(a + i), va), f32x4_mul(f32x4_load(b + i), vb));
        f32x4_store(y + i, f32x4_add(t, vt));
    }
    gp_scale2_shift_portable(y + i, a + i, sa, b + i, sb, shift, n - i);
}

void gp_mul(float *y, const float *a, const float *b, size_t n) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4) f32x4_store(y + i, f32x4_mul(f32x4_load(a + i), f32x4_load(b + i)));
    gp_mul_portable(y + i, a + i, b + i, n - i);
}

#else /* portable build: the unsuffixed names are the portable loops */

void gp_leaky_relu(float *y, const float *x, size_t n, float slope) {
    gp_leaky_relu_portable(y, x, n, slope);
}
void gp_leaky_relu_backward(float *dx, const float *dy, const float *x,
                            size_t n, float slope) {
    gp_leaky_relu_backward_portable(dx, dy, x, n, slope);
}
void gp_tanh_backward(float *dx, const float *dy, const float *y, size_t n) {
    gp_tanh_backward_portable(dx, dy, y, n);
}
void gp_sigmoid_backward(float *dx, const float *dy, const float *y, size_t n) {
    gp_sigmoid_backward_portable(dx, dy, y, n);
}
void gp_col_sum(float *sum, const float *x, int rows, int cols) {
    gp_col_sum_portable(sum, x, rows, cols);
}
void gp_col_sqdev(float *sumsq, const float *x, const float *mean, int rows,
                  int cols) {
    gp_col_sqdev_portable(sumsq, x, mean, rows, cols);
}
void gp_col_affine(float *y, const float *x, const float *scale,
                   const float *shift, int rows, int cols) {
    gp_col_affine_portable(y, x, scale, shift, rows, cols);
}
void gp_col_dot_dev(float *sum, const float *dy, const float *x,
                    const float *mean, int rows, int cols) {
    gp_col_dot_dev_portable(sum, dy, x, mean, rows, cols);
}
void gp_col_affine2(float *y, const float *a, const float *sa, const float *b,
                    const float *sb, const float *shift, int rows, int cols) {
    gp_col_affine2_portable(y, a, sa, b, sb, shift, rows, cols);
}
void gp_adam_update(float *p, const float *g, float *m, float *v, size_t n,
                    float b1, float b2, float step_size, float bc2_sqrt,
                    float eps) {
    gp_adam_update_portable(p, g, m, v, n, b1, b2, step_size, bc2_sqrt, eps);
}
float gp_sum(const float *x, size_t n) { return gp_sum_portable(x, n); }
float gp_sum_sqdev(const float *x, size_t n, float mean) {
    return gp_sum_sqdev_portable(x, n, mean);
}
void gp_sum_dot_dev(float *sum_dy, float *sum_dev, const float *dy,
                    const float *x, size_t n, float mean) {
    gp_sum_dot_dev_portable(sum_dy, sum_dev, dy, x, n, mean);
}
void gp_scale_shift(float *y, const float *x, size_t n, float scale,
                    float shift) {
    gp_scale_shift_portable(y, x, n, scale, shift);
}
void gp_scale2_shift(float *y, const float *a, float sa, const float *b,
                     float sb, float shift, size_t n) {
    gp_scale2_shift_portable(y, a, sa, b, sb, shift, n);
}
void gp_mul(float *y, const float *a, const float *b, size_t n) {
    gp_mul_portable(y, a, b, n);
}
#endif
