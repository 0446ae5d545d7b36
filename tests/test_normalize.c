/*
 * test_normalize.c - the normaliser: each mapping the vectoriser relies
 * on, idempotence over all seed text (otherwise training and serving text
 * could drift apart), bad UTF-8 handled without a crash, and the fast path
 * (a character at a time from ICU's tables) giving exactly what the ICU
 * path gives, on every kind of text and on all seed text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "text/normalize.h"

static rk_norm_t *norm;

/* A second normaliser with the fast path off: the reference. */
static rk_norm_t *icu;

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

/* in[0..len) normalised on both paths with o: the same result (or the
 * same error). Returns 1 when they agree; *fast_plain receives whether the
 * fast path's result was plain (it ran to the end). */
static int both_paths(const char *in, size_t len, const rk_norm_opts_t *o,
                      int *fast_plain) {
    const char *a, *b;
    size_t na, nb;
    char ea[256] = "", eb[256] = "";
    rk_err_t ra = rk_norm_text(norm, o, in, len, &a, &na, ea, sizeof ea);
    if (fast_plain)
        *fast_plain = ra == RK_OK && rk_norm_plain(norm);
    rk_err_t rb = rk_norm_text(icu, o, in, len, &b, &nb, eb, sizeof eb);
    if (ra != rb)
        return 0;
    if (ra != RK_OK)
        return !strcmp(ea, eb);
    return na == nb && !memcmp(a, b, na) && a[na] == '\0';
}

/* The fast path on text of one kind: its expected result, the same as
 * ICU's, and whether the fast path carried it to the end (plain) or had to
 * hand it to ICU. */
static void expect_fast(const char *in, const char *want, int plain,
                        const char *why) {
    expect(in, want, why);
    int got_plain;
    rk_norm_opts_t o = rk_norm_opts_default();
    CHECK(both_paths(in, strlen(in), &o, &got_plain),
          "%s: the fast path and ICU agree on '%s'", why, in);
    CHECK(got_plain == plain, "%s: '%s' is %s text for the fast path", why, in,
          plain ? "plain" : "not plain");
}

static int open_both(void) {
    char err[256];
    CHECK(rk_norm_new(&norm, err, sizeof err) == RK_OK &&
              rk_norm_new(&icu, err, sizeof err) == RK_OK,
          "%s", err);
    if (icu)
        rk_norm_set_fast(icu, 0);
    return norm && icu;
}

static void close_both(void) {
    rk_norm_destroy(norm);
    rk_norm_destroy(icu);
}

/* Appends code point c to buf as UTF-8 (c valid, buf large enough). */
static size_t put_utf8(char *buf, unsigned c) {
    if (c < 0x80) {
        buf[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        buf[0] = (char)(0xC0 | (c >> 6));
        buf[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        buf[0] = (char)(0xE0 | (c >> 12));
        buf[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    buf[0] = (char)(0xF0 | (c >> 18));
    buf[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    buf[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    buf[3] = (char)(0x80 | (c & 0x3F));
    return 4;
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

static void test_fast_path_kinds(void) {
    /* If it fails: the fast path changes what the vectoriser sees, so a
     * model would score different features than it was trained on. */
    if (!open_both())
        return;
    expect_fast("counter-terrorism financing 2016",
                "counter-terrorism "
                "financing 2016",
                1, "ASCII only");
    expect_fast("The UN, Member States", "the un, member states", 1,
                "upper-case ASCII folds from the table");
    expect_fast("الامم المتحده", "الامم المتحده", 1, "Arabic only");
    expect_fast("قرار مجلس الأمن 2178 (2014) on foreign fighters",
                "قرار مجلس الامن 2178 (2014) on foreign fighters", 1, "mixed");
    expect_fast("الأُمَمِ المُتَّحِدَة", "الامم المتحده", 1,
                "diacritics: a letter and its marks go to ICU as one run");
    expect_fast("أيضاً", "ايضا", 1, "tanween after alef");
    expect_fast("مكـــافحة", "مكافحه", 1, "tatweel");
    expect_fast("\xE2\x80\x8F"
                "الأمن"
                "\xE2\x80\x8E \xE2\x80\xAB"
                "x\xE2\x80\xAC\xE2\x81\xA6y\xE2\x81\xA9",
                "الامن xy", 1, "bidi controls");
    expect_fast("a\xE2\x80\x8B"
                "b\xE2\x80\x8D"
                "c\xEF\xBB\xBF",
                "abc", 1, "zero-width characters and BOM");
    expect_fast("ﻻ ﷲ ﻹرهاب", "لا الله لارهاب", 1,
                "ligatures and presentation forms (NFKC)");
    expect_fast("ﺍﻟﺴﻼﻡ", "السلام", 1, "presentation forms of a word");
    expect_fast("ＵＮ　Ｓｅｃｕｒｉｔｙ１２", "un security12", 1,
                "full-width Latin and digits");
    expect_fast("ﬁnance ½ x²", "finance 1⁄2 x2", 1, "compatibility forms");
    expect_fast("e\xCC\x81t\xC3\xA9", "\xC3\xA9t\xC3\xA9", 1,
                "a combining accent composes (ICU run)");
    expect_fast("\xD8\xA7\xD9\x94", "ا", 1,
                "alef + hamza above composes to أ, then to ا");
    expect_fast("٢٠١٦ و ۱۲۳", "2016 و 123", 1, "Arabic-Indic digits");
    expect_fast("  a \t\n b  ", "a b", 1, "spaces and controls collapse");
    expect_fast("\xCC\x81x", "\xCC\x81x", 0,
                "a mark left alone at the start: the ICU path decides");
    expect_fast("ผู้ก่อการร้าย", "ผู้ก่อการร้าย", 0,
                "Thai marks: the ICU path (and ICU's dictionary for words)");
    expect_fast("😀 terror", "😀 terror", 0, "emoji: outside the table");
    expect_fast("", "", 1, "empty");
    /* Each switch off on the fast path too. */
    rk_norm_opts_t o = rk_norm_opts_default();
    o.alef = o.alef_maqsura = o.ta_marbuta = 0;
    const char *cases[] = {"إرهاب أمة مستوى", "\xD8\xA7\xD9\x94\xD9\x8E",
                           "ﻷمة"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        CHECK(both_paths(cases[i], strlen(cases[i]), &o, NULL),
              "with every switch off, both paths agree on '%s'", cases[i]);
    close_both();
}

static void test_invalid_utf8_offsets(void) {
    /* If it fails: bad input is accepted, or refused at the wrong byte. */
    if (!open_both())
        return;
    static const struct {
        const char *in;
        size_t len, offset;
    } bad[] = {{"abc\xff", 4, 3},
               {"\xd8\xa7\xd8", 3, 2},
               {"ab\xc0\xaf", 4, 2},
               {"\xe2\x82", 2, 0},
               {"ok \xf4\x90\x80\x80", 7, 3},
               {"\xd8\xa7\x80x", 4, 2}};
    rk_norm_opts_t o = rk_norm_opts_default();
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *out;
        size_t n;
        char err[256], want[64];
        snprintf(want, sizeof want, "invalid UTF-8 at byte offset %zu",
                 bad[i].offset);
        CHECK(rk_norm_text(norm, &o, bad[i].in, bad[i].len, &out, &n, err,
                           sizeof err) == RK_ERR_DATA &&
                  !strcmp(err, want),
              "case %zu: '%s', got '%s'", i, want, err);
        rk_norm_opts_t r = o;
        r.replace_invalid = 1;
        CHECK(both_paths(bad[i].in, bad[i].len, &r, NULL),
              "case %zu: with replacement both paths agree", i);
    }
    close_both();
}

/* Every line of a seed: the fast path gives ICU's result. */
static void same_on_seed(const char *name) {
    size_t len, lines = 0, differ = 0, plain = 0;
    char *doc = rk_test_read_seed(name, &len);
    rk_norm_opts_t o = rk_norm_opts_default();
    for (size_t pos = 0; pos < len; lines++) {
        const char *nl = memchr(doc + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - doc) : len;
        int p;
        differ += !both_paths(doc + pos, end - pos, &o, &p);
        plain += (size_t)p;
        pos = nl ? end + 1 : len;
    }
    CHECK(lines > 100 && differ == 0 && plain * 10 > lines * 9,
          "seed %s: fast path == ICU on all %zu lines (%zu differ; %zu "
          "plain)",
          name, lines, differ, plain);
    free(doc);
}

static void test_fast_path_on_seeds(void) {
    /* If it fails: the fast path changes real documents' features. */
    if (!open_both())
        return;
    same_on_seed("000");
    same_on_seed("002");
    same_on_seed("003");
    same_on_seed("004");
    close_both();
}

static void test_fast_path_random(void) {
    /* If it fails: some mix of characters (marks, ligatures, controls,
     * scripts) normalises differently on the fast path. */
    static const unsigned pool[] = {
        'a',    'Z',    ' ',    '\t',   '.',    '1',    0x627,   0x623,
        0x625,  0x622,  0x671,  0x649,  0x629,  0x644,  0x64B,   0x64E,
        0x651,  0x652,  0x653,  0x654,  0x655,  0x670,  0x640,   0x200B,
        0x200C, 0x200D, 0x200E, 0x200F, 0x202B, 0x2066, 0x061C,  0xFEFF,
        0xFEFB, 0xFEF5, 0xFDF2, 0xFDFA, 0xFE8D, 0xFE91, 0xFF21,  0xFF41,
        0xFF11, 0x301,  0x300,  0x308,  0xE9,   0x1100, 0x1161,  0x11A8,
        0xAC00, 0xDF,   0xA0,   0xB9,   0x660,  0x6F5,  0x1D400, 0x1F600,
        0x2126, 0x212B, 0x30A,  0x345,  0x130,  0x3A3,  0x6D6,   0x610,
        0x6DD,  0xFB50, 0x2028, 0x85,   0x0,    0x7F,   0x9F,    0x3000,
        0x5D0,  0x5B4,  0xE01,  0xE48,  0xFE0F, 0x34F,  0x115F,  0xFFA0,
        0xF900, 0x338,  0x3D};
    if (!open_both())
        return;
    unsigned seed = 1;
    size_t differ = 0, runs = 20000;
    for (size_t r = 0; r < runs; r++) {
        char buf[128];
        size_t len = 0, n = (seed = seed * 1103515245u + 12345u) >> 16 & 15;
        for (size_t k = 0; k < n; k++) {
            seed = seed * 1103515245u + 12345u;
            unsigned c =
                (seed >> 8) % 4 == 0
                    ? (seed >> 12) % 0x3000
                    : pool[(seed >> 12) % (sizeof pool / sizeof *pool)];
            len += put_utf8(buf + len, c >= 0xD800 && c < 0xE000 ? 'x' : c);
        }
        rk_norm_opts_t o = rk_norm_opts_default();
        o.alef = r & 1;
        o.alef_maqsura = r >> 1 & 1;
        o.ta_marbuta = r >> 2 & 1;
        differ += !both_paths(buf, len, &o, NULL);
    }
    CHECK(differ == 0, "%zu of %zu random texts normalise differently", differ,
          runs);
    close_both();
}

TEST_LIST = {{"arabic_mappings", test_arabic_mappings},
             {"latin_and_space", test_latin_and_space},
             {"switches", test_switches},
             {"invalid_utf8", test_invalid_utf8},
             {"idempotent_on_seeds", test_idempotent_on_seeds},
             {"fast_path_kinds", test_fast_path_kinds},
             {"invalid_utf8_offsets", test_invalid_utf8_offsets},
             {"fast_path_on_seeds", test_fast_path_on_seeds},
             {"fast_path_random", test_fast_path_random},
             {NULL, NULL}};
