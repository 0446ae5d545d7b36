/*
 * cmd_broker.c - `rakiza broker`: runs the embedded mock Kafka cluster until
 * SIGINT or SIGTERM. The bootstrap address is the first line on stdout (and
 * is written to --bootstrap-file), so scripts can start it and read it.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/file.h"
#include "ingest/broker.h"

static const char *help =
    "usage: rakiza broker [--topics name:partitions,...] [--bootstrap-file F]\n"
    "                     [--brokers N]\n\n"
    "Runs an embedded development Kafka broker (librdkafka's mock cluster) on\n"
    "127.0.0.1 and prints its bootstrap address as the first line on stdout.\n"
    "Data lives in memory only; each partition keeps only about its newest\n"
    "5 MB. Stops cleanly on SIGINT or SIGTERM.\n\n"
    "  --topics SPEC         topics to create, e.g. docs:4,out:4,dlq\n"
    "                        (partitions default to 1; other topics are\n"
    "                        created on first use)\n"
    "  --bootstrap-file F    also write the bootstrap address to F\n"
    "  --brokers N           number of brokers in the cluster (default 1)\n";

int rk_cmd_broker(int argc, char **argv) {
    static const struct option opts[] = {
        {"topics", required_argument, NULL, 't'},
        {"bootstrap-file", required_argument, NULL, 'f'},
        {"brokers", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *topics = NULL, *bootstrap_file = NULL;
    int broker_cnt = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 't': topics = optarg; break;
        case 'f': bootstrap_file = optarg; break;
        case 'n': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 16)
                return rk_cli_usage_error(
                    "broker", "--brokers takes 1..16, not '%s'", optarg);
            broker_cnt = (int)n;
            break;
        }
        case 'h': fputs(help, stdout); return RK_EXIT_OK;
        default: return rk_cli_usage_error("broker", "bad option");
        }
    }
    if (optind < argc)
        return rk_cli_usage_error("broker", "unexpected argument '%s'",
                                  argv[optind]);

    /* Block the stop signals before librdkafka starts its threads, so they
     * inherit the mask and only sigwait() below receives them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    char errstr[512];
    rk_broker_t *b = NULL;
    rk_err_t err = rk_broker_new(broker_cnt, &b, errstr, sizeof errstr);
    if (!err && topics)
        err = rk_broker_create_topics(b, topics, errstr, sizeof errstr);
    if (err) {
        rk_broker_destroy(b);
        return rk_cli_fail("broker", err, errstr);
    }
    const char *addr = rk_broker_bootstraps(b);
    printf("%s\n", addr);
    fflush(stdout);
    /* A test or script polls for this file: written whole, atomically. */
    if (bootstrap_file) {
        char line[512];
        int n = snprintf(line, sizeof line, "%s\n", addr);
        rk_err_t err = rk_file_write_atomic(bootstrap_file, line, (size_t)n,
                                            errstr, sizeof errstr);
        if (err) {
            rk_broker_destroy(b);
            return rk_cli_fail("broker", err, errstr);
        }
    }
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "rakiza broker: %s received, shutting down\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    rk_broker_destroy(b);
    return RK_EXIT_OK;
}
