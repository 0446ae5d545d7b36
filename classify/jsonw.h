/*
 * jsonw.h - JSON text written straight into a buffer, byte for byte as
 * jansson's json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER) writes the same
 * values, for the records classify/pipeline.c writes a paragraph at a time
 * (building a jansson tree per record and dumping it cost more than
 * predicting the paragraph).
 *
 * jansson's rules, as followed here:
 *   strings  '"' and '\\' escaped with a backslash; \b \f \n \r \t by
 *            name; the other code points under U+0020 as \u00XX (upper-
 *            case hex); everything else, '/' and non-ASCII included, as
 *            it is. jansson refuses invalid UTF-8 (json_string returns
 *            NULL): so does rk_jsonw_str;
 *   integers "%lld";
 *   reals    "%.17g" (the C locale's point), ".0" appended when that has
 *            no '.' and no 'e', and the exponent without '+' or leading
 *            zeros ("1e-07", "1e20"); not finite: jansson has no value
 *            for it (json_real returns NULL), so neither does
 *            rk_jsonw_real.
 * tests/test_pipeline.c compares every rule with jansson itself, and every
 * record with the one a jansson tree gives.
 *
 * Ownership: the caller owns the rk_jsonw_t (zero-initialise it, reuse it,
 * free its buffer with rk_jsonw_free).
 */
#ifndef RK_JSONW_H
#define RK_JSONW_H

#include <stddef.h>

typedef struct rk_jsonw_s {
    char *p;
    size_t len, cap;
    int failed; /* out of memory, or a string was not valid UTF-8 */
} rk_jsonw_t;

/* Empties w for a new text (keeping its buffer). */
void rk_jsonw_reset(rk_jsonw_t *w);
void rk_jsonw_free(rk_jsonw_t *w);

/* Appends s[0..n) as it is: punctuation and keys known to need no escape
 * ("{\"type\":"). */
void rk_jsonw_raw(rk_jsonw_t *w, const char *s, size_t n);

/* Appends a NUL-terminated literal as it is. */
void rk_jsonw_lit(rk_jsonw_t *w, const char *s);

/* Appends s[0..n) as a JSON string; invalid UTF-8 sets w->failed. */
void rk_jsonw_str(rk_jsonw_t *w, const char *s, size_t n);

/* rk_jsonw_str for text already known to be valid UTF-8 (a paragraph from
 * the segmenter), without checking it again. */
void rk_jsonw_str_valid(rk_jsonw_t *w, const char *s, size_t n);

void rk_jsonw_int(rk_jsonw_t *w, long long v);

/* Appends v as jansson writes a real and returns 1; returns 0 and appends
 * nothing when v is not finite (no JSON value). */
int rk_jsonw_real(rk_jsonw_t *w, double v);

#endif
