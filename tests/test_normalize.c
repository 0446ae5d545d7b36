/*
 * test_normalize.c - the normaliser: each mapping the vectoriser relies
 * on, idempotence over all seed text (otherwise training and serving text
 * could drift apart), and bad UTF-8 handled without a crash.
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "text/normalize.h"

static rk_norm_t *norm;

static void expect(const char *in, const char *want, const char *why) {
    rk_norm_opts_t o = rk_norm_opts_default();
    const char *out;
    size_t n;
    char err[256];
    rk_err_t e =
        rk_norm_text(norm, &o, in, strlen(in), &out, &n, err, sizeof err);
    CHECK(e == RK_OK && n == strlen(want) && !memcmp(out, want, n),
          "%s: '%s' -> '%s', got '%.*s'", why, in, want, e ? 0 : (int)n,
          e ? "" : out);
}

static void idempotent_lines(const char *name) {
    size_t len, lines = 0, drift = 0;
    char *doc = rk_test_read_seed(name, &len);
    rk_norm_opts_t o = rk_norm_opts_default();
    char err[256];
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(doc + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - doc) : len;
        const char *once;
        size_t n1;
        if (rk_norm_text(norm, &o, doc + pos, end - pos, &once, &n1, err,
                         sizeof err) == RK_OK) {
            char *copy = malloc(n1 + 1);
            memcpy(copy, once, n1);
            const char *twice;
            size_t n2;
            if (rk_norm_text(norm, &o, copy, n1, &twice, &n2, err,
                             sizeof err) != RK_OK ||
                n1 != n2 || memcmp(copy, twice, n1))
                drift++;
            free(copy);
        } else {
            drift++;
        }
        lines++;
        pos = nl ? end + 1 : len;
    }
    CHECK(lines > 100 && drift == 0,
          "seed %s: normalize(normalize(x)) == normalize(x) on all %zu "
          "lines; %zu differ",
          name, lines, drift);
    free(doc);
}

static int open_norm(void) {
    char err[256];
    CHECK(rk_norm_new(&norm, err, sizeof err) == RK_OK, "%s", err);
    return norm != NULL;
}

static void test_arabic_mappings(void) {
    /* If it fails: Arabic spelling variants become different features. */
    if (!open_norm())
        return;
    expect("الأُمَمِ المُتَّحِدَة", "الامم المتحده",
           "tashkeel removed, alef hamza to alef, ta marbuta to ha");
    expect("إرهاب آمن ٱلله", "ارهاب امن الله", "alef variants to bare alef");
    expect("مستوى", "مستوي", "alef maqsura to ya");
    expect("مكـــافحة", "مكافحه", "tatweel removed");
    expect("هٰذا", "هذا", "superscript alef removed");
    expect("٢٠١٦ و ۱۲۳", "2016 و 123",
           "Arabic-Indic and Eastern Arabic-Indic digits to ASCII");
    expect("\xE2\x80\x8F"
           "الأ"
           "\xE2\x80\x8B"
           "من"
           "\xE2\x80\x8C"
           " الدولي"
           "\xE2\x80\xAE",
           "الامن الدولي", "bidi and zero-width controls removed");
    expect("ﻻ ﷲ", "لا الله", "presentation forms to letters (NFKC)");
    rk_norm_destroy(norm);
}

static void test_latin_and_space(void) {
    /* If it fails: case or spacing splits one English word in two. */
    if (!open_norm())
        return;
    expect("  Counter-TERRORISM\t\n Straße  ", "counter-terrorism strasse",
           "Latin case folding, white space collapsed and trimmed");
    expect("", "", "empty text stays empty");
    rk_norm_destroy(norm);
}

static void test_switches(void) {
    /* If it fails: a mapping turned off in the settings still applies. */
    if (!open_norm())
        return;
    char err[256];
    /* Switches: each mapping can be turned off and is then kept. */
    rk_norm_opts_t o = rk_norm_opts_default();
    o.ta_marbuta = 0;
    o.alef = 0;
    const char *out;
    size_t n;
    CHECK(rk_norm_text(norm, &o, "أمة", strlen("أمة"), &out, &n, err,
                       sizeof err) == RK_OK &&
              !strcmp(out, "أمة"),
          "with alef and ta marbuta off, أمة stays أمة, got %s", out);
    rk_norm_destroy(norm);
}

static void test_invalid_utf8(void) {
    /* If it fails: bad UTF-8 crashes, or is refused without its offset. */
    if (!open_norm())
        return;
    char err[256];
    const char *out;
    size_t n;
    /* Invalid UTF-8: an error naming the offset, or U+FFFD when asked. */
    rk_norm_opts_t o = rk_norm_opts_default();
    const char bad[] = "abc\xED\xA0\x80xyz"; /* a UTF-8-encoded surrogate */
    CHECK(rk_norm_text(norm, &o, bad, sizeof bad - 1, &out, &n, err,
                       sizeof err) == RK_ERR_DATA &&
              strstr(err, "offset 3"),
          "a surrogate is invalid UTF-8 at byte 3: %s", err);
    o.replace_invalid = 1;
    CHECK(rk_norm_text(norm, &o, bad, sizeof bad - 1, &out, &n, err,
                       sizeof err) == RK_OK &&
              strstr(out, "\xEF\xBF\xBD") && !strncmp(out, "abc", 3),
          "with replacement the bad bytes become U+FFFD: %s", out);
    rk_norm_destroy(norm);
}

static void test_idempotent_on_seeds(void) {
    /* If it fails: training and serving text can drift apart. */
    if (!open_norm())
        return;
    idempotent_lines("000");
    idempotent_lines("002");
    idempotent_lines("003");
    idempotent_lines("004");
    rk_norm_destroy(norm);
}

TEST_LIST = {{"arabic_mappings", test_arabic_mappings},
             {"latin_and_space", test_latin_and_space},
             {"switches", test_switches},
             {"invalid_utf8", test_invalid_utf8},
             {"idempotent_on_seeds", test_idempotent_on_seeds},
             {NULL, NULL}};
