/*
 * bench_util.c - see bench_util.h.
 */
#include "bench_util.h"

#include "core/file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double bench_cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *bench_read_file(const char *path, size_t *len) {
    char *buf, err[256];
    return rk_file_read(path, RK_FILE_MAX_INPUT, &buf, len, err, sizeof err)
               ? NULL
               : buf;
}

int bench_parse_opts(int argc, char **argv, const char *const *names,
                     const char **values, size_t n) {
    int argi = 1;
    for (; argi < argc && !strncmp(argv[argi], "--", 2); argi += 2) {
        size_t i = 0;
        while (i < n && strcmp(argv[argi] + 2, names[i]))
            i++;
        if (i == n || argi + 1 >= argc)
            return -1;
        values[i] = argv[argi + 1];
    }
    return argi;
}
