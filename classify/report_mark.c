/*
 * report_mark.c - marks the explanation terms in a paragraph's text, for
 * the report pages (report_html.c).
 *
 * The terms are features, in the vectoriser's normalised form: words,
 * bigrams ("a b") or character n-grams ("#<abc"). So each term is cut into
 * searchable pieces, each word of the text is normalised the same way, and
 * a word is marked when it shows a piece. The text goes out whole and in
 * order, escaped by rk_report_put_text (whitespace as it was, a marked word
 * inside <mark class="term">). Marking is best effort: without a normaliser
 * nothing is marked, a word that does not normalise is left unmarked, and a
 * piece that cannot be stored (out of memory) is skipped.
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

static void pieces_from_terms(pieces_t *p, const json_t *explanation) {
    size_t i;
    json_t *e;
    json_array_foreach(explanation, i, e) {
        const char *t = json_string_value(json_object_get(e, "term"));
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

/* See report_internal.h. */
void rk_report_put_paragraph_text(FILE *f, const char *text, size_t len,
                                  const json_t *explanation, rk_norm_t *norm) {
    pieces_t p = {0};
    if (norm)
        pieces_from_terms(&p, explanation);
    if (p.n == 0) {
        rk_report_put_text(f, text, len);
        return;
    }
    rk_norm_opts_t opts = rk_norm_opts_default();
    opts.replace_invalid = 1;
    size_t i = 0;
    while (i < len) {
        size_t ws = i;
        while (i < len && (text[i] == ' ' || text[i] == '\t' ||
                           text[i] == '\n' || text[i] == '\r'))
            i++;
        rk_report_put_text(f, text + ws, i - ws);
        size_t w = i;
        while (i < len && !(text[i] == ' ' || text[i] == '\t' ||
                            text[i] == '\n' || text[i] == '\r'))
            i++;
        if (i == w)
            continue;
        const char *nt = NULL;
        size_t nlen = 0;
        char e[128];
        int hit = rk_norm_text(norm, &opts, text + w, i - w, &nt, &nlen, e,
                               sizeof e) == RK_OK &&
                  nlen > 0 && word_matches(nt, &p);
        if (hit)
            fputs("<mark class=\"term\">", f);
        rk_report_put_text(f, text + w, i - w);
        if (hit)
            fputs("</mark>", f);
    }
    pieces_free(&p);
}
