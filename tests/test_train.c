/* A short native training run of the seed GAN on MNIST (build/data/mnist.bin):
 * losses stay finite and the samples move measurably away from noise toward
 * digits. With GP_TEST_QUICK (sanitizer runs) it trains only a few steps and
 * checks finiteness. Also checks the dataset file's loader and split. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "eval/classifier.h"
#include "data/dataset.h"
#include "gan/gan.h"
#include "store/modelfile.h"
#include "eval/score.h"

/* Statistics that tell noise from digits: the fraction of background pixels
 * (below -0.8, about 80% in MNIST) and the mean absolute difference between
 * the average generated image and the average real image. */
typedef struct {
    double background, mean_gap;
} image_stats;

static image_stats measure(const float *images, int n, const float *real_mean) {
    image_stats s = {0, 0};
    double *mean = calloc(784, sizeof(double));
    for (int i = 0; i < n; i++)
        for (int p = 0; p < 784; p++) {
            float v = images[(size_t)i * 784 + p];
            s.background += v < -0.8f;
            mean[p] += v / n;
        }
    s.background /= (double)n * 784;
    for (int p = 0; p < 784; p++) s.mean_gap += fabs(mean[p] - real_mean[p]) / 784;
    free(mean);
    return s;
}

static void test_dataset_loader(void) {
    gp_dataset ds;
    gp_err err;
    /* a tiny valid file: 5 images of 2x2 */
    uint8_t buf[24 + 5 * 4 + 5] = {'G', 'P', 'D', 'S', 1, 0, 0, 0, 5, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0};
    for (int i = 0; i < 20; i++) buf[24 + i] = (uint8_t)(i * 12);
    for (int i = 0; i < 5; i++) buf[44 + i] = (uint8_t)i;
    CHECK(gp_dataset_from_bytes(&ds, buf, sizeof buf, &err) == GP_OK);
    CHECK(ds.count == 5 && ds.n_train == 4 && ds.n_test == 1 && ds.test_index[0] == 4);
    float img[4];
    gp_dataset_image(&ds, 1, img);
    CHECK_CLOSE(img[0], 48 / 127.5 - 1, 1e-6, 0);
    gp_dataset_free(&ds);
    /* damaged copies are refused with a message */
    uint8_t bad[sizeof buf + 1];
    memcpy(bad, buf, sizeof buf);
    CHECK(gp_dataset_from_bytes(&ds, bad, sizeof buf - 1, &err) == GP_ERR_FORMAT); /* short */
    CHECK(gp_dataset_from_bytes(&ds, bad, sizeof buf + 1, &err) == GP_ERR_FORMAT); /* long */
    bad[44] = 10;
    CHECK(gp_dataset_from_bytes(&ds, bad, sizeof buf, &err) == GP_ERR_FORMAT); /* label */
    memcpy(bad, buf, sizeof buf);
    bad[0] = 'X';
    CHECK(gp_dataset_from_bytes(&ds, bad, sizeof buf, &err) == GP_ERR_FORMAT); /* magic */
    memcpy(bad, buf, sizeof buf);
    bad[8] = 0xFF, bad[9] = 0xFF, bad[10] = 0xFF, bad[11] = 0x7F; /* count */
    CHECK(gp_dataset_from_bytes(&ds, bad, sizeof buf, &err) == GP_ERR_FORMAT);
    CHECK(strlen(err.msg) > 0);
    CHECK(gp_dataset_from_bytes(&ds, bad, 3, &err) == GP_ERR_FORMAT);
}

static void test_training(int quick) {
    gp_dataset ds;
    gp_err err;
    if (gp_dataset_load(&ds, "build/data/mnist.bin", &err) != GP_OK) {
        fprintf(stderr, "test_train: %s (run make first)\n", err.msg);
        CHECK(0);
        return;
    }
    /* the split of the package's 10,000 digits */
    CHECK(ds.count == 10000 && ds.n_train == 8000 && ds.n_test == 2000);
    CHECK(ds.h == 28 && ds.w == 28);

    const int n = 256;
    float *real_mean = calloc(784, sizeof(float)), *img = malloc(sizeof(float) * 784);
    for (int i = 0; i < ds.n_train; i++) {
        gp_dataset_image(&ds, ds.train_index[i], img);
        for (int p = 0; p < 784; p++) real_mean[p] += img[p] / ds.n_train;
    }
    gp_gan_config cfg;
    gp_gan_config_default(&cfg, "mlp", NULL);
    cfg.seed = 7;
    gp_gan gan;
    CHECK(gp_gan_create(&gan, &cfg, 1, &err) == GP_OK);
    float *z = malloc(sizeof(float) * n * cfg.latent), *samples = malloc(sizeof(float) * n * 784);
    gp_gan_latents(&gan, 99, n, z);
    gp_gan_generate(&gan, z, NULL, n, samples);
    image_stats before = measure(samples, n, real_mean);

    int steps = quick ? 5 : 400, finite = 1;
    for (int i = 0; i < steps; i++) {
        gp_status st = gp_gan_train_step(&gan, &ds, &err);
        CHECK(st == GP_OK);
        if (st != GP_OK) break;
        finite &= isfinite(gan.stats.d_loss) && isfinite(gan.stats.g_loss) && gan.stats.d_real > 0 &&
                  gan.stats.d_real < 1 && gan.stats.d_fake > 0 && gan.stats.d_fake < 1;
    }
    CHECK(finite);
    CHECK(gan.stats.step == steps && gan.stats.d_step == steps);
    gp_gan_generate(&gan, z, NULL, n, samples);
    image_stats after = measure(samples, n, real_mean);
    int all_finite = 1;
    for (int i = 0; i < n * 784; i++) all_finite &= isfinite(samples[i]) && samples[i] >= -1 && samples[i] <= 1;
    CHECK(all_finite);
    printf("background fraction %.3f -> %.3f, mean-image gap %.3f -> %.3f after %d steps\n", before.background,
           after.background, before.mean_gap, after.mean_gap, steps);
    if (!quick) {
        /* untrained G makes gray noise; after 400 steps most pixels are
         * background, like MNIST's ~80%, and the average image is close */
        CHECK(before.background < 0.2);
        CHECK(after.background > 0.35);
        CHECK(after.mean_gap < 0.4 * before.mean_gap);
    }
    free(z);
    free(samples);
    free(real_mean);
    free(img);
    gp_gan_free(&gan);
    gp_dataset_free(&ds);
}

/* MNIST, the shipped classifier and its reference statistics, for scoring. */
static int load_scoring(gp_dataset *ds, gp_classifier *cls, gp_feature_stats *ref) {
    gp_err err;
    if (gp_dataset_load(ds, "build/data/mnist.bin", &err) != GP_OK ||
        gp_classifier_load_file(cls, "models/mnist-classifier.gpc", &err) != GP_OK) {
        fprintf(stderr, "test_train: %s\n", err.msg);
        CHECK(0);
        return 0;
    }
    CHECK(gp_quality_reference(cls, ds, ref, &err) == GP_OK);
    return 1;
}

/* DCGAN smoke test: a short run lowers the digit FD (scored with the shipped
 * classifier) by a clear margin. */
static void test_dcgan(int quick) {
    gp_dataset ds;
    gp_classifier cls;
    gp_feature_stats ref;
    gp_err err;
    if (!load_scoring(&ds, &cls, &ref)) return;
    gp_gan_config cfg;
    CHECK(gp_gan_config_default(&cfg, "dcgan", &err) == GP_OK);
    cfg.batch = 32;
    cfg.seed = 3;
    gp_gan gan;
    CHECK(gp_gan_create(&gan, &cfg, 1, &err) == GP_OK);
    const int n = 256;
    float *z = malloc(sizeof(float) * n * cfg.latent), *samples = malloc(sizeof(float) * n * 784);
    gp_gan_latents(&gan, 5, n, z);
    gp_gan_generate(&gan, z, NULL, n, samples);
    gp_quality before, after;
    CHECK(gp_quality_score(&cls, &ref, samples, NULL, n, &before, &err) == GP_OK);
    int steps = quick ? 2 : 150;
    for (int i = 0; i < steps; i++) {
        gp_status st = gp_gan_train_step(&gan, &ds, &err);
        CHECK(st == GP_OK);
        if (st != GP_OK) break;
    }
    CHECK(isfinite(gan.stats.d_loss) && isfinite(gan.stats.g_loss));
    gp_gan_generate(&gan, z, NULL, n, samples);
    CHECK(gp_quality_score(&cls, &ref, samples, NULL, n, &after, &err) == GP_OK);
    printf("DCGAN digit FD %.1f -> %.1f after %d steps (batch 32)\n", before.fd, after.fd, steps);
    if (!quick) CHECK(after.fd < 0.5 * before.fd);
    free(z);
    free(samples);
    gp_feature_stats_free(&ref);
    gp_gan_free(&gan);
    gp_classifier_free(&cls);
    gp_dataset_free(&ds);
}

/* Class-conditional training: with either way of telling D the class, a
 * short run makes the classifier see the class asked for far above chance
 * (0.1), and every loss trains without a non-finite value. */
static void test_conditional(int quick) {
    gp_dataset ds;
    gp_classifier cls;
    gp_feature_stats ref;
    gp_err err;
    if (!load_scoring(&ds, &cls, &ref)) return;
    const int conds[2] = {GP_COND_ACGAN, GP_COND_CONCAT};
    for (int c = 0; c < 2; c++) {
        gp_gan_config cfg;
        CHECK(gp_gan_config_default(&cfg, "mlp", &err) == GP_OK);
        cfg.cond = conds[c];
        cfg.lr_g = cfg.lr_d = 5e-4f;
        if (cfg.cond == GP_COND_CONCAT) cfg.batch = 32; /* its D reads 11 planes: half the batch keeps the test short */
        cfg.seed = 2;
        CHECK(gp_gan_config_set_classes(&cfg, gp_dataset_classes(&ds), &err) == GP_OK);
        gp_gan gan;
        CHECK(gp_gan_create(&gan, &cfg, 1, &err) == GP_OK);
        gp_quality before, after;
        CHECK(gp_score_model(&cls, &ref, &gan, 500, 7, -1, &before, &err) == GP_OK);
        int steps = quick ? 3 : 600;
        for (int i = 0; i < steps; i++)
            if (gp_gan_train_step(&gan, &ds, &err) != GP_OK) {
                CHECK(0);
                break;
            }
        CHECK(gp_score_model(&cls, &ref, &gan, 500, 7, -1, &after, &err) == GP_OK);
        printf("conditional (%s): accuracy %.3f -> %.3f, digit FD %.1f -> %.1f after %d steps\n",
               gp_setting_find("cond")->choice(cfg.cond), before.cond_acc, after.cond_acc, before.fd, after.fd, steps);
        if (!quick) CHECK(after.cond_acc > 0.5 && after.cond_acc > before.cond_acc + 0.3);
        /* one class asked for: mostly that class */
        CHECK(gp_score_model(&cls, &ref, &gan, 100, 8, 7, &after, &err) == GP_OK);
        if (!quick) CHECK(after.hist[7] > 0.5);
        CHECK(gp_score_model(&cls, &ref, &gan, 100, 8, 10, &after, &err) == GP_ERR_ARG);
        gp_gan_free(&gan);
    }
    /* every loss with conditioning, augmentation and a moving average, a few steps on the DCGAN: finite */
    for (int loss = 0; loss < GP_LOSS_COUNT; loss++) {
        gp_gan_config cfg;
        CHECK(gp_gan_config_default(&cfg, "dcgan", &err) == GP_OK);
        cfg.loss = loss;
        cfg.batch = 8;
        cfg.ema = 0.9f;
        cfg.cond = loss % 2 ? GP_COND_CONCAT : GP_COND_ACGAN;
        cfg.augment = loss % GP_AUGMENT_COUNT;
        cfg.r1 = loss == GP_LOSS_HINGE ? 1.0f : 0.0f;
        cfg.spectral_norm = loss % 2;
        CHECK(gp_gan_config_set_classes(&cfg, 10, &err) == GP_OK);
        gp_gan gan;
        CHECK(gp_gan_create(&gan, &cfg, 1, &err) == GP_OK);
        int normalized = 0, batchnorms = 0;
        for (int i = 0; i < gan.D.n_layers; i++) {
            normalized += (gan.D.layers[i].flags & GP_LAYER_SPECTRAL_NORM) != 0;
            batchnorms += gan.D.layers[i].kind == GP_LAYER_BATCHNORM2D;
        }
        CHECK(cfg.spectral_norm ? normalized == 3 && batchnorms == 0 : normalized == 0 && batchnorms == 1);
        for (int i = 0; i < 3; i++) CHECK(gp_gan_train_step(&gan, &ds, &err) == GP_OK);
        CHECK(isfinite(gan.stats.d_loss) && isfinite(gan.stats.g_loss) && isfinite(gan.stats.d_real));
        /* the penalties are part of D's loss when they are on */
        int penalized = GP_LOSSES[loss].gradient_penalty || cfg.r1 > 0.0f;
        CHECK(penalized ? gan.stats.penalty > 0.0f && isfinite(gan.stats.penalty) : gan.stats.penalty == 0.0f);
        gp_gan_free(&gan);
    }
    gp_feature_stats_free(&ref);
    gp_classifier_free(&cls);
    gp_dataset_free(&ds);
}

int main(void) {
    int quick = getenv("GP_TEST_QUICK") != NULL;
    test_conditional(quick);
    test_dataset_loader();
    test_training(quick);
    test_dcgan(quick);
    return check_report("train");
}
