/* test_colour.c: colour images (3 channels) through the core: the dataset
 * file, user images, grids, the image shape a config takes from its data,
 * the 32x32 DCGAN, a training step, the model file, the timeline. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "data/dataset.h"
#include "data/grid.h"
#include "gan/augment.h"
#include "gan/config.h"
#include "gan/gan.h"
#include "run/run.h"
#include "store/modelfile.h"

/* A GPDS file of n images c x h x w: image i's pixel p of channel k is (i + 7k + p) & 255. */
static uint8_t *dataset_bytes(int n, int c, int h, int w, size_t *len) {
    size_t px = (size_t)n * c * h * w;
    *len = 24 + px + (size_t)n;
    uint8_t *b = calloc(*len, 1);
    memcpy(b, "GPDS", 4);
    const uint32_t head[5] = {1, (uint32_t)n, (uint32_t)h, (uint32_t)w, (uint32_t)c};
    for (int i = 0; i < 5; i++)
        for (int k = 0; k < 4; k++) b[4 + 4 * i + k] = (uint8_t)(head[i] >> (8 * k));
    for (int i = 0; i < n; i++)
        for (int k = 0; k < c; k++)
            for (int p = 0; p < h * w; p++) b[24 + (((size_t)i * c + k) * h * w) + p] = (uint8_t)(i + 7 * k + p);
    for (int i = 0; i < n; i++) b[24 + px + i] = (uint8_t)(i % 9);
    return b;
}

static void test_dataset(void) {
    gp_dataset ds;
    gp_err err;
    size_t len;
    uint8_t *b = dataset_bytes(10, 3, 8, 8, &len);
    CHECK(gp_dataset_from_bytes(&ds, b, len, &err) == GP_OK && ds.c == 3 && ds.h == 8 && ds.count == 10);
    float img[3 * 64];
    gp_dataset_image(&ds, 2, img);
    /* planes in order: channel 1's first pixel is 2 + 7 */
    CHECK(img[64] == 9 / 127.5f - 1.0f && img[0] == 2 / 127.5f - 1.0f && img[128 + 5] == (2 + 14 + 5) / 127.5f - 1.0f);
    CHECK(gp_dataset_classes(&ds) == 9);
    gp_dataset_free(&ds);
    free(b);
    b = dataset_bytes(10, 2, 8, 8, &len); /* 2 channels: refused */
    CHECK(gp_dataset_from_bytes(&ds, b, len, &err) == GP_ERR_FORMAT && strstr(err.msg, "out of range"));
    free(b);
    b = dataset_bytes(10, 3, 8, 8, &len); /* a colour header with a gray body's length */
    CHECK(gp_dataset_from_bytes(&ds, b, 24 + 10 * 64 + 10, &err) == GP_ERR_FORMAT && strstr(err.msg, "header implies"));
    free(b);
    CHECK(!strcmp(gp_dataset_class_name("emoji", 0), "Smileys") && !strcmp(gp_dataset_class_name("emoji", 8), "Flags") &&
          !gp_dataset_class_name("emoji", 9));
    const gp_dataset_info *e = gp_dataset_find("emoji");
    CHECK(e && e->channels == 3 && e->height == 32 && e->width == 32 && e->classes == 9);
    CHECK(!strcmp(GP_EMOJI_CATEGORIES[2], "Animals & Nature"));
}

/* User images in colour: planes R, G, B composited over white, never inverted. */
static void test_user_images(void) {
    enum { N = 10, H = 4, W = 4 };
    uint8_t rgba[N * H * W * 4];
    for (int i = 0; i < N * H * W; i++) {
        uint8_t *p = rgba + 4 * i;
        p[0] = 200, p[1] = 100, p[2] = 0, p[3] = 255; /* orange */
        if (i % (H * W) == 5) p[3] = 0;              /* one transparent pixel: white */
        if (i % (H * W) == 6) p[0] = 0, p[1] = 0, p[2] = 255, p[3] = 128; /* half blue */
    }
    gp_dataset ds;
    gp_err err;
    CHECK(gp_dataset_from_rgba(&ds, rgba, N, H, W, 3, 10, 100, &err) == GP_OK && ds.c == 3);
    const uint8_t *px = ds.pixels + (size_t)3 * H * W; /* image 1 */
    CHECK(px[0] == 200 && px[16] == 100 && px[32] == 0);
    CHECK(px[5] == 255 && px[16 + 5] == 255 && px[32 + 5] == 255);
    /* 255 * 128 / 255 + 255 * 127 / 255 = 255 for blue; 0 * 128 + 255 * 127 = 127 for red */
    CHECK(px[6] == 127 && px[16 + 6] == 127 && px[32 + 6] == 255);
    gp_dataset_free(&ds);
    CHECK(gp_dataset_from_rgba(&ds, rgba, N, H, W, 2, 10, 100, &err) == GP_ERR_ARG && strstr(err.msg, "1 or 3"));
    /* a light picture stays light in colour (gray would invert it) */
    float img[3 * H * W], mask[3 * H * W];
    uint8_t white[H * W * 4];
    memset(white, 255, sizeof white);
    white[0] = 0; /* one black pixel, red channel */
    CHECK(gp_image_from_rgba(img, white, H, W, 3, H, W, 0, &err) == GP_OK);
    CHECK(img[0] == -1.0f && img[1] == 1.0f && img[16] == 1.0f && img[32] == 1.0f);
    CHECK(gp_image_from_rgba(img, white, H, W, 1, H, W, 0, &err) == GP_OK && img[1] == -1.0f); /* gray: inverted */
    /* 2x2 blocks average down; a mask is the same in every plane */
    uint8_t big[2 * H * 2 * W * 4];
    for (int i = 0; i < 4 * H * W; i++) big[4 * i] = (uint8_t)(i % 2 ? 255 : 0), big[4 * i + 1] = 0, big[4 * i + 2] = 50,
                                        big[4 * i + 3] = 255;
    CHECK(gp_image_from_rgba(img, big, 2 * H, 2 * W, 3, H, W, 0, &err) == GP_OK);
    CHECK(fabsf(img[0] - 0.0f) < 1e-6f && img[16] == -1.0f && fabsf(img[32] - (50 / 127.5f - 1.0f)) < 1e-6f);
    CHECK(gp_image_from_rgba(mask, white, H, W, 3, H, W, 1, &err) == GP_OK);
    CHECK(mask[1] == 1.0f && mask[16 + 1] == 1.0f && mask[32 + 1] == 1.0f && mask[0] == mask[16] && mask[0] == mask[32]);
    CHECK(gp_image_from_rgba(img, white, H, W, 2, H, W, 0, &err) == GP_ERR_ARG);
}

static void test_grid(void) {
    enum { H = 2, W = 2 };
    float imgs[2 * 3 * H * W];
    for (int i = 0; i < 2 * 3 * H * W; i++) imgs[i] = -1.0f;
    imgs[0] = 1.0f;              /* image 0, R of pixel 0 */
    imgs[3 * H * W + 4 + 1] = 1.0f; /* image 1, G of pixel 1 */
    int gw, gh;
    gp_grid_size(2, 2, H, W, &gw, &gh);
    uint8_t rgb[64 * 3], rgba[64 * 4], gray[64];
    gp_grid_render(rgb, 3, imgs, 2, 2, 3, H, W);
    uint8_t *p0 = rgb + ((size_t)GP_GRID_PAD * gw + GP_GRID_PAD) * 3;
    CHECK(p0[0] == 255 && p0[1] == 0 && p0[2] == 0);
    uint8_t *p1 = rgb + ((size_t)GP_GRID_PAD * gw + 2 * GP_GRID_PAD + W + 1) * 3;
    CHECK(p1[0] == 0 && p1[1] == 255 && p1[2] == 0);
    CHECK(rgb[0] == GP_GRID_PAD_VALUE && rgb[1] == GP_GRID_PAD_VALUE);
    gp_grid_render(rgba, 4, imgs, 2, 2, 3, H, W);
    CHECK(rgba[((size_t)GP_GRID_PAD * gw + GP_GRID_PAD) * 4] == 255 && rgba[((size_t)GP_GRID_PAD * gw + GP_GRID_PAD) * 4 + 3] == 255);
    gp_grid_render(gray, 1, imgs, 2, 2, 3, H, W); /* luma of pure red: 77/256 of 255 */
    CHECK(gray[GP_GRID_PAD * gw + GP_GRID_PAD] == (77 * 255 + 128) >> 8);
}

/* A config takes its image from the data; the preset says what it can make. */
static void test_config(void) {
    gp_gan_config cfg;
    gp_err err;
    CHECK(gp_gan_config_default(&cfg, "dcgan", &err) == GP_OK && cfg.channels == 1 && cfg.height == 28);
    CHECK(gp_gan_config_set_image(&cfg, 3, 32, 32, &err) == GP_OK && cfg.channels == 3 && cfg.width == 32);
    CHECK(gp_gan_config_set_image(&cfg, 3, 30, 30, &err) == GP_ERR_ARG && strstr(err.msg, "multiples of 4") &&
          cfg.height == 32);
    CHECK(gp_gan_config_set_image(&cfg, 2, 32, 32, &err) == GP_ERR_ARG && strstr(err.msg, "1 or 3 channels"));
    CHECK(gp_gan_config_set_image(&cfg, 4, 32, 32, &err) == GP_ERR_ARG);
    gp_gan_config mlp;
    CHECK(gp_gan_config_default(&mlp, "mlp", &err) == GP_OK && gp_gan_config_set_image(&mlp, 3, 30, 30, &err) == GP_OK);
    gp_gan_config two;
    CHECK(gp_gan_config_default(&two, "2d", &err) == GP_OK && gp_gan_config_set_image(&two, 3, 32, 32, &err) == GP_ERR_ARG &&
          strstr(err.msg, "2-D"));
    /* the emoji recipe: the shipped emoji generator's settings, the DCGAN's only */
    gp_gan_config r;
    CHECK(gp_gan_config_recipe(&r, "dcgan", "emoji", &err) == GP_OK && r.cond == GP_COND_ACGAN && r.ema == 0.999f &&
          r.augment == GP_AUGMENT_TRANSLATE && r.batch == 64);
    CHECK(gp_gan_config_recipe(&r, "mlp", "emoji", &err) == GP_ERR_ARG && strstr(err.msg, "DCGAN"));
    CHECK(gp_gan_config_recipe(&r, "dcgan", "cats", &err) == GP_ERR_ARG && strstr(err.msg, "first_visit, emoji"));
    gp_json j;
    gp_json_init(&j);
    gp_config_json(&cfg, &j);
    CHECK(strstr(j.buf, "\"image\":{\"channels\":3,\"height\":32,\"width\":32}") != NULL);
    gp_json_free(&j);
}

static int count_kind(const gp_net *n, int kind) {
    int k = 0;
    for (int i = 0; i < n->n_layers; i++) k += n->layers[i].kind == (uint32_t)kind;
    return k;
}

/* The 32x32 colour DCGAN: three upsamplings; it trains on colour data, and
 * its file keeps the shape. */
static void test_dcgan32(void) {
    gp_gan_config cfg;
    gp_err err;
    CHECK(gp_gan_config_default(&cfg, "dcgan", &err) == GP_OK);
    cfg.batch = 8;
    strcpy(cfg.dataset, "emoji");
    cfg.cond = GP_COND_ACGAN;
    CHECK(gp_gan_config_set_image(&cfg, 3, 32, 32, &err) == GP_OK && gp_gan_config_set_classes(&cfg, 9, &err) == GP_OK);
    CHECK(!strcmp(cfg.class_names[3], "Food"));
    gp_gan gan;
    CHECK(gp_gan_create(&gan, &cfg, 1, &err) == GP_OK);
    gp_shape out = gp_net_output_shape(&gan.G);
    CHECK(out.c == 3 && out.h == 32 && out.w == 32 && gan.image.c == 3);
    CHECK(count_kind(&gan.G, GP_LAYER_CONVT2D) == 3 && count_kind(&gan.D, GP_LAYER_CONV2D) == 3);
    CHECK(gan.D.shape[0].c == 3 && gan.D.shape[0].h == 32);
    /* MNIST's DCGAN is unchanged: two upsamplings from 7x7 */
    gp_gan_config m;
    gp_gan mg;
    CHECK(gp_gan_config_default(&m, "dcgan", &err) == GP_OK && gp_gan_create(&mg, &m, 1, &err) == GP_OK);
    CHECK(count_kind(&mg.G, GP_LAYER_CONVT2D) == 2 && mg.G.shape[2].c == 128 && mg.G.shape[2].h == 7);
    gp_gan_free(&mg);
    /* one step on colour data; gray data of another shape is refused */
    size_t len;
    uint8_t *b = dataset_bytes(20, 3, 32, 32, &len);
    gp_dataset ds;
    CHECK(gp_dataset_from_bytes(&ds, b, len, &err) == GP_OK);
    CHECK(gp_gan_train_step(&gan, &ds, &err) == GP_OK && isfinite(gan.stats.d_loss) && isfinite(gan.stats.g_loss));
    gp_dataset_free(&ds);
    free(b);
    b = dataset_bytes(20, 1, 32, 32, &len);
    CHECK(gp_dataset_from_bytes(&ds, b, len, &err) == GP_OK);
    CHECK(gp_gan_train_step(&gan, &ds, &err) == GP_ERR_ARG && strstr(err.msg, "1x32x32"));
    gp_dataset_free(&ds);
    free(b);
    /* the file keeps 3x32x32 and the config says so */
    uint8_t *bytes;
    CHECK(gp_model_save(&gan, GP_SAVE_TRAINING, &bytes, &len, &err) == GP_OK);
    gp_gan back;
    CHECK(gp_model_load(&back, bytes, len, &err) == GP_OK);
    CHECK(back.image.c == 3 && back.image.h == 32 && back.cfg.channels == 3 && back.cfg.width == 32);
    CHECK(back.G.n_params == gan.G.n_params && !memcmp(back.G.params, gan.G.params, 4 * gan.G.n_params));
    gp_gan_free(&back);
    /* a file claiming 2 or 4 channels is refused by name; one claiming gray for colour weights too */
    const uint32_t lies[3] = {2, 4, 1};
    for (int i = 0; i < 3; i++) {
        uint8_t *copy = malloc(len);
        memcpy(copy, bytes, len);
        memcpy(copy + 28, &lies[i], 4); /* magic, version, flags, preset: the channels follow */
        uint32_t crc = gp_crc32(copy, len - 4);
        memcpy(copy + len - 4, &crc, 4);
        gp_status st = gp_model_load(&back, copy, len, &err);
        if (st == GP_OK) gp_gan_free(&back);
        CHECK(st == GP_ERR_FORMAT && (i == 2 || strstr(err.msg, "1 or 3 channels")));
        free(copy);
    }
    free(bytes);
    gp_run run;
    gp_run_init(&run, gp_run_policy_find("cli"));
    CHECK(gp_run_adopt(&run, &gan, &err) == GP_OK); /* the run owns it now */
    /* the timeline keeps colour: RGB triplets, three bytes per grid pixel */
    int gw, gh;
    gp_grid_size(GP_RUN_VIEW_COUNT, GP_RUN_VIEW_COLS, 32, 32, &gw, &gh);
    CHECK(run.hist.snap_w == 3 * gw && run.hist.snap_h == gh && run.view_w == gw);
    b = dataset_bytes(20, 3, 32, 32, &len);
    CHECK(gp_dataset_from_bytes(&ds, b, len, &err) == GP_OK);
    gp_run_set_images(&run, &ds);
    run.policy.snap_every = 1;
    gp_run_turn t;
    CHECK(gp_run_step(&run, GP_RUN_STEP, &t, &err) == GP_OK && run.hist.n_snaps >= 1);
    uint8_t *rgba = malloc((size_t)gw * gh * 4);
    CHECK(gp_run_snapshot_rgba(&run, run.hist.n_snaps - 1, rgba) == gw);
    /* the snapshot is the grid as RGB: some pixel of an image has channels that differ */
    int differ = 0;
    for (size_t i = 0; i < (size_t)gw * gh; i++) differ |= rgba[4 * i] != rgba[4 * i + 1] || rgba[4 * i + 1] != rgba[4 * i + 2];
    CHECK(differ && rgba[3] == 255);
    free(rgba);
    gp_run_free(&run);
    gp_dataset_free(&ds);
    free(b);
}

/* The image a dataset's model makes: the table's for shipped data, gray
 * 28x28 or colour 32x32 for a user's own; the long emoji names. */
static void test_dataset_shapes(void) {
    gp_err err;
    int c = 0, h = 0, w = 0;
    CHECK(gp_dataset_image_shape("emoji", 0, &c, &h, &w, &err) == GP_OK && c == 3 && h == 32 && w == 32);
    CHECK(gp_dataset_image_shape("mnist", 0, &c, &h, &w, &err) == GP_OK && c == 1 && h == 28 && w == 28);
    CHECK(gp_dataset_image_shape("mnist", 3, &c, &h, &w, &err) == GP_ERR_ARG && strstr(err.msg, "1 channel") && c == 1);
    CHECK(gp_dataset_image_shape("own", 3, &c, &h, &w, &err) == GP_OK && c == 3 && h == 32 && w == 32);
    CHECK(gp_dataset_image_shape("own", 1, &c, &h, &w, &err) == GP_OK && c == 1 && h == 28 && w == 28);
    CHECK(gp_dataset_image_shape("own", 0, &c, &h, &w, &err) == GP_OK && c == 1 && h == 28);
    CHECK(gp_dataset_image_shape("own", 2, &c, &h, &w, &err) == GP_ERR_ARG && strstr(err.msg, "not 2 channels"));
    CHECK(!strcmp(gp_dataset_class_label("emoji", 0), "Smileys & Emotion") && !strcmp(gp_dataset_class_label("emoji", 8), "Flags"));
    CHECK(gp_dataset_class_label("emoji", 9) == NULL && !strcmp(gp_dataset_class_label("fashion", 9), "Ankle boot"));
}

int main(void) {
    test_dataset_shapes();
    test_dataset();
    test_user_images();
    test_grid();
    test_config();
    test_dcgan32();
    return check_report("colour");
}
