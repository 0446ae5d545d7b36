/*
 * bundle.h - the .rkz container: named sections in one zlib-compressed,
 * checksummed file.
 *
 * Layout (little-endian):
 *   "RKZB"  magic
 *   u32     format version (1)
 *   u64     uncompressed payload size (at most RK_BUNDLE_MAX_PAYLOAD)
 *   u64     compressed payload size (must be the rest of the file)
 *   u32     CRC-32 of the uncompressed payload
 *   ...     zlib stream of the payload
 * payload: u32 section count, then per section u32 name length, name,
 * u64 data length, data. A truncated or corrupted file is refused with a
 * message naming the file and what is wrong; nothing is read out of bounds.
 */
#ifndef RK_BUNDLE_H
#define RK_BUNDLE_H

#include <stddef.h>

#include "core/err.h"
#include "core/limits.h"

#define RK_BUNDLE_MAX_PAYLOAD ((size_t)512 << 20)
/* meta, vectorizer and a one-vs-rest model's libsvm.I per label */
#define RK_BUNDLE_MAX_SECTIONS (RK_MAX_LABELS + 8)
#define RK_BUNDLE_MAX_NAME_BYTES 64 /* a section name's length */

typedef struct rk_bundle_section_s {
    const char *name;
    const unsigned char *data; /* not NUL-terminated */
    size_t len;
} rk_bundle_section_t;

typedef struct rk_bundle_s {
    rk_bundle_section_t sections[RK_BUNDLE_MAX_SECTIONS];
    size_t count;
    unsigned char *payload; /* owns what the sections point into */
} rk_bundle_t;

rk_err_t rk_bundle_write(const char *path, const rk_bundle_section_t *sections,
                         size_t count, char *errstr, size_t errstr_size);

/* Reads and checks a bundle; free it with rk_bundle_free. */
rk_err_t rk_bundle_read(const char *path, rk_bundle_t *b, char *errstr,
                        size_t errstr_size);

/* The section called name, or NULL. */
const rk_bundle_section_t *rk_bundle_get(const rk_bundle_t *b,
                                         const char *name);

void rk_bundle_free(rk_bundle_t *b);

#endif
