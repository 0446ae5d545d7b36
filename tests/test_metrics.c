/*
 * test_metrics.c - what `rakiza run --metrics-port` serves: the registry's
 * Prometheus text (exact bytes for a small registry, escaping, histogram
 * buckets), counts from concurrent threads adding up exactly, librdkafka
 * statistics read from real documents (captured from librdkafka 2 against
 * the embedded broker), the /healthz rules, and the HTTP server answering
 * real requests on a socket. If this failed, a scraper would read wrong
 * numbers or none, or an orchestrator would restart a healthy service (or
 * keep a broken one).
 */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "obs/health.h"
#include "obs/kafka_stats.h"
#include "obs/metrics.h"
#include "obs/metrics_http.h"
#include "testutil.h"

static void test_render(void) {
    /* If it fails: scrapers read malformed or wrong Prometheus text. */
    rk_metrics_t *m = rk_metrics_new();
    rk_metric_t *c, *l, *g, *h;
    char err[256];
    static const double bounds[] = {0.0005, 1};
    CHECK(!rk_metrics_register(m, RK_METRIC_COUNTER, "t_total",
                               "Things.\nSecond line \\ end", NULL, NULL, 0, &c,
                               err, sizeof err),
          "a plain counter registers: %s", err);
    CHECK(!rk_metrics_register(m, RK_METRIC_COUNTER, "t_code_total", "By code.",
                               "code", NULL, 0, &l, err, sizeof err),
          "a labelled counter registers: %s", err);
    CHECK(!rk_metrics_register(m, RK_METRIC_GAUGE, "t_gauge", "A gauge.", NULL,
                               NULL, 0, &g, err, sizeof err),
          "a gauge registers: %s", err);
    CHECK(!rk_metrics_register(m, RK_METRIC_HISTOGRAM, "t_seconds", "Time.",
                               NULL, bounds, 2, &h, err, sizeof err),
          "a histogram registers: %s", err);
    rk_metric_add(c, NULL, 2);
    rk_metric_add(c, NULL, 1);
    rk_metric_add(c, NULL, -5);  /* counters only go up */
    rk_metric_add(c, NULL, NAN); /* ignored */
    rk_metric_set(c, NULL, 100); /* a counter cannot be set */
    rk_metric_add(c, "x", 1);    /* no label on this metric */
    rk_metric_add(l, NULL, 1);   /* the label is required */
    rk_metric_add(l, "bad_json", 1);
    rk_metric_add(l, "a\"b\\c\nd", 1);
    rk_metric_add(l, "bad_json", 1);
    rk_metric_set(g, NULL, 0.25);
    rk_metric_add(g, NULL, -1);
    rk_metric_observe(h, 0.0005); /* on the bound: in that bucket */
    rk_metric_observe(h, 0.5);
    rk_metric_observe(h, 7);
    size_t len = 0;
    char *text = rk_metrics_render(m, &len);
    const char *want = "# HELP t_total Things.\\nSecond line \\\\ end\n"
                       "# TYPE t_total counter\n"
                       "t_total 3\n"
                       "# HELP t_code_total By code.\n"
                       "# TYPE t_code_total counter\n"
                       "t_code_total{code=\"bad_json\"} 2\n"
                       "t_code_total{code=\"a\\\"b\\\\c\\nd\"} 1\n"
                       "# HELP t_gauge A gauge.\n"
                       "# TYPE t_gauge gauge\n"
                       "t_gauge -0.75\n"
                       "# HELP t_seconds Time.\n"
                       "# TYPE t_seconds histogram\n"
                       "t_seconds_bucket{le=\"0.0005\"} 1\n"
                       "t_seconds_bucket{le=\"1\"} 2\n"
                       "t_seconds_bucket{le=\"+Inf\"} 3\n"
                       "t_seconds_sum 7.5005\n"
                       "t_seconds_count 3\n";
    CHECK(text && !strcmp(text, want) && len == strlen(want),
          "the exposition text is exactly the format's (HELP/TYPE, escapes, "
          "cumulative buckets, shortest numbers); got:\n%s",
          text ? text : "(null)");
    free(text);

    CHECK(rk_metric_value(l, "bad_json") == 2 && rk_metric_sum(l) == 3 &&
              rk_metric_series(l) == 2 && rk_metric_value(h, NULL) == 3,
          "values, sums and series counts read back");
    const char *names[] = {"7", "9"};
    const double vals[] = {5, 6};
    rk_metric_replace(l, 2, names, vals);
    CHECK(rk_metric_series(l) == 2 && rk_metric_value(l, "bad_json") == 0 &&
              rk_metric_value(l, "9") == 6,
          "replace swaps the whole series set (revoked partitions vanish)");
    rk_metric_clear(l);
    text = rk_metrics_render(m, NULL);
    CHECK(text && !strstr(text, "t_code_total{"),
          "a cleared labelled metric renders no series");
    free(text);

    for (int i = 0; i < RK_METRICS_MAX_SERIES + 10; i++) {
        char v[16];
        snprintf(v, sizeof v, "v%d", i);
        rk_metric_add(l, v, 1);
    }
    CHECK(rk_metric_series(l) == RK_METRICS_MAX_SERIES,
          "label values are capped, so a flood of codes cannot eat memory");

    CHECK(rk_metrics_register(m, RK_METRIC_COUNTER, "t_total", "again", NULL,
                              NULL, 0, NULL, err, sizeof err) == RK_ERR_USAGE,
          "a name registered twice is refused");
    CHECK(rk_metrics_register(m, RK_METRIC_COUNTER, "9bad", "", NULL, NULL, 0,
                              NULL, err, sizeof err) == RK_ERR_USAGE &&
              rk_metrics_register(m, RK_METRIC_GAUGE, "ok", "", "__x", NULL, 0,
                                  NULL, err, sizeof err) == RK_ERR_USAGE,
          "invalid metric and label names are refused");
    static const double unsorted[] = {1, 0.5};
    CHECK(rk_metrics_register(m, RK_METRIC_HISTOGRAM, "t_h2", "", NULL,
                              unsorted, 2, NULL, err,
                              sizeof err) == RK_ERR_USAGE,
          "histogram bounds must increase");
    CHECK(rk_metrics_find(m, "t_gauge") == g && !rk_metrics_find(m, "nope"),
          "find returns the registered handle");
    rk_metrics_destroy(m);
    rk_metrics_destroy(NULL);
}

/* ---- concurrency ------------------------------------------------------- */

#define THREADS 4
#define PER_THREAD 200000

typedef struct {
    rk_metric_t *c, *l, *h;
} hot_t;

static void *hammer(void *arg) {
    hot_t *t = arg;
    static const char *labels[] = {"prevention", "capacity", "conditions"};
    for (int i = 0; i < PER_THREAD; i++) {
        rk_metric_add(t->c, NULL, 1);
        rk_metric_add(t->l, labels[i % 3], 1);
        rk_metric_observe(t->h, (i % 100) / 1000.0);
    }
    return NULL;
}

static void test_threads(void) {
    /* If it fails: counts from concurrent workers are lost or torn. */
    rk_metrics_t *m = rk_metrics_new();
    hot_t t;
    char err[256];
    static const double bounds[] = {0.01, 0.05};
    rk_metrics_register(m, RK_METRIC_COUNTER, "c_total", "", NULL, NULL, 0,
                        &t.c, err, sizeof err);
    rk_metrics_register(m, RK_METRIC_COUNTER, "l_total", "", "label", NULL, 0,
                        &t.l, err, sizeof err);
    rk_metrics_register(m, RK_METRIC_HISTOGRAM, "h_seconds", "", NULL, bounds,
                        2, &t.h, err, sizeof err);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    pthread_t tid[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&tid[i], NULL, hammer, &t);
    /* A scraper renders meanwhile. */
    for (int i = 0; i < 50; i++)
        free(rk_metrics_render(m, NULL));
    for (int i = 0; i < THREADS; i++)
        pthread_join(tid[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ns = ((double)(b.tv_sec - a.tv_sec) * 1e9 +
                 (double)(b.tv_nsec - a.tv_nsec)) /
                (3.0 * THREADS * PER_THREAD);
    printf("metric update under %d-thread contention: %.0f ns each\n", THREADS,
           ns);
    double n = (double)THREADS * PER_THREAD;
    CHECK(rk_metric_value(t.c, NULL) == n && rk_metric_sum(t.l) == n &&
              rk_metric_value(t.h, NULL) == n,
          "no update from %d threads is lost (%.0f, %.0f, %.0f of %.0f)",
          THREADS, rk_metric_value(t.c, NULL), rk_metric_sum(t.l),
          rk_metric_value(t.h, NULL), n);
    char *text = rk_metrics_render(m, NULL);
    char want[64];
    snprintf(want, sizeof want, "h_seconds_bucket{le=\"0.01\"} %d\n",
             THREADS * PER_THREAD / 100 * 11); /* i%100 in 0..10 */
    CHECK(text && strstr(text, want), "histogram buckets count exactly: %s",
          want);
    free(text);
    rk_metrics_destroy(m);
}

/* ---- librdkafka statistics --------------------------------------------- */

static void test_kstats(void) {
    /* If it fails: lag and broker health are misread from librdkafka. */
    size_t len;
    char err[256];
    rk_kstats_t st;
    /* A consumer of topic lagt (2 partitions, 5 messages each) that
     * committed offsets 3 and 1. */
    char *json =
        rk_test_read_file("tests/data/kafka_stats/consumer.json", &len);
    CHECK(rk_kstats_parse(json, len, "lagt", &st, err, sizeof err) == RK_OK,
          "a real statistics document parses: %s", err);
    CHECK(st.brokers == 1 && st.brokers_up == 1,
          "one broker, up; the logical GroupCoordinator is not a second one "
          "(got %d/%d)",
          st.brokers_up, st.brokers);
    int seen = 0;
    for (size_t i = 0; i < st.nlags; i++)
        seen |= (st.lags[i].partition == 0 && st.lags[i].lag == 2) |
                (st.lags[i].partition == 1 && st.lags[i].lag == 4) << 1;
    CHECK(st.nlags == 2 && seen == 3,
          "lag is high watermark minus committed per assigned partition "
          "(5-3, 5-1), the internal partition -1 left out (got %zu)",
          st.nlags);
    rk_kstats_clear(&st);
    CHECK(rk_kstats_parse(json, len, "other", &st, err, sizeof err) == RK_OK &&
              st.nlags == 0,
          "a topic not in the statistics has no lag series");
    rk_kstats_clear(&st);
    CHECK(rk_kstats_parse(json, len / 2, "lagt", &st, err, sizeof err) ==
                  RK_ERR_DATA &&
              strstr(err, "byte"),
          "truncated statistics are refused naming the byte: %s", err);
    CHECK(rk_kstats_parse("[1]", 3, "lagt", &st, err, sizeof err) ==
              RK_ERR_DATA,
          "statistics that are not an object are refused");
    free(json);

    /* A producer with 3 messages queued and its only broker refusing
     * connections. */
    json = rk_test_read_file("tests/data/kafka_stats/producer_no_broker.json",
                             &len);
    CHECK(rk_kstats_parse(json, len, NULL, &st, err, sizeof err) == RK_OK &&
              st.brokers == 1 && st.brokers_up == 0 && st.queued == 3,
          "a producer with no broker up and 3 messages waiting reads as such "
          "(got %d/%d, %lld)",
          st.brokers_up, st.brokers, (long long)st.queued);
    rk_kstats_clear(&st);
    free(json);
}

/* ---- /healthz rules ------------------------------------------------------ */

static void test_health(void) {
    /* If it fails: /healthz restarts a healthy service or keeps a sick one. */
    rk_health_t *h = rk_health_new(60);
    char why[256];
    CHECK(!rk_health_check(h, 0, why, sizeof why) && strstr(why, "starting"),
          "unhealthy before the loop runs: %s", why);
    rk_health_tick(h, 10);
    CHECK(!rk_health_check(h, 10, why, sizeof why) && strstr(why, "assignment"),
          "unhealthy until the group assigned partitions: %s", why);
    rk_health_assigned(h);
    CHECK(rk_health_check(h, 10, why, sizeof why) && !why[0],
          "healthy once consuming");
    rk_health_brokers(h, 0, 0, 0);
    CHECK(rk_health_check(h, 10, why, sizeof why),
          "an idle producer without a connection is healthy");
    rk_health_brokers(h, 0, 0, 12);
    CHECK(!rk_health_check(h, 10, why, sizeof why) && strstr(why, "12"),
          "a producer holding messages with no broker is not: %s", why);
    rk_health_brokers(h, 0, 1, 12);
    rk_health_brokers(h, 1, 0, -1);
    CHECK(!rk_health_check(h, 10, why, sizeof why) && strstr(why, "no broker"),
          "a consumer reaching no broker is not: %s", why);
    rk_health_brokers(h, 1, 1, 0);
    CHECK(rk_health_check(h, 69, why, sizeof why),
          "healthy again when statistics see a broker up");
    CHECK(!rk_health_check(h, 71, why, sizeof why) && strstr(why, "61 s"),
          "a loop that has not come round for over the limit is not: %s", why);
    rk_health_tick(h, 71);
    rk_health_failed(h, "delivery to out failed: Broker: Not enough replicas");
    rk_health_failed(h, "later");
    rk_health_stopping(h, "a Kafka error");
    CHECK(!rk_health_check(h, 71, why, sizeof why) &&
              strstr(why, "Not enough replicas"),
          "a failed delivery is reported first, by its first cause: %s", why);
    rk_health_destroy(h);
}

static void test_health_stopping(void) {
    /* If it fails: a service shutting down still reports healthy. */
    rk_health_t *h = rk_health_new(60);
    char why[256];
    rk_health_tick(h, 1);
    rk_health_assigned(h);
    rk_health_stopping(h, "shutting down on a signal");
    CHECK(!rk_health_check(h, 1, why, sizeof why) && strstr(why, "signal"),
          "a stopping service is not healthy: %s", why);
    rk_health_destroy(h);
    rk_health_destroy(NULL);
}

/* ---- HTTP ------------------------------------------------------------------
 */

/* Sends one raw request to 127.0.0.1:port; returns the whole response. */
static char *request(int port, const char *req) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return NULL;
    }
    if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
        close(fd);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    ssize_t r;
    while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0)
        n += (size_t)r;
    buf[n] = '\0';
    close(fd);
    return buf;
}

static int healthy = 0;
static int health_cb(void *opaque, char *reason, size_t size) {
    (void)opaque;
    if (!healthy)
        snprintf(reason, size, "waiting for a partition assignment");
    return healthy;
}

static void test_http(void) {
    /* If it fails: /metrics or /healthz answer wrongly over real HTTP. */
    rk_metrics_t *m = rk_metrics_new();
    rk_metric_t *c;
    char err[256];
    rk_metrics_register(m, RK_METRIC_COUNTER, "rakiza_messages_in_total", "In.",
                        NULL, NULL, 0, &c, err, sizeof err);
    rk_metric_add(c, NULL, 42);
    rk_metrics_http_t *srv = NULL;
    CHECK(rk_metrics_http_start(m, NULL, 0, health_cb, NULL, &srv, err,
                                sizeof err) == RK_OK,
          "the server starts on a free port: %s", err);
    if (!srv) {
        rk_metrics_destroy(m);
        return;
    }
    int port = rk_metrics_http_port(srv);
    CHECK(port > 0, "the bound port is known (%d)", port);

    char *r = request(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n"
                            "Connection: close\r\n\r\n");
    CHECK(r && !strncmp(r, "HTTP/1.1 200", 12) &&
              strstr(r, "text/plain; version=0.0.4") &&
              strstr(r, "\r\n\r\n# HELP rakiza_messages_in_total In.\n") &&
              strstr(r, "\nrakiza_messages_in_total 42\n"),
          "GET /metrics: 200, the exposition content type, the registry: %s",
          r ? r : "(no answer)");
    free(r);
    r = request(port, "GET /healthz HTTP/1.0\r\n\r\n");
    CHECK(r && !strncmp(r, "HTTP/1.1 503", 12) &&
              strstr(r, "unhealthy: waiting for a partition assignment\n"),
          "GET /healthz when unhealthy: 503 and the reason: %s",
          r ? r : "(no answer)");
    free(r);
    healthy = 1;
    r = request(port, "GET /healthz HTTP/1.0\r\n\r\n");
    CHECK(r && !strncmp(r, "HTTP/1.1 200", 12) && strstr(r, "\r\n\r\nok\n"),
          "GET /healthz when healthy: 200 ok: %s", r ? r : "(no answer)");
    free(r);
    r = request(port, "HEAD /metrics HTTP/1.0\r\n\r\n");
    CHECK(r && !strncmp(r, "HTTP/1.1 200", 12) && !strstr(r, "# HELP"),
          "HEAD: the status without the body: %s", r ? r : "(no answer)");
    free(r);
    r = request(port, "GET /other HTTP/1.0\r\n\r\n");
    CHECK(r && !strncmp(r, "HTTP/1.1 404", 12), "other paths: 404");
    free(r);
    r = request(port, "POST /metrics HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc");
    CHECK(r && !strncmp(r, "HTTP/1.1 405", 12), "POST: 405: %s",
          r ? r : "(no answer)");
    free(r);

    rk_metrics_http_t *again = NULL;
    CHECK(rk_metrics_http_start(m, NULL, port, NULL, NULL, &again, err,
                                sizeof err) == RK_ERR_IO &&
              !again && strstr(err, "port"),
          "a port in use is an error naming it: %s", err);
    CHECK(rk_metrics_http_start(m, "localhost", 0, NULL, NULL, &again, err,
                                sizeof err) == RK_ERR_USAGE,
          "a bind address must be an IP literal: %s", err);
    rk_metrics_http_stop(srv);
    CHECK(request(port, "GET /metrics HTTP/1.0\r\n\r\n") == NULL,
          "after stop nothing listens");
    rk_metrics_http_stop(NULL);
    rk_metrics_destroy(m);
}

TEST_LIST = {{"render", test_render},
             {"threads", test_threads},
             {"kafka_stats", test_kstats},
             {"health", test_health},
             {"health_stopping", test_health_stopping},
             {"http", test_http},
             {NULL, NULL}};
