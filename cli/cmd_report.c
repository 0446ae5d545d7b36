/*
 * cmd_report.c - `rakiza report`: reads classify/run output (JSON Lines)
 * from files or stdin and writes one HTML page per document plus an index
 * (classify/report.h). A malformed line is reported as FILE:LINE and
 * skipped; the pages are still written, and the exit status is then 1.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/report.h"
#include "cli/cli.h"

static const char *help =
    "usage: rakiza report [--out DIR] [FILE...|-]\n\n"
    "Turns classify/run output (JSON Lines: \"paragraph\" and \"document\"\n"
    "records, documents possibly interleaved) into one self-contained HTML\n"
    "page per document and an index.html, in DIR (default: report/).\n"
    "Reads stdin when no FILE is given.\n\n"
    "  -o, --out DIR   where to write the pages (created when missing)\n\n"
    "A malformed line is reported on stderr as FILE:LINE: reason and\n"
    "skipped; the pages are still written and the exit status is 1.\n";

/* Feeds every line of path; returns the number of malformed lines, or -1
 * when the file cannot be read. */
static long feed_file(rk_report_t *r, const char *path) {
    int is_stdin = !strcmp(path, "-");
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        char msg[1024];
        snprintf(msg, sizeof msg, "cannot open '%s'", path);
        rk_cli_fail("report", RK_ERR_IO, msg);
        return -1;
    }
    char *line = NULL, errstr[512];
    size_t cap = 0, lineno = 0;
    ssize_t len;
    long bad = 0;
    while ((len = getline(&line, &cap, f)) != -1) {
        lineno++;
        rk_err_t err =
            rk_report_add_line(r, line, (size_t)len, errstr, sizeof errstr);
        if (err == RK_ERR_NOMEM) {
            bad = -1;
            rk_cli_fail("report", err, "out of memory");
            break;
        }
        if (err) {
            fprintf(stderr, "rakiza report: %s:%zu: %s\n",
                    is_stdin ? "<stdin>" : path, lineno, errstr);
            bad++;
        }
    }
    if (ferror(f)) {
        fprintf(stderr, "rakiza report: cannot read '%s'\n", path);
        bad = -1;
    }
    free(line);
    if (!is_stdin)
        fclose(f);
    return bad;
}

int rk_cmd_report(int argc, char **argv) {
    static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *out = "report";
    int c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(help, stdout);
            return RK_EXIT_OK;
        }
        if (c == 'o') {
            out = optarg;
            continue;
        }
        return rk_cli_usage_error("report", "bad option");
    }
    if (!*out)
        return rk_cli_usage_error("report", "--out needs a directory");
    rk_report_t *r = rk_report_new();
    if (!r)
        return rk_cli_fail("report", RK_ERR_NOMEM, "out of memory");
    long bad = 0;
    int failed = 0;
    if (optind == argc)
        bad = feed_file(r, "-");
    for (int i = optind; i < argc && bad >= 0; i++) {
        long b = feed_file(r, argv[i]);
        bad = b < 0 ? -1 : bad + b;
    }
    if (bad < 0)
        failed = 1;
    char errstr[512];
    if (!failed) {
        rk_err_t err = rk_report_write(r, out, errstr, sizeof errstr);
        if (err)
            failed = rk_cli_fail("report", err, errstr);
        else
            fprintf(stderr, "rakiza report: %zu documents written to %s/%s\n",
                    rk_report_count(r), out,
                    bad ? " (malformed lines skipped)" : "");
    }
    rk_report_destroy(r);
    return failed || bad ? RK_EXIT_ERROR : RK_EXIT_OK;
}
