/*
 * testutil.c - see testutil.h.
 *
 * Each case runs in a forked child. The child runs the case, writing the
 * first failed check's "file:line: message" into a pipe as it happens,
 * removes its temporary directory, then exits 1 if a check failed and 0
 * otherwise. The parent prints the case line from the exit status and the
 * pipe, so a child that crashes or exits oddly (a sanitizer report, a leak
 * found at exit) still gets exactly one FAIL line.
 */
#define _XOPEN_SOURCE 700 /* nftw */

#include "testutil.h"

#include "core/file.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MESSAGE_MAX 768
#define FIRST_FAILURE_MAX 1024

/* The running case's state. */
static int case_failures;
static char first_failure[FIRST_FAILURE_MAX];
static char case_tmpdir[4096];
static int report_fd = -1; /* the pipe to the harness, in a child */

void rk_test_fail(const char *file, int line, const char *cond, const char *fmt,
                  ...) {
    char msg[MESSAGE_MAX];
    /* The path from the source root (the last ".../tests/"). */
    for (const char *p = strstr(file, "/tests/"); p;
         p = strstr(p + 1, "/tests/"))
        file = p + 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "  %s:%d: check failed: %s\n    ", file, line, cond);
    for (const char *m = msg; *m; m++) { /* the message as an indented block */
        fputc(*m, stderr);
        if (*m == '\n')
            fputs("    ", stderr);
    }
    fputc('\n', stderr);
    fflush(stderr);
    if (case_failures++ == 0) {
        /* Only the message's first line goes on the case line. */
        msg[strcspn(msg, "\n")] = '\0';
        snprintf(first_failure, sizeof first_failure, "%s:%d: %s", file, line,
                 msg);
        /* Told to the harness at once, so a later crash still names it. */
        size_t n = strlen(first_failure);
        if (report_fd >= 0 && write(report_fd, first_failure, n) != (ssize_t)n)
            fprintf(stderr, "cannot report to the harness\n");
    }
}

int rk_test_case_failures(void) {
    return case_failures;
}

char *rk_test_read_file(const char *path, size_t *len) {
    char *buf, err[512];
    size_t n;
    if (rk_file_read(path, RK_FILE_MAX_INPUT, &buf, &n, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
    if (len)
        *len = n;
    return buf;
}

char *rk_test_read_seed(const char *prefix, size_t *len) {
    const char *dir = getenv("RAKIZA_SEEDS");
    if (!dir)
        dir = "samples";
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "cannot open seed directory %s\n", dir);
        exit(2);
    }
    struct dirent *e;
    char path[4096] = "";
    while ((e = readdir(d)))
        if (!strncmp(e->d_name, prefix, strlen(prefix))) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            break;
        }
    closedir(d);
    if (!*path) {
        fprintf(stderr, "no seed %s* in %s\n", prefix, dir);
        exit(2);
    }
    return rk_test_read_file(path, len);
}

const char *rk_test_tmpdir(void) {
    if (*case_tmpdir)
        return case_tmpdir;
    const char *base = getenv("TMPDIR");
    snprintf(case_tmpdir, sizeof case_tmpdir, "%s/rakiza-test.XXXXXX",
             base && *base ? base : "/tmp");
    if (!mkdtemp(case_tmpdir)) {
        fprintf(stderr, "cannot create a directory %s: %s\n", case_tmpdir,
                strerror(errno));
        exit(2);
    }
    return case_tmpdir;
}

const char *rk_test_write_file(const char *dir, const char *name,
                               const char *content, size_t len) {
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : rk_test_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(content, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    return path;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw) {
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

/* Runs one case in this process and cleans up after it. */
static void run_case(const rk_test_case_t *t) {
    case_failures = 0;
    first_failure[0] = '\0';
    case_tmpdir[0] = '\0';
    t->func();
    if (*case_tmpdir)
        nftw(case_tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    case_tmpdir[0] = '\0';
    fflush(stdout);
    fflush(stderr);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs t in a child; fills why (why_size > FIRST_FAILURE_MAX) with the
 * failure, empty when it passed. */
static void run_forked(const rk_test_case_t *t, char *why, size_t why_size) {
    int fds[2];
    why[0] = '\0';
    fflush(stdout);
    fflush(stderr);
    if (pipe(fds) != 0) {
        snprintf(why, why_size, "pipe: %s", strerror(errno));
        return;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, why_size, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return;
    }
    if (pid == 0) {
        close(fds[0]);
        report_fd = fds[1];
        run_case(t);
        close(fds[1]);
        exit(case_failures ? 1 : 0);
    }
    close(fds[1]);
    size_t got = 0;
    ssize_t r;
    while (got + 1 < FIRST_FAILURE_MAX &&
           (r = read(fds[0], why + got, FIRST_FAILURE_MAX - 1 - got)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        got += (size_t)r;
    }
    why[got] = '\0';
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFSIGNALED(status)) {
        char checks[FIRST_FAILURE_MAX];
        snprintf(checks, sizeof checks, "%s", why);
        snprintf(why, why_size, "killed by signal %d (%s)%s%s",
                 WTERMSIG(status), strsignal(WTERMSIG(status)),
                 got ? " after " : "", checks);
    } else if (WEXITSTATUS(status) == 1 && !got) {
        snprintf(why, why_size, "exit status 1 (see the output above)");
    } else if (WEXITSTATUS(status) > 1) {
        snprintf(why, why_size,
                 "exit status %d (a sanitizer or a missing input file; see "
                 "the output above)",
                 WEXITSTATUS(status));
    }
}

static const rk_test_case_t *find_case(const char *name) {
    for (const rk_test_case_t *t = rk_test_list; t->name; t++)
        if (!strcmp(t->name, name))
            return t;
    return NULL;
}

static int usage(const char *prog) {
    fprintf(stderr,
            "usage: %s [--list] [--no-fork] [CASE...]\n"
            "  runs every case, or the named ones\n",
            prog);
    return 2;
}

int main(int argc, char **argv) {
    int fork_cases = 1, named = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--list")) {
            for (const rk_test_case_t *t = rk_test_list; t->name; t++)
                printf("%s\n", t->name);
            return 0;
        } else if (!strcmp(argv[i], "--no-fork")) {
            fork_cases = 0;
        } else if (argv[i][0] == '-') {
            return usage(argv[0]);
        } else if (!find_case(argv[i])) {
            fprintf(stderr, "%s: no case named '%s' (--list lists them)\n",
                    argv[0], argv[i]);
            return 2;
        } else {
            named++;
        }
    }
    int passed = 0, failed = 0;
    for (const rk_test_case_t *t = rk_test_list; t->name; t++) {
        int wanted = !named;
        for (int i = 1; i < argc && !wanted; i++)
            wanted = !strcmp(argv[i], t->name);
        if (!wanted)
            continue;
        char why[FIRST_FAILURE_MAX + 128];
        double start = now();
        if (fork_cases) {
            run_forked(t, why, sizeof why);
        } else {
            run_case(t);
            snprintf(why, sizeof why, "%s", first_failure);
        }
        double secs = now() - start;
        if (*why) {
            failed++;
            printf("FAIL %s (%.2f s): %s\n", t->name, secs, why);
        } else {
            passed++;
            printf("ok   %s (%.2f s)\n", t->name, secs);
        }
        fflush(stdout);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
