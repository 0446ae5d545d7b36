/*
 * learn_conf.c - see learn_conf.h.
 */
#include "learn/learn_conf.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"

#define ROW(name, type, field, lo, hi, open, def, desc)                        \
    {                                                                          \
        name, type, offsetof(rk_learn_conf_t, field), 0, lo, hi, open, NULL,   \
            def, desc                                                          \
    }

const rk_setting_t rk_learn_settings[] = {
    ROW("rakiza.labels.topic", RK_SETTING_STRING, labels_topic, 0, 0, 0, NULL,
        "labels topic, read from its beginning (-l)"),
    ROW("rakiza.model", RK_SETTING_STRING, model_path, 0, 0, 0, NULL,
        "the current model; its settings train the candidate (--model)"),
    ROW("rakiza.learn.out", RK_SETTING_STRING, out_path, 0, 0, 0, NULL,
        "where a promoted model is written, atomically (--out)"),
    ROW("rakiza.learn.state", RK_SETTING_STRING, state_path, 0, 0, 0, NULL,
        "the learner's state file; unset: --out plus .state (--state)"),
    ROW("rakiza.model.topic", RK_SETTING_STRING, model_topic, 0, 0, 0, NULL,
        "publish promoted models there, in chunks (--model-topic)"),
    ROW("rakiza.dlq", RK_SETTING_STRING, dlq, 0, 0, 0, NULL,
        "dead-letter topic for bad labels-topic messages; unset or none: "
        "logged only (--dlq)"),
    ROW("rakiza.learn.labels", RK_SETTING_STRING, labels, 0, 0, 0, NULL,
        "the allowed labels, a,b,...; unset: the current model's (--labels)"),
    ROW("rakiza.learn.every", RK_SETTING_INT, every, 1, 1e9, 0,
        RK_XSTR(RK_LEARN_DEFAULT_EVERY),
        "new labels that bring a decision (--every)"),
    ROW("rakiza.learn.once", RK_SETTING_BOOL, once, 0, 1, 0, "false",
        "one decision, then exit: 0 promoted, 3 kept (--once)"),
    ROW("rakiza.learn.tolerance", RK_SETTING_DOUBLE, tolerance, 0, 1, 0, "0.01",
        "macro-F1 a candidate may lose and still be promoted "
        "(--tolerance)"),
    ROW("rakiza.metrics.port", RK_SETTING_INT, metrics_port, 0, 65535, 0, "0",
        "port of /metrics and /healthz; 0: off (--metrics-port)"),
    ROW("rakiza.metrics.address", RK_SETTING_STRING, metrics_address, 0, 0, 0,
        NULL, "address the metrics endpoint binds; unset: 127.0.0.1"),
    {NULL, 0, 0, 0, 0, 0, 0, NULL, NULL, NULL}};

rk_learn_conf_t *rk_learn_conf_new(void) {
    rk_learn_conf_t *c = calloc(1, sizeof *c);
    char err[128];
    if (c && rk_settings_reset(rk_learn_settings, c, err, sizeof err)) {
        rk_learn_conf_destroy(c);
        return NULL;
    }
    return c;
}

void rk_learn_conf_destroy(rk_learn_conf_t *c) {
    if (!c)
        return;
    rk_settings_free(rk_learn_settings, c);
    rk_kafka_props_clear(&c->kafka);
    free(c);
}

rk_err_t rk_learn_conf_set(rk_learn_conf_t *c, const char *key, const char *v,
                           char *errstr, size_t n) {
    if (rk_settings_find(rk_learn_settings, key) || !strncmp(key, "rakiza.", 7))
        return rk_settings_set(rk_learn_settings, c, key, v, errstr, n);
    /* Any other key is a librdkafka property. */
    return rk_kafka_props_add(&c->kafka, key, v, errstr, n);
}

static rk_err_t set_any(void *conf, const char *key, const char *value,
                        char *errstr, size_t n) {
    return rk_learn_conf_set(conf, key, value, errstr, n);
}

rk_err_t rk_learn_conf_load_file(rk_learn_conf_t *c, const char *path,
                                 char *errstr, size_t n) {
    return rk_settings_load_file(path, set_any, c, errstr, n);
}

const char *rk_learn_conf_dlq(const rk_learn_conf_t *c) {
    return c->dlq && strcmp(c->dlq, "none") ? c->dlq : NULL;
}

int rk_learn_conf_labels(const rk_learn_conf_t *c, char *buf,
                         const char **labels, int max) {
    int k = 0;
    strcpy(buf, c->labels ? c->labels : "");
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        if (k == max)
            return -1;
        labels[k++] = t;
    }
    return k;
}

rk_err_t rk_learn_conf_check(const rk_learn_conf_t *c, char *errstr, size_t n) {
    int brokers = rk_kafka_props_have_brokers(&c->kafka);
    const char *missing = !brokers           ? "brokers (bootstrap.servers)"
                          : !c->labels_topic ? "the labels topic"
                          : !c->model_path   ? "the current model"
                          : !c->out_path     ? "where promoted models go"
                                             : NULL;
    if (missing)
        return rk_fail(RK_ERR_USAGE, errstr, n, "no %s", missing);
    if (c->labels) {
        char *buf = malloc(strlen(c->labels) + 1);
        const char *labels[RK_MAX_LABELS];
        int k = buf ? rk_learn_conf_labels(c, buf, labels, RK_MAX_LABELS) : 0;
        free(buf);
        if (!buf)
            return rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
        if (k < 2)
            return rk_fail(RK_ERR_USAGE, errstr, n,
                           "rakiza.learn.labels names %s labels; two or more "
                           "(at most %d) are needed",
                           k < 0 ? "too many" : "fewer than two",
                           RK_MAX_LABELS);
    }
    return RK_OK;
}
