/*
 * broker.c - the embedded development broker (see broker.h).
 *
 * librdkafka hosts a mock cluster inside a client handle; we create a
 * producer handle only to own the cluster and never produce with it.
 */
#include "ingest/broker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rk_broker_s {
    rd_kafka_t *owner;                /* handle the mock cluster lives in */
    rd_kafka_mock_cluster_t *cluster; /* owned; destroyed before owner */
    int broker_cnt;
};

rk_err_t rk_broker_new(int broker_cnt, rk_broker_t **out, char *errstr,
                       size_t errstr_size) {
    *out = NULL;
    if (broker_cnt < 1 || broker_cnt > 16)
        return rk_fail(RK_ERR_USAGE, errstr, errstr_size,
                       "broker count %d out of range 1..16", broker_cnt);
    rk_broker_t *b = calloc(1, sizeof *b);
    if (!b)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    char kerr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* The owner handle never talks to a broker; keep its logs quiet. */
    if (rd_kafka_conf_set(conf, "log_level", "3", kerr, sizeof kerr) !=
        RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        free(b);
        return rk_fail(RK_ERR_KAFKA, errstr, errstr_size, "%s", kerr);
    }
    b->owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, kerr, sizeof kerr);
    if (!b->owner) {
        free(b);
        return rk_fail(RK_ERR_KAFKA, errstr, errstr_size,
                       "cannot create broker owner handle: %s", kerr);
    }
    b->cluster = rd_kafka_mock_cluster_new(b->owner, broker_cnt);
    if (!b->cluster) {
        rd_kafka_destroy(b->owner);
        free(b);
        return rk_fail(RK_ERR_KAFKA, errstr, errstr_size,
                       "cannot start mock cluster");
    }
    b->broker_cnt = broker_cnt;
    *out = b;
    return RK_OK;
}

rk_err_t rk_broker_create_topics(rk_broker_t *b, const char *spec, char *errstr,
                                 size_t errstr_size) {
    char *copy = strdup(spec);
    if (!copy)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    rk_err_t err = RK_OK;
    /* Split by hand: strtok would silently skip an empty item ("a,,b"). */
    char *next = copy;
    while (next && !err) {
        char *item = next;
        next = strchr(item, ',');
        if (next)
            *next++ = '\0';
        int partitions = 1;
        char *colon = strchr(item, ':');
        if (colon) {
            *colon = '\0';
            char *end = NULL;
            long n = strtol(colon + 1, &end, 10);
            if (end == colon + 1 || *end || n < 1 || n > 1000) {
                err = rk_fail(RK_ERR_USAGE, errstr, errstr_size,
                              "--topics: bad partition count '%s' for '%s'",
                              colon + 1, item);
                break;
            }
            partitions = (int)n;
        }
        if (!*item) {
            err = rk_fail(RK_ERR_USAGE, errstr, errstr_size,
                          "--topics: empty topic name in '%s'", spec);
            break;
        }
        rd_kafka_resp_err_t kerr = rd_kafka_mock_topic_create(
            b->cluster, item, partitions, b->broker_cnt);
        if (kerr)
            err = rk_fail(RK_ERR_KAFKA, errstr, errstr_size,
                          "cannot create topic '%s': %s", item,
                          rd_kafka_err2str(kerr));
    }
    free(copy);
    return err;
}

const char *rk_broker_bootstraps(const rk_broker_t *b) {
    return rd_kafka_mock_cluster_bootstraps(b->cluster);
}

rd_kafka_mock_cluster_t *rk_broker_cluster(rk_broker_t *b) {
    return b->cluster;
}

void rk_broker_destroy(rk_broker_t *b) {
    if (!b)
        return;
    rd_kafka_mock_cluster_destroy(b->cluster);
    rd_kafka_destroy(b->owner);
    free(b);
}
