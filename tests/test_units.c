/* test_units: what G's units draw, and switching them off.
 *  - the layers with maps: the DCGAN's two ReLU outputs (128x7x7, 64x14x14
 *    for 28x28), none for the MLP (said, and its layers refused);
 *  - bilinear upsampling equals PyTorch's (align_corners=False) on a 2x2;
 *  - a unit's raw map is the activation itself (G's forward run by hand),
 *    and its upsampled map is that raw map upsampled;
 *  - the stroke mask: a gray digit's pixels brighter than mid-gray; a colour
 *    image's pixels far from its (white) border;
 *  - the IoU of a synthetic case (top 20% of 10 values against 3 strokes:
 *    2/3), and the empty cases;
 *  - the ranking is sorted, and its top unit's IoU is what the maps of each
 *    sample, the strokes and the IoU give when recomputed one by one;
 *  - switching all units of a layer off gives the image of zero activations
 *    there (the forward run by hand), some units the same with those
 *    channels zeroed; switching them on again gives the first images bit
 *    for bit; another layer's units off switch the first layer's on;
 *  - training is refused while a unit is off, leaving the model as it was,
 *    and once all are on it trains exactly as a model never ablated;
 *  - bad layers, units and arguments are refused, changing nothing. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gan/gan.h"
#include "gan/units.h"
#include "store/modelfile.h"

static int same(const float *a, const float *b, size_t n) { return memcmp(a, b, n * sizeof(float)) == 0; }

/* A small DCGAN for 28x28 (batch 8), made from the preset. */
static int dcgan(gp_gan *gan, int with_d) {
    gp_gan_config c;
    gp_err err;
    gp_gan_config_default(&c, "dcgan", NULL);
    c.batch = 8;
    return CHECK_OK(gp_gan_create(gan, &c, with_d, &err) == GP_OK, err.msg);
}

/* G's evaluation forward of one row by hand, with the channels of layer
 * `at` whose zero[c] is set written as 0 (NULL: none); returns the output. */
static const float *by_hand(gp_gan *gan, const float *z, int at, const uint8_t *zero) {
    gp_net *G = &gan->G;
    G->training = 0;
    gp_gan_g_input_rows(gan, z, NULL, 0, 1, G->acts[0]);
    for (int i = 0; i < G->n_layers; i++) {
        gp_net_layer_forward(G, i, 1);
        gp_shape s = G->shape[i + 1];
        if (i == at && zero)
            for (int c = 0; c < s.c; c++)
                if (zero[c]) memset(G->acts[i + 1] + (size_t)c * s.h * s.w, 0, (size_t)s.h * s.w * sizeof(float));
    }
    return G->acts[G->n_layers];
}

static void test_layers(void) {
    gp_gan gan;
    gp_err err;
    if (!dcgan(&gan, 0)) return;
    gp_units_layer L[GP_UNITS_MAX_LAYERS];
    int n = gp_units_layers(&gan, L, GP_UNITS_MAX_LAYERS);
    CHECK(n == 2);
    CHECK(L[0].layer == 3 && L[0].kind == GP_LAYER_RELU && L[0].units == 128 && L[0].h == 7 && L[0].w == 7);
    CHECK(L[1].layer == 6 && L[1].kind == GP_LAYER_RELU && L[1].units == 64 && L[1].h == 14 && L[1].w == 14);
    gp_json j;
    gp_json_init(&j);
    gp_units_json(&gan, &j);
    CHECK(strstr(gp_json_text(&j), "\"layer\":3,\"kind\":\"ReLU\",\"units\":128,\"height\":7,\"width\":7") != NULL);
    CHECK(strstr(gp_json_text(&j), "\"off\":{\"layer\":-1,\"units\":[]}") && strstr(gp_json_text(&j), "\"note\":null"));
    gp_gan_free(&gan);

    gp_gan_config c;
    gp_gan_config_default(&c, "mlp", NULL);
    if (!CHECK_OK(gp_gan_create(&gan, &c, 0, &err) == GP_OK, err.msg)) return;
    CHECK(gp_units_layers(&gan, L, GP_UNITS_MAX_LAYERS) == 0);
    int u = 0;
    CHECK(gp_units_set(&gan, 1, &u, 1, 1, &err) == GP_ERR_ARG && strstr(err.msg, "MLP"));
    gp_json_reset(&j);
    gp_units_json(&gan, &j);
    CHECK(strstr(gp_json_text(&j), "\"layers\":[]") && strstr(gp_json_text(&j), "an MLP"));
    gp_json_free(&j);
    gp_gan_free(&gan);
}

static void test_upsample(void) {
    const float src[4] = {1, 2, 3, 4};
    const float want[16] = {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4};
    float got[16];
    gp_units_upsample(src, 2, 2, got, 4, 4);
    CHECK(same(got, want, 16));
    /* the same size: the map itself */
    float id[4];
    gp_units_upsample(src, 2, 2, id, 2, 2);
    CHECK(same(id, src, 4));
}

static void test_strokes(void) {
    float gray[25];
    for (int i = 0; i < 25; i++) gray[i] = -1.0f;
    gray[12] = 0.5f; /* centre: bright */
    gray[7] = 0.0f;  /* mid-gray exactly: not a stroke */
    gray[8] = 0.01f;
    uint8_t m[25];
    gp_units_strokes(gray, 1, 5, 5, m);
    int n = 0;
    for (int i = 0; i < 25; i++) n += m[i];
    CHECK(n == 2 && m[12] && m[8] && !m[7]);
    /* colour on white: a red pixel is a stroke, a near-white one not */
    float rgb[3 * 9];
    for (int i = 0; i < 27; i++) rgb[i] = 1.0f;
    rgb[0 * 9 + 4] = 1.0f, rgb[1 * 9 + 4] = -1.0f, rgb[2 * 9 + 4] = -1.0f; /* red centre */
    rgb[1 * 9 + 1] = 0.8f;                                                  /* a faint tint on the border */
    gp_units_strokes(rgb, 3, 3, 3, m);
    CHECK(m[4] == 1 && m[1] == 0 && m[0] == 0);
}

static void test_iou(void) {
    float maps[10], scratch[1000], t = -1.0f;
    uint8_t strokes[10] = {0, 0, 0, 0, 0, 0, 0, 1, 1, 1};
    for (int i = 0; i < 10; i++) maps[9 - i] = (float)(9 - i);
    /* shuffled, so that the selection has work to do */
    float shuffled[10] = {3, 9, 0, 7, 1, 8, 2, 6, 5, 4};
    uint8_t s2[10];
    for (int i = 0; i < 10; i++) s2[i] = shuffled[i] >= 7.0f;
    CHECK_CLOSE(gp_units_iou(maps, strokes, 10, 0.8, &t, scratch), 2.0 / 3.0, 1e-7, 0);
    CHECK(t == 7.0f); /* marked: 8 and 9, the top 20% */
    CHECK_CLOSE(gp_units_iou(shuffled, s2, 10, 0.8, &t, scratch), 2.0 / 3.0, 1e-7, 0);
    CHECK(t == 7.0f && shuffled[1] == 9.0f); /* maps are not reordered */
    /* a dead unit (all zero) marks nothing: 0, whatever the strokes */
    float zeros[10] = {0};
    CHECK(gp_units_iou(zeros, strokes, 10, 0.8, &t, scratch) == 0.0f && t == 0.0f);
    uint8_t none[10] = {0};
    CHECK(gp_units_iou(zeros, none, 10, 0.8, NULL, scratch) == 0.0f);
    /* many ties (a ReLU's zeros) and a few values */
    float relu[1000];
    uint8_t st[1000];
    for (int i = 0; i < 1000; i++) relu[i] = i % 10 == 0 ? (float)i : 0.0f, st[i] = i % 10 == 0;
    CHECK_CLOSE(gp_units_iou(relu, st, 1000, 0.8, &t, scratch), 0.99, 1e-6, 0);
    CHECK(t == 0.0f);
}

static void test_maps(void) {
    gp_gan gan;
    gp_err err;
    if (!dcgan(&gan, 0)) return;
    int L = gan.cfg.latent;
    float *z = malloc(sizeof(float) * L), *raw = malloc(sizeof(float) * 128 * 49);
    float *maps = malloc(sizeof(float) * 128 * 784), *up = malloc(sizeof(float) * 784), image[784], want[784];
    gp_gan_latents(&gan, 5, 1, z);
    if (CHECK_OK(gp_units_maps(&gan, z, NULL, 3, raw, maps, image, &err) == GP_OK, err.msg)) {
        const float *out = by_hand(&gan, z, -1, NULL);
        memcpy(want, out, sizeof want);
        CHECK(same(raw, gan.G.acts[4], 128 * 49)); /* the activation itself */
        CHECK(same(image, want, 784));
        int ok = 1;
        for (int u = 0; u < 128; u++) {
            gp_units_upsample(raw + u * 49, 7, 7, up, 28, 28);
            ok &= same(up, maps + (size_t)u * 784, 784);
        }
        CHECK(ok);
    }
    /* a unit switched off still shows what it draws */
    int u = 7;
    CHECK(gp_units_set(&gan, 3, &u, 1, 1, &err) == GP_OK);
    float *raw2 = malloc(sizeof(float) * 128 * 49);
    CHECK(gp_units_maps(&gan, z, NULL, 3, raw2, NULL, NULL, &err) == GP_OK && same(raw, raw2, 128 * 49));
    CHECK(gp_units_maps(&gan, z, NULL, 4, raw2, NULL, NULL, &err) == GP_ERR_ARG && strstr(err.msg, "3, 6"));
    free(z), free(raw), free(raw2), free(maps), free(up);
    gp_gan_free(&gan);
}

static void test_rank(const char *path) {
    gp_gan gan;
    gp_err err;
    if (!CHECK_OK(gp_model_load_file(&gan, path, &err) == GP_OK, path)) return;
    int count = 16, L = gan.cfg.latent, C = gan.cfg.classes, HW = 784;
    float *z = malloc(sizeof(float) * count * L);
    gp_gan_latents(&gan, 3, count, z);
    gp_unit_score sc[128];
    if (!CHECK_OK(gp_units_rank(&gan, z, NULL, count, 3, sc, &err) == GP_OK, err.msg)) return;
    int sorted = 1, seen[128] = {0};
    for (int i = 0; i < 128; i++) {
        seen[sc[i].unit]++;
        if (i) sorted &= sc[i - 1].iou > sc[i].iou || (sc[i - 1].iou == sc[i].iou && sc[i - 1].unit < sc[i].unit);
    }
    int all = 1;
    for (int u = 0; u < 128; u++) all &= seen[u] == 1;
    CHECK(sorted && all && sc[0].iou > 0.2f && sc[0].iou <= 1.0f);
    /* the top unit's IoU, recomputed sample by sample */
    int top = sc[0].unit;
    float *maps = malloc(sizeof(float) * 128 * HW), *cat = malloc(sizeof(float) * count * HW);
    float *scratch = malloc(sizeof(float) * count * HW), image[784], t;
    uint8_t *strokes = malloc((size_t)count * HW);
    for (int i = 0; i < count; i++) {
        int label = C ? i % C : 0;
        gp_units_maps(&gan, z + (size_t)i * L, C ? &label : NULL, 3, NULL, maps, image, &err);
        memcpy(cat + (size_t)i * HW, maps + (size_t)top * HW, sizeof(float) * HW);
        gp_units_strokes(image, 1, 28, 28, strokes + (size_t)i * HW);
    }
    float iou = gp_units_iou(cat, strokes, (size_t)count * HW, GP_UNITS_QUANTILE, &t, scratch);
    CHECK(iou == sc[0].iou && t == sc[0].threshold);
    /* the ranking is of the whole G, whatever is off */
    gp_unit_score sc2[128];
    CHECK(gp_units_set(&gan, 3, &top, 1, 1, &err) == GP_OK);
    CHECK(gp_units_rank(&gan, z, NULL, count, 3, sc2, &err) == GP_OK && memcmp(sc, sc2, sizeof sc) == 0);
    CHECK(gp_units_rank(&gan, z, NULL, 0, 3, sc2, &err) == GP_ERR_ARG);
    CHECK(gp_units_rank(&gan, z, NULL, count, 0, sc2, &err) == GP_ERR_ARG);
    gp_json j;
    gp_json_init(&j);
    gp_units_rank_json(3, count, sc, 2, &j);
    CHECK(strstr(gp_json_text(&j), "\"layer\":3,\"samples\":16,\"quantile\":0.8,\"units\":[{\"unit\":") != NULL);
    gp_json_free(&j);
    free(z), free(maps), free(cat), free(scratch), free(strokes);
    gp_gan_free(&gan);
}

static void test_ablation(void) {
    gp_gan gan;
    gp_err err;
    if (!dcgan(&gan, 0)) return;
    int L = gan.cfg.latent, n = 8, n_img = 784;
    float *z = malloc(sizeof(float) * n * L), *a = malloc(sizeof(float) * n * n_img);
    float *b = malloc(sizeof(float) * n * n_img), *c = malloc(sizeof(float) * n * n_img), want[784];
    gp_gan_latents(&gan, 9, n, z);
    gp_gan_generate(&gan, z, NULL, n, a);

    /* every unit of layer 3 off: the image of zero activations there */
    int every[128];
    uint8_t all[128], some[128] = {0};
    for (int u = 0; u < 128; u++) every[u] = u, all[u] = 1;
    CHECK(gp_units_set(&gan, 3, every, 128, 1, &err) == GP_OK && gan.units_n_off == 128);
    gp_gan_generate(&gan, z, NULL, n, b);
    memcpy(want, by_hand(&gan, z + L, 3, all), sizeof want);
    CHECK(same(b + n_img, want, 784) && !same(a + n_img, want, 784));
    /* a zero activation through BatchNorm-free layers after it: every image is the same */
    CHECK(same(b, b + n_img, 784));
    gp_units_clear(&gan);
    gp_gan_generate(&gan, z, NULL, n, c);
    CHECK(same(a, c, (size_t)n * n_img));

    /* some units off in layer 6, and on again */
    int off[3] = {1, 5, 40};
    for (int i = 0; i < 3; i++) some[off[i]] = 1;
    CHECK(gp_units_set(&gan, 6, off, 3, 1, &err) == GP_OK && gan.units_n_off == 3);
    CHECK(gp_units_is_off(&gan, 6, 5) && !gp_units_is_off(&gan, 6, 6) && !gp_units_is_off(&gan, 3, 5));
    gp_gan_generate(&gan, z, NULL, n, b);
    memcpy(want, by_hand(&gan, z + 2 * L, 6, some), sizeof want);
    CHECK(same(b + 2 * n_img, want, 784) && !same(a + 2 * n_img, b + 2 * n_img, 784));
    gp_json j;
    gp_json_init(&j);
    gp_units_json(&gan, &j);
    CHECK(strstr(gp_json_text(&j), "\"off\":{\"layer\":6,\"units\":[1,5,40]}") != NULL);
    gp_json_free(&j);
    /* on one by one: the last brings every image back exactly */
    for (int i = 0; i < 3; i++) CHECK(gp_units_set(&gan, 6, &off[i], 1, 0, &err) == GP_OK);
    CHECK(gan.units_n_off == 0 && gan.units_off == NULL);
    gp_gan_generate(&gan, z, NULL, n, c);
    CHECK(same(a, c, (size_t)n * n_img));

    /* another layer's units off switch the first layer's on */
    CHECK(gp_units_set(&gan, 6, off, 3, 1, &err) == GP_OK);
    CHECK(gp_units_set(&gan, 3, off, 1, 0, &err) == GP_OK && gan.units_layer == 6 && gan.units_n_off == 3);
    CHECK(gp_units_set(&gan, 3, off, 2, 1, &err) == GP_OK && gan.units_layer == 3 && gan.units_n_off == 2);
    CHECK(!gp_units_is_off(&gan, 6, 1) && gp_units_is_off(&gan, 3, 1));

    /* refused, changing nothing */
    int bad[2] = {3, 128}, neg = -1;
    CHECK(gp_units_set(&gan, 3, bad, 2, 1, &err) == GP_ERR_ARG && strstr(err.msg, "0..127"));
    CHECK(gp_units_set(&gan, 3, &neg, 1, 1, &err) == GP_ERR_ARG);
    CHECK(gp_units_set(&gan, 0, off, 1, 1, &err) == GP_ERR_ARG && strstr(err.msg, "layer 0"));
    CHECK(gp_units_set(&gan, 99, off, 1, 1, &err) == GP_ERR_ARG);
    CHECK(gp_units_set(&gan, -1, off, 1, 1, &err) == GP_ERR_ARG);
    CHECK(gp_units_set(&gan, 3, off, 1, 2, &err) == GP_ERR_ARG);
    CHECK(gp_units_set(&gan, 3, NULL, 1, 1, &err) == GP_ERR_ARG);
    CHECK(gp_units_set(&gan, 3, off, -1, 1, &err) == GP_ERR_ARG);
    CHECK(gan.units_layer == 3 && gan.units_n_off == 2 && gp_units_is_off(&gan, 3, 1) && gp_units_is_off(&gan, 3, 5));
    gp_units_clear(&gan);
    gp_gan_generate(&gan, z, NULL, n, c);
    CHECK(same(a, c, (size_t)n * n_img));
    free(z), free(a), free(b), free(c);
    gp_gan_free(&gan);
}

/* Training refused with a unit off; the model unchanged; all on again, it
 * trains as a twin that was never ablated. */
static void test_training(void) {
    gp_gan gan, twin;
    gp_err err;
    if (!dcgan(&gan, 1) || !dcgan(&twin, 1)) return;
    int B = gan.cfg.batch, n_img = 784;
    gp_rng r;
    gp_rng_seed(&r, 4);
    gp_rng_fill_uniform(&r, gan.real, B * n_img, -1.0f, 1.0f);
    memcpy(twin.real, gan.real, sizeof(float) * B * n_img);
    int u = 3;
    CHECK(gp_units_set(&gan, 6, &u, 1, 1, &err) == GP_OK);
    uint64_t rng = gan.rng.state;
    gp_gan_stats stats = gan.stats;
    CHECK(gp_gan_d_step_real(&gan, &err) == GP_ERR_ARG && strstr(err.msg, "switched off"));
    CHECK(gp_gan_g_step(&gan, &err) == GP_ERR_ARG);
    CHECK(gp_gan_can_train(&gan, &err) == GP_ERR_ARG);
    CHECK(gan.rng.state == rng && memcmp(&stats, &gan.stats, sizeof stats) == 0);
    CHECK(same(gan.G.params, twin.G.params, gan.G.n_params) && same(gan.D.params, twin.D.params, gan.D.n_params));
    CHECK(same(gan.G.buffers, twin.G.buffers, gan.G.n_buffers));
    gp_units_clear(&gan);
    for (int k = 0; k < 2; k++) {
        CHECK(gp_gan_d_step_real(&gan, &err) == GP_OK && gp_gan_g_steps(&gan, &err) == GP_OK);
        CHECK(gp_gan_d_step_real(&twin, &err) == GP_OK && gp_gan_g_steps(&twin, &err) == GP_OK);
    }
    CHECK(same(gan.G.params, twin.G.params, gan.G.n_params) && same(gan.D.params, twin.D.params, gan.D.n_params));
    CHECK(gan.stats.g_loss == twin.stats.g_loss && gan.rng.state == twin.rng.state);
    gp_gan_free(&gan);
    gp_gan_free(&twin);
}

int main(void) {
    test_layers();
    test_upsample();
    test_strokes();
    test_iou();
    test_maps();
    test_ablation();
    test_training();
    test_rank("models/mnist-dcgan.gpm");
    test_rank("models/mnist-cdcgan.gpm");
    return check_report("test_units");
}
