/* test_project: editing with the generator, and why D decides.
 *  - projecting an image that G itself drew recovers it closely, for the
 *    shipped unconditional and conditional generators (class given, and
 *    found by the search over classes);
 *  - a projection's latent stays typical (mean z^2 within [0.5, 2]), for
 *    G's own image and for a thick hand-drawn "2" that no latent draws
 *    exactly (the optimizer would otherwise push z far off the prior's
 *    shell, where G draws anything);
 *  - the mask excludes pixels exactly: changing the target where the mask is
 *    0 changes nothing of the result, bit for bit;
 *  - the trace follows the best start and ends on the result;
 *  - the model is left as it was (weights, gradients, mode);
 *  - bad options and inputs are refused with a message;
 *  - a projection taken in steps (begin, step by any sizes, finish) gives
 *    the one-shot result bit for bit (latent, image, trace, numbers); between
 *    two calls the model is as it was; finishing early, stepping after a
 *    change of the model's shape and stepping a failed projection are
 *    refused; ending twice is harmless;
 *  - D's saliency equals a central difference of D's score on sampled
 *    pixels, for an unconditional and a class-conditional (concat) D;
 *  - the memorization check: a training image's nearest training image is
 *    itself, at distance 0, in pixels and in the classifier's features; the
 *    order agrees with a brute-force sort; a held-out image is never its own
 *    neighbour. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gan/gan.h"
#include "store/modelfile.h"
#include "eval/nearest.h"
#include "gan/project.h"

static int quick(void) { return getenv("GP_TEST_QUICK") != NULL; }

static double mse(const float *a, const float *b, int n) {
    double s = 0.0;
    for (int i = 0; i < n; i++) s += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    return s / n;
}

static uint32_t hash_floats(const float *x, size_t n) {
    uint32_t h = 2166136261u;
    const unsigned char *p = (const unsigned char *)x;
    for (size_t i = 0; i < n * sizeof(float); i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

/* G draws an image from seed's latent (and class); projecting it back must
 * land within `bound` mean squared error (pixels in [-1, 1]). */
static void self_inversion(const char *path, int label, int search, double bound) {
    gp_err err;
    gp_gan gan;
    if (!CHECK_OK(gp_model_load_file(&gan, path, &err) == GP_OK, path)) return;
    int L = gan.cfg.latent, n = gp_shape_size(gan.image);
    float *z = malloc(sizeof(float) * L), *target = malloc(sizeof(float) * n), *got = malloc(sizeof(float) * n);
    float *zgot = malloc(sizeof(float) * L);
    gp_gan_latents(&gan, 77, 1, z);
    gp_gan_generate(&gan, z, label >= 0 ? &label : NULL, 1, target);
    uint32_t before = hash_floats(gan.G.params, gan.G.n_params), grads = hash_floats(gan.G.grads, gan.G.n_params);
    int training = gan.G.training;

    gp_project_opts o = gp_project_defaults();
    o.label = search ? -1 : label;
    if (quick()) o.steps = 120;
    gp_project_result r;
    CHECK(gp_project(&gan, target, NULL, &o, zgot, got, NULL, 0, &r, &err) == GP_OK);
    double e = mse(got, target, n);
    printf("%s%s: projection of G's own image: pixel MSE %.5f (loss %.5f, class %d, start %d, mean z^2 %.2f)\n", path,
           search ? " (class searched)" : "", e, (double)r.loss, r.label, r.start, (double)r.prior);
    CHECK(e < (quick() ? 2 * bound : bound));
    CHECK(r.prior >= 0.5f && r.prior <= 2.0f); /* z typical */
    CHECK(fabs(e - r.loss) < 1e-4); /* the reported loss is the pixel term of the result */
    if (label >= 0) CHECK(r.label == label);
    CHECK(hash_floats(gan.G.params, gan.G.n_params) == before && hash_floats(gan.G.grads, gan.G.n_params) == grads &&
          gan.G.training == training);
    /* the result is G of the latent it reports */
    float *again = malloc(sizeof(float) * n);
    gp_gan_generate(&gan, zgot, gan.cfg.classes ? &r.label : NULL, 1, again);
    CHECK(mse(again, got, n) == 0.0);
    free(again);
    free(z); free(target); free(got); free(zgot);
    gp_gan_free(&gan);
}

/* A "2" drawn with a thick pen as the page's pad draws it (white strokes on
 * black, 28x28): its projection's latent stays on the prior's typical shell,
 * and its image is closer to the drawing than a blank one is. */
static void drawn_two(void) {
    gp_err err;
    gp_gan gan;
    if (!CHECK_OK(gp_model_load_file(&gan, "models/mnist-dcgan.gpm", &err) == GP_OK, "models/mnist-dcgan.gpm")) return;
    int S = gan.image.w, n = gp_shape_size(gan.image), L = gan.cfg.latent;
    float *target = malloc(sizeof(float) * n), *got = malloc(sizeof(float) * n), *z = malloc(sizeof(float) * L);
    static const float pts[][2] = {{8, 9}, {11, 6}, {16, 5.5f}, {19.5f, 8}, {19, 12}, {14, 16}, {8, 21}, {20, 21}};
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++) {
            float best = 1e9f;
            for (int k = 0; k + 1 < (int)(sizeof pts / sizeof pts[0]); k++) {
                float ax = pts[k][0], ay = pts[k][1], bx = pts[k + 1][0], by = pts[k + 1][1];
                float dx = bx - ax, dy = by - ay, t = ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy);
                t = t < 0 ? 0 : t > 1 ? 1 : t;
                float ex = x - (ax + t * dx), ey = y - (ay + t * dy), d = sqrtf(ex * ex + ey * ey);
                if (d < best) best = d;
            }
            target[y * S + x] = best < 2.0f ? 1.0f : -1.0f; /* a 4-pixel pen */
        }
    gp_project_opts o = gp_project_defaults();
    if (quick()) o.steps = 120;
    gp_project_result r;
    CHECK(gp_project(&gan, target, NULL, &o, z, got, NULL, 0, &r, &err) == GP_OK);
    double blank = 0.0;
    for (int i = 0; i < n; i++) blank += (target[i] + 1.0) * (target[i] + 1.0) / n;
    printf("drawn 2: projection pixel MSE %.4f (a blank image: %.4f), mean z^2 %.2f, start %d\n", (double)r.loss, blank,
           (double)r.prior, r.start);
    CHECK(r.prior >= 0.5f && r.prior <= 2.0f);
    CHECK(r.loss < 0.5 * blank);
    free(target); free(got); free(z);
    gp_gan_free(&gan);
}

static void mask_and_trace(void) {
    gp_err err;
    gp_gan gan;
    if (!CHECK_OK(gp_model_load_file(&gan, "models/mnist-dcgan.gpm", &err) == GP_OK, "models/mnist-dcgan.gpm")) return;
    int n = gp_shape_size(gan.image);
    float *target = malloc(sizeof(float) * n), *other = malloc(sizeof(float) * n), *mask = malloc(sizeof(float) * n);
    float *a = malloc(sizeof(float) * n), *b = malloc(sizeof(float) * n);
    float za[128], zb[128];
    gp_gan_latents(&gan, 5, 1, za);
    gp_gan_generate(&gan, za, NULL, 1, target);
    memcpy(other, target, sizeof(float) * n);
    for (int i = 0; i < n; i++) {
        mask[i] = (i / 28) < 14 ? 1.0f : 0.0f; /* the top half counts, G fills the bottom */
        if (mask[i] == 0.0f) other[i] = (i % 7) / 3.0f - 1.0f; /* something else entirely where it does not */
    }
    gp_project_opts o = gp_project_defaults();
    o.steps = 60;
    o.restarts = 4;
    o.trace_every = 20;
    float trace[4 * 784];
    gp_project_result ra, rb;
    CHECK(gp_project(&gan, target, mask, &o, za, a, trace, 4, &ra, &err) == GP_OK);
    CHECK(gp_project(&gan, other, mask, &o, zb, b, NULL, 0, &rb, &err) == GP_ERR_ARG); /* a trace needs room */
    o.trace_every = 0;
    CHECK(gp_project(&gan, other, mask, &o, zb, b, NULL, 0, &rb, &err) == GP_OK);
    CHECK(memcmp(a, b, sizeof(float) * n) == 0 && memcmp(za, zb, sizeof(float) * gan.cfg.latent) == 0 && ra.loss == rb.loss);
    /* the trace: steps 20, 40, 60, then the result */
    CHECK(ra.traced == 4 && memcmp(trace + 3 * n, a, sizeof(float) * n) == 0);
    double first = 0.0, last = 0.0;
    for (int i = 0; i < n; i++)
        if (mask[i] > 0.0f) {
            first += (trace[i] - target[i]) * (trace[i] - target[i]);
            last += (trace[3 * n + i] - target[i]) * (trace[3 * n + i] - target[i]);
        }
    CHECK(last < first);
    /* a trace with less room than its steps (10, 20, ..., 60 and the result in 4): the result still comes last */
    o.trace_every = 10;
    CHECK(gp_project(&gan, target, mask, &o, zb, b, trace, 4, &rb, &err) == GP_OK);
    CHECK(rb.traced == 4 && memcmp(trace + 3 * n, b, sizeof(float) * n) == 0 && memcmp(a, b, sizeof(float) * n) == 0);
    free(target); free(other); free(mask); free(a); free(b);
    gp_gan_free(&gan);
}

/* begin + steps of the given sizes (cycled) + finish against gp_project */
static void chunked(const char *path, int label, const int *sizes, int n_sizes) {
    gp_err err;
    gp_gan gan;
    if (!CHECK_OK(gp_model_load_file(&gan, path, &err) == GP_OK, path)) return;
    int n = gp_shape_size(gan.image), L = gan.cfg.latent;
    float *target = malloc(sizeof(float) * n), *mask = malloc(sizeof(float) * n), *z = malloc(sizeof(float) * L);
    float *a = malloc(sizeof(float) * n), *b = malloc(sizeof(float) * n), *za = malloc(sizeof(float) * L);
    float *zb = malloc(sizeof(float) * L), *ta = malloc(sizeof(float) * n * 5), *tb = malloc(sizeof(float) * n * 5);
    gp_gan_latents(&gan, 11, 1, z);
    int cls = label >= 0 ? label : 2;
    gp_gan_generate(&gan, z, gan.cfg.classes ? &cls : NULL, 1, target);
    for (int i = 0; i < n; i++) mask[i] = (i % 28) < 20 ? 1.0f : 0.25f;
    gp_project_opts o = gp_project_defaults();
    o.steps = 37;
    o.restarts = 5;
    o.label = label;
    o.trace_every = 8;
    gp_project_result ra, rb;
    memset(ta, 0, sizeof(float) * n * 5);
    memset(tb, 0, sizeof(float) * n * 5);
    CHECK(gp_project(&gan, target, mask, &o, za, a, ta, 5, &ra, &err) == GP_OK);
    uint32_t params = hash_floats(gan.G.params, gan.G.n_params), grads = hash_floats(gan.G.grads, gan.G.n_params);
    float *own = gan.G.params;
    int training = gan.G.training;
    gp_projection p;
    CHECK(gp_project_begin(&p, &gan, target, mask, &o, tb, 5, &err) == GP_OK);
    CHECK(gp_project_finish(&p, zb, b, &rb, &err) == GP_ERR_ARG && strstr(err.msg, "0 of its 37 steps"));
    int calls = 0, ok = 1;
    while (p.steps_done < o.steps) {
        int before = p.steps_done, k = sizes[calls++ % n_sizes];
        ok &= gp_project_step(&p, k, &err) == GP_OK;
        ok &= p.steps_done == (before + k < o.steps ? before + k : o.steps);
        /* between two calls the model is the caller's again */
        ok &= gan.G.params == own && gan.G.training == training;
    }
    CHECK(ok);
    CHECK(gp_project_step(&p, 0, &err) == GP_ERR_ARG);
    CHECK(gp_project_step(&p, 5, &err) == GP_OK && p.steps_done == o.steps); /* nothing left: nothing done */
    CHECK(gp_project_finish(&p, zb, b, &rb, &err) == GP_OK);
    gp_project_end(&p);
    gp_project_end(&p);
    printf("%s: %d steps in %d calls (sizes %d...): the same latent, image, trace and numbers as one call\n", path, o.steps,
           calls, sizes[0]);
    CHECK(memcmp(za, zb, sizeof(float) * L) == 0 && memcmp(a, b, sizeof(float) * n) == 0);
    CHECK(ra.traced == 5 && rb.traced == 5 && memcmp(ta, tb, sizeof(float) * n * 5) == 0);
    CHECK(memcmp(&ra.loss, &rb.loss, sizeof ra.loss) == 0 && memcmp(&ra.prior, &rb.prior, sizeof ra.prior) == 0 &&
          ra.label == rb.label && ra.start == rb.start);
    CHECK(hash_floats(gan.G.params, gan.G.n_params) == params && hash_floats(gan.G.grads, gan.G.n_params) == grads);
    /* the model's shape changes under it: refused, and then for good */
    CHECK(gp_project_begin(&p, &gan, target, NULL, &o, tb, 5, &err) == GP_OK && gp_project_step(&p, 3, &err) == GP_OK);
    gan.cfg.latent++;
    CHECK(gp_project_step(&p, 1, &err) == GP_ERR_ARG && strstr(err.msg, "model changed") && p.steps_done == 3);
    gan.cfg.latent--;
    CHECK(gp_project_step(&p, 1, &err) == GP_ERR_ARG && gp_project_finish(&p, zb, b, &rb, &err) == GP_ERR_ARG);
    gp_project_end(&p);
    CHECK(gp_project_step(&p, 1, &err) == GP_ERR_ARG && strstr(err.msg, "none under way"));
    /* bad inputs are refused by begin as by gp_project, leaving nothing to end */
    o.steps = 0;
    CHECK(gp_project_begin(&p, &gan, target, NULL, &o, NULL, 0, &err) == GP_ERR_ARG && p.z == NULL);
    gp_project_end(&p);
    free(target); free(mask); free(z); free(a); free(b); free(za); free(zb); free(ta); free(tb);
    gp_gan_free(&gan);
}

static void refusals(void) {
    gp_err err;
    gp_gan gan;
    if (!CHECK_OK(gp_model_load_file(&gan, "models/mnist-cdcgan.gpm", &err) == GP_OK, "models/mnist-cdcgan.gpm")) return;
    int n = gp_shape_size(gan.image);
    float *target = calloc((size_t)n, sizeof(float)), *mask = calloc((size_t)n, sizeof(float));
    float img[784];
    struct { const char *what; gp_project_opts o; int bad_target, zero_mask; const char *says; } cases[] = {
        {"0 steps", gp_project_defaults(), 0, 0, "steps must be"},
        {"too many starts", gp_project_defaults(), 0, 0, "starting points must be"},
        {"lr 0", gp_project_defaults(), 0, 0, "learning rate"},
        {"negative prior", gp_project_defaults(), 0, 0, "prior weight"},
        {"class 10 of 10", gp_project_defaults(), 0, 0, "class 10 does not exist"},
        {"pixel 2", gp_project_defaults(), 1, 0, "outside [-1, 1]"},
        {"NaN pixel", gp_project_defaults(), 2, 0, "outside [-1, 1]"},
        {"empty mask", gp_project_defaults(), 0, 1, "no pixel to match"},
    };
    cases[0].o.steps = 0;
    cases[1].o.restarts = gan.G.max_batch + 1;
    cases[2].o.lr = 0.0f;
    cases[3].o.prior = -1.0f;
    cases[4].o.label = 10;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        target[3] = cases[k].bad_target == 1 ? 2.0f : cases[k].bad_target == 2 ? NAN : 0.0f;
        err.msg[0] = 0;
        int st = gp_project(&gan, target, cases[k].zero_mask ? mask : NULL, &cases[k].o, NULL, img, NULL, 0, NULL, &err);
        if (!CHECK_OK(st == GP_ERR_ARG && strstr(err.msg, cases[k].says), cases[k].what)) fprintf(stderr, "  said: %s\n", err.msg);
    }
    free(target); free(mask);
    gp_gan_free(&gan);
}

/* D's saliency against central differences of D's score, in evaluation mode */
static void saliency(const char *preset, int cond) {
    gp_err err;
    gp_gan_config cfg;
    gp_gan gan;
    CHECK(gp_gan_config_default(&cfg, preset, &err) == GP_OK);
    cfg.batch = 8;
    cfg.loss = GP_LOSS_HINGE; /* D's readout is then its raw score */
    cfg.seed = 3;
    if (cond) {
        cfg.cond = GP_COND_CONCAT;
        CHECK(gp_gan_config_set_classes(&cfg, 10, &err) == GP_OK);
    }
    if (!CHECK_OK(gp_gan_create(&gan, &cfg, 1, &err) == GP_OK, err.msg)) return;
    int n = gp_shape_size(gan.image), count = 3, labels[3] = {4, 7, 1};
    float *x = malloc(sizeof(float) * n * count), *s = malloc(sizeof(float) * n * count);
    gp_rng rng;
    gp_rng_seed(&rng, 9);
    gp_rng_fill_uniform(&rng, x, n * count, -1.0f, 1.0f);
    gp_gan_d_saliency(&gan, x, cond ? labels : NULL, count, s);
    double worst = 0.0;
    int checked = 0;
    for (int i = 0; i < count; i++) {
        /* errors relative to the image's largest gradient: a kink of
         * LeakyReLU inside the difference's interval, or float rounding of
         * the score, moves a small entry by a little of that */
        double scale = 0.0;
        for (int p = 0; p < n; p++) scale = fmax(scale, fabs(s[(size_t)i * n + p]));
        for (int p = 37 * i + 5; p < n; p += 97) {
            float keep = x[(size_t)i * n + p], up, down, h = 5e-3f;
            x[(size_t)i * n + p] = keep + h;
            gp_gan_d_readouts(&gan, x + (size_t)i * n, cond ? &labels[i] : NULL, 1, &up);
            x[(size_t)i * n + p] = keep - h;
            gp_gan_d_readouts(&gan, x + (size_t)i * n, cond ? &labels[i] : NULL, 1, &down);
            x[(size_t)i * n + p] = keep;
            double fd = ((double)up - down) / (2.0 * h), an = s[(size_t)i * n + p];
            double e = fabs(fd - an) / scale;
            if (e > worst) worst = e;
            checked++;
        }
    }
    printf("saliency (%s%s): %d pixels against central differences, worst error %.2e of the largest gradient\n", preset,
           cond ? ", concat classes" : "", checked, worst);
    CHECK(checked >= 20 && worst < 2e-2);
    double mag = 0.0;
    for (int i = 0; i < n * count; i++) mag += fabs(s[i]);
    CHECK(mag > 0.0); /* not all zero */
    free(x); free(s);
    gp_gan_free(&gan);
}

static int cmp_pair(const void *a, const void *b) {
    const double *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : (x[1] < y[1] ? -1 : x[1] > y[1]);
}

static void nearest(void) {
    gp_err err;
    gp_dataset ds;
    gp_classifier c;
    if (!CHECK_OK(gp_dataset_load(&ds, "build/data/mnist.bin", &err) == GP_OK, "build/data/mnist.bin")) return;
    if (!CHECK_OK(gp_classifier_load_file(&c, "models/mnist-classifier.gpc", &err) == GP_OK, err.msg)) {
        gp_dataset_free(&ds);
        return;
    }
    int n = ds.h * ds.w, idx[5], fidx[5];
    float img[784], dist[5], fdist[5];
    int train = ds.train_index[1234], held = ds.test_index[17];
    gp_dataset_image(&ds, train, img);
    CHECK(gp_nearest_pixels(&ds, img, 5, idx, dist) == 5 && idx[0] == train && dist[0] == 0.0f);
    for (int k = 1; k < 5; k++) CHECK(dist[k] >= dist[k - 1] && idx[k] != train);
    /* against a brute-force sort of every training image's distance */
    double *all = malloc(sizeof(double) * 2 * ds.n_train);
    for (int t = 0; t < ds.n_train; t++) {
        const uint8_t *px = ds.pixels + (size_t)ds.train_index[t] * n;
        double d = 0.0;
        for (int p = 0; p < n; p++) {
            float v = (float)px[p] / 127.5f - 1.0f - img[p];
            d += (double)v * v;
        }
        all[2 * t] = (float)d;
        all[2 * t + 1] = ds.train_index[t];
    }
    qsort(all, (size_t)ds.n_train, 2 * sizeof(double), cmp_pair);
    for (int k = 0; k < 5; k++) CHECK(idx[k] == (int)all[2 * k + 1] && dist[k] == (float)all[2 * k]);
    free(all);
    gp_feature_bank bank;
    CHECK(gp_feature_bank_build(&c, &ds, &bank, &err) == GP_OK && bank.n == ds.n_train && bank.dim == c.feature_dim);
    CHECK(gp_nearest_features(&c, &bank, img, 5, fidx, fdist) == 5 && fidx[0] == train && fdist[0] < 1e-6f);
    for (int k = 1; k < 5; k++) CHECK(fdist[k] >= fdist[k - 1]);
    /* a held-out image is searched for among the training images only */
    gp_dataset_image(&ds, held, img);
    CHECK(gp_nearest_pixels(&ds, img, 3, idx, dist) == 3 && idx[0] != held && dist[0] > 0.0f);
    CHECK(gp_nearest_features(&c, &bank, img, 3, fidx, fdist) == 3 && fidx[0] != held);
    printf("nearest: held-out image %d (a %d): nearest training image %d (a %d) at pixel distance %.1f; "
           "in features %d (a %d)\n", held, ds.labels[held], idx[0], ds.labels[idx[0]], (double)dist[0], fidx[0],
           ds.labels[fidx[0]]);
    CHECK(ds.labels[fidx[0]] == ds.labels[held]); /* the features know the digit */
    gp_feature_bank_free(&bank);
    gp_classifier_free(&c);
    gp_dataset_free(&ds);
}

int main(void) {
    self_inversion("models/mnist-dcgan.gpm", -1, 0, 0.01);
    self_inversion("models/mnist-cdcgan.gpm", 3, 0, 0.01);
    if (!quick()) self_inversion("models/mnist-cdcgan.gpm", 3, 1, 0.02);
    drawn_two();
    mask_and_trace();
    refusals();
    static const int ones[] = {1}, mixed[] = {7, 1, 13, 2};
    chunked("models/mnist-dcgan.gpm", -1, ones, 1);
    chunked("models/mnist-cdcgan.gpm", -1, mixed, 4);
    chunked("models/mnist-cdcgan.gpm", 4, mixed + 2, 2);
    saliency("mlp", 0);
    saliency("dcgan", 0);
    saliency("dcgan", 1);
    nearest();
    return check_report("project");
}
