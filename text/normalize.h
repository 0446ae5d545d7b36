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

/* The last result as UTF-16 (for the word-break iterator). */
const UChar *rk_norm_utf16(const rk_norm_t *n, int32_t *len);

#endif
