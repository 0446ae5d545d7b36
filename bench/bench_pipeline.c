/*
 * bench_pipeline.c - how fast the text pipeline runs on one core.
 *
 * Loads the documents named on the command line (the seeds), then times
 * each cumulative stage of the pipeline over all of them - segment, then
 * segment+normalise, ... - repeating a stage until it has run for at least
 * --seconds of this thread's CPU time. CPU time, not wall time, because the
 * machine is shared: the figure is what one core does when it has the core.
 * Prints "name<TAB>value<TAB>unit" lines (scripts/bench's table format);
 * MB are 10^6 bytes of input document.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify/normalize.h"
#include "classify/segment.h"

typedef struct doc_s {
    char *bytes;
    size_t len;
} doc_t;

/* Everything a stage reuses from call to call, as a serving thread would. */
typedef struct bench_s {
    doc_t *docs;
    size_t ndocs, total_bytes;
    rk_seg_list_t paras;
    rk_norm_t *norm;
    rk_norm_opts_t nopts;
    size_t sink; /* results folded in so no stage can be optimised away */
    char errstr[512];
} bench_t;

static double cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One pass of a stage over one document; returns 0 on success. */
typedef int (*stage_fn)(bench_t *b, const doc_t *d);

static int stage_segment(bench_t *b, const doc_t *d) {
    if (rk_seg_split(d->bytes, d->len, &b->paras, b->errstr,
                     sizeof b->errstr))
        return -1;
    b->sink += b->paras.count;
    return 0;
}

static int stage_normalize(bench_t *b, const doc_t *d) {
    if (stage_segment(b, d))
        return -1;
    for (size_t i = 0; i < b->paras.count; i++) {
        const char *out;
        size_t out_len;
        if (rk_norm_text(b->norm, &b->nopts, b->paras.items[i].text,
                         b->paras.items[i].text_len, &out, &out_len,
                         b->errstr, sizeof b->errstr))
            return -1;
        b->sink += out_len;
    }
    return 0;
}

/* Runs stage over every document until min_seconds of CPU time have
 * passed; prints the throughput. Returns 0 on success. */
static int run_stage(bench_t *b, const char *name, stage_fn stage,
                     double min_seconds) {
    size_t passes = 0, paragraphs = 0;
    double t0 = cpu_seconds(), t;
    do {
        for (size_t i = 0; i < b->ndocs; i++) {
            if (stage(b, &b->docs[i])) {
                fprintf(stderr, "bench_pipeline: %s: document %zu: %s\n",
                        name, i, b->errstr);
                return -1;
            }
            paragraphs += b->paras.count;
        }
        passes++;
        t = cpu_seconds() - t0;
    } while (t < min_seconds);
    printf("pipeline.%s\t%.1f\tMB/s\n", name,
           (double)b->total_bytes * (double)passes / 1e6 / t);
    printf("pipeline.%s_paragraphs\t%.0f\tparagraphs/s\n", name,
           (double)paragraphs / t);
    fprintf(stderr, "%s: %zu passes over %zu bytes in %.2f s CPU\n", name,
            passes, b->total_bytes, t);
    return 0;
}

static int load(const char *path, doc_t *d) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    long size = fseek(f, 0, SEEK_END) ? -1 : ftell(f);
    char *buf = size >= 0 ? malloc((size_t)size + 1) : NULL;
    int bad = !buf || fseek(f, 0, SEEK_SET) ||
              fread(buf, 1, (size_t)size, f) != (size_t)size;
    fclose(f);
    if (bad) {
        free(buf);
        return -1;
    }
    d->bytes = buf;
    d->len = (size_t)size;
    return 0;
}

static const char *usage =
    "usage: bench_pipeline [--seconds S] [--stage NAME] FILE...\n"
    "stages: segment, normalize\n";

int main(int argc, char **argv) {
    static const struct {
        const char *name;
        stage_fn fn;
    } stages[] = {{"segment", stage_segment}, {"normalize", stage_normalize}};
    double seconds = 2.0;
    const char *only = NULL;
    int argi = 1;
    for (; argi < argc && !strncmp(argv[argi], "--", 2); argi += 2) {
        if (argi + 1 >= argc) {
            fputs(usage, stderr);
            return 2;
        }
        if (!strcmp(argv[argi], "--seconds"))
            seconds = atof(argv[argi + 1]);
        else if (!strcmp(argv[argi], "--stage"))
            only = argv[argi + 1];
        else {
            fputs(usage, stderr);
            return 2;
        }
    }
    if (argi >= argc) {
        fputs(usage, stderr);
        return 2;
    }

    bench_t b = {0};
    b.nopts = rk_norm_opts_default();
    b.ndocs = (size_t)(argc - argi);
    b.docs = calloc(b.ndocs, sizeof *b.docs);
    int status = b.docs ? 0 : 1;
    for (size_t i = 0; !status && i < b.ndocs; i++) {
        if (load(argv[argi + (int)i], &b.docs[i])) {
            fprintf(stderr, "bench_pipeline: cannot read %s\n",
                    argv[argi + (int)i]);
            status = 1;
        }
        b.total_bytes += b.docs[i].len;
    }
    if (!status && rk_norm_new(&b.norm, b.errstr, sizeof b.errstr)) {
        fprintf(stderr, "bench_pipeline: %s\n", b.errstr);
        status = 1;
    }
    int ran = 0;
    for (size_t s = 0; !status && s < sizeof stages / sizeof *stages; s++) {
        if (only && strcmp(only, stages[s].name))
            continue;
        ran = 1;
        if (run_stage(&b, stages[s].name, stages[s].fn, seconds))
            status = 1;
    }
    if (!status && !ran) {
        fprintf(stderr, "bench_pipeline: no stage named %s\n%s", only, usage);
        status = 2;
    }
    fprintf(stderr, "(checksum %zu)\n", b.sink);
    rk_norm_destroy(b.norm);
    rk_seg_list_free(&b.paras);
    for (size_t i = 0; i < b.ndocs; i++)
        free(b.docs[i].bytes);
    free(b.docs);
    return status;
}
