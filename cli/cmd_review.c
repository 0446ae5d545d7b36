/*
 * cmd_review.c - `rakiza review`: flags into a review conf, the token file
 * read, the signals into a stop flag, and the labelling service
 * (review/review.h) serves the page until SIGINT or SIGTERM. The page's
 * address goes to stdout as the first line, so a script can find it.
 */
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/utf8.h"
#include "obs/log.h"
#include "review/auth.h"
#include "review/review.h"
#include "review/store.h"

/* The longest annotator name accepted, in bytes. */
#define ANNOTATOR_MAX 128

static const char *help =
    "usage: rakiza review -b BROKERS -i OUT_TOPIC -l LABELS_TOPIC\n"
    "                     [--port P] [--address A] [--token-file F]\n"
    "                     [--annotator NAME] [--max-paragraphs N]\n"
    "                     [-X prop=val ...] [--log-level L]\n\n"
    "Serves a web page for labelling classified paragraphs: those on\n"
    "OUT_TOPIC (the output of `rakiza run` or `classify`), least certain\n"
    "first (abstained, then the lowest top score). Each label chosen (a\n"
    "button, or the keys 1..K for the K labels in the order shown) is\n"
    "published to LABELS_TOPIC as a labelled sample keyed DOC_ID:INDEX, and\n"
    "the paragraph leaves the queue. Both topics are read from the\n"
    "beginning, without a consumer group, and kept read while serving.\n\n"
    "  -b BROKERS          bootstrap servers (host:port,...)\n"
    "  -i OUT_TOPIC        classified paragraphs to review\n"
    "  -l LABELS_TOPIC     labelled samples (read, and written to)\n"
    "  --port P            port of the page (default 8080; 0: any free one)\n"
    "  --address A         IP address to listen on (default 127.0.0.1);\n"
    "                      anything but loopback needs --token-file\n"
    "  --token-file F      a file holding the access token (16..256\n"
    "                      characters [A-Za-z0-9._~+/=-]); every request\n"
    "                      needs it: open http://HOST:P/?token=TOKEN once\n"
    "                      (it becomes a cookie), or send\n"
    "                      Authorization: Bearer TOKEN\n"
    "  --annotator NAME    who labels, named in every sample (default: the\n"
    "                      login name)\n"
    "  --max-paragraphs N  paragraphs kept, the newest, one per document\n"
    "                      and index (default 20000, at most 1000000)\n"
    "  -X prop=val         a librdkafka property for both clients\n"
    "                      (e.g. security.protocol=ssl)\n"
    "  --log-level L       debug, info (default), warn or error\n\n"
    "Limits: a record or sample over 256 KiB is skipped; the records kept\n"
    "take at most 512 MiB (the oldest dropped first); a request body is at\n"
    "most 8 KiB; 64 connections at once.\n"
    "Prints the page's address (http://ADDRESS:PORT/) as the first line on\n"
    "stdout. SIGINT or SIGTERM stops it (exit 0).\n";

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig) {
    (void)sig;
    stop_flag = 1;
}

/* The default annotator: the login name, or none. */
static const char *login_name(void) {
    const struct passwd *pw = getpwuid(getuid());
    if (pw && pw->pw_name && *pw->pw_name)
        return pw->pw_name;
    const char *user = getenv("USER");
    return user && *user ? user : "";
}

static int annotator_ok(const char *s) {
    size_t len = strlen(s);
    if (len > ANNOTATOR_MAX || !rk_utf8_valid(s, len, NULL))
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

static int parse_size(const char *s, long lo, long hi, long *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

/* Parses the options into c (props into the caller's array); returns an
 * exit status, RK_EXIT_OK to go on, -1 after --help. */
static int parse(int argc, char **argv, rk_review_conf_t *c, const char **props,
                 const char **token_file) {
    static const struct option opts[] = {
        {"port", required_argument, NULL, 'p'},
        {"address", required_argument, NULL, 'a'},
        {"token-file", required_argument, NULL, 't'},
        {"annotator", required_argument, NULL, 'n'},
        {"max-paragraphs", required_argument, NULL, 'm'},
        {"log-level", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int ch;
    long v;
    while ((ch = getopt_long(argc, argv, "b:i:l:X:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'b': c->brokers = optarg; break;
        case 'i': c->out_topic = optarg; break;
        case 'l': c->labels_topic = optarg; break;
        case 'a': c->address = optarg; break;
        case 't': *token_file = optarg; break;
        case 'n': c->annotator = optarg; break;
        case 'p':
            if (!parse_size(optarg, 0, 65535, &v))
                return rk_cli_usage_error("review", "--port takes 0..65535");
            c->port = (int)v;
            break;
        case 'm':
            if (!parse_size(optarg, 1, RK_REVIEW_MAX_PARAGRAPHS_LIMIT, &v))
                return rk_cli_usage_error("review",
                                          "--max-paragraphs takes 1..%d",
                                          RK_REVIEW_MAX_PARAGRAPHS_LIMIT);
            c->max_paragraphs = (size_t)v;
            break;
        case 'L':
            if (!rk_log_set_level_name(optarg))
                return rk_cli_usage_error(
                    "review", "--log-level takes debug, info, warn or error");
            break;
        case 'X': {
            char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg)
                return rk_cli_usage_error("review", "-X takes prop=val");
            *eq = '\0';
            props[2 * c->n_props] = optarg;
            props[2 * c->n_props + 1] = eq + 1;
            c->n_props++;
            break;
        }
        case 'h': fputs(help, stdout); return -1;
        default: return rk_cli_usage_error("review", "bad option");
        }
    }
    if (optind < argc)
        return rk_cli_usage_error("review", "unexpected argument '%s'",
                                  argv[optind]);
    if (!c->brokers || !c->out_topic || !c->labels_topic)
        return rk_cli_usage_error("review", "-b, -i and -l are required");
    if (!annotator_ok(c->annotator))
        return rk_cli_usage_error("review",
                                  "--annotator takes at most %d bytes of "
                                  "UTF-8 without control characters",
                                  ANNOTATOR_MAX);
    return RK_EXIT_OK;
}

int rk_cmd_review(int argc, char **argv) {
    rk_review_conf_t c = {0};
    c.address = "127.0.0.1";
    c.port = 8080;
    c.annotator = login_name();
    /* -X pairs: at most one per argument */
    const char **props = calloc((size_t)argc * 2 + 2, sizeof *props);
    const char *token_file = NULL;
    char *token = NULL, errstr[1024];
    if (!props)
        return rk_cli_fail("review", RK_ERR_NOMEM, "out of memory");
    c.props = props;
    int status = parse(argc, argv, &c, props, &token_file);
    if (status) {
        free(props);
        return status < 0 ? RK_EXIT_OK : status;
    }
    rk_err_t err = RK_OK;
    if (token_file)
        err = rk_review_token_load(token_file, &token, errstr, sizeof errstr);
    else if (!rk_review_is_loopback(c.address))
        err = rk_fail(RK_ERR_USAGE, errstr, sizeof errstr,
                      "--address %s is not loopback: the page would be open "
                      "to the network, so --token-file is required",
                      c.address);
    c.token = token;
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    rk_review_t *r = NULL;
    if (!err)
        err = rk_review_new(&c, &r, errstr, sizeof errstr);
    if (!err) {
        int v6 = strchr(c.address, ':') != NULL;
        printf("http://%s%s%s:%d/\n", v6 ? "[" : "", c.address, v6 ? "]" : "",
               rk_review_port(r));
        fflush(stdout);
        rk_log(RK_LOG_INFO, "review: serving http://%s%s%s:%d/%s",
               v6 ? "[" : "", c.address, v6 ? "]" : "", rk_review_port(r),
               token ? " (token required)" : "");
        err = rk_review_run(r, &stop_flag, errstr, sizeof errstr);
    }
    status = err ? rk_cli_fail("review", err, errstr) : RK_EXIT_OK;
    rk_review_destroy(r);
    free(token);
    free(props);
    return status;
}
