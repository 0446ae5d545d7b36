/*
 * fault_broker.c - a test helper, not part of the product: a librdkafka
 * mock cluster (ingest/broker.h) whose faults a test script drives.
 *
 *   fault_broker [--brokers N] [--topics name:partitions,...]
 *
 * Prints the bootstrap address as its first stdout line, then reads one
 * command per line on stdin and answers each with "ok <command>" (or
 * "error <command>: why") on stdout, so a script can wait until a fault is
 * in place. It exits on EOF, "quit", SIGINT or SIGTERM. Commands:
 *
 *   down B | up B                   broker B (1..N, or -1 for all) stops /
 *                                   starts accepting connections; existing
 *                                   ones are cut (no leader change)
 *   errors [@B] API ERR [ERR...]    the next requests of kind API fail with
 *                                   these errors, in order: those to broker
 *                                   B with @B, else those to any broker
 *                                   (API: Produce, Fetch, OffsetCommit,
 *                                   EndTxn, ... or a number; ERR: a
 *                                   librdkafka error name such as
 *                                   NOT_COORDINATOR or _TRANSPORT, or a
 *                                   number)
 *   pending B API                   answers "ok pending B API = N": how many
 *                                   errors pushed with @B are still unused
 *                                   (a test waits for 0: the fault did hit)
 *   clear API                       drops API's pending cluster-wide errors
 *   coordinator group|transaction KEY B   moves a coordinator to broker B
 *   leader TOPIC PARTITION B        moves a partition's leadership
 *   rtt B MS                        delays broker B's responses
 *   quit
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/broker.h"

#define MAX_ERRS 64

static const struct {
    const char *name;
    int16_t key;
} api_keys[] = {
    {"Produce", 0},
    {"Fetch", 1},
    {"ListOffsets", 2},
    {"Metadata", 3},
    {"OffsetCommit", 8},
    {"OffsetFetch", 9},
    {"FindCoordinator", 10},
    {"JoinGroup", 11},
    {"Heartbeat", 12},
    {"LeaveGroup", 13},
    {"SyncGroup", 14},
    {"InitProducerId", 22},
    {"AddPartitionsToTxn", 24},
    {"AddOffsetsToTxn", 25},
    {"EndTxn", 26},
    {"TxnOffsetCommit", 28},
};

static int parse_long(const char *s, long lo, long hi, long *out) {
    char *end;
    if (!s)
        return 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

static int parse_api(const char *s, int16_t *out) {
    long v;
    for (size_t i = 0; s && i < sizeof api_keys / sizeof *api_keys; i++)
        if (!strcmp(s, api_keys[i].name))
            return (*out = api_keys[i].key), 1;
    if (!parse_long(s, 0, 100, &v))
        return 0;
    *out = (int16_t)v;
    return 1;
}

static int parse_err(const char *s, rd_kafka_resp_err_t *out) {
    const struct rd_kafka_err_desc *descs;
    size_t n;
    long v;
    if (!s)
        return 0;
    rd_kafka_get_err_descs(&descs, &n);
    for (size_t i = 0; i < n; i++)
        if (descs[i].name && !strcmp(s, descs[i].name))
            return (*out = descs[i].code), 1;
    if (!parse_long(s, -200, 200, &v))
        return 0;
    *out = (rd_kafka_resp_err_t)v;
    return 1;
}

/* Applies one command line (modified in place); returns a reason on
 * failure, NULL on success (and may put a value in answer). */
static const char *apply(rd_kafka_mock_cluster_t *mc, int nbrokers, char *line,
                         char *answer, size_t answer_size) {
    char *argv[MAX_ERRS + 4];
    int argc = 0;
    for (char *t = strtok(line, " \t"); t && argc < MAX_ERRS + 4;
         t = strtok(NULL, " \t"))
        argv[argc++] = t;
    if (argc == 0)
        return "empty command";
    const char *cmd = argv[0];
    long b, n;
    int16_t api;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (!strcmp(cmd, "down") || !strcmp(cmd, "up")) {
        if (argc != 2 || !parse_long(argv[1], -1, nbrokers, &b) || b == 0)
            return "usage: down|up BROKER";
        err = !strcmp(cmd, "down")
                  ? rd_kafka_mock_broker_set_down(mc, (int32_t)b)
                  : rd_kafka_mock_broker_set_up(mc, (int32_t)b);
    } else if (!strcmp(cmd, "errors")) {
        rd_kafka_resp_err_t errs[MAX_ERRS];
        int first = 1;
        b = 0;
        if (argc > 1 && argv[1][0] == '@') {
            if (!parse_long(argv[1] + 1, 1, nbrokers, &b))
                return "usage: errors [@BROKER] API ERR [ERR...]";
            first = 2;
        }
        if (argc < first + 2 || !parse_api(argv[first], &api))
            return "usage: errors [@BROKER] API ERR [ERR...]";
        for (int i = first + 1; i < argc; i++)
            if (!parse_err(argv[i], &errs[i - first - 1]))
                return "unknown error name";
        size_t cnt = (size_t)(argc - first - 1);
        if (!b)
            rd_kafka_mock_push_request_errors_array(mc, api, cnt, errs);
        for (size_t i = 0; b && i < cnt && !err; i++)
            err = rd_kafka_mock_broker_push_request_error_rtts(
                mc, (int32_t)b, api, 1, errs[i], 0);
    } else if (!strcmp(cmd, "pending")) {
        size_t cnt = 0;
        if (argc != 3 || !parse_long(argv[1], 1, nbrokers, &b) ||
            !parse_api(argv[2], &api))
            return "usage: pending BROKER API";
        err = rd_kafka_mock_broker_error_stack_cnt(mc, (int32_t)b, api, &cnt);
        snprintf(answer, answer_size, " = %zu", cnt);
    } else if (!strcmp(cmd, "clear")) {
        if (argc != 2 || !parse_api(argv[1], &api))
            return "usage: clear API";
        rd_kafka_mock_clear_request_errors(mc, api);
    } else if (!strcmp(cmd, "coordinator")) {
        if (argc != 4 ||
            (strcmp(argv[1], "group") && strcmp(argv[1], "transaction")) ||
            !parse_long(argv[3], 1, nbrokers, &b))
            return "usage: coordinator group|transaction KEY BROKER";
        err = rd_kafka_mock_coordinator_set(mc, argv[1], argv[2], (int32_t)b);
    } else if (!strcmp(cmd, "leader")) {
        if (argc != 4 || !parse_long(argv[2], 0, 100000, &n) ||
            !parse_long(argv[3], -1, nbrokers, &b))
            return "usage: leader TOPIC PARTITION BROKER";
        err = rd_kafka_mock_partition_set_leader(mc, argv[1], (int32_t)n,
                                                 (int32_t)b);
    } else if (!strcmp(cmd, "rtt")) {
        if (argc != 3 || !parse_long(argv[1], -1, nbrokers, &b) ||
            !parse_long(argv[2], 0, 600000, &n))
            return "usage: rtt BROKER MS";
        err = rd_kafka_mock_broker_set_rtt(mc, (int32_t)b, (int)n);
    } else {
        return "unknown command";
    }
    return err ? rd_kafka_err2str(err) : NULL;
}

int main(int argc, char **argv) {
    long nbrokers = 3;
    const char *topics = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--brokers") && i + 1 < argc &&
            parse_long(argv[i + 1], 1, 16, &nbrokers))
            i++;
        else if (!strcmp(argv[i], "--topics") && i + 1 < argc)
            topics = argv[++i];
        else {
            fprintf(stderr, "usage: fault_broker [--brokers N] "
                            "[--topics name:partitions,...] < commands\n");
            return 2;
        }
    }
    char errstr[512];
    rk_broker_t *b = NULL;
    rk_err_t err = rk_broker_new((int)nbrokers, &b, errstr, sizeof errstr);
    if (!err && topics)
        err = rk_broker_create_topics(b, topics, errstr, sizeof errstr);
    if (err) {
        fprintf(stderr, "fault_broker: %s\n", errstr);
        rk_broker_destroy(b);
        return 1;
    }
    printf("%s\n", rk_broker_bootstraps(b));
    fflush(stdout);
    rd_kafka_mock_cluster_t *mc = rk_broker_cluster(b);
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, stdin) >= 0) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!strcmp(line, "quit"))
            break;
        char copy[1024];
        snprintf(copy, sizeof copy, "%s", line);
        char answer[64] = "";
        const char *why = apply(mc, (int)nbrokers, line, answer, sizeof answer);
        if (why)
            printf("error %s: %s\n", copy, why);
        else
            printf("ok %s%s\n", copy, answer);
        fflush(stdout);
    }
    free(line);
    rk_broker_destroy(b);
    return 0;
}
