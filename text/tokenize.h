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
#include "text/normalize.h"

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

/* ---- the vectoriser's steps, one at a time ------------------------------
 * rk_tok_split in parts, so the vectoriser can cache what a word gives
 * (text/vectorize.c): the words, then for each word the stopword check
 * (rk_tok_stopset_has) and the stem (rk_tok_stem). Together they give
 * exactly rk_tok_split's tokens. */

/* Stemmers by script, as rk_tok_split chooses them from a word's first
 * character: none for a word that does not start with a letter. */
enum { RK_TOK_STEM_NONE = 0, RK_TOK_STEM_ARABIC = 1, RK_TOK_STEM_ENGLISH = 2 };

typedef struct rk_tok_word_s {
    const char *s; /* UTF-8, not NUL-terminated */
    size_t len;
    int script; /* RK_TOK_STEM_* */
} rk_tok_word_t;

/* The words of norm's last result, in order: the words rk_tok_split gives
 * for it, before stopwords and stemming (and, like it, without the words of
 * 255 bytes or more). When rk_norm_plain(norm), the word boundaries come
 * from UAX #29's rules for the classes charclass.h names, without ICU;
 * otherwise from ICU's break iterator. Valid until the next call with tok
 * or norm. */
rk_err_t rk_tok_words(rk_tok_t *tok, rk_norm_t *norm,
                      const rk_tok_word_t **words, size_t *n, char *errstr,
                      size_t errstr_size);

/* The stem of word[0..len) by script's stemmer (not RK_TOK_STEM_NONE), as
 * rk_tok_split stems it; *stem_len receives its length. NULL when Snowball
 * fails (out of memory). Valid until the next call with tok. */
const char *rk_tok_stem(rk_tok_t *tok, int script, const char *word, size_t len,
                        size_t *stem_len);

/* The plain path of rk_tok_words on (1, default) or off (ICU's break
 * iterator for every text): the tests and the fuzzer compare the two. */
void rk_tok_set_fast(rk_tok_t *tok, int on);

#endif
