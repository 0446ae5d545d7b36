/*
 * test_tokenize.c - word tokens from normalised text: punctuation gone,
 * stopwords dropped, Arabic and English words stemmed by their script.
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

TEST_LIST = {{"words_and_stopwords", test_words_and_stopwords},
             {"stemmer_by_script", test_stemmer_by_script},
             {"stemming_off", test_stemming_off},
             {"stem_cache_on_seeds", test_stem_cache_on_seeds},
             {"stopset_lookup", test_stopset_lookup},
             {NULL, NULL}};
