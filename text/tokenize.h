/*
 * tokenize.h - normalised text to word tokens.
 *
 * Words are what ICU's word break iterator finds (letters and numbers;
 * punctuation and spaces dropped). A token that is in the stopword set is
 * dropped; the rest are stemmed with Snowball (libstemmer) by their script:
 * Arabic-script words with the Arabic stemmer, Latin words with the English
 * one (so an English phrase inside an Arabic paragraph is stemmed right),
 * numbers left as they are.
 */
#ifndef RK_TOKENIZE_H
#define RK_TOKENIZE_H

#include <stddef.h>
#include <unicode/utypes.h>

#include "core/err.h"

/* A set of stopwords, immutable once built, shareable across threads. */
typedef struct rk_tok_stopset_s rk_tok_stopset_t;

/* Builds a set from n words (copied). The caller frees the set. */
rk_err_t rk_tok_stopset_new(const char *const *words, size_t n,
                            rk_tok_stopset_t **out, char *errstr,
                            size_t errstr_size);
void rk_tok_stopset_destroy(rk_tok_stopset_t *set);
int rk_tok_stopset_has(const rk_tok_stopset_t *set, const char *w, size_t len);
size_t rk_tok_stopset_count(const rk_tok_stopset_t *set);
/* The i-th word in sorted order (for saving a set). */
const char *rk_tok_stopset_word(const rk_tok_stopset_t *set, size_t i);

typedef struct rk_token_s {
    const char *word; /* the normalised surface form, NUL-terminated */
    size_t word_len;
    const char *stem; /* the stem (== word when not stemmed) */
    size_t stem_len;
} rk_token_t;

/* Per-thread state: the break iterator, stemmers and buffers. */
typedef struct rk_tok_s rk_tok_t;

rk_err_t rk_tok_new(rk_tok_t **out, char *errstr, size_t errstr_size);
void rk_tok_destroy(rk_tok_t *tok);

/* Tokenises text[0..len) (normalised UTF-16). stop may be NULL. Tokens
 * are valid until the next call with tok. */
rk_err_t rk_tok_split(rk_tok_t *tok, const UChar *text, int32_t len,
                      const rk_tok_stopset_t *stop, int stem,
                      const rk_token_t **toks, size_t *n, char *errstr,
                      size_t errstr_size);

#endif
