/*
 * bench_pipeline.c - how fast the text pipeline runs on one core.
 *
 * Loads the documents named on the command line (the seeds), then times
 * each cumulative stage over all of them, each paragraph going through the
 * entry points classify/pipeline.c uses (paragraphs come from the
 * segmenter, which has checked the document's UTF-8: nothing checks it
 * again):
 *   segment    rk_seg_split;
 *   normalize  + rk_norm_valid_text;
 *   tokenize   + rk_tok_words (the words; stopwords and stems are per
 *              distinct word, looked up in the vectoriser's word cache);
 *   vectorize  segment, then rk_vec_transform_valid, which normalises,
 *              splits words and vectorises with a vectoriser fitted on
 *              the same documents.
 * Each stage repeats until it has run for at least --seconds of this
 * thread's CPU time (or exactly --passes times, for callgrind and perf:
 * a pass's instruction count is the same on any machine, however busy). CPU
 * time, not wall time, because the machine is shared: the figure is what one
 * core does when it has the core. Prints "name<TAB>value<TAB>unit" lines
 * (scripts/bench's table format); MB are 10^6 bytes of input document.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "text/normalize.h"
#include "text/segment.h"
#include "text/tokenize.h"
#include "text/vectorize.h"

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
    rk_tok_t *tok;
    rk_vec_t *vec;
    rk_vec_ctx_t *vctx;
    size_t sink; /* results folded in so no stage can be optimised away */
    const char *suffix; /* after each figure's name (--name) */
    char errstr[512];
} bench_t;

/* What a stage does to one paragraph after segmenting; 0 on success. */
typedef int (*stage_fn)(bench_t *b, const rk_seg_para_t *p);

static int normalize_para(bench_t *b, const rk_seg_para_t *p) {
    const char *out;
    size_t out_len;
    if (rk_norm_valid_text(b->norm, &b->nopts, p->text, p->text_len, &out,
                           &out_len, b->errstr, sizeof b->errstr))
        return -1;
    b->sink += out_len;
    return 0;
}

static int tokenize_para(bench_t *b, const rk_seg_para_t *p) {
    const rk_tok_word_t *words;
    size_t n;
    if (normalize_para(b, p) ||
        rk_tok_words(b->tok, b->norm, &words, &n, b->errstr, sizeof b->errstr))
        return -1;
    b->sink += n;
    return 0;
}

/* The whole pipeline: rk_vec_transform_valid normalises and splits words
 * itself. */
static int vectorize_para(bench_t *b, const rk_seg_para_t *p) {
    const struct svm_node *nodes;
    int n;
    if (rk_vec_transform_valid(b->vec, b->vctx, p->text, p->text_len, p->lang,
                               &nodes, &n, b->errstr, sizeof b->errstr))
        return -1;
    b->sink += (size_t)n;
    return 0;
}

/* Segments every document and runs stage (NULL: segmenting only) on each
 * paragraph, over and over until min_seconds of CPU time have passed;
 * prints the throughput. Returns 0 on success. Never inlined, so that
 * `valgrind --tool=callgrind --toggle-collect=run_stage` counts only the
 * timed work (instruction counts are stable on a shared machine; times
 * are not). */
__attribute__((noinline)) static int run_stage(bench_t *b, const char *name,
                                               stage_fn stage,
                                               double min_seconds,
                                               size_t want_passes) {
    size_t passes = 0, paragraphs = 0;
    double t0 = bench_cpu_seconds(), t;
    do {
        for (size_t i = 0; i < b->ndocs; i++) {
            int bad = rk_seg_split(b->docs[i].bytes, b->docs[i].len, &b->paras,
                                   b->errstr, sizeof b->errstr);
            for (size_t k = 0; !bad && stage && k < b->paras.count; k++)
                bad = stage(b, &b->paras.items[k]);
            if (bad) {
                fprintf(stderr, "bench_pipeline: %s: document %zu: %s\n", name,
                        i, b->errstr);
                return -1;
            }
            paragraphs += b->paras.count;
        }
        passes++;
        t = bench_cpu_seconds() - t0;
    } while (want_passes ? passes < want_passes : t < min_seconds);
    printf("pipeline.%s%s\t%.1f\tMB/s\n", name, b->suffix,
           (double)b->total_bytes * (double)passes / 1e6 / t);
    printf("pipeline.%s%s_paragraphs\t%.0f\tparagraphs/s\n", name, b->suffix,
           (double)paragraphs / t);
    b->sink += paragraphs;
    fprintf(stderr, "%s: %zu passes over %zu bytes in %.2f s CPU\n", name,
            passes, b->total_bytes, t);
    return 0;
}

/* A vectoriser with default settings but for `settings` (NULL, or
 * "key=value,key=value": e.g. the shipped model's "hash_bits=14,stem=false"),
 * its IDF fitted on every paragraph of the documents, as a trained model's
 * would be. A paragraph's span in
 * its document normalises to the paragraph's text (the segmenter trims and
 * joins halves with one space; normalising collapses white space), so the
 * training texts can point into the documents. */
static int set_all(rk_vec_conf_t *conf, const char *settings, char *errstr,
                   size_t n) {
    char *copy = settings ? strdup(settings) : NULL, *save = NULL;
    int bad = settings && !copy;
    for (char *kv = copy ? strtok_r(copy, ",", &save) : NULL; kv && !bad;
         kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) {
            snprintf(errstr, n, "--settings: %s is not key=value", kv);
            bad = 1;
            break;
        }
        *eq = '\0';
        bad = rk_vec_conf_set(conf, kv, eq + 1, errstr, n) != RK_OK;
    }
    free(copy);
    return bad;
}

static int make_vectoriser(bench_t *b, const char *settings) {
    rk_vec_conf_t *conf = rk_vec_conf_new();
    int bad = !conf || set_all(conf, settings, b->errstr, sizeof b->errstr) ||
              rk_vec_new(conf, &b->vec, b->errstr, sizeof b->errstr);
    rk_vec_conf_destroy(conf);
    rk_seg_list_t list = {0};
    size_t n = 0, cap = 0;
    const char **texts = NULL, **langs = NULL;
    size_t *lens = NULL;
    for (size_t i = 0; !bad && i < b->ndocs; i++) {
        bad = rk_seg_split(b->docs[i].bytes, b->docs[i].len, &list, b->errstr,
                           sizeof b->errstr) != RK_OK;
        if (!bad && n + list.count > cap) {
            cap = (n + list.count) * 2;
            const char **t = realloc(texts, cap * sizeof *t);
            texts = t ? t : texts;
            const char **l = realloc(langs, cap * sizeof *l);
            langs = l ? l : langs;
            size_t *z = realloc(lens, cap * sizeof *z);
            lens = z ? z : lens;
            bad = !t || !l || !z;
        }
        for (size_t k = 0; !bad && k < list.count; k++, n++) {
            texts[n] = b->docs[i].bytes + list.items[k].start;
            lens[n] = list.items[k].end - list.items[k].start;
            langs[n] = list.items[k].lang;
        }
    }
    if (!bad)
        bad = rk_vec_fit(b->vec, texts, lens, langs, n, b->errstr,
                         sizeof b->errstr) != RK_OK;
    if (!bad && !(b->vctx = rk_vec_ctx_new())) {
        snprintf(b->errstr, sizeof b->errstr, "out of memory");
        bad = 1;
    }
    rk_seg_list_free(&list);
    free(texts);
    free(langs);
    free(lens);
    return bad ? -1 : 0;
}

static const char *usage =
    "usage: bench_pipeline [--seconds S | --passes N] [--stage NAME] "
    "[--settings k=v,...] [--name SUFFIX] FILE...\n"
    "stages: segment, normalize, tokenize, vectorize\n";

int main(int argc, char **argv) {
    static const struct {
        const char *name;
        stage_fn fn;
    } stages[] = {{"segment", NULL},
                  {"normalize", normalize_para},
                  {"tokenize", tokenize_para},
                  {"vectorize", vectorize_para}};
    static const char *const names[] = {"seconds", "stage", "passes",
                                        "settings", "name"};
    const char *v[5] = {"2", NULL, "0", NULL, ""};
    int argi = bench_parse_opts(argc, argv, names, v, 5);
    if (argi < 0 || argi >= argc) {
        fputs(usage, stderr);
        return 2;
    }
    double seconds = atof(v[0]);
    const char *only = v[1];
    size_t passes = (size_t)strtoul(v[2], NULL, 10);

    bench_t b = {0};
    b.suffix = v[4];
    b.nopts = rk_norm_opts_default();
    b.ndocs = (size_t)(argc - argi);
    b.docs = calloc(b.ndocs, sizeof *b.docs);
    int status = b.docs ? 0 : 1;
    for (size_t i = 0; !status && i < b.ndocs; i++) {
        b.docs[i].bytes = bench_read_file(argv[argi + (int)i], &b.docs[i].len);
        if (!b.docs[i].bytes) {
            fprintf(stderr, "bench_pipeline: cannot read %s\n",
                    argv[argi + (int)i]);
            status = 1;
        }
        b.total_bytes += b.docs[i].len;
    }
    if (!status && (rk_norm_new(&b.norm, b.errstr, sizeof b.errstr) ||
                    rk_tok_new(&b.tok, b.errstr, sizeof b.errstr) ||
                    make_vectoriser(&b, v[3]))) {
        fprintf(stderr, "bench_pipeline: %s\n", b.errstr);
        status = 1;
    }
    int ran = 0;
    for (size_t s = 0; !status && s < sizeof stages / sizeof *stages; s++) {
        if (only && strcmp(only, stages[s].name))
            continue;
        ran = 1;
        if (run_stage(&b, stages[s].name, stages[s].fn, seconds, passes))
            status = 1;
    }
    if (!status && !ran) {
        fprintf(stderr, "bench_pipeline: no stage named %s\n%s", only, usage);
        status = 2;
    }
    fprintf(stderr, "(checksum %zu)\n", b.sink);
    rk_norm_destroy(b.norm);
    rk_tok_destroy(b.tok);
    rk_vec_ctx_destroy(b.vctx);
    rk_vec_destroy(b.vec);
    rk_seg_list_free(&b.paras);
    for (size_t i = 0; i < b.ndocs; i++)
        free(b.docs[i].bytes);
    free(b.docs);
    return status;
}
