/* Model files: load from memory; a file that loads must save, reload and
 * save again to the same bytes, sample, and (small models) train a step.
 * Then a training run takes it over, its history checked against the
 * model, or says why not; a run that took it answers its history as JSON,
 * shows its snapshots, (small models) steps with a snapshot each, and writes
 * its history back into a state that loads and is taken again. The run's
 * own states may be 2-D models (gp_model_load_state): one that loads is
 * taken by a 2-D run and (small models) trains a round. */
#include "fuzz.h"
#include "gan/2d.h"
#include "gan/gan.h"
#include "run/run.h"

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
    if ((im.c == 1 || im.c == 3) && gp_dataset_from_rgba(&ds, rgba, 10, im.h, im.w, im.c, 10, 10, &err) == GP_OK) {
        gp_status st = gp_gan_train_step(gan, &ds, &err);
        FUZZ_REQUIRE(st == GP_OK || st == GP_ERR_NAN); /* a loaded model trains, or says its numbers broke */
        gp_dataset_free(&ds);
    }
    free(rgba);
}

static int cheap(const gp_gan *gan) {
    size_t n_img = (size_t)gp_shape_size(gp_gan_image_shape(gan));
    return gan->has_d && (size_t)gan->cfg.batch * n_img <= ((size_t)1 << 16) && gan->G.n_params + gan->D.n_params <= (1u << 20);
}

/* A run takes gan over (or refuses it in words, gan still the caller's). */
static void run_it(gp_gan *gan) {
    gp_err err = {{0}};
    gp_run run;
    gp_run_init(&run, gp_run_policy_find("page"));
    if (gp_run_adopt(&run, gan, &err) != GP_OK) {
        FUZZ_REQUIRE(err.msg[0] != 0);
        gp_gan_free(gan);
        gp_run_free(&run);
        return;
    }
    const gp_history *h = &run.hist;
    FUZZ_REQUIRE(h->n_points <= GP_HISTORY_KEEP_POINTS && h->n_measures <= GP_HISTORY_KEEP_MEASURES &&
                 h->n_snaps <= GP_HISTORY_KEEP_SNAPSHOTS);
    FUZZ_REQUIRE(h->n_snaps == 0 || (h->snap_w == run.view_w && h->snap_h == run.view_h));
    gp_json j;
    gp_json_init(&j);
    gp_run_history_json(&run, &j);
    FUZZ_REQUIRE(gp_json_text(&j) != NULL);
    gp_json_free(&j);
    uint8_t *rgba = malloc(4 * (size_t)(h->snap_w ? h->snap_w : 1) * (size_t)(h->snap_h ? h->snap_h : 1));
    FUZZ_REQUIRE(rgba);
    for (uint32_t k = 0; k < h->n_snaps; k++) FUZZ_REQUIRE(gp_run_snapshot_rgba(&run, k, rgba) > 0);
    free(rgba);
    gp_shape im = run.gan.image;
    gp_dataset ds;
    int has_ds = 0;
    if (cheap(&run.gan) && (im.c == 1 || im.c == 3)) {
        size_t px = 10 * (size_t)im.h * im.w * 4;
        uint8_t *pixels = malloc(px);
        FUZZ_REQUIRE(pixels);
        for (size_t i = 0; i < px; i++) pixels[i] = (uint8_t)(i * 37u);
        has_ds = gp_dataset_from_rgba(&ds, pixels, 10, im.h, im.w, im.c, 10, 10, &err) == GP_OK;
        free(pixels);
    }
    if (has_ds && gp_gan_check_data(&run.gan, &ds, NULL) == GP_OK) {
        gp_run_set_images(&run, &ds);
        run.policy.snap_every = 1;
        for (int i = 0; i < 2; i++) {
            gp_run_turn t;
            uint32_t before = h->n_snaps;
            FUZZ_REQUIRE(gp_run_step(&run, GP_RUN_STEP, &t, &err) == GP_OK);
            if (t.halted) break;
            FUZZ_REQUIRE(t.snapshots == 1 && h->n_snaps >= 1 && h->n_snaps <= before + 1 &&
                         h->snap_steps[h->n_snaps - 1] == (uint32_t)run.gan.stats.step);
        }
    }
    uint8_t *bytes;
    size_t n;
    gp_status saved = run.gan.has_d ? gp_run_save(&run, GP_SAVE_TRAINING, &bytes, &n, &err) : GP_ERR_ARG;
    FUZZ_REQUIRE(!run.gan.has_d || saved == GP_OK || saved == GP_ERR_NAN); /* NaN weights: refused, never written */
    if (saved == GP_OK) { /* the history written back: a state that loads and is taken again */
        gp_gan back;
        FUZZ_REQUIRE(gp_model_load(&back, bytes, n, &err) == GP_OK);
        free(bytes);
        gp_run other;
        gp_run_init(&other, gp_run_policy_find("cli"));
        FUZZ_REQUIRE(gp_run_adopt(&other, &back, &err) == GP_OK);
        FUZZ_REQUIRE(other.hist.n_points == h->n_points && other.hist.n_snaps == h->n_snaps);
        gp_run_free(&other);
    }
    gp_run_free(&run);
    if (has_ds) gp_dataset_free(&ds);
}

/* A 2-D model (only a run's own state holds one): a 2-D run takes it and trains a round. */
static void run_2d(gp_gan *gan) {
    gp_err err = {{0}};
    gp_run run;
    gp_run_init(&run, gp_run_policy_find("page_2d"));
    int small = cheap(gan);
    if (gp_run_adopt(&run, gan, &err) != GP_OK) {
        FUZZ_REQUIRE(err.msg[0] != 0);
        gp_gan_free(gan);
        gp_run_free(&run);
        return;
    }
    gp_2d_dist dist;
    FUZZ_REQUIRE(gp_2d_dist_init(&dist, "ring", NULL, 0, &err) == GP_OK);
    gp_run_set_2d(&run, &dist);
    gp_run_turn t;
    if (small) FUZZ_REQUIRE(gp_run_step(&run, GP_RUN_STEP, &t, &err) == GP_OK);
    gp_run_free(&run);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t len;
    uint8_t *file = fuzz_file(data, size, &len);
    if (!file) return 0;
    gp_gan gan;
    gp_err err;
    if (gp_model_load(&gan, file, len, &err) == GP_OK) {
        use(&gan);
        run_it(&gan);
    } else {
        FUZZ_REQUIRE(err.msg[0] != 0); /* a refusal says why */
        if (gp_model_load_state(&gan, file, len, &err) == GP_OK) {
            FUZZ_REQUIRE(gan.image.c == 2 && gan.image.h == 1 && gan.image.w == 1);
            run_2d(&gan);
        }
    }
    free(file);
    return 0;
}
