/*
 * bench_envelope.c - how fast `rakiza run` turns messages into documents,
 * on one core.
 *
 * The messages are those `scripts/bench run` sends: the paragraphs of the
 * documents named on the command line (the seeds), seven to a message,
 * joined by blank lines, as {"id": ..., "text": ...} envelopes written by
 * jansson (so quotes and new lines are escaped, Arabic is not). Each is
 * decoded with rk_env_decode, as the service's workers do:
 *   envelope_scan  the envelopes as they are: read by envelope_scan.c;
 *   envelope_tree  the same with "n":1 first, which the scanner declines
 *                  at once: jansson's tree reads them (every envelope was
 *                  read that way before the scanner).
 * Timing as bench_pipeline: CPU time, at least --seconds or exactly
 * --passes. Prints "name<TAB>value<TAB>unit" lines; MB are 10^6 bytes of
 * message.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "core/grow.h"
#include "ingest/envelope.h"
#include "text/segment.h"

typedef struct msg_s {
    char *json;
    size_t len; /* measured once: the timed loop decodes, nothing else */
} msg_t;

typedef struct msgs_s {
    msg_t *items;
    size_t count, cap, bytes;
} msgs_t;

static int push(msgs_t *m, char *js) {
    if (!js ||
        !rk_grow(&m->items, &m->cap, m->count + 1, sizeof *m->items, 256)) {
        free(js);
        return -1;
    }
    m->items[m->count++] = (msg_t){js, strlen(js)};
    m->bytes += m->items[m->count - 1].len;
    return 0;
}

/* One envelope of paragraphs [from, to), with "n":1 first when
 * tree. */
static char *envelope(const rk_seg_list_t *paras, size_t from, size_t to,
                      size_t id, int tree) {
    size_t len = 0;
    for (size_t k = from; k < to; k++)
        len += paras->items[k].text_len + 2;
    char *text = malloc(len + 1), *o = text;
    if (!text)
        return NULL;
    for (size_t k = from; k < to; k++) {
        memcpy(o, paras->items[k].text, paras->items[k].text_len);
        o += paras->items[k].text_len;
        if (k + 1 < to) {
            memcpy(o, "\n\n", 2);
            o += 2;
        }
    }
    *o = '\0';
    char name[32];
    snprintf(name, sizeof name, "d%zu", id);
    json_t *obj = tree ? json_pack("{s:i}", "n", 1) : json_object();
    json_object_set_new(obj, "id", json_string(name));
    json_object_set_new(obj, "text", json_string(text));
    /* Keys in insertion order: "n" first in the tree's messages. */
    char *js = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(obj);
    free(text);
    return js;
}

static int build(char **docs, const size_t *lens, size_t ndocs, int tree,
                 msgs_t *out, char *errstr, size_t n) {
    rk_seg_list_t paras = {0};
    size_t id = 0;
    int bad = 0;
    for (size_t i = 0; !bad && i < ndocs; i++) {
        bad = rk_seg_split(docs[i], lens[i], &paras, errstr, n) != RK_OK;
        for (size_t k = 0; !bad && k < paras.count; k += 7) {
            size_t to = k + 7 < paras.count ? k + 7 : paras.count;
            bad = push(out, envelope(&paras, k, to, id++, tree));
            if (bad)
                snprintf(errstr, n, "out of memory");
        }
    }
    rk_seg_list_free(&paras);
    return bad;
}

__attribute__((noinline)) static int
run(const char *name, const msgs_t *m, double min_seconds, size_t want_passes) {
    rk_env_limits_t lim;
    rk_env_limits_default(&lim);
    size_t passes = 0, sink = 0;
    char err[256];
    double t0 = bench_cpu_seconds(), t;
    do {
        for (size_t i = 0; i < m->count; i++) {
            rk_env_msg_t msg = {.payload = m->items[i].json,
                                .len = m->items[i].len,
                                .topic = "in"};
            rk_env_doc_t doc;
            if (rk_env_decode(&lim, &msg, &doc, err, sizeof err)) {
                fprintf(stderr, "bench_envelope: %s: message %zu: %s\n", name,
                        i, err);
                return -1;
            }
            sink += doc.text_len;
            rk_env_doc_clear(&doc);
        }
        passes++;
        t = bench_cpu_seconds() - t0;
    } while (want_passes ? passes < want_passes : t < min_seconds);
    printf("pipeline.%s\t%.1f\tMB/s\n", name,
           (double)m->bytes * (double)passes / 1e6 / t);
    printf("pipeline.%s_messages\t%.0f\tmessages/s\n", name,
           (double)m->count * (double)passes / t);
    fprintf(stderr,
            "%s: %zu passes over %zu messages, %zu bytes in %.2f s CPU "
            "(checksum %zu)\n",
            name, passes, m->count, m->bytes, t, sink);
    return 0;
}

int main(int argc, char **argv) {
    static const char *const names[] = {"seconds", "passes"};
    const char *v[2] = {"2", "0"};
    int argi = bench_parse_opts(argc, argv, names, v, 2);
    if (argi < 0 || argi >= argc) {
        fputs("usage: bench_envelope [--seconds S | --passes N] FILE...\n",
              stderr);
        return 2;
    }
    size_t ndocs = (size_t)(argc - argi);
    char **docs = calloc(ndocs, sizeof *docs);
    size_t *lens = calloc(ndocs, sizeof *lens);
    int status = docs && lens ? 0 : 1;
    for (size_t i = 0; !status && i < ndocs; i++)
        if (!(docs[i] = bench_read_file(argv[argi + (int)i], &lens[i]))) {
            fprintf(stderr, "bench_envelope: cannot read %s\n",
                    argv[argi + (int)i]);
            status = 1;
        }
    msgs_t scan = {0}, tree = {0};
    char errstr[256];
    if (!status &&
        (build(docs, lens, ndocs, 0, &scan, errstr, sizeof errstr) ||
         build(docs, lens, ndocs, 1, &tree, errstr, sizeof errstr))) {
        fprintf(stderr, "bench_envelope: %s\n", errstr);
        status = 1;
    }
    double seconds = atof(v[0]);
    size_t passes = (size_t)strtoul(v[1], NULL, 10);
    if (!status && (run("envelope_scan", &scan, seconds, passes) ||
                    run("envelope_tree", &tree, seconds, passes)))
        status = 1;
    for (size_t i = 0; i < scan.count; i++)
        free(scan.items[i].json);
    for (size_t i = 0; i < tree.count; i++)
        free(tree.items[i].json);
    free(scan.items);
    free(tree.items);
    for (size_t i = 0; docs && i < ndocs; i++)
        free(docs[i]);
    free(docs);
    free(lens);
    return status;
}
