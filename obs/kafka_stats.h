/*
 * kafka_stats.h - the few facts rakiza reads from librdkafka's statistics
 * (the JSON document a stats_cb receives every statistics.interval.ms;
 * see librdkafka's STATISTICS.md): how many brokers a client has a working
 * connection to, how many messages wait in a producer's queues, and each
 * assigned partition's consumer lag.
 */
#ifndef RK_KAFKA_STATS_H
#define RK_KAFKA_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct rk_kstats_lag_s {
    int32_t partition;
    int64_t lag; /* high watermark (last stable offset under read_committed)
                    minus the committed offset */
} rk_kstats_lag_t;

typedef struct rk_kstats_s {
    int brokers;           /* brokers known (bootstrap and learned; not the
                              logical coordinator entries) */
    int brokers_up;        /* of those, with state UP */
    int64_t queued;        /* messages in the client's queues (msg_cnt) */
    rk_kstats_lag_t *lags; /* assigned ("desired") partitions of the topic
                              with a known lag; owned, see rk_kstats_clear */
    size_t nlags;
} rk_kstats_t;

/* Parses one statistics document; topic selects the partitions whose lag
 * is read (NULL: none). Fills *out (zeroed first). Malformed JSON is
 * RK_ERR_DATA naming the byte offset; missing fields read as absent. */
rk_err_t rk_kstats_parse(const char *json, size_t len, const char *topic,
                         rk_kstats_t *out, char *errstr, size_t errstr_size);

/* Frees what *s owns and zeroes it; NULL-safe. */
void rk_kstats_clear(rk_kstats_t *s);

#endif
