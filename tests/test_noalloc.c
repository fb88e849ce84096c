/* No allocation inside a training step: the nets, the GAN and the classifier
 * allocate everything when they are created. This program replaces malloc,
 * calloc and realloc with counting wrappers around glibc's (the sanitizer
 * build has its own allocator, so there the steps run without counting). */
#include <stdlib.h>

#include "check.h"
#include "classifier.h"
#include "gan.h"

#if defined(__SANITIZE_ADDRESS__)
#define COUNTING 0
static long allocations = 0;
#else
#define COUNTING 1
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
static long allocations = 0;
void *malloc(size_t n) {
    allocations++;
    return __libc_malloc(n);
}
void *calloc(size_t n, size_t size) {
    allocations++;
    return __libc_calloc(n, size);
}
void *realloc(void *p, size_t n) {
    allocations++;
    return __libc_realloc(p, n);
}
#endif

int main(void) {
    gp_dataset ds;
    gp_err err;
    if (gp_dataset_load(&ds, "build/data/mnist.bin", &err) != GP_OK) {
        fprintf(stderr, "test_noalloc: %s (run make first)\n", err.msg);
        return 1;
    }
    long counted[3] = {0, 0, 0};
    const char *presets[2] = {"mlp", "dcgan"};
    for (int p = 0; p < 2; p++) {
        gp_gan_config cfg;
        gp_gan gan;
        CHECK(gp_gan_config_default(&cfg, presets[p], &err) == GP_OK);
        cfg.batch = 16;
        CHECK(gp_gan_create(&gan, &cfg, 1, &err) == GP_OK);
        CHECK(gp_gan_train_step(&gan, &ds, &err) == GP_OK); /* first step outside the window */
        long before = allocations;
        for (int i = 0; i < 3; i++) CHECK(gp_gan_train_step(&gan, &ds, &err) == GP_OK);
        CHECK(gp_gan_d_step(&gan, &ds, &err) == GP_OK);
        CHECK(gp_gan_g_step(&gan, &err) == GP_OK);
        counted[p] = allocations - before;
        gp_gan_free(&gan);
    }
    gp_classifier c;
    CHECK(gp_classifier_create(&c, 16, 1, &err) == GP_OK);
    float loss;
    long before = allocations;
    for (int i = 0; i < 3; i++) CHECK(gp_classifier_train_step(&c, &ds, 1e-3f, &loss, &err) == GP_OK);
    counted[2] = allocations - before;
    gp_classifier_free(&c);
    gp_dataset_free(&ds);
    printf("allocations during training steps: mlp %ld, dcgan %ld, classifier %ld%s\n", counted[0], counted[1],
           counted[2], COUNTING ? "" : " (not counted under the sanitizers)");
    CHECK(counted[0] == 0 && counted[1] == 0 && counted[2] == 0);
    if (COUNTING) CHECK(allocations > 0); /* the wrappers do count */
    return check_report("noalloc");
}
