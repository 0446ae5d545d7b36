/*
 * bundle.c - see bundle.h. The file is written to "<path>.tmp" and renamed,
 * so a crash never leaves a half-written bundle under the real name.
 */
#include "models/bundle.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/file.h"

#define MAGIC "RKZB"
#define VERSION 1
#define HEADER 28

static void le(unsigned char *p, uint64_t v, int n) {
    for (int i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t rd(const unsigned char *p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

rk_err_t rk_bundle_write(const char *path, const rk_bundle_section_t *sec,
                         size_t count, char *errstr, size_t errstr_size) {
    size_t size = 4;
    for (size_t i = 0; i < count; i++)
        size += 4 + strlen(sec[i].name) + 8 + sec[i].len;
    if (size > RK_BUNDLE_MAX_PAYLOAD || count > RK_BUNDLE_MAX_SECTIONS)
        return rk_fail(RK_ERR_LIMIT, errstr, errstr_size,
                       "%s: bundle payload of %zu bytes is over the limit",
                       path, size);
    unsigned char *payload = malloc(size);
    uLongf zcap = compressBound((uLong)size);
    unsigned char *file = malloc(HEADER + zcap);
    if (!payload || !file) {
        free(payload);
        free(file);
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    unsigned char *p = payload;
    le(p, count, 4), p += 4;
    for (size_t i = 0; i < count; i++) {
        size_t nl = strlen(sec[i].name);
        le(p, nl, 4), p += 4;
        memcpy(p, sec[i].name, nl), p += nl;
        le(p, sec[i].len, 8), p += 8;
        memcpy(p, sec[i].data, sec[i].len), p += sec[i].len;
    }
    uLongf zlen = zcap;
    int zerr = compress2(file + HEADER, &zlen, payload, (uLong)size, 9);
    memcpy(file, MAGIC, 4);
    le(file + 4, VERSION, 4);
    le(file + 8, size, 8);
    le(file + 16, zlen, 8);
    le(file + 24, crc32(0L, payload, (uInt)size), 4);
    free(payload);
    if (zerr != Z_OK) {
        free(file);
        return rk_fail(RK_ERR_INTERNAL, errstr, errstr_size,
                       "%s: compression failed (zlib %d)", path, zerr);
    }
    rk_err_t err =
        rk_file_write_atomic(path, file, HEADER + zlen, errstr, errstr_size);
    free(file);
    return err;
}

static rk_err_t bad(const char *path, const char *what, char *errstr,
                    size_t errstr_size) {
    return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                   "%s: not a valid rakiza model bundle: %s", path, what);
}

rk_err_t rk_bundle_read(const char *path, rk_bundle_t *b, char *errstr,
                        size_t errstr_size) {
    memset(b, 0, sizeof *b);
    FILE *f = fopen(path, "rb");
    if (!f)
        return rk_fail(RK_ERR_IO, errstr, errstr_size, "cannot open '%s': %s",
                       path, strerror(errno));
    unsigned char h[HEADER];
    size_t got = fread(h, 1, HEADER, f);
    if (got < 4 || memcmp(h, MAGIC, 4)) {
        fclose(f);
        return bad(path, "wrong magic (not an .rkz file)", errstr, errstr_size);
    }
    if (got < HEADER) {
        fclose(f);
        return bad(path, "truncated header", errstr, errstr_size);
    }
    if (rd(h + 4, 4) != VERSION) {
        fclose(f);
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "%s: bundle format version %u is not supported (this "
                       "rakiza reads version %d)",
                       path, (unsigned)rd(h + 4, 4), VERSION);
    }
    uint64_t size = rd(h + 8, 8), zlen = rd(h + 16, 8);
    uint32_t crc = (uint32_t)rd(h + 24, 4);
    if (size > RK_BUNDLE_MAX_PAYLOAD || zlen > RK_BUNDLE_MAX_PAYLOAD ||
        size < 4) {
        fclose(f);
        return bad(path, "payload size out of range", errstr, errstr_size);
    }
    unsigned char *z = malloc(zlen + 1);
    b->payload = malloc(size);
    if (!z || !b->payload) {
        fclose(f);
        free(z);
        rk_bundle_free(b);
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    got = fread(z, 1, zlen + 1, f);
    fclose(f);
    rk_err_t err = RK_OK;
    uLongf out = (uLongf)size;
    if (got < zlen)
        err = bad(path, "truncated (file shorter than its header says)", errstr,
                  errstr_size);
    else if (got > zlen)
        err =
            bad(path, "trailing bytes after the payload", errstr, errstr_size);
    else if (uncompress(b->payload, &out, z, (uLong)zlen) != Z_OK ||
             out != size)
        err = bad(path, "corrupted compressed payload", errstr, errstr_size);
    else if (crc32(0L, b->payload, (uInt)size) != crc)
        err = bad(path, "checksum mismatch", errstr, errstr_size);
    free(z);
    /* Sections: every length checked against what is left. */
    const unsigned char *p = b->payload, *end = b->payload + size;
    uint64_t count = err ? 0 : rd(p, 4);
    p += 4;
    if (!err && count > RK_BUNDLE_MAX_SECTIONS)
        err = bad(path, "too many sections", errstr, errstr_size);
    for (uint64_t i = 0; !err && i < count; i++) {
        uint64_t nl, dl;
        if (end - p < 4 || (nl = rd(p, 4)) > RK_BUNDLE_MAX_NAME_BYTES ||
            (uint64_t)(end - p - 4) < nl + 8)
            err = bad(path, "bad section header", errstr, errstr_size);
        else if ((dl = rd(p + 4 + nl, 8)) > (uint64_t)(end - (p + 4 + nl + 8)))
            err = bad(path, "section longer than the payload", errstr,
                      errstr_size);
        else {
            /* Names are NUL-terminated in place by shifting them one byte
             * left over their own length field (it is no longer needed). */
            memmove((unsigned char *)p, p + 4, nl);
            ((unsigned char *)p)[nl] = '\0';
            b->sections[i] =
                (rk_bundle_section_t){(const char *)p, p + 4 + nl + 8, dl};
            p += 4 + nl + 8 + dl;
            b->count++;
        }
    }
    if (!err && p != end)
        err = bad(path, "unexpected bytes after the last section", errstr,
                  errstr_size);
    if (err)
        rk_bundle_free(b);
    return err;
}

const rk_bundle_section_t *rk_bundle_get(const rk_bundle_t *b,
                                         const char *name) {
    for (size_t i = 0; i < b->count; i++)
        if (!strcmp(b->sections[i].name, name))
            return &b->sections[i];
    return NULL;
}

void rk_bundle_free(rk_bundle_t *b) {
    if (!b)
        return;
    free(b->payload);
    memset(b, 0, sizeof *b);
}
