/*
 * vec_cache.c - the vectoriser's word cache (vec_impl.h says what an entry
 * holds and why).
 *
 * Entries are appended to one slab, 8-byte aligned: the header, the word's
 * bytes, the stem's bytes, the n-gram feature indices. An open-
 * addressing index of CACHE_SLOTS slots (the word's hash and the entry's
 * handle, linear probing) finds them. The cache is emptied only between
 * paragraphs (rk_vec_cache_begin): when it holds CACHE_MAX_WORDS words or
 * its slab has grown past CACHE_BUDGET, or when the context moves to
 * another vectoriser. So the handles a paragraph holds stay valid through
 * it; the slab may move as it grows, which is why they are handles and not
 * pointers. (A paragraph with more new words than the index can take keeps
 * the extra ones in the slab for itself, unindexed.)
 *
 * Cost: a hit is a hash of the word, a slot or two and a compare; a miss
 * adds the stopword lookup, Snowball and hashing every n-gram (what every
 * word cost before the cache). Memory: the index (512 KB) and at most the
 * budget plus one paragraph's words. The seeds have 11,000 distinct words,
 * about 1.6 MB of entries.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/hash.h"
#include "core/utf8.h"
#include "text/arstem.h"
#include "text/vec_impl.h"

#define CACHE_SLOTS (1u << 16) /* a power of two */
#define CACHE_MAX_WORDS (CACHE_SLOTS / 2)
#define CACHE_BUDGET (8u << 20)

typedef struct cache_slot_s {
    uint32_t hash;
    uint32_t handle; /* 0: empty */
} cache_slot_t;

struct rk_vec_cache_s {
    cache_slot_t *slots;
    size_t words; /* indexed */
    unsigned char *slab;
    size_t len, cap;
    uint64_t owner; /* the serial of the vectoriser whose words these are */
    size_t starts[RK_VEC_GRAM_MAX + 1]; /* scratch: code points of "<w>" */
    char gram[RK_VEC_GRAM_MAX];         /* scratch: "<w>" */
};

rk_vec_cache_t *rk_vec_cache_new(void) {
    rk_vec_cache_t *c = calloc(1, sizeof *c);
    if (c && !(c->slots = calloc(CACHE_SLOTS, sizeof *c->slots))) {
        free(c);
        return NULL;
    }
    return c;
}

void rk_vec_cache_destroy(rk_vec_cache_t *c) {
    if (!c)
        return;
    free(c->slots);
    free(c->slab);
    free(c);
}

void rk_vec_cache_begin(rk_vec_cache_t *c, const rk_vec_t *v) {
    if (c->owner == v->serial && c->len <= CACHE_BUDGET &&
        c->words < CACHE_MAX_WORDS)
        return;
    memset(c->slots, 0, CACHE_SLOTS * sizeof *c->slots);
    c->len = 0;
    c->words = 0;
    c->owner = v->serial;
}

const rk_vec_word_t *rk_vec_cache_at(const rk_vec_cache_t *c, uint32_t h) {
    assert(h > 0 && (size_t)(h - 1) * 8 < c->len);
    return (const rk_vec_word_t *)(c->slab + (size_t)(h - 1) * 8);
}

/* Any well-mixed hash will do: it only picks the slot. */
uint32_t rk_vec_cache_hash(const char *s, size_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n, x;
    for (; n >= 8; s += 8, n -= 8) {
        memcpy(&x, s, 8);
        h = (h ^ x) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
    }
    x = 0;
    memcpy(&x, s, n);
    h = (h ^ x) * 0xFF51AFD7ED558CCDull;
    return (uint32_t)(h ^ (h >> 29));
}

static int feature_index(const rk_vec_t *v, uint64_t h) {
    return (int)(h & (uint64_t)(v->dim - 1)) + 1;
}

/* Fills c->gram with "<word>" and c->starts with its code points' byte
 * offsets (and the end); returns the number of code points, or 0 when it
 * does not fit (no n-grams, as before the cache). */
static size_t gram_points(rk_vec_cache_t *c, const char *word, size_t wl) {
    if (wl + 2 >= RK_VEC_GRAM_MAX)
        return 0;
    char *g = c->gram;
    g[0] = '<';
    memcpy(g + 1, word, wl);
    g[wl + 1] = '>';
    size_t glen = wl + 2, ncp = 0;
    for (size_t i = 0; i < glen; ncp++) {
        c->starts[ncp] = i;
        i += rk_utf8_seq_len((unsigned char)g[i]);
    }
    c->starts[ncp] = glen;
    return ncp;
}

/* How many n-grams of each length lo..hi a word of ncp code points
 * ("<" and ">" included) has. */
static size_t gram_count(const rk_vec_t *v, size_t ncp) {
    size_t total = 0;
    for (int n = v->conf.char_min; v->conf.char_min && n <= v->conf.char_max;
         n++)
        total += ncp >= (size_t)n ? ncp - (size_t)n + 1 : 0;
    return total;
}

/* The n-gram feature indices of "<word>" (in c->gram, ncp code points)
 * into out, lengths lo..hi in turn and each by start. FNV-1a extends a
 * prefix's hash, so all lengths starting at one code point are hashed in
 * one walk of char_max code points. */
static void gram_indices(rk_vec_cache_t *c, const rk_vec_t *v, size_t ncp,
                         int32_t *out) {
    const char *g = c->gram;
    const size_t *st = c->starts;
    int lo = v->conf.char_min, hi = v->conf.char_max;
    uint64_t base = rk_fnv1a(RK_FNV_OFFSET, "c", 1);
    size_t first[11] = {0}; /* where length n's indices start in out */
    for (int n = lo, at = 0; n <= hi; n++) {
        first[n - lo] = (size_t)at;
        at += ncp >= (size_t)n ? (int)(ncp - (size_t)n + 1) : 0;
    }
    for (size_t i = 0; i + (size_t)lo <= ncp; i++) {
        uint64_t h = rk_fnv1a(base, g + st[i], st[i + lo - 1] - st[i]);
        for (int n = lo; n <= hi && i + (size_t)n <= ncp; n++) {
            h = rk_fnv1a(h, g + st[i + n - 1], st[i + n] - st[i + n - 1]);
            out[first[n - lo] + i] = feature_index(v, h);
        }
    }
}

/* The bytes of code point cp of "<word>" (ncp code points), which starts
 * at byte off of it. */
static size_t point_bytes(const char *w, size_t ncp, size_t cp, size_t off) {
    if (cp == 0 || cp == ncp - 1)
        return 1; /* '<', '>' */
    return rk_utf8_seq_len((unsigned char)w[off - 1]);
}

void rk_vec_gram_span(const rk_vec_t *v, const rk_vec_word_t *e, size_t k,
                      size_t *start, size_t *len) {
    const char *w = rk_vec_word_text(e);
    size_t ncp = 2, n = (size_t)v->conf.char_min;
    for (size_t i = 0; i < e->word_len;
         i += rk_utf8_seq_len((unsigned char)w[i]))
        ncp++;
    /* Lengths come in turn: skip the shorter ones' n-grams. */
    while (n < (size_t)v->conf.char_max && k >= (ncp >= n ? ncp - n + 1 : 0)) {
        k -= ncp >= n ? ncp - n + 1 : 0;
        n++;
    }
    size_t off = 0, cp = 0;
    for (; cp < k; cp++)
        off += point_bytes(w, ncp, cp, off);
    *start = off;
    for (; cp < k + n; cp++)
        off += point_bytes(w, ncp, cp, off);
    *len = off - *start;
}

/* a[0..n) == b[0..n), eight bytes at a time: words are short, and a
 * call to memcmp cost more than the compare. */
static inline int same_bytes(const char *a, const char *b, size_t n) {
    uint64_t x, y;
    for (; n >= 8; a += 8, b += 8, n -= 8) {
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y)
            return 0;
    }
    while (n--)
        if (*a++ != *b++)
            return 0;
    return 1;
}

void rk_vec_cache_prefetch(const rk_vec_cache_t *c, uint32_t hash, int stage) {
    const cache_slot_t *slot = &c->slots[hash & (CACHE_SLOTS - 1)];
    if (stage == 0)
        __builtin_prefetch(slot);
    else if (slot->handle && slot->hash == hash) {
        /* The header and word, and the n-grams' indices after them. */
        const unsigned char *e = c->slab + (size_t)(slot->handle - 1) * 8;
        __builtin_prefetch(e);
        __builtin_prefetch(e + 64);
        __builtin_prefetch(e + 128);
    }
}

uint32_t rk_vec_cache_get(rk_vec_cache_t *c, const rk_vec_t *v, rk_tok_t *tok,
                          const rk_tok_word_t *w, uint32_t hash) {
    size_t i = hash & (CACHE_SLOTS - 1);
    for (; c->slots[i].handle; i = (i + 1) & (CACHE_SLOTS - 1)) {
        if (c->slots[i].hash != hash)
            continue;
        const rk_vec_word_t *e = rk_vec_cache_at(c, c->slots[i].handle);
        if (e->word_len == w->len &&
            same_bytes(rk_vec_word_text(e), w->s, w->len))
            return c->slots[i].handle;
    }
    int stop = rk_tok_stopset_has(v->stop, w->s, w->len);
    const char *stem = w->s;
    size_t stem_len = w->len, ncp = 0, ngrams = 0;
    /* The stemmer: none, light10 (Arabic words with stem_ar=light) or
     * Snowball (English words; Arabic ones with stem_ar=snowball). */
    int script = !stop && v->conf.stem ? w->script : RK_TOK_STEM_NONE;
    int ar_stemmer = script == RK_TOK_STEM_ARABIC ? v->conf.stem_ar
                                                  : RK_VEC_STEM_AR_SNOWBALL;
    if (ar_stemmer == RK_VEC_STEM_AR_LIGHT) {
        stem = rk_arstem_light(w->s, w->len, &stem_len);
    } else if (script != RK_TOK_STEM_NONE && ar_stemmer != RK_VEC_STEM_AR_OFF) {
        size_t sl;
        const char *s = rk_tok_stem(tok, w->script, w->s, w->len, &sl);
        if (s) {
            stem = s;
            stem_len = sl;
        }
    }
    if (!stop && v->conf.char_min && (ncp = gram_points(c, w->s, w->len)))
        ngrams = gram_count(v, ncp);
    assert(w->len <= UINT16_MAX && stem_len <= UINT16_MAX &&
           ngrams <= UINT16_MAX);
    size_t need =
        ((sizeof(rk_vec_word_t) + w->len + stem_len + 3) & ~(size_t)3) +
        ngrams * sizeof(int32_t);
    need = (need + 7) & ~(size_t)7;
    if (!rk_grow(&c->slab, &c->cap, c->len + need, 1, 64 * 1024))
        return 0;
    rk_vec_word_t *e = (rk_vec_word_t *)(c->slab + c->len);
    uint64_t wh = rk_fnv1a(RK_FNV_OFFSET, "w", 1);
    uint64_t bh = rk_fnv1a(RK_FNV_OFFSET, "b", 1);
    *e = (rk_vec_word_t){rk_fnv1a(rk_fnv1a(bh, stem, stem_len), " ", 1),
                         feature_index(v, rk_fnv1a(wh, stem, stem_len)),
                         (uint16_t)w->len,
                         (uint16_t)stem_len,
                         (uint16_t)ngrams,
                         (uint8_t)stop,
                         0};
    char *text = (char *)rk_vec_word_text(e);
    memcpy(text, w->s, w->len);
    memcpy(text + w->len, stem, stem_len);
    if (ngrams)
        gram_indices(c, v, ncp, (int32_t *)rk_vec_word_grams(e));
    uint32_t handle = (uint32_t)(c->len / 8) + 1;
    c->len += need;
    if (c->words < CACHE_SLOTS - 1) { /* else: this paragraph's only */
        c->slots[i] = (cache_slot_t){hash, handle};
        c->words++;
    }
    return handle;
}
