#include "gan/latent.h"

#include <math.h>
#include <stddef.h>

#include "base/rng.h"

void gp_latent_slerp(float *out, const float *a, const float *b, int L, double t) {
    double na = 0, nb = 0, dot = 0;
    for (int i = 0; i < L; i++) {
        na += (double)a[i] * a[i];
        nb += (double)b[i] * b[i];
        dot += (double)a[i] * b[i];
    }
    double wa = 1.0 - t, wb = t;
    if (na > 0 && nb > 0) {
        double c = dot / sqrt(na * nb);
        c = c > 1 ? 1 : c < -1 ? -1 : c;
        double omega = acos(c), so = sin(omega);
        if (so > 1e-6) {
            wa = sin((1.0 - t) * omega) / so;
            wb = sin(t * omega) / so;
        }
    }
    for (int i = 0; i < L; i++) out[i] = (float)(wa * a[i] + wb * b[i]); /* reads a[i], b[i] before writing */
}

void gp_latent_step(float *out, const float *z, const float *d, int L, double amount) {
    for (int i = 0; i < L; i++) out[i] = z[i] + (float)amount * d[i];
}

void gp_latent_jitter(float *out, const float *z, int L, uint64_t seed, double radius) {
    gp_rng rng;
    gp_rng_seed(&rng, seed);
    for (int i = 0; i < L; i++) out[i] = z[i] + (float)radius * gp_rng_normal(&rng);
}
