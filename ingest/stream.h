/*
 * stream.h - the streaming service behind `rakiza run`.
 *
 * A consumer-group member reads documents from the input topic and works
 * in rounds of up to conf->batch_size messages: each message is decoded
 * (envelope.h) and classified (classify/pipeline.h), by conf->threads
 * workers in parallel; then, in the order the messages were read, its
 * records go to the output topic keyed by document id (or the message, with
 * its reason, to the dead-letter topic); then the round is closed:
 *   at-least-once (default): the idempotent producer is flushed, and only
 *     when every message of the round is acknowledged are the input offsets
 *     committed; a failed delivery stops the service without committing;
 *   exactly-once: the round is one Kafka transaction, the input offsets
 *     sent in it; an abortable error aborts it and rewinds the input.
 * A round is closed before a rebalance gives partitions away, so nothing
 * is lost or left uncommitted. The producer queue is bounded; when full,
 * the service stops reading until it drains.
 */
#ifndef RK_STREAM_H
#define RK_STREAM_H

#include <signal.h>

#include "ingest/stream_conf.h"

typedef struct rk_stream_s rk_stream_t;

/* Flags the caller's signal handlers set. */
typedef struct rk_stream_signals_s {
    volatile sig_atomic_t stop;   /* SIGINT, SIGTERM: drain and exit */
    volatile sig_atomic_t reload; /* SIGHUP: reload the model */
} rk_stream_signals_t;

/* Creates the clients and loads the model; nothing is read yet. */
rk_err_t rk_stream_new(const rk_stream_conf_t *conf, rk_stream_t **out,
                       char *errstr, size_t errstr_size);

/* Runs until sig->stop; returns RK_OK after a clean drain and commit. */
rk_err_t rk_stream_run(rk_stream_t *s, rk_stream_signals_t *sig, char *errstr,
                       size_t errstr_size);

void rk_stream_destroy(rk_stream_t *s);

#endif
