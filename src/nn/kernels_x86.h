/* kernels_x86.h: kernels.c's private view of the x86-64 AVX2+FMA tiles
 * (kernels_x86.c). GP_X86_TILES is 1 in a native x86-64 build with SIMD. */
#ifndef GP_KERNELS_X86_H
#define GP_KERNELS_X86_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__wasm__) && !defined(GP_NO_SIMD)
#define GP_X86_TILES 1
/* The tiles the GEMM uses: 0 the strict 128-bit one (kernels.c), 1 AVX2+FMA,
 * 2 AVX2+FMA with AVX-512VL's 32 registers. Decided at the first call from
 * the CPU, lowered by GP_KERNELS (see gp_x86_level_named). */
int gp_x86_level(void);
/* "best" 2, "strict" 0, "avx2-fma" 1, "avx512vl-fma" 2; -1 for another name */
int gp_x86_level_named(const char *name);
/* 0 when this CPU cannot run the level (it is then unchanged) */
int gp_x86_set_level(int level);
/* rows (4, 8 or 12: 1, 2 or 3 consecutive A panels) x 8 columns of C, as the
 * 128-bit micro-kernel (microkernel.h) but with fused multiply-adds */
void gp_x86_tile_fma(int rows, int kc, const float *Ap, const float *Bp, float *C, int ldc, int init,
                     const float *bias);
/* 4 rows x 24 columns: one A panel, three consecutive B panels */
void gp_x86_tile4x24_fma(int kc, const float *Ap, const float *Bp, float *C, int ldc, int init, const float *bias);
/* 8 rows x 24 columns; only at level 2 (AVX-512VL: 32 registers) */
void gp_x86_tile8x24_fma(int kc, const float *Ap, const float *Bp, float *C, int ldc, int init, const float *bias);
#else
#define GP_X86_TILES 0
#endif

#endif
