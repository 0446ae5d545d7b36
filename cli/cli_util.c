/*
 * cli_util.c - error reporting shared by the subcommands.
 */
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int rk_cli_fail(const char *cmd, rk_err_t err, const char *msg) {
    fprintf(stderr, "rakiza %s: %s\n", cmd, msg);
    return err == RK_ERR_USAGE ? RK_EXIT_USAGE : RK_EXIT_ERROR;
}

int rk_cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "rakiza %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see rakiza %s --help)\n", cmd);
    return RK_EXIT_USAGE;
}

rk_err_t rk_cli_read_input(const char *path, char **buf, size_t *len,
                           char *errstr, size_t errstr_size) {
    int is_stdin = !strcmp(path, "-");
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return rk_fail(RK_ERR_IO, errstr, errstr_size, "cannot open '%s': %s",
                       path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *data = malloc(cap);
    rk_err_t err = data ? RK_OK
                        : rk_fail(RK_ERR_NOMEM, errstr, errstr_size,
                                  "out of memory");
    while (!err) {
        if (cap - n < 2) {
            if (cap >= RK_CLI_MAX_INPUT) {
                err = rk_fail(RK_ERR_LIMIT, errstr, errstr_size,
                              "'%s' is larger than %zu bytes", path,
                              RK_CLI_MAX_INPUT);
                break;
            }
            char *bigger = realloc(data, cap * 2);
            if (!bigger) {
                err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size,
                              "out of memory");
                break;
            }
            data = bigger;
            cap *= 2;
        }
        size_t got = fread(data + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                err = rk_fail(RK_ERR_IO, errstr, errstr_size,
                              "cannot read '%s'", path);
            break;
        }
    }
    if (!is_stdin)
        fclose(f);
    if (err) {
        free(data);
        return err;
    }
    data[n] = '\0';
    *buf = data;
    *len = n;
    return RK_OK;
}
