/*
 * kafka_props.c - the user's librdkafka properties (see kafka_props.h).
 */
#include "core/kafka_props.h"

#include <stdlib.h>
#include <string.h>

rk_err_t rk_kafka_props_add(rk_kafka_props_t *p, const char *key, const char *v,
                            char *errstr, size_t n) {
    char kerr[256];
    rd_kafka_conf_t *probe = rd_kafka_conf_new();
    rd_kafka_conf_res_t r = rd_kafka_conf_set(probe, key, v, kerr, sizeof kerr);
    rd_kafka_conf_destroy(probe);
    if (r != RD_KAFKA_CONF_OK)
        return rk_fail(RK_ERR_USAGE, errstr, n, "%s", kerr);
    char *k = strdup(key), *val = strdup(v);
    char **kv = k && val ? realloc(p->kv, (p->n + 1) * 2 * sizeof *kv) : NULL;
    if (!kv) {
        free(k);
        free(val);
        return rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    }
    p->kv = kv;
    kv[2 * p->n] = k;
    kv[2 * p->n + 1] = val;
    p->n++;
    return RK_OK;
}

rk_err_t rk_kafka_props_apply(const rk_kafka_props_t *p, rd_kafka_conf_t *kconf,
                              char *errstr, size_t n) {
    for (size_t i = 0; i < p->n; i++)
        if (rd_kafka_conf_set(kconf, p->kv[2 * i], p->kv[2 * i + 1], errstr,
                              n) != RD_KAFKA_CONF_OK)
            return RK_ERR_USAGE;
    return RK_OK;
}

int rk_kafka_props_have_brokers(const rk_kafka_props_t *p) {
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->kv[2 * i], "bootstrap.servers") ||
            !strcmp(p->kv[2 * i], "metadata.broker.list"))
            return 1;
    return 0;
}

void rk_kafka_props_clear(rk_kafka_props_t *p) {
    for (size_t i = 0; i < 2 * p->n; i++)
        free(p->kv[i]);
    free(p->kv);
    p->kv = NULL;
    p->n = 0;
}
