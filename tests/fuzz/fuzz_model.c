/* Model files: load from memory; a file that loads must save, reload and
 * save again to the same bytes, sample, and (small models) train a step. */
#include "fuzz.h"
#include "gan/gan.h"

static void use(gp_gan *gan) {
    gp_err err;
    int kind = gan->has_d ? GP_SAVE_TRAINING : GP_SAVE_GENERATOR;
    uint8_t *a, *b;
    size_t na, nb;
    FUZZ_REQUIRE(gp_model_save(gan, kind, &a, &na, &err) == GP_OK);
    gp_gan again;
    FUZZ_REQUIRE(gp_model_load(&again, a, na, &err) == GP_OK);
    FUZZ_REQUIRE(gp_model_save(&again, kind, &b, &nb, &err) == GP_OK);
    FUZZ_REQUIRE(na == nb && memcmp(a, b, na) == 0);
    free(a);
    free(b);
    gp_gan_free(&again);
    /* two samples (evaluation mode) */
    gp_shape im = gp_gan_image_shape(gan);
    size_t n_img = (size_t)gp_shape_size(im);
    float *z = malloc(sizeof(float) * 2 * (size_t)gan->cfg.latent), *x = malloc(sizeof(float) * 2 * n_img);
    int labels[2] = {0, gan->cfg.classes > 1 ? 1 : 0};
    FUZZ_REQUIRE(z && x);
    gp_gan_latents(gan, 1, 2, z);
    gp_gan_generate(gan, z, gan->cfg.classes ? labels : NULL, 2, x);
    free(z);
    free(x);
    /* one training step where it is cheap: data of the model's shape */
    if (!gan->has_d || (size_t)gan->cfg.batch * n_img > ((size_t)1 << 16) || gan->G.n_params + gan->D.n_params > (1u << 20))
        return;
    size_t px = 10 * (size_t)im.h * im.w * 4;
    uint8_t *rgba = malloc(px);
    FUZZ_REQUIRE(rgba);
    for (size_t i = 0; i < px; i++) rgba[i] = (uint8_t)(i * 37u);
    gp_dataset ds;
    if (im.c == 1 && gp_dataset_from_rgba(&ds, rgba, 10, im.h, im.w, 10, 10, &err) == GP_OK) {
        gp_status st = gp_gan_train_step(gan, &ds, &err);
        FUZZ_REQUIRE(st == GP_OK || st == GP_ERR_NAN); /* a loaded model trains, or says its numbers broke */
        gp_dataset_free(&ds);
    }
    free(rgba);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t len;
    uint8_t *file = fuzz_file(data, size, &len);
    if (!file) return 0;
    gp_gan gan;
    gp_err err;
    if (gp_model_load(&gan, file, len, &err) == GP_OK) {
        use(&gan);
        gp_gan_free(&gan);
    } else {
        FUZZ_REQUIRE(err.msg[0] != 0); /* a refusal says why */
    }
    free(file);
    return 0;
}
