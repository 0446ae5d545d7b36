/*
 * stream_conf.c - see stream_conf.h.
 */
#include "ingest/stream_conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

rk_stream_conf_t *rk_stream_conf_new(void) {
    rk_stream_conf_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->threads = 1;
    c->include_text = 1;
    c->batch_size = 200;
    c->batch_ms = 200;
    c->summary_ms = 10000;
    rk_env_limits_default(&c->limits);
    /* Kafka's default broker limit (message.max.bytes 1048588) less room
     * for the record's key and headers. */
    c->dlq_max_bytes = 1000000;
    c->group = strdup("rakiza");
    return c;
}

void rk_stream_conf_destroy(rk_stream_conf_t *c) {
    if (!c)
        return;
    free(c->in_topic);
    free(c->out_topic);
    free(c->group);
    free(c->dlq);
    free(c->model_path);
    free(c->metrics_address);
    for (size_t i = 0; i < 2 * c->nkafka; i++)
        free(c->kafka[i]);
    free(c->kafka);
    free(c);
}

static int set_str(char **field, const char *v) {
    char *d = strdup(v);
    if (!d)
        return 0;
    free(*field);
    *field = d;
    return 1;
}

static int set_int(int *field, const char *v, long lo, long hi) {
    char *end;
    long n = strtol(v, &end, 10);
    if (end == v || *end || n < lo || n > hi)
        return 0;
    *field = (int)n;
    return 1;
}

static int set_size(size_t *field, const char *v) {
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    if (end == v || *end || n < 1 || n > ((unsigned long long)1 << 32))
        return 0;
    *field = (size_t)n;
    return 1;
}

static int set_bool(int *field, const char *v) {
    if (!strcmp(v, "true") || !strcmp(v, "1"))
        return (*field = 1), 1;
    if (!strcmp(v, "false") || !strcmp(v, "0"))
        return (*field = 0), 1;
    return 0;
}

rk_err_t rk_stream_conf_set(rk_stream_conf_t *c, const char *key,
                            const char *v, char *errstr, size_t n) {
    int ok;
    if (!strcmp(key, "rakiza.in.topic"))
        ok = *v && set_str(&c->in_topic, v);
    else if (!strcmp(key, "rakiza.out.topic"))
        ok = *v && set_str(&c->out_topic, v);
    else if (!strcmp(key, "rakiza.dlq"))
        ok = *v && set_str(&c->dlq, v);
    else if (!strcmp(key, "rakiza.model"))
        ok = *v && set_str(&c->model_path, v);
    else if (!strcmp(key, "group.id"))
        ok = *v && set_str(&c->group, v);
    else if (!strcmp(key, "rakiza.exactly.once"))
        ok = set_bool(&c->exactly_once, v);
    else if (!strcmp(key, "rakiza.threads"))
        ok = set_int(&c->threads, v, 1, 64);
    else if (!strcmp(key, "rakiza.watch"))
        ok = set_bool(&c->watch, v);
    else if (!strcmp(key, "rakiza.explain"))
        ok = set_int(&c->explain, v, 0, 100);
    else if (!strcmp(key, "rakiza.text"))
        ok = set_bool(&c->include_text, v);
    else if (!strcmp(key, "rakiza.batch.size"))
        ok = set_int(&c->batch_size, v, 1, 100000);
    else if (!strcmp(key, "rakiza.batch.ms"))
        ok = set_int(&c->batch_ms, v, 1, 60000);
    else if (!strcmp(key, "rakiza.metrics.port"))
        ok = set_int(&c->metrics_port, v, 0, 65535);
    else if (!strcmp(key, "rakiza.metrics.address"))
        ok = *v && set_str(&c->metrics_address, v);
    else if (!strcmp(key, "rakiza.summary.interval.ms"))
        ok = set_int(&c->summary_ms, v, 0, 86400000);
    else if (!strcmp(key, "rakiza.max.message.bytes"))
        ok = set_size(&c->limits.max_message_bytes, v);
    else if (!strcmp(key, "rakiza.max.decompressed.bytes"))
        ok = set_size(&c->limits.max_decompressed_bytes, v);
    else if (!strcmp(key, "rakiza.dlq.max.bytes"))
        ok = set_size(&c->dlq_max_bytes, v) && c->dlq_max_bytes >= 1024 &&
             c->dlq_max_bytes <= ((size_t)1 << 29);
    else if (!strncmp(key, "rakiza.", 7))
        return rk_fail(RK_ERR_USAGE, errstr, n, "unknown setting '%s'", key);
    else {
        /* A librdkafka property: let librdkafka judge it now. */
        char kerr[256];
        rd_kafka_conf_t *probe = rd_kafka_conf_new();
        rd_kafka_conf_res_t r = rd_kafka_conf_set(probe, key, v, kerr,
                                                  sizeof kerr);
        rd_kafka_conf_destroy(probe);
        if (r != RD_KAFKA_CONF_OK)
            return rk_fail(RK_ERR_USAGE, errstr, n, "%s", kerr);
        char **kv = realloc(c->kafka, (c->nkafka + 1) * 2 * sizeof *kv);
        if (!kv)
            return rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
        c->kafka = kv;
        kv[2 * c->nkafka] = strdup(key);
        kv[2 * c->nkafka + 1] = strdup(v);
        c->nkafka++;
        ok = kv[2 * c->nkafka - 2] && kv[2 * c->nkafka - 1];
    }
    if (!ok)
        return rk_fail(RK_ERR_USAGE, errstr, n, "bad value '%s' for '%s'", v,
                       key);
    return RK_OK;
}

rk_err_t rk_stream_conf_load_file(rk_stream_conf_t *c, const char *path,
                                  char *errstr, size_t n) {
    FILE *f = fopen(path, "r");
    if (!f)
        return rk_fail(RK_ERR_IO, errstr, n, "cannot open '%s': %s", path,
                       strerror(errno));
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    rk_err_t err = RK_OK;
    while (!err && getline(&line, &cap, f) >= 0) {
        lineno++;
        char *s = line + strspn(line, " \t");
        s[strcspn(s, "\r\n")] = '\0';
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            err = rk_fail(RK_ERR_USAGE, errstr, n,
                          "%s:%zu: expected key=value", path, lineno);
            break;
        }
        *eq = '\0';
        char *end = eq;
        while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
            *--end = '\0';
        char *v = eq + 1 + strspn(eq + 1, " \t"), inner[512];
        err = rk_stream_conf_set(c, s, v, inner, sizeof inner);
        if (err)
            rk_fail(err, errstr, n, "%s:%zu: %s", path, lineno, inner);
    }
    free(line);
    fclose(f);
    return err;
}

rk_err_t rk_stream_conf_check(const rk_stream_conf_t *c, char *errstr,
                              size_t n) {
    int brokers = 0;
    for (size_t i = 0; i < c->nkafka; i++)
        brokers |= !strcmp(c->kafka[2 * i], "bootstrap.servers") ||
                   !strcmp(c->kafka[2 * i], "metadata.broker.list");
    if (!brokers)
        return rk_fail(RK_ERR_USAGE, errstr, n, "no brokers (-b BROKERS)");
    if (!c->in_topic || !c->out_topic)
        return rk_fail(RK_ERR_USAGE, errstr, n,
                       "the input and output topics are required (-i, -o)");
    if (!c->dlq)
        return rk_fail(RK_ERR_USAGE, errstr, n,
                       "no dead-letter topic: give --dlq TOPIC, or --dlq none "
                       "to log and skip bad input");
    if (!strcmp(c->in_topic, c->out_topic) ||
        !strcmp(c->dlq, c->in_topic))
        return rk_fail(RK_ERR_USAGE, errstr, n,
                       "the input topic cannot also be the output or "
                       "dead-letter topic");
    return RK_OK;
}

rk_err_t rk_stream_conf_apply(const rk_stream_conf_t *c,
                              rd_kafka_conf_t *kconf, char *errstr,
                              size_t n) {
    for (size_t i = 0; i < c->nkafka; i++)
        if (rd_kafka_conf_set(kconf, c->kafka[2 * i], c->kafka[2 * i + 1],
                              errstr, n) != RD_KAFKA_CONF_OK)
            return RK_ERR_USAGE;
    return RK_OK;
}
