/*
 * health.c - see health.h. A mutex guards the state: it changes a few
 * times a second at most and is read once per /healthz request.
 */
#include "obs/health.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct rk_health_s {
    pthread_mutex_t lock;
    double stall, last_tick;
    int started, assigned;
    int consumer_known, consumer_up;
    int producer_up;
    long long producer_queued;
    char failed[256], stopping[256]; /* empty: not so */
};

rk_health_t *rk_health_new(double stall_seconds) {
    rk_health_t *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    if (pthread_mutex_init(&h->lock, NULL) != 0) {
        free(h);
        return NULL;
    }
    h->stall = stall_seconds;
    h->producer_up = 1;
    return h;
}

void rk_health_destroy(rk_health_t *h) {
    if (!h)
        return;
    pthread_mutex_destroy(&h->lock);
    free(h);
}

double rk_health_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void rk_health_tick(rk_health_t *h, double now) {
    pthread_mutex_lock(&h->lock);
    h->started = 1;
    h->last_tick = now;
    pthread_mutex_unlock(&h->lock);
}

void rk_health_assigned(rk_health_t *h) {
    pthread_mutex_lock(&h->lock);
    h->assigned = 1;
    pthread_mutex_unlock(&h->lock);
}

void rk_health_brokers(rk_health_t *h, int consumer, int up, long long queued) {
    pthread_mutex_lock(&h->lock);
    if (consumer) {
        h->consumer_known = 1;
        h->consumer_up = up;
    } else {
        h->producer_up = up;
        if (queued >= 0)
            h->producer_queued = queued;
    }
    pthread_mutex_unlock(&h->lock);
}

static void set_reason(char *dst, size_t size, const char *why) {
    snprintf(dst, size, "%s", why && *why ? why : "unknown");
}

void rk_health_failed(rk_health_t *h, const char *why) {
    pthread_mutex_lock(&h->lock);
    if (!h->failed[0]) /* the first failure is the cause */
        set_reason(h->failed, sizeof h->failed, why);
    pthread_mutex_unlock(&h->lock);
}

void rk_health_stopping(rk_health_t *h, const char *why) {
    pthread_mutex_lock(&h->lock);
    set_reason(h->stopping, sizeof h->stopping, why);
    pthread_mutex_unlock(&h->lock);
}

int rk_health_check(rk_health_t *h, double now, char *reason, size_t size) {
    pthread_mutex_lock(&h->lock);
    int n = 0; /* 0: healthy */
    if (h->failed[0])
        n = snprintf(reason, size, "output failed: %s", h->failed);
    else if (h->stopping[0])
        n = snprintf(reason, size, "stopping: %s", h->stopping);
    else if (!h->started)
        n = snprintf(reason, size, "starting");
    else if (!h->assigned)
        n = snprintf(reason, size,
                     "waiting for a partition assignment "
                     "from the consumer group");
    else if (h->consumer_known && !h->consumer_up)
        n = snprintf(reason, size, "no broker reachable");
    else if (!h->producer_up && h->producer_queued > 0)
        n = snprintf(reason, size,
                     "no broker reachable for output: %lld messages waiting",
                     h->producer_queued);
    else if (now - h->last_tick > h->stall)
        n = snprintf(reason, size,
                     "the loop has not come round for %.0f s (waiting for "
                     "output acknowledgements?)",
                     now - h->last_tick);
    pthread_mutex_unlock(&h->lock);
    if (!n && size)
        reason[0] = '\0';
    return n == 0;
}
