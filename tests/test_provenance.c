/* test_provenance.c: the weights' hash, the provenance JSON, and the PNG
 * text chunk written and read back, with hostile PNGs refused. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "store/modelfile.h"
#include "store/provenance.h"

/* A 1x1 gray PNG, built by hand: signature, IHDR, IDAT (a zlib stored block
 * of the filter byte and the pixel), IEND; each chunk with its CRC. */
static size_t put_chunk(uint8_t *p, const char *type, const uint8_t *data, uint32_t n) {
    p[0] = (uint8_t)(n >> 24), p[1] = (uint8_t)(n >> 16), p[2] = (uint8_t)(n >> 8), p[3] = (uint8_t)n;
    memcpy(p + 4, type, 4);
    if (n) memcpy(p + 8, data, n);
    uint32_t crc = gp_crc32(p + 4, n + 4);
    p[8 + n] = (uint8_t)(crc >> 24), p[9 + n] = (uint8_t)(crc >> 16), p[10 + n] = (uint8_t)(crc >> 8),
    p[11 + n] = (uint8_t)crc;
    return n + 12;
}

static size_t tiny_png(uint8_t *p) {
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    static const uint8_t ihdr[13] = {0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0};
    static const uint8_t idat[13] = {0x78, 0x01, 0x01, 0x02, 0x00, 0xFD, 0xFF, 0x00, 0x80, 0x00, 0x82, 0x00, 0x81};
    memcpy(p, sig, 8);
    size_t n = 8;
    n += put_chunk(p + n, "IHDR", ihdr, 13);
    n += put_chunk(p + n, "IDAT", idat, 13);
    n += put_chunk(p + n, "IEND", NULL, 0);
    return n;
}

static void test_hash(void) {
    gp_gan_config cfg;
    gp_gan_config_default(&cfg, "mlp", NULL);
    cfg.seed = 7;
    cfg.batch = 8;
    gp_gan a, b;
    gp_err err;
    if (!CHECK_OK(gp_gan_create(&a, &cfg, 1, &err) == GP_OK, err.msg)) return;
    char h1[GP_PROV_HASH_LEN], h2[GP_PROV_HASH_LEN];
    gp_gan_weights_hash(&a, h1);
    gp_gan_weights_hash(&a, h2);
    CHECK(strlen(h1) == 24 && strncmp(h1, "fnv1a64:", 8) == 0 && strspn(h1 + 8, "0123456789abcdef") == 16);
    CHECK(strcmp(h1, h2) == 0);
    /* a generator file of it hashes the same (float32 keeps every bit) */
    uint8_t *bytes;
    size_t len;
    CHECK(gp_model_save(&a, GP_SAVE_GENERATOR, &bytes, &len, &err) == GP_OK);
    if (CHECK_OK(gp_model_load(&b, bytes, len, &err) == GP_OK, err.msg)) {
        gp_gan_weights_hash(&b, h2);
        CHECK(strcmp(h1, h2) == 0);
        gp_gan_free(&b);
    }
    free(bytes);
    /* one weight, or one running statistic, changed: another hash */
    float w0 = a.G.params[0];
    a.G.params[0] = w0 + 1e-6f;
    gp_gan_weights_hash(&a, h2);
    CHECK(strcmp(h1, h2) != 0);
    a.G.params[0] = w0;
    if (a.G.n_buffers) {
        float b0 = a.G.buffers[0];
        a.G.buffers[0] = b0 + 1.0f;
        gp_gan_weights_hash(&a, h2);
        CHECK(strcmp(h1, h2) != 0);
        a.G.buffers[0] = b0;
    }
    /* D's weights are not what samples are drawn with */
    a.D.params[0] += 1.0f;
    gp_gan_weights_hash(&a, h2);
    CHECK(strcmp(h1, h2) == 0);
    gp_gan_free(&a);

    /* with a moving average, the average is hashed (what gp_gan_generate uses),
     * and the generator file of the training state hashes the same */
    cfg.ema = 0.999f;
    if (!CHECK_OK(gp_gan_create(&a, &cfg, 1, &err) == GP_OK, err.msg)) return;
    for (size_t i = 0; i < a.G.n_params; i++) a.ema[i] = a.G.params[i] * 0.5f;
    gp_gan_weights_hash(&a, h1);
    a.G.params[0] += 1.0f;
    gp_gan_weights_hash(&a, h2);
    CHECK(strcmp(h1, h2) == 0);
    CHECK(gp_model_save(&a, GP_SAVE_GENERATOR, &bytes, &len, &err) == GP_OK);
    if (CHECK_OK(gp_model_load(&b, bytes, len, &err) == GP_OK, err.msg)) {
        gp_gan_weights_hash(&b, h2);
        CHECK(strcmp(h1, h2) == 0);
        gp_gan_free(&b);
    }
    free(bytes);
    gp_gan_free(&a);
}

static void test_names(void) {
    char buf[64];
    CHECK(strcmp(gp_provenance_model_name("models/mnist-cdcgan.gpm", buf, sizeof buf), "mnist-cdcgan") == 0);
    CHECK(strcmp(gp_provenance_model_name("my.model.gpm", buf, sizeof buf), "my.model") == 0);
    CHECK(strcmp(gp_provenance_model_name(".hidden", buf, sizeof buf), ".hidden") == 0);
    CHECK(strcmp(gp_provenance_model_name("a/b/", buf, sizeof buf), "model") == 0);
    CHECK(strcmp(gp_provenance_model_name("", buf, sizeof buf), "trained-in-page") == 0);
    CHECK(strcmp(gp_provenance_model_name(NULL, buf, sizeof buf), "trained-in-page") == 0);
    CHECK(strcmp(gp_provenance_model_name("abcdefghij.gpm", buf, 6), "abcde") == 0);
}

static void test_json(void) {
    gp_provenance p;
    gp_provenance_init(&p);
    p.model = "mnist-cdcgan";
    p.weights = "fnv1a64:0123456789abcdef";
    p.seed = 42;
    p.index = 0;
    p.count = 64;
    p.what = "sample";
    gp_json j;
    gp_json_init(&j);
    gp_err err = {{0}};
    CHECK(gp_provenance_json(&p, &j, &err) == GP_OK);
    const char *want = "{\"software\":\"ganplay\",\"model\":\"mnist-cdcgan\",\"weights\":\"fnv1a64:0123456789abcdef\","
                       "\"seed\":42,\"index\":0,\"count\":64,\"class\":null,\"directions\":{},\"units_off\":null,"
                       "\"what\":\"sample\"}";
    CHECK_OK(gp_json_text(&j) && strcmp(gp_json_text(&j), want) == 0, gp_json_text(&j));

    /* every field filled; a name past ASCII escaped */
    static const int units[3] = {3, 17, 40};
    p.model = "caf\xc3\xa9 \xf0\x9f\x98\x80";
    p.seed = ((int64_t)1 << 53) - 1;
    p.index = 5;
    p.count = 1;
    p.label = 7;
    p.n_directions = 2;
    p.direction_names[0] = "random-1";
    p.direction_amounts[0] = 0.1;
    p.direction_names[1] = "smile";
    p.direction_amounts[1] = -2.5;
    p.units_layer = 2;
    p.n_units = 3;
    p.units = units;
    p.what = "project";
    gp_json_reset(&j);
    CHECK(gp_provenance_json(&p, &j, &err) == GP_OK);
    want = "{\"software\":\"ganplay\",\"model\":\"caf\\u00e9 \\ud83d\\ude00\",\"weights\":\"fnv1a64:0123456789abcdef\","
           "\"seed\":9007199254740991,\"index\":5,\"count\":1,\"class\":7,\"directions\":{\"random-1\":0.1,\"smile\":-2.5},"
           "\"units_off\":{\"layer\":2,\"units\":[3,17,40]},\"what\":\"project\"}";
    CHECK_OK(gp_json_text(&j) && strcmp(gp_json_text(&j), want) == 0, gp_json_text(&j));

    /* inputs out of range: refused with a message, nothing written */
    gp_provenance bad = p;
    bad.seed = (int64_t)1 << 53;
    gp_json_reset(&j);
    err.msg[0] = 0;
    CHECK(gp_provenance_json(&bad, &j, &err) == GP_ERR_ARG && strstr(err.msg, "seed") && j.len == 0);
    bad = p;
    bad.direction_amounts[1] = NAN;
    CHECK(gp_provenance_json(&bad, &j, &err) == GP_ERR_ARG && strstr(err.msg, "smile"));
    bad = p;
    bad.n_directions = GP_PROV_MAX_DIRECTIONS + 1;
    CHECK(gp_provenance_json(&bad, &j, &err) == GP_ERR_ARG);
    bad = p;
    bad.weights = "md5:x";
    CHECK(gp_provenance_json(&bad, &j, &err) == GP_ERR_ARG && strstr(err.msg, "hash"));
    bad = p;
    bad.model = NULL;
    CHECK(gp_provenance_json(&bad, &j, &err) == GP_ERR_ARG);
    bad = p;
    bad.count = 0;
    CHECK(gp_provenance_json(&bad, &j, &err) == GP_ERR_ARG);
    gp_json_free(&j);
}

static void test_round_trip(void) {
    uint8_t png[128];
    size_t len = tiny_png(png);
    gp_err err = {{0}};
    char *text = NULL;
    /* a PNG without the chunk: sound, but says nothing */
    CHECK(gp_png_find_text(png, len, "ganplay", &text, &err) == GP_ERR_ARG && strstr(err.msg, "no 'ganplay'") && !text);

    const char *json = "{\"software\":\"ganplay\",\"seed\":1}";
    uint8_t *out;
    size_t out_len;
    if (!CHECK_OK(gp_png_add_text(png, len, "ganplay", json, &out, &out_len, &err) == GP_OK, err.msg)) return;
    /* the chunks: Software then ganplay, right after IHDR; the rest as it was */
    size_t soft = 12 + 9 + 7, ours = 12 + 8 + strlen(json);
    CHECK(out_len == len + soft + ours);
    CHECK(memcmp(out, png, 33) == 0 && memcmp(out + 37, "tEXtSoftware\0ganplay", 20) == 0);
    CHECK(memcmp(out + 33 + soft + 4, "tEXtganplay\0{", 13) == 0);
    CHECK(memcmp(out + 33 + soft + ours, png + 33, len - 33) == 0);
    if (CHECK_OK(gp_png_find_text(out, out_len, "ganplay", &text, &err) == GP_OK, err.msg)) {
        CHECK(strcmp(text, json) == 0);
        free(text);
    }
    if (CHECK_OK(gp_png_find_text(out, out_len, "Software", &text, &err) == GP_OK, err.msg)) {
        CHECK(strcmp(text, "ganplay") == 0);
        free(text);
    }
    /* stamped again: still one of each, the new text */
    uint8_t *again;
    size_t again_len;
    if (CHECK_OK(gp_png_add_text(out, out_len, "ganplay", "{\"seed\":2}", &again, &again_len, &err) == GP_OK, err.msg)) {
        CHECK(again_len == len + soft + 12 + 8 + 10);
        if (CHECK_OK(gp_png_find_text(again, again_len, "ganplay", &text, &err) == GP_OK, err.msg)) {
            CHECK(strcmp(text, "{\"seed\":2}") == 0);
            free(text);
        }
        free(again);
    }
    /* bytes after IEND are dropped when stamping, ignored when reading */
    uint8_t tail[256];
    memcpy(tail, out, out_len);
    memcpy(tail + out_len, "junk", 4);
    CHECK(gp_png_find_text(tail, out_len + 4, "ganplay", &text, &err) == GP_OK && text && strcmp(text, json) == 0);
    free(text);
    text = NULL;
    /* what cannot be written: a keyword or text past the rules */
    CHECK(gp_png_add_text(png, len, "", json, &again, &again_len, &err) == GP_ERR_ARG && !again);
    CHECK(gp_png_add_text(png, len, "ganplay", "line\nbreak", &again, &again_len, &err) == GP_ERR_ARG && !again);
    CHECK(gp_png_add_text(png, len, "ganplay", "caf\xc3\xa9", &again, &again_len, &err) == GP_ERR_ARG);
    free(out);
}

/* hostile PNGs: each refused with a message, no read outside the bytes */
static void test_hostile(void) {
    uint8_t png[128], *out = NULL;
    size_t len = tiny_png(png), out_len;
    gp_err err = {{0}};
    char *text = NULL;
    if (!CHECK_OK(gp_png_add_text(png, len, "ganplay", "{\"a\":1}", &out, &out_len, &err) == GP_OK, err.msg)) return;
    uint8_t *b = malloc(out_len);

    /* not a PNG; empty; NULL */
    CHECK(gp_png_find_text((const uint8_t *)"GIF89a....", 10, "ganplay", &text, &err) == GP_ERR_FORMAT &&
          strstr(err.msg, "not a PNG"));
    CHECK(gp_png_find_text(out, 0, "ganplay", &text, &err) == GP_ERR_FORMAT);
    CHECK(gp_png_find_text(NULL, 0, "ganplay", &text, &err) == GP_ERR_FORMAT);
    /* truncated at every length: refused, never a crash */
    int refused = 0;
    for (size_t n = 0; n < out_len; n++) {
        memcpy(b, out, n);
        refused += gp_png_find_text(b, n, "ganplay", &text, &err) == GP_ERR_FORMAT && !text;
    }
    CHECK_OK(refused == (int)out_len, "every truncation refused");
    memcpy(b, out, out_len);
    CHECK(gp_png_find_text(b, out_len - 12, "ganplay", &text, &err) == GP_ERR_FORMAT && strstr(err.msg, "IEND"));
    /* a huge length in the ganplay chunk (at 33 + 28) */
    size_t at = 33 + 28;
    memcpy(b, out, out_len);
    b[at] = 0xFF, b[at + 1] = 0xFF, b[at + 2] = 0xFF, b[at + 3] = 0xF0;
    CHECK(gp_png_find_text(b, out_len, "ganplay", &text, &err) == GP_ERR_FORMAT && strstr(err.msg, "claims"));
    b[at] = 0x7F;
    CHECK(gp_png_find_text(b, out_len, "ganplay", &text, &err) == GP_ERR_FORMAT && strstr(err.msg, "claims"));
    /* a bad CRC: a byte of the text changed */
    memcpy(b, out, out_len);
    b[at + 8 + 9] ^= 1;
    CHECK(gp_png_find_text(b, out_len, "ganplay", &text, &err) == GP_ERR_FORMAT && strstr(err.msg, "CRC"));
    /* every single bit flipped: refused or read, never a crash or a wrong text */
    int wrong = 0;
    for (size_t i = 0; i < out_len * 8; i++) {
        memcpy(b, out, out_len);
        b[i / 8] ^= (uint8_t)(1u << (i % 8));
        gp_status st = gp_png_find_text(b, out_len, "ganplay", &text, &err);
        if (st == GP_OK) wrong += strcmp(text, "{\"a\":1}") != 0;
        free(text);
        text = NULL;
    }
    CHECK(wrong == 0);
    /* IHDR not first (CRCs right) */
    size_t n = 8;
    n += put_chunk(b + n, "IEND", NULL, 0);
    CHECK(gp_png_find_text(b, n, "ganplay", &text, &err) == GP_ERR_FORMAT && strstr(err.msg, "IHDR"));
    /* a type that is not letters, with a matching CRC */
    n = 8;
    n += put_chunk(b + n, "IHDR", out + 16, 13);
    n += put_chunk(b + n, "tE1t", (const uint8_t *)"ganplay\0{}", 10);
    CHECK(gp_png_find_text(b, n, "ganplay", &text, &err) == GP_ERR_FORMAT && strstr(err.msg, "four letters"));
    /* our chunk with a control byte, or a NUL, in its text (CRC right): refused */
    n = 8;
    n += put_chunk(b + n, "IHDR", out + 16, 13);
    n += put_chunk(b + n, "tEXt", (const uint8_t *)"ganplay\0{\x1b[2J}", 14);
    n += put_chunk(b + n, "IEND", NULL, 0);
    CHECK(gp_png_find_text(b, n, "ganplay", &text, &err) == GP_ERR_FORMAT && strstr(err.msg, "printable"));
    n = 8;
    n += put_chunk(b + n, "IHDR", out + 16, 13);
    n += put_chunk(b + n, "tEXt", (const uint8_t *)"ganplay\0{\0}", 11);
    n += put_chunk(b + n, "IEND", NULL, 0);
    CHECK(gp_png_find_text(b, n, "ganplay", &text, &err) == GP_ERR_FORMAT);
    /* a tEXt with no NUL, or another keyword that starts like ours: not ours */
    n = 8;
    n += put_chunk(b + n, "IHDR", out + 16, 13);
    n += put_chunk(b + n, "tEXt", (const uint8_t *)"ganplay{}", 9);
    n += put_chunk(b + n, "tEXt", (const uint8_t *)"ganplayer\0{}", 12);
    n += put_chunk(b + n, "IEND", NULL, 0);
    CHECK(gp_png_find_text(b, n, "ganplay", &text, &err) == GP_ERR_ARG && !text);
    /* stamping refuses what reading refuses */
    uint8_t *o2 = NULL;
    size_t o2_len;
    memcpy(b, out, out_len);
    b[at + 8 + 9] ^= 1;
    CHECK(gp_png_add_text(b, out_len, "ganplay", "{}", &o2, &o2_len, &err) == GP_ERR_FORMAT && !o2);
    CHECK(gp_png_add_text(out, out_len - 12, "ganplay", "{}", &o2, &o2_len, &err) == GP_ERR_FORMAT && !o2);
    free(b);
    free(out);
}

int main(void) {
    test_hash();
    test_names();
    test_json();
    test_round_trip();
    test_hostile();
    return check_report("test_provenance");
}
