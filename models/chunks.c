/*
 * chunks.c - see chunks.h. A set holds up to RK_CHUNK_MAX_MODELS models,
 * each keyed by (model id, digest) with a copy of every chunk seen; a
 * model is assembled and checked once, when it is first complete.
 */
#include "models/chunks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry_s {
    char *id, *sha256;
    long count;
    unsigned char **chunk; /* [count], NULL while missing */
    size_t *len;           /* [count] */
    int64_t last_offset;   /* the highest offset of its chunks */
    int checked, valid, warned;
    unsigned char *bytes; /* assembled once complete and valid */
    size_t nbytes;
} entry_t;

struct rk_chunk_set_s {
    entry_t items[RK_CHUNK_MAX_MODELS];
    size_t count;
    int64_t last_offset; /* the highest offset added */
};

size_t rk_chunk_count(size_t len) {
    return len ? (len + RK_CHUNK_MAX_BYTES - 1) / RK_CHUNK_MAX_BYTES : 1;
}

void rk_chunk_slice(size_t len, size_t i, size_t *start, size_t *n) {
    *start = i * RK_CHUNK_MAX_BYTES;
    *n = *start >= len                       ? 0
         : len - *start < RK_CHUNK_MAX_BYTES ? len - *start
                                             : RK_CHUNK_MAX_BYTES;
}

rk_chunk_set_t *rk_chunk_set_new(void) {
    rk_chunk_set_t *s = calloc(1, sizeof *s);
    if (s)
        s->last_offset = -1;
    return s;
}

static void entry_free(entry_t *e) {
    for (long i = 0; e->chunk && i < e->count; i++)
        free(e->chunk[i]);
    free(e->chunk);
    free(e->len);
    free(e->id);
    free(e->sha256);
    free(e->bytes);
    memset(e, 0, sizeof *e);
}

void rk_chunk_set_destroy(rk_chunk_set_t *s) {
    if (!s)
        return;
    for (size_t i = 0; i < s->count; i++)
        entry_free(&s->items[i]);
    free(s);
}

static int parse_long(const char *v, long lo, long hi, long *out) {
    char *end;
    if (!v || !*v)
        return 0;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (*end || errno || n < lo || n > hi)
        return 0;
    *out = n;
    return 1;
}

rk_err_t rk_chunk_from_headers(const char *model_id, const char *index,
                               const char *count, const char *sha256,
                               rk_chunk_t *c, char *errstr, size_t n) {
    if (!model_id || !*model_id)
        return rk_fail(RK_ERR_DATA, errstr, n, "no %s header", RK_CHUNK_HDR_ID);
    if (!parse_long(count, 1, RK_CHUNK_MAX_COUNT, &c->count))
        return rk_fail(RK_ERR_DATA, errstr, n, "model %s: %s is not 1..%d",
                       model_id, RK_CHUNK_HDR_COUNT, RK_CHUNK_MAX_COUNT);
    if (!parse_long(index, 0, c->count - 1, &c->index))
        return rk_fail(RK_ERR_DATA, errstr, n, "model %s: %s is not 0..%ld",
                       model_id, RK_CHUNK_HDR_INDEX, c->count - 1);
    if (!sha256 || strlen(sha256) != RK_SHA256_HEX_LEN ||
        strspn(sha256, "0123456789abcdef") != RK_SHA256_HEX_LEN)
        return rk_fail(RK_ERR_DATA, errstr, n,
                       "model %s: %s is not a SHA-256 in hex", model_id,
                       RK_CHUNK_HDR_SHA256);
    c->model_id = model_id;
    c->sha256 = sha256;
    return RK_OK;
}

static entry_t *find(rk_chunk_set_t *s, const rk_chunk_t *c) {
    for (size_t i = 0; i < s->count; i++)
        if (!strcmp(s->items[i].id, c->model_id) &&
            !strcmp(s->items[i].sha256, c->sha256))
            return &s->items[i];
    return NULL;
}

/* A free entry, dropping the one seen least recently when the set is
 * full (a model that old is not the newest). */
static entry_t *make_room(rk_chunk_set_t *s) {
    if (s->count < RK_CHUNK_MAX_MODELS)
        return &s->items[s->count++];
    size_t oldest = 0;
    for (size_t i = 1; i < s->count; i++)
        if (s->items[i].last_offset < s->items[oldest].last_offset)
            oldest = i;
    entry_free(&s->items[oldest]);
    return &s->items[oldest];
}

rk_err_t rk_chunk_set_add(rk_chunk_set_t *s, const rk_chunk_t *c, char *errstr,
                          size_t n) {
    entry_t *e = find(s, c);
    if (e && e->count != c->count) {
        /* The same id and digest with another count: a damaged record. */
        e->checked = 1, e->valid = 0;
        return RK_OK;
    }
    if (!e) {
        size_t before = s->count;
        e = make_room(s);
        e->id = strdup(c->model_id);
        e->sha256 = strdup(c->sha256);
        e->count = c->count;
        e->chunk = calloc((size_t)c->count, sizeof *e->chunk);
        e->len = calloc((size_t)c->count, sizeof *e->len);
        e->last_offset = -1;
        if (!e->id || !e->sha256 || !e->chunk || !e->len) {
            entry_free(e);
            if (s->count > before)
                s->count--;
            return rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
        }
    }
    unsigned char *copy = malloc(c->len ? c->len : 1);
    if (!copy)
        return rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    memcpy(copy, c->data, c->len);
    free(e->chunk[c->index]);
    e->chunk[c->index] = copy;
    e->len[c->index] = c->len;
    if (c->offset > e->last_offset)
        e->last_offset = c->offset;
    if (c->offset > s->last_offset)
        s->last_offset = c->offset;
    e->checked = 0; /* a replaced chunk is checked again */
    free(e->bytes);
    e->bytes = NULL;
    return RK_OK;
}

static int complete(const entry_t *e) {
    for (long i = 0; i < e->count; i++)
        if (!e->chunk[i])
            return 0;
    return 1;
}

/* Assembles a complete entry and checks its digest, once. */
static void check(entry_t *e) {
    if (e->checked)
        return;
    e->checked = 1;
    size_t total = 0;
    for (long i = 0; i < e->count; i++)
        total += e->len[i];
    e->bytes = malloc(total ? total : 1);
    if (!e->bytes) {
        e->checked = 0; /* out of memory: try again next time */
        return;
    }
    size_t at = 0;
    for (long i = 0; i < e->count; i++) {
        memcpy(e->bytes + at, e->chunk[i], e->len[i]);
        at += e->len[i];
    }
    e->nbytes = total;
    char hex[RK_SHA256_HEX_LEN + 1];
    rk_sha256_hex(e->bytes, total, hex);
    e->valid = !strcmp(hex, e->sha256);
    if (!e->valid) {
        free(e->bytes);
        e->bytes = NULL;
    }
}

int rk_chunk_set_newest(rk_chunk_set_t *s, int64_t after_offset,
                        const unsigned char **data, size_t *len,
                        const char **model_id, int64_t *offset,
                        void (*warn)(void *opaque, const char *reason),
                        void *opaque) {
    entry_t *best = NULL;
    char reason[256];
    for (size_t i = 0; i < s->count; i++) {
        entry_t *e = &s->items[i];
        int whole = complete(e);
        if (whole)
            check(e);
        const char *why = !whole ? "incomplete (a chunk is missing)"
                          : !e->valid && e->checked
                              ? "damaged (its digest does not match)"
                              : NULL;
        /* An incomplete model may still be arriving while it is the
         * newest thing on the topic; once anything newer came, it will
         * not complete. */
        if (why && !e->warned && warn &&
            (whole || e->last_offset < s->last_offset)) {
            snprintf(reason, sizeof reason, "model %s on the model topic is %s",
                     e->id, why);
            warn(opaque, reason);
            e->warned = 1;
        }
        if (whole && e->valid && e->bytes && e->last_offset > after_offset &&
            (!best || e->last_offset > best->last_offset))
            best = e;
    }
    if (!best)
        return 0;
    *data = best->bytes;
    *len = best->nbytes;
    *model_id = best->id;
    *offset = best->last_offset;
    return 1;
}

void rk_chunk_set_refuse(rk_chunk_set_t *s, int64_t offset) {
    for (size_t i = 0; i < s->count; i++) {
        entry_t *e = &s->items[i];
        if (e->last_offset == offset) {
            e->checked = 1, e->valid = 0, e->warned = 1;
            free(e->bytes);
            e->bytes = NULL;
        }
    }
}
