/* The per-layer profile (gp_net_set_profile): FLOPs counted from the layer
 * shapes for the passes that ran (2*M*N*K per product), every record zero
 * while it is off, and a GAN step's total over both nets and all passes. */
#include <string.h>

#include "check.h"
#include "gan/gan.h"
#include "nn/net.h"

static int all_zero(const gp_layer_profile *p, int n) {
    static const gp_layer_profile zero;
    for (int i = 0; i < n; i++)
        if (memcmp(&p[i], &zero, sizeof zero)) return 0;
    return 1;
}

/* Linear 5->18, Reshape (2,3,3), ConvTranspose2d 2->3 (k4 s2 p1: 6x6),
 * Conv2d 3->4 (k4 s2 p1: 3x3), Reshape (36), Linear 36->2; batch 3 */
static void known_net(void) {
    enum { B = 3 };
    const gp_layer_desc layers[] = {
        gp_layer(GP_LAYER_LINEAR, 18, 0.0f), gp_layer_reshape(2, 3, 3),
        gp_layer_conv(GP_LAYER_CONVT2D, 3, 4, 2, 1), gp_layer(GP_LAYER_TANH, 0, 0.0f),
        gp_layer_conv(GP_LAYER_CONV2D, 4, 4, 2, 1), gp_layer_reshape(36, 1, 1),
        gp_layer(GP_LAYER_LINEAR, 2, 0.0f)};
    const int n = (int)(sizeof layers / sizeof layers[0]);
    gp_net net;
    gp_err err;
    if (!CHECK_OK(gp_net_create(&net, (gp_shape){5, 1, 1}, layers, n, B, &err) == GP_OK, err.msg)) return;
    gp_rng rng;
    gp_rng_seed(&rng, 3);
    gp_net_init_params(&net, &rng);
    net.training = 1;
    float x[B * 5], dy[B * 2];
    for (int i = 0; i < B * 5; i++) x[i] = 0.1f * (float)(i % 7) - 0.3f;
    for (int i = 0; i < B * 2; i++) dy[i] = 0.5f - 0.25f * (float)i;

    /* each product by hand: M*N*K of the GEMM the layer runs */
    const double linear1 = 2.0 * B * 5 * 18;                  /* (B, 5) x (5, 18) */
    const double convt = 2.0 * (3 * 4 * 4) * (B * 3 * 3) * 2; /* (OC*k*k, C) x (C, B*H*W) */
    const double conv = 2.0 * 4 * (B * 3 * 3) * (3 * 4 * 4);  /* (OC, C*k*k) x (C*k*k, B*OH*OW) */
    const double linear2 = 2.0 * B * 36 * 2;
    const double fwd = linear1 + convt + conv + linear2;
    CHECK(gp_layer_flops(&net, 0, B, GP_PASS_FORWARD) == linear1);
    CHECK(gp_layer_flops(&net, 2, B, GP_PASS_DX) == convt);
    CHECK(gp_layer_flops(&net, 4, B, GP_PASS_DW) == conv);
    CHECK(gp_layer_flops(&net, 6, B, GP_PASS_FORWARD) == linear2);
    CHECK(gp_layer_flops(&net, 3, B, GP_PASS_FORWARD) == 0.0);
    CHECK(!strcmp(gp_layer_kind_name(net.layers[2].kind), "ConvTranspose2d"));
    CHECK(!strcmp(gp_layer_kind_name(99), "?"));

    /* off: a zeroed array stays zero, and the net never points at it */
    gp_layer_profile prof[GP_MAX_LAYERS];
    memset(prof, 0, sizeof prof);
    gp_net_forward(&net, x, B);
    gp_net_backward(&net, dy, B, 1, 1);
    CHECK(net.profile == NULL);
    CHECK(all_zero(prof, GP_MAX_LAYERS));

    /* on: labelled, then one forward, a backward with weight gradients and
     * no input gradient, and one with the input gradient only */
    memset(prof, 0xff, sizeof prof);
    gp_net_set_profile(&net, prof);
    CHECK(prof[2].kind == GP_LAYER_CONVT2D && prof[2].in.c == 2 && prof[2].out.c == 3 && prof[2].out.h == 6);
    CHECK(prof[0].fwd_calls == 0 && prof[0].fwd_flops == 0.0 && prof[0].bwd_ms == 0.0);
    gp_net_forward(&net, x, B);
    gp_net_backward(&net, dy, B, 1, 0);
    double f = 0.0, b = 0.0;
    for (int i = 0; i < n; i++) {
        f += prof[i].fwd_flops;
        b += prof[i].bwd_flops;
        CHECK(prof[i].fwd_calls == 1 && prof[i].bwd_calls == 1);
        CHECK(prof[i].fwd_ms >= 0.0 && prof[i].bwd_ms >= 0.0);
    }
    CHECK(f == fwd);
    CHECK(b == 2.0 * fwd - linear1); /* the first layer's input gradient is not made */
    CHECK(prof[4].bwd_flops == 2.0 * conv);
    gp_net_backward(&net, dy, B, 0, 1);
    b = 0.0;
    for (int i = 0; i < n; i++) b += prof[i].bwd_flops;
    CHECK(b == 3.0 * fwd - linear1);

    /* off again: the records keep what they had */
    gp_layer_profile kept[GP_MAX_LAYERS];
    memcpy(kept, prof, sizeof prof);
    gp_net_set_profile(&net, NULL);
    gp_net_forward(&net, x, B);
    gp_net_backward(&net, dy, B, 1, 1);
    CHECK(!memcmp(kept, prof, sizeof prof));
    gp_net_free(&net);
}

/* sum over a net's Linear layers of 2*B*in*out (the seed GAN is all Linear) */
static double linear_flops(const gp_net *net, int B, int skip_first) {
    double s = 0.0;
    for (int i = skip_first ? 1 : 0; i < net->n_layers; i++)
        if (net->layers[i].kind == GP_LAYER_LINEAR) s += 2.0 * B * gp_shape_size(net->shape[i]) * net->layers[i].out_c;
    return s;
}

/* One training step of the seed GAN: G forward once (the G step reuses the
 * D step's fakes), D forward three times (real, fake, fake for G), D
 * backward twice with weight gradients and once with the input gradient
 * only, G backward once with weight gradients. */
static void gan_step(void) {
    gp_dataset ds;
    gp_err err;
    if (!CHECK_OK(gp_dataset_load(&ds, "build/data/mnist.bin", &err) == GP_OK, "run make first")) return;
    gp_gan_config cfg;
    gp_gan gan;
    CHECK(gp_gan_config_default(&cfg, "mlp", &err) == GP_OK);
    cfg.batch = 8;
    if (!CHECK_OK(gp_gan_create(&gan, &cfg, 1, &err) == GP_OK, err.msg)) return;
    CHECK(cfg.d_steps == 1 && cfg.g_steps == 1);
    static gp_layer_profile pg[GP_MAX_LAYERS], pd[GP_MAX_LAYERS];
    gp_net_set_profile(&gan.G, pg);
    gp_net_set_profile(&gan.D, pd);
    CHECK(gp_gan_train_step(&gan, &ds, &err) == GP_OK);
    double g = 0.0, d = 0.0;
    for (int i = 0; i < gan.G.n_layers; i++) g += pg[i].fwd_flops + pg[i].bwd_flops;
    for (int i = 0; i < gan.D.n_layers; i++) d += pd[i].fwd_flops + pd[i].bwd_flops;
    int B = cfg.batch;
    double fg = linear_flops(&gan.G, B, 0), fd = linear_flops(&gan.D, B, 0);
    CHECK(fg > 0.0 && fd > 0.0);
    CHECK(g == fg + fg + linear_flops(&gan.G, B, 1));
    CHECK(d == 3.0 * fd + 2.0 * (fd + linear_flops(&gan.D, B, 1)) + fd);
    gp_gan_free(&gan);
    gp_dataset_free(&ds);
}

int main(void) {
    known_net();
    gan_step();
    return check_report("test_profile");
}
