/*
 * envelope_scan.h - the common envelope read without building a JSON tree.
 *
 * Almost every message is an object whose values are strings (or null):
 * {"id": ..., "text": ..., "lang": ...}. jansson reads such a message byte
 * by byte through its stream layer, copies each string twice and builds a
 * tree only to be asked for three strings; that cost as much CPU in `rakiza
 * run` as vectorising. This scanner takes exactly that shape in one pass,
 * decoding id, text and lang straight into buffers the document then owns.
 *
 * It only ever accepts what jansson (with JSON_REJECT_DUPLICATES) would
 * read to the same values: anything else - a number, an array or an object
 * as a value (meta included), an escape in a key, a duplicate key, \u0000,
 * a lone surrogate, a control character in a string, any syntax error, more
 * than RK_ENV_SCAN_MAX_KEYS keys - is declined, and the caller decodes the
 * message with jansson, which decides it and words any error. The fuzzer
 * and tests/test_envelope.c hold the scanner to jansson's reading.
 *
 * The payload must already be valid UTF-8 without NUL bytes (envelope.c
 * checks that first): the scanner does not check it again.
 */
#ifndef RK_ENVELOPE_SCAN_H
#define RK_ENVELOPE_SCAN_H

#include <stddef.h>

#define RK_ENV_SCAN_MAX_KEYS 16

/* What an envelope gives one of the fields the document takes. */
typedef enum rk_env_kind_e {
    RK_ENV_ABSENT = 0,
    RK_ENV_NULL,
    RK_ENV_STRING, /* s: owned, NUL-terminated, len bytes */
    RK_ENV_OTHER   /* a number, array, ... (jansson's reading only) */
} rk_env_kind_t;

typedef struct rk_env_field_s {
    rk_env_kind_t kind;
    char *s;
    size_t len;
} rk_env_field_t;

typedef struct rk_env_scan_s {
    rk_env_field_t id, text, lang;
} rk_env_scan_t;

/* Scans p[0..len) into out (zeroed first). Returns 1 when it is an object
 * of the shape above, 0 when declined, -1 when out of memory; out holds
 * strings only after 1 (rk_env_scan_clear frees them). */
int rk_env_scan(const char *p, size_t len, rk_env_scan_t *out);

void rk_env_scan_clear(rk_env_scan_t *s);

#endif
