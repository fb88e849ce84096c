/* latent.h: moving about in G's latent space (the page's explore tools).
 * Vectors are L floats; out may alias an input. */
#ifndef GP_LATENT_H
#define GP_LATENT_H

#include <stdint.h>

/* Spherical interpolation from a (t = 0) to b (t = 1): it keeps the vectors'
 * typical length, which a straight line would shrink. */
void gp_latent_slerp(float *out, const float *a, const float *b, int L, double t);
/* out = z + amount * d */
void gp_latent_step(float *out, const float *z, const float *d, int L, double amount);
/* out = z + radius * standard normal noise drawn from seed: a neighbour of z. */
void gp_latent_jitter(float *out, const float *z, int L, uint64_t seed, double radius);

#endif
