/* test_golden: the C layers and optimizers against values PyTorch computed.
 *
 * tests/golden/{linear,batchnorm,activations,bce,optim,conv}.txt are written by
 * scripts/make_golden.py (PyTorch 1.13, float32) and hold the inputs as well
 * as the results, so no PyTorch random numbers need reproducing here. Format:
 * '#' comment lines, then records "<name> <count>" followed by <count>
 * values. The files are read by paths relative to the repository root, where
 * the tests run.
 *
 * Tolerances: |ours - torch| <= 1e-5 + 1e-4 * |torch| for layer forwards and
 * gradients and the BCE (both sides are float32 but round differently, e.g.
 * libm's tanhf against PyTorch's vectorized tanh); Adam and SGD parameters
 * and Adam's first moment 1e-6 + 1e-6 * |torch|; Adam's second moment
 * 1e-6 + 2e-5 * |torch| (see test_optim). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gan/gan.h"
#include "gan/losses.h"
#include "nn/layers.h"
#include "nn/net.h"

#define ATOL 1e-5
#define RTOL 1e-4
#define OPT_TOL 1e-6
#define ADAM_V_RTOL 2e-5

typedef struct {
    char name[64];
    int count;
    float *v; /* values as float32, as PyTorch had them */
} record;

typedef struct {
    const char *path;
    record *recs;
    int n;
} golden;

static void golden_free(golden *g) {
    for (int i = 0; i < g->n; i++) free(g->recs[i].v);
    free(g->recs);
    g->recs = NULL;
    g->n = 0;
}

/* Reads every record of path; 0 (and a failed check) if it is missing or
 * malformed. */
static int golden_load(golden *g, const char *path) {
    memset(g, 0, sizeof *g);
    g->path = path;
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s (run the tests from the repository root)\n", path);
        CHECK(f != NULL);
        return 0;
    }
    int cap = 0, ok = 1;
    char line[256];
    while (ok && fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        record rec;
        memset(&rec, 0, sizeof rec);
        if (sscanf(line, "%63s %d", rec.name, &rec.count) != 2 || rec.count < 0 || rec.count > 1000000) {
            fprintf(stderr, "%s: bad record header: %s", path, line);
            ok = 0;
            break;
        }
        rec.v = malloc((size_t)(rec.count ? rec.count : 1) * sizeof(float));
        if (!rec.v) {
            ok = 0;
            break;
        }
        for (int i = 0; i < rec.count; i++) {
            double d;
            if (!fgets(line, sizeof line, f) || sscanf(line, "%lf", &d) != 1) {
                fprintf(stderr, "%s: record %s: value %d missing\n", path, rec.name, i);
                ok = 0;
                break;
            }
            rec.v[i] = (float)d; /* %.9g of a float32 gives it back exactly */
        }
        if (!ok) {
            free(rec.v);
            break;
        }
        if (g->n == cap) {
            cap = cap ? 2 * cap : 32;
            record *nr = realloc(g->recs, (size_t)cap * sizeof(record));
            if (!nr) {
                free(rec.v);
                ok = 0;
                break;
            }
            g->recs = nr;
        }
        g->recs[g->n++] = rec;
    }
    fclose(f);
    CHECK(ok);
    if (!ok) golden_free(g);
    return ok;
}

/* The record name, which must have count values (count < 0: any). NULL and a
 * failed check if absent. */
static const float *get(const golden *g, const char *name, int count) {
    for (int i = 0; i < g->n; i++) {
        if (strcmp(g->recs[i].name, name) == 0) {
            if (count >= 0 && g->recs[i].count != count) {
                fprintf(stderr, "%s: %s has %d values, expected %d\n", g->path, name,
                        g->recs[i].count, count);
                CHECK(g->recs[i].count == count);
                return NULL;
            }
            return g->recs[i].v;
        }
    }
    fprintf(stderr, "%s: no record %s\n", g->path, name);
    CHECK(!"golden record missing");
    return NULL;
}

static const float *getp(const golden *g, const char *prefix, const char *name, int count) {
    char full[64];
    snprintf(full, sizeof full, "%s%s", prefix, name);
    return get(g, full, count);
}

/* ours against torch: |a - b| <= atol + rtol * |b| for every element */
static void compare(const char *what, const float *ours, const float *torch, int n, double atol,
                    double rtol) {
    if (!torch) return;
    int bad = 0;
    double worst = 0;
    for (int i = 0; i < n; i++) {
        double d = fabs((double)ours[i] - torch[i]);
        double lim = atol + rtol * fabs(torch[i]);
        if (!(d <= lim)) {
            if (bad < 3) fprintf(stderr, "%s[%d] = %.9g, torch %.9g\n", what, i, ours[i], torch[i]);
            bad++;
        }
        if (d / lim > worst) worst = d / lim;
    }
    if (bad) fprintf(stderr, "%s: %d of %d values off\n", what, bad, n);
    if (getenv("GP_TEST_VERBOSE")) printf("%-32s worst error %.3f of tolerance\n", what, worst);
    CHECK(bad == 0);
}

static float *zeros(int n) {
    float *p = calloc((size_t)(n ? n : 1), sizeof(float));
    if (!p) exit(2);
    return p;
}

/* ---- layers ------------------------------------------------------------- */

static void linear_case(const golden *g, const char *prefix) {
    const float *shape = getp(g, prefix, "shape", 3);
    if (!shape) return;
    int B = (int)shape[0], C = (int)shape[1], OC = (int)shape[2];
    const float *x = getp(g, prefix, "x", B * C), *w = getp(g, prefix, "weight", OC * C);
    const float *b = getp(g, prefix, "bias", OC), *dout = getp(g, prefix, "dout", B * OC);
    if (!x || !w || !b || !dout) return;
    float *ws = zeros((int)gp_linear_workspace(B, C, OC));
    float *out = zeros(B * OC), *dx = zeros(B * C), *dw = zeros(OC * C), *db = zeros(OC);
    char what[80];
    gp_linear_forward(out, x, w, NULL, b, B, C, OC, ws, NULL);
    snprintf(what, sizeof what, "linear %sout", prefix);
    compare(what, out, getp(g, prefix, "out", B * OC), B * OC, ATOL, RTOL);
    gp_linear_backward(dx, dw, db, dout, x, w, B, C, OC, ws, NULL);
    snprintf(what, sizeof what, "linear %sdx", prefix);
    compare(what, dx, getp(g, prefix, "dx", B * C), B * C, ATOL, RTOL);
    snprintf(what, sizeof what, "linear %sdweight", prefix);
    compare(what, dw, getp(g, prefix, "dweight", OC * C), OC * C, ATOL, RTOL);
    snprintf(what, sizeof what, "linear %sdbias", prefix);
    compare(what, db, getp(g, prefix, "dbias", OC), OC, ATOL, RTOL);
    free(ws); free(out); free(dx); free(dw); free(db);
}

static void test_linear(void) {
    golden g;
    if (!golden_load(&g, "tests/golden/linear.txt")) return;
    linear_case(&g, "small_");
    linear_case(&g, "medium_");
    golden_free(&g);
}

static void batchnorm_case(const golden *g, const char *prefix) {
    const float *shape = getp(g, prefix, "shape", 2);
    const float *mom = getp(g, prefix, "momentum", 1), *eps = getp(g, prefix, "eps", 1);
    if (!shape || !mom || !eps) return;
    int B = (int)shape[0], C = (int)shape[1], n = B * C;
    const float *gamma = getp(g, prefix, "gamma", C), *beta = getp(g, prefix, "beta", C);
    const float *x1 = getp(g, prefix, "x1", n), *x2 = getp(g, prefix, "x2", n);
    const float *x3 = getp(g, prefix, "x3", n), *dout = getp(g, prefix, "dout", n);
    if (!gamma || !beta || !x1 || !x2 || !x3 || !dout) return;
    float *rm = zeros(C), *rv = zeros(C), *smean = zeros(C), *sinv = zeros(C);
    float *out = zeros(n), *dx = zeros(n), *dgamma = zeros(C), *dbeta = zeros(C);
    float *ws = zeros(5 * C);
    for (int c = 0; c < C; c++) rv[c] = 1.0f; /* PyTorch's initial running stats */
    char what[80];
#define CMP(buf, name, cnt)                                                     \
    do {                                                                        \
        snprintf(what, sizeof what, "batchnorm %s%s", prefix, name);            \
        compare(what, buf, getp(g, prefix, name, cnt), cnt, ATOL, RTOL);        \
    } while (0)

    gp_batchnorm_forward(out, x1, gamma, beta, rm, rv, smean, sinv, B, C, mom[0], eps[0], 1, ws);
    CMP(out, "out1", n);
    CMP(rm, "running_mean1", C);
    CMP(rv, "running_var1", C);
    gp_batchnorm_backward(dx, dgamma, dbeta, dout, x1, gamma, smean, sinv, B, C, ws);
    CMP(dx, "dx", n);
    CMP(dgamma, "dgamma", C);
    CMP(dbeta, "dbeta", C);
    gp_batchnorm_forward(out, x2, gamma, beta, rm, rv, smean, sinv, B, C, mom[0], eps[0], 1, ws);
    CMP(out, "out2", n);
    CMP(rm, "running_mean2", C);
    CMP(rv, "running_var2", C);
    gp_batchnorm_forward(out, x3, gamma, beta, rm, rv, smean, sinv, B, C, mom[0], eps[0], 0, ws);
    CMP(out, "out_eval", n);
#undef CMP
    free(rm); free(rv); free(smean); free(sinv); free(out); free(dx); free(dgamma); free(dbeta);
    free(ws);
}

static void test_batchnorm(void) {
    golden g;
    if (!golden_load(&g, "tests/golden/batchnorm.txt")) return;
    batchnorm_case(&g, "b6c5_");
    batchnorm_case(&g, "b2c3_");
    batchnorm_case(&g, "b16c19_");
    golden_free(&g);
}

static void test_activations(void) {
    golden g;
    if (!golden_load(&g, "tests/golden/activations.txt")) return;
    const float *x = get(&g, "x", -1);
    if (!x) {
        golden_free(&g);
        return;
    }
    int n = 0;
    for (int i = 0; i < g.n; i++)
        if (strcmp(g.recs[i].name, "x") == 0) n = g.recs[i].count;
    const float *dout = get(&g, "dout", n);
    float *out = zeros(n), *dx = zeros(n);
    if (dout) {
        gp_leaky_relu_forward(out, x, (size_t)n, 0.2f);
        gp_leaky_relu_backward_layer(dx, dout, x, (size_t)n, 0.2f);
        compare("leaky_relu out", out, get(&g, "leaky_relu_out", n), n, ATOL, RTOL);
        compare("leaky_relu dx", dx, get(&g, "leaky_relu_dx", n), n, ATOL, RTOL);
        gp_leaky_relu_forward(out, x, (size_t)n, 0.0f);
        gp_leaky_relu_backward_layer(dx, dout, x, (size_t)n, 0.0f);
        compare("relu out", out, get(&g, "relu_out", n), n, ATOL, RTOL);
        compare("relu dx", dx, get(&g, "relu_dx", n), n, ATOL, RTOL);
        gp_tanh_forward(out, x, (size_t)n);
        gp_tanh_backward_layer(dx, dout, out, (size_t)n);
        compare("tanh out", out, get(&g, "tanh_out", n), n, ATOL, RTOL);
        compare("tanh dx", dx, get(&g, "tanh_dx", n), n, ATOL, RTOL);
        gp_sigmoid_forward(out, x, (size_t)n);
        gp_sigmoid_backward_layer(dx, dout, out, (size_t)n);
        compare("sigmoid out", out, get(&g, "sigmoid_out", n), n, ATOL, RTOL);
        compare("sigmoid dx", dx, get(&g, "sigmoid_dx", n), n, ATOL, RTOL);
    }
    free(out);
    free(dx);
    golden_free(&g);
}

static void test_bce(void) {
    golden g;
    if (!golden_load(&g, "tests/golden/bce.txt")) return;
    static const char *sets[] = {"large", "normal"};
    static const char *targets[] = {"t1", "t0", "t09"};
    for (int s = 0; s < 2; s++) {
        char name[64];
        snprintf(name, sizeof name, "%s_x", sets[s]);
        const float *x = get(&g, name, -1);
        if (!x) continue;
        int n = 0;
        for (int i = 0; i < g.n; i++)
            if (strcmp(g.recs[i].name, name) == 0) n = g.recs[i].count;
        float *d = zeros(n);
        for (int t = 0; t < 3; t++) {
            char prefix[32];
            snprintf(prefix, sizeof prefix, "%s_%s_", sets[s], targets[t]);
            const float *y = getp(&g, prefix, "target", 1), *loss = getp(&g, prefix, "loss", 1);
            if (!y || !loss) continue;
            float ours = gp_bce_logits(d, x, n, y[0], 1.0f);
            char what[80];
            snprintf(what, sizeof what, "bce %sloss", prefix);
            CHECK(isfinite(ours));
            compare(what, &ours, loss, 1, ATOL, RTOL);
            snprintf(what, sizeof what, "bce %sgrad", prefix);
            compare(what, d, getp(&g, prefix, "grad", n), n, ATOL, RTOL);
        }
        free(d);
    }
    golden_free(&g);
}

/* ---- convolutions and BatchNorm2d (conv.txt) ------------------------------ */

static void conv_case(const golden *g, const char *prefix, int transposed) {
    const float *shape = getp(g, prefix, "shape", 9);
    if (!shape) return;
    int B = (int)shape[0], C = (int)shape[1], H = (int)shape[2], W = (int)shape[3], OC = (int)shape[4];
    int k = (int)shape[5], s = (int)shape[6], p = (int)shape[7], with_bias = shape[8] != 0.0f;
    gp_conv_geom geom = transposed ? gp_convt2d_geom(C, H, W, OC, k, s, p) : gp_conv2d_geom(C, H, W, OC, k, s, p);
    int nx = B * C * H * W, no = B * OC * geom.oh * geom.ow, nw = OC * C * k * k;
    const float *x = getp(g, prefix, "x", nx), *w = getp(g, prefix, "weight", nw);
    const float *b = with_bias ? getp(g, prefix, "bias", OC) : NULL, *dout = getp(g, prefix, "dout", no);
    if (!x || !w || (with_bias && !b) || !dout) return;
    size_t nws = transposed ? gp_convt2d_workspace(B, &geom) : gp_conv2d_workspace(B, &geom);
    float *ws = zeros((int)nws), *out = zeros(no), *dx = zeros(nx), *dw = zeros(nw), *db = zeros(OC);
    char what[80];
    if (transposed)
        gp_convt2d_forward(out, x, w, NULL, b, B, &geom, ws, NULL);
    else
        gp_conv2d_forward(out, x, w, NULL, b, B, &geom, ws, NULL);
    snprintf(what, sizeof what, "%sout", prefix);
    compare(what, out, getp(g, prefix, "out", no), no, ATOL, RTOL);
    if (transposed)
        gp_convt2d_backward(dx, dw, with_bias ? db : NULL, dout, x, w, B, &geom, ws, NULL);
    else
        gp_conv2d_backward(dx, dw, with_bias ? db : NULL, dout, x, w, B, &geom, ws, NULL);
    snprintf(what, sizeof what, "%sdx", prefix);
    compare(what, dx, getp(g, prefix, "dx", nx), nx, ATOL, RTOL);
    snprintf(what, sizeof what, "%sdweight", prefix);
    compare(what, dw, getp(g, prefix, "dweight", nw), nw, ATOL, RTOL);
    if (with_bias) {
        snprintf(what, sizeof what, "%sdbias", prefix);
        compare(what, db, getp(g, prefix, "dbias", OC), OC, ATOL, RTOL);
    }
    free(ws); free(out); free(dx); free(dw); free(db);
}

static void batchnorm2d_case(const golden *g, const char *prefix) {
    const float *shape = getp(g, prefix, "shape", 4);
    const float *mom = getp(g, prefix, "momentum", 1), *eps = getp(g, prefix, "eps", 1);
    if (!shape || !mom || !eps) return;
    int B = (int)shape[0], C = (int)shape[1], HW = (int)shape[2] * (int)shape[3], n = B * C * HW;
    const float *gamma = getp(g, prefix, "gamma", C), *beta = getp(g, prefix, "beta", C);
    const float *x1 = getp(g, prefix, "x1", n), *x2 = getp(g, prefix, "x2", n);
    const float *x3 = getp(g, prefix, "x3", n), *dout = getp(g, prefix, "dout", n);
    if (!gamma || !beta || !x1 || !x2 || !x3 || !dout) return;
    float *rm = zeros(C), *rv = zeros(C), *smean = zeros(C), *sinv = zeros(C);
    float *out = zeros(n), *dx = zeros(n), *dgamma = zeros(C), *dbeta = zeros(C);
    for (int c = 0; c < C; c++) rv[c] = 1.0f; /* PyTorch's initial running stats */
    char what[80];
#define CMP(buf, name, cnt)                                                     \
    do {                                                                        \
        snprintf(what, sizeof what, "%s%s", prefix, name);                      \
        compare(what, buf, getp(g, prefix, name, cnt), cnt, ATOL, RTOL);        \
    } while (0)

    gp_batchnorm2d_forward(out, x1, gamma, beta, rm, rv, smean, sinv, B, C, HW, mom[0], eps[0], 1, NULL);
    CMP(out, "out1", n);
    CMP(rm, "running_mean1", C);
    CMP(rv, "running_var1", C);
    gp_batchnorm2d_backward(dx, dgamma, dbeta, dout, x1, gamma, smean, sinv, B, C, HW, NULL);
    CMP(dx, "dx", n);
    CMP(dgamma, "dgamma", C);
    CMP(dbeta, "dbeta", C);
    gp_batchnorm2d_forward(out, x2, gamma, beta, rm, rv, smean, sinv, B, C, HW, mom[0], eps[0], 1, NULL);
    CMP(out, "out2", n);
    CMP(rm, "running_mean2", C);
    CMP(rv, "running_var2", C);
    gp_batchnorm2d_forward(out, x3, gamma, beta, rm, rv, smean, sinv, B, C, HW, mom[0], eps[0], 0, NULL);
    CMP(out, "out_eval", n);
#undef CMP
    free(rm); free(rv); free(smean); free(sinv); free(out); free(dx); free(dgamma); free(dbeta);
}

static void test_conv(void) {
    golden g;
    if (!golden_load(&g, "tests/golden/conv.txt")) return;
    conv_case(&g, "conv_k4s2p1_", 0);
    conv_case(&g, "conv_k3s1p2_", 0);
    conv_case(&g, "convt_k4s2p1_", 1);
    conv_case(&g, "convt_k3s2p0_", 1);
    batchnorm2d_case(&g, "bn2d_b4c3_");
    batchnorm2d_case(&g, "bn2d_b2c5_");
    golden_free(&g);
}

/* ---- optimizers, through a gp_net with 11 parameters -------------------- */

static int make_net11(gp_net *net) {
    /* Linear 10 -> 1: 10 weights + 1 bias */
    const gp_layer_desc layers[] = {{.kind = GP_LAYER_LINEAR, .out_c = 1}};
    gp_err err = {{0}};
    gp_status st = gp_net_create(net, (gp_shape){10, 1, 1}, layers, 1, 2, &err);
    CHECK(st == GP_OK);
    if (st != GP_OK) {
        fprintf(stderr, "gp_net_create: %s\n", err.msg);
        return 0;
    }
    CHECK(net->n_params == 11);
    return net->n_params == 11;
}

static void test_optim(void) {
    golden g;
    if (!golden_load(&g, "tests/golden/optim.txt")) return;
    const int n = 11;
    const float *p0 = get(&g, "p0", n);
    const float *grads[3] = {get(&g, "grad1", n), get(&g, "grad2", n), get(&g, "grad3", n)};
    if (!p0 || !grads[0] || !grads[1] || !grads[2]) {
        golden_free(&g);
        return;
    }
    static const char *configs[] = {"adamA_", "adamB_"};
    for (int c = 0; c < 2; c++) {
        const float *hp = getp(&g, configs[c], "hparams", 4);
        gp_net net;
        if (!hp || !make_net11(&net)) continue;
        memcpy(net.params, p0, (size_t)n * sizeof(float));
        gp_adam opt = {.lr = hp[0], .beta1 = hp[1], .beta2 = hp[2], .eps = hp[3], .t = 0};
        for (int t = 0; t < 3; t++) {
            memcpy(net.grads, grads[t], (size_t)n * sizeof(float));
            gp_net_adam_step(&net, &opt);
            char name[16], what[64];
            snprintf(name, sizeof name, "p%d", t + 1);
            snprintf(what, sizeof what, "%sp%d", configs[c], t + 1);
            compare(what, net.params, getp(&g, configs[c], name, n), n, OPT_TOL, OPT_TOL);
        }
        CHECK(opt.t == 3);
        CHECK(net.params[0] == p0[0]); /* zero gradient throughout: never moved */
        compare("adam exp_avg", net.adam_m, getp(&g, configs[c], "exp_avg", n), n, OPT_TOL, OPT_TOL);
        /* The second moment differs from PyTorch's by up to 1.3e-5 relative:
         * the kernel forms 1 - beta2 in float (1 - 0.999f = 0.00099998713),
         * PyTorch in double and then rounds (0.001f). The bias correction
         * uses the same float beta2, so parameters agree to OPT_TOL. */
        compare("adam exp_avg_sq", net.adam_v, getp(&g, configs[c], "exp_avg_sq", n), n, OPT_TOL,
                ADAM_V_RTOL);
        gp_net_free(&net);
    }
    const float *lr = get(&g, "sgd_lr", 1);
    gp_net net;
    if (lr && make_net11(&net)) {
        memcpy(net.params, p0, (size_t)n * sizeof(float));
        memcpy(net.grads, grads[0], (size_t)n * sizeof(float));
        gp_net_sgd_step(&net, lr[0]);
        compare("sgd p1", net.params, get(&g, "sgd_p1", n), n, OPT_TOL, OPT_TOL);
        gp_net_free(&net);
    }
    golden_free(&g);
}

/* ---- gradient penalties ------------------------------------------------------ */

/* A GAN whose D is PyTorch's Linear 6 -> 5, act, Linear 5 -> 1 on 1x2x3
 * images, with the file's weights; the penalties' value and weight
 * gradients against double backward. */
static void penalty_case(const golden *g, const char *prefix, uint32_t act) {
    gp_gan_config cfg;
    gp_err err;
    gp_gan_config_default(&cfg, "mlp", NULL);
    cfg.batch = 4;
    cfg.latent = 1;
    const gp_layer_desc gen[] = {gp_layer(GP_LAYER_LINEAR, 6, 0.0f)};
    const gp_layer_desc dis[] = {gp_layer(GP_LAYER_LINEAR, 5, 0.0f), gp_layer(act, 0, 0.2f),
                                 gp_layer(GP_LAYER_LINEAR, 1, 0.0f)};
    gp_gan gan;
    CHECK(gp_gan_create_arch(&gan, &cfg, (gp_shape){1, 2, 3}, (gp_shape){1, 1, 1}, gen, 1, dis, 3, &err) == GP_OK);
    const float *x = getp(g, prefix, "x", 24), *w1 = getp(g, prefix, "w1", 30), *b1 = getp(g, prefix, "b1", 5);
    const float *w2 = getp(g, prefix, "w2", 5), *b2 = getp(g, prefix, "b2", 1);
    if (!x || !w1 || !b1 || !w2 || !b2) {
        gp_gan_free(&gan);
        return;
    }
    /* D's parameters: w1, b1 (layer 0), w2, b2 (layer 2) */
    float *p = gan.D.params;
    memcpy(p, w1, 30 * sizeof(float));
    memcpy(p + 30, b1, 5 * sizeof(float));
    memcpy(p + 35, w2, 5 * sizeof(float));
    memcpy(p + 40, b2, sizeof(float));
    const char *kinds[2] = {"r1_", "gp_"};
    uint8_t labels[4] = {0};
    for (int k = 0; k < 2; k++) {
        char name[64];
        snprintf(name, sizeof name, "%s%s", prefix, kinds[k]);
        const float *weight = getp(g, name, "weight", 1), *value = getp(g, name, "value", 1);
        const float *dw1 = getp(g, name, "dw1", 30), *db1 = getp(g, name, "db1", 5);
        const float *dw2 = getp(g, name, "dw2", 5), *db2 = getp(g, name, "db2", 1);
        if (!weight || !value || !dw1 || !db1 || !dw2 || !db2) continue;
        gp_net_zero_grad(&gan.D);
        float got = gp_gan_penalty(&gan, x, labels, 4, k ? GP_PENALTY_GP : GP_PENALTY_R1, weight[0]);
        CHECK_CLOSE(got, value[0], 1e-5, 1e-5);
        /* a difference quotient against exact double backward */
        snprintf(name, sizeof name, "%s%sdw1", prefix, kinds[k]);
        compare(name, gan.D.grads, dw1, 30, 2e-4, 2e-3);
        snprintf(name, sizeof name, "%s%sdb1", prefix, kinds[k]);
        compare(name, gan.D.grads + 30, db1, 5, 2e-4, 2e-3);
        snprintf(name, sizeof name, "%s%sdw2", prefix, kinds[k]);
        compare(name, gan.D.grads + 35, dw2, 5, 2e-4, 2e-3);
        snprintf(name, sizeof name, "%s%sdb2", prefix, kinds[k]);
        compare(name, gan.D.grads + 40, db2, 1, 2e-4, 2e-3);
    }
    gp_gan_free(&gan);
}

/* ---- spectral normalization ------------------------------------------------ */

static void spectral_case(const golden *g, const char *prefix, const gp_layer_desc *d, gp_shape in, int B) {
    gp_net net;
    gp_err err;
    CHECK(gp_net_create(&net, in, d, 1, B, &err) == GP_OK);
    int rows = (int)d->out_c, n_in = gp_shape_size(in);
    int cols = d->kind == GP_LAYER_LINEAR ? n_in : in.c * (int)(d->kernel * d->kernel);
    int n_out = gp_shape_size(net.shape[1]);
    const float *w = getp(g, prefix, "weight", rows * cols), *b = getp(g, prefix, "bias", rows);
    const float *u0 = getp(g, prefix, "u0", rows), *v0 = getp(g, prefix, "v0", cols);
    const float *x = getp(g, prefix, "x", B * n_in), *dout = getp(g, prefix, "dout", B * n_out);
    if (!w || !b || !u0 || !v0 || !x || !dout) {
        gp_net_free(&net);
        return;
    }
    memcpy(net.params, w, sizeof(float) * rows * cols);
    memcpy(net.params + rows * cols, b, sizeof(float) * rows);
    memcpy(net.buffers, u0, sizeof(float) * rows);
    memcpy(net.buffers + rows, v0, sizeof(float) * cols);
    net.training = 1;
    char name[64];
    const float *out = gp_net_forward(&net, x, B);
    snprintf(name, sizeof name, "%sout", prefix);
    compare(name, out, getp(g, prefix, "out", B * n_out), B * n_out, 1e-5, 1e-4);
    snprintf(name, sizeof name, "%su1", prefix);
    compare(name, net.buffers, getp(g, prefix, "u1", rows), rows, 1e-5, 1e-4);
    snprintf(name, sizeof name, "%sv1", prefix);
    compare(name, net.buffers + rows, getp(g, prefix, "v1", cols), cols, 1e-5, 1e-4);
    gp_net_zero_grad(&net);
    const float *dx = gp_net_backward(&net, dout, B, 1, 1);
    snprintf(name, sizeof name, "%sdx", prefix);
    compare(name, dx, getp(g, prefix, "dx", B * n_in), B * n_in, 1e-5, 1e-4);
    snprintf(name, sizeof name, "%sdweight", prefix);
    compare(name, net.grads, getp(g, prefix, "dweight", rows * cols), rows * cols, 1e-5, 1e-4);
    snprintf(name, sizeof name, "%sdbias", prefix);
    compare(name, net.grads + rows * cols, getp(g, prefix, "dbias", rows), rows, 1e-5, 1e-4);
    /* evaluation: the stored u and v, no iteration */
    float u1[64];
    memcpy(u1, net.buffers, sizeof(float) * rows);
    net.training = 0;
    const float *x2 = getp(g, prefix, "x2", 2 * n_in);
    if (x2) {
        out = gp_net_forward(&net, x2, 2);
        snprintf(name, sizeof name, "%sout_eval", prefix);
        compare(name, out, getp(g, prefix, "out_eval", 2 * n_out), 2 * n_out, 1e-5, 1e-4);
        CHECK(memcmp(u1, net.buffers, sizeof(float) * rows) == 0);
    }
    gp_net_free(&net);
}

static void test_spectral(void) {
    golden g;
    if (!golden_load(&g, "tests/golden/spectral.txt")) return;
    gp_layer_desc lin = gp_layer(GP_LAYER_LINEAR, 4, 0.0f);
    lin.flags = GP_LAYER_SPECTRAL_NORM;
    spectral_case(&g, "linear_", &lin, (gp_shape){7, 1, 1}, 3);
    gp_layer_desc conv = gp_layer_conv(GP_LAYER_CONV2D, 5, 3, 2, 1);
    conv.flags = GP_LAYER_SPECTRAL_NORM;
    spectral_case(&g, "conv_", &conv, (gp_shape){3, 6, 5}, 2);
    golden_free(&g);
}

/* ---- the loss table and the class loss ----------------------------------------- */

static void test_losses(void) {
    golden g;
    if (!golden_load(&g, "tests/golden/losses.txt")) return;
    const float *x = get(&g, "x", 13);
    struct { const char *name; int loss, role; float target; } cases[] = {
        {"lsgan_real", GP_LOSS_LSGAN, 0, 1.0f},     {"lsgan_real09", GP_LOSS_LSGAN, 0, 0.9f},
        {"lsgan_fake", GP_LOSS_LSGAN, 1, 0},        {"lsgan_g", GP_LOSS_LSGAN, 2, 0},
        {"hinge_real", GP_LOSS_HINGE, 0, 1.0f},     {"hinge_fake", GP_LOSS_HINGE, 1, 0},
        {"hinge_g", GP_LOSS_HINGE, 2, 0},           {"wgan_real", GP_LOSS_WGAN_GP, 0, 1.0f},
        {"wgan_fake", GP_LOSS_WGAN_GP, 1, 0},       {"wgan_g", GP_LOSS_WGAN_GP, 2, 0},
        {"minimax_g", GP_LOSS_MINIMAX, 2, 0},       {"nonsaturating_g", GP_LOSS_NONSATURATING, 2, 0},
    };
    for (size_t k = 0; x && k < sizeof cases / sizeof cases[0]; k++) {
        float d[13];
        const float *want = getp(&g, cases[k].name, "_loss", 1), *grad = getp(&g, cases[k].name, "_grad", 13);
        float got = cases[k].role == 0   ? gp_loss_d_real(cases[k].loss, x, 13, cases[k].target, d)
                    : cases[k].role == 1 ? gp_loss_d_fake(cases[k].loss, x, 13, d)
                                         : gp_loss_g(cases[k].loss, x, 13, d);
        char name[64];
        snprintf(name, sizeof name, "%s_loss", cases[k].name);
        if (want) compare(name, &got, want, 1, 1e-6, 1e-5);
        snprintf(name, sizeof name, "%s_grad", cases[k].name);
        compare(name, d, grad, 13, 1e-7, 1e-5);
    }
    const float *logits = get(&g, "xent_logits", 50), *labels = get(&g, "xent_labels", 5);
    const float *loss = get(&g, "xent_loss", 1), *grad = get(&g, "xent_grad", 50);
    if (logits && labels && loss) {
        uint8_t l[5];
        for (int i = 0; i < 5; i++) l[i] = (uint8_t)labels[i];
        float d[50];
        float got = gp_softmax_xent(d, logits, l, 5, 10);
        compare("xent_loss", &got, loss, 1, 1e-6, 1e-5);
        compare("xent_grad", d, grad, 50, 1e-7, 1e-5);
    }
    golden_free(&g);
}

static void test_penalty(void) {
    golden g;
    if (!golden_load(&g, "tests/golden/penalty.txt")) return;
    penalty_case(&g, "tanh_", GP_LAYER_TANH);
    penalty_case(&g, "lrelu_", GP_LAYER_LEAKY_RELU);
    golden_free(&g);
}

int main(void) {
    test_losses();
    test_penalty();
    test_spectral();
    test_linear();
    test_batchnorm();
    test_activations();
    test_bce();
    test_optim();
    test_conv();
    return check_report("golden");
}
