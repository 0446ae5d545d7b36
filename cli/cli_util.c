/*
 * cli_util.c - error reporting shared by the subcommands.
 */
#include <stdarg.h>
#include <stdio.h>

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
