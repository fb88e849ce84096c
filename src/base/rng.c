#include "base/rng.h"

#include <math.h>

/* splitmix64: one 64-bit add and a mix per draw; passes BigCrush. */
void gp_rng_seed(gp_rng *rng, uint64_t seed) { rng->state = seed; }

uint64_t gp_rng_u64(gp_rng *rng) {
    uint64_t z = (rng->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

float gp_rng_uniform(gp_rng *rng) {
    return (float)(gp_rng_u64(rng) >> 40) * (1.0f / 16777216.0f);
}

uint32_t gp_rng_below(gp_rng *rng, uint32_t n) {
    uint64_t limit = (UINT64_MAX / n) * n; /* reject the biased top */
    uint64_t x;
    do x = gp_rng_u64(rng);
    while (x >= limit);
    return (uint32_t)(x % n);
}

/* Natural log for x in (0, 1], in double, from frexp (exact) and the series
 * log(m) = 2 atanh(s), s = (m-1)/(m+1), |s| < 0.172: 12 terms reach 1e-19. */
static double portable_log(double x) {
    int e;
    double m = frexp(x, &e); /* x = m * 2^e, m in [0.5, 1) */
    if (m < 0.70710678118654752) {
        m *= 2.0;
        e -= 1;
    }
    double s = (m - 1.0) / (m + 1.0), s2 = s * s, term = s, sum = 0.0;
    for (int k = 1; k <= 23; k += 2) {
        sum += term / k;
        term *= s2;
    }
    return 2.0 * sum + e * 0.69314718055994530942;
}

float gp_rng_normal(gp_rng *rng) {
    /* Marsaglia polar method; one normal per accepted pair (the second is
     * dropped so that the state alone determines the sequence). */
    for (;;) {
        double u = 2.0 * ((double)(gp_rng_u64(rng) >> 11) * 0x1.0p-53) - 1.0;
        double v = 2.0 * ((double)(gp_rng_u64(rng) >> 11) * 0x1.0p-53) - 1.0;
        double s = u * u + v * v;
        if (s >= 1.0 || s == 0.0) continue;
        return (float)(u * sqrt(-2.0 * portable_log(s) / s));
    }
}

void gp_rng_fill_normal(gp_rng *rng, float *out, int n, float mean, float std) {
    for (int i = 0; i < n; i++) out[i] = mean + std * gp_rng_normal(rng);
}

void gp_rng_fill_uniform(gp_rng *rng, float *out, int n, float lo, float hi) {
    for (int i = 0; i < n; i++) out[i] = lo + (hi - lo) * gp_rng_uniform(rng);
}
