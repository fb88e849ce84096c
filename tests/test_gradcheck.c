/* test_gradcheck: every backward function against finite differences.
 *
 * The loss is a random projection L = sum(out * r), so dout = r. Each layer
 * has a small double-precision reference forward (in gradcheck.h); it is
 * first checked against the C (float) forward, then differentiated by
 * central differences in double (step 1e-5 * max(1, |v|), error ~1e-10),
 * and the C gradients are compared with
 *     |grad - fd| <= GRAD_TOL * (max_i |fd_i| + |fd|)      GRAD_TOL = 1e-4
 * (float rounding of the analytic gradient is ~1e-6 of the magnitudes).
 * Forwards match the double reference within FWD_TOL = 1e-5 of the
 * magnitude. Inputs of LeakyReLU/ReLU are kept at least 0.1 (layers) or
 * KINK_MARGIN = 0.05 (networks) away from the kink at 0, far beyond any step.
 * The whole network is also checked by central differences on the float C
 * forward itself (step 1e-3, tolerance 1e-2 of the gradient scale), which
 * involves no reference code at all. */
#include <float.h>
#include <stdio.h>

#include "gradcheck.h"
#include "gan/augment.h"
#include "gan/losses.h"
#include "nn/net.h"

#define KINK_MARGIN 0.05

/* uniform in +-[lo, hi]: never closer than lo to 0 */
static void fill_rand_away(float *p, size_t n, float lo, float hi) {
    for (size_t i = 0; i < n; i++) p[i] = (gp_rng_u64(&rng) & 1 ? 1.0f : -1.0f) * urand(lo, hi);
}

/* ---- Linear ------------------------------------------------------------- */

typedef struct {
    double *x, *w, *b, *r;
    int B, C, OC;
} linear_ctx;

static double linear_loss(void *p) {
    linear_ctx *c = p;
    double *out = NEW(double, c->B * c->OC);
    ref_linear(out, c->x, c->w, c->b, c->B, c->C, c->OC);
    double L = dot_dd(out, c->r, (size_t)c->B * c->OC);
    free(out);
    return L;
}

static void test_linear(int B, int C, int OC) {
    size_t nx = (size_t)B * C, nw = (size_t)OC * C, no = (size_t)B * OC;
    float *x = NEW(float, nx), *w = NEW(float, nw), *b = NEW(float, OC), *r = NEW(float, no);
    float *out = NEW(float, no), *dx = NEW(float, nx), *dw = NEW(float, nw), *db = NEW(float, OC);
    float *dw2 = NEW(float, nw), *db2 = NEW(float, OC), *acc_w = NEW(float, nw), *acc_b = NEW(float, OC);
    float *dx2 = NEW(float, nx);
    float *ws = NEW(float, gp_linear_workspace(B, C, OC));
    fill_rand(x, nx, -1.5f, 1.5f);
    fill_rand(w, nw, -0.7f, 0.7f);
    fill_rand(b, (size_t)OC, -1.0f, 1.0f);
    fill_rand(r, no, -1.0f, 1.0f);

    linear_ctx ctx = {to_double(x, nx), to_double(w, nw), to_double(b, (size_t)OC),
                      to_double(r, no), B, C, OC};
    double *ref = NEW(double, no);
    ref_linear(ref, ctx.x, ctx.w, ctx.b, B, C, OC);
    gp_linear_forward(out, x, w, NULL, b, B, C, OC, ws, NULL);
    check_fwd("linear out", out, ref, no);
    /* without bias */
    ref_linear(ref, ctx.x, ctx.w, NULL, B, C, OC);
    gp_linear_forward(out, x, w, NULL, NULL, B, C, OC, ws, NULL);
    check_fwd("linear out (no bias)", out, ref, no);

    for (size_t i = 0; i < nx; i++) dx[i] = NAN; /* overwritten */
    memset(dw, 0, nw * sizeof(float));
    memset(db, 0, (size_t)OC * sizeof(float));
    gp_linear_backward(dx, dw, db, r, x, w, B, C, OC, ws, NULL);

    double *g = NEW(double, nx > nw ? nx : nw);
    fd_grad(g, ctx.x, nx, linear_loss, &ctx);
    check_grad("linear dx", dx, g, nx);
    fd_grad(g, ctx.w, nw, linear_loss, &ctx);
    check_grad("linear dweight", dw, g, nw);
    fd_grad(g, ctx.b, (size_t)OC, linear_loss, &ctx);
    check_grad("linear dbias", db, g, (size_t)OC);

    /* parameter gradients accumulate into what is there */
    fill_rand(acc_w, nw, -2.0f, 2.0f);
    fill_rand(acc_b, (size_t)OC, -2.0f, 2.0f);
    memcpy(dw2, acc_w, nw * sizeof(float));
    memcpy(db2, acc_b, (size_t)OC * sizeof(float));
    gp_linear_backward(NULL, dw2, db2, r, x, w, B, C, OC, ws, NULL);
    for (size_t i = 0; i < nw; i++)
        CHECK_CLOSE(dw2[i], (double)acc_w[i] + dw[i], 1e-6 * (fabs(acc_w[i]) + fabs(dw[i]) + 1.0), 0);
    for (int o = 0; o < OC; o++)
        CHECK_CLOSE(db2[o], (double)acc_b[o] + db[o], 1e-6 * (fabs(acc_b[o]) + fabs(db[o]) + 1.0), 0);
    /* NULL parameter gradients: the input gradient alone, unchanged */
    for (size_t i = 0; i < nx; i++) dx2[i] = NAN;
    gp_linear_backward(dx2, NULL, NULL, r, x, w, B, C, OC, ws, NULL);
    CHECK(memcmp(dx, dx2, nx * sizeof(float)) == 0);

    free(ctx.x); free(ctx.w); free(ctx.b); free(ctx.r);
    free(x); free(w); free(b); free(r); free(out); free(dx); free(dw); free(db);
    free(dw2); free(db2); free(acc_w); free(acc_b); free(dx2); free(ws); free(ref); free(g);
}

/* ---- BatchNorm ---------------------------------------------------------- */

static void test_batchnorm(int B, int C, float momentum, float eps) {
    size_t n = (size_t)B * C;
    float *x = NEW(float, n), *r = NEW(float, n), *out = NEW(float, n), *dx = NEW(float, n);
    float *gamma = NEW(float, C), *beta = NEW(float, C), *dgamma = NEW(float, C), *dbeta = NEW(float, C);
    float *rm = NEW(float, C), *rv = NEW(float, C), *rm0 = NEW(float, C), *rv0 = NEW(float, C);
    float *smean = NEW(float, C), *sinv = NEW(float, C), *ws = NEW(float, 5 * C);
    /* columns with different offsets and spreads */
    for (int i = 0; i < B; i++)
        for (int c = 0; c < C; c++) x[i * C + c] = urand(-1.0f, 1.0f) * (0.5f + 0.3f * c) + (float)c - 2.0f;
    fill_rand(r, n, -1.0f, 1.0f);
    fill_rand(gamma, (size_t)C, 0.5f, 1.5f);
    fill_rand(beta, (size_t)C, -0.5f, 0.5f);
    fill_rand(rm0, (size_t)C, -1.0f, 1.0f);
    fill_rand(rv0, (size_t)C, 0.5f, 2.0f);
    memcpy(rm, rm0, (size_t)C * sizeof(float));
    memcpy(rv, rv0, (size_t)C * sizeof(float));

    bn_ctx ctx = {to_double(x, n), to_double(gamma, (size_t)C), to_double(beta, (size_t)C),
                  to_double(r, n), B, C, 1, eps};
    double *ref = NEW(double, n), *mean = NEW(double, C), *var = NEW(double, C);
    ref_bn2d(ref, ctx.x, ctx.gamma, ctx.beta, B, C, 1, eps, mean, var);
    gp_batchnorm_forward(out, x, gamma, beta, rm, rv, smean, sinv, B, C, momentum, eps, 1, ws);
    check_fwd("bn out", out, ref, n);
    for (int c = 0; c < C; c++) {
        CHECK_CLOSE(smean[c], mean[c], 1e-6, 1e-5);
        CHECK_CLOSE(sinv[c], 1.0 / sqrt(var[c] + eps), 0, 1e-5);
        /* PyTorch's rule: running_var tracks the unbiased variance */
        double want_rm = (1.0 - momentum) * rm0[c] + momentum * mean[c];
        double want_rv = (1.0 - momentum) * rv0[c] + momentum * var[c] * B / (B - 1);
        CHECK_CLOSE(rm[c], want_rm, 1e-6, 1e-5);
        CHECK_CLOSE(rv[c], want_rv, 1e-6, 1e-5);
    }

    for (size_t i = 0; i < n; i++) dx[i] = NAN;
    memset(dgamma, 0, (size_t)C * sizeof(float));
    memset(dbeta, 0, (size_t)C * sizeof(float));
    gp_batchnorm_backward(dx, dgamma, dbeta, r, x, gamma, smean, sinv, B, C, ws);
    double *g = NEW(double, n);
    fd_grad(g, ctx.x, n, bn_loss, &ctx);
    /* dx = gamma*invstd * (dout - mean(dout) - xhat * mean(dout*xhat)) can
     * cancel to far less than its terms (with B = 2, dx is O(eps)) */
    double terms = 0;
    for (int c = 0; c < C; c++)
        for (int i = 0; i < B; i++) {
            double t = fabs((double)gamma[c] * sinv[c] * r[i * C + c]);
            if (t > terms) terms = t;
        }
    check_grad_floor("bn dx", dx, g, n, GRAD_TOL, 0.01 * terms);
    fd_grad(g, ctx.gamma, (size_t)C, bn_loss, &ctx);
    check_grad("bn dgamma", dgamma, g, (size_t)C);
    fd_grad(g, ctx.beta, (size_t)C, bn_loss, &ctx);
    check_grad("bn dbeta", dbeta, g, (size_t)C);
    /* accumulation into dgamma/dbeta, and NULL input gradient */
    float *dg2 = NEW(float, C), *db2 = NEW(float, C);
    for (int c = 0; c < C; c++) dg2[c] = db2[c] = 1.0f;
    gp_batchnorm_backward(NULL, dg2, db2, r, x, gamma, smean, sinv, B, C, ws);
    for (int c = 0; c < C; c++) {
        CHECK_CLOSE(dg2[c], 1.0 + dgamma[c], 1e-6 * (1.0 + fabs(dgamma[c])), 0);
        CHECK_CLOSE(db2[c], 1.0 + dbeta[c], 1e-6 * (1.0 + fabs(dbeta[c])), 0);
    }

    /* eval mode: running statistics, not the batch's; nothing updated */
    float *rm1 = NEW(float, C), *rv1 = NEW(float, C);
    memcpy(rm1, rm, (size_t)C * sizeof(float));
    memcpy(rv1, rv, (size_t)C * sizeof(float));
    for (int c = 0; c < C; c++) smean[c] = sinv[c] = -7.0f;
    gp_batchnorm_forward(out, x, gamma, beta, rm, rv, smean, sinv, B, C, momentum, eps, 0, ws);
    for (int i = 0; i < B; i++)
        for (int c = 0; c < C; c++)
            ref[i * C + c] = (double)gamma[c] * ((double)x[i * C + c] - rm[c]) / sqrt((double)rv[c] + eps) + beta[c];
    check_fwd("bn eval out", out, ref, n);
    CHECK(memcmp(rm, rm1, (size_t)C * sizeof(float)) == 0);
    CHECK(memcmp(rv, rv1, (size_t)C * sizeof(float)) == 0);
    for (int c = 0; c < C; c++) CHECK(smean[c] == -7.0f && sinv[c] == -7.0f);
    /* eval with a batch of one works too */
    gp_batchnorm_forward(out, x, gamma, beta, rm, rv, smean, sinv, 1, C, momentum, eps, 0, ws);
    check_fwd("bn eval out (batch 1)", out, ref, (size_t)C);

    free(ctx.x); free(ctx.gamma); free(ctx.beta); free(ctx.r);
    free(x); free(r); free(out); free(dx); free(gamma); free(beta); free(dgamma); free(dbeta);
    free(rm); free(rv); free(rm0); free(rv0); free(smean); free(sinv); free(ws);
    free(ref); free(mean); free(var); free(g); free(dg2); free(db2); free(rm1); free(rv1);
}

/* ---- activations -------------------------------------------------------- */

typedef struct {
    double *x, *r;
    size_t n;
    enum act a;
    double slope;
} act_ctx;

static double act_loss(void *p) {
    act_ctx *c = p;
    double *out = NEW(double, c->n);
    ref_act(out, c->x, c->n, c->a, c->slope);
    double L = dot_dd(out, c->r, c->n);
    free(out);
    return L;
}

static void test_activation(enum act a, float slope, size_t n) {
    static const char *names[] = {"leaky_relu", "relu", "tanh", "sigmoid"};
    float *x = NEW(float, n), *r = NEW(float, n), *out = NEW(float, n), *dx = NEW(float, n);
    if (a == ACT_LEAKY || a == ACT_RELU)
        fill_rand_away(x, n, 0.1f, 3.0f);
    else
        fill_rand(x, n, -4.0f, 4.0f);
    fill_rand(r, n, -1.0f, 1.0f);
    act_ctx ctx = {to_double(x, n), to_double(r, n), n, a, slope};
    double *ref = NEW(double, n), *g = NEW(double, n);
    ref_act(ref, ctx.x, n, a, slope);
    switch (a) {
    case ACT_LEAKY: gp_leaky_relu_forward(out, x, n, slope); break;
    case ACT_RELU: gp_leaky_relu_forward(out, x, n, 0.0f); break;
    case ACT_TANH: gp_tanh_forward(out, x, n); break;
    case ACT_SIGMOID: gp_sigmoid_forward(out, x, n); break;
    }
    check_fwd(names[a], out, ref, n);
    for (size_t i = 0; i < n; i++) dx[i] = NAN;
    switch (a) {
    case ACT_LEAKY: gp_leaky_relu_backward_layer(dx, r, x, n, slope); break;
    case ACT_RELU: gp_leaky_relu_backward_layer(dx, r, x, n, 0.0f); break;
    case ACT_TANH: gp_tanh_backward_layer(dx, r, out, n); break;
    case ACT_SIGMOID: gp_sigmoid_backward_layer(dx, r, out, n); break;
    }
    fd_grad(g, ctx.x, n, act_loss, &ctx);
    check_grad(names[a], dx, g, n);
    free(ctx.x); free(ctx.r); free(x); free(r); free(out); free(dx); free(ref); free(g);
}

/* ---- BCE on logits ------------------------------------------------------ */

static double ref_bce_term(double x, double y) {
    return (x > 0 ? x : 0) - x * y + log1p(exp(-fabs(x)));
}

static double ref_sigmoid(double x) {
    return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
}

typedef struct {
    double *x;
    int n;
    double y;
} bce_ctx;

static double bce_loss(void *p) {
    bce_ctx *c = p;
    double s = 0;
    for (int i = 0; i < c->n; i++) s += ref_bce_term(c->x[i], c->y);
    return s / c->n;
}

static void test_bce_grad(float target, float scale) {
    enum { N = 13 };
    float x[N], d[N];
    fill_rand(x, N, -4.0f, 4.0f);
    bce_ctx ctx = {to_double(x, N), N, target};
    for (int i = 0; i < N; i++) d[i] = NAN;
    float loss = gp_bce_logits(d, x, N, target, scale);
    CHECK_CLOSE(loss, bce_loss(&ctx), 1e-7, 1e-6);
    /* the loss is the same without a gradient */
    CHECK(gp_bce_logits(NULL, x, N, target, scale) == loss);
    double g[N];
    fd_grad(g, ctx.x, N, bce_loss, &ctx);
    for (int i = 0; i < N; i++) g[i] *= scale; /* dlogits = scale * dL/dx */
    check_grad("bce dlogits", d, g, N);
    free(ctx.x);
}

/* Huge logits: finite loss and gradient, equal to the exact values. */
static void test_bce_extremes(void) {
    static const float xs[] = {100.0f, -100.0f, 1e4f, -1e4f, 88.0f, -88.0f, 89.0f, -89.0f,
                               104.0f, -104.0f, 1e30f, -1e30f, FLT_MAX, -FLT_MAX, 0.0f, 1e-8f};
    static const float ys[] = {0.0f, 1.0f, 0.9f, 0.5f};
    for (size_t j = 0; j < sizeof ys / sizeof ys[0]; j++) {
        for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
            float x = xs[i], y = ys[j], d = NAN;
            float loss = gp_bce_logits(&d, &x, 1, y, -1.0f);
            CHECK(isfinite(loss) && isfinite(d));
            double want = ref_bce_term(x, y);
            CHECK_CLOSE(loss, want, 1e-7, 1e-6);
            CHECK_CLOSE(d, -(ref_sigmoid(x) - y), 1e-7, 1e-6);
        }
        /* a batch mixing them: the mean of the terms */
        float xb[] = {100.0f, -100.0f, 1e4f, -1e4f, 0.5f, -2.0f};
        float db[6];
        double want = 0;
        for (int i = 0; i < 6; i++) want += ref_bce_term(xb[i], ys[j]);
        float loss = gp_bce_logits(db, xb, 6, ys[j], 1.0f);
        CHECK_CLOSE(loss, want / 6, 1e-7, 1e-6);
        for (int i = 0; i < 6; i++) {
            CHECK(isfinite(db[i]));
            CHECK_CLOSE(db[i], (ref_sigmoid(xb[i]) - ys[j]) / 6, 1e-8, 1e-6);
        }
    }
    /* spot values: softplus(-100) is 100 (+3.7e-44), softplus(-1e4) is 1e4 */
    float x = -100.0f, d;
    CHECK_CLOSE(gp_bce_logits(&d, &x, 1, 1.0f, 1.0f), 100.0, 0, 1e-7);
    CHECK_CLOSE(d, -1.0, 0, 1e-7);
    x = 1e4f;
    CHECK_CLOSE(gp_bce_logits(&d, &x, 1, 0.0f, 1.0f), 1e4, 0, 1e-7);
    CHECK_CLOSE(d, 1.0, 0, 1e-7);
    x = 1e4f;
    CHECK_CLOSE(gp_bce_logits(&d, &x, 1, 1.0f, 1.0f), 0.0, 1e-30, 0);
    CHECK_CLOSE(d, 0.0, 1e-30, 0);
    CHECK(gp_sigmoidf(-1e4f) == 0.0f && gp_sigmoidf(1e4f) == 1.0f);
    CHECK(gp_sigmoidf(0.0f) == 0.5f);
    CHECK_CLOSE(gp_sigmoidf(-20.0f), ref_sigmoid(-20.0), 0, 1e-6);
}

/* ---- whole networks ------------------------------------------------------ */

/* float loss through the C forward itself */
static double c_net_loss(gp_net *net, const float *input, const double *r, int B) {
    const float *out = gp_net_forward(net, input, B);
    return dot_fd(out, r, (size_t)B * gp_shape_size(gp_net_output_shape(net)));
}

static void test_net(const char *name, const gp_layer_desc *layers, int n_layers, int in_features,
                     int batch, int max_batch, uint64_t seed) {
    gp_net net;
    gp_err err = {{0}};
    gp_status st = gp_net_create(&net, (gp_shape){in_features, 1, 1}, layers, n_layers, max_batch, &err);
    CHECK(st == GP_OK);
    if (st != GP_OK) {
        fprintf(stderr, "%s: gp_net_create: %s\n", name, err.msg);
        return;
    }
    int out_features = gp_shape_size(gp_net_output_shape(&net));
    size_t ni = (size_t)batch * in_features, no = (size_t)batch * out_features;
    float *input = NEW(float, ni), *r = NEW(float, no);
    double *g = NEW(double, net.n_params > ni ? net.n_params : ni);
    net_ctx ctx = {&net, NULL, NULL, NULL, batch, 0, NULL};

    /* pick the first seed whose (Leaky)ReLU inputs stay KINK_MARGIN from the
     * kink, so that no finite-difference step below crosses it */
    for (uint64_t s = seed; s < seed + 200; s++) {
        gp_rng init;
        gp_rng_seed(&init, s);
        gp_net_init_params(&net, &init);
        for (int i = 0; i < n_layers; i++)
            if (layers[i].kind == GP_LAYER_BATCHNORM) { /* non-trivial gamma and beta */
                int c = gp_shape_size(net.shape[i]);
                float *p = net.params + net.param_off[i];
                for (int k = 0; k < c; k++) {
                    p[k] = 0.5f + gp_rng_uniform(&init);
                    p[c + k] = gp_rng_uniform(&init) - 0.5f;
                }
            }
        gp_rng_fill_uniform(&init, input, (int)ni, -2.0f, 2.0f);
        gp_rng_fill_uniform(&init, r, (int)no, -1.0f, 1.0f);
        free(ctx.params);
        free(ctx.input);
        free(ctx.r);
        ctx.params = to_double(net.params, net.n_params);
        ctx.input = to_double(input, ni);
        ctx.r = to_double(r, no);
        net_loss(&ctx);
        if (ctx.min_kink > KINK_MARGIN) break;
    }
    CHECK(ctx.min_kink > KINK_MARGIN);

    /* forward against the reference */
    double *ref_out = NEW(double, no);
    ctx.out = ref_out;
    net_loss(&ctx);
    ctx.out = NULL;
    net.training = 1;
    const float *out = gp_net_forward(&net, input, batch);
    check_fwd(name, out, ref_out, no);

    /* parameter and input gradients */
    gp_net_zero_grad(&net);
    const float *dinput = gp_net_backward(&net, r, batch, 1, 1);
    CHECK(dinput != NULL);
    float *dinput_copy = NEW(float, ni), *grads1 = NEW(float, net.n_params);
    memcpy(dinput_copy, dinput, ni * sizeof(float));
    memcpy(grads1, net.grads, net.n_params * sizeof(float));
    fd_grad(g, ctx.params, net.n_params, net_loss, &ctx);
    check_grad("net param grads", net.grads, g, net.n_params);
    /* per layer too, so a failure names the layer */
    for (int i = 0; i < n_layers; i++) {
        size_t cnt = gp_layer_param_count(&net, i);
        if (cnt) {
            char what[64];
            snprintf(what, sizeof what, "%s layer %d grads", name, i);
            check_grad(what, net.grads + net.param_off[i], g + net.param_off[i], cnt);
        }
    }
    fd_grad(g, ctx.input, ni, net_loss, &ctx);
    check_grad("net input grad", dinput_copy, g, ni);

    /* the same through finite differences of the float C forward */
    check_float_fd(name, &net, c_net_loss, input, ctx.r, batch, grads1, g);

    /* the float-fd loop ran forwards; run the original one again */
    gp_net_forward(&net, input, batch);
    /* a second backward accumulates: grads double */
    const float *dinput2 = gp_net_backward(&net, r, batch, 1, 1);
    CHECK(dinput2 != NULL && memcmp(dinput2, dinput_copy, ni * sizeof(float)) == 0);
    double gmax = 0;
    for (size_t k = 0; k < net.n_params; k++)
        if (fabs(grads1[k]) > gmax) gmax = fabs(grads1[k]);
    for (size_t k = 0; k < net.n_params; k++)
        CHECK_CLOSE(net.grads[k], 2.0 * grads1[k], 1e-5 * fabs(grads1[k]) + 1e-6 * gmax, 0);
    /* param_grads = 0 leaves gradients alone; want_dinput = 0 gives NULL */
    memcpy(grads1, net.grads, net.n_params * sizeof(float));
    dinput2 = gp_net_backward(&net, r, batch, 0, 1);
    CHECK(dinput2 != NULL && memcmp(dinput2, dinput_copy, ni * sizeof(float)) == 0);
    CHECK(memcmp(grads1, net.grads, net.n_params * sizeof(float)) == 0);
    gp_net_zero_grad(&net);
    CHECK(gp_net_backward(&net, r, batch, 1, 0) == NULL);
    for (size_t k = 0; k < net.n_params; k++)
        CHECK_CLOSE(net.grads[k], grads1[k] / 2.0, 1e-5 * fabs(grads1[k]) + 1e-6 * gmax, 0);

    free(ctx.params); free(ctx.input); free(ctx.r);
    free(input); free(r); free(g); free(ref_out); free(dinput_copy); free(grads1);
    gp_net_free(&net);
}

/* ---- the adversarial losses (losses.h) ------------------------------------ */

typedef struct {
    double *x;
    int n, loss, role; /* role 0: D on real, 1: D on fake, 2: G */
    double target;
} adv_ctx;

/* The losses written out in double from their papers' formulas. */
static double adv_ref(void *p) {
    adv_ctx *c = p;
    double s = 0.0;
    for (int i = 0; i < c->n; i++) {
        double x = c->x[i], sig = ref_sigmoid(x);
        switch (c->loss) {
        case GP_LOSS_NONSATURATING:
        case GP_LOSS_MINIMAX:
            if (c->role == 0) s += -(c->target * log(sig) + (1 - c->target) * log(1 - sig));
            else if (c->role == 1) s += -log(1 - sig);
            else s += c->loss == GP_LOSS_MINIMAX ? log(1 - sig) : -log(sig);
            break;
        case GP_LOSS_LSGAN:
            s += 0.5 * (c->role == 0 ? (x - c->target) * (x - c->target) : c->role == 1 ? x * x : (x - 1) * (x - 1));
            break;
        case GP_LOSS_HINGE:
            s += c->role == 0 ? fmax(0.0, 1 - x) : c->role == 1 ? fmax(0.0, 1 + x) : -x;
            break;
        case GP_LOSS_WGAN_GP: /* the critic's part; the penalty is tested in test_golden */
            s += c->role == 1 ? x : -x;
            break;
        }
    }
    return s / c->n;
}

static void test_adv_loss(int loss, int role, float target) {
    enum { N = 11 };
    float x[N], d[N];
    fill_rand(x, N, -3.0f, 3.0f);
    for (int i = 0; i < N; i++) /* away from the hinge's kinks at +-1 */
        if (fabsf(fabsf(x[i]) - 1.0f) < 0.05f) x[i] += 0.2f;
    adv_ctx ctx = {to_double(x, N), N, loss, role, target};
    float got = role == 0 ? gp_loss_d_real(loss, x, N, target, d)
              : role == 1 ? gp_loss_d_fake(loss, x, N, d)
                          : gp_loss_g(loss, x, N, d);
    CHECK_CLOSE(got, adv_ref(&ctx), 1e-6, 1e-5);
    double g[N];
    fd_grad(g, ctx.x, N, adv_ref, &ctx);
    char what[64];
    snprintf(what, sizeof what, "%s loss, role %d", GP_LOSSES[loss].name, role);
    check_grad(what, d, g, N);
    free(ctx.x);
}

/* DiffAugment is affine in the image (linear without the colour modes'
 * brightness): its backward must be the exact transpose of the linear part,
 * <A x - A 0, y> = <x, A^T y>, and a zero shift without cutout is the
 * identity. The colour ops keep the translation's pattern, change the
 * values where they apply, and leave a gray image's saturation alone. */
static void test_augment(int mode, int B, int c, int h, int w) {
    size_t n = (size_t)B * c * h * w;
    float *x = malloc(n * sizeof(float)), *y = malloc(n * sizeof(float));
    float *ax = malloc(n * sizeof(float)), *aty = malloc(n * sizeof(float)), *a0 = calloc(n, sizeof(float));
    float *zero = calloc(n, sizeof(float));
    gp_augment_draw draws[8];
    gp_rng r;
    gp_rng_seed(&r, (uint64_t)(mode * 100 + B));
    gp_augment_sample(draws, B, h, w, mode, &r);
    fill_rand(x, n, -1.0f, 1.0f);
    fill_rand(y, n, -1.0f, 1.0f);
    gp_augment_forward(ax, x, draws, B, c, h, w, 0.0f);
    gp_augment_forward(a0, zero, draws, B, c, h, w, 0.0f);
    gp_augment_backward(aty, y, draws, B, c, h, w);
    double lhs = 0, rhs = 0;
    for (size_t i = 0; i < n; i++) {
        lhs += ((double)ax[i] - a0[i]) * y[i];
        rhs += (double)x[i] * aty[i];
    }
    int colour = mode == GP_AUGMENT_COLOR_TRANSLATE || mode == GP_AUGMENT_COLOR_TRANSLATE_CUTOUT;
    CHECK_CLOSE(lhs, rhs, colour ? 1e-5 : 1e-9, colour ? 1e-5 : 1e-9);
    int tinted = 0;
    for (int b = 0; b < B; b++) tinted |= draws[b].bright != 0.0f || draws[b].sat != 1.0f || draws[b].contrast != 1.0f;
    CHECK(colour ? tinted : !tinted);
    if (colour) { /* one image by hand: pixel 0 of image 0 where no shift moved it */
        gp_augment_draw one = draws[0];
        one.dx = one.dy = 0;
        one.x0 = one.x1 = one.y0 = one.y1 = 0;
        gp_augment_forward(ax, x, &one, 1, c, h, w, 0.0f);
        size_t plane = (size_t)h * w;
        double M = 0.0, m = 0.0;
        for (size_t i = 0; i < (size_t)c * plane; i++) M += x[i];
        M /= (double)c * plane;
        for (int k = 0; k < c; k++) m += x[k * plane] / c;
        for (int k = 0; k < c; k++) {
            double sat = m + (c == 1 ? 1.0 : one.sat) * (x[k * plane] - m); /* gray: nothing to saturate */
            double want = one.contrast * (sat + one.bright - (M + one.bright)) + M + one.bright;
            CHECK_CLOSE(ax[k * plane], want, 1e-5, 1e-5);
        }
        CHECK(one.bright >= -0.5f && one.bright <= 0.5f && one.sat >= 0.0f && one.sat <= 2.0f && one.contrast >= 0.5f &&
              one.contrast <= 1.5f);
    }
    int moved = 0, cut = 0;
    for (int b = 0; b < B; b++) {
        moved |= draws[b].dx != 0 || draws[b].dy != 0;
        cut |= draws[b].y1 > draws[b].y0;
        CHECK(abs(draws[b].dx) <= (w + 4) / 8 && abs(draws[b].dy) <= (h + 4) / 8);
    }
    CHECK(mode == GP_AUGMENT_NONE ? !moved : moved);
    CHECK(mode == GP_AUGMENT_TRANSLATE_CUTOUT || mode == GP_AUGMENT_COLOR_TRANSLATE_CUTOUT ? cut : !cut);
    /* the background fill: pixels shifted in or cut out take it */
    gp_augment_forward(ax, x, draws, B, c, h, w, -1.0f);
    if (mode == GP_AUGMENT_NONE) CHECK(memcmp(ax, x, n * sizeof(float)) == 0);
    free(x); free(y); free(ax); free(aty); free(a0); free(zero);
}

/* Evaluation mode (running BatchNorm statistics, as a generator samples):
 * the input gradient through a net with both BatchNorm kinds equals a
 * difference quotient of its forward. This is what inverting a generator
 * (finding z for an image) needs. */
static float eval_loss(gp_net *net, const float *z, const float *r, int B) {
    const float *y = gp_net_forward(net, z, B);
    double s = 0.0;
    for (int i = 0; i < B * gp_shape_size(gp_net_output_shape(net)); i++) s += (double)y[i] * r[i];
    return (float)s;
}

static void test_eval_backward(void) {
    const gp_layer_desc layers[] = {
        gp_layer(GP_LAYER_LINEAR, 6, 0.0f), gp_layer(GP_LAYER_BATCHNORM, 0, 0.0f),
        gp_layer(GP_LAYER_LEAKY_RELU, 0, 0.2f), gp_layer(GP_LAYER_LINEAR, 8, 0.0f),
        gp_layer_reshape(2, 2, 2), gp_layer(GP_LAYER_BATCHNORM2D, 0, 0.0f), gp_layer(GP_LAYER_TANH, 0, 0.0f),
    };
    gp_net net;
    gp_err err;
    CHECK(gp_net_create(&net, (gp_shape){4, 1, 1}, layers, 7, 3, &err) == GP_OK);
    gp_rng r0;
    gp_rng_seed(&r0, 11);
    gp_net_init_params(&net, &r0);
    /* running statistics away from (0, 1), gamma and beta away from (1, 0) */
    for (size_t i = 0; i < net.n_buffers; i++) net.buffers[i] = 0.3f + 0.7f * gp_rng_uniform(&r0);
    for (size_t i = 0; i < net.n_params; i++) net.params[i] += 0.2f * (gp_rng_uniform(&r0) - 0.5f);
    net.training = 0;
    enum { B = 3 };
    float z[B * 4], r[B * 8], dz[B * 4];
    for (int i = 0; i < B * 4; i++) z[i] = gp_rng_normal(&r0);
    for (int i = 0; i < B * 8; i++) r[i] = gp_rng_normal(&r0);
    float *before = malloc(net.n_buffers * sizeof(float));
    memcpy(before, net.buffers, net.n_buffers * sizeof(float));
    eval_loss(&net, z, r, B);
    gp_net_zero_grad(&net);
    memcpy(dz, gp_net_backward(&net, r, B, 1, 1), sizeof dz);
    int bad = 0;
    for (int i = 0; i < B * 4; i++) {
        float keep = z[i], h = 1e-2f;
        z[i] = keep + h;
        double up = eval_loss(&net, z, r, B);
        z[i] = keep - h;
        double down = eval_loss(&net, z, r, B);
        z[i] = keep;
        double want = (up - down) / (2.0 * h);
        if (fabs(dz[i] - want) > 2e-3 + 1e-2 * fabs(want)) {
            fprintf(stderr, "eval dz[%d] = %g, difference quotient %g\n", i, dz[i], want);
            bad++;
        }
    }
    CHECK(bad == 0);
    /* the statistics stayed as they were, and gamma got a gradient */
    CHECK(memcmp(before, net.buffers, net.n_buffers * sizeof(float)) == 0);
    CHECK(net.grads[net.param_off[1]] != 0.0f);
    free(before);
    gp_net_free(&net);
}

int main(void) {
    gp_rng_seed(&rng, 7);

    test_linear(5, 7, 3);
    test_linear(4, 37, 9);
    test_linear(1, 3, 1);
    test_linear(9, 1, 13);

    test_batchnorm(6, 5, 0.1f, 1e-5f);
    test_batchnorm(2, 3, 0.1f, 1e-5f);
    test_batchnorm(16, 19, 0.3f, 1e-3f);

    for (size_t n = 1; n <= 19; n += 6) {
        test_activation(ACT_LEAKY, 0.2f, n);
        test_activation(ACT_LEAKY, 0.01f, n);
        test_activation(ACT_RELU, 0.0f, n);
        test_activation(ACT_TANH, 0.0f, n);
        test_activation(ACT_SIGMOID, 0.0f, n);
    }

    static const float targets[] = {0.0f, 1.0f, 0.9f};
    for (int t = 0; t < 3; t++) {
        test_bce_grad(targets[t], 1.0f);
        test_bce_grad(targets[t], -1.0f);
    }
    test_bce_extremes();

    const gp_layer_desc gen[] = {
        {.kind = GP_LAYER_LINEAR, .out_c = 9},
        {.kind = GP_LAYER_BATCHNORM, .alpha = 0.1f, .eps = 1e-5f},
        {.kind = GP_LAYER_LEAKY_RELU, .alpha = 0.2f},
        {.kind = GP_LAYER_LINEAR, .out_c = 4},
        {.kind = GP_LAYER_TANH},
    };
    test_net("net linear-bn-lrelu-linear-tanh", gen, 5, 6, 5, 8, 1);
    const gp_layer_desc disc[] = {
        {.kind = GP_LAYER_LINEAR, .out_c = 8},
        {.kind = GP_LAYER_RELU},
        {.kind = GP_LAYER_LINEAR, .out_c = 6},
        {.kind = GP_LAYER_SIGMOID},
        {.kind = GP_LAYER_LINEAR, .out_c = 2},
    };
    test_net("net linear-relu-linear-sigmoid-linear", disc, 5, 5, 7, 7, 100);
    /* activations first, so the input gradient flows through them */
    const gp_layer_desc act_first[] = {
        {.kind = GP_LAYER_LEAKY_RELU, .alpha = 0.1f},
        {.kind = GP_LAYER_BATCHNORM, .alpha = 0.5f, .eps = 1e-4f},
        {.kind = GP_LAYER_SIGMOID},
        {.kind = GP_LAYER_LINEAR, .out_c = 3},
    };
    test_net("net lrelu-bn-sigmoid-linear", act_first, 4, 11, 3, 4, 200);

    for (int loss = 0; loss < GP_LOSS_COUNT; loss++) {
        CHECK(gp_loss_by_name(GP_LOSSES[loss].name) == loss);
        for (int role = 0; role < 3; role++) {
            test_adv_loss(loss, role, 1.0f);
            if (role == 0) test_adv_loss(loss, role, 0.9f);
        }
    }
    CHECK(gp_loss_by_name("wasserstein") == -1);
    test_eval_backward();
    for (int mode = 0; mode < GP_AUGMENT_COUNT; mode++) {
        test_augment(mode, 8, 1, 28, 28);
        test_augment(mode, 3, 2, 9, 13);
        test_augment(mode, 4, 3, 32, 32);
    }

    return check_report("gradcheck");
}
