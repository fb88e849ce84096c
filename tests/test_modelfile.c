/* Model files: round trip of generator-only and full training states, and
 * refusal of truncated, oversized and corrupted files with a clear error. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gan/gan.h"
#include "gan/history.h"
#include "store/modelfile.h"

static int same_floats(const float *a, const float *b, size_t n) { return memcmp(a, b, n * sizeof(float)) == 0; }

/* An unconditional file's layout (README, "Model"): the version-1 header
 * (144 bytes), the dataset name, the class count, the settings count and
 * one 24-byte record per setting but the seed; then the generator. */
#define SETTINGS_BYTES (4 + 24 * (size_t)(GP_N_SETTINGS - 1))
#define G_NET (144 + 16 + 4 + SETTINGS_BYTES)

/* Where a setting's record (16-byte name, f64) is in a file, or 0. */
static size_t setting_offset(const uint8_t *bytes, size_t len, const char *name) {
    for (size_t at = 168; at + 24 <= len && at < G_NET; at += 24)
        if (!strncmp((const char *)bytes + at, name, 16)) return at;
    return 0;
}

/* A small trained-looking GAN: default preset with weights nudged off init. */
static void make_gan(gp_gan *gan, uint64_t seed) {
    gp_gan_config cfg;
    gp_gan_config_default(&cfg, "mlp", NULL);
    cfg.seed = seed;
    cfg.batch = 8;
    cfg.lr_g = 1e-3f;
    gp_err err;
    CHECK(gp_gan_create(gan, &cfg, 1, &err) == GP_OK);
    gp_rng rng;
    gp_rng_seed(&rng, seed);
    for (size_t i = 0; i < gan->G.n_params; i++) gan->G.adam_m[i] = gp_rng_uniform(&rng);
    for (size_t i = 0; i < gan->D.n_buffers; i++) gan->D.buffers[i] = 0.5f;
    for (size_t i = 0; i < gan->G.n_buffers; i++) gan->G.buffers[i] = gp_rng_uniform(&rng) + 0.5f;
    gan->stats.step = 1234;
    gan->stats.d_step = 2468;
    gan->opt_g.t = 1234;
    gan->opt_d.t = 2468;
    gan->rng.state = 0xDEADBEEFull;
}

static void test_round_trip(void) {
    gp_gan a, b;
    gp_err err;
    make_gan(&a, 3);
    uint8_t *bytes;
    size_t len;
    CHECK(gp_model_save(&a, GP_SAVE_TRAINING, &bytes, &len, &err) == GP_OK);
    CHECK(gp_model_load(&b, bytes, len, &err) == GP_OK);
    CHECK(b.has_d == 1);
    CHECK(b.G.n_params == a.G.n_params && b.D.n_params == a.D.n_params);
    CHECK(same_floats(a.G.params, b.G.params, a.G.n_params));
    CHECK(same_floats(a.G.buffers, b.G.buffers, a.G.n_buffers));
    CHECK(same_floats(a.G.adam_m, b.G.adam_m, a.G.n_params));
    CHECK(same_floats(a.G.adam_v, b.G.adam_v, a.G.n_params));
    CHECK(same_floats(a.D.params, b.D.params, a.D.n_params));
    CHECK(same_floats(a.D.buffers, b.D.buffers, a.D.n_buffers));
    CHECK(b.stats.step == 1234 && b.stats.d_step == 2468 && b.opt_g.t == 1234 && b.opt_d.t == 2468);
    CHECK(b.rng.state == 0xDEADBEEFull);
    CHECK(b.cfg.batch == 8 && b.cfg.lr_g == 1e-3f && b.cfg.seed == 3 && !strcmp(b.cfg.preset, "mlp"));
    /* the loaded model samples exactly like the original */
    float z[4 * 100], img_a[4 * 784], img_b[4 * 784];
    gp_gan_latents(&a, 11, 4, z);
    gp_gan_generate(&a, z, NULL, 4, img_a);
    gp_gan_generate(&b, z, NULL, 4, img_b);
    CHECK(same_floats(img_a, img_b, 4 * 784));
    gp_gan_free(&b);
    free(bytes);

    /* generator only: smaller, no D, cannot be saved as a training state */
    CHECK(gp_model_save(&a, GP_SAVE_GENERATOR, &bytes, &len, &err) == GP_OK);
    CHECK(gp_model_load(&b, bytes, len, &err) == GP_OK);
    CHECK(b.has_d == 0);
    CHECK(same_floats(a.G.params, b.G.params, a.G.n_params));
    CHECK(same_floats(a.G.buffers, b.G.buffers, a.G.n_buffers));
    uint8_t *again;
    size_t again_len;
    CHECK(gp_model_save(&b, GP_SAVE_TRAINING, &again, &again_len, &err) == GP_ERR_ARG);
    CHECK(strlen(err.msg) > 0);
    gp_gan_free(&b);
    free(bytes);
    gp_gan_free(&a);
}

/* float16: every half survives f16 -> f32 -> f16; rounding is to nearest
 * even; an f16 generator file is half the size and samples within 2e-3. */
static void test_half(void) {
    int exact = 1;
    for (uint32_t h = 0; h < 65536; h++) {
        if ((h & 0x7C00u) == 0x7C00u && (h & 0x3FFu)) continue; /* NaN payloads */
        exact &= gp_f32_to_f16(gp_f16_to_f32((uint16_t)h)) == h;
    }
    CHECK(exact);
    CHECK(gp_f16_to_f32(0x3C00) == 1.0f && gp_f16_to_f32(0xC000) == -2.0f);
    CHECK(gp_f16_to_f32(0x0001) == 5.9604644775390625e-8f); /* smallest subnormal */
    CHECK(gp_f32_to_f16(1.0f + 1.0f / 2048) == 0x3C00);        /* tie -> even */
    CHECK(gp_f32_to_f16(1.0f + 3.0f / 2048) == 0x3C02);        /* tie -> even (up) */
    CHECK(gp_f32_to_f16(65520.0f) == 0x7C00);                   /* overflow -> inf */
    CHECK(gp_f32_to_f16(65504.0f) == 0x7BFF);
    CHECK(gp_f32_to_f16(1e-9f) == 0 && gp_f32_to_f16(-1e-9f) == 0x8000);

    gp_gan a, b;
    gp_err err;
    make_gan(&a, 4);
    uint8_t *full32, *half16;
    size_t len32, len16;
    CHECK(gp_model_save(&a, GP_SAVE_GENERATOR, &full32, &len32, &err) == GP_OK);
    CHECK(gp_model_save(&a, GP_SAVE_GENERATOR_F16, &half16, &len16, &err) == GP_OK);
    CHECK(len16 < len32 * 0.51);
    CHECK(gp_model_load(&b, half16, len16, &err) == GP_OK);
    float z[4 * 100], img_a[4 * 784], img_b[4 * 784];
    gp_gan_latents(&a, 12, 4, z);
    gp_gan_generate(&a, z, NULL, 4, img_a);
    gp_gan_generate(&b, z, NULL, 4, img_b);
    float worst = 0;
    for (int i = 0; i < 4 * 784; i++) worst = fmaxf(worst, fabsf(img_a[i] - img_b[i]));
    printf("float16 generator: %zu -> %zu bytes, largest pixel change %.2g\n", len32, len16, worst);
    CHECK(worst > 0 && worst < 2e-3f);
    gp_gan_free(&b);
    /* a half file claiming to be a training state too is refused */
    uint32_t flags = GP_MODEL_FLAG_TRAINING | GP_MODEL_FLAG_F16;
    memcpy(half16 + 8, &flags, 4);
    uint32_t crc = gp_crc32(half16, len16 - 4);
    memcpy(half16 + len16 - 4, &crc, 4);
    CHECK(gp_model_load(&b, half16, len16, &err) == GP_ERR_FORMAT);
    free(full32);
    free(half16);
    /* what the reader refuses is not written: a weight past float16's range
     * in a float16 file (it became infinity), a non-finite weight or Adam
     * moment in any file (a model whose loss became NaN) */
    uint8_t *bytes = NULL;
    size_t len;
    a.G.params[3] = 70000.0f;
    CHECK(gp_model_save(&a, GP_SAVE_GENERATOR_F16, &bytes, &len, &err) == GP_ERR_ARG && strstr(err.msg, "float16") && !bytes);
    CHECK(gp_model_save(&a, GP_SAVE_GENERATOR, &bytes, &len, &err) == GP_OK && gp_model_load(&b, bytes, len, &err) == GP_OK);
    free(bytes);
    gp_gan_free(&b);
    a.G.params[3] = NAN;
    CHECK(gp_model_save(&a, GP_SAVE_GENERATOR, &bytes, &len, &err) == GP_ERR_NAN && strstr(err.msg, "non-finite") && !bytes);
    a.G.params[3] = 0.0f;
    a.D.adam_v[0] = INFINITY;
    CHECK(gp_model_save(&a, GP_SAVE_TRAINING, &bytes, &len, &err) == GP_ERR_NAN && !bytes);
    CHECK(gp_model_save(&a, GP_SAVE_GENERATOR, &bytes, &len, &err) == GP_OK); /* a generator alone has no D */
    free(bytes);
    gp_gan_free(&a);
}

/* Every kind of damage is refused, with a message, and leaves the output
 * zeroed (nothing half-built, nothing leaked: ASan checks the latter). */
static void test_rejections(void) {
    gp_gan a, b;
    gp_err err;
    make_gan(&a, 5);
    uint8_t *bytes;
    size_t len;
    CHECK(gp_model_save(&a, GP_SAVE_TRAINING, &bytes, &len, &err) == GP_OK);
    uint8_t *copy = malloc(len + 64);

    /* truncated at many lengths: every byte of the header, then 16 cuts
     * spread over the weights (each load checksums the whole file) */
    int refused = 0, tried = 0;
    for (size_t cut = 0; cut < len; cut += cut < 1024 ? 1 : len / 16) {
        memcpy(copy, bytes, cut);
        err.msg[0] = 0;
        gp_status st = gp_model_load(&b, copy, cut, &err);
        tried++;
        refused += st == GP_ERR_FORMAT && err.msg[0] != 0 && b.G.params == NULL;
        if (st == GP_OK) gp_gan_free(&b);
    }
    CHECK(refused == tried);

    /* oversized: trailing bytes */
    memcpy(copy, bytes, len);
    memset(copy + len, 0, 64);
    CHECK(gp_model_load(&b, copy, len + 64, &err) == GP_ERR_FORMAT);

    /* corrupted: one flipped bit anywhere (16 positions) is caught */
    refused = tried = 0;
    for (size_t pos = 3; pos < len; pos += len / 16) {
        memcpy(copy, bytes, len);
        copy[pos] ^= 0x10;
        gp_status st = gp_model_load(&b, copy, len, &err);
        tried++;
        refused += st == GP_ERR_FORMAT;
        if (st == GP_OK) gp_gan_free(&b);
    }
    CHECK(refused == tried);

    /* a well-formed file (valid checksum) whose contents lie: a layer count
     * too large, a parameter count that does not match, a bad setting */
    struct { size_t offset; uint32_t value; const char *what; } lies[] = {
        {G_NET + 12, 1000, "G layer count"}, /* offsets as in the README's format table */
        {G_NET + 16, 99, "G first layer kind"},
        {G_NET + 20, 0, "G first layer width"},
        {4, 3, "version"},
        {160, 5, "classes of an unconditional model"},
        {164, 300, "the settings count"},
        {8, 7, "flags"},
        {40, 0, "batch"},
        {44, 5000, "latent"},
        {100, 1, "G steps past 2^32 (a 64-bit build counted them, wasm's 32-bit long wrapped them)"},
        {108, 0x80000000u, "D steps past 2^63"},
        {116, 1, "Adam's G step count past 2^32"},
        {96, 0x80000000u, "G steps past 2^31 - 1"},
    };
    for (size_t i = 0; i < sizeof lies / sizeof lies[0]; i++) {
        memcpy(copy, bytes, len);
        uint32_t v = lies[i].value;
        memcpy(copy + lies[i].offset, &v, 4);
        uint32_t crc = gp_crc32(copy, len - 4);
        memcpy(copy + len - 4, &crc, 4);
        err.msg[0] = 0;
        gp_status st = gp_model_load(&b, copy, len, &err);
        if (st == GP_OK) gp_gan_free(&b);
        if (st != GP_ERR_FORMAT || !err.msg[0]) fprintf(stderr, "lie about %s was accepted\n", lies[i].what);
        CHECK(st == GP_ERR_FORMAT);
        CHECK(err.msg[0] != 0);
    }
    /* settings by name that lie: out of range, inconsistent, unknown */
    struct { const char *name; double value; const char *rename; } named_lies[] = {
        {"cond", 3.0, NULL}, {"cond", 1.0, NULL}, {"ema", 1.0, NULL}, {"batch", 5000.0, NULL},
        {"lr_g", -1.0, NULL}, {"augment", 0.5, NULL}, {"loss", 0.0, "wasserstein"},
    };
    for (size_t i = 0; i < sizeof named_lies / sizeof named_lies[0]; i++) {
        memcpy(copy, bytes, len);
        size_t at = setting_offset(copy, len, named_lies[i].name);
        CHECK(at > 0);
        if (!at) continue;
        if (named_lies[i].rename) {
            memset(copy + at, 0, 16);
            memcpy(copy + at, named_lies[i].rename, strlen(named_lies[i].rename));
        } else {
            memcpy(copy + at + 16, &named_lies[i].value, 8);
        }
        uint32_t crc = gp_crc32(copy, len - 4);
        memcpy(copy + len - 4, &crc, 4);
        err.msg[0] = 0;
        gp_status st = gp_model_load(&b, copy, len, &err);
        if (st == GP_OK) gp_gan_free(&b);
        if (st != GP_ERR_FORMAT) fprintf(stderr, "lie about %s was accepted\n", named_lies[i].name);
        CHECK(st == GP_ERR_FORMAT && err.msg[0] != 0);
    }
    /* random bytes and an empty buffer */
    gp_rng rng;
    gp_rng_seed(&rng, 9);
    for (size_t i = 0; i < len; i++) copy[i] = (uint8_t)gp_rng_u64(&rng);
    CHECK(gp_model_load(&b, copy, len, &err) == GP_ERR_FORMAT);
    memcpy(copy, "GPMF", 4);
    CHECK(gp_model_load(&b, copy, len, &err) == GP_ERR_FORMAT);
    CHECK(gp_model_load(&b, copy, 0, &err) == GP_ERR_FORMAT);
    /* a missing file is an I/O error with the path in the message */
    CHECK(gp_model_load_file(&b, "build/no-such-dir/model.gpm", &err) == GP_ERR_IO);
    CHECK(strstr(err.msg, "no-such-dir") != NULL);

    free(copy);
    free(bytes);
    gp_gan_free(&a);
}

/* A conditional model with a moving average: classes, names and the
 * average survive a round trip; a generator alone carries the average as
 * its weights; bad class counts are refused. */
static void test_conditional(void) {
    gp_gan_config cfg;
    gp_err err;
    gp_gan_config_default(&cfg, "mlp", NULL);
    cfg.batch = 8;
    cfg.cond = GP_COND_ACGAN;
    cfg.ema = 0.99f;
    strcpy(cfg.dataset, "fashion");
    CHECK(gp_gan_config_set_classes(&cfg, 10, &err) == GP_OK);
    CHECK(!strcmp(cfg.class_names[9], "Ankle boot"));
    gp_gan a, b;
    CHECK(gp_gan_create(&a, &cfg, 1, &err) == GP_OK);
    CHECK(a.G.shape[0].c == 110 && gp_shape_size(gp_net_output_shape(&a.D)) == 11);
    for (size_t i = 0; i < a.G.n_params; i++) a.ema[i] = a.G.params[i] * (1.0f + 0.01f * (float)(i % 7));
    uint8_t *bytes;
    size_t len;
    CHECK(gp_model_save(&a, GP_SAVE_TRAINING, &bytes, &len, &err) == GP_OK);
    CHECK(gp_model_load(&b, bytes, len, &err) == GP_OK);
    CHECK(b.cfg.classes == 10 && b.cfg.cond == GP_COND_ACGAN && !strcmp(b.cfg.class_names[0], "T-shirt/top"));
    CHECK(!strcmp(b.cfg.dataset, "fashion") && b.cfg.ema == 0.99f && b.ema != NULL);
    CHECK(b.ema && same_floats(a.ema, b.ema, a.G.n_params));
    gp_gan_free(&b);
    /* a class count that is not a model's: too many, or one with conditioning */
    for (int k = 0; k < 2; k++) {
        uint8_t *copy = malloc(len);
        memcpy(copy, bytes, len);
        uint32_t v = k ? 17u : 1u;
        memcpy(copy + 160, &v, 4); /* u32 classes */
        uint32_t crc = gp_crc32(copy, len - 4);
        memcpy(copy + len - 4, &crc, 4);
        err.msg[0] = 0;
        CHECK(gp_model_load(&b, copy, len, &err) == GP_ERR_FORMAT && err.msg[0] != 0);
        free(copy);
    }
    free(bytes);
    /* the generator alone samples with the average */
    CHECK(gp_model_save(&a, GP_SAVE_GENERATOR, &bytes, &len, &err) == GP_OK);
    CHECK(gp_model_load(&b, bytes, len, &err) == GP_OK);
    CHECK(b.ema == NULL && b.cfg.ema == 0.0f && b.cfg.classes == 10);
    CHECK(same_floats(a.ema, b.G.params, a.G.n_params));
    float z[4 * 100], img_a[4 * 784], img_b[4 * 784];
    int labels[4] = {7, 7, 3, 0};
    gp_gan_latents(&a, 5, 4, z);
    gp_gan_generate(&a, z, labels, 4, img_a);
    gp_gan_generate(&b, z, labels, 4, img_b);
    CHECK(same_floats(img_a, img_b, 4 * 784));
    /* and the class changes the image */
    labels[0] = 1;
    gp_gan_generate(&b, z, labels, 1, img_b);
    CHECK(!same_floats(img_a, img_b, 784));
    gp_gan_free(&b);
    free(bytes);
    gp_gan_free(&a);
}

/* A version-1 file (before classes, dataset and the average) still loads. */
static void test_version1(void) {
    gp_gan a, b;
    gp_err err;
    make_gan(&a, 4);
    uint8_t *bytes;
    size_t len;
    CHECK(gp_model_save(&a, GP_SAVE_TRAINING, &bytes, &len, &err) == GP_OK);
    /* version 1 is version 2 without the dataset, classes and settings at 144 */
    size_t extra = G_NET - 144;
    uint8_t *v1 = malloc(len - extra);
    memcpy(v1, bytes, 144);
    memcpy(v1 + 144, bytes + G_NET, len - G_NET);
    size_t len1 = len - extra;
    uint32_t one = 1;
    memcpy(v1 + 4, &one, 4);
    uint32_t crc = gp_crc32(v1, len1 - 4);
    memcpy(v1 + len1 - 4, &crc, 4);
    CHECK(gp_model_load(&b, v1, len1, &err) == GP_OK);
    CHECK(b.cfg.classes == 0 && b.cfg.cond == GP_COND_NONE && !strcmp(b.cfg.dataset, "unknown"));
    CHECK(same_floats(a.G.params, b.G.params, a.G.n_params) && same_floats(a.D.adam_v, b.D.adam_v, a.D.n_params));
    gp_gan_free(&b);
    free(v1);
    free(bytes);
    gp_gan_free(&a);
}

/* A history as the page writes it: P chart points, F FD points, K
 * snapshots of h x w; returns its length. */
static size_t make_history(uint8_t *out, uint32_t P, uint32_t F, uint32_t K, uint32_t h, uint32_t w) {
    size_t at = 0;
#define PUT32(v)                                  \
    do {                                          \
        uint32_t v_ = (v);                        \
        memcpy(out + at, &v_, 4);                 \
        at += 4;                                  \
    } while (0)
    PUT32(P);
    for (uint32_t i = 0; i < 5 * P; i++) {
        float f = i % 5 == 2 ? NAN : (float)i * 0.25f;
        memcpy(out + at, &f, 4);
        at += 4;
    }
    PUT32(F);
    for (uint32_t i = 0; i < 2 * F; i++) {
        float f = 100.0f + (float)i;
        memcpy(out + at, &f, 4);
        at += 4;
    }
    PUT32(K);
    PUT32(h);
    PUT32(w);
    for (uint32_t k = 0; k < K; k++) {
        PUT32(50 * k);
        for (uint32_t i = 0; i < h * w; i++) out[at++] = (uint8_t)(k + i);
    }
#undef PUT32
    return at;
}

/* A training state carries the run's history (charts and timeline) exactly;
 * a generator file does not; a bad history is refused and changes nothing. */
static void test_history(void) {
    gp_gan a, b;
    gp_err err;
    make_gan(&a, 5);
    static uint8_t hist[4 + 20 * 7 + 4 + 8 * 3 + 12 + 3 * (4 + 6 * 5)];
    size_t n = make_history(hist, 7, 3, 3, 6, 5);
    CHECK(n == sizeof hist);
    gp_history_info info;
    CHECK(gp_history_check(hist, n, &info, &err) == GP_OK);
    CHECK(info.points == 7 && info.fd_points == 3 && info.snapshots == 3 && info.snap_h == 6 && info.snap_w == 5);
    CHECK(gp_gan_set_history(&a, hist, n, &err) == GP_OK && a.history_len == n);
    uint8_t *bytes;
    size_t len;
    CHECK(gp_model_save(&a, GP_SAVE_TRAINING, &bytes, &len, &err) == GP_OK);
    CHECK(bytes[8] == (GP_MODEL_FLAG_TRAINING | GP_MODEL_FLAG_HISTORY));
    CHECK(gp_model_load(&b, bytes, len, &err) == GP_OK);
    CHECK(b.history_len == n && memcmp(b.history, hist, n) == 0);
    CHECK(same_floats(a.G.params, b.G.params, a.G.n_params) && same_floats(a.D.adam_v, b.D.adam_v, a.D.n_params));
    gp_json j;
    gp_json_init(&j);
    gp_model_info_json(&b, &j);
    CHECK(gp_json_text(&j) && strstr(gp_json_text(&j), "\"history\":{\"chart_points\":7,\"fd_points\":3,\"snapshots\":3}") != NULL);
    gp_json_free(&j);
    gp_gan_free(&b);
    /* cut anywhere inside the history section (CRC fixed): refused */
    for (size_t cut = 1; cut < n; cut += 17) {
        uint8_t *copy = malloc(len);
        memcpy(copy, bytes, len);
        size_t at = len - 4 - n; /* the history's bytes; its length is the u32 before */
        uint32_t shorter = (uint32_t)(n - cut);
        memcpy(copy + at - 4, &shorter, 4);
        memmove(copy + at + n - cut, copy + at + n, 4);
        size_t clen = len - cut;
        uint32_t crc = gp_crc32(copy, clen - 4);
        memcpy(copy + clen - 4, &crc, 4);
        CHECK(gp_model_load(&b, copy, clen, &err) == GP_ERR_FORMAT && strstr(err.msg, "history"));
        free(copy);
    }
    free(bytes);
    /* a generator file leaves the history out */
    CHECK(gp_model_save(&a, GP_SAVE_GENERATOR, &bytes, &len, &err) == GP_OK);
    CHECK(bytes[8] == 0);
    CHECK(gp_model_load(&b, bytes, len, &err) == GP_OK && b.history == NULL && b.history_len == 0);
    gp_gan_free(&b);
    free(bytes);
    /* bad histories: refused with a message, the old one kept */
    uint8_t bad[sizeof hist];
    memcpy(bad, hist, n);
    CHECK(gp_history_check(bad, n - 1, NULL, &err) == GP_ERR_FORMAT && strstr(err.msg, "snapshots"));
    uint32_t many = GP_HISTORY_MAX_POINTS + 1;
    memcpy(bad, &many, 4);
    CHECK(gp_gan_set_history(&a, bad, n, &err) == GP_ERR_FORMAT && strstr(err.msg, "chart points"));
    CHECK(a.history_len == n && memcmp(a.history, hist, n) == 0);
    memcpy(bad, hist, n);
    uint32_t later = 1000; /* the first snapshot after the second: out of order */
    memcpy(bad + 4 + 20 * 7 + 4 + 8 * 3 + 12, &later, 4);
    CHECK(gp_history_check(bad, n, NULL, &err) == GP_ERR_FORMAT && strstr(err.msg, "earlier step"));
    CHECK(gp_history_check(NULL, 0, NULL, &err) == GP_ERR_FORMAT);
    /* an empty history is fine; len 0 drops it */
    uint8_t empty[4 + 4 + 12] = {0};
    CHECK(gp_history_check(empty, sizeof empty, &info, &err) == GP_OK && info.snapshots == 0);
    CHECK(gp_gan_set_history(&a, NULL, 0, &err) == GP_OK && a.history == NULL);
    CHECK(gp_model_save(&a, GP_SAVE_TRAINING, &bytes, &len, &err) == GP_OK && bytes[8] == GP_MODEL_FLAG_TRAINING);
    /* the history flag without a training state: refused */
    bytes[8] = GP_MODEL_FLAG_HISTORY;
    uint32_t crc = gp_crc32(bytes, len - 4);
    memcpy(bytes + len - 4, &crc, 4);
    CHECK(gp_model_load(&b, bytes, len, &err) == GP_ERR_FORMAT && strstr(err.msg, "flags"));
    free(bytes);
    gp_gan_free(&a);
}

int main(void) {
    /* the standard check value of CRC-32/IEEE */
    CHECK(gp_crc32((const uint8_t *)"123456789", 9) == 0xCBF43926u);
    CHECK(gp_crc32((const uint8_t *)"12345678901", 11) == 0x539AE4EEu);
    test_round_trip();
    test_half();
    test_rejections();
    test_conditional();
    test_version1();
    test_history();
    return check_report("modelfile");
}
