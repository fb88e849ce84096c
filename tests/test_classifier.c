/* The shipped MNIST classifier (models/mnist-classifier.gpc) and the scores
 * built on it: held-out accuracy of at least 97%, a digit FD that separates
 * real digits from noise, classifier files that round-trip and refuse
 * damage, and the softmax cross-entropy it trains with. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "eval/classifier.h"
#include "nn/layers.h"
#include "store/modelfile.h"

static void test_softmax_xent(void) {
    enum { B = 3, C = 5 };
    float logits[B * C], d[B * C];
    uint8_t labels[B] = {0, 3, 4};
    for (int i = 0; i < B * C; i++) logits[i] = 0.37f * (float)((i * 7) % 11) - 1.5f;
    float loss = gp_softmax_xent(d, logits, labels, B, C);
    /* reference in double */
    double want = 0;
    for (int b = 0; b < B; b++) {
        double s = 0;
        for (int k = 0; k < C; k++) s += exp(logits[b * C + k]);
        want += log(s) - logits[b * C + labels[b]];
    }
    CHECK_CLOSE(loss, want / B, 1e-6, 1e-6);
    /* central differences */
    for (int i = 0; i < B * C; i++) {
        float saved = logits[i], h = 1e-2f;
        logits[i] = saved + h;
        double up = gp_softmax_xent(NULL, logits, labels, B, C);
        logits[i] = saved - h;
        double down = gp_softmax_xent(NULL, logits, labels, B, C);
        logits[i] = saved;
        CHECK_CLOSE(d[i], (up - down) / (2 * h), 2e-4, 1e-2);
    }
    /* huge logits stay finite */
    logits[0] = 1e30f;
    logits[1] = -1e30f;
    CHECK(isfinite(gp_softmax_xent(d, logits, labels, B, C)));
    CHECK(isfinite(d[0]) && isfinite(d[1]));
}

static void test_shipped(const gp_dataset *ds) {
    gp_classifier c;
    gp_err err;
    if (gp_classifier_load_file(&c, "models/mnist-classifier.gpc", &err) != GP_OK) {
        fprintf(stderr, "test_classifier: %s\n", err.msg);
        CHECK(0);
        return;
    }
    double acc = 0.0;
    CHECK(gp_classifier_accuracy(&c, ds, &acc, &err) == GP_OK);
    printf("held-out accuracy %.4f on %d images\n", acc, ds->n_test);
    CHECK(acc >= 0.97);

    /* 500 real training images score near the floor; noise scores far away */
    enum { N = 500 };
    float *real = malloc(sizeof(float) * N * 784), *noise = malloc(sizeof(float) * N * 784);
    gp_rng rng;
    gp_rng_seed(&rng, 3);
    for (int i = 0; i < N; i++) gp_dataset_image(ds, ds->train_index[(long)i * ds->n_train / N], real + (size_t)i * 784); /* evenly spread: classes are contiguous */
    gp_rng_fill_uniform(&rng, noise, N * 784, -1.0f, 1.0f);
    gp_feature_stats ref;
    CHECK(gp_quality_reference(&c, ds, &ref, &err) == GP_OK);
    gp_quality q_real, q_noise;
    CHECK(gp_quality_score(&c, &ref, real, NULL, N, &q_real, &err) == GP_OK);
    CHECK(gp_quality_score(&c, &ref, noise, NULL, N, &q_noise, &err) == GP_OK);
    printf("digit FD: real %.2f, uniform noise %.2f; class entropy real %.3f, noise %.3f\n", q_real.fd, q_noise.fd,
           q_real.entropy, q_noise.entropy);
    CHECK(q_real.fd < 20);
    CHECK(q_noise.fd > 10 * q_real.fd);
    CHECK(q_real.entropy > 2.2 && q_real.entropy <= log(10.0) + 1e-9);
    double total = 0;
    for (int k = 0; k < GP_CLASSES; k++) total += q_real.hist[k];
    CHECK_CLOSE(total, 1.0, 1e-9, 0);
    CHECK(gp_quality_score(&c, &ref, real, NULL, 1, &q_real, &err) == GP_ERR_ARG);
    gp_feature_stats_free(&ref);
    free(real);
    free(noise);
    gp_classifier_free(&c);
}

static void test_file(void) {
    gp_classifier a, b;
    gp_err err;
    CHECK(gp_classifier_create(&a, (gp_shape){1, 28, 28}, 16, 5, &err) == GP_OK);
    const char *path = "build/test-classifier.gpc";
    CHECK(gp_classifier_save_file(&a, path, &err) == GP_OK);
    CHECK(gp_classifier_load_file(&b, path, &err) == GP_OK);
    CHECK(b.feature_layer == a.feature_layer && b.feature_dim == a.feature_dim);
    CHECK(memcmp(a.net.params, b.net.params, sizeof(float) * a.net.n_params) == 0);
    gp_classifier_free(&b);
    uint8_t *bytes;
    size_t len;
    CHECK(gp_read_file(path, &bytes, &len, 1 << 24, &err) == GP_OK);
    int refused = 0, tried = 0;
    for (size_t cut = 0; cut < len; cut += cut < 600 ? 1 : len / 8, tried++)
        refused += gp_classifier_load(&b, bytes, cut, &err) == GP_ERR_FORMAT && b.net.params == NULL;
    CHECK(refused == tried);
    bytes[len / 2] ^= 1;
    CHECK(gp_classifier_load(&b, bytes, len, &err) == GP_ERR_FORMAT);
    CHECK(strlen(err.msg) > 0);
    free(bytes);
    gp_classifier_free(&a);
    remove(path);
}

/* The training schedule: cosine decay from lr at the first step to 5% of lr. */
static void test_schedule(void) {
    CHECK_CLOSE(gp_classifier_lr(1e-3f, 1, 1000), 1e-3, 1e-9, 0);
    CHECK_CLOSE(gp_classifier_lr(1e-3f, 501, 1000), 0.525e-3, 1e-9, 1e-5);
    CHECK_CLOSE(gp_classifier_lr(1e-3f, 1000, 1000), 0.05e-3, 1e-7, 0);
    for (long s = 2; s <= 1000; s++) CHECK(gp_classifier_lr(1e-3f, s, 1000) < gp_classifier_lr(1e-3f, s - 1, 1000));
}

int main(void) {
    test_schedule();
    test_softmax_xent();
    test_file();
    gp_dataset ds;
    gp_err err;
    if (gp_dataset_load(&ds, "build/data/mnist.bin", &err) != GP_OK) {
        fprintf(stderr, "test_classifier: %s (run make first)\n", err.msg);
        CHECK(0);
    } else {
        test_shipped(&ds);
        gp_dataset_free(&ds);
    }
    return check_report("classifier");
}
