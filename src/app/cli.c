/* cli.c: the native command-line tool, a thin layer over the core. Each
 * command is a table of its options (parsed and range-checked in one
 * place), a check of what was given together, and calls into the core;
 * `train` and `train2d` run the core's training run (run.h), as the page
 * does.
 *   ganplay train  --preset mlp --data FILE (--steps N | --seconds S) --seed N --out FILE
 *   ganplay sample --model FILE --count N --seed N [--png FILE] [--cols C] [--raw FILE]
 *                  [--units-off LAYER:U,U,...] */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include "base/clock.h"
#include "base/json.h"
#include "data/dataset.h"
#include "data/grid.h"
#include "eval/classifier.h"
#include "eval/directions.h"
#include "eval/score.h"
#include "gan/2d.h"
#include "gan/gan.h"
#include "gan/project.h"
#include "gan/units.h"
#include "nn/kernels.h"
#include "run/run.h"
#include "store/modelfile.h"
#include "store/provenance.h"

/* Each command's usage: its synopsis and what it does. `--help` adds the
 * list of every option, made from the command's option table (and, for
 * train and train2d, the settings table), so the list cannot drift. */
static const char *TRAIN_USAGE =
    "usage: ganplay train --preset NAME --data FILE (--steps N | --seconds S) --seed N --out FILE [options]\n"
    "       ganplay train --resume FILE --data FILE (--steps N | --seconds S) --out FILE [options]\n"
    "Trains a GAN on a ganplay dataset (e.g. build/data/mnist.bin, training split only)\n"
    "and writes a model file: the whole training state (generator, discriminator and\n"
    "optimizer state, resumable with --resume), or with --generator-only the generator\n"
    "(--f16: the generator with float16 weights, half the size).\n"
    "--cond makes a class-conditional model over the dataset's labels.\n"
    "Settings given with --resume apply if they can change on a running model\n"
    "(marked 'live' below); any other must equal the model's.\n"
    "A training state keeps the run's history (chart points, FD points, snapshots of\n"
    "the samples every 50 steps): the page opens it with its charts and timeline.\n"
    "Prints: step, D loss, G loss, mean D(x), mean D(G(z)), steps/s.\n";

static const char *SAMPLE_USAGE =
    "usage: ganplay sample --model FILE --count N (--seed N | --z FILE) (--png FILE | --raw FILE) [options]\n"
    "Generates N images from a model file's generator (evaluation mode) and writes\n"
    "them as a grid (--png), as floats (--raw), or both.\n";

static const char *DIRECTIONS_USAGE =
    "usage: ganplay directions --model FILE [--classifier FILE] [options]\n"
    "Fits the generator's latent directions and prints them as JSON: attribute\n"
    "directions (gray models: thickness, slant, width, height; colour models:\n"
    "brightness, saturation, hue), each a least-squares direction in z for an\n"
    "image attribute measured on its samples (within each class for a conditional\n"
    "model), and principal directions pc1, pc2, ... (PCA of G's first hidden\n"
    "activations, mapped back to z). Each is measured on fresh samples moved by\n"
    "-2..2 standard deviations: the attribute's mean at each amount, its\n"
    "monotonicity (share of samples that move strictly monotonically) and class\n"
    "retention (share the classifier still reads as their class at both ends;\n"
    "null without a classifier). 'range' is 2 if it passed over -2..2 (means\n"
    "strictly monotone, monotonicity >= 0.5, class retention >= 0.9), else 1 if it\n"
    "passed over -1..1, else 0; 'offered' is range > 0.\n"
    "The classifier defaults to DATASET-classifier.gpc beside the model file, if\n"
    "there is one (e.g. models/mnist-classifier.gpc for models/mnist-cdcgan.gpm).\n";

static const char *CLASSIFIER_USAGE =
    "usage: ganplay train-classifier --data FILE --steps N --seed N --out FILE [--batch N] [--lr X]\n"
    "Trains the MNIST classifier that scores generators (Adam, random 2-pixel shifts)\n"
    "on the dataset's training split and reports its accuracy on the held-out split.\n";

static const char *SCORE_USAGE =
    "usage: ganplay score --classifier FILE --data FILE\n"
    "                     (--model FILE [--count N] [--seed N] [--class K] | --raw FILE [--labels FILE]\n"
    "                      | --png FILE | --real N [--held-out] [--seed N]) [--blur K] [--against-train]\n"
    "Scores images with the classifier: the digit FD (the emoji FD for colour data:\n"
    "Frechet distance between the classifier's features of the images and of the\n"
    "dataset's held-out images; lower is better), the predicted class histogram and\n"
    "its entropy (ln 10 = 2.303 when all classes are equally common).\n"
    "A class-conditional model (or --raw with --labels) also gets its conditional\n"
    "accuracy: the share of images the classifier assigns to the class asked for.\n";

static const char *EXPORT_USAGE =
    "usage: ganplay export --model FILE --out FILE [options]\n"
    "Writes the generator of a model file alone (float32, or float16 with --f16);\n"
    "a model trained with --ema gets its averaged weights (and 50 batches of\n"
    "BatchNorm recalibration unless --recalibrate-bn says otherwise), or with\n"
    "--no-ema the weights as trained.\n";

static const char *INFO_USAGE =
    "usage: ganplay info (--model FILE | --png FILE)\n"
    "Prints one JSON object describing a model file: preset, dataset, image shape,\n"
    "classes (count and names; 0 when unconditional), steps, loss, the stability\n"
    "tools it used, the history a training state carries (chart points, FD points,\n"
    "snapshots of the samples), and its settings. Names are printed as valid\n"
    "UTF-8: a byte of a name that is not (a name cut inside a character) as U+FFFD.\n"
    "With --png: prints the provenance a PNG from ganplay carries (its 'ganplay'\n"
    "text chunk, one JSON object: software, model, weights, seed, index, count,\n"
    "class, directions, units_off, what), exactly as written; a PNG without one,\n"
    "or a damaged one, is an error.\n"
    "A saved 2-D run (train2d --out, the page's \"Save this run\") is described as\n"
    "{\"mode\": \"2d\", distribution, distribution_label, drawn_points, lesson (null:\n"
    "none), rounds, g_steps, d_steps_taken, measurements, frame_seed, model: the object\n"
    "above}.\n";

static const char *SETTINGS_USAGE =
    "usage: ganplay settings\n"
    "Prints one JSON object: the engine's settings table (each setting's name, type,\n"
    "range, choices and defaults), the presets, the losses and the recipes, as the\n"
    "page receives them; scripts (scripts/train_torch.py) check their arguments\n"
    "against it.\n";

static const char *TRAIN2D_USAGE =
    "usage: ganplay train2d (--dist NAME | --lesson NAME) --steps N --seed S [--out FILE] [options]\n"
    "       ganplay train2d --model FILE [--steps N] [--out FILE] [options]\n"
    "Trains the 2-D GAN (preset 2d) for N rounds (d_steps D steps, then g_steps G steps)\n"
    "on a toy distribution, or a lesson's distribution and settings, which the\n"
    "flags then override. Prints progress, then last one JSON line: rounds, modes_covered,\n"
    "modes_total, high_quality_share, kl, js (2,000 samples, 32x32 cells), rounds_per_s,\n"
    "d_loss, g_loss.\n"
    "With --out, writes the run as a saved 2-D run (networks, optimiser state, rounds,\n"
    "distribution, lesson, charts), which the page's 2-D mode opens (\"Open a saved run\").\n"
    "With --model, goes on from a saved 2-D run (the page's \"Save this run\" or --out)\n"
    "for N more rounds (none without --steps), exactly as if it had not stopped; settings\n"
    "given apply if they can change on a running model.\n";

static const char *PROJECT_USAGE =
    "usage: ganplay project --model FILE --png IN.png --out OUT.png [options]\n"
    "Projects an image onto the generator: finds the latent z whose image G(z) is\n"
    "closest to IN.png (Adam on z through the frozen generator, from N starting\n"
    "points; default 300 steps, 8 starts, lr 0.05, prior 0.001, seed 1) and writes\n"
    "G(z) to OUT.png (a one-image grid, as 'sample --png' writes).\n"
    "With --upscale K, IN.png is a small picture (the model's size over K): G's\n"
    "image, area-downscaled by K, is matched to it. With --colourise (colour\n"
    "models), IN.png's gray is matched by the gray of G's image. Both search the\n"
    "class too: their defaults are 120 steps, 20 starts, lr 0.1, prior 0.003.\n"
    "Prints one JSON line: loss (mean squared pixel error over counted pixels,\n"
    "pixels in [-1, 1]; of the small or gray picture with --upscale or\n"
    "--colourise), class, start, mean_z2, steps.\n";

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
    "  directions        a generator's named and principal latent directions, measured, as JSON\n"
    "  info              describe a model file, or a PNG's provenance, as JSON\n"
    "  settings          the settings table and its ranges as JSON\n"
    "Any command takes --threads N: threads for the kernels (1..8; default: one per\n"
    "core). Results are the same bits with any number of threads.\n"
    "Run 'ganplay <command> --help' for a command's options.\n";

/* ---- messages --------------------------------------------------------------------- */

/* Prints to f as valid UTF-8, whatever the bytes: a byte that is not part
 * of well-formed UTF-8 (a name from a file cut inside a character, a stray
 * byte in a path) as U+FFFD, as the JSON lines write it. */
static void print_text(FILE *f, const char *fmt, ...) {
    char small[1024], *buf = small;
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof small && (buf = malloc((size_t)n + 1)) != NULL) vsnprintf(buf, (size_t)n + 1, fmt, again);
    va_end(again);
    if (!buf) buf = small; /* out of memory: the message cut short */
    for (const char *s = buf; *s;) {
        int len = gp_utf8_length(s);
        if (len) fwrite(s, 1, (size_t)len, f);
        else fputs("\xef\xbf\xbd", f);
        s += len ? len : 1;
    }
    if (buf != small) free(buf);
}

static int fail(const char *cmd, const gp_err *err, int code) {
    print_text(stderr, "ganplay %s: %s\n", cmd, err->msg);
    return code;
}

/* Whether --out can be written, asked before anything is loaded or trained;
 * says why not. */
static int out_writable(const char *cmd, const char *out) {
    gp_err err = {{0}};
    if (gp_check_writable(out, &err) == GP_OK) return 1;
    print_text(stderr, "ganplay %s: --out: %s\n", cmd, err.msg);
    return 0;
}

/* ---- writing outputs ---------------------------------------------------------- */

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

/* little-endian float32, as the --raw and --z files hold them */
static void mem_put_floats(mem_out *m, const float *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &v[i], 4);
        uint8_t b[4] = {(uint8_t)bits, (uint8_t)(bits >> 8), (uint8_t)(bits >> 16), (uint8_t)(bits >> 24)};
        mem_put(m, b, 4);
    }
}

static float float_at(const uint8_t *p) {
    uint32_t bits = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    float v;
    memcpy(&v, &bits, 4);
    return v;
}

/* Writes and frees m; on failure prints why (as cmd) and returns 0. */
static int write_out(const char *cmd, const char *path, mem_out *m) {
    gp_err err = {{0}};
    int ok = !m->failed && gp_write_file_atomic(path, m->p, m->len, &err) == GP_OK;
    if (!ok) print_text(stderr, "ganplay %s: %s\n", cmd, m->failed ? "out of memory building the output" : err.msg);
    free(m->p);
    memset(m, 0, sizeof *m);
    return ok;
}

/* m's PNG with the provenance chunk (provenance.h) in place of m's bytes;
 * on failure says why (as cmd) and marks m failed. */
static void stamp_png(const char *cmd, mem_out *m, const gp_provenance *prov) {
    gp_err err = {{0}};
    gp_json j;
    gp_json_init(&j);
    uint8_t *out = NULL;
    size_t len = 0;
    gp_status st = gp_provenance_json(prov, &j, &err);
    if (st == GP_OK) st = gp_png_add_text(m->p, m->len, GP_PROV_KEYWORD, gp_json_text(&j), &out, &len, &err);
    gp_json_free(&j);
    if (st != GP_OK) {
        print_text(stderr, "ganplay %s: the PNG's provenance: %s\n", cmd, err.msg);
        m->failed = 2; /* said */
        return;
    }
    free(m->p);
    m->p = out;
    m->len = m->cap = len;
}

/* count images as a grid PNG of `cols` columns (gray, or RGB for colour
 * images) carrying prov (what made it), written atomically */
static int write_png_grid(const char *cmd, const char *path, const float *images, int count, int cols, gp_shape im,
                          const gp_provenance *prov) {
    int gw, gh, ch = im.c == 3 ? 3 : 1;
    gp_grid_size(count, cols, im.h, im.w, &gw, &gh);
    uint8_t *pixels = malloc((size_t)gw * gh * ch);
    mem_out m = {0};
    if (pixels) {
        gp_grid_render(pixels, ch, images, count, cols, im.c, im.h, im.w);
        if (!stbi_write_png_to_func(mem_put_cb, &m, gw, gh, ch, pixels, gw * ch)) m.failed = 1;
    } else {
        m.failed = 1;
    }
    free(pixels);
    if (!m.failed) stamp_png(cmd, &m, prov);
    if (m.failed == 2) {
        free(m.p);
        return 0;
    }
    return write_out(cmd, path, &m);
}

#define GP_CLI_MAX_SECONDS 604800 /* train --seconds: one week at most */
#define GP_CLI_MAX_COUNT 100000   /* images a command generates or scores */

/* ---- reading PNGs ------------------------------------------------------------------ */

/* A PNG opened and its size read from its header (IHDR) alone, so that
 * the caller refuses one too large before a byte of it is decoded (a
 * 20000x20000 PNG of a few MB decodes to 1.6 GB). NULL after a message. */
static FILE *png_open(const char *cmd, const char *path, int *w, int *h) {
    FILE *f = fopen(path, "rb");
    int ch;
    if (!f) {
        print_text(stderr, "ganplay %s: cannot read PNG '%s': %s\n", cmd, path, strerror(errno));
        return NULL;
    }
    if (!stbi_info_from_file(f, w, h, &ch)) {
        print_text(stderr, "ganplay %s: cannot read PNG '%s': %s\n", cmd, path, stbi_failure_reason());
        fclose(f);
        return NULL;
    }
    return f;
}

/* The pixels of a PNG png_open opened (and closes), channels per pixel, of the size its header gave. */
static unsigned char *png_decode(const char *cmd, const char *path, FILE *f, int channels, int w, int h) {
    int dw, dh, ch;
    unsigned char *px = stbi_load_from_file(f, &dw, &dh, &ch, channels);
    fclose(f);
    if (px && (dw != w || dh != h)) { /* not the header it had a moment ago */
        stbi_image_free(px);
        px = NULL;
    }
    if (!px) print_text(stderr, "ganplay %s: cannot read PNG '%s': %s\n", cmd, path, stbi_failure_reason());
    return px;
}

/* ---- numbers --------------------------------------------------------------------- */

/* Strict number parsing: decimal only (no hex, no "inf", no space before or
 * after, no trailing text), the whole string, within range. */
static int decimal_text(const char *s, const char *allowed) {
    if (!s || !*s) return 0;
    for (const char *c = s; *c; c++)
        if (!strchr(allowed, *c)) return 0;
    return 1;
}

static int parse_long(const char *s, long lo, long hi, long *out) {
    if (!decimal_text(s, "-0123456789")) return 0;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return 0;
    *out = v;
    return 1;
}

/* a seed: 0..2^53-1, the seed row's range (a number the page's field holds exactly) */
static int parse_seed(const char *s, uint64_t *out) {
    if (!decimal_text(s, "0123456789")) return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > (unsigned long long)gp_setting_find("seed")->hi) return 0;
    *out = (uint64_t)v;
    return 1;
}

static int parse_float(const char *s, float *out) {
    if (!decimal_text(s, "+-.0123456789eE")) return 0;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v)) return 0;
    *out = (float)v;
    return 1;
}

/* What an option is: a flag without a value, or a value of a kind, stored
 * at offset in the command's arguments; numbers in [lo, hi] ((lo, hi]
 * with lo_open). meta and help are its line in --help (the range is added
 * there); choice, if any, names the values it takes (for the help: the
 * command checks them); output marks a file the command writes. */
typedef enum { OPT_FLAG, OPT_TEXT, OPT_LONG, OPT_SEED, OPT_FLOAT } opt_kind;
typedef struct {
    const char *flag;
    opt_kind kind;
    size_t offset;
    double lo, hi;
    int lo_open;
    const char *meta, *help;
    const char *(*choice)(int i);
    int output;
} cli_opt;

/* ---- options --------------------------------------------------------------------- */

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

/* What an option's value must be, in words: "a whole number in 1..100", "a number in (0, 604800]". */
static void opt_range(const cli_opt *o, char *buf, size_t cap) {
    buf[0] = 0;
    if (o->kind == OPT_LONG) snprintf(buf, cap, "a whole number in %.0f..%.0f", o->lo, o->hi);
    else if (o->kind == OPT_SEED) snprintf(buf, cap, "a whole number in 0..%.0f", gp_setting_find("seed")->hi);
    else if (o->kind == OPT_FLOAT && isfinite(o->lo) && isfinite(o->hi))
        snprintf(buf, cap, "a number in %c%.15g, %.15g]", o->lo_open ? '(' : '[', o->lo, o->hi);
}

static int bad_value(const char *cmd, const cli_opt *o, const char *val) {
    char range[96];
    opt_range(o, range, sizeof range);
    print_text(stderr, "ganplay %s: invalid value '%s' for %s: must be %s\n", cmd, val ? val : "", o->flag,
               range[0] ? range : "a decimal number");
    return 2;
}

static int take_value(const char *cmd, const cli_opt *o, const char *v, void *args) {
    char *at = (char *)args + o->offset;
    long n;
    float f;
    switch (o->kind) {
    case OPT_FLAG: *(int *)(void *)at = 1; return 0;
    case OPT_TEXT: *(const char **)(void *)at = v; return 0;
    case OPT_LONG:
        if (!parse_long(v, (long)o->lo, (long)o->hi, &n)) return bad_value(cmd, o, v);
        *(long *)(void *)at = n;
        return 0;
    case OPT_SEED: return parse_seed(v, (uint64_t *)(void *)at) ? 0 : bad_value(cmd, o, v);
    case OPT_FLOAT:
        if (!parse_float(v, &f) || (o->lo_open ? !(f > o->lo) : !(f >= o->lo)) || !(f <= o->hi))
            return bad_value(cmd, o, v);
        *(float *)(void *)at = f;
        return 0;
    }
    return 2;
}

/* 1 if arg is one of the command's options (its table, the settings'
 * flags when it takes them, --help). */
static int is_option(const cli_opt *opts, const given_settings *given, const char *arg) {
    if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) return 1;
    for (int k = 0; opts[k].flag; k++)
        if (!strcmp(opts[k].flag, arg)) return 1;
    return given && setting_flag(arg);
}

/* ---- help: made from the tables -------------------------------------------------- */

/* "  --flag META" and text, wrapped at 100 columns with the text 26 in */
static void help_line(const char *flag, const char *meta, const char *text) {
    char head[64];
    snprintf(head, sizeof head, "  %s%s%s", flag, meta ? " " : "", meta ? meta : "");
    int col = printf("%-25s", head);
    if (col > 25) {
        printf("\n%-25s", "");
        col = 25;
    }
    const char *w = text;
    while (*w) {
        size_t len = strcspn(w, " ");
        if (col > 25 && col + 1 + (int)len > 100) {
            printf("\n%-25s", "");
            col = 25;
        }
        col += printf(" %.*s", (int)len, w);
        w += len;
        while (*w == ' ') w++;
    }
    printf("\n");
}

/* the names a choice takes, "a, b, c", and its meta, "a|b|c" */
static void choice_list(const char *(*choice)(int), const char *sep, char *buf, size_t cap) {
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; choice(i) && n < cap; i++) n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? sep : "", choice(i));
}

static void help_option(const cli_opt *o) {
    char text[1024], range[96], names[256];
    opt_range(o, range, sizeof range);
    if (o->choice) choice_list(o->choice, ", ", names, sizeof names);
    snprintf(text, sizeof text, "%s%s%s%s%s%s", o->output ? "(output) " : "", o->help, o->choice ? ": one of " : "",
             o->choice ? names : "", range[0] ? "; " : "", range);
    help_line(o->flag, o->meta, text);
}

/* The settings table as flags, with the defaults of the preset kind the command trains. */
static void help_settings(int is_2d) {
    gp_gan_config def;
    gp_gan_config_default(&def, is_2d ? "2d" : "mlp", NULL);
    printf("settings (the engine's settings table, as the page's fields; 'live': can change on a running model):\n");
    for (int i = 0; i < GP_N_SETTINGS; i++) {
        const gp_setting *s = &GP_SETTINGS[i];
        char flag[48], meta[160], range[200], dv[48], text[1024];
        snprintf(flag, sizeof flag, "--%s", s->name);
        for (char *c = flag + 2; *c; c++) *c = *c == '_' ? '-' : *c;
        range[0] = 0;
        if (s->type == GP_SETTING_CHOICE) {
            choice_list(s->choice, "|", meta, sizeof meta);
        } else {
            snprintf(meta, sizeof meta, "%s", s->type == GP_SETTING_FLOAT ? "X" : "N");
            if (s->type == GP_SETTING_FLOAT)
                snprintf(range, sizeof range, "a number in %c%.15g, %.15g%c; ", s->lo_open ? '(' : '[', s->lo, s->hi,
                         s->hi_open ? ')' : ']');
            else snprintf(range, sizeof range, "a whole number in %.0f..%.0f; ", s->lo, s->hi);
        }
        gp_setting_format(&def, s, dv, sizeof dv);
        const char *scope = s->scope == GP_SCOPE_2D && !is_2d ? " (the 2-D preset only)"
                            : s->scope == GP_SCOPE_IMAGE && is_2d ? " (image presets only)" : "";
        snprintf(text, sizeof text, "%s%s: %sdefault %s%s. %s", s->label, scope, range, dv, s->live ? "; live" : "",
                 s->help);
        help_line(flag, meta, text);
    }
}

/* The command's usage, then every option: its table (outputs apart), the
 * settings when it takes them, and what every command takes. */
static void print_help(const char *cmd, const char *usage, const cli_opt *opts, int settings) {
    fputs(usage, stdout);
    printf("options:\n");
    for (int k = 0; opts[k].flag; k++)
        if (!opts[k].output) help_option(&opts[k]);
    int outputs = 0;
    for (int k = 0; opts[k].flag; k++) outputs |= opts[k].output;
    if (outputs) printf("outputs (each written whole or not at all: a failed write leaves the old file as it was):\n");
    for (int k = 0; opts[k].flag; k++)
        if (opts[k].output) help_option(&opts[k]);
    if (settings) help_settings(!strcmp(cmd, "train2d"));
    printf("every command:\n");
    char threads[160];
    snprintf(threads, sizeof threads, "threads for the kernels; a whole number in 1..%d (default: one per core); "
             "the results are the same bits with any count", GP_MAX_THREADS);
    help_line("--threads", "N", threads);
    help_line("--help", NULL, "this help");
}

/* Parses argv[2..] against the command's table (and the settings' flags
 * when `given` is not NULL) into args; seen gets bit i for option i. An
 * option given twice, or given as another's value (--out --steps), is
 * refused; an argument that begins with "--" is an option, never a value,
 * so an unknown one is refused as such wherever it stands. Returns 0, -1
 * after printing the help for --help, or 2 after a message. */
static int parse_options(const char *cmd, const char *usage, const cli_opt *opts, int argc, char **argv, void *args,
                         given_settings *given, unsigned long *seen) {
    *seen = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            print_help(cmd, usage, opts, given != NULL);
            return -1;
        }
        int k = 0;
        while (opts[k].flag && strcmp(opts[k].flag, a) != 0) k++;
        const gp_setting *set = !opts[k].flag && given ? setting_flag(a) : NULL;
        if (!opts[k].flag && !set) {
            print_text(stderr, "ganplay %s: unknown option '%s'\n%s", cmd, a, usage);
            return 2;
        }
        int twice = opts[k].flag ? (int)(*seen >> k) & 1 : 0;
        for (int g = 0; set && g < given->n; g++) twice |= given->set[g] == set;
        if (twice) {
            print_text(stderr, "ganplay %s: %s is given twice\n", cmd, a);
            return 2;
        }
        if (opts[k].flag && opts[k].kind == OPT_FLAG) {
            *seen |= 1ul << k;
            take_value(cmd, &opts[k], NULL, args);
            continue;
        }
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v && !is_option(opts, given, v) && !strncmp(v, "--", 2)) {
            print_text(stderr, "ganplay %s: unknown option '%s'\n%s", cmd, v, usage);
            return 2;
        }
        if (!v || is_option(opts, given, v)) {
            if (!v) print_text(stderr, "ganplay %s: %s needs a value\n%s", cmd, a, usage);
            else print_text(stderr, "ganplay %s: %s needs a value, not the option %s\n%s", cmd, a, v, usage);
            return 2;
        }
        i++;
        if (set) {
            if (given->n == 64) {
                print_text(stderr, "ganplay %s: more than 64 settings given\n", cmd);
                return 2;
            }
            given->set[given->n] = set;
            given->text[given->n++] = v;
            given->have_seed |= !strcmp(set->name, "seed");
            continue;
        }
        *seen |= 1ul << k;
        int rc = take_value(cmd, &opts[k], v, args);
        if (rc) return rc;
    }
    return 0;
}

/* 1 if the option `flag` of the table was given */
static int given_flag(const cli_opt *opts, unsigned long seen, const char *flag) {
    for (int k = 0; opts[k].flag; k++)
        if (!strcmp(opts[k].flag, flag)) return (int)(seen >> k) & 1;
    return 0;
}

/* Applies the settings given to cfg; on a refusal prints it (naming the flag) and returns 0. */
static int apply_settings(const char *cmd, const given_settings *g, gp_gan_config *cfg) {
    gp_err err;
    for (int k = 0; k < g->n; k++)
        if (gp_setting_parse(cfg, g->set[k], g->text[k], &err) != GP_OK) {
            print_text(stderr, "ganplay %s: --%s: %s\n", cmd, g->set[k]->name, err.msg);
            return 0;
        }
    return 1;
}

/* v to d decimals, for a JSON line as short as the progress lines (NaN stays NaN: null). */
static double decimals(double v, int d) {
    double scale = pow(10.0, d);
    return isfinite(v) ? round(v * scale) / scale : v;
}

/* Prints the JSON line built in j (json.h: non-finite numbers are null)
 * and frees it; 0 if it could not be built (a message says so). */
static int print_json(const char *cmd, gp_json *j) {
    const char *text = gp_json_text(j);
    if (text) printf("%s\n", text);
    else print_text(stderr, "ganplay %s: out of memory building the JSON line\n", cmd);
    gp_json_free(j);
    return text != NULL;
}

/* A table row: the option, what it stores where, its line in --help. */
#define OPT(flag, kind, type, field, meta, help) {flag, kind, offsetof(type, field), 0, 0, 0, meta, help, NULL, 0}
#define OPT_RANGE(flag, kind, type, field, lo, hi, meta, help) \
    {flag, kind, offsetof(type, field), lo, hi, 0, meta, help, NULL, 0}
#define OPT_ABOVE(flag, type, field, lo, hi, meta, help) \
    {flag, OPT_FLOAT, offsetof(type, field), lo, hi, 1, meta, help, NULL, 0}
#define OPT_CHOICE(flag, type, field, meta, help, choice) \
    {flag, OPT_TEXT, offsetof(type, field), 0, 0, 0, meta, help, choice, 0}
#define OPT_OUT(flag, type, field, meta, help) {flag, OPT_TEXT, offsetof(type, field), 0, 0, 0, meta, help, NULL, 1}
#define OPT_END {NULL, OPT_FLAG, 0, 0, 0, 0, NULL, NULL, NULL, 0}

/* ---- train --------------------------------------------------------------------------- */

typedef struct {
    const char *preset, *data, *out, *resume, *classifier;
    long steps, log_every, checkpoint_every;
    float seconds;
    int generator_only, half;
} train_args;

/* The presets train makes (the presets table's image presets; the 2-D one is train2d's). */
static const char *image_preset(int i) {
    for (int k = 0; k < GP_N_PRESETS; k++)
        if (!GP_PRESETS[k].is_2d && i-- == 0) return GP_PRESETS[k].name;
    return NULL;
}


static const cli_opt TRAIN_OPTS[] = {
    OPT_CHOICE("--preset", train_args, preset, "NAME", "the architecture", image_preset),
    OPT("--data", OPT_TEXT, train_args, data, "FILE", "the dataset (a ganplay .bin; its training split)"),
    OPT("--resume", OPT_TEXT, train_args, resume, "FILE", "go on training this training state (instead of --preset "
        "and --seed)"),
    OPT("--classifier", OPT_TEXT, train_args, classifier, "FILE", "measure the FD every 250 steps on 500 samples "
        "with this classifier of the data (e.g. models/mnist-classifier.gpc)"),
    OPT_RANGE("--steps", OPT_LONG, train_args, steps, 1, 100000000, "N", "train N steps"),
    OPT_ABOVE("--seconds", train_args, seconds, 0, GP_CLI_MAX_SECONDS, "S", "train for S seconds, and at least "
              "one step"),
    OPT_RANGE("--log-every", OPT_LONG, train_args, log_every, 1, 100000000, "N", "a progress line every N steps "
              "(default 100)"),
    OPT_RANGE("--checkpoint-every", OPT_LONG, train_args, checkpoint_every, 1, 100000000, "N", "write the training "
              "state to --out every N steps"),
    OPT("--generator-only", OPT_FLAG, train_args, generator_only, NULL, "write the generator alone, not the "
        "training state"),
    OPT("--f16", OPT_FLAG, train_args, half, NULL, "write the generator alone with float16 weights (half the size)"),
    OPT_OUT("--out", train_args, out, "FILE", "the model file: the training state (resumable), or the generator "
            "alone with --generator-only or --f16; the checkpoints too"),
    OPT_END,
};

/* The dataset's name as a model records it: mnist, fashion, emoji, or own. */
static const char *dataset_name(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!strncmp(base, "mnist", 5)) return "mnist";
    if (!strncmp(base, "fashion", 7)) return "fashion";
    if (!strncmp(base, "emoji", 5)) return "emoji";
    return "own";
}

/* The model to train: a resumed training state (settings given apply if
 * they can change on a running model, the others must match) or a new one. */
static gp_status train_model(const train_args *a, const given_settings *given, const gp_gan_config *wanted,
                             const gp_dataset *ds, gp_gan *gan, gp_err *err) {
    if (!a->resume) {
        gp_gan_config cfg = *wanted;
        snprintf(cfg.dataset, sizeof cfg.dataset, "%s", dataset_name(a->data));
        gp_status st = gp_gan_config_set_image(&cfg, ds->c, ds->h, ds->w, err);
        if (st == GP_OK) st = gp_gan_config_set_classes(&cfg, gp_dataset_classes(ds), err);
        return st != GP_OK ? st : gp_gan_create(gan, &cfg, 1, err);
    }
    gp_status st = gp_model_load_file(gan, a->resume, err);
    if (st != GP_OK) return st;
    if (!gan->has_d)
        st = gp_fail(err, GP_ERR_ARG, "'%s' holds a generator only; resuming needs a full training state", a->resume);
    else if (a->preset && strcmp(a->preset, gan->cfg.preset) != 0)
        st = gp_fail(err, GP_ERR_ARG, "'%s' is a '%s' model, not '%s'", a->resume, gan->cfg.preset, a->preset);
    gp_gan_config cfg = gan->cfg;
    for (int k = 0; st == GP_OK && k < given->n; k++) st = gp_setting_parse(&cfg, given->set[k], given->text[k], err);
    if (st == GP_OK) st = gp_gan_set_config(gan, &cfg, err);
    if (st != GP_OK) gp_gan_free(gan);
    return st;
}

/* The FD's classifier and the reference statistics of the data's held-out images. */
static gp_status load_scorer(const char *path, const gp_dataset *ds, int held_out, gp_classifier *clf,
                             gp_feature_stats *ref, gp_threads *th, gp_err *err) {
    gp_status st = gp_classifier_load_file(clf, path, err);
    if (st != GP_OK) return st;
    clf->net.threads = th;
    st = gp_quality_reference_split(clf, ds, held_out, ref, err);
    if (st != GP_OK) gp_classifier_free(clf);
    return st;
}

/* steps/s is over the log line's interval */
static void train_log(const gp_run *run, double steps_per_s) {
    const gp_gan_stats *s = &run->gan.stats;
    printf("step %6ld  d_loss %.4f  g_loss %.4f  D(x) %.3f  D(G(z)) %.3f", s->step, s->d_loss, s->g_loss, s->d_real,
           s->d_fake);
    if (run->gan.cfg.cond == GP_COND_ACGAN) printf("  D class acc %.3f", s->class_acc);
    if (s->penalty != 0.0f) printf("  penalty %.4f", s->penalty);
    if (run->has_quality && run->quality_step == s->step) printf("  FD %.2f", run->quality.fd);
    printf("  steps/s %.1f\n", steps_per_s);
    fflush(stdout);
}

/* The run, turn by turn: a log line every log_every steps and at the end,
 * a checkpoint when the run keeps one (not at the last step: the final
 * write follows). Returns 0, or 1 after a message. */
static int train_turns(gp_run *run, const train_args *a, long *done) {
    gp_err err = {{0}};
    long start = run->gan.stats.step;
    double t0 = gp_now_ms(), t_log = t0;
    long at_log = 0;
    gp_run_set_limits(run, a->steps > 0 ? start + a->steps : 0, a->seconds > 0 ? t0 + 1000.0 * a->seconds : 0.0);
    if (gp_run_start(run, &err) != GP_OK) return fail("train", &err, 1);
    while (run->running) {
        gp_run_turn t;
        if (gp_run_turn_once(run, &t, &err) != GP_OK) return fail("train", &err, 1);
        *done = run->gan.stats.step - start;
        if (t.halted) {
            print_text(stderr, "ganplay train: %s; stopping without writing %s\n", run->halt.msg, a->out);
            return 1;
        }
        if (*done % a->log_every == 0 || !run->running) {
            double t = gp_now_ms();
            train_log(run, t > t_log ? (double)(*done - at_log) * 1000.0 / (t - t_log) : 0.0);
            t_log = t;
            at_log = *done;
        }
        if (t.kept && run->running) { /* a resumable state now and then, so a long run survives an interruption */
            if (gp_write_file_atomic(a->out, run->good, run->good_len, &err) != GP_OK) {
                print_text(stderr, "ganplay train: checkpoint: %s\n", err.msg);
                return 1;
            }
            print_text(stdout, "checkpoint at step %ld: %s\n", run->gan.stats.step, a->out);
            fflush(stdout);
        }
    }
    return 0;
}

static int cmd_train(int argc, char **argv, gp_threads *th) {
    train_args a = {.steps = -1, .log_every = 100, .seconds = -1.0f};
    given_settings given = {.n = 0};
    unsigned long seen;
    int rc = parse_options("train", TRAIN_USAGE, TRAIN_OPTS, argc, argv, &a, &given, &seen);
    if (rc) return rc < 0 ? 0 : rc;
    if (a.half) a.generator_only = 1;
    if (!a.data || !a.out || (a.steps < 0) == (a.seconds < 0) || (!a.resume && (!a.preset || !given.have_seed))) {
        print_text(stderr, "ganplay train: needs --data, --out, exactly one of --steps and --seconds,\n"
                           "and --preset and --seed unless resuming\n%s", TRAIN_USAGE);
        return 2;
    }
    /* every value, and the output's place, is checked before anything is loaded or trained */
    if (!out_writable("train", a.out)) return 1;
    gp_err err = {{0}};
    gp_gan_config wanted;
    if (gp_gan_config_default(&wanted, a.preset ? a.preset : "mlp", &err) != GP_OK) return fail("train", &err, 2);
    if (!apply_settings("train", &given, &wanted)) return 2;
    gp_dataset ds;
    if (gp_dataset_load(&ds, a.data, &err) != GP_OK) return fail("train", &err, 1);
    gp_gan gan;
    gp_classifier clf;
    gp_feature_stats ref;
    gp_status st = train_model(&a, &given, &wanted, &ds, &gan, &err);
    if (st != GP_OK) {
        gp_dataset_free(&ds);
        return fail("train", &err, st == GP_ERR_ARG ? 2 : 1);
    }
    if (a.classifier && load_scorer(a.classifier, &ds, 1, &clf, &ref, th, &err) != GP_OK) {
        gp_gan_free(&gan);
        gp_dataset_free(&ds);
        return fail("train", &err, 1);
    }
    gp_run run;
    gp_run_init(&run, gp_run_policy_find("cli"));
    run.policy.turn_steps = a.log_every;
    run.policy.keep_every = a.checkpoint_every;
    if (!a.classifier) run.policy.measure_every = 0;
    gp_run_set_threads(&run, th);
    gp_run_set_images(&run, &ds);
    if (a.classifier) gp_run_set_scorer(&run, &clf, &ref);
    if (gp_run_adopt(&run, &gan, &err) != GP_OK) {
        gp_gan_free(&gan);
        rc = fail("train", &err, 1);
    } else {
        const gp_gan_config *c = &run.gan.cfg;
        printf("training %s GAN: batch %d, latent %d, loss %s, cond %s (%d classes), ema %g, %d training images, "
               "kernels: %s, %d thread%s\n", c->preset, c->batch, c->latent, GP_LOSSES[c->loss].name,
               gp_setting_find("cond")->choice(c->cond), c->classes, c->ema, ds.n_train,
               gp_kernels_name(), gp_threads_count(th), gp_threads_count(th) > 1 ? "s" : "");
        double t0 = gp_now_ms();
        long done = 0;
        rc = train_turns(&run, &a, &done);
        double elapsed = (gp_now_ms() - t0) / 1000.0;
        if (rc == 0) {
            printf("%ld steps in %.1f s (%.1f steps/s)\n", done, elapsed, done / elapsed);
            int kind = a.generator_only ? (a.half ? GP_SAVE_GENERATOR_F16 : GP_SAVE_GENERATOR) : GP_SAVE_TRAINING;
            if (gp_run_save_file(&run, kind, a.out, &err) != GP_OK) rc = fail("train", &err, 1);
            else print_text(stdout, "wrote %s\n", a.out);
        }
    }
    gp_run_free(&run);
    if (a.classifier) {
        gp_feature_stats_free(&ref);
        gp_classifier_free(&clf);
    }
    gp_dataset_free(&ds);
    return rc;
}

/* ---- train2d --------------------------------------------------------------------------- */

typedef struct {
    const char *dist, *lesson, *model, *out;
    long steps, log_every;
} train2d_args;

/* the toy distributions train2d takes (a drawn one needs the page's canvas), and the lessons */
static const char *dist_name(int i) { return i >= 0 && i < GP_2D_DRAWN ? GP_2D_DISTS[i].name : NULL; }
static const char *lesson_name(int i) { return i >= 0 && i < GP_N_2D_LESSONS ? GP_2D_LESSONS[i].name : NULL; }

static const cli_opt TRAIN2D_OPTS[] = {
    OPT_CHOICE("--dist", train2d_args, dist, "NAME", "the toy distribution", dist_name),
    OPT_CHOICE("--lesson", train2d_args, lesson, "NAME", "a lesson's distribution and settings (the page's "
               "#lesson=NAME), which the flags then override", lesson_name),
    OPT_RANGE("--steps", OPT_LONG, train2d_args, steps, 1, 100000000, "N", "train N rounds"),
    OPT_RANGE("--log-every", OPT_LONG, train2d_args, log_every, 1, 100000000, "N", "a progress line, with the "
              "coverage, KL and JS measured there, every N rounds (default 1000)"),
    OPT("--model", OPT_TEXT, train2d_args, model, "FILE", "go on from this saved 2-D run (instead of --dist, "
        "--lesson and --seed)"),
    OPT_OUT("--out", train2d_args, out, "FILE", "write the run as a saved 2-D run, which the page's 2-D mode opens"),
    OPT_END,
};

/* The 2-D settings: a lesson's or the preset's, then the distribution and the flags given. */
static int train2d_config(const train2d_args *a, const given_settings *given, gp_gan_config *cfg, gp_2d_dist *dist) {
    gp_err err = {{0}};
    if (a->lesson) {
        const gp_2d_lesson *lesson = gp_2d_lesson_find(a->lesson);
        if (!lesson) {
            print_text(stderr, "ganplay train2d: unknown lesson '%s'\n", a->lesson);
            return 2;
        }
        if (gp_2d_lesson_config(lesson, cfg, &err) != GP_OK) return fail("train2d", &err, 1);
    } else {
        gp_gan_config_default(cfg, "2d", NULL);
    }
    if (a->dist) snprintf(cfg->dataset, sizeof cfg->dataset, "%s", a->dist);
    if (!apply_settings("train2d", given, cfg)) return 2;
    int drawn = !strcmp(cfg->dataset, "drawn");
    if (drawn || gp_2d_dist_init(dist, cfg->dataset, NULL, 0, &err) != GP_OK) {
        print_text(stderr, "ganplay train2d: --dist: %s\n", drawn ? "'drawn' needs the page's canvas (give --dist NAME)" : err.msg);
        return 2;
    }
    return 0;
}

static void train2d_log(const gp_run *run) {
    const gp_gan_stats *s = &run->gan.stats;
    const gp_2d_eval *ev = &run->eval_2d;
    printf("round %7ld  d_loss %.4f  g_loss %.4f  D(x) %.3f  D(G(z)) %.3f  modes %d/%d  high quality %.3f  "
           "KL %.3f  JS %.3f\n", run->rounds, s->d_loss, s->g_loss, s->d_real, s->d_fake, ev->coverage.covered,
           ev->coverage.total, ev->coverage.high_quality, ev->kl, ev->js);
    fflush(stdout);
}

/* A saved 2-D run (--model) into run: its distribution into *dist, its
 * lesson into st; the settings given apply if they can change on a running
 * model. Returns 0, or the exit code after a message. */
static int train2d_open(const char *path, const given_settings *given, gp_run *run, gp_2d_dist *dist,
                        gp_2d_state *st) {
    gp_err err = {{0}};
    uint8_t *bytes;
    size_t len;
    if (gp_read_file(path, &bytes, &len, GP_MODEL_MAX_BYTES, &err) != GP_OK) return fail("train2d", &err, 1);
    gp_status s = gp_run_open_2d(run, dist, st, bytes, len, &err);
    free(bytes);
    if (s != GP_OK) {
        print_text(stderr, "ganplay train2d: %s: %s\n", path, err.msg);
        return 1;
    }
    gp_gan_config cfg = run->gan.cfg;
    for (int k = 0; s == GP_OK && k < given->n; k++) s = gp_setting_parse(&cfg, given->set[k], given->text[k], &err);
    if (s == GP_OK) s = gp_gan_set_config(&run->gan, &cfg, &err);
    return s == GP_OK ? 0 : fail("train2d", &err, 2);
}

static int cmd_train2d(int argc, char **argv, gp_threads *th) {
    train2d_args a = {.steps = -1, .log_every = 1000};
    /* the lessons' claims are measured with the multiply-then-add tile, the
     * one every engine has (tests/test_2d.c): a 2-D run is the same bits on
     * any CPU and in the page's SIMD engine, unless GP_KERNELS says otherwise */
    if (!getenv("GP_KERNELS")) gp_kernels_select("strict");
    given_settings given = {.n = 0};
    unsigned long seen;
    int rc = parse_options("train2d", TRAIN2D_USAGE, TRAIN2D_OPTS, argc, argv, &a, &given, &seen);
    if (rc) return rc < 0 ? 0 : rc;
    if (a.model && (a.dist || a.lesson)) {
        print_text(stderr, "ganplay train2d: --model goes on from a saved run: its distribution and lesson are the "
                           "file's (no --dist, no --lesson)\n%s", TRAIN2D_USAGE);
        return 2;
    }
    if (!a.model && ((!a.dist && !a.lesson) || a.steps < 0 || (!given.have_seed && !a.lesson))) {
        print_text(stderr, "ganplay train2d: needs --dist (or --lesson), --steps and --seed, or --model\n%s",
                   TRAIN2D_USAGE);
        return 2;
    }
    if (a.out && !out_writable("train2d", a.out)) return 1;
    static gp_2d_dist dist;
    static gp_2d_state st; /* the saved run's plane section (--model) */
    gp_err err = {{0}};
    gp_run run;
    gp_run_init(&run, gp_run_policy_find("cli_2d"));
    run.policy.turn_steps = a.log_every;
    run.policy.measure_every = a.log_every;
    gp_run_set_threads(&run, th);
    if (a.model) {
        rc = train2d_open(a.model, &given, &run, &dist, &st);
        if (rc) {
            gp_run_free(&run);
            return rc;
        }
    } else {
        gp_gan_config cfg;
        rc = train2d_config(&a, &given, &cfg, &dist);
        if (rc) return rc;
        gp_gan gan;
        if (gp_gan_create(&gan, &cfg, 1, &err) != GP_OK) return fail("train2d", &err, 2);
        gp_run_set_2d(&run, &dist);
        if (gp_run_adopt(&run, &gan, &err) != GP_OK) {
            gp_gan_free(&gan);
            gp_run_free(&run);
            return fail("train2d", &err, 1);
        }
        if (a.lesson) snprintf(st.lesson, sizeof st.lesson, "%s", a.lesson);
        st.frame_seed = GP_2D_FRAME_SEED;
    }
    const gp_gan_config *c = &run.gan.cfg;
    if (a.model) printf("going on from %s at round %ld: ", a.model, run.rounds);
    printf("training 2-D GAN on %s: G %d x %d, D %d x %d, %s, noise %s (%d-D), loss %s, %s, batch %d, %d D + %d G "
           "steps per round\n", GP_2D_DISTS[dist.kind].label, c->g_layers, c->g_width, c->d_layers, c->d_width,
           gp_setting_find("activation")->choice(c->activation), gp_setting_find("noise")->choice(c->noise),
           c->latent, GP_LOSSES[c->loss].name, gp_setting_find("optimizer")->choice(c->optimizer), c->batch,
           c->d_steps, c->g_steps);
    double t0 = gp_now_ms();
    long start = run.rounds, steps = a.steps > 0 ? a.steps : 0;
    if (steps > 0) {
        gp_run_set_limits(&run, start + steps, 0.0);
        if (gp_run_start(&run, &err) != GP_OK) rc = fail("train2d", &err, 1);
    }
    while (rc == 0 && run.running) {
        gp_run_turn t;
        if (gp_run_turn_once(&run, &t, &err) != GP_OK) rc = fail("train2d", &err, 1);
        else if (t.halted) rc = fail("train2d", &run.halt, 1);
        else if (run.rounds % a.log_every == 0 || !run.running) {
            if (!t.measured) gp_run_measure(&run); /* the last round is measured too */
            train2d_log(&run);
        }
    }
    if (rc == 0 && steps == 0) train2d_log(&run); /* nothing trained: the saved run as it stands (measured on opening) */
    if (rc == 0) {
        const gp_2d_eval *ev = &run.eval_2d;
        double train_s = run.spent_train / 1000.0;
        printf("%ld rounds in %.2f s\n", run.rounds - start, (gp_now_ms() - t0) / 1000.0);
        gp_json j;
        gp_json_init(&j);
        gp_json_open(&j, '{');
        gp_json_kint(&j, "rounds", run.rounds);
        gp_json_kint(&j, "modes_covered", ev->coverage.covered);
        gp_json_kint(&j, "modes_total", ev->coverage.total);
        gp_json_knum(&j, "high_quality_share", decimals(ev->coverage.high_quality, 4));
        gp_json_knum(&j, "kl", decimals(ev->kl, 4));
        gp_json_knum(&j, "js", decimals(ev->js, 4));
        gp_json_knum(&j, "rounds_per_s", decimals((run.rounds - start) / (train_s > 0 ? train_s : 1e-9), 0));
        gp_json_knum(&j, "d_loss", decimals(run.gan.stats.d_loss, 4));
        gp_json_knum(&j, "g_loss", decimals(run.gan.stats.g_loss, 4));
        gp_json_close(&j, '}');
        /* the saved run is written whole or not at all (gp_write_file_atomic), before the last line */
        if (a.out) {
            uint8_t *bytes = NULL;
            size_t len = 0;
            gp_status s = gp_run_save_2d(&run, st.lesson, st.frame_seed, &bytes, &len, &err);
            if (s == GP_OK) s = gp_write_file_atomic(a.out, bytes, len, &err);
            free(bytes);
            if (s != GP_OK) rc = fail("train2d", &err, 1);
            else print_text(stdout, "wrote %s\n", a.out);
        }
        if (rc == 0 && !print_json("train2d", &j)) rc = 1;
        else if (rc) gp_json_free(&j);
    }
    gp_run_free(&run);
    return rc;
}

/* ---- sample ---------------------------------------------------------------------------- */

typedef struct {
    const char *model, *png, *raw, *labels, *z, *direction;
    long count, cols, label;
    uint64_t seed;
    float amount;
    const char *units_off; /* LAYER:u1,u2,... */
} sample_args;

static const cli_opt SAMPLE_OPTS[] = {
    OPT("--model", OPT_TEXT, sample_args, model, "FILE", "the model file"),
    OPT_RANGE("--count", OPT_LONG, sample_args, count, 1, GP_CLI_MAX_COUNT, "N", "images to generate"),
    OPT("--seed", OPT_SEED, sample_args, seed, "N", "the seed of the latents"),
    OPT("--z", OPT_TEXT, sample_args, z, "FILE", "the latents instead of --seed's: N x latent little-endian "
        "float32, every one finite"),
    OPT_RANGE("--class", OPT_LONG, sample_args, label, 0, GP_MAX_CLASSES - 1, "K", "a class-conditional model "
              "draws class K (default: classes in turn, sample i has class i mod the class count)"),
    OPT_RANGE("--cols", OPT_LONG, sample_args, cols, 1, 1000, "C", "columns of the --png grid (default: a "
              "near-square grid)"),
    OPT("--units-off", OPT_TEXT, sample_args, units_off, "L:U,U,...", "switch units (channels) U of G's layer L off: "
        "their activations are 0 (a layer without units is refused, naming those with them)"),
    OPT_OUT("--png", sample_args, png, "FILE", "a grid of the images, --cols columns"),
    OPT_OUT("--raw", sample_args, raw, "FILE", "N images of C x H x W little-endian float32 in [-1, 1] (N x 784 "
            "for MNIST's 28x28), row-major, white on black"),
    OPT_OUT("--labels", sample_args, labels, "FILE", "the class of each sample, one integer per line"),
    OPT("--direction", OPT_TEXT, sample_args, direction, "NAME", "move every latent along this direction (see "
        "'ganplay directions': thickness, slant, pc1, ...) before generating"),
    OPT_RANGE("--amount", OPT_FLOAT, sample_args, amount, -10, 10, "A", "how far along --direction, in standard "
              "deviations of the latents along it"),
    OPT_END,
};

/* The latents of --z: count x latent little-endian float32, every one
 * finite. Returns 0, or 2 (a file of the wrong size) or 1 (a value that is
 * not finite) after a message. */
static int read_latents(const char *path, long count, int latent, float *z) {
    gp_err err = {{0}};
    uint8_t *bytes = NULL;
    size_t len = 0, want = (size_t)count * latent * 4;
    if (gp_read_file(path, &bytes, &len, want + 1, &err) != GP_OK || len != want) {
        if (err.msg[0]) print_text(stderr, "ganplay sample: --z: %s\n", err.msg);
        if (!err.msg[0] || len != want)
            print_text(stderr, "ganplay sample: --z '%s' must hold %ld x %d float32 values (%zu bytes)\n", path, count,
                       latent, want);
        free(bytes);
        return 2;
    }
    for (size_t i = 0; i < want / 4; i++) {
        z[i] = float_at(bytes + 4 * i);
        if (!isfinite(z[i])) { /* G would draw NaN images, and sample would write them */
            print_text(stderr, "ganplay sample: --z '%s': value %zu (sample %zu, latent value %zu, counting from 0; "
                       "byte offset %zu) is %s; latents must be finite\n", path, i, i / (size_t)latent,
                       i % (size_t)latent, 4 * i, isnan(z[i]) ? "NaN" : "infinite");
            free(bytes);
            return 1;
        }
    }
    free(bytes);
    return 0;
}

/* The outputs of sample: the labels, the raw floats, the grid (carrying
 * prov). Returns 0 or 1. */
static int sample_outputs(const sample_args *a, const float *images, const int *labels, gp_shape img,
                          const gp_provenance *prov) {
    size_t n_img = (size_t)gp_shape_size(img);
    if (a->labels) {
        mem_out m = {0};
        char line[16];
        for (long i = 0; i < a->count; i++) mem_put(&m, line, (size_t)snprintf(line, sizeof line, "%d\n", labels[i]));
        if (!write_out("sample", a->labels, &m)) return 1;
    }
    if (a->raw) {
        mem_out m = {0};
        mem_put_floats(&m, images, (size_t)a->count * n_img);
        if (!write_out("sample", a->raw, &m)) return 1;
        print_text(stdout, "wrote %ld samples to %s\n", a->count, a->raw);
    }
    if (a->png) {
        long cols = a->cols;
        if (cols == 0) {
            cols = 1;
            while (cols * cols < a->count) cols++;
        }
        int gw, gh;
        gp_grid_size((int)a->count, (int)cols, img.h, img.w, &gw, &gh);
        if (!write_png_grid("sample", a->png, images, (int)a->count, (int)cols, img, prov)) return 1;
        print_text(stdout, "wrote %dx%d grid of %ld samples to %s\n", gw, gh, a->count, a->png);
    }
    return 0;
}

/* Moves the count latents z along the model's direction `name` by amount
 * standard deviations (the directions fitted as 'ganplay directions' fits
 * them). 0, or 1/2 after a message. */
static int move_along(gp_gan *gan, const char *model, const char *name, double amount, float *z, int count) {
    gp_err err = {{0}};
    gp_direction_set *set = malloc(sizeof *set);
    if (!set) {
        print_text(stderr, "ganplay sample: out of memory\n");
        return 1;
    }
    int rc = 0;
    if (gp_directions_fit(gan, NULL, set, &err) != GP_OK) {
        rc = fail("sample", &err, 1);
    } else {
        int k = gp_directions_find(set, name);
        if (k < 0) {
            char names[256] = "";
            for (int i = 0; i < set->n; i++)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "", set->d[i].name);
            print_text(stderr, "ganplay sample: --direction '%s': %s has no such direction (it has: %s)\n", name, model,
                       names);
            rc = 2;
        } else {
            gp_directions_move(set, k, z, count, amount, z);
        }
    }
    free(set);
    return rc;
}

/* --units-off LAYER:U,U,...: switches those units of G's layer off
 * (units.h checks the layer and the units). Returns 0, or 2 after a message. */
static int units_off_option(gp_gan *gan, const char *text) {
    int units[GP_UNITS_MAX_OFF], n = 0;
    char *end;
    errno = 0;
    long layer = strtol(text, &end, 10);
    int ok = end != text && *end == ':' && errno == 0 && layer >= 0 && layer < GP_MAX_LAYERS;
    while (ok) {
        const char *at = end + 1;
        long u = strtol(at, &end, 10);
        ok = end != at && errno == 0 && u >= 0 && u < 65536 && n < GP_UNITS_MAX_OFF && (*end == ',' || *end == 0);
        if (ok) units[n++] = (int)u;
        if (!ok || *end == 0) break;
    }
    if (!ok) {
        print_text(stderr, "ganplay sample: --units-off '%s': expected LAYER:U,U,... (at most %d units, e.g. 3:5,17)\n",
                   text, GP_UNITS_MAX_OFF);
        return 2;
    }
    gp_err err = {{0}};
    if (gp_units_set(gan, (int)layer, units, n, 1, &err) != GP_OK) {
        print_text(stderr, "ganplay sample: --units-off: %s\n", err.msg);
        return 2;
    }
    return 0;
}

static int cmd_sample(int argc, char **argv, gp_threads *th) {
    sample_args a = {.count = -1, .label = -1};
    unsigned long seen;
    int rc = parse_options("sample", SAMPLE_USAGE, SAMPLE_OPTS, argc, argv, &a, NULL, &seen);
    if (rc) return rc < 0 ? 0 : rc;
    if (!a.model || a.count < 0 || (!given_flag(SAMPLE_OPTS, seen, "--seed") && !a.z) || (!a.png && !a.raw)) {
        print_text(stderr, "ganplay sample: needs --model, --count, --seed (or --z) and at least one of --png, "
                   "--raw\n%s", SAMPLE_USAGE);
        return 2;
    }
    if (!a.direction != !given_flag(SAMPLE_OPTS, seen, "--amount")) {
        print_text(stderr, "ganplay sample: --direction and --amount go together\n%s", SAMPLE_USAGE);
        return 2;
    }
    gp_err err = {{0}};
    gp_gan gan;
    if (gp_model_load_file(&gan, a.model, &err) != GP_OK) return fail("sample", &err, 1);
    gp_gan_set_threads(&gan, th);
    if (a.label >= 0 && a.label >= gan.cfg.classes) {
        print_text(stderr, "ganplay sample: --class %ld: %s has %d classes\n", a.label, a.model, gan.cfg.classes);
        gp_gan_free(&gan);
        return 2;
    }
    if (a.units_off && units_off_option(&gan, a.units_off) != 0) {
        gp_gan_free(&gan);
        return 2;
    }
    gp_shape img = gp_gan_image_shape(&gan);
    float *z = malloc(sizeof(float) * (size_t)a.count * gan.cfg.latent);
    float *images = malloc(sizeof(float) * (size_t)a.count * gp_shape_size(img));
    int *labels = malloc(sizeof(int) * (size_t)a.count);
    if (!z || !images || !labels) {
        print_text(stderr, "ganplay sample: out of memory for %ld samples\n", a.count);
        rc = 1;
    } else if (a.z) {
        rc = read_latents(a.z, a.count, gan.cfg.latent, z);
    } else {
        gp_gan_latents(&gan, a.seed, (int)a.count, z);
    }
    if (rc == 0 && a.direction) rc = move_along(&gan, a.model, a.direction, a.amount, z, (int)a.count);
    if (rc == 0) {
        gp_score_labels(labels, (int)a.count, gan.cfg.classes, (int)a.label);
        gp_gan_generate(&gan, z, gan.cfg.classes ? labels : NULL, (int)a.count, images);
        /* what the PNG says made it: latents of --seed from sample 0 (none
         * for --z's), the class of --class (none: classes in turn) */
        char name[256], hash[GP_PROV_HASH_LEN];
        gp_provenance prov;
        gp_provenance_init(&prov);
        prov.model = gp_provenance_model_name(a.model, name, sizeof name);
        gp_gan_weights_hash(&gan, hash);
        prov.weights = hash;
        prov.seed = a.z ? -1 : (int64_t)a.seed;
        prov.index = a.z ? -1 : 0;
        prov.count = a.count;
        prov.label = gan.cfg.classes ? (int)a.label : -1;
        prov.what = "sample";
        int off[GP_UNITS_MAX_OFF];
        if (gan.units_off) { /* the units switched off, in the picture's provenance */
            prov.units_layer = gan.units_layer;
            for (int u = 0; u < gan.G.shape[gan.units_layer + 1].c && prov.n_units < GP_UNITS_MAX_OFF; u++)
                if (gan.units_off[u]) off[prov.n_units++] = u;
            prov.units = off;
        }
        if (a.direction) {
            prov.n_directions = 1;
            prov.direction_names[0] = a.direction;
            prov.direction_amounts[0] = a.amount;
        }
        rc = sample_outputs(&a, images, labels, img, &prov);
    }
    free(z);
    free(images);
    free(labels);
    gp_gan_free(&gan);
    return rc;
}

/* ---- train-classifier --------------------------------------------------------------------- */

typedef struct {
    const char *data, *out;
    long steps, batch;
    uint64_t seed;
    float lr;
} classifier_args;

static const cli_opt CLASSIFIER_OPTS[] = {
    OPT("--data", OPT_TEXT, classifier_args, data, "FILE", "the dataset (its training split; accuracy on the "
        "held-out split)"),
    OPT_RANGE("--steps", OPT_LONG, classifier_args, steps, 1, 10000000, "N", "training steps"),
    OPT("--seed", OPT_SEED, classifier_args, seed, "N", "initial weights, batches and shifts"),
    OPT_RANGE("--batch", OPT_LONG, classifier_args, batch, 2, 1024, "N", "images per step (default 64)"),
    OPT_ABOVE("--lr", classifier_args, lr, 0, 1, "X", "Adam's learning rate (default 0.001)"),
    OPT_OUT("--out", classifier_args, out, "FILE", "the classifier file (.gpc)"),
    OPT_END,
};

/* Trains c for a->steps steps, a line every 500; 0 or 1 after a message. */
static int classifier_steps(gp_classifier *c, const gp_dataset *ds, const classifier_args *a) {
    gp_err err = {{0}};
    double t0 = gp_now_ms(), loss_sum = 0;
    for (long s = 1; s <= a->steps; s++) {
        float loss;
        if (gp_classifier_train_step(c, ds, gp_classifier_lr(a->lr, s, a->steps), &loss, &err) != GP_OK)
            return fail("train-classifier", &err, 1);
        loss_sum += loss;
        if (s % 500 == 0 || s == a->steps) {
            double acc;
            if (gp_classifier_accuracy(c, ds, &acc, &err) != GP_OK) return fail("train-classifier", &err, 1);
            printf("step %6ld  loss %.4f  held-out accuracy %.4f  %.1f s\n", s, loss_sum / (s % 500 ? s % 500 : 500), acc,
                   (gp_now_ms() - t0) / 1000.0);
            fflush(stdout);
            loss_sum = 0;
        }
    }
    return 0;
}

static int cmd_train_classifier(int argc, char **argv, gp_threads *th) {
    classifier_args a = {.steps = -1, .batch = 64, .lr = 1e-3f};
    unsigned long seen;
    int rc = parse_options("train-classifier", CLASSIFIER_USAGE, CLASSIFIER_OPTS, argc, argv, &a, NULL, &seen);
    if (rc) return rc < 0 ? 0 : rc;
    if (!a.data || !a.out || a.steps < 0 || !given_flag(CLASSIFIER_OPTS, seen, "--seed")) {
        fprintf(stderr, "ganplay train-classifier: needs --data, --steps, --seed and --out\n%s", CLASSIFIER_USAGE);
        return 2;
    }
    if (!out_writable("train-classifier", a.out)) return 1;
    gp_err err = {{0}};
    gp_dataset ds;
    if (gp_dataset_load(&ds, a.data, &err) != GP_OK) return fail("train-classifier", &err, 1);
    gp_classifier c;
    if (gp_classifier_create(&c, (gp_shape){ds.c, ds.h, ds.w}, (int)a.batch, a.seed, &err) != GP_OK) {
        gp_dataset_free(&ds);
        return fail("train-classifier", &err, 1);
    }
    c.net.threads = th;
    rc = classifier_steps(&c, &ds, &a);
    double acc;
    if (rc == 0 && gp_classifier_accuracy(&c, &ds, &acc, &err) != GP_OK) rc = fail("train-classifier", &err, 1);
    if (rc == 0) {
        if (gp_classifier_save_file(&c, a.out, &err) != GP_OK) rc = fail("train-classifier", &err, 1);
        else printf("wrote %s (held-out accuracy %.4f on %d images)\n", a.out, acc, ds.n_test);
    }
    gp_classifier_free(&c);
    gp_dataset_free(&ds);
    return rc;
}

/* ---- score ---------------------------------------------------------------------------------- */

/* Reads a grid PNG in sample's layout (cells of the image shape, GP_GRID_PAD
 * apart); cells that are all padding are empty and skipped. */
static float *read_png_grid(const char *path, gp_shape im, int *count) {
    int w, h, ch = im.c == 3 ? 3 : 1;
    if (im.c != 1 && im.c != 3) {
        print_text(stderr, "ganplay score: PNG grids hold gray or RGB images; the classifier reads %d channels\n", im.c);
        return NULL;
    }
    FILE *f = png_open("score", path, &w, &h);
    if (!f) return NULL;
    /* the grid's shape and size from the header, before decoding */
    int cw = im.w + GP_GRID_PAD, chh = im.h + GP_GRID_PAD;
    int cols = (w - GP_GRID_PAD) / cw, rows = (h - GP_GRID_PAD) / chh;
    if (cols < 1 || rows < 1 || cols * cw + GP_GRID_PAD != w || rows * chh + GP_GRID_PAD != h) {
        print_text(stderr, "ganplay score: '%s' is %dx%d, not a grid of %dx%d images written by 'sample --png'\n", path,
                   w, h, im.w, im.h);
        fclose(f);
        return NULL;
    }
    if ((long)rows * cols > GP_CLI_MAX_COUNT) {
        print_text(stderr, "ganplay score: '%s' is %dx%d, a grid of %ld cells; at most %d images are scored\n", path, w,
                   h, (long)rows * cols, GP_CLI_MAX_COUNT);
        fclose(f);
        return NULL;
    }
    unsigned char *px = png_decode("score", path, f, ch, w, h);
    if (!px) return NULL;
    size_t plane = (size_t)im.h * im.w, n_img = plane * ch;
    float *images = malloc(sizeof(float) * n_img * (size_t)rows * cols);
    if (!images) print_text(stderr, "ganplay score: out of memory for the images of '%s'\n", path);
    int n = 0;
    for (int r = 0; images && r < rows; r++)
        for (int c = 0; c < cols; c++) {
            int empty = 1;
            float *img = images + (size_t)n * n_img;
            for (int y = 0; y < im.h; y++)
                for (int x = 0; x < im.w; x++)
                    for (int k = 0; k < ch; k++) {
                        unsigned char v = px[((size_t)(GP_GRID_PAD + r * chh + y) * w + GP_GRID_PAD + c * cw + x) * ch + k];
                        empty &= v == GP_GRID_PAD_VALUE;
                        img[k * plane + (size_t)y * im.w + x] = v / 127.5f - 1.0f;
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
        print_text(stderr, "ganplay score: %s\n", err.msg);
        return NULL;
    }
    if (len == 0 || len % (n_img * 4) != 0) {
        print_text(stderr, "ganplay score: '%s' is %zu bytes, not a whole number of %zu-float images\n", path, len, n_img);
        free(bytes);
        return NULL;
    }
    size_t n = len / 4;
    float *images = malloc(sizeof(float) * n);
    if (!images) print_text(stderr, "ganplay score: out of memory for the images of '%s'\n", path);
    for (size_t i = 0; images && i < n; i++) {
        images[i] = float_at(bytes + 4 * i);
        if (!isfinite(images[i])) {
            print_text(stderr, "ganplay score: '%s' holds a non-finite value\n", path);
            free(images);
            images = NULL;
        }
    }
    free(bytes);
    *count = images ? (int)(n / n_img) : 0;
    return images;
}

/* Reads one class per line (count of them, each 0..9). */
static int *read_labels(const char *path, int count) {
    FILE *f = fopen(path, "r");
    if (!f) {
        print_text(stderr, "ganplay score: cannot read '%s': %s\n", path, strerror(errno));
        return NULL;
    }
    int *labels = malloc(sizeof(int) * (size_t)count), n = 0, v, extra;
    while (labels && n < count && fscanf(f, "%d", &v) == 1 && v >= 0 && v < GP_CLASSES) labels[n++] = v;
    int trailing = fscanf(f, " %d", &extra) == 1;
    fclose(f);
    if (!labels || n != count || trailing) {
        print_text(stderr, "ganplay score: '%s' must hold %d classes in 0..%d, one per line\n", path, count, GP_CLASSES - 1);
        free(labels);
        return NULL;
    }
    return labels;
}

typedef struct {
    const char *classifier, *data, *model, *raw, *png, *labels;
    long count, real, label, blur;
    int held_out, against_train;
    uint64_t seed;
} score_args;

static const cli_opt SCORE_OPTS[] = {
    OPT("--classifier", OPT_TEXT, score_args, classifier, "FILE", "the classifier (e.g. "
        "models/mnist-classifier.gpc)"),
    OPT("--data", OPT_TEXT, score_args, data, "FILE", "the dataset whose held-out images are the reference"),
    OPT("--model", OPT_TEXT, score_args, model, "FILE", "N samples of a model file's generator (default 1000, "
        "seed 1)"),
    OPT("--raw", OPT_TEXT, score_args, raw, "FILE", "images as written by 'sample --raw' (N x the classifier's "
        "image size)"),
    OPT("--png", OPT_TEXT, score_args, png, "FILE", "a grid as written by 'sample --png'"),
    OPT_RANGE("--real", OPT_LONG, score_args, real, 2, GP_CLI_MAX_COUNT, "N", "N images of the training split: "
              "what a perfect generator scores"),
    OPT("--held-out", OPT_FLAG, score_args, held_out, NULL, "with --real: the images come from the held-out split "
        "(the reference itself; with --blur, what a blurred copy of the data scores)"),
    OPT("--against-train", OPT_FLAG, score_args, against_train, NULL, "the reference is the training split, not "
        "the held-out one (for a small dataset, whose held-out split is a small sample)"),
    OPT_RANGE("--blur", OPT_LONG, score_args, blur, 1, GP_BLUR_MAX, "K", "with --raw, --png or --real: blur the "
              "images with a K x K box (K odd) before scoring them: a reference of what losing the details costs"),
    OPT("--labels", OPT_TEXT, score_args, labels, "FILE", "with --raw: the class each image was asked to show (as "
        "written by 'sample --labels'), for the conditional accuracy"),
    OPT_RANGE("--class", OPT_LONG, score_args, label, 0, GP_MAX_CLASSES - 1, "K", "with a conditional --model: "
              "score class K only"),
    OPT_RANGE("--count", OPT_LONG, score_args, count, 2, GP_CLI_MAX_COUNT, "N", "with --model: the samples "
              "(default 1000)"),
    OPT("--seed", OPT_SEED, score_args, seed, "N", "with --model or --real: the seed (default 1)"),
    OPT_END,
};

/* n distinct training images (a partial Fisher-Yates shuffle from seed); NULL after a message. */
static float *training_images(const gp_dataset *ds, long real, int held_out, uint64_t seed, int *count) {
    const int32_t *from = held_out ? ds->test_index : ds->train_index;
    int n_from = held_out ? ds->n_test : ds->n_train;
    int n = real < n_from ? (int)real : n_from;
    size_t n_img = (size_t)ds->h * ds->w * ds->c;
    float *images = malloc(sizeof(float) * (size_t)n * n_img);
    int32_t *order = malloc(sizeof(int32_t) * (size_t)n_from);
    if (!images || !order) {
        print_text(stderr, "ganplay score: out of memory for %d training images\n", n);
        free(images);
        free(order);
        return NULL;
    }
    gp_rng rng;
    gp_rng_seed(&rng, seed);
    memcpy(order, from, sizeof(int32_t) * (size_t)n_from);
    for (int i = 0; i < n; i++) {
        int j = i + (int)gp_rng_below(&rng, (uint32_t)(n_from - i));
        int32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
        gp_dataset_image(ds, order[i], images + (size_t)i * n_img);
    }
    free(order);
    *count = n;
    return images;
}

/* Scores what score_args names against ref; q filled and the image count
 * returned, or 0 after a message. */
static int score_images(const score_args *a, gp_classifier *c, const gp_feature_stats *ref, const gp_dataset *ds,
                        gp_threads *th, gp_quality *q) {
    gp_err err = {{0}};
    int n = 0;
    if (a->model) {
        gp_gan gan;
        if (gp_model_load_file(&gan, a->model, &err) != GP_OK) return fail("score", &err, 0);
        gp_gan_set_threads(&gan, th);
        if (gp_score_model(c, ref, &gan, (int)a->count, a->seed, (int)a->label, q, &err) == GP_OK) n = (int)a->count;
        else fail("score", &err, 0);
        gp_gan_free(&gan);
        return n;
    }
    int *labels = NULL;
    float *images = a->raw ? read_raw_images(a->raw, (size_t)gp_shape_size(c->net.shape[0]), &n)
                    : a->png ? read_png_grid(a->png, c->net.shape[0], &n)
                             : training_images(ds, a->real, a->held_out, a->seed, &n);
    if (!images) return 0;
    gp_shape in = c->net.shape[0];
    float *tmp = a->blur > 1 ? malloc(sizeof(float) * (size_t)in.h * in.w) : NULL;
    if (a->blur > 1 && tmp) gp_images_blur(images, n, in.c, in.h, in.w, (int)a->blur, tmp);
    free(tmp);
    if (a->raw && a->labels && !(labels = read_labels(a->labels, n))) {
        free(images);
        return 0;
    }
    if (n < 2) {
        print_text(stderr, "ganplay score: need at least 2 images, '%s' holds %d\n", a->raw ? a->raw : a->png, n);
        n = 0;
    } else if (gp_quality_score(c, ref, images, labels, n, q, &err) != GP_OK) {
        n = fail("score", &err, 0);
    }
    free(images);
    free(labels);
    return n;
}

static int cmd_score(int argc, char **argv, gp_threads *th) {
    score_args a = {.count = 1000, .label = -1, .seed = 1};
    unsigned long seen;
    int rc = parse_options("score", SCORE_USAGE, SCORE_OPTS, argc, argv, &a, NULL, &seen);
    if (rc) return rc < 0 ? 0 : rc;
    if (!a.classifier || !a.data || (!!a.model + !!a.raw + !!a.png + !!a.real) != 1) {
        print_text(stderr, "ganplay score: needs --classifier, --data and exactly one of --model, --raw, --png, "
                   "--real\n%s", SCORE_USAGE);
        return 2;
    }
    if ((a.labels && !a.raw) || (a.label >= 0 && !a.model) || (a.held_out && !a.real) || (a.blur && a.model)) {
        print_text(stderr, "ganplay score: --labels goes with --raw, --class with --model, --held-out with --real, "
                   "--blur with --raw, --png or --real\n%s", SCORE_USAGE);
        return 2;
    }
    if (a.blur && a.blur % 2 == 0) {
        print_text(stderr, "ganplay score: --blur takes an odd size (1, 3, 5, 7 or 9), got %ld\n", a.blur);
        return 2;
    }
    gp_err err = {{0}};
    gp_dataset ds;
    gp_classifier c;
    gp_feature_stats ref;
    if (gp_dataset_load(&ds, a.data, &err) != GP_OK) return fail("score", &err, 1);
    if (load_scorer(a.classifier, &ds, !a.against_train, &c, &ref, th, &err) != GP_OK) {
        gp_dataset_free(&ds);
        return fail("score", &err, 1);
    }
    gp_quality q;
    int n = score_images(&a, &c, &ref, &ds, th, &q);
    rc = 1;
    if (n >= 2) {
        print_text(stdout, "%s: %d images%s\n", a.model ? a.model : a.raw ? a.raw : a.png ? a.png : a.held_out ? "held-out "
                   "images" : "training images", n, a.blur > 1 ? ", blurred" : "");
        /* "digit FD" for the gray datasets as ever (scripts read it), the dataset's own name for colour */
        printf("%s FD %.3f (against %d %s images)\n", ds.c == 3 ? "emoji" : "digit", q.fd,
               a.against_train ? ds.n_train : ds.n_test, a.against_train ? "training" : "held-out");
        printf("class entropy %.3f nats (max %.3f)\nclasses:", q.entropy, log(10.0));
        for (int k = 0; k < GP_CLASSES; k++) printf(" %d:%.3f", k, q.hist[k]);
        printf("\n");
        if (q.cond_acc >= 0) printf("conditional accuracy %.4f\n", q.cond_acc);
        rc = 0;
    }
    gp_feature_stats_free(&ref);
    gp_classifier_free(&c);
    gp_dataset_free(&ds);
    return rc;
}

/* ---- directions ------------------------------------------------------------------------------ */

typedef struct {
    const char *model, *classifier;
    long samples, fit, principal;
    uint64_t seed;
} directions_args;

static const cli_opt DIRECTIONS_OPTS[] = {
    OPT("--model", OPT_TEXT, directions_args, model, "FILE", "the model file"),
    OPT("--classifier", OPT_TEXT, directions_args, classifier, "FILE", "the classifier for class retention "
        "(default: DATASET-classifier.gpc beside the model, if there is one)"),
    OPT_RANGE("--samples", OPT_LONG, directions_args, samples, 8, 5000, "N", "fresh samples each direction is "
              "measured on (default 300)"),
    OPT_RANGE("--fit", OPT_LONG, directions_args, fit, 64, 20000, "N", "samples the directions are fitted on "
              "(default 2000)"),
    OPT_RANGE("--principal", OPT_LONG, directions_args, principal, 0, 6, "N", "principal directions (default 4)"),
    OPT("--seed", OPT_SEED, directions_args, seed, "N", "the fitting samples' seed; the measure uses seed + 1 "
        "(default 1)"),
    OPT_END,
};

static int cmd_directions(int argc, char **argv, gp_threads *th) {
    gp_direction_opts o = gp_direction_defaults();
    directions_args a = {.samples = o.measure_samples, .fit = o.fit_samples, .principal = o.principal, .seed = o.seed};
    unsigned long seen;
    int rc = parse_options("directions", DIRECTIONS_USAGE, DIRECTIONS_OPTS, argc, argv, &a, NULL, &seen);
    if (rc) return rc < 0 ? 0 : rc;
    if (!a.model) {
        print_text(stderr, "ganplay directions: needs --model\n%s", DIRECTIONS_USAGE);
        return 2;
    }
    o = (gp_direction_opts){.fit_samples = (int)a.fit, .measure_samples = (int)a.samples, .principal = (int)a.principal,
                            .seed = a.seed};
    gp_err err = {{0}};
    gp_gan gan;
    if (gp_model_load_file(&gan, a.model, &err) != GP_OK) return fail("directions", &err, 1);
    gp_gan_set_threads(&gan, th);
    /* the default classifier: DATASET-classifier.gpc in the model's folder */
    char guess[4096];
    const char *clf_path = a.classifier;
    if (!clf_path) {
        const char *slash = strrchr(a.model, '/');
        int dir = slash ? (int)(slash - a.model + 1) : 0;
        snprintf(guess, sizeof guess, "%.*s%s-classifier.gpc", dir, a.model, gan.cfg.dataset);
        if (access(guess, R_OK) == 0) clf_path = guess;
    }
    gp_classifier clf;
    int has_clf = 0;
    if (clf_path) {
        if (gp_classifier_load_file(&clf, clf_path, &err) != GP_OK) {
            gp_gan_free(&gan);
            return fail("directions", &err, 1);
        }
        clf.net.threads = th;
        has_clf = 1;
    }
    gp_direction_set *set = malloc(sizeof *set);
    rc = 0;
    if (!set) {
        print_text(stderr, "ganplay directions: out of memory\n");
        rc = 1;
    } else if (gp_directions_fit(&gan, &o, set, &err) != GP_OK ||
               gp_directions_measure(&gan, has_clf ? &clf : NULL, &o, set, &err) != GP_OK) {
        rc = fail("directions", &err, 1);
    } else {
        gp_json j;
        gp_json_init(&j);
        gp_json_open(&j, '{');
        gp_json_kstr(&j, "model", a.model);
        gp_json_kstr(&j, "classifier", has_clf ? clf_path : NULL);
        gp_json_kint(&j, "latent", gan.cfg.latent);
        gp_json_kint(&j, "fit_samples", o.fit_samples);
        gp_json_kint(&j, "measure_samples", o.measure_samples);
        gp_json_kint(&j, "seed", (long long)o.seed);
        gp_json_key(&j, "directions");
        gp_directions_json(set, &j);
        gp_json_close(&j, '}');
        if (!print_json("directions", &j)) rc = 1;
    }
    free(set);
    if (has_clf) gp_classifier_free(&clf);
    gp_gan_free(&gan);
    return rc;
}

/* ---- info and export ------------------------------------------------------------------------ */

typedef struct {
    const char *model, *out, *png;
    long recalibrate;
    int half, no_ema;
} model_args;

static const cli_opt INFO_OPTS[] = {
    OPT("--model", OPT_TEXT, model_args, model, "FILE", "the model file"),
    OPT("--png", OPT_TEXT, model_args, png, "FILE", "a PNG ganplay wrote: prints its provenance"),
    OPT_END,
};

/* info --png: the provenance text of a PNG, as written. 0, or 1 after a message. */
static int info_png(const char *path) {
    gp_err err = {{0}};
    uint8_t *bytes = NULL;
    size_t len = 0;
    char *text = NULL;
    gp_status st = gp_read_file(path, &bytes, &len, GP_PNG_MAX_BYTES + 1, &err);
    if (st == GP_OK) st = gp_png_find_text(bytes, len, GP_PROV_KEYWORD, &text, &err);
    free(bytes);
    if (st != GP_OK) {
        print_text(stderr, "ganplay info: '%s': %s\n", path, err.msg);
        return 1;
    }
    printf("%s\n", text); /* printable ASCII: gp_png_find_text refuses anything else */
    free(text);
    return 0;
}

static int cmd_info(int argc, char **argv, gp_threads *th) {
    model_args a = {0};
    unsigned long seen;
    int rc = parse_options("info", INFO_USAGE, INFO_OPTS, argc, argv, &a, NULL, &seen);
    if (rc) return rc < 0 ? 0 : rc;
    if (!a.model == !a.png) {
        print_text(stderr, "ganplay info: needs --model or --png (one of them)\n%s", INFO_USAGE);
        return 2;
    }
    (void)th;
    if (a.png) return info_png(a.png);
    gp_err err = {{0}};
    gp_gan gan;
    gp_json j;
    /* a saved 2-D run: its plane (distribution, lesson, rounds) around the model's description */
    static gp_2d_state st;
    uint8_t *bytes;
    size_t len;
    if (gp_read_file(a.model, &bytes, &len, GP_MODEL_MAX_BYTES, &err) != GP_OK) return fail("info", &err, 1);
    int plane = gp_model_load_2d(&gan, &st, bytes, len, &err) == GP_OK;
    free(bytes);
    if (plane) {
        gp_json_init(&j);
        gp_2d_state_json(&gan, &st, &j);
        int ok = print_json("info", &j);
        gp_gan_free(&gan);
        return ok ? 0 : 1;
    }
    if (gp_model_load_file(&gan, a.model, &err) != GP_OK) return fail("info", &err, 1);
    gp_json_init(&j);
    gp_model_info_json(&gan, &j);
    int ok = print_json("info", &j);
    gp_gan_free(&gan);
    return ok ? 0 : 1;
}

static const cli_opt SETTINGS_OPTS[] = {
    OPT_END,
};

static int cmd_settings(int argc, char **argv, gp_threads *th) {
    unsigned long seen;
    int rc = parse_options("settings", SETTINGS_USAGE, SETTINGS_OPTS, argc, argv, NULL, NULL, &seen);
    if (rc) return rc < 0 ? 0 : rc;
    (void)th;
    gp_json j;
    gp_json_init(&j);
    gp_settings_json(&j);
    return print_json("settings", &j) ? 0 : 1;
}

static const cli_opt EXPORT_OPTS[] = {
    OPT("--model", OPT_TEXT, model_args, model, "FILE", "the model file"),
    OPT_RANGE("--recalibrate-bn", OPT_LONG, model_args, recalibrate, 1, 100000, "N", "first re-estimate "
              "BatchNorm's running statistics from N batches of the final generator (see docs/models.md, "
              "\"Sampling and BatchNorm\"; default 50 for a model trained with --ema, else none)"),
    OPT("--f16", OPT_FLAG, model_args, half, NULL, "float16 weights (half the size)"),
    OPT("--no-ema", OPT_FLAG, model_args, no_ema, NULL, "the weights as trained, not their moving average"),
    OPT_OUT("--out", model_args, out, "FILE", "the generator alone (a model file)"),
    OPT_END,
};

static int cmd_export(int argc, char **argv, gp_threads *th) {
    model_args a = {0};
    unsigned long seen;
    int rc = parse_options("export", EXPORT_USAGE, EXPORT_OPTS, argc, argv, &a, NULL, &seen);
    if (rc) return rc < 0 ? 0 : rc;
    if (!a.model || !a.out) {
        print_text(stderr, "ganplay export: needs --model and --out\n%s", EXPORT_USAGE);
        return 2;
    }
    gp_err err = {{0}};
    gp_gan gan;
    if (gp_model_load_file(&gan, a.model, &err) != GP_OK) return fail("export", &err, 1);
    gp_gan_set_threads(&gan, th);
    /* the moving average is what the model samples with; its BatchNorm
     * statistics were never measured, so they always are here */
    if (a.no_ema) { /* the weights as trained: drop the average */
        gan.ema = NULL;
        gan.cfg.ema = 0.0f;
    }
    int had_ema = gan.ema != NULL;
    if (had_ema && !a.recalibrate) a.recalibrate = 50;
    gp_gan_adopt_ema(&gan);
    if (a.recalibrate) gp_gan_recalibrate_bn(&gan, (int)a.recalibrate, gan.cfg.seed + GP_SALT_RECALIBRATE);
    if (gp_model_save_file(&gan, a.half ? GP_SAVE_GENERATOR_F16 : GP_SAVE_GENERATOR, a.out, &err) != GP_OK) {
        rc = fail("export", &err, 1);
    } else {
        print_text(stdout, "wrote %s (generator%s, %s%s)\n", a.out, had_ema ? ": moving average of the weights" : "",
                   a.half ? "float16" : "float32", a.recalibrate ? ", BatchNorm statistics recalibrated" : "");
    }
    gp_gan_free(&gan);
    return rc;
}

/* ---- project --------------------------------------------------------------------------------- */

/* A PNG as the model's image (or, as_mask, as a mask). NULL after a message. */
static float *read_png_image(const char *cmd, const char *path, gp_shape im, int as_mask) {
    int w, h;
    if (im.c != 1 && im.c != 3) {
        print_text(stderr, "ganplay %s: only gray and RGB models read PNGs; this one has %d channels\n", cmd, im.c);
        return NULL;
    }
    FILE *f = png_open(cmd, path, &w, &h);
    if (!f) return NULL;
    if (w > GP_IMAGE_MAX_SIDE || h > GP_IMAGE_MAX_SIDE) { /* from the header: nothing decoded yet */
        print_text(stderr, "ganplay %s: '%s' is %dx%d; images are read up to %dx%d (the model's %dx%d or a whole "
                   "multiple)\n", cmd, path, w, h, GP_IMAGE_MAX_SIDE, GP_IMAGE_MAX_SIDE, im.w, im.h);
        fclose(f);
        return NULL;
    }
    unsigned char *px = png_decode(cmd, path, f, 4, w, h);
    if (!px) return NULL;
    /* a one-image grid as 'sample --png' and this command write it: the image inside the padding */
    if (w == im.w + 2 * GP_GRID_PAD && h == im.h + 2 * GP_GRID_PAD) {
        for (int y = 0; y < im.h; y++)
            memmove(px + (size_t)y * im.w * 4, px + ((size_t)(y + GP_GRID_PAD) * w + GP_GRID_PAD) * 4, (size_t)im.w * 4);
        w = im.w;
        h = im.h;
    }
    float *out = malloc(sizeof(float) * (size_t)im.c * im.h * im.w);
    gp_err err = {{0}};
    gp_status st = out ? gp_image_from_rgba(out, px, h, w, im.c, im.h, im.w, as_mask, &err)
                       : gp_fail(&err, GP_ERR_NOMEM, "out of memory");
    stbi_image_free(px);
    if (st != GP_OK) {
        print_text(stderr, "ganplay %s: '%s': %s\n", cmd, path, err.msg);
        free(out);
        return NULL;
    }
    return out;
}

typedef struct {
    const char *model, *png, *out, *mask, *trace, *z;
    long steps, starts, label, upscale;
    int colourise;
    float lr, prior;
    uint64_t seed;
} project_args;

static const cli_opt PROJECT_OPTS[] = {
    OPT("--model", OPT_TEXT, project_args, model, "FILE", "the model file"),
    OPT("--png", OPT_TEXT, project_args, png, "IN.png", "the picture: the model's image size or a whole multiple "
        "(28x28, 280x280, ...; at most 4096x4096), or a one-image grid from 'sample --png'; dark ink on a light "
        "page is inverted, as the page does; with --upscale K exactly the model's size over K"),
    OPT("--mask", OPT_TEXT, project_args, mask, "MASK.png", "same size: white pixels must match, G fills the "
        "black ones"),
    OPT_RANGE("--class", OPT_LONG, project_args, label, 0, 4095, "K", "a conditional model draws class K "
              "(default: the best class)"),
    OPT_RANGE("--steps", OPT_LONG, project_args, steps, 1, 10000, "N", "Adam steps (default 300)"),
    OPT_RANGE("--starts", OPT_LONG, project_args, starts, 1, 4096, "N", "starting points, at most one batch "
              "(default 8)"),
    OPT_RANGE("--lr", OPT_FLOAT, project_args, lr, -INFINITY, INFINITY, "X", "Adam's learning rate, in (0, 1] "
              "(default 0.05)"),
    OPT_RANGE("--prior", OPT_FLOAT, project_args, prior, -INFINITY, INFINITY, "X", "weight of mean(z^2) in the "
              "loss, keeping z typical, in 0..100 (default 0.001)"),
    OPT("--seed", OPT_SEED, project_args, seed, "N", "the starting points' seed (default 1)"),
    OPT_OUT("--out", project_args, out, "OUT.png", "G(z), a one-image grid as 'sample --png' writes"),
    OPT_OUT("--trace", project_args, trace, "FILE.png", "the best start's image every 25 steps, in one row"),
    OPT_OUT("--z", project_args, z, "FILE", "the latent, as little-endian float32"),
    OPT_RANGE("--upscale", OPT_LONG, project_args, upscale, 1, 4096, "K", "IN.png is the model's size over K (7x7 "
              "for K 4 on 28x28 digits): G's image area-downscaled by K must match it"),
    OPT("--colourise", OPT_FLAG, project_args, colourise, NULL, "a colour model: G's image's gray (0.299 R + 0.587 G "
        "+ 0.114 B) must match IN.png's gray"),
    OPT_END,
};

/* The target (and mask) the operator's way: without one, IN.png as the
 * model's image; with --upscale K, a picture of exactly the model's size
 * over K; with --colourise, the gray of IN.png read as a colour image (so a
 * light background is not inverted as a gray drawing's would be). 1, or 0
 * after a message. */
static int project_target(const project_args *a, gp_gan *gan, const gp_project_opts *o, float **target, float **mask) {
    gp_shape im = gan->image, ts;
    gp_err err = {{0}};
    if (gp_project_op_shape(o->op, o->factor, im, &ts, &err) != GP_OK) {
        print_text(stderr, "ganplay project: %s\n", err.msg);
        return 0;
    }
    if (o->op == GP_PROJECT_OP_DOWNSCALE) {
        const char *paths[2] = {a->png, a->mask};
        for (int k = 0; k < 2; k++) {
            int w, h;
            FILE *f = paths[k] ? png_open("project", paths[k], &w, &h) : NULL;
            if (!paths[k]) continue;
            if (!f) return 0;
            fclose(f);
            if (w != ts.w || h != ts.h) {
                print_text(stderr, "ganplay project: '%s' is %dx%d; with --upscale %d it must be %dx%d (the model's "
                           "%dx%d over %d)\n", paths[k], w, h, o->factor, ts.w, ts.h, im.w, im.h, o->factor);
                return 0;
            }
        }
    }
    if (o->op == GP_PROJECT_OP_LUMINANCE) {
        float *colour = read_png_image("project", a->png, im, 0);
        *target = colour ? malloc(sizeof(float) * (size_t)gp_shape_size(ts)) : NULL;
        if (colour && !*target) print_text(stderr, "ganplay project: out of memory\n");
        if (*target) gp_project_op_apply(o->op, o->factor, im, colour, *target);
        free(colour);
    } else {
        *target = read_png_image("project", a->png, ts, 0);
    }
    if (!*target) return 0;
    if (a->mask && !(*mask = read_png_image("project", a->mask, ts, 1))) return 0;
    return 1;
}

/* Projects and writes the outputs; 0, 1 or 2 after a message. */
static int project_outputs(const project_args *a, gp_gan *gan, gp_project_opts *o) {
    gp_err err = {{0}};
    int rc = 1, L = gan->cfg.latent, n_img = gp_shape_size(gan->image), cap = o->steps / 25 + 1;
    o->trace_every = a->trace ? 25 : 0;
    float *target = NULL, *mask = NULL;
    float *z = malloc(sizeof(float) * (size_t)L), *image = malloc(sizeof(float) * (size_t)n_img);
    float *trace = a->trace ? malloc(sizeof(float) * (size_t)n_img * cap) : NULL;
    gp_project_result r;
    if (!project_target(a, gan, o, &target, &mask)) goto done;
    if (!z || !image || (a->trace && !trace)) {
        print_text(stderr, "ganplay project: out of memory\n");
        goto done;
    }
    if (gp_project(gan, target, mask, o, z, image, trace, cap, &r, &err) != GP_OK) {
        rc = fail("project", &err, err.msg[0] && strstr(err.msg, "became") ? 1 : 2);
        goto done;
    }
    /* what the PNGs say made them: the projection's seed and class (the
     * picture it matched is not named) */
    char name[256], hash[GP_PROV_HASH_LEN];
    gp_provenance prov;
    gp_provenance_init(&prov);
    prov.model = gp_provenance_model_name(a->model, name, sizeof name);
    gp_gan_weights_hash(gan, hash);
    prov.weights = hash;
    prov.seed = (int64_t)o->seed;
    prov.label = gan->cfg.classes ? r.label : -1;
    prov.what = o->op == GP_PROJECT_OP_DOWNSCALE ? "upscale" : o->op == GP_PROJECT_OP_LUMINANCE ? "colourise" : "project";
    if (!write_png_grid("project", a->out, image, 1, 1, gan->image, &prov)) goto done;
    prov.count = r.traced;
    prov.what = "project-trace";
    if (a->trace && !write_png_grid("project", a->trace, trace, r.traced, r.traced, gan->image, &prov)) goto done;
    if (a->z) {
        mem_out m = {0};
        mem_put_floats(&m, z, (size_t)L);
        if (!write_out("project", a->z, &m)) goto done;
    }
    gp_json j;
    gp_json_init(&j);
    gp_json_open(&j, '{');
    gp_json_knum(&j, "loss", decimals(r.loss, 6));
    gp_json_kint(&j, "class", r.label);
    gp_json_kint(&j, "start", r.start);
    gp_json_knum(&j, "mean_z2", decimals(r.prior, 4));
    gp_json_kint(&j, "steps", o->steps);
    gp_json_close(&j, '}');
    if (print_json("project", &j)) rc = 0;
done:
    free(target);
    free(mask);
    free(z);
    free(image);
    free(trace);
    return rc;
}

static int cmd_project(int argc, char **argv, gp_threads *th) {
    gp_project_opts o = gp_project_defaults();
    project_args a = {.steps = o.steps, .starts = o.restarts, .label = o.label, .lr = o.lr, .prior = o.prior, .seed = o.seed};
    unsigned long seen;
    int rc = parse_options("project", PROJECT_USAGE, PROJECT_OPTS, argc, argv, &a, NULL, &seen);
    if (rc) return rc < 0 ? 0 : rc;
    if (!a.model || !a.png || !a.out) {
        print_text(stderr, "ganplay project: needs --model, --png and --out\n%s", PROJECT_USAGE);
        return 2;
    }
    o.steps = (int)a.steps;
    o.restarts = (int)a.starts;
    o.label = (int)a.label;
    o.lr = a.lr;
    o.prior = a.prior;
    o.seed = a.seed;
    if (a.upscale && a.colourise) {
        print_text(stderr, "ganplay project: --upscale and --colourise do not go together\n");
        return 2;
    }
    if (a.upscale || a.colourise) { /* the search's own defaults (gp_project_op_defaults), for what is not given */
        gp_project_opts d = gp_project_op_defaults(a.upscale ? GP_PROJECT_OP_DOWNSCALE : GP_PROJECT_OP_LUMINANCE,
                                                   a.upscale ? (int)a.upscale : 1);
        if (!given_flag(PROJECT_OPTS, seen, "--steps")) o.steps = d.steps;
        if (!given_flag(PROJECT_OPTS, seen, "--starts")) o.restarts = d.restarts;
        if (!given_flag(PROJECT_OPTS, seen, "--lr")) o.lr = d.lr;
        if (!given_flag(PROJECT_OPTS, seen, "--prior")) o.prior = d.prior;
        o.op = d.op;
        o.factor = d.factor;
    }
    gp_err err = {{0}};
    const char *outputs[3] = {a.out, a.trace, a.z};
    for (int k = 0; k < 3; k++)
        if (outputs[k] && gp_check_writable(outputs[k], &err) != GP_OK) return fail("project", &err, 1);
    gp_gan gan;
    if (gp_model_load_file(&gan, a.model, &err) != GP_OK) return fail("project", &err, 1);
    gp_gan_set_threads(&gan, th);
    if (o.label >= 0 && o.label >= gan.cfg.classes) {
        print_text(stderr, "ganplay project: --class %d: the model has %d classes\n", o.label, gan.cfg.classes);
        gp_gan_free(&gan);
        return 2;
    }
    if (o.restarts > gan.G.max_batch) o.restarts = gan.G.max_batch; /* one batch of starts at most */
    gp_shape ts;
    if (gp_project_op_shape(o.op, o.factor, gan.image, &ts, &err) != GP_OK) {
        print_text(stderr, "ganplay project: %s\n", err.msg);
        gp_gan_free(&gan);
        return 2;
    }
    rc = project_outputs(&a, &gan, &o);
    gp_gan_free(&gan);
    return rc;
}

/* ---- main ---------------------------------------------------------------------------------------- */

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
    if (gp_threads_create(&th, (int)threads, &err) != GP_OK) return fail(argv[1], &err, 1);
    int rc = cmd(kept, argv, th);
    gp_threads_free(th);
    return rc;
}

static const struct {
    const char *name;
    command_fn fn;
} COMMANDS[] = {
    {"train", cmd_train}, {"train2d", cmd_train2d}, {"sample", cmd_sample}, {"train-classifier", cmd_train_classifier},
    {"score", cmd_score}, {"export", cmd_export},   {"project", cmd_project}, {"info", cmd_info},
    {"directions", cmd_directions},
    {"settings", cmd_settings},
};

int main(int argc, char **argv) {
    /* a file size limit (ulimit -f) makes a write fail with EFBIG, said as
     * such, instead of killing the tool part-way through a save */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(MAIN_USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (!strcmp(argv[1], COMMANDS[i].name)) return run_command(COMMANDS[i].fn, argc, argv);
    fprintf(stderr, "ganplay: unknown command '%s'\n%s", argv[1], MAIN_USAGE);
    return 2;
}
