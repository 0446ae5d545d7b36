/*
 * learn_conf.h - the settings of `rakiza learn`, filled from flags, -X
 * pairs and -F properties files through one setter, as `rakiza run`'s are
 * (ingest/stream_conf.h): rakiza's own keys are the rows of
 * rk_learn_settings; every other key is a librdkafka property, checked at
 * once against librdkafka (a typo is refused naming the key) and given to
 * the learner's consumer and producer.
 */
#ifndef RK_LEARN_CONF_H
#define RK_LEARN_CONF_H

#include <stddef.h>

#include "core/err.h"
#include "core/kafka_props.h"
#include "core/settings.h"
#include "models/labelled.h"

#define RK_LEARN_DEFAULT_EVERY 50

typedef struct rk_learn_conf_s {
    /* The rows of rk_learn_settings. */
    char *labels_topic; /* rakiza.labels.topic (-l) */
    char *model_path;   /* rakiza.model: the current model (--model) */
    char *out_path;     /* rakiza.learn.out: promoted models (--out) */
    char *state_path;   /* rakiza.learn.state; NULL: out_path + ".state" */
    char *model_topic;  /* rakiza.model.topic; NULL: no publishing */
    char *dlq;          /* rakiza.dlq; NULL or "none": only logged */
    char *labels;       /* rakiza.learn.labels: "a,b,..."; NULL: M's */
    int every;          /* rakiza.learn.every: new labels per decision */
    int once;           /* rakiza.learn.once */
    double tolerance;   /* rakiza.learn.tolerance */
    int metrics_port;   /* rakiza.metrics.port; 0: off */
    char *metrics_address;
    rk_kafka_props_t kafka; /* the user's librdkafka properties */
    /* Set by hand. */
    const rk_sample_set_t *base; /* the trusted samples (--data), borrowed */
    /* Each decision as one JSON line (no newline); opaque is passed on. */
    void (*on_decision)(void *opaque, const char *line);
    void *opaque;
} rk_learn_conf_t;

/* Every rakiza learn setting: key, type, range, default, description. */
extern const rk_setting_t rk_learn_settings[];

/* A conf holding every default; NULL when out of memory. */
rk_learn_conf_t *rk_learn_conf_new(void);
void rk_learn_conf_destroy(rk_learn_conf_t *conf); /* NULL-safe */

/* Sets a rakiza.* key of the table or a librdkafka property. */
rk_err_t rk_learn_conf_set(rk_learn_conf_t *conf, const char *key,
                           const char *value, char *errstr, size_t errstr_size);

/* Reads key=value lines; errors name file:line and the key. */
rk_err_t rk_learn_conf_load_file(rk_learn_conf_t *conf, const char *path,
                                 char *errstr, size_t errstr_size);

/* Checks the settings belong together: brokers, labels topic, model and
 * out given; --labels names two labels or more. */
rk_err_t rk_learn_conf_check(const rk_learn_conf_t *conf, char *errstr,
                             size_t errstr_size);

/* The dead-letter topic, or NULL for none. */
const char *rk_learn_conf_dlq(const rk_learn_conf_t *conf);

/* Splits conf->labels into labels[] (pointers into buf, which the caller
 * provides with room for strlen(conf->labels) + 1 bytes); returns how
 * many, or -1 when more than max. */
int rk_learn_conf_labels(const rk_learn_conf_t *conf, char *buf,
                         const char **labels, int max);

#endif
