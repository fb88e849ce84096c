/* rng.h: a seedable random number generator that gives the same sequence
 * natively and in wasm. The state is a plain struct owned by the caller.
 * Normals use the Marsaglia polar method with a log built from + - * / only,
 * so no libm difference between platforms can change a single bit. */
#ifndef GP_RNG_H
#define GP_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t state;
} gp_rng;

void gp_rng_seed(gp_rng *rng, uint64_t seed);
uint64_t gp_rng_u64(gp_rng *rng);
/* uniform in [0, 1) with 24 random bits */
float gp_rng_uniform(gp_rng *rng);
/* uniform integer in [0, n), n > 0, without modulo bias */
uint32_t gp_rng_below(gp_rng *rng, uint32_t n);
/* standard normal */
float gp_rng_normal(gp_rng *rng);
void gp_rng_fill_normal(gp_rng *rng, float *out, int n, float mean, float std);
void gp_rng_fill_uniform(gp_rng *rng, float *out, int n, float lo, float hi);

/* Salts that derive one stream from another seed. They are part of the
 * reproducibility promise (the same seed trains the same model on any
 * machine): changing one changes every model trained since. */
#define GP_SALT_TRAINING 0x5DEECE66Dull          /* a GAN's batches and noise, from its seed */
#define GP_SALT_DROPOUT 0xD1B54A32D192ED03ull    /* a net's dropout masks, from its init stream */
#define GP_SALT_CLASSIFIER 0xC1A55ull            /* the classifier's batches and shifts, from its seed */
#define GP_SALT_RECALIBRATE 7ull                 /* BatchNorm re-estimation at export (+ the model's seed) */
#define GP_SALT_2D_EVAL 0x70E7A1ull             /* the real points a 2-D model is measured against */

#endif
