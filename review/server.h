/*
 * server.h - the review page's HTTP server: libmicrohttpd on one thread of
 * its own, answering
 *
 *   GET  /                 the page (opens a session: a cookie, and its
 *                          CSRF token written into the page)
 *   GET  /?token=T         with an access token: checks T, sets it as a
 *                          cookie and redirects to / (303)
 *   GET  /review.js, /review.css   the page's script and style
 *   GET  /items?doc=D&label=L&abstained=1&lang=X&offset=N&limit=N
 *                          the queue as JSON (view.h)
 *   POST /label            {"doc_id", "index", "label"}: publishes the
 *                          labelled sample and answers
 *                          {"key", "label", "labelled": {...}}
 *
 * Every request passes these checks first, in order: the method (405);
 * without a token, a Host header naming this server by a loopback name
 * (localhost, 127.0.0.1, [::1], or the bound address) and its port (403:
 * a page of another site that made its name point here, DNS rebinding,
 * cannot read the queue); with a token, the token (401) as "Authorization:
 * Bearer T" or the cookie set at login. POST /label also needs an Origin
 * equal to the Host (403), Content-Type application/json (415), the
 * session's cookie and its CSRF token in X-CSRF-Token, compared in
 * constant time (403), and a body of at most RK_REVIEW_MAX_BODY_BYTES
 * (413); then a well-formed request (400), a kept paragraph (404), not
 * labelled yet (409), with text and a label of its model (422).
 *
 * Every answer carries a Content-Security-Policy that allows this server's
 * own script, style and JSON and nothing else (no inline script, no
 * frames, no other origin; Trusted Types required, so no markup can be
 * built from strings), nosniff and no-store. Errors are 4xx/5xx with a one
 * line text/plain message.
 */
#ifndef RK_REVIEW_SERVER_H
#define RK_REVIEW_SERVER_H

#include <pthread.h>
#include <stddef.h>

#include "core/err.h"
#include "review/store.h"

/* The largest request body accepted (POST /label). */
#define RK_REVIEW_MAX_BODY_BYTES 8192

/* Connections served at once, and seconds an idle one is kept. */
#define RK_REVIEW_MAX_CONNECTIONS 64
#define RK_REVIEW_CONNECTION_TIMEOUT 30

/* Publishes one labelled sample (key and value NUL-terminated) and returns
 * once it is delivered, or with the error. Called on the server's thread,
 * without the store's lock held. */
typedef rk_err_t (*rk_review_publish_fn)(void *opaque, const char *key,
                                         const char *value, char *errstr,
                                         size_t errstr_size);

typedef struct rk_review_server_conf_s {
    const char *address;   /* IPv4 or IPv6 literal; NULL: 127.0.0.1 */
    int port;              /* 0: any free port (rk_review_server_port) */
    const char *token;     /* the access token, or NULL for none */
    const char *annotator; /* named in every sample; NULL or "" for none */
    size_t max_paragraphs; /* the store's bound, shown on the page */
    rk_review_store_t *store;
    pthread_mutex_t *lock; /* held around every use of store */
    rk_review_publish_fn publish;
    void *opaque; /* for publish */
} rk_review_server_conf_t;

typedef struct rk_review_server_s rk_review_server_t;

/* Starts serving. The strings are copied; store, lock and opaque must
 * outlive the server. A non-loopback address without a token is refused
 * (RK_ERR_USAGE), as is an address that is not an IP literal; a port in
 * use is RK_ERR_IO. */
rk_err_t rk_review_server_start(const rk_review_server_conf_t *c,
                                rk_review_server_t **out, char *errstr,
                                size_t errstr_size);

/* The port actually bound. */
int rk_review_server_port(const rk_review_server_t *h);

/* Stops the server and waits for its thread. NULL-safe. */
void rk_review_server_stop(rk_review_server_t *h);

#endif
