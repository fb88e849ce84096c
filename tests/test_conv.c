/* test_conv: Conv2d and ConvTranspose2d against naive direct loops, exactly.
 *
 * Inputs, weights, biases and output gradients are small integers, so every
 * product and partial sum is an integer far below 2^24 and float arithmetic
 * is exact in any order: the GEMM lowering (im2col / col2im, chunks of the
 * batch) must give bit-for-bit the values of the definitions, computed
 * independently (the forwards by gradcheck.h's references):
 *   Conv2d          out[b,o,y,x] = bias[o] + sum_{c,i,j} w[o,c,i,j] *
 *                                  in[b,c,y*s-p+i, x*s-p+j]   (0 outside)
 *   ConvTranspose2d out[b,o,y*s-p+i, x*s-p+j] += in[b,c,y,x] * w[c,o,i,j]
 *                                  (scatter-add), plus bias[o]
 * and their gradients by the same loops differentiated by hand. Also: the
 * workspace is pure scratch (NaN-filled first), input gradients are
 * overwritten and parameter gradients accumulated, nothing is written past
 * an output, the batch is split into chunks when the workspace cap says so,
 * and gp_net checks conv/reshape/dropout descriptions and initializes them
 * as documented. GP_TEST_QUICK runs a subset of the configurations. */
#include "gradcheck.h"

#define GUARD 7
static const float SENTINEL = -9876.5f;

static float *alloc_floats(size_t n) {
    float *p = NEW(float, n + GUARD);
    for (size_t i = 0; i < n + GUARD; i++) p[i] = SENTINEL;
    return p;
}

/* integers in [-m, m] */
static void fill_int(float *p, size_t n, int m) {
    for (size_t i = 0; i < n; i++) p[i] = (float)((int)gp_rng_below(&rng, (uint32_t)(2 * m + 1)) - m);
}

static void fill_nan(float *p, size_t n) {
    for (size_t i = 0; i < n; i++) p[i] = NAN;
}

static int guard_ok(const float *p, size_t n) {
    for (size_t i = n; i < n + GUARD; i++)
        if (p[i] != SENTINEL) return 0;
    return 1;
}

/* exact equality (bits of the value, so NaN never matches) */
static void check_exact(const char *what, const float *got, const float *want, size_t n) {
    int bad = 0;
    for (size_t i = 0; i < n; i++)
        if (!(got[i] == want[i])) {
            if (bad < 3) fprintf(stderr, "%s[%zu] = %.9g, expected %.9g\n", what, i, got[i], want[i]);
            bad++;
        }
    if (bad) fprintf(stderr, "%s: %d of %zu values differ\n", what, bad, n);
    CHECK(bad == 0);
}

/* ---- naive references ------------------------------------------------------ */

typedef void (*ref_fwd_fn)(double *out, const double *x, const double *w, const double *bias, int B,
                           const gp_conv_geom *g);

/* The forward by its definition (ref_conv or ref_convt of gradcheck.h) in
 * double, then rounded to float: exact, as every value here is an integer. */
static void ref_fwd(ref_fwd_fn ref, float *out, const float *x, const float *w, const float *bias, int B,
                    const gp_conv_geom *g) {
    size_t nx = (size_t)B * g->c * g->h * g->w, nw = (size_t)g->oc * g->c * g->k * g->k;
    size_t no = (size_t)B * g->oc * g->oh * g->ow;
    double *dx = to_double(x, nx), *dw = to_double(w, nw), *db = bias ? to_double(bias, (size_t)g->oc) : NULL;
    double *dout = NEW(double, no);
    ref(dout, dx, dw, db, B, g);
    for (size_t i = 0; i < no; i++) out[i] = (float)dout[i];
    free(dx); free(dw); free(db); free(dout);
}

/* dx overwritten; dw, db accumulated */
static void ref_conv_bwd(float *dx, float *dw, float *db, const float *dout, const float *x,
                         const float *w, int B, const gp_conv_geom *g) {
    memset(dx, 0, (size_t)B * g->c * g->h * g->w * sizeof(float));
    for (int b = 0; b < B; b++)
        for (int o = 0; o < g->oc; o++)
            for (int y = 0; y < g->oh; y++)
                for (int xo = 0; xo < g->ow; xo++) {
                    float d = dout[IDX4(b, o, y, xo, g->oc, g->oh, g->ow)];
                    db[o] += d;
                    for (int c = 0; c < g->c; c++)
                        for (int i = 0; i < g->k; i++)
                            for (int j = 0; j < g->k; j++) {
                                int iy = y * g->s - g->p + i, ix = xo * g->s - g->p + j;
                                if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w) continue;
                                size_t xi = IDX4(b, c, iy, ix, g->c, g->h, g->w);
                                size_t wi = IDX4(o, c, i, j, g->c, g->k, g->k);
                                dx[xi] += w[wi] * d;
                                dw[wi] += x[xi] * d;
                            }
                }
}

static void ref_convt_bwd(float *dx, float *dw, float *db, const float *dout, const float *x,
                          const float *w, int B, const gp_conv_geom *g) {
    size_t plane = (size_t)g->oh * g->ow;
    for (int b = 0; b < B; b++)
        for (int o = 0; o < g->oc; o++)
            for (size_t q = 0; q < plane; q++) db[o] += dout[((size_t)b * g->oc + o) * plane + q];
    for (int b = 0; b < B; b++)
        for (int c = 0; c < g->c; c++)
            for (int y = 0; y < g->h; y++)
                for (int xi = 0; xi < g->w; xi++) {
                    size_t in_i = IDX4(b, c, y, xi, g->c, g->h, g->w);
                    double s = 0.0;
                    for (int o = 0; o < g->oc; o++)
                        for (int i = 0; i < g->k; i++)
                            for (int j = 0; j < g->k; j++) {
                                int oy = y * g->s - g->p + i, ox = xi * g->s - g->p + j;
                                if (oy < 0 || oy >= g->oh || ox < 0 || ox >= g->ow) continue;
                                float d = dout[IDX4(b, o, oy, ox, g->oc, g->oh, g->ow)];
                                size_t wi = IDX4(c, o, i, j, g->oc, g->k, g->k);
                                s += (double)w[wi] * d;
                                dw[wi] += x[in_i] * d;
                            }
                    dx[in_i] = (float)s;
                }
}

/* ---- one configuration ------------------------------------------------------- */

static int n_cases = 0;

static void conv_case(int transposed, int B, int C, int H, int W, int OC, int k, int s, int p,
                      int with_bias) {
    gp_conv_geom g = transposed ? gp_convt2d_geom(C, H, W, OC, k, s, p) : gp_conv2d_geom(C, H, W, OC, k, s, p);
    if (g.oh < 1 || g.ow < 1) return;
    n_cases++;
    char name[128];
    snprintf(name, sizeof name, "%s B%d C%d %dx%d OC%d k%d s%d p%d%s", transposed ? "convT" : "conv", B, C, H,
             W, OC, k, s, p, with_bias ? "" : " nobias");
    size_t nx = (size_t)B * C * H * W, no = (size_t)B * OC * g.oh * g.ow, nw = (size_t)OC * C * k * k;
    size_t nws = transposed ? gp_convt2d_workspace(B, &g) : gp_conv2d_workspace(B, &g);
    float *x = alloc_floats(nx), *w = alloc_floats(nw), *bias = alloc_floats((size_t)OC);
    float *dout = alloc_floats(no), *out = alloc_floats(no), *ref = alloc_floats(no);
    float *dx = alloc_floats(nx), *rdx = alloc_floats(nx), *dw = alloc_floats(nw), *rdw = alloc_floats(nw);
    float *db = alloc_floats((size_t)OC), *rdb = alloc_floats((size_t)OC), *ws = alloc_floats(nws);
    fill_int(x, nx, 3);
    fill_int(w, nw, 2);
    fill_int(bias, (size_t)OC, 5);
    fill_int(dout, no, 3);
    const float *b = with_bias ? bias : NULL;

    /* forward */
    fill_nan(out, no);
    fill_nan(ws, nws);
    if (transposed) {
        gp_convt2d_forward(out, x, w, NULL, b, B, &g, ws, NULL);
        ref_fwd(ref_convt, ref, x, w, b, B, &g);
    } else {
        gp_conv2d_forward(out, x, w, NULL, b, B, &g, ws, NULL);
        ref_fwd(ref_conv, ref, x, w, b, B, &g);
    }
    char what[160];
    snprintf(what, sizeof what, "%s: out", name);
    check_exact(what, out, ref, no);
    CHECK(guard_ok(out, no) && guard_ok(ws, nws));

    /* backward: dx overwritten, dw and db accumulated onto integers */
    fill_int(dw, nw, 4);
    fill_int(db, (size_t)OC, 4);
    memcpy(rdw, dw, nw * sizeof(float));
    memcpy(rdb, db, (size_t)OC * sizeof(float));
    fill_nan(dx, nx);
    fill_nan(ws, nws);
    if (transposed) {
        gp_convt2d_backward(dx, dw, with_bias ? db : NULL, dout, x, w, B, &g, ws, NULL);
        ref_convt_bwd(rdx, rdw, rdb, dout, x, w, B, &g);
    } else {
        gp_conv2d_backward(dx, dw, with_bias ? db : NULL, dout, x, w, B, &g, ws, NULL);
        ref_conv_bwd(rdx, rdw, rdb, dout, x, w, B, &g);
    }
    snprintf(what, sizeof what, "%s: dx", name);
    check_exact(what, dx, rdx, nx);
    snprintf(what, sizeof what, "%s: dweight", name);
    check_exact(what, dw, rdw, nw);
    if (with_bias) {
        snprintf(what, sizeof what, "%s: dbias", name);
        check_exact(what, db, rdb, (size_t)OC);
    }
    CHECK(guard_ok(dx, nx) && guard_ok(dw, nw) && guard_ok(db, (size_t)OC) && guard_ok(ws, nws));

    /* each gradient alone gives the same values */
    float *dx2 = alloc_floats(nx), *dw2 = alloc_floats(nw), *db2 = alloc_floats((size_t)OC);
    fill_nan(dx2, nx);
    fill_nan(ws, nws);
    if (transposed)
        gp_convt2d_backward(dx2, NULL, NULL, dout, x, w, B, &g, ws, NULL);
    else
        gp_conv2d_backward(dx2, NULL, NULL, dout, x, w, B, &g, ws, NULL);
    snprintf(what, sizeof what, "%s: dx alone", name);
    check_exact(what, dx2, rdx, nx);
    memset(dw2, 0, nw * sizeof(float));
    memset(db2, 0, (size_t)OC * sizeof(float));
    fill_nan(ws, nws);
    if (transposed)
        gp_convt2d_backward(NULL, dw2, NULL, dout, x, w, B, &g, ws, NULL);
    else
        gp_conv2d_backward(NULL, dw2, NULL, dout, x, w, B, &g, ws, NULL);
    fill_nan(ws, nws);
    if (transposed)
        gp_convt2d_backward(NULL, NULL, db2, dout, x, w, B, &g, ws, NULL);
    else
        gp_conv2d_backward(NULL, NULL, db2, dout, x, w, B, &g, ws, NULL);
    float *want_dw = alloc_floats(nw), *want_db = alloc_floats((size_t)OC);
    for (size_t i = 0; i < nw; i++) want_dw[i] = 0.0f;
    for (int o = 0; o < OC; o++) want_db[o] = 0.0f;
    float *tmp_dx = alloc_floats(nx);
    if (transposed)
        ref_convt_bwd(tmp_dx, want_dw, want_db, dout, x, w, B, &g);
    else
        ref_conv_bwd(tmp_dx, want_dw, want_db, dout, x, w, B, &g);
    snprintf(what, sizeof what, "%s: dweight alone", name);
    check_exact(what, dw2, want_dw, nw);
    snprintf(what, sizeof what, "%s: dbias alone", name);
    check_exact(what, db2, want_db, (size_t)OC);

    free(x); free(w); free(bias); free(dout); free(out); free(ref); free(dx); free(rdx);
    free(dw); free(rdw); free(db); free(rdb); free(ws); free(dx2); free(dw2); free(db2);
    free(want_dw); free(want_db); free(tmp_dx);
}

static void test_layers(int quick) {
    static const int ks[] = {3, 4, 5}, ss[] = {1, 2}, ps[] = {0, 1, 2};
    for (int t = 0; t < 2; t++)
        for (int ki = 0; ki < 3; ki++)
            for (int si = 0; si < 2; si++)
                for (int pi = 0; pi < 3; pi++)
                    for (int bias = 0; bias < 2; bias++) {
                        int k = ks[ki], s = ss[si], p = ps[pi];
                        if (quick && ((ki + si + pi + bias) & 1)) continue;
                        /* odd sizes, non-square, more than one sample */
                        conv_case(t, 3, 3, 7, 5, 2, k, s, p, bias);
                        if (!quick) conv_case(t, 2, 1, 9, 6, 3, k, s, p, bias);
                    }
    /* the extremes of what a description may ask for */
    conv_case(0, 2, 2, 5, 5, 3, 1, 1, 0, 1);
    conv_case(1, 2, 2, 5, 5, 3, 1, 1, 0, 1);
    conv_case(0, 2, 2, 8, 11, 3, 7, 4, 3, 1);
    conv_case(1, 2, 2, 3, 2, 3, 7, 4, 3, 1);
    conv_case(0, 2, 3, 4, 4, 2, 7, 3, 3, 0);
    conv_case(1, 1, 3, 1, 1, 2, 4, 2, 1, 1); /* 1x1 -> 2x2 */
    conv_case(0, 2, 1, 1, 1, 2, 3, 1, 1, 1); /* 1x1 -> 1x1 */
    /* the DCGAN's layers, scaled down in channels */
    conv_case(1, 2, 5, 7, 7, 4, 4, 2, 1, 1);
    conv_case(0, 2, 4, 14, 14, 6, 4, 2, 1, 0);
}

/* Enough per-sample im2col that the batch goes through in chunks: one
 * sample each, and several (with the 4 MiB cap, 4 + 4 + 2 samples). */
static void test_chunks(void) {
    int B = 12;
    gp_conv_geom g = gp_conv2d_geom(16, 32, 32, 2, 7, 1, 3);
    size_t col = (size_t)g.c * g.k * g.k * g.oh * g.ow;
    size_t ws = gp_conv2d_workspace(B, &g);
    CHECK(ws < col * B); /* fewer than B samples fit at once */
    CHECK(ws >= col);
    conv_case(0, B, 16, 32, 32, 2, 7, 1, 3, 1);
    gp_conv_geom t = gp_convt2d_geom(2, 32, 32, 16, 7, 1, 3);
    size_t tcol = (size_t)t.oc * t.k * t.k * t.h * t.w;
    CHECK(gp_convt2d_workspace(B, &t) < tcol * B);
    conv_case(1, B, 2, 32, 32, 16, 7, 1, 3, 1);
    /* several samples per chunk, the last chunk partial */
    B = 10;
    g = gp_conv2d_geom(8, 24, 24, 2, 5, 1, 2);
    col = (size_t)g.c * g.k * g.k * g.oh * g.ow;
    ws = gp_conv2d_workspace(B, &g);
    CHECK(ws < col * B && ws >= 2 * col);
    conv_case(0, B, 8, 24, 24, 2, 5, 1, 2, 1);
    t = gp_convt2d_geom(2, 24, 24, 8, 5, 1, 2);
    tcol = (size_t)t.oc * t.k * t.k * t.h * t.w;
    ws = gp_convt2d_workspace(B, &t);
    CHECK(ws < tcol * B && ws >= 2 * tcol);
    conv_case(1, B, 2, 24, 24, 8, 5, 1, 2, 1);
}

/* ---- gp_net: descriptions, layouts, initialization ------------------------- */

/* the description must be refused with a message containing word */
static void refuse(const char *why, gp_shape in, const gp_layer_desc *layers, int n, const char *word) {
    gp_net net;
    gp_err err = {{0}};
    gp_status st = gp_net_create(&net, in, layers, n, 4, &err);
    if (st != GP_ERR_ARG || !strstr(err.msg, word)) {
        fprintf(stderr, "%s: status %d, message '%s' (wanted '%s')\n", why, st, err.msg, word);
        if (st == GP_OK) gp_net_free(&net);
    }
    CHECK(st == GP_ERR_ARG && strstr(err.msg, word) != NULL);
    CHECK(net.block == NULL && net.n_layers == 0);
}

static void test_validation(void) {
    gp_shape img = {1, 28, 28};
    gp_layer_desc d[4];
    d[0] = desc_conv(GP_LAYER_CONV2D, 8, 0, 1, 0);
    refuse("kernel 0", img, d, 1, "kernel");
    d[0] = desc_conv(GP_LAYER_CONV2D, 8, 8, 1, 0);
    refuse("kernel 8", img, d, 1, "kernel");
    d[0] = desc_conv(GP_LAYER_CONVT2D, 8, 3, 0, 0);
    refuse("stride 0", img, d, 1, "stride");
    d[0] = desc_conv(GP_LAYER_CONVT2D, 8, 3, 5, 0);
    refuse("stride 5", img, d, 1, "stride");
    d[0] = desc_conv(GP_LAYER_CONV2D, 8, 3, 1, 4);
    refuse("pad 4", img, d, 1, "pad");
    d[0] = desc_conv(GP_LAYER_CONV2D, 0, 3, 1, 1);
    refuse("no channels", img, d, 1, "channels");
    d[0] = desc_conv(GP_LAYER_CONV2D, 70000, 3, 1, 1);
    refuse("too many channels", img, d, 1, "channels");
    d[0] = desc_conv(GP_LAYER_CONV2D, 8, 3, 1, 1);
    d[0].flags = 4;
    refuse("unknown flag", img, d, 1, "flags");
    d[0] = desc_conv(GP_LAYER_CONVT2D, 8, 3, 1, 1);
    d[0].flags = GP_LAYER_SPECTRAL_NORM; /* for D's layers only: Linear and Conv2d */
    refuse("spectral norm on a transposed convolution", img, d, 1, "flags");
    d[0] = (gp_layer_desc){.kind = GP_LAYER_LINEAR, .out_c = 4, .flags = GP_LAYER_NO_BIAS};
    refuse("no-bias Linear", img, d, 1, "flags");
    d[0] = desc_conv(GP_LAYER_CONV2D, 8, 7, 1, 0);
    refuse("input smaller than kernel", (gp_shape){1, 5, 28}, d, 1, "smaller");
    d[0] = desc_conv(GP_LAYER_CONVT2D, 8, 1, 1, 1);
    refuse("convT output 0", (gp_shape){1, 1, 1}, d, 1, "output");
    d[0] = desc_conv(GP_LAYER_CONV2D, 8, 4, 2, 1);
    d[0].out_h = 13;
    refuse("declared size", img, d, 1, "declares");
    d[0] = desc_conv(GP_LAYER_CONV2D, 65536, 7, 1, 3);
    refuse("huge activation", img, d, 1, "too large");
    d[0] = desc_conv(GP_LAYER_CONVT2D, 4096, 7, 4, 0);
    refuse("huge convT", (gp_shape){64, 64, 64}, d, 1, "too large");
    d[0] = desc_conv(GP_LAYER_CONV2D, 65536, 7, 4, 0);
    d[1] = desc_conv(GP_LAYER_CONV2D, 65536, 7, 4, 0);
    refuse("too many parameters", (gp_shape){16, 32, 32}, d, 2, "too large");
    d[0] = desc_reshape(2, 14, 27);
    refuse("reshape size", img, d, 1, "Reshape");
    d[0] = desc_reshape(0, 28, 28);
    refuse("reshape zero", img, d, 1, "Reshape");
    d[0] = desc_reshape(65536, 65536, 1);
    refuse("reshape overflow", img, d, 1, "Reshape");
    d[0] = desc_simple(GP_LAYER_DROPOUT, 1.0f);
    refuse("dropout 1", img, d, 1, "Dropout");
    d[0] = desc_simple(GP_LAYER_DROPOUT, -0.1f);
    refuse("dropout negative", img, d, 1, "Dropout");
    d[0] = desc_simple(GP_LAYER_DROPOUT, NAN);
    refuse("dropout NaN", img, d, 1, "Dropout");
    d[0] = desc_simple(GP_LAYER_BATCHNORM2D, 0);
    d[0].eps = 0.0f;
    refuse("bn2d eps", img, d, 1, "BatchNorm");
    d[0] = desc_simple(12, 0);
    refuse("unknown kind", img, d, 1, "unknown");
    refuse("bad input shape", (gp_shape){1 << 20, 1 << 20, 1 << 20}, d, 1, "input");
    /* a whole net over the total cap at a large batch */
    gp_layer_desc big[2] = {desc_conv(GP_LAYER_CONVT2D, 64, 4, 2, 1), desc_conv(GP_LAYER_CONVT2D, 64, 4, 2, 1)};
    gp_net net;
    gp_err err = {{0}};
    gp_status st = gp_net_create(&net, (gp_shape){64, 64, 64}, big, 2, 4096, &err);
    CHECK(st == GP_ERR_ARG && strstr(err.msg, "too large"));
    if (st == GP_OK) gp_net_free(&net);
}

/* The DCGAN of the brief: shapes and parameter counts as PyTorch's. */
static void test_dcgan_shapes(void) {
    gp_layer_desc g[9] = {
        {.kind = GP_LAYER_LINEAR, .out_c = 128 * 7 * 7},
        desc_reshape(128, 7, 7),
        desc_simple(GP_LAYER_BATCHNORM2D, 0),
        desc_simple(GP_LAYER_RELU, 0),
        desc_conv(GP_LAYER_CONVT2D, 64, 4, 2, 1),
        desc_simple(GP_LAYER_BATCHNORM2D, 0),
        desc_simple(GP_LAYER_RELU, 0),
        desc_conv(GP_LAYER_CONVT2D, 1, 4, 2, 1),
        desc_simple(GP_LAYER_TANH, 0),
    };
    gp_layer_desc d[7] = {
        desc_conv(GP_LAYER_CONV2D, 64, 4, 2, 1),
        desc_simple(GP_LAYER_LEAKY_RELU, 0.2f),
        desc_conv(GP_LAYER_CONV2D, 128, 4, 2, 1),
        desc_simple(GP_LAYER_BATCHNORM2D, 0),
        desc_simple(GP_LAYER_LEAKY_RELU, 0.2f),
        desc_reshape(128 * 7 * 7, 1, 1),
        {.kind = GP_LAYER_LINEAR, .out_c = 1},
    };
    gp_net G, D;
    gp_err err = {{0}};
    CHECK(gp_net_create(&G, (gp_shape){100, 1, 1}, g, 9, 64, &err) == GP_OK);
    CHECK(gp_net_create(&D, (gp_shape){1, 28, 28}, d, 7, 64, &err) == GP_OK);
    if (!G.block || !D.block) {
        fprintf(stderr, "dcgan: %s\n", err.msg);
        return;
    }
    gp_shape go = gp_net_output_shape(&G), d1 = D.shape[1], d3 = D.shape[3];
    CHECK(go.c == 1 && go.h == 28 && go.w == 28);
    CHECK(G.shape[5].c == 64 && G.shape[5].h == 14 && G.shape[5].w == 14);
    CHECK(d1.c == 64 && d1.h == 14 && d1.w == 14);
    CHECK(d3.c == 128 && d3.h == 7 && d3.w == 7);
    CHECK(gp_shape_size(gp_net_output_shape(&D)) == 1);
    /* sum(p.numel() for p in model.parameters()) in PyTorch */
    CHECK(G.n_params == 100 * 6272 + 6272 + 256 + 128 * 64 * 16 + 64 + 128 + 64 * 16 + 1);
    CHECK(D.n_params == 64 * 16 + 64 + 64 * 128 * 16 + 128 + 256 + 6272 + 1);
    CHECK(gp_layer_param_count(&G, 4) == 128 * 64 * 16 + 64);
    CHECK(G.n_buffers == 256 + 128 && D.n_buffers == 256);
    gp_net_free(&G);
    gp_net_free(&D);
}

static void test_init(void) {
    gp_layer_desc layers[6] = {
        desc_conv(GP_LAYER_CONV2D, 6, 3, 1, 1),
        desc_simple(GP_LAYER_BATCHNORM2D, 0),
        desc_conv(GP_LAYER_CONVT2D, 5, 4, 2, 1),
        desc_conv(GP_LAYER_CONV2D, 4, 5, 1, 2),
        desc_reshape(4 * 10 * 10, 1, 1),
        {.kind = GP_LAYER_LINEAR, .out_c = 3},
    };
    layers[3].flags = GP_LAYER_NO_BIAS;
    gp_net net;
    gp_err err = {{0}};
    if (gp_net_create(&net, (gp_shape){3, 5, 5}, layers, 6, 4, &err) != GP_OK) {
        fprintf(stderr, "init net: %s\n", err.msg);
        CHECK(0);
        return;
    }
    CHECK(gp_layer_param_count(&net, 3) == 4 * 5 * 25); /* no bias */
    gp_rng init;
    gp_rng_seed(&init, 11);
    gp_rng before = init;
    memset(net.grads, 0x7f, net.n_params * sizeof(float));
    gp_net_init_params(&net, &init);
    /* bounds 1/sqrt(fan_in): Conv2d C*k*k, ConvTranspose2d out_c*k*k */
    struct { int layer; size_t n; double bound; } ranges[] = {
        {0, 6 * 3 * 9 + 6, 1.0 / sqrt(3 * 9.0)},
        {2, 6 * 5 * 16 + 5, 1.0 / sqrt(5 * 16.0)},
        {3, 4 * 5 * 25, 1.0 / sqrt(5 * 25.0)},
    };
    for (int r = 0; r < 3; r++) {
        const float *p = net.params + net.param_off[ranges[r].layer];
        CHECK(gp_layer_param_count(&net, ranges[r].layer) == ranges[r].n);
        double mx = 0;
        for (size_t i = 0; i < ranges[r].n; i++) mx = fabs(p[i]) > mx ? fabs(p[i]) : mx;
        CHECK(mx <= ranges[r].bound && mx > 0.8 * ranges[r].bound);
    }
    const float *bn = net.params + net.param_off[1], *buf = net.buffers + net.buffer_off[1];
    for (int c = 0; c < 6; c++) CHECK(bn[c] == 1.0f && bn[6 + c] == 0.0f && buf[c] == 0.0f && buf[6 + c] == 1.0f);
    for (size_t i = 0; i < net.n_params; i++) CHECK(net.grads[i] == 0.0f);
    /* the draws are weights then bias, layer by layer, from init itself */
    gp_rng replay = before;
    float first[6 * 3 * 9];
    gp_rng_fill_uniform(&replay, first, 6 * 3 * 9, (float)-ranges[0].bound, (float)ranges[0].bound);
    CHECK(memcmp(first, net.params, sizeof first) == 0);
    /* net->rng is derived from a copy: a second init from the same state
     * gives the same rng and the same parameters */
    gp_rng r1 = net.rng, again = before;
    float *p1 = malloc(net.n_params * sizeof(float));
    memcpy(p1, net.params, net.n_params * sizeof(float));
    gp_net_init_params(&net, &again);
    CHECK(net.rng.state == r1.state && again.state == init.state);
    CHECK(memcmp(p1, net.params, net.n_params * sizeof(float)) == 0);
    CHECK(net.rng.state != before.state);

    /* DCGAN init: N(0, 0.02) weights, zero biases, gamma N(1, 0.02) */
    gp_rng_seed(&init, 12);
    gp_net_init_normal(&net, &init, 0.02f);
    const float *w = net.params + net.param_off[2];
    double s = 0, s2 = 0;
    size_t n = 6 * 5 * 16;
    for (size_t i = 0; i < n; i++) {
        s += w[i];
        s2 += (double)w[i] * w[i];
    }
    CHECK(fabs(s / n) < 0.005 && fabs(sqrt(s2 / n) - 0.02) < 0.004);
    for (int o = 0; o < 5; o++) CHECK(w[n + o] == 0.0f);
    const float *c0 = net.params + net.param_off[0];
    for (int o = 0; o < 6; o++) CHECK(c0[6 * 27 + o] == 0.0f);
    const float *lin = net.params + net.param_off[5];
    for (int o = 0; o < 3; o++) CHECK(lin[3 * 400 + o] == 0.0f);
    int gamma_varies = 0;
    for (int c = 0; c < 6; c++) {
        CHECK(fabs(bn[c] - 1.0) < 0.1 && bn[6 + c] == 0.0f);
        gamma_varies |= bn[c] != 1.0f;
    }
    CHECK(gamma_varies);
    free(p1);
    gp_net_free(&net);
}

/* Conv layers inside gp_net do what the layer functions do, and Reshape is
 * a copy in both directions. */
static void test_net_dispatch(void) {
    gp_layer_desc layers[3] = {desc_conv(GP_LAYER_CONV2D, 3, 3, 2, 1), desc_reshape(3 * 4 * 3, 1, 1),
                               desc_conv(GP_LAYER_CONVT2D, 2, 3, 1, 0)};
    gp_net net;
    gp_err err = {{0}};
    if (gp_net_create(&net, (gp_shape){2, 7, 5}, layers, 3, 3, &err) != GP_OK) {
        fprintf(stderr, "dispatch net: %s\n", err.msg);
        CHECK(0);
        return;
    }
    gp_shape o = gp_net_output_shape(&net);
    CHECK(o.c == 2 && o.h == 3 && o.w == 3);
    gp_rng init;
    gp_rng_seed(&init, 5);
    gp_net_init_params(&net, &init);
    fill_int(net.params, net.n_params, 3);
    float x[3 * 70], dout[3 * 18];
    fill_int(x, 3 * 70, 3);
    fill_int(dout, 3 * 18, 3);
    const float *out = gp_net_forward(&net, x, 3);
    gp_conv_geom g0 = gp_conv2d_geom(2, 7, 5, 3, 3, 2, 1), g2 = gp_convt2d_geom(36, 1, 1, 2, 3, 1, 0);
    float h[3 * 36], ref[3 * 18];
    ref_fwd(ref_conv, h, x, net.params, net.params + 54, 3, &g0);
    ref_fwd(ref_convt, ref, h, net.params + net.param_off[2], net.params + net.param_off[2] + 36 * 18, 3, &g2);
    check_exact("net conv-reshape-convT out", out, ref, 3 * 18);
    gp_net_zero_grad(&net);
    const float *dx = gp_net_backward(&net, dout, 3, 1, 1);
    float dh[3 * 36], rdx[3 * 70];
    float *rg = calloc(net.n_params, sizeof(float));
    ref_convt_bwd(dh, rg + net.param_off[2], rg + net.param_off[2] + 36 * 18, dout, h,
                  net.params + net.param_off[2], 3, &g2);
    ref_conv_bwd(rdx, rg, rg + 54, dh, x, net.params, 3, &g0);
    check_exact("net dx", dx, rdx, 3 * 70);
    check_exact("net grads", net.grads, rg, net.n_params);
    free(rg);
    gp_net_free(&net);
}

static void test_dropout(void) {
    gp_layer_desc layers[2] = {desc_simple(GP_LAYER_DROPOUT, 0.3f), desc_reshape(5, 2, 3)};
    gp_net net;
    gp_err err = {{0}};
    if (gp_net_create(&net, (gp_shape){30, 1, 1}, layers, 2, 200, &err) != GP_OK) {
        fprintf(stderr, "dropout net: %s\n", err.msg);
        CHECK(0);
        return;
    }
    CHECK(net.n_params == 0 && net.n_buffers == 0 && net.n_saved == 200 * 30);
    size_t n = 200 * 30;
    float *x = malloc(n * sizeof(float)), *dout = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) {
        x[i] = (float)(i % 17) - 8.0f;
        dout[i] = (float)(i % 5) + 1.0f;
    }
    gp_rng_seed(&net.rng, 99);
    const float *out = gp_net_forward(&net, x, 200);
    const float *mask = net.saved;
    float keep = 1.0f / 0.7f;
    size_t dropped = 0;
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        ok &= mask[i] == 0.0f || mask[i] == keep;
        dropped += mask[i] == 0.0f;
        ok &= out[i] == x[i] * mask[i];
    }
    CHECK(ok);
    /* 6000 draws at p = 0.3: mean 1800, sd 35 */
    CHECK(dropped > 1650 && dropped < 1950);
    const float *dx = gp_net_backward(&net, dout, 200, 1, 1);
    ok = 1;
    for (size_t i = 0; i < n; i++) ok &= dx[i] == dout[i] * mask[i];
    CHECK(ok);
    /* the same seed gives the same mask; the stream moves on otherwise */
    float *m1 = malloc(n * sizeof(float));
    memcpy(m1, mask, n * sizeof(float));
    gp_net_forward(&net, x, 200);
    CHECK(memcmp(m1, net.saved, n * sizeof(float)) != 0);
    gp_rng_seed(&net.rng, 99);
    gp_net_forward(&net, x, 200);
    CHECK(memcmp(m1, net.saved, n * sizeof(float)) == 0);
    /* eval: identity, forward and backward, and no draws */
    net.training = 0;
    gp_rng r0 = net.rng;
    out = gp_net_forward(&net, x, 7);
    CHECK(memcmp(out, x, 7 * 30 * sizeof(float)) == 0);
    CHECK(net.rng.state == r0.state);
    dx = gp_net_backward(&net, dout, 7, 1, 1);
    CHECK(memcmp(dx, dout, 7 * 30 * sizeof(float)) == 0);
    free(x); free(dout); free(m1);
    gp_net_free(&net);
}

int main(void) {
    int quick = getenv("GP_TEST_QUICK") != NULL;
    gp_rng_seed(&rng, 2024);
    test_layers(quick);
    test_chunks();
    test_validation();
    test_dcgan_shapes();
    test_init();
    test_net_dispatch();
    test_dropout();
    printf("conv: %d layer configurations\n", n_cases);
    return check_report("conv");
}
