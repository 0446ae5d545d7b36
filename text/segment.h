/*
 * segment.h - a document's bytes to its paragraphs.
 *
 * The unit is one trimmed non-blank line, as the UN and OIC documents put
 * every paragraph, sub-item, heading and footnote on a line of its own.
 * Each paragraph keeps byte offsets [start, end) into the original input, a
 * kind and a language:
 *   heading    "## ...", letter/ordinal headings ("ألف - ...", "أولا - ...",
 *              "A. ...", "IV. ...", "Pillar I: ...", "Annex ..."), and short
 *              lines (at most 12 words) with no final punctuation;
 *   list_item  "(أ) ...", "(a) ...", "a) ...", "- ...", "• ...", and
 *              table rows (tab-separated, as in tables of contents);
 *   footnote   "(1) ...", "(١) ...", "⁽١⁾ ...", "¹ ...", "* ...";
 *   paragraph  everything else, numbered ("14 - ...", "- 17 - ...",
 *              "56. ...", "١٢ - ...") or not.
 * A page break can cut a paragraph in two, leaving blank lines between the
 * halves. How a line ends decides whether the next line may go on with it;
 * the last mark counts, looking past footnote references ("⁽³⁾") and
 * closing brackets and quotes ) ] " ' » ” ’:
 *   sentence  . ! ? ؟ ۔ …      the paragraph ends;
 *   lead-in   :                 it introduces a list or a table: it ends;
 *   clause    , ; ، ؛           the sentence goes on, but this is also how
 *                               a resolution's unnumbered preambular and
 *                               list paragraphs end, so only a numbered
 *                               paragraph or a list item goes on after it;
 *   open      no mark           a numbered paragraph or list item goes on,
 *                               and so does an unnumbered line of at least
 *                               20 words (a shorter one is a title or a
 *                               date line).
 * The next line joins only when it has no marker of its own and is not a
 * heading; the offsets then span both halves and the text joins them with
 * one space. A paragraph crosses at most one page break on its number.
 * The language is the dominant script's (utf8.h).
 */
#ifndef RK_SEGMENT_H
#define RK_SEGMENT_H

#include <stddef.h>

#include "core/err.h"

typedef enum rk_seg_kind_e {
    RK_SEG_PARAGRAPH,
    RK_SEG_HEADING,
    RK_SEG_LIST_ITEM,
    RK_SEG_FOOTNOTE
} rk_seg_kind_t;

typedef struct rk_seg_para_s {
    size_t start, end; /* byte offsets into the input, end exclusive */
    rk_seg_kind_t kind;
    const char *lang; /* "ar", "en" or "und"; static storage */
    char *text;       /* NUL-terminated; owned by the list */
    size_t text_len;
} rk_seg_para_t;

/* A growable list of paragraphs; zero-initialise, then reuse across
 * documents (rk_seg_split clears it first) and free with rk_seg_list_free. */
typedef struct rk_seg_list_s {
    rk_seg_para_t *items;
    size_t count, cap;
} rk_seg_list_t;

/* The most bytes one paragraph may hold: a longer line is cut into pieces
 * of at most this size (at a UTF-8 boundary), so one giant "word" can
 * never make a paragraph unbounded. */
#define RK_SEG_MAX_PARAGRAPH_BYTES (64 * 1024)

/* Splits doc[0..len) into paragraphs. Invalid UTF-8 is RK_ERR_DATA naming
 * the byte offset. */
rk_err_t rk_seg_split(const char *doc, size_t len, rk_seg_list_t *out,
                      char *errstr, size_t errstr_size);

void rk_seg_list_free(rk_seg_list_t *list);

/* "paragraph", "heading", "list_item" or "footnote". */
const char *rk_seg_kind_name(rk_seg_kind_t kind);

#endif
