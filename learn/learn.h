/*
 * learn.h - the learning loop behind `rakiza learn` (the contract's
 * "rakiza learn"): the labels topic read from its beginning (labels.h),
 * merged with the trusted base set, retrained and judged (retrain.h), and a
 * promoted model written atomically and published to the model topic
 * (publish.h).
 *
 * Order of events. At start the current model is the one a previous
 * promotion wrote to out_path (when the state file names it and the file
 * has that id), else model_path. Every partition of the labels topic is
 * assigned from the beginning (no consumer group state: nothing is
 * committed) and read up to the high watermarks of the start ("caught
 * up"); each message is applied in read order, a bad one dead-lettered.
 * Then, and whenever `every` new valid labels have arrived since the last
 * decision, or on sig->retrain, one decision is made. With `once`, one
 * decision and return.
 *
 * State (state_path, JSON, written atomically): the labels topic, the
 * highest offset per partition whose bad messages were already
 * dead-lettered (those are not sent again on a re-read; the offsets advance
 * only after the dead letters are acknowledged), and the id of the model
 * last promoted. Training itself keeps no state: after a crash, the same
 * labels and the same current model give the same decision.
 */
#ifndef RK_LEARN_H
#define RK_LEARN_H

#include <signal.h>
#include <stddef.h>

#include "core/err.h"
#include "learn/learn_conf.h"

#define RK_LEARN_PUBLISH_TIMEOUT_MS 60000

typedef struct rk_learn_signals_s {
    volatile sig_atomic_t stop;    /* SIGINT, SIGTERM */
    volatile sig_atomic_t retrain; /* SIGHUP: decide now */
} rk_learn_signals_t;

/* Runs the loop (see above) until sig->stop, or one decision with once
 * (stopped before it: an error). *promoted is whether the last decision
 * promoted a candidate. */
rk_err_t rk_learn_run(const rk_learn_conf_t *conf, rk_learn_signals_t *sig,
                      int *promoted, char *errstr, size_t errstr_size);

#endif
