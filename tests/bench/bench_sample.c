/* bench_sample.c: the time ganplay takes to sample 64 images from a model
 * file natively, the figure scripts/bench-onnx.mjs sets beside ONNX Runtime's.
 * Latents from --z (64 x latent little-endian float32, the ones ONNX Runtime
 * gets) or from seed 7; classes in turn for a conditional model (sample i of
 * class i mod classes, as `ganplay sample` without --class). Two warm-up
 * calls, then ROUNDS rounds of calls for at least 0.5 s each: the fastest
 * round's mean, so that a burst of load on a shared machine weighs less.
 * Printed (JSON), never asserted.
 * usage: bench-sample MODEL.gpm [--threads N] [--z Z.f32] */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eval/score.h"
#include "gan/gan.h"
#include "nn/kernels.h"
#include "store/modelfile.h"

enum { BATCH = 64, ROUNDS = 3 };

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    const char *model = NULL, *zfile = NULL;
    int threads = 1;
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--threads") && a + 1 < argc) threads = atoi(argv[++a]);
        else if (!strcmp(argv[a], "--z") && a + 1 < argc) zfile = argv[++a];
        else if (!model && argv[a][0] != '-') model = argv[a];
        else model = NULL, a = argc;
    }
    if (!model || threads < 1) {
        fprintf(stderr, "usage: bench-sample MODEL.gpm [--threads N] [--z Z.f32]\n");
        return 2;
    }
    gp_err err = {{0}};
    gp_threads *th = NULL;
    gp_gan gan;
    if (gp_threads_create(&th, threads, &err) != GP_OK || gp_model_load_file(&gan, model, &err) != GP_OK) {
        fprintf(stderr, "bench-sample: %s\n", err.msg);
        return 1;
    }
    gp_gan_set_threads(&gan, th);
    size_t zn = (size_t)BATCH * gan.cfg.latent, n_img = gp_shape_size(gp_gan_image_shape(&gan));
    float *z = malloc(sizeof(float) * zn), *img = malloc(sizeof(float) * BATCH * n_img);
    int labels[BATCH];
    if (!z || !img) {
        fprintf(stderr, "bench-sample: out of memory\n");
        return 1;
    }
    if (zfile) {
        FILE *f = fopen(zfile, "rb");
        size_t got = f ? fread(z, sizeof(float), zn, f) : 0;
        if (f) fclose(f);
        if (got != zn) {
            fprintf(stderr, "bench-sample: %s: needs %zu float32 latents (64 x %d)\n", zfile, zn, gan.cfg.latent);
            return 1;
        }
    } else {
        gp_gan_latents(&gan, 7, BATCH, z);
    }
    gp_score_labels(labels, BATCH, gan.cfg.classes, -1);
    const int *y = gan.cfg.classes ? labels : NULL;
    for (int i = 0; i < 2; i++) gp_gan_generate(&gan, z, y, BATCH, img); /* warm up */
    double best = 0;
    for (int r = 0; r < ROUNDS; r++) {
        int reps = 0;
        double t0 = now(), t;
        do {
            gp_gan_generate(&gan, z, y, BATCH, img);
            reps++;
            t = now() - t0;
        } while (t < 0.5);
        if (r == 0 || t / reps < best) best = t / reps;
    }
    printf("{\"kernels\": \"%s\", \"threads\": %d, \"latent\": %d, \"classes\": %d, \"sample64_ms\": %.3f}\n",
           gp_kernels_simd() ? "simd128" : "portable", gp_threads_count(th), gan.cfg.latent, gan.cfg.classes, best * 1e3);
    free(z);
    free(img);
    gp_gan_free(&gan);
    gp_threads_free(th);
    return 0;
}
