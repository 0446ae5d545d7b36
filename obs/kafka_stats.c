/*
 * kafka_stats.c - see kafka_stats.h.
 */
#include "obs/kafka_stats.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void rk_kstats_clear(rk_kstats_t *s) {
    if (!s)
        return;
    free(s->lags);
    memset(s, 0, sizeof *s);
}

static void read_brokers(json_t *brokers, rk_kstats_t *out) {
    const char *name;
    json_t *b;
    json_object_foreach(brokers, name, b) {
        /* "GroupCoordinator" and the like are logical views of a real
         * broker that is listed too. */
        const char *source = json_string_value(json_object_get(b, "source"));
        if (source && !strcmp(source, "logical"))
            continue;
        const char *state = json_string_value(json_object_get(b, "state"));
        out->brokers++;
        out->brokers_up += state && !strcmp(state, "UP");
    }
}

static rk_err_t read_lags(json_t *parts, rk_kstats_t *out, char *errstr,
                          size_t errstr_size) {
    size_t n = json_object_size(parts);
    if (!n)
        return RK_OK;
    out->lags = calloc(n, sizeof *out->lags);
    if (!out->lags)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    const char *key;
    json_t *p;
    json_object_foreach(parts, key, p) {
        json_t *id = json_object_get(p, "partition");
        json_t *lag = json_object_get(p, "consumer_lag");
        /* Partition -1 is librdkafka's internal unassigned queue; a lag of
         * -1 means unknown (nothing committed yet). */
        if (!json_is_true(json_object_get(p, "desired")) ||
            !json_is_integer(id) || json_integer_value(id) < 0 ||
            !json_is_integer(lag) || json_integer_value(lag) < 0)
            continue;
        out->lags[out->nlags++] = (rk_kstats_lag_t){
            (int32_t)json_integer_value(id), (int64_t)json_integer_value(lag)};
    }
    return RK_OK;
}

rk_err_t rk_kstats_parse(const char *json, size_t len, const char *topic,
                         rk_kstats_t *out, char *errstr, size_t errstr_size) {
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    json_t *root = json_loadb(json, len, 0, &jerr);
    if (!json_is_object(root)) {
        json_decref(root);
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "librdkafka statistics: not a JSON object (byte %d)",
                       root ? 0 : jerr.position);
    }
    read_brokers(json_object_get(root, "brokers"), out);
    json_t *queued = json_object_get(root, "msg_cnt");
    out->queued = json_is_integer(queued) ? json_integer_value(queued) : 0;
    rk_err_t err = RK_OK;
    if (topic)
        err = read_lags(
            json_object_get(
                json_object_get(json_object_get(root, "topics"), topic),
                "partitions"),
            out, errstr, errstr_size);
    json_decref(root);
    if (err)
        rk_kstats_clear(out);
    return err;
}
