/*
 * view.c - see view.h. Each paragraph shown is parsed again from the
 * record the store kept (it was checked on the way in, so its fields have
 * the shapes check_record() demands); its text is cut into pieces by the
 * report's term marking (classify/report.h), adjacent unmarked pieces
 * joined, so the page can wrap the marked words in <mark> elements it
 * builds itself.
 */
#include "review/view.h"

#include <stdlib.h>
#include <string.h>

#include "classify/report.h"
#include "core/utf8.h"

/* ---- safe JSON -------------------------------------------------------- */

/* Writes raw[0..n) with the risky characters escaped into out (when not
 * NULL); returns the length written. jansson writes these characters only
 * inside strings (nothing else in JSON can hold them), where a \u escape
 * means the same. */
static size_t escape_json(const char *raw, size_t n, char *out) {
    size_t k = 0;
    char esc[8];
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)raw[i];
        unsigned code = 0;
        if (c == '<' || c == '>' || c == '&')
            code = c;
        else if (c == 0xE2 && i + 2 < n && (unsigned char)raw[i + 1] == 0x80 &&
                 ((unsigned char)raw[i + 2] & 0xFE) == 0xA8)
            code = (unsigned char)raw[i + 2] == 0xA8 ? 0x2028 : 0x2029;
        if (!code) {
            if (out)
                out[k] = (char)c;
            k++;
            continue;
        }
        snprintf(esc, sizeof esc, "\\u%04x", code);
        if (out)
            memcpy(out + k, esc, 6);
        k += 6;
        i += code > 0xFF ? 2 : 0;
    }
    return k;
}

char *rk_review_json_dumps(const json_t *j, size_t *len) {
    char *raw = json_dumps(j, JSON_COMPACT);
    if (!raw)
        return NULL;
    size_t n = strlen(raw), need = escape_json(raw, n, NULL);
    char *out = malloc(need + 1);
    if (out) {
        escape_json(raw, n, out);
        out[need] = '\0';
        *len = need;
    }
    free(raw);
    return out;
}

/* ---- one paragraph ---------------------------------------------------- */

/* Collects text pieces as [[piece, marked], ...], joining adjacent
 * unmarked ones. */
typedef struct pieces_s {
    json_t *arr;
    const char *run; /* the unmarked run not yet added */
    size_t run_len;
} pieces_t;

static void flush_run(pieces_t *p) {
    if (p->run_len)
        json_array_append_new(p->arr,
                              json_pack("[s%, i]", p->run, p->run_len, 0));
    p->run_len = 0;
}

static void on_piece(void *opaque, const char *s, size_t len, int marked) {
    pieces_t *p = opaque;
    if (!marked) {
        if (!p->run_len)
            p->run = s;
        p->run_len += len; /* pieces are adjacent in the text */
        return;
    }
    flush_run(p);
    json_array_append_new(p->arr, json_pack("[s%, i]", s, len, 1));
}

static json_t *text_pieces(const json_t *rec, rk_norm_t *norm) {
    const json_t *text = json_object_get(rec, "text");
    const json_t *expl = json_object_get(rec, "explanation");
    size_t n = json_array_size(expl);
    const char **terms = calloc(n + 1, sizeof *terms);
    pieces_t p = {json_array(), NULL, 0};
    if (!terms || !p.arr) {
        free(terms);
        json_decref(p.arr);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        terms[i] =
            json_string_value(json_object_get(json_array_get(expl, i), "term"));
    rk_report_mark_terms(json_string_value(text), json_string_length(text),
                         terms, n, norm, on_piece, &p);
    flush_run(&p);
    free(terms);
    return p.arr;
}

/* [{"label", "p"}], highest first. */
static json_t *scores_array(const json_t *scores) {
    size_t k;
    rk_report_score_t *s = rk_report_sorted_scores(scores, &k);
    json_t *out = json_array();
    if (!s || !out) {
        free(s);
        json_decref(out);
        return NULL;
    }
    for (size_t i = 0; i < k; i++)
        json_array_append_new(
            out, json_pack("{s:s, s:f}", "label", s[i].label, "p", s[i].p));
    free(s);
    return out;
}

static json_t *parse(const rk_review_para_t *p) {
    return json_loadb(p->json, p->json_len, 0, NULL);
}

/* A neighbour as context: index, language, label and the start of its
 * text; JSON null when the paragraph is not kept. */
static json_t *neighbour(const rk_review_para_t *p) {
    if (!p)
        return json_null();
    json_t *rec = parse(p);
    const json_t *t = json_object_get(rec, "text");
    json_t *text = json_null();
    if (t) {
        const char *s = json_string_value(t);
        size_t len = json_string_length(t);
        if (len <= RK_REVIEW_CONTEXT_BYTES) {
            text = json_stringn(s, len);
        } else {
            size_t cut = rk_utf8_floor(s, 0, RK_REVIEW_CONTEXT_BYTES);
            char *c = malloc(cut + 4);
            if (c) {
                memcpy(c, s, cut);
                memcpy(c + cut, "\xE2\x80\xA6", 4); /* "…" */
                text = json_string(c);
                free(c);
            }
        }
    }
    json_t *out =
        json_pack("{s:I, s:s, s:s, s:s?, s:o?}", "index", (json_int_t)p->index,
                  "lang", p->lang, "dir", rk_report_lang_dir(p->lang), "label",
                  p->label, "text", text);
    json_decref(rec);
    return out;
}

static json_t *item(const rk_review_store_t *s, const rk_review_para_t *p,
                    rk_norm_t *norm) {
    json_t *rec = parse(p);
    if (!rec)
        return NULL;
    const json_t *model = json_object_get(rec, "model");
    const json_t *kind = json_object_get(rec, "kind");
    const json_t *expl = json_object_get(rec, "explanation");
    json_t *it = json_pack(
        "{s:s, s:s, s:I, s:s, s:s, s:s, s:s?, s:f, s:o, s:o, s:s?}", "key",
        p->key, "doc_id", p->doc_id, "index", (json_int_t)p->index, "kind",
        kind ? json_string_value(kind) : "", "lang", p->lang, "dir",
        rk_report_lang_dir(p->lang), "label", p->label, "top", p->top, "scores",
        scores_array(json_object_get(rec, "scores")), "terms",
        expl ? json_incref((json_t *)expl) : json_array(), "model",
        json_string_value(json_object_get(model, "id")));
    if (!it) {
        json_decref(rec);
        return NULL;
    }
    const json_t *count = json_object_get(rec, "count");
    if (json_is_integer(count))
        json_object_set(it, "count", (json_t *)count);
    if (p->has_text) {
        json_object_set_new(it, "text", text_pieces(rec, norm));
    } else {
        json_object_set_new(it, "text", json_null());
        json_object_set_new(
            it, "why",
            json_string("the record has no text (it was classified with "
                        "--no-text), and a label needs the text it names"));
    }
    json_object_set_new(
        it, "prev",
        neighbour(p->index > 0 ? rk_review_store_get(s, p->doc_id, p->index - 1)
                               : NULL));
    json_object_set_new(
        it, "next", neighbour(rk_review_store_get(s, p->doc_id, p->index + 1)));
    json_decref(rec);
    return it;
}

json_t *rk_review_view_items(const rk_review_store_t *s,
                             const rk_review_filter_t *f, size_t offset,
                             size_t limit, rk_norm_t *norm) {
    if (limit > RK_REVIEW_MAX_PAGE_ITEMS)
        limit = RK_REVIEW_MAX_PAGE_ITEMS;
    const rk_review_para_t **page = calloc(limit + 1, sizeof *page);
    json_t *out = rk_review_store_summary(s);
    json_t *items = json_array(), *labels = rk_review_store_labels(s);
    size_t n = 0, total = 0;
    if (!page || !out || !items || !labels ||
        rk_review_store_select(s, f, offset, page, limit, &n, &total)) {
        free(page);
        json_decref(out);
        json_decref(items);
        json_decref(labels);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *it = item(s, page[i], norm);
        if (it)
            json_array_append_new(items, it);
    }
    free(page);
    json_object_set_new(out, "labels", labels);
    json_object_set_new(out, "total", json_integer((json_int_t)total));
    json_object_set_new(out, "offset", json_integer((json_int_t)offset));
    json_object_set_new(out, "items", items);
    return out;
}

/* ---- the labelled sample ---------------------------------------------- */

rk_err_t rk_review_view_sample(const rk_review_para_t *p, const char *label,
                               const char *annotator, time_t now, char **value,
                               char *errstr, size_t n) {
    *value = NULL;
    json_t *rec = parse(p);
    if (!rec)
        return rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    const json_t *text = json_object_get(rec, "text");
    rk_err_t err = RK_OK;
    if (!text)
        err = rk_fail(RK_ERR_DATA, errstr, n,
                      "paragraph %s has no text in its record (classified "
                      "with --no-text), so it cannot be labelled",
                      p->key);
    else if (!json_object_get(json_object_get(rec, "scores"), label))
        err = rk_fail(RK_ERR_USAGE, errstr, n,
                      "'%.100s' is not one of the labels of paragraph "
                      "%.200s's model",
                      label, p->key);
    if (err) {
        json_decref(rec);
        return err;
    }
    struct tm tm;
    char when[32];
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    const char *model_id =
        json_string_value(json_object_get(json_object_get(rec, "model"), "id"));
    json_t *sample = json_pack("{s:O, s:s, s:s, s:I, s:s}", "text", text,
                               "label", label, "doc_id", p->doc_id, "index",
                               (json_int_t)p->index, "lang", p->lang);
    if (sample && annotator && *annotator)
        json_object_set_new(sample, "annotator", json_string(annotator));
    if (sample) {
        json_object_set_new(sample, "time", json_string(when));
        if (model_id)
            json_object_set_new(sample, "model",
                                json_pack("{s:s}", "id", model_id));
        json_object_set_new(sample, "predicted",
                            p->label ? json_string(p->label) : json_null());
    }
    *value = sample ? json_dumps(sample, JSON_COMPACT) : NULL;
    json_decref(sample);
    json_decref(rec);
    return *value ? RK_OK : rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
}
