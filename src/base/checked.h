/* checked.h: size arithmetic that refuses to wrap, whatever the width of
 * size_t (64 bits natively, 32 in wasm). Loaders multiply and add the
 * counts a file declares with these before they compare them with the
 * file's length or allocate: a product that wraps would pass a length
 * check and then read past the buffer. */
#ifndef GP_CHECKED_H
#define GP_CHECKED_H

#include <stddef.h>
#include <stdint.h>

/* *out = a * b if that is at most limit; otherwise 0 and *out untouched. */
static inline int gp_mul_within(uint64_t a, uint64_t b, uint64_t limit, uint64_t *out) {
    if (b && a > limit / b) return 0;
    *out = a * b;
    return 1;
}

/* *out = a + b if that is at most limit; otherwise 0 and *out untouched. */
static inline int gp_add_within(uint64_t a, uint64_t b, uint64_t limit, uint64_t *out) {
    if (a > limit || b > limit - a) return 0;
    *out = a + b;
    return 1;
}

/* In this build's size_t: 1 and *out = a * b (a + b), or 0 if it does not fit. */
static inline int gp_size_mul(size_t a, size_t b, size_t *out) {
    uint64_t r;
    if (!gp_mul_within(a, b, SIZE_MAX, &r)) return 0;
    *out = (size_t)r;
    return 1;
}

static inline int gp_size_add(size_t a, size_t b, size_t *out) {
    uint64_t r;
    if (!gp_add_within(a, b, SIZE_MAX, &r)) return 0;
    *out = (size_t)r;
    return 1;
}

#endif
