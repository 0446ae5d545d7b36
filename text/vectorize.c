/*
 * vectorize.c - see vectorize.h.
 *
 * Features are hashed (FNV-1a, 64 bits) into 2^hash_bits buckets; indices
 * are 1-based as libsvm wants. A feature's name is prefixed by its family
 * ("w" word, "b" bigram, "c" character n-gram) so the families never share
 * a hash by construction of the input, only by collision.
 *
 * Per paragraph: normalise (normalize.h), split into words (tokenize.h),
 * and for each word take what it gives from the context's word cache
 * (vec_cache.c: stopword or not, stem, its unigram's and n-grams' feature
 * indices), hashing only its bigram with the word before. Features are
 * counted in a table sized to the paragraph; a feature's readable name is
 * recorded as where it came from (which word, which n-gram) and written
 * out only when an explanation asks for it (rk_vec_ctx_term).
 */
#include "text/vec_impl.h"

#include <assert.h>
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/utf8.h"
#include "text/normalize.h"
#include "text/stopwords.h"
#include "text/tokenize.h"

/* Where a feature's name comes from: the kept word it was first seen at
 * (its index among the paragraph's words that are not stopwords) and, for
 * an n-gram, which of the word's. */
enum { FROM_WORD, FROM_BIGRAM, FROM_GRAM };

/* One feature of the last call, in the context's table. */
typedef struct feat_s {
    int idx;       /* feature index; 0 marks an empty slot */
    float count;   /* raw term frequency */
    uint32_t word; /* the kept word it was first seen at */
    uint16_t gram; /* FROM_GRAM: which n-gram of the word */
    uint8_t from;  /* FROM_* */
    uint8_t pad;
} feat_t;

#define TABLE_MIN_SLOTS 4096
#define LOG_TF_MAX 64           /* 1 + log(tf) from a table below this */
#define SORT_BUCKET_BITS_MAX 12 /* see sort_used */

/* Feature names, written on the first rk_vec_ctx_term after a call. */
typedef struct names_s {
    int built;
    char *text;
    size_t len, cap;
    uint32_t *at; /* per table slot: offset of its name in text */
    size_t at_cap;
} names_t;

struct rk_vec_ctx_s {
    rk_norm_t *norm;
    rk_tok_t *tok;
    rk_vec_cache_t *cache;
    const rk_vec_t *vec; /* of the last call */
    int dim;             /* the space of the last call */
    /* The last call's features: open addressing keyed by index, sized to
     * the paragraph (at most half full) rather than to the space, so it
     * stays in cache and a context costs the same at any hash_bits. */
    feat_t *tab;
    size_t tab_mask; /* slots - 1; slots a power of two */
    size_t *used;    /* slots in use (first-seen order until sorted) */
    size_t n_used;
    uint64_t *keys, *keys_tmp; /* sorting: index << 32 | slot */
    uint32_t *kept;            /* the cache handles of the kept words */
    size_t n_kept, kept_cap;
    struct svm_node *nodes;
    size_t nodes_cap;
    double log_tf[LOG_TF_MAX]; /* 1 + log(tf), exactly as computed below */
    uint32_t bucket[1u << SORT_BUCKET_BITS_MAX];
    names_t *names; /* behind a pointer: written through a const ctx */
};

/* A process-wide serial for vectorisers (the word cache's owner). */
static atomic_uint_fast64_t vec_serial;

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
    v->serial = (uint64_t)atomic_fetch_add(&vec_serial, 1) + 1;
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
    uint64_t *keys = malloc(slots / 2 * sizeof *keys);
    uint64_t *tmp = malloc(slots / 2 * sizeof *tmp);
    if (!tab || !used || !keys || !tmp) {
        free(tab);
        free(used);
        free(keys);
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
    free(c->keys);
    free(c->keys_tmp);
    c->tab = tab;
    c->used = used;
    c->keys = keys;
    c->keys_tmp = tmp;
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
        rk_tok_new(&c->tok, err, sizeof err) ||
        !(c->cache = rk_vec_cache_new()) ||
        !(c->names = calloc(1, sizeof *c->names)) || !grow_table(c)) {
        rk_vec_ctx_destroy(c);
        return NULL;
    }
    for (int k = 1; k < LOG_TF_MAX; k++) {
        double tf = k;
        c->log_tf[k] = 1.0 + log(tf);
    }
    return c;
}

void rk_vec_ctx_destroy(rk_vec_ctx_t *ctx) {
    if (!ctx)
        return;
    rk_norm_destroy(ctx->norm);
    rk_tok_destroy(ctx->tok);
    rk_vec_cache_destroy(ctx->cache);
    free(ctx->tab);
    free(ctx->used);
    free(ctx->keys);
    free(ctx->keys_tmp);
    free(ctx->kept);
    free(ctx->nodes);
    if (ctx->names) {
        free(ctx->names->text);
        free(ctx->names->at);
        free(ctx->names);
    }
    free(ctx);
}

void rk_vec_ctx_set_fast(rk_vec_ctx_t *ctx, int on) {
    rk_norm_set_fast(ctx->norm, on);
    rk_tok_set_fast(ctx->tok, on);
}

/* Counts one occurrence of feature idx, first seen (if it is new) at kept
 * word `word` as `from`, n-gram `gram`. Returns 0 on OOM. */
static inline int add(rk_vec_ctx_t *c, const rk_vec_t *v, int idx,
                      uint32_t word, int from, size_t gram) {
    size_t s = find_slot(c, idx);
    if (!c->tab[s].idx) {
        if ((c->n_used + 1) * 2 > c->tab_mask + 1) {
            if (!grow_table(c))
                return 0;
            s = find_slot(c, idx);
        }
        c->tab[s] = (feat_t){idx, 0.0f, word, (uint16_t)gram, (uint8_t)from, 0};
        c->used[c->n_used++] = s;
        /* Its IDF weight is read when the vector is built: a 2^hash_bits
         * table that does not stay in cache. Fetch it now, in the
         * background. */
        __builtin_prefetch(&v->idf[idx]);
    }
    c->tab[s].count += 1.0f;
    return 1;
}

/* The features of the kept word handle (the k-th kept word), whose
 * predecessor left its bigram state in *bigram (and *prev_stem its stem's
 * length). Returns 0 on OOM. */
static int add_word(rk_vec_ctx_t *c, const rk_vec_t *v, uint32_t handle,
                    uint32_t k, uint64_t *bigram, size_t *prev_stem) {
    const rk_vec_word_t *e = rk_vec_cache_at(c->cache, handle);
    const char *stem = rk_vec_word_stem(e);
    int ok = add(c, v, e->unigram, k, FROM_WORD, 0);
    if (ok && v->conf.word_ngrams >= 2 && k > 0 &&
        *prev_stem + e->stem_len + 1 < RK_VEC_GRAM_MAX) {
        uint64_t h = rk_fnv1a(*bigram, stem, e->stem_len);
        ok =
            add(c, v, (int)(h & (uint64_t)(v->dim - 1)) + 1, k, FROM_BIGRAM, 0);
    }
    const int32_t *grams = rk_vec_word_grams(e);
    for (size_t g = 0; ok && v->conf.char_min && g < e->ngrams; g++)
        ok = add(c, v, grams[g], k, FROM_GRAM, g);
    *bigram = e->bigram;
    *prev_stem = e->stem_len;
    return ok;
}

/* Text to raw feature counts in ctx (the used list and kept words
 * filled). valid: text is known to be valid UTF-8. */
static rk_err_t featurize(const rk_vec_t *v, rk_vec_ctx_t *c, const char *text,
                          size_t len, int valid, char *errstr,
                          size_t errstr_size) {
    for (size_t k = 0; k < c->n_used; k++)
        c->tab[c->used[k]].idx = 0;
    c->n_used = 0;
    c->n_kept = 0;
    c->vec = v;
    c->dim = v->dim;
    c->names->built = 0;
    rk_vec_cache_begin(c->cache, v);
    const char *norm;
    size_t norm_len;
    rk_err_t err =
        valid ? rk_norm_valid_text(c->norm, &v->conf.norm, text, len, &norm,
                                   &norm_len, errstr, errstr_size)
              : rk_norm_text(c->norm, &v->conf.norm, text, len, &norm,
                             &norm_len, errstr, errstr_size);
    /* (rk_norm_text checks the UTF-8: invalid is an error naming the byte
     * offset, unless the settings replace it.) */
    const rk_tok_word_t *words;
    size_t n = 0;
    if (!err)
        err = rk_tok_words(c->tok, c->norm, &words, &n, errstr, errstr_size);
    if (err)
        return err;
    if (n > c->kept_cap) {
        uint32_t *kept = realloc(c->kept, n * sizeof *kept);
        if (!kept)
            return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
        c->kept = kept;
        c->kept_cap = n;
    }
    uint64_t bigram = 0;
    size_t prev_stem = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t h = rk_vec_cache_get(c->cache, v, c->tok, &words[i]);
        if (h && rk_vec_cache_at(c->cache, h)->stop)
            continue;
        if (!h || !add_word(c, v, h, (uint32_t)c->n_kept, &bigram, &prev_stem))
            return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
        c->kept[c->n_kept++] = h;
    }
    return RK_OK;
}

/* Sorts the used slots by ascending feature index into c->keys (index <<
 * 32 | slot). A paragraph has a few hundred features spread evenly over
 * the space: one counting pass on the top bits, about one bucket per
 * feature, leaves each in its bucket with a neighbour or two, and an
 * insertion sort finishes. Linear, and about a quarter of the LSD radix
 * sort's work (three passes of 256 buckets) that it replaces. */
static void sort_used(rk_vec_ctx_t *c, int hash_bits) {
    size_t n = c->n_used;
    uint64_t *keys = c->keys, *tmp = c->keys_tmp;
    unsigned bits = 4;
    while (bits < SORT_BUCKET_BITS_MAX && ((size_t)1 << bits) < n)
        bits++;
    if ((int)bits > hash_bits)
        bits = (unsigned)hash_bits;
    unsigned shift = (unsigned)hash_bits - bits, nb = 1u << bits;
    uint32_t *count = c->bucket;
    memset(count, 0, nb * sizeof *count);
    for (size_t i = 0; i < n; i++) {
        uint64_t idx = (uint64_t)(c->tab[c->used[i]].idx - 1);
        tmp[i] = idx << 32 | c->used[i];
        count[idx >> shift]++;
    }
    for (uint32_t b = 0, sum = 0; b < nb; b++) {
        uint32_t k = count[b];
        count[b] = sum;
        sum += k;
    }
    for (size_t i = 0; i < n; i++)
        keys[count[tmp[i] >> 32 >> shift]++] = tmp[i];
    for (size_t i = 1; i < n; i++) {
        uint64_t k = keys[i];
        size_t j = i;
        for (; j > 0 && keys[j - 1] > k; j--)
            keys[j] = keys[j - 1];
        keys[j] = k;
    }
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
        err = featurize(v, c, texts[i], lens[i], 0, errstr, errstr_size);
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

static rk_err_t transform(const rk_vec_t *v, rk_vec_ctx_t *c, const char *text,
                          size_t len, int valid, const struct svm_node **out,
                          int *n, char *errstr, size_t errstr_size) {
    rk_err_t err = featurize(v, c, text, len, valid, errstr, errstr_size);
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
    sort_used(c, v->conf.hash_bits);
    double norm2 = 0.0;
    for (size_t i = 0; i < c->n_used; i++) {
        const feat_t *f = &c->tab[(uint32_t)c->keys[i]];
        double tf = f->count;
        /* Most features occur once: 1 + log(1) is 1, without log(). */
        double w = (v->conf.sublinear_tf && tf != 1.0
                        ? (tf < LOG_TF_MAX ? c->log_tf[(int)tf] : 1.0 + log(tf))
                        : tf) *
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

rk_err_t rk_vec_transform(const rk_vec_t *v, rk_vec_ctx_t *c, const char *text,
                          size_t len, const char *lang,
                          const struct svm_node **out, int *n, char *errstr,
                          size_t errstr_size) {
    (void)lang;
    return transform(v, c, text, len, 0, out, n, errstr, errstr_size);
}

rk_err_t rk_vec_transform_valid(const rk_vec_t *v, rk_vec_ctx_t *c,
                                const char *text, size_t len, const char *lang,
                                const struct svm_node **out, int *n,
                                char *errstr, size_t errstr_size) {
    (void)lang;
    return transform(v, c, text, len, 1, out, n, errstr, errstr_size);
}

/* Writes the name of feature f (see add) to the end of names: the stem,
 * the two stems of a bigram with a space between, or "#" and the n-gram of
 * "<word>". */
static int write_name(const rk_vec_ctx_t *c, names_t *nm, const feat_t *f) {
    const rk_vec_word_t *e = rk_vec_cache_at(c->cache, c->kept[f->word]);
    const rk_vec_word_t *p =
        f->from == FROM_BIGRAM ? rk_vec_cache_at(c->cache, c->kept[f->word - 1])
                               : NULL;
    size_t start = 0, len = e->stem_len;
    if (p)
        len = p->stem_len + 1 + e->stem_len;
    else if (f->from == FROM_GRAM)
        rk_vec_gram_span(c->vec, e, f->gram, &start, &len);
    size_t need = nm->len + len + 2;
    if (need > nm->cap) {
        size_t cap = nm->cap ? nm->cap : 4096;
        while (cap < need)
            cap *= 2;
        char *t = realloc(nm->text, cap);
        if (!t)
            return 0;
        nm->text = t;
        nm->cap = cap;
    }
    char *o = nm->text + nm->len;
    if (p) {
        memcpy(o, rk_vec_word_stem(p), p->stem_len);
        o[p->stem_len] = ' ';
        memcpy(o + p->stem_len + 1, rk_vec_word_stem(e), e->stem_len);
    } else if (f->from == FROM_WORD) {
        memcpy(o, rk_vec_word_stem(e), e->stem_len);
    } else {
        const char *w = rk_vec_word_text(e);
        *o++ = '#';
        for (size_t i = start; i < start + len; i++)
            *o++ = i == 0 ? '<' : i == (size_t)e->word_len + 1 ? '>' : w[i - 1];
        o -= len;
    }
    o[len] = '\0';
    nm->len = (size_t)(o - nm->text) + len + 1;
    return 1;
}

/* Writes every feature's name of the last call (names->at per slot). */
static int build_names(const rk_vec_ctx_t *c) {
    names_t *nm = c->names;
    size_t slots = c->tab_mask + 1;
    if (slots > nm->at_cap) {
        uint32_t *at = realloc(nm->at, slots * sizeof *at);
        if (!at)
            return 0;
        nm->at = at;
        nm->at_cap = slots;
    }
    nm->len = 0;
    for (size_t k = 0; k < c->n_used; k++) {
        nm->at[c->used[k]] = (uint32_t)nm->len;
        if (!write_name(c, nm, &c->tab[c->used[k]]))
            return 0;
    }
    nm->built = 1;
    return 1;
}

const char *rk_vec_ctx_term(const rk_vec_ctx_t *ctx, int idx) {
    if (idx < 1 || idx > ctx->dim || !ctx->vec)
        return NULL;
    size_t s = find_slot(ctx, idx);
    if (ctx->tab[s].idx != idx || (!ctx->names->built && !build_names(ctx)))
        return NULL;
    return ctx->names->text + ctx->names->at[s];
}
