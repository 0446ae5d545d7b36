/*
 * cli_util.c - error reporting shared by the subcommands.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#include <time.h>
#include <unistd.h>

#include "models/model.h"

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

int rk_cli_load_model(const char *cmd, const char *path,
                      struct rk_model_s **out) {
    char errstr[1024];
    rk_err_t err = rk_model_load(path ? path : rk_model_default_path(), out,
                                 errstr, sizeof errstr);
    return err ? rk_cli_fail(cmd, err, errstr) : RK_EXIT_OK;
}

void rk_cli_progress(void *opaque, size_t done, size_t total) {
    static struct timespec start;
    static int started;
    if (!isatty(STDERR_FILENO) || total == 0)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!started || done <= 1) {
        start = now;
        started = 1;
    }
    double secs = (double)(now.tv_sec - start.tv_sec) +
                  (double)(now.tv_nsec - start.tv_nsec) / 1e9;
    double rate = secs > 0 ? (double)done / secs : 0;
    double eta = rate > 0 ? (double)(total - done) / rate : 0;
    int width = 30, fill = (int)((double)width * (double)done / (double)total);
    fprintf(stderr, "\r%s [%.*s%*s] %3d%% %zu/%zu %.1f/s ETA %.0fs ",
            opaque ? (const char *)opaque : "", fill,
            "##############################", width - fill, "",
            (int)(100.0 * (double)done / (double)total), done, total, rate,
            eta);
    if (done >= total) {
        fputc('\n', stderr);
        started = 0;
    }
}
