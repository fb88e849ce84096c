#include "base/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

gp_status gp_fail(gp_err *err, gp_status code, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void gp_assert_failed(const char *cond, const char *file, int line) {
    fprintf(stderr, "%s:%d: internal error: assertion '%s' failed\n", file, line, cond);
    abort();
}
