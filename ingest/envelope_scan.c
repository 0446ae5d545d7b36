/*
 * envelope_scan.c - see envelope_scan.h.
 *
 * A recursive-descent reader of one grammar only: ws '{' ws [member (ws ','
 * ws member)*] ws '}' ws, member = key ws ':' ws (string | null), where a
 * key is a string without escapes. Strings are decoded as RFC 8259 says
 * (jansson's reading: \u0000 and unpaired surrogates are errors, which
 * here means declined).
 */
#include "ingest/envelope_scan.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct scan_s {
    const char *p;
    size_t len, at;
} scan_t;

static void skip_ws(scan_t *s) {
    while (s->at < s->len && (s->p[s->at] == ' ' || s->p[s->at] == '\t' ||
                              s->p[s->at] == '\n' || s->p[s->at] == '\r'))
        s->at++;
}

/* The value of four hex digits at p, or -1. */
static long hex4(const char *p) {
    long v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Writes code point cp as UTF-8 at out; returns its length. */
static size_t put_utf8(char *out, long cp) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The escape after a backslash at s->p[s->at] (the byte after '\'),
 * decoded into out (NULL: only checked); advances past it. Returns the
 * bytes written, or -1 to decline. */
static int escape(scan_t *s, char *out) {
    static const char plain[] = "\"\\/bfnrt", value[] = "\"\\/\b\f\n\r\t";
    char c = s->p[s->at];
    const char *k = c ? strchr(plain, c) : NULL;
    if (k) {
        if (out)
            *out = value[k - plain];
        s->at++;
        return 1;
    }
    if (c != 'u' || s->len - s->at < 5)
        return -1;
    long cp = hex4(s->p + s->at + 1);
    s->at += 5;
    if (cp <= 0 || (cp >= 0xDC00 && cp <= 0xDFFF))
        return -1; /* \u0000, a bad digit, a low surrogate alone */
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (s->len - s->at < 6 || s->p[s->at] != '\\' || s->p[s->at + 1] != 'u')
            return -1;
        long lo = hex4(s->p + s->at + 2);
        if (lo < 0xDC00 || lo > 0xDFFF)
            return -1;
        s->at += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    char buf[4];
    return (int)put_utf8(out ? out : buf, cp);
}

/* The first byte from i on that a plain run of a string stops at: a
 * quote, a backslash or a control character (or len). */
static size_t plain_end(const scan_t *s, size_t i) {
    while (i < s->len) {
        unsigned char c = (unsigned char)s->p[i];
        if (c == '"' || c == '\\' || c < 0x20)
            break;
        i++;
    }
    return i;
}

/* The closing quote of the string whose contents start at p (a quote
 * after an even run of backslashes), or NULL before end. */
static const char *closing_quote(const char *p, const char *end) {
    for (const char *q = p; (q = memchr(q, '"', (size_t)(end - q))); q++) {
        size_t backslashes = 0;
        while (q - backslashes > p && q[-1 - (ptrdiff_t)backslashes] == '\\')
            backslashes++;
        if (backslashes % 2 == 0)
            return q;
    }
    return NULL;
}

/* The string whose opening quote is at s->at, decoded into a new buffer
 * when want (else only checked). Returns 1, 0 to decline, -1 on OOM. A
 * JSON string never decodes longer than it is written, so its raw length
 * bounds the buffer. */
static int string(scan_t *s, int want, char **out, size_t *out_len) {
    if (s->at >= s->len || s->p[s->at] != '"')
        return 0;
    size_t start = ++s->at;
    const char *end = closing_quote(s->p + start, s->p + s->len);
    if (!end)
        return 0;
    char *buf = NULL;
    if (want && !(buf = malloc((size_t)(end - (s->p + start)) + 1)))
        return -1;
    size_t n = 0;
    for (;;) {
        size_t run = plain_end(s, s->at);
        if (buf)
            memcpy(buf + n, s->p + s->at, run - s->at);
        n += run - s->at;
        s->at = run;
        if (s->at >= s->len || (unsigned char)s->p[s->at] < 0x20)
            break; /* unterminated, or a raw control character */
        if (s->p[s->at] == '"') {
            s->at++;
            if (buf) {
                buf[n] = '\0';
                *out = buf;
                *out_len = n;
            }
            return 1;
        }
        s->at++; /* the backslash */
        int w = s->at < s->len ? escape(s, buf ? buf + n : NULL) : -1;
        if (w < 0)
            break;
        n += (size_t)w;
    }
    free(buf);
    return 0;
}

/* A key: a string without escapes (so keys compare as written). Sets
 * *key, *key_len to the bytes between the quotes. */
static int key(scan_t *s, const char **k, size_t *k_len) {
    if (s->at >= s->len || s->p[s->at] != '"')
        return 0;
    size_t start = s->at + 1, i = plain_end(s, start);
    if (i >= s->len || s->p[i] != '"')
        return 0;
    *k = s->p + start;
    *k_len = i - start;
    s->at = i + 1;
    return 1;
}

static int is_key(const char *k, size_t n, const char *name) {
    return n == strlen(name) && memcmp(k, name, n) == 0;
}

/* The field a key names, or NULL for one the document does not take. */
static rk_env_field_t *field(rk_env_scan_t *out, const char *k, size_t n) {
    return is_key(k, n, "id")     ? &out->id
           : is_key(k, n, "text") ? &out->text
           : is_key(k, n, "lang") ? &out->lang
                                  : NULL;
}

/* One member's value: a string (decoded into f when f) or null; "meta"
 * may only be null here (an object goes to jansson). */
static int value(scan_t *s, rk_env_field_t *f, int is_meta) {
    if (s->len - s->at >= 4 && memcmp(s->p + s->at, "null", 4) == 0) {
        s->at += 4;
        if (f)
            f->kind = RK_ENV_NULL;
        return 1;
    }
    if (is_meta)
        return 0;
    int r = string(s, f != NULL, f ? &f->s : NULL, f ? &f->len : NULL);
    if (r == 1 && f)
        f->kind = RK_ENV_STRING;
    return r;
}

static int members(scan_t *s, rk_env_scan_t *out) {
    const char *keys[RK_ENV_SCAN_MAX_KEYS];
    size_t key_lens[RK_ENV_SCAN_MAX_KEYS], n = 0;
    skip_ws(s);
    if (s->at < s->len && s->p[s->at] == '}') {
        s->at++;
        return 1;
    }
    for (;;) {
        const char *k;
        size_t k_len;
        if (n == RK_ENV_SCAN_MAX_KEYS || !key(s, &k, &k_len))
            return 0;
        for (size_t i = 0; i < n; i++)
            if (key_lens[i] == k_len && memcmp(keys[i], k, k_len) == 0)
                return 0; /* a duplicate: jansson words the refusal */
        keys[n] = k;
        key_lens[n++] = k_len;
        skip_ws(s);
        if (s->at >= s->len || s->p[s->at] != ':')
            return 0;
        s->at++;
        skip_ws(s);
        int r = value(s, field(out, k, k_len), is_key(k, k_len, "meta"));
        if (r != 1)
            return r;
        skip_ws(s);
        if (s->at >= s->len)
            return 0;
        char c = s->p[s->at++];
        if (c == '}')
            return 1;
        if (c != ',')
            return 0;
        skip_ws(s);
    }
}

int rk_env_scan(const char *p, size_t len, rk_env_scan_t *out) {
    memset(out, 0, sizeof *out);
    scan_t s = {p, len, 0};
    skip_ws(&s);
    if (s.at >= s.len || s.p[s.at] != '{')
        return 0;
    s.at++;
    int r = members(&s, out);
    skip_ws(&s);
    if (r == 1 && s.at != s.len)
        r = 0; /* something after the object */
    if (r != 1)
        rk_env_scan_clear(out);
    return r;
}

void rk_env_scan_clear(rk_env_scan_t *s) {
    free(s->id.s);
    free(s->text.s);
    free(s->lang.s);
    memset(s, 0, sizeof *s);
}
