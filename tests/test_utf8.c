/*
 * test_utf8.c - strict UTF-8 validation and script counting (core/utf8.h):
 * the shortcuts (eight ASCII bytes at once, two-byte sequences inline)
 * must accept and refuse exactly what a plain byte-by-byte reading of RFC
 * 3629 does, at the same offset, and count scripts as code point by code
 * point decoding does. If these fail, a document is refused (or accepted)
 * wrongly, or a paragraph gets the wrong language.
 */
#include <stdint.h>
#include <string.h>

#include "core/utf8.h"
#include "testutil.h"

/* RFC 3629 byte by byte: the reference the shortcuts must match. */
static int reference_valid(const unsigned char *s, size_t len, size_t *bad) {
    for (size_t i = 0; i < len;) {
        unsigned c = s[i];
        size_t need = c < 0x80   ? 0
                      : c < 0xC2 ? 9
                      : c < 0xE0 ? 1
                      : c < 0xF0 ? 2
                      : c < 0xF5 ? 3
                                 : 9;
        uint32_t cp = need == 0   ? c
                      : need == 1 ? c & 0x1F
                      : need == 2 ? c & 0x0F
                                  : c & 0x07;
        int ok = need != 9 && len - i > need;
        for (size_t k = 1; ok && k <= need; k++) {
            ok = (s[i + k] & 0xC0) == 0x80;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        uint32_t min = need == 1 ? 0x80 : need == 2 ? 0x800 : 0x10000;
        if (ok && need)
            ok = cp >= min && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
        if (!ok) {
            *bad = i;
            return 0;
        }
        i += need + 1;
    }
    return 1;
}

static void test_known_cases(void) {
    /* If it fails: a classic invalid form is accepted or named wrongly. */
    static const struct {
        const char *s;
        size_t len;
        int valid;
        size_t bad;
    } cases[] = {
        {"plain ASCII text, long enough for 8 at once", 44, 1, 0},
        {"\xd8\xa7\xd9\x84\xd8\xa3\xd9\x85\xd9\x85", 10, 1, 0},
        {"12345678\xff", 9, 0, 8},
        {"abcdefgh\xc3", 9, 0, 8},        /* truncated 2-byte */
        {"abc\xc0\xaf", 5, 0, 3},         /* overlong '/' */
        {"abc\xc1\xbf", 5, 0, 3},         /* overlong */
        {"\xd8\xa7\xd8", 3, 0, 2},        /* truncated after Arabic */
        {"\xd8\xa7\xd8\x41", 4, 0, 2},    /* lead then ASCII */
        {"ab\xed\xa0\x80", 5, 0, 2},      /* surrogate */
        {"\xe0\x80\xaf", 3, 0, 0},        /* overlong 3-byte */
        {"\xf4\x90\x80\x80", 4, 0, 0},    /* above U+10FFFF */
        {"\xf0\x9f\x98\x80 ok", 7, 1, 0}, /* emoji */
        {"\x80", 1, 0, 0},                /* lone continuation */
        {"abcdefg\xd8\xa7xyzabcdefgh", 20, 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t bad = 99;
        int valid = rk_utf8_valid(cases[i].s, cases[i].len, &bad);
        CHECK(valid == cases[i].valid && (valid || bad == cases[i].bad),
              "case %zu: %s at %zu, got %s at %zu", i,
              cases[i].valid ? "valid" : "invalid", cases[i].bad,
              valid ? "valid" : "invalid", bad);
    }
}

static void test_random_bytes(void) {
    /* If it fails: some byte sequence is judged unlike RFC 3629. */
    static const unsigned char pick[] = {'a',  ' ',  0x7F, 0x80, 0xBF, 0xC0,
                                         0xC2, 0xD8, 0xDF, 0xE0, 0xED, 0xEF,
                                         0xF0, 0xF4, 0xF5, 0xFF, 0xA7, 0x9F};
    unsigned seed = 3;
    size_t differ = 0, runs = 200000;
    for (size_t r = 0; r < runs; r++) {
        unsigned char buf[24];
        size_t len = (seed = seed * 1103515245u + 12345u) >> 16 & 15;
        for (size_t k = 0; k < len; k++) {
            seed = seed * 1103515245u + 12345u;
            buf[k] = (seed >> 20) % 3 ? 'x' + (seed >> 8 & 1)
                                      : pick[(seed >> 12) % sizeof pick];
        }
        size_t b1 = 0, b2 = 0;
        int v1 = rk_utf8_valid((const char *)buf, len, &b1);
        int v2 = reference_valid(buf, len, &b2);
        differ += v1 != v2 || (!v1 && b1 != b2);
    }
    CHECK(differ == 0,
          "%zu of %zu random byte strings judged unlike the "
          "reference",
          differ, runs);
}

static void test_script_lang(void) {
    /* If it fails: a paragraph is labelled with the wrong language. */
    static const struct {
        const char *s, *lang;
    } cases[] = {
        {"The Security Council", "en"},
        {"مجلس الأمن", "ar"},
        {"مجلس UN", "ar"}, /* 4 Arabic letters to 2 Latin */
        {"UN Security مجلس", "en"},
        {"2016 - (1)", "und"},
        {"Ébauche à l'ONU", "en"},
        {"ab مج", "ar"}, /* a tie goes to Arabic */
        {"ﻻ ﷲ", "ar"},   /* presentation forms */
        {"", "und"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *got = rk_utf8_script_lang(cases[i].s, strlen(cases[i].s));
        CHECK(!strcmp(got, cases[i].lang), "'%s' is %s, got %s", cases[i].s,
              cases[i].lang, got);
    }
}

/* Code point by code point, with the letter ranges written out: the
 * reference for rk_utf8_script_lang's bitmaps. */
static const char *reference_lang(const char *s, size_t len) {
    size_t arabic = 0, latin = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp = rk_utf8_next(s, len, &i);
        if ((cp >= 0x0620 && cp <= 0x064A) || (cp >= 0x066E && cp <= 0x06D3) ||
            (cp >= 0x06FA && cp <= 0x06FF) || (cp >= 0x0750 && cp <= 0x077F) ||
            (cp >= 0xFB50 && cp <= 0xFDFF) || (cp >= 0xFE70 && cp <= 0xFEFC))
            arabic++;
        else if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
                 (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7))
            latin++;
    }
    return !arabic && !latin ? "und" : arabic >= latin ? "ar" : "en";
}

static size_t put_utf8(char *buf, uint32_t c) {
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

static void test_script_lang_every_character(void) {
    /* If it fails: some character counts as a letter of the wrong script
     * (or of none), and paragraphs with it get the wrong language. */
    size_t differ = 0, tried = 0;
    uint32_t first_bad = 0;
    for (uint32_t c = 1; c < 0x110000; c++) {
        if (c >= 0xD800 && c < 0xE000)
            continue;
        /* Alone, and against one Latin letter (a tie goes to Arabic). */
        char buf[8];
        size_t n = put_utf8(buf, c);
        buf[n] = 'x';
        for (size_t len = n; len <= n + 1; len++, tried++)
            if (strcmp(rk_utf8_script_lang(buf, len),
                       reference_lang(buf, len)) &&
                !differ++)
                first_bad = c;
    }
    unsigned seed = 9;
    for (int r = 0; r < 100000; r++, tried++) {
        char buf[64];
        size_t len = 0, k = (seed = seed * 1103515245u + 12345u) >> 16 & 15;
        for (size_t j = 0; j < k; j++) {
            seed = seed * 1103515245u + 12345u;
            uint32_t c =
                (seed >> 8) % 3 ? (seed >> 12) % 0x800 : (seed >> 8) % 0x10000;
            len += put_utf8(buf + len, c >= 0xD800 && c < 0xE000 ? 'a' : c);
        }
        differ += strcmp(rk_utf8_script_lang(buf, len),
                         reference_lang(buf, len)) != 0;
    }
    CHECK(differ == 0,
          "%zu of %zu texts get another language than code "
          "point by code point counting (first U+%04X)",
          differ, tried, (unsigned)first_bad);
}

TEST_LIST = {{"known_cases", test_known_cases},
             {"random_bytes", test_random_bytes},
             {"script_lang", test_script_lang},
             {"script_lang_every_character", test_script_lang_every_character},
             {NULL, NULL}};
