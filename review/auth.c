/*
 * auth.c - see auth.h.
 */
#include "review/auth.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"

rk_err_t rk_review_token_load(const char *path, char **token, char *errstr,
                              size_t n) {
    char *buf = NULL, e[512];
    size_t len = 0;
    *token = NULL;
    /* A token file is one line; anything much larger is not one. */
    if (rk_file_read(path, 4096, &buf, &len, e, sizeof e) != RK_OK)
        return rk_fail(RK_ERR_USAGE, errstr, n, "token file: %s", e);
    while (len && strchr(" \t\r\n", buf[len - 1]))
        buf[--len] = '\0';
    if (!rk_review_token_valid(buf, len)) {
        free(buf);
        return rk_fail(RK_ERR_USAGE, errstr, n,
                       "token file '%s' must hold one token of %d..%d "
                       "characters [A-Za-z0-9._~+/=-] (e.g. `head -c 32 "
                       "/dev/urandom | base64`)",
                       path, RK_REVIEW_TOKEN_MIN_BYTES,
                       RK_REVIEW_TOKEN_MAX_BYTES);
    }
    *token = buf;
    return RK_OK;
}

int rk_review_token_valid(const char *s, size_t len) {
    if (!s || len < RK_REVIEW_TOKEN_MIN_BYTES ||
        len > RK_REVIEW_TOKEN_MAX_BYTES)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || strchr("._~+/=-", c)) ||
            c == '\0')
            return 0;
    }
    return 1;
}

int rk_review_equal(const char *a, size_t alen, const char *b, size_t blen) {
    /* Every byte of the longer is looked at whatever the contents; a length
     * mismatch fails the comparison but not earlier. */
    size_t n = alen > blen ? alen : blen;
    unsigned char diff = alen != blen;
    for (size_t i = 0; i < n; i++) {
        unsigned char x = i < alen ? (unsigned char)a[i] : 0;
        unsigned char y = i < blen ? (unsigned char)b[i] : 0;
        diff |= x ^ y;
    }
    return diff == 0;
}

rk_err_t rk_review_random_hex(char *out, size_t n, char *errstr,
                              size_t errstr_size) {
    unsigned char buf[64];
    if (n > sizeof buf)
        return rk_fail(RK_ERR_INTERNAL, errstr, errstr_size,
                       "at most %zu random bytes at once", sizeof buf);
    FILE *f = fopen("/dev/urandom", "rb");
    size_t got = f ? fread(buf, 1, n, f) : 0;
    if (f)
        fclose(f);
    if (got != n)
        return rk_fail(RK_ERR_IO, errstr, errstr_size,
                       "cannot read /dev/urandom");
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", buf[i]);
    out[2 * n] = '\0';
    return RK_OK;
}

int rk_review_is_loopback(const char *addr) {
    struct in_addr v4;
    struct in6_addr v6;
    if (inet_pton(AF_INET, addr, &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, addr, &v6) == 1)
        return !memcmp(&v6, &in6addr_loopback, sizeof v6);
    return 0;
}

/* ---- sessions --------------------------------------------------------- */

typedef struct session_s {
    char id[RK_REVIEW_SECRET_HEX + 1], csrf[RK_REVIEW_SECRET_HEX + 1];
    unsigned long long opened; /* 0: free */
} session_t;

struct rk_review_sessions_s {
    session_t s[RK_REVIEW_MAX_SESSIONS];
    unsigned long long seq;
};

rk_review_sessions_t *rk_review_sessions_new(void) {
    return calloc(1, sizeof(rk_review_sessions_t));
}

void rk_review_sessions_destroy(rk_review_sessions_t *s) {
    free(s);
}

rk_err_t rk_review_session_open(rk_review_sessions_t *s, char *id, char *csrf,
                                char *errstr, size_t n) {
    size_t slot = 0;
    for (size_t i = 1; i < RK_REVIEW_MAX_SESSIONS; i++)
        if (s->s[i].opened < s->s[slot].opened)
            slot = i; /* a free slot (0), else the oldest */
    session_t *x = &s->s[slot];
    rk_err_t err =
        rk_review_random_hex(x->id, RK_REVIEW_SECRET_BYTES, errstr, n);
    if (!err)
        err = rk_review_random_hex(x->csrf, RK_REVIEW_SECRET_BYTES, errstr, n);
    if (err) {
        memset(x, 0, sizeof *x);
        return err;
    }
    x->opened = ++s->seq;
    memcpy(id, x->id, sizeof x->id);
    memcpy(csrf, x->csrf, sizeof x->csrf);
    return RK_OK;
}

int rk_review_session_find(const rk_review_sessions_t *s, const char *id,
                           char *csrf) {
    size_t len = strlen(id);
    int found = 0;
    if (len != RK_REVIEW_SECRET_HEX)
        return 0;
    for (size_t i = 0; i < RK_REVIEW_MAX_SESSIONS; i++) {
        const session_t *x = &s->s[i];
        if (x->opened &&
            rk_review_equal(x->id, RK_REVIEW_SECRET_HEX, id, len)) {
            memcpy(csrf, x->csrf, sizeof x->csrf);
            found = 1;
        }
    }
    return found;
}
