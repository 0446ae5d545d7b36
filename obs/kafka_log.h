/*
 * kafka_log.h - librdkafka's log and error events as rakiza log lines
 * (obs/log.h), the same for every client of every command.
 */
#ifndef RK_KAFKA_LOG_H
#define RK_KAFKA_LOG_H

#include <librdkafka/rdkafka.h>

/* For rd_kafka_conf_set_log_cb: syslog levels 0-3 are errors, 4 warnings,
 * the rest debug. A connection failure (facility FAIL) also reaches the
 * error callback, which logs it: one event, one line. */
void rk_kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac,
                     const char *buf);

/* For rd_kafka_conf_set_error_cb where no metric counts the errors: a
 * warning naming the client type and the error. */
void rk_kafka_error_cb(rd_kafka_t *rk, int err, const char *reason,
                       void *opaque);

#endif
