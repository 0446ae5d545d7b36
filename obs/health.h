/*
 * health.h - what `rakiza run`'s /healthz answers: is the service
 * consuming, and can its output get out?
 *
 * The streaming loop and librdkafka's callbacks report events here; the
 * metrics server's thread asks rk_health_check. Healthy means all of:
 *   - the service has started its loop and is not stopping;
 *   - no output was lost: no failed delivery, no fatal producer error
 *     (both stop the service; reported until it has stopped);
 *   - the consumer has joined its group and been assigned partitions at
 *     least once (an assignment of zero partitions, an idle member of a
 *     group with more members than partitions, counts: it is standing by);
 *   - the consumer reaches at least one broker (librdkafka statistics, or
 *     an "all brokers down" error until the next statistics or message
 *     say otherwise);
 *   - the producer is not holding messages with no broker to send them to
 *     (an idle producer with no connection is fine);
 *   - the loop has come round within the stall limit (it polls every
 *     100 ms; a round, even a large one, takes seconds).
 * Times are CLOCK_MONOTONIC seconds, passed in so tests can drive them.
 */
#ifndef RK_HEALTH_H
#define RK_HEALTH_H

#include <stddef.h>

typedef struct rk_health_s rk_health_t;

/* stall_seconds: longest gap between loop turns still healthy. NULL when
 * out of memory. */
rk_health_t *rk_health_new(double stall_seconds);
void rk_health_destroy(rk_health_t *h); /* NULL-safe */

/* The loop runs (started) and has come round (tick) at time now. */
void rk_health_tick(rk_health_t *h, double now);
void rk_health_assigned(rk_health_t *h);
/* What the latest statistics (or error) say of a client's connections:
 * up is whether any broker is UP; queued the messages it holds. */
void rk_health_brokers(rk_health_t *h, int consumer, int up, long long queued);
/* Sticky: output failed (why is copied). */
void rk_health_failed(rk_health_t *h, const char *why);
void rk_health_stopping(rk_health_t *h, const char *why);

/* 1 when healthy; otherwise 0 and a one-line reason in reason. */
int rk_health_check(rk_health_t *h, double now, char *reason,
                    size_t reason_size);

/* CLOCK_MONOTONIC in seconds. */
double rk_health_now(void);

#endif
