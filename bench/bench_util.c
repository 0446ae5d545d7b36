/*
 * bench_util.c - see bench_util.h.
 */
#include "bench_util.h"

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
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    long size = fseek(f, 0, SEEK_END) ? -1 : ftell(f);
    char *buf = size >= 0 ? malloc((size_t)size + 1) : NULL;
    int bad = !buf || fseek(f, 0, SEEK_SET) ||
              fread(buf, 1, (size_t)size, f) != (size_t)size;
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[size] = '\0';
    *len = (size_t)size;
    return buf;
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
