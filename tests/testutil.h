/*
 * testutil.h - the small assertion kit the unit tests share.
 *
 * CHECK(cond, why...) records a failure with the reason a reader needs
 * ("what would be wrong if this failed") and goes on; rk_test_done()
 * prints the summary line and returns the process exit status.
 */
#ifndef RK_TESTUTIL_H
#define RK_TESTUTIL_H

#include <stddef.h>

extern int rk_test_failures;
extern int rk_test_checks;

void rk_test_fail(const char *file, int line, const char *cond, const char *fmt,
                  ...) __attribute__((format(printf, 4, 5)));

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        rk_test_checks++;                                                      \
        if (!(cond))                                                           \
            rk_test_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);              \
    } while (0)

/* Reads a whole file into a NUL-terminated malloc'd buffer (the caller
 * frees); aborts the test run when the file cannot be read. */
char *rk_test_read_file(const char *path, size_t *len);

/* Reads a seed document by file name prefix ("002" finds 002_*.txt) from
 * $RAKIZA_SEEDS. The caller frees. */
char *rk_test_read_seed(const char *prefix, size_t *len);

/* Prints "<name>: N passed, N failed" and returns the exit status. */
int rk_test_done(const char *name);

#endif
