/*
 * test_models.c - labelled-sample reading (with cross-validation groups),
 * evaluation arithmetic and the bundle container. The numbers in the evaluation
 * test were worked out by hand; if they fail, every reported F1 is wrong.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/bundle.h"
#include "models/evaluate.h"
#include "models/labelled.h"
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

TEST_LIST = {{"hand_labels", test_hand_labels},
             {"labelled_groups", test_labelled_groups},
             {"labelled_formats", test_labelled_formats},
             {"evaluate", test_evaluate},
             {"bundle_roundtrip", test_bundle_roundtrip},
             {"bundle_damage", test_bundle_damage},
             {NULL, NULL}};
