/*
 * vec_impl.h - the vectoriser's private structures, shared by its three
 * files: vec_conf.c (settings), vectorize.c (fitting and transforming) and
 * vec_io.c (the saved form). Nothing outside text/vec*.c includes this.
 */
#ifndef RK_VEC_IMPL_H
#define RK_VEC_IMPL_H

#include "text/normalize.h"
#include "text/tokenize.h"
#include "text/vectorize.h"

struct rk_vec_conf_s {
    int hash_bits;          /* feature space is 2^hash_bits */
    int word_ngrams;        /* 1: unigrams, 2: unigrams and bigrams */
    int char_min, char_max; /* character n-gram range; 0-0 disables */
    int stem, stopwords, sublinear_tf;
    rk_norm_opts_t norm;
};

struct rk_vec_s {
    rk_vec_conf_t conf;
    int dim;
    float *idf;             /* [dim + 1], index 0 unused */
    rk_tok_stopset_t *stop; /* normalised; empty when stopwords are off */
};

/* A vectoriser with conf's settings, every IDF weight 1 and no stopword
 * set yet (the caller builds one). */
rk_err_t rk_vec_alloc(const rk_vec_conf_t *conf, rk_vec_t **out, char *errstr,
                      size_t errstr_size);

#endif
