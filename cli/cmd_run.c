/*
 * cmd_run.c - `rakiza run`: flags and properties into a stream conf, the
 * signals into flags, and the streaming service (ingest/stream.h) runs.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "ingest/stream.h"
#include "obs/log.h"

static const char *help =
    "usage: rakiza run -b BROKERS -i IN_TOPIC -o OUT_TOPIC [-g GROUP]\n"
    "                  [--dlq TOPIC|none] [--model M] [--model-topic T]\n"
    "                  [--exactly-once]\n"
    "                  [--threads N] [-X prop=val ...] [-F FILE]\n"
    "                  [--metrics-port P] [--watch] [--explain K] [--no-text]\n"
    "                  [--log-level debug|info|warn|error]\n\n"
    "Reads documents from IN_TOPIC as a member of consumer group GROUP\n"
    "(default rakiza), classifies every paragraph, and writes one record per\n"
    "paragraph and one summary per document to OUT_TOPIC, keyed by document\n"
    "id, in paragraph order. Start more processes with the same group to\n"
    "scale out.\n\n"
    "  -b BROKERS          bootstrap servers (host:port,...)\n"
    "  -i, -o TOPIC        input and output topics\n"
    "  -g GROUP            consumer group (default rakiza)\n"
    "  --dlq TOPIC|none    dead-letter topic for bad input (required; none\n"
    "                      logs and skips it)\n"
    "  --model M           model bundle (default: the shipped model)\n"
    "  --model-topic T     start with the newest complete model published on\n"
    "                      T (else --model) and switch to each new one\n"
    "                      between documents; SIGHUP re-reads T\n"
    "  --exactly-once      Kafka transactions: output and input offsets\n"
    "                      commit together (read_committed consumers see\n"
    "                      each record once); default is at-least-once\n"
    "  --threads N         classifying workers (order is kept)\n"
    "  -X prop=val         a librdkafka property (e.g. security.protocol=ssl)\n"
    "                      or a rakiza.* setting (see README)\n"
    "  -F FILE             properties file of prop=val lines\n"
    "  --watch             reload the model when its file changes\n"
    "  --explain K         add K explanation terms to each record\n"
    "  --no-text           leave paragraph text out of the records\n"
    "  --metrics-port P    serve Prometheus /metrics and /healthz on\n"
    "                      127.0.0.1:P (-X rakiza.metrics.address=A to\n"
    "                      bind another address, e.g. 0.0.0.0)\n"
    "  --log-level L       debug, info (default), warn or error; info logs\n"
    "                      a throughput line every 10 s\n"
    "                      (-X rakiza.summary.interval.ms=N, 0 for none)\n\n"
    "Signals: SIGINT/SIGTERM stop reading, deliver what is in flight, commit\n"
    "and exit 0; SIGHUP reloads the model (a bad bundle is refused and the\n"
    "old model keeps serving).\n";

static rk_stream_signals_t signals_seen;

static void on_signal(int sig) {
    if (sig == SIGHUP)
        signals_seen.reload = 1;
    else
        signals_seen.stop = 1;
}

int rk_cmd_run(int argc, char **argv) {
    static const struct option opts[] = {
        {"dlq", required_argument, NULL, 'D'},
        {"model", required_argument, NULL, 'm'},
        {"model-topic", required_argument, NULL, 'M'},
        {"exactly-once", no_argument, NULL, 'E'},
        {"threads", required_argument, NULL, 'T'},
        {"metrics-port", required_argument, NULL, 'P'},
        {"watch", no_argument, NULL, 'W'},
        {"explain", required_argument, NULL, 'x'},
        {"no-text", no_argument, NULL, 'N'},
        {"log-level", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    rk_stream_conf_t *conf = rk_stream_conf_new();
    char errstr[1024];
    int c, status = RK_EXIT_OK;
    while (!status &&
           (c = getopt_long(argc, argv, "b:i:o:g:X:F:h", opts, NULL)) != -1) {
        const char *key = NULL, *value = optarg;
        switch (c) {
        case 'b': key = "bootstrap.servers"; break;
        case 'i': key = "rakiza.in.topic"; break;
        case 'o': key = "rakiza.out.topic"; break;
        case 'g': key = "group.id"; break;
        case 'D': key = "rakiza.dlq"; break;
        case 'm': key = "rakiza.model"; break;
        case 'M': key = "rakiza.model.topic"; break;
        case 'E': key = "rakiza.exactly.once", value = "true"; break;
        case 'T': key = "rakiza.threads"; break;
        case 'P': key = "rakiza.metrics.port"; break;
        case 'W': key = "rakiza.watch", value = "true"; break;
        case 'x': key = "rakiza.explain"; break;
        case 'N': key = "rakiza.text", value = "false"; break;
        case 'L':
            if (!rk_log_set_level_name(optarg))
                status = rk_cli_usage_error(
                    "run", "--log-level takes debug, info, warn or error");
            break;
        case 'X': {
            char *eq = strchr(optarg, '=');
            if (!eq) {
                status = rk_cli_usage_error("run", "-X takes prop=val");
                break;
            }
            *eq = '\0';
            key = optarg;
            value = eq + 1;
            break;
        }
        case 'F': {
            rk_err_t err =
                rk_stream_conf_load_file(conf, optarg, errstr, sizeof errstr);
            if (err)
                status = rk_cli_fail("run", err, errstr);
            break;
        }
        case 'h':
            fputs(help, stdout);
            rk_stream_conf_destroy(conf);
            return RK_EXIT_OK;
        default: status = rk_cli_usage_error("run", "bad option");
        }
        if (!status && key) {
            rk_err_t err =
                rk_stream_conf_set(conf, key, value, errstr, sizeof errstr);
            if (err)
                status = rk_cli_fail("run", err, errstr);
        }
    }
    if (!status && optind < argc)
        status =
            rk_cli_usage_error("run", "unexpected argument '%s'", argv[optind]);
    rk_stream_t *s = NULL;
    if (!status) {
        /* Handlers before any librdkafka thread starts. */
        struct sigaction sa = {0};
        sa.sa_handler = on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        rk_err_t err = rk_stream_new(conf, &s, errstr, sizeof errstr);
        if (!err)
            err = rk_stream_run(s, &signals_seen, errstr, sizeof errstr);
        if (err)
            status = rk_cli_fail("run", err, errstr);
    }
    rk_stream_destroy(s);
    rk_stream_conf_destroy(conf);
    return status;
}
