/*
 * test_explain.c - why a paragraph got its label (classify/explain.h), on
 * the paragraphs of seeds 000 and 004 with the shipped model: at most K
 * terms, strongest first, each pushing toward the label, each a readable
 * name of a feature the paragraph has, and exactly the K strongest of the
 * model's own per-feature contributions. If these fail, the "explanation"
 * in a record shows terms that did not decide the label.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "classify/explain.h"
#include "core/utf8.h"
#include "models/model.h"
#include "testutil.h"
#include "text/segment.h"

/* The shipped model and the paragraphs of two seeds. */
typedef struct fixture_s {
    rk_model_t *model;
    rk_vec_ctx_t *ctx;
    char *docs[2];
    rk_seg_list_t paras[2];
} fixture_t;

static int setup(fixture_t *f) {
    static const char *const seeds[] = {"000", "004"};
    char err[1024];
    memset(f, 0, sizeof *f);
    CHECK(rk_model_load("models/default.rkz", &f->model, err, sizeof err) ==
              RK_OK,
          "the shipped model loads: %s", err);
    f->ctx = rk_vec_ctx_new();
    for (int s = 0; s < 2; s++) {
        size_t len;
        f->docs[s] = rk_test_read_seed(seeds[s], &len);
        CHECK(rk_seg_split(f->docs[s], len, &f->paras[s], err, sizeof err) ==
                  RK_OK,
              "%s", err);
    }
    return f->model && rk_test_case_failures() == 0;
}

static void teardown(fixture_t *f) {
    for (int s = 0; s < 2; s++) {
        rk_seg_list_free(&f->paras[s]);
        free(f->docs[s]);
    }
    rk_vec_ctx_destroy(f->ctx);
    rk_model_destroy(f->model);
}

/* Calls fn on every paragraph of the fixture, vectorised in f->ctx, with
 * the model's best label for it. */
typedef void (*visit_fn)(fixture_t *f, const rk_seg_para_t *p,
                         const struct svm_node *x, int best, void *opaque);

static size_t each_paragraph(fixture_t *f, visit_fn fn, void *opaque) {
    const rk_pred_t *pred = rk_model_pred(f->model);
    size_t seen = 0;
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < f->paras[s].count; i++) {
            const rk_seg_para_t *p = &f->paras[s].items[i];
            const struct svm_node *x;
            int n, top;
            double probs[64];
            char err[256];
            if (rk_vec_transform(rk_model_vec(f->model), f->ctx, p->text,
                                 p->text_len, p->lang, &x, &n, err,
                                 sizeof err) != RK_OK) {
                CHECK(0, "paragraph %zu of seed %d vectorises: %s", i, s, err);
                continue;
            }
            int best = rk_pred_score(pred, x, probs, &top);
            fn(f, p, x, best, opaque);
            seen++;
        }
    return seen;
}

typedef struct shape_s {
    rk_explain_t *e;
    int k;
    size_t too_many, unordered, not_positive, unreadable, empty, listed;
} shape_t;

static void check_shape(fixture_t *f, const rk_seg_para_t *p,
                        const struct svm_node *x, int best, void *opaque) {
    shape_t *s = opaque;
    (void)p;
    json_t *terms = rk_explain_terms(s->e, f->model, f->ctx, x, best), *t;
    size_t j;
    double prev = INFINITY;
    s->too_many +=
        !json_is_array(terms) || json_array_size(terms) > (size_t)s->k;
    s->empty += json_array_size(terms) == 0;
    s->listed += json_array_size(terms);
    json_array_foreach(terms, j, t) {
        const char *term = json_string_value(json_object_get(t, "term"));
        double w = json_real_value(json_object_get(t, "weight"));
        s->unordered += w > prev;
        s->not_positive += !(w > 0);
        prev = w;
        size_t len = term ? strlen(term) : 0, ctl = 0;
        for (size_t c = 0; c < len; c++)
            ctl += (unsigned char)term[c] < 0x20;
        s->unreadable += !term || !len || !strcmp(term, "?") || ctl ||
                         !rk_utf8_valid(term, len, NULL);
    }
    json_decref(terms);
}

static void shape_with_k(int k) {
    fixture_t f;
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    shape_t s = {.e = rk_explain_new(k), .k = k};
    CHECK(s.e, "an explainer for %d terms is made", k);
    if (!s.e) {
        teardown(&f);
        return;
    }
    size_t n = each_paragraph(&f, check_shape, &s);
    CHECK(n > 100, "the seeds give paragraphs to explain (%zu)", n);
    CHECK(s.too_many == 0, "no explanation lists more than %d terms (%zu did)",
          k, s.too_many);
    CHECK(s.unordered == 0, "terms come strongest first (%zu out of order)",
          s.unordered);
    CHECK(s.not_positive == 0,
          "every term pushes toward the label: weight > 0 (%zu did not)",
          s.not_positive);
    CHECK(s.unreadable == 0,
          "every term is a non-empty UTF-8 name without control characters, "
          "never '?' (%zu were not)",
          s.unreadable);
    CHECK(s.empty < n / 10 && s.listed > n * (size_t)(k > 1 ? 2 : 1) / 2,
          "nearly every paragraph is explained (%zu of %zu empty, %zu terms)",
          s.empty, n, s.listed);
    rk_explain_destroy(s.e);
    teardown(&f);
}

static void test_at_most_k_strongest_first(void) {
    /* If it fails: an explanation is too long, unsorted or names junk. */
    shape_with_k(3);
}

static void test_one_term(void) {
    /* If it fails: the smallest K (1) lists more than one term, or junk. */
    shape_with_k(1);
}

typedef struct exact_s {
    rk_explain_t *e;
    int k;
    size_t wrong, short_list, paragraphs;
} exact_t;

static int by_weight_desc(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The explanation's weights must be the k largest positive values of
 * rk_pred_contribution over the paragraph's features, in order. */
static void check_exact(fixture_t *f, const rk_seg_para_t *p,
                        const struct svm_node *x, int best, void *opaque) {
    exact_t *s = opaque;
    (void)p;
    const rk_pred_t *pred = rk_model_pred(f->model);
    size_t nx = 0, npos = 0;
    while (x[nx].index != -1)
        nx++;
    double *w = malloc((nx + 1) * sizeof *w);
    for (size_t i = 0; i < nx; i++) {
        double c = rk_pred_contribution(pred, best, x[i].index, x[i].value);
        if (c > 0)
            w[npos++] = c;
    }
    qsort(w, npos, sizeof *w, by_weight_desc);
    json_t *terms = rk_explain_terms(s->e, f->model, f->ctx, x, best), *t;
    size_t want = npos < (size_t)s->k ? npos : (size_t)s->k, j;
    s->short_list += json_array_size(terms) != want;
    json_array_foreach(terms, j, t) {
        double got = json_real_value(json_object_get(t, "weight"));
        s->wrong += j >= npos || fabs(got - w[j]) > 1e-12 * fabs(w[j]);
    }
    s->paragraphs++;
    json_decref(terms);
    free(w);
}

static void test_the_k_strongest(void) {
    /* If it fails: listed terms are not the ones that weighed most. */
    fixture_t f;
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    CHECK(rk_pred_is_fast(rk_model_pred(f.model)),
          "the shipped model is linear, so contributions are exact");
    static const int ks[] = {1, 5, 10000};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        exact_t s = {.e = rk_explain_new(ks[i]), .k = ks[i]};
        each_paragraph(&f, check_exact, &s);
        CHECK(s.paragraphs > 100 && s.short_list == 0,
              "k=%d: min(k, positive contributions) terms are listed (%zu "
              "of %zu paragraphs differ)",
              ks[i], s.short_list, s.paragraphs);
        CHECK(s.wrong == 0,
              "k=%d: the weights are the largest positive contributions, in "
              "order (%zu differ)",
              ks[i], s.wrong);
        rk_explain_destroy(s.e);
    }
    teardown(&f);
}

typedef struct other_s {
    rk_explain_t *e;
    size_t differ, asked;
} other_t;

static void check_other_label(fixture_t *f, const rk_seg_para_t *p,
                              const struct svm_node *x, int best,
                              void *opaque) {
    other_t *s = opaque;
    (void)p;
    int k = rk_pred_nlabels(rk_model_pred(f->model));
    int other = (best + 1) % k;
    json_t *a = rk_explain_terms(s->e, f->model, f->ctx, x, best);
    json_t *b = rk_explain_terms(s->e, f->model, f->ctx, x, other);
    s->differ += json_array_size(a) && json_array_size(b) && !json_equal(a, b);
    s->asked++;
    json_decref(a);
    json_decref(b);
}

static void test_toward_the_label(void) {
    /* If it fails: the explanation ignores which label it explains. */
    fixture_t f;
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    other_t s = {.e = rk_explain_new(3)};
    each_paragraph(&f, check_other_label, &s);
    CHECK(s.asked > 100 && s.differ > s.asked / 2,
          "terms toward another label differ from those toward the best "
          "(%zu of %zu)",
          s.differ, s.asked);
    rk_explain_destroy(s.e);
    rk_explain_destroy(NULL); /* NULL-safe, as every _destroy */
    teardown(&f);
}

TEST_LIST = {{"at_most_k_strongest_first", test_at_most_k_strongest_first},
             {"one_term", test_one_term},
             {"the_k_strongest", test_the_k_strongest},
             {"toward_the_label", test_toward_the_label},
             {NULL, NULL}};
