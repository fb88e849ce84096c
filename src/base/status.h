/* status.h: results of functions at the API, file and wasm boundary.
 * They return a gp_status and, when err is not NULL, a sentence saying what
 * went wrong. Library code never exits or aborts on user input. */
#ifndef GP_STATUS_H
#define GP_STATUS_H

typedef enum {
    GP_OK = 0,
    GP_ERR_ARG = 1,    /* a bad argument or hyperparameter */
    GP_ERR_NOMEM = 2,  /* allocation failed */
    GP_ERR_IO = 3,     /* a file could not be opened, read or written */
    GP_ERR_FORMAT = 4, /* a file's contents are malformed */
    GP_ERR_NAN = 5     /* training produced a non-finite value */
} gp_status;

/* room for a message naming a long path (file messages show at most its
 * last 400 bytes) and still saying why */
#define GP_ERR_MSG 1024
typedef struct {
    char msg[GP_ERR_MSG];
} gp_err;

/* Records a printf-style message in err (if not NULL); returns code. */
gp_status gp_fail(gp_err *err, gp_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Programmer errors (not user input): report file:line and stop. */
#define GP_ASSERT(cond)                                                  \
    do {                                                                 \
        if (!(cond)) gp_assert_failed(#cond, __FILE__, __LINE__);        \
    } while (0)
void gp_assert_failed(const char *cond, const char *file, int line);

#endif
