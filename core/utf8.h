/*
 * utf8.h - strict UTF-8 validation and script counting.
 *
 * Strict means what RFC 3629 means: no overlong forms, no surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF. Every module that accepts
 * text from outside checks it here first, so the error names a byte offset.
 */
#ifndef RK_UTF8_H
#define RK_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Returns 1 when buf[0..len) is valid UTF-8; otherwise 0 and, when
 * bad_offset is not NULL, the offset of the first invalid byte. */
int rk_utf8_valid(const char *buf, size_t len, size_t *bad_offset);

/* Decodes the code point at s[*i] (s valid UTF-8) and advances *i. */
uint32_t rk_utf8_next(const char *s, size_t len, size_t *i);

/* Bytes in the sequence led by lead (s valid UTF-8, so lead is a lead). */
static inline size_t rk_utf8_seq_len(unsigned char lead) {
    return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

/* 1 when b continues a sequence (10xxxxxx) rather than starting one. */
static inline int rk_utf8_is_cont(unsigned char b) {
    return (b & 0xC0) == 0x80;
}

/* The largest code point boundary <= i and >= lo in s (valid UTF-8): where
 * a cut at byte i must move to keep whole characters. */
static inline size_t rk_utf8_floor(const char *s, size_t lo, size_t i) {
    while (i > lo && rk_utf8_is_cont((unsigned char)s[i]))
        i--;
    return i;
}

/* The number of code points in s[0..len) (valid UTF-8). */
size_t rk_utf8_count(const char *s, size_t len);

/* The language of a text by its dominant script: "ar" when Arabic-script
 * letters are at least as many as Latin ones, "en" when Latin letters
 * dominate, "und" when it has no letters of either. */
const char *rk_utf8_script_lang(const char *s, size_t len);

#endif
