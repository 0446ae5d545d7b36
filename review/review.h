/*
 * review.h - `rakiza review`, the labelling service: reads the classified
 * paragraphs on the output topic and the labelled samples on the labels
 * topic into a store (store.h), serves the page (server.h) and publishes
 * each label an analyst chooses to the labels topic.
 *
 * Both topics are read from their beginning, on every partition, and kept
 * read while the page is served (new records show on the next load of the
 * queue). The consumer assigns itself the partitions (a group id unique to
 * the process, never joined, never committed: no consumer group state is
 * left on the brokers) and looks for new partitions, or for a topic that
 * did not exist yet, every RK_REVIEW_METADATA_MS. A message that is not a
 * paragraph record or a sample is skipped and counted; it never stops the
 * service. A sample is published with acks from all in-sync replicas and
 * answered only once delivered (or failed: the page then says so).
 */
#ifndef RK_REVIEW_H
#define RK_REVIEW_H

#include <signal.h>
#include <stddef.h>

#include "core/err.h"

/* How often partitions are looked for, in milliseconds. */
#define RK_REVIEW_METADATA_MS 5000

/* How long a label may take to be delivered before the page is told it
 * failed, in milliseconds (librdkafka's message.timeout.ms). */
#define RK_REVIEW_DELIVERY_TIMEOUT_MS 10000

typedef struct rk_review_conf_s {
    const char *brokers;      /* bootstrap.servers */
    const char *out_topic;    /* classified paragraphs (read) */
    const char *labels_topic; /* labelled samples (read and written) */
    const char *address;      /* NULL: 127.0.0.1 */
    int port;                 /* 0: any free port */
    const char *token;        /* access token, NULL for none */
    const char *annotator;    /* NULL or "" for none */
    size_t max_paragraphs;    /* 0: RK_REVIEW_DEFAULT_MAX_PARAGRAPHS */
    const char *const *props; /* librdkafka properties: key, value, ... */
    size_t n_props;           /* pairs in props */
} rk_review_conf_t;

typedef struct rk_review_s rk_review_t;

/* Creates the Kafka clients and starts serving the page. c and the strings
 * it names must outlive the service. RK_ERR_USAGE for a bad setting (a
 * non-loopback address without a token among them), RK_ERR_KAFKA when a
 * client cannot be made, RK_ERR_IO when the port cannot be had. */
rk_err_t rk_review_new(const rk_review_conf_t *c, rk_review_t **out,
                       char *errstr, size_t errstr_size);

/* The port the page is served on. */
int rk_review_port(const rk_review_t *r);

/* Reads both topics until *stop becomes non-zero (a signal handler sets
 * it); returns RK_OK then. */
rk_err_t rk_review_run(rk_review_t *r, volatile sig_atomic_t *stop,
                       char *errstr, size_t errstr_size);

/* Stops serving, closes the clients. NULL-safe. */
void rk_review_destroy(rk_review_t *r);

#endif
