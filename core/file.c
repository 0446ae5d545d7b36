/*
 * file.c - see file.h. Reading grows a buffer by doubling, so stdin and
 * pipes (whose size is unknown) take the same path as files.
 */
#include "core/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"

/* Reads f to its end into data (cap bytes, grown by doubling). */
static rk_err_t read_stream(FILE *f, const char *path, size_t max, char **data,
                            size_t *n, char *errstr, size_t errstr_size) {
    size_t cap = 1 << 16;
    *data = malloc(cap);
    *n = 0;
    if (!*data)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    for (;;) {
        if (cap - *n < 2) {
            if (cap >= max)
                return rk_fail(RK_ERR_LIMIT, errstr, errstr_size,
                               "'%s' is larger than %zu bytes", path, max);
            if (!rk_grow(data, &cap, *n + 2, 1, 1 << 16))
                return rk_fail(RK_ERR_NOMEM, errstr, errstr_size,
                               "out of memory");
        }
        size_t got = fread(*data + *n, 1, cap - *n - 1, f);
        *n += got;
        if (got == 0)
            break;
    }
    if (ferror(f))
        return rk_fail(RK_ERR_IO, errstr, errstr_size, "cannot read '%s'",
                       path);
    if (*n > max)
        return rk_fail(RK_ERR_LIMIT, errstr, errstr_size,
                       "'%s' is larger than %zu bytes", path, max);
    (*data)[*n] = '\0';
    return RK_OK;
}

rk_err_t rk_file_read(const char *path, size_t max, char **buf, size_t *len,
                      char *errstr, size_t errstr_size) {
    int is_stdin = !strcmp(path, "-");
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return rk_fail(RK_ERR_IO, errstr, errstr_size, "cannot open '%s': %s",
                       path, strerror(errno));
    char *data = NULL;
    size_t n = 0;
    rk_err_t err = read_stream(f, path, max, &data, &n, errstr, errstr_size);
    if (!is_stdin)
        fclose(f);
    if (err) {
        free(data);
        return err;
    }
    *buf = data;
    *len = n;
    return RK_OK;
}

rk_err_t rk_file_write_atomic(const char *path, const void *data, size_t n,
                              char *errstr, size_t errstr_size) {
    size_t size = strlen(path) + sizeof ".tmp";
    char *tmp = malloc(size);
    if (!tmp)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    snprintf(tmp, size, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(data, 1, n, f) == n;
    if (f && fclose(f) != 0)
        ok = 0;
    int e = errno;
    if (ok && rename(tmp, path) != 0) {
        ok = 0;
        e = errno;
    }
    if (!ok)
        remove(tmp);
    free(tmp);
    if (!ok)
        return rk_fail(RK_ERR_IO, errstr, errstr_size, "cannot write '%s': %s",
                       path, strerror(e));
    return RK_OK;
}
