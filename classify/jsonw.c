/*
 * jsonw.c - see jsonw.h.
 */
#include "classify/jsonw.h"

#include <assert.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/utf8.h"

void rk_jsonw_reset(rk_jsonw_t *w) {
    w->len = 0;
    w->failed = 0;
}

void rk_jsonw_free(rk_jsonw_t *w) {
    free(w->p);
    w->p = NULL;
    w->len = w->cap = 0;
}

/* Room for n more bytes (and a NUL). */
static int room(rk_jsonw_t *w, size_t n) {
    if (w->failed)
        return 0;
    if (w->len + n + 1 <= w->cap ||
        rk_grow(&w->p, &w->cap, w->len + n + 1, 1, 1024))
        return 1;
    w->failed = 1;
    return 0;
}

void rk_jsonw_raw(rk_jsonw_t *w, const char *s, size_t n) {
    if (!room(w, n))
        return;
    memcpy(w->p + w->len, s, n);
    w->len += n;
}

void rk_jsonw_lit(rk_jsonw_t *w, const char *s) {
    rk_jsonw_raw(w, s, strlen(s));
}

void rk_jsonw_str(rk_jsonw_t *w, const char *s, size_t n) {
    if (!rk_utf8_valid(s, n, NULL))
        w->failed = 1;
    else
        rk_jsonw_str_valid(w, s, n);
}

void rk_jsonw_str_valid(rk_jsonw_t *w, const char *s, size_t n) {
    assert(rk_utf8_valid(s, n, NULL));
    /* At worst six bytes a byte (\u00XX), and the quotes. */
    if (!room(w, 6 * n + 2))
        return;
    char *o = w->p + w->len;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            *o++ = (char)c;
            continue;
        }
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\b': *o++ = 'b'; break;
        case '\f': *o++ = 'f'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        default:
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = "0123456789ABCDEF"[c >> 4];
            *o++ = "0123456789ABCDEF"[c & 15];
        }
    }
    *o++ = '"';
    w->len = (size_t)(o - w->p);
}

void rk_jsonw_int(rk_jsonw_t *w, long long v) {
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%lld", v);
    rk_jsonw_raw(w, buf, (size_t)n);
}

int rk_jsonw_real(rk_jsonw_t *w, double v) {
    if (!isfinite(v))
        return 0;
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%.17g", v);
    if (n < 0 || (size_t)n >= sizeof buf - 3) {
        w->failed = 1;
        return 1;
    }
    /* A locale's decimal point, if not '.', back to '.'. */
    const char *point = localeconv()->decimal_point;
    char *at;
    if (*point != '.' && (at = strchr(buf, *point)))
        *at = '.';
    /* A dot or an 'e', or the value would read back as an integer. */
    if (!strchr(buf, '.') && !strchr(buf, 'e')) {
        memcpy(buf + n, ".0", 3);
        n += 2;
    }
    /* The exponent without '+' and without leading zeros. */
    char *e = strchr(buf, 'e');
    if (e) {
        char *start = e + 1, *end = start + 1;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, (size_t)(buf + n - end) + 1);
            n -= (int)(end - start);
        }
    }
    rk_jsonw_raw(w, buf, (size_t)n);
    return 1;
}
