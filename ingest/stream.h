/*
 * stream.h - the streaming service behind `rakiza run`.
 *
 * A consumer-group member reads documents from the input topic and keeps
 * reading, classifying, producing and committing going at once: each
 * message read goes to conf->threads workers, which decode it (envelope.h)
 * and classify it (classify/pipeline.h) with the model current when they
 * start it; as soon as a document and every earlier one of its input
 * partition are classified, its records go to the output topic keyed by
 * document id (or the message, with its reason, to the dead-letter topic).
 *   at-least-once (default): a document is done when every record is
 *     acknowledged; the offset after each partition's done prefix is
 *     stored and committed every commit interval (asynchronously) and on
 *     revocation and stop (synchronously); a failed delivery is never
 *     committed past and stops the service;
 *   exactly-once: one transaction per commit interval holds whole
 *     documents and their input offsets; an abortable error aborts it and
 *     rewinds the input.
 * On revocation what is classified is delivered and committed and the
 * rest dropped uncommitted, so a partition changes hands between whole
 * documents. At most conf->batch_size documents are in flight, and a full
 * producer queue also stops reading. Design: stream_internal.h.
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
