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

#include "core/grow.h"
#include "core/hash.h"
#include "core/utf8.h"
#include "text/normalize.h"
#include "text/stopwords.h"
#include "text/tokenize.h"

/* Where a feature's name comes from: the kept word it was first seen at
 * (its index among the paragraph's words that are not stopwords) and, for
 * an n-gram, which of the word's. */
enum { FROM_WORD, FROM_BIGRAM, FROM_GRAM };

/* A slot of the context's feature table: a feature index (0: empty) and
 * the feature's id, its place in the per-feature arrays (first-seen
 * order). */
typedef struct slot_t {
    int idx;
    uint32_t id;
} slot_t;

/* Where a feature's name comes from, packed: the kept word << 32 | the
 * n-gram << 8 | FROM_*. */
static inline uint64_t ref_of(uint32_t word, size_t gram, int from) {
    return (uint64_t)word << 32 | (uint64_t)gram << 8 | (uint64_t)from;
}

#define TABLE_MIN_BITS 6 /* 64 slots; more for longer paragraphs */
#define TABLE_MARGIN 32  /* slots past the last one a run may spill into */
#define LOG_TF_MAX 64    /* 1 + log(tf) from a table below this */
#define PREFETCH_AHEAD 4 /* words: see featurize */

/* Feature names, written on the first rk_vec_ctx_term after a call. */
typedef struct names_s {
    int built;
    char *text;
    size_t len, cap;
    uint32_t *at; /* per feature id: offset of its name in text */
    size_t at_cap;
} names_t;

struct rk_vec_ctx_s {
    rk_norm_t *norm;
    rk_tok_t *tok;
    rk_vec_cache_t *cache;
    const rk_vec_t *vec; /* of the last call */
    int dim;             /* the space of the last call */
    /* The last call's features, in a table kept in index order: a
     * feature's home slot is its index's top bits, and a taken slot sends
     * it forward (into a margin past the last slot, never round to the
     * first). Read from first slot to last, the table is sorted but for a
     * feature pushed a few places along a run of neighbours, which an
     * insertion sort puts right (collect): no sort of its own. A paragraph
     * uses 2^tab_bits slots, two a byte of its text (it has about one
     * feature a byte), at most half of them full: a few kilobytes for most,
     * whatever the longest paragraph before needed. */
    slot_t *tab;       /* tab_cap + TABLE_MARGIN + 1 slots, the last empty */
    uint64_t *taken;   /* a bit a slot: which hold a feature */
    size_t tab_cap;    /* a power of two */
    unsigned tab_bits; /* 2^tab_bits slots in use (<= hash_bits) */
    unsigned shift;    /* home slot: (idx - 1) >> shift */
    int tab_dirty;     /* features in the table not collected yet */
    size_t n_feat;     /* features so far (ids 0 .. n_feat - 1) */
    size_t feat_limit; /* more, and the table grows */
    size_t slot_end;   /* the first slot a feature may not take */
    size_t feat_cap;   /* room in the per-feature arrays */
    float *count;      /* per id: raw term frequency */
    uint64_t *ref;     /* per id: where its name comes from (ref_of) */
    uint64_t *sorted;  /* (index - 1) << 32 | id, ascending (collect) */
    uint32_t *kept;    /* the cache handles of the kept words */
    size_t n_kept, kept_cap;
    uint32_t *hashes; /* the words' cache hashes (featurize) */
    size_t hashes_cap;
    struct svm_node *nodes;
    size_t nodes_cap;
    double log_tf[LOG_TF_MAX]; /* 1 + log(tf), exactly as computed below */
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

/* Room for slots table slots (a power of two) and as many features,
 * keeping the features. A new table is empty (the caller re-inserts).
 * Returns 0 on OOM, leaving c as it was. */
static int reserve(rk_vec_ctx_t *c, size_t slots) {
    if (slots > c->feat_cap) {
        float *count = realloc(c->count, slots * sizeof *count);
        if (count)
            c->count = count;
        uint64_t *ref = realloc(c->ref, slots * sizeof *ref);
        if (ref)
            c->ref = ref;
        uint64_t *sorted = realloc(c->sorted, slots * sizeof *sorted);
        if (sorted)
            c->sorted = sorted;
        if (!count || !ref || !sorted)
            return 0;
        c->feat_cap = slots;
    }
    if (slots > c->tab_cap) {
        slot_t *tab = calloc(slots + TABLE_MARGIN + 1, sizeof *tab);
        uint64_t *taken = calloc((slots + TABLE_MARGIN + 64) / 64, 8);
        if (!tab || !taken) {
            free(tab);
            free(taken);
            return 0;
        }
        free(c->tab);
        free(c->taken);
        c->tab = tab;
        c->taken = taken;
        c->tab_cap = slots;
    }
    return 1;
}

/* Uses 2^bits slots (allocated, empty) for a space of 2^hash_bits. With
 * as many slots as indices every feature has a slot of its own. */
static void use_bits(rk_vec_ctx_t *c, unsigned bits, unsigned hash_bits) {
    c->tab_bits = bits < hash_bits ? bits : hash_bits;
    c->shift = hash_bits - c->tab_bits;
    c->feat_limit = c->tab_bits == hash_bits ? (size_t)1 << c->tab_bits
                                             : (size_t)1 << (c->tab_bits - 1);
    c->slot_end = ((size_t)1 << c->tab_bits) + TABLE_MARGIN;
}

/* The slot holding idx, or the empty slot where it would go (which may be
 * past the margin: the table must then grow). */
static inline size_t find_slot(const rk_vec_ctx_t *c, int idx) {
    size_t s = (size_t)(idx - 1) >> c->shift;
    while (c->tab[s].idx && c->tab[s].idx != idx)
        s++;
    return s;
}

/* Reads the table in slot order into c->sorted and empties it, visiting
 * only the slots taken (a bit each in c->taken); an insertion sort puts
 * the few features a run pushed along in their places. */
static void collect(rk_vec_ctx_t *c) {
    uint64_t *out = c->sorted;
    size_t n = 0, words = (c->slot_end + 63) / 64;
    slot_t *tab = c->tab;
    for (size_t w = 0; w < words; w++) {
        for (uint64_t bits = c->taken[w]; bits; bits &= bits - 1) {
            slot_t *t = &tab[w * 64 + (size_t)__builtin_ctzll(bits)];
            out[n++] = (uint64_t)(t->idx - 1) << 32 | t->id;
            t->idx = 0;
        }
        c->taken[w] = 0;
    }
    assert(n == c->n_feat);
    for (size_t i = 1; i < n; i++) {
        uint64_t k = out[i];
        size_t j = i;
        for (; j > 0 && out[j - 1] > k; j--)
            out[j] = out[j - 1];
        out[j] = k;
    }
    c->tab_dirty = 0;
}

/* Doubles the slots in use (allocating when needed) and puts the features
 * back. Returns 0 on OOM (the table then holds them as before). */
static int grow_table(rk_vec_ctx_t *c) {
    unsigned hash_bits = c->tab_bits + c->shift, bits = c->tab_bits;
    collect(c);
    for (;;) {
        bits++;
        int ok = reserve(c, (size_t)1 << (bits < hash_bits ? bits : hash_bits));
        if (ok)
            use_bits(c, bits, hash_bits);
        size_t i = 0, end = c->slot_end;
        for (; i < c->n_feat; i++) {
            int idx = (int)(c->sorted[i] >> 32) + 1;
            size_t s = find_slot(c, idx);
            if (s >= end)
                break; /* a run past the margin: larger still */
            c->tab[s] = (slot_t){idx, (uint32_t)c->sorted[i]};
            c->taken[s / 64] |= (uint64_t)1 << (s % 64);
        }
        c->tab_dirty = 1;
        if (i == c->n_feat)
            return ok;
        collect(c);
    }
}

/* Empties the table for a paragraph of len bytes in a space of
 * 2^hash_bits and sizes it. Returns 0 on OOM. */
static int begin_table(rk_vec_ctx_t *c, size_t len, unsigned hash_bits) {
    if (c->tab_dirty) /* a call that failed */
        collect(c);
    c->n_feat = 0;
    unsigned bits = TABLE_MIN_BITS;
    while (((size_t)1 << bits) < 4 * len && bits < hash_bits)
        bits++;
    if (!reserve(c, (size_t)1 << (bits < hash_bits ? bits : hash_bits)))
        return 0;
    use_bits(c, bits, hash_bits);
    return 1;
}

rk_vec_ctx_t *rk_vec_ctx_new(void) {
    rk_vec_ctx_t *c = calloc(1, sizeof *c);
    char err[128];
    if (!c || rk_norm_new(&c->norm, err, sizeof err) ||
        rk_tok_new(&c->tok, err, sizeof err) ||
        !(c->cache = rk_vec_cache_new()) ||
        !(c->names = calloc(1, sizeof *c->names)) ||
        !reserve(c, (size_t)1 << TABLE_MIN_BITS)) {
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
    free(ctx->taken);
    free(ctx->count);
    free(ctx->ref);
    free(ctx->sorted);
    free(ctx->kept);
    free(ctx->hashes);
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

/* Counts one occurrence of feature idx, which is first seen (if it is
 * new) at kept word `word`, as `from` (FROM_*) and n-gram `gram`. Returns
 * 0 on OOM. Inlined into each loop: there are about 1.5 a byte of text. */
static inline __attribute__((always_inline)) int add(rk_vec_ctx_t *c,
                                                     const rk_vec_t *v, int idx,
                                                     uint32_t word, int from,
                                                     size_t gram) {
    slot_t *tab = c->tab;
    size_t s = (size_t)(idx - 1) >> c->shift;
    for (int t; (t = tab[s].idx); s++)
        if (t == idx) {
            c->count[tab[s].id] += 1.0f;
            return 1;
        }
    if (c->n_feat >= c->feat_limit || s >= c->slot_end) {
        if (!grow_table(c))
            return 0;
        tab = c->tab;
        s = find_slot(c, idx);
    }
    uint32_t id = (uint32_t)c->n_feat++;
    tab[s] = (slot_t){idx, id};
    c->taken[s / 64] |= (uint64_t)1 << (s % 64);
    c->tab_dirty = 1;
    c->count[id] = 1.0f;
    c->ref[id] = ref_of(word, gram, from);
    /* Its IDF weight is read when the vector is built: a 2^hash_bits
     * table that does not stay in cache. Fetch it now, in the background. */
    __builtin_prefetch(&v->idf[idx]);
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
    size_t ngrams = v->conf.char_min ? e->ngrams : 0;
    for (size_t g = 0; ok && g < ngrams; g++)
        ok = add(c, v, grams[g], k, FROM_GRAM, g);
    *bigram = e->bigram;
    *prev_stem = e->stem_len;
    return ok;
}

/* Room for n words' hashes and kept handles. */
static int reserve_words(rk_vec_ctx_t *c, size_t n) {
    if (n > c->kept_cap) {
        uint32_t *kept = realloc(c->kept, n * sizeof *kept);
        if (!kept)
            return 0;
        c->kept = kept;
        c->kept_cap = n;
    }
    if (n > c->hashes_cap) {
        uint32_t *h = realloc(c->hashes, n * sizeof *h);
        if (!h)
            return 0;
        c->hashes = h;
        c->hashes_cap = n;
    }
    return 1;
}

/* Text to raw feature counts in ctx (the features and kept words filled).
 * valid: text is known to be valid UTF-8. The words' cache entries are
 * scattered over megabytes: their slots and then the entries are fetched
 * PREFETCH_AHEAD words ahead of use. */
static rk_err_t featurize(const rk_vec_t *v, rk_vec_ctx_t *c, const char *text,
                          size_t len, int valid, char *errstr,
                          size_t errstr_size) {
    c->n_kept = 0;
    c->vec = v;
    c->dim = v->dim;
    c->names->built = 0;
    rk_vec_cache_begin(c->cache, v);
    if (!begin_table(c, len, (unsigned)v->conf.hash_bits))
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    const char *norm;
    size_t norm_len;
    /* (rk_norm_text checks the UTF-8: invalid is an error naming the byte
     * offset, unless the settings replace it.) */
    rk_err_t err =
        valid ? rk_norm_valid_text(c->norm, &v->conf.norm, text, len, &norm,
                                   &norm_len, errstr, errstr_size)
              : rk_norm_text(c->norm, &v->conf.norm, text, len, &norm,
                             &norm_len, errstr, errstr_size);
    const rk_tok_word_t *words;
    size_t n = 0;
    if (!err)
        err = rk_tok_words(c->tok, c->norm, &words, &n, errstr, errstr_size);
    if (err)
        return err;
    if (!reserve_words(c, n))
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    for (size_t i = 0; i < n; i++) {
        c->hashes[i] = rk_vec_cache_hash(words[i].s, words[i].len);
        rk_vec_cache_prefetch(c->cache, c->hashes[i], 0);
    }
    uint64_t bigram = 0;
    size_t prev_stem = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + PREFETCH_AHEAD < n)
            rk_vec_cache_prefetch(c->cache, c->hashes[i + PREFETCH_AHEAD], 1);
        uint32_t h =
            rk_vec_cache_get(c->cache, v, c->tok, &words[i], c->hashes[i]);
        if (h && rk_vec_cache_at(c->cache, h)->stop)
            continue;
        if (!h || !add_word(c, v, h, (uint32_t)c->n_kept, &bigram, &prev_stem))
            return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
        c->kept[c->n_kept++] = h;
    }
    return RK_OK;
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
        collect(c);
        for (size_t k = 0; k < c->n_feat; k++)
            df[(c->sorted[k] >> 32) + 1]++;
    }
    /* Smoothed IDF: as if one extra document held every feature. */
    for (int i = 1; !err && i <= v->dim; i++)
        v->idf[i] = (float)(log((1.0 + (double)n) / (1.0 + df[i])) + 1.0);
    free(df);
    rk_vec_ctx_destroy(c);
    return err;
}

/* The block of feature id for block_norm: 0 words (unigrams and
 * bigrams), 1 character n-grams. A feature is one hashed index, so when a
 * word feature and an n-gram collide in the index the shared feature
 * counts for the block where the paragraph first gave it (its ref), with
 * both occurrences' counts. */
static inline int block_of(const rk_vec_ctx_t *c, uint32_t id) {
    return (int)(c->ref[id] & 0xFF) == FROM_GRAM;
}

static rk_err_t transform(const rk_vec_t *v, rk_vec_ctx_t *c, const char *text,
                          size_t len, int valid, const struct svm_node **out,
                          int *n, char *errstr, size_t errstr_size) {
    rk_err_t err = featurize(v, c, text, len, valid, errstr, errstr_size);
    if (err)
        return err;
    if (c->n_feat + 1 > c->nodes_cap) {
        size_t old = c->nodes_cap;
        if (!rk_grow(&c->nodes, &c->nodes_cap, c->n_feat + 1, sizeof *c->nodes,
                     256))
            return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
        /* Zeroed once: the padding after each index stays zero, so equal
         * vectors are equal byte for byte (the tests compare them so). */
        memset(c->nodes + old, 0, (c->nodes_cap - old) * sizeof *c->nodes);
    }
    collect(c);
    double norm2 = 0.0, block2[2] = {0.0, 0.0};
    int blocks = v->conf.block_norm;
    for (size_t i = 0; i < c->n_feat; i++) {
        int idx = (int)(c->sorted[i] >> 32) + 1;
        double tf = c->count[(uint32_t)c->sorted[i]];
        /* Most features occur once: 1 + log(1) is 1, without log(). */
        double w = (v->conf.sublinear_tf && tf != 1.0
                        ? (tf < LOG_TF_MAX ? c->log_tf[(int)tf] : 1.0 + log(tf))
                        : tf) *
                   v->idf[idx];
        /* The header's promise to libsvm: indices strictly ascending. */
        assert(i == 0 || c->nodes[i - 1].index < idx);
        c->nodes[i].index = idx;
        c->nodes[i].value = w;
        norm2 += w * w;
        if (blocks)
            block2[block_of(c, (uint32_t)c->sorted[i])] += w * w;
    }
    if (!blocks) {
        double scale = norm2 > 0 ? 1.0 / sqrt(norm2) : 0.0;
        for (size_t i = 0; i < c->n_feat; i++)
            c->nodes[i].value *= scale;
    } else {
        /* Each block to norm 1/sqrt(2): a paragraph with both has norm 1,
         * as scikit-learn's FeatureUnion of two normalised
         * TfidfVectorizers, scaled. An empty block stays empty. */
        double scale[2];
        for (int b = 0; b < 2; b++)
            scale[b] = block2[b] > 0 ? 1.0 / sqrt(2.0 * block2[b]) : 0.0;
        for (size_t i = 0; i < c->n_feat; i++)
            c->nodes[i].value *= scale[block_of(c, (uint32_t)c->sorted[i])];
    }
    c->nodes[c->n_feat].index = -1;
    c->nodes[c->n_feat].value = 0.0;
    *out = c->nodes;
    *n = (int)c->n_feat;
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
static int write_name(const rk_vec_ctx_t *c, names_t *nm, uint64_t ref) {
    uint32_t word = (uint32_t)(ref >> 32);
    size_t gram = (size_t)(ref >> 8 & 0xFFFFFF);
    int from = (int)(ref & 0xFF);
    const rk_vec_word_t *e = rk_vec_cache_at(c->cache, c->kept[word]);
    const rk_vec_word_t *p = from == FROM_BIGRAM
                                 ? rk_vec_cache_at(c->cache, c->kept[word - 1])
                                 : NULL;
    size_t start = 0, len = e->stem_len;
    if (p)
        len = p->stem_len + 1 + e->stem_len;
    else if (from == FROM_GRAM)
        rk_vec_gram_span(c->vec, e, gram, &start, &len);
    if (!rk_grow(&nm->text, &nm->cap, nm->len + len + 2, 1, 4096))
        return 0;
    char *o = nm->text + nm->len;
    if (p) {
        memcpy(o, rk_vec_word_stem(p), p->stem_len);
        o[p->stem_len] = ' ';
        memcpy(o + p->stem_len + 1, rk_vec_word_stem(e), e->stem_len);
    } else if (from == FROM_WORD) {
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

/* Writes every feature's name of the last call (names->at per id). */
static int build_names(const rk_vec_ctx_t *c) {
    names_t *nm = c->names;
    if (c->n_feat > nm->at_cap) {
        uint32_t *at = realloc(nm->at, c->n_feat * sizeof *at);
        if (!at)
            return 0;
        nm->at = at;
        nm->at_cap = c->n_feat;
    }
    nm->len = 0;
    for (size_t id = 0; id < c->n_feat; id++) {
        nm->at[id] = (uint32_t)nm->len;
        if (!write_name(c, nm, c->ref[id]))
            return 0;
    }
    nm->built = 1;
    return 1;
}

const char *rk_vec_ctx_term(const rk_vec_ctx_t *ctx, int idx) {
    if (idx < 1 || idx > ctx->dim || !ctx->vec || ctx->tab_dirty)
        return NULL;
    /* The features in index order (collect): a binary search. */
    size_t lo = 0, hi = ctx->n_feat;
    uint64_t key = (uint64_t)(idx - 1) << 32;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ctx->sorted[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == ctx->n_feat || ctx->sorted[lo] >> 32 != (uint64_t)(idx - 1) ||
        (!ctx->names->built && !build_names(ctx)))
        return NULL;
    return ctx->names->text + ctx->names->at[(uint32_t)ctx->sorted[lo]];
}
