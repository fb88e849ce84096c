/* Writes the fuzzers' seed corpus (tests/fuzz/corpus/): small files that
 * cover every layer kind and flag of the model and classifier files, a
 * dataset, and user images. Each file starts with the harness's options
 * byte (1: fix the CRC after mutation). Run by `make fuzz-corpus`; the
 * files are committed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/grid.h"
#include "eval/classifier.h"
#include "gan/gan.h"
#include "gan/history.h"
#include "store/modelfile.h"

static const char *root;

static void put(const char *dir, const char *name, uint8_t opt, const uint8_t *bytes, size_t len) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", root, dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fputc(opt, f) == EOF || fwrite(bytes, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "make_corpus: cannot write %s\n", path);
        exit(1);
    }
}

static void fail(const gp_err *err) {
    fprintf(stderr, "make_corpus: %s\n", err->msg);
    exit(1);
}

/* Saves gan in a kind, with and without the CRC fix-up option. */
static void put_model(const char *name, gp_gan *gan, int kind) {
    uint8_t *bytes;
    size_t len;
    gp_err err;
    if (gp_model_save(gan, kind, &bytes, &len, &err) != GP_OK) fail(&err);
    char n[128];
    snprintf(n, sizeof n, "%s-crc", name);
    put("model", name, 0, bytes, len);
    put("model", n, 1, bytes, len);
    free(bytes);
}

static void make(gp_gan *gan, gp_gan_config *cfg, gp_shape image, const gp_layer_desc *g, int g_n,
                 const gp_layer_desc *d, int d_n) {
    gp_err err;
    gp_shape g_in = {cfg->latent + cfg->classes, 1, 1};
    if (gp_gan_create_arch(gan, cfg, image, g_in, g, g_n, d, d_n, &err) != GP_OK) fail(&err);
    gp_rng rng;
    gp_rng_seed(&rng, 5);
    gp_net_init_params(&gan->G, &rng);
    if (gan->has_d) gp_net_init_params(&gan->D, &rng);
    if (gan->ema) memcpy(gan->ema, gan->G.params, gan->G.n_params * sizeof(float));
}

int main(int argc, char **argv) {
    root = argc > 1 ? argv[1] : "tests/fuzz/corpus";
    gp_err err;
    gp_gan_config cfg;
    gp_gan gan;

    /* fully connected, every activation, BatchNorm, Dropout, spectral norm; EMA and a history */
    gp_gan_config_default(&cfg, "mlp", NULL);
    cfg.batch = 4;
    cfg.latent = 3;
    cfg.ema = 0.9f;
    cfg.r1 = 1.0f;
    gp_layer_desc g1[] = {gp_layer(GP_LAYER_LINEAR, 8, 0), gp_layer(GP_LAYER_BATCHNORM, 0, 0),
                          gp_layer(GP_LAYER_LEAKY_RELU, 0, 0.2f), gp_layer(GP_LAYER_LINEAR, 16, 0),
                          gp_layer(GP_LAYER_DROPOUT, 0, 0.25f), gp_layer(GP_LAYER_TANH, 0, 0)};
    gp_layer_desc d1[] = {gp_layer(GP_LAYER_LINEAR, 8, 0), gp_layer(GP_LAYER_RELU, 0, 0),
                          gp_layer(GP_LAYER_LINEAR, 1, 0), gp_layer(GP_LAYER_SIGMOID, 0, 0)};
    d1[0].flags = GP_LAYER_SPECTRAL_NORM;
    make(&gan, &cfg, (gp_shape){1, 4, 4}, g1, 6, d1, 4);
    const uint8_t history[] = {1, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 0, 63, 0, 0, 0, 63, 1, 0, 0, 0, 0,
                               0, 0, 0, 0, 0, 200, 66, 1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 9, 99, 199, 255};
    if (gp_gan_set_history(&gan, history, sizeof history, &err) != GP_OK) fail(&err);
    put_model("mlp-training", &gan, GP_SAVE_TRAINING); /* its 2x2 snapshot is not its grid's: a run refuses it */
    put_model("mlp-generator", &gan, GP_SAVE_GENERATOR);
    /* a history a run takes: snapshots of the model's sample grid (64 samples in 8 columns) up to its step */
    gp_history h;
    int gw, gh;
    gp_grid_size(64, 8, 4, 4, &gw, &gh);
    if (gp_history_init(&h, gh, gw, &err) != GP_OK) fail(&err);
    uint8_t *grid = calloc((size_t)gw * gh, 1);
    const float point[GP_HISTORY_POINT] = {2.0f, 1.3f, 0.7f, 0.6f, 0.4f};
    gp_history_push_point(&h, point);
    gp_history_push_measure(&h, 3.0f, 120.0f, 0.0f);
    gp_history_push_snapshot(&h, 0, grid);
    memset(grid, 200, (size_t)gw * gh);
    gp_history_push_snapshot(&h, 3, grid);
    size_t hist_len = gp_history_write(&h, NULL);
    uint8_t *hist = malloc(hist_len);
    gp_history_write(&h, hist);
    gan.stats.step = gan.stats.d_step = 3;
    if (gp_gan_set_history(&gan, hist, hist_len, &err) != GP_OK) fail(&err);
    put_model("mlp-timeline", &gan, GP_SAVE_TRAINING);
    free(hist);
    free(grid);
    gp_history_free(&h);
    gp_gan_free(&gan);

    /* a 2-D model, as a run keeps its last good state (gp_model_load_state) */
    gp_gan_config_default(&cfg, "2d", NULL);
    cfg.batch = 4;
    cfg.g_layers = cfg.d_layers = 1;
    cfg.g_width = cfg.d_width = 4;
    if (gp_gan_create(&gan, &cfg, 1, &err) != GP_OK) fail(&err);
    put_model("2d-state", &gan, GP_SAVE_TRAINING);
    gp_gan_free(&gan);

    /* convolutions: Reshape, BatchNorm2d, ConvTranspose2d without bias, Conv2d with spectral norm, Flatten */
    gp_gan_config_default(&cfg, "dcgan", NULL);
    cfg.batch = 4;
    cfg.latent = 4;
    cfg.loss = GP_LOSS_HINGE;
    gp_layer_desc g2[] = {gp_layer(GP_LAYER_LINEAR, 32, 0), gp_layer_reshape(2, 4, 4), gp_layer(GP_LAYER_BATCHNORM2D, 0, 0),
                          gp_layer(GP_LAYER_RELU, 0, 0), gp_layer_conv(GP_LAYER_CONVT2D, 1, 4, 2, 1),
                          gp_layer(GP_LAYER_TANH, 0, 0)};
    g2[4].flags = GP_LAYER_NO_BIAS;
    gp_layer_desc d2[] = {gp_layer_conv(GP_LAYER_CONV2D, 2, 4, 2, 1), gp_layer(GP_LAYER_LEAKY_RELU, 0, 0.2f),
                          gp_layer_reshape(32, 1, 1), gp_layer(GP_LAYER_LINEAR, 1, 0)};
    d2[0].flags = GP_LAYER_SPECTRAL_NORM;
    make(&gan, &cfg, (gp_shape){1, 8, 8}, g2, 6, d2, 4);
    put_model("conv-training", &gan, GP_SAVE_TRAINING);
    put_model("conv-f16", &gan, GP_SAVE_GENERATOR_F16);
    gp_gan_free(&gan);

    /* class-conditional: concat (D reads class planes) and ACGAN (D names the class) */
    for (int cond = GP_COND_ACGAN; cond <= GP_COND_CONCAT; cond++) {
        gp_gan_config_default(&cfg, "mlp", NULL);
        cfg.batch = 4;
        cfg.latent = 2;
        cfg.cond = cond;
        cfg.loss = cond == GP_COND_CONCAT ? GP_LOSS_WGAN_GP : GP_LOSS_LSGAN;
        cfg.ema = 0.5f;
        if (gp_gan_config_set_classes(&cfg, 3, &err) != GP_OK) fail(&err);
        gp_layer_desc g3[] = {gp_layer(GP_LAYER_LINEAR, 16, 0), gp_layer(GP_LAYER_TANH, 0, 0)};
        gp_layer_desc d3[] = {gp_layer_reshape(cond == GP_COND_CONCAT ? 64 : 16, 1, 1), gp_layer(GP_LAYER_LINEAR, 4, 0),
                              gp_layer(GP_LAYER_LEAKY_RELU, 0, 0.1f),
                              gp_layer(GP_LAYER_LINEAR, cond == GP_COND_ACGAN ? 4 : 1, 0)};
        make(&gan, &cfg, (gp_shape){1, 4, 4}, g3, 2, d3, 4);
        put_model(cond == GP_COND_CONCAT ? "concat-training" : "acgan-training", &gan, GP_SAVE_TRAINING);
        put_model(cond == GP_COND_CONCAT ? "concat-generator" : "acgan-generator", &gan, GP_SAVE_GENERATOR);
        gp_gan_free(&gan);
    }

    /* a classifier: Conv2d, ReLU, Flatten, Linear to 10 logits */
    gp_classifier c;
    gp_layer_desc cl[] = {gp_layer_conv(GP_LAYER_CONV2D, 2, 3, 1, 1), gp_layer(GP_LAYER_RELU, 0, 0), gp_layer_reshape(32, 1, 1),
                          gp_layer(GP_LAYER_LINEAR, 8, 0), gp_layer(GP_LAYER_RELU, 0, 0), gp_layer(GP_LAYER_LINEAR, 10, 0)};
    if (gp_classifier_create_arch(&c, (gp_shape){1, 4, 4}, cl, 6, 4, 4, &err) != GP_OK) fail(&err);
    gp_rng rng;
    gp_rng_seed(&rng, 9);
    gp_net_init_params(&c.net, &rng);
    uint8_t *bytes;
    size_t len;
    if (gp_classifier_save(&c, &bytes, &len, &err) != GP_OK) fail(&err);
    put("classifier", "small", 0, bytes, len);
    put("classifier", "small-crc", 1, bytes, len);
    free(bytes);
    gp_classifier_free(&c);

    /* a dataset: 10 images of 4x4 with labels 0..9 */
    uint8_t ds[24 + 10 * 16 + 10];
    memcpy(ds, "GPDS", 4);
    const uint32_t head[5] = {1, 10, 4, 4, 1};
    for (int i = 0; i < 5; i++)
        for (int b = 0; b < 4; b++) ds[4 + 4 * i + b] = (uint8_t)(head[i] >> (8 * b));
    for (int i = 0; i < 10 * 16; i++) ds[24 + i] = (uint8_t)(i * 13);
    for (int i = 0; i < 10; i++) ds[24 + 160 + i] = (uint8_t)i;
    put("dataset", "ten-4x4", 0, ds, sizeof ds);

    /* user images: 12 of 4x4 (light on dark) and 10 of 3x5 (dark on light) */
    uint8_t img[3 + 12 * 16 * 4];
    img[0] = 12, img[1] = 3, img[2] = 3;
    for (int i = 0; i < 12 * 16 * 4; i++) img[3 + i] = (uint8_t)(i % 4 == 3 ? 255 : (i / 4) % 16 == 5 ? 230 : 10);
    put("rgba", "twelve-4x4", 0, img, sizeof img);
    img[0] = 10, img[1] = 2, img[2] = 4;
    for (int i = 0; i < 10 * 15 * 4; i++) img[3 + i] = (uint8_t)(i % 4 == 3 ? 200 : (i / 4) % 15 == 7 ? 20 : 240);
    put("rgba", "ten-3x5", 0, img, 3 + 10 * 15 * 4);
    printf("wrote the seed corpus under %s\n", root);
    return 0;
}
