/*
 * report_internal.h - private to the HTML report (report.h): what its three
 * files share. Nothing outside classify/report_*.c includes it.
 *
 *   report_read.c  records in: checked, then filed under their document
 *                  (the store below); new, destroy, count, add_line
 *   report_html.c  pages out: label colours, one page per document and
 *                  index.html (rk_report_write)
 *   report_mark.c  a paragraph's text with its explanation terms marked
 *
 * Records are kept as jansson objects, checked on the way in, so the
 * writing half can trust their shapes.
 */
#ifndef RK_REPORT_INTERNAL_H
#define RK_REPORT_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "classify/report.h"
#include "text/normalize.h"

/* ---- the document store (report_read.c) --------------------------------- */

/* A paragraph record; the document holding it owns rec. */
typedef struct para_s {
    json_t *rec;
    json_int_t index;
    size_t seq; /* arrival order: the later copy of an index wins */
} para_t;

/* A document; the report owns it, and it owns id, paras and summary. */
typedef struct doc_s {
    char *id;
    para_t *paras;
    size_t n_paras, cap_paras;
    json_t *summary; /* the "document" record, or NULL */
} doc_t;

/* Owns docs, doc_index and labels (rk_report_destroy frees them all). */
struct rk_report_s {
    doc_t *docs;
    size_t n_docs, cap_docs;
    size_t seq;
    json_t *doc_index; /* doc id -> position in docs */
    json_t *labels;    /* every label named anywhere: label -> true */
};

/* Sorts d's paragraphs by index and drops (releases) all but the last copy
 * of each. rk_report_write settles every document before writing it. */
void rk_report_settle(doc_t *d);

/* ---- HTML shared by report_html.c and report_mark.c --------------------- */

/* Writes s[0..len) as HTML text content, escaped (report_html.c). */
void rk_report_put_text(FILE *f, const char *s, size_t len);

/* Writes a paragraph's text, escaped, with the words that carry one of the
 * explanation terms wrapped in <mark class="term"> (report_mark.c). With
 * norm NULL nothing is marked. */
void rk_report_put_paragraph_text(FILE *f, const char *text, size_t len,
                                  const json_t *explanation, rk_norm_t *norm);

#endif
