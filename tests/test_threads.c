/* test_threads: the worker pool, and results that do not depend on it.
 *  - the pool runs every task exactly once, job after job, at any size;
 *  - GEMM (plain and with prepacked operands), the convolutions, BatchNorm2d
 *    and whole training runs give the same bits on 1, 2 and 3 threads as
 *    with no pool;
 *  - packed weights are made again whenever the weights change: after an
 *    optimizer step, a load, the moving average, a direct write announced
 *    with gp_net_params_changed, so sampling always equals a fresh model's.
 * make test also runs it under ThreadSanitizer (GP_TEST_RACES=1). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "data/dataset.h"
#include "gan/gan.h"
#include "nn/kernels.h"
#include "nn/layers.h"
#include "store/modelfile.h"
#include "base/threads.h"

static float *floats(size_t n) {
    float *p = malloc((n ? n : 1) * sizeof(float));
    if (!p) abort();
    return p;
}

static void fill(float *x, size_t n, unsigned seed) {
    unsigned s = seed * 2654435761u + 1u;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = (float)((s >> 8) & 0xffff) / 32768.0f - 1.0f;
    }
}

/* GP_TEST_QUICK (the sanitizer runs): smaller products and batches, the
 * MLP GAN only */
static int quick(void) { return getenv("GP_TEST_QUICK") != NULL; }

static int same(const float *a, const float *b, size_t n) { return memcmp(a, b, n * sizeof(float)) == 0; }

/* ---- the pool ----------------------------------------------------------- */

typedef struct {
    int *hits;
    gp_threads *pool;
    int nested_tasks;
} count_job;

static void count_task(void *ctx, int t) {
    count_job *j = ctx;
    __atomic_fetch_add(&j->hits[t], 1, __ATOMIC_RELAXED);
}

static void nested_task(void *ctx, int t) {
    count_job *j = ctx;
    (void)t;
    /* a task that runs the pool again gets its tasks run in place */
    count_job inner = {j->hits, NULL, 0};
    gp_threads_run(j->pool, j->nested_tasks, count_task, &inner);
}

static void test_pool(void) {
    gp_err err;
    gp_threads *p;
    CHECK(gp_threads_create(&p, 0, &err) == GP_ERR_ARG && p == NULL);
    CHECK(gp_threads_create(&p, GP_MAX_THREADS + 1, &err) == GP_ERR_ARG);
    CHECK(gp_threads_count(NULL) == 1);
    for (int n = 1; n <= 8; n *= 2) {
        CHECK(gp_threads_create(&p, n, &err) == GP_OK);
        CHECK(gp_threads_count(p) == n);
        int *hits = calloc(5000, sizeof(int));
        count_job j = {hits, p, 0};
        int bad = 0;
        for (int rep = 0; rep < (quick() ? 30 : 300); rep++) { /* many jobs: each must see every task once */
            int tasks = 1 + (rep * 37) % 5000;
            memset(hits, 0, 5000 * sizeof(int));
            gp_threads_run(p, tasks, count_task, &j);
            for (int t = 0; t < 5000; t++) bad += hits[t] != (t < tasks);
        }
        CHECK(bad == 0);
        memset(hits, 0, 5000 * sizeof(int));
        j.nested_tasks = 10;
        gp_threads_run(p, 7, nested_task, &j);
        for (int t = 0; t < 10; t++) CHECK(hits[t] == 7);
        gp_threads_run(p, 0, count_task, &j); /* nothing to do */
        free(hits);
        gp_threads_free(p);
    }
    gp_threads_free(NULL);
    /* the split covers [0, n) in aligned, ordered parts */
    for (int n = 0; n < 200; n += 7)
        for (int parts = 1; parts <= 5; parts++) {
            int at = 0, ok = 1;
            for (int k = 0; k < parts; k++) {
                int lo, hi;
                gp_threads_split(n, parts, k, 4, &lo, &hi);
                ok &= lo == at && hi >= lo && (hi == n || hi % 4 == 0);
                at = hi;
            }
            CHECK(ok && at == n);
        }
}

/* ---- kernels and layers ------------------------------------------------- */

static void test_gemm(gp_threads **pools, int n_pools) {
    static const int shapes[][3] = {{64, 100, 128}, {37, 530, 300}, {3, 5000, 70},    {700, 9, 90},
                                    {1, 1, 1},      {64, 1024, 512}, {256, 784, 64}, {128, 128, 600}};
    int bad = 0, bad_packed = 0;
    for (size_t s = 0; s < (quick() ? 5 : sizeof shapes / sizeof shapes[0]); s++) {
        int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
        for (int variant = 0; variant < 3; variant++) {
            /* plain with bias; A transposed accumulating; B transposed */
            int a_t = variant == 1, b_t = variant == 2, acc = variant == 1;
            float *A = floats((size_t)M * K), *B = floats((size_t)K * N), *bias = floats((size_t)N);
            float *C0 = floats((size_t)M * N), *C1 = floats((size_t)M * N);
            float *ws = floats(gp_gemm_workspace(M, N, K));
            fill(A, (size_t)M * K, 1 + s);
            fill(B, (size_t)K * N, 2 + s);
            fill(bias, (size_t)N, 3 + s);
            fill(C0, (size_t)M * N, 4 + s);
            int a_rs = a_t ? 1 : K, a_cs = a_t ? M : 1, b_rs = b_t ? 1 : N, b_cs = b_t ? K : 1;
            const float *bp = acc ? NULL : bias;
            float *Cref = floats((size_t)M * N);
            memcpy(Cref, C0, (size_t)M * N * sizeof(float));
            gp_gemm(M, N, K, A, a_rs, a_cs, B, b_rs, b_cs, bp, Cref, N, acc, ws, NULL);
            for (int p = 0; p < n_pools; p++) {
                memcpy(C1, C0, (size_t)M * N * sizeof(float));
                gp_gemm(M, N, K, A, a_rs, a_cs, B, b_rs, b_cs, bp, C1, N, acc, ws, pools[p]);
                bad += !same(C1, Cref, (size_t)M * N);
            }
            /* either operand packed once */
            float *Ap = floats(gp_gemm_pack_a_size(M, K)), *Bp = floats(gp_gemm_pack_b_size(N, K));
            gp_gemm_pack_a(Ap, M, K, A, a_rs, a_cs);
            gp_gemm_pack_b(Bp, N, K, B, b_rs, b_cs);
            for (int which = 0; which < 3; which++) {
                memcpy(C1, C0, (size_t)M * N * sizeof(float));
                gp_gemm_prepacked(M, N, K, which != 1 ? Ap : NULL, A, a_rs, a_cs, which != 0 ? Bp : NULL, B, b_rs, b_cs,
                                  bp, C1, N, acc, ws, pools[n_pools - 1]);
                bad_packed += !same(C1, Cref, (size_t)M * N);
            }
            free(A); free(B); free(bias); free(C0); free(C1); free(Cref); free(ws); free(Ap); free(Bp);
        }
    }
    CHECK(bad == 0);
    CHECK(bad_packed == 0);
}

static void test_conv_layers(gp_threads **pools, int n_pools) {
    /* DCGAN's layers at batch 16, plus odd sizes */
    typedef struct { int transposed, c, h, w, oc, k, s, p; } conv_case;
    static const conv_case cases[] = {{0, 1, 28, 28, 64, 4, 2, 1}, {0, 64, 14, 14, 128, 4, 2, 1},
                                      {1, 128, 7, 7, 64, 4, 2, 1}, {1, 64, 14, 14, 1, 4, 2, 1},
                                      {0, 3, 9, 11, 5, 3, 1, 1},   {1, 7, 5, 4, 3, 3, 2, 0}};
    const int B = quick() ? 4 : 16;
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const conv_case *cc = &cases[i];
        gp_conv_geom g = cc->transposed ? gp_convt2d_geom(cc->c, cc->h, cc->w, cc->oc, cc->k, cc->s, cc->p)
                                        : gp_conv2d_geom(cc->c, cc->h, cc->w, cc->oc, cc->k, cc->s, cc->p);
        size_t n_in = (size_t)B * g.c * g.h * g.w, n_out = (size_t)B * g.oc * g.oh * g.ow;
        size_t n_w = (size_t)g.oc * g.c * g.k * g.k;
        size_t n_ws = cc->transposed ? gp_convt2d_workspace(B, &g) : gp_conv2d_workspace(B, &g);
        float *x = floats(n_in), *w = floats(n_w), *bias = floats((size_t)g.oc), *dy = floats(n_out);
        float *ws = floats(n_ws), *packed = floats(cc->transposed ? gp_convt2d_packed_size(&g) : gp_conv2d_packed_size(&g));
        fill(x, n_in, 10 + i);
        fill(w, n_w, 20 + i);
        fill(bias, (size_t)g.oc, 30 + i);
        fill(dy, n_out, 40 + i);
        if (cc->transposed) gp_convt2d_pack(packed, w, &g);
        else gp_conv2d_pack(packed, w, &g);
        float *out[2], *dx[2], *dw[2], *db[2];
        for (int r = 0; r < 2; r++) {
            out[r] = floats(n_out); dx[r] = floats(n_in); dw[r] = floats(n_w); db[r] = floats((size_t)g.oc);
        }
        for (int p = -1; p < n_pools; p++) {
            /* r = 0: no pool, weights packed per call; r = 1: a pool, weights packed once */
            int r = p >= 0;
            gp_threads *th = p >= 0 ? pools[p] : NULL;
            memset(dw[r], 0, n_w * sizeof(float));
            memset(db[r], 0, (size_t)g.oc * sizeof(float));
            if (cc->transposed) {
                gp_convt2d_forward(out[r], x, w, r ? packed : NULL, bias, B, &g, ws, th);
                gp_convt2d_backward(dx[r], dw[r], db[r], dy, x, w, B, &g, ws, th);
            } else {
                gp_conv2d_forward(out[r], x, w, r ? packed : NULL, bias, B, &g, ws, th);
                gp_conv2d_backward(dx[r], dw[r], db[r], dy, x, w, B, &g, ws, th);
            }
            if (r)
                bad += !same(out[0], out[1], n_out) || !same(dx[0], dx[1], n_in) || !same(dw[0], dw[1], n_w) ||
                       !same(db[0], db[1], (size_t)g.oc);
        }
        for (int r = 0; r < 2; r++) { free(out[r]); free(dx[r]); free(dw[r]); free(db[r]); }
        free(x); free(w); free(bias); free(dy); free(ws); free(packed);
    }
    CHECK(bad == 0);

    /* BatchNorm2d, training and evaluation, forward and backward */
    const int C = 64, HW = 49;
    size_t n = (size_t)B * C * HW;
    float *x = floats(n), *dy = floats(n), *gamma = floats(C), *beta = floats(C);
    fill(x, n, 50);
    fill(dy, n, 51);
    fill(gamma, C, 52);
    fill(beta, C, 53);
    float *y[2], *dx[2], *stats[2];
    for (int r = 0; r < 2; r++) { y[r] = floats(n); dx[r] = floats(n); stats[r] = floats(6 * (size_t)C); }
    int bad_bn = 0;
    for (int p = -1; p < n_pools; p++) {
        int r = p >= 0;
        gp_threads *th = p >= 0 ? pools[p] : NULL;
        float *rm = stats[r], *rv = rm + C, *sm = rv + C, *si = sm + C, *dg = si + C, *dbt = dg + C;
        for (int c = 0; c < C; c++) { rm[c] = 0.0f; rv[c] = 1.0f; dg[c] = dbt[c] = 0.0f; }
        for (int training = 1; training >= 0; training--)
            gp_batchnorm2d_forward(y[r], x, gamma, beta, rm, rv, sm, si, B, C, HW, 0.1f, 1e-5f, training, th);
        gp_batchnorm2d_forward(y[r], x, gamma, beta, rm, rv, sm, si, B, C, HW, 0.1f, 1e-5f, 1, th);
        gp_batchnorm2d_backward(dx[r], dg, dbt, dy, x, gamma, sm, si, B, C, HW, th);
        if (r) bad_bn += !same(y[0], y[1], n) || !same(dx[0], dx[1], n) || !same(stats[0], stats[1], 6 * (size_t)C);
    }
    CHECK(bad_bn == 0);
    for (int r = 0; r < 2; r++) { free(y[r]); free(dx[r]); free(stats[r]); }
    free(x); free(dy); free(gamma); free(beta);
}

/* ---- whole runs ----------------------------------------------------------- */

static int make_gan(gp_gan *gan, const char *preset, int variant, gp_err *err) {
    gp_gan_config cfg;
    if (gp_gan_config_default(&cfg, preset, err) != GP_OK) return 0;
    cfg.batch = 32;
    cfg.seed = 11;
    if (variant) { /* conditional, spectral norm, a moving average */
        cfg.cond = GP_COND_ACGAN;
        cfg.spectral_norm = 1;
        cfg.ema = 0.99f;
        if (gp_gan_config_set_classes(&cfg, 10, err) != GP_OK) return 0;
    }
    return gp_gan_create(gan, &cfg, 1, err) == GP_OK;
}

static void test_training(const gp_dataset *ds, gp_threads **pools, int n_pools) {
    gp_err err;
    const char *presets[] = {"mlp", "dcgan"};
    for (int pr = 0; pr < (quick() ? 1 : 2); pr++)
        for (int variant = 0; variant < 2; variant++) {
            gp_gan ref;
            CHECK(make_gan(&ref, presets[pr], variant, &err));
            int steps = quick() ? 2 : 3;
            for (int s = 0; s < steps; s++) CHECK(gp_gan_train_step(&ref, ds, &err) == GP_OK);
            int L = ref.cfg.latent, n_img = gp_shape_size(ref.image);
            float *z = floats((size_t)40 * L), *img0 = floats((size_t)40 * n_img), *img1 = floats((size_t)40 * n_img);
            gp_gan_latents(&ref, 5, 40, z);
            gp_gan_generate(&ref, z, NULL, 40, img0);
            for (int p = 0; p < n_pools; p++) {
                gp_gan g;
                CHECK(make_gan(&g, presets[pr], variant, &err));
                gp_gan_set_threads(&g, pools[p]);
                for (int s = 0; s < steps; s++) CHECK(gp_gan_train_step(&g, ds, &err) == GP_OK);
                CHECK(same(g.G.params, ref.G.params, ref.G.n_params));
                CHECK(same(g.D.params, ref.D.params, ref.D.n_params));
                CHECK(same(g.G.adam_v, ref.G.adam_v, ref.G.n_params));
                CHECK(g.stats.d_loss == ref.stats.d_loss && g.stats.g_loss == ref.stats.g_loss);
                gp_gan_generate(&g, z, NULL, 40, img1);
                CHECK(same(img0, img1, (size_t)40 * n_img));
                gp_gan_free(&g);
            }
            free(z); free(img0); free(img1);
            gp_gan_free(&ref);
        }
}

/* Sampling after each kind of weight change equals a fresh model loaded from
 * the same state, whose weights were never packed before. */
static void sample_as_fresh(gp_gan *gan, const float *z, int count, const char *what) {
    gp_err err;
    uint8_t *bytes = NULL;
    size_t len = 0;
    int n_img = gp_shape_size(gan->image);
    float *a = floats((size_t)count * n_img), *b = floats((size_t)count * n_img);
    gp_gan_generate(gan, z, NULL, count, a);
    CHECK(gp_model_save(gan, GP_SAVE_TRAINING, &bytes, &len, &err) == GP_OK);
    gp_gan fresh;
    CHECK(gp_model_load(&fresh, bytes, len, &err) == GP_OK);
    gp_gan_generate(&fresh, z, NULL, count, b);
    if (!same(a, b, (size_t)count * n_img)) fprintf(stderr, "stale packed weights after: %s\n", what);
    CHECK(same(a, b, (size_t)count * n_img));
    gp_gan_free(&fresh);
    free(bytes); free(a); free(b);
}

static void test_pack_cache(const gp_dataset *ds, gp_threads *pool) {
    gp_err err;
    for (int pr = 0; pr < (quick() ? 1 : 2); pr++)
        for (int variant = 0; variant < 2; variant++) {
            gp_gan gan;
            CHECK(make_gan(&gan, pr ? "dcgan" : "mlp", variant, &err));
            gp_gan_set_threads(&gan, pool);
            int L = gan.cfg.latent, n_img = gp_shape_size(gan.image);
            float *z = floats((size_t)8 * L), *before = floats((size_t)8 * n_img), *after = floats((size_t)8 * n_img);
            gp_gan_latents(&gan, 3, 8, z);
            sample_as_fresh(&gan, z, 8, "creation");
            gp_gan_generate(&gan, z, NULL, 8, before);
            CHECK(gp_gan_train_step(&gan, ds, &err) == GP_OK);
            gp_gan_generate(&gan, z, NULL, 8, after);
            CHECK(!same(before, after, (size_t)8 * n_img)); /* the step changed what G draws */
            sample_as_fresh(&gan, z, 8, "a training step");
            CHECK(gp_gan_d_step(&gan, ds, &err) == GP_OK);
            sample_as_fresh(&gan, z, 8, "a D step");
            CHECK(gp_gan_g_step(&gan, &err) == GP_OK);
            sample_as_fresh(&gan, z, 8, "a G step");
            /* a direct write, announced */
            gp_gan_generate(&gan, z, NULL, 8, before);
            float *target = gan.ema ? gan.ema : gan.G.params;
            for (size_t i = 0; i < gan.G.n_params; i += 3) target[i] *= 0.5f;
            gp_net_params_changed(&gan.G);
            gp_gan_generate(&gan, z, NULL, 8, after);
            CHECK(!same(before, after, (size_t)8 * n_img));
            sample_as_fresh(&gan, z, 8, "a direct write");
            /* the average adopted as the weights */
            gp_gan_adopt_ema(&gan);
            sample_as_fresh(&gan, z, 8, "adopting the average");
            free(z); free(before); free(after);
            gp_gan_free(&gan);
        }
}

/* 500 labelled 28 x 28 images of blobs: enough to train on for a few steps */
static int synthetic_dataset(gp_dataset *ds, gp_err *err) {
    const uint32_t n = 500, h = 28, w = 28;
    size_t len = 24 + (size_t)n * h * w + n;
    uint8_t *bytes = calloc(len, 1);
    uint32_t head[5] = {GP_DATASET_VERSION, n, h, w, 1};
    memcpy(bytes, GP_DATASET_MAGIC, 4);
    for (int k = 0; k < 5; k++)
        for (int b = 0; b < 4; b++) bytes[4 + 4 * k + b] = (uint8_t)(head[k] >> (8 * b));
    for (uint32_t i = 0; i < n; i++) {
        int cy = 6 + (int)(i * 7 % 16), cx = 6 + (int)(i * 13 % 16), r = 3 + (int)(i % 5);
        for (uint32_t y = 0; y < h; y++)
            for (uint32_t x = 0; x < w; x++) {
                int dy = (int)y - cy, dx = (int)x - cx;
                bytes[24 + ((size_t)i * h + y) * w + x] = dy * dy + dx * dx <= r * r ? 255 : 0;
            }
        bytes[24 + (size_t)n * h * w + i] = (uint8_t)(i % 10);
    }
    int ok = gp_dataset_from_bytes(ds, bytes, len, err) == GP_OK;
    free(bytes);
    return ok;
}

int main(void) {
    gp_err err;
    gp_dataset ds;
    if (!synthetic_dataset(&ds, &err)) {
        fprintf(stderr, "test_threads: %s\n", err.msg);
        return 1;
    }
    test_pool();
    gp_threads *pools[3];
    for (int i = 0; i < 3; i++) CHECK(gp_threads_create(&pools[i], i + 1, &err) == GP_OK);
    /* every GEMM tile this CPU has (kernels.h), the best last */
    static const char *const tiles[] = {"strict", "avx2-fma", "best"};
    for (size_t t = 0; t < sizeof tiles / sizeof tiles[0]; t++)
        if (gp_kernels_select(tiles[t])) test_gemm(pools, 3);
    test_conv_layers(pools, 3);
    test_training(&ds, pools, 3);
    /* the ThreadSanitizer run (GP_TEST_RACES) looks at the threaded paths only */
    if (!getenv("GP_TEST_RACES")) test_pack_cache(&ds, pools[1]);
    for (int i = 0; i < 3; i++) gp_threads_free(pools[i]);
    gp_dataset_free(&ds);
    return check_report("threads");
}
