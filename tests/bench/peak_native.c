/* peak_native.c: the native build's own limit on one thread, as
 * tests/bench/peak.c measures wasm's: 12 independent accumulator chains,
 * each step x = x * m + a, with 128-bit SSE mul + add (what the build's
 * -O2 without -march gives x86-64), 256-bit AVX2 FMA and 512-bit AVX-512
 * FMA (each compiled for its target and run only where the CPU has it).
 * Prints one JSON object of GFLOP/s, the best of several timings (null
 * for what this CPU lacks). Built with the Makefile's CFLAGS. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef float (*probe_fn)(long n, float m, float a);

/* best GFLOP/s of calls of n steps of flops_per_step, over 7 rounds of ~0.1 s */
static double best(probe_fn f, double flops_per_step) {
    const long n = 2000000;
    volatile float sink = f(1000, 0.999999f, 1e-3f);
    double top = 0.0;
    for (int r = 0; r < 7; r++) {
        long calls = 0;
        double t0 = now(), t;
        do {
            sink += f(n, 0.999999f, 1e-3f);
            calls++;
            t = now() - t0;
        } while (t < 0.1);
        double g = flops_per_step * n * calls / t * 1e-9;
        if (g > top) top = g;
    }
    (void)sink;
    return top;
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define CHAINS(T, SET1, ADD, OP, REDUCE)                                                                \
    T x0 = SET1(0.0f), x1 = SET1(0.1f), x2 = SET1(0.2f), x3 = SET1(0.3f), x4 = SET1(0.4f), x5 = SET1(0.5f), \
      x6 = SET1(0.6f), x7 = SET1(0.7f), x8 = SET1(0.8f), x9 = SET1(0.9f), x10 = SET1(1.0f), x11 = SET1(1.1f); \
    T vm = SET1(m), va = SET1(a);                                                                       \
    for (long i = 0; i < n; i++) {                                                                      \
        x0 = OP(x0); x1 = OP(x1); x2 = OP(x2); x3 = OP(x3); x4 = OP(x4); x5 = OP(x5);                     \
        x6 = OP(x6); x7 = OP(x7); x8 = OP(x8); x9 = OP(x9); x10 = OP(x10); x11 = OP(x11);                 \
    }                                                                                                   \
    T s = ADD(ADD(ADD(x0, x1), ADD(x2, x3)), ADD(ADD(x4, x5), ADD(x6, x7)));                            \
    s = ADD(s, ADD(ADD(x8, x9), ADD(x10, x11)));                                                        \
    return REDUCE(s);

static float sum4(__m128 s) {
    float v[4];
    _mm_storeu_ps(v, s);
    return v[0] + v[1] + v[2] + v[3];
}
#define SSE_OP(x) _mm_add_ps(_mm_mul_ps(x, vm), va)
static float sse_muladd(long n, float m, float a) { CHAINS(__m128, _mm_set1_ps, _mm_add_ps, SSE_OP, sum4) }

__attribute__((target("avx2,fma"))) static float sum8(__m256 s) {
    return sum4(_mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1)));
}
#define AVX2_OP(x) _mm256_fmadd_ps(x, vm, va)
__attribute__((target("avx2,fma"))) static float avx2_fma(long n, float m, float a) {
    CHAINS(__m256, _mm256_set1_ps, _mm256_add_ps, AVX2_OP, sum8)
}

__attribute__((target("avx512f"))) static float sum16(__m512 s) { return _mm512_reduce_add_ps(s); }
#define AVX512_OP(x) _mm512_fmadd_ps(x, vm, va)
__attribute__((target("avx512f"))) static float avx512_fma(long n, float m, float a) {
    CHAINS(__m512, _mm512_set1_ps, _mm512_add_ps, AVX512_OP, sum16)
}
#endif

int main(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    int avx512 = __builtin_cpu_supports("avx512f");
    printf("{\"sse128_muladd_gflops\": %.1f", best(sse_muladd, 12 * 4 * 2));
    if (avx2) printf(", \"avx2_fma_gflops\": %.1f", best(avx2_fma, 12 * 8 * 2));
    else printf(", \"avx2_fma_gflops\": null");
    if (avx512) printf(", \"avx512_fma_gflops\": %.1f}\n", best(avx512_fma, 12 * 16 * 2));
    else printf(", \"avx512_fma_gflops\": null}\n");
#else
    printf("{}\n"); /* no probe for this architecture */
#endif
    return 0;
}
