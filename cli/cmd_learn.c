/*
 * cmd_learn.c - `rakiza learn`: the options into a learner's settings, the
 * base files loaded, the signals into flags, each decision printed as one
 * JSON line on stdout, and the learning loop (learn/learn.h) run.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
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
    "  -X prop=val         a librdkafka property or a rakiza.* setting\n"
    "                      (`rakiza config` lists them; repeatable)\n"
    "  -F FILE             properties file of prop=val lines\n"
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

/* Parses the options into conf and base; returns an exit status, or -1
 * after --help. */
static int parse(int argc, char **argv, rk_learn_conf_t *conf,
                 rk_sample_set_t *base) {
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
    int c, status = RK_EXIT_OK, ndata = 0;
    while (!status &&
           (c = getopt_long(argc, argv, "b:l:X:F:h", opts, NULL)) != -1) {
        const char *key = NULL, *value = optarg;
        rk_err_t err = RK_OK;
        switch (c) {
        case 'b': key = "bootstrap.servers"; break;
        case 'l': key = "rakiza.labels.topic"; break;
        case 'd':
            ndata++;
            err = rk_labelled_load(optarg, base, errstr, sizeof errstr);
            break;
        case 'm': key = "rakiza.model"; break;
        case 'o': key = "rakiza.learn.out"; break;
        case 'T': key = "rakiza.model.topic"; break;
        case 'e': key = "rakiza.learn.every"; break;
        case '1': key = "rakiza.learn.once", value = "true"; break;
        case 'D': key = "rakiza.dlq"; break;
        case 't': key = "rakiza.learn.tolerance"; break;
        case 'L': key = "rakiza.learn.labels"; break;
        case 'P': key = "rakiza.metrics.port"; break;
        case 'S': key = "rakiza.learn.state"; break;
        case 'v':
            if (!rk_log_set_level_name(optarg))
                status = rk_cli_usage_error(
                    "learn", "--log-level takes debug, info, warn or error");
            break;
        case 'X': {
            char *eq = strchr(optarg, '=');
            if (!eq) {
                status = rk_cli_usage_error("learn", "-X takes prop=val");
                break;
            }
            *eq = '\0';
            key = optarg;
            value = eq + 1;
            break;
        }
        case 'F':
            err = rk_learn_conf_load_file(conf, optarg, errstr, sizeof errstr);
            break;
        case 'h': fputs(help, stdout); return -1;
        default: status = rk_cli_usage_error("learn", "bad option");
        }
        if (!status && !err && key)
            err = rk_learn_conf_set(conf, key, value, errstr, sizeof errstr);
        if (!status && err)
            status = rk_cli_fail("learn", err, errstr);
    }
    if (!status && optind < argc)
        status = rk_cli_usage_error("learn", "unexpected argument '%s'",
                                    argv[optind]);
    if (!status && !ndata)
        status = rk_cli_usage_error("learn", "--data is required");
    if (!status && rk_learn_conf_check(conf, errstr, sizeof errstr))
        status = rk_cli_usage_error("learn", "%s", errstr);
    return status;
}

int rk_cmd_learn(int argc, char **argv) {
    rk_learn_conf_t *conf = rk_learn_conf_new();
    rk_sample_set_t base = {0};
    if (!conf)
        return rk_cli_fail("learn", RK_ERR_NOMEM, "out of memory");
    conf->on_decision = print_decision;
    int status = parse(argc, argv, conf, &base);
    if (status == -1) {
        status = RK_EXIT_OK;
    } else if (!status) {
        struct sigaction sa = {0};
        sa.sa_handler = on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        conf->base = &base;
        char errstr[1024];
        int promoted = 0;
        rk_err_t err =
            rk_learn_run(conf, &signals_seen, &promoted, errstr, sizeof errstr);
        if (err)
            status = rk_cli_fail("learn", err, errstr);
        else if (conf->once && !promoted)
            status = RK_EXIT_KEPT;
    }
    rk_labelled_free(&base);
    rk_learn_conf_destroy(conf);
    return status;
}
