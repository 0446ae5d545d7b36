/*
 * report_mark.c - marks the explanation terms in a paragraph's text: for
 * the report pages (report_html.c) and, through report.h, for any other
 * page that shows a paragraph (review/).
 *
 * The terms are features, in the vectoriser's normalised form: words,
 * bigrams ("a b") or character n-grams ("#<abc"). So each term is cut into
 * searchable pieces, each word of the text is normalised the same way, and
 * a word is marked when it shows a piece. The text is handed out whole and
 * in order, as pieces (whitespace as it was, each word marked or not);
 * rk_report_put_paragraph_text writes them escaped by rk_report_put_text, a
 * marked word inside <mark class="term">. Marking is best effort: without a
 * normaliser nothing is marked, a word that does not normalise is left
 * unmarked, and a piece that cannot be stored (out of memory) is skipped.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/report_internal.h"
#include "core/utf8.h"
#include "text/normalize.h"

/* The searchable pieces of the explanation terms, normalised as the
 * vectoriser normalised them: a bigram gives its two words, a character
 * n-gram ("#<abc") its letters without the '#' and word-edge marks. */
typedef struct pieces_s {
    char **items;
    size_t n;
} pieces_t;

static void pieces_free(pieces_t *p) {
    for (size_t i = 0; i < p->n; i++)
        free(p->items[i]);
    free(p->items);
    p->items = NULL;
    p->n = 0;
}

static void pieces_add(pieces_t *p, const char *s, size_t len) {
    if (len == 0)
        return;
    char **grown = realloc(p->items, (p->n + 1) * sizeof *grown);
    if (!grown)
        return; /* highlighting is best effort */
    p->items = grown;
    char *c = strndup(s, len);
    if (c)
        p->items[p->n++] = c;
}

static void pieces_from_terms(pieces_t *p, const char *const *terms,
                              size_t n_terms) {
    for (size_t i = 0; i < n_terms; i++) {
        const char *t = terms[i];
        if (!t)
            continue;
        if (*t == '#') {
            char buf[256];
            size_t k = 0;
            for (t++; *t && k < sizeof buf; t++)
                if (*t != '<' && *t != '>')
                    buf[k++] = *t;
            pieces_add(p, buf, k);
            continue;
        }
        while (*t) {
            size_t w = strcspn(t, " ");
            pieces_add(p, t, w);
            t += w;
            t += strspn(t, " ");
        }
    }
}

/* Whether a word (normalised as norm) shows one of the pieces: a piece of
 * three or more code points anywhere in it (stems and n-grams sit inside
 * inflected words and behind Arabic prefixes), a shorter one as the whole
 * word. */
static int word_matches(const char *norm, const pieces_t *p) {
    for (size_t i = 0; i < p->n; i++) {
        if (rk_utf8_count(p->items[i], strlen(p->items[i])) >= 3
                ? strstr(norm, p->items[i]) != NULL
                : !strcmp(norm, p->items[i]))
            return 1;
    }
    return 0;
}

static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* See report.h. */
void rk_report_mark_terms(const char *text, size_t len,
                          const char *const *terms, size_t n_terms,
                          rk_norm_t *norm, rk_report_piece_fn piece,
                          void *opaque) {
    pieces_t p = {0};
    if (norm)
        pieces_from_terms(&p, terms, n_terms);
    if (p.n == 0) {
        if (len)
            piece(opaque, text, len, 0);
        return;
    }
    rk_norm_opts_t opts = rk_norm_opts_default();
    opts.replace_invalid = 1;
    size_t i = 0;
    while (i < len) {
        size_t ws = i;
        while (i < len && is_space(text[i]))
            i++;
        if (i > ws)
            piece(opaque, text + ws, i - ws, 0);
        size_t w = i;
        while (i < len && !is_space(text[i]))
            i++;
        if (i == w)
            continue;
        const char *nt = NULL;
        size_t nlen = 0;
        char e[128];
        int hit = rk_norm_text(norm, &opts, text + w, i - w, &nt, &nlen, e,
                               sizeof e) == RK_OK &&
                  nlen > 0 && word_matches(nt, &p);
        piece(opaque, text + w, i - w, hit);
    }
    pieces_free(&p);
}

static void put_piece(void *opaque, const char *s, size_t len, int marked) {
    FILE *f = opaque;
    if (marked)
        fputs("<mark class=\"term\">", f);
    rk_report_put_text(f, s, len);
    if (marked)
        fputs("</mark>", f);
}

/* See report_internal.h. */
void rk_report_put_paragraph_text(FILE *f, const char *text, size_t len,
                                  const json_t *explanation, rk_norm_t *norm) {
    size_t n = json_array_size(explanation);
    const char **terms = n ? calloc(n, sizeof *terms) : NULL;
    if (!terms) /* no terms, or out of memory: the text unmarked */
        n = 0;
    for (size_t i = 0; i < n; i++)
        terms[i] = json_string_value(
            json_object_get(json_array_get(explanation, i), "term"));
    rk_report_mark_terms(text, len, terms, n, norm, put_piece, f);
    free(terms);
}
