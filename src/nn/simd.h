/* simd.h: the one place that names SIMD intrinsics.
 * A tiny f32x4 vocabulary mapped onto wasm_simd128.h (wasm, -msimd128) or
 * SSE2 (native x86-64). Only the kernel files (kernels.c, kernels_relaxed.c)
 * include this file.
 * GP_SIMD is 1 when a 128-bit path exists, 0 for the portable build.
 * f32x4_madd(acc, a, b) is acc + a*b: a multiply then an add, except in the
 * relaxed-SIMD kernel module (GP_RELAXED_MODULE, -mrelaxed-simd), where it
 * is one fused multiply-add. GP_RELAXED is 1 in a build whose GEMM calls
 * that module's micro-kernel (see kernels_relaxed.c). */
#ifndef GP_SIMD_H
#define GP_SIMD_H

#if defined(GP_NO_SIMD)
#define GP_SIMD 0
#elif defined(__wasm_simd128__)
#define GP_SIMD 1
#include <wasm_simd128.h>
typedef v128_t f32x4;
#define f32x4_load(p) wasm_v128_load(p)
#define f32x4_store(p, v) wasm_v128_store((p), (v))
#define f32x4_splat(x) wasm_f32x4_splat(x)
#define f32x4_load_splat(p) wasm_v128_load32_splat(p)
#define f32x4_add(a, b) wasm_f32x4_add((a), (b))
#define f32x4_sub(a, b) wasm_f32x4_sub((a), (b))
#define f32x4_mul(a, b) wasm_f32x4_mul((a), (b))
#define f32x4_div(a, b) wasm_f32x4_div((a), (b))
#define f32x4_sqrt(a) wasm_f32x4_sqrt(a)
/* pmax(a,b) = a < b ? b : a; one instruction on x64 (plain max is ~9). */
#define f32x4_max(a, b) wasm_f32x4_pmax((a), (b))
#define f32x4_min(a, b) wasm_f32x4_pmin((a), (b))
/* lanes where a > 0 take x, the others y */
#define f32x4_select_pos(a, x, y) \
    wasm_v128_bitselect((x), (y), wasm_f32x4_gt((a), wasm_f32x4_splat(0.0f)))
#elif defined(__SSE2__)
#define GP_SIMD 1
#include <emmintrin.h>
typedef __m128 f32x4;
#define f32x4_load(p) _mm_loadu_ps(p)
#define f32x4_store(p, v) _mm_storeu_ps((p), (v))
#define f32x4_splat(x) _mm_set1_ps(x)
#define f32x4_load_splat(p) _mm_load1_ps(p)
#define f32x4_add(a, b) _mm_add_ps((a), (b))
#define f32x4_sub(a, b) _mm_sub_ps((a), (b))
#define f32x4_mul(a, b) _mm_mul_ps((a), (b))
#define f32x4_div(a, b) _mm_div_ps((a), (b))
#define f32x4_sqrt(a) _mm_sqrt_ps(a)
/* same lane semantics as wasm pmax/pmin */
#define f32x4_max(a, b) _mm_max_ps((b), (a))
#define f32x4_min(a, b) _mm_min_ps((b), (a))
static inline __m128 gp_sse_select_pos(__m128 a, __m128 x, __m128 y) {
    __m128 m = _mm_cmpgt_ps(a, _mm_setzero_ps());
    return _mm_or_ps(_mm_and_ps(m, x), _mm_andnot_ps(m, y));
}
#define f32x4_select_pos(a, x, y) gp_sse_select_pos((a), (x), (y))
#else
#define GP_SIMD 0
#endif

#if GP_SIMD
#if defined(GP_RELAXED_MODULE) && defined(__wasm_relaxed_simd__)
#define f32x4_madd(acc, a, b) wasm_f32x4_relaxed_madd((a), (b), (acc))
#else
#define f32x4_madd(acc, a, b) f32x4_add((acc), f32x4_mul((a), (b)))
#endif
#endif

#ifndef GP_RELAXED
#define GP_RELAXED 0
#endif

#endif
