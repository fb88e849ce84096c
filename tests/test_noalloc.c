/* No allocation inside a training step: the nets, the GAN and the classifier
 * allocate everything when they are created, and the thread pool when it
 * starts (the steps here run on a pool of two). This program replaces malloc,
 * calloc and realloc with counting wrappers around glibc's (the sanitizer
 * build has its own allocator, so there the steps run without counting). */
#include <stdlib.h>

#include "check.h"
#include "eval/classifier.h"
#include "gan/gan.h"
#include "gan/2d.h"
#include "run/run.h"

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
    gp_threads *pool;
    CHECK(gp_threads_create(&pool, 2, &err) == GP_OK);
    CHECK(gp_threads_count(pool) == 2);
    long counted[5] = {0, 0, 0, 0, 0};
    /* both presets plain, then conditional (ACGAN, concat) with the other losses and a moving average */
    const char *presets[4] = {"mlp", "dcgan", "dcgan", "mlp"};
    for (int p = 0; p < 4; p++) {
        gp_gan_config cfg;
        gp_gan gan;
        CHECK(gp_gan_config_default(&cfg, presets[p], &err) == GP_OK);
        cfg.batch = 16;
        if (p >= 2) {
            cfg.cond = p == 2 ? GP_COND_ACGAN : GP_COND_CONCAT;
            cfg.loss = p == 2 ? GP_LOSS_HINGE : GP_LOSS_WGAN_GP;
            cfg.r1 = p == 2 ? 1.0f : 0.0f;
            cfg.augment = p == 2 ? GP_AUGMENT_TRANSLATE_CUTOUT : GP_AUGMENT_TRANSLATE;
            cfg.spectral_norm = 1;
            cfg.ema = 0.99f;
            CHECK(gp_gan_config_set_classes(&cfg, 10, &err) == GP_OK);
        }
        CHECK(gp_gan_create(&gan, &cfg, 1, &err) == GP_OK);
        gp_gan_set_threads(&gan, pool);
        /* the DCGAN with the per-layer profile on (the bench's breakdown) */
        static gp_layer_profile prof_g[GP_MAX_LAYERS], prof_d[GP_MAX_LAYERS];
        if (p == 1) {
            gp_net_set_profile(&gan.G, prof_g);
            gp_net_set_profile(&gan.D, prof_d);
        }
        CHECK(gp_gan_train_step(&gan, &ds, &err) == GP_OK); /* first step outside the window */
        long before = allocations;
        for (int i = 0; i < 3; i++) CHECK(gp_gan_train_step(&gan, &ds, &err) == GP_OK);
        CHECK(gp_gan_d_step(&gan, &ds, &err) == GP_OK);
        CHECK(gp_gan_g_step(&gan, &err) == GP_OK);
        counted[p < 2 ? p : p + 1] = allocations - before;
        if (p == 1) CHECK(prof_g[0].fwd_calls == 6 && prof_d[0].bwd_calls == 15 && prof_d[0].fwd_flops > 0.0);
        gp_gan_free(&gan);
    }
    /* the 2-D GAN's rounds (SGD, two G steps), and what a frame computes */
    long counted_2d;
    {
        gp_gan_config cfg;
        gp_gan gan;
        gp_2d_dist dist;
        CHECK(gp_gan_config_default(&cfg, "2d", &err) == GP_OK);
        cfg.optimizer = GP_OPT_SGD;
        cfg.g_steps = 2;
        CHECK(gp_2d_dist_init(&dist, "ring", NULL, 0, &err) == GP_OK);
        CHECK(gp_gan_create(&gan, &cfg, 1, &err) == GP_OK);
        gp_gan_set_threads(&gan, pool);
        CHECK(gp_2d_round(&gan, &dist, &err) == GP_OK);
        static float grid[32 * 32], z[2 * 64], mesh[2 * 64], arrows[2 * 16];
        long at = allocations;
        for (int i = 0; i < 5; i++) CHECK(gp_2d_round(&gan, &dist, &err) == GP_OK);
        gp_2d_d_grid(&gan, 32, grid);
        gp_2d_manifold(&gan, 8, z, mesh);
        gp_2d_g_arrows(&gan, mesh, 16, arrows);
        counted_2d = allocations - at;
        gp_gan_free(&gan);
    }
    /* the run's turns: steps, their chart points and snapshots of the sample
     * grid (the history and the grid's buffers come with the model) */
    long run_counted;
    {
        gp_gan_config cfg;
        gp_gan gan;
        gp_run run;
        CHECK(gp_gan_config_default(&cfg, "mlp", &err) == GP_OK);
        cfg.batch = 16;
        CHECK(gp_gan_create(&gan, &cfg, 1, &err) == GP_OK);
        gp_run_init(&run, gp_run_policy_find("cli"));
        run.policy.turn_steps = 4;
        run.policy.snap_every = 2;
        run.policy.measure_every = 0;
        gp_run_set_threads(&run, pool);
        gp_run_set_images(&run, &ds);
        CHECK(gp_run_adopt(&run, &gan, &err) == GP_OK);
        CHECK(gp_run_start(&run, &err) == GP_OK); /* it keeps a first good state: outside the window */
        gp_run_turn t;
        CHECK(gp_run_turn_once(&run, &t, &err) == GP_OK && t.steps == 4);
        uint32_t snaps = run.hist.n_snaps;
        long at = allocations;
        for (int i = 0; i < 3; i++) CHECK(gp_run_turn_once(&run, &t, &err) == GP_OK && t.steps == 4 && !t.kept);
        run_counted = allocations - at;
        CHECK(run.hist.n_snaps == snaps + 6 && run.hist.n_points == 16);
        gp_run_free(&run);
    }
    gp_classifier c;
    CHECK(gp_classifier_create(&c, (gp_shape){1, 28, 28}, 16, 1, &err) == GP_OK);
    c.net.threads = pool;
    float loss;
    long before = allocations;
    for (int i = 0; i < 3; i++) CHECK(gp_classifier_train_step(&c, &ds, 1e-3f, &loss, &err) == GP_OK);
    counted[2] = allocations - before;
    gp_classifier_free(&c);
    gp_dataset_free(&ds);
    gp_threads_free(pool);
    printf("allocations during training steps: mlp %ld, dcgan %ld, classifier %ld, conditional dcgan %ld, "
           "conditional mlp %ld, 2-D rounds and frame %ld, run turns %ld%s\n", counted[0], counted[1], counted[2], counted[3],
           counted[4], counted_2d, run_counted, COUNTING ? "" : " (not counted under the sanitizers)");
    CHECK(counted_2d == 0 && run_counted == 0);
    for (int i = 0; i < 5; i++) CHECK(counted[i] == 0);
    if (COUNTING) CHECK(allocations > 0); /* the wrappers do count */
    return check_report("noalloc");
}
