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
#include <unistd.h>

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include "eval/classifier.h"
#include "data/dataset.h"
#include "gan/gan.h"
#include "data/grid.h"
#include "nn/kernels.h"
#include "store/modelfile.h"
#include "gan/project.h"
#include "eval/score.h"
#include "gan/toy.h"

static const char *TRAIN_USAGE =
    "usage: ganplay train --preset mlp --data FILE (--steps N | --seconds S) --seed N --out FILE\n"
    "                     [--resume FILE] [--generator-only | --f16] [--log-every N] [--checkpoint-every N]\n"
    "                     [--batch N] [--latent N] [--lr-g X] [--lr-d X] [--beta1 X] [--beta2 X] [--adam-eps X]\n"
    "                     [--d-steps N] [--loss nonsaturating|minimax|lsgan|hinge|wgan_gp] [--real-label X]\n"
    "                     [--gp-weight X] [--r1 X] [--cond none|acgan|concat] [--aux-weight X] [--ema X]\n"
    "                     [--augment none|translate|translate_cutout]\n"
    "Trains a GAN on a ganplay dataset (e.g. build/data/mnist.bin, training split only)\n"
    "and writes a model file: the whole training state (generator, discriminator and\n"
    "optimizer state, resumable with --resume), or with --generator-only the generator\n"
    "(--f16: the generator with float16 weights, half the size).\n"
    "--cond makes a class-conditional model over the dataset's labels.\n"
    "Settings given with --resume apply if they can change on a running model\n"
    "(learning rates, betas, loss, ...); any other must equal the model's.\n"
    "--checkpoint-every N writes the training state to --out every N steps.\n"
    "Prints: step, D loss, G loss, mean D(x), mean D(G(z)), steps/s.\n";

static const char *SAMPLE_USAGE =
    "usage: ganplay sample --model FILE --count N (--seed N | --z FILE) [--png FILE] [--cols C] [--raw FILE]\n"
    "                      [--class K] [--labels FILE]\n"
    "Generates N images from a model file's generator (evaluation mode).\n"
    "  --class K     a class-conditional model draws class K (default: classes in\n"
    "                turn, sample i has class i mod the class count)\n"
    "  --labels FILE the class of each sample, one integer per line\n"
    "  --z FILE      the latents instead of --seed's: N x latent little-endian float32\n"
    "  --png FILE  a grid of the images, C columns (default: a near-square grid)\n"
    "  --raw FILE  N images of C x H x W little-endian float32 in [-1, 1] (N x 784 for\n"
    "              MNIST's 28x28), row-major, white on black\n";

static const char *CLASSIFIER_USAGE =
    "usage: ganplay train-classifier --data FILE --steps N --seed N --out FILE [--batch N] [--lr X]\n"
    "Trains the MNIST classifier that scores generators (Adam, random 2-pixel shifts)\n"
    "on the dataset's training split and reports its accuracy on the held-out split.\n";

static const char *SCORE_USAGE =
    "usage: ganplay score --classifier FILE --data FILE\n"
    "                     (--model FILE [--count N] [--seed N] | --raw FILE | --png FILE | --real N)\n"
    "Scores images with the classifier: the digit FD (Frechet distance between the\n"
    "classifier's features of the images and of the dataset's held-out images; lower\n"
    "is better), the predicted class histogram and its entropy (ln 10 = 2.303 when\n"
    "all classes are equally common).\n"
    "  --model FILE  N samples of a model file's generator (default 1000, seed 1)\n"
    "  --raw FILE    images as written by 'sample --raw' (N x the classifier's image size)\n"
    "  --labels FILE with --raw: the class each image was asked to show (as written\n"
    "                by 'sample --labels'), for the conditional accuracy\n"
    "  --class K     with a conditional --model: score class K only\n"
    "A class-conditional model (or --raw with --labels) also gets its conditional\n"
    "accuracy: the share of images the classifier assigns to the class asked for.\n"
    "  --png FILE    a grid as written by 'sample --png'\n"
    "  --real N      N images of the training split: what a perfect generator scores\n";

static const char *EXPORT_USAGE =
    "usage: ganplay export --model FILE --out FILE [--f16] [--recalibrate-bn N] [--no-ema]\n"
    "Writes the generator of a model file alone (float32, or float16 with --f16);\n"
    "a model trained with --ema gets its averaged weights (and 50 batches of\n"
    "BatchNorm recalibration unless --recalibrate-bn says otherwise), or with\n"
    "--no-ema the weights as trained.\n"
    "--recalibrate-bn N first re-estimates BatchNorm's running statistics from N\n"
    "batches of the final generator (see README, \"Sampling and BatchNorm\").\n";

static const char *INFO_USAGE =
    "usage: ganplay info --model FILE\n"
    "Prints one JSON object describing a model file: preset, dataset, image shape,\n"
    "classes (count and names; 0 when unconditional), steps, loss, the stability\n"
    "tools it used, and its settings.\n";

static const char *TRAIN2D_USAGE =
    "usage: ganplay train2d (--dist NAME | --lesson NAME) --steps N --seed S [--log-every N]\n"
    "                       [--loss ...] [--lr-g X] [--lr-d X] [--optimizer adam|sgd] [--batch N]\n"
    "                       [--latent 1|2] [--noise gaussian|uniform] [--d-steps N] [--g-steps N]\n"
    "                       [--g-layers N] [--g-width N] [--d-layers N] [--d-width N]\n"
    "                       [--activation relu|leaky_relu|tanh] [any other setting of train]\n"
    "Trains the 2-D GAN (preset toy2d) for N rounds (d_steps D steps, then g_steps G steps)\n"
    "on a toy distribution: line, two, ring, grid, moons, spiral; or a lesson's distribution\n"
    "and settings (healthy, collapse, oscillation, saturating, strong_d, fold), which the\n"
    "flags then override. Prints progress, then last one JSON line: rounds, modes_covered,\n"
    "modes_total, high_quality_share, kl, js (2,000 samples, 32x32 cells), rounds_per_s,\n"
    "d_loss, g_loss.\n";

static const char *PROJECT_USAGE =
    "usage: ganplay project --model FILE --png IN.png --out OUT.png [--mask MASK.png] [--class K]\n"
    "                       [--steps N] [--starts N] [--lr X] [--prior X] [--seed N] [--trace FILE.png]\n"
    "                       [--z FILE]\n"
    "Projects an image onto the generator: finds the latent z whose image G(z) is\n"
    "closest to IN.png (Adam on z through the frozen generator, from N starting\n"
    "points; default 300 steps, 8 starts, lr 0.05, prior 0.001, seed 1) and writes\n"
    "G(z) to OUT.png (a one-image grid, as 'sample --png' writes).\n"
    "  IN.png     the model's image size or a whole multiple (28x28, 280x280, ...),\n"
    "             or a one-image grid from 'sample --png'; dark ink on a light\n"
    "             page is inverted, as the page does\n"
    "  --mask     same size: white pixels must match, G fills the black ones\n"
    "  --class K  a conditional model draws class K (default: the best class)\n"
    "  --prior X  weight of mean(z^2) in the loss, keeping z typical\n"
    "  --trace    the best start's image every 25 steps, in one row\n"
    "  --z FILE   the latent, as little-endian float32\n"
    "Prints one JSON line: loss (mean squared pixel error over counted pixels,\n"
    "pixels in [-1, 1]), class, start, mean_z2, steps.\n";

static const char *MAIN_USAGE =
    "usage: ganplay <command> [options]\n"
    "commands:\n"
    "  train             train a GAN and write a model file\n"
    "  train2d           train a 2-D GAN on a toy distribution, print its coverage\n"
    "  sample            generate images from a model file\n"
    "  train-classifier  train the classifier used for scoring\n"
    "  score             digit FD and class histogram of a model or images\n"
    "  export            write a model file's generator alone\n"
    "  project           find the latent whose image matches a picture\n"
    "  info              describe a model file as JSON\n"
    "Any command takes --threads N: threads for the kernels (1..8; default: one per\n"
    "core). Results are the same bits with any number of threads.\n"
    "Run 'ganplay <command> --help' for a command's options.\n";

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Output built in memory, then written atomically (gp_write_file_atomic):
 * a failed write leaves whatever was at the path as it was. */
typedef struct {
    uint8_t *p;
    size_t len, cap;
    int failed;
} mem_out;

static void mem_put(mem_out *m, const void *src, size_t n) {
    if (m->failed) return;
    if (m->len + n > m->cap) {
        size_t cap = m->cap ? m->cap : 4096;
        while (cap < m->len + n) cap *= 2;
        uint8_t *p = realloc(m->p, cap);
        if (!p) {
            m->failed = 1;
            return;
        }
        m->p = p;
        m->cap = cap;
    }
    memcpy(m->p + m->len, src, n);
    m->len += n;
}

static void mem_put_cb(void *ctx, void *data, int size) { mem_put(ctx, data, size > 0 ? (size_t)size : 0); }

/* Writes and frees m; on failure prints why (as cmd) and returns 0. */
static int write_out(const char *cmd, const char *path, mem_out *m) {
    gp_err err = {{0}};
    int ok = !m->failed && gp_write_file_atomic(path, m->p, m->len, &err) == GP_OK;
    if (!ok) fprintf(stderr, "ganplay %s: %s\n", cmd, m->failed ? "out of memory building the output" : err.msg);
    free(m->p);
    memset(m, 0, sizeof *m);
    return ok;
}

/* count images as a grid PNG of `cols` columns, written atomically */
static int write_png_grid(const char *cmd, const char *path, const float *images, int count, int cols, gp_shape im) {
    int gw, gh;
    gp_grid_size(count, cols, im.h, im.w, &gw, &gh);
    uint8_t *pixels = malloc((size_t)gw * gh);
    mem_out m = {0};
    if (pixels) {
        gp_grid_render(pixels, 1, images, count, cols, im.h, im.w);
        if (!stbi_write_png_to_func(mem_put_cb, &m, gw, gh, 1, pixels, gw)) m.failed = 1;
    } else {
        m.failed = 1;
    }
    free(pixels);
    return write_out(cmd, path, &m);
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

/* A setting's flag: --lr-g for lr_g. */
static const gp_setting *setting_flag(const char *arg) {
    if (strncmp(arg, "--", 2) != 0 || strlen(arg) > 40) return NULL;
    char name[48];
    size_t i = 0;
    for (const char *c = arg + 2; *c; c++) name[i++] = *c == '-' ? '_' : *c;
    name[i] = 0;
    return gp_setting_find(name);
}

/* Settings given as flags (--lr-g 0.001), in the order given, as typed. */
typedef struct {
    const gp_setting *set[64];
    const char *text[64];
    int n, have_seed;
} given_settings;

/* Takes a setting's flag and its value: 1 if a was one, 0 if not, -1 if
 * there are too many. */
static int take_setting(given_settings *g, const char *a, const char *v) {
    const gp_setting *set = setting_flag(a);
    if (!set) return 0;
    if (g->n == 64) return -1;
    g->set[g->n] = set;
    g->text[g->n++] = v;
    g->have_seed |= !strcmp(set->name, "seed");
    return 1;
}

/* Applies them to cfg; on a refusal prints it (naming the flag) and returns 0. */
static int apply_settings(const char *cmd, const given_settings *g, gp_gan_config *cfg) {
    gp_err err;
    for (int k = 0; k < g->n; k++)
        if (gp_setting_parse(cfg, g->set[k], g->text[k], &err) != GP_OK) {
            fprintf(stderr, "ganplay %s: --%s: %s\n", cmd, g->set[k]->name, err.msg);
            return 0;
        }
    return 1;
}

/* The dataset's name as a model records it: mnist, fashion, or own. */
static const char *dataset_name(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!strncmp(base, "mnist", 5)) return "mnist";
    if (!strncmp(base, "fashion", 7)) return "fashion";
    return "own";
}

static int cmd_train(int argc, char **argv, gp_threads *th) {
    const char *preset = NULL, *data = NULL, *out = NULL, *resume = NULL;
    long steps = -1, log_every = 100, checkpoint_every = 0;
    float seconds = -1.0f;
    int generator_only = 0, half = 0;
    /* hyperparameters as given, applied to the preset's defaults (or checked against a resumed model) */
    given_settings given = {.n = 0};
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
        int taken = take_setting(&given, a, v);
        if (taken < 0) return bad_value("train", a, v);
        if (taken) continue;
        if (!strcmp(a, "--preset")) preset = v;
        else if (!strcmp(a, "--data")) data = v;
        else if (!strcmp(a, "--out")) out = v;
        else if (!strcmp(a, "--resume")) resume = v;
        else if (!strcmp(a, "--steps")) { if (!parse_long(v, 1, 100000000, &steps)) return bad_value("train", a, v); }
        else if (!strcmp(a, "--seconds")) { if (!parse_float(v, &seconds) || seconds <= 0) return bad_value("train", a, v); }
        else if (!strcmp(a, "--log-every")) { if (!parse_long(v, 1, 100000000, &log_every)) return bad_value("train", a, v); }
        else if (!strcmp(a, "--checkpoint-every")) { if (!parse_long(v, 1, 100000000, &checkpoint_every)) return bad_value("train", a, v); }
        else {
            fprintf(stderr, "ganplay train: unknown option '%s'\n%s", a, TRAIN_USAGE);
            return 2;
        }
    }
    if (!data || !out || (steps < 0) == (seconds < 0) || (!resume && (!preset || !given.have_seed))) {
        fprintf(stderr, "ganplay train: needs --data, --out, exactly one of --steps and --seconds,\n"
                        "and --preset and --seed unless resuming\n%s", TRAIN_USAGE);
        return 2;
    }
    /* every value, and the output's place, is checked before anything is loaded or trained */
    gp_err err = {{0}};
    if (gp_check_writable(out, &err) != GP_OK) {
        fprintf(stderr, "ganplay train: --out: %s\n", err.msg);
        return 1;
    }
    gp_gan_config wanted;
    if (gp_gan_config_default(&wanted, preset ? preset : "mlp", &err) != GP_OK) {
        fprintf(stderr, "ganplay train: %s\n", err.msg);
        return 2;
    }
    if (!apply_settings("train", &given, &wanted)) return 2;
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
            st = gp_fail(&err, GP_ERR_ARG, "'%s' is a '%s' model, not '%s'", resume, gan.cfg.preset, preset);
            gp_gan_free(&gan);
        }
        /* settings given with --resume: the live ones apply, the others must match */
        gp_gan_config cfg = st == GP_OK ? gan.cfg : wanted;
        for (int k = 0; st == GP_OK && k < given.n; k++) gp_setting_parse(&cfg, given.set[k], given.text[k], &err);
        if (st == GP_OK && (st = gp_gan_set_config(&gan, &cfg, &err)) != GP_OK) gp_gan_free(&gan);
        if (st == GP_OK) gp_gan_set_threads(&gan, th);
    } else {
        gp_gan_config cfg = wanted;
        snprintf(cfg.dataset, sizeof cfg.dataset, "%s", dataset_name(data));
        st = gp_gan_config_set_classes(&cfg, gp_dataset_classes(&ds), &err);
        if (st == GP_OK) st = gp_gan_create(&gan, &cfg, 1, &err);
        if (st == GP_OK) gp_gan_set_threads(&gan, th);
    }
    if (st != GP_OK) {
        fprintf(stderr, "ganplay train: %s\n", err.msg);
        gp_dataset_free(&ds);
        return st == GP_ERR_ARG ? 2 : 1;
    }
    printf("training %s GAN: batch %d, latent %d, loss %s, cond %s (%d classes), ema %g, %d training images, "
           "kernels: %s, %d thread%s\n", gan.cfg.preset, gan.cfg.batch, gan.cfg.latent, GP_LOSSES[gan.cfg.loss].name,
           gp_setting_find("cond")->choice(gan.cfg.cond), gan.cfg.classes, gan.cfg.ema, ds.n_train,
           gp_kernels_simd() ? "simd128" : "portable", gp_threads_count(th), gp_threads_count(th) > 1 ? "s" : "");
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
            printf("step %6ld  d_loss %.4f  g_loss %.4f  D(x) %.3f  D(G(z)) %.3f", gan.stats.step, gan.stats.d_loss,
                   gan.stats.g_loss, gan.stats.d_real, gan.stats.d_fake);
            if (gan.cfg.cond == GP_COND_ACGAN) printf("  D class acc %.3f", gan.stats.class_acc);
            if (gan.stats.penalty != 0.0f) printf("  penalty %.4f", gan.stats.penalty);
            printf("  steps/s %.1f\n", (done - at_log) / (t - t_log));
            fflush(stdout);
            t_log = t;
            at_log = done;
        }
        /* a resumable state now and then, so a long run survives an interruption */
        if (checkpoint_every && done % checkpoint_every == 0 && !(steps >= 0 && done == steps)) {
            if (gp_model_save_file(&gan, GP_SAVE_TRAINING, out, &err) != GP_OK) {
                fprintf(stderr, "ganplay train: checkpoint: %s\n", err.msg);
                rc = 1;
                break;
            }
            printf("checkpoint at step %ld: %s\n", gan.stats.step, out);
            fflush(stdout);
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

static int cmd_train2d(int argc, char **argv, gp_threads *th) {
    const char *dist = NULL, *lesson_name = NULL;
    long steps = -1, log_every = 1000;
    given_settings given = {.n = 0};
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(TRAIN2D_USAGE, stdout);
            return 0;
        }
        if (!v) {
            fprintf(stderr, "ganplay train2d: %s needs a value\n%s", a, TRAIN2D_USAGE);
            return 2;
        }
        i++;
        int taken = take_setting(&given, a, v);
        if (taken < 0) return bad_value("train2d", a, v);
        if (taken) continue;
        if (!strcmp(a, "--dist")) dist = v;
        else if (!strcmp(a, "--lesson")) lesson_name = v;
        else if (!strcmp(a, "--steps")) { if (!parse_long(v, 1, 100000000, &steps)) return bad_value("train2d", a, v); }
        else if (!strcmp(a, "--log-every")) { if (!parse_long(v, 1, 100000000, &log_every)) return bad_value("train2d", a, v); }
        else {
            fprintf(stderr, "ganplay train2d: unknown option '%s'\n%s", a, TRAIN2D_USAGE);
            return 2;
        }
    }
    if ((!dist && !lesson_name) || steps < 0 || (!given.have_seed && !lesson_name)) {
        fprintf(stderr, "ganplay train2d: needs --dist (or --lesson), --steps and --seed\n%s", TRAIN2D_USAGE);
        return 2;
    }
    gp_err err = {{0}};
    gp_gan_config cfg;
    if (lesson_name) {
        const gp_toy_lesson *lesson = gp_toy_lesson_find(lesson_name);
        if (!lesson) {
            fprintf(stderr, "ganplay train2d: unknown lesson '%s'\n", lesson_name);
            return 2;
        }
        if (gp_toy_lesson_config(lesson, &cfg, &err) != GP_OK) {
            fprintf(stderr, "ganplay train2d: %s\n", err.msg);
            return 1;
        }
    } else {
        gp_gan_config_default(&cfg, "toy2d", NULL);
    }
    if (dist) snprintf(cfg.dataset, sizeof cfg.dataset, "%s", dist);
    if (!apply_settings("train2d", &given, &cfg)) return 2;
    gp_toy toy;
    if (gp_toy_init(&toy, cfg.dataset, NULL, 0, &err) != GP_OK || toy.kind == GP_TOY_DRAWN) {
        fprintf(stderr, "ganplay train2d: --dist: %s\n", toy.kind == GP_TOY_DRAWN ? "'drawn' needs the page's canvas" : err.msg);
        return 2;
    }
    gp_gan gan;
    if (gp_gan_create(&gan, &cfg, 1, &err) != GP_OK) {
        fprintf(stderr, "ganplay train2d: %s\n", err.msg);
        return 2;
    }
    gp_gan_set_threads(&gan, th);
    printf("training 2-D GAN on %s: G %d x %d, D %d x %d, %s, noise %s (%d-D), loss %s, %s, batch %d, %d D + %d G "
           "steps per round\n", GP_TOYS[toy.kind].label, cfg.g_layers, cfg.g_width, cfg.d_layers, cfg.d_width,
           gp_setting_find("activation")->choice(cfg.activation), gp_setting_find("noise")->choice(cfg.noise),
           cfg.latent, GP_LOSSES[cfg.loss].name, gp_setting_find("optimizer")->choice(cfg.optimizer), cfg.batch,
           cfg.d_steps, cfg.g_steps);
    double t0 = now_seconds(), train_s = 0.0;
    int rc = 0;
    gp_toy_eval ev = {0, 0, {0, 0, 0}};
    for (long r = 1; r <= steps; r++) {
        double t = now_seconds();
        gp_status st = gp_toy_round(&gan, &toy, &err);
        train_s += now_seconds() - t;
        if (st != GP_OK) {
            fprintf(stderr, "ganplay train2d: %s\n", err.msg);
            rc = 1;
            break;
        }
        if (r % log_every == 0 || r == steps) {
            gp_toy_evaluate(&gan, &toy, 2000, 7, &ev, NULL);
            printf("round %7ld  d_loss %.4f  g_loss %.4f  D(x) %.3f  D(G(z)) %.3f  modes %d/%d  high quality %.3f  "
                   "KL %.3f  JS %.3f\n", r, gan.stats.d_loss, gan.stats.g_loss, gan.stats.d_real, gan.stats.d_fake,
                   ev.coverage.covered, ev.coverage.total, ev.coverage.high_quality, ev.kl, ev.js);
            fflush(stdout);
        }
    }
    if (rc == 0) {
        printf("%ld rounds in %.2f s\n", steps, now_seconds() - t0);
        printf("{\"rounds\":%ld,\"modes_covered\":%d,\"modes_total\":%d,\"high_quality_share\":%.4f,\"kl\":%.4f,"
               "\"js\":%.4f,\"rounds_per_s\":%.0f,\"d_loss\":%.4f,\"g_loss\":%.4f}\n", steps, ev.coverage.covered,
               ev.coverage.total, ev.coverage.high_quality, ev.kl, ev.js, steps / (train_s > 0 ? train_s : 1e-9),
               gan.stats.d_loss, gan.stats.g_loss);
    }
    gp_gan_free(&gan);
    return rc;
}

static int cmd_sample(int argc, char **argv, gp_threads *th) {
    const char *model = NULL, *png = NULL, *raw = NULL, *labels_out = NULL, *z_in = NULL;
    long count = -1, cols = 0, label = -1;
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
        else if (!strcmp(a, "--labels")) labels_out = v;
        else if (!strcmp(a, "--z")) z_in = v;
        else if (!strcmp(a, "--count")) { if (!parse_long(v, 1, 100000, &count)) return bad_value("sample", a, v); }
        else if (!strcmp(a, "--cols")) { if (!parse_long(v, 1, 1000, &cols)) return bad_value("sample", a, v); }
        else if (!strcmp(a, "--class")) { if (!parse_long(v, 0, GP_MAX_CLASSES - 1, &label)) return bad_value("sample", a, v); }
        else if (!strcmp(a, "--seed")) { if (!parse_u64(v, &seed)) return bad_value("sample", a, v); have_seed = 1; }
        else {
            fprintf(stderr, "ganplay sample: unknown option '%s'\n%s", a, SAMPLE_USAGE);
            return 2;
        }
    }
    if (!model || count < 0 || (!have_seed && !z_in) || (!png && !raw)) {
        fprintf(stderr, "ganplay sample: needs --model, --count, --seed (or --z) and at least one of --png, --raw\n%s",
                SAMPLE_USAGE);
        return 2;
    }
    gp_err err = {{0}};
    gp_gan gan;
    if (gp_model_load_file(&gan, model, &err) != GP_OK) {
        fprintf(stderr, "ganplay sample: %s\n", err.msg);
        return 1;
    }
    gp_gan_set_threads(&gan, th);
    if (label >= 0 && label >= gan.cfg.classes) {
        fprintf(stderr, "ganplay sample: --class %ld: %s has %d classes\n", label, model, gan.cfg.classes);
        gp_gan_free(&gan);
        return 2;
    }
    gp_shape img = gp_gan_image_shape(&gan);
    size_t n_img = (size_t)gp_shape_size(img);
    float *z = malloc(sizeof(float) * (size_t)count * gan.cfg.latent);
    float *images = malloc(sizeof(float) * (size_t)count * n_img);
    int *labels = malloc(sizeof(int) * (size_t)count);
    int rc = 0;
    if (!z || !images || !labels) {
        fprintf(stderr, "ganplay sample: out of memory for %ld samples\n", count);
        rc = 1;
        goto done;
    }
    if (z_in) { /* the latents given: count x latent little-endian float32 */
        uint8_t *bytes = NULL;
        size_t len = 0, want = (size_t)count * gan.cfg.latent * 4;
        if (gp_read_file(z_in, &bytes, &len, want + 1, &err) != GP_OK || len != want) {
            fprintf(stderr, "ganplay sample: --z: %s\n", err.msg[0] ? err.msg : "");
            if (!err.msg[0] || len != want)
                fprintf(stderr, "ganplay sample: --z '%s' must hold %ld x %d float32 values (%zu bytes)\n", z_in, count,
                        gan.cfg.latent, want);
            free(bytes);
            rc = 2;
            goto done;
        }
        for (size_t i = 0; i < want / 4; i++) {
            uint32_t bits = (uint32_t)bytes[4 * i] | (uint32_t)bytes[4 * i + 1] << 8 | (uint32_t)bytes[4 * i + 2] << 16 |
                            (uint32_t)bytes[4 * i + 3] << 24;
            memcpy(&z[i], &bits, 4);
        }
        free(bytes);
    } else {
        gp_gan_latents(&gan, seed, (int)count, z);
    }
    gp_score_labels(labels, (int)count, gan.cfg.classes, (int)label);
    gp_gan_generate(&gan, z, gan.cfg.classes ? labels : NULL, (int)count, images);
    if (labels_out) {
        mem_out m = {0};
        char line[16];
        for (long i = 0; i < count; i++) {
            int n = snprintf(line, sizeof line, "%d\n", labels[i]);
            mem_put(&m, line, (size_t)n);
        }
        if (!write_out("sample", labels_out, &m)) {
            rc = 1;
            goto done;
        }
    }
    if (raw) {
        mem_out m = {0};
        for (size_t i = 0; i < (size_t)count * n_img; i++) {
            uint32_t v;
            memcpy(&v, &images[i], 4);
            uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
            mem_put(&m, b, 4);
        }
        if (!write_out("sample", raw, &m)) {
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
        if (!write_png_grid("sample", png, images, (int)count, (int)cols, img)) rc = 1;
        else printf("wrote %dx%d grid of %ld samples to %s\n", gw, gh, count, png);
    }
done:
    free(z);
    free(images);
    free(labels);
    gp_gan_free(&gan);
    return rc;
}

static int cmd_train_classifier(int argc, char **argv, gp_threads *th) {
    const char *data = NULL, *out = NULL;
    long steps = -1, batch = 64;
    uint64_t seed = 0;
    int have_seed = 0;
    float lr = 1e-3f;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(CLASSIFIER_USAGE, stdout);
            return 0;
        }
        if (!v) {
            fprintf(stderr, "ganplay train-classifier: %s needs a value\n%s", a, CLASSIFIER_USAGE);
            return 2;
        }
        i++;
        if (!strcmp(a, "--data")) data = v;
        else if (!strcmp(a, "--out")) out = v;
        else if (!strcmp(a, "--steps")) { if (!parse_long(v, 1, 10000000, &steps)) return bad_value("train-classifier", a, v); }
        else if (!strcmp(a, "--batch")) { if (!parse_long(v, 2, 1024, &batch)) return bad_value("train-classifier", a, v); }
        else if (!strcmp(a, "--seed")) { if (!parse_u64(v, &seed)) return bad_value("train-classifier", a, v); have_seed = 1; }
        else if (!strcmp(a, "--lr")) { if (!parse_float(v, &lr) || !(lr > 0 && lr <= 1)) return bad_value("train-classifier", a, v); }
        else {
            fprintf(stderr, "ganplay train-classifier: unknown option '%s'\n%s", a, CLASSIFIER_USAGE);
            return 2;
        }
    }
    if (!data || !out || steps < 0 || !have_seed) {
        fprintf(stderr, "ganplay train-classifier: needs --data, --steps, --seed and --out\n%s", CLASSIFIER_USAGE);
        return 2;
    }
    gp_err err = {{0}};
    gp_dataset ds;
    if (gp_dataset_load(&ds, data, &err) != GP_OK) {
        fprintf(stderr, "ganplay train-classifier: %s\n", err.msg);
        return 1;
    }
    gp_classifier c;
    if (gp_classifier_create(&c, (int)batch, seed, &err) != GP_OK) {
        fprintf(stderr, "ganplay train-classifier: %s\n", err.msg);
        gp_dataset_free(&ds);
        return 1;
    }
    c.net.threads = th;
    double t0 = now_seconds(), loss_sum = 0;
    int rc = 0;
    for (long s = 1; s <= steps; s++) {
        /* cosine decay to 5% of lr over the run */
        float lr_now = lr * (0.05f + 0.95f * 0.5f * (1.0f + cosf(3.14159265f * (float)(s - 1) / (float)steps)));
        float loss;
        if (gp_classifier_train_step(&c, &ds, lr_now, &loss, &err) != GP_OK) {
            fprintf(stderr, "ganplay train-classifier: %s\n", err.msg);
            rc = 1;
            break;
        }
        loss_sum += loss;
        if (s % 500 == 0 || s == steps) {
            printf("step %6ld  loss %.4f  held-out accuracy %.4f  %.1f s\n", s, loss_sum / (s % 500 ? s % 500 : 500),
                   gp_classifier_accuracy(&c, &ds), now_seconds() - t0);
            fflush(stdout);
            loss_sum = 0;
        }
    }
    if (rc == 0) {
        if (gp_classifier_save_file(&c, out, &err) != GP_OK) {
            fprintf(stderr, "ganplay train-classifier: %s\n", err.msg);
            rc = 1;
        } else {
            printf("wrote %s (held-out accuracy %.4f on %d images)\n", out, gp_classifier_accuracy(&c, &ds), ds.n_test);
        }
    }
    gp_classifier_free(&c);
    gp_dataset_free(&ds);
    return rc;
}

/* Reads a grid PNG in sample's layout (cells of the image shape, GP_GRID_PAD
 * apart); cells that are all padding are empty and skipped. */
static float *read_png_grid(const char *path, gp_shape im, int *count) {
    int w, h, ch;
    if (im.c != 1) {
        fprintf(stderr, "ganplay score: PNG grids hold grayscale images; the classifier reads %d channels\n", im.c);
        return NULL;
    }
    unsigned char *px = stbi_load(path, &w, &h, &ch, 1);
    if (!px) {
        fprintf(stderr, "ganplay score: cannot read PNG '%s': %s\n", path, stbi_failure_reason());
        return NULL;
    }
    int cw = im.w + GP_GRID_PAD, chh = im.h + GP_GRID_PAD;
    int cols = (w - GP_GRID_PAD) / cw, rows = (h - GP_GRID_PAD) / chh;
    if (cols < 1 || rows < 1 || cols * cw + GP_GRID_PAD != w || rows * chh + GP_GRID_PAD != h) {
        fprintf(stderr, "ganplay score: '%s' is %dx%d, not a grid of %dx%d images written by 'sample --png'\n", path, w,
                h, im.w, im.h);
        stbi_image_free(px);
        return NULL;
    }
    size_t n_img = (size_t)im.h * im.w;
    float *images = malloc(sizeof(float) * n_img * (size_t)rows * cols);
    int n = 0;
    for (int r = 0; images && r < rows; r++)
        for (int c = 0; c < cols; c++) {
            int empty = 1;
            float *img = images + (size_t)n * n_img;
            for (int y = 0; y < im.h; y++)
                for (int x = 0; x < im.w; x++) {
                    unsigned char v = px[(size_t)(GP_GRID_PAD + r * chh + y) * w + GP_GRID_PAD + c * cw + x];
                    empty &= v == GP_GRID_PAD_VALUE;
                    img[y * im.w + x] = v / 127.5f - 1.0f;
                }
            if (!empty) n++;
        }
    stbi_image_free(px);
    *count = n;
    return images;
}

/* Reads images as written by 'sample --raw': n_img floats each. */
static float *read_raw_images(const char *path, size_t n_img, int *count) {
    uint8_t *bytes;
    size_t len;
    gp_err err;
    if (gp_read_file(path, &bytes, &len, (size_t)1 << 30, &err) != GP_OK) {
        fprintf(stderr, "ganplay score: %s\n", err.msg);
        return NULL;
    }
    if (len == 0 || len % (n_img * 4) != 0) {
        fprintf(stderr, "ganplay score: '%s' is %zu bytes, not a whole number of %zu-float images\n", path, len, n_img);
        free(bytes);
        return NULL;
    }
    size_t n = len / 4;
    float *images = malloc(sizeof(float) * n);
    for (size_t i = 0; images && i < n; i++) {
        uint32_t v = (uint32_t)bytes[4 * i] | (uint32_t)bytes[4 * i + 1] << 8 | (uint32_t)bytes[4 * i + 2] << 16 |
                     (uint32_t)bytes[4 * i + 3] << 24;
        memcpy(&images[i], &v, 4);
        if (!isfinite(images[i])) {
            fprintf(stderr, "ganplay score: '%s' holds a non-finite value\n", path);
            free(images);
            free(bytes);
            return NULL;
        }
    }
    free(bytes);
    *count = (int)(n / n_img);
    return images;
}

/* Reads one class per line (count of them, each 0..9). */
static int *read_labels(const char *path, int count) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "ganplay score: cannot read '%s': %s\n", path, strerror(errno));
        return NULL;
    }
    int *labels = malloc(sizeof(int) * (size_t)count), n = 0, v, extra;
    while (labels && n < count && fscanf(f, "%d", &v) == 1 && v >= 0 && v < GP_CLASSES) labels[n++] = v;
    int trailing = fscanf(f, " %d", &extra) == 1;
    fclose(f);
    if (!labels || n != count || trailing) {
        fprintf(stderr, "ganplay score: '%s' must hold %d classes in 0..%d, one per line\n", path, count, GP_CLASSES - 1);
        free(labels);
        return NULL;
    }
    return labels;
}

static int cmd_score(int argc, char **argv, gp_threads *th) {
    const char *classifier = NULL, *data = NULL, *model = NULL, *raw = NULL, *png = NULL, *labels_in = NULL;
    long count = 1000, real = 0, label = -1;
    uint64_t seed = 1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(SCORE_USAGE, stdout);
            return 0;
        }
        if (!v) {
            fprintf(stderr, "ganplay score: %s needs a value\n%s", a, SCORE_USAGE);
            return 2;
        }
        i++;
        if (!strcmp(a, "--classifier")) classifier = v;
        else if (!strcmp(a, "--data")) data = v;
        else if (!strcmp(a, "--model")) model = v;
        else if (!strcmp(a, "--raw")) raw = v;
        else if (!strcmp(a, "--png")) png = v;
        else if (!strcmp(a, "--labels")) labels_in = v;
        else if (!strcmp(a, "--class")) { if (!parse_long(v, 0, GP_MAX_CLASSES - 1, &label)) return bad_value("score", a, v); }
        else if (!strcmp(a, "--count")) { if (!parse_long(v, 2, 100000, &count)) return bad_value("score", a, v); }
        else if (!strcmp(a, "--real")) { if (!parse_long(v, 2, 100000, &real)) return bad_value("score", a, v); }
        else if (!strcmp(a, "--seed")) { if (!parse_u64(v, &seed)) return bad_value("score", a, v); }
        else {
            fprintf(stderr, "ganplay score: unknown option '%s'\n%s", a, SCORE_USAGE);
            return 2;
        }
    }
    if (!classifier || !data || (!!model + !!raw + !!png + !!real) != 1) {
        fprintf(stderr, "ganplay score: needs --classifier, --data and exactly one of --model, --raw, --png, --real\n%s",
                SCORE_USAGE);
        return 2;
    }
    if ((labels_in && !raw) || (label >= 0 && !model)) {
        fprintf(stderr, "ganplay score: --labels goes with --raw, --class with --model\n%s", SCORE_USAGE);
        return 2;
    }
    gp_err err = {{0}};
    gp_dataset ds;
    gp_classifier c;
    if (gp_dataset_load(&ds, data, &err) != GP_OK) {
        fprintf(stderr, "ganplay score: %s\n", err.msg);
        return 1;
    }
    if (gp_classifier_load_file(&c, classifier, &err) != GP_OK) {
        fprintf(stderr, "ganplay score: %s\n", err.msg);
        gp_dataset_free(&ds);
        return 1;
    }
    c.net.threads = th;
    float *images = NULL;
    int *labels = NULL;
    int n = 0, rc = 1;
    const char *what = model ? model : raw ? raw : png ? png : "training images";
    gp_feature_stats ref;
    gp_quality q;
    if (gp_quality_reference(&c, &ds, &ref, &err) != GP_OK) {
        fprintf(stderr, "ganplay score: %s\n", err.msg);
        gp_classifier_free(&c);
        gp_dataset_free(&ds);
        return 1;
    }
    if (model) {
        gp_gan gan;
        if (gp_model_load_file(&gan, model, &err) != GP_OK) {
            fprintf(stderr, "ganplay score: %s\n", err.msg);
        } else {
            gp_gan_set_threads(&gan, th);
            if (gp_score_model(&c, &ref, &gan, (int)count, seed, (int)label, &q, &err) != GP_OK)
                fprintf(stderr, "ganplay score: %s\n", err.msg);
            else
                n = (int)count;
            gp_gan_free(&gan);
        }
    } else {
        if (raw) {
            images = read_raw_images(raw, (size_t)gp_shape_size(c.net.shape[0]), &n);
            if (images && labels_in && !(labels = read_labels(labels_in, n))) {
                free(images);
                images = NULL;
            }
        } else if (png) {
            images = read_png_grid(png, c.net.shape[0], &n);
        } else {
            n = real < ds.n_train ? (int)real : ds.n_train;
            size_t n_img = (size_t)ds.h * ds.w * ds.c;
            images = malloc(sizeof(float) * (size_t)n * n_img);
            int32_t *order = malloc(sizeof(int32_t) * ds.n_train);
            gp_rng rng;
            gp_rng_seed(&rng, seed);
            if (order) memcpy(order, ds.train_index, sizeof(int32_t) * ds.n_train);
            for (int i = 0; images && order && i < n; i++) { /* distinct images: a partial Fisher-Yates shuffle */
                int j = i + (int)gp_rng_below(&rng, (uint32_t)(ds.n_train - i));
                int32_t t = order[i];
                order[i] = order[j];
                order[j] = t;
                gp_dataset_image(&ds, order[i], images + (size_t)i * n_img);
            }
            free(order);
        }
        if (images && n < 2) {
            fprintf(stderr, "ganplay score: need at least 2 images, '%s' holds %d\n", what, n);
            n = 0;
        } else if (images && gp_quality_score(&c, &ref, images, labels, n, &q, &err) != GP_OK) {
            fprintf(stderr, "ganplay score: %s\n", err.msg);
            n = 0;
        } else if (!images) {
            n = 0;
        }
    }
    if (n >= 2) {
        printf("%s: %d images\n", what, n);
        printf("digit FD %.3f (against %d held-out images)\n", q.fd, ds.n_test);
        printf("class entropy %.3f nats (max %.3f)\nclasses:", q.entropy, log(10.0));
        for (int k = 0; k < GP_CLASSES; k++) printf(" %d:%.3f", k, q.hist[k]);
        printf("\n");
        if (q.cond_acc >= 0) printf("conditional accuracy %.4f\n", q.cond_acc);
        rc = 0;
    }
    gp_feature_stats_free(&ref);
    free(images);
    free(labels);
    gp_classifier_free(&c);
    gp_dataset_free(&ds);
    return rc;
}

static int cmd_info(int argc, char **argv, gp_threads *th) {
    const char *model = NULL;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(INFO_USAGE, stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--model") && i + 1 < argc) {
            model = argv[++i];
        } else {
            fprintf(stderr, "ganplay info: unknown option '%s'\n%s", argv[i], INFO_USAGE);
            return 2;
        }
    }
    if (!model) {
        fprintf(stderr, "ganplay info: needs --model\n%s", INFO_USAGE);
        return 2;
    }
    gp_err err = {{0}};
    gp_gan gan;
    if (gp_model_load_file(&gan, model, &err) != GP_OK) {
        fprintf(stderr, "ganplay info: %s\n", err.msg);
        return 1;
    }
    (void)th;
    char *json = NULL;
    size_t need = gp_model_info_json(&gan, NULL, 0);
    json = malloc(need + 1);
    int rc = 0;
    if (!json) {
        fprintf(stderr, "ganplay info: out of memory\n");
        rc = 1;
    } else {
        gp_model_info_json(&gan, json, need + 1);
        printf("%s\n", json);
    }
    free(json);
    gp_gan_free(&gan);
    return rc;
}

static int cmd_export(int argc, char **argv, gp_threads *th) {
    const char *model = NULL, *out = NULL;
    long recalibrate = 0;
    int half = 0, no_ema = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(EXPORT_USAGE, stdout);
            return 0;
        } else if (!strcmp(a, "--f16")) {
            half = 1;
            continue;
        } else if (!strcmp(a, "--no-ema")) {
            no_ema = 1;
            continue;
        }
        if (!v) {
            fprintf(stderr, "ganplay export: %s needs a value\n%s", a, EXPORT_USAGE);
            return 2;
        }
        i++;
        if (!strcmp(a, "--model")) model = v;
        else if (!strcmp(a, "--out")) out = v;
        else if (!strcmp(a, "--recalibrate-bn")) { if (!parse_long(v, 1, 100000, &recalibrate)) return bad_value("export", a, v); }
        else {
            fprintf(stderr, "ganplay export: unknown option '%s'\n%s", a, EXPORT_USAGE);
            return 2;
        }
    }
    if (!model || !out) {
        fprintf(stderr, "ganplay export: needs --model and --out\n%s", EXPORT_USAGE);
        return 2;
    }
    gp_err err = {{0}};
    gp_gan gan;
    if (gp_model_load_file(&gan, model, &err) != GP_OK) {
        fprintf(stderr, "ganplay export: %s\n", err.msg);
        return 1;
    }
    gp_gan_set_threads(&gan, th);
    /* the moving average is what the model samples with; its BatchNorm
     * statistics were never measured, so they always are here */
    if (no_ema) { /* the weights as trained: drop the average */
        gan.ema = NULL;
        gan.cfg.ema = 0.0f;
    }
    int had_ema = gan.ema != NULL;
    if (had_ema && !recalibrate) recalibrate = 50;
    gp_gan_adopt_ema(&gan);
    if (recalibrate) gp_gan_recalibrate_bn(&gan, (int)recalibrate, gan.cfg.seed + GP_SALT_RECALIBRATE);
    int rc = 0;
    if (gp_model_save_file(&gan, half ? GP_SAVE_GENERATOR_F16 : GP_SAVE_GENERATOR, out, &err) != GP_OK) {
        fprintf(stderr, "ganplay export: %s\n", err.msg);
        rc = 1;
    } else {
        printf("wrote %s (generator%s, %s%s)\n", out, had_ema ? ": moving average of the weights" : "",
               half ? "float16" : "float32", recalibrate ? ", BatchNorm statistics recalibrated" : "");
    }
    gp_gan_free(&gan);
    return rc;
}

/* A PNG as the model's image (or, as_mask, as a mask). NULL after a message. */
static float *read_png_image(const char *cmd, const char *path, gp_shape im, int as_mask) {
    int w, h, ch;
    if (im.c != 1) {
        fprintf(stderr, "ganplay %s: only grayscale models read PNGs; this one has %d channels\n", cmd, im.c);
        return NULL;
    }
    unsigned char *px = stbi_load(path, &w, &h, &ch, 4);
    if (!px) {
        fprintf(stderr, "ganplay %s: cannot read PNG '%s': %s\n", cmd, path, stbi_failure_reason());
        return NULL;
    }
    /* a one-image grid as 'sample --png' and this command write it: the image inside the padding */
    if (w == im.w + 2 * GP_GRID_PAD && h == im.h + 2 * GP_GRID_PAD) {
        for (int y = 0; y < im.h; y++)
            memmove(px + (size_t)y * im.w * 4, px + ((size_t)(y + GP_GRID_PAD) * w + GP_GRID_PAD) * 4, (size_t)im.w * 4);
        w = im.w;
        h = im.h;
    }
    float *out = malloc(sizeof(float) * (size_t)im.h * im.w);
    gp_err err = {{0}};
    gp_status st = out ? gp_image_from_rgba(out, px, h, w, im.h, im.w, as_mask, &err)
                       : gp_fail(&err, GP_ERR_NOMEM, "out of memory");
    stbi_image_free(px);
    if (st != GP_OK) {
        fprintf(stderr, "ganplay %s: '%s': %s\n", cmd, path, err.msg);
        free(out);
        return NULL;
    }
    return out;
}

static int cmd_project(int argc, char **argv, gp_threads *th) {
    const char *model = NULL, *png = NULL, *out = NULL, *mask_png = NULL, *trace_png = NULL, *z_path = NULL;
    gp_project_opts o = gp_project_defaults();
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(PROJECT_USAGE, stdout);
            return 0;
        }
        if (!v) {
            fprintf(stderr, "ganplay project: %s needs a value\n%s", a, PROJECT_USAGE);
            return 2;
        }
        i++;
        long n;
        if (!strcmp(a, "--model")) model = v;
        else if (!strcmp(a, "--png")) png = v;
        else if (!strcmp(a, "--out")) out = v;
        else if (!strcmp(a, "--mask")) mask_png = v;
        else if (!strcmp(a, "--trace")) trace_png = v;
        else if (!strcmp(a, "--z")) z_path = v;
        else if (!strcmp(a, "--steps")) { if (!parse_long(v, 1, 10000, &n)) return bad_value("project", a, v); o.steps = (int)n; }
        else if (!strcmp(a, "--starts")) { if (!parse_long(v, 1, 4096, &n)) return bad_value("project", a, v); o.restarts = (int)n; }
        else if (!strcmp(a, "--class")) { if (!parse_long(v, 0, 4095, &n)) return bad_value("project", a, v); o.label = (int)n; }
        else if (!strcmp(a, "--lr")) { if (!parse_float(v, &o.lr)) return bad_value("project", a, v); }
        else if (!strcmp(a, "--prior")) { if (!parse_float(v, &o.prior)) return bad_value("project", a, v); }
        else if (!strcmp(a, "--seed")) { if (!parse_u64(v, &o.seed)) return bad_value("project", a, v); }
        else {
            fprintf(stderr, "ganplay project: unknown option '%s'\n%s", a, PROJECT_USAGE);
            return 2;
        }
    }
    if (!model || !png || !out) {
        fprintf(stderr, "ganplay project: needs --model, --png and --out\n%s", PROJECT_USAGE);
        return 2;
    }
    gp_err err = {{0}};
    const char *outputs[3] = {out, trace_png, z_path};
    for (int k = 0; k < 3; k++)
        if (outputs[k] && gp_check_writable(outputs[k], &err) != GP_OK) {
            fprintf(stderr, "ganplay project: %s\n", err.msg);
            return 1;
        }
    gp_gan gan;
    if (gp_model_load_file(&gan, model, &err) != GP_OK) {
        fprintf(stderr, "ganplay project: %s\n", err.msg);
        return 1;
    }
    gp_gan_set_threads(&gan, th);
    if (o.label >= 0 && o.label >= gan.cfg.classes) {
        fprintf(stderr, "ganplay project: --class %d: the model has %d classes\n", o.label, gan.cfg.classes);
        gp_gan_free(&gan);
        return 2;
    }
    if (o.restarts > gan.G.max_batch) o.restarts = gan.G.max_batch; /* one batch of starts at most */
    int rc = 1, L = gan.cfg.latent, n_img = gp_shape_size(gan.image), cap = o.steps / 25 + 1;
    o.trace_every = trace_png ? 25 : 0;
    float *target = read_png_image("project", png, gan.image, 0);
    float *mask = mask_png ? read_png_image("project", mask_png, gan.image, 1) : NULL;
    float *z = malloc(sizeof(float) * (size_t)L), *image = malloc(sizeof(float) * (size_t)n_img);
    float *trace = trace_png ? malloc(sizeof(float) * (size_t)n_img * cap) : NULL;
    gp_project_result r;
    if (!target || (mask_png && !mask) || !z || !image || (trace_png && !trace)) goto done;
    if (gp_project(&gan, target, mask, &o, z, image, trace, cap, &r, &err) != GP_OK) {
        fprintf(stderr, "ganplay project: %s\n", err.msg);
        rc = err.msg[0] && strstr(err.msg, "became") ? 1 : 2;
        goto done;
    }
    if (!write_png_grid("project", out, image, 1, 1, gan.image)) goto done;
    if (trace_png && !write_png_grid("project", trace_png, trace, r.traced, r.traced, gan.image)) goto done;
    if (z_path) {
        mem_out m = {0};
        for (int j = 0; j < L; j++) {
            uint8_t b[4];
            uint32_t bits;
            memcpy(&bits, &z[j], 4);
            for (int k = 0; k < 4; k++) b[k] = (uint8_t)(bits >> (8 * k));
            mem_put(&m, b, 4);
        }
        if (!write_out("project", z_path, &m)) goto done;
    }
    printf("{\"loss\":%.6f,\"class\":%d,\"start\":%d,\"mean_z2\":%.4f,\"steps\":%d}\n", (double)r.loss, r.label,
           r.start, (double)r.prior, o.steps);
    rc = 0;
done:
    free(target);
    free(mask);
    free(z);
    free(image);
    free(trace);
    gp_gan_free(&gan);
    return rc;
}

typedef int (*command_fn)(int argc, char **argv, gp_threads *th);

/* --threads N may stand anywhere after the command: it is taken out here,
 * and the command runs with a pool of that many threads. */
static int run_command(command_fn cmd, int argc, char **argv) {
    long threads = sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1) threads = 1;
    if (threads > GP_MAX_THREADS) threads = GP_MAX_THREADS;
    int kept = 2;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--threads") != 0) {
            argv[kept++] = argv[i];
            continue;
        }
        if (i + 1 >= argc || !parse_long(argv[i + 1], 1, GP_MAX_THREADS, &threads)) {
            fprintf(stderr, "ganplay %s: --threads needs a whole number in 1..%d\n", argv[1], GP_MAX_THREADS);
            return 2;
        }
        i++;
    }
    argv[kept] = NULL;
    gp_err err = {{0}};
    gp_threads *th = NULL;
    if (gp_threads_create(&th, (int)threads, &err) != GP_OK) {
        fprintf(stderr, "ganplay %s: %s\n", argv[1], err.msg);
        return 1;
    }
    int rc = cmd(kept, argv, th);
    gp_threads_free(th);
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(MAIN_USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "train")) return run_command(cmd_train, argc, argv);
    if (!strcmp(argv[1], "sample")) return run_command(cmd_sample, argc, argv);
    if (!strcmp(argv[1], "train-classifier")) return run_command(cmd_train_classifier, argc, argv);
    if (!strcmp(argv[1], "score")) return run_command(cmd_score, argc, argv);
    if (!strcmp(argv[1], "export")) return run_command(cmd_export, argc, argv);
    if (!strcmp(argv[1], "info")) return run_command(cmd_info, argc, argv);
    if (!strcmp(argv[1], "train2d")) return run_command(cmd_train2d, argc, argv);
    if (!strcmp(argv[1], "project")) return run_command(cmd_project, argc, argv);
    fprintf(stderr, "ganplay: unknown command '%s'\n%s", argv[1], MAIN_USAGE);
    return 2;
}
