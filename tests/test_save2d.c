/* Saved 2-D runs (gp_run_save_2d, gp_run_open_2d; the model file's plane
 * section): save then open gives the same D and G outputs bit for bit, the
 * same distribution (drawn points too), rounds, charts and readouts, and
 * goes on training exactly as the run would have; damaged, truncated and
 * lying files are refused with a message and the run on show stays; an
 * image model's file is refused by the 2-D mode and a 2-D file by the
 * image mode, each saying where it opens. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "check.h"
#include "gan/2d.h"
#include "gan/gan.h"
#include "run/run.h"
#include "store/modelfile.h"

#define GRID 16
#define MESH 8

/* A 2-D run on dist (owned by the caller) with some rounds, a D step and two measurements. */
static void make_run(gp_run *run, gp_2d_dist *dist, const char *name, const float *pts, int n, int rounds) {
    gp_err err;
    gp_gan_config cfg;
    gp_gan_config_default(&cfg, "2d", NULL);
    cfg.seed = 3;
    snprintf(cfg.dataset, sizeof cfg.dataset, "%s", name);
    CHECK(gp_2d_dist_init(dist, name, pts, n, &err) == GP_OK);
    gp_gan gan;
    CHECK(gp_gan_create(&gan, &cfg, 1, &err) == GP_OK);
    gp_run_init(run, gp_run_policy_find("cli_2d"));
    gp_run_set_2d(run, dist);
    CHECK(gp_run_adopt(run, &gan, &err) == GP_OK);
    gp_run_turn t;
    for (int i = 0; i < rounds; i++) {
        CHECK(gp_run_step(run, GP_RUN_STEP, &t, &err) == GP_OK);
        if (i == rounds / 2) gp_run_measure(run);
    }
    CHECK(gp_run_step(run, GP_RUN_D_STEP, &t, &err) == GP_OK);
    gp_run_measure(run);
    CHECK(run->rounds == rounds && run->hist.n_measures == 2);
}

/* D over the plane and G's manifold and samples, as the view draws them. */
typedef struct {
    float grid[GRID * GRID], mesh_z[2 * MESH * MESH], mesh[2 * MESH * MESH];
} outputs;

static void outputs_of(gp_run *run, outputs *o) {
    gp_2d_d_grid(&run->gan, GRID, o->grid);
    gp_2d_manifold(&run->gan, MESH, o->mesh_z, o->mesh);
}

static int same_outputs(gp_run *a, gp_run *b) {
    static outputs oa, ob;
    outputs_of(a, &oa);
    outputs_of(b, &ob);
    return !memcmp(&oa, &ob, sizeof oa);
}

static int same_runs(gp_run *a, gp_run *b) {
    return a->rounds == b->rounds && a->gan.stats.step == b->gan.stats.step &&
           a->gan.stats.d_step == b->gan.stats.d_step && a->hist.n_points == b->hist.n_points &&
           !memcmp(a->hist.points, b->hist.points, sizeof(float) * GP_HISTORY_POINT * a->hist.n_points) &&
           a->hist.n_measures == b->hist.n_measures &&
           !memcmp(a->hist.measures, b->hist.measures, sizeof(float) * GP_HISTORY_MEASURE * a->hist.n_measures) &&
           same_outputs(a, b);
}

static void fix_crc(uint8_t *bytes, size_t len) {
    uint32_t crc = gp_crc32(bytes, len - 4);
    for (int k = 0; k < 4; k++) bytes[len - 4 + k] = (uint8_t)(crc >> (8 * k));
}

static void put_u32(uint8_t *p, uint32_t v) {
    for (int k = 0; k < 4; k++) p[k] = (uint8_t)(v >> (8 * k));
}

static void test_round_trip(void) {
    static gp_2d_dist da, db;
    static gp_2d_state st;
    gp_run a, b;
    gp_err err;
    make_run(&a, &da, "ring", NULL, 0, 40);
    uint8_t *bytes;
    size_t len;
    CHECK(gp_run_save_2d(&a, "collapse", 99, &bytes, &len, &err) == GP_OK);
    CHECK(gp_run_check_2d(bytes, len, &err) == GP_OK);
    /* opened into a run showing something else */
    make_run(&b, &db, "moons", NULL, 0, 3);
    if (!CHECK_OK(gp_run_open_2d(&b, &db, &st, bytes, len, &err) == GP_OK, err.msg)) return;
    CHECK(same_runs(&a, &b));
    CHECK(b.dist == &db && db.kind == GP_2D_RING && !memcmp(&da, &db, sizeof da));
    CHECK(!strcmp(st.lesson, "collapse") && st.frame_seed == 99 && st.rounds == 40 && st.n_js == 2);
    /* the measurements' JS came back (the history keeps KL) */
    for (uint32_t i = 0; i < a.hist.n_measures; i++)
        CHECK(isfinite(b.hist.measures[3 * i + 2]) && b.hist.measures[3 * i + 2] == a.hist.measures[3 * i + 2]);
    /* what it holds, for people (ganplay info, the page's answer on opening) */
    gp_json j;
    gp_json_init(&j);
    gp_2d_state_json(&b.gan, &st, &j);
    const char *text = gp_json_text(&j);
    CHECK_OK(text && strstr(text, "{\"mode\":\"2d\",\"distribution\":\"ring\",\"distribution_label\":\"Ring of 8 Gaussians\","
                             "\"drawn_points\":0,\"lesson\":\"collapse\",\"rounds\":40,\"g_steps\":") == text &&
             strstr(text, "\"measurements\":2,\"frame_seed\":99,\"model\":{\"preset\":\"2d\""), text ? text : "no JSON");
    gp_json_free(&j);
    /* the readouts: the same measurement as the run's last, no new chart row */
    CHECK(b.has_eval_2d && !memcmp(&a.eval_2d, &b.eval_2d, sizeof a.eval_2d) && b.hist.n_measures == 2);
    /* and training goes on exactly as the saved run does */
    gp_run_turn t;
    for (int i = 0; i < 7; i++) {
        CHECK(gp_run_step(&a, GP_RUN_STEP, &t, &err) == GP_OK);
        CHECK(gp_run_step(&b, GP_RUN_STEP, &t, &err) == GP_OK);
    }
    CHECK(a.rounds == 47 && same_runs(&a, &b));
    /* a run's own last good state (no plane section) is not a saved run; it still restores */
    uint8_t *good;
    size_t good_len;
    CHECK(gp_run_save(&a, GP_SAVE_TRAINING, &good, &good_len, &err) == GP_OK);
    err.msg[0] = 0;
    CHECK(gp_run_check_2d(good, good_len, &err) == GP_ERR_FORMAT && strstr(err.msg, "no plane section"));
    free(good);
    gp_gan g;
    CHECK(gp_model_load_state(&g, bytes, len, &err) == GP_OK && g.has_d); /* the plane is read past */
    gp_gan_free(&g);
    /* a 2-D file in the image mode: refused, saying where it opens */
    err.msg[0] = 0;
    CHECK(gp_model_load(&g, bytes, len, &err) == GP_ERR_FORMAT && strstr(err.msg, "2-D mode") && !g.G.params);
    CHECK(gp_run_check_file(bytes, len, &err) == GP_ERR_FORMAT && strstr(err.msg, "2-D mode"));
    /* no lesson: "" */
    free(bytes);
    CHECK(gp_run_save_2d(&a, NULL, 7, &bytes, &len, &err) == GP_OK);
    CHECK(gp_run_open_2d(&b, &db, &st, bytes, len, &err) == GP_OK && st.lesson[0] == 0 && st.frame_seed == 7);
    /* what cannot be saved is refused */
    CHECK(gp_run_save_2d(&a, "no_such_lesson", 7, &good, &good_len, &err) == GP_ERR_ARG);
    CHECK(gp_run_save_2d(&a, NULL, (uint64_t)1 << 53, &good, &good_len, &err) == GP_ERR_ARG);
    free(bytes);
    gp_run_free(&a);
    gp_run_free(&b);
}

/* A drawn distribution's points come back exactly. */
static void test_drawn(void) {
    static gp_2d_dist da, db;
    static gp_2d_state st;
    float pts[2 * 37];
    for (int i = 0; i < 37; i++) {
        pts[2 * i] = -1.2f + 0.065f * (float)i;
        pts[2 * i + 1] = 0.4f * sinf((float)i);
    }
    gp_run a, b;
    gp_err err;
    make_run(&a, &da, "drawn", pts, 37, 12);
    make_run(&b, &db, "ring", NULL, 0, 2);
    uint8_t *bytes;
    size_t len;
    CHECK(gp_run_save_2d(&a, NULL, 99, &bytes, &len, &err) == GP_OK);
    if (!CHECK_OK(gp_run_open_2d(&b, &db, &st, bytes, len, &err) == GP_OK, err.msg)) return;
    CHECK(db.kind == GP_2D_DRAWN && db.n_drawn == 37 && !memcmp(db.drawn, pts, sizeof pts));
    CHECK(!strcmp(b.gan.cfg.dataset, "drawn") && same_runs(&a, &b));
    gp_json j;
    gp_json_init(&j);
    gp_2d_state_json(&b.gan, &st, &j);
    const char *text = gp_json_text(&j);
    CHECK_OK(text && strstr(text, "\"distribution\":\"drawn\",") && strstr(text, "\"drawn_points\":37,\"lesson\":null,\"rounds\":12,"),
             text ? text : "no JSON");
    gp_json_free(&j);
    free(bytes);
    gp_run_free(&a);
    gp_run_free(&b);
}

/* Whether opening bytes is refused with a message, the run on show (b, on db) unchanged. */
static int refused(gp_run *b, gp_2d_dist *db, const uint8_t *bytes, size_t len, gp_run *same_as) {
    static gp_2d_state st;
    static gp_2d_dist before;
    before = *db;
    gp_err err;
    err.msg[0] = 0;
    st.rounds = -5;
    gp_status s = gp_run_open_2d(b, db, &st, bytes, len, &err);
    int ok = s != GP_OK && err.msg[0] && st.rounds == -5 && !memcmp(&before, db, sizeof before) &&
             b->rounds == same_as->rounds && same_outputs(b, same_as);
    if (!ok) fprintf(stderr, "  not refused cleanly (status %d): %s\n", (int)s, err.msg);
    return ok;
}

static void test_refusals(void) {
    static gp_2d_dist da, db, dc;
    gp_run a, b, c;
    gp_err err;
    float pts[6] = {0.1f, 0.2f, -0.5f, 0.5f, 1.0f, -1.0f};
    make_run(&a, &da, "drawn", pts, 3, 10);
    make_run(&b, &db, "ring", NULL, 0, 6);
    make_run(&c, &dc, "ring", NULL, 0, 6); /* b's twin: what b must still be */
    uint8_t *bytes;
    size_t len;
    CHECK(gp_run_save_2d(&a, "drawing" /* not a lesson */, 99, &bytes, &len, &err) == GP_ERR_ARG);
    CHECK(gp_run_save_2d(&a, "healthy", 99, &bytes, &len, &err) == GP_OK);
    uint8_t *copy = malloc(len + 16);
    /* truncated anywhere in the last 200 bytes (the plane, the history's end) and 16 cuts before */
    int ok = 1;
    for (size_t cut = 0; cut < len; cut += cut + 200 < len ? len / 16 : 1) {
        memcpy(copy, bytes, cut);
        ok &= refused(&b, &db, copy, cut, &c);
        if (cut >= 12) { /* with the checksum made right: the reader's bounds, not the CRC, refuse it */
            fix_crc(copy, cut);
            ok &= refused(&b, &db, copy, cut, &c);
        }
    }
    CHECK(ok);
    /* a flipped bit anywhere */
    ok = 1;
    for (size_t pos = 5; pos < len; pos += len / 23) {
        memcpy(copy, bytes, len);
        copy[pos] ^= 0x08;
        ok &= refused(&b, &db, copy, len, &c);
    }
    CHECK(ok);
    /* well-formed lies (checksum right): the plane section is the last
     * 4 + 16 + 16 + 8 + 8 + 4 + 3 x 8 + 4 + 2 x 4 bytes before the CRC */
    size_t plane = len - 4 - (56 + 24 + 4 + 8);
    struct { size_t at; uint32_t value; } lies[] = {
        {plane, 2},                      /* a newer section version */
        {plane + 4, 0x676e6972},         /* "ring", not the model's "drawn" */
        {plane + 20, 0x6e6b6e75},        /* lesson "unkn..." */
        {plane + 36, 1000000},           /* more rounds than G steps */
        {plane + 48, 0x00300000},        /* the seed past 2^53 */
        {plane + 52, 0},                 /* no drawn points for "drawn" */
        {plane + 52, 5000},              /* too many */
        {plane + 52, 0xFFFFFFFFu},       /* hostile */
        {plane + 56, 0x7FC00000u},       /* a NaN drawn point */
        {plane + 56, 0x40400000u},       /* x = 3: outside the plane */
        {plane + 80, 1},                 /* JS count not the history's */
        {plane + 80, 0xFFFFFFFFu},
        {plane + 84, 0x7F800000u},       /* an infinite JS */
    };
    ok = 1;
    for (size_t k = 0; k < sizeof lies / sizeof lies[0]; k++) {
        memcpy(copy, bytes, len);
        put_u32(copy + lies[k].at, lies[k].value);
        fix_crc(copy, len);
        int r = refused(&b, &db, copy, len, &c);
        if (!r) fprintf(stderr, "  lie %zu at %zu\n", k, lies[k].at);
        ok &= r;
    }
    CHECK(ok);
    /* the plane flag on a file without one, and trailing bytes */
    memcpy(copy, bytes, len);
    memset(copy + len - 4, 0, 16);
    CHECK(refused(&b, &db, copy, len + 12, &c));
    free(bytes);
    /* an image model's file: refused, saying where it opens */
    gp_gan_config cfg;
    gp_gan_config_default(&cfg, "mlp", NULL);
    gp_gan img;
    CHECK(gp_gan_create(&img, &cfg, 1, &err) == GP_OK);
    CHECK(gp_model_save(&img, GP_SAVE_TRAINING, &bytes, &len, &err) == GP_OK);
    gp_gan_free(&img);
    CHECK(refused(&b, &db, bytes, len, &c));
    err.msg[0] = 0;
    CHECK(gp_run_check_2d(bytes, len, &err) == GP_ERR_FORMAT && strstr(err.msg, "image model") && strstr(err.msg, "Model box"));
    free(bytes);
    /* not a model file at all */
    CHECK(refused(&b, &db, (const uint8_t *)"hello, world", 12, &c));
    free(copy);
    gp_run_free(&a);
    gp_run_free(&b);
    gp_run_free(&c);
}

int main(void) {
    test_round_trip();
    test_drawn();
    test_refusals();
    return check_report("save2d");
}
