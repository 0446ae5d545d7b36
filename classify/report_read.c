/*
 * report_read.c - the reading half of the report (report.h): JSON Lines
 * records in, documents out (report_internal.h); nothing is written here.
 *
 * A record is parsed and checked whole (type, doc_id, then every field the
 * page shows) before anything is stored, so a bad line leaves the report as
 * it was. Documents keep their order of first appearance (doc_index maps an
 * id to its place). A document's paragraphs are kept in arrival order, each
 * with a sequence number, and only settled when the pages are written:
 * sorted by index, the last copy of a redelivered one kept. A redelivered
 * summary replaces the earlier one at once. Every label a record names is
 * noted, for the colour table.
 */
#include "classify/report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "classify/report_internal.h"
#include "core/grow.h"

rk_report_t *rk_report_new(void) {
    rk_report_t *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->doc_index = json_object();
    r->labels = json_object();
    if (!r->doc_index || !r->labels) {
        rk_report_destroy(r);
        return NULL;
    }
    return r;
}

void rk_report_destroy(rk_report_t *r) {
    if (!r)
        return;
    for (size_t i = 0; i < r->n_docs; i++) {
        doc_t *d = &r->docs[i];
        for (size_t j = 0; j < d->n_paras; j++)
            json_decref(d->paras[j].rec);
        free(d->paras);
        free(d->id);
        json_decref(d->summary);
    }
    free(r->docs);
    json_decref(r->doc_index);
    json_decref(r->labels);
    free(r);
}

size_t rk_report_count(const rk_report_t *r) {
    return r->n_docs;
}

/* ---- reading records ---------------------------------------------------- */

static int is_nonneg_int(const json_t *v) {
    return json_is_integer(v) && json_integer_value(v) >= 0;
}

/* "labels", when present, is an array of strings. */
static rk_err_t check_labels(const json_t *o, char *errstr,
                             size_t errstr_size) {
    const json_t *v = json_object_get(o, "labels"), *s;
    size_t i;
    if (v && !json_is_array(v))
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "field 'labels' must be an array");
    json_array_foreach(v, i, s) {
        if (!json_is_string(s))
            return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                           "field 'labels[%zu]' must be a string", i);
    }
    return RK_OK;
}

/* Checks the fields the page shows; absent optional fields are fine. */
static rk_err_t check_paragraph(const json_t *o, char *errstr,
                                size_t errstr_size) {
    const json_t *v;
    if (!is_nonneg_int(json_object_get(o, "index")))
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "field 'index' must be a non-negative integer");
    v = json_object_get(o, "label");
    if (!v || !(json_is_string(v) || json_is_null(v)))
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "field 'label' must be a string or null");
    v = json_object_get(o, "scores");
    if (!json_is_object(v))
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "field 'scores' must be an object");
    const char *k;
    json_t *s;
    json_object_foreach((json_t *)v, k, s) {
        if (!json_is_number(s))
            return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                           "field 'scores.%s' must be a number", k);
    }
    static const char *const strings[] = {"text", "lang", "kind"};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        v = json_object_get(o, strings[i]);
        if (v && !json_is_string(v))
            return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                           "field '%s' must be a string", strings[i]);
    }
    rk_err_t err = check_labels(o, errstr, errstr_size);
    if (err)
        return err;
    size_t i;
    v = json_object_get(o, "explanation");
    if (v && !json_is_array(v))
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "field 'explanation' must be an array");
    json_array_foreach(v, i, s) {
        if (!json_is_string(json_object_get(s, "term")) ||
            !json_is_number(json_object_get(s, "weight")))
            return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                           "field 'explanation[%zu]' must be "
                           "{\"term\": string, \"weight\": number}",
                           i);
    }
    return RK_OK;
}

static rk_err_t check_document(const json_t *o, char *errstr,
                               size_t errstr_size) {
    const json_t *v = json_object_get(o, "count");
    if (v && !is_nonneg_int(v))
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "field 'count' must be a non-negative integer");
    v = json_object_get(o, "label_counts");
    if (v && !json_is_object(v))
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "field 'label_counts' must be an object");
    const char *k;
    json_t *s;
    json_object_foreach((json_t *)v, k, s) {
        if (!is_nonneg_int(s))
            return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                           "field 'label_counts.%s' must be a non-negative "
                           "integer",
                           k);
    }
    return check_labels(o, errstr, errstr_size);
}

/* Records every label the (already checked) record names. */
static void note_labels(rk_report_t *r, const json_t *o) {
    const char *k;
    json_t *v;
    size_t i;
    if (json_is_string(json_object_get(o, "label")))
        json_object_set_new(r->labels,
                            json_string_value(json_object_get(o, "label")),
                            json_true());
    json_object_foreach(json_object_get(o, "scores"), k, v)
        json_object_set_new(r->labels, k, json_true());
    json_object_foreach(json_object_get(o, "label_counts"), k, v)
        json_object_set_new(r->labels, k, json_true());
    json_array_foreach(json_object_get(o, "labels"), i, v)
        json_object_set_new(r->labels, json_string_value(v), json_true());
}

static doc_t *find_or_add_doc(rk_report_t *r, const char *id) {
    json_t *at = json_object_get(r->doc_index, id);
    if (at)
        return &r->docs[json_integer_value(at)];
    if (r->n_docs == r->cap_docs &&
        !rk_grow(&r->docs, &r->cap_docs, r->n_docs + 1, sizeof *r->docs, 16))
        return NULL;
    doc_t *d = &r->docs[r->n_docs];
    memset(d, 0, sizeof *d);
    d->id = strdup(id);
    if (!d->id || json_object_set_new(r->doc_index, id,
                                      json_integer((json_int_t)r->n_docs))) {
        free(d->id);
        return NULL;
    }
    r->n_docs++;
    return d;
}

rk_err_t rk_report_add_line(rk_report_t *r, const char *line, size_t len,
                            char *errstr, size_t errstr_size) {
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' ||
                       line[i] == '\n'))
        i++;
    if (i == len)
        return RK_OK;
    json_error_t jerr;
    json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!o)
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "not JSON (column %d): %s", jerr.column, jerr.text);
    rk_err_t err = RK_OK;
    const char *type = json_string_value(json_object_get(o, "type"));
    const char *id = json_string_value(json_object_get(o, "doc_id"));
    if (!json_is_object(o))
        err = rk_fail(RK_ERR_DATA, errstr, errstr_size,
                      "a record must be a JSON object");
    else if (!type || (strcmp(type, "paragraph") && strcmp(type, "document")))
        err = rk_fail(RK_ERR_DATA, errstr, errstr_size,
                      "field 'type' must be \"paragraph\" or \"document\"");
    else if (!id)
        err = rk_fail(RK_ERR_DATA, errstr, errstr_size,
                      "field 'doc_id' must be a string");
    else if (!strcmp(type, "paragraph"))
        err = check_paragraph(o, errstr, errstr_size);
    else
        err = check_document(o, errstr, errstr_size);
    doc_t *d = err ? NULL : find_or_add_doc(r, id);
    if (!err && !d)
        err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    if (err) {
        json_decref(o);
        return err;
    }
    if (!strcmp(type, "document")) {
        json_decref(d->summary); /* a redelivered summary: the last wins */
        d->summary = o;
    } else {
        if (d->n_paras == d->cap_paras &&
            !rk_grow(&d->paras, &d->cap_paras, d->n_paras + 1, sizeof *d->paras,
                     32)) {
            json_decref(o);
            return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
        }
        d->paras[d->n_paras++] = (para_t){
            o, json_integer_value(json_object_get(o, "index")), r->seq++};
    }
    note_labels(r, o);
    return RK_OK;
}

static int cmp_para(const void *a, const void *b) {
    const para_t *x = a, *y = b;
    if (x->index != y->index)
        return x->index < y->index ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorts d's paragraphs by index and drops all but the last copy of each. */
void rk_report_settle(doc_t *d) {
    if (d->n_paras < 2) /* (paras is NULL for a summary alone) */
        return;
    qsort(d->paras, d->n_paras, sizeof *d->paras, cmp_para);
    size_t k = 0;
    for (size_t i = 0; i < d->n_paras; i++) {
        if (i + 1 < d->n_paras && d->paras[i + 1].index == d->paras[i].index) {
            json_decref(d->paras[i].rec);
            continue;
        }
        d->paras[k++] = d->paras[i];
    }
    d->n_paras = k;
}
