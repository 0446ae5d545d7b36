/*
 * stream_internal.h - private to the streaming service (stream.h): the state
 * its files share. Nothing outside ingest/stream*.c includes it.
 *
 *   stream.c       life cycle: the Kafka clients and their callbacks, the
 *                  model and its reload, the driving loop (rk_stream_run):
 *                  read, hand out, produce, commit, wait for the next event
 *   stream_work.c  the worker pool: a bounded queue of documents, workers
 *                  that classify them, each with the model current when it
 *                  starts the document
 *   stream_out.c   the output side: a reorder buffer per input partition
 *                  (records produced in input order as soon as they are
 *                  ready), delivery reports, the contiguous done prefix of
 *                  each partition and its offsets, commits and transactions,
 *                  rebalances and rewinds
 *
 * Threads. One thread drives Kafka (librdkafka's callbacks run there too)
 * and owns every doc_t except while a worker classifies it. A worker takes
 * a document from the queue, fills its result fields, and puts it on the
 * done list; only the driver frees documents. The queue, the done list and
 * the current model are guarded by pool_mu; a document's state changes
 * from DOC_QUEUED to DOC_WORKING under it, and from then on only its
 * worker touches the result fields until it is on the done list.
 *
 * A document's life: DOC_QUEUED (read, in the queue) -> DOC_WORKING (a
 * worker classifies it) -> DOC_READY (back with the driver: its records or
 * its dead-letter reason) -> DOC_PRODUCED (every record handed to the
 * producer) -> done: at-least-once, every record acknowledged, and then
 * its offset is stored when every earlier document of its partition is
 * done too; exactly-once, its transaction committed. A document whose
 * partition is revoked or rewound before it is done is dropped: its output
 * is discarded (a worker still classifying it finishes, and the driver
 * frees it) and its offset is never committed.
 */
#ifndef RK_STREAM_INTERNAL_H
#define RK_STREAM_INTERNAL_H

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <sys/stat.h>

#include "classify/pipeline.h"
#include "core/limits.h"
#include "ingest/model_feed.h"
#include "ingest/stream.h"
#include "ingest/stream_obs.h"

/* A model and the documents classifying with it: freed when the last of
 * them, and the pool's "current" reference, let go. */
typedef struct model_ref_s {
    rk_model_t *model;
    int refs; /* under pool_mu */
} model_ref_t;

typedef enum doc_state_e {
    DOC_QUEUED,
    DOC_WORKING,
    DOC_READY,
    DOC_PRODUCED
} doc_state_t;

typedef struct part_s part_t;

/* One input message and what became of it. */
typedef struct doc_s {
    struct doc_s *next;  /* its partition's list, in offset order */
    struct doc_s *qnext; /* the work queue, the done list or the dropped */
    rd_kafka_message_t *msg;
    part_t *part; /* NULL once dropped */
    doc_state_t state;
    int dropped;
    /* Written by the worker that classifies it. */
    rk_env_code_t error; /* RK_ENV_OK: records hold its output */
    char reason[256];
    rk_record_list_t records;
    char *doc_id;
    model_ref_t *model;
    /* The driver's: records handed to the producer so far (a full queue
     * may stop a document midway), those not yet reported, and whether a
     * delivery failed. */
    size_t produced;
    int pending;
    int failed;
} doc_t;

/* The reorder buffer of one input partition: the documents read and not
 * yet done, in offset order; cursor is the first not yet produced. */
struct part_s {
    int32_t partition;
    doc_t *head, *tail, *cursor;
};

typedef struct rk_worker_s {
    struct rk_stream_s *s;
    int index; /* its ctx[] */
} rk_worker_t;

/* conf is borrowed (the caller's, kept until rk_stream_destroy), and so is
 * model_path (conf's, or rk_model_default_path()'s buffer); everything else
 * is owned and freed by rk_stream_destroy. */
struct rk_stream_s {
    const rk_stream_conf_t *conf;
    rd_kafka_t *consumer, *producer;
    rd_kafka_topic_t *out_rkt, *dlq_rkt; /* held so their metadata is */
    rk_obs_t *obs;         /* metrics, /healthz, the throughput line */
    rk_model_feed_t *feed; /* --model-topic; NULL without */
    struct stat model_stat;
    const char *model_path;
    long commit_ms; /* the commit interval in force */

    /* Reorder buffers, indexed by partition number. */
    part_t **parts;
    int nparts;
    int inflight;     /* documents read and not yet freed */
    doc_t *graveyard; /* dropped, still waiting for delivery reports */

    /* The worker pool (stream_work.c). */
    pthread_mutex_t pool_mu;
    pthread_cond_t pool_cv;
    int pool_ready; /* mutex and condition initialised */
    doc_t *queue_head, *queue_tail;
    doc_t *done;
    model_ref_t *model; /* current: what a worker takes for a new document */
    int pool_stop;
    pthread_t tid[RK_MAX_THREADS];
    rk_worker_t workers[RK_MAX_THREADS];
    int nthreads;
    rk_pipeline_ctx_t *ctx[RK_MAX_THREADS];
    int wake[2]; /* workers write a byte when a document is done */

    /* Event descriptors librdkafka writes to (queue became non-empty). */
    int consumer_ev[2], producer_ev[2];

    /* Output state. */
    int producer_full;    /* the producer queue refused a record */
    int stored;           /* offsets stored since the last commit */
    int txn_open;         /* exactly-once: a transaction is open */
    int txn_failed;       /* exactly-once: abort it at the next turn */
    double pending_since; /* rk_health_now() when the offsets stored or
                             the transaction opened became due */
    int next_part;        /* where the next produce pass starts */
    volatile int delivery_failures;
    int fatal;
};

/* ---- stream_work.c --------------------------------------------------- */

/* A non-blocking, close-on-exec pipe; -1 on failure (errno set). */
int rk_stream_pipe(int fd[2]);

/* Starts conf->threads workers with model (the pool takes it). */
rk_err_t rk_work_start(rk_stream_t *s, rk_model_t *model, char *errstr,
                       size_t errstr_size);
/* Stops the workers: each finishes the document it holds. */
void rk_work_stop(rk_stream_t *s);
/* Queues documents (a list linked by qnext) for the workers. */
void rk_work_push(rk_stream_t *s, doc_t *first, doc_t *last);
/* Takes the list of documents the workers are done with. */
doc_t *rk_work_take_done(rk_stream_t *s);
/* Takes a queued document back (1), or marks a document being classified
 * dropped (0: the driver frees it when it comes back). */
int rk_work_recall(rk_stream_t *s, doc_t *d);
/* Makes m the model for documents started from now on (the pool takes
 * it); -1 when out of memory (m is the caller's still). */
int rk_work_set_model(rk_stream_t *s, rk_model_t *m);
/* The current model, for the log (valid until the next set_model). */
const rk_model_t *rk_work_model(rk_stream_t *s);
/* Lets go of a document's model reference. */
void rk_work_release(rk_stream_t *s, model_ref_t *ref);

/* ---- stream_out.c ---------------------------------------------------- */

/* A message read: a new document at the tail of its partition's buffer.
 * NULL when out of memory (the message is then destroyed). */
doc_t *rk_out_add(rk_stream_t *s, rd_kafka_message_t *m);
/* Documents back from the workers: ready to produce, or freed if dropped. */
void rk_out_ready(rk_stream_t *s, doc_t *list);
/* Produces the ready documents of each partition in offset order, until
 * the producer queue is full (s->producer_full) or, with block, waiting
 * for room. */
void rk_out_produce(rk_stream_t *s, int block);
/* At-least-once: stores the offsets of each partition's acknowledged
 * prefix, commits them asynchronously when the interval is up (force:
 * now, synchronously). Exactly-once: commits the transaction when the
 * interval is up (force: now), or aborts it and rewinds. */
void rk_out_commit(rk_stream_t *s, int force);
/* Milliseconds until rk_out_commit has something to do; -1: nothing. */
long rk_out_commit_due(rk_stream_t *s);
/* Frees dropped documents whose delivery reports have all come. */
void rk_out_sweep(rk_stream_t *s);
/* Drops every document not yet done (revocation, abort, stop). */
void rk_out_drop_all(rk_stream_t *s);
/* Destroys the input messages the documents hold (the workers stopped):
 * the consumer cannot be destroyed while any is left. */
void rk_out_release_input(rk_stream_t *s);
/* Frees everything (after the clients are gone). */
void rk_out_free_all(rk_stream_t *s);
/* The producer's delivery report callback (opaque: the service). */
void rk_out_on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m,
                        void *opaque);
/* The consumer's rebalance callback (opaque: the service). */
void rk_stream_on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                            rd_kafka_topic_partition_list_t *parts,
                            void *opaque);

#endif
