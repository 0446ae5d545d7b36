/*
 * test_pipeline.c - one document in, its records out (classify/pipeline.h),
 * on seed 002 (an Arabic UN report with an English annex: 355 paragraphs)
 * with the shipped model, and with the model shipped before it (threshold
 * 0.50: some paragraphs under it) where abstention is checked. The records
 * are the contract `rakiza classify` and `rakiza run` both write; if these
 * fail, consumers read paragraphs out of order, offsets that point
 * elsewhere, scores that are not the model's, or a summary that does not
 * add up.
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify/explain.h"
#include "classify/jsonw.h"
#include "classify/pipeline.h"
#include "models/model.h"
#include "testutil.h"
#include "text/segment.h"

typedef struct fixture_s {
    rk_model_t *model;
    rk_pipeline_ctx_t *ctx;
    char *doc;
    size_t len;
    rk_seg_list_t paras; /* the segmenter's own view of the document */
    rk_record_list_t out;
    json_t **recs; /* out, parsed */
    size_t nrecs;
} fixture_t;

static void free_parsed(fixture_t *f) {
    for (size_t i = 0; i < f->nrecs; i++)
        json_decref(f->recs[i]);
    free(f->recs);
    f->recs = NULL;
    f->nrecs = 0;
}

/* Runs the pipeline on the seed; parses every record (a CHECK per bad one). */
static int run(fixture_t *f, int explain, int include_text, const char *topic) {
    char err[256] = "";
    rk_pipeline_opts_t opts = {explain, include_text};
    rk_doc_t d = {"A/75/729", f->doc, f->len, topic, 7, 4242};
    free_parsed(f);
    CHECK(rk_pipeline_run(f->ctx, f->model, &opts, &d, &f->out, err,
                          sizeof err) == RK_OK,
          "seed 002 classifies: %s", err);
    f->recs = calloc(f->out.count + 1, sizeof *f->recs);
    f->nrecs = f->out.count;
    size_t bad = 0;
    for (size_t i = 0; i < f->out.count; i++) {
        const rk_record_t *r = &f->out.items[i];
        json_error_t jerr;
        f->recs[i] = json_loadb(r->json, r->len, JSON_REJECT_DUPLICATES, &jerr);
        bad += !json_is_object(f->recs[i]) || strlen(r->json) != r->len ||
               memchr(r->json, '\n', r->len);
    }
    CHECK(bad == 0,
          "every record is one line of JSON, len as stored (%zu "
          "were not)",
          bad);
    return rk_test_case_failures() == 0;
}

static int setup_with(fixture_t *f, const char *seed, const char *model) {
    char err[1024];
    memset(f, 0, sizeof *f);
    CHECK(rk_model_load(model, &f->model, err, sizeof err) == RK_OK,
          "the model loads: %s", err);
    f->ctx = rk_pipeline_ctx_new();
    f->doc = rk_test_read_seed(seed, &f->len);
    CHECK(rk_seg_split(f->doc, f->len, &f->paras, err, sizeof err) == RK_OK,
          "%s", err);
    return f->model && f->ctx && rk_test_case_failures() == 0;
}

static int setup(fixture_t *f, const char *seed) {
    return setup_with(f, seed, "models/default.rkz");
}

static void teardown(fixture_t *f) {
    free_parsed(f);
    rk_record_list_free(&f->out);
    rk_seg_list_free(&f->paras);
    rk_pipeline_ctx_destroy(f->ctx);
    rk_model_destroy(f->model);
    free(f->doc);
}

static const char *str(json_t *o, const char *key) {
    return json_string_value(json_object_get(o, key));
}

static json_int_t num(json_t *o, const char *key) {
    return json_integer_value(json_object_get(o, key));
}

static void test_paragraph_records(void) {
    /* If it fails: records are lost, reordered or point at the wrong text. */
    fixture_t f;
    if (!setup(&f, "002") || !run(&f, 0, 1, NULL)) {
        teardown(&f);
        return;
    }
    size_t n = f.paras.count;
    CHECK(n > 300 && f.out.count == n + 1,
          "one record per paragraph (%zu) and one for the document, got %zu", n,
          f.out.count);
    if (f.out.count != n + 1) {
        teardown(&f);
        return;
    }
    size_t wrong_type = 0, wrong_pos = 0, wrong_span = 0, wrong_text = 0;
    size_t prev_end = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *r = f.recs[i];
        const rk_seg_para_t *p = &f.paras.items[i];
        const char *type = str(r, "type"), *id = str(r, "doc_id");
        wrong_type +=
            !type || strcmp(type, "paragraph") || !id || strcmp(id, "A/75/729");
        wrong_pos += num(r, "index") != (json_int_t)i ||
                     num(r, "count") != (json_int_t)n;
        json_int_t start = num(r, "start"), end = num(r, "end");
        wrong_span += start < (json_int_t)prev_end || end <= start ||
                      end > (json_int_t)f.len ||
                      start != (json_int_t)p->start ||
                      end != (json_int_t)p->end;
        prev_end = (size_t)end;
        const char *text = str(r, "text"), *kind = str(r, "kind"),
                   *lang = str(r, "lang");
        wrong_text += !text || strlen(text) != p->text_len ||
                      memcmp(text, p->text, p->text_len) || !kind ||
                      strcmp(kind, rk_seg_kind_name(p->kind)) || !lang ||
                      strcmp(lang, p->lang);
    }
    CHECK(wrong_type == 0,
          "every paragraph record is typed 'paragraph' with "
          "the document's id (%zu were not)",
          wrong_type);
    CHECK(wrong_pos == 0,
          "paragraph i is record i, with index i and count %zu (%zu were "
          "not)",
          n, wrong_pos);
    CHECK(wrong_span == 0,
          "start/end are the segmenter's byte offsets, ascending, disjoint "
          "and inside the document (%zu were not)",
          wrong_span);
    CHECK(wrong_text == 0,
          "text, kind and lang are the segmenter's for that paragraph (%zu "
          "were not)",
          wrong_text);
    const char *first = str(f.recs[0], "text");
    CHECK(first && !strcmp(first, "Distr.: General") &&
              !strncmp(f.doc + num(f.recs[0], "start"), first, strlen(first)),
          "the first record is the document's first line, at its offset: %s",
          first ? first : "NULL");
    teardown(&f);
}

static void test_scores_and_labels(void) {
    /* If it fails: a record's scores or label are not the model's verdict. */
    fixture_t f;
    /* a model that abstains on some paragraphs of seed 002 (the shipped
     * one's threshold is where grouped cross-validation put it: 0) */
    if (!setup_with(&f, "002", "tests/data/models/ovo-default-a996a4d.rkz") ||
        !run(&f, 0, 1, NULL)) {
        teardown(&f);
        return;
    }
    const rk_pred_t *pred = rk_model_pred(f.model);
    int k = rk_pred_nlabels(pred);
    double threshold = rk_pred_threshold(pred);
    CHECK(k >= 2 && threshold > 0 && threshold < 1,
          "the model has labels (%d) and a threshold in (0,1) (%g)", k,
          threshold);
    rk_vec_ctx_t *vctx = rk_vec_ctx_new();
    size_t bad_scores = 0, bad_sum = 0, bad_label = 0, bad_labels = 0;
    size_t not_model = 0, abstained = 0, labelled = 0;
    for (size_t i = 0; i + 1 < f.out.count; i++) {
        json_t *r = f.recs[i], *scores = json_object_get(r, "scores");
        double sum = 0, best_p = -1, probs[64];
        int best = -1;
        size_t listed = 0, over = 0;
        for (int l = 0; l < k; l++) {
            json_t *v = json_object_get(scores, rk_pred_label(pred, l));
            double p = json_is_real(v) ? json_real_value(v) : -1;
            bad_scores += p < 0 || p > 1;
            sum += p;
            if (p > best_p)
                best_p = p, best = l;
            over += p >= threshold;
        }
        bad_scores += json_object_size(scores) != (size_t)k;
        bad_sum += fabs(sum - 1) > 1e-9;

        /* The labels list: exactly the labels at or over the threshold. */
        json_t *labels = json_object_get(r, "labels"), *v;
        size_t j;
        json_array_foreach(labels, j, v) {
            json_t *p = json_object_get(scores, json_string_value(v));
            listed += p && json_real_value(p) >= threshold;
        }
        bad_labels += !json_is_array(labels) ||
                      json_array_size(labels) != over || listed != over;

        /* The label: the best one, or null exactly when it is under. */
        json_t *label = json_object_get(r, "label");
        int idx = f.out.items[i].label;
        if (json_is_null(label)) {
            abstained++;
            bad_label += best_p >= threshold || idx != RK_RECORD_ABSTAINED;
        } else {
            labelled++;
            bad_label +=
                !json_is_string(label) || best < 0 ||
                strcmp(json_string_value(label), rk_pred_label(pred, best)) ||
                best_p < threshold || idx != best;
        }

        /* The scores are what the model gives the paragraph's text. */
        const rk_seg_para_t *p = &f.paras.items[i];
        const struct svm_node *x;
        int nx, top;
        char err[256];
        if (rk_vec_transform(rk_model_vec(f.model), vctx, p->text, p->text_len,
                             p->lang, &x, &nx, err, sizeof err) != RK_OK) {
            not_model++;
            continue;
        }
        rk_pred_score(pred, x, probs, &top);
        for (int l = 0; l < k; l++) {
            json_t *s = json_object_get(scores, rk_pred_label(pred, l));
            not_model += fabs(json_real_value(s) - probs[l]) > 1e-12;
        }
    }
    rk_vec_ctx_destroy(vctx);
    CHECK(bad_scores == 0,
          "every paragraph scores each of the model's %d labels in [0,1] "
          "(%zu did not)",
          k, bad_scores);
    CHECK(bad_sum == 0, "every paragraph's scores sum to 1 (%zu did not)",
          bad_sum);
    CHECK(bad_labels == 0,
          "'labels' lists exactly the labels at or over the threshold (%zu "
          "did not)",
          bad_labels);
    CHECK(bad_label == 0,
          "'label' is the best label when it reaches the threshold %g and "
          "null only under it, as the record's label index says (%zu were "
          "not)",
          threshold, bad_label);
    CHECK(abstained > 0 && labelled > abstained,
          "seed 002 exercises both: %zu labelled, %zu abstained", labelled,
          abstained);
    CHECK(not_model == 0,
          "every score is the model's own for the paragraph's text (%zu "
          "differ)",
          not_model);
    teardown(&f);
}

static void test_document_record(void) {
    /* If it fails: the document summary disagrees with its paragraphs. */
    fixture_t f;
    if (!setup(&f, "002") || !run(&f, 0, 1, NULL)) {
        teardown(&f);
        return;
    }
    const rk_pred_t *pred = rk_model_pred(f.model);
    int k = rk_pred_nlabels(pred);
    size_t n = f.out.count - 1, counted[64] = {0}, nulls = 0;
    for (size_t i = 0; i < n; i++) {
        const char *l = str(f.recs[i], "label");
        for (int c = 0; l && c < k; c++)
            counted[c] += !strcmp(l, rk_pred_label(pred, c));
        nulls += !l;
    }
    json_t *d = f.recs[n];
    CHECK(str(d, "type") && !strcmp(str(d, "type"), "document") &&
              f.out.items[n].label == RK_RECORD_DOCUMENT,
          "the document record comes last, its label index "
          "RK_RECORD_DOCUMENT");
    for (size_t i = 0; i < n; i++)
        CHECK(strcmp(str(f.recs[i], "type"), "document"),
              "no document record before the last (record %zu)", i);
    CHECK(str(d, "doc_id") && !strcmp(str(d, "doc_id"), "A/75/729") &&
              num(d, "count") == (json_int_t)n,
          "the document record names the document and counts %zu "
          "paragraphs, got %lld",
          n, (long long)num(d, "count"));
    json_t *lc = json_object_get(d, "label_counts");
    json_int_t sum = 0;
    size_t off = 0;
    for (int c = 0; c < k; c++) {
        json_t *v = json_object_get(lc, rk_pred_label(pred, c));
        sum += json_integer_value(v);
        off += !json_is_integer(v) ||
               json_integer_value(v) != (json_int_t)counted[c];
    }
    CHECK(json_object_size(lc) == (size_t)k && off == 0,
          "label_counts has every label, each the number of paragraphs it "
          "tops (%zu differ)",
          off);
    CHECK(num(d, "abstained") == (json_int_t)nulls &&
              sum + num(d, "abstained") == num(d, "count"),
          "label_counts plus abstained add up to count: %lld + %lld == "
          "%lld",
          (long long)sum, (long long)num(d, "abstained"),
          (long long)num(d, "count"));
    json_t *labels = json_object_get(d, "labels"), *v;
    size_t j, nonzero = 0, unordered = 0;
    json_int_t prev = -1;
    for (int c = 0; c < k; c++)
        nonzero += counted[c] > 0;
    json_array_foreach(labels, j, v) {
        json_int_t cnt =
            json_integer_value(json_object_get(lc, json_string_value(v)));
        unordered += cnt == 0 || (prev >= 0 && cnt > prev);
        prev = cnt;
    }
    CHECK(json_array_size(labels) == nonzero && unordered == 0,
          "the document's labels are those topping a paragraph, most first "
          "(%zu listed of %zu)",
          json_array_size(labels), nonzero);
    json_t *m = json_object_get(d, "model");
    CHECK(str(m, "id") && !strcmp(str(m, "id"), rk_model_id(f.model)) &&
              str(m, "created") &&
              !strcmp(str(m, "created"), rk_model_created(f.model)),
          "the document record names the model that scored it");
    CHECK(!json_object_get(d, "text") && !json_object_get(d, "source"),
          "the document record carries no text and, outside streaming, no "
          "source");
    teardown(&f);
}

static void test_text_option(void) {
    /* If it fails: include_text off still ships (or on drops) the text. */
    fixture_t f;
    if (!setup(&f, "002") || !run(&f, 0, 0, NULL)) {
        teardown(&f);
        return;
    }
    size_t with_text = 0;
    for (size_t i = 0; i < f.out.count; i++)
        with_text += json_object_get(f.recs[i], "text") != NULL;
    CHECK(f.out.count == f.paras.count + 1 && with_text == 0,
          "with include_text off no record has \"text\" (%zu do)", with_text);
    if (run(&f, 0, 1, NULL)) {
        with_text = 0;
        for (size_t i = 0; i + 1 < f.out.count; i++)
            with_text += json_is_string(json_object_get(f.recs[i], "text"));
        CHECK(with_text == f.paras.count,
              "with include_text on every paragraph record has it (%zu of "
              "%zu)",
              with_text, f.paras.count);
    }
    teardown(&f);
}

static void test_explain_option(void) {
    /* If it fails: explanations appear unasked, or exceed K terms. */
    fixture_t f;
    if (!setup(&f, "002") || !run(&f, 0, 1, NULL)) {
        teardown(&f);
        return;
    }
    size_t with = 0;
    for (size_t i = 0; i < f.out.count; i++)
        with += json_object_get(f.recs[i], "explanation") != NULL;
    CHECK(with == 0, "explain 0 writes no explanation (%zu records do)", with);
    rk_pipeline_ctx_destroy(f.ctx); /* the first K stays with a context */
    f.ctx = rk_pipeline_ctx_new();
    if (run(&f, 3, 1, NULL)) {
        size_t bad = 0, some = 0;
        for (size_t i = 0; i + 1 < f.out.count; i++) {
            json_t *e = json_object_get(f.recs[i], "explanation"), *t;
            size_t j;
            double prev = INFINITY;
            bad += !json_is_array(e) || json_array_size(e) > 3;
            some += json_array_size(e) > 0;
            json_array_foreach(e, j, t) {
                double w = json_real_value(json_object_get(t, "weight"));
                const char *term = str(t, "term");
                bad += !term || !*term || w <= 0 || w > prev;
                prev = w;
            }
        }
        CHECK(bad == 0,
              "with explain 3 each paragraph lists at most 3 terms, named, "
              "positive, strongest first (%zu bad)",
              bad);
        CHECK(some > f.paras.count / 2,
              "most paragraphs have terms (%zu of %zu)", some, f.paras.count);
        CHECK(!json_object_get(f.recs[f.out.count - 1], "explanation"),
              "the document record has no explanation");
    }
    teardown(&f);
}

static void test_source(void) {
    /* If it fails: streamed records do not say where their input came from. */
    fixture_t f;
    if (!setup(&f, "000") || !run(&f, 0, 0, "docs")) {
        teardown(&f);
        return;
    }
    size_t bad = 0;
    for (size_t i = 0; i < f.out.count; i++) {
        json_t *s = json_object_get(f.recs[i], "source");
        bad += !str(s, "topic") || strcmp(str(s, "topic"), "docs") ||
               num(s, "partition") != 7 || num(s, "offset") != 4242;
    }
    CHECK(f.out.count == f.paras.count + 1 && bad == 0,
          "every record, the document's too, carries its source topic, "
          "partition and offset (%zu did not)",
          bad);
    teardown(&f);
}

static void test_repeatable(void) {
    /* If it fails: a context remembers one document into the next. */
    fixture_t f;
    if (!setup(&f, "000") || !run(&f, 2, 1, NULL)) {
        teardown(&f);
        return;
    }
    rk_record_list_t first = {0};
    char err[256];
    rk_pipeline_opts_t opts = {2, 1};
    size_t len002;
    char *doc002 = rk_test_read_seed("002", &len002);
    rk_doc_t other = {"other", doc002, len002, NULL, 0, 0};
    rk_doc_t again = {"A/75/729", f.doc, f.len, NULL, 7, 4242};
    CHECK(rk_pipeline_run(f.ctx, f.model, &opts, &other, &first, err,
                          sizeof err) == RK_OK &&
              rk_pipeline_run(f.ctx, f.model, &opts, &again, &first, err,
                              sizeof err) == RK_OK,
          "the context runs other documents: %s", err);
    size_t same = 0;
    for (size_t i = 0; i < first.count && i < f.out.count; i++)
        same += first.items[i].len == f.out.items[i].len &&
                !memcmp(first.items[i].json, f.out.items[i].json,
                        first.items[i].len);
    CHECK(first.count == f.out.count && same == f.out.count,
          "the same document after another gives the same records, byte "
          "for byte (%zu of %zu)",
          same, f.out.count);
    rk_record_list_free(&first);
    rk_record_list_free(NULL);
    free(doc002);
    teardown(&f);
}

static void test_invalid_utf8(void) {
    /* If it fails: invalid UTF-8 is classified, or refused without offset. */
    fixture_t f;
    if (!setup(&f, "000") || !run(&f, 0, 1, NULL)) {
        teardown(&f);
        return;
    }
    CHECK(f.out.count > 1, "a good document first fills the list");
    const char bad[] = "A valid first paragraph.\n\nSecond \xC3\x28 one.\n";
    rk_doc_t d = {"bad", bad, sizeof bad - 1, NULL, 0, 0};
    rk_pipeline_opts_t opts = {0, 1};
    char err[256] = "";
    CHECK(rk_pipeline_run(f.ctx, f.model, &opts, &d, &f.out, err, sizeof err) ==
                  RK_ERR_DATA &&
              strstr(err, "offset 33"),
          "invalid UTF-8 is refused naming its byte offset (33): %s", err);
    CHECK(f.out.count == 0, "a refused document leaves no records (%zu)",
          f.out.count);
    teardown(&f);
}

static void test_empty_document(void) {
    /* If it fails: a document without paragraphs gets no (or a bad) summary. */
    fixture_t f;
    if (!setup(&f, "000")) {
        teardown(&f);
        return;
    }
    free(f.doc);
    f.doc = strdup(" \n\n  \n");
    f.len = strlen(f.doc);
    if (run(&f, 0, 1, NULL)) {
        CHECK(f.out.count == 1 && str(f.recs[0], "type") &&
                  !strcmp(str(f.recs[0], "type"), "document") &&
                  num(f.recs[0], "count") == 0 &&
                  num(f.recs[0], "abstained") == 0 &&
                  json_array_size(json_object_get(f.recs[0], "labels")) == 0,
              "white space alone is one document record counting 0 "
              "paragraphs (%zu records)",
              f.out.count);
    }
    teardown(&f);
}

/* ---- the records' bytes against jansson's --------------------------- */

/* v dumped by jansson as the pipeline dumped records before writing them
 * itself; NULL when jansson has no value for it. The caller frees. */
static char *jansson_dump(json_t *v) {
    char *s =
        v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY)
          : NULL;
    json_decref(v);
    return s;
}

static void test_jsonw_as_jansson(void) {
    /* If it fails: the records' bytes change (an escape, a number's digits
     * or exponent), and consumers comparing or hashing them see it. */
    /* Pieces: ASCII that needs escaping or not, whole UTF-8 characters,
     * and (rarely) a stray byte that makes the string invalid. */
    static const char *const pool[] = {"a",
                                       " ",
                                       "\"",
                                       "\\",
                                       "/",
                                       "\b",
                                       "\f",
                                       "\n",
                                       "\r",
                                       "\t",
                                       "\x01",
                                       "\x1f",
                                       "\x7f",
                                       "\xd8\xa7",
                                       "\xc3\xa9",
                                       "\xe2\x80\x8f",
                                       "\xf0\x9f\x98\x80",
                                       "\xef\xbb\xbf",
                                       "z",
                                       "0"};
    static const char *const stray[] = {"\xff", "\xc3", "\xed\xa0\x80", "\x80"};
    size_t bad = 0, tried = 0, refused = 0;
    unsigned seed = 5;
    rk_jsonw_t w = {0};
    for (int r = 0; r < 50000; r++, tried++) {
        char buf[128];
        size_t n = 0, pieces = (seed = seed * 1103515245u + 12345u) >> 16 & 15;
        for (size_t k = 0; k < pieces; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *piece =
                (seed >> 8) % 50 == 0
                    ? stray[(seed >> 16) % (sizeof stray / sizeof *stray)]
                    : pool[(seed >> 16) % (sizeof pool / sizeof *pool)];
            memcpy(buf + n, piece, strlen(piece));
            n += strlen(piece);
        }
        if ((seed >> 4) % 7 == 0)
            buf[n++] = '\0'; /* a NUL inside: \u0000 */
        rk_jsonw_reset(&w);
        rk_jsonw_str(&w, buf, n);
        char *want = jansson_dump(json_stringn(buf, n));
        refused += !want;
        bad +=
            want ? w.failed || w.len != strlen(want) || memcmp(w.p, want, w.len)
                 : !w.failed;
        free(want);
    }
    CHECK(bad == 0 && refused > 0 && refused < tried,
          "strings: %zu of %zu written unlike jansson (%zu invalid UTF-8, "
          "refused by both)",
          bad, tried, refused);
    double reals[] = {0.0,     -0.0,    1.0,      0.5,    1e-7,   1.5e-7,
                      1e20,    1e21,    1e-300,   5e-324, 1e308,  0.1,
                      1.0 / 3, 2.0 / 3, 123456.0, 1e16,   1e17,   -2.5e-5,
                      0.96,    0.01,    1e-5,     1e-4,   99999.5};
    size_t bad_real = 0, n_real = 0;
    for (size_t i = 0; i < sizeof reals / sizeof *reals + 100000; i++) {
        double v;
        if (i < sizeof reals / sizeof *reals) {
            v = reals[i];
        } else { /* any finite bit pattern */
            uint64_t bits = 0;
            for (int k = 0; k < 4; k++)
                bits = bits << 16 ^
                       ((seed = seed * 1103515245u + 12345u) >> 8 & 0xFFFF);
            memcpy(&v, &bits, sizeof v);
            if (!isfinite(v))
                continue;
        }
        rk_jsonw_reset(&w);
        rk_jsonw_real(&w, v);
        char *want = jansson_dump(json_real(v));
        bad_real += !want || w.len != strlen(want) || memcmp(w.p, want, w.len);
        free(want);
        n_real++;
    }
    CHECK(bad_real == 0, "reals: %zu of %zu written unlike jansson", bad_real,
          n_real);
    rk_jsonw_reset(&w);
    CHECK(!rk_jsonw_real(&w, NAN) && !rk_jsonw_real(&w, INFINITY) &&
              w.len == 0 && !json_real(NAN),
          "a value that is not finite is no JSON value, as in jansson");
    long long ints[] = {0, -1, 42, 4242, INT64_MAX, INT64_MIN};
    size_t bad_int = 0;
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        rk_jsonw_reset(&w);
        rk_jsonw_int(&w, ints[i]);
        char *want = jansson_dump(json_integer(ints[i]));
        bad_int += !want || w.len != strlen(want) || memcmp(w.p, want, w.len);
        free(want);
    }
    CHECK(bad_int == 0, "integers: %zu written unlike jansson", bad_int);
    rk_jsonw_free(&w);
}

/* A paragraph's record built as a jansson tree, as the pipeline built it
 * before writing records itself. */
static json_t *model_ref(const rk_model_t *m) {
    return json_pack("{s:s,s:s}", "id", rk_model_id(m), "created",
                     rk_model_created(m));
}

static json_t *source_ref(const rk_doc_t *d) {
    return json_pack("{s:s,s:i,s:I}", "topic", d->source_topic, "partition",
                     (int)d->source_partition, "offset",
                     (json_int_t)d->source_offset);
}

static json_t *jansson_paragraph(const rk_model_t *m, const rk_doc_t *d,
                                 const rk_seg_list_t *paras, size_t i,
                                 const rk_pipeline_opts_t *opts,
                                 rk_vec_ctx_t *vctx, rk_explain_t *ex,
                                 int *top_out) {
    const rk_pred_t *pred = rk_model_pred(m);
    const rk_seg_para_t *p = &paras->items[i];
    const struct svm_node *x;
    int nx, top, k = rk_pred_nlabels(pred);
    double probs[64], threshold = rk_pred_threshold(pred);
    char err[256];
    if (rk_vec_transform(rk_model_vec(m), vctx, p->text, p->text_len, p->lang,
                         &x, &nx, err, sizeof err))
        return NULL;
    int best = rk_pred_score(pred, x, probs, &top);
    *top_out = top;
    json_t *scores = json_object(), *labels = json_array();
    for (int l = 0; l < k; l++) {
        json_object_set_new(scores, rk_pred_label(pred, l),
                            json_real(probs[l]));
        if (probs[l] >= threshold)
            json_array_append_new(labels, json_string(rk_pred_label(pred, l)));
    }
    json_t *rec = json_pack(
        "{s:s,s:s,s:I,s:I,s:s,s:I,s:I,s:s,s:o,s:o,s:o}", "type", "paragraph",
        "doc_id", d->id, "index", (json_int_t)i, "count",
        (json_int_t)paras->count, "kind", rk_seg_kind_name(p->kind), "start",
        (json_int_t)p->start, "end", (json_int_t)p->end, "lang", p->lang,
        "label", top >= 0 ? json_string(rk_pred_label(pred, top)) : json_null(),
        "labels", labels, "scores", scores);
    if (opts->explain)
        json_object_set_new(rec, "explanation",
                            rk_explain_terms(ex, m, vctx, x, best));
    if (opts->include_text)
        json_object_set_new(rec, "text", json_stringn(p->text, p->text_len));
    json_object_set_new(rec, "model", model_ref(m));
    if (d->source_topic)
        json_object_set_new(rec, "source", source_ref(d));
    return rec;
}

static json_t *jansson_document(const rk_model_t *m, const rk_doc_t *d,
                                size_t n, const size_t *counts,
                                size_t abstained) {
    const rk_pred_t *pred = rk_model_pred(m);
    int k = rk_pred_nlabels(pred), order[64];
    json_t *label_counts = json_object(), *labels = json_array();
    for (int l = 0; l < k; l++)
        order[l] = l;
    for (int a = 1; a < k; a++)
        for (int b = a; b > 0 && counts[order[b]] > counts[order[b - 1]]; b--) {
            int t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    for (int l = 0; l < k; l++) {
        json_object_set_new(label_counts, rk_pred_label(pred, l),
                            json_integer((json_int_t)counts[l]));
        if (counts[order[l]])
            json_array_append_new(labels,
                                  json_string(rk_pred_label(pred, order[l])));
    }
    json_t *doc = json_pack("{s:s,s:s,s:I,s:o,s:o,s:I,s:o}", "type", "document",
                            "doc_id", d->id, "count", (json_int_t)n, "labels",
                            labels, "label_counts", label_counts, "abstained",
                            (json_int_t)abstained, "model", model_ref(m));
    if (d->source_topic)
        json_object_set_new(doc, "source", source_ref(d));
    return doc;
}

/* Every record of seed 002 under opts and source, against jansson's. */
static size_t records_unlike_jansson(fixture_t *f, int explain,
                                     int include_text, const char *topic) {
    rk_pipeline_opts_t opts = {explain, include_text};
    rk_doc_t d = {"docs/A\\75 \"729\"\t", f->doc, f->len, topic, 7, 4242};
    char err[256];
    if (rk_pipeline_run(f->ctx, f->model, &opts, &d, &f->out, err,
                        sizeof err) != RK_OK)
        return SIZE_MAX;
    rk_vec_ctx_t *vctx = rk_vec_ctx_new();
    rk_explain_t *ex = explain ? rk_explain_new(explain) : NULL;
    size_t counts[64] = {0}, abstained = 0, differ = 0, n = f->paras.count;
    for (size_t i = 0; i <= n && i < f->out.count; i++) {
        int top = -1;
        char *want = jansson_dump(
            i < n ? jansson_paragraph(f->model, &d, &f->paras, i, &opts, vctx,
                                      ex, &top)
                  : jansson_document(f->model, &d, n, counts, abstained));
        if (i < n && top >= 0)
            counts[top]++;
        else if (i < n)
            abstained++;
        const rk_record_t *r = &f->out.items[i];
        differ +=
            !want || r->len != strlen(want) || memcmp(r->json, want, r->len);
        free(want);
    }
    rk_explain_destroy(ex);
    rk_vec_ctx_destroy(vctx);
    return differ + (f->out.count != n + 1);
}

static void test_records_as_jansson(void) {
    /* If it fails: the records are no longer the bytes jansson wrote for
     * them (the output of classify and run would change). */
    fixture_t f;
    if (!setup(&f, "002")) {
        teardown(&f);
        return;
    }
    CHECK(records_unlike_jansson(&f, 0, 1, NULL) == 0,
          "records with text, no source: byte for byte jansson's");
    CHECK(records_unlike_jansson(&f, 5, 0, "in\"put") == 0,
          "records with explanations and a source, no text: byte for byte "
          "jansson's");
    teardown(&f);
}

static void test_bad_id(void) {
    /* If it fails: a document id that is not UTF-8 is written into the
     * records (invalid JSON), or crashes the writer. */
    fixture_t f;
    if (!setup(&f, "002")) {
        teardown(&f);
        return;
    }
    rk_pipeline_opts_t opts = {0, 1};
    rk_doc_t d = {"bad\xff", "text", 4, NULL, 0, 0};
    char err[256] = "";
    CHECK(rk_pipeline_run(f.ctx, f.model, &opts, &d, &f.out, err, sizeof err) !=
                  RK_OK &&
              f.out.count == 0,
          "an id that is not UTF-8 is refused and nothing written: %s", err);
    teardown(&f);
}

TEST_LIST = {{"paragraph_records", test_paragraph_records},
             {"scores_and_labels", test_scores_and_labels},
             {"document_record", test_document_record},
             {"text_option", test_text_option},
             {"explain_option", test_explain_option},
             {"source", test_source},
             {"repeatable", test_repeatable},
             {"invalid_utf8", test_invalid_utf8},
             {"empty_document", test_empty_document},
             {"jsonw_as_jansson", test_jsonw_as_jansson},
             {"records_as_jansson", test_records_as_jansson},
             {"bad_id", test_bad_id},
             {NULL, NULL}};
