#include "base/json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gp_json_init(gp_json *j) { memset(j, 0, sizeof *j); }

void gp_json_free(gp_json *j) {
    free(j->buf);
    gp_json_init(j);
}

void gp_json_reset(gp_json *j) {
    char *buf = j->buf;
    size_t cap = j->cap;
    gp_json_init(j);
    j->buf = buf;
    j->cap = cap;
    if (buf) buf[0] = 0;
}

const char *gp_json_text(const gp_json *j) {
    if (j->failed) return NULL;
    return j->buf ? j->buf : "";
}

static int room(gp_json *j, size_t n) {
    if (j->failed) return 0;
    if (j->len + n + 1 <= j->cap) return 1;
    size_t cap = j->cap ? j->cap : 256;
    while (cap < j->len + n + 1) {
        if (cap > ((size_t)-1) / 2) {
            j->failed = 1;
            return 0;
        }
        cap *= 2;
    }
    char *p = realloc(j->buf, cap);
    if (!p) {
        j->failed = 1;
        return 0;
    }
    j->buf = p;
    j->cap = cap;
    return 1;
}

static void put(gp_json *j, const char *s, size_t n) {
    if (!room(j, n)) return;
    memcpy(j->buf + j->len, s, n);
    j->len += n;
    j->buf[j->len] = 0;
}

static void putf(gp_json *j, const char *fmt, ...) {
    char small[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        j->failed = 1;
    } else if ((size_t)n < sizeof small) {
        put(j, small, (size_t)n);
    } else if (room(j, (size_t)n)) {
        va_start(ap, fmt);
        vsnprintf(j->buf + j->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
        j->len += (size_t)n;
    }
}

/* the comma before a value, unless it follows its key or opens its container */
static void before_value(gp_json *j) {
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (j->depth > 0) {
        if (!j->first[j->depth - 1]) put(j, ",", 1);
        j->first[j->depth - 1] = 0;
    }
}

void gp_json_open(gp_json *j, char bracket) {
    before_value(j);
    if (j->depth >= GP_JSON_MAX_DEPTH) {
        j->failed = 1;
        return;
    }
    put(j, &bracket, 1);
    j->first[j->depth++] = 1;
}

void gp_json_close(gp_json *j, char bracket) {
    if (j->depth > 0) j->depth--;
    put(j, &bracket, 1);
}

/* The length of the well-formed UTF-8 sequence at c (RFC 3629: no overlong
 * form, no surrogate, nothing past U+10FFFF), or 0. Reads no further than
 * the first byte that does not fit (a NUL ends it). */
static int utf8_length(const unsigned char *c) {
    if (c[0] < 0x80) return 1;
    int n = c[0] >= 0xc2 && c[0] <= 0xdf ? 2 : c[0] >= 0xe0 && c[0] <= 0xef ? 3 : c[0] >= 0xf0 && c[0] <= 0xf4 ? 4 : 0;
    unsigned lo = c[0] == 0xe0 ? 0xa0 : c[0] == 0xf0 ? 0x90 : 0x80;
    unsigned hi = c[0] == 0xed ? 0x9f : c[0] == 0xf4 ? 0x8f : 0xbf;
    if (!n || c[1] < lo || c[1] > hi) return 0;
    for (int k = 2; k < n; k++)
        if ((c[k] & 0xc0) != 0x80) return 0;
    return n;
}

int gp_utf8_length(const char *s) { return utf8_length((const unsigned char *)s); }

/* A string: quotes and backslashes escaped, control bytes as \u00XX, and
 * each byte that is not part of well-formed UTF-8 (a name cut inside a
 * character, a file's stray bytes) as U+FFFD, so that the answer is valid
 * UTF-8 and JSON whatever the bytes. */
static void quoted(gp_json *j, const char *s) {
    put(j, "\"", 1);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        int n = utf8_length(c);
        if (*c == '"' || *c == '\\') {
            char e[2] = {'\\', (char)*c};
            put(j, e, 2);
        } else if (*c < 0x20) {
            putf(j, "\\u%04x", *c);
        } else if (n) {
            put(j, (const char *)c, (size_t)n);
            c += n - 1;
        } else {
            put(j, "\\ufffd", 6);
        }
    }
    put(j, "\"", 1);
}

void gp_json_key(gp_json *j, const char *key) {
    before_value(j);
    quoted(j, key);
    put(j, ":", 1);
    j->after_key = 1;
}

void gp_json_str(gp_json *j, const char *s) {
    before_value(j);
    if (s) quoted(j, s);
    else put(j, "null", 4);
}

void gp_json_num(gp_json *j, double v) {
    before_value(j);
    if (isfinite(v)) putf(j, "%.9g", v);
    else put(j, "null", 4);
}

void gp_json_double(gp_json *j, double v) {
    before_value(j);
    if (isfinite(v)) putf(j, "%.17g", v);
    else put(j, "null", 4);
}

void gp_json_int(gp_json *j, long long v) {
    before_value(j);
    putf(j, "%lld", v);
}

void gp_json_bool(gp_json *j, int v) {
    before_value(j);
    if (v) put(j, "true", 4);
    else put(j, "false", 5);
}

void gp_json_null(gp_json *j) {
    before_value(j);
    put(j, "null", 4);
}

void gp_json_raw(gp_json *j, const char *text) {
    before_value(j);
    if (!text) {
        j->failed = 1;
        return;
    }
    put(j, text, strlen(text));
}

void gp_json_nums(gp_json *j, const float *v, size_t n, size_t stride) {
    gp_json_open(j, '[');
    for (size_t i = 0; i < n; i++) gp_json_num(j, v[i * stride]);
    gp_json_close(j, ']');
}

void gp_json_kstr(gp_json *j, const char *key, const char *s) {
    gp_json_key(j, key);
    gp_json_str(j, s);
}

void gp_json_knum(gp_json *j, const char *key, double v) {
    gp_json_key(j, key);
    gp_json_num(j, v);
}

void gp_json_kint(gp_json *j, const char *key, long long v) {
    gp_json_key(j, key);
    gp_json_int(j, v);
}

void gp_json_kbool(gp_json *j, const char *key, int v) {
    gp_json_key(j, key);
    gp_json_bool(j, v);
}
