/* test_upscale: upscaling and colourising by projection.
 *  - the operators' adjoints: <A x, y> = <x, A^T y> for area downscaling
 *    (gray and colour, several factors) and luminance, on random x, y;
 *  - the pixel term through an operator against central differences of
 *    itself, pixel by pixel (with a mask), and without an operator it is
 *    the plain mean squared error;
 *  - bicubic upscaling: a constant stays constant, a linear ramp inside the
 *    image is reproduced, values stay in the range given;
 *  - refusals: a factor that does not divide the sides, luminance on a gray
 *    model, an unknown operator;
 *  - the figures: held-out MNIST digits area-downscaled to 7x7 are upscaled
 *    by projection onto the shipped conditional generator (class searched),
 *    and by bicubic interpolation; the classifier must label at least 85%
 *    of the projections as the original digit, and their mean squared pixel
 *    error against the originals must be lower than bicubic's. Both figures
 *    are printed, and the digits it misses. GP_UPSCALE_N=200 runs more.
 *  - colourising an image the shipped emoji generator drew, from its gray:
 *    the result's gray matches the gray given, and its colours are nearer
 *    the original's than the gray picture's are. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "base/rng.h"
#include "base/clock.h"
#include "base/threads.h"
#include "data/dataset.h"
#include "data/resize.h"
#include "eval/classifier.h"
#include "gan/gan.h"
#include "gan/project.h"
#include "store/modelfile.h"

static int quick(void) { return getenv("GP_TEST_QUICK") != NULL; }

static double dot(const float *a, const float *b, int n) {
    double s = 0.0;
    for (int i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

static double mse(const float *a, const float *b, int n) {
    double s = 0.0;
    for (int i = 0; i < n; i++) s += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    return s / n;
}

static void adjoint(int op, int factor, gp_shape im) {
    gp_err err;
    gp_shape ts;
    if (!CHECK_OK(gp_project_op_shape(op, factor, im, &ts, &err) == GP_OK, err.msg)) return;
    int n = gp_shape_size(im), m = gp_shape_size(ts);
    float *x = malloc(sizeof(float) * n), *ax = malloc(sizeof(float) * m), *y = malloc(sizeof(float) * m);
    float *aty = malloc(sizeof(float) * n);
    gp_rng rng;
    gp_rng_seed(&rng, 5 + (uint64_t)op * 10 + factor);
    double worst = 0.0;
    for (int trial = 0; trial < 4; trial++) {
        gp_rng_fill_uniform(&rng, x, n, -1.0f, 1.0f);
        gp_rng_fill_uniform(&rng, y, m, -1.0f, 1.0f);
        gp_project_op_apply(op, factor, im, x, ax);
        gp_project_op_adjoint(op, factor, im, y, aty);
        double l = dot(ax, y, m), r = dot(x, aty, n);
        double e = fabs(l - r) / (fabs(l) + fabs(r) + 1e-12);
        if (e > worst) worst = e;
    }
    printf("adjoint of operator %d (factor %d) on %dx%dx%d -> %dx%dx%d: worst relative gap %.2e\n", op, factor, im.c,
           im.h, im.w, ts.c, ts.h, ts.w, worst);
    CHECK(worst < 1e-5);
    free(x); free(ax); free(y); free(aty);
}

/* d loss / d y against central differences, for every image pixel */
static void gradient(int op, int factor, gp_shape im, int masked) {
    gp_err err;
    gp_shape ts;
    if (!CHECK_OK(gp_project_op_shape(op, factor, im, &ts, &err) == GP_OK, err.msg)) return;
    int n = gp_shape_size(im), m = gp_shape_size(ts);
    float *y = malloc(sizeof(float) * n), *dy = malloc(sizeof(float) * n), *t = malloc(sizeof(float) * m);
    float *mask = malloc(sizeof(float) * m);
    gp_rng rng;
    gp_rng_seed(&rng, 17 + (uint64_t)op);
    gp_rng_fill_uniform(&rng, y, n, -1.0f, 1.0f);
    gp_rng_fill_uniform(&rng, t, m, -1.0f, 1.0f);
    gp_rng_fill_uniform(&rng, mask, m, 0.0f, 1.0f);
    for (int i = 0; i < m; i += 3) mask[i] = 0.0f;
    float loss;
    CHECK(gp_project_image_loss(op, factor, im, y, t, masked ? mask : NULL, &loss, dy, &err) == GP_OK);
    double worst = 0.0, scale = 0.0;
    for (int i = 0; i < n; i++) scale = fmax(scale, fabs(dy[i]));
    for (int i = 0; i < n; i++) {
        float keep = y[i], h = 1e-2f, up, down;
        y[i] = keep + h;
        gp_project_image_loss(op, factor, im, y, t, masked ? mask : NULL, &up, NULL, &err);
        y[i] = keep - h;
        gp_project_image_loss(op, factor, im, y, t, masked ? mask : NULL, &down, NULL, &err);
        y[i] = keep;
        double fd = ((double)up - down) / (2.0 * h), e = fabs(fd - dy[i]) / scale;
        if (e > worst) worst = e;
    }
    printf("gradient of the pixel term through operator %d (factor %d%s): %d pixels, worst error %.2e of the largest\n",
           op, factor, masked ? ", masked" : "", n, worst);
    CHECK(scale > 0.0 && worst < 1e-2);
    /* and the loss is what it says: the masked mean of (A y - t)^2 */
    float *ay = malloc(sizeof(float) * m);
    gp_project_op_apply(op, factor, im, y, ay);
    double s = 0.0, c = 0.0;
    for (int i = 0; i < m; i++) {
        double w = masked ? mask[i] : 1.0;
        s += w * ((double)ay[i] - t[i]) * ((double)ay[i] - t[i]);
        c += w;
    }
    CHECK_CLOSE(loss, s / c, 1e-6, 1e-4);
    free(y); free(dy); free(t); free(mask); free(ay);
}

static void bicubic(void) {
    float small[2 * 7 * 7], big[2 * 28 * 28];
    for (int i = 0; i < 49; i++) small[i] = 0.25f; /* constant plane */
    for (int y = 0; y < 7; y++)
        for (int x = 0; x < 7; x++) small[49 + y * 7 + x] = 0.1f * x - 0.3f; /* a ramp along x */
    gp_image_upscale_bicubic(small, 2, 7, 7, 4, -1.0f, 1.0f, big);
    double worst_c = 0.0, worst_r = 0.0;
    for (int i = 0; i < 784; i++) worst_c = fmax(worst_c, fabs(big[i] - 0.25));
    /* inside (two small pixels from the edges, where all four taps are in the image) the ramp is exact */
    for (int y = 0; y < 28; y++)
        for (int x = 8; x < 20; x++) worst_r = fmax(worst_r, fabs(big[784 + y * 28 + x] - (0.1 * ((x + 0.5) / 4 - 0.5) - 0.3)));
    CHECK(worst_c < 1e-6 && worst_r < 1e-5);
    /* a sharp edge overshoots in Keys' kernel: clamped to the range given */
    for (int i = 0; i < 49; i++) small[i] = (i % 7) < 3 ? -1.0f : 1.0f;
    gp_image_upscale_bicubic(small, 1, 7, 7, 4, -1.0f, 1.0f, big);
    float lo = 1, hi = -1;
    for (int i = 0; i < 784; i++) lo = fminf(lo, big[i]), hi = fmaxf(hi, big[i]);
    CHECK(lo == -1.0f && hi == 1.0f);
    /* the area downscale of the bicubic upscale of a smooth image comes back close */
    float back[49];
    gp_image_upscale_bicubic(small + 49, 1, 7, 7, 4, -1.0f, 1.0f, big);
    gp_image_downscale_area(big, 1, 28, 28, 4, back);
    CHECK(mse(back, small + 49, 49) < 1e-4);
    printf("bicubic: constant exact to %.1e, ramp to %.1e inside\n", worst_c, worst_r);
}

static void refusals(void) {
    gp_err err;
    gp_gan gan;
    if (!CHECK_OK(gp_model_load_file(&gan, "models/mnist-cdcgan.gpm", &err) == GP_OK, "models/mnist-cdcgan.gpm")) return;
    float target[784] = {0}, img[784];
    struct { const char *what; int op, factor; const char *says; } cases[] = {
        {"factor 5 of 28", GP_PROJECT_OP_DOWNSCALE, 5, "does not divide"},
        {"factor 0", GP_PROJECT_OP_DOWNSCALE, 0, "does not divide"},
        {"factor 56", GP_PROJECT_OP_DOWNSCALE, 56, "does not divide"},
        {"luminance on gray", GP_PROJECT_OP_LUMINANCE, 1, "needs a colour model"},
        {"operator 9", 9, 1, "no operator"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        gp_project_opts o = gp_project_defaults();
        o.op = cases[k].op;
        o.factor = cases[k].factor;
        o.steps = 2;
        err.msg[0] = 0;
        int st = gp_project(&gan, target, NULL, &o, NULL, img, NULL, 0, NULL, &err);
        if (!CHECK_OK(st == GP_ERR_ARG && strstr(err.msg, cases[k].says), cases[k].what)) fprintf(stderr, "  said: %s\n", err.msg);
    }
    /* the target has the operator's size: a 7x7 target's pixels are read, no more; one out of range is refused */
    gp_project_opts o = gp_project_defaults();
    o.op = GP_PROJECT_OP_DOWNSCALE;
    o.factor = 4;
    o.steps = 2;
    float *small = malloc(sizeof(float) * 49); /* exactly 49: ASan sees a read past it */
    for (int i = 0; i < 49; i++) small[i] = 0.0f;
    gp_project_result r;
    CHECK(gp_project(&gan, small, NULL, &o, NULL, img, NULL, 0, &r, &err) == GP_OK);
    small[48] = 1.5f;
    CHECK(gp_project(&gan, small, NULL, &o, NULL, img, NULL, 0, &r, &err) == GP_ERR_ARG && strstr(err.msg, "pixel 48"));
    free(small);
    gp_gan_free(&gan);
}

/* Colourising an image the emoji generator drew itself, from its gray alone
 * (the class given): the result's gray matches the gray, and its colours
 * come back, nearer the original than the gray picture is. */
static void colourise(void) {
    gp_err err;
    gp_gan gan;
    if (!CHECK_OK(gp_model_load_file(&gan, "models/emoji-cdcgan.gpm", &err) == GP_OK, "models/emoji-cdcgan.gpm")) return;
    int n = gp_shape_size(gan.image), hw = gan.image.h * gan.image.w, label = 1, L = gan.cfg.latent;
    float *orig = malloc(sizeof(float) * n), *got = malloc(sizeof(float) * n), *gray = malloc(sizeof(float) * hw);
    float *as_colour = malloc(sizeof(float) * n), *z = malloc(sizeof(float) * L), *got_gray = malloc(sizeof(float) * hw);
    gp_gan_latents(&gan, 21, 1, z);
    gp_gan_generate(&gan, z, &label, 1, orig);
    gp_project_op_apply(GP_PROJECT_OP_LUMINANCE, 1, gan.image, orig, gray);
    for (int c = 0; c < 3; c++) memcpy(as_colour + (size_t)c * hw, gray, sizeof(float) * hw);
    gp_project_opts o = gp_project_op_defaults(GP_PROJECT_OP_LUMINANCE, 1);
    o.label = label;
    o.restarts = 4;
    if (quick()) o.steps = 10;
    gp_project_result r;
    CHECK(gp_project(&gan, gray, NULL, &o, NULL, got, NULL, 0, &r, &err) == GP_OK);
    gp_project_op_apply(GP_PROJECT_OP_LUMINANCE, 1, gan.image, got, got_gray);
    double e_gray = mse(got_gray, gray, hw), e_col = mse(got, orig, n), e_base = mse(as_colour, orig, n);
    printf("colourising the emoji generator's own image from its gray: gray error %.4f (loss %.4f); colour error %.4f, "
           "the gray picture's %.4f; mean z^2 %.2f\n", e_gray, (double)r.loss, e_col, e_base, (double)r.prior);
    CHECK(fabs(e_gray - r.loss) < 1e-4 && r.label == label && r.prior >= 0.5f && r.prior <= 2.0f);
    if (!quick()) CHECK(e_gray < 0.01 && e_col < e_base);
    free(orig); free(got); free(gray); free(as_colour); free(z); free(got_gray);
    gp_gan_free(&gan);
}

/* The figures (see the top). */
static void upscale_digits(void) {
    gp_err err;
    gp_dataset ds;
    gp_classifier clf;
    gp_gan gan;
    if (!CHECK_OK(gp_dataset_load(&ds, "build/data/mnist.bin", &err) == GP_OK, "build/data/mnist.bin")) return;
    if (!CHECK_OK(gp_classifier_load_file(&clf, "models/mnist-classifier.gpc", &err) == GP_OK, err.msg)) return;
    if (!CHECK_OK(gp_model_load_file(&gan, "models/mnist-cdcgan.gpm", &err) == GP_OK, "models/mnist-cdcgan.gpm")) return;
    /* two threads: the same bits as one, in about half the time on this test's digits */
    gp_threads *th = NULL;
    if (CHECK_OK(gp_threads_create(&th, 2, &err) == GP_OK, err.msg)) gp_gan_set_threads(&gan, th);
    const char *env = getenv("GP_UPSCALE_N");
    int N = env ? atoi(env) : 40, K = 4;
    if (quick()) N = 2;
    if (N < 1) N = 1;
    gp_project_opts o = gp_project_op_defaults(GP_PROJECT_OP_DOWNSCALE, K); /* as the page and the CLI search */
    if (quick()) o.steps = 10;
    int n = 784;
    float *orig = malloc(sizeof(float) * n * N), *proj = malloc(sizeof(float) * n * N), *bic = malloc(sizeof(float) * n * N);
    float small[49];
    uint8_t *pred = malloc((size_t)N), *pred_b = malloc((size_t)N);
    int *chosen = malloc(sizeof(int) * (size_t)N);
    double t0 = gp_now_ms(), e_proj = 0.0, e_bic = 0.0;
    int ok = 1;
    for (int k = 0; k < N; k++) {
        int idx = gp_dataset_held_out_mixed(&ds, k);
        gp_dataset_image(&ds, idx, orig + (size_t)k * n);
        gp_image_downscale_area(orig + (size_t)k * n, 1, 28, 28, K, small);
        gp_image_upscale_bicubic(small, 1, 7, 7, K, -1.0f, 1.0f, bic + (size_t)k * n);
        gp_project_result r;
        ok &= gp_project(&gan, small, NULL, &o, NULL, proj + (size_t)k * n, NULL, 0, &r, &err) == GP_OK;
        chosen[k] = r.label;
        e_proj += mse(proj + (size_t)k * n, orig + (size_t)k * n, n) / N;
        e_bic += mse(bic + (size_t)k * n, orig + (size_t)k * n, n) / N;
    }
    CHECK(ok);
    gp_classifier_run(&clf, proj, N, pred, NULL);
    gp_classifier_run(&clf, bic, N, pred_b, NULL);
    int right = 0, right_b = 0;
    for (int k = 0; k < N; k++) {
        int label = ds.labels[gp_dataset_held_out_mixed(&ds, k)];
        right += pred[k] == label;
        right_b += pred_b[k] == label;
        if (pred[k] != label)
            printf("  digit %d (held-out %d): a %d; the projection drew class %d, read as %d; bicubic read as %d\n", k,
                   gp_dataset_held_out_mixed(&ds, k), label, chosen[k], pred[k], pred_b[k]);
    }
    double share = (double)right / N, share_b = (double)right_b / N, secs = (gp_now_ms() - t0) / 1000.0;
    printf("upscaling %d held-out digits from 7x7 (%d steps, %d starts, prior %g): by projection %d/%d = %.3f labelled "
           "as the original digit, pixel MSE %.4f; bicubic %.3f labelled, pixel MSE %.4f; %.1f s\n",
           N, o.steps, o.restarts, (double)o.prior, right, N, share, e_proj, share_b, e_bic, secs);
    if (!quick()) {
        CHECK(share >= 0.85);
        CHECK(e_proj < e_bic);
    }
    CHECK(isfinite(e_proj) && isfinite(e_bic));
    free(orig); free(proj); free(bic); free(pred); free(pred_b); free(chosen);
    gp_gan_free(&gan);
    gp_threads_free(th);
    gp_classifier_free(&clf);
    gp_dataset_free(&ds);
}

int main(void) {
    gp_shape gray = {1, 28, 28}, colour = {3, 32, 32};
    adjoint(GP_PROJECT_OP_DOWNSCALE, 4, gray);
    adjoint(GP_PROJECT_OP_DOWNSCALE, 2, gray);
    adjoint(GP_PROJECT_OP_DOWNSCALE, 4, colour);
    adjoint(GP_PROJECT_OP_DOWNSCALE, 1, gray);
    adjoint(GP_PROJECT_OP_LUMINANCE, 1, colour);
    adjoint(GP_PROJECT_OP_NONE, 1, gray);
    gradient(GP_PROJECT_OP_DOWNSCALE, 4, gray, 0);
    gradient(GP_PROJECT_OP_DOWNSCALE, 2, gray, 1);
    gradient(GP_PROJECT_OP_LUMINANCE, 1, colour, 1);
    gradient(GP_PROJECT_OP_NONE, 1, gray, 1);
    bicubic();
    refusals();
    colourise();
    upscale_digits();
    return check_report("upscale");
}
