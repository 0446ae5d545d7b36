/*
 * fuzz_normalize_vectorize.c - any bytes through normalise, tokenise and
 * vectorise: refused as invalid UTF-8, or a well-formed libsvm vector
 * (ascending indices within the space, -1 terminated, finite values). The
 * normaliser must also be idempotent on whatever it accepts. And every fast
 * path must give what the ICU path gives: the normaliser's result (with
 * each switch setting the input picks), the words rk_tok_words finds, and
 * the vector and feature names, through the checking and the non-checking
 * entry points alike. A second vectoriser with the options that are off by
 * default (block_norm, the light Arabic stemmer) is held to the same, and
 * the light stemmer alone must hand back a non-empty piece of its word.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "text/arstem.h"
#include "text/normalize.h"
#include "text/tokenize.h"
#include "text/vectorize.h"

typedef struct state_s {
    rk_vec_t *vec, *vec_opts; /* the defaults; block_norm + stem_ar=light */
    rk_vec_ctx_t *ctx, *ctx_icu, *ctx_opts, *ctx_opts_icu;
    rk_norm_t *norm, *norm_icu;
    rk_tok_t *tok, *tok_icu;
} state_t;

static state_t *state(void) {
    static state_t s;
    char err[256];
    if (s.vec)
        return &s;
    rk_vec_conf_t *conf = rk_vec_conf_new();
    rk_vec_conf_set(conf, "hash_bits", "12", err, sizeof err);
    if (rk_vec_new(conf, &s.vec, err, sizeof err) ||
        rk_vec_conf_set(conf, "block_norm", "true", err, sizeof err) ||
        rk_vec_conf_set(conf, "stem_ar", "light", err, sizeof err) ||
        rk_vec_new(conf, &s.vec_opts, err, sizeof err) ||
        !(s.ctx_opts = rk_vec_ctx_new()) ||
        !(s.ctx_opts_icu = rk_vec_ctx_new()) ||
        rk_norm_new(&s.norm, err, sizeof err) ||
        rk_norm_new(&s.norm_icu, err, sizeof err) ||
        rk_tok_new(&s.tok, err, sizeof err) ||
        rk_tok_new(&s.tok_icu, err, sizeof err) ||
        !(s.ctx = rk_vec_ctx_new()) || !(s.ctx_icu = rk_vec_ctx_new()))
        abort();
    rk_vec_conf_destroy(conf);
    rk_norm_set_fast(s.norm_icu, 0);
    rk_tok_set_fast(s.tok_icu, 0);
    rk_vec_ctx_set_fast(s.ctx_icu, 0);
    rk_vec_ctx_set_fast(s.ctx_opts_icu, 0);
    return &s;
}

/* The vector is one libsvm can read. */
static void check_vector(const rk_vec_t *vec, const struct svm_node *x, int n) {
    for (int i = 0; i < n; i++)
        if (x[i].index < 1 || x[i].index > rk_vec_dim(vec) ||
            (i && x[i].index <= x[i - 1].index) || !isfinite(x[i].value))
            abort();
    if (x[n].index != -1)
        abort();
}

/* Both contexts' last vectors and names are the same. */
static void same_vectors(const rk_vec_ctx_t *ca, const struct svm_node *a,
                         int na, const rk_vec_ctx_t *cb,
                         const struct svm_node *b, int nb) {
    if (na != nb || memcmp(a, b, (size_t)(na + 1) * sizeof *a))
        abort();
    for (int i = 0; i < na; i++) {
        const char *ta = rk_vec_ctx_term(ca, a[i].index);
        const char *tb = rk_vec_ctx_term(cb, b[i].index);
        if (!ta || !tb || strcmp(ta, tb))
            abort();
    }
}

/* The normaliser's fast path against ICU's, with the switches the first
 * byte picks, and the words of the result both ways. */
static void check_normalize(state_t *s, const uint8_t *data, size_t size) {
    rk_norm_opts_t o = rk_norm_opts_default();
    if (size) {
        o.alef = data[0] & 1;
        o.alef_maqsura = data[0] >> 1 & 1;
        o.ta_marbuta = data[0] >> 2 & 1;
        o.replace_invalid = data[0] >> 3 & 1;
    }
    const char *a, *b;
    size_t na, nb;
    char ea[256], eb[256];
    rk_err_t ra = rk_norm_text(s->norm, &o, (const char *)data, size, &a, &na,
                               ea, sizeof ea);
    rk_err_t rb = rk_norm_text(s->norm_icu, &o, (const char *)data, size, &b,
                               &nb, eb, sizeof eb);
    if (ra != rb || (ra && strcmp(ea, eb)))
        abort(); /* refused differently */
    if (ra)
        return;
    if (na != nb || memcmp(a, b, na))
        abort(); /* the fast path changed the text */
    const rk_tok_word_t *wa, *wb;
    size_t ka, kb;
    if (rk_tok_words(s->tok, s->norm, &wa, &ka, ea, sizeof ea) ||
        rk_tok_words(s->tok_icu, s->norm, &wb, &kb, eb, sizeof eb) || ka != kb)
        abort();
    for (size_t i = 0; i < ka; i++)
        if (wa[i].len != wb[i].len || memcmp(wa[i].s, wb[i].s, wa[i].len) ||
            wa[i].script != wb[i].script)
            abort(); /* the plain path split differently */
}

/* The optional settings: a libsvm vector of at most unit length, the same
 * on both paths; and the light stemmer's stem is a non-empty substring. */
static void check_options(state_t *s, const uint8_t *data, size_t size) {
    char err[256];
    const struct svm_node *x, *y;
    int n, m;
    const char *text = (const char *)data;
    rk_err_t ra = rk_vec_transform(s->vec_opts, s->ctx_opts, text, size, NULL,
                                   &x, &n, err, sizeof err);
    rk_err_t rb = rk_vec_transform(s->vec_opts, s->ctx_opts_icu, text, size,
                                   NULL, &y, &m, err, sizeof err);
    if (ra != rb)
        abort();
    if (ra != RK_OK)
        return;
    check_vector(s->vec_opts, x, n);
    double norm2 = 0.0;
    for (int i = 0; i < n; i++)
        norm2 += x[i].value * x[i].value;
    if (norm2 > 1.0 + 1e-9)
        abort();
    same_vectors(s->ctx_opts, x, n, s->ctx_opts_icu, y, m);
    size_t stem_len = 0;
    const char *stem = rk_arstem_light(text, size, &stem_len);
    if (size && (stem < text || stem_len == 0 || stem + stem_len > text + size))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    state_t *s = state();
    char err[256];
    const struct svm_node *x, *y;
    int n, m;
    const char *text = (const char *)data;
    rk_err_t ra = rk_vec_transform(s->vec, s->ctx, text, size, NULL, &x, &n,
                                   err, sizeof err);
    if (ra == RK_OK)
        check_vector(s->vec, x, n);
    rk_err_t rb = rk_vec_transform(s->vec, s->ctx_icu, text, size, NULL, &y, &m,
                                   err, sizeof err);
    if (ra != rb)
        abort();
    if (ra == RK_OK) {
        same_vectors(s->ctx, x, n, s->ctx_icu, y, m);
        /* A valid text through the entry point that does not check it. */
        if (rk_vec_transform_valid(s->vec, s->ctx, text, size, NULL, &x, &n,
                                   err, sizeof err) != RK_OK)
            abort();
        same_vectors(s->ctx, x, n, s->ctx_icu, y, m);
    } else if (rk_utf8_valid(text, size, NULL)) {
        abort(); /* only invalid UTF-8 is refused */
    }
    check_normalize(s, data, size);
    check_options(s, data, size);

    /* Idempotence. */
    rk_norm_opts_t o = rk_norm_opts_default();
    o.replace_invalid = 1;
    const char *once;
    size_t len1;
    if (rk_norm_text(s->norm, &o, text, size, &once, &len1, err, sizeof err) ==
        RK_OK) {
        char *copy = malloc(len1 + 1);
        memcpy(copy, once, len1);
        const char *twice;
        size_t len2;
        if (rk_norm_text(s->norm, &o, copy, len1, &twice, &len2, err,
                         sizeof err) != RK_OK ||
            len1 != len2 || memcmp(copy, twice, len1))
            abort(); /* not idempotent */
        free(copy);
    }
    return 0;
}
