/*
 * vec_io.c - the vectoriser's saved form (rk_vec_save, rk_vec_load): magic
 * and version, the settings as key/value strings, the IDF table and the
 * normalised stopword list, all little-endian and length-prefixed. Loading
 * checks every count and index before use, so a damaged or hostile blob is
 * refused, never read out of bounds.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/utf8.h"
#include "text/vec_impl.h"

#define VEC_MAGIC "RKVEC\0\0\1" /* 8 bytes: name and blob version 1 */
#define MAX_STOPWORD_BYTES 256

typedef struct wbuf_s {
    unsigned char *p;
    size_t len, cap;
    int oom;
} wbuf_t;

static void put(wbuf_t *b, const void *data, size_t n) {
    if (b->oom)
        return;
    if (b->len + n > b->cap && !rk_grow(&b->p, &b->cap, b->len + n, 1, 4096)) {
        b->oom = 1;
        return;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void put_u32(wbuf_t *b, uint32_t v) {
    unsigned char le[4] = {v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF,
                           v >> 24};
    put(b, le, 4);
}

static void put_str(wbuf_t *b, const char *s) {
    put_u32(b, (uint32_t)strlen(s));
    put(b, s, strlen(s));
}

static void put_setting(const char *key, const char *value, void *opaque) {
    put_str(opaque, key);
    put_str(opaque, value);
}

static void count_setting(const char *key, const char *value, void *opaque) {
    (void)key, (void)value;
    (*(uint32_t *)opaque)++;
}

rk_err_t rk_vec_save(const rk_vec_t *v, unsigned char **buf, size_t *len,
                     char *errstr, size_t errstr_size) {
    wbuf_t b = {0};
    put(&b, VEC_MAGIC, 8);
    uint32_t nset = 0;
    rk_vec_conf_foreach(&v->conf, count_setting, &nset);
    put_u32(&b, nset);
    rk_vec_conf_foreach(&v->conf, put_setting, &b);
    put_u32(&b, (uint32_t)v->dim);
    for (int i = 1; i <= v->dim; i++) {
        uint32_t bits;
        memcpy(&bits, &v->idf[i], 4);
        put_u32(&b, bits);
    }
    size_t nstop = rk_tok_stopset_count(v->stop);
    put_u32(&b, (uint32_t)nstop);
    for (size_t i = 0; i < nstop; i++)
        put_str(&b, rk_tok_stopset_word(v->stop, i));
    if (b.oom) {
        free(b.p);
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    *buf = b.p;
    *len = b.len;
    return RK_OK;
}

typedef struct rbuf_s {
    const unsigned char *p;
    size_t len, pos;
} rbuf_t;

static int get_u32(rbuf_t *r, uint32_t *v) {
    if (r->len - r->pos < 4)
        return 0;
    const unsigned char *p = r->p + r->pos;
    *v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
    r->pos += 4;
    return 1;
}

/* A length-prefixed string of at most max bytes, copied into out. */
static int get_str(rbuf_t *r, char *out, size_t max) {
    uint32_t n;
    if (!get_u32(r, &n) || n >= max || r->len - r->pos < n)
        return 0;
    memcpy(out, r->p + r->pos, n);
    out[n] = '\0';
    r->pos += n;
    return memchr(out, '\0', n) == NULL && rk_utf8_valid(out, n, NULL);
}

rk_err_t rk_vec_load(const unsigned char *buf, size_t len, rk_vec_t **out,
                     char *errstr, size_t errstr_size) {
    *out = NULL;
    rbuf_t r = {buf, len, 0};
    if (len < 8 || memcmp(buf, VEC_MAGIC, 8))
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "vectoriser tables: bad magic or version");
    r.pos = 8;
    rk_vec_conf_t *conf = rk_vec_conf_new();
    if (!conf)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    uint32_t nset = 0, dim = 0, nstop = 0;
    char key[64], value[64];
    rk_err_t err = RK_OK;
    if (!get_u32(&r, &nset) || nset > 64)
        err =
            rk_fail(RK_ERR_DATA, errstr, errstr_size,
                    "vectoriser tables: bad settings count at byte %zu", r.pos);
    for (uint32_t i = 0; !err && i < nset; i++) {
        if (!get_str(&r, key, sizeof key) || !get_str(&r, value, sizeof value))
            err = rk_fail(RK_ERR_DATA, errstr, errstr_size,
                          "vectoriser tables: bad setting at byte %zu", r.pos);
        else
            err = rk_vec_conf_set(conf, key, value, errstr, errstr_size);
    }
    if (!err && (!get_u32(&r, &dim) || dim != (1u << conf->hash_bits) ||
                 (r.len - r.pos) / 4 < dim))
        err = rk_fail(RK_ERR_DATA, errstr, errstr_size,
                      "vectoriser tables: IDF table size does not match "
                      "hash_bits=%d",
                      conf->hash_bits);
    rk_vec_t *v = NULL;
    if (!err)
        err = rk_vec_alloc(conf, &v, errstr, errstr_size);
    for (uint32_t i = 1; !err && i <= dim; i++) {
        uint32_t bits = 0;
        get_u32(&r, &bits); /* in range: the size was checked above */
        memcpy(&v->idf[i], &bits, 4);
        if (!isfinite(v->idf[i]) || v->idf[i] <= 0.0f || v->idf[i] > 100.0f)
            err = rk_fail(RK_ERR_DATA, errstr, errstr_size,
                          "vectoriser tables: IDF weight %u out of range", i);
    }
    if (!err && (!get_u32(&r, &nstop) || nstop > 100000))
        err = rk_fail(RK_ERR_DATA, errstr, errstr_size,
                      "vectoriser tables: bad stopword count");
    char **words = err ? NULL : calloc(nstop ? nstop : 1, sizeof *words);
    if (!err && !words)
        err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    uint32_t got = 0;
    for (; !err && got < nstop; got++) {
        char w[MAX_STOPWORD_BYTES];
        if (!get_str(&r, w, sizeof w))
            err = rk_fail(RK_ERR_DATA, errstr, errstr_size,
                          "vectoriser tables: bad stopword %u", got);
        else if (!(words[got] = strdup(w)))
            err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    if (!err && r.pos != r.len)
        err = rk_fail(RK_ERR_DATA, errstr, errstr_size,
                      "vectoriser tables: %zu unexpected trailing bytes",
                      r.len - r.pos);
    if (!err)
        err = rk_tok_stopset_new((const char *const *)words, nstop, &v->stop,
                                 errstr, errstr_size);
    for (uint32_t i = 0; words && i < nstop; i++)
        free(words[i]);
    free(words);
    rk_vec_conf_destroy(conf);
    if (err) {
        rk_vec_destroy(v);
        return err;
    }
    *out = v;
    return RK_OK;
}
