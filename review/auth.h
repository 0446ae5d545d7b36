/*
 * auth.h - who may use the review page, and the secrets that say so: the
 * access token (from a file), sessions with their CSRF tokens, random
 * secrets from /dev/urandom and a constant-time comparison.
 *
 * The rules (the server, server.c, applies them): on a loopback address
 * the page needs no token, unless one is given; on any other address a
 * token is required. Every state-changing request carries its session's
 * CSRF token, compared in constant time. Sessions are few and bounded
 * (RK_REVIEW_MAX_SESSIONS, the oldest replaced first: its page then has
 * to be reloaded). The session table is not thread-safe: the server uses
 * it from its one thread.
 */
#ifndef RK_REVIEW_AUTH_H
#define RK_REVIEW_AUTH_H

#include <stddef.h>

#include "core/err.h"

/* An access token is 16..256 characters of [A-Za-z0-9._~+/=-] (what
 * `head -c 32 /dev/urandom | base64` writes), so it can travel in a
 * header, a cookie and a URL query unchanged. */
#define RK_REVIEW_TOKEN_MIN_BYTES 16
#define RK_REVIEW_TOKEN_MAX_BYTES 256

/* Session ids and CSRF tokens: 16 random bytes as 32 hex digits. */
#define RK_REVIEW_SECRET_BYTES 16
#define RK_REVIEW_SECRET_HEX (2 * RK_REVIEW_SECRET_BYTES)

/* Sessions remembered at once. */
#define RK_REVIEW_MAX_SESSIONS 256

/* Reads the token from path: the file's content less trailing white
 * space (a final newline). A missing file, or a token too short, too long
 * or with other characters, is RK_ERR_USAGE naming the file. The caller
 * frees *token. */
rk_err_t rk_review_token_load(const char *path, char **token, char *errstr,
                              size_t errstr_size);

/* Whether s[0..len) is a well-formed token (as above). */
int rk_review_token_valid(const char *s, size_t len);

/* 1 when a[0..alen) equals b[0..blen); the time taken depends on the
 * lengths only, never on where the contents differ. */
int rk_review_equal(const char *a, size_t alen, const char *b, size_t blen);

/* Writes n random bytes from /dev/urandom as 2n hex digits and a NUL into
 * out (2n + 1 bytes). RK_ERR_IO when /dev/urandom cannot be read. */
rk_err_t rk_review_random_hex(char *out, size_t n, char *errstr,
                              size_t errstr_size);

/* Whether addr (an IPv4 or IPv6 literal) is a loopback address
 * (127.0.0.0/8, ::1). */
int rk_review_is_loopback(const char *addr);

typedef struct rk_review_sessions_s rk_review_sessions_t;

/* NULL when out of memory. */
rk_review_sessions_t *rk_review_sessions_new(void);
void rk_review_sessions_destroy(rk_review_sessions_t *s);

/* Opens a session, replacing the oldest when the table is full: writes
 * its id and CSRF token (RK_REVIEW_SECRET_HEX + 1 bytes each). */
rk_err_t rk_review_session_open(rk_review_sessions_t *s, char *id, char *csrf,
                                char *errstr, size_t errstr_size);

/* Finds the session id: 1 and its CSRF token copied into csrf
 * (RK_REVIEW_SECRET_HEX + 1 bytes), or 0 when there is none. */
int rk_review_session_find(const rk_review_sessions_t *s, const char *id,
                           char *csrf);

#endif
