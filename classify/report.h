/*
 * report.h - `rakiza report`: classify/run output (the contract's JSON
 * Lines records) in, one self-contained HTML page per document out.
 *
 * Records are fed one line at a time, in any order: documents may be
 * interleaved (as on a Kafka topic), a paragraph seen twice (an
 * at-least-once redelivery) keeps its last copy, and a document's summary
 * record is optional. A bad line is refused with a message naming the field
 * at fault and changes nothing, so the caller can report it and go on.
 *
 * The pages need nothing outside themselves (inline CSS and SVG, no
 * scripts): paragraphs coloured by their top label (null = abstained),
 * every score, explanation terms highlighted in the text, a chart of the
 * labels, right-to-left paragraphs set right-to-left. Every string taken
 * from the input is HTML-escaped. The label set is whatever the records
 * name; the contract's four pillars and `none` get fixed colours, any
 * other label one from a generated palette.
 */
#ifndef RK_REPORT_H
#define RK_REPORT_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"
#include "text/normalize.h"

typedef struct rk_report_s rk_report_t;

/* NULL when out of memory. */
rk_report_t *rk_report_new(void);
void rk_report_destroy(rk_report_t *r);

/* Adds one JSON Lines record (line[0..len), no newline needed). Blank
 * lines are accepted and ignored. RK_ERR_DATA names the field at fault;
 * the report is then unchanged. */
rk_err_t rk_report_add_line(rk_report_t *r, const char *line, size_t len,
                            char *errstr, size_t errstr_size);

/* Documents seen so far. */
size_t rk_report_count(const rk_report_t *r);

/* Writes one page per document and index.html into dir (created, with
 * its parents, when missing; existing pages are overwritten). Page file
 * names are "<n>-<doc id made file-safe>.html", n from 1 in order of first
 * appearance. */
rk_err_t rk_report_write(rk_report_t *r, const char *dir, char *errstr,
                         size_t errstr_size);

/* The HTML dir attribute for a language code: "rtl" for the languages
 * written right to left (ar, fa, ur, he, ...), "auto" for "und", empty or
 * NULL, "ltr" otherwise. */
const char *rk_report_lang_dir(const char *lang);

/* One label's probability, from a record's "scores". */
typedef struct rk_report_score_s {
    const char *label; /* lives as long as the scores object */
    double p;
} rk_report_score_t;

/* The entries of a record's "scores" object, highest first and, at equal
 * scores, by label: a new array of *n (free it). NULL when out of memory,
 * with *n 0. The report pages and the review page list scores so. */
rk_report_score_t *rk_report_sorted_scores(const json_t *scores, size_t *n);

/* Receives one piece of a paragraph's text from rk_report_mark_terms:
 * s[0..len), marked when it is a word showing an explanation term. */
typedef void (*rk_report_piece_fn)(void *opaque, const char *s, size_t len,
                                   int marked);

/* Hands text[0..len) (valid UTF-8) to piece as consecutive pieces that
 * together are the whole text, in order: runs of white space, and words
 * marked when they show one of terms[0..n_terms) (features as the records'
 * "explanation" names them: words, bigrams, "#<abc" character n-grams; a
 * NULL term is skipped). norm normalises the words as the vectoriser does;
 * with norm NULL, or no terms, the whole text is one unmarked piece (none
 * when len is 0). Best effort: a word that does not normalise stays
 * unmarked. This is how the report pages highlight the terms. */
void rk_report_mark_terms(const char *text, size_t len,
                          const char *const *terms, size_t n_terms,
                          rk_norm_t *norm, rk_report_piece_fn piece,
                          void *opaque);

#endif
