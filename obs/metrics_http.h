/*
 * metrics_http.h - the HTTP side of `rakiza run --metrics-port P`: a
 * libmicrohttpd server, on its own thread, answering
 *
 *   GET /metrics  200, the registry in the Prometheus text format
 *   GET /healthz  200 "ok" when the health callback says healthy,
 *                 503 "unhealthy: <reason>" otherwise
 *   anything else 404 (405 for a method other than GET or HEAD)
 *
 * The caller starts it after building the registry and stops it before
 * destroying the registry. It binds 127.0.0.1 unless told otherwise:
 * metrics are for a scraper on the same host or a sidecar, not the world.
 */
#ifndef RK_METRICS_HTTP_H
#define RK_METRICS_HTTP_H

#include <stddef.h>

#include "core/err.h"
#include "obs/metrics.h"

/* Returns 1 when healthy; otherwise 0 with a short reason written into
 * reason (NUL-terminated). Called on the server's thread, so it must only
 * read state the service updates atomically or under its own lock. */
typedef int (*rk_health_fn)(void *opaque, char *reason, size_t reason_size);

typedef struct rk_metrics_http_s rk_metrics_http_t;

/* Starts serving m. bind_addr is an IPv4 or IPv6 literal (NULL means
 * 127.0.0.1); port 0 picks a free port (see rk_metrics_http_port). health
 * may be NULL (always healthy). m must outlive the server. */
rk_err_t rk_metrics_http_start(rk_metrics_t *m, const char *bind_addr, int port,
                               rk_health_fn health, void *opaque,
                               rk_metrics_http_t **out, char *errstr,
                               size_t errstr_size);

/* The port actually bound. */
int rk_metrics_http_port(const rk_metrics_http_t *h);

/* Stops the server and waits for its thread. NULL-safe. */
void rk_metrics_http_stop(rk_metrics_http_t *h);

#endif
