/*
 * envelope.h - one Kafka message in, one document or one dead-letter reason
 * out.
 *
 * The input contract (CONTRACT.md, "Input messages"): a JSON object
 * {"id": str, "text": str, "lang"?: str, "meta"?: object}, or raw UTF-8 text
 * whose id is the message key (or "topic/partition/offset" without a key);
 * either may be gzip-compressed (detected by the magic bytes 1f 8b).
 * Anything else is refused with one of the contract's stable dead-letter
 * codes, so the streaming loop can route it to the DLQ unchanged.
 *
 * Order of checks: too_large (raw size) -> bad_gzip / too_large
 * (decompressed size) -> empty -> bad_utf8 -> bad_json / bad_field -> empty
 * (a JSON document whose text is blank).
 */
#ifndef RK_ENVELOPE_H
#define RK_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* The contract's dead-letter codes; RK_ENV_OK means a document was made. */
typedef enum rk_env_code_e {
    RK_ENV_OK = 0,
    RK_ENV_BAD_UTF8,  /* invalid UTF-8, or a NUL byte, at a byte offset */
    RK_ENV_BAD_JSON,  /* starts with '{' but is not a JSON object */
    RK_ENV_BAD_FIELD, /* id/text/lang/meta missing or of the wrong type */
    RK_ENV_TOO_LARGE, /* over max_message_bytes or max_decompressed_bytes */
    RK_ENV_BAD_GZIP,  /* gzip magic, but truncated or corrupt */
    RK_ENV_EMPTY,     /* no payload, or only white space */
    RK_ENV_INTERNAL   /* out of memory or a bug: never the input's fault */
} rk_env_code_t;

/* The stable code string ("bad_utf8", ...; "ok" for RK_ENV_OK). */
const char *rk_env_code_name(rk_env_code_t code);

/* Explicit limits; every message is held to them before any work. */
#define RK_ENV_DEFAULT_MAX_MESSAGE_BYTES 16777216      /* 16 MiB */
#define RK_ENV_DEFAULT_MAX_DECOMPRESSED_BYTES 67108864 /* 64 MiB */
typedef struct rk_env_limits_s {
    size_t max_message_bytes;      /* payload as received */
    size_t max_decompressed_bytes; /* after gunzip: the gzip-bomb guard */
} rk_env_limits_t;

/* Fills the documented defaults above. */
void rk_env_limits_default(rk_env_limits_t *limits);

/* One Kafka message, borrowed from the caller for the call's duration. */
typedef struct rk_env_msg_s {
    const void *payload;
    size_t len;
    const void *key; /* NULL when the message has no key */
    size_t key_len;
    const char *topic;
    int32_t partition;
    int64_t offset;
} rk_env_msg_t;

/* A decoded document. Every string is NUL-terminated, valid UTF-8 without
 * NUL bytes, and owned by the document (rk_env_doc_clear frees them). */
typedef struct rk_env_doc_s {
    char *id;
    size_t id_len;
    char *text;
    size_t text_len;
    char *lang;      /* NULL when not given */
    char *meta_json; /* the "meta" object re-serialised compactly, or NULL */
} rk_env_doc_t;

/* Decodes msg into doc (zeroed first). Returns RK_ENV_OK, or a code with a
 * one-line reason in errstr naming the byte offset or field at fault; on
 * failure doc holds nothing. */
rk_env_code_t rk_env_decode(const rk_env_limits_t *limits,
                            const rk_env_msg_t *msg, rk_env_doc_t *doc,
                            char *errstr, size_t errstr_size);

/* Frees what doc owns and zeroes it; NULL-safe, idempotent. */
void rk_env_doc_clear(rk_env_doc_t *doc);

#endif
