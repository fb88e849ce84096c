#include "store/provenance.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/modelfile.h" /* gp_crc32: PNG's CRC is the same CRC-32 */

/* ---- the weights' hash ------------------------------------------------------ */

#define FNV64_OFFSET 0xcbf29ce484222325ull
#define FNV64_PRIME 0x100000001b3ull

static uint64_t fnv_bytes(uint64_t h, const uint8_t *b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= FNV64_PRIME;
    }
    return h;
}

static uint64_t fnv_u64(uint64_t h, uint64_t v) {
    uint8_t b[8];
    for (int k = 0; k < 8; k++) b[k] = (uint8_t)(v >> (8 * k));
    return fnv_bytes(h, b, 8);
}

/* each float as its IEEE bits, least significant byte first, whatever the host's order */
static uint64_t fnv_floats(uint64_t h, const float *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, v + i, 4);
        uint8_t b[4] = {(uint8_t)bits, (uint8_t)(bits >> 8), (uint8_t)(bits >> 16), (uint8_t)(bits >> 24)};
        h = fnv_bytes(h, b, 4);
    }
    return h;
}

void gp_gan_weights_hash(const gp_gan *gan, char out[GP_PROV_HASH_LEN]) {
    const gp_net *G = &gan->G;
    const float *params = gan->ema ? gan->ema : G->params; /* what gp_gan_generate samples with */
    uint64_t h = FNV64_OFFSET;
    h = fnv_u64(h, (uint64_t)G->n_params);
    h = fnv_u64(h, (uint64_t)G->n_buffers);
    h = fnv_floats(h, params, G->n_params);
    h = fnv_floats(h, G->buffers, G->n_buffers);
    snprintf(out, GP_PROV_HASH_LEN, "fnv1a64:%016" PRIx64, h);
}

/* ---- the JSON ------------------------------------------------------------------ */

const char *gp_provenance_model_name(const char *source, char *buf, size_t cap) {
    GP_ASSERT(buf && cap > 0);
    const char *base = source ? strrchr(source, '/') : NULL;
    base = base ? base + 1 : source;
    if (!base || !base[0]) base = source && source[0] ? "model" : "trained-in-page"; /* "dir/": a folder's name is no model's */
    snprintf(buf, cap, "%s", base);
    char *dot = strrchr(buf, '.');
    if (dot && dot != buf) *dot = 0;
    return buf;
}

void gp_provenance_init(gp_provenance *p) {
    memset(p, 0, sizeof *p);
    p->seed = -1;
    p->index = -1;
    p->count = 1;
    p->label = -1;
    p->units_layer = -1;
}

#define GP_PROV_MAX_SEED ((int64_t)1 << 53) /* seeds the page's number field holds exactly */

/* The UTF-8 text src with every character past ASCII as \uXXXX (a pair of
 * surrogates past U+FFFF), into a malloc'ed string. src is what gp_json
 * writes: valid UTF-8, and characters past ASCII only inside strings, where
 * the escape means the same. NULL when out of memory. */
static char *ascii_copy(const char *src) {
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)src; *c; c++) n += *c < 0x80 ? 1 : 12; /* ample */
    char *out = malloc(n + 1), *o = out;
    if (!out) return NULL;
    for (const char *c = src; *c;) {
        unsigned char b = (unsigned char)*c;
        if (b < 0x80) {
            *o++ = *c++;
            continue;
        }
        int k = gp_utf8_length(c);
        unsigned cp;
        if (k == 2) cp = (b & 0x1Fu) << 6 | ((unsigned char)c[1] & 0x3Fu);
        else if (k == 3) cp = (b & 0x0Fu) << 12 | ((unsigned char)c[1] & 0x3Fu) << 6 | ((unsigned char)c[2] & 0x3Fu);
        else if (k == 4)
            cp = (b & 0x07u) << 18 | ((unsigned char)c[1] & 0x3Fu) << 12 | ((unsigned char)c[2] & 0x3Fu) << 6 |
                 ((unsigned char)c[3] & 0x3Fu);
        else {
            cp = 0xFFFD; /* not expected from gp_json: the replacement character, as it writes */
            k = 1;
        }
        if (cp > 0xFFFF) {
            cp -= 0x10000;
            o += sprintf(o, "\\u%04x\\u%04x", 0xD800u + (cp >> 10), 0xDC00u + (cp & 0x3FFu));
        } else {
            o += sprintf(o, "\\u%04x", cp);
        }
        c += k;
    }
    *o = 0;
    return out;
}

gp_status gp_provenance_json(const gp_provenance *p, gp_json *j, gp_err *err) {
    if (!p->model || !p->model[0]) return gp_fail(err, GP_ERR_ARG, "provenance: no model name");
    if (!p->weights || strncmp(p->weights, "fnv1a64:", 8) != 0)
        return gp_fail(err, GP_ERR_ARG, "provenance: no weights hash");
    if (!p->what || !p->what[0]) return gp_fail(err, GP_ERR_ARG, "provenance: no 'what'");
    if (p->seed < -1 || p->seed >= GP_PROV_MAX_SEED)
        return gp_fail(err, GP_ERR_ARG, "provenance: seed %" PRId64 " is outside 0..2^53-1", p->seed);
    if (p->index < -1 || p->count < 1 || p->label < -1)
        return gp_fail(err, GP_ERR_ARG, "provenance: index %ld, count %ld or class %d out of range", p->index, p->count,
                       p->label);
    if (p->n_directions < 0 || p->n_directions > GP_PROV_MAX_DIRECTIONS)
        return gp_fail(err, GP_ERR_ARG, "provenance: %d directions (at most %d)", p->n_directions,
                       GP_PROV_MAX_DIRECTIONS);
    for (int k = 0; k < p->n_directions; k++) {
        if (!p->direction_names[k] || !p->direction_names[k][0])
            return gp_fail(err, GP_ERR_ARG, "provenance: direction %d has no name", k);
        if (!isfinite(p->direction_amounts[k]))
            return gp_fail(err, GP_ERR_ARG, "provenance: direction '%s' has a non-finite amount", p->direction_names[k]);
    }
    if (p->units_layer >= 0 && (p->n_units < 0 || p->n_units > GP_PROV_MAX_UNITS || (p->n_units > 0 && !p->units)))
        return gp_fail(err, GP_ERR_ARG, "provenance: %d units off (at most %d)", p->n_units, GP_PROV_MAX_UNITS);

    gp_json raw;
    gp_json_init(&raw);
    gp_json_open(&raw, '{');
    gp_json_kstr(&raw, "software", "ganplay");
    gp_json_kstr(&raw, "model", p->model);
    gp_json_kstr(&raw, "weights", p->weights);
    gp_json_key(&raw, "seed");
    if (p->seed >= 0) gp_json_int(&raw, p->seed);
    else gp_json_null(&raw);
    gp_json_key(&raw, "index");
    if (p->index >= 0) gp_json_int(&raw, p->index);
    else gp_json_null(&raw);
    gp_json_kint(&raw, "count", p->count);
    gp_json_key(&raw, "class");
    if (p->label >= 0) gp_json_int(&raw, p->label);
    else gp_json_null(&raw);
    gp_json_key(&raw, "directions");
    gp_json_open(&raw, '{');
    for (int k = 0; k < p->n_directions; k++) gp_json_knum(&raw, p->direction_names[k], p->direction_amounts[k]); /* %.9g: 0.1 as 0.1 */
    gp_json_close(&raw, '}');
    gp_json_key(&raw, "units_off");
    if (p->units_layer >= 0) {
        gp_json_open(&raw, '{');
        gp_json_kint(&raw, "layer", p->units_layer);
        gp_json_key(&raw, "units");
        gp_json_open(&raw, '[');
        for (int k = 0; k < p->n_units; k++) gp_json_int(&raw, p->units[k]);
        gp_json_close(&raw, ']');
        gp_json_close(&raw, '}');
    } else {
        gp_json_null(&raw);
    }
    gp_json_kstr(&raw, "what", p->what);
    gp_json_close(&raw, '}');
    const char *text = gp_json_text(&raw);
    char *ascii = text ? ascii_copy(text) : NULL;
    gp_json_free(&raw);
    if (!ascii) return gp_fail(err, GP_ERR_NOMEM, "out of memory building the provenance");
    gp_json_raw(j, ascii);
    free(ascii);
    if (!gp_json_text(j)) return gp_fail(err, GP_ERR_NOMEM, "out of memory building the provenance");
    return GP_OK;
}

/* ---- PNG chunks ------------------------------------------------------------------- */

static const uint8_t PNG_SIGNATURE[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
#define PNG_MAX_CHUNK 0x7FFFFFFFu /* the PNG specification's limit on a chunk's length */

static uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

typedef struct {
    size_t at;          /* offset of the chunk (its length field) */
    size_t size;        /* the whole chunk: length, type, data, CRC */
    char type[5];
    const uint8_t *data;
    uint32_t len;       /* of data */
} png_chunk;

/* The chunk at *pos, checked (bounds, type letters, CRC); *pos moves past it. */
static gp_status next_chunk(const uint8_t *png, size_t len, size_t *pos, png_chunk *c, gp_err *err) {
    size_t at = *pos;
    if (len - at < 12)
        return gp_fail(err, GP_ERR_FORMAT, "the PNG is cut short: a chunk at byte %zu needs 12 bytes, %zu are left", at,
                       len - at);
    uint32_t n = be32(png + at);
    for (int k = 0; k < 4; k++) {
        uint8_t b = png[at + 4 + k];
        if (!((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z')))
            return gp_fail(err, GP_ERR_FORMAT, "the PNG's chunk at byte %zu has a type that is not four letters", at);
        c->type[k] = (char)b;
    }
    c->type[4] = 0;
    if (n > PNG_MAX_CHUNK || n > len - at - 12)
        return gp_fail(err, GP_ERR_FORMAT, "the PNG's %s chunk at byte %zu claims %" PRIu32 " bytes, more than the file "
                       "holds (cut short or damaged)", c->type, at, n);
    uint32_t crc = be32(png + at + 8 + n);
    if (gp_crc32(png + at + 4, (size_t)n + 4) != crc)
        return gp_fail(err, GP_ERR_FORMAT, "the PNG's %s chunk at byte %zu fails its CRC: the file is damaged", c->type, at);
    c->at = at;
    c->size = (size_t)n + 12;
    c->data = png + at + 8;
    c->len = n;
    *pos = at + c->size;
    return GP_OK;
}

/* The signature, the size and IHDR first; *pos then points past IHDR. */
static gp_status png_start(const uint8_t *png, size_t len, size_t *pos, png_chunk *ihdr, gp_err *err) {
    if (!png || len < 8 || memcmp(png, PNG_SIGNATURE, 8) != 0) return gp_fail(err, GP_ERR_FORMAT, "not a PNG file");
    if (len > GP_PNG_MAX_BYTES)
        return gp_fail(err, GP_ERR_FORMAT, "the PNG is %zu bytes, more than %zu", len, GP_PNG_MAX_BYTES);
    *pos = 8;
    gp_status st = next_chunk(png, len, pos, ihdr, err);
    if (st != GP_OK) return st;
    if (strcmp(ihdr->type, "IHDR") != 0 || ihdr->len != 13)
        return gp_fail(err, GP_ERR_FORMAT, "the PNG does not start with its header (IHDR)");
    return GP_OK;
}

/* Whether a tEXt chunk is named keyword (its keyword ends at the first NUL). */
static int text_named(const png_chunk *c, const char *keyword) {
    size_t k = strlen(keyword);
    return strcmp(c->type, "tEXt") == 0 && c->len > k && memcmp(c->data, keyword, k) == 0 && c->data[k] == 0;
}

/* The bytes of a tEXt chunk keyword = text at p (12 + strlen(keyword) + 1 + strlen(text) bytes). */
static size_t write_text_chunk(uint8_t *p, const char *keyword, const char *text) {
    size_t k = strlen(keyword), t = strlen(text), n = k + 1 + t;
    put_be32(p, (uint32_t)n);
    memcpy(p + 4, "tEXt", 4);
    memcpy(p + 8, keyword, k);
    p[8 + k] = 0;
    memcpy(p + 9 + k, text, t);
    put_be32(p + 8 + n, gp_crc32(p + 4, n + 4));
    return n + 12;
}

static int printable_ascii(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7E) return 0;
    return 1;
}

gp_status gp_png_add_text(const uint8_t *png, size_t len, const char *keyword, const char *text, uint8_t **out,
                          size_t *out_len, gp_err *err) {
    *out = NULL;
    *out_len = 0;
    size_t k = keyword ? strlen(keyword) : 0, t = text ? strlen(text) : 0;
    if (k < 1 || k > 79 || !printable_ascii(keyword, k) || keyword[0] == ' ' || keyword[k - 1] == ' ')
        return gp_fail(err, GP_ERR_ARG, "a PNG text keyword is 1..79 printable ASCII characters");
    if (!text || t > GP_PNG_TEXT_MAX || !printable_ascii(text, t))
        return gp_fail(err, GP_ERR_ARG, "the PNG text must be printable ASCII, at most %zu bytes", GP_PNG_TEXT_MAX);
    size_t pos;
    png_chunk c;
    gp_status st = png_start(png, len, &pos, &c, err);
    if (st != GP_OK) return st;
    size_t ihdr_end = pos, kept = 0;
    int ended = 0;
    while (!ended && pos < len) { /* every chunk checked before a byte is written */
        if ((st = next_chunk(png, len, &pos, &c, err)) != GP_OK) return st;
        if (!text_named(&c, keyword) && !text_named(&c, "Software")) kept += c.size;
        ended = strcmp(c.type, "IEND") == 0;
    }
    if (!ended) return gp_fail(err, GP_ERR_FORMAT, "the PNG has no end (IEND chunk)");
    static const char *const software = "Software", *const name = "ganplay";
    size_t total = ihdr_end + (12 + strlen(software) + 1 + strlen(name)) + (12 + k + 1 + t) + kept;
    uint8_t *o = malloc(total);
    if (!o) return gp_fail(err, GP_ERR_NOMEM, "out of memory writing the PNG's text");
    memcpy(o, png, ihdr_end);
    size_t w = ihdr_end;
    w += write_text_chunk(o + w, software, name);
    w += write_text_chunk(o + w, keyword, text);
    pos = ihdr_end;
    for (ended = 0; !ended;) {
        next_chunk(png, len, &pos, &c, NULL); /* checked above */
        if (!text_named(&c, keyword) && !text_named(&c, "Software")) {
            memcpy(o + w, png + c.at, c.size);
            w += c.size;
        }
        ended = strcmp(c.type, "IEND") == 0;
    }
    GP_ASSERT(w == total);
    *out = o;
    *out_len = total;
    return GP_OK;
}

gp_status gp_png_find_text(const uint8_t *png, size_t len, const char *keyword, char **text, gp_err *err) {
    *text = NULL;
    size_t pos;
    png_chunk c, found = {0};
    gp_status st = png_start(png, len, &pos, &c, err);
    if (st != GP_OK) return st;
    int ended = 0, has = 0;
    while (!ended && pos < len) {
        if ((st = next_chunk(png, len, &pos, &c, err)) != GP_OK) return st;
        if (!has && text_named(&c, keyword)) {
            found = c;
            has = 1;
        }
        ended = strcmp(c.type, "IEND") == 0;
    }
    if (!ended) return gp_fail(err, GP_ERR_FORMAT, "the PNG has no end (IEND chunk): the file is cut short");
    if (!has) return gp_fail(err, GP_ERR_ARG, "the PNG has no '%s' text chunk: it does not say where it came from", keyword);
    size_t k = strlen(keyword), n = found.len - k - 1;
    const char *src = (const char *)found.data + k + 1;
    if (n > GP_PNG_TEXT_MAX)
        return gp_fail(err, GP_ERR_FORMAT, "the PNG's '%s' text is %zu bytes, more than %zu", keyword, n, GP_PNG_TEXT_MAX);
    if (!printable_ascii(src, n))
        return gp_fail(err, GP_ERR_FORMAT, "the PNG's '%s' text holds bytes that are not printable ASCII", keyword);
    char *s = malloc(n + 1);
    if (!s) return gp_fail(err, GP_ERR_NOMEM, "out of memory reading the PNG's text");
    memcpy(s, src, n);
    s[n] = 0;
    *text = s;
    return GP_OK;
}
