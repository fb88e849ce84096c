/* check.h: the few assertions the C tests use. Each failed check prints
 * file:line and what differed, counts a failure, and the test goes on;
 * main returns check_report(), which fails a test that checked nothing. */
#ifndef GP_CHECK_H
#define GP_CHECK_H

#include <math.h>
#include <stdio.h>

static int check_failures = 0;
static int check_count = 0;

#define CHECK(cond)                                                        \
    do {                                                                   \
        check_count++;                                                     \
        if (!(cond)) {                                                     \
            check_failures++;                                              \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                  \
    } while (0)

/* CHECK that also says what was checked when it fails, and gives the
 * result: if (!CHECK_OK(load(...) == GP_OK, path)) return; */
static inline int check_ok(int ok, const char *cond, const char *what, const char *file, int line) {
    check_count++;
    if (!ok) {
        check_failures++;
        fprintf(stderr, "%s:%d: check failed: %s (%s)\n", file, line, cond, what);
    }
    return ok;
}
#define CHECK_OK(cond, what) check_ok(!!(cond), #cond, (what), __FILE__, __LINE__)

/* |a - b| <= atol + rtol * |b|, and neither is NaN */
#define CHECK_CLOSE(a, b, atol, rtol)                                      \
    do {                                                                   \
        double check_a_ = (a), check_b_ = (b);                             \
        check_count++;                                                     \
        if (!(fabs(check_a_ - check_b_) <= (atol) + (rtol) * fabs(check_b_))) { \
            check_failures++;                                              \
            fprintf(stderr, "%s:%d: %s = %.9g, expected %s = %.9g\n", __FILE__, __LINE__, \
                    #a, check_a_, #b, check_b_);                           \
        }                                                                  \
    } while (0)

static inline int check_report(const char *name) {
    if (check_count == 0) {
        fprintf(stderr, "%s: FAILED: it ran no checks\n", name);
        return 1;
    }
    if (check_failures) {
        fprintf(stderr, "%s: %d of %d checks FAILED\n", name, check_failures, check_count);
        return 1;
    }
    printf("%s: all %d checks passed\n", name, check_count);
    return 0;
}

#endif
