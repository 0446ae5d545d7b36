/*
 * learn.c - see learn.h. One thread: it polls the consumer, applies each
 * message, dead-letters bad ones through the producer, and trains when a
 * decision is due (the consumer is not polled meanwhile; it holds no group
 * membership that could time out). The metrics server's thread reads only
 * the registry and the `failed` flag.
 */
#include "learn/learn.h"

#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/file.h"
#include "core/limits.h"
#include "learn/labels.h"
#include "learn/learn_conf.h"
#include "learn/publish.h"
#include "learn/retrain.h"
#include "models/chunks.h"
#include "obs/health.h"
#include "obs/kafka_log.h"
#include "obs/log.h"
#include "obs/metrics.h"
#include "obs/metrics_http.h"

#define MAX_PARTITIONS 1024
#define STATE_MAX_BYTES ((size_t)1 << 20)

/* Seconds one training decision takes: a small set, up to a large one on a
 * loaded machine. */
static const double training_bounds[] = {1, 5, 15, 30, 60, 120, 300, 900, 1800};

typedef struct learn_s {
    const rk_learn_conf_t *c;
    char state_path[4096];
    rk_labels_t *labels;
    rk_model_t *current;
    rd_kafka_t *consumer, *producer;
    int nparts;
    int64_t high[MAX_PARTITIONS];   /* watermarks at the start */
    int64_t read[MAX_PARTITIONS];   /* the last offset read, -1: none */
    int64_t judged[MAX_PARTITIONS]; /* dead letters sent up to here */
    int64_t saved[MAX_PARTITIONS];  /* judged as the state file has it */
    char promoted_id[64];           /* the state file's last promotion */
    rk_publish_tally_t dlq;
    size_t dlq_sent;
    size_t arrived; /* valid labels since the last decision */
    volatile int failed;
    rk_metrics_t *reg;
    rk_metrics_http_t *http;
    rk_metric_t *m_read, *m_dead, *m_held, *m_new, *m_cand, *m_promo,
        *m_refused, *m_secs, *m_model, *m_decisions;
} learn_t;

/* ---- metrics ------------------------------------------------------------ */

static int health_cb(void *opaque, char *reason, size_t n) {
    learn_t *l = opaque;
    if (l->failed) {
        snprintf(reason, n, "the learner stopped on an error (see its log)");
        return 0;
    }
    return 1;
}

static rk_err_t metrics_start(learn_t *l, char *errstr, size_t n) {
    const struct {
        rk_metric_t **slot;
        rk_metric_type_t type;
        const char *name, *label, *help;
    } defs[] = {
        {&l->m_read, RK_METRIC_COUNTER, "rakiza_learn_labels_read_total", NULL,
         "Messages read from the labels topic (again on each re-read)."},
        {&l->m_dead, RK_METRIC_COUNTER, "rakiza_learn_dead_letters_total",
         "code", "Labels-topic messages dead-lettered, by rakiza.error."},
        {&l->m_held, RK_METRIC_GAUGE, "rakiza_learn_labels", NULL,
         "Streamed labelled samples held (latest per key, withdrawn ones "
         "not counted)."},
        {&l->m_new, RK_METRIC_GAUGE, "rakiza_learn_new_labels", NULL,
         "Streamed labels not in the current model's training set, at the "
         "last decision."},
        {&l->m_decisions, RK_METRIC_COUNTER, "rakiza_learn_decisions_total",
         NULL, "Decisions made (one JSON line each on stdout)."},
        {&l->m_cand, RK_METRIC_COUNTER, "rakiza_learn_candidates_total", NULL,
         "Candidates trained and judged."},
        {&l->m_promo, RK_METRIC_COUNTER, "rakiza_learn_promotions_total", NULL,
         "Candidates promoted (written to --out and published)."},
        {&l->m_refused, RK_METRIC_COUNTER, "rakiza_learn_refusals_total", NULL,
         "Candidates judged and kept out."},
        {&l->m_secs, RK_METRIC_HISTOGRAM, "rakiza_learn_training_seconds", NULL,
         "Time to train and judge one candidate."},
        {&l->m_model, RK_METRIC_GAUGE, "rakiza_learn_model_info", "model",
         "1 for the id of the current model."},
    };
    if (!(l->reg = rk_metrics_new()))
        return rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    for (size_t i = 0; i < sizeof defs / sizeof *defs; i++) {
        int hist = defs[i].type == RK_METRIC_HISTOGRAM;
        rk_err_t err = rk_metrics_register(
            l->reg, defs[i].type, defs[i].name, defs[i].help, defs[i].label,
            hist ? training_bounds : NULL,
            hist ? sizeof training_bounds / sizeof *training_bounds : 0,
            defs[i].slot, errstr, n);
        if (err)
            return err;
    }
    if (!l->c->metrics_port)
        return RK_OK;
    rk_err_t err =
        rk_metrics_http_start(l->reg, l->c->metrics_address, l->c->metrics_port,
                              health_cb, l, &l->http, errstr, n);
    if (!err)
        rk_log(RK_LOG_INFO,
               "learn: metrics on http://%s:%d/metrics and "
               "/healthz",
               l->c->metrics_address ? l->c->metrics_address : "127.0.0.1",
               rk_metrics_http_port(l->http));
    return err;
}

static void show_model(learn_t *l) {
    const char *id = rk_model_id(l->current);
    rk_metric_replace(l->m_model, 1, &id, (const double[]){1});
}

/* ---- state -------------------------------------------------------------- */

static void state_load(learn_t *l) {
    char *buf = NULL, err[512];
    size_t len;
    for (int p = 0; p < MAX_PARTITIONS; p++)
        l->judged[p] = l->saved[p] = -1;
    if (access(l->state_path, F_OK) != 0)
        return;
    json_t *st = NULL;
    if (rk_file_read(l->state_path, STATE_MAX_BYTES, &buf, &len, err,
                     sizeof err) == RK_OK)
        st = json_loadb(buf, len, 0, NULL);
    free(buf);
    if (!json_is_object(st)) {
        rk_log(RK_LOG_WARN, "learn: state %s unreadable, starting afresh: %s",
               l->state_path, st ? "not a JSON object" : err);
        json_decref(st);
        return;
    }
    const char *topic = json_string_value(json_object_get(st, "labels_topic"));
    const char *key;
    json_t *v;
    if (topic && !strcmp(topic, l->c->labels_topic))
        json_object_foreach(json_object_get(st, "judged"), key, v) {
            int p = atoi(key);
            if (p >= 0 && p < MAX_PARTITIONS && json_is_integer(v))
                l->judged[p] = l->saved[p] = json_integer_value(v);
        }
    const char *id = json_string_value(json_object_get(st, "promoted"));
    snprintf(l->promoted_id, sizeof l->promoted_id, "%s", id ? id : "");
    json_decref(st);
}

static rk_err_t state_save(learn_t *l, char *errstr, size_t n) {
    json_t *judged = json_object();
    for (int p = 0; p < l->nparts; p++)
        if (l->judged[p] >= 0) {
            char k[16];
            snprintf(k, sizeof k, "%d", p);
            json_object_set_new(judged, k, json_integer(l->judged[p]));
        }
    json_t *st = json_pack("{s:s,s:o,s:s?}", "labels_topic", l->c->labels_topic,
                           "judged", judged, "promoted",
                           *l->promoted_id ? l->promoted_id : NULL);
    char *text = st ? json_dumps(st, JSON_SORT_KEYS | JSON_INDENT(1)) : NULL;
    json_decref(st);
    if (!text)
        return rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    rk_err_t err =
        rk_file_write_atomic(l->state_path, text, strlen(text), errstr, n);
    free(text);
    if (!err)
        memcpy(l->saved, l->judged, sizeof l->saved);
    return err;
}

/* ---- the current model -------------------------------------------------- */

static rk_err_t allow_labels(learn_t *l, char *errstr, size_t n) {
    const char *names[RK_MAX_LABELS];
    if (l->c->labels) {
        char *buf = malloc(strlen(l->c->labels) + 1);
        int k =
            buf ? rk_learn_conf_labels(l->c, buf, names, RK_MAX_LABELS) : -1;
        rk_err_t err = k >= 2 ? rk_labels_allow(l->labels, names, k, errstr, n)
                              : rk_fail(RK_ERR_USAGE, errstr, n,
                                        "rakiza.learn.labels: 2 to %d labels",
                                        RK_MAX_LABELS);
        free(buf);
        return err;
    }
    const rk_pred_t *pred = rk_model_pred(l->current);
    int k = rk_pred_nlabels(pred);
    for (int i = 0; i < k; i++)
        names[i] = rk_pred_label(pred, i);
    return rk_labels_allow(l->labels, names, k, errstr, n);
}

static rk_err_t load_current(learn_t *l, char *errstr, size_t n) {
    char err[1024];
    if (*l->promoted_id &&
        rk_model_load(l->c->out_path, &l->current, err, sizeof err) == RK_OK) {
        if (!strcmp(rk_model_id(l->current), l->promoted_id)) {
            rk_log(RK_LOG_INFO,
                   "learn: current model %s (promoted earlier, %s)",
                   l->promoted_id, l->c->out_path);
            return RK_OK;
        }
        rk_model_destroy(l->current);
        l->current = NULL;
    }
    rk_err_t e = rk_model_load(l->c->model_path, &l->current, errstr, n);
    if (!e)
        rk_log(RK_LOG_INFO, "learn: current model %s (%s)",
               rk_model_id(l->current), l->c->model_path);
    return e;
}

/* ---- Kafka -------------------------------------------------------------- */

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m,
                        void *opaque) {
    (void)rk;
    (void)opaque;
    rk_publish_delivered(m);
}

static rd_kafka_t *client(const rk_learn_conf_t *c, rd_kafka_type_t type,
                          char *errstr, size_t n) {
    rd_kafka_conf_t *k = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(k, rk_kafka_log_cb);
    rd_kafka_conf_set_error_cb(k, rk_kafka_error_cb);
    char group[96];
    int ok = 1;
#define SET(key, val)                                                          \
    ok = ok && rd_kafka_conf_set(k, key, val, errstr, n) == RD_KAFKA_CONF_OK
    if (type == RD_KAFKA_CONSUMER) {
        /* librdkafka needs a group id to assign; this one never joins a
         * group or commits. */
        snprintf(group, sizeof group, "rakiza-learn-%ld-%ld", (long)getpid(),
                 (long)time(NULL));
        SET("group.id", group);
        SET("enable.auto.commit", "false");
        SET("enable.auto.offset.store", "false");
        SET("auto.offset.reset", "earliest");
        SET("isolation.level", "read_committed");
    } else {
        SET("acks", "all");
        SET("enable.idempotence", "true");
        SET("queue.buffering.max.ms", "5");
        SET("message.max.bytes", "2000000");
        rd_kafka_conf_set_dr_msg_cb(k, on_delivery);
    }
#undef SET
    /* The user's, last: they win. */
    ok = ok && rk_kafka_props_apply(&c->kafka, k, errstr, n) == RK_OK;
    rd_kafka_t *rk = ok ? rd_kafka_new(type, k, errstr, n) : NULL;
    if (!rk)
        rd_kafka_conf_destroy(k);
    return rk;
}

/* Assigns every partition of the labels topic from its beginning and
 * notes the high watermarks to catch up to. */
static rk_err_t assign_all(learn_t *l, char *errstr, size_t n) {
    const char *topic = l->c->labels_topic;
    rd_kafka_topic_t *t = rd_kafka_topic_new(l->consumer, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t kerr =
        t ? rd_kafka_metadata(l->consumer, 0, t, &md, 10000)
          : RD_KAFKA_RESP_ERR__FAIL;
    if (!kerr && (md->topic_cnt != 1 || md->topics[0].err))
        kerr = md->topic_cnt == 1 ? md->topics[0].err
                                  : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
    rk_err_t err = RK_OK;
    if (kerr)
        err = rk_fail(RK_ERR_KAFKA, errstr, n, "labels topic %s: %s", topic,
                      rd_kafka_err2str(kerr));
    rd_kafka_topic_partition_list_t *parts =
        rd_kafka_topic_partition_list_new(8);
    for (int i = 0; !err && i < md->topics[0].partition_cnt; i++) {
        int32_t p = md->topics[0].partitions[i].id;
        if (p < 0 || p >= MAX_PARTITIONS) {
            err = rk_fail(RK_ERR_LIMIT, errstr, n,
                          "labels topic %s: partition %d over the %d read",
                          topic, (int)p, MAX_PARTITIONS);
            break;
        }
        int64_t lo = 0, hi = 0;
        kerr = rd_kafka_query_watermark_offsets(l->consumer, topic, p, &lo, &hi,
                                                10000);
        if (kerr) {
            err = rk_fail(RK_ERR_KAFKA, errstr, n,
                          "labels topic %s partition %d: %s", topic, (int)p,
                          rd_kafka_err2str(kerr));
            break;
        }
        l->high[p] = hi;
        l->read[p] = lo - 1;
        if (p + 1 > l->nparts)
            l->nparts = p + 1;
        rd_kafka_topic_partition_list_add(parts, topic, p)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    }
    if (!err && (kerr = rd_kafka_assign(l->consumer, parts)))
        err = rk_fail(RK_ERR_KAFKA, errstr, n, "cannot assign %s: %s", topic,
                      rd_kafka_err2str(kerr));
    if (!err)
        rk_log(RK_LOG_INFO,
               "learn: reading %s (%d partitions) from the beginning", topic,
               parts->cnt);
    rd_kafka_topic_partition_list_destroy(parts);
    if (md)
        rd_kafka_metadata_destroy(md);
    if (t)
        rd_kafka_topic_destroy(t);
    return err;
}

static int caught_up(const learn_t *l) {
    for (int p = 0; p < l->nparts; p++)
        if (l->read[p] + 1 < l->high[p])
            return 0;
    return 1;
}

/* The message, unchanged, to the dead-letter topic with the contract's
 * headers. */
static rk_err_t dead_letter(learn_t *l, const rd_kafka_message_t *m,
                            const char *code, const char *why, char *errstr,
                            size_t n) {
    char part[16], off[32];
    snprintf(part, sizeof part, "%d", (int)m->partition);
    snprintf(off, sizeof off, "%lld", (long long)m->offset);
    rd_kafka_resp_err_t e = rd_kafka_producev(
        l->producer, RD_KAFKA_V_TOPIC(rk_learn_conf_dlq(l->c)),
        RD_KAFKA_V_KEY(m->key, m->key_len),
        RD_KAFKA_V_VALUE(m->payload, m->len),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADER("rakiza.error", code, -1),
        RD_KAFKA_V_HEADER("rakiza.error.message", why, -1),
        RD_KAFKA_V_HEADER("rakiza.source.topic", l->c->labels_topic, -1),
        RD_KAFKA_V_HEADER("rakiza.source.partition", part, -1),
        RD_KAFKA_V_HEADER("rakiza.source.offset", off, -1),
        RD_KAFKA_V_OPAQUE(&l->dlq), RD_KAFKA_V_END);
    if (e)
        return rk_fail(
            RK_ERR_KAFKA, errstr, n, "cannot dead-letter %s/%d/%lld to %s: %s",
            l->c->labels_topic, (int)m->partition, (long long)m->offset,
            rk_learn_conf_dlq(l->c), rd_kafka_err2str(e));
    l->dlq_sent++;
    return RK_OK;
}

static rk_err_t apply(learn_t *l, const rd_kafka_message_t *m, char *errstr,
                      size_t n) {
    rk_label_code_t code;
    char why[512];
    rk_metric_add(l->m_read, NULL, 1);
    if (rk_labels_apply(l->labels, m->key, m->key_len, m->payload, m->len,
                        &code, why, sizeof why))
        return rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    int32_t p = m->partition;
    if (p >= 0 && p < MAX_PARTITIONS && m->offset > l->read[p])
        l->read[p] = m->offset;
    if (code == RK_LABEL_OK)
        l->arrived++;
    const char *name = rk_label_code_name(code);
    if (!name || (p >= 0 && p < MAX_PARTITIONS && m->offset <= l->judged[p]))
        return RK_OK; /* a sample, a tombstone, or dead-lettered before */
    rk_metric_add(l->m_dead, name, 1);
    rk_log(RK_LOG_WARN, "learn: %s/%d/%lld: %s: %s%s", l->c->labels_topic,
           (int)p, (long long)m->offset, name, why,
           rk_learn_conf_dlq(l->c) ? "" : " (no dead-letter topic: dropped)");
    return rk_learn_conf_dlq(l->c) ? dead_letter(l, m, name, why, errstr, n)
                                   : RK_OK;
}

/* Once the dead letters sent so far are acknowledged, what was read is
 * judged: the state file moves on so a re-read does not send them again. */
static rk_err_t settle(learn_t *l, char *errstr, size_t n) {
    if (l->dlq_sent) {
        rd_kafka_flush(l->producer, 30000);
        if (l->dlq.done < l->dlq_sent || l->dlq.err)
            return rk_fail(RK_ERR_KAFKA, errstr, n,
                           "dead letters to %s not acknowledged: %s",
                           rk_learn_conf_dlq(l->c),
                           l->dlq.err ? rd_kafka_err2str(l->dlq.err)
                                      : "timed out");
    }
    int changed = 0;
    for (int p = 0; p < l->nparts; p++)
        if (l->read[p] > l->judged[p])
            l->judged[p] = l->read[p], changed = 1;
    return changed ? state_save(l, errstr, n) : RK_OK;
}

/* Polls once; RK_OK also when nothing came. *got: a message was applied. */
static rk_err_t poll_once(learn_t *l, int timeout_ms, int *got, char *errstr,
                          size_t n) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(l->consumer, timeout_ms);
    rk_err_t err = RK_OK;
    *got = 0;
    if (m && m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            rk_log(RK_LOG_WARN, "learn: consumer: %s",
                   rd_kafka_message_errstr(m));
    } else if (m) {
        err = apply(l, m, errstr, n);
        *got = 1;
    }
    if (m)
        rd_kafka_message_destroy(m);
    rd_kafka_poll(l->producer, 0);
    return err;
}

/* ---- decisions ---------------------------------------------------------- */

static json_t *side(const char *id, const json_t *ev) {
    json_t *per = json_object_get(ev, "per_class");
    return json_pack(
        "{s:s?,s:o,s:O?}", "id", id, "macro_f1",
        ev ? json_real(json_number_value(json_object_get(ev, "macro_f1")))
           : json_null(),
        "per_class", per);
}

static void emit(learn_t *l, const rk_retrain_result_t *r, const char *cand_id,
                 const char *current_id, double seconds) {
    json_t *d =
        json_pack("{s:s,s:b,s:s,s:o,s:o,s:I,s:I,s:I,s:f}", "type", "decision",
                  "promoted", r->promoted, "reason", r->reason, "candidate",
                  side(cand_id, r->candidate_eval), "current",
                  side(current_id, r->current_eval), "n", (json_int_t)r->n,
                  "new_labels", (json_int_t)r->new_labels, "labels",
                  (json_int_t)rk_labels_count(l->labels), "seconds", seconds);
    char *line = d ? json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (line && l->c->on_decision)
        l->c->on_decision(l->c->opaque, line);
    free(line);
    json_decref(d);
}

/* The promoted model to --out and the model topic; then it is current. */
static rk_err_t promote(learn_t *l, rk_model_t *cand, char *errstr, size_t n) {
    rk_err_t err = rk_model_save(cand, l->c->out_path, errstr, n);
    char *bytes = NULL;
    size_t len = 0;
    if (!err && l->c->model_topic)
        err = rk_file_read(l->c->out_path, RK_FILE_MAX_INPUT, &bytes, &len,
                           errstr, n);
    if (!err && l->c->model_topic) {
        err = rk_publish_model(l->producer, l->c->model_topic,
                               rk_model_id(cand), bytes, len,
                               RK_LEARN_PUBLISH_TIMEOUT_MS, errstr, n);
        if (!err)
            rk_log(RK_LOG_INFO,
                   "learn: model %s published to %s (%zu bytes, %zu chunks)",
                   rk_model_id(cand), l->c->model_topic, len,
                   rk_chunk_count(len));
    }
    free(bytes);
    if (err)
        return err;
    snprintf(l->promoted_id, sizeof l->promoted_id, "%s", rk_model_id(cand));
    err = state_save(l, errstr, n);
    rk_model_destroy(l->current);
    l->current = cand;
    show_model(l);
    return err ? err : allow_labels(l, errstr, n);
}

static rk_err_t decide(learn_t *l, int *promoted, char *errstr, size_t n) {
    rk_sample_set_t streamed = {0};
    rk_retrain_result_t r;
    char current_id[64];
    snprintf(current_id, sizeof current_id, "%s", rk_model_id(l->current));
    rk_log(RK_LOG_INFO, "learn: deciding on %zu streamed labels against %s",
           rk_labels_count(l->labels), current_id);
    double started = rk_health_now();
    rk_err_t err = rk_labels_samples(l->labels, &streamed, errstr, n);
    if (!err)
        err = rk_retrain_decide(l->current, l->c->base, &streamed,
                                l->c->tolerance, &r, errstr, n);
    rk_labelled_free(&streamed);
    l->arrived = 0;
    if (err)
        return err;
    double secs = rk_health_now() - started;
    rk_metric_add(l->m_decisions, NULL, 1);
    rk_metric_set(l->m_new, NULL, (double)r.new_labels);
    if (r.trainings) {
        rk_metric_add(l->m_cand, NULL, 1);
        rk_metric_observe(l->m_secs, secs);
        rk_metric_add(r.promoted ? l->m_promo : l->m_refused, NULL, 1);
    }
    *promoted = r.promoted;
    char cand_id[64] = "";
    if (r.candidate)
        snprintf(cand_id, sizeof cand_id, "%s", rk_model_id(r.candidate));
    if (r.promoted) {
        err = promote(l, r.candidate, errstr, n);
        if (!err)
            r.candidate = NULL; /* now l->current */
    }
    if (!err) {
        emit(l, &r, *cand_id ? cand_id : NULL, current_id, secs);
        rk_log(RK_LOG_INFO, "learn: %s (%s), %zu new labels, %.1f s",
               r.promoted ? "promoted" : "kept", r.reason, r.new_labels, secs);
    }
    rk_retrain_result_clear(&r);
    return err;
}

/* ---- the loop ----------------------------------------------------------- */

static void learn_free(learn_t *l) {
    if (l->consumer) {
        rd_kafka_consumer_close(l->consumer);
        rd_kafka_destroy(l->consumer);
    }
    if (l->producer) {
        rd_kafka_flush(l->producer, 10000);
        rd_kafka_destroy(l->producer);
    }
    rk_metrics_http_stop(l->http);
    rk_metrics_destroy(l->reg);
    rk_labels_destroy(l->labels);
    rk_model_destroy(l->current);
}

static rk_err_t learn_start(learn_t *l, char *errstr, size_t n) {
    const rk_learn_conf_t *c = l->c;
    snprintf(l->state_path, sizeof l->state_path, "%s%s",
             c->state_path ? c->state_path : c->out_path,
             c->state_path ? "" : ".state");
    state_load(l);
    rk_err_t err = metrics_start(l, errstr, n);
    if (!err && !(l->labels = rk_labels_new()))
        err = rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    if (!err)
        err = load_current(l, errstr, n);
    if (!err) {
        show_model(l);
        err = allow_labels(l, errstr, n);
    }
    if (!err && (!(l->producer = client(c, RD_KAFKA_PRODUCER, errstr, n)) ||
                 !(l->consumer = client(c, RD_KAFKA_CONSUMER, errstr, n))))
        err = RK_ERR_KAFKA;
    if (!err)
        err = assign_all(l, errstr, n);
    return err;
}

rk_err_t rk_learn_run(const rk_learn_conf_t *c, rk_learn_signals_t *sig,
                      int *promoted, char *errstr, size_t n) {
    learn_t *l = calloc(1, sizeof *l);
    if (!l)
        return rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    l->c = c;
    *promoted = 0;
    rk_err_t err = learn_start(l, errstr, n);
    int decided = 0, got;
    while (!err && !sig->stop && !caught_up(l))
        err = poll_once(l, 200, &got, errstr, n);
    if (!err && !sig->stop) {
        rk_log(RK_LOG_INFO,
               "learn: caught up: %zu labelled samples, %zu dead letters",
               rk_labels_count(l->labels), l->dlq_sent);
        rk_metric_set(l->m_held, NULL, (double)rk_labels_count(l->labels));
        err = settle(l, errstr, n);
    }
    if (!err && !sig->stop && !c->once) {
        size_t fresh = 0; /* at start, what is new to the current model */
        rk_sample_set_t s = {0};
        err = rk_labels_samples(l->labels, &s, errstr, n);
        if (!err)
            err = rk_retrain_count_new(l->current, &s, &fresh, errstr, n);
        rk_labelled_free(&s);
        l->arrived = fresh;
    }
    while (!err && !sig->stop && !(c->once && decided)) {
        if (c->once || sig->retrain || l->arrived >= (size_t)c->every) {
            sig->retrain = 0;
            err = decide(l, promoted, errstr, n);
            decided = 1;
            continue;
        }
        err = poll_once(l, 200, &got, errstr, n);
        if (!err && got)
            rk_metric_set(l->m_held, NULL, (double)rk_labels_count(l->labels));
        if (!err && !got && caught_up(l))
            err = settle(l, errstr, n);
    }
    if (!err && c->once && !decided)
        err = rk_fail(RK_ERR_IO, errstr, n,
                      "stopped by a signal before a decision was made");
    if (err)
        l->failed = 1;
    learn_free(l);
    free(l);
    return err;
}
