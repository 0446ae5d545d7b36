/*
 * file.h - whole files in and out: reading a file (or stdin) into memory
 * under an explicit size limit, and writing one atomically (a temporary
 * file beside it, then rename), so a reader never sees half a file.
 */
#ifndef RK_FILE_H
#define RK_FILE_H

#include <stddef.h>

#include "core/err.h"

/* The largest input the commands read whole (a document, a data file). */
#define RK_FILE_MAX_INPUT ((size_t)1 << 30)

/* Reads path ("-" for stdin) into a malloc'd NUL-terminated buffer the
 * caller frees. A file over max bytes is RK_ERR_LIMIT; nothing is kept
 * on failure. */
rk_err_t rk_file_read(const char *path, size_t max, char **buf, size_t *len,
                      char *errstr, size_t errstr_size);

/* Writes n bytes to path through path.tmp and a rename. */
rk_err_t rk_file_write_atomic(const char *path, const void *data, size_t n,
                              char *errstr, size_t errstr_size);

#endif
