/* microkernel.h: the 4 x 8 SIMD tile of the GEMM, written once and compiled
 * twice: into kernels.c (multiply then add, as every wasm SIMD engine and
 * SSE2 run it) and into the relaxed-SIMD kernel module (kernels_relaxed.c,
 * fused multiply-add), so the two differ only in f32x4_madd (simd.h).
 * Included without GP_MICROKERNEL it gives the init constants only; with
 * GP_MICROKERNEL (the function's name) and GP_MICROKERNEL_LINKAGE defined,
 * after simd.h, the function.
 *
 * C (4 x 8, leading dim ldc) = init + Ap (kc x 4, k-major) * Bp (kc x 8):
 * init GP_TILE_ZERO starts from 0, GP_TILE_BIAS from bias (8), GP_TILE_LOAD
 * from C itself. */
#ifndef GP_TILE_ZERO
#define GP_TILE_ZERO 0
#define GP_TILE_BIAS 1
#define GP_TILE_LOAD 2
#endif

#ifdef GP_MICROKERNEL
GP_MICROKERNEL_LINKAGE void GP_MICROKERNEL(int kc, const float *Ap, const float *Bp, float *C, int ldc, int init,
                                           const float *bias) {
    f32x4 c00, c01, c10, c11, c20, c21, c30, c31;
    if (init == GP_TILE_LOAD) {
        c00 = f32x4_load(C + 0 * ldc); c01 = f32x4_load(C + 0 * ldc + 4);
        c10 = f32x4_load(C + 1 * ldc); c11 = f32x4_load(C + 1 * ldc + 4);
        c20 = f32x4_load(C + 2 * ldc); c21 = f32x4_load(C + 2 * ldc + 4);
        c30 = f32x4_load(C + 3 * ldc); c31 = f32x4_load(C + 3 * ldc + 4);
    } else {
        f32x4 b0 = init == GP_TILE_BIAS ? f32x4_load(bias) : f32x4_splat(0.0f);
        f32x4 b1 = init == GP_TILE_BIAS ? f32x4_load(bias + 4) : f32x4_splat(0.0f);
        c00 = c10 = c20 = c30 = b0;
        c01 = c11 = c21 = c31 = b1;
    }
    for (int k = 0; k < kc; k++) {
        f32x4 b0 = f32x4_load(Bp);
        f32x4 b1 = f32x4_load(Bp + 4);
        f32x4 a0 = f32x4_load_splat(Ap + 0);
        f32x4 a1 = f32x4_load_splat(Ap + 1);
        f32x4 a2 = f32x4_load_splat(Ap + 2);
        f32x4 a3 = f32x4_load_splat(Ap + 3);
        c00 = f32x4_madd(c00, a0, b0);
        c01 = f32x4_madd(c01, a0, b1);
        c10 = f32x4_madd(c10, a1, b0);
        c11 = f32x4_madd(c11, a1, b1);
        c20 = f32x4_madd(c20, a2, b0);
        c21 = f32x4_madd(c21, a2, b1);
        c30 = f32x4_madd(c30, a3, b0);
        c31 = f32x4_madd(c31, a3, b1);
        Ap += 4;
        Bp += 8;
    }
    f32x4_store(C + 0 * ldc, c00); f32x4_store(C + 0 * ldc + 4, c01);
    f32x4_store(C + 1 * ldc, c10); f32x4_store(C + 1 * ldc + 4, c11);
    f32x4_store(C + 2 * ldc, c20); f32x4_store(C + 2 * ldc + 4, c21);
    f32x4_store(C + 3 * ldc, c30); f32x4_store(C + 3 * ldc + 4, c31);
}
#undef GP_MICROKERNEL
#undef GP_MICROKERNEL_LINKAGE
#endif
