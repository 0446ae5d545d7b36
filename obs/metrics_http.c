/*
 * metrics_http.c - see metrics_http.h. libmicrohttpd runs its own polling
 * thread; each request renders the registry afresh (a few kilobytes).
 */
#include "obs/metrics_http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct rk_metrics_http_s {
    struct MHD_Daemon *daemon;
    rk_metrics_t *metrics;
    rk_health_fn health;
    void *opaque;
    int port;
};

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status,
                             const char *type, const char *body, size_t len) {
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result serve(void *cls, struct MHD_Connection *conn,
                             const char *url, const char *method,
                             const char *version, const char *upload_data,
                             size_t *upload_data_size, void **req_cls) {
    (void)version;
    (void)upload_data;
    (void)req_cls;
    rk_metrics_http_t *h = cls;
    static const char text[] = "text/plain; charset=utf-8";
    if (*upload_data_size) { /* a body we do not want: swallow it */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (strcmp(method, "GET") && strcmp(method, "HEAD"))
        return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, text,
                     "method not allowed\n", 19);
    if (!strcmp(url, "/metrics")) {
        size_t len;
        char *body = rk_metrics_render(h->metrics, &len);
        if (!body)
            return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, text,
                         "out of memory\n", 14);
        enum MHD_Result ret =
            reply(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
                  body, len);
        free(body);
        return ret;
    }
    if (!strcmp(url, "/healthz")) {
        char reason[256] = "", body[300];
        int ok = h->health ? h->health(h->opaque, reason, sizeof reason) : 1;
        reason[sizeof reason - 1] = '\0';
        int n = ok ? snprintf(body, sizeof body, "ok\n")
                   : snprintf(body, sizeof body, "unhealthy: %s\n",
                              reason[0] ? reason : "unknown");
        return reply(conn, ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE,
                     text, body,
                     (size_t)n < sizeof body ? (size_t)n : sizeof body - 1);
    }
    return reply(conn, MHD_HTTP_NOT_FOUND, text, "not found\n", 10);
}

rk_err_t rk_metrics_http_start(rk_metrics_t *m, const char *bind_addr, int port,
                               rk_health_fn health, void *opaque,
                               rk_metrics_http_t **out, char *errstr,
                               size_t errstr_size) {
    *out = NULL;
    if (port < 0 || port > 65535)
        return rk_fail(RK_ERR_USAGE, errstr, errstr_size,
                       "metrics port %d is not in 0..65535", port);
    const char *addr = bind_addr ? bind_addr : "127.0.0.1";
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
    } else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        flags |= MHD_USE_IPv6;
    } else {
        return rk_fail(RK_ERR_USAGE, errstr, errstr_size,
                       "metrics bind address '%s' is not an IPv4 or IPv6 "
                       "address",
                       addr);
    }
    rk_metrics_http_t *h = calloc(1, sizeof *h);
    if (!h)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    h->metrics = m;
    h->health = health;
    h->opaque = opaque;
    /* Scrapers are few: a small connection cap and a short idle timeout
     * keep a misbehaving client from holding threads or sockets. */
    h->daemon = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, serve, h, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, (unsigned)32,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
    if (!h->daemon) {
        free(h);
        return rk_fail(RK_ERR_IO, errstr, errstr_size,
                       "cannot serve metrics on %s port %d (in use, or not "
                       "an address of this host?)",
                       addr, port);
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : port;
    *out = h;
    return RK_OK;
}

int rk_metrics_http_port(const rk_metrics_http_t *h) {
    return h->port;
}

void rk_metrics_http_stop(rk_metrics_http_t *h) {
    if (!h)
        return;
    MHD_stop_daemon(h->daemon);
    free(h);
}
