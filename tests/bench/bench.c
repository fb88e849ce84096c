/* bench.c: benchmark, figures printed (never asserted). Built natively and
 * for node (wasm SIMD and portable); scripts/bench.mjs runs all builds and
 * prints one table. Measures GEMM GFLOP/s for the seed GAN's products as a
 * training step runs them, and for the seed MLP GAN and the DCGAN the
 * training steps/s and the time to sample 64 images (W1, W2), and the same for
 * the conditional DCGAN on 3x32x32 colour images of 9 classes (W3); for
 * each, the FLOPs of a step (the products of both nets' passes, counted from
 * the layer shapes by the net's profile), the effective GFLOP/s, and where
 * the step's time goes, layer by layer and pass by pass.
 * usage: bench [--json] [--threads N] [mnist.bin] */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "data/dataset.h"
#include "gan/config.h"
#include "gan/gan.h"
#include "gan/2d.h"
#include "nn/kernels.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef void (*gemm_fn)(int, int, int, const float *, int, int, const float *, int, int,
                        const float *, float *, int, int, float *, gp_threads *);

/* One product as the training step runs it. kind: "fwd" C = A B^T (weights
 * (N,K)), "dx" C = A B, "dw" C += A^T B. */
static double gflops(gemm_fn f, const char *kind, int M, int N, int K, double min_time, gp_threads *th) {
    float *A = malloc(sizeof(float) * (size_t)M * K), *B = malloc(sizeof(float) * (size_t)K * N);
    float *C = calloc((size_t)M * N, sizeof(float)), *ws = malloc(sizeof(float) * gp_gemm_workspace(M, N, K));
    for (size_t i = 0; i < (size_t)M * K; i++) A[i] = (float)((i * 7919) % 13) * 0.01f;
    for (size_t i = 0; i < (size_t)K * N; i++) B[i] = (float)((i * 104729) % 17) * 0.01f;
    long reps = 0;
    double t0 = now(), t;
    do {
        if (!strcmp(kind, "fwd")) f(M, N, K, A, K, 1, B, 1, K, NULL, C, N, 0, ws, th);
        else if (!strcmp(kind, "dx")) f(M, N, K, A, K, 1, B, N, 1, NULL, C, N, 0, ws, th);
        else f(M, N, K, A, 1, M, B, N, 1, NULL, C, N, 1, ws, th);
        reps++;
        t = now() - t0;
    } while (t < min_time);
    free(A); free(B); free(C); free(ws);
    return 2.0 * M * N * K * reps / t * 1e-9;
}

/* W3's data: 450 colour images of 3x32x32 (per image its R, G, B planes) in 9
 * classes, made here (a training step's time does not depend on the pixels, and
 * the benchmark then needs no emoji download): a coloured disc per image on white. */
static gp_status colour_dataset(gp_dataset *ds, gp_err *err) {
    enum { COUNT = 450, SIDE = 32, PLANE = SIDE * SIDE, CLASSES = 9 };
    size_t len = 24 + (size_t)COUNT * (3 * PLANE + 1);
    uint8_t *bytes = malloc(len);
    if (!bytes) return gp_fail(err, GP_ERR_NOMEM, "out of memory for the colour benchmark's data");
    const uint32_t head[5] = {GP_DATASET_VERSION, COUNT, SIDE, SIDE, 3}; /* version, count, h, w, c */
    memcpy(bytes, GP_DATASET_MAGIC, 4);
    for (int f = 0; f < 5; f++)
        for (int b = 0; b < 4; b++) bytes[4 + 4 * f + b] = (uint8_t)(head[f] >> (8 * b)); /* little-endian */
    uint8_t *px = bytes + 24, *labels = bytes + 24 + (size_t)COUNT * 3 * PLANE;
    for (int i = 0; i < COUNT; i++) {
        int cy = 8 + (i * 7) % 16, cx = 8 + (i * 11) % 16, r = 5 + i % 6, k = i % CLASSES;
        const int colour[3] = {k * 28, 255 - k * 28, (k * 97) % 256};
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < SIDE; y++)
                for (int x = 0; x < SIDE; x++)
                    px[((size_t)i * 3 + c) * PLANE + y * SIDE + x] =
                        (uint8_t)((y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r ? colour[c] : 255);
        labels[i] = (uint8_t)k;
    }
    gp_status st = gp_dataset_from_bytes(ds, bytes, len, err);
    free(bytes);
    return st;
}

int main(int argc, char **argv) {
    int json = 0, threads = 1;
    const char *data = "build/data/mnist.bin";
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--json")) json = 1;
        else if (!strcmp(argv[a], "--threads") && a + 1 < argc) threads = atoi(argv[++a]);
        else data = argv[a];
    }
    gp_err err;
    gp_threads *th = NULL;
    if (gp_threads_create(&th, threads, &err) != GP_OK) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    /* (in, out) of every Linear layer of the seed GAN */
    static const int layers[][2] = {{100, 128}, {128, 256}, {256, 512}, {512, 1024}, {1024, 784},
                                    {784, 512}, {512, 256}};
    const int B = 64;
    if (!json) printf("kernels: %s\n%-22s %10s\n", gp_kernels_name(), "GEMM (MxKxN)", "GFLOP/s");
    if (json)
        printf("{\"kernels\": \"%s\", \"threads\": %d, \"gemm\": [", gp_kernels_name(),
               gp_threads_count(th));
    int first = 1;
    for (size_t l = 0; l < sizeof layers / sizeof layers[0]; l++) {
        int in = layers[l][0], out = layers[l][1];
        struct { const char *kind; int M, N, K; } shapes[3] = {
            {"fwd", B, out, in}, {"dx", B, in, out}, {"dw", out, in, B}};
        for (int s = 0; s < 3; s++) {
            double g = gflops(gp_gemm, shapes[s].kind, shapes[s].M, shapes[s].N, shapes[s].K, 0.2, th);
            char name[64];
            snprintf(name, sizeof name, "%s %dx%dx%d", shapes[s].kind, shapes[s].M, shapes[s].K, shapes[s].N);
            if (json) printf("%s{\"shape\": \"%s\", \"gflops\": %.2f}", first ? "" : ", ", name, g);
            else printf("%-22s %10.2f\n", name, g);
            first = 0;
        }
    }
    if (json) printf("]");

    gp_dataset ds;
    if (gp_dataset_load(&ds, data, &err) != GP_OK) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    /* W1 the seed MLP GAN and W2 the DCGAN, on 1x28x28 MNIST; W3 the conditional DCGAN on
     * 3x32x32 colour images of 9 classes (ACGAN, as the shipped emoji model): three upsamplings */
    gp_dataset colour;
    if (colour_dataset(&colour, &err) != GP_OK) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    static const struct { const char *key, *preset, *label; int colour; } workloads[] = {
        {"mlp", "mlp", "mlp GAN", 0}, {"dcgan", "dcgan", "dcgan GAN", 0},
        {"cdcgan32", "dcgan", "colour cDCGAN 3x32x32", 1}};
    for (size_t p = 0; p < sizeof workloads / sizeof workloads[0]; p++) {
        const gp_dataset *d = workloads[p].colour ? &colour : &ds;
        gp_gan_config cfg;
        gp_gan gan;
        gp_status st = gp_gan_config_default(&cfg, workloads[p].preset, &err);
        if (st == GP_OK && workloads[p].colour) {
            strcpy(cfg.dataset, "emoji");
            st = gp_setting_set(&cfg, gp_setting_find("cond"), GP_COND_ACGAN, &err);
            if (st == GP_OK) st = gp_gan_config_set_image(&cfg, d->c, d->h, d->w, &err);
            if (st == GP_OK) st = gp_gan_config_set_classes(&cfg, gp_dataset_classes(d), &err);
        }
        if (st != GP_OK || gp_gan_create(&gan, &cfg, 1, &err) != GP_OK) {
            fprintf(stderr, "bench: %s\n", err.msg);
            return 1;
        }
        gp_gan_set_threads(&gan, th);
        for (int i = 0; i < 3; i++) gp_gan_train_step(&gan, d, &err); /* warm up */
        int steps = 0;
        double t0 = now();
        while (now() - t0 < 3.0) {
            gp_gan_train_step(&gan, d, &err);
            steps++;
        }
        double sps = steps / (now() - t0);
        /* then a few steps with the per-layer profile on: FLOPs per step and where the time goes */
        static gp_layer_profile prof[2][GP_MAX_LAYERS], prof_sample[GP_MAX_LAYERS];
        gp_net *nets[2] = {&gan.G, &gan.D};
        for (int n = 0; n < 2; n++) gp_net_set_profile(nets[n], prof[n]);
        int prof_steps = 0;
        t0 = now();
        while (prof_steps < 3 || now() - t0 < 1.0) {
            gp_gan_train_step(&gan, d, &err);
            prof_steps++;
        }
        double prof_ms = (now() - t0) / prof_steps * 1e3, flops = 0.0, layers_ms = 0.0;
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < nets[n]->n_layers; i++) {
                flops += prof[n][i].fwd_flops + prof[n][i].bwd_flops;
                layers_ms += prof[n][i].fwd_ms + prof[n][i].bwd_ms;
            }
        flops /= prof_steps;
        layers_ms /= prof_steps;
        int n_img = d->c * d->h * d->w, labels[64];
        for (int i = 0; i < 64; i++) labels[i] = cfg.classes ? i % cfg.classes : 0;
        float *z = malloc(sizeof(float) * 64 * cfg.latent), *img = malloc(sizeof(float) * 64 * n_img);
        const int *y = cfg.classes ? labels : NULL;
        gp_gan_latents(&gan, 7, 64, z);
        gp_net_set_profile(&gan.D, NULL);
        gp_net_set_profile(&gan.G, prof_sample); /* the FLOPs of sampling 64 */
        gp_gan_generate(&gan, z, y, 64, img); /* warm up */
        double sample_flops = 0.0;
        for (int i = 0; i < gan.G.n_layers; i++) sample_flops += prof_sample[i].fwd_flops;
        gp_net_set_profile(&gan.G, NULL);
        int reps = 0;
        t0 = now();
        while (now() - t0 < 1.0) {
            gp_gan_generate(&gan, z, y, 64, img);
            reps++;
        }
        double sample_ms = (now() - t0) / reps * 1e3;
        const char *k = workloads[p].key;
        if (json) {
            printf(", \"%s_steps_per_s\": %.2f, \"%s_images_per_s\": %.1f, \"%s_sample64_ms\": %.3f", k, sps, k, sps * 64, k,
                   sample_ms);
            printf(", \"%s_flops_per_step\": %.0f, \"%s_gflops\": %.2f, \"%s_sample64_flops\": %.0f, \"%s_sample64_gflops\": %.2f",
                   k, flops, k, flops * sps * 1e-9, k, sample_flops, k, sample_flops / sample_ms * 1e-6);
            printf(", \"%s_profile\": {\"steps\": %d, \"step_ms\": %.3f, \"layers\": [", k, prof_steps, prof_ms);
        } else {
            printf("%s training: %.2f steps/s (%.0f images/s), 64 samples in %.2f ms\n", workloads[p].label, sps, sps * 64,
                   sample_ms);
            printf("  %.4f GFLOP per step: %.2f GFLOP/s; 64 samples %.4f GFLOP: %.2f GFLOP/s\n", flops * 1e-9,
                   flops * sps * 1e-9, sample_flops * 1e-9, sample_flops / sample_ms * 1e-6);
            printf("  profiled step %.2f ms, of it in layers %.2f ms (the rest: losses, Adam, data)\n"
                   "  %-3s %-2s %-16s %-12s %-12s %9s %9s %9s %9s %8s\n", prof_ms, layers_ms,
                   "net", "#", "layer", "in", "out", "fwd ms", "bwd ms", "fwd GF/s", "bwd GF/s", "share");
        }
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < nets[n]->n_layers; i++) {
                const gp_layer_profile *r = &prof[n][i];
                double fm = r->fwd_ms / prof_steps, bm = r->bwd_ms / prof_steps;
                double ff = r->fwd_flops / prof_steps, bf = r->bwd_flops / prof_steps;
                if (json) {
                    printf("%s{\"net\": \"%s\", \"layer\": %d, \"kind\": \"%s\", \"in\": [%d, %d, %d], \"out\": [%d, %d, %d], "
                           "\"fwd_ms\": %.4f, \"bwd_ms\": %.4f, \"fwd_flops\": %.0f, \"bwd_flops\": %.0f}",
                           n || i ? ", " : "", n ? "D" : "G", i, gp_layer_kind_name(r->kind), r->in.c, r->in.h, r->in.w,
                           r->out.c, r->out.h, r->out.w, fm, bm, ff, bf);
                } else if (p == 1 || fm + bm >= 0.02 * prof_ms) { /* W2 whole, the others' big items */
                    char in[24], out[24];
                    snprintf(in, sizeof in, "%dx%dx%d", r->in.c, r->in.h, r->in.w);
                    snprintf(out, sizeof out, "%dx%dx%d", r->out.c, r->out.h, r->out.w);
                    printf("  %-3s %-2d %-16s %-12s %-12s %9.3f %9.3f %9.2f %9.2f %7.1f%%\n", n ? "D" : "G", i,
                           gp_layer_kind_name(r->kind), in, out, fm, bm, fm > 0 ? ff / fm * 1e-6 : 0.0,
                           bm > 0 ? bf / bm * 1e-6 : 0.0, 100.0 * (fm + bm) / prof_ms);
                }
            }
        if (json) printf("]}");
        for (int n = 0; n < 2; n++) gp_net_set_profile(nets[n], NULL);
        free(z);
        free(img);
        gp_gan_free(&gan);
    }
    gp_dataset_free(&colour);
    /* the 2-D GAN of the healthy lesson: rounds per second, and one frame's work
     * (D on a 64 x 64 grid, a 24 x 24 manifold, 500 fakes, 48 arrows) */
    {
        gp_gan_config cfg;
        gp_gan gan;
        gp_2d_dist dist;
        if (gp_2d_lesson_config(gp_2d_lesson_find("healthy"), &cfg, &err) != GP_OK ||
            gp_2d_dist_init(&dist, cfg.dataset, NULL, 0, &err) != GP_OK || gp_gan_create(&gan, &cfg, 1, &err) != GP_OK) {
            fprintf(stderr, "bench: %s\n", err.msg);
            return 1;
        }
        gp_gan_set_threads(&gan, th);
        long rounds = 0;
        double t0 = now();
        while (now() - t0 < 2.0) {
            for (int i = 0; i < 50; i++) gp_2d_round(&gan, &dist, &err);
            rounds += 50;
        }
        double rps = rounds / (now() - t0);
        static float grid[64 * 64], z[2 * 576], mesh[2 * 576], fz[2 * 500], fake[2 * 500], arrows[2 * 48];
        int frames = 0;
        t0 = now();
        while (now() - t0 < 1.0) {
            gp_2d_d_grid(&gan, 64, grid);
            gp_2d_manifold(&gan, 24, z, mesh);
            gp_gan_latents(&gan, 99, 500, fz);
            gp_gan_generate(&gan, fz, NULL, 500, fake);
            gp_2d_g_arrows(&gan, fake, 48, arrows);
            frames++;
        }
        double frame_ms = (now() - t0) / frames * 1e3;
        if (json) printf(", \"rounds_per_s_2d\": %.0f, \"frame_ms_2d\": %.3f", rps, frame_ms);
        else printf("2-D GAN (healthy lesson): %.0f rounds/s, one frame's engine work %.2f ms\n", rps, frame_ms);
        gp_gan_free(&gan);
    }
    if (json) printf("}\n");
    gp_dataset_free(&ds);
    gp_threads_free(th);
    return 0;
}
