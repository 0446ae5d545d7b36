/*
 * vec_impl.h - the vectoriser's private structures, shared by its three
 * files: vec_conf.c (settings), vectorize.c (fitting and transforming) and
 * vec_io.c (the saved form). Nothing outside text/vec*.c includes this.
 */
#ifndef RK_VEC_IMPL_H
#define RK_VEC_IMPL_H

#include <stdint.h>

#include "text/normalize.h"
#include "text/tokenize.h"
#include "text/vectorize.h"

struct rk_vec_conf_s {
    int hash_bits;          /* feature space is 2^hash_bits */
    int word_ngrams;        /* 1: unigrams, 2: unigrams and bigrams */
    int char_min, char_max; /* character n-gram range; 0-0 disables */
    int stem, stopwords, sublinear_tf;
    rk_norm_opts_t norm;
    int block_norm; /* L2 per block (words, char n-grams), each / sqrt(2) */
    int stem_ar;    /* RK_VEC_STEM_AR_*: Arabic words' stemmer */
};

/* stem_ar's choices, in the order of its names in vec_conf.c. */
enum {
    RK_VEC_STEM_AR_SNOWBALL = 0,
    RK_VEC_STEM_AR_LIGHT = 1,
    RK_VEC_STEM_AR_OFF = 2
};

struct rk_vec_s {
    rk_vec_conf_t conf;
    int dim;
    float *idf;             /* [dim + 1], index 0 unused */
    rk_tok_stopset_t *stop; /* normalised; empty when stopwords are off */
    uint64_t serial;        /* unique in the process: a context's word
                               cache knows whose it is (vec_cache.c) */
};

/* A vectoriser with conf's settings, every IDF weight 1 and no stopword
 * set yet (the caller builds one). */
rk_err_t rk_vec_alloc(const rk_vec_conf_t *conf, rk_vec_t **out, char *errstr,
                      size_t errstr_size);

/* ---- the word cache (vec_cache.c) --------------------------------------
 * What a word gives the vectoriser depends only on the word and the
 * vectoriser: whether it is a stopword, its stem, the feature index of the
 * stem, the hash state a bigram starting with it continues from, and the
 * feature indices of its character n-grams. A context caches that per word
 * (words repeat: a document's paragraphs share most of theirs), so a word
 * seen before costs one lookup instead of a stopword lookup, Snowball and
 * hashing every n-gram. */

#define RK_VEC_GRAM_MAX                                                        \
    1024 /* "<word>" and "stem stem" fit this, or are                          \
            not features (as before the cache) */

typedef struct rk_vec_word_s {
    uint64_t bigram; /* FNV-1a state after "b", the stem and " " */
    int32_t unigram; /* feature index of "w" + stem */
    uint16_t word_len, stem_len;
    uint16_t ngrams; /* feature indices of its char n-grams, in order */
    uint8_t stop;    /* a stopword: no features at all */
    uint8_t pad;
    /* then the word's bytes, the stem's bytes and, 4-byte aligned, int32_t
     * grams[ngrams]: what a lookup compares is in the header's cache line
     * for most words */
} rk_vec_word_t;

static inline const char *rk_vec_word_text(const rk_vec_word_t *e) {
    return (const char *)(e + 1);
}
static inline const char *rk_vec_word_stem(const rk_vec_word_t *e) {
    return rk_vec_word_text(e) + e->word_len;
}
static inline const int32_t *rk_vec_word_grams(const rk_vec_word_t *e) {
    size_t at = sizeof *e + e->word_len + e->stem_len;
    return (const int32_t *)((const char *)e + ((at + 3) & ~(size_t)3));
}

typedef struct rk_vec_cache_s rk_vec_cache_t;

rk_vec_cache_t *rk_vec_cache_new(void);
void rk_vec_cache_destroy(rk_vec_cache_t *cache);

/* Call before each paragraph: empties the cache when it holds another
 * vectoriser's words or has grown past its budget, so entries never move
 * away during a paragraph. */
void rk_vec_cache_begin(rk_vec_cache_t *cache, const rk_vec_t *v);

/* The hash the cache finds word s[0..len) by. */
uint32_t rk_vec_cache_hash(const char *s, size_t len);

/* Starts fetching what a lookup of the word with this hash will read:
 * stage 0 its slot, stage 1 its entry (once the slot has arrived). */
void rk_vec_cache_prefetch(const rk_vec_cache_t *cache, uint32_t hash,
                           int stage);

/* The entry for w (from rk_tok_words with tok; hash from
 * rk_vec_cache_hash): found, or computed and added. Returns its handle, or
 * 0 when out of memory; entries are read with rk_vec_cache_at, whose
 * pointer is valid until the next get. */
uint32_t rk_vec_cache_get(rk_vec_cache_t *cache, const rk_vec_t *v,
                          rk_tok_t *tok, const rk_tok_word_t *w, uint32_t hash);
const rk_vec_word_t *rk_vec_cache_at(const rk_vec_cache_t *cache,
                                     uint32_t handle);

/* The byte range [*start, *start + *len) of the k-th character n-gram of
 * "<word>" (in e's order), for naming it. */
void rk_vec_gram_span(const rk_vec_t *v, const rk_vec_word_t *e, size_t k,
                      size_t *start, size_t *len);

#endif
