/*
 * vec_conf.c - the vectoriser's settings: one table (rk_vec_settings) that
 * the setter, the dump saved in bundles and `rakiza config` all read.
 * Every bundle stores these key names and values: keep them, add new keys
 * at the end (a bundle saved before a key existed loads with its default).
 */
#include <stddef.h>
#include <stdlib.h>

#include "core/settings.h"
#include "text/vec_impl.h"

#define ROW(name, type, field, lo, hi, def, desc)                              \
    {                                                                          \
        name, type, offsetof(rk_vec_conf_t, field), 0, lo, hi, 0, NULL, def,   \
            desc                                                               \
    }

static const char *const stem_ar_names[] = {"snowball", "light", "off", NULL};

const rk_setting_t rk_vec_settings[] = {
    ROW("hash_bits", RK_SETTING_INT, hash_bits, 10, 24, "18",
        "the feature space has 2^hash_bits dimensions"),
    ROW("word_ngrams", RK_SETTING_INT, word_ngrams, 1, 2, "2",
        "1: word unigrams; 2: unigrams and bigrams"),
    {"char_ngrams", RK_SETTING_RANGE, offsetof(rk_vec_conf_t, char_min),
     offsetof(rk_vec_conf_t, char_max), 1, 10, 0, NULL, "3-5",
     "character n-gram lengths within each word (code points), or off"},
    ROW("stem", RK_SETTING_BOOL, stem, 0, 1, "true",
        "stemming by script: Snowball for English, stem_ar's for Arabic"),
    ROW("stopwords", RK_SETTING_BOOL, stopwords, 0, 1, "true",
        "drop the built-in Arabic and English stopwords"),
    ROW("sublinear_tf", RK_SETTING_BOOL, sublinear_tf, 0, 1, "true",
        "term frequency as 1 + log(tf)"),
    ROW("norm.alef", RK_SETTING_BOOL, norm.alef, 0, 1, "true",
        "normalise alef variants (hamza, madda, wasla) to bare alef"),
    ROW("norm.alef_maqsura", RK_SETTING_BOOL, norm.alef_maqsura, 0, 1, "true",
        "normalise alef maqsura to ya"),
    ROW("norm.ta_marbuta", RK_SETTING_BOOL, norm.ta_marbuta, 0, 1, "true",
        "normalise ta marbuta to ha"),
    ROW("block_norm", RK_SETTING_BOOL, block_norm, 0, 1, "false",
        "L2-normalise word 1-2-grams and char n-grams apart, each to "
        "1/sqrt(2)"),
    {"stem_ar", RK_SETTING_ENUM, offsetof(rk_vec_conf_t, stem_ar), 0, 0, 0, 0,
     stem_ar_names, "snowball",
     "Arabic words' stemmer when stem is on: snowball, light (light10) or "
     "off"},
    {NULL, 0, 0, 0, 0, 0, 0, NULL, NULL, NULL}};

rk_vec_conf_t *rk_vec_conf_new(void) {
    rk_vec_conf_t *c = calloc(1, sizeof *c);
    char err[128];
    if (c && rk_settings_reset(rk_vec_settings, c, err, sizeof err)) {
        free(c);
        return NULL;
    }
    return c;
}

void rk_vec_conf_destroy(rk_vec_conf_t *conf) {
    free(conf);
}

rk_err_t rk_vec_conf_set(rk_vec_conf_t *c, const char *key, const char *v,
                         char *errstr, size_t errstr_size) {
    return rk_settings_set(rk_vec_settings, c, key, v, errstr, errstr_size);
}

void rk_vec_conf_foreach(const rk_vec_conf_t *c,
                         void (*fn)(const char *key, const char *value,
                                    void *opaque),
                         void *opaque) {
    rk_settings_foreach(rk_vec_settings, c, fn, opaque);
}
