/*
 * test_tokenize.c - word tokens from normalised text: punctuation gone,
 * stopwords dropped, Arabic and English words stemmed by their script.
 */
#include <string.h>

#include "classify/normalize.h"
#include "classify/tokenize.h"
#include "testutil.h"

int main(void) {
    char err[256];
    rk_norm_t *norm;
    rk_tok_t *tok;
    CHECK(rk_norm_new(&norm, err, sizeof err) == RK_OK, "%s", err);
    CHECK(rk_tok_new(&tok, err, sizeof err) == RK_OK, "%s", err);
    const char *stop_words[] = {"في", "the", "of"};
    rk_tok_stopset_t *stop;
    CHECK(rk_tok_stopset_new(stop_words, 3, &stop, err, sizeof err) == RK_OK,
          "%s", err);

    const char *text = "تعزيز التعاون في مكافحة الإرهاب، (2178) "
                       "Preventing the financing of terrorists!";
    rk_norm_opts_t o = rk_norm_opts_default();
    const char *ntext;
    size_t nlen;
    rk_norm_text(norm, &o, text, strlen(text), &ntext, &nlen, err,
                 sizeof err);
    int32_t ulen;
    const UChar *u = rk_norm_utf16(norm, &ulen);
    const rk_token_t *t;
    size_t n;
    CHECK(rk_tok_split(tok, u, ulen, stop, 1, &t, &n, err, sizeof err) ==
              RK_OK,
          "%s", err);
    CHECK(n == 8, "8 words survive (no punctuation, no stopwords), got %zu",
          n);
    int saw_number = 0, saw_stop = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(t[i].word, "2178"))
            saw_number = 1;
        if (!strcmp(t[i].word, "في") || !strcmp(t[i].word, "the"))
            saw_stop = 1;
    }
    CHECK(saw_number, "numbers (resolution 2178) are tokens");
    CHECK(!saw_stop, "stopwords are dropped");
    CHECK(n > 6 && !strcmp(t[6].word, "financing") &&
              !strcmp(t[6].stem, "financ"),
          "English words get the English stemmer: financing -> financ");
    CHECK(n > 4 && !strcmp(t[3].word, "الارهاب") &&
              strcmp(t[3].stem, t[3].word) && strstr(t[3].stem, "رهاب"),
          "Arabic words get the Arabic stemmer: الارهاب -> %s",
          n > 3 ? t[3].stem : "?");
    CHECK(rk_tok_split(tok, u, ulen, NULL, 0, &t, &n, err, sizeof err) ==
                  RK_OK &&
              n == 11 && !strcmp(t[8].word, "financing") &&
              !strcmp(t[8].stem, "financing"),
          "with stemming and stopwords off, every word is kept as it is");
    CHECK(rk_tok_split(tok, u, 0, stop, 1, &t, &n, err, sizeof err) ==
                  RK_OK &&
              n == 0,
          "empty text has no tokens");
    rk_tok_stopset_destroy(stop);
    rk_tok_destroy(tok);
    rk_norm_destroy(norm);
    return rk_test_done("test_tokenize");
}
