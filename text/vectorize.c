/*
 * vectorize.c - see vectorize.h.
 *
 * Features are hashed (FNV-1a, 64 bits) into 2^hash_bits buckets; indices
 * are 1-based as libsvm wants. A feature's name is prefixed by its family
 * ("w" word, "b" bigram, "c" character n-gram) so the families never share
 * a hash by construction of the input, only by collision.
 */
#include "text/vec_impl.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/utf8.h"
#include "text/normalize.h"
#include "text/stopwords.h"
#include "text/tokenize.h"

/* One feature of the last call, in the context's table. */
typedef struct feat_s {
    int idx;     /* feature index; 0 marks an empty slot */
    float count; /* raw term frequency */
    int term;    /* offset of its readable name in terms */
} feat_t;

#define TABLE_MIN_SLOTS 4096

struct rk_vec_ctx_s {
    rk_norm_t *norm;
    rk_tok_t *tok;
    int dim; /* the space of the last call */
    /* The last call's features: open addressing keyed by index, sized to
     * the paragraph (at most half full) rather than to the space, so it
     * stays in cache and a context costs the same at any hash_bits. */
    feat_t *tab;
    size_t tab_mask; /* slots - 1; slots a power of two */
    size_t *used;    /* slots in use (first-seen order until sorted) */
    size_t n_used;
    size_t *sort_tmp; /* radix sort scratch; used and it hold slots / 2 */
    char *terms;      /* readable feature names of the last call */
    size_t terms_len, terms_cap;
    struct svm_node *nodes;
    size_t nodes_cap;
    char gram[1024];              /* scratch for building feature names */
    size_t gram_starts[1024 + 1]; /* code point offsets in gram */
    uint64_t gram_hash[10][1024]; /* [n - char_min][start]: n-gram hashes */
};

/* ---- the vectoriser ---------------------------------------------------- */

/* The built-in lists, normalised with conf's settings so they match text. */
static rk_err_t builtin_stopset(const rk_vec_conf_t *conf,
                                rk_tok_stopset_t **out, char *errstr,
                                size_t errstr_size) {
    const rk_stopword_list_t *lists[] = {&rk_stopwords_ar, &rk_stopwords_en};
    size_t total = rk_stopwords_ar.count + rk_stopwords_en.count, k = 0;
    char **words = calloc(total ? total : 1, sizeof *words);
    rk_norm_t *norm = NULL;
    rk_err_t err =
        words ? rk_norm_new(&norm, errstr, errstr_size)
              : rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    for (size_t l = 0; !err && l < 2; l++)
        for (size_t i = 0; !err && i < lists[l]->count; i++) {
            const char *w = lists[l]->words[i], *nw;
            size_t nlen;
            err = rk_norm_text(norm, &conf->norm, w, strlen(w), &nw, &nlen,
                               errstr, errstr_size);
            if (!err && nlen && !(words[k++] = strdup(nw)))
                err =
                    rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
        }
    if (!err)
        err = rk_tok_stopset_new((const char *const *)words, k, out, errstr,
                                 errstr_size);
    for (size_t i = 0; i < k; i++)
        free(words[i]);
    free(words);
    rk_norm_destroy(norm);
    return err;
}

rk_err_t rk_vec_alloc(const rk_vec_conf_t *conf, rk_vec_t **out, char *errstr,
                      size_t errstr_size) {
    *out = NULL;
    rk_vec_t *v = calloc(1, sizeof *v);
    if (!v)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    v->conf = *conf;
    v->dim = 1 << conf->hash_bits;
    v->idf = malloc(((size_t)v->dim + 1) * sizeof *v->idf);
    if (!v->idf) {
        free(v);
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    for (int i = 0; i <= v->dim; i++)
        v->idf[i] = 1.0f;
    *out = v;
    return RK_OK;
}

rk_err_t rk_vec_new(const rk_vec_conf_t *conf, rk_vec_t **out, char *errstr,
                    size_t errstr_size) {
    rk_err_t err = rk_vec_alloc(conf, out, errstr, errstr_size);
    if (!err)
        err = conf->stopwords
                  ? builtin_stopset(conf, &(*out)->stop, errstr, errstr_size)
                  : rk_tok_stopset_new(NULL, 0, &(*out)->stop, errstr,
                                       errstr_size);
    if (err) {
        rk_vec_destroy(*out);
        *out = NULL;
    }
    return err;
}

void rk_vec_destroy(rk_vec_t *vec) {
    if (!vec)
        return;
    free(vec->idf);
    rk_tok_stopset_destroy(vec->stop);
    free(vec);
}

int rk_vec_dim(const rk_vec_t *vec) {
    return vec->dim;
}

/* Makes the table twice as large (or TABLE_MIN_SLOTS to start with) and
 * re-inserts the features in use. Returns 0 on OOM, leaving c as it was. */
static int grow_table(rk_vec_ctx_t *c) {
    size_t slots = c->tab ? 2 * (c->tab_mask + 1) : TABLE_MIN_SLOTS;
    feat_t *tab = calloc(slots, sizeof *tab);
    size_t *used = malloc(slots / 2 * sizeof *used);
    size_t *tmp = malloc(slots / 2 * sizeof *tmp);
    if (!tab || !used || !tmp) {
        free(tab);
        free(used);
        free(tmp);
        return 0;
    }
    for (size_t k = 0; k < c->n_used; k++) {
        const feat_t *f = &c->tab[c->used[k]];
        size_t s = (size_t)f->idx & (slots - 1);
        while (tab[s].idx)
            s = (s + 1) & (slots - 1);
        tab[s] = *f;
        used[k] = s;
    }
    free(c->tab);
    free(c->used);
    free(c->sort_tmp);
    c->tab = tab;
    c->used = used;
    c->sort_tmp = tmp;
    c->tab_mask = slots - 1;
    return 1;
}

/* The slot holding idx, or the empty slot where it would go. Indices are
 * already hash bits, so their low bits spread well. */
static size_t find_slot(const rk_vec_ctx_t *c, int idx) {
    size_t s = (size_t)idx & c->tab_mask;
    while (c->tab[s].idx && c->tab[s].idx != idx)
        s = (s + 1) & c->tab_mask;
    return s;
}

rk_vec_ctx_t *rk_vec_ctx_new(void) {
    rk_vec_ctx_t *c = calloc(1, sizeof *c);
    char err[128];
    if (!c || rk_norm_new(&c->norm, err, sizeof err) ||
        rk_tok_new(&c->tok, err, sizeof err) || !grow_table(c)) {
        rk_vec_ctx_destroy(c);
        return NULL;
    }
    return c;
}

void rk_vec_ctx_destroy(rk_vec_ctx_t *ctx) {
    if (!ctx)
        return;
    rk_norm_destroy(ctx->norm);
    rk_tok_destroy(ctx->tok);
    free(ctx->tab);
    free(ctx->used);
    free(ctx->sort_tmp);
    free(ctx->terms);
    free(ctx->nodes);
    free(ctx);
}

/* The hash of family + name, continued byte by byte. */
static uint64_t family_hash(char family) {
    return rk_fnv1a(RK_FNV_OFFSET, &family, 1);
}

/* Counts one feature whose name family + name hashes to h; records the
 * name for explanations the first time an index is seen. The space is a
 * power of two, so the bucket is h's low bits. Returns 0 on OOM. */
static int add_hashed(rk_vec_ctx_t *c, int dim, uint64_t h, char family,
                      const char *name, size_t len) {
    int idx = (int)(h & (uint64_t)(dim - 1)) + 1;
    size_t s = find_slot(c, idx);
    if (!c->tab[s].idx) {
        if ((c->n_used + 1) * 2 > c->tab_mask + 1) {
            if (!grow_table(c))
                return 0;
            s = find_slot(c, idx);
        }
        size_t need = c->terms_len + len + 2;
        if (need > c->terms_cap) {
            size_t cap = c->terms_cap ? c->terms_cap * 2 : 4096;
            while (cap < need)
                cap *= 2;
            char *t = realloc(c->terms, cap);
            if (!t)
                return 0;
            c->terms = t;
            c->terms_cap = cap;
        }
        c->tab[s] = (feat_t){idx, 0.0f, (int)c->terms_len};
        c->used[c->n_used++] = s;
        char *dst = c->terms + c->terms_len;
        size_t k = 0;
        if (family == 'c')
            dst[k++] = '#';
        memcpy(dst + k, name, len);
        dst[k + len] = '\0';
        c->terms_len += k + len + 1;
    }
    c->tab[s].count += 1.0f;
    return 1;
}

static int add_feature(rk_vec_ctx_t *c, int dim, char family, const char *name,
                       size_t len) {
    return add_hashed(c, dim, rk_fnv1a(family_hash(family), name, len), family,
                      name, len);
}

/* Character n-grams of "<word>" (code points, not bytes). FNV-1a extends
 * a prefix's hash, so every n-gram starting at a code point is hashed in
 * one walk of char_max code points (not char_min + ... + char_max); they
 * are then counted in the order n = char_min..char_max, as before. */
static int add_char_ngrams(rk_vec_ctx_t *c, const rk_vec_t *v,
                           const rk_token_t *t) {
    size_t wl = t->word_len;
    if (wl + 2 >= sizeof c->gram)
        return 1;
    char *g = c->gram;
    g[0] = '<';
    memcpy(g + 1, t->word, wl);
    g[wl + 1] = '>';
    size_t glen = wl + 2;
    /* Start offsets of each code point, plus the end. */
    size_t *starts = c->gram_starts, ncp = 0;
    for (size_t i = 0; i < glen; ncp++) {
        starts[ncp] = i;
        i += rk_utf8_seq_len((unsigned char)g[i]);
    }
    starts[ncp] = glen;
    int lo = v->conf.char_min, hi = v->conf.char_max;
    uint64_t base = family_hash('c');
    for (size_t i = 0; i + (size_t)lo <= ncp; i++) {
        uint64_t h =
            rk_fnv1a(base, g + starts[i], starts[i + lo - 1] - starts[i]);
        for (int n = lo; n <= hi && i + (size_t)n <= ncp; n++) {
            h = rk_fnv1a(h, g + starts[i + n - 1],
                         starts[i + n] - starts[i + n - 1]);
            c->gram_hash[n - lo][i] = h;
        }
    }
    for (int n = lo; n <= hi; n++)
        for (size_t i = 0; i + (size_t)n <= ncp; i++)
            if (!add_hashed(c, v->dim, c->gram_hash[n - lo][i], 'c',
                            g + starts[i], starts[i + n] - starts[i]))
                return 0;
    return 1;
}

/* Text to raw feature counts in ctx (touched list and terms filled). */
static rk_err_t featurize(const rk_vec_t *v, rk_vec_ctx_t *c, const char *text,
                          size_t len, char *errstr, size_t errstr_size) {
    for (size_t k = 0; k < c->n_used; k++)
        c->tab[c->used[k]].idx = 0;
    c->n_used = 0;
    c->dim = v->dim;
    c->terms_len = 0;
    const char *norm;
    size_t norm_len;
    rk_err_t err = rk_norm_text(c->norm, &v->conf.norm, text, len, &norm,
                                &norm_len, errstr, errstr_size);
    if (err)
        return err;
    int32_t ulen;
    const UChar *u = rk_norm_utf16(c->norm, &ulen);
    const rk_token_t *toks;
    size_t n;
    err = rk_tok_split(c->tok, u, ulen, v->stop, v->conf.stem, &toks, &n,
                       errstr, errstr_size);
    if (err)
        return err;
    for (size_t i = 0; i < n; i++) {
        int ok = add_feature(c, v->dim, 'w', toks[i].stem, toks[i].stem_len);
        if (ok && v->conf.word_ngrams >= 2 && i > 0) {
            size_t a = toks[i - 1].stem_len, b = toks[i].stem_len;
            if (a + b + 1 < sizeof c->gram) {
                memcpy(c->gram, toks[i - 1].stem, a);
                c->gram[a] = ' ';
                memcpy(c->gram + a + 1, toks[i].stem, b);
                ok = add_feature(c, v->dim, 'b', c->gram, a + b + 1);
            }
        }
        if (ok && v->conf.char_min)
            ok = add_char_ngrams(c, v, &toks[i]);
        if (!ok)
            return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    return RK_OK;
}

/* Sorts the used slots by ascending feature index: an LSD radix sort, 8
 * bits a pass, as many passes as the space needs. qsort with a comparison
 * callback took 40% of rk_vec_transform's time; this is linear. */
static void sort_used(rk_vec_ctx_t *c) {
    size_t n = c->n_used, *src = c->used, *dst = c->sort_tmp;
    for (unsigned shift = 0; shift < 32 && ((unsigned)c->dim >> shift) > 0;
         shift += 8) {
        size_t count[256] = {0};
        for (size_t i = 0; i < n; i++)
            count[((unsigned)c->tab[src[i]].idx >> shift) & 0xFF]++;
        for (size_t b = 0, sum = 0; b < 256; b++) {
            size_t k = count[b];
            count[b] = sum;
            sum += k;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[((unsigned)c->tab[src[i]].idx >> shift) & 0xFF]++] =
                src[i];
        size_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != c->used)
        memcpy(c->used, src, n * sizeof *src);
}

rk_err_t rk_vec_fit(rk_vec_t *v, const char *const *texts, const size_t *lens,
                    const char *const *langs, size_t n, char *errstr,
                    size_t errstr_size) {
    (void)langs; /* stemming follows each word's script (tokenize.h) */
    rk_vec_ctx_t *c = rk_vec_ctx_new();
    unsigned *df = calloc((size_t)v->dim + 1, sizeof *df);
    rk_err_t err =
        (c && df) ? RK_OK
                  : rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    for (size_t i = 0; !err && i < n; i++) {
        err = featurize(v, c, texts[i], lens[i], errstr, errstr_size);
        if (err) {
            char inner[256];
            snprintf(inner, sizeof inner, "%s", errstr);
            rk_fail(err, errstr, errstr_size, "training text %zu: %s", i,
                    inner);
            break;
        }
        for (size_t k = 0; k < c->n_used; k++)
            df[c->tab[c->used[k]].idx]++;
    }
    /* Smoothed IDF: as if one extra document held every feature. */
    for (int i = 1; !err && i <= v->dim; i++)
        v->idf[i] = (float)(log((1.0 + (double)n) / (1.0 + df[i])) + 1.0);
    free(df);
    rk_vec_ctx_destroy(c);
    return err;
}

rk_err_t rk_vec_transform(const rk_vec_t *v, rk_vec_ctx_t *c, const char *text,
                          size_t len, const char *lang,
                          const struct svm_node **out, int *n, char *errstr,
                          size_t errstr_size) {
    (void)lang;
    rk_err_t err = featurize(v, c, text, len, errstr, errstr_size);
    if (err)
        return err;
    if (c->n_used + 1 > c->nodes_cap) {
        size_t cap = c->nodes_cap ? c->nodes_cap : 256;
        while (cap < c->n_used + 1)
            cap *= 2;
        struct svm_node *nodes = realloc(c->nodes, cap * sizeof *nodes);
        if (!nodes)
            return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
        /* Zeroed once: the padding after each index stays zero, so equal
         * vectors are equal byte for byte (the tests compare them so). */
        memset(nodes + c->nodes_cap, 0, (cap - c->nodes_cap) * sizeof *nodes);
        c->nodes = nodes;
        c->nodes_cap = cap;
    }
    sort_used(c);
    double norm2 = 0.0;
    for (size_t i = 0; i < c->n_used; i++) {
        const feat_t *f = &c->tab[c->used[i]];
        double tf = f->count;
        /* Most features occur once: 1 + log(1) is 1, without log(). */
        double w = (v->conf.sublinear_tf && tf != 1.0 ? 1.0 + log(tf) : tf) *
                   v->idf[f->idx];
        /* The header's promise to libsvm: indices strictly ascending. */
        assert(i == 0 || c->nodes[i - 1].index < f->idx);
        c->nodes[i].index = f->idx;
        c->nodes[i].value = w;
        norm2 += w * w;
    }
    double scale = norm2 > 0 ? 1.0 / sqrt(norm2) : 0.0;
    for (size_t i = 0; i < c->n_used; i++)
        c->nodes[i].value *= scale;
    c->nodes[c->n_used].index = -1;
    c->nodes[c->n_used].value = 0.0;
    *out = c->nodes;
    *n = (int)c->n_used;
    return RK_OK;
}

const char *rk_vec_ctx_term(const rk_vec_ctx_t *ctx, int idx) {
    if (idx < 1 || idx > ctx->dim)
        return NULL;
    const feat_t *f = &ctx->tab[find_slot(ctx, idx)];
    return f->idx == idx ? ctx->terms + f->term : NULL;
}
