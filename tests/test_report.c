/*
 * test_report.c - the HTML report (classify/report.h) built from real
 * records: seed 000 (Arabic) with a hostile paragraph appended under a
 * hostile document id, and seed 004 (Arabic and English) with
 * explanations, both classified by the pipeline with the shipped model.
 * If these fail, an analyst's page runs a script or breaks on a quote in
 * the input, shows Arabic left to right, or disagrees with the records.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "classify/pipeline.h"
#include "classify/report.h"
#include "models/model.h"
#include "testutil.h"

#define HOSTILE_ID "<script>alert(\"id\")</script> & 'A/RES/1'"
#define HOSTILE_ID_HTML                                                        \
    "&lt;script&gt;alert(&quot;id&quot;)&lt;/script&gt; &amp; "                \
    "&#39;A/RES/1&#39;"
#define HOSTILE_TEXT                                                           \
    "<script>alert('x')</script> \"Tom\" & Jerry <b>bold</b> "                 \
    "terrorism &amp; financing"
#define HOSTILE_TEXT_HTML                                                      \
    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;Tom&quot; "         \
    "&amp; Jerry &lt;b&gt;bold&lt;/b&gt; terrorism &amp;amp; financing"
#define PLAIN_ID "S/RES/2322 (2016)"
#define PLAIN_PAGE "2-S_RES_2322__2016_.html"

/* Both documents' records, as classify would write them. */
typedef struct fixture_s {
    rk_model_t *model;
    rk_record_list_t a, b; /* hostile (seed 000 + a paragraph), plain (004) */
    char out[4200];        /* the report's directory, nested */
} fixture_t;

static int classify(rk_model_t *m, const char *id, const char *text, size_t len,
                    int explain, rk_record_list_t *out) {
    char err[256] = "";
    rk_pipeline_ctx_t *ctx = rk_pipeline_ctx_new();
    rk_pipeline_opts_t opts = {explain, 1};
    rk_doc_t d = {id, text, len, NULL, 0, 0};
    rk_err_t e = rk_pipeline_run(ctx, m, &opts, &d, out, err, sizeof err);
    CHECK(e == RK_OK, "%s classifies: %s", id, err);
    rk_pipeline_ctx_destroy(ctx);
    return e == RK_OK;
}

static int setup(fixture_t *f) {
    char err[1024];
    memset(f, 0, sizeof *f);
    snprintf(f->out, sizeof f->out, "%s/reports/today", rk_test_tmpdir());
    CHECK(rk_model_load("models/default.rkz", &f->model, err, sizeof err) ==
              RK_OK,
          "the shipped model loads: %s", err);
    if (!f->model)
        return 0;
    size_t len;
    char *seed = rk_test_read_seed("000", &len);
    const char tail[] = "\n\n" HOSTILE_TEXT "\n";
    char *doc = malloc(len + sizeof tail);
    memcpy(doc, seed, len);
    memcpy(doc + len, tail, sizeof tail);
    int ok =
        classify(f->model, HOSTILE_ID, doc, len + sizeof tail - 1, 0, &f->a);
    free(doc);
    free(seed);
    seed = rk_test_read_seed("004", &len);
    ok = ok && classify(f->model, PLAIN_ID, seed, len, 3, &f->b);
    free(seed);
    return ok;
}

static void teardown(fixture_t *f) {
    rk_record_list_free(&f->a);
    rk_record_list_free(&f->b);
    rk_model_destroy(f->model);
}

static int add(rk_report_t *r, const rk_record_t *rec) {
    char err[256] = "";
    rk_err_t e = rk_report_add_line(r, rec->json, rec->len, err, sizeof err);
    CHECK(e == RK_OK, "a pipeline record is accepted: %s", err);
    return e == RK_OK;
}

/* Feeds a's records then b's, and writes the report to dir. */
static int write_report(fixture_t *f, const char *dir) {
    rk_report_t *r = rk_report_new();
    int ok = r != NULL;
    for (size_t i = 0; ok && i < f->a.count; i++)
        ok = add(r, &f->a.items[i]);
    for (size_t i = 0; ok && i < f->b.count; i++)
        ok = add(r, &f->b.items[i]);
    CHECK(ok && rk_report_count(r) == 2, "two documents are seen (%zu)",
          r ? rk_report_count(r) : 0);
    if (ok) {
        char err[512] = "";
        ok = rk_report_write(r, dir, err, sizeof err) == RK_OK;
        CHECK(ok, "the report is written to %s: %s", dir, err);
    }
    rk_report_destroy(r);
    return ok;
}

/* The file dir/name (NULL when missing); the caller frees. */
static char *page(const char *dir, const char *name) {
    char path[4400];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (stat(path, &st) != 0)
        return NULL;
    return rk_test_read_file(path, NULL);
}

/* The name of the page whose file name starts with prefix ("1-"). */
static int page_name(const char *dir, const char *prefix, char *name,
                     size_t size) {
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    while (d && (e = readdir(d)))
        if (!strncmp(e->d_name, prefix, strlen(prefix))) {
            snprintf(name, size, "%s", e->d_name);
            found++;
        }
    if (d)
        closedir(d);
    return found == 1;
}

static size_t count(const char *hay, const char *needle) {
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static const char *rec_str(const rk_record_t *r, const char *key, char *buf,
                           size_t size) {
    json_t *o = json_loadb(r->json, r->len, 0, NULL);
    const char *v = json_string_value(json_object_get(o, key));
    snprintf(buf, size, "%s", v ? v : "");
    json_decref(o);
    return v ? buf : NULL;
}

static void test_one_page_per_document(void) {
    /* If it fails: a document has no page, or pages collide or go astray. */
    fixture_t f;
    if (!setup(&f) || !write_report(&f, f.out)) {
        teardown(&f);
        return;
    }
    size_t html = 0, other = 0;
    DIR *d = opendir(f.out);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        size_t n = strlen(e->d_name);
        if (n > 5 && !strcmp(e->d_name + n - 5, ".html"))
            html++;
        else
            other++;
    }
    if (d)
        closedir(d);
    CHECK(d && html == 3 && other == 0,
          "the nested directory is created and holds index.html and one "
          "page per document (%zu pages, %zu other files)",
          html, other);
    char name[256] = "";
    CHECK(page_name(f.out, "1-", name, sizeof name) &&
              strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
                           "VWXYZ0123456789._-") == strlen(name),
          "the hostile id's page is numbered 1 and its name file-safe: %s",
          name);
    char *b = page(f.out, PLAIN_PAGE);
    CHECK(b != NULL, "the second document's page is %s", PLAIN_PAGE);
    char *a = page(f.out, name), *index = page(f.out, "index.html");
    CHECK(index && strstr(index, "<p class=\"meta\">2 documents</p>"),
          "the index counts two documents");
    char href[300];
    snprintf(href, sizeof href, "<a href=\"%s\"", name);
    CHECK(index && strstr(index, href) &&
              strstr(index, "<a href=\"" PLAIN_PAGE "\""),
          "the index links both pages");
    CHECK(a && count(a, "<section class=\"para ") == f.a.count - 1,
          "page 1 shows each of its %zu paragraphs once (%zu)", f.a.count - 1,
          a ? count(a, "<section class=\"para ") : 0);
    CHECK(b && count(b, "<section class=\"para ") == f.b.count - 1,
          "page 2 shows each of its %zu paragraphs once (%zu)", f.b.count - 1,
          b ? count(b, "<section class=\"para ") : 0);
    CHECK(b && strstr(b, "<h1>Document <span class=\"doc-id\" "
                         "dir=\"auto\">" PLAIN_ID "</span></h1>"),
          "page 2 is headed by its document id");
    free(a);
    free(b);
    free(index);
    teardown(&f);
}

static void test_hostile_text_escaped(void) {
    /* If it fails: text from the input runs as markup in an analyst's page. */
    fixture_t f;
    if (!setup(&f) || !write_report(&f, f.out)) {
        teardown(&f);
        return;
    }
    char name[256] = "", buf[512];
    page_name(f.out, "1-", name, sizeof name);
    char *a = page(f.out, name), *index = page(f.out, "index.html");
    const rk_record_t *last_para = &f.a.items[f.a.count - 2];
    CHECK(rec_str(last_para, "text", buf, sizeof buf) &&
              !strcmp(buf, HOSTILE_TEXT),
          "the hostile paragraph reached the records whole: %s", buf);
    CHECK(a && index, "both pages were written");
    if (!a || !index) {
        free(a);
        free(index);
        teardown(&f);
        return;
    }
    CHECK(!strstr(a, "<script") && !strstr(index, "<script") &&
              !strstr(a, "<b>"),
          "no tag from the input survives on the page or the index");
    CHECK(strstr(a, "<title>rakiza report: " HOSTILE_ID_HTML "</title>") &&
              strstr(a, "dir=\"auto\">" HOSTILE_ID_HTML "</span></h1>"),
          "the hostile id is escaped in the title and the heading");
    CHECK(strstr(index, "dir=\"auto\">" HOSTILE_ID_HTML "</a>"),
          "the hostile id is escaped in the index");
    CHECK(strstr(a, ">" HOSTILE_TEXT_HTML "</p>"),
          "the hostile paragraph is escaped character by character: <, >, "
          "\", ' and & (an entity in the input stays literal text)");
    CHECK(!strstr(a, "\"Tom\"") && !strstr(a, "'x'") && !strstr(a, "& "),
          "no raw quote or ampersand from the input is left");
    free(a);
    free(index);
    teardown(&f);
}

/* Checks every paragraph of records is shown with the direction its
 * language needs: lang="ar" dir="rtl", lang="en" dir="ltr", und auto. */
static void check_directions(const rk_record_list_t *l, const char *html,
                             const char *which) {
    size_t want_ar = 0, want_en = 0, want_und = 0;
    char buf[16];
    for (size_t i = 0; i + 1 < l->count; i++) {
        const char *lang = rec_str(&l->items[i], "lang", buf, sizeof buf);
        want_ar += lang && !strcmp(lang, "ar");
        want_en += lang && !strcmp(lang, "en");
        want_und += lang && !strcmp(lang, "und");
    }
    size_t ar = count(html, "<p class=\"text\" lang=\"ar\" dir=\"rtl\">");
    size_t en = count(html, "<p class=\"text\" lang=\"en\" dir=\"ltr\">");
    size_t und = count(html, "<p class=\"text\" lang=\"und\" dir=\"auto\">");
    CHECK(want_ar > 0 && ar == want_ar && en == want_en && und == want_und,
          "%s: Arabic paragraphs right to left (%zu of %zu), English left to "
          "right (%zu of %zu), undetermined auto (%zu of %zu)",
          which, ar, want_ar, en, want_en, und, want_und);
}

static void test_arabic_right_to_left(void) {
    /* If it fails: Arabic paragraphs are laid out left to right. */
    fixture_t f;
    if (!setup(&f) || !write_report(&f, f.out)) {
        teardown(&f);
        return;
    }
    char name[256] = "";
    page_name(f.out, "1-", name, sizeof name);
    char *a = page(f.out, name), *b = page(f.out, PLAIN_PAGE);
    if (a && b) {
        check_directions(&f.a, a, "seed 000");
        check_directions(&f.b, b, "seed 004");
        CHECK(count(b, "lang=\"en\" dir=\"ltr\"") > 0,
              "seed 004 has English paragraphs, shown left to right");
    }
    CHECK(a && b, "both pages were written");
    free(a);
    free(b);
    teardown(&f);
}

static void test_labels_and_chart(void) {
    /* If it fails: the page's colours or chart disagree with the records. */
    fixture_t f;
    if (!setup(&f) || !write_report(&f, f.out)) {
        teardown(&f);
        return;
    }
    char *b = page(f.out, PLAIN_PAGE);
    CHECK(b != NULL, "page 2 was written");
    json_t *d = json_loadb(f.b.items[f.b.count - 1].json,
                           f.b.items[f.b.count - 1].len, 0, NULL);
    json_t *lc = json_object_get(d, "label_counts"), *v;
    const char *label;
    size_t wrong = 0;
    json_object_foreach(lc, label, v) {
        char bar[160], section[160];
        snprintf(bar, sizeof bar,
                 "<g class=\"bar\" data-label=\"%s\" "
                 "data-count=\"%lld\">",
                 label, (long long)json_integer_value(v));
        snprintf(section, sizeof section, "<section class=\"para label-%s\" ",
                 label);
        wrong += !b || !strstr(b, bar) ||
                 count(b, section) != (size_t)json_integer_value(v);
    }
    char bar[160];
    json_int_t abstained = json_integer_value(json_object_get(d, "abstained"));
    snprintf(bar, sizeof bar,
             "<g class=\"bar\" data-label=\"abstained\" data-count=\"%lld\">",
             (long long)abstained);
    CHECK(json_object_size(lc) >= 2 && wrong == 0,
          "each label's bar counts and colours as many paragraphs as the "
          "document record says (%zu labels differ)",
          wrong);
    CHECK(b && strstr(b, bar) &&
              count(b, "<section class=\"para abstained\" ") ==
                  (size_t)abstained,
          "abstained paragraphs are counted and drawn as such (%lld)",
          (long long)abstained);
    CHECK(b && strstr(b, "<p class=\"summary meta\">Document labels: "),
          "the document record's labels are shown");
    json_decref(d);
    free(b);
    teardown(&f);
}

static void test_explanations_shown(void) {
    /* If it fails: the terms behind a label are not shown or highlighted. */
    fixture_t f;
    if (!setup(&f) || !write_report(&f, f.out)) {
        teardown(&f);
        return;
    }
    char *b = page(f.out, PLAIN_PAGE), name[256] = "";
    page_name(f.out, "1-", name, sizeof name);
    char *a = page(f.out, name);
    size_t explained = 0;
    for (size_t i = 0; i + 1 < f.b.count; i++) {
        json_t *o = json_loadb(f.b.items[i].json, f.b.items[i].len, 0, NULL);
        explained += json_array_size(json_object_get(o, "explanation")) > 0;
        json_decref(o);
    }
    CHECK(b && explained > 0 &&
              count(b, "<div class=\"terms\">terms: ") == explained,
          "each explained paragraph lists its terms (%zu of %zu)",
          b ? count(b, "<div class=\"terms\">terms: ") : 0, explained);
    CHECK(b && count(b, "<mark class=\"term\">") >= explained / 2,
          "words carrying the terms are highlighted in the text (%zu marks)",
          b ? count(b, "<mark class=\"term\">") : 0);
    CHECK(a && !strstr(a, "<div class=\"terms\">") &&
              !strstr(a, "<mark class=\"term\">"),
          "a document classified without explanations shows none");
    free(a);
    free(b);
    teardown(&f);
}

static void test_order_and_redelivery(void) {
    /* If it fails: an interleaved or redelivered topic gives another page. */
    fixture_t f;
    if (!setup(&f) || !write_report(&f, f.out)) {
        teardown(&f);
        return;
    }
    /* Again: documents interleaved, each paragraph twice, in reverse. */
    char again[4300];
    snprintf(again, sizeof again, "%s/again", rk_test_tmpdir());
    rk_report_t *r = rk_report_new();
    add(r, &f.a.items[f.a.count - 2]); /* a is still seen first */
    size_t na = f.a.count, nb = f.b.count;
    for (size_t i = 0; i < (na > nb ? na : nb); i++) {
        if (i < na)
            add(r, &f.a.items[na - 1 - i]);
        if (i < nb)
            add(r, &f.b.items[nb - 1 - i]);
        if (i < na)
            add(r, &f.a.items[i]);
        if (i < nb)
            add(r, &f.b.items[i]);
    }
    char err[512] = "";
    CHECK(rk_report_count(r) == 2 &&
              rk_report_write(r, again, err, sizeof err) == RK_OK,
          "the shuffled, redelivered records make a report: %s", err);
    rk_report_destroy(r);
    static const char *const pages[] = {"index.html", PLAIN_PAGE};
    char name[256] = "";
    page_name(f.out, "1-", name, sizeof name);
    const char *names[] = {pages[0], pages[1], name};
    for (size_t i = 0; i < 3; i++) {
        char *x = page(f.out, names[i]), *y = page(again, names[i]);
        CHECK(x && y && !strcmp(x, y),
              "%s is the same whatever the order and however often a "
              "record came",
              names[i]);
        free(x);
        free(y);
    }
    teardown(&f);
}

static void test_summary_alone(void) {
    /* If it fails: a document whose paragraphs were not in the input (a
     * summary record alone) breaks the report instead of getting a page.
     * (Its empty paragraph list reached qsort as NULL: the fuzzer's find.) */
    fixture_t f;
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    char dir[4300], err[512] = "";
    snprintf(dir, sizeof dir, "%s/alone", rk_test_tmpdir());
    rk_report_t *r = rk_report_new();
    int ok = add(r, &f.b.items[f.b.count - 1]);
    CHECK(ok && rk_report_count(r) == 1 &&
              rk_report_write(r, dir, err, sizeof err) == RK_OK,
          "a summary record alone makes a report: %s", err);
    rk_report_destroy(r);
    char *b = page(dir, "1-S_RES_2322__2016_.html");
    CHECK(b && strstr(b, "<p class=\"summary meta\">Document labels: ") &&
              count(b, "<section class=\"para ") == 0,
          "its page shows the summary's labels and no paragraph");
    free(b);
    teardown(&f);
}

static void test_bad_lines(void) {
    /* If it fails: a bad record is taken, or refused without its field. */
    static const struct {
        const char *line, *names;
    } bad[] = {
        {"not json", "not JSON"},
        {"[1, 2]", "JSON object"},
        {"{\"type\":\"summary\",\"doc_id\":\"d\"}", "'type'"},
        {"{\"type\":\"paragraph\",\"index\":0,\"label\":null,\"scores\":{}}",
         "'doc_id'"},
        {"{\"type\":\"paragraph\",\"doc_id\":\"d\",\"index\":-1,"
         "\"label\":null,\"scores\":{}}",
         "'index'"},
        {"{\"type\":\"paragraph\",\"doc_id\":\"d\",\"index\":0,"
         "\"label\":3,\"scores\":{}}",
         "'label'"},
        {"{\"type\":\"paragraph\",\"doc_id\":\"d\",\"index\":0,"
         "\"label\":null,\"scores\":{\"a\":\"high\"}}",
         "'scores.a'"},
        {"{\"type\":\"paragraph\",\"doc_id\":\"d\",\"index\":0,"
         "\"label\":null,\"scores\":{},\"explanation\":[{\"term\":7}]}",
         "'explanation[0]'"},
        {"{\"type\":\"document\",\"doc_id\":\"d\",\"count\":-2}", "'count'"},
        {"{\"type\":\"document\",\"doc_id\":\"d\",\"label_counts\":"
         "{\"a\":1.5}}",
         "'label_counts.a'"},
    };
    rk_report_t *r = rk_report_new();
    char err[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        CHECK(rk_report_add_line(r, bad[i].line, strlen(bad[i].line), err,
                                 sizeof err) == RK_ERR_DATA &&
                  strstr(err, bad[i].names),
              "'%s' is refused naming %s: %s", bad[i].line, bad[i].names, err);
    }
    CHECK(rk_report_count(r) == 0, "no refused line adds a document (%zu)",
          rk_report_count(r));
    CHECK(rk_report_add_line(r, " \t\r\n", 4, err, sizeof err) == RK_OK &&
              rk_report_count(r) == 0,
          "a blank line is accepted and ignored");
    char file[4200];
    snprintf(file, sizeof file, "%s/plain-file", rk_test_tmpdir());
    rk_test_write_file(NULL, "plain-file", "x", 1);
    strcat(file, "/sub");
    CHECK(rk_report_write(r, file, err, sizeof err) == RK_ERR_IO &&
              strstr(err, "plain-file"),
          "a directory that cannot be made is an I/O error naming it: %s", err);
    rk_report_destroy(r);
    rk_report_destroy(NULL); /* NULL-safe, as every _destroy */
}

/* Checks the order rk_report_sorted_scores gives one record's scores:
 * every label once, highest first, equal scores by label, the top one the
 * record's label when it has one. Returns the number of problems. */
static size_t check_score_order(const json_t *rec) {
    const json_t *scores = json_object_get(rec, "scores");
    const char *label = json_string_value(json_object_get(rec, "label"));
    size_t k, bad = 0;
    rk_report_score_t *s = rk_report_sorted_scores(scores, &k);
    if (!s || k != json_object_size(scores) || k < 2) {
        free(s);
        return 1;
    }
    for (size_t i = 0; i < k; i++) {
        const json_t *v = json_object_get(scores, s[i].label);
        bad += !v || json_number_value(v) != s[i].p;
        if (i > 0)
            bad += s[i - 1].p < s[i].p ||
                   (s[i - 1].p == s[i].p &&
                    strcmp(s[i - 1].label, s[i].label) >= 0);
    }
    bad += label && strcmp(label, s[0].label) != 0;
    free(s);
    return bad;
}

static void test_scores_highest_first(void) {
    /* If it fails: a page lists a paragraph's scores out of order, or
     * names another label than the record's as the best. */
    fixture_t f;
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    size_t paragraphs = 0, bad = 0;
    for (size_t i = 0; i < f.b.count; i++) {
        json_t *o = json_loadb(f.b.items[i].json, f.b.items[i].len, 0, NULL);
        if (o && json_object_get(o, "scores")) {
            paragraphs++;
            bad += check_score_order(o);
        }
        json_decref(o);
    }
    CHECK(paragraphs > 50 && bad == 0,
          "seed 004's %zu paragraphs list their scores highest first, the "
          "record's label on top (%zu problems)",
          paragraphs, bad);
    /* Ties go by label: the first paragraph with every score made equal. */
    json_t *o = json_loadb(f.b.items[0].json, f.b.items[0].len, 0, NULL);
    json_t *scores = json_object_get(o, "scores"), *v;
    const char *key;
    json_object_foreach(scores, key, v) {
        json_real_set(v, 0.25);
    }
    json_object_del(o, "label");
    CHECK(o && check_score_order(o) == 0, "equal scores are listed by label");
    json_decref(o);
    size_t k = 9;
    rk_report_score_t *none = rk_report_sorted_scores(NULL, &k);
    CHECK(none && k == 0, "no scores object gives an empty list");
    free(none);
    teardown(&f);
}

TEST_LIST = {{"one_page_per_document", test_one_page_per_document},
             {"scores_highest_first", test_scores_highest_first},
             {"hostile_text_escaped", test_hostile_text_escaped},
             {"arabic_right_to_left", test_arabic_right_to_left},
             {"labels_and_chart", test_labels_and_chart},
             {"explanations_shown", test_explanations_shown},
             {"order_and_redelivery", test_order_and_redelivery},
             {"summary_alone", test_summary_alone},
             {"bad_lines", test_bad_lines},
             {NULL, NULL}};
