/*
 * test_review.c - the C parts of `rakiza review`: the store (review/store.h:
 * queue order, latest record per paragraph, labelled paragraphs hidden and
 * brought back by a tombstone, the --max-paragraphs bound, bad input), the
 * page's data and samples (review/view.h: terms marked, neighbours, the
 * sample's schema, JSON that holds no markup characters) and the access
 * checks (review/auth.h). Records are hand-made in the contract's schema,
 * plus real ones from the pipeline on a sample document. If these fail,
 * analysts see the wrong paragraphs first, label what is already labelled,
 * lose context, publish samples the learner cannot read, or the page can be
 * made to run a document's markup.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/pipeline.h"
#include "models/model.h"
#include "review/auth.h"
#include "review/store.h"
#include "review/view.h"
#include "testutil.h"

/* A paragraph record: label NULL for abstained, text NULL for none; the
 * scores give top to label (or to "capacity" when abstained) and split the
 * rest between the other two labels. */
static char *record(const char *doc, int index, const char *label, double top,
                    const char *lang, const char *text) {
    const char *best = label ? label : "capacity";
    json_t *scores = json_object();
    const char *all[] = {"capacity", "prevention", "human_rights"};
    for (size_t i = 0; i < 3; i++)
        json_object_set_new(
            scores, all[i],
            json_real(!strcmp(all[i], best) ? top : (1 - top) / 2));
    json_t *o =
        json_pack("{s:s, s:s, s:i, s:i, s:s, s:s, s:o, s:o, s:{s:s, s:s}}",
                  "type", "paragraph", "doc_id", doc, "index", index, "count",
                  10, "kind", "paragraph", "lang", lang, "label",
                  label ? json_string(label) : json_null(), "scores", scores,
                  "model", "id", "m-1", "created", "2026-01-01T00:00:00Z");
    if (text)
        json_object_set_new(o, "text", json_string(text));
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

/* A JSON string's value, "" when it is not one. */
static const char *sv(const json_t *j) {
    const char *v = json_string_value(j);
    return v ? v : "";
}

static int add(rk_review_store_t *s, const char *doc, int index,
               const char *label, double top, const char *text) {
    char *r = record(doc, index, label, top, "en", text);
    char err[256] = "";
    int kept = 0;
    rk_err_t e =
        rk_review_store_add_record(s, r, strlen(r), &kept, err, sizeof err);
    CHECK(e == RK_OK && kept, "record %s:%d is kept: %s", doc, index, err);
    free(r);
    return e == RK_OK;
}

static int add_sample(rk_review_store_t *s, const char *key,
                      const char *value) {
    char err[256] = "";
    rk_err_t e = rk_review_store_add_sample(
        s, key, strlen(key), value, value ? strlen(value) : 0, err, sizeof err);
    CHECK(e == RK_OK, "sample %s is accepted: %s", key, err);
    return e == RK_OK;
}

/* The queue's keys, joined by spaces, into buf. */
static const char *queue(const rk_review_store_t *s,
                         const rk_review_filter_t *f, char *buf, size_t size) {
    const rk_review_para_t *out[64];
    size_t n = 0, total = 0;
    rk_review_filter_t any = {0};
    CHECK(rk_review_store_select(s, f ? f : &any, 0, out, 64, &n, &total) ==
              RK_OK,
          "the queue is selected");
    CHECK(n == total || n == 64,
          "all %zu passing paragraphs are returned (%zu)", total, n);
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? " " : "",
                 out[i]->key);
    return buf;
}

static void test_least_certain_first(void) {
    /* If it fails: analysts are shown confident paragraphs before the ones
     * a label teaches most. */
    rk_review_store_t *s = rk_review_store_new(100);
    add(s, "B", 0, "capacity", 0.90, "t");
    add(s, "B", 1, NULL, 0.40, "t");
    add(s, "A", 2, "prevention", 0.50, "t");
    add(s, "A", 0, NULL, 0.35, "t");
    add(s, "A", 1, "human_rights", 0.45, "t");
    add(s, "C", 0, NULL, 0.40, "t");
    char buf[512];
    CHECK(!strcmp(queue(s, NULL, buf, sizeof buf), "A:0 B:1 C:0 A:1 A:2 B:0"),
          "abstained first (lowest top score first, ties by document), then "
          "by top score: %s",
          buf);
    rk_review_filter_t f = {0};
    f.abstained = 1;
    CHECK(!strcmp(queue(s, &f, buf, sizeof buf), "A:0 B:1 C:0"),
          "the abstained filter keeps only the abstained: %s", buf);
    f = (rk_review_filter_t){"A", NULL, 0, NULL};
    CHECK(!strcmp(queue(s, &f, buf, sizeof buf), "A:0 A:1 A:2"),
          "the document filter keeps one document, in queue order: %s", buf);
    f = (rk_review_filter_t){NULL, "capacity", 0, NULL};
    CHECK(!strcmp(queue(s, &f, buf, sizeof buf), "B:0"),
          "the label filter keeps the predicted label: %s", buf);
    f = (rk_review_filter_t){NULL, NULL, 0, "ar"};
    CHECK(!strcmp(queue(s, &f, buf, sizeof buf), ""),
          "the language filter keeps none of these English ones: %s", buf);
    const rk_review_para_t *out[2];
    size_t n, total;
    rk_review_store_select(s, &(rk_review_filter_t){0}, 4, out, 2, &n, &total);
    CHECK(n == 2 && total == 6 && !strcmp(out[0]->key, "A:2") &&
              !strcmp(out[1]->key, "B:0"),
          "offset and max page through the queue (%zu of %zu)", n, total);
    rk_review_store_destroy(s);
}

static void test_latest_per_paragraph(void) {
    /* If it fails: a redelivered or reclassified paragraph shows twice, or
     * with its stale verdict. */
    rk_review_store_t *s = rk_review_store_new(100);
    add(s, "A", 0, NULL, 0.30, "old text");
    add(s, "A", 1, "capacity", 0.60, "t");
    add(s, "A", 0, "prevention", 0.80, "new text");
    CHECK(rk_review_store_count(s) == 2, "one paragraph per (doc, index): %zu",
          rk_review_store_count(s));
    const rk_review_para_t *p = rk_review_store_get(s, "A", 0);
    CHECK(p && p->label && !strcmp(p->label, "prevention") && p->top == 0.80 &&
              strstr(p->json, "new text"),
          "the later record wins");
    char buf[256];
    CHECK(!strcmp(queue(s, NULL, buf, sizeof buf), "A:1 A:0"),
          "the queue orders by the latest verdict: %s", buf);
    /* ids with a colon stay distinct from their indexes */
    add(s, "A:1", 0, NULL, 0.5, "t");
    CHECK(rk_review_store_count(s) == 3 && rk_review_store_get(s, "A:1", 0) &&
              rk_review_store_get(s, "A", 1),
          "doc 'A:1' index 0 and doc 'A' index 1 are different paragraphs");
    rk_review_store_destroy(s);
}

static void test_labelled_hidden_tombstone_back(void) {
    /* If it fails: an analyst labels a paragraph twice, or a withdrawn label
     * leaves its paragraph out of the queue for good. */
    rk_review_store_t *s = rk_review_store_new(100);
    add(s, "A", 0, NULL, 0.30, "t");
    add(s, "A", 1, NULL, 0.35, "t");
    add(s, "A", 2, "capacity", 0.60, "t");
    add_sample(s, "A:0",
               "{\"text\":\"t\",\"label\":\"capacity\","
               "\"annotator\":\"amina\"}");
    add_sample(s, "other-sample", "{\"text\":\"x\",\"label\":\"none\"}");
    char buf[256];
    CHECK(!strcmp(queue(s, NULL, buf, sizeof buf), "A:1 A:2"),
          "a labelled paragraph leaves the queue: %s", buf);
    const char *label = NULL, *who = NULL;
    CHECK(rk_review_store_labelled(s, "A:0", &label, &who) &&
              !strcmp(label, "capacity") && !strcmp(who, "amina"),
          "the sample's label and annotator are known");
    json_t *sum = rk_review_store_summary(s);
    json_t *l = json_object_get(sum, "labelled");
    CHECK(json_integer_value(json_object_get(l, "total")) == 2 &&
              json_integer_value(json_object_get(
                  json_object_get(l, "by_annotator"), "amina")) == 1 &&
              json_integer_value(json_object_get(
                  json_object_get(l, "by_annotator"), "")) == 1 &&
              json_integer_value(json_object_get(json_object_get(l, "by_label"),
                                                 "capacity")) == 1,
          "counts by annotator (unnamed under \"\") and by label");
    CHECK(json_integer_value(json_object_get(sum, "waiting")) == 2,
          "two paragraphs wait");
    json_decref(sum);
    /* a relabel replaces, a tombstone withdraws */
    add_sample(s, "A:0",
               "{\"text\":\"t\",\"label\":\"none\","
               "\"annotator\":\"omar\"}");
    sum = rk_review_store_summary(s);
    l = json_object_get(sum, "labelled");
    CHECK(json_integer_value(json_object_get(l, "total")) == 2 &&
              !json_object_get(json_object_get(l, "by_annotator"), "amina") &&
              !json_object_get(json_object_get(l, "by_label"), "capacity"),
          "a later sample for the key replaces the earlier in the counts");
    json_decref(sum);
    add_sample(s, "A:0", NULL);
    CHECK(!rk_review_store_labelled(s, "A:0", NULL, NULL) &&
              !strcmp(queue(s, NULL, buf, sizeof buf), "A:0 A:1 A:2"),
          "a tombstone brings the paragraph back: %s", buf);
    add_sample(s, "never-seen", NULL);
    CHECK(rk_review_store_samples(s) == 1,
          "a tombstone for an unknown key changes nothing");
    char err[256];
    CHECK(rk_review_store_add_sample(s, "A:1", 3, "{\"label\": 7}", 12, err,
                                     sizeof err) == RK_ERR_DATA &&
              rk_review_store_add_sample(s, "A:1", 3, "not json", 8, err,
                                         sizeof err) == RK_ERR_DATA &&
              rk_review_store_add_sample(s, "", 0, "{}", 2, err, sizeof err) ==
                  RK_ERR_DATA,
          "a malformed sample or an empty key is refused");
    CHECK(!rk_review_store_labelled(s, "A:1", NULL, NULL), "and hides nothing");
    rk_review_store_destroy(s);
}

static void test_max_paragraphs_bound(void) {
    /* If it fails: memory grows with the topic, or the newest paragraphs
     * are the ones dropped. */
    rk_review_store_t *s = rk_review_store_new(3);
    for (int i = 0; i < 5; i++)
        add(s, "D", i, NULL, 0.3, "t");
    CHECK(rk_review_store_count(s) == 3, "at most 3 kept: %zu",
          rk_review_store_count(s));
    CHECK(!rk_review_store_get(s, "D", 0) && !rk_review_store_get(s, "D", 1) &&
              rk_review_store_get(s, "D", 4),
          "the oldest are dropped, the newest kept");
    add(s, "D", 2, NULL, 0.3, "again"); /* 2 becomes the newest */
    add(s, "D", 5, NULL, 0.3, "t");
    CHECK(rk_review_store_get(s, "D", 2) && !rk_review_store_get(s, "D", 3),
          "a replaced record counts as new: 3 is dropped before 2");
    json_t *sum = rk_review_store_summary(s);
    CHECK(json_integer_value(json_object_get(sum, "dropped")) == 3,
          "drops are counted: %lld",
          (long long)json_integer_value(json_object_get(sum, "dropped")));
    json_decref(sum);
    rk_review_store_destroy(s);
    /* many keys: the hash grows and every key is still found */
    s = rk_review_store_new(5000);
    for (int i = 0; i < 6000; i++)
        if (!add(s, "big", i, NULL, (i % 97) / 100.0, "t"))
            break;
    int found = 0;
    for (int i = 1000; i < 6000; i++)
        found += rk_review_store_get(s, "big", i) != NULL;
    CHECK(rk_review_store_count(s) == 5000 && found == 5000 &&
              !rk_review_store_get(s, "big", 999),
          "5000 of 6000 kept, all findable (%d)", found);
    rk_review_store_destroy(s);
}

static void test_bad_records(void) {
    /* If it fails: a malformed record on the output topic crashes the
     * service or shows as a broken paragraph. */
    rk_review_store_t *s = rk_review_store_new(10);
    static const char *const bad[] = {
        "not json",
        "[1]",
        "{\"doc_id\":\"a\"}",
        "{\"type\":\"paragraph\",\"index\":0,\"label\":null,"
        "\"scores\":{\"a\":1}}",
        "{\"type\":\"paragraph\",\"doc_id\":\"a\",\"index\":-1,"
        "\"label\":null,\"scores\":{\"a\":1}}",
        "{\"type\":\"paragraph\",\"doc_id\":\"a\",\"index\":0,"
        "\"label\":3,\"scores\":{\"a\":1}}",
        "{\"type\":\"paragraph\",\"doc_id\":\"a\",\"index\":0,"
        "\"label\":null,\"scores\":{}}",
        "{\"type\":\"paragraph\",\"doc_id\":\"a\",\"index\":0,"
        "\"label\":null,\"scores\":{\"a\":\"x\"}}",
        "{\"type\":\"paragraph\",\"doc_id\":\"a\",\"index\":0,"
        "\"label\":null,\"scores\":{\"a\":1},\"text\":5}",
        "{\"type\":\"paragraph\",\"doc_id\":\"a\",\"index\":0,"
        "\"label\":null,\"scores\":{\"a\":1},\"explanation\":[{\"term\":1}]}",
        "{\"type\":\"paragraph\",\"doc_id\":\"a\",\"index\":0,"
        "\"label\":null,\"scores\":{\"a\":1},\"doc_id\":\"b\"}",
        "{\"type\":\"paragraph\",\"doc_id\":\"a\\u0000b\",\"index\":0,"
        "\"label\":null,\"scores\":{\"a\":1}}",
    };
    char err[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        rk_err_t e = rk_review_store_add_record(s, bad[i], strlen(bad[i]), NULL,
                                                err, sizeof err);
        CHECK(e == RK_ERR_DATA && err[0], "bad record %zu is refused: %s", i,
              err);
    }
    const char doc[] = "{\"type\":\"document\",\"doc_id\":\"a\",\"count\":1}";
    int kept = 1;
    CHECK(rk_review_store_add_record(s, doc, sizeof doc - 1, &kept, err,
                                     sizeof err) == RK_OK &&
              !kept,
          "a document record is accepted and ignored");
    char *big = malloc(RK_REVIEW_MAX_RECORD_BYTES + 2);
    memset(big, ' ', RK_REVIEW_MAX_RECORD_BYTES + 1);
    big[RK_REVIEW_MAX_RECORD_BYTES + 1] = '\0';
    CHECK(rk_review_store_add_record(s, big, strlen(big), NULL, err,
                                     sizeof err) == RK_ERR_LIMIT,
          "a record over the size limit is refused");
    free(big);
    CHECK(rk_review_store_count(s) == 0, "nothing was kept");
    rk_review_store_destroy(s);
}

static void test_label_set_order(void) {
    /* If it fails: the number keys mean different labels from one load to
     * the next, or a model's own labels are missing from the buttons. */
    rk_review_store_t *s = rk_review_store_new(10);
    const char r1[] = "{\"type\":\"paragraph\",\"doc_id\":\"a\",\"index\":0,"
                      "\"label\":null,\"scores\":{\"zeta\":0.2,\"none\":0.2,"
                      "\"alpha\":0.2,\"human_rights\":0.2,\"conditions\":0."
                      "2}}";
    char err[256];
    rk_review_store_add_record(s, r1, sizeof r1 - 1, NULL, err, sizeof err);
    json_t *l = rk_review_store_labels(s);
    char *got = json_dumps(l, JSON_COMPACT);
    CHECK(!strcmp(got, "[\"conditions\",\"human_rights\",\"none\","
                       "\"alpha\",\"zeta\"]"),
          "pillars in pillar order, then the others sorted: %s", got);
    free(got);
    json_decref(l);
    rk_review_store_destroy(s);
}

static void test_items_and_escaping(void) {
    /* If it fails: the page gets markup characters it could mistake for
     * markup, loses the text, or shows no context. */
    rk_review_store_t *s = rk_review_store_new(10);
    const char *hostile = "</script><script>alert(1)</script> <img src=x "
                          "onerror=alert(2)> \"q\" 'a' & \xE2\x80\xA8 end";
    add(s, "<b>doc</b>", 1, NULL, 0.3, hostile);
    add(s, "<b>doc</b>", 0, "capacity", 0.9, "before");
    add(s, "<b>doc</b>", 2, "capacity", 0.9, NULL);
    rk_review_filter_t any = {0};
    json_t *v = rk_review_view_items(s, &any, 0, 10, NULL);
    size_t len = 0;
    char *out = rk_review_json_dumps(v, &len);
    CHECK(out && len == strlen(out), "the items dump");
    CHECK(out && !strpbrk(out, "<>&") && !strstr(out, "\xE2\x80\xA8"),
          "no '<', '>', '&' or U+2028 is left raw in the JSON");
    CHECK(out && strstr(out, "\\u003c/script\\u003e") &&
              strstr(out, "\\u0026") && strstr(out, "\\u2028"),
          "they are written as \\u escapes");
    json_t *back = out ? json_loads(out, 0, NULL) : NULL;
    json_t *items = json_object_get(back, "items");
    json_t *first = json_array_get(items, 0);
    json_t *piece = json_array_get(json_object_get(first, "text"), 0);
    CHECK(!strcmp(sv(json_array_get(piece, 0)), hostile),
          "the text reads back exactly (one unmarked piece)");
    CHECK(!strcmp(sv(json_object_get(first, "doc_id")), "<b>doc</b>"),
          "so does the document id");
    CHECK(!strcmp(sv(json_object_get(json_object_get(first, "prev"), "text")),
                  "before") &&
              json_is_null(
                  json_object_get(json_object_get(first, "next"), "text")),
          "the neighbours are there (the next without text)");
    json_t *third = json_array_get(items, 2);
    CHECK(json_is_null(json_object_get(third, "text")) &&
              strstr(sv(json_object_get(third, "why")), "no text"),
          "a record without text says why it cannot be labelled");
    CHECK(json_integer_value(json_object_get(back, "total")) == 3 &&
              !strcmp(sv(json_object_get(first, "dir")), "ltr"),
          "three items, an English one left to right");
    json_decref(back);
    free(out);
    json_decref(v);
    rk_review_store_destroy(s);
}

static void test_sample_schema(void) {
    /* If it fails: the learner gets samples it cannot read or trace. */
    rk_review_store_t *s = rk_review_store_new(10);
    add(s, "S/RES/1", 4, NULL, 0.3, "the text");
    add(s, "S/RES/1", 5, "capacity", 0.8, NULL);
    const rk_review_para_t *p = rk_review_store_get(s, "S/RES/1", 4);
    char *value = NULL, err[256];
    CHECK(rk_review_view_sample(p, "prevention", "amina", 1767225600, &value,
                                err, sizeof err) == RK_OK,
          "a sample is made: %s", err);
    CHECK(value && !strcmp(value, "{\"text\":\"the text\",\"label\":"
                                  "\"prevention\",\"doc_id\":\"S/RES/1\","
                                  "\"index\":4,\"lang\":\"en\",\"annotator\":"
                                  "\"amina\",\"time\":\"2026-01-01T00:00:00Z\","
                                  "\"model\":{\"id\":\"m-1\"},\"predicted\":"
                                  "null}"),
          "the contract's fields, in its order: %s", value);
    free(value);
    CHECK(rk_review_view_sample(p, "bogus", "", 0, &value, err, sizeof err) ==
                  RK_ERR_USAGE &&
              !value,
          "a label outside the model's is refused");
    p = rk_review_store_get(s, "S/RES/1", 5);
    CHECK(rk_review_view_sample(p, "capacity", "", 0, &value, err,
                                sizeof err) == RK_ERR_DATA,
          "a record without text cannot be labelled");
    rk_review_store_destroy(s);
}

static void test_real_records_marked(void) {
    /* If it fails: the pipeline's records do not fit the page, or the
     * explanation terms are not highlighted. */
    char err[512] = "";
    rk_model_t *m = NULL;
    CHECK(rk_model_load("models/default.rkz", &m, err, sizeof err) == RK_OK,
          "the shipped model loads: %s", err);
    if (!m)
        return;
    size_t len;
    char *seed = rk_test_read_seed("004", &len);
    rk_pipeline_ctx_t *ctx = rk_pipeline_ctx_new();
    rk_pipeline_opts_t opts = {3, 1};
    rk_doc_t d = {"S/RES/2322 (2016)", seed, len, NULL, 0, 0};
    rk_record_list_t recs = {0};
    CHECK(rk_pipeline_run(ctx, m, &opts, &d, &recs, err, sizeof err) == RK_OK,
          "the seed classifies: %s", err);
    rk_review_store_t *s = rk_review_store_new(1000);
    size_t kept = 0;
    for (size_t i = 0; i < recs.count; i++) {
        int k = 0;
        CHECK(rk_review_store_add_record(s, recs.items[i].json,
                                         recs.items[i].len, &k, err,
                                         sizeof err) == RK_OK,
              "record %zu is accepted: %s", i, err);
        kept += (size_t)k;
    }
    CHECK(kept == recs.count - 1, "every paragraph record is kept (%zu)", kept);
    rk_norm_t *norm = NULL;
    rk_norm_new(&norm, err, sizeof err);
    rk_review_filter_t any = {0};
    json_t *v = rk_review_view_items(s, &any, 0, 20, norm);
    size_t marked = 0, rtl = 0, i;
    json_t *it;
    json_array_foreach(json_object_get(v, "items"), i, it) {
        size_t j;
        json_t *piece;
        json_array_foreach(json_object_get(it, "text"), j, piece) {
            marked += json_integer_value(json_array_get(piece, 1)) == 1;
        }
        rtl += !strcmp(sv(json_object_get(it, "dir")), "rtl");
    }
    CHECK(json_array_size(json_object_get(v, "items")) == 20 && marked > 0 &&
              rtl > 0,
          "20 items, with marked terms (%zu) and Arabic set right to left "
          "(%zu)",
          marked, rtl);
    json_decref(v);
    rk_norm_destroy(norm);
    rk_review_store_destroy(s);
    rk_record_list_free(&recs);
    rk_pipeline_ctx_destroy(ctx);
    free(seed);
    rk_model_destroy(m);
}

static void test_access_checks(void) {
    /* If it fails: a token or CSRF check can be passed with a wrong value,
     * or the server binds the network without a token. */
    CHECK(rk_review_equal("abc", 3, "abc", 3) &&
              !rk_review_equal("abc", 3, "abd", 3) &&
              !rk_review_equal("abc", 3, "abcd", 4) &&
              !rk_review_equal("", 0, "a", 1) && rk_review_equal("", 0, "", 0),
          "equality: same contents and length only");
    CHECK(rk_review_token_valid("abcdefghijklmnop", 16) &&
              !rk_review_token_valid("short", 5) &&
              !rk_review_token_valid("abcdefghijklmno;", 16) &&
              !rk_review_token_valid("abcdefgh ijklmnop", 17) &&
              !rk_review_token_valid("abcdefgh\0ijklmnop", 17),
          "tokens: 16+ characters of the safe set");
    CHECK(rk_review_is_loopback("127.0.0.1") &&
              rk_review_is_loopback("127.1.2.3") &&
              rk_review_is_loopback("::1") &&
              !rk_review_is_loopback("0.0.0.0") &&
              !rk_review_is_loopback("::") &&
              !rk_review_is_loopback("10.0.0.1") &&
              !rk_review_is_loopback("localhost"),
          "loopback: 127/8 and ::1 only, as literals");
    char a[RK_REVIEW_SECRET_HEX + 1], b[RK_REVIEW_SECRET_HEX + 1], err[256];
    CHECK(rk_review_random_hex(a, RK_REVIEW_SECRET_BYTES, err, sizeof err) ==
                  RK_OK &&
              rk_review_random_hex(b, RK_REVIEW_SECRET_BYTES, err,
                                   sizeof err) == RK_OK &&
              strlen(a) == RK_REVIEW_SECRET_HEX && strcmp(a, b),
          "random secrets are 32 hex digits and differ");
    const char *path =
        rk_test_write_file(NULL, "token", "s3cret-token-0123\n", 18);
    char *token = NULL;
    CHECK(rk_review_token_load(path, &token, err, sizeof err) == RK_OK &&
              !strcmp(token, "s3cret-token-0123"),
          "a token file's trailing newline is dropped: %s", err);
    free(token);
    path = rk_test_write_file(NULL, "short", "abc\n", 4);
    CHECK(rk_review_token_load(path, &token, err, sizeof err) == RK_ERR_USAGE &&
              strstr(err, "short"),
          "a short token is refused, naming the file: %s", err);

    rk_review_sessions_t *s = rk_review_sessions_new();
    char id[RK_REVIEW_SECRET_HEX + 1], csrf[RK_REVIEW_SECRET_HEX + 1];
    char got[RK_REVIEW_SECRET_HEX + 1], first[RK_REVIEW_SECRET_HEX + 1];
    rk_review_session_open(s, first, csrf, err, sizeof err);
    CHECK(rk_review_session_find(s, first, got) && !strcmp(got, csrf),
          "a session is found with its CSRF token");
    CHECK(!rk_review_session_find(s, "0123", got) &&
              !rk_review_session_find(s, "", got),
          "an unknown id is not");
    for (int i = 0; i < RK_REVIEW_MAX_SESSIONS; i++)
        rk_review_session_open(s, id, csrf, err, sizeof err);
    CHECK(!rk_review_session_find(s, first, got) &&
              rk_review_session_find(s, id, got),
          "the table is bounded: the oldest session is replaced");
    rk_review_sessions_destroy(s);
}

TEST_LIST = {
    {"least_certain_first", test_least_certain_first},
    {"latest_per_paragraph", test_latest_per_paragraph},
    {"labelled_hidden_tombstone_back", test_labelled_hidden_tombstone_back},
    {"max_paragraphs_bound", test_max_paragraphs_bound},
    {"bad_records", test_bad_records},
    {"label_set_order", test_label_set_order},
    {"items_and_escaping", test_items_and_escaping},
    {"sample_schema", test_sample_schema},
    {"real_records_marked", test_real_records_marked},
    {"access_checks", test_access_checks},
    {NULL, NULL}};
