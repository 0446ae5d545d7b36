/*
 * testutil.h - the harness and assertion kit the unit tests share, in the
 * manner of acutest (fluent-bit's TEST_LIST).
 *
 * A test file declares its cases as `static void test_xxx(void)` functions
 * and lists them, NULL-terminated:
 *
 *     TEST_LIST = {{"real_documents", test_real_documents},
 *                  {"limits", test_limits},
 *                  {NULL, NULL}};
 *
 * and defines no main(): the harness (testutil.c) owns it. It runs every
 * case, or only those named on the command line, each in a child process
 * of its own (so a crash, an abort or a sanitizer report fails that case
 * and the others still run), prints one line per case
 *
 *     ok   limits (0.21 s)
 *     FAIL limits (0.21 s): tests/test_envelope.c:123: <the check's message>
 *
 * and ends with the plain line "N passed, N failed" (cases). The exit
 * status is 0 when every case passed, 1 when one failed, 2 on a usage
 * error (an unknown case name). Options: --list prints the case names,
 * --no-fork runs the cases in this process (for a debugger).
 *
 * CHECK(cond, why...) records a failure with the reason a reader needs
 * ("what would be wrong if this failed") and goes on: a case keeps going
 * after a failed check, so one run shows every broken promise. Each
 * failed check is also written in full (condition and message) to stderr.
 */
#ifndef RK_TESTUTIL_H
#define RK_TESTUTIL_H

#include <stddef.h>

typedef struct rk_test_case_s {
    const char *name;
    void (*func)(void);
} rk_test_case_t;

/* The case table every test file defines: TEST_LIST = {..., {NULL, NULL}}. */
#define TEST_LIST const rk_test_case_t rk_test_list[]
extern TEST_LIST;

void rk_test_fail(const char *file, int line, const char *cond, const char *fmt,
                  ...) __attribute__((format(printf, 4, 5)));

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (!(cond))                                                           \
            rk_test_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);              \
    } while (0)

/* Failed checks so far in the running case (to stop early when the rest
 * of a case depends on what just failed). */
int rk_test_case_failures(void);

/* Reads a whole file into a NUL-terminated malloc'd buffer (the caller
 * frees); aborts the test run when the file cannot be read. */
char *rk_test_read_file(const char *path, size_t *len);

/* Reads a seed document by file name prefix ("002" finds 002_*.txt) from
 * $RAKIZA_SEEDS. The caller frees. */
char *rk_test_read_seed(const char *prefix, size_t *len);

/* A fresh empty directory for the running case, created on first call
 * (the same path for the rest of the case) under $TMPDIR or /tmp; the
 * harness removes it, with everything in it, when the case ends. */
const char *rk_test_tmpdir(void);

/* Writes len bytes of content to dir/name (dir: rk_test_tmpdir() when
 * NULL); returns the path (static storage, valid until the next call).
 * Aborts the test run when the file cannot be written. */
const char *rk_test_write_file(const char *dir, const char *name,
                               const char *content, size_t len);

#endif
