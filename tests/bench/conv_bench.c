/* conv_bench.c: per-layer timings of the DCGAN's generator and
 * discriminator at batch 64, and of a whole training step as gp_gan runs
 * one (D on a real and a fake batch with parameter gradients, then D to
 * its input and G's backward). Figures printed, never asserted.
 *
 *   G: z(100) -> Linear 6272 -> Reshape (128,7,7) -> BN2d -> ReLU
 *      -> ConvT(128,64,4,2,1) -> BN2d -> ReLU -> ConvT(64,1,4,2,1) -> Tanh
 *   D: Conv(1,64,4,2,1) -> LReLU 0.2 -> Conv(64,128,4,2,1) -> BN2d -> LReLU
 *      -> Flatten -> Linear 1
 *
 * native: gcc -std=c11 -O2 -ffp-contract=off -Isrc tests/bench/conv_bench.c \
 *           src/nn/kernels.c src/nn/layers.c src/nn/net.c src/base/rng.c src/base/status.c -lm
 * wasm:   emcc -std=c11 -O3 -msimd128 -ffp-contract=off -Isrc -sENVIRONMENT=node \
 *           -sALLOW_MEMORY_GROWTH=1 tests/bench/conv_bench.c src/nn/kernels.c \
 *           src/nn/layers.c src/nn/net.c src/base/rng.c src/base/status.c -o conv_bench.js
 *         node --no-experimental-fetch conv_bench.js
 * usage: conv_bench [seconds per measurement, default 1] */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../gradcheck.h"

#define BATCH 64

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const char *kind_name(uint32_t kind) {
    switch (kind) {
    case GP_LAYER_LINEAR: return "Linear";
    case GP_LAYER_BATCHNORM: return "BatchNorm1d";
    case GP_LAYER_LEAKY_RELU: return "LeakyReLU";
    case GP_LAYER_RELU: return "ReLU";
    case GP_LAYER_TANH: return "Tanh";
    case GP_LAYER_SIGMOID: return "Sigmoid";
    case GP_LAYER_CONV2D: return "Conv2d";
    case GP_LAYER_CONVT2D: return "ConvT2d";
    case GP_LAYER_BATCHNORM2D: return "BatchNorm2d";
    case GP_LAYER_RESHAPE: return "Reshape";
    case GP_LAYER_DROPOUT: return "Dropout";
    default: return "?";
    }
}

/* Per layer: forward, and backward with parameter gradients and the input
 * gradient (except layer 0, whose input gradient a training step never
 * needs), each repeated for about min_time; the best time is printed. */
static void time_layers(const char *name, gp_net *net, double min_time) {
    int B = BATCH;
    size_t ni = (size_t)B * gp_shape_size(net->shape[0]);
    float *x = malloc(ni * sizeof(float));
    gp_rng r;
    gp_rng_seed(&r, 3);
    gp_rng_fill_normal(&r, x, (int)ni, 0.0f, 1.0f);
    gp_net_forward(net, x, B);
    size_t max_out = 0;
    for (int i = 0; i <= net->n_layers; i++) {
        size_t n = (size_t)B * gp_shape_size(net->shape[i]);
        if (n > max_out) max_out = n;
    }
    float *dy = malloc(max_out * sizeof(float)), *dx = malloc(max_out * sizeof(float));
    gp_rng_fill_normal(&r, dy, (int)max_out, 0.0f, 0.01f);
    printf("%s (batch %d)\n%-3s %-12s %-14s %10s %10s\n", name, B, "#", "layer", "output", "fwd ms", "bwd ms");
    double tf_all = 0, tb_all = 0;
    for (int i = 0; i < net->n_layers; i++) {
        /* the fastest of the repetitions: the least disturbed by other load */
        double t0 = now(), tf = 1e30, tb = 1e30;
        do {
            double t = now();
            gp_net_layer_forward(net, i, B);
            t = now() - t;
            tf = t < tf ? t : tf;
        } while (now() - t0 < min_time);
        t0 = now();
        do {
            double t = now();
            gp_net_layer_backward(net, i, B, dy, i > 0 ? dx : NULL, 1);
            t = now() - t;
            tb = t < tb ? t : tb;
        } while (now() - t0 < min_time);
        gp_shape o = net->shape[i + 1];
        char shape[32];
        snprintf(shape, sizeof shape, "%dx%dx%d", o.c, o.h, o.w);
        printf("%-3d %-12s %-14s %10.3f %10.3f\n", i, kind_name(net->layers[i].kind), shape, tf * 1e3, tb * 1e3);
        tf_all += tf;
        tb_all += tb;
    }
    printf("    %-12s %-14s %10.3f %10.3f\n\n", "total", "", tf_all * 1e3, tb_all * 1e3);
    gp_net_zero_grad(net);
    free(x);
    free(dy);
    free(dx);
}

/* What gp_gan_train_step does (d_steps 1, fake batch reused), minus the
 * data loading and losses. */
static void train_step(gp_net *G, gp_net *D, const float *z, const float *real, float *dlogits, gp_adam *og,
                       gp_adam *od) {
    const float *fake = gp_net_forward(G, z, BATCH);
    gp_net_zero_grad(D);
    gp_net_forward(D, real, BATCH);
    gp_net_backward(D, dlogits, BATCH, 1, 0);
    gp_net_forward(D, fake, BATCH);
    gp_net_backward(D, dlogits, BATCH, 1, 0);
    gp_net_adam_step(D, od);
    gp_net_forward(D, fake, BATCH);
    const float *dfake = gp_net_backward(D, dlogits, BATCH, 0, 1);
    gp_net_zero_grad(G);
    gp_net_backward(G, dfake, BATCH, 1, 0);
    gp_net_adam_step(G, og);
}

int main(int argc, char **argv) {
    double min_time = argc > 1 ? atof(argv[1]) : 1.0;
    if (!(min_time > 0)) min_time = 1.0;
    gp_layer_desc g[9] = {
        {.kind = GP_LAYER_LINEAR, .out_c = 128 * 7 * 7}, desc_reshape(128, 7, 7),
        desc_simple(GP_LAYER_BATCHNORM2D, 0),            desc_simple(GP_LAYER_RELU, 0),
        desc_conv(GP_LAYER_CONVT2D, 64, 4, 2, 1),        desc_simple(GP_LAYER_BATCHNORM2D, 0),
        desc_simple(GP_LAYER_RELU, 0),                   desc_conv(GP_LAYER_CONVT2D, 1, 4, 2, 1),
        desc_simple(GP_LAYER_TANH, 0),
    };
    gp_layer_desc d[7] = {
        desc_conv(GP_LAYER_CONV2D, 64, 4, 2, 1),   desc_simple(GP_LAYER_LEAKY_RELU, 0.2f),
        desc_conv(GP_LAYER_CONV2D, 128, 4, 2, 1),  desc_simple(GP_LAYER_BATCHNORM2D, 0),
        desc_simple(GP_LAYER_LEAKY_RELU, 0.2f),    desc_reshape(128 * 7 * 7, 1, 1),
        {.kind = GP_LAYER_LINEAR, .out_c = 1},
    };
    gp_net G, D;
    gp_err err = {{0}};
    if (gp_net_create(&G, (gp_shape){100, 1, 1}, g, 9, BATCH, &err) != GP_OK ||
        gp_net_create(&D, (gp_shape){1, 28, 28}, d, 7, BATCH, &err) != GP_OK) {
        fprintf(stderr, "conv_bench: %s\n", err.msg);
        return 1;
    }
    gp_rng init;
    gp_rng_seed(&init, 1);
    gp_net_init_normal(&G, &init, 0.02f);
    gp_net_init_normal(&D, &init, 0.02f);
    printf("kernels: %s; workspace floats: G %zu, D %zu\n\n", gp_kernels_simd() ? "simd128" : "portable",
           G.ws_size, D.ws_size);
    time_layers("G", &G, min_time * 0.2);
    time_layers("D", &D, min_time * 0.2);

    float *z = malloc(sizeof(float) * BATCH * 100), *real = malloc(sizeof(float) * BATCH * 784);
    float dlogits[BATCH];
    gp_rng_fill_normal(&init, z, BATCH * 100, 0.0f, 1.0f);
    gp_rng_fill_uniform(&init, real, BATCH * 784, -1.0f, 1.0f);
    for (int i = 0; i < BATCH; i++) dlogits[i] = (i & 1 ? 0.5f : -0.5f) / BATCH;
    gp_adam og = {2e-4f, 0.5f, 0.999f, 1e-8f, 0}, od = og;
    train_step(&G, &D, z, real, dlogits, &og, &od); /* warm up */
    long steps = 0;
    double t0 = now(), t, best = 1e30;
    do {
        double ts = now();
        train_step(&G, &D, z, real, dlogits, &og, &od);
        ts = now() - ts;
        best = ts < best ? ts : best; /* the fastest step: least disturbed by other load */
        steps++;
        t = now() - t0;
    } while (t < 3 * min_time || steps < 3);
    printf("training step (G fwd, D fwd+bwd x2, D fwd+bwd to input, G bwd, 2 Adam): %.1f ms mean, "
           "%.1f ms best, %.2f steps/s\n", t / steps * 1e3, best * 1e3, steps / t);
    free(z);
    free(real);
    gp_net_free(&G);
    gp_net_free(&D);
    return 0;
}
