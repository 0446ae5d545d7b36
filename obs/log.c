/*
 * log.c - see log.h. One fprintf per line, so lines from threads do not
 * interleave.
 */
#include "obs/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Set once, before any thread starts. */
static rk_log_level_t threshold = RK_LOG_INFO;
static const char *names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

int rk_log_set_level_name(const char *name) {
    static const char *lower[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(name, lower[i])) {
            threshold = (rk_log_level_t)i;
            return 1;
        }
    return 0;
}

/* One event, one line: control characters (a newline in a librdkafka
 * message or an error reason) become spaces. */
static void one_line(char *s) {
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = ' ';
}

void rk_log(rk_log_level_t level, const char *fmt, ...) {
    if (level < threshold)
        return;
    char msg[1024], stamp[32];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    size_t n = strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(stamp + n, sizeof stamp - n, ".%03ldZ", now.tv_nsec / 1000000);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    one_line(msg);
    fprintf(stderr, "%s %s %s\n", stamp, names[level], msg);
}
