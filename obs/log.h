/*
 * log.h - one line per event on stderr, UTC with milliseconds:
 *   2026-11-22T20:53:40.123Z INFO assigned 4 partition(s)
 * The service's only output channel besides Kafka and its metrics; payload
 * text is never logged at info level or above (only topics, partitions,
 * offsets, ids, labels and codes). Control characters in a message become
 * spaces, so an event is always one line.
 */
#ifndef RK_LOG_H
#define RK_LOG_H

typedef enum {
    RK_LOG_DEBUG,
    RK_LOG_INFO,
    RK_LOG_WARN,
    RK_LOG_ERROR
} rk_log_level_t;

/* "debug", "info", "warn" or "error"; returns 0 for anything else. */
int rk_log_set_level_name(const char *name);

void rk_log(rk_log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
