/*
 * envelope_oracle.h - jansson as the judge of the envelope scanner
 * (ingest/envelope_scan.h), for tests/test_envelope.c and
 * fuzz/fuzz_envelope.c: whatever the scanner takes, jansson must read to
 * the same fields.
 */
#ifndef RK_TEST_ENVELOPE_ORACLE_H
#define RK_TEST_ENVELOPE_ORACLE_H

#include <jansson.h>
#include <string.h>

#include "ingest/envelope_scan.h"

/* Whether jansson's tree holds field name of obj as the scanner read it. */
static inline int rk_oracle_same_field(json_t *obj, const char *name,
                                       const rk_env_field_t *f) {
    json_t *v = json_object_get(obj, name);
    if (!v || json_is_null(v))
        return f->kind == (v ? RK_ENV_NULL : RK_ENV_ABSENT);
    return json_is_string(v) && f->kind == RK_ENV_STRING &&
           f->len == json_string_length(v) &&
           !memcmp(f->s, json_string_value(v), f->len);
}

/* Whether jansson reads p[0..len), which the scanner took as f, as an
 * object with the same id, text and lang and no meta but null. */
static inline int rk_oracle_agrees(const char *p, size_t len,
                                   const rk_env_scan_t *f) {
    json_t *obj = json_loadb(p, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *meta = json_object_get(obj, "meta");
    int same = json_is_object(obj) && (!meta || json_is_null(meta)) &&
               rk_oracle_same_field(obj, "id", &f->id) &&
               rk_oracle_same_field(obj, "text", &f->text) &&
               rk_oracle_same_field(obj, "lang", &f->lang);
    json_decref(obj);
    return same;
}

#endif
