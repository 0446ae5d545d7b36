/*
 * test_stream_conf.c - the settings of `rakiza run` (ingest/stream_conf.h):
 * the defaults the README documents, every rakiza.* key taken at the ends
 * of its range and refused just past them, librdkafka properties judged by
 * librdkafka itself and passed through, properties files read line by line
 * with errors naming file:line, and the cross-checks run before anything
 * connects. If these fail, a typo in a deployment's settings starts a
 * service that does something else than what was written.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "ingest/stream_conf.h"
#include "testutil.h"

/* Renders the field a key sets, so a table can say what it should be. */
typedef enum { INT_FIELD, BOOL_FIELD, SIZE_FIELD, STR_FIELD } kind_t;

typedef struct key_case_s {
    const char *key;
    kind_t kind;
    const char *lo, *hi;       /* accepted: the ends of the range */
    const char *below, *above; /* refused: just past them */
    size_t offset;             /* the field in rk_stream_conf_t */
} key_case_t;

#define AT(field) offsetof(rk_stream_conf_t, field)

static const key_case_t keys[] = {
    {"rakiza.in.topic", STR_FIELD, "docs", "a.b-c_9", "", NULL, AT(in_topic)},
    {"rakiza.out.topic", STR_FIELD, "labels", "x", "", NULL, AT(out_topic)},
    {"rakiza.dlq", STR_FIELD, "dlq", "none", "", NULL, AT(dlq)},
    {"rakiza.model", STR_FIELD, "models/default.rkz", "/m.rkz", "", NULL,
     AT(model_path)},
    {"rakiza.metrics.address", STR_FIELD, "0.0.0.0", "::1", "", NULL,
     AT(metrics_address)},
    {"group.id", STR_FIELD, "classifiers", "g", "", NULL, AT(group)},
    {"rakiza.exactly.once", BOOL_FIELD, "false", "true", "maybe", "2",
     AT(exactly_once)},
    {"rakiza.watch", BOOL_FIELD, "0", "1", "onn", "-1", AT(watch)},
    {"rakiza.text", BOOL_FIELD, "false", "true", "", "TRUE", AT(include_text)},
    {"rakiza.threads", INT_FIELD, "1", "64", "0", "65", AT(threads)},
    {"rakiza.explain", INT_FIELD, "0", "100", "-1", "101", AT(explain)},
    {"rakiza.batch.size", INT_FIELD, "1", "100000", "0", "100001",
     AT(batch_size)},
    {"rakiza.batch.ms", INT_FIELD, "1", "60000", "0", "60001", AT(batch_ms)},
    {"rakiza.commit.interval.ms", INT_FIELD, "-1", "3600000", "-2", "3600001",
     AT(commit_ms)},
    {"rakiza.metrics.port", INT_FIELD, "0", "65535", "-1", "65536",
     AT(metrics_port)},
    {"rakiza.summary.interval.ms", INT_FIELD, "0", "86400000", "-1", "86400001",
     AT(summary_ms)},
    {"rakiza.max.message.bytes", SIZE_FIELD, "1", "4294967296", "0",
     "4294967297", AT(limits.max_message_bytes)},
    {"rakiza.max.decompressed.bytes", SIZE_FIELD, "1", "4294967296", "0",
     "4294967297", AT(limits.max_decompressed_bytes)},
    {"rakiza.dlq.max.bytes", SIZE_FIELD, "1024", "536870912", "1023",
     "536870913", AT(dlq_max_bytes)},
};
#define NKEYS (sizeof keys / sizeof keys[0])

/* The field's value as text ("(null)" for an unset string). */
static void field_text(const rk_stream_conf_t *c, const key_case_t *k,
                       char *buf, size_t size) {
    const char *p = (const char *)c + k->offset;
    switch (k->kind) {
    case INT_FIELD:
    case BOOL_FIELD: snprintf(buf, size, "%d", *(const int *)p); break;
    case SIZE_FIELD: snprintf(buf, size, "%zu", *(const size_t *)p); break;
    case STR_FIELD: {
        const char *s = *(char *const *)p;
        snprintf(buf, size, "%s", s ? s : "(null)");
        break;
    }
    }
}

/* What the field should read after value was accepted. */
static void expected_text(const key_case_t *k, const char *value, char *buf,
                          size_t size) {
    if (k->kind == BOOL_FIELD)
        snprintf(buf, size, "%d",
                 !strcmp(value, "true") || !strcmp(value, "1"));
    else
        snprintf(buf, size, "%s", value);
}

static int has_kafka(const rk_stream_conf_t *c, const char *key,
                     const char *value) {
    for (size_t i = 0; i < c->kafka.n; i++)
        if (!strcmp(c->kafka.kv[2 * i], key) &&
            !strcmp(c->kafka.kv[2 * i + 1], value))
            return 1;
    return 0;
}

static void test_defaults(void) {
    /* If it fails: an unset setting means other than what is documented. */
    rk_stream_conf_t *c = rk_stream_conf_new();
    CHECK(c, "a settings object is made");
    if (!c)
        return;
    CHECK(!c->in_topic && !c->out_topic && !c->dlq && !c->model_path,
          "topics, dead-letter topic and model start unset (the default "
          "model is chosen later)");
    CHECK(c->group && !strcmp(c->group, "rakiza"),
          "the consumer group is 'rakiza', got %s",
          c->group ? c->group : "NULL");
    CHECK(c->threads == 1 && c->include_text == 1 && c->explain == 0 &&
              c->exactly_once == 0 && c->watch == 0,
          "one thread, text in records, no explanations, at-least-once, no "
          "model watch (got %d, %d, %d, %d, %d)",
          c->threads, c->include_text, c->explain, c->exactly_once, c->watch);
    CHECK(c->batch_size == 200 && c->batch_ms == 200,
          "200 documents in flight, batch.ms 200 (accepted, ignored), got "
          "%d / %d",
          c->batch_size, c->batch_ms);
    CHECK(c->commit_ms == -1 &&
              rk_stream_conf_commit_ms(c) == RK_STREAM_COMMIT_MS,
          "commit interval unset: 1000 ms at-least-once, got %d / %ld",
          c->commit_ms, rk_stream_conf_commit_ms(c));
    c->exactly_once = 1;
    CHECK(rk_stream_conf_commit_ms(c) == RK_STREAM_EOS_COMMIT_MS,
          "commit interval unset: 100 ms exactly-once (as Kafka Streams), "
          "got %ld",
          rk_stream_conf_commit_ms(c));
    c->commit_ms = 0;
    CHECK(rk_stream_conf_commit_ms(c) == 0,
          "a commit interval set is the one in force, got %ld",
          rk_stream_conf_commit_ms(c));
    c->exactly_once = 0;
    CHECK(c->metrics_port == 0 && !c->metrics_address && c->summary_ms == 10000,
          "metrics off, summary line every 10 s, got port %d, %d ms",
          c->metrics_port, c->summary_ms);
    rk_env_limits_t lim;
    rk_env_limits_default(&lim);
    CHECK(c->limits.max_message_bytes == lim.max_message_bytes &&
              c->limits.max_decompressed_bytes == lim.max_decompressed_bytes,
          "the message limits are the decoder's defaults");
    CHECK(c->dlq_max_bytes == 1000000,
          "dead-letter payloads are cut at 1000000 bytes (under Kafka's "
          "default message.max.bytes), got %zu",
          c->dlq_max_bytes);
    CHECK(c->kafka.n == 0 && !c->kafka.kv, "no librdkafka property is set");
    rk_stream_conf_destroy(c);
    rk_stream_conf_destroy(NULL); /* NULL-safe, as every _destroy */
}

static void test_keys_accept_range_ends(void) {
    /* If it fails: a documented value of some rakiza.* key is refused. */
    for (size_t i = 0; i < NKEYS; i++) {
        const key_case_t *k = &keys[i];
        const char *values[] = {k->lo, k->hi};
        for (size_t v = 0; v < 2; v++) {
            rk_stream_conf_t *c = rk_stream_conf_new();
            char err[256] = "", got[64], want[64];
            rk_err_t e =
                rk_stream_conf_set(c, k->key, values[v], err, sizeof err);
            field_text(c, k, got, sizeof got);
            expected_text(k, values[v], want, sizeof want);
            CHECK(e == RK_OK && !strcmp(got, want),
                  "%s=%s is accepted and sets the field to %s, got %d (%s), "
                  "field %s",
                  k->key, values[v], want, e, err, got);
            rk_stream_conf_destroy(c);
        }
    }
}

static void test_keys_refuse_past_range(void) {
    /* If it fails: an out-of-range rakiza.* value starts a service. */
    for (size_t i = 0; i < NKEYS; i++) {
        const key_case_t *k = &keys[i];
        const char *values[] = {k->below, k->above, "12abc"};
        for (size_t v = 0; v < 3; v++) {
            if (!values[v] || (v == 2 && k->kind == STR_FIELD))
                continue; /* any non-empty string is a good name */
            rk_stream_conf_t *c = rk_stream_conf_new();
            char err[256] = "", before[64], after[64];
            field_text(c, k, before, sizeof before);
            rk_err_t e =
                rk_stream_conf_set(c, k->key, values[v], err, sizeof err);
            CHECK(e == RK_ERR_USAGE && strstr(err, k->key) &&
                      strstr(err, values[v]),
                  "%s='%s' is refused naming the key and the value, got %d: "
                  "%s",
                  k->key, values[v], e, err);
            field_text(c, k, after, sizeof after);
            CHECK(!strcmp(before, after),
                  "a refused %s leaves the setting as it was (%s), got %s",
                  k->key, before, after);
            rk_stream_conf_destroy(c);
        }
    }
}

static void test_unknown_rakiza_key(void) {
    /* If it fails: a misspelt rakiza.* key is silently ignored. */
    rk_stream_conf_t *c = rk_stream_conf_new();
    char err[256] = "";
    CHECK(rk_stream_conf_set(c, "rakiza.thread", "4", err, sizeof err) ==
                  RK_ERR_USAGE &&
              strstr(err, "'rakiza.thread'"),
          "an unknown rakiza.* key is refused naming it: %s", err);
    CHECK(rk_stream_conf_set(c, "rakiza.", "x", err, sizeof err) ==
              RK_ERR_USAGE,
          "the bare prefix is no key either: %s", err);
    CHECK(c->threads == 1 && c->kafka.n == 0,
          "nothing was set, and nothing passed on to librdkafka");
    rk_stream_conf_destroy(c);
}

static void test_kafka_property_passed(void) {
    /* If it fails: a -X librdkafka property never reaches librdkafka. */
    rk_stream_conf_t *c = rk_stream_conf_new();
    char err[256] = "";
    CHECK(rk_stream_conf_set(c, "bootstrap.servers", "127.0.0.1:9092", err,
                             sizeof err) == RK_OK,
          "a librdkafka property is accepted: %s", err);
    CHECK(rk_stream_conf_set(c, "session.timeout.ms", "6000", err,
                             sizeof err) == RK_OK,
          "a second one too: %s", err);
    CHECK(c->kafka.n == 2 &&
              has_kafka(c, "bootstrap.servers", "127.0.0.1:9092") &&
              has_kafka(c, "session.timeout.ms", "6000"),
          "both are kept as key and value, in order (%zu kept)", c->kafka.n);
    CHECK(!has_kafka(c, "group.id", "rakiza"),
          "group.id is rakiza's own setting, not a pass-through pair");

    rd_kafka_conf_t *kconf = rd_kafka_conf_new();
    CHECK(rk_stream_conf_apply(c, kconf, err, sizeof err) == RK_OK,
          "the pairs apply to a librdkafka configuration: %s", err);
    char v[128];
    size_t vlen = sizeof v;
    CHECK(rd_kafka_conf_get(kconf, "bootstrap.servers", v, &vlen) ==
                  RD_KAFKA_CONF_OK &&
              !strcmp(v, "127.0.0.1:9092"),
          "librdkafka reads back the brokers given, got %s", v);
    vlen = sizeof v;
    CHECK(rd_kafka_conf_get(kconf, "session.timeout.ms", v, &vlen) ==
                  RD_KAFKA_CONF_OK &&
              !strcmp(v, "6000"),
          "librdkafka reads back session.timeout.ms=6000, got %s", v);
    rd_kafka_conf_destroy(kconf);
    rk_stream_conf_destroy(c);
}

static void test_kafka_property_refused(void) {
    /* If it fails: a librdkafka typo is found only when the client starts. */
    rk_stream_conf_t *c = rk_stream_conf_new();
    char err[256] = "";
    CHECK(rk_stream_conf_set(c, "bootstrap.server", "127.0.0.1:9092", err,
                             sizeof err) == RK_ERR_USAGE &&
              strstr(err, "bootstrap.server"),
          "an unknown librdkafka property is refused naming it: %s", err);
    CHECK(rk_stream_conf_set(c, "session.timeout.ms", "soon", err,
                             sizeof err) == RK_ERR_USAGE &&
              strstr(err, "session.timeout.ms"),
          "a bad value for a librdkafka property is refused naming it: %s",
          err);
    CHECK(rk_stream_conf_set(c, "compression.codec", "zip", err, sizeof err) ==
              RK_ERR_USAGE,
          "a value outside a librdkafka enumeration is refused: %s", err);
    CHECK(c->kafka.n == 0, "no refused pair is kept (%zu kept)", c->kafka.n);
    rk_stream_conf_destroy(c);
}

static const char good_file[] = "# rakiza run settings\n"
                                "\n"
                                "rakiza.in.topic = docs\n"
                                "   # an indented comment\n"
                                "\t\n"
                                "rakiza.out.topic=labels\r\n"
                                "rakiza.dlq\t=\tdead\n"
                                "bootstrap.servers = 127.0.0.1:9092\n"
                                "rakiza.model = /srv/models/a=b.rkz\n"
                                "rakiza.threads=4\n"
                                "rakiza.text = false\n"
                                "rakiza.explain=3"; /* no newline at the end */

static void test_properties_file(void) {
    /* If it fails: a properties file is misread (comments, spaces, CRLF). */
    const char *path = rk_test_write_file(NULL, "run.properties", good_file,
                                          sizeof good_file - 1);
    rk_stream_conf_t *c = rk_stream_conf_new();
    char err[512] = "";
    CHECK(rk_stream_conf_load_file(c, path, err, sizeof err) == RK_OK,
          "a file with comments, blank lines and spaces loads: %s", err);
    CHECK(c->in_topic && !strcmp(c->in_topic, "docs") && c->out_topic &&
              !strcmp(c->out_topic, "labels") && c->dlq &&
              !strcmp(c->dlq, "dead"),
          "keys and values are trimmed, a CRLF line ends at the CR (got "
          "'%s', '%s', '%s')",
          c->in_topic ? c->in_topic : "NULL",
          c->out_topic ? c->out_topic : "NULL", c->dlq ? c->dlq : "NULL");
    CHECK(c->model_path && !strcmp(c->model_path, "/srv/models/a=b.rkz"),
          "only the first '=' splits key from value, got %s",
          c->model_path ? c->model_path : "NULL");
    CHECK(c->threads == 4 && c->include_text == 0 && c->explain == 3,
          "numbers and booleans are read, the last line without a newline "
          "too (got %d, %d, %d)",
          c->threads, c->include_text, c->explain);
    CHECK(c->kafka.n == 1 &&
              has_kafka(c, "bootstrap.servers", "127.0.0.1:9092"),
          "the librdkafka line is passed through");
    CHECK(rk_stream_conf_check(c, err, sizeof err) == RK_OK,
          "the file makes a complete configuration: %s", err);
    rk_stream_conf_destroy(c);
}

static void test_properties_file_errors(void) {
    /* If it fails: a bad line in a file is not traced to its file:line. */
    char err[512] = "";
    static const char bad_value[] = "# settings\n"
                                    "rakiza.in.topic=docs\n"
                                    "\n"
                                    "rakiza.threads = 0\n"
                                    "rakiza.out.topic=never\n";
    const char *path = rk_test_write_file(NULL, "bad_value.properties",
                                          bad_value, sizeof bad_value - 1);
    rk_stream_conf_t *c = rk_stream_conf_new();
    CHECK(rk_stream_conf_load_file(c, path, err, sizeof err) == RK_ERR_USAGE &&
              strstr(err, "bad_value.properties:4:") &&
              strstr(err, "rakiza.threads"),
          "a bad value names file:line and the key: %s", err);
    CHECK(!c->out_topic, "reading stops at the bad line");
    rk_stream_conf_destroy(c);

    static const char no_eq[] = "rakiza.in.topic=docs\nrakiza.out.topic\n";
    path =
        rk_test_write_file(NULL, "no_eq.properties", no_eq, sizeof no_eq - 1);
    c = rk_stream_conf_new();
    CHECK(rk_stream_conf_load_file(c, path, err, sizeof err) == RK_ERR_USAGE &&
              strstr(err, "no_eq.properties:2:") && strstr(err, "key=value"),
          "a line without '=' names file:line and the expected form: %s", err);
    rk_stream_conf_destroy(c);

    static const char unknown[] = "\n\nrakiza.colour=red\n";
    path = rk_test_write_file(NULL, "unknown.properties", unknown,
                              sizeof unknown - 1);
    c = rk_stream_conf_new();
    CHECK(rk_stream_conf_load_file(c, path, err, sizeof err) == RK_ERR_USAGE &&
              strstr(err, "unknown.properties:3:") &&
              strstr(err, "rakiza.colour"),
          "an unknown key in a file names file:line and the key: %s", err);
    rk_stream_conf_destroy(c);

    static const char kafka[] = "bootstrap.servers=x:1\nfetch.wait.max=5\n";
    path =
        rk_test_write_file(NULL, "kafka.properties", kafka, sizeof kafka - 1);
    c = rk_stream_conf_new();
    CHECK(rk_stream_conf_load_file(c, path, err, sizeof err) == RK_ERR_USAGE &&
              strstr(err, "kafka.properties:2:") &&
              strstr(err, "fetch.wait.max"),
          "a bad librdkafka property in a file names file:line: %s", err);
    rk_stream_conf_destroy(c);

    char missing[4200];
    snprintf(missing, sizeof missing, "%s/absent.properties", rk_test_tmpdir());
    c = rk_stream_conf_new();
    CHECK(rk_stream_conf_load_file(c, missing, err, sizeof err) == RK_ERR_IO &&
              strstr(err, "absent.properties"),
          "a missing file is an I/O error naming it: %s", err);
    rk_stream_conf_destroy(c);
}

/* A configuration with brokers and the given topics (NULL: not set). */
static rk_stream_conf_t *with_topics(const char *in, const char *out,
                                     const char *dlq) {
    rk_stream_conf_t *c = rk_stream_conf_new();
    char err[256];
    rk_stream_conf_set(c, "bootstrap.servers", "127.0.0.1:9092", err,
                       sizeof err);
    if (in)
        rk_stream_conf_set(c, "rakiza.in.topic", in, err, sizeof err);
    if (out)
        rk_stream_conf_set(c, "rakiza.out.topic", out, err, sizeof err);
    if (dlq)
        rk_stream_conf_set(c, "rakiza.dlq", dlq, err, sizeof err);
    return c;
}

static void test_check(void) {
    /* If it fails: a service starts with no topics, or reads its output. */
    char err[256] = "";
    rk_stream_conf_t *c = rk_stream_conf_new();
    rk_stream_conf_set(c, "rakiza.in.topic", "docs", err, sizeof err);
    rk_stream_conf_set(c, "rakiza.out.topic", "labels", err, sizeof err);
    rk_stream_conf_set(c, "rakiza.dlq", "dead", err, sizeof err);
    CHECK(rk_stream_conf_check(c, err, sizeof err) == RK_ERR_USAGE &&
              strstr(err, "broker"),
          "no brokers is refused saying so: %s", err);
    rk_stream_conf_destroy(c);

    static const struct {
        const char *in, *out, *dlq, *says, *why;
    } refused[] = {
        {NULL, "labels", "dead", "topic", "no input topic"},
        {"docs", NULL, "dead", "topic", "no output topic"},
        {"docs", "labels", NULL, "dead-letter", "no dead-letter topic"},
        {"docs", "docs", "dead", "input topic", "input == output"},
        {"docs", "labels", "docs", "input topic", "input == dead-letter"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        c = with_topics(refused[i].in, refused[i].out, refused[i].dlq);
        err[0] = '\0';
        CHECK(rk_stream_conf_check(c, err, sizeof err) == RK_ERR_USAGE &&
                  strstr(err, refused[i].says),
              "%s is refused, saying '%s': %s", refused[i].why, refused[i].says,
              err);
        rk_stream_conf_destroy(c);
    }

    c = with_topics("docs", "labels", "dead");
    CHECK(rk_stream_conf_check(c, err, sizeof err) == RK_OK,
          "brokers, distinct input, output and dead-letter topics pass: %s",
          err);
    rk_stream_conf_destroy(c);
    c = with_topics("docs", "labels", "none");
    CHECK(rk_stream_conf_check(c, err, sizeof err) == RK_OK,
          "--dlq none (log and skip bad input) passes: %s", err);
    rk_stream_conf_destroy(c);
    c = rk_stream_conf_new();
    rk_stream_conf_set(c, "metadata.broker.list", "127.0.0.1:9092", err,
                       sizeof err);
    rk_stream_conf_set(c, "rakiza.in.topic", "docs", err, sizeof err);
    rk_stream_conf_set(c, "rakiza.out.topic", "labels", err, sizeof err);
    rk_stream_conf_set(c, "rakiza.dlq", "dead", err, sizeof err);
    CHECK(rk_stream_conf_check(c, err, sizeof err) == RK_OK,
          "metadata.broker.list names the brokers as well: %s", err);
    rk_stream_conf_destroy(c);
}

TEST_LIST = {{"defaults", test_defaults},
             {"keys_accept_range_ends", test_keys_accept_range_ends},
             {"keys_refuse_past_range", test_keys_refuse_past_range},
             {"unknown_rakiza_key", test_unknown_rakiza_key},
             {"kafka_property_passed", test_kafka_property_passed},
             {"kafka_property_refused", test_kafka_property_refused},
             {"properties_file", test_properties_file},
             {"properties_file_errors", test_properties_file_errors},
             {"check", test_check},
             {NULL, NULL}};
