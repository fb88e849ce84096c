/* The core's smaller pieces that the CLI and the page lean on: latent-space
 * moves, the settings table (parsing, ranges, live changes), a dataset from
 * a user's RGBA images, D's readouts in evaluation mode. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gan/config.h"
#include "data/dataset.h"
#include "gan/gan.h"
#include "gan/latent.h"

static double dot(const float *a, const float *b, int n) {
    double s = 0.0;
    for (int i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

static void test_latent(void) {
    enum { L = 50 };
    float a[L], b[L], out[L], dirs[4 * L];
    gp_rng rng;
    gp_rng_seed(&rng, 3);
    gp_rng_fill_normal(&rng, a, L, 0.0f, 1.0f);
    gp_rng_fill_normal(&rng, b, L, 0.0f, 1.0f);
    /* slerp: the ends are the inputs; in between, the length stays between theirs */
    gp_latent_slerp(out, a, b, L, 0.0);
    for (int i = 0; i < L; i++) CHECK_CLOSE(out[i], a[i], 1e-6, 1e-5);
    gp_latent_slerp(out, a, b, L, 1.0);
    for (int i = 0; i < L; i++) CHECK_CLOSE(out[i], b[i], 1e-6, 1e-5);
    double na = sqrt(dot(a, a, L)), nb = sqrt(dot(b, b, L));
    gp_latent_slerp(out, a, b, L, 0.5);
    double nm = sqrt(dot(out, out, L));
    CHECK(nm > 0.95 * fmin(na, nb) && nm < 1.05 * fmax(na, nb));
    /* a straight line would shrink it: slerp keeps it */
    float lin[L];
    for (int i = 0; i < L; i++) lin[i] = 0.5f * (a[i] + b[i]);
    CHECK(nm > 1.2 * sqrt(dot(lin, lin, L)));
    /* out may alias an input */
    memcpy(out, a, sizeof a);
    gp_latent_slerp(out, out, b, L, 1.0);
    for (int i = 0; i < L; i++) CHECK_CLOSE(out[i], b[i], 1e-6, 1e-5);
    /* two orthonormal directions: e_0 and e_1 */
    memset(dirs, 0, sizeof dirs);
    dirs[0] = 1.0f;
    dirs[L + 1] = 1.0f;
    /* a step along a direction moves that far along it and nowhere else */
    gp_latent_step(out, a, dirs, L, 2.5);
    float diff[L];
    for (int i = 0; i < L; i++) diff[i] = out[i] - a[i];
    CHECK_CLOSE(dot(diff, dirs, L), 2.5, 1e-5, 1e-5);
    CHECK_CLOSE(dot(diff, dirs + L, L), 0.0, 1e-5, 0);
    /* jitter: deterministic by seed, radius 0 is the identity */
    float j1[L], j2[L];
    gp_latent_jitter(j1, a, L, 5, 0.5);
    gp_latent_jitter(j2, a, L, 5, 0.5);
    CHECK(memcmp(j1, j2, sizeof j1) == 0 && memcmp(j1, a, sizeof j1) != 0);
    gp_latent_jitter(j2, a, L, 5, 0.0);
    CHECK(memcmp(j2, a, sizeof a) == 0);
}

static void test_settings(void) {
    gp_gan_config c;
    gp_err err;
    CHECK(gp_gan_config_default(&c, "dcgan", &err) == GP_OK && gp_gan_config_check(&c, &err) == GP_OK);
    CHECK(gp_gan_config_default(&c, "gan9000", &err) == GP_ERR_ARG && strstr(err.msg, "gan9000"));
    gp_gan_config_default(&c, "mlp", NULL);
    /* every row: its default is in range and formats back to the same value */
    for (int i = 0; i < GP_N_SETTINGS; i++) {
        const gp_setting *s = &GP_SETTINGS[i];
        char text[64];
        gp_setting_format(&c, s, text, sizeof text);
        gp_gan_config d = c;
        CHECK(gp_setting_parse(&d, s, text, &err) == GP_OK);
        CHECK(gp_setting_get(&d, s) == gp_setting_get(&c, s));
        CHECK(gp_setting_find(s->name) == s);
    }
    /* refusals name the field by its label and repeat the text */
    struct { const char *name, *text; } bad[] = {
        {"lr_g", "-1"}, {"lr_g", "0"}, {"lr_g", "0x1"}, {"lr_g", "inf"}, {"lr_g", "1e9"}, {"lr_g", "0.1abc"},
        {"batch", "2.5"}, {"batch", "1"}, {"batch", "0x10"}, {"batch", ""}, {"loss", "wasserstein"}, {"loss", "7"},
        {"beta1", "1"}, {"real_label", "0.2"}, {"ema", "1"}, {"seed", "-3"}, {"augment", "1.5"}, {"cond", "projection"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gp_gan_config d = c;
        const gp_setting *s = gp_setting_find(bad[i].name);
        err.msg[0] = 0;
        CHECK(gp_setting_parse(&d, s, bad[i].text, &err) == GP_ERR_ARG);
        CHECK(strncmp(err.msg, s->label, strlen(s->label)) == 0 && strstr(err.msg, bad[i].text) != NULL);
        CHECK(memcmp(&d, &c, sizeof c) == 0); /* nothing changed */
    }
    /* choices by name or index; seeds exactly, 0..2^53-1 (what the message and the page's field say) */
    gp_gan_config d = c;
    CHECK(gp_setting_parse(&d, gp_setting_find("loss"), "hinge", &err) == GP_OK && d.loss == GP_LOSS_HINGE);
    CHECK(gp_setting_parse(&d, gp_setting_find("loss"), "1", &err) == GP_OK && d.loss == GP_LOSS_MINIMAX);
    CHECK(gp_setting_parse(&d, gp_setting_find("seed"), "9007199254740991", &err) == GP_OK &&
          d.seed == 9007199254740991ull);
    const char *bad_seeds[] = {"9007199254740992", "18446744073709551615", "18446744073709551616", "+5", " 5", "5 ",
                               "1e3", "0x10"};
    for (size_t i = 0; i < sizeof bad_seeds / sizeof bad_seeds[0]; i++) {
        gp_gan_config e = d;
        CHECK(gp_setting_parse(&e, gp_setting_find("seed"), bad_seeds[i], &err) == GP_ERR_ARG &&
              strstr(err.msg, "0..9007199254740991") && e.seed == d.seed);
    }
    /* conditioning follows the dataset's classes; names from the known datasets */
    d = c;
    d.cond = GP_COND_CONCAT;
    CHECK(gp_gan_config_check(&d, &err) == GP_ERR_ARG); /* no classes yet */
    strcpy(d.dataset, "fashion");
    CHECK(gp_gan_config_set_classes(&d, 10, &err) == GP_OK && d.classes == 10 && !strcmp(d.class_names[1], "Trouser"));
    CHECK(gp_gan_config_set_classes(&d, 1, &err) == GP_ERR_ARG && d.classes == 10);
    d.cond = GP_COND_NONE;
    CHECK(gp_gan_config_set_classes(&d, 10, &err) == GP_OK && d.classes == 0);
    /* the JSON the page builds its fields from names every row */
    gp_json j;
    gp_json_init(&j);
    gp_settings_json(&j);
    const char *json = gp_json_text(&j);
    CHECK(json != NULL);
    for (int i = 0; json && i < GP_N_SETTINGS; i++) {
        char key[64];
        snprintf(key, sizeof key, "\"name\":\"%s\"", GP_SETTINGS[i].name);
        CHECK(strstr(json, key) != NULL);
    }
    /* the defaults are columns of the table: the page reads them there */
    CHECK(json && strstr(json, "\"name\":\"lr_g\"") && strstr(json, "\"default\":0.0002,\"default_2d\":0.001,\"first_visit\":0.001"));
    CHECK(json && strstr(json, "\"name\":\"loss\"") && strstr(json, "\"default\":\"nonsaturating\",\"default_2d\":null"));
    gp_json_free(&j);
    /* the columns make the presets' defaults and the first-visit recipe */
    gp_gan_config m, t, f;
    CHECK(gp_gan_config_default(&m, "mlp", &err) == GP_OK && gp_gan_config_default(&t, "2d", &err) == GP_OK);
    CHECK(m.lr_g == 2e-4f && m.batch == 64 && m.latent == 100 && m.beta1 == 0.5f && m.adam_eps == 1e-8f && m.seed == 1);
    CHECK(t.lr_g == 1e-3f && t.batch == 128 && t.latent == 2 && !strcmp(t.dataset, "ring") && t.g_width == 64 && t.d_width == 64 &&
          t.activation == GP_ACT_LEAKY_RELU && t.ema == 0.99f && m.g_width == 32 && m.activation == GP_ACT_RELU && m.ema == 0);
    CHECK(gp_gan_config_recipe(&f, "mlp", "first_visit", &err) == GP_OK && f.lr_g == 1e-3f && f.lr_d == 1e-3f && f.ema == 0.99f &&
          f.batch == 64);
    CHECK(gp_gan_config_recipe(&f, "mlp", "fastest", &err) == GP_ERR_ARG && strstr(err.msg, "unknown recipe"));
}

/* Live changes go through one function: live rows apply to the optimizers
 * at once, the others are refused and change nothing. */
static void test_live(void) {
    gp_gan_config c;
    gp_err err;
    gp_gan_config_default(&c, "mlp", NULL);
    c.batch = 4;
    gp_gan gan;
    CHECK(gp_gan_create(&gan, &c, 1, &err) == GP_OK);
    gp_gan_config d = gan.cfg;
    d.lr_g = 1e-3f;
    d.beta1 = 0.3f;
    d.loss = GP_LOSS_HINGE;
    CHECK(gp_gan_set_config(&gan, &d, &err) == GP_OK);
    CHECK(gan.opt_g.lr == 1e-3f && gan.opt_d.lr == c.lr_d && gan.opt_g.beta1 == 0.3f && gan.opt_d.beta1 == 0.3f);
    CHECK(gan.cfg.loss == GP_LOSS_HINGE);
    gp_gan_config before = gan.cfg;
    for (int k = 0; k < 3; k++) {
        d = gan.cfg;
        if (k == 0) d.batch = 8;
        if (k == 1) d.latent = 10;
        if (k == 2) d.lr_d = -1.0f;
        CHECK(gp_gan_set_config(&gan, &d, &err) == GP_ERR_ARG);
        CHECK(memcmp(&gan.cfg, &before, sizeof before) == 0);
    }
    CHECK(strstr(err.msg, "Learning rate of D") != NULL);
    gp_gan_free(&gan);
}

static void test_rgba_dataset(void) {
    enum { N = 12, H = 5, W = 4 };
    uint8_t *rgba = malloc(N * H * W * 4);
    for (int k = 0; k < N; k++)
        for (int i = 0; i < H * W; i++) {
            int y = i / W, x = i % W, border = y == 0 || x == 0 || y == H - 1 || x == W - 1;
            /* even images: light strokes on black; odd: dark ink on white paper */
            uint8_t v = (uint8_t)(k % 2 ? (border ? 255 : 40) : (border ? 0 : 200));
            uint8_t *p = rgba + ((size_t)k * H * W + i) * 4;
            p[0] = p[1] = p[2] = v;
            p[3] = 255;
        }
    gp_dataset ds;
    gp_err err;
    CHECK(gp_dataset_from_rgba(&ds, rgba, N, H, W, 1, 10, 100, &err) == GP_OK);
    CHECK(ds.count == N && ds.h == H && ds.w == W && ds.c == 1 && ds.n_test == 2 && gp_dataset_classes(&ds) == 1);
    /* both kinds end up light on black */
    CHECK(ds.pixels[0] == 0 && ds.pixels[1 * W + 1] == 200);
    CHECK(ds.pixels[H * W] == 0 && ds.pixels[H * W + 1 * W + 1] == 215);
    gp_dataset_free(&ds);
    /* transparent pixels are composited over white */
    rgba[3] = 0;
    CHECK(gp_dataset_from_rgba(&ds, rgba, N, H, W, 1, 10, 100, &err) == GP_OK);
    gp_dataset_free(&ds);
    CHECK(gp_dataset_from_rgba(&ds, rgba, 9, H, W, 1, 10, 100, &err) == GP_ERR_ARG && strstr(err.msg, "at least 10"));
    CHECK(gp_dataset_from_rgba(&ds, rgba, N, H, W, 1, 10, 11, &err) == GP_ERR_ARG);
    CHECK(gp_dataset_from_rgba(&ds, rgba, N, 0, W, 1, 10, 100, &err) == GP_ERR_ARG);
    CHECK(gp_dataset_from_rgba(&ds, NULL, N, H, W, 1, 10, 100, &err) == GP_ERR_ARG);
    free(rgba);
}

/* D's readouts: in evaluation mode, the same twice, training untouched. */
static void test_readouts(void) {
    gp_gan_config c;
    gp_err err;
    gp_gan_config_default(&c, "dcgan", NULL);
    c.batch = 8;
    c.cond = GP_COND_CONCAT;
    CHECK(gp_gan_config_set_classes(&c, 10, &err) == GP_OK);
    gp_gan gan;
    CHECK(gp_gan_create(&gan, &c, 1, &err) == GP_OK);
    float z[20 * 100], img[20 * 784], r1[20], r2[20];
    int labels[20];
    gp_gan_latents(&gan, 1, 20, z);
    for (int i = 0; i < 20; i++) labels[i] = i % 3;
    gp_gan_generate(&gan, z, labels, 20, img);
    float *buffers = malloc(gan.D.n_buffers * sizeof(float));
    memcpy(buffers, gan.D.buffers, gan.D.n_buffers * sizeof(float));
    gp_gan_d_readouts(&gan, img, labels, 20, r1);
    gp_gan_d_readouts(&gan, img, labels, 20, r2);
    CHECK(memcmp(r1, r2, sizeof r1) == 0 && memcmp(buffers, gan.D.buffers, gan.D.n_buffers * sizeof(float)) == 0);
    for (int i = 0; i < 20; i++) CHECK(r1[i] > 0.0f && r1[i] < 1.0f); /* probabilities for the BCE losses */
    /* a concat D judges an image with its class: another class, another verdict */
    for (int i = 0; i < 20; i++) labels[i] = (i % 3) + 5;
    gp_gan_d_readouts(&gan, img, labels, 20, r2);
    CHECK(memcmp(r1, r2, sizeof r1) != 0);
    free(buffers);
    gp_gan_free(&gan);
}

/* The held-out images in a class-mixing order: a permutation, and the first
 * eight of MNIST's (stored class by class) show several classes. */
static void test_held_out_mixed(void) {
    gp_dataset ds;
    gp_err err;
    if (gp_dataset_load(&ds, "build/data/mnist.bin", &err) != GP_OK) {
        fprintf(stderr, "test_core: %s\n", err.msg);
        CHECK(0);
        return;
    }
    uint8_t *seen = calloc((size_t)ds.count, 1);
    int distinct = 0;
    for (int k = 0; k < ds.n_test; k++) {
        int idx = gp_dataset_held_out_mixed(&ds, k);
        CHECK(gp_dataset_is_held_out(idx));
        distinct += !seen[idx];
        seen[idx] = 1;
    }
    CHECK(distinct == ds.n_test);
    for (int first = 0; first < 32; first += 8) {
        int classes[10] = {0}, n = 0;
        for (int k = first; k < first + 8; k++) classes[ds.labels[gp_dataset_held_out_mixed(&ds, k)]] = 1;
        for (int c = 0; c < 10; c++) n += classes[c];
        CHECK(n >= 5);
    }
    free(seen);
    gp_dataset_free(&ds);
}

/* A loss's recommended settings are rows of the settings table, and their
 * values are accepted by those rows (the page applies them as typed); the
 * shipped datasets' names are the ones their class names go by. */
static void test_recommended(void) {
    int with = 0;
    for (int l = 0; l < GP_LOSS_COUNT; l++)
        for (int k = 0; k < 3 && GP_LOSSES[l].recommended[k].name; k++) {
            gp_gan_config c;
            gp_err err;
            gp_gan_config_default(&c, "mlp", NULL);
            const gp_setting *s = gp_setting_find(GP_LOSSES[l].recommended[k].name);
            CHECK_OK(s && gp_setting_parse(&c, s, GP_LOSSES[l].recommended[k].value, &err) == GP_OK,
                     GP_LOSSES[l].recommended[k].name);
            with++;
        }
    CHECK(with == 2 && !strcmp(GP_LOSSES[GP_LOSS_WGAN_GP].recommended[0].name, "d_steps"));
    for (int d = 0; d < GP_N_DATASETS; d++)
        CHECK(gp_dataset_class_name(GP_DATASETS[d].name, GP_DATASETS[d].classes - 1) &&
              !gp_dataset_class_name(GP_DATASETS[d].name, GP_DATASETS[d].classes) && *GP_DATASETS[d].fd_label &&
              gp_dataset_find(GP_DATASETS[d].name) == &GP_DATASETS[d]);
}

int main(void) {
    test_recommended();
    test_held_out_mixed();
    test_latent();
    test_settings();
    test_live();
    test_rgba_dataset();
    test_readouts();
    return check_report("core");
}
