/*
 * limits.h - the limits several layers share, named once. A limit that
 * belongs to one module lives in that module's header
 * (RK_SEG_MAX_PARAGRAPH_BYTES, RK_ENV_DEFAULT_MAX_MESSAGE_BYTES, ...).
 */
#ifndef RK_LIMITS_H
#define RK_LIMITS_H

/* Labels one model may have: bundles, training, prediction and records
 * size their per-label arrays by it. */
#define RK_MAX_LABELS 64

/* Classifying threads of `rakiza run` (rakiza.threads). */
#define RK_MAX_THREADS 64

#endif
