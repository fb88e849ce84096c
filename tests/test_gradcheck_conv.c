/* test_gradcheck_conv: the spatial layers' backward functions against
 * finite differences, as tests/test_gradcheck.c does for the others.
 *
 * The loss is a random projection L = sum(out * r), so dout = r. Each layer
 * has a double-precision reference forward (in gradcheck.h: Conv2d and
 * ConvTranspose2d by their definitions, BatchNorm2d over B*H*W per channel;
 * here: Dropout with a fixed mask); it is first checked against the C (float)
 * forward within FWD_TOL = 1e-5 of the magnitude, then differentiated by
 * central differences in double (step 1e-5 * max(1, |v|)), and the C
 * gradients must satisfy
 *     |grad - fd| <= GRAD_TOL * (max_i |fd_i| + |fd|)      GRAD_TOL = 1e-4
 * Whole networks (a small DCGAN-like generator and discriminator, and one
 * with Dropout) are checked the same way, and once more by central
 * differences of the float C forward itself (step 1e-3, tolerance 1e-2 of
 * the gradient scale). (Leaky)ReLU inputs stay KINK_MARGIN from 0, and
 * Dropout's mask is held fixed by reseeding the net's rng before every
 * forward. */
#include "gradcheck.h"

#define KINK_MARGIN 0.02

/* ---- Conv2d and ConvTranspose2d --------------------------------------------- */

typedef struct {
    double *x, *w, *b, *r;
    int B, transposed;
    gp_conv_geom g;
} conv_ctx;

static double conv_loss(void *p) {
    conv_ctx *c = p;
    size_t no = (size_t)c->B * c->g.oc * c->g.oh * c->g.ow;
    double *out = NEW(double, no);
    if (c->transposed)
        ref_convt(out, c->x, c->w, c->b, c->B, &c->g);
    else
        ref_conv(out, c->x, c->w, c->b, c->B, &c->g);
    double L = dot_dd(out, c->r, no);
    free(out);
    return L;
}

static void test_conv(int transposed, int B, int C, int H, int W, int OC, int k, int s, int p, int with_bias) {
    gp_conv_geom g = transposed ? gp_convt2d_geom(C, H, W, OC, k, s, p) : gp_conv2d_geom(C, H, W, OC, k, s, p);
    char name[96];
    snprintf(name, sizeof name, "%s C%d %dx%d OC%d k%d s%d p%d", transposed ? "convT" : "conv", C, H, W, OC, k,
             s, p);
    size_t nx = (size_t)B * C * H * W, no = (size_t)B * OC * g.oh * g.ow, nw = (size_t)OC * C * k * k;
    size_t nws = transposed ? gp_convt2d_workspace(B, &g) : gp_conv2d_workspace(B, &g);
    float *x = NEW(float, nx), *w = NEW(float, nw), *b = NEW(float, OC), *r = NEW(float, no);
    float *out = NEW(float, no), *dx = NEW(float, nx), *dw = NEW(float, nw), *db = NEW(float, OC);
    float *ws = NEW(float, nws);
    fill_rand(x, nx, -1.5f, 1.5f);
    fill_rand(w, nw, -0.7f, 0.7f);
    fill_rand(b, (size_t)OC, -1.0f, 1.0f);
    fill_rand(r, no, -1.0f, 1.0f);
    conv_ctx ctx = {to_double(x, nx), to_double(w, nw), with_bias ? to_double(b, (size_t)OC) : NULL,
                    to_double(r, no), B, transposed, g};
    double *ref = NEW(double, no);
    if (transposed) {
        ref_convt(ref, ctx.x, ctx.w, ctx.b, B, &g);
        gp_convt2d_forward(out, x, w, NULL, with_bias ? b : NULL, B, &g, ws, NULL);
    } else {
        ref_conv(ref, ctx.x, ctx.w, ctx.b, B, &g);
        gp_conv2d_forward(out, x, w, NULL, with_bias ? b : NULL, B, &g, ws, NULL);
    }
    char what[128];
    snprintf(what, sizeof what, "%s out", name);
    check_fwd(what, out, ref, no);

    memset(dw, 0, nw * sizeof(float));
    memset(db, 0, (size_t)OC * sizeof(float));
    if (transposed)
        gp_convt2d_backward(dx, dw, with_bias ? db : NULL, r, x, w, B, &g, ws, NULL);
    else
        gp_conv2d_backward(dx, dw, with_bias ? db : NULL, r, x, w, B, &g, ws, NULL);
    double *gr = NEW(double, nx > nw ? nx : nw);
    fd_grad(gr, ctx.x, nx, conv_loss, &ctx);
    snprintf(what, sizeof what, "%s dx", name);
    check_grad(what, dx, gr, nx);
    fd_grad(gr, ctx.w, nw, conv_loss, &ctx);
    snprintf(what, sizeof what, "%s dweight", name);
    check_grad(what, dw, gr, nw);
    if (with_bias) {
        fd_grad(gr, ctx.b, (size_t)OC, conv_loss, &ctx);
        snprintf(what, sizeof what, "%s dbias", name);
        check_grad(what, db, gr, (size_t)OC);
    }
    free(ctx.x); free(ctx.w); free(ctx.b); free(ctx.r);
    free(x); free(w); free(b); free(r); free(out); free(dx); free(dw); free(db); free(ws); free(ref); free(gr);
}

/* ---- BatchNorm2d ------------------------------------------------------------ */

static void test_bn2d(int B, int C, int HW, float momentum, float eps) {
    size_t n = (size_t)B * C * HW;
    float *x = NEW(float, n), *r = NEW(float, n), *out = NEW(float, n), *dx = NEW(float, n);
    float *gamma = NEW(float, C), *beta = NEW(float, C), *dgamma = NEW(float, C), *dbeta = NEW(float, C);
    float *rm = NEW(float, C), *rv = NEW(float, C), *rm0 = NEW(float, C), *rv0 = NEW(float, C);
    float *smean = NEW(float, C), *sinv = NEW(float, C);
    /* channels with different offsets and spreads */
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++)
            for (int q = 0; q < HW; q++)
                x[((size_t)b * C + c) * HW + q] = urand(-1.0f, 1.0f) * (0.5f + 0.3f * c) + (float)c - 2.0f;
    fill_rand(r, n, -1.0f, 1.0f);
    fill_rand(gamma, (size_t)C, 0.5f, 1.5f);
    fill_rand(beta, (size_t)C, -0.5f, 0.5f);
    fill_rand(rm0, (size_t)C, -1.0f, 1.0f);
    fill_rand(rv0, (size_t)C, 0.5f, 2.0f);
    memcpy(rm, rm0, (size_t)C * sizeof(float));
    memcpy(rv, rv0, (size_t)C * sizeof(float));

    bn_ctx ctx = {to_double(x, n), to_double(gamma, (size_t)C), to_double(beta, (size_t)C), to_double(r, n),
                  B, C, HW, eps};
    double *ref = NEW(double, n), *mean = NEW(double, C), *var = NEW(double, C);
    ref_bn2d(ref, ctx.x, ctx.gamma, ctx.beta, B, C, HW, eps, mean, var);
    gp_batchnorm2d_forward(out, x, gamma, beta, rm, rv, smean, sinv, B, C, HW, momentum, eps, 1, NULL);
    check_fwd("bn2d out", out, ref, n);
    double cnt = (double)B * HW;
    for (int c = 0; c < C; c++) {
        CHECK_CLOSE(smean[c], mean[c], 1e-6, 1e-5);
        CHECK_CLOSE(sinv[c], 1.0 / sqrt(var[c] + eps), 0, 1e-5);
        double want_rm = (1.0 - momentum) * rm0[c] + momentum * mean[c];
        double want_rv = (1.0 - momentum) * rv0[c] + momentum * var[c] * cnt / (cnt - 1);
        CHECK_CLOSE(rm[c], want_rm, 1e-6, 1e-5);
        CHECK_CLOSE(rv[c], want_rv, 1e-6, 1e-5);
    }

    for (size_t i = 0; i < n; i++) dx[i] = NAN;
    memset(dgamma, 0, (size_t)C * sizeof(float));
    memset(dbeta, 0, (size_t)C * sizeof(float));
    gp_batchnorm2d_backward(dx, dgamma, dbeta, r, x, gamma, smean, sinv, B, C, HW, NULL);
    double *g = NEW(double, n);
    fd_grad(g, ctx.x, n, bn_loss, &ctx);
    double terms = 0; /* dx may cancel to far below gamma*invstd*dout */
    for (int c = 0; c < C; c++)
        for (int b = 0; b < B; b++)
            for (int q = 0; q < HW; q++) {
                double t = fabs((double)gamma[c] * sinv[c] * r[((size_t)b * C + c) * HW + q]);
                if (t > terms) terms = t;
            }
    check_grad_floor("bn2d dx", dx, g, n, GRAD_TOL, 0.01 * terms);
    fd_grad(g, ctx.gamma, (size_t)C, bn_loss, &ctx);
    check_grad("bn2d dgamma", dgamma, g, (size_t)C);
    fd_grad(g, ctx.beta, (size_t)C, bn_loss, &ctx);
    check_grad("bn2d dbeta", dbeta, g, (size_t)C);
    /* accumulation, and no input gradient */
    float *dg2 = NEW(float, C), *db2 = NEW(float, C);
    for (int c = 0; c < C; c++) dg2[c] = db2[c] = 1.0f;
    gp_batchnorm2d_backward(NULL, dg2, db2, r, x, gamma, smean, sinv, B, C, HW, NULL);
    for (int c = 0; c < C; c++) {
        CHECK_CLOSE(dg2[c], 1.0 + dgamma[c], 1e-6 * (1.0 + fabs(dgamma[c])), 0);
        CHECK_CLOSE(db2[c], 1.0 + dbeta[c], 1e-6 * (1.0 + fabs(dbeta[c])), 0);
    }

    /* eval: running statistics, nothing updated */
    float *rm1 = NEW(float, C), *rv1 = NEW(float, C);
    memcpy(rm1, rm, (size_t)C * sizeof(float));
    memcpy(rv1, rv, (size_t)C * sizeof(float));
    for (int c = 0; c < C; c++) smean[c] = sinv[c] = -7.0f;
    gp_batchnorm2d_forward(out, x, gamma, beta, rm, rv, smean, sinv, B, C, HW, momentum, eps, 0, NULL);
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++)
            for (int q = 0; q < HW; q++) {
                size_t i = ((size_t)b * C + c) * HW + q;
                ref[i] = (double)gamma[c] * ((double)x[i] - rm[c]) / sqrt((double)rv[c] + eps) + beta[c];
            }
    check_fwd("bn2d eval out", out, ref, n);
    CHECK(memcmp(rm, rm1, (size_t)C * sizeof(float)) == 0);
    CHECK(memcmp(rv, rv1, (size_t)C * sizeof(float)) == 0);
    for (int c = 0; c < C; c++) CHECK(smean[c] == -7.0f && sinv[c] == -7.0f);

    free(ctx.x); free(ctx.gamma); free(ctx.beta); free(ctx.r);
    free(x); free(r); free(out); free(dx); free(gamma); free(beta); free(dgamma); free(dbeta);
    free(rm); free(rv); free(rm0); free(rv0); free(smean); free(sinv); free(ref); free(mean); free(var);
    free(g); free(dg2); free(db2); free(rm1); free(rv1);
}

/* ---- Dropout, with the mask of one training forward held fixed ------------- */

typedef struct {
    double *x, *r;
    const float *mask;
    size_t n;
} drop_ctx;

static double drop_loss(void *p) {
    drop_ctx *c = p;
    double L = 0;
    for (size_t i = 0; i < c->n; i++) L += c->x[i] * c->mask[i] * c->r[i];
    return L;
}

static void test_dropout(size_t n, float p) {
    float *x = NEW(float, n), *r = NEW(float, n), *out = NEW(float, n), *mask = NEW(float, n), *dx = NEW(float, n);
    fill_rand(x, n, -2.0f, 2.0f);
    fill_rand(r, n, -1.0f, 1.0f);
    gp_rng drng;
    gp_rng_seed(&drng, 3);
    gp_dropout_forward(out, mask, x, n, p, 1, &drng);
    drop_ctx ctx = {to_double(x, n), to_double(r, n), mask, n};
    double *ref = NEW(double, n), *g = NEW(double, n);
    for (size_t i = 0; i < n; i++) ref[i] = ctx.x[i] * mask[i];
    check_fwd("dropout out", out, ref, n);
    gp_dropout_backward(dx, r, mask, n);
    fd_grad(g, ctx.x, n, drop_loss, &ctx);
    check_grad("dropout dx", dx, g, n);
    free(ctx.x); free(ctx.r); free(x); free(r); free(out); free(mask); free(dx); free(ref); free(g);
}

/* ---- whole networks ----------------------------------------------------------- */

/* float loss through the C forward, with dropout's stream reset so that
 * every forward draws the same masks */
static double c_net_loss(gp_net *net, const float *input, const double *r, int B) {
    gp_rng_seed(&net->rng, 77);
    const float *out = gp_net_forward(net, input, B);
    return dot_fd(out, r, (size_t)B * gp_shape_size(gp_net_output_shape(net)));
}

static void test_net(const char *name, gp_shape in_shape, const gp_layer_desc *layers, int n_layers, int batch,
                     uint64_t seed) {
    gp_net net;
    gp_err err = {{0}};
    gp_status st = gp_net_create(&net, in_shape, layers, n_layers, batch, &err);
    CHECK(st == GP_OK);
    if (st != GP_OK) {
        fprintf(stderr, "%s: gp_net_create: %s\n", name, err.msg);
        return;
    }
    int in_n = gp_shape_size(in_shape), out_n = gp_shape_size(gp_net_output_shape(&net));
    size_t ni = (size_t)batch * in_n, no = (size_t)batch * out_n;
    float *input = NEW(float, ni), *r = NEW(float, no);
    double *g = NEW(double, net.n_params > ni ? net.n_params : ni);
    net_ctx ctx = {&net, NULL, NULL, NULL, batch, 0, NULL};

    /* the first seed whose (Leaky)ReLU inputs stay KINK_MARGIN from 0 */
    for (uint64_t s = seed; s < seed + 400; s++) {
        gp_rng init;
        gp_rng_seed(&init, s);
        gp_net_init_params(&net, &init);
        for (int i = 0; i < n_layers; i++)
            if (layers[i].kind == GP_LAYER_BATCHNORM2D) { /* non-trivial gamma and beta */
                int c = net.shape[i].c;
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
        gp_rng_seed(&net.rng, 77);
        gp_net_forward(&net, input, batch); /* the dropout masks */
        net_loss(&ctx);
        if (ctx.min_kink > KINK_MARGIN) break;
    }
    if (!(ctx.min_kink > KINK_MARGIN)) fprintf(stderr, "%s: no seed keeps ReLU inputs off the kink\n", name);
    CHECK(ctx.min_kink > KINK_MARGIN);

    double *ref_out = NEW(double, no);
    ctx.out = ref_out;
    net_loss(&ctx);
    ctx.out = NULL;
    gp_rng_seed(&net.rng, 77);
    const float *out = gp_net_forward(&net, input, batch);
    check_fwd(name, out, ref_out, no);

    gp_net_zero_grad(&net);
    const float *dinput = gp_net_backward(&net, r, batch, 1, 1);
    CHECK(dinput != NULL);
    float *dinput_copy = NEW(float, ni), *grads1 = NEW(float, net.n_params);
    memcpy(dinput_copy, dinput, ni * sizeof(float));
    memcpy(grads1, net.grads, net.n_params * sizeof(float));
    fd_grad(g, ctx.params, net.n_params, net_loss, &ctx);
    for (int i = 0; i < n_layers; i++) {
        size_t cnt = gp_layer_param_count(&net, i);
        if (cnt) {
            char what[96];
            snprintf(what, sizeof what, "%s layer %d grads", name, i);
            check_grad(what, net.grads + net.param_off[i], g + net.param_off[i], cnt);
        }
    }
    fd_grad(g, ctx.input, ni, net_loss, &ctx);
    char what[96];
    snprintf(what, sizeof what, "%s input grad", name);
    check_grad(what, dinput_copy, g, ni);

    /* central differences of the float C forward, no reference involved */
    check_float_fd(name, &net, c_net_loss, input, ctx.r, batch, grads1, g);

    /* backward again after the same forward: same input gradient, and the
     * parameter gradients accumulate */
    c_net_loss(&net, input, ctx.r, batch);
    const float *dinput2 = gp_net_backward(&net, r, batch, 1, 1);
    CHECK(dinput2 != NULL && memcmp(dinput2, dinput_copy, ni * sizeof(float)) == 0);
    double gmax = 0;
    for (size_t k = 0; k < net.n_params; k++)
        if (fabs(grads1[k]) > gmax) gmax = fabs(grads1[k]);
    for (size_t k = 0; k < net.n_params; k++)
        CHECK_CLOSE(net.grads[k], 2.0 * grads1[k], 1e-5 * fabs(grads1[k]) + 1e-6 * gmax, 0);

    free(ctx.params); free(ctx.input); free(ctx.r);
    free(input); free(r); free(g); free(ref_out); free(dinput_copy); free(grads1);
    gp_net_free(&net);
}

int main(void) {
    int quick = getenv("GP_TEST_QUICK") != NULL;
    gp_rng_seed(&rng, 8);

    test_conv(0, 2, 3, 7, 6, 4, 3, 2, 1, 1);
    test_conv(0, 2, 2, 8, 8, 3, 4, 2, 1, 1); /* DCGAN's */
    test_conv(0, 2, 2, 5, 6, 2, 5, 1, 2, 0);
    test_conv(1, 2, 3, 4, 3, 2, 4, 2, 1, 1); /* DCGAN's */
    test_conv(1, 2, 2, 3, 4, 3, 3, 1, 0, 1);
    test_conv(1, 2, 2, 3, 3, 2, 5, 2, 2, 0);
    if (!quick) {
        test_conv(0, 3, 2, 9, 7, 2, 3, 1, 0, 1);
        test_conv(1, 3, 2, 4, 5, 2, 3, 2, 1, 1);
    }

    test_bn2d(3, 4, 5, 0.1f, 1e-5f);
    test_bn2d(2, 3, 1, 0.1f, 1e-5f); /* B*HW = 2: the smallest */
    test_bn2d(4, 5, 49, 0.3f, 1e-3f);

    test_dropout(37, 0.5f);
    test_dropout(8, 0.0f);

    /* a generator: Linear -> Reshape -> BN2d -> ReLU -> ConvT -> Tanh */
    const gp_layer_desc gen[] = {
        {.kind = GP_LAYER_LINEAR, .out_c = 2 * 3 * 3}, desc_reshape(2, 3, 3),
        desc_simple(GP_LAYER_BATCHNORM2D, 0), desc_simple(GP_LAYER_RELU, 0),
        desc_conv(GP_LAYER_CONVT2D, 2, 4, 2, 1), {.kind = GP_LAYER_TANH},
    };
    test_net("net G", (gp_shape){4, 1, 1}, gen, 6, 4, 1);
    /* a discriminator: Conv -> LeakyReLU -> Conv -> BN2d -> Flatten -> Linear */
    gp_layer_desc disc[] = {
        desc_conv(GP_LAYER_CONV2D, 3, 4, 2, 1), desc_simple(GP_LAYER_LEAKY_RELU, 0.2f),
        desc_conv(GP_LAYER_CONV2D, 4, 3, 1, 1), desc_simple(GP_LAYER_BATCHNORM2D, 0), desc_reshape(36, 1, 1),
        {.kind = GP_LAYER_LINEAR, .out_c = 1},
    };
    disc[2].flags = GP_LAYER_NO_BIAS;
    test_net("net D", (gp_shape){1, 6, 6}, disc, 6, 4, 100);
    /* a reshape into a conv, and Dropout (its zeros would sit on a kink if
     * a LeakyReLU followed, so it comes after) */
    gp_layer_desc drop[] = {
        desc_reshape(2, 3, 4), desc_conv(GP_LAYER_CONV2D, 3, 3, 1, 1), desc_simple(GP_LAYER_LEAKY_RELU, 0.2f),
        {.kind = GP_LAYER_DROPOUT, .alpha = 0.4f}, desc_reshape(36, 1, 1),
        {.kind = GP_LAYER_LINEAR, .out_c = 2},
    };
    test_net("net dropout", (gp_shape){24, 1, 1}, drop, 6, 3, 200);

    return check_report("gradcheck_conv");
}
