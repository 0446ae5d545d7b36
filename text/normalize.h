/*
 * normalize.h - the text the vectoriser sees, built on ICU.
 *
 * In order: strict UTF-8 check (or U+FFFD replacement when asked);
 * NFKC with case folding (ICU's NFKC_Casefold, which also maps Arabic
 * presentation forms to letters and drops default-ignorable code points);
 * removal of Arabic diacritics (tashkeel, superscript alef, Quranic marks),
 * tatweel, bidi and zero-width controls; alef variants to bare alef, alef
 * maqsura to ya, ta marbuta to ha (each switchable); Arabic-Indic and
 * Eastern Arabic-Indic digits to ASCII; every run of white space or control
 * characters to one space, trimmed. The result is idempotent:
 * normalize(normalize(x)) == normalize(x).
 *
 * Cost: one pass over the text for the characters ICU's tables say
 * normalise on their own (nearly all letters, digits and punctuation); ICU
 * sees only the rest (see rk_norm_set_fast).
 */
#ifndef RK_NORMALIZE_H
#define RK_NORMALIZE_H

#include <stddef.h>
#include <unicode/utypes.h>

#include "core/err.h"

typedef struct rk_norm_opts_s {
    int alef;            /* أ إ آ ٱ -> ا */
    int alef_maqsura;    /* ى -> ي */
    int ta_marbuta;      /* ة -> ه */
    int replace_invalid; /* invalid UTF-8 -> U+FFFD instead of an error */
} rk_norm_opts_t;

/* All switches on, invalid UTF-8 an error. */
rk_norm_opts_t rk_norm_opts_default(void);

/* Per-thread state: ICU handles and buffers reused from call to call. */
typedef struct rk_norm_s rk_norm_t;

rk_err_t rk_norm_new(rk_norm_t **out, char *errstr, size_t errstr_size);
void rk_norm_destroy(rk_norm_t *n);

/* Normalises in[0..len). On success the result is available, valid until
 * the next call with n, as UTF-8 (*out, NUL-terminated, *out_len bytes)
 * and as UTF-16 through rk_norm_utf16(). */
rk_err_t rk_norm_text(rk_norm_t *n, const rk_norm_opts_t *opts, const char *in,
                      size_t len, const char **out, size_t *out_len,
                      char *errstr, size_t errstr_size);

/* rk_norm_text for text already known to be valid UTF-8 (a paragraph from
 * rk_seg_split, which checked the whole document): the same result, without
 * checking again. Asserted in debug builds. */
rk_err_t rk_norm_valid_text(rk_norm_t *n, const rk_norm_opts_t *opts,
                            const char *in, size_t len, const char **out,
                            size_t *out_len, char *errstr, size_t errstr_size);

/* The last result as UTF-16 (for the word-break iterator), valid until the
 * next call with n; converted on the first request. NULL when out of
 * memory. */
const UChar *rk_norm_utf16(rk_norm_t *n, int32_t *len);

/* The last result as UTF-8 (as rk_norm_text gave it). */
const char *rk_norm_utf8(const rk_norm_t *n, size_t *len);

/* 1 when every character of the last result is one whose word-break class
 * tokenize.c knows without ICU (text/charclass.h); 0 otherwise. */
int rk_norm_plain(const rk_norm_t *n);

/* The fast path (on by default) normalises a character at a time from a
 * table of ICU's own answers (text/charclass.h), giving ICU only the short
 * runs it cannot vouch for (a letter and its combining marks), and falls
 * back to the whole ICU path whenever it cannot prove the result the same.
 * Off, every text takes the ICU path: the tests and the fuzzer compare. */
void rk_norm_set_fast(rk_norm_t *n, int on);

#endif
