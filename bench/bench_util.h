/*
 * bench_util.h - what the benchmark programs in bench/ share: this thread's
 * CPU clock, reading a whole file and their "--name value" options.
 */
#ifndef RK_BENCH_UTIL_H
#define RK_BENCH_UTIL_H

#include <stddef.h>

/* This thread's CPU time in seconds. The benchmarks time CPU, not wall
 * time, because the machine is shared: the figure is what one core does
 * when it has the core. */
double bench_cpu_seconds(void);

/* Reads the file at path into a malloc'd, NUL-terminated buffer (*len
 * excludes the NUL). Returns NULL when it cannot be read. */
char *bench_read_file(const char *path, size_t *len);

/* Reads the leading "--name value" pairs of argv: values[i] gets the
 * value of "--" names[i] (n names). Returns the index of the first other
 * argument, or -1 on an unknown option or one without a value. */
int bench_parse_opts(int argc, char **argv, const char *const *names,
                     const char **values, size_t n);

#endif
