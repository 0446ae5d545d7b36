/*
 * utf8.c - see utf8.h.
 */
#include "core/utf8.h"

#include <string.h>

int rk_utf8_valid(const char *buf, size_t len, size_t *bad_offset) {
    const unsigned char *s = (const unsigned char *)buf;
    size_t i = 0;
    while (i < len) {
        uint64_t eight;
        if (len - i >= 8 && (memcpy(&eight, s + i, 8), /* ASCII: 8 at once */
                             !(eight & 0x8080808080808080ull))) {
            i += 8;
            continue;
        }
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        /* Two bytes (Arabic, accented Latin), as the general case below
         * would find them. */
        if (c >= 0xC2 && c <= 0xDF && len - i > 1 &&
            (s[i + 1] & 0xC0) == 0x80) {
            i += 2;
            continue;
        }
        size_t need;
        uint32_t cp, min;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1, cp = c & 0x1F, min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2, cp = c & 0x0F, min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3, cp = c & 0x07, min = 0x10000;
        } else {
            goto bad; /* continuation byte, C0/C1 overlong lead, F5+ */
        }
        if (len - i <= need)
            goto bad;
        for (size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                goto bad;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            goto bad;
        i += need + 1;
    }
    return 1;
bad:
    if (bad_offset)
        *bad_offset = i;
    return 0;
}

uint32_t rk_utf8_next(const char *str, size_t len, size_t *i) {
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c = s[*i];
    size_t need = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    uint32_t cp = need == 0   ? c
                  : need == 1 ? (c & 0x1Fu)
                  : need == 2 ? (c & 0x0Fu)
                              : (c & 0x07u);
    size_t k = 1;
    for (; k <= need && *i + k < len; k++)
        cp = (cp << 6) | (s[*i + k] & 0x3Fu);
    *i += k;
    return cp;
}

static int is_arabic_letter(uint32_t cp) {
    return (cp >= 0x0620 && cp <= 0x064A) || (cp >= 0x066E && cp <= 0x06D3) ||
           (cp >= 0x06FA && cp <= 0x06FF) || (cp >= 0x0750 && cp <= 0x077F) ||
           (cp >= 0xFB50 && cp <= 0xFDFF) || (cp >= 0xFE70 && cp <= 0xFEFC);
}

static int is_latin_letter(uint32_t cp) {
    return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
           (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7);
}

/* The same letters from U+0080 to U+07FF as bitmaps, a bit a code point:
 * two-byte characters (Arabic, accented Latin) are counted without a
 * comparison. */
static const uint64_t arabic_below_800[32] = {[24] = 0xffffffff00000000ull,
                                              [25] = 0xffffc000000007ffull,
                                              [26] = 0xffffffffffffffffull,
                                              [27] = 0xfc000000000fffffull,
                                              [29] = 0xffffffffffff0000ull};
static const uint64_t latin_below_800[32] = {
    [1] = 0x7fffffe07fffffeull,  [3] = 0xff7fffffff7fffffull,
    [4] = 0xffffffffffffffffull, [5] = 0xffffffffffffffffull,
    [6] = 0xffffffffffffffffull, [7] = 0xffffffffffffffffull,
    [8] = 0xffffffffffffffffull, [9] = 0xffffull};

const char *rk_utf8_script_lang(const char *s, size_t len) {
    const unsigned char *u = (const unsigned char *)s;
    size_t arabic = 0, latin = 0, i = 0;
    while (i < len) {
        uint32_t cp = u[i];
        if (cp < 0x80) {
            latin += (unsigned)((cp | 0x20) - 'a') < 26;
            i++;
            continue;
        }
        if (cp < 0xE0 && len - i > 1) { /* as rk_utf8_next decodes */
            cp = ((cp & 0x1Fu) << 6) | (u[i + 1] & 0x3Fu);
            i += 2;
        } else {
            cp = rk_utf8_next(s, len, &i);
            arabic += is_arabic_letter(cp);
            latin += !is_arabic_letter(cp) && is_latin_letter(cp);
            continue;
        }
        arabic += arabic_below_800[cp >> 6] >> (cp & 63) & 1;
        latin += latin_below_800[cp >> 6] >> (cp & 63) & 1;
    }
    if (!arabic && !latin)
        return "und";
    return arabic >= latin ? "ar" : "en";
}

size_t rk_utf8_count(const char *s, size_t len) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += !rk_utf8_is_cont((unsigned char)s[i]);
    return n;
}
