/* cli.c: the native command-line tool, a thin layer over the core.
 *   ganplay train  --preset mlp --data FILE (--steps N | --seconds S) --seed N --out FILE
 *   ganplay sample --model FILE --count N --seed N [--png FILE] [--cols C] [--raw FILE] */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <stb/stb_image_write.h>

#include "dataset.h"
#include "gan.h"
#include "grid.h"
#include "kernels.h"
#include "modelfile.h"

static const char *TRAIN_USAGE =
    "usage: ganplay train --preset mlp --data FILE (--steps N | --seconds S) --seed N --out FILE\n"
    "                     [--resume FILE] [--generator-only | --f16] [--log-every N]\n"
    "                     [--batch N] [--latent N] [--lr-g X] [--lr-d X] [--beta1 X] [--beta2 X]\n"
    "                     [--d-steps N] [--loss nonsaturating|minimax] [--real-label X]\n"
    "Trains a GAN on a ganplay dataset (e.g. build/data/mnist.bin, training split only)\n"
    "and writes a model file: the whole training state (generator, discriminator and\n"
    "optimizer state, resumable with --resume), or with --generator-only the generator\n"
    "(--f16: the generator with float16 weights, half the size).\n"
    "Prints: step, D loss, G loss, mean D(x), mean D(G(z)), steps/s.\n";

static const char *SAMPLE_USAGE =
    "usage: ganplay sample --model FILE --count N --seed N [--png FILE] [--cols C] [--raw FILE]\n"
    "Generates N images from a model file's generator (evaluation mode).\n"
    "  --png FILE  a grid of the images, C columns (default: a near-square grid)\n"
    "  --raw FILE  N x 784 little-endian float32 in [-1, 1], row-major, white on black\n";

static const char *MAIN_USAGE =
    "usage: ganplay <command> [options]\n"
    "commands:\n"
    "  train    train a GAN and write a model file\n"
    "  sample   generate images from a model file\n"
    "Run 'ganplay <command> --help' for a command's options.\n";

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Strict number parsing: the whole string, within range. */
static int parse_long(const char *s, long lo, long hi, long *out) {
    if (!s || !*s) return 0;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return 0;
    *out = v;
    return 1;
}

static int parse_u64(const char *s, uint64_t *out) {
    if (!s || !*s || *s == '-') return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) return 0;
    *out = (uint64_t)v;
    return 1;
}

static int parse_float(const char *s, float *out) {
    if (!s || !*s) return 0;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v)) return 0;
    *out = (float)v;
    return 1;
}

static int bad_value(const char *cmd, const char *opt, const char *val) {
    fprintf(stderr, "ganplay %s: invalid value '%s' for %s\n", cmd, val ? val : "", opt);
    return 2;
}

static int cmd_train(int argc, char **argv) {
    const char *preset = NULL, *data = NULL, *out = NULL, *resume = NULL;
    long steps = -1, log_every = 100;
    float seconds = -1.0f;
    int have_seed = 0, generator_only = 0, half = 0;
    uint64_t seed = 0;
    /* hyperparameter overrides, applied to the preset's defaults */
    long batch = -1, latent = -1, d_steps = -1;
    float lr_g = -1, lr_d = -1, beta1 = -1, beta2 = -1, real_label = -1;
    int loss = -1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(TRAIN_USAGE, stdout);
            return 0;
        } else if (!strcmp(a, "--generator-only")) {
            generator_only = 1;
            continue;
        } else if (!strcmp(a, "--f16")) {
            generator_only = half = 1;
            continue;
        }
        if (!v) {
            fprintf(stderr, "ganplay train: %s needs a value\n%s", a, TRAIN_USAGE);
            return 2;
        }
        i++;
        if (!strcmp(a, "--preset")) preset = v;
        else if (!strcmp(a, "--data")) data = v;
        else if (!strcmp(a, "--out")) out = v;
        else if (!strcmp(a, "--resume")) resume = v;
        else if (!strcmp(a, "--steps")) { if (!parse_long(v, 1, 100000000, &steps)) return bad_value("train", a, v); }
        else if (!strcmp(a, "--seconds")) { if (!parse_float(v, &seconds) || seconds <= 0) return bad_value("train", a, v); }
        else if (!strcmp(a, "--seed")) { if (!parse_u64(v, &seed)) return bad_value("train", a, v); have_seed = 1; }
        else if (!strcmp(a, "--log-every")) { if (!parse_long(v, 1, 100000000, &log_every)) return bad_value("train", a, v); }
        else if (!strcmp(a, "--batch")) { if (!parse_long(v, 2, 1024, &batch)) return bad_value("train", a, v); }
        else if (!strcmp(a, "--latent")) { if (!parse_long(v, 1, 1024, &latent)) return bad_value("train", a, v); }
        else if (!strcmp(a, "--d-steps")) { if (!parse_long(v, 1, 16, &d_steps)) return bad_value("train", a, v); }
        else if (!strcmp(a, "--lr-g")) { if (!parse_float(v, &lr_g)) return bad_value("train", a, v); }
        else if (!strcmp(a, "--lr-d")) { if (!parse_float(v, &lr_d)) return bad_value("train", a, v); }
        else if (!strcmp(a, "--beta1")) { if (!parse_float(v, &beta1)) return bad_value("train", a, v); }
        else if (!strcmp(a, "--beta2")) { if (!parse_float(v, &beta2)) return bad_value("train", a, v); }
        else if (!strcmp(a, "--real-label")) { if (!parse_float(v, &real_label)) return bad_value("train", a, v); }
        else if (!strcmp(a, "--loss")) {
            if (!strcmp(v, "nonsaturating")) loss = GP_LOSS_NONSATURATING;
            else if (!strcmp(v, "minimax")) loss = GP_LOSS_MINIMAX;
            else return bad_value("train", a, v);
        } else {
            fprintf(stderr, "ganplay train: unknown option '%s'\n%s", a, TRAIN_USAGE);
            return 2;
        }
    }
    if (!data || !out || (steps < 0) == (seconds < 0) || (!resume && (!preset || !have_seed))) {
        fprintf(stderr, "ganplay train: needs --data, --out, exactly one of --steps and --seconds,\n"
                        "and --preset and --seed unless resuming\n%s", TRAIN_USAGE);
        return 2;
    }

    gp_err err = {{0}};
    gp_dataset ds;
    if (gp_dataset_load(&ds, data, &err) != GP_OK) {
        fprintf(stderr, "ganplay train: %s\n", err.msg);
        return 1;
    }
    gp_gan gan;
    gp_status st;
    if (resume) {
        st = gp_model_load_file(&gan, resume, &err);
        if (st == GP_OK && !gan.has_d) {
            gp_gan_free(&gan);
            st = gp_fail(&err, GP_ERR_ARG, "'%s' holds a generator only; resuming needs a full training state", resume);
        }
        if (st == GP_OK && preset && strcmp(preset, gan.cfg.preset) != 0) {
            gp_gan_free(&gan);
            st = gp_fail(&err, GP_ERR_ARG, "'%s' is a '%s' model, not '%s'", resume, gan.cfg.preset, preset);
        }
    } else {
        gp_gan_config cfg;
        st = gp_gan_config_default(&cfg, preset, &err);
        if (st == GP_OK) {
            cfg.seed = seed;
            if (batch > 0) cfg.batch = (int)batch;
            if (latent > 0) cfg.latent = (int)latent;
            if (d_steps > 0) cfg.d_steps = (int)d_steps;
            if (lr_g >= 0) cfg.lr_g = lr_g;
            if (lr_d >= 0) cfg.lr_d = lr_d;
            if (beta1 >= 0) cfg.beta1 = beta1;
            if (beta2 >= 0) cfg.beta2 = beta2;
            if (real_label >= 0) cfg.real_label = real_label;
            if (loss >= 0) cfg.loss = loss;
            st = gp_gan_create(&gan, &cfg, 1, &err);
        }
    }
    if (st != GP_OK) {
        fprintf(stderr, "ganplay train: %s\n", err.msg);
        gp_dataset_free(&ds);
        return st == GP_ERR_ARG ? 2 : 1;
    }
    printf("training %s GAN: batch %d, latent %d, %d training images, kernels: %s\n", gan.cfg.preset,
           gan.cfg.batch, gan.cfg.latent, ds.n_train, gp_kernels_simd() ? "simd128" : "portable");
    double t0 = now_seconds(), t_log = t0;
    long done = 0, at_log = 0;
    int rc = 0;
    for (;;) {
        if (steps >= 0 ? done >= steps : now_seconds() - t0 >= seconds) break;
        st = gp_gan_train_step(&gan, &ds, &err);
        done++;
        if (st != GP_OK) {
            fprintf(stderr, "ganplay train: %s; stopping without writing %s\n", err.msg, out);
            rc = 1;
            break;
        }
        if (done % log_every == 0 || (steps >= 0 && done == steps)) {
            double t = now_seconds();
            printf("step %6ld  d_loss %.4f  g_loss %.4f  D(x) %.3f  D(G(z)) %.3f  steps/s %.1f\n",
                   gan.stats.step, gan.stats.d_loss, gan.stats.g_loss, gan.stats.d_real, gan.stats.d_fake,
                   (done - at_log) / (t - t_log));
            fflush(stdout);
            t_log = t;
            at_log = done;
        }
    }
    double elapsed = now_seconds() - t0;
    if (rc == 0) {
        printf("%ld steps in %.1f s (%.1f steps/s)\n", done, elapsed, done / elapsed);
        int kind = generator_only ? (half ? GP_SAVE_GENERATOR_F16 : GP_SAVE_GENERATOR) : GP_SAVE_TRAINING;
        if (gp_model_save_file(&gan, kind, out, &err) != GP_OK) {
            fprintf(stderr, "ganplay train: %s\n", err.msg);
            rc = 1;
        } else {
            printf("wrote %s\n", out);
        }
    }
    gp_gan_free(&gan);
    gp_dataset_free(&ds);
    return rc;
}

static int cmd_sample(int argc, char **argv) {
    const char *model = NULL, *png = NULL, *raw = NULL;
    long count = -1, cols = 0;
    uint64_t seed = 0;
    int have_seed = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(SAMPLE_USAGE, stdout);
            return 0;
        }
        if (!v) {
            fprintf(stderr, "ganplay sample: %s needs a value\n%s", a, SAMPLE_USAGE);
            return 2;
        }
        i++;
        if (!strcmp(a, "--model")) model = v;
        else if (!strcmp(a, "--png")) png = v;
        else if (!strcmp(a, "--raw")) raw = v;
        else if (!strcmp(a, "--count")) { if (!parse_long(v, 1, 100000, &count)) return bad_value("sample", a, v); }
        else if (!strcmp(a, "--cols")) { if (!parse_long(v, 1, 1000, &cols)) return bad_value("sample", a, v); }
        else if (!strcmp(a, "--seed")) { if (!parse_u64(v, &seed)) return bad_value("sample", a, v); have_seed = 1; }
        else {
            fprintf(stderr, "ganplay sample: unknown option '%s'\n%s", a, SAMPLE_USAGE);
            return 2;
        }
    }
    if (!model || count < 0 || !have_seed || (!png && !raw)) {
        fprintf(stderr, "ganplay sample: needs --model, --count, --seed and at least one of --png, --raw\n%s",
                SAMPLE_USAGE);
        return 2;
    }
    gp_err err = {{0}};
    gp_gan gan;
    if (gp_model_load_file(&gan, model, &err) != GP_OK) {
        fprintf(stderr, "ganplay sample: %s\n", err.msg);
        return 1;
    }
    gp_shape img = gp_gan_image_shape(&gan);
    size_t n_img = (size_t)gp_shape_size(img);
    float *z = malloc(sizeof(float) * (size_t)count * gan.cfg.latent);
    float *images = malloc(sizeof(float) * (size_t)count * n_img);
    int rc = 0;
    if (!z || !images) {
        fprintf(stderr, "ganplay sample: out of memory for %ld samples\n", count);
        rc = 1;
        goto done;
    }
    gp_gan_latents(&gan, seed, (int)count, z);
    gp_gan_generate(&gan, z, (int)count, images);
    if (raw) {
        FILE *f = fopen(raw, "wb");
        int ok = f != NULL;
        for (size_t i = 0; ok && i < (size_t)count * n_img; i++) {
            uint32_t v;
            memcpy(&v, &images[i], 4);
            uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
            ok = fwrite(b, 1, 4, f) == 4;
        }
        if (f && fclose(f) != 0) ok = 0;
        if (!ok) {
            fprintf(stderr, "ganplay sample: cannot write '%s': %s\n", raw, strerror(errno));
            rc = 1;
            goto done;
        }
        printf("wrote %ld samples to %s\n", count, raw);
    }
    if (png) {
        if (cols == 0) {
            cols = 1;
            while (cols * cols < count) cols++;
        }
        int gw, gh;
        gp_grid_size((int)count, (int)cols, img.h, img.w, &gw, &gh);
        uint8_t *pixels = malloc((size_t)gw * gh);
        if (pixels) gp_grid_render(pixels, 1, images, (int)count, (int)cols, img.h, img.w);
        if (!pixels || !stbi_write_png(png, gw, gh, 1, pixels, gw)) {
            fprintf(stderr, "ganplay sample: cannot write PNG '%s'\n", png);
            rc = 1;
        } else {
            printf("wrote %dx%d grid of %ld samples to %s\n", gw, gh, count, png);
        }
        free(pixels);
    }
done:
    free(z);
    free(images);
    gp_gan_free(&gan);
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(MAIN_USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "train")) return cmd_train(argc, argv);
    if (!strcmp(argv[1], "sample")) return cmd_sample(argc, argv);
    fprintf(stderr, "ganplay: unknown command '%s'\n%s", argv[1], MAIN_USAGE);
    return 2;
}
