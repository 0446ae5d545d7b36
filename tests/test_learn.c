/*
 * test_learn.c - the learning loop's pure parts (learn/labels.h,
 * learn/judge.h, learn/retrain.h): the labels topic read as a set (latest
 * wins, tombstones withdraw, bad messages get their dead-letter code and
 * change nothing), the promotion rule, and which streamed labels count as
 * new to a model. If these fail, `rakiza learn` trains on withdrawn or
 * stale labels, drops bad ones silently, promotes a worse model, or
 * retrains on labels a model already has (and a restart decides
 * differently).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learn/judge.h"
#include "learn/labels.h"
#include "learn/learn_conf.h"
#include "learn/retrain.h"
#include "models/train.h"
#include "testutil.h"

static const char *const four[] = {"conditions", "prevention", "capacity",
                                   "human_rights"};

static rk_label_code_t apply(rk_labels_t *s, const char *key,
                             const char *value) {
    rk_label_code_t code = RK_LABEL_OK;
    char why[256];
    CHECK(rk_labels_apply(s, key, key ? strlen(key) : 0, value,
                          value ? strlen(value) : 0, &code, why,
                          sizeof why) == RK_OK,
          "applying a message failed (out of memory?)");
    return code;
}

static rk_labels_t *new_set(void) {
    rk_labels_t *s = rk_labels_new();
    char err[256];
    CHECK(s && rk_labels_allow(s, four, 4, err, sizeof err) == RK_OK,
          "cannot make a labels set");
    return s;
}

static void test_latest_wins(void) {
    /* If it fails: an older label of a paragraph trains beside (or over)
     * the correction that replaced it. */
    rk_labels_t *s = new_set();
    CHECK(apply(s, "d1:0", "{\"text\":\"alpha\",\"label\":\"conditions\"}") ==
              RK_LABEL_OK,
          "a valid sample is stored");
    CHECK(apply(s, "d1:1", "{\"text\":\"beta\",\"label\":\"capacity\"}") ==
              RK_LABEL_OK,
          "a second key is stored");
    CHECK(apply(s, "d1:0", "{\"text\":\"alpha\",\"label\":\"prevention\"}") ==
              RK_LABEL_OK,
          "a later message for the same key is stored");
    CHECK(rk_labels_count(s) == 2, "two keys, two samples, got %zu",
          rk_labels_count(s));
    rk_sample_set_t out = {0};
    char err[256];
    CHECK(rk_labels_samples(s, &out, err, sizeof err) == RK_OK, "%s", err);
    CHECK(out.count == 2 && !strcmp(out.items[0].label, "prevention") &&
              !strcmp(out.items[0].source, "label:d1:0") &&
              !strcmp(out.items[1].label, "capacity"),
          "the latest label per key, in key order, sourced by key");
    CHECK(out.count == 2 && out.items[0].lang && *out.items[0].lang,
          "a sample without lang gets its script's language");
    rk_labelled_free(&out);
    rk_labels_destroy(s);
}

static void test_tombstones(void) {
    /* If it fails: a withdrawn label keeps training, or a label sent
     * again after its withdrawal is lost. */
    rk_labels_t *s = new_set();
    apply(s, "a:0", "{\"text\":\"one\",\"label\":\"conditions\"}");
    apply(s, "a:1", "{\"text\":\"two\",\"label\":\"conditions\"}");
    CHECK(apply(s, "a:0", NULL) == RK_LABEL_TOMBSTONE, "a null value");
    CHECK(rk_labels_count(s) == 1, "the tombstone withdrew a:0");
    CHECK(apply(s, "never:seen", NULL) == RK_LABEL_TOMBSTONE &&
              rk_labels_count(s) == 1,
          "withdrawing an unknown key changes nothing");
    apply(s, "a:0", "{\"text\":\"one again\",\"label\":\"capacity\"}");
    CHECK(rk_labels_count(s) == 2, "a key labelled again after withdrawal");
    rk_sample_set_t out = {0};
    char err[256];
    CHECK(rk_labels_samples(s, &out, err, sizeof err) == RK_OK, "%s", err);
    CHECK(out.count == 2 && !strcmp(out.items[0].text, "one again"),
          "the relabelled sample is the new one");
    rk_labelled_free(&out);
    rk_labels_destroy(s);
}

static void test_bad_messages(void) {
    /* If it fails: a malformed message or a label outside the model's set
     * trains (or is lost without a dead letter), or gets the wrong
     * rakiza.error code. */
    rk_labels_t *s = new_set();
    apply(s, "k:0", "{\"text\":\"kept\",\"label\":\"conditions\"}");
    const struct {
        const char *key, *value, *code;
    } cases[] = {
        {"k:0", "{\"text\":\"x\",\"label\":\"terrorism\"}", "bad_label"},
        {"k:0", "{\"text\":\"x\",\"label\":\"none\"}", "bad_label"},
        {"k:0", "not json", "bad_json"},
        {"k:0", "[1,2]", "bad_json"},
        {"k:0", "{\"label\":\"capacity\"}", "bad_field"},
        {"k:0", "{\"text\":\"\",\"label\":\"capacity\"}", "bad_field"},
        {"k:0", "{\"text\":\"x\",\"label\":7}", "bad_field"},
        {"k:0", "{\"text\":\"x\",\"label\":\"capacity\",\"lang\":3}",
         "bad_field"},
        {"k:0", "{\"text\":\"\xff\",\"label\":\"capacity\"}", "bad_utf8"},
        {NULL, "{\"text\":\"x\",\"label\":\"capacity\"}", "bad_field"},
        {"k:0", "", "empty"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rk_label_code_t c = apply(s, cases[i].key, cases[i].value);
        const char *name = rk_label_code_name(c);
        CHECK(name && !strcmp(name, cases[i].code), "case %zu: %s, not %s", i,
              name ? name : "(stored)", cases[i].code);
    }
    char *big = malloc(RK_LABELS_MAX_BYTES + 2);
    memset(big, ' ', RK_LABELS_MAX_BYTES + 1);
    big[RK_LABELS_MAX_BYTES + 1] = '\0';
    CHECK(apply(s, "k:0", big) == RK_LABEL_TOO_LARGE, "too_large");
    free(big);
    rk_sample_set_t out = {0};
    char err[256];
    CHECK(rk_labels_samples(s, &out, err, sizeof err) == RK_OK, "%s", err);
    CHECK(out.count == 1 && !strcmp(out.items[0].text, "kept"),
          "no bad message replaced the stored sample");
    rk_labelled_free(&out);
    const char *const five[] = {"conditions", "none"};
    CHECK(rk_labels_allow(s, five, 2, err, sizeof err) == RK_OK, "%s", err);
    CHECK(apply(s, "k:1", "{\"text\":\"y\",\"label\":\"none\"}") == RK_LABEL_OK,
          "--labels changes the allowed set");
    rk_labels_destroy(s);
}

static json_t *eval(double macro, const char *classes) {
    /* classes: "label=f1,label=f1" */
    json_t *per = json_object();
    char buf[256];
    snprintf(buf, sizeof buf, "%s", classes);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        char *eq = strchr(tok, '=');
        *eq = '\0';
        json_object_set_new(
            per, tok,
            json_pack("{s:f,s:i}", "f1", atof(eq + 1), "support", 10));
    }
    return json_pack("{s:f,s:o}", "macro_f1", macro, "per_class", per);
}

static void test_judge(void) {
    /* If it fails: a worse candidate is promoted, one class is sacrificed
     * for the average, or an equal one is refused for noise. */
    char why[512];
    json_t *cur = eval(0.70, "a=0.7,b=0.7");
    json_t *better = eval(0.75, "a=0.8,b=0.7");
    json_t *within = eval(0.695, "a=0.69,b=0.70");
    json_t *worse = eval(0.68, "a=0.68,b=0.68");
    json_t *sacrifice = eval(0.72, "a=0.94,b=0.5");
    json_t *missing = eval(0.71, "a=0.95");
    CHECK(rk_judge(better, cur, 0.01, why, sizeof why) == 1, "better: %s", why);
    CHECK(rk_judge(within, cur, 0.01, why, sizeof why) == 1,
          "within the tolerance: %s", why);
    CHECK(rk_judge(worse, cur, 0.01, why, sizeof why) == 0 &&
              strstr(why, "macro-F1"),
          "under the tolerance: %s", why);
    CHECK(rk_judge(worse, cur, 0.05, why, sizeof why) == 1,
          "a wider tolerance: %s", why);
    CHECK(rk_judge(sacrifice, cur, 0.01, why, sizeof why) == 0 &&
              strstr(why, "'b'"),
          "one class falls by 0.2: %s", why);
    CHECK(rk_judge(missing, cur, 0.01, why, sizeof why) == 0 &&
              strstr(why, "'b'"),
          "a class the candidate lost counts as F1 0: %s", why);
    json_decref(cur);
    json_decref(better);
    json_decref(within);
    json_decref(worse);
    json_decref(sacrifice);
    json_decref(missing);
}

/* A tiny model and the streamed samples around it. */
static void test_new_labels(void) {
    /* If it fails: labels a model was trained on count as new (a restart
     * retrains forever), or new ones are missed. */
    rk_sample_set_t all = {0}, base = {0}, streamed = {0};
    char err[512];
    CHECK(rk_labelled_load("models/data/hand.jsonl", &all, err, sizeof err) ==
              RK_OK,
          "%s", err);
    if (rk_test_case_failures())
        return;
    for (size_t i = 0; i < 60; i++)
        rk_sample_push_copy(&base, &all.items[i], err, sizeof err);
    for (size_t i = 60; i < 70; i++)
        rk_sample_push_copy(&streamed, &all.items[i], err, sizeof err);
    rk_vec_conf_t *vec = rk_vec_conf_new();
    rk_vec_conf_set(vec, "hash_bits", "12", err, sizeof err);
    rk_train_conf_t conf = rk_train_conf_default();
    conf.folds = 2;
    conf.vec = vec;
    rk_model_t *m = NULL;
    CHECK(rk_train(&base, &conf, &m, err, sizeof err) == RK_OK, "%s", err);
    size_t n = 99;
    CHECK(
        m && rk_retrain_count_new(m, &streamed, &n, err, sizeof err) == RK_OK &&
            n == 10,
        "a model without a digest list knows no streamed label: %zu", n);
    /* Trained on base and the first 4 streamed samples. */
    for (size_t i = 0; i < 4; i++)
        rk_sample_push_copy(&base, &streamed.items[i], err, sizeof err);
    CHECK(m && rk_retrain_set_digests(m, &base, err, sizeof err) == RK_OK, "%s",
          err);
    CHECK(
        m && rk_retrain_count_new(m, &streamed, &n, err, sizeof err) == RK_OK &&
            n == 6,
        "4 of 10 are in the training set, 6 new: %zu", n);
    /* The same text with another label is new; text differing only in
     * what normalisation removes is not. */
    rk_sample_t relabelled = streamed.items[0];
    relabelled.label = strcmp(relabelled.label, "none") ? "none" : "capacity";
    char d[17];
    CHECK(rk_retrain_digest(&relabelled, d, err, sizeof err) == RK_OK && m &&
              !rk_retrain_known(m, d),
          "a relabelled paragraph is new");
    rk_sample_t spaced = streamed.items[0];
    size_t len = spaced.text_len;
    char *text = malloc(len + 5);
    memcpy(text, "  ", 2);
    memcpy(text + 2, spaced.text, len);
    memcpy(text + 2 + len, "  ", 3);
    spaced.text = text;
    spaced.text_len = len + 4;
    CHECK(rk_retrain_digest(&spaced, d, err, sizeof err) == RK_OK && m &&
              rk_retrain_known(m, d),
          "the same paragraph with other spacing is known");
    free(text);
    /* A saved and reloaded model keeps its list. */
    const char *path = rk_test_write_file(NULL, "m.rkz", "", 0);
    rk_model_t *back = NULL;
    CHECK(m && rk_model_save(m, path, err, sizeof err) == RK_OK &&
              rk_model_load(path, &back, err, sizeof err) == RK_OK &&
              rk_retrain_count_new(back, &streamed, &n, err, sizeof err) ==
                  RK_OK &&
              n == 6,
          "the digest list survives the bundle: %s", err);
    rk_model_destroy(back);
    rk_model_destroy(m);
    rk_vec_conf_destroy(vec);
    rk_labelled_free(&all);
    rk_labelled_free(&base);
    rk_labelled_free(&streamed);
}

static void test_streamed_replaces_base(void) {
    /* If it fails: a corrected paragraph keeps its old label in training
     * or still judges (a correction would be scored against the label it
     * corrects), or a decision is not reproducible. */
    rk_sample_set_t all = {0}, base = {0}, streamed = {0};
    char err[512];
    CHECK(rk_labelled_load("models/data/hand.jsonl", &all, err, sizeof err) ==
              RK_OK,
          "%s", err);
    if (rk_test_case_failures())
        return;
    for (size_t i = 0; i < 90; i++)
        rk_sample_push_copy(&base, &all.items[i * 6], err, sizeof err);
    /* 5 base paragraphs relabelled (one with other spacing), 3 new. */
    for (size_t i = 0; i < 5; i++) {
        rk_sample_t x = base.items[i * 10];
        x.label = strcmp(x.label, "none") ? "none" : "capacity";
        rk_sample_push_copy(&streamed, &x, err, sizeof err);
    }
    char *spaced = malloc(streamed.items[0].text_len + 3);
    snprintf(spaced, streamed.items[0].text_len + 3, " %s ",
             streamed.items[0].text);
    free(streamed.items[0].text);
    streamed.items[0].text = spaced;
    streamed.items[0].text_len += 2;
    for (size_t i = 0; i < 3; i++)
        rk_sample_push_copy(&streamed, &all.items[i * 6 + 1], err, sizeof err);
    rk_vec_conf_t *vec = rk_vec_conf_new();
    rk_vec_conf_set(vec, "hash_bits", "12", err, sizeof err);
    rk_vec_conf_set(vec, "char_ngrams", "off", err, sizeof err);
    rk_train_conf_t conf = rk_train_conf_default();
    conf.folds = 2;
    conf.vec = vec;
    rk_model_t *m = NULL;
    CHECK(rk_train(&base, &conf, &m, err, sizeof err) == RK_OK, "%s", err);
    rk_retrain_result_t r1, r2;
    CHECK(m && rk_retrain_decide(m, &base, &streamed, 0.01, &r1, err,
                                 sizeof err) == RK_OK,
          "%s", err);
    CHECK(r1.n == 85, "the 5 relabelled paragraphs leave the judging set: %zu",
          r1.n);
    CHECK(r1.new_labels == 8, "8 new labels: %zu", r1.new_labels);
    CHECK(r1.current_eval && r1.candidate_eval && r1.trainings >= 4 &&
              json_integer_value(json_object_get(r1.current_eval, "n")) == 85,
          "both sides scored on the 85 judged samples");
    CHECK(m &&
              rk_retrain_decide(m, &base, &streamed, 0.01, &r2, err,
                                sizeof err) == RK_OK &&
              r1.promoted == r2.promoted && !strcmp(r1.reason, r2.reason) &&
              json_equal(r1.candidate_eval, r2.candidate_eval) &&
              json_equal(r1.current_eval, r2.current_eval),
          "the same inputs give the same decision");
    rk_retrain_result_clear(&r2);
    CHECK(m && rk_retrain_set_digests(m, &streamed, err, sizeof err) == RK_OK &&
              rk_retrain_decide(m, &base, &streamed, 0.01, &r2, err,
                                sizeof err) == RK_OK &&
              !r2.promoted && r2.new_labels == 0 && !r2.candidate_eval &&
              r2.trainings == 0 && strstr(r2.reason, "no new labels"),
          "labels the model was trained on are not new: nothing trained: %s",
          r2.reason);
    rk_retrain_result_clear(&r1);
    rk_retrain_result_clear(&r2);
    rk_model_destroy(m);
    rk_vec_conf_destroy(vec);
    rk_labelled_free(&all);
    rk_labelled_free(&base);
    rk_labelled_free(&streamed);
}

static void test_conf(void) {
    /* If it fails: `rakiza learn` settings take other defaults than the
     * README lists, a typo in -X passes silently, or the required ones
     * are not enforced. */
    rk_learn_conf_t *c = rk_learn_conf_new();
    char err[512];
    CHECK(c && c->every == 50 && c->tolerance == 0.01 && !c->once &&
              !rk_learn_conf_dlq(c),
          "defaults: every 50, tolerance 0.01, not once, no dead letters");
    CHECK(c && rk_learn_conf_check(c, err, sizeof err) == RK_ERR_USAGE &&
              strstr(err, "brokers"),
          "brokers are required: %s", err);
    CHECK(c &&
              rk_learn_conf_set(c, "bootstrap.servers", "h:1", err,
                                sizeof err) == RK_OK &&
              rk_learn_conf_set(c, "rakiza.labels.topic", "labels", err,
                                sizeof err) == RK_OK &&
              rk_learn_conf_set(c, "rakiza.model", "m.rkz", err, sizeof err) ==
                  RK_OK,
          "%s", err);
    CHECK(c && rk_learn_conf_check(c, err, sizeof err) == RK_ERR_USAGE &&
              strstr(err, "promoted"),
          "--out is required: %s", err);
    CHECK(c &&
              rk_learn_conf_set(c, "rakiza.learn.out", "o.rkz", err,
                                sizeof err) == RK_OK &&
              rk_learn_conf_check(c, err, sizeof err) == RK_OK,
          "complete: %s", err);
    CHECK(c &&
              rk_learn_conf_set(c, "no.such.property", "1", err, sizeof err) ==
                  RK_ERR_USAGE &&
              strstr(err, "no.such.property"),
          "a librdkafka typo is refused naming it: %s", err);
    CHECK(c && rk_learn_conf_set(c, "rakiza.learn.evry", "1", err,
                                 sizeof err) == RK_ERR_USAGE,
          "an unknown rakiza.* key is refused");
    CHECK(c &&
              rk_learn_conf_set(c, "rakiza.learn.every", "0", err,
                                sizeof err) == RK_ERR_USAGE &&
              rk_learn_conf_set(c, "rakiza.learn.tolerance", "1.5", err,
                                sizeof err) == RK_ERR_USAGE,
          "out-of-range values are refused");
    CHECK(c &&
              rk_learn_conf_set(c, "rakiza.dlq", "none", err, sizeof err) ==
                  RK_OK &&
              !rk_learn_conf_dlq(c) &&
              rk_learn_conf_set(c, "rakiza.dlq", "d", err, sizeof err) ==
                  RK_OK &&
              !strcmp(rk_learn_conf_dlq(c), "d"),
          "--dlq none means none");
    CHECK(c &&
              rk_learn_conf_set(c, "rakiza.learn.labels", "a", err,
                                sizeof err) == RK_OK &&
              rk_learn_conf_check(c, err, sizeof err) == RK_ERR_USAGE,
          "--labels needs two labels");
    char buf[32];
    const char *labels[4];
    CHECK(c &&
              rk_learn_conf_set(c, "rakiza.learn.labels", "a,b,c", err,
                                sizeof err) == RK_OK &&
              rk_learn_conf_labels(c, buf, labels, 4) == 3 &&
              !strcmp(labels[2], "c") &&
              rk_learn_conf_labels(c, buf, labels, 2) == -1,
          "--labels splits on commas, bounded");
    rk_learn_conf_destroy(c);
}

TEST_LIST = {{"latest_wins", test_latest_wins},
             {"tombstones", test_tombstones},
             {"bad_messages", test_bad_messages},
             {"judge", test_judge},
             {"new_labels", test_new_labels},
             {"streamed_replaces_base", test_streamed_replaces_base},
             {"conf", test_conf},
             {NULL, NULL}};
