/*
 * testutil.c - see testutil.h.
 */
#include "testutil.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rk_test_failures = 0;
int rk_test_checks = 0;

void rk_test_fail(const char *file, int line, const char *cond, const char *fmt,
                  ...) {
    rk_test_failures++;
    fprintf(stderr, "FAIL %s:%d: %s\n  why it matters: ", file, line, cond);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

char *rk_test_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

char *rk_test_read_seed(const char *prefix, size_t *len) {
    const char *dir = getenv("RAKIZA_SEEDS");
    if (!dir)
        dir = "../shared/seeds";
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "cannot open seed directory %s\n", dir);
        exit(2);
    }
    struct dirent *e;
    char path[4096] = "";
    while ((e = readdir(d)))
        if (!strncmp(e->d_name, prefix, strlen(prefix))) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            break;
        }
    closedir(d);
    if (!*path) {
        fprintf(stderr, "no seed %s* in %s\n", prefix, dir);
        exit(2);
    }
    return rk_test_read_file(path, len);
}

int rk_test_done(const char *name) {
    int passed = rk_test_checks - rk_test_failures;
    printf("%s: %d passed, %d failed\n", name, passed, rk_test_failures);
    return rk_test_failures ? 1 : 0;
}
