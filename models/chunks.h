/*
 * chunks.h - a model bundle as records of the model topic (the contract's
 * "Model topic"), so that it fits a broker's default 1 MB record limit:
 * N records of at most RK_CHUNK_MAX_BYTES each, all keyed by the model id,
 * with the headers rakiza.model.id, rakiza.chunk.index (0..N-1),
 * rakiza.chunk.count (N) and rakiza.model.sha256 (of the whole bundle).
 *
 * Reading, a chunk set collects the records of one partition in offset
 * order; the newest model is the one whose last-arriving chunk has the
 * highest offset among models with all N chunks present and a matching
 * digest. Anything else (a missing chunk, a digest that does not match,
 * headers that disagree) is reported to a warning callback and ignored,
 * so a damaged or half-published bundle is never used.
 *
 * This file knows bytes and header values only; the Kafka clients that
 * produce and consume the records live with the services (ingest/, learn/).
 */
#ifndef RK_CHUNKS_H
#define RK_CHUNKS_H

#include <stddef.h>
#include <stdint.h>

#include "core/digest.h"
#include "core/err.h"

#define RK_CHUNK_MAX_BYTES 900000 /* a record's value, under Kafka's 1 MB */
#define RK_CHUNK_MAX_COUNT 64     /* so a bundle is at most ~57 MB */
#define RK_CHUNK_MAX_MODELS 64    /* models a set holds before the oldest go */

/* Header names, as the contract spells them. */
#define RK_CHUNK_HDR_ID "rakiza.model.id"
#define RK_CHUNK_HDR_INDEX "rakiza.chunk.index"
#define RK_CHUNK_HDR_COUNT "rakiza.chunk.count"
#define RK_CHUNK_HDR_SHA256 "rakiza.model.sha256"

/* How many records a bundle of len bytes takes (at least 1). */
size_t rk_chunk_count(size_t len);

/* Chunk i of a bundle of len bytes: bytes [*start, *start + *n). */
void rk_chunk_slice(size_t len, size_t i, size_t *start, size_t *n);

/* One record of the model topic, borrowed for the call. */
typedef struct rk_chunk_s {
    const char *model_id;
    const char *sha256; /* hex */
    long index, count;
    const void *data;
    size_t len;
    int64_t offset; /* in its partition */
} rk_chunk_t;

typedef struct rk_chunk_set_s rk_chunk_set_t;

rk_chunk_set_t *rk_chunk_set_new(void);
void rk_chunk_set_destroy(rk_chunk_set_t *set);

/* Parses a record's header values (NULL when absent) into c's fields;
 * RK_ERR_DATA naming what is wrong when they are missing or out of range. */
rk_err_t rk_chunk_from_headers(const char *model_id, const char *index,
                               const char *count, const char *sha256,
                               rk_chunk_t *c, char *errstr, size_t errstr_size);

/* Copies one record into the set (a repeated index of the same model and
 * digest replaces the earlier one). Out of memory is RK_ERR_NOMEM. */
rk_err_t rk_chunk_set_add(rk_chunk_set_t *set, const rk_chunk_t *c,
                          char *errstr, size_t errstr_size);

/* The newest complete model whose bytes match their digest, newer than
 * after_offset (-1: any): *data and *len (owned by the set, valid until the
 * next call that changes it), *model_id, and *offset (its last chunk's).
 * Models that are incomplete or fail the digest are passed to warn (when
 * not NULL) with a one-line reason, once each. Returns 0 when there is no
 * such model, 1 when there is. */
int rk_chunk_set_newest(rk_chunk_set_t *set, int64_t after_offset,
                        const unsigned char **data, size_t *len,
                        const char **model_id, int64_t *offset,
                        void (*warn)(void *opaque, const char *reason),
                        void *opaque);

/* Marks the model whose last chunk is at offset as unusable (its bytes
 * matched their digest but did not load as a bundle), so that
 * rk_chunk_set_newest passes over it to an older one. Unknown offsets are
 * ignored. */
void rk_chunk_set_refuse(rk_chunk_set_t *set, int64_t offset);

#endif
