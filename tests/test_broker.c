/*
 * test_broker.c - the embedded broker module: topic specs are validated and
 * created as asked, so `rakiza broker --topics` never silently ignores a typo.
 */
#include <string.h>

#include "ingest/broker.h"
#include "testutil.h"

static void test_cluster_size(void) {
    /* If it fails: zero brokers start, or a broker listens off loopback. */
    char err[256];
    rk_broker_t *b = NULL;
    CHECK(rk_broker_new(0, &b, err, sizeof err) == RK_ERR_USAGE && !b,
          "a cluster of zero brokers must be refused, not started");
    CHECK(strstr(err, "0") != NULL, "the message names the bad count: %s", err);

    CHECK(rk_broker_new(1, &b, err, sizeof err) == RK_OK && b,
          "a one-broker cluster starts: %s", err);
    if (!b)
        return;
    const char *addr = rk_broker_bootstraps(b);
    CHECK(addr && !strncmp(addr, "127.0.0.1:", 10),
          "the broker listens on loopback only, got %s", addr ? addr : "NULL");
    rk_broker_destroy(b);
    rk_broker_destroy(NULL); /* NULL-safe, as every _destroy */
}

static void test_topic_specs(void) {
    /* If it fails: `rakiza broker --topics` ignores a typo in its spec. */
    char err[256];
    rk_broker_t *b = NULL;
    CHECK(rk_broker_new(1, &b, err, sizeof err) == RK_OK && b,
          "a one-broker cluster starts: %s", err);
    if (!b)
        return;
    CHECK(rk_broker_create_topics(b, "docs:4,out,dlq:2", err, sizeof err) ==
              RK_OK,
          "a valid spec creates its topics: %s", err);
    CHECK(rk_broker_create_topics(b, "x:zero", err, sizeof err) ==
                  RK_ERR_USAGE &&
              strstr(err, "zero"),
          "a non-numeric partition count is a usage error naming it: %s", err);
    CHECK(rk_broker_create_topics(b, "y:0", err, sizeof err) == RK_ERR_USAGE,
          "zero partitions is refused");
    CHECK(rk_broker_create_topics(b, "a,,b", err, sizeof err) == RK_ERR_USAGE,
          "an empty topic name is refused: %s", err);
    rk_broker_destroy(b);
}

TEST_LIST = {{"cluster_size", test_cluster_size},
             {"topic_specs", test_topic_specs},
             {NULL, NULL}};
