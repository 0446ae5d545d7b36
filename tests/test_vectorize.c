/*
 * test_vectorize.c - the vectoriser: vectors libsvm can score (ascending,
 * terminated, unit length), settings that validate, IDF that learns from
 * the seeds, and a saved form that reloads to the very same vectors and
 * refuses damage. If these fail, training and serving disagree. The fast
 * paths (plain normalising and word splitting, the word cache, names
 * written on demand) must give the very vectors and names of the ICU
 * paths.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "text/arstem.h"
#include "text/segment.h"
#include "text/vectorize.h"

static int has_term(rk_vec_ctx_t *ctx, const struct svm_node *x, int n,
                    const char *term) {
    for (int i = 0; i < n; i++) {
        const char *t = rk_vec_ctx_term(ctx, x[i].index);
        if (t && !strcmp(t, term))
            return 1;
    }
    return 0;
}

static void setting(const char *key, const char *value, void *opaque) {
    rk_vec_conf_t *copy = opaque;
    char err[128];
    CHECK(rk_vec_conf_set(copy, key, value, err, sizeof err) == RK_OK,
          "every listed setting is accepted back: %s=%s (%s)", key, value, err);
}

/* Every paragraph of every seed, in a space of 2^bits: indices strictly
 * ascending within 1..dim and -1 last. Different sizes take different
 * sort buckets in rk_vec_transform; a wrong bucket or a lost index
 * breaks libsvm's input silently. */
static void check_order_on_seeds(rk_vec_ctx_t *ctx, const char *bits) {
    static const char *const seeds[] = {"000", "002", "003", "004"};
    char err[256];
    rk_vec_conf_t *conf = rk_vec_conf_new();
    rk_vec_t *vec = NULL;
    CHECK(rk_vec_conf_set(conf, "hash_bits", bits, err, sizeof err) == RK_OK &&
              rk_vec_new(conf, &vec, err, sizeof err) == RK_OK,
          "hash_bits=%s: %s", bits, err);
    size_t paras_seen = 0, bad = 0, nodes = 0;
    rk_seg_list_t paras = {0};
    for (size_t s = 0; vec && s < sizeof seeds / sizeof *seeds; s++) {
        size_t len;
        char *doc = rk_test_read_seed(seeds[s], &len);
        CHECK(rk_seg_split(doc, len, &paras, err, sizeof err) == RK_OK, "%s",
              err);
        for (size_t i = 0; i < paras.count; i++, paras_seen++) {
            const struct svm_node *x;
            int n, ok = 1;
            if (rk_vec_transform(vec, ctx, paras.items[i].text,
                                 paras.items[i].text_len, NULL, &x, &n, err,
                                 sizeof err) != RK_OK) {
                bad++;
                continue;
            }
            for (int k = 0; k < n; k++)
                if (x[k].index < 1 || x[k].index > rk_vec_dim(vec) ||
                    (k && x[k].index <= x[k - 1].index))
                    ok = 0;
            bad += !ok || x[n].index != -1;
            nodes += (size_t)n;
        }
        free(doc);
    }
    CHECK(paras_seen > 1500 && nodes > paras_seen * 10 && bad == 0,
          "hash_bits=%s: all %zu seed paragraphs give ascending indices "
          "in range (%zu did not)",
          bits, paras_seen, bad);
    rk_seg_list_free(&paras);
    rk_vec_destroy(vec);
    rk_vec_conf_destroy(conf);
}

/* Default settings, fitted on the paragraphs of seed 002 (Arabic body,
 * English annex). */
typedef struct fixture_s {
    rk_vec_conf_t *conf;
    rk_vec_t *vec;
    rk_vec_ctx_t *ctx;
    char *doc;
    rk_seg_list_t paras;
    const char **texts;
    size_t *lens;
} fixture_t;

/* setup with settings (key, value, ..., NULL) over the defaults. */
static int setup_with(fixture_t *f, const char *const *kv) {
    char err[256];
    size_t len;
    memset(f, 0, sizeof *f);
    f->conf = rk_vec_conf_new();
    for (size_t i = 0; kv && kv[i]; i += 2)
        CHECK(rk_vec_conf_set(f->conf, kv[i], kv[i + 1], err, sizeof err) ==
                  RK_OK,
              "%s=%s is accepted: %s", kv[i], kv[i + 1], err);
    f->ctx = rk_vec_ctx_new();
    f->doc = rk_test_read_seed("002", &len);
    CHECK(rk_seg_split(f->doc, len, &f->paras, err, sizeof err) == RK_OK, "%s",
          err);
    f->texts = malloc(f->paras.count * sizeof *f->texts);
    f->lens = malloc(f->paras.count * sizeof *f->lens);
    for (size_t i = 0; i < f->paras.count; i++)
        f->texts[i] = f->paras.items[i].text,
        f->lens[i] = f->paras.items[i].text_len;
    CHECK(rk_vec_new(f->conf, &f->vec, err, sizeof err) == RK_OK, "%s", err);
    if (!f->vec)
        return 0;
    CHECK(rk_vec_fit(f->vec, f->texts, f->lens, NULL, f->paras.count, err,
                     sizeof err) == RK_OK,
          "fitting IDF on seed 002 works: %s", err);
    return rk_test_case_failures() == 0;
}

static int setup(fixture_t *f) {
    return setup_with(f, NULL);
}

static void teardown(fixture_t *f) {
    rk_vec_ctx_destroy(f->ctx);
    rk_vec_destroy(f->vec);
    rk_vec_conf_destroy(f->conf);
    rk_seg_list_free(&f->paras);
    free(f->texts);
    free(f->lens);
    free(f->doc);
}

static void test_settings(void) {
    /* If it fails: a bad setting is accepted, or a listed one refused back. */
    char err[256];
    rk_vec_conf_t *conf = rk_vec_conf_new();
    CHECK(rk_vec_conf_set(conf, "hash_bits", "40", err, sizeof err) ==
                  RK_ERR_USAGE &&
              strstr(err, "hash_bits"),
          "an out-of-range value is refused naming the key: %s", err);
    CHECK(rk_vec_conf_set(conf, "colour", "red", err, sizeof err) ==
                  RK_ERR_USAGE &&
              strstr(err, "colour"),
          "an unknown key is refused naming it: %s", err);
    CHECK(rk_vec_conf_set(conf, "char_ngrams", "5-3", err, sizeof err) ==
              RK_ERR_USAGE,
          "a reversed n-gram range is refused");
    rk_vec_conf_t *copy = rk_vec_conf_new();
    rk_vec_conf_set(copy, "hash_bits", "12", err, sizeof err);
    rk_vec_conf_foreach(conf, setting, copy);
    rk_vec_t *vec = NULL;
    CHECK(rk_vec_new(conf, &vec, err, sizeof err) == RK_OK && vec &&
              rk_vec_dim(vec) == 1 << 18,
          "refused values leave the settings as they were (2^18): %s", err);
    rk_vec_destroy(vec);
    rk_vec_conf_destroy(conf);
    rk_vec_conf_destroy(copy);
}

static void test_libsvm_vectors(void) {
    /* If it fails: libsvm gets vectors it cannot score, or wrong features. */
    fixture_t f;
    char err[256];
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    CHECK(rk_vec_dim(f.vec) == 1 << 18, "the default space is 2^18");
    const struct svm_node *x;
    int n;
    const char *p = "وتواصل كيانات الأمم المتحدة دعم الدول الأعضاء في "
                    "مكافحة الإرهاب وتمويل الإرهاب";
    CHECK(rk_vec_transform(f.vec, f.ctx, p, strlen(p), "ar", &x, &n, err,
                           sizeof err) == RK_OK &&
              n > 20,
          "an Arabic sentence gives a vector: %s", err);
    if (rk_test_case_failures()) {
        teardown(&f);
        return;
    }
    int ascending = 1;
    double norm2 = 0;
    for (int i = 0; i < n; i++) {
        if (i && x[i].index <= x[i - 1].index)
            ascending = 0;
        if (x[i].index < 1 || x[i].index > rk_vec_dim(f.vec))
            ascending = 0;
        norm2 += x[i].value * x[i].value;
    }
    CHECK(ascending && x[n].index == -1,
          "indices ascend within 1..dim and end with -1 (libsvm's format)");
    CHECK(fabs(norm2 - 1.0) < 1e-9, "the vector has unit length: %f", norm2);
    CHECK(!has_term(f.ctx, x, n, "في"),
          "the stopword في gives no word feature");
    CHECK(has_term(f.ctx, x, n, "#<دعم>"),
          "character n-grams of words are features, named readably");
    /* الإرهاب and للإرهاب share a stem feature thanks to the stemmer. */
    int has_stem = 0;
    for (int i = 0; i < n; i++) {
        const char *t = rk_vec_ctx_term(f.ctx, x[i].index);
        if (t && t[0] != '#' && strstr(t, "رهاب") && !strchr(t, ' '))
            has_stem = 1;
    }
    CHECK(has_stem, "the word الإرهاب appears as a stemmed word feature");
    teardown(&f);
}

static void test_idf(void) {
    /* If it fails: common words weigh as much as rare ones (IDF not fitted). */
    fixture_t f;
    char err[256];
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    const struct svm_node *x;
    int n = 0;
    /* IDF: a word in most paragraphs weighs less than a rare one. */
    const char *q = "الإرهاب السيبراني";
    CHECK(rk_vec_transform(f.vec, f.ctx, q, strlen(q), NULL, &x, &n, err,
                           sizeof err) == RK_OK,
          "%s", err);
    double w_common = 0, w_rare = 0;
    for (int i = 0; i < n; i++) {
        const char *t = rk_vec_ctx_term(f.ctx, x[i].index);
        if (!t || t[0] == '#' || strchr(t, ' '))
            continue;
        if (strstr(t, "رهاب"))
            w_common = x[i].value;
        if (strstr(t, "سيبر"))
            w_rare = x[i].value;
    }
    CHECK(w_common > 0 && w_rare > w_common,
          "IDF: terrorism (in most paragraphs) weighs less than cyber "
          "(rare): %f vs %f",
          w_common, w_rare);
    teardown(&f);
}

static void test_save_load(void) {
    /* If it fails: a reloaded model vectorises differently from training. */
    fixture_t f;
    char err[256];
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    /* Save and load: same vectors, byte for byte. */
    unsigned char *blob;
    size_t blob_len;
    CHECK(rk_vec_save(f.vec, &blob, &blob_len, err, sizeof err) == RK_OK, "%s",
          err);
    if (rk_test_case_failures()) {
        teardown(&f);
        return;
    }
    rk_vec_t *back = NULL;
    CHECK(rk_vec_load(blob, blob_len, &back, err, sizeof err) == RK_OK,
          "a saved vectoriser loads: %s", err);
    if (back) {
        rk_vec_ctx_t *ctx2 = rk_vec_ctx_new();
        size_t same = 0;
        for (size_t i = 0; i < f.paras.count; i++) {
            const struct svm_node *a, *b;
            int na, nb;
            rk_vec_transform(f.vec, f.ctx, f.texts[i], f.lens[i], NULL, &a, &na,
                             err, sizeof err);
            rk_vec_transform(back, ctx2, f.texts[i], f.lens[i], NULL, &b, &nb,
                             err, sizeof err);
            if (na == nb && !memcmp(a, b, (size_t)(na + 1) * sizeof *a))
                same++;
        }
        CHECK(same == f.paras.count,
              "the reloaded vectoriser gives identical vectors on all %zu "
              "paragraphs of seed 002 (%zu did)",
              f.paras.count, same);
        rk_vec_ctx_destroy(ctx2);
        rk_vec_destroy(back);
    }
    free(blob);
    teardown(&f);
}

static void test_damaged_blob(void) {
    /* If it fails: a damaged vectoriser loads, or is read past its end. */
    fixture_t f;
    char err[256];
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    unsigned char *blob;
    size_t blob_len;
    CHECK(rk_vec_save(f.vec, &blob, &blob_len, err, sizeof err) == RK_OK, "%s",
          err);
    if (rk_test_case_failures()) {
        teardown(&f);
        return;
    }
    /* Damage: every truncation and a flipped byte in each part refused. */
    size_t refused = 0, tried = 0;
    for (size_t cut = 0; cut < blob_len; cut += 1 + cut / 64, tried++) {
        rk_vec_t *bad = NULL;
        if (rk_vec_load(blob, cut, &bad, err, sizeof err) != RK_OK)
            refused++;
        rk_vec_destroy(bad);
    }
    CHECK(refused == tried, "every truncated blob is refused (%zu of %zu)",
          refused, tried);
    blob[0] ^= 0xFF;
    rk_vec_t *bad = NULL;
    CHECK(rk_vec_load(blob, blob_len, &bad, err, sizeof err) == RK_ERR_DATA &&
              strstr(err, "magic"),
          "a wrong magic is named as such: %s", err);
    blob[0] ^= 0xFF;
    memset(blob + 20, 0xFF, 4); /* a settings string length */
    CHECK(rk_vec_load(blob, blob_len, &bad, err, sizeof err) == RK_ERR_DATA,
          "a huge string length is refused, not read past the end");
    free(blob);
    teardown(&f);
}

static void test_invalid_utf8(void) {
    /* If it fails: invalid UTF-8 is vectorised, or refused without offset. */
    fixture_t f;
    char err[256];
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    const struct svm_node *x;
    int n;
    const char bad_utf8[] = "abc\xC3";
    CHECK(rk_vec_transform(f.vec, f.ctx, bad_utf8, 4, NULL, &x, &n, err,
                           sizeof err) == RK_ERR_DATA &&
              strstr(err, "offset 3"),
          "invalid UTF-8 is an error naming the offset: %s", err);
    teardown(&f);
}

/* Vectors a and b (na, nb nodes) are the same, and so are their names in
 * their contexts. */
static int same_vector(const rk_vec_ctx_t *ca, const struct svm_node *a, int na,
                       const rk_vec_ctx_t *cb, const struct svm_node *b,
                       int nb) {
    if (na != nb || memcmp(a, b, (size_t)(na + 1) * sizeof *a))
        return 0;
    for (int i = 0; i < na; i++) {
        const char *ta = rk_vec_ctx_term(ca, a[i].index);
        const char *tb = rk_vec_ctx_term(cb, b[i].index);
        if (!ta || !tb || strcmp(ta, tb))
            return 0;
    }
    return 1;
}

static void test_fast_paths_on_seeds(void) {
    /* If it fails: the fast paths give a paragraph other features or
     * other names than the ICU paths would. */
    static const char *const seeds[] = {"000", "002", "003", "004"};
    fixture_t f;
    char err[256];
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    rk_vec_ctx_t *icu = rk_vec_ctx_new();
    rk_vec_ctx_set_fast(icu, 0);
    rk_seg_list_t paras = {0};
    size_t n_paras = 0, differ = 0, valid_differ = 0;
    for (int pass = 0; pass < 2; pass++) /* the second from the cache */
        for (size_t s = 0; icu && s < sizeof seeds / sizeof *seeds; s++) {
            size_t len;
            char *doc = rk_test_read_seed(seeds[s], &len);
            rk_seg_split(doc, len, &paras, err, sizeof err);
            for (size_t i = 0; i < paras.count; i++, n_paras++) {
                const rk_seg_para_t *p = &paras.items[i];
                const struct svm_node *a, *b;
                int na = -1, nb = -2;
                rk_vec_transform(f.vec, icu, p->text, p->text_len, NULL, &b,
                                 &nb, err, sizeof err);
                rk_vec_transform_valid(f.vec, f.ctx, p->text, p->text_len, NULL,
                                       &a, &na, err, sizeof err);
                differ += !same_vector(f.ctx, a, na, icu, b, nb);
                rk_vec_transform(f.vec, f.ctx, p->text, p->text_len, NULL, &a,
                                 &na, err, sizeof err);
                valid_differ += !same_vector(f.ctx, a, na, icu, b, nb);
            }
            free(doc);
        }
    CHECK(n_paras > 2000 && differ == 0 && valid_differ == 0,
          "%zu seed paragraphs (twice): %zu vectors or names differ from "
          "the ICU paths', %zu differ between the checking and the "
          "non-checking entry points",
          n_paras, differ, valid_differ);
    rk_seg_list_free(&paras);
    rk_vec_ctx_destroy(icu);
    teardown(&f);
}

static void test_cache_follows_vectoriser(void) {
    /* If it fails: a context keeps serving one vectoriser's cached words
     * (stems, feature indices of another space) to the next one, as when
     * a model is reloaded. */
    static const char *const bits[] = {"12", "16", "12", "18"};
    const char *text = "تعزيز التعاون في مكافحة الإرهاب Preventing the "
                       "financing of terrorists 2014";
    char err[256];
    rk_vec_ctx_t *shared = rk_vec_ctx_new();
    size_t differ = 0;
    for (size_t k = 0; shared && k < sizeof bits / sizeof *bits; k++) {
        rk_vec_conf_t *conf = rk_vec_conf_new();
        rk_vec_t *vec = NULL;
        /* Alternate the settings a word's entry depends on. */
        CHECK(!rk_vec_conf_set(conf, "hash_bits", bits[k], err, sizeof err) &&
                  !rk_vec_conf_set(conf, "stem", k % 2 ? "false" : "true", err,
                                   sizeof err) &&
                  !rk_vec_conf_set(conf, "char_ngrams", k % 2 ? "2-4" : "3-5",
                                   err, sizeof err) &&
                  !rk_vec_new(conf, &vec, err, sizeof err),
              "%s", err);
        rk_vec_ctx_t *fresh = rk_vec_ctx_new();
        const struct svm_node *a, *b;
        int na = -1, nb = -2;
        if (vec && fresh) {
            rk_vec_transform(vec, shared, text, strlen(text), NULL, &a, &na,
                             err, sizeof err);
            rk_vec_transform(vec, fresh, text, strlen(text), NULL, &b, &nb, err,
                             sizeof err);
            differ += !same_vector(shared, a, na, fresh, b, nb);
        }
        rk_vec_ctx_destroy(fresh);
        rk_vec_destroy(vec); /* the next may be allocated at its address */
        rk_vec_conf_destroy(conf);
    }
    CHECK(differ == 0,
          "a context used with one vectoriser after another gives what a "
          "fresh one gives (%zu differ)",
          differ);
    rk_vec_ctx_destroy(shared);
}

static void test_order_on_seeds(void) {
    /* If it fails: some space size breaks libsvm's ascending-index order. */
    /* One context serving spaces of several sizes, one after another. */
    rk_vec_ctx_t *ctx = rk_vec_ctx_new();
    check_order_on_seeds(ctx, "10");
    check_order_on_seeds(ctx, "17");
    check_order_on_seeds(ctx, "20");
    check_order_on_seeds(ctx, "24"); /* the largest: four passes */
    rk_vec_ctx_destroy(ctx);
}

/* The sums of squares of the word features (unigrams, bigrams) and the
 * character n-grams ("#...") of the last vector from ctx. */
static void block_norms(rk_vec_ctx_t *ctx, const struct svm_node *x, int n,
                        double *words2, double *grams2) {
    *words2 = *grams2 = 0;
    for (int i = 0; i < n; i++) {
        const char *t = rk_vec_ctx_term(ctx, x[i].index);
        double v2 = x[i].value * x[i].value;
        if (t && t[0] == '#')
            *grams2 += v2;
        else
            *words2 += v2;
    }
}

static void test_block_norm(void) {
    /* If it fails: block_norm does not give the word features and the
     * character n-grams equal weight, or the vector loses unit length. */
    static const char *const kv[] = {"block_norm", "true", NULL};
    fixture_t f, d;
    char err[256];
    int ok = setup_with(&f, kv) && setup(&d);
    size_t both = 0, right = 0;
    double share_min = 1, share_max = 0; /* the n-grams' share by default */
    for (size_t i = 0; ok && i < f.paras.count; i++) {
        const struct svm_node *x;
        int n;
        double w2, g2;
        CHECK(rk_vec_transform(f.vec, f.ctx, f.texts[i], f.lens[i], NULL, &x,
                               &n, err, sizeof err) == RK_OK,
              "%s", err);
        block_norms(f.ctx, x, n, &w2, &g2);
        if (w2 == 0 || g2 == 0)
            continue; /* a paragraph of stopwords and numbers */
        both++;
        right += fabs(w2 - 0.5) < 1e-9 && fabs(g2 - 0.5) < 1e-9;
        CHECK(rk_vec_transform(d.vec, d.ctx, f.texts[i], f.lens[i], NULL, &x,
                               &n, err, sizeof err) == RK_OK,
              "%s", err);
        block_norms(d.ctx, x, n, &w2, &g2);
        CHECK(fabs(w2 + g2 - 1.0) < 1e-9,
              "by default one L2 norm covers the whole vector: %f", w2 + g2);
        share_min = g2 < share_min ? g2 : share_min;
        share_max = g2 > share_max ? g2 : share_max;
    }
    CHECK(both > 100 && right == both,
          "block_norm=true: the words and the n-grams each have norm "
          "1/sqrt(2) (squares 0.5, total 1) in every one of the %zu seed 002 "
          "paragraphs that has both (%zu do)",
          both, right);
    CHECK(share_min > 0.5,
          "by default the n-grams outweigh the words in every paragraph: "
          "their share of the squared norm is %.2f to %.2f",
          share_min, share_max);
    teardown(&f);
    teardown(&d);
}

static void check_stem(const char *word, const char *want) {
    size_t len;
    const char *s = rk_arstem_light(word, strlen(word), &len);
    CHECK(len == strlen(want) && !memcmp(s, want, len),
          "light10 stems %s to %s, not %.*s", word, want, (int)len, s);
}

static void test_light_stem(void) {
    /* If it fails: stem_ar=light strips the wrong affixes, or stems
     * English words, or Snowball stems Arabic words under it. Words from
     * the seeds, normalised (ة is ه, إ is ا). */
    check_stem("والحكومات", "حكوم");   /* و, ال, ات */
    check_stem("بالارهاب", "ارهاب");   /* بال */
    check_stem("للامم", "امم");        /* لل */
    check_stem("المتحده", "متحد");     /* ال, ه (ة) */
    check_stem("الارهابيين", "ارهاب"); /* ال, ين, ي */
    check_stem("حقوقها", "حقوق");      /* ها */
    check_stem("ومكافحه", "مكافح");    /* و, ه */
    check_stem("الدول", "دول");
    check_stem("التدابير", "تدابير"); /* no suffix: ر */
    check_stem("العاملون", "عامل");   /* ون */
    check_stem("السلطان", "سلط");     /* ان */
    check_stem("الدوليه", "دول");     /* يه (ية) */
    /* Short words are left alone: و needs 3 letters after it, an article
     * and a suffix 2. */
    check_stem("وهو", "وهو");
    check_stem("ولد", "ولد");
    check_stem("لها", "لها");
    check_stem("بها", "بها");
    check_stem("الي", "ال"); /* no article (1 letter left); ي leaves 2 */
    check_stem("دول", "دول");
    check_stem("ab", "ab");
    check_stem("", "");
    /* Through the vectoriser. */
    static const char *const light[] = {"stem_ar", "light", NULL};
    static const char *const off[] = {"stem_ar", "off", NULL};
    const char *p = "مكافحة الإرهابيين وتمويل الإرهاب; financing of terrorists";
    fixture_t f;
    char err[256];
    const struct svm_node *x;
    int n;
    if (setup_with(&f, light) &&
        rk_vec_transform(f.vec, f.ctx, p, strlen(p), NULL, &x, &n, err,
                         sizeof err) == RK_OK) {
        CHECK(has_term(f.ctx, x, n, "ارهاب") &&
                  has_term(f.ctx, x, n, "تمويل") &&
                  has_term(f.ctx, x, n, "مكافح"),
              "stem_ar=light: the vectoriser's word features are light10 "
              "stems");
        CHECK(has_term(f.ctx, x, n, "terrorist") &&
                  has_term(f.ctx, x, n, "financ"),
              "stem_ar=light: English words keep Snowball's stems");
        CHECK(has_term(f.ctx, x, n, "#<الار"),
              "character n-grams are of the word, not the stem");
    }
    teardown(&f);
    if (setup_with(&f, off) &&
        rk_vec_transform(f.vec, f.ctx, p, strlen(p), NULL, &x, &n, err,
                         sizeof err) == RK_OK) {
        CHECK(has_term(f.ctx, x, n, "الارهابيين") &&
                  has_term(f.ctx, x, n, "terrorist"),
              "stem_ar=off: Arabic words as they are, English stemmed");
    }
    teardown(&f);
}

/* A saved vectoriser's settings without the last `drop` ones: the blob a
 * rakiza from before they existed wrote (magic, count, key/value pairs,
 * the rest). */
static size_t drop_settings(unsigned char *b, size_t len, unsigned drop) {
    uint32_t nset = (uint32_t)b[8] | (uint32_t)b[9] << 8 |
                    (uint32_t)b[10] << 16 | (uint32_t)b[11] << 24;
    size_t at = 12, cut = 0;
    for (uint32_t i = 0; i < 2 * nset; i++) {
        if (i == 2 * (nset - drop))
            cut = at;
        uint32_t l = (uint32_t)b[at] | (uint32_t)b[at + 1] << 8 |
                     (uint32_t)b[at + 2] << 16 | (uint32_t)b[at + 3] << 24;
        at += 4 + l;
    }
    memmove(b + cut, b + at, len - at);
    nset -= drop;
    b[8] = nset & 0xFF, b[9] = (nset >> 8) & 0xFF;
    b[10] = (nset >> 16) & 0xFF, b[11] = nset >> 24;
    return len - (at - cut);
}

typedef struct found_s {
    const char *key;
    char value[32];
} found_t;

static void find_setting(const char *key, const char *value, void *opaque) {
    found_t *f = opaque;
    if (!strcmp(key, f->key))
        snprintf(f->value, sizeof f->value, "%s", value);
}

static void test_old_blob_defaults(void) {
    /* If it fails: a bundle saved before block_norm and stem_ar existed
     * vectorises differently now - a deployed model would change. */
    fixture_t f;
    char err[256];
    unsigned char *blob = NULL;
    size_t blob_len;
    rk_vec_t *old = NULL;
    if (setup(&f) &&
        rk_vec_save(f.vec, &blob, &blob_len, err, sizeof err) == RK_OK) {
        blob_len = drop_settings(blob, blob_len, 2);
        CHECK(rk_vec_load(blob, blob_len, &old, err, sizeof err) == RK_OK,
              "a blob without block_norm and stem_ar loads: %s", err);
    }
    size_t same = 0;
    for (size_t i = 0; old && i < f.paras.count; i++) {
        const struct svm_node *a, *b;
        int na, nb;
        rk_vec_ctx_t *c2 = rk_vec_ctx_new();
        rk_vec_transform(f.vec, f.ctx, f.texts[i], f.lens[i], NULL, &a, &na,
                         err, sizeof err);
        rk_vec_transform(old, c2, f.texts[i], f.lens[i], NULL, &b, &nb, err,
                         sizeof err);
        same += na == nb && !memcmp(a, b, (size_t)(na + 1) * sizeof *a);
        rk_vec_ctx_destroy(c2);
    }
    CHECK(old && same == f.paras.count,
          "the old blob gives today's default vectors on all %zu paragraphs "
          "(%zu do)",
          f.paras.count, same);
    found_t bn = {"block_norm", ""}, sa = {"stem_ar", ""};
    rk_vec_conf_foreach(f.conf, find_setting, &bn);
    rk_vec_conf_foreach(f.conf, find_setting, &sa);
    CHECK(!strcmp(bn.value, "false") && !strcmp(sa.value, "snowball"),
          "the defaults are block_norm=false, stem_ar=snowball: %s, %s",
          bn.value, sa.value);
    rk_vec_destroy(old);
    free(blob);
    teardown(&f);
}

TEST_LIST = {{"settings", test_settings},
             {"libsvm_vectors", test_libsvm_vectors},
             {"idf", test_idf},
             {"save_load", test_save_load},
             {"damaged_blob", test_damaged_blob},
             {"invalid_utf8", test_invalid_utf8},
             {"order_on_seeds", test_order_on_seeds},
             {"fast_paths_on_seeds", test_fast_paths_on_seeds},
             {"cache_follows_vectoriser", test_cache_follows_vectoriser},
             {"block_norm", test_block_norm},
             {"light_stem", test_light_stem},
             {"old_blob_defaults", test_old_blob_defaults},
             {NULL, NULL}};
