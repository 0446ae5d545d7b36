/*
 * broker.h - the embedded development Kafka broker.
 *
 * A thin owner of librdkafka's mock cluster (rdkafka_mock.h): a real
 * Kafka-protocol server on 127.0.0.1 that keeps data in memory only, and
 * keeps only about the newest 5 MB per partition. Used by `rakiza broker`,
 * by the demo and by integration and fault-injection tests.
 */
#ifndef RK_BROKER_H
#define RK_BROKER_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "core/err.h"

typedef struct rk_broker_s rk_broker_t;

/* Starts a mock cluster of broker_cnt brokers (>= 1). The caller owns the
 * result and frees it with rk_broker_destroy(). */
rk_err_t rk_broker_new(int broker_cnt, rk_broker_t **out, char *errstr,
                       size_t errstr_size);

/* Creates topics from a spec "name:partitions,name2,..." (partitions
 * default to 1). An empty name or a bad count is a usage error. */
rk_err_t rk_broker_create_topics(rk_broker_t *b, const char *spec, char *errstr,
                                 size_t errstr_size);

/* The bootstrap.servers string; valid until rk_broker_destroy(). */
const char *rk_broker_bootstraps(const rk_broker_t *b);

/* The mock cluster, for fault injection in tests. */
rd_kafka_mock_cluster_t *rk_broker_cluster(rk_broker_t *b);

void rk_broker_destroy(rk_broker_t *b);

#endif
