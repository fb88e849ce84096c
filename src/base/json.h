/* json.h: JSON answers built in a buffer that grows to fit.
 *
 * Every answer that crosses the wasm boundary, and every JSON line the CLI
 * prints, is built here: keys and values with the commas placed for the
 * caller, strings escaped (bytes that are not UTF-8 as U+FFFD), non-finite
 * numbers written as null. An answer that cannot grow (out of memory) is
 * marked failed and never handed out cut short: gp_json_text returns NULL
 * then. */
#ifndef GP_JSON_H
#define GP_JSON_H

#include <stddef.h>

#define GP_JSON_MAX_DEPTH 16

typedef struct {
    char *buf;
    size_t len, cap;
    int failed;                        /* out of memory, or nesting past GP_JSON_MAX_DEPTH */
    int depth;
    unsigned char first[GP_JSON_MAX_DEPTH]; /* no value yet at this depth */
    int after_key;
} gp_json;

/* An empty answer (no memory yet); gp_json_free releases it. */
void gp_json_init(gp_json *j);
void gp_json_free(gp_json *j);
/* Starts a new answer in the same memory. */
void gp_json_reset(gp_json *j);
/* The answer, NUL-terminated, or NULL if it failed. */
const char *gp_json_text(const gp_json *j);

void gp_json_open(gp_json *j, char bracket);  /* '{' or '[' */
void gp_json_close(gp_json *j, char bracket); /* '}' or ']' */
void gp_json_key(gp_json *j, const char *key); /* the next value is this key's */
void gp_json_str(gp_json *j, const char *s);   /* NULL writes null */
void gp_json_num(gp_json *j, double v);        /* %.9g: a float's digits; NaN and infinities: null */
void gp_json_double(gp_json *j, double v);     /* %.17g */
void gp_json_int(gp_json *j, long long v);
void gp_json_bool(gp_json *j, int v);
void gp_json_null(gp_json *j);
/* Already-made JSON (another builder's text) as the next value. */
void gp_json_raw(gp_json *j, const char *text);
/* An array of n numbers (%.9g, null for non-finite), stride apart in v. */
void gp_json_nums(gp_json *j, const float *v, size_t n, size_t stride);

/* The length (1..4) of the well-formed UTF-8 sequence at s, or 0 for a
 * byte that is not part of one: what the strings above write as U+FFFD.
 * Text printed elsewhere (the CLI's messages) is made valid UTF-8 with it. */
int gp_utf8_length(const char *s);

/* key: value in one call */
void gp_json_kstr(gp_json *j, const char *key, const char *s);
void gp_json_knum(gp_json *j, const char *key, double v);
void gp_json_kint(gp_json *j, const char *key, long long v);
void gp_json_kbool(gp_json *j, const char *key, int v);

#endif
