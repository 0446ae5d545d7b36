/*
 * test_models.c - labelled-sample reading (with cross-validation groups),
 * evaluation arithmetic (coverage, risk-coverage and the threshold rule
 * included), Platt's sigmoid, the bundle container and the model
 * metadata's format. The numbers in the evaluation tests were worked out
 * by hand; if they fail, every reported F1 is wrong.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/bundle.h"
#include "models/calibrate.h"
#include "models/evaluate.h"
#include "models/labelled.h"
#include "models/model.h"
#include "models/svm_text.h"
#include "testutil.h"

static const char *write_tmp(const char *name, const char *content,
                             size_t len) {
    return rk_test_write_file(NULL, name, content, len);
}

static double num(json_t *o, const char *a, const char *b, const char *c) {
    json_t *v = json_object_get(o, a);
    if (b)
        v = json_object_get(v, b);
    if (c)
        v = json_object_get(v, c);
    return json_is_integer(v) ? (double)json_integer_value(v)
                              : json_real_value(v);
}

static void test_hand_labels(void) {
    /* If it fails: the committed training data no longer loads as it is. */
    char err[512];
    rk_sample_set_t set = {0};
    CHECK(rk_labelled_load("models/data/hand.jsonl", &set, err, sizeof err) ==
                  RK_OK &&
              set.count > 500,
          "the committed hand labels load: %s", err);
    size_t ar = 0;
    for (size_t i = 0; i < set.count; i++)
        ar += !strcmp(set.items[i].lang, "ar");
    CHECK(ar * 3 >= set.count * 2,
          "at least two thirds are Arabic (%zu of %zu)", ar, set.count);
    rk_labelled_free(&set);
}

static void test_labelled_formats(void) {
    /* If it fails: a format is misread or a bad file half-loads silently. */
    char err[512];
    rk_sample_set_t set = {0};
    const char tsv[] = "prevention\tيدين الإرهاب بجميع أشكاله\n\n"
                       "capacity\tTechnical assistance to Member States\n";
    const char *p = write_tmp("a.txt", tsv, sizeof tsv - 1);
    CHECK(rk_labelled_load(p, &set, err, sizeof err) == RK_OK &&
              set.count == 2 && !strcmp(set.items[0].label, "prevention") &&
              !strcmp(set.items[0].lang, "ar") &&
              !strcmp(set.items[1].lang, "en"),
          "TSV is recognised by content, languages by script: %s", err);
    const char bad_json[] = "{\"text\": \"x\", \"label\": \"a\"}\n"
                            "{\"text\": 5, \"label\": \"a\"}\n";
    p = write_tmp("b.tsv", bad_json, sizeof bad_json - 1);
    CHECK(rk_labelled_load(p, &set, err, sizeof err) == RK_ERR_DATA &&
              strstr(err, "b.tsv:2") && strstr(err, "'text'") && set.count == 2,
          "a wrong-typed field names file:line and field, and nothing of "
          "the bad file is kept: %s",
          err);
    const char bad_tsv[] = "no tab here\n";
    p = write_tmp("c", bad_tsv, sizeof bad_tsv - 1);
    CHECK(rk_labelled_load(p, &set, err, sizeof err) == RK_ERR_DATA &&
              strstr(err, ":1"),
          "a TSV line without a tab is refused: %s", err);
    rk_labelled_free(&set);
}

static void test_evaluate(void) {
    /* If it fails: every reported accuracy and F1 is wrong. */
    rk_eval_t *ev = rk_eval_new();
    rk_eval_add(ev, "a", "a", "en");
    rk_eval_add(ev, "a", "b", "en");
    rk_eval_add(ev, "b", "b", "ar");
    rk_eval_add(ev, "b", NULL, "ar");
    rk_eval_add(ev, "none", NULL, "ar");
    rk_eval_add(ev, "none", "a", "en");
    json_t *r = rk_eval_json(ev);
    CHECK(fabs(num(r, "accuracy", 0, 0) - 0.5) < 1e-12,
          "accuracy 3/6: abstaining on none is right, on b wrong");
    CHECK(fabs(num(r, "macro_f1", 0, 0) - 0.5) < 1e-12,
          "macro-F1 over a and b only (none excluded): 0.5");
    CHECK(fabs(num(r, "per_class", "a", "precision") - 0.5) < 1e-12 &&
              fabs(num(r, "per_class", "b", "recall") - 0.5) < 1e-12 &&
              num(r, "per_class", "none", "support") == 2,
          "per-class precision, recall and support");
    CHECK(fabs(num(r, "per_lang", "ar", "macro_f1") - 2.0 / 3.0) < 1e-12 &&
              num(r, "per_lang", "ar", "n") == 3 &&
              fabs(num(r, "per_lang", "en", "macro_f1") - 0.5) < 1e-12,
          "per-language macro-F1 counts only labels present in that "
          "language");
    CHECK(num(r, "confusion", "b", "null") == 1 &&
              num(r, "confusion", "none", "a") == 1 && num(r, "n", 0, 0) == 6,
          "confusion counts abstentions under null");
    json_decref(r);
    rk_eval_destroy(ev);
}

/* A two-section bundle written to the case's directory; its path. */
static const char *write_bundle(unsigned char *blob, size_t blob_size) {
    static char path[4200];
    char err[512];
    snprintf(path, sizeof path, "%s/m.rkz", rk_test_tmpdir());
    const char meta[] = "{\"x\": 1}";
    for (size_t i = 0; i < blob_size; i++)
        blob[i] = (unsigned char)(i * 7);
    rk_bundle_section_t sec[] = {{"meta", (const unsigned char *)meta, 8},
                                 {"blob", blob, blob_size}};
    CHECK(rk_bundle_write(path, sec, 2, err, sizeof err) == RK_OK, "%s", err);
    return path;
}

static void test_bundle_roundtrip(void) {
    /* If it fails: a saved model does not read back byte for byte. */
    char err[512];
    unsigned char blob[3000];
    const char *path = write_bundle(blob, sizeof blob);
    rk_bundle_t b;
    CHECK(rk_bundle_read(path, &b, err, sizeof err) == RK_OK && b.count == 2,
          "a bundle reads back: %s", err);
    const rk_bundle_section_t *s = rk_bundle_get(&b, "blob");
    CHECK(s && s->len == sizeof blob && !memcmp(s->data, blob, sizeof blob),
          "sections come back byte for byte");
    rk_bundle_free(&b);
}

static void test_bundle_damage(void) {
    /* If it fails: a damaged model file loads instead of being refused. */
    char err[512];
    unsigned char blob[3000];
    rk_bundle_t b;
    size_t len;
    char *file = rk_test_read_file(write_bundle(blob, sizeof blob), &len);
    size_t refused = 0, tried = 0;
    for (size_t cut = 0; cut < len; cut++, tried++) {
        const char *p = write_tmp("cut.rkz", file, cut);
        if (rk_bundle_read(p, &b, err, sizeof err) == RK_ERR_DATA)
            refused++;
    }
    CHECK(refused == tried, "every truncation is refused (%zu of %zu)", refused,
          tried);
    const char *p = write_tmp("cut.rkz", file, len - 5);
    rk_bundle_read(p, &b, err, sizeof err);
    CHECK(strstr(err, "truncated") && strstr(err, "cut.rkz"),
          "truncation is named, with the file: %s", err);
    file[len - 3] ^= 0x40;
    p = write_tmp("flip.rkz", file, len);
    CHECK(rk_bundle_read(p, &b, err, sizeof err) == RK_ERR_DATA &&
              (strstr(err, "checksum") || strstr(err, "corrupted")),
          "a flipped byte in the payload is caught: %s", err);
    file[len - 3] ^= 0x40;
    file[0] = 'X';
    p = write_tmp("magic.rkz", file, len);
    CHECK(rk_bundle_read(p, &b, err, sizeof err) == RK_ERR_DATA &&
              strstr(err, "magic"),
          "a wrong magic says so: %s", err);
    free(file);
    CHECK(rk_bundle_read("/nonexistent/m.rkz", &b, err, sizeof err) ==
              RK_ERR_IO,
          "a missing file is an I/O error");
}

static void test_labelled_groups(void) {
    /* If it fails: cross-validation groups are not what the data says, so
     * paragraphs of one document can sit on both sides of a split. */
    char err[512] = "";
    rk_sample_set_t set = {0};
    const char jsonl[] =
        "{\"text\": \"a\", \"label\": \"x\", \"group\": \"web:p1\", "
        "\"source\": \"http://p1\"}\n"
        "{\"text\": \"b\", \"label\": \"x\", \"source\": "
        "\"003_s.txt@10-20\"}\n"
        "{\"text\": \"c\", \"label\": \"y\"}\n"
        "{\"text\": \"d\", \"label\": \"y\", \"group\": null, \"source\": "
        "\"doc\"}\n";
    const char *p = write_tmp("g.jsonl", jsonl, sizeof jsonl - 1);
    CHECK(rk_labelled_load(p, &set, err, sizeof err) == RK_OK && set.count == 4,
          "%s", err);
    if (set.count == 4) {
        CHECK(!strcmp(set.items[0].group, "web:p1"),
              "a record's group is its \"group\" (%s)", set.items[0].group);
        CHECK(!strcmp(set.items[1].group, "003_s.txt"),
              "else its source up to '@', the seed file (%s)",
              set.items[1].group);
        CHECK(strstr(set.items[2].group, "g.jsonl:3") != NULL,
              "else, naming neither, a group of its own, file:line (%s)",
              set.items[2].group);
        CHECK(!strcmp(set.items[3].group, "doc"),
              "a null group counts as none (%s)", set.items[3].group);
    }
    const char tsv[] = "x\tone\ny\ttwo\n";
    p = write_tmp("g.tsv", tsv, sizeof tsv - 1);
    CHECK(rk_labelled_load(p, &set, err, sizeof err) == RK_OK &&
              set.count == 6 && !strcmp(set.items[4].group, p) &&
              !strcmp(set.items[5].group, p),
          "a TSV file is one group, its path: %s", err);
    const char bad[] = "{\"text\": \"a\", \"label\": \"x\", \"group\": 7}\n";
    p = write_tmp("bad.jsonl", bad, sizeof bad - 1);
    CHECK(rk_labelled_load(p, &set, err, sizeof err) == RK_ERR_DATA &&
              strstr(err, "bad.jsonl:1") && strstr(err, "'group'"),
          "a group that is not a string is refused, naming it: %s", err);
    rk_labelled_free(&set);
}

/* Six scored samples, worked by hand:
 *   truth  best  conf
 *   a      a     0.9
 *   a      b     0.4   (wrong, unsure)
 *   b      b     0.8
 *   b      b     0.6
 *   none   a     0.3   (wrong, unsure)
 *   none   none  0.7 */
static rk_eval_t *scored_six(double t) {
    static const char *const truth[] = {"a", "a", "b", "b", "none", "none"},
                             *best[] = {"a", "b", "b", "b", "a", "none"};
    static const double conf[] = {0.9, 0.4, 0.8, 0.6, 0.3, 0.7};
    rk_eval_t *ev = rk_eval_new();
    for (int i = 0; i < 6; i++)
        rk_eval_add_scored(ev, truth[i], conf[i] >= t ? best[i] : NULL, best[i],
                           conf[i], i % 2 ? "ar" : "en");
    return ev;
}

static void test_coverage(void) {
    /* If it fails: the coverage and risk-coverage figures of `eval` and
     * `train` are wrong. */
    rk_eval_t *ev = scored_six(0.5);
    json_t *r = rk_eval_json(ev);
    /* labelled: a/a, b/b, b/b, none/none (4 of 6); all right */
    CHECK(fabs(num(r, "coverage", "rate", 0) - 4.0 / 6) < 1e-12 &&
              num(r, "coverage", "n", 0) == 4 &&
              fabs(num(r, "coverage", "accuracy", 0) - 1.0) < 1e-12,
          "coverage 4/6, all four labelled right");
    /* overall, abstentions counted: a abstained (wrong), none abstained
     * (right): accuracy 5/6 */
    CHECK(fabs(num(r, "accuracy", 0, 0) - 5.0 / 6) < 1e-12,
          "accuracy counts the abstained none as right, the abstained a as "
          "wrong");
    json_t *rc = json_object_get(r, "risk_coverage");
    json_t *all = json_array_get(rc, 0), *r70 = json_array_get(rc, 4);
    /* 100%: every best label: right a, b, b, none; wrong a->b, none->a:
     * accuracy 4/6. 70% of 6 is 4 (rounded): conf 0.9, 0.8, 0.7, 0.6:
     * all right. */
    CHECK(json_array_size(rc) == 5 &&
              fabs(num(all, "accuracy", 0, 0) - 4.0 / 6) < 1e-12 &&
              num(all, "n", 0, 0) == 6 && num(r70, "n", 0, 0) == 4 &&
              fabs(num(r70, "accuracy", 0, 0) - 1.0) < 1e-12 &&
              fabs(num(r70, "min_score", 0, 0) - 0.6) < 1e-12 &&
              fabs(num(r70, "macro_f1", 0, 0) - 1.0) < 1e-12,
          "risk-coverage: all six at 4/6, the surest four (down to 0.6) "
          "all right");
    /* 100% macro-F1 over a and b: a P 1/2 R 1/2 -> 0.5; b P 2/3 R 1 ->
     * 0.8; mean 0.65 */
    CHECK(fabs(num(all, "macro_f1", 0, 0) - 0.65) < 1e-12,
          "risk-coverage macro-F1 at 100%%: 0.65 (got %g)",
          num(all, "macro_f1", 0, 0));
    json_decref(r);
    rk_eval_destroy(ev);
}

static void test_threshold_rule(void) {
    /* If it fails: the model abstains more than the stated coverage
     * allows, or not where it would help. */
    rk_eval_t *scored = scored_six(0.0);
    /* Abstaining on conf < t: t in (0.3, 0.4] drops none->a (1/6 abstained,
     * right since none), t in (0.4, 0.6] also a->b (2/6). macro-F1 at
     * t = 0: 0.65; at 0.31..0.40: a P 1 R 1/2 -> 2/3, b 0.8 -> 0.7333; at
     * 0.41..0.60: a P 1 R 1/2, b P 1 R 1 -> (2/3 + 1) / 2 = 0.8333. */
    double t = rk_eval_pick_threshold(scored, 0.5, 0.01);
    CHECK(fabs(t - 0.41) < 1e-9,
          "a third may abstain: the lowest threshold of the best macro-F1, "
          "0.41 (got %g)",
          t);
    t = rk_eval_pick_threshold(scored, 0.2, 0.01);
    CHECK(fabs(t - 0.31) < 1e-9,
          "a fifth may abstain: the one unsure none goes, 0.31 (got %g)", t);
    t = rk_eval_pick_threshold(scored, 0.0, 0.01);
    CHECK(t == 0.0, "none may abstain: threshold 0 (got %g)", t);
    rk_eval_t *at = rk_eval_at_threshold(scored, 0.41);
    CHECK(at && fabs(rk_eval_abstain_rate(at) - 2.0 / 6) < 1e-12 &&
              fabs(rk_eval_macro_f1(at) - (2.0 / 3 + 1) / 2) < 1e-12,
          "relabelled at 0.41: 2 of 6 abstained, macro-F1 0.8333");
    rk_eval_destroy(at);
    rk_eval_destroy(scored);
}

static void test_sigmoid(void) {
    /* If it fails: probabilities are not Platt's sigmoid fitted as libsvm
     * fits it. */
    enum { N = 20000 };
    static double dec[N];
    static unsigned char pos[N];
    uint64_t s = 99;
    for (int i = 0; i < N; i++) {
        dec[i] = -4.0 + 8.0 * i / N;
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(s >> 11) / 9007199254740992.0;
        pos[i] = u < 1 / (1 + exp(-2.0 * dec[i] + 0.5)); /* A -2, B 0.5 */
    }
    double A, B;
    rk_cal_sigmoid_fit(N, dec, pos, &A, &B);
    CHECK(fabs(A + 2.0) < 0.1 && fabs(B - 0.5) < 0.1,
          "20000 samples drawn from A = -2, B = 0.5 give them back (%g, %g)", A,
          B);
    CHECK(fabs(rk_cal_sigmoid(0.25, -2, 0.5) - 0.5) < 1e-15 &&
              fabs(rk_cal_sigmoid(40, -2, 0.5) - 1) < 1e-15,
          "the sigmoid is 1/2 where A f + B = 0 and saturates cleanly");
    double d[3] = {1.0, -1.0, 0.0}, a[3] = {-1, -1, -1}, b[3] = {0, 0, 0}, p[3];
    rk_cal_ovr(3, d, a, b, p);
    CHECK(fabs(p[0] + p[1] + p[2] - 1) < 1e-15 && p[0] > p[2] && p[2] > p[1],
          "one-vs-rest probabilities sum to 1 in the order of the "
          "decisions");
}

static void test_model_format(void) {
    /* If it fails: a bundle from a newer rakiza, or one that claims a
     * scheme its format cannot hold, loads as something it is not. */
    char err[1024] = "";
    rk_bundle_t b;
    const char *old = "tests/data/models/ovo-default-a996a4d.rkz";
    CHECK(rk_bundle_read(old, &b, err, sizeof err) == RK_OK, "%s", err);
    const rk_bundle_section_t *meta = rk_bundle_get(&b, "meta");
    json_t *m =
        meta ? json_loadb((const char *)meta->data, meta->len, 0, NULL) : NULL;
    static const struct {
        int format;
        const char *scheme, *expect;
    } cases[] = {{3, NULL, "format 3"}, {1, "ovr", "scheme"}};
    for (size_t c = 0; m && c < 2; c++) {
        json_object_set_new(m, "format", json_integer(cases[c].format));
        if (cases[c].scheme)
            json_object_set_new(m, "scheme", json_string(cases[c].scheme));
        char *text = json_dumps(m, 0);
        /* meta and the vectoriser: the format is judged before the
         * classifier is read (leaving the 6 MB libsvm text out keeps the
         * case quick) */
        rk_bundle_section_t sec[2] = {
            {"meta", (const unsigned char *)text, strlen(text)},
            *rk_bundle_get(&b, "vectorizer")};
        char path[4200];
        snprintf(path, sizeof path, "%s/f%zu.rkz", rk_test_tmpdir(), c);
        rk_model_t *model = NULL;
        CHECK(rk_bundle_write(path, sec, 2, err, sizeof err) == RK_OK &&
                  rk_model_load(path, &model, err, sizeof err) == RK_ERR_DATA &&
                  !model && strstr(err, cases[c].expect),
              "meta format %d%s%s is refused, saying %s: %s", cases[c].format,
              cases[c].scheme ? " with scheme " : "",
              cases[c].scheme ? cases[c].scheme : "", cases[c].expect, err);
        free(text);
    }
    json_decref(m);
    rk_bundle_free(&b);
}

/* "\n" after a header line, nothing after an absent ("") one. */
static const char *nl(const char *line) {
    return *line ? "\n" : "";
}

static void test_svm_header(void) {
    /* If it fails: a hostile model's header numbers reach a cast whose
     * result is undefined (the fuzzer found label 5.5e100), a repeated
     * header line reaches libsvm, which leaks, or a missing one, which it
     * predicts through as a NULL array, instead of being refused. */
    static const struct {
        const char *rho, *label, *nr_sv; /* "": no such line */
        const char *expect;              /* NULL: loads */
    } cases[] = {
        {"rho 0", "label 0 1", "nr_sv 1 0", NULL},
        {"rho 0", "label 5.5e100 1", "nr_sv 1 0", "labels must be 0..1"},
        {"rho 0", "label -1e300 1", "nr_sv 1 0", "labels must be 0..1"},
        {"rho 0", "label 0.5 1", "nr_sv 1 0", "labels must be 0..1"},
        {"rho 0", "label 1 1", "nr_sv 1 0", "labels must be 0..1"},
        {"rho 0", "label 0 1", "nr_sv 1e300 0", "bad nr_sv"},
        {"rho 0", "label 0 1", "nr_sv -1e300 0", "bad nr_sv"},
        {"rho 0", "label 0 1", "nr_sv 0.5 0.5", "bad nr_sv"},
        {"rho 0", "label 0 1", "nr_sv 1 0\nnr_sv 1 0", "nr_sv twice"},
        {"rho 0", "label 0 1\nlabel 0 1", "nr_sv 1 0", "label twice"},
        {"rho 0\nrho 0", "label 0 1", "nr_sv 1 0", "rho twice"},
        {"rho 0", "", "nr_sv 1 0", "no label line"},
        {"", "label 0 1", "nr_sv 1 0", "no rho line"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char text[512], err[512] = "";
        snprintf(text, sizeof text,
                 "svm_type c_svc\nkernel_type linear\nnr_class 2\n"
                 "total_sv 1\n%s%s%s%s%s%sSV\n1 1:0.5\n",
                 cases[c].rho, nl(cases[c].rho), cases[c].label,
                 nl(cases[c].label), cases[c].nr_sv, nl(cases[c].nr_sv));
        struct svm_model *m = NULL;
        rk_err_t e =
            rk_svm_from_text(text, strlen(text), 2, 16, 0, &m, err, sizeof err);
        if (!cases[c].expect)
            CHECK(e == RK_OK && m, "a well-formed header loads: %s", err);
        else
            CHECK(e == RK_ERR_DATA && !m && strstr(err, cases[c].expect),
                  "'%s' / '%s' / '%s' is refused, saying %s: %s", cases[c].rho,
                  cases[c].label, cases[c].nr_sv, cases[c].expect, err);
        svm_free_and_destroy_model(&m);
    }
}

TEST_LIST = {{"hand_labels", test_hand_labels},
             {"svm_header", test_svm_header},
             {"labelled_groups", test_labelled_groups},
             {"coverage", test_coverage},
             {"threshold_rule", test_threshold_rule},
             {"sigmoid", test_sigmoid},
             {"model_format", test_model_format},
             {"labelled_formats", test_labelled_formats},
             {"evaluate", test_evaluate},
             {"bundle_roundtrip", test_bundle_roundtrip},
             {"bundle_damage", test_bundle_damage},
             {NULL, NULL}};
