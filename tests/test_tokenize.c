/*
 * test_tokenize.c - word tokens from normalised text: punctuation gone,
 * stopwords dropped, Arabic and English words stemmed by their script; and
 * the vectoriser's word splitting (rk_tok_words), whose plain path must
 * find exactly the words ICU's break iterator finds.
 */
#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uscript.h>

#include "testutil.h"
#include "text/normalize.h"
#include "text/segment.h"
#include "text/stopwords.h"
#include "text/tokenize.h"

/* rk_tok_t keeps a cache of stems. Every token of every seed, tokenised
 * twice (the second pass is served from the cache), must carry exactly
 * the stem Snowball gives its word; a cache that confused two words would
 * silently merge unrelated features. */
static void check_stem_cache_on_seeds(rk_tok_t *tok, rk_norm_t *norm) {
    static const char *const seeds[] = {"000", "002", "003", "004"};
    struct sb_stemmer *ar = sb_stemmer_new("arabic", "UTF_8");
    struct sb_stemmer *en = sb_stemmer_new("english", "UTF_8");
    rk_norm_opts_t o = rk_norm_opts_default();
    rk_seg_list_t paras = {0};
    char err[256];
    size_t tokens = 0, wrong = 0, stemmed = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t s = 0; s < sizeof seeds / sizeof *seeds; s++) {
            size_t len;
            char *doc = rk_test_read_seed(seeds[s], &len);
            rk_seg_split(doc, len, &paras, err, sizeof err);
            for (size_t i = 0; i < paras.count; i++) {
                const char *nt;
                size_t nl, n;
                int32_t ulen;
                const rk_token_t *t;
                rk_norm_text(norm, &o, paras.items[i].text,
                             paras.items[i].text_len, &nt, &nl, err,
                             sizeof err);
                const UChar *u = rk_norm_utf16(norm, &ulen);
                if (rk_tok_split(tok, u, ulen, NULL, 1, &t, &n, err,
                                 sizeof err) != RK_OK) {
                    wrong++;
                    continue;
                }
                for (size_t k = 0; k < n; k++, tokens++) {
                    UChar32 c;
                    UErrorCode st = U_ZERO_ERROR;
                    size_t j = 0;
                    U8_NEXT(t[k].word, j, (int32_t)t[k].word_len, c);
                    if (!u_isalpha(c))
                        continue; /* numbers are not stemmed */
                    struct sb_stemmer *sb =
                        uscript_getScript(c, &st) == USCRIPT_ARABIC ? ar : en;
                    const sb_symbol *want = sb_stemmer_stem(
                        sb, (const sb_symbol *)t[k].word, (int)t[k].word_len);
                    size_t want_len = (size_t)sb_stemmer_length(sb);
                    stemmed++;
                    if (want_len != t[k].stem_len ||
                        memcmp(want, t[k].stem, want_len) ||
                        t[k].stem[want_len] != '\0')
                        wrong++;
                }
            }
            free(doc);
        }
    CHECK(tokens > 100000 && stemmed > tokens / 2 && wrong == 0,
          "every stem of the %zu seed tokens (%zu stemmed, two passes) is "
          "Snowball's for its word; %zu were not",
          tokens, stemmed, wrong);
    rk_seg_list_free(&paras);
    sb_stemmer_delete(ar);
    sb_stemmer_delete(en);
}

/* The stopword set's lookup on the built-in lists: each word is found,
 * and a prefix or an extension of it only when that is a word too. */
static void test_stopset_lookup(void) {
    /* If it fails: a stopword is missed, or a near-miss word dropped. */
    const rk_stopword_list_t *lists[] = {&rk_stopwords_ar, &rk_stopwords_en};
    const char *words[1024];
    size_t n = 0;
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->count && n < 1024; i++)
            words[n++] = lists[l]->words[i];
    char err[256];
    rk_tok_stopset_t *set = NULL;
    CHECK(rk_tok_stopset_new(words, n, &set, err, sizeof err) == RK_OK, "%s",
          err);
    size_t missed = 0, false_hits = 0;
    for (size_t i = 0; set && i < n; i++) {
        size_t len = strlen(words[i]);
        char longer[300];
        snprintf(longer, sizeof longer, "%sx", words[i]);
        int is_prefix_word = 0, is_longer_word = 0;
        for (size_t k = 0; k < n; k++) {
            is_prefix_word |= strlen(words[k]) == len - 1 &&
                              !strncmp(words[k], words[i], len - 1);
            is_longer_word |= !strcmp(words[k], longer);
        }
        missed += !rk_tok_stopset_has(set, words[i], len);
        false_hits +=
            rk_tok_stopset_has(set, words[i], len - 1) && !is_prefix_word;
        false_hits +=
            rk_tok_stopset_has(set, longer, len + 1) && !is_longer_word;
    }
    CHECK(n > 150 && missed == 0 && false_hits == 0,
          "all %zu built-in stopwords are found (%zu missed) and no near "
          "miss is (%zu were)",
          n, missed, false_hits);
    CHECK(set && rk_tok_stopset_count(set) <= n &&
              strcmp(rk_tok_stopset_word(set, 0), rk_tok_stopset_word(set, 1)) <
                  0,
          "the set lists its words sorted and unique, for saving");
    rk_tok_stopset_destroy(set);
}

/* The tokeniser, normaliser and a three-word stopword set, with the
 * sample sentence normalised (its UTF-16 in u, ulen). */
typedef struct fixture_s {
    rk_norm_t *norm;
    rk_tok_t *tok;
    rk_tok_stopset_t *stop;
    const UChar *u;
    int32_t ulen;
} fixture_t;

static int setup(fixture_t *f) {
    char err[256];
    memset(f, 0, sizeof *f);
    CHECK(rk_norm_new(&f->norm, err, sizeof err) == RK_OK, "%s", err);
    CHECK(rk_tok_new(&f->tok, err, sizeof err) == RK_OK, "%s", err);
    const char *stop_words[] = {"في", "the", "of"};
    CHECK(rk_tok_stopset_new(stop_words, 3, &f->stop, err, sizeof err) == RK_OK,
          "%s", err);
    if (!f->norm || !f->tok || !f->stop)
        return 0;
    const char *text = "تعزيز التعاون في مكافحة الإرهاب، (2178) "
                       "Preventing the financing of terrorists!";
    rk_norm_opts_t o = rk_norm_opts_default();
    const char *ntext;
    size_t nlen;
    rk_norm_text(f->norm, &o, text, strlen(text), &ntext, &nlen, err,
                 sizeof err);
    f->u = rk_norm_utf16(f->norm, &f->ulen);
    return 1;
}

static void teardown(fixture_t *f) {
    rk_tok_stopset_destroy(f->stop);
    rk_tok_destroy(f->tok);
    rk_norm_destroy(f->norm);
}

static void test_words_and_stopwords(void) {
    /* If it fails: punctuation, numbers or stopwords are mis-tokenised. */
    fixture_t f;
    char err[256];
    const rk_token_t *t;
    size_t n;
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    CHECK(rk_tok_split(f.tok, f.u, f.ulen, f.stop, 1, &t, &n, err,
                       sizeof err) == RK_OK,
          "%s", err);
    CHECK(n == 8, "8 words survive (no punctuation, no stopwords), got %zu", n);
    int saw_number = 0, saw_stop = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(t[i].word, "2178"))
            saw_number = 1;
        if (!strcmp(t[i].word, "في") || !strcmp(t[i].word, "the"))
            saw_stop = 1;
    }
    CHECK(saw_number, "numbers (resolution 2178) are tokens");
    CHECK(!saw_stop, "stopwords are dropped");
    teardown(&f);
}

static void test_stemmer_by_script(void) {
    /* If it fails: a word is stemmed by the other language's stemmer. */
    fixture_t f;
    char err[256];
    const rk_token_t *t;
    size_t n = 0;
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    CHECK(rk_tok_split(f.tok, f.u, f.ulen, f.stop, 1, &t, &n, err,
                       sizeof err) == RK_OK,
          "%s", err);
    CHECK(n > 6 && !strcmp(t[6].word, "financing") &&
              !strcmp(t[6].stem, "financ"),
          "English words get the English stemmer: financing -> financ");
    CHECK(n > 4 && !strcmp(t[3].word, "الارهاب") &&
              strcmp(t[3].stem, t[3].word) && strstr(t[3].stem, "رهاب"),
          "Arabic words get the Arabic stemmer: الارهاب -> %s",
          n > 3 ? t[3].stem : "?");
    teardown(&f);
}

static void test_stemming_off(void) {
    /* If it fails: turning stemming or stopwords off changes the words. */
    fixture_t f;
    char err[256];
    const rk_token_t *t;
    size_t n;
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    CHECK(rk_tok_split(f.tok, f.u, f.ulen, NULL, 0, &t, &n, err, sizeof err) ==
                  RK_OK &&
              n == 11 && !strcmp(t[8].word, "financing") &&
              !strcmp(t[8].stem, "financing"),
          "with stemming and stopwords off, every word is kept as it is");
    CHECK(rk_tok_split(f.tok, f.u, 0, f.stop, 1, &t, &n, err, sizeof err) ==
                  RK_OK &&
              n == 0,
          "empty text has no tokens");
    teardown(&f);
}

static void test_stem_cache_on_seeds(void) {
    /* If it fails: the stem cache merges unrelated words' features. */
    fixture_t f;
    if (setup(&f))
        check_stem_cache_on_seeds(f.tok, f.norm);
    teardown(&f);
}

/* ---- rk_tok_words: the plain path against ICU ------------------------- */

/* A normaliser and two splitters, one with the plain path off. */
typedef struct words_fixture_s {
    rk_norm_t *norm;
    rk_tok_t *fast, *icu;
} words_fixture_t;

static int words_setup(words_fixture_t *w) {
    char err[256];
    memset(w, 0, sizeof *w);
    CHECK(rk_norm_new(&w->norm, err, sizeof err) == RK_OK &&
              rk_tok_new(&w->fast, err, sizeof err) == RK_OK &&
              rk_tok_new(&w->icu, err, sizeof err) == RK_OK,
          "%s", err);
    if (w->icu)
        rk_tok_set_fast(w->icu, 0);
    return w->norm && w->fast && w->icu;
}

static void words_teardown(words_fixture_t *w) {
    rk_norm_destroy(w->norm);
    rk_tok_destroy(w->fast);
    rk_tok_destroy(w->icu);
}

/* Normalises text and splits it both ways: 1 when the words (and their
 * stemmer scripts) agree. *plain receives whether the plain path ran. */
static int words_agree(words_fixture_t *w, const char *text, size_t len,
                       int *plain) {
    rk_norm_opts_t o = rk_norm_opts_default();
    const char *nt;
    size_t nl, na, nb;
    char err[256];
    const rk_tok_word_t *a, *b;
    if (rk_norm_text(w->norm, &o, text, len, &nt, &nl, err, sizeof err) ||
        rk_tok_words(w->fast, w->norm, &a, &na, err, sizeof err) ||
        rk_tok_words(w->icu, w->norm, &b, &nb, err, sizeof err))
        return 0;
    if (plain)
        *plain = rk_norm_plain(w->norm);
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (a[i].len != b[i].len || memcmp(a[i].s, b[i].s, a[i].len) ||
            a[i].script != b[i].script)
            return 0;
    return 1;
}

/* The words of text on the plain path, space-separated, into out. */
static void words_of(words_fixture_t *w, const char *text, char *out,
                     size_t size) {
    rk_norm_opts_t o = rk_norm_opts_default();
    const char *nt;
    size_t nl, n, used = 0;
    char err[256];
    const rk_tok_word_t *t;
    out[0] = '\0';
    if (rk_norm_text(w->norm, &o, text, strlen(text), &nt, &nl, err,
                     sizeof err) ||
        rk_tok_words(w->fast, w->norm, &t, &n, err, sizeof err))
        return;
    for (size_t i = 0; i < n && used + t[i].len + 2 < size; i++) {
        if (i)
            out[used++] = '|';
        memcpy(out + used, t[i].s, t[i].len);
        used += t[i].len;
    }
    out[used] = '\0';
}

static void test_word_rules(void) {
    /* If it fails: the plain path joins or splits words unlike ICU, and
     * the same text gives other features than the model learned. */
    words_fixture_t w;
    if (!words_setup(&w)) {
        words_teardown(&w);
        return;
    }
    static const struct {
        const char *text, *words;
    } cases[] = {
        {"U.N. Member States", "u.n|member|states"},
        {"1,000.50 and 3.5% of 2,5", "1,000.50|and|3.5|of|2,5"},
        {"don't ISIL’s", "don't|isil’s"},
        {"a:b 1:2 a.1 1.a", "a|b|1|2|a|1|1|a"},
        {"mail@un.org", "mail@un.org"},
        {"١٬٢٠٠ و٣٫٥ ١،٢", "1٬200|و3٫5|1،2"},
        {"(2014) - «مكافحة»؛ ...x..y", "2014|مكافحه|x|y"},
        {"abc_def", "abc_def"},
        {"نص عربي English 2016", "نص|عربي|english|2016"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char got[256];
        words_of(&w, cases[i].text, got, sizeof got);
        CHECK(!strcmp(got, cases[i].words), "'%s' splits into %s, got %s",
              cases[i].text, cases[i].words, got);
        CHECK(words_agree(&w, cases[i].text, strlen(cases[i].text), NULL),
              "'%s': the plain path and ICU agree", cases[i].text);
    }
    words_teardown(&w);
}

/* Every paragraph of every seed: the same words both ways, most of them
 * on the plain path; and with stopwords and stems applied, rk_tok_split's
 * tokens. */
static void test_words_on_seeds(void) {
    /* If it fails: real documents split differently on the plain path, or
     * the vectoriser's steps no longer add up to rk_tok_split. */
    static const char *const seeds[] = {"000", "002", "003", "004"};
    words_fixture_t w;
    fixture_t f;
    if (!words_setup(&w) || !setup(&f)) {
        words_teardown(&w);
        teardown(&f);
        return;
    }
    rk_seg_list_t paras = {0};
    char err[256];
    size_t n_paras = 0, differ = 0, plain = 0, split_differ = 0;
    for (size_t s = 0; s < sizeof seeds / sizeof *seeds; s++) {
        size_t len;
        char *doc = rk_test_read_seed(seeds[s], &len);
        rk_seg_split(doc, len, &paras, err, sizeof err);
        for (size_t i = 0; i < paras.count; i++, n_paras++) {
            const rk_seg_para_t *p = &paras.items[i];
            int pl = 0;
            differ += !words_agree(&w, p->text, p->text_len, &pl);
            plain += (size_t)pl;
            /* The steps against rk_tok_split, on the plain path. */
            const rk_tok_word_t *words;
            const rk_token_t *t;
            size_t nw, nt, k = 0;
            int32_t ulen;
            rk_tok_words(w.fast, w.norm, &words, &nw, err, sizeof err);
            const UChar *u = rk_norm_utf16(w.norm, &ulen);
            rk_tok_split(f.tok, u, ulen, f.stop, 1, &t, &nt, err, sizeof err);
            int bad = 0;
            for (size_t j = 0; j < nw && !bad; j++) {
                if (rk_tok_stopset_has(f.stop, words[j].s, words[j].len))
                    continue;
                const char *stem = words[j].s;
                size_t sl = words[j].len;
                if (words[j].script != RK_TOK_STEM_NONE)
                    stem = rk_tok_stem(w.fast, words[j].script, words[j].s,
                                       words[j].len, &sl);
                bad = k >= nt || t[k].word_len != words[j].len ||
                      memcmp(t[k].word, words[j].s, words[j].len) ||
                      t[k].stem_len != sl || memcmp(t[k].stem, stem, sl);
                k++;
            }
            split_differ += bad || k != nt;
        }
        free(doc);
    }
    CHECK(n_paras > 1000 && differ == 0 && split_differ == 0 &&
              plain * 10 > n_paras * 9,
          "all %zu seed paragraphs: %zu split differently from ICU, %zu "
          "differ from rk_tok_split; %zu on the plain path",
          n_paras, differ, split_differ, plain);
    rk_seg_list_free(&paras);
    words_teardown(&w);
    teardown(&f);
}

static size_t put_utf8(char *buf, unsigned c) {
    if (c < 0x80) {
        buf[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        buf[0] = (char)(0xC0 | (c >> 6));
        buf[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        buf[0] = (char)(0xE0 | (c >> 12));
        buf[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    buf[0] = (char)(0xF0 | (c >> 18));
    buf[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    buf[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    buf[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* Every code point the table covers, between letters and numbers and
 * beside itself: the contexts in which UAX #29 rules differ. */
static void test_words_each_character(void) {
    /* If it fails: a character's word class disagrees with ICU's rules
     * (a tailoring the table does not know, like '@' or ':'). */
    static const char *const ctx[][2] = {{"a", "b"}, {"1", "2"}, {"a", "1"},
                                         {"1", "a"}, {"", ""},   {"a", ""},
                                         {"", "a"},  {"1", ""},  {"ab", "cd"}};
    words_fixture_t w;
    if (!words_setup(&w)) {
        words_teardown(&w);
        return;
    }
    size_t tried = 0, differ = 0;
    unsigned first_bad = 0;
    for (unsigned c = 1; c < 0x10000; c++) {
        if ((c >= 0x3000 && c < 0xFB00) || (c >= 0xD800 && c < 0xE000))
            continue;
        for (size_t k = 0; k < sizeof ctx / sizeof *ctx; k++) {
            char buf[32];
            size_t len = 0;
            memcpy(buf, ctx[k][0], strlen(ctx[k][0]));
            len += strlen(ctx[k][0]);
            len += put_utf8(buf + len, c);
            if (k == 4)
                len += put_utf8(buf + len, c); /* the character twice */
            memcpy(buf + len, ctx[k][1], strlen(ctx[k][1]));
            len += strlen(ctx[k][1]);
            tried++;
            if (!words_agree(&w, buf, len, NULL) && !differ++)
                first_bad = c;
        }
    }
    CHECK(differ == 0, "%zu of %zu texts split differently (first at U+%04X)",
          differ, tried, first_bad);
    words_teardown(&w);
}

static void test_words_random(void) {
    /* If it fails: some mix of letters, numbers and punctuation splits
     * differently on the plain path. */
    static const unsigned pool[] = {
        'a',    'b',     ' ',    '.',    ',',    ';',    ':',    '\'',   '"',
        '-',    '_',     '/',    '(',    '!',    '#',    '1',    '0',    '%',
        '@',    '$',     '+',    0x627,  0x644,  0x64A,  0x6CC,  0x60C,  0x61B,
        0x61F,  0x66B,   0x66C,  0x6D4,  0x2019, 0x2018, 0x201C, 0x2013, 0x2026,
        0x2024, 0xB7,    0xAB,   0xA0,   0xE9,   0x3B1,  0x431,  0x5D0,  0x5F4,
        0xE01,  0x2022,  0xA9,   0x2122, 0xFE50, 0xFE52, 0xFF0C, 0xFF0E, 0x30A2,
        0x4E00, 0x1F600, 0x200D, 0x301,  0x37E,  0x589,  0x55F,  0x2044, 0xB9,
        0x660,  0x966,   0xFF10, 0xB2,   0x2460};
    words_fixture_t w;
    if (!words_setup(&w)) {
        words_teardown(&w);
        return;
    }
    unsigned seed = 7;
    size_t differ = 0, runs = 20000;
    for (size_t r = 0; r < runs; r++) {
        char buf[128];
        size_t len = 0, n = (seed = seed * 1103515245u + 12345u) >> 16 & 15;
        for (size_t k = 0; k < n; k++) {
            seed = seed * 1103515245u + 12345u;
            unsigned c =
                (seed >> 8) % 3 == 0
                    ? (seed >> 12) % 0x3000
                    : pool[(seed >> 12) % (sizeof pool / sizeof *pool)];
            len += put_utf8(buf + len, c >= 0xD800 && c < 0xE000 ? 'x' : c);
        }
        differ += !words_agree(&w, buf, len, NULL);
    }
    CHECK(differ == 0, "%zu of %zu random texts split differently", differ,
          runs);
    words_teardown(&w);
}

TEST_LIST = {{"words_and_stopwords", test_words_and_stopwords},
             {"stemmer_by_script", test_stemmer_by_script},
             {"stemming_off", test_stemming_off},
             {"stem_cache_on_seeds", test_stem_cache_on_seeds},
             {"stopset_lookup", test_stopset_lookup},
             {"word_rules", test_word_rules},
             {"words_on_seeds", test_words_on_seeds},
             {"words_each_character", test_words_each_character},
             {"words_random", test_words_random},
             {NULL, NULL}};
