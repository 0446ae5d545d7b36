/*
 * cmd_learn.c - `rakiza learn`: the options into a learner's settings, the
 * base files loaded, the signals into flags, each decision printed as one
 * JSON line on stdout, and the learning loop (learn/learn.h) run.
 */
#include <getopt.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/file.h"
#include "core/limits.h"
#include "learn/judge.h"
#include "learn/learn.h"
#include "obs/log.h"

/* `learn --once` kept the current model: not an error (contract). */
#define RK_EXIT_KEPT 3

static const char *help =
    "usage: rakiza learn -b BROKERS -l LABELS_TOPIC --data F [--data F2 ...]\n"
    "                    --model M --out M2.rkz [--model-topic T] [--every "
    "N]\n"
    "                    [--once] [--dlq TOPIC|none] [--tolerance d]\n"
    "                    [--labels a,b,...] [--metrics-port P] [-X prop=val]\n"
    "                    [-F FILE] [--state FILE] [--log-level L]\n\n"
    "Retrains from labelled samples streamed to LABELS_TOPIC (read from its\n"
    "beginning every time; the latest message per key wins, a null value\n"
    "withdraws a key) merged with the trusted base files (--data). Whenever\n"
    "N new labels have arrived, on SIGHUP, or once with --once, a candidate\n"
    "is trained with M's settings and judged against M on the same grouped\n"
    "cross-validation folds of the base files: the candidate trains on each\n"
    "fold's training part plus the new labels, M's procedure on the\n"
    "training part alone, both are scored on the fold's test part (new\n"
    "labels train, they never judge). It is promoted only when its macro-F1\n"
    "is at least M's minus the tolerance and no class's F1 falls by more\n"
    "than 0.05; then it is written to --out atomically, published to the\n"
    "model topic, and is the current model from then on. Each decision is\n"
    "one JSON line on stdout.\n\n"
    "  -b BROKERS          bootstrap servers\n"
    "  -l LABELS_TOPIC     the labelled samples (keyed DOC_ID:INDEX)\n"
    "  --data F            trusted labelled samples (repeatable)\n"
    "  --model M           the current model (its settings are reused)\n"
    "  --out M2.rkz        where a promoted model is written\n"
    "  --model-topic T     publish promoted models there (one partition)\n"
    "  --every N           new labels per decision (default 50)\n"
    "  --once              one decision, then exit (see exit status)\n"
    "  --dlq TOPIC|none    malformed messages and labels outside the set\n"
    "                      (default none: logged only)\n"
    "  --tolerance d       macro-F1 a candidate may lose (default 0.01)\n"
    "  --labels a,b,...    the allowed labels (default: the current model's)\n"
    "  --metrics-port P    serve /metrics and /healthz on 127.0.0.1:P\n"
    "  -X prop=val         a librdkafka property (repeatable)\n"
    "  -F FILE             librdkafka properties, one prop=val a line\n"
    "  --state FILE        the learner's state (default: --out plus "
    "\".state\")\n"
    "  --log-level L       debug, info, warn or error\n\n"
    "Exit status: 0 success (--once: the candidate was promoted), 1 error,\n"
    "2 usage error, 3 (--once) the candidate was kept out, or there were no\n"
    "new labels.\n";

static rk_learn_signals_t signals_seen;

static void on_signal(int sig) {
    if (sig == SIGHUP)
        signals_seen.retrain = 1;
    else
        signals_seen.stop = 1;
}

static void print_decision(void *opaque, const char *line) {
    (void)opaque;
    printf("%s\n", line);
    fflush(stdout);
}

typedef struct args_s {
    rk_learn_conf_t c;
    rk_sample_set_t base;
    const char **props; /* room for every -X and -F line */
    size_t props_cap;
    char *labels_buf;
    const char *labels[RK_MAX_LABELS];
    char *files[64]; /* -F contents, kept while props point into them */
    int nfiles;
    int ndata;
} args_t;

static int add_prop(args_t *a, const char *key, const char *value) {
    if (a->c.n_props + 1 >= a->props_cap) {
        size_t cap = a->props_cap ? a->props_cap * 2 : 32;
        const char **p = realloc(a->props, 2 * cap * sizeof *p);
        if (!p)
            return 0;
        a->props = p;
        a->props_cap = cap;
    }
    a->props[2 * a->c.n_props] = key;
    a->props[2 * a->c.n_props + 1] = value;
    a->c.n_props++;
    a->c.props = a->props;
    return 1;
}

/* A properties file: prop=val lines, '#' comments and blank lines. */
static int load_props(args_t *a, const char *path) {
    char errstr[512], *buf;
    size_t len;
    if (a->nfiles == 64)
        return rk_cli_usage_error("learn", "too many -F files");
    rk_err_t err =
        rk_file_read(path, (size_t)1 << 20, &buf, &len, errstr, sizeof errstr);
    if (err)
        return rk_cli_fail("learn", err, errstr);
    a->files[a->nfiles++] = buf;
    int lineno = 0;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        lineno++;
        line += strspn(line, " \t\r");
        line[strcspn(line, "\r")] = '\0';
        if (!*line || *line == '#')
            continue;
        char *eq = strchr(line, '=');
        if (!eq)
            return rk_cli_usage_error("learn", "%s: line %d is not prop=val",
                                      path, lineno);
        *eq = '\0';
        if (!add_prop(a, line, eq + 1))
            return rk_cli_fail("learn", RK_ERR_NOMEM, "out of memory");
    }
    return RK_EXIT_OK;
}

static int split_labels(args_t *a, const char *list) {
    free(a->labels_buf);
    a->labels_buf = strdup(list);
    a->c.nlabels = 0;
    for (char *t = strtok(a->labels_buf, ","); t; t = strtok(NULL, ",")) {
        if (a->c.nlabels == RK_MAX_LABELS)
            return rk_cli_usage_error("learn", "--labels: at most %d labels",
                                      RK_MAX_LABELS);
        a->labels[a->c.nlabels++] = t;
    }
    if (a->c.nlabels < 2)
        return rk_cli_usage_error("learn", "--labels needs two labels or more");
    a->c.labels = a->labels;
    return RK_EXIT_OK;
}

static int number(const char *flag, const char *v, double lo, double hi,
                  double *out) {
    char *end;
    double d = strtod(v, &end);
    if (!*v || *end || !(d >= lo && d <= hi))
        return rk_cli_usage_error("learn", "%s takes a number in %g..%g", flag,
                                  lo, hi);
    *out = d;
    return RK_EXIT_OK;
}

/* Every -X and -F property is checked against librdkafka before the
 * learner starts, so a typo is a usage error naming the key. */
static int check_props(const args_t *a) {
    rd_kafka_conf_t *k = rd_kafka_conf_new();
    char errstr[512];
    int status = RK_EXIT_OK;
    for (size_t i = 0; !status && i < a->c.n_props; i++)
        if (rd_kafka_conf_set(k, a->props[2 * i], a->props[2 * i + 1], errstr,
                              sizeof errstr) != RD_KAFKA_CONF_OK)
            status = rk_cli_usage_error("learn", "%s", errstr);
    rd_kafka_conf_destroy(k);
    return status;
}

static int parse(int argc, char **argv, args_t *a) {
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"model", required_argument, NULL, 'm'},
        {"out", required_argument, NULL, 'o'},
        {"model-topic", required_argument, NULL, 'T'},
        {"every", required_argument, NULL, 'e'},
        {"once", no_argument, NULL, '1'},
        {"dlq", required_argument, NULL, 'D'},
        {"tolerance", required_argument, NULL, 't'},
        {"labels", required_argument, NULL, 'L'},
        {"metrics-port", required_argument, NULL, 'P'},
        {"state", required_argument, NULL, 'S'},
        {"log-level", required_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    char errstr[1024];
    int c, status = RK_EXIT_OK;
    double d;
    while (!status &&
           (c = getopt_long(argc, argv, "b:l:X:F:h", opts, NULL)) != -1) {
        switch (c) {
        case 'b': a->c.brokers = optarg; break;
        case 'l': a->c.labels_topic = optarg; break;
        case 'd': {
            rk_err_t err =
                rk_labelled_load(optarg, &a->base, errstr, sizeof errstr);
            a->ndata++;
            if (err)
                status = rk_cli_fail("learn", err, errstr);
            break;
        }
        case 'm': a->c.model_path = optarg; break;
        case 'o': a->c.out_path = optarg; break;
        case 'T': a->c.model_topic = optarg; break;
        case 'e':
            if (!(status = number("--every", optarg, 1, 1e9, &d)))
                a->c.every = (int)d;
            break;
        case '1': a->c.once = 1; break;
        case 'D':
            a->c.dlq_topic = strcmp(optarg, "none") ? optarg : NULL;
            break;
        case 't':
            status = number("--tolerance", optarg, 0, 1, &a->c.tolerance);
            break;
        case 'L': status = split_labels(a, optarg); break;
        case 'P':
            if (!(status = number("--metrics-port", optarg, 1, 65535, &d)))
                a->c.metrics_port = (int)d;
            break;
        case 'S': a->c.state_path = optarg; break;
        case 'v':
            if (!rk_log_set_level_name(optarg))
                status = rk_cli_usage_error(
                    "learn", "--log-level takes debug, info, warn or error");
            break;
        case 'X': {
            char *eq = strchr(optarg, '=');
            if (!eq)
                status = rk_cli_usage_error("learn", "-X takes prop=val");
            else if ((*eq = '\0', !add_prop(a, optarg, eq + 1)))
                status = rk_cli_fail("learn", RK_ERR_NOMEM, "out of memory");
            break;
        }
        case 'F': status = load_props(a, optarg); break;
        case 'h': fputs(help, stdout); return -1;
        default: status = rk_cli_usage_error("learn", "bad option");
        }
    }
    if (!status && optind < argc)
        status = rk_cli_usage_error("learn", "unexpected argument '%s'",
                                    argv[optind]);
    if (!status)
        status = check_props(a);
    if (!status && (!a->c.brokers || !a->c.labels_topic || !a->ndata ||
                    !a->c.model_path || !a->c.out_path))
        status = rk_cli_usage_error(
            "learn", "-b, -l, --data, --model and --out are required");
    return status;
}

int rk_cmd_learn(int argc, char **argv) {
    args_t a;
    memset(&a, 0, sizeof a);
    a.c.every = RK_LEARN_DEFAULT_EVERY;
    a.c.tolerance = RK_JUDGE_DEFAULT_TOLERANCE;
    a.c.on_decision = print_decision;
    int status = parse(argc, argv, &a);
    if (status == -1) {
        status = RK_EXIT_OK;
    } else if (!status) {
        struct sigaction sa = {0};
        sa.sa_handler = on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        a.c.base = &a.base;
        char errstr[1024];
        int promoted = 0;
        rk_err_t err =
            rk_learn_run(&a.c, &signals_seen, &promoted, errstr, sizeof errstr);
        if (err)
            status = rk_cli_fail("learn", err, errstr);
        else if (a.c.once && !promoted)
            status = RK_EXIT_KEPT;
    }
    rk_labelled_free(&a.base);
    free(a.props);
    free(a.labels_buf);
    for (int i = 0; i < a.nfiles; i++)
        free(a.files[i]);
    return status;
}
