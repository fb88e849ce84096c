/* kernels_relaxed.c: the GEMM's micro-kernel with fused multiply-add
 * (wasm relaxed SIMD, f32x4.relaxed_madd), as a module of its own.
 * Debian's Emscripten 3.1.6 ships an LLVM that predates the final
 * relaxed-SIMD opcodes and a binaryen that rejects them, so this file is
 * built apart by a newer clang and wasm-ld (scripts/relaxed_kernel.mjs):
 * position-independent, freestanding, no data and no stack, importing the
 * engine's memory. The relaxed engine builds (-DGP_RELAXED=1) import its
 * one export; the page instantiates it on the engine's memory at load, in
 * every thread. The tile is the one in microkernel.h. */
#define GP_RELAXED_MODULE 1
#include "nn/simd.h"

#if !GP_SIMD || !defined(__wasm_relaxed_simd__)
#error "kernels_relaxed.c is built with -msimd128 -mrelaxed-simd for wasm32"
#endif

#define GP_MICROKERNEL gp_relaxed_microkernel
#define GP_MICROKERNEL_LINKAGE __attribute__((visibility("default")))
#include "nn/microkernel.h"
