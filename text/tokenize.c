/*
 * tokenize.c - see tokenize.h. Token strings live in one arena per
 * rk_tok_t, reused from call to call; token records point into it.
 *
 * rk_tok_words has two paths to the same words. ICU's word break iterator
 * handles any text. Text whose every character has a simple word class
 * (charclass.h: letters, numbers, the "mid" punctuation, the rest) is split
 * here by the UAX #29 rules those classes can meet, in one pass over the
 * UTF-8 and without copying a word:
 *   WB5, WB8-10  letters and numbers run together ("abc", "a1", "2016");
 *   WB6-7        letter (MidLetter | MidNumLet) letter ("u.n", "don't");
 *   WB11-12      number (MidNum | MidNumLet) number ("1,000", "3.5");
 *   WB999        anything else is a boundary, and a piece holding no
 *                letter or number is not a word (ICU's rule status 0).
 * The rules for the other classes (WB3-4, WB7a-c, WB13-16: line breaks,
 * marks and format characters, Hebrew, Katakana, ExtendNumLet, regional
 * indicators, emoji) never meet plain text, which has no such character.
 * tests/test_tokenize.c and the fuzzer hold the two paths to the same
 * words.
 */
#include "text/tokenize.h"

#include <libstemmer.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>

#include "core/grow.h"
#include "text/charclass.h"

struct rk_tok_stopset_s {
    char **words; /* sorted and unique, for rk_tok_stopset_word */
    size_t count;
    /* Open addressing over words: slot -> index + 1, 0 empty; at most half
     * full. Looked up once per token, where a binary search of strncmp
     * calls cost a few per cent of the whole pipeline. */
    uint32_t *slots;
    size_t mask;
};

static size_t word_hash(const char *w, size_t len) {
    uint32_t h = 2166136261u; /* FNV-1a, 32 bits */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)w[i]) * 16777619u;
    return h;
}

/* A direct-mapped cache of stems: Snowball took a fifth of the whole
 * pipeline's time, and a paragraph's words repeat across a document.
 * One slot per cache line; a word and its stem must fit together. */
#define STEM_CACHE_SLOTS 4096 /* a power of two */
#define STEM_SLOT_BYTES 61

typedef struct stem_slot_s {
    unsigned char word_len, stem_len; /* word_len 0: empty slot */
    unsigned char lang;               /* 1 Arabic stemmer, 2 English */
    char bytes[STEM_SLOT_BYTES];      /* word then stem, no NULs */
} stem_slot_t;

struct rk_tok_s {
    UBreakIterator *brk;
    struct sb_stemmer *stem_ar, *stem_en;
    stem_slot_t *stems; /* STEM_CACHE_SLOTS */
    char *arena;        /* token strings; offsets recorded while filling */
    size_t arena_len, arena_cap;
    rk_token_t *toks;
    size_t *offs; /* word/stem offsets into arena, 2 per token */
    size_t n, cap;
    rk_tok_word_t *words; /* rk_tok_words' result */
    size_t nwords, words_cap;
    int fast; /* see rk_tok_set_fast */
};

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

rk_err_t rk_tok_stopset_new(const char *const *words, size_t n,
                            rk_tok_stopset_t **out, char *errstr,
                            size_t errstr_size) {
    rk_tok_stopset_t *s = calloc(1, sizeof *s);
    if (!s || !(s->words = calloc(n ? n : 1, sizeof *s->words))) {
        free(s);
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        if (!(s->words[s->count] = strdup(words[i]))) {
            rk_tok_stopset_destroy(s);
            return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
        }
        s->count++;
    }
    qsort(s->words, s->count, sizeof *s->words, cmp_str);
    /* Drop duplicates so saving and loading a set is exact. */
    size_t k = 0;
    for (size_t i = 0; i < s->count; i++) {
        if (k && !strcmp(s->words[k - 1], s->words[i]))
            free(s->words[i]);
        else
            s->words[k++] = s->words[i];
    }
    s->count = k;
    size_t nslots = 16;
    while (nslots < 2 * k)
        nslots *= 2;
    if (!(s->slots = calloc(nslots, sizeof *s->slots))) {
        rk_tok_stopset_destroy(s);
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    s->mask = nslots - 1;
    for (size_t i = 0; i < k; i++) {
        size_t h = word_hash(s->words[i], strlen(s->words[i])) & s->mask;
        while (s->slots[h])
            h = (h + 1) & s->mask;
        s->slots[h] = (uint32_t)i + 1;
    }
    *out = s;
    return RK_OK;
}

void rk_tok_stopset_destroy(rk_tok_stopset_t *set) {
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++)
        free(set->words[i]);
    free(set->words);
    free(set->slots);
    free(set);
}

int rk_tok_stopset_has(const rk_tok_stopset_t *set, const char *w, size_t len) {
    for (size_t h = word_hash(w, len) & set->mask; set->slots[h];
         h = (h + 1) & set->mask) {
        const char *cand = set->words[set->slots[h] - 1];
        if (!strncmp(cand, w, len) && cand[len] == '\0')
            return 1;
    }
    return 0;
}

size_t rk_tok_stopset_count(const rk_tok_stopset_t *set) {
    return set->count;
}

const char *rk_tok_stopset_word(const rk_tok_stopset_t *set, size_t i) {
    return i < set->count ? set->words[i] : NULL;
}

rk_err_t rk_tok_new(rk_tok_t **out, char *errstr, size_t errstr_size) {
    *out = NULL;
    rk_tok_t *t = calloc(1, sizeof *t);
    if (!t)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    UErrorCode status = U_ZERO_ERROR;
    t->brk = ubrk_open(UBRK_WORD, "", NULL, 0, &status);
    t->stem_ar = sb_stemmer_new("arabic", "UTF_8");
    t->stem_en = sb_stemmer_new("english", "UTF_8");
    t->stems = calloc(STEM_CACHE_SLOTS, sizeof *t->stems);
    t->fast = 1;
    if (U_FAILURE(status) || !t->stem_ar || !t->stem_en || !t->stems ||
        rk_cc_init()) {
        rk_tok_destroy(t);
        return rk_fail(RK_ERR_INTERNAL, errstr, errstr_size,
                       "cannot open the word break iterator or stemmers "
                       "(%s)",
                       u_errorName(status));
    }
    *out = t;
    return RK_OK;
}

void rk_tok_destroy(rk_tok_t *tok) {
    if (!tok)
        return;
    if (tok->brk)
        ubrk_close(tok->brk);
    if (tok->stem_ar)
        sb_stemmer_delete(tok->stem_ar);
    if (tok->stem_en)
        sb_stemmer_delete(tok->stem_en);
    free(tok->stems);
    free(tok->arena);
    free(tok->toks);
    free(tok->offs);
    free(tok->words);
    free(tok);
}

/* Appends bytes plus a NUL to the arena; returns the offset or -1. */
static long arena_put(rk_tok_t *t, const char *s, size_t n) {
    if (t->arena_len + n + 1 > t->arena_cap &&
        !rk_grow(&t->arena, &t->arena_cap, t->arena_len + n + 1, 1, 4096))
        return -1;
    memcpy(t->arena + t->arena_len, s, n);
    t->arena[t->arena_len + n] = '\0';
    long off = (long)t->arena_len;
    t->arena_len += n + 1;
    return off;
}

/* The stem of word[0..len) by st (lang 1 or 2), through the cache; NULL
 * when Snowball fails (out of memory). *stem_len receives its length.
 * Valid until the next call. */
static const char *stem_word(rk_tok_t *t, struct sb_stemmer *st, int lang,
                             const char *word, size_t len, size_t *stem_len) {
    stem_slot_t *slot =
        &t->stems[word_hash(word, len) & (STEM_CACHE_SLOTS - 1)];
    if (slot->word_len == len && slot->lang == lang &&
        !memcmp(slot->bytes, word, len)) {
        *stem_len = slot->stem_len;
        return slot->bytes + len;
    }
    const sb_symbol *s = sb_stemmer_stem(st, (const sb_symbol *)word, (int)len);
    if (!s)
        return NULL;
    *stem_len = (size_t)sb_stemmer_length(st);
    if (len + *stem_len <= STEM_SLOT_BYTES) {
        slot->word_len = (unsigned char)len;
        slot->stem_len = (unsigned char)*stem_len;
        slot->lang = (unsigned char)lang;
        memcpy(slot->bytes, word, len);
        memcpy(slot->bytes + len, s, *stem_len);
    }
    return (const char *)s;
}

static int push_token(rk_tok_t *t, size_t word_off, size_t word_len,
                      size_t stem_off, size_t stem_len) {
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        size_t *offs = realloc(t->offs, cap * 2 * sizeof *offs);
        if (!offs)
            return 0;
        t->offs = offs;
        rk_token_t *toks = realloc(t->toks, cap * sizeof *toks);
        if (!toks)
            return 0;
        t->toks = toks;
        t->cap = cap;
    }
    t->offs[2 * t->n] = word_off;
    t->offs[2 * t->n + 1] = stem_off;
    t->toks[t->n].word_len = word_len;
    t->toks[t->n].stem_len = stem_len;
    t->n++;
    return 1;
}

/* Longest word kept, in bytes of UTF-8 (longer runs are not features). */
#define WORD_MAX_BYTES 254

/* The stemmer a word takes (RK_TOK_STEM_*), by the script of its first
 * character. */
static int icu_script(UChar32 first) {
    UErrorCode status = U_ZERO_ERROR;
    if (!u_hasBinaryProperty(first, UCHAR_ALPHABETIC))
        return RK_TOK_STEM_NONE;
    return uscript_getScript(first, &status) == USCRIPT_ARABIC
               ? RK_TOK_STEM_ARABIC
               : RK_TOK_STEM_ENGLISH;
}

/* Sets text on t's word break iterator; *end is then where the first
 * word search starts (pass it to next_icu_word). */
static rk_err_t begin_icu_words(rk_tok_t *t, const UChar *text, int32_t len,
                                int32_t *end, char *errstr,
                                size_t errstr_size) {
    UErrorCode status = U_ZERO_ERROR;
    ubrk_setText(t->brk, text, len, &status);
    if (U_FAILURE(status))
        return rk_fail(RK_ERR_INTERNAL, errstr, errstr_size,
                       "word break iterator: %s", u_errorName(status));
    *end = ubrk_first(t->brk);
    return RK_OK;
}

/* The next word by ICU's rules after *end (spaces and punctuation
 * skipped), as NUL-terminated UTF-8 in word[WORD_MAX_BYTES + 2] with its
 * UTF-16 span [*start, *end); 0 when no word is left. */
static int next_icu_word(rk_tok_t *t, const UChar *text, int32_t *start,
                         int32_t *end, char *word, int32_t *wlen) {
    for (int32_t e; (e = ubrk_next(t->brk)) != UBRK_DONE;) {
        *start = *end;
        *end = e;
        if (ubrk_getRuleStatus(t->brk) < UBRK_WORD_NUMBER)
            continue; /* spaces and punctuation */
        UErrorCode status = U_ZERO_ERROR;
        u_strToUTF8(word, WORD_MAX_BYTES + 1, wlen, text + *start,
                    *end - *start, &status);
        if (U_FAILURE(status) || status == U_STRING_NOT_TERMINATED_WARNING)
            continue; /* longer than any real word: not a feature */
        word[*wlen] = '\0';
        return 1;
    }
    return 0;
}

rk_err_t rk_tok_split(rk_tok_t *t, const UChar *text, int32_t len,
                      const rk_tok_stopset_t *stop, int stem,
                      const rk_token_t **toks, size_t *n, char *errstr,
                      size_t errstr_size) {
    t->n = 0;
    t->arena_len = 0;
    char word[WORD_MAX_BYTES + 2];
    int32_t start = 0, end, wlen = 0;
    rk_err_t err = begin_icu_words(t, text, len, &end, errstr, errstr_size);
    if (err)
        return err;
    while (next_icu_word(t, text, &start, &end, word, &wlen)) {
        if (stop && rk_tok_stopset_has(stop, word, (size_t)wlen))
            continue;
        long word_off = arena_put(t, word, (size_t)wlen);
        if (word_off < 0)
            return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
        long stem_off = word_off;
        size_t stem_len = (size_t)wlen;
        UChar32 first;
        U16_GET(text, 0, start, end, first);
        int script = stem ? icu_script(first) : RK_TOK_STEM_NONE;
        if (script != RK_TOK_STEM_NONE) {
            struct sb_stemmer *st =
                script == RK_TOK_STEM_ARABIC ? t->stem_ar : t->stem_en;
            const char *s =
                stem_word(t, st, script, word, (size_t)wlen, &stem_len);
            if (s) {
                stem_off = arena_put(t, s, stem_len);
                if (stem_off < 0)
                    return rk_fail(RK_ERR_NOMEM, errstr, errstr_size,
                                   "out of memory");
            }
        }
        if (!push_token(t, (size_t)word_off, (size_t)wlen, (size_t)stem_off,
                        stem_len))
            return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    /* The arena may have moved while growing: resolve pointers last. */
    for (size_t i = 0; i < t->n; i++) {
        t->toks[i].word = t->arena + t->offs[2 * i];
        t->toks[i].stem = t->arena + t->offs[2 * i + 1];
    }
    *toks = t->toks;
    *n = t->n;
    return RK_OK;
}

/* ---- the vectoriser's steps --------------------------------------------- */

static int push_word(rk_tok_t *t, const char *s, size_t len, int script) {
    if (t->nwords == t->words_cap &&
        !rk_grow(&t->words, &t->words_cap, t->nwords + 1, sizeof *t->words,
                 256))
        return 0;
    t->words[t->nwords++] = (rk_tok_word_t){s, len, script};
    return 1;
}

/* The plain path (see the top): every character of text is in the table
 * with a word class other than complex. */
static int plain_words(rk_tok_t *t, const char *text, size_t len) {
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        size_t start = i;
        const rk_cc_t *first = rk_cc_get(rk_cc_decode(s, &i));
        unsigned prev = rk_cc_word(first);
        if (prev != RK_CC_W_LETTER && prev != RK_CC_W_NUMBER)
            continue;
        while (i < len) {
            size_t j = i;
            unsigned k = rk_cc_word(rk_cc_get(rk_cc_decode(s, &j)));
            if (k == RK_CC_W_LETTER || k == RK_CC_W_NUMBER) {
                prev = k;
                i = j;
                continue;
            }
            if (k < RK_CC_W_MID_LETTER || k > RK_CC_W_MID_BOTH || j >= len)
                break;
            size_t after = j;
            unsigned next = rk_cc_word(rk_cc_get(rk_cc_decode(s, &after)));
            /* WB6-7 between letters, WB11-12 between numbers. */
            if (next != prev ||
                (prev == RK_CC_W_LETTER ? k == RK_CC_W_MID_NUM
                                        : k == RK_CC_W_MID_LETTER))
                break;
            i = after;
        }
        if (i - start <= WORD_MAX_BYTES &&
            !push_word(t, text + start, i - start, (int)rk_cc_stem(first)))
            return 0;
    }
    return 1;
}

/* ICU's path: the words go to the arena as UTF-8 (pointers set once it
 * has stopped moving). */
static rk_err_t icu_words(rk_tok_t *t, rk_norm_t *norm, char *errstr,
                          size_t errstr_size) {
    int32_t len;
    const UChar *text = rk_norm_utf16(norm, &len);
    if (!text)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    char word[WORD_MAX_BYTES + 2];
    int32_t start = 0, end, wlen = 0;
    rk_err_t err = begin_icu_words(t, text, len, &end, errstr, errstr_size);
    if (err)
        return err;
    while (next_icu_word(t, text, &start, &end, word, &wlen)) {
        long off = arena_put(t, word, (size_t)wlen);
        UChar32 first;
        U16_GET(text, 0, start, end, first);
        /* The arena may move: an offset for now (see rk_tok_words). */
        if (off < 0 || !push_word(t, (const char *)(uintptr_t)off, (size_t)wlen,
                                  icu_script(first)))
            return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    for (size_t i = 0; i < t->nwords; i++)
        t->words[i].s = t->arena + (uintptr_t)t->words[i].s;
    return RK_OK;
}

rk_err_t rk_tok_words(rk_tok_t *t, rk_norm_t *norm, const rk_tok_word_t **words,
                      size_t *n, char *errstr, size_t errstr_size) {
    t->nwords = 0;
    t->arena_len = 0;
    rk_err_t err = RK_OK;
    if (t->fast && rk_norm_plain(norm)) {
        size_t len;
        const char *text = rk_norm_utf8(norm, &len);
        if (!plain_words(t, text, len))
            err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    } else {
        err = icu_words(t, norm, errstr, errstr_size);
    }
    *words = t->words;
    *n = err ? 0 : t->nwords;
    return err;
}

const char *rk_tok_stem(rk_tok_t *t, int script, const char *word, size_t len,
                        size_t *stem_len) {
    struct sb_stemmer *st =
        script == RK_TOK_STEM_ARABIC ? t->stem_ar : t->stem_en;
    const sb_symbol *s = sb_stemmer_stem(st, (const sb_symbol *)word, (int)len);
    if (!s)
        return NULL;
    *stem_len = (size_t)sb_stemmer_length(st);
    return (const char *)s;
}

void rk_tok_set_fast(rk_tok_t *t, int on) {
    t->fast = on;
}
