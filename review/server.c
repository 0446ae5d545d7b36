/*
 * server.c - see server.h. libmicrohttpd calls serve() for each request,
 * first with the headers (a request state is made, and a body announced
 * as too large is refused at once), then once per piece of the body
 * (collected up to the limit), then once more to answer. The checks run
 * in the order server.h lists; the store is only touched under the lock,
 * and the sample is published with the lock released. Sessions, the
 * normaliser and everything else here are used from the server's one
 * thread only.
 */
#include "review/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "obs/log.h"
#include "review/auth.h"
#include "review/page.h"
#include "review/view.h"
#include "text/normalize.h"

struct rk_review_server_s {
    struct MHD_Daemon *daemon;
    rk_review_server_conf_t c; /* strings below are this server's copies */
    char *address, *token, *annotator;
    char bound[64]; /* the address as a Host header names it */
    char cookie_session[48], cookie_token[48];
    int port;
    rk_review_sessions_t *sessions;
    rk_norm_t *norm;
};

/* A request's state: its body so far. */
typedef struct request_s {
    char body[RK_REVIEW_MAX_BODY_BYTES + 1];
    size_t len;
    int too_large;
} request_t;

static const char *csp =
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action "
    "'none'; frame-ancestors 'none'; require-trusted-types-for 'script'; "
    "trusted-types 'none'";

/* ---- answers ---------------------------------------------------------- */

static struct MHD_Response *response(const void *body, size_t len,
                                     const char *type) {
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return NULL;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "Content-Security-Policy", csp);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
    return r;
}

static enum MHD_Result send_response(struct MHD_Connection *conn,
                                     unsigned status, struct MHD_Response *r) {
    if (!r)
        return MHD_NO;
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status,
                             const char *type, const void *body, size_t len) {
    return send_response(conn, status, response(body, len, type));
}

/* A one-line text/plain message (an error, mostly). */
static enum MHD_Result message(struct MHD_Connection *conn, unsigned status,
                               const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum MHD_Result message(struct MHD_Connection *conn, unsigned status,
                               const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    size_t len = n < 0                        ? 0
                 : (size_t)n < sizeof buf - 1 ? (size_t)n
                                              : sizeof buf - 2;
    buf[len++] = '\n';
    struct MHD_Response *r = response(buf, len, "text/plain; charset=utf-8");
    if (r && status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                "Bearer realm=\"rakiza review\"");
    return send_response(conn, status, r);
}

static enum MHD_Result json_reply(struct MHD_Connection *conn, unsigned status,
                                  const json_t *j) {
    size_t len = 0;
    char *body = j ? rk_review_json_dumps(j, &len) : NULL;
    if (!body)
        return message(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    enum MHD_Result ret =
        reply(conn, status, "application/json; charset=utf-8", body, len);
    free(body);
    return ret;
}

/* ---- checks ----------------------------------------------------------- */

static const char *header(struct MHD_Connection *conn, const char *name) {
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

/* Without a token: the Host header names this server by a loopback name
 * and its port. */
static int host_ok(const rk_review_server_t *h, const char *host) {
    static const char *const names[] = {"localhost", "127.0.0.1", "[::1]"};
    if (!host)
        return 0;
    const char *colon = strrchr(host, ':'), *bracket = strrchr(host, ']');
    if (colon && bracket && colon < bracket)
        colon = NULL; /* "[::1]" without a port */
    size_t name_len = colon ? (size_t)(colon - host) : strlen(host);
    char port[16];
    snprintf(port, sizeof port, "%d", h->port);
    if (name_len == strlen(host) ? h->port != 80 : strcmp(colon + 1, port))
        return 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == name_len && !strncmp(host, names[i], name_len))
            return 1;
    return strlen(h->bound) == name_len && !strncmp(host, h->bound, name_len);
}

static int token_ok(const rk_review_server_t *h, struct MHD_Connection *conn) {
    const char *auth = header(conn, MHD_HTTP_HEADER_AUTHORIZATION);
    const char *t = NULL;
    if (auth && !strncmp(auth, "Bearer ", 7))
        t = auth + 7;
    else
        t = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, h->cookie_token);
    return t && rk_review_equal(t, strlen(t), h->token, strlen(h->token));
}

/* The Origin of a state-changing request is this page's: the scheme and
 * the Host the request was sent to. */
static int origin_ok(struct MHD_Connection *conn) {
    const char *origin = header(conn, MHD_HTTP_HEADER_ORIGIN);
    const char *host = header(conn, MHD_HTTP_HEADER_HOST);
    if (!origin || !host)
        return 0;
    const char *rest = !strncmp(origin, "http://", 7)    ? origin + 7
                       : !strncmp(origin, "https://", 8) ? origin + 8
                                                         : NULL;
    return rest && !strcmp(rest, host);
}

/* ---- routes ----------------------------------------------------------- */

static const rk_review_asset_t *asset(const char *path) {
    for (size_t i = 0; i < rk_review_n_assets; i++)
        if (!strcmp(rk_review_assets[i].path, path))
            return &rk_review_assets[i];
    return NULL;
}

/* GET /?token=T: the token, checked, becomes a cookie. */
static enum MHD_Result login(rk_review_server_t *h, struct MHD_Connection *conn,
                             const char *t) {
    /* A query decodes '+' to a space, and a token has no spaces: a token
     * pasted into the address as it is (base64's '+') still matches. */
    char given[RK_REVIEW_TOKEN_MAX_BYTES + 1];
    size_t len = strlen(t);
    if (len > RK_REVIEW_TOKEN_MAX_BYTES)
        len = 0;
    for (size_t i = 0; i < len; i++)
        given[i] = t[i] == ' ' ? '+' : t[i];
    if (!rk_review_equal(given, len, h->token, strlen(h->token)))
        return message(conn, MHD_HTTP_UNAUTHORIZED, "wrong token");
    char cookie[RK_REVIEW_TOKEN_MAX_BYTES + 128];
    snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict",
             h->cookie_token, h->token);
    struct MHD_Response *r =
        response("logged in\n", 10, "text/plain; charset=utf-8");
    if (r) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
        MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, "/");
    }
    return send_response(conn, MHD_HTTP_SEE_OTHER, r);
}

/* GET /: the HTML shell with the session's CSRF token written in. */
static enum MHD_Result page(rk_review_server_t *h,
                            struct MHD_Connection *conn) {
    char id[RK_REVIEW_SECRET_HEX + 1], csrf[RK_REVIEW_SECRET_HEX + 1];
    char err[256], cookie[128];
    const char *have =
        MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, h->cookie_session);
    int fresh = !have || !rk_review_session_find(h->sessions, have, csrf);
    if (fresh && rk_review_session_open(h->sessions, id, csrf, err, sizeof err))
        return message(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", err);
    const rk_review_asset_t *a = asset("/page.html");
    const char *data = (const char *)a->data;
    const char *mark = strstr(data, RK_REVIEW_CSRF_MARK);
    size_t before = (size_t)(mark - data), mlen = strlen(RK_REVIEW_CSRF_MARK);
    size_t len = a->len - mlen + RK_REVIEW_SECRET_HEX;
    char *body = malloc(len);
    if (!body)
        return message(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    memcpy(body, data, before);
    memcpy(body + before, csrf, RK_REVIEW_SECRET_HEX);
    memcpy(body + before + RK_REVIEW_SECRET_HEX, mark + mlen,
           a->len - before - mlen);
    struct MHD_Response *r = response(body, len, a->type);
    free(body);
    if (r && fresh) {
        snprintf(cookie, sizeof cookie,
                 "%s=%s; Path=/; HttpOnly; SameSite=Strict", h->cookie_session,
                 id);
        MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    }
    return send_response(conn, MHD_HTTP_OK, r);
}

/* A query argument: NULL when absent; "" when given empty. */
static const char *arg(struct MHD_Connection *conn, const char *name) {
    return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
}

/* A non-negative decimal at most max; 0 when it is not one. */
static int parse_count(const char *s, size_t max, size_t *out) {
    if (!s || !*s || strlen(s) > 9 || strspn(s, "0123456789") != strlen(s))
        return 0;
    *out = (size_t)strtoul(s, NULL, 10);
    return *out <= max;
}

/* GET /items. */
static enum MHD_Result items(rk_review_server_t *h,
                             struct MHD_Connection *conn) {
    rk_review_filter_t f = {arg(conn, "doc"), arg(conn, "label"), 0,
                            arg(conn, "lang")};
    const char *abstained = arg(conn, "abstained");
    const char *off = arg(conn, "offset"), *lim = arg(conn, "limit");
    size_t offset = 0, limit = RK_REVIEW_DEFAULT_PAGE_ITEMS;
    if (abstained && strcmp(abstained, "1") && strcmp(abstained, "0"))
        return message(conn, MHD_HTTP_BAD_REQUEST, "abstained must be 0 or 1");
    f.abstained = abstained && !strcmp(abstained, "1");
    if ((off && !parse_count(off, RK_REVIEW_MAX_PARAGRAPHS_LIMIT, &offset)) ||
        (lim && !parse_count(lim, RK_REVIEW_MAX_PAGE_ITEMS, &limit)))
        return message(
            conn, MHD_HTTP_BAD_REQUEST, "offset must be 0..%d and limit 0..%d",
            RK_REVIEW_MAX_PARAGRAPHS_LIMIT, RK_REVIEW_MAX_PAGE_ITEMS);
    pthread_mutex_lock(h->c.lock);
    json_t *out = rk_review_view_items(h->c.store, &f, offset, limit, h->norm);
    pthread_mutex_unlock(h->c.lock);
    if (!out)
        return message(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    json_object_set_new(out, "annotator", json_string(h->annotator));
    json_object_set_new(out, "max_paragraphs",
                        json_integer((json_int_t)h->c.max_paragraphs));
    enum MHD_Result ret = json_reply(conn, MHD_HTTP_OK, out);
    json_decref(out);
    return ret;
}

/* The checks before a POST /label body is read: origin, type, session
 * and CSRF token. 0 when they pass, else the status (message in why). */
static unsigned post_refusal(rk_review_server_t *h, struct MHD_Connection *conn,
                             const char **why) {
    const char *type = header(conn, MHD_HTTP_HEADER_CONTENT_TYPE);
    const char *sid =
        MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, h->cookie_session);
    const char *sent = header(conn, "X-CSRF-Token");
    char csrf[RK_REVIEW_SECRET_HEX + 1];
    if (!origin_ok(conn)) {
        *why = "Origin must be this page's (a request from another site is "
               "refused)";
        return MHD_HTTP_FORBIDDEN;
    }
    if (!type || strncmp(type, "application/json", 16) ||
        (type[16] && type[16] != ';' && type[16] != ' ')) {
        *why = "Content-Type must be application/json";
        return MHD_HTTP_UNSUPPORTED_MEDIA_TYPE;
    }
    if (!sid || !rk_review_session_find(h->sessions, sid, csrf)) {
        *why = "no session (or an expired one): reload the page";
        return MHD_HTTP_FORBIDDEN;
    }
    if (!sent || !rk_review_equal(sent, strlen(sent), csrf, strlen(csrf))) {
        *why = "missing or wrong CSRF token (X-CSRF-Token): reload the page";
        return MHD_HTTP_FORBIDDEN;
    }
    return 0;
}

/* Under the lock: the sample for the request's paragraph and label, or
 * the status refusing it (message in err). */
static unsigned sample_for(rk_review_server_t *h, const char *doc_id,
                           long long index, const char *label, char **key,
                           char **value, char *err, size_t n) {
    const rk_review_para_t *p = rk_review_store_get(h->c.store, doc_id, index);
    const char *by = NULL, *was = NULL;
    if (!p) {
        snprintf(err, n,
                 "no paragraph %.200s:%lld is kept (dropped or never read): "
                 "reload the page",
                 doc_id, index);
        return MHD_HTTP_NOT_FOUND;
    }
    if (rk_review_store_labelled(h->c.store, p->key, &was, &by)) {
        snprintf(err, n, "%.200s is already labelled %.100s%s%.100s", p->key,
                 was, *by ? " by " : "", by);
        return MHD_HTTP_CONFLICT;
    }
    rk_err_t e = rk_review_view_sample(p, label, h->annotator, time(NULL),
                                       value, err, n);
    if (e == RK_ERR_NOMEM)
        return MHD_HTTP_INTERNAL_SERVER_ERROR;
    if (e)
        return MHD_HTTP_UNPROCESSABLE_CONTENT;
    *key = strdup(p->key);
    if (!*key) {
        free(*value);
        *value = NULL;
        snprintf(err, n, "out of memory");
        return MHD_HTTP_INTERNAL_SERVER_ERROR;
    }
    return 0;
}

/* Publishes the sample and files it in the store: the paragraph leaves
 * the queue at once, before the labels topic is read back. */
static enum MHD_Result publish(rk_review_server_t *h,
                               struct MHD_Connection *conn, const char *key,
                               const char *value, const char *label) {
    char err[512];
    if (h->c.publish(h->c.opaque, key, value, err, sizeof err)) {
        rk_log(RK_LOG_ERROR, "review: label for %s not published: %s", key,
               err);
        return message(conn, MHD_HTTP_BAD_GATEWAY,
                       "the label could not be published: %s", err);
    }
    pthread_mutex_lock(h->c.lock);
    rk_review_store_add_sample(h->c.store, key, strlen(key), value,
                               strlen(value), err, sizeof err);
    json_t *sum = rk_review_store_summary(h->c.store);
    pthread_mutex_unlock(h->c.lock);
    json_t *out = json_pack("{s:s, s:s, s:O?}", "key", key, "label", label,
                            "labelled", json_object_get(sum, "labelled"));
    enum MHD_Result ret = json_reply(conn, MHD_HTTP_OK, out);
    json_decref(out);
    json_decref(sum);
    return ret;
}

/* POST /label. */
static enum MHD_Result label(rk_review_server_t *h, struct MHD_Connection *conn,
                             request_t *req) {
    const char *why = NULL;
    unsigned status = post_refusal(h, conn, &why);
    if (status)
        return message(conn, status, "%s", why);
    if (req->too_large)
        return message(conn, MHD_HTTP_CONTENT_TOO_LARGE,
                       "a request body is at most %d bytes",
                       RK_REVIEW_MAX_BODY_BYTES);
    json_error_t jerr;
    json_t *o = json_loadb(req->body, req->len, JSON_REJECT_DUPLICATES, &jerr);
    const char *doc_id = json_string_value(json_object_get(o, "doc_id"));
    const char *lab = json_string_value(json_object_get(o, "label"));
    const json_t *index = json_object_get(o, "index");
    if (!doc_id || !lab || !json_is_integer(index) ||
        json_integer_value(index) < 0 || json_object_size(o) != 3) {
        json_decref(o);
        return message(conn, MHD_HTTP_BAD_REQUEST,
                       "the body must be {\"doc_id\": string, \"index\": "
                       "integer >= 0, \"label\": string}");
    }
    char err[512], *key = NULL, *value = NULL;
    pthread_mutex_lock(h->c.lock);
    status = sample_for(h, doc_id, (long long)json_integer_value(index), lab,
                        &key, &value, err, sizeof err);
    pthread_mutex_unlock(h->c.lock);
    enum MHD_Result ret = status ? message(conn, status, "%s", err)
                                 : publish(h, conn, key, value, lab);
    json_decref(o);
    free(key);
    free(value);
    return ret;
}

static enum MHD_Result route(rk_review_server_t *h, struct MHD_Connection *conn,
                             const char *url, const char *method,
                             request_t *req) {
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    if (!get && strcmp(method, "POST"))
        return message(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed");
    if (!h->token && !host_ok(h, header(conn, MHD_HTTP_HEADER_HOST)))
        return message(conn, MHD_HTTP_FORBIDDEN,
                       "the Host header must name this server (localhost, "
                       "127.0.0.1 or [::1], port %d)",
                       h->port);
    if (h->token) {
        const char *t = arg(conn, "token");
        if (get && !strcmp(url, "/") && t)
            return login(h, conn, t);
        if (!token_ok(h, conn))
            return message(conn, MHD_HTTP_UNAUTHORIZED,
                           "this server needs its token: open /?token=... "
                           "once, or send Authorization: Bearer ...");
    }
    if (!get)
        return !strcmp(url, "/label")
                   ? label(h, conn, req)
                   : message(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
                             "only /label takes a POST");
    if (!strcmp(url, "/label"))
        return message(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
                       "/label takes a POST");
    if (!strcmp(url, "/"))
        return page(h, conn);
    if (!strcmp(url, "/items"))
        return items(h, conn);
    if (!strcmp(url, "/favicon.ico"))
        return reply(conn, MHD_HTTP_NO_CONTENT, "text/plain", "", 0);
    const rk_review_asset_t *a = strcmp(url, "/page.html") ? asset(url) : NULL;
    if (a)
        return reply(conn, MHD_HTTP_OK, a->type, a->data, a->len);
    return message(conn, MHD_HTTP_NOT_FOUND, "not found");
}

static enum MHD_Result serve(void *cls, struct MHD_Connection *conn,
                             const char *url, const char *method,
                             const char *version, const char *upload_data,
                             size_t *upload_data_size, void **req_cls) {
    (void)version;
    rk_review_server_t *h = cls;
    request_t *req = *req_cls;
    if (!req) { /* the headers: make the state, refuse a huge body now */
        if (!(req = calloc(1, sizeof *req)))
            return MHD_NO;
        *req_cls = req;
        const char *cl = header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > RK_REVIEW_MAX_BODY_BYTES)
            return message(conn, MHD_HTTP_CONTENT_TOO_LARGE,
                           "a request body is at most %d bytes",
                           RK_REVIEW_MAX_BODY_BYTES);
        return MHD_YES;
    }
    if (*upload_data_size) { /* a piece of the body */
        size_t n = *upload_data_size;
        if (req->len + n > RK_REVIEW_MAX_BODY_BYTES)
            req->too_large = 1;
        else
            memcpy(req->body + req->len, upload_data, n);
        req->len += req->too_large ? 0 : n;
        *upload_data_size = 0;
        return MHD_YES;
    }
    return route(h, conn, url, method, req);
}

static void completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                      enum MHD_RequestTerminationCode toe) {
    (void)cls;
    (void)conn;
    (void)toe;
    free(*req_cls);
    *req_cls = NULL;
}

/* ---- life cycle ------------------------------------------------------- */

/* Fills ss with addr:port; 0 when addr is not an IP literal. */
static int sock_addr(const char *addr, int port, struct sockaddr_storage *ss,
                     unsigned *flags) {
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        return 1;
    }
    if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *flags |= MHD_USE_IPv6;
        return 1;
    }
    return 0;
}

static rk_err_t copy_conf(rk_review_server_t *h,
                          const rk_review_server_conf_t *c, char *errstr,
                          size_t n) {
    h->c = *c;
    h->address = strdup(c->address ? c->address : "127.0.0.1");
    h->token = c->token ? strdup(c->token) : NULL;
    h->annotator = strdup(c->annotator ? c->annotator : "");
    h->sessions = rk_review_sessions_new();
    if (!h->address || (c->token && !h->token) || !h->annotator || !h->sessions)
        return rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    return rk_norm_new(&h->norm, errstr, n);
}

/* A listening socket on ss (port 0: any free one), the port bound in
 * *port; -1 when it cannot be had. Bound here rather than by
 * libmicrohttpd so the port is known before the first request. */
static int listen_on(const struct sockaddr_storage *ss, int *port) {
    int v6 = ss->ss_family == AF_INET6, one = 1;
    socklen_t len =
        v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (v6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    struct sockaddr_storage got;
    socklen_t got_len = sizeof got;
    if (bind(fd, (const struct sockaddr *)ss, len) || listen(fd, 64) ||
        getsockname(fd, (struct sockaddr *)&got, &got_len)) {
        close(fd);
        return -1;
    }
    *port = ntohs(v6 ? ((struct sockaddr_in6 *)&got)->sin6_port
                     : ((struct sockaddr_in *)&got)->sin_port);
    return fd;
}

rk_err_t rk_review_server_start(const rk_review_server_conf_t *c,
                                rk_review_server_t **out, char *errstr,
                                size_t n) {
    *out = NULL;
    const char *addr = c->address ? c->address : "127.0.0.1";
    struct sockaddr_storage ss;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
    if (c->port < 0 || c->port > 65535)
        return rk_fail(RK_ERR_USAGE, errstr, n, "port %d is not in 0..65535",
                       c->port);
    if (!sock_addr(addr, c->port, &ss, &flags))
        return rk_fail(RK_ERR_USAGE, errstr, n,
                       "address '%s' is not an IPv4 or IPv6 address", addr);
    if (!c->token && !rk_review_is_loopback(addr))
        return rk_fail(RK_ERR_USAGE, errstr, n,
                       "address %s is not a loopback address: the page "
                       "would be open to the network, so it needs a token "
                       "file",
                       addr);
    if (c->token && !rk_review_token_valid(c->token, strlen(c->token)))
        return rk_fail(RK_ERR_USAGE, errstr, n, "the token is malformed");
    rk_review_server_t *h = calloc(1, sizeof *h);
    if (!h)
        return rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    rk_err_t err = copy_conf(h, c, errstr, n);
    int fd = err ? -1 : listen_on(&ss, &h->port);
    if (!err && fd < 0)
        err = rk_fail(RK_ERR_IO, errstr, n,
                      "cannot serve on %s port %d (in use, or not an "
                      "address of this host?)",
                      addr, c->port);
    if (!err) {
        snprintf(h->bound, sizeof h->bound, strchr(addr, ':') ? "[%s]" : "%s",
                 addr);
        snprintf(h->cookie_session, sizeof h->cookie_session, "rk_session_%d",
                 h->port);
        snprintf(h->cookie_token, sizeof h->cookie_token, "rk_token_%d",
                 h->port);
        h->daemon = MHD_start_daemon(
            flags, (uint16_t)h->port, NULL, NULL, serve, h,
            MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT,
            (unsigned)RK_REVIEW_MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
            (unsigned)RK_REVIEW_CONNECTION_TIMEOUT, MHD_OPTION_NOTIFY_COMPLETED,
            completed, NULL, MHD_OPTION_END);
        if (!h->daemon) {
            close(fd);
            err = rk_fail(RK_ERR_IO, errstr, n,
                          "cannot start the HTTP server on %s port %d", addr,
                          h->port);
        }
    }
    if (err) {
        rk_review_server_stop(h);
        return err;
    }
    *out = h;
    return RK_OK;
}

int rk_review_server_port(const rk_review_server_t *h) {
    return h->port;
}

void rk_review_server_stop(rk_review_server_t *h) {
    if (!h)
        return;
    if (h->daemon)
        MHD_stop_daemon(h->daemon);
    rk_review_sessions_destroy(h->sessions);
    rk_norm_destroy(h->norm);
    free(h->address);
    free(h->token);
    free(h->annotator);
    free(h);
}
