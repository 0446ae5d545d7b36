/*
 * kafka_log.c - librdkafka's events as log lines (see kafka_log.h).
 */
#include "obs/kafka_log.h"

#include <string.h>

#include "obs/log.h"

void rk_kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac,
                     const char *buf) {
    (void)rk;
    if (!strcmp(fac, "FAIL"))
        level = 7;
    rk_log(level <= 3   ? RK_LOG_ERROR
           : level <= 4 ? RK_LOG_WARN
                        : RK_LOG_DEBUG,
           "kafka %s: %s", fac, buf);
}

void rk_kafka_error_cb(rd_kafka_t *rk, int err, const char *reason,
                       void *opaque) {
    (void)opaque;
    rk_log(RK_LOG_WARN, "kafka %s: %s: %s",
           rd_kafka_type(rk) == RD_KAFKA_CONSUMER ? "consumer" : "producer",
           rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}
