/* peak.c: the machine's 128-bit wasm SIMD peak on one thread, as a bare
 * clang module (no Emscripten, no memory traffic): 12 independent f32x4
 * accumulator chains, each step x = x * m + a, as f32x4.mul then f32x4.add
 * (peak_muladd) or as one relaxed_madd (peak_madd). Each step of a chain is 8
 * FLOPs (4 lanes, a multiply and an add), so a call does 96 * n FLOPs.
 * 12 chains cover the latency (3-4 cycles) times the two vector pipes of
 * each kind on current x86 cores; m and a come in as arguments and the sum
 * of every lane goes out, so nothing can be folded away (check with
 * llvm-objdump-19 -d: the loop holds 12 mul + 12 add, or 12 relaxed madd).
 * scripts/bench-peak.mjs times it under node; build: see the Makefile's
 * PEAK_* rules. */
#include <wasm_simd128.h>

#define CHAINS(OP)                                                                               \
    v128_t x0 = wasm_f32x4_splat(0.0f), x1 = wasm_f32x4_splat(0.1f), x2 = wasm_f32x4_splat(0.2f),  \
           x3 = wasm_f32x4_splat(0.3f), x4 = wasm_f32x4_splat(0.4f), x5 = wasm_f32x4_splat(0.5f),  \
           x6 = wasm_f32x4_splat(0.6f), x7 = wasm_f32x4_splat(0.7f), x8 = wasm_f32x4_splat(0.8f),  \
           x9 = wasm_f32x4_splat(0.9f), x10 = wasm_f32x4_splat(1.0f), x11 = wasm_f32x4_splat(1.1f); \
    v128_t vm = wasm_f32x4_splat(m), va = wasm_f32x4_splat(a);                                    \
    _Pragma("clang loop unroll(disable)") for (int i = 0; i < n; i++) {                          \
        x0 = OP(x0); x1 = OP(x1); x2 = OP(x2); x3 = OP(x3); x4 = OP(x4); x5 = OP(x5);              \
        x6 = OP(x6); x7 = OP(x7); x8 = OP(x8); x9 = OP(x9); x10 = OP(x10); x11 = OP(x11);          \
    }                                                                                            \
    v128_t s = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(x0, x1), wasm_f32x4_add(x2, x3)),     \
                              wasm_f32x4_add(wasm_f32x4_add(x4, x5), wasm_f32x4_add(x6, x7)));    \
    s = wasm_f32x4_add(s, wasm_f32x4_add(wasm_f32x4_add(x8, x9), wasm_f32x4_add(x10, x11)));      \
    return wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1) + wasm_f32x4_extract_lane(s, 2) + \
           wasm_f32x4_extract_lane(s, 3);

#define MULADD(x) wasm_f32x4_add(wasm_f32x4_mul(x, vm), va)
#define MADD(x) wasm_f32x4_relaxed_madd(x, vm, va)

__attribute__((export_name("peak_muladd"))) float peak_muladd(int n, float m, float a) { CHAINS(MULADD) }
__attribute__((export_name("peak_madd"))) float peak_madd(int n, float m, float a) { CHAINS(MADD) }
