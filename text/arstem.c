/*
 * arstem.c - see arstem.h.
 */
#include "text/arstem.h"

#include <string.h>

/* Letters (code points) in s[0..len): every byte but continuation bytes
 * starts one. */
static size_t letters(const char *s, size_t len) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* Whether s[0..len) starts (end 0) or ends (end 1) with affix. */
static int has(const char *s, size_t len, const char *affix, int end) {
    size_t n = strlen(affix);
    return n < len && memcmp(end ? s + len - n : s, affix, n) == 0;
}

#define WAW "\xD9\x88"                                             /* و */
static const char *const articles[] = {WAW "\xD8\xA7\xD9\x84",     /* وال */
                                       "\xD8\xA8\xD8\xA7\xD9\x84", /* بال */
                                       "\xD9\x83\xD8\xA7\xD9\x84", /* كال */
                                       "\xD9\x81\xD8\xA7\xD9\x84", /* فال */
                                       "\xD9\x84\xD9\x84",         /* لل */
                                       "\xD8\xA7\xD9\x84",         /* ال */
                                       NULL};
static const char *const suffixes[] = {"\xD9\x87\xD8\xA7", /* ها */
                                       "\xD8\xA7\xD9\x86", /* ان */
                                       "\xD8\xA7\xD8\xAA", /* ات */
                                       "\xD9\x88\xD9\x86", /* ون */
                                       "\xD9\x8A\xD9\x86", /* ين */
                                       "\xD9\x8A\xD9\x87", /* يه */
                                       "\xD9\x8A\xD8\xA9", /* ية */
                                       "\xD9\x87",         /* ه */
                                       "\xD8\xA9",         /* ة */
                                       "\xD9\x8A",         /* ي */
                                       NULL};

const char *rk_arstem_light(const char *w, size_t len, size_t *stem_len) {
    size_t n = letters(w, len);
    if (has(w, len, WAW, 0) && n >= 1 + 3) {
        w += strlen(WAW);
        len -= strlen(WAW);
        n--;
    }
    for (size_t i = 0; articles[i]; i++)
        if (has(w, len, articles[i], 0) &&
            n >= letters(articles[i], strlen(articles[i])) + 2) {
            size_t k = strlen(articles[i]);
            w += k;
            len -= k;
            n -= letters(articles[i], k);
            break;
        }
    for (size_t i = 0; suffixes[i]; i++) {
        size_t k = strlen(suffixes[i]), m = letters(suffixes[i], k);
        if (has(w, len, suffixes[i], 1) && n >= m + 2) {
            len -= k;
            n -= m;
        }
    }
    *stem_len = len;
    return w;
}
