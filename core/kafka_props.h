/*
 * kafka_props.h - the librdkafka properties a user gives a command (-X
 * key=value, -F files): each is checked against librdkafka when it is set,
 * so a typo is refused up front naming the key, and kept in order to be
 * applied, last, to every client the command makes (the user's win).
 */
#ifndef RK_KAFKA_PROPS_H
#define RK_KAFKA_PROPS_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

#include "core/err.h"

typedef struct rk_kafka_props_s {
    char **kv; /* key, value, key, value, ... */
    size_t n;  /* pairs */
} rk_kafka_props_t;

/* Checks key=value against librdkafka (RK_ERR_USAGE with its message) and
 * keeps a copy. */
rk_err_t rk_kafka_props_add(rk_kafka_props_t *props, const char *key,
                            const char *value, char *errstr,
                            size_t errstr_size);

/* Sets every pair on kconf, in the order given. */
rk_err_t rk_kafka_props_apply(const rk_kafka_props_t *props,
                              rd_kafka_conf_t *kconf, char *errstr,
                              size_t errstr_size);

/* 1 when the brokers are among them (bootstrap.servers or its alias
 * metadata.broker.list). */
int rk_kafka_props_have_brokers(const rk_kafka_props_t *props);

/* Frees the copies and empties props. */
void rk_kafka_props_clear(rk_kafka_props_t *props);

#endif
