/*
 * labelled.h - labelled samples from files.
 *
 * Two formats, told apart by content (the first non-blank line starting
 * with '{' means JSON Lines), never by file name:
 *   JSON Lines  {"text": str, "label": str, "lang"?: str, "source"?: str,
 *               "group"?: str, ...other fields ignored}
 *   TSV         label<TAB>text
 * A sample without a lang gets the language of its dominant script.
 *
 * Every sample has a cross-validation group (samples of one group never
 * sit on both sides of a split: paragraphs of one document share names
 * and wording): the record's "group"; else its "source" up to the first
 * '@' ("<seed file>@<start>-<end>" is grouped by seed file); else, for a
 * JSON record naming neither, "file:line" (a group of its own). A TSV
 * file is one group, its path.
 */
#ifndef RK_LABELLED_H
#define RK_LABELLED_H

#include <stddef.h>

#include "core/err.h"

typedef struct rk_sample_s {
    char *text;
    size_t text_len;
    char *label;
    char *lang;
    char *source; /* "file:line" when the record names none */
    char *group;  /* cross-validation group (see above); never NULL */
} rk_sample_t;

typedef struct rk_sample_set_s {
    rk_sample_t *items;
    size_t count, cap;
} rk_sample_set_t;

/* Appends the samples of path to set (zero-initialised before first use).
 * Errors name file:line and the field at fault; on error set keeps what it
 * had before the call. */
rk_err_t rk_labelled_load(const char *path, rk_sample_set_t *set, char *errstr,
                          size_t errstr_size);

void rk_labelled_free(rk_sample_set_t *set);

/* Appends *s as it is: the set takes its pointers, copying no string (a set
 * of borrowed samples is freed with free(set->items) alone). Returns 0 when
 * out of memory, the set unchanged. */
int rk_sample_set_push(rk_sample_set_t *set, const rk_sample_t *s);

#endif
