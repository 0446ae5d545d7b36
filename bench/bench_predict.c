/*
 * bench_predict.c - how fast a model classifies paragraphs on one core,
 * on its fast linear path and through libsvm.
 *
 * Loads a model (default: the shipped one) and the documents named on the
 * command line (the seeds), segments them and keeps every paragraph. Then
 * times, each until it has run for at least --seconds of this thread's
 * CPU time (bench_util.h says why CPU time):
 *   fast, libsvm         prediction only: rk_pred_score_with on vectors
 *                        computed once beforehand, on the collapsed-linear
 *                        path and through svm_predict_probability;
 *   e2e_fast, e2e_libsvm end to end per paragraph: rk_vec_transform_valid
 *                        (normalise, tokenise, vectorise; the paragraphs
 *                        come from the segmenter, which has checked their
 *                        UTF-8, as in classify/pipeline.c), then predict.
 * Segmenting is outside every timed stage (bench_pipeline times it);
 * --stage NAME runs one stage only (for perf). Before timing, both paths
 * must agree on every paragraph's label, or the comparison would be of two
 * different classifiers.
 *
 * Prints "name<TAB>value<TAB>unit" lines (scripts/bench's table format).
 * MB are 10^6 bytes of paragraph text (the segmenter's text, UTF-8), the
 * same bytes --paragraphs writes one per line for other tools to read.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "core/grow.h"
#include "models/model.h"
#include "text/segment.h"

typedef struct para_s {
    char *text;
    size_t len;
    const char *lang;
    size_t node0; /* its vector: nodes[node0 ...], ending with index -1 */
} para_t;

typedef struct bench_s {
    rk_model_t *model;
    rk_vec_ctx_t *vctx;
    para_t *paras;
    size_t npara, cap, text_bytes;
    struct svm_node *nodes;
    size_t nnodes, nodes_cap;
    double sink; /* results folded in so no stage can be optimised away */
    char errstr[512];
} bench_t;

static int add_para(bench_t *b, const rk_seg_para_t *p) {
    if (b->npara == b->cap &&
        !rk_grow(&b->paras, &b->cap, b->npara + 1, sizeof *b->paras, 1024))
        return -1;
    char *text = malloc(p->text_len + 1);
    if (!text)
        return -1;
    memcpy(text, p->text, p->text_len + 1);
    b->paras[b->npara++] = (para_t){text, p->text_len, p->lang, 0};
    b->text_bytes += p->text_len;
    // cppcheck-suppress memleak ; b->paras holds text (stored above)
    return 0;
}

/* Every paragraph of every document, in order. */
static int load_paragraphs(bench_t *b, char **paths, int n) {
    rk_seg_list_t list = {0};
    int bad = 0;
    for (int i = 0; !bad && i < n; i++) {
        size_t len;
        char *doc = bench_read_file(paths[i], &len);
        if (!doc) {
            snprintf(b->errstr, sizeof b->errstr, "cannot read %s", paths[i]);
            bad = 1;
        } else if (rk_seg_split(doc, len, &list, b->errstr, sizeof b->errstr)) {
            size_t used = strlen(b->errstr);
            snprintf(b->errstr + used, sizeof b->errstr - used, " (%s)",
                     paths[i]);
            bad = 1;
        }
        for (size_t k = 0; !bad && k < list.count; k++)
            if (add_para(b, &list.items[k])) {
                snprintf(b->errstr, sizeof b->errstr, "out of memory");
                bad = 1;
            }
        free(doc);
    }
    rk_seg_list_free(&list);
    return bad ? -1 : 0;
}

/* Vectorises every paragraph once into b->nodes, for the prediction-only
 * stages. */
static int vectorise_all(bench_t *b) {
    for (size_t i = 0; i < b->npara; i++) {
        const struct svm_node *x;
        int n;
        if (rk_vec_transform(rk_model_vec(b->model), b->vctx, b->paras[i].text,
                             b->paras[i].len, b->paras[i].lang, &x, &n,
                             b->errstr, sizeof b->errstr))
            return -1;
        size_t need = b->nnodes + (size_t)n + 1;
        if (need > b->nodes_cap) {
            size_t cap = need * 2;
            struct svm_node *nodes = realloc(b->nodes, cap * sizeof *nodes);
            if (!nodes) {
                snprintf(b->errstr, sizeof b->errstr, "out of memory");
                return -1;
            }
            b->nodes = nodes;
            b->nodes_cap = cap;
        }
        b->paras[i].node0 = b->nnodes;
        memcpy(b->nodes + b->nnodes, x, ((size_t)n + 1) * sizeof *x);
        b->nnodes = need;
    }
    return 0;
}

/* Both paths must give every paragraph the same label (and probabilities
 * within the 1e-6 tests/test_predict.c holds them to). */
static int check_paths_agree(bench_t *b) {
    const rk_pred_t *pred = rk_model_pred(b->model);
    if (!rk_pred_is_fast(pred)) {
        snprintf(b->errstr, sizeof b->errstr,
                 "the model is not linear, so it has no fast path to time");
        return -1;
    }
    double worst = 0;
    for (size_t i = 0; i < b->npara; i++) {
        double pf[64], ps[64];
        int tf, ts;
        const struct svm_node *x = b->nodes + b->paras[i].node0;
        int bf = rk_pred_score_with(pred, x, 0, pf, &tf);
        int bs = rk_pred_score_with(pred, x, 1, ps, &ts);
        for (int c = 0; c < rk_pred_nlabels(pred); c++)
            worst = fmax(worst, fabs(pf[c] - ps[c]));
        if (bf != bs || tf != ts || worst > 1e-6) {
            snprintf(b->errstr, sizeof b->errstr,
                     "paragraph %zu: the fast path says %s (%d), libsvm %s "
                     "(%d), probabilities %g apart",
                     i, rk_pred_label(pred, bf), tf, rk_pred_label(pred, bs),
                     ts, worst);
            return -1;
        }
    }
    fprintf(stderr,
            "both paths agree on all %zu paragraphs (probabilities "
            "within %.1g)\n",
            b->npara, worst);
    return 0;
}

/* One pass over every paragraph. end_to_end: vectorise each from its text
 * first; otherwise score the vectors computed beforehand. */
static int run_pass(bench_t *b, int end_to_end, int use_libsvm) {
    const rk_pred_t *pred = rk_model_pred(b->model);
    for (size_t i = 0; i < b->npara; i++) {
        const para_t *p = &b->paras[i];
        const struct svm_node *x = b->nodes + p->node0;
        int n, top;
        double probs[64];
        if (end_to_end && rk_vec_transform_valid(
                              rk_model_vec(b->model), b->vctx, p->text, p->len,
                              p->lang, &x, &n, b->errstr, sizeof b->errstr))
            return -1;
        int best = rk_pred_score_with(pred, x, use_libsvm, probs, &top);
        b->sink += probs[best] + top;
    }
    return 0;
}

/* Runs passes until min_seconds of CPU time have passed; prints the
 * stage's rows and stores its paragraphs per second in *rate. Never
 * inlined, so `valgrind --tool=callgrind --toggle-collect=run_stage`
 * or perf can isolate the timed work. */
__attribute__((noinline)) static int run_stage(bench_t *b, const char *name,
                                               int end_to_end, int use_libsvm,
                                               double min_seconds,
                                               double *rate) {
    size_t passes = 0;
    double t0 = bench_cpu_seconds(), t;
    do {
        if (run_pass(b, end_to_end, use_libsvm))
            return -1;
        passes++;
        t = bench_cpu_seconds() - t0;
    } while (t < min_seconds || t <= 0);
    *rate = (double)b->npara * (double)passes / t;
    printf("predict.%s\t%.2f\tMB/s\n", name,
           (double)b->text_bytes * (double)passes / 1e6 / t);
    printf("predict.%s_paragraphs\t%.0f\tparagraphs/s\n", name, *rate);
    fprintf(stderr, "%s: %zu passes over %zu paragraphs in %.2f s CPU\n", name,
            passes, b->npara, t);
    return 0;
}

/* Writes every paragraph's text, one per line (line breaks inside a
 * paragraph, which the segmenter does not produce, become spaces). */
static int write_paragraphs(const bench_t *b, const char *path) {
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    for (size_t i = 0; i < b->npara; i++) {
        for (char *c = b->paras[i].text; *c; c++)
            if (*c == '\n' || *c == '\r')
                *c = ' ';
        fwrite(b->paras[i].text, 1, b->paras[i].len, f);
        fputc('\n', f);
    }
    return fclose(f) ? -1 : 0;
}

static const char *usage =
    "usage: bench_predict [--seconds S] [--model M] [--paragraphs OUT] "
    "[--stage NAME] FILE...\n"
    "stages: fast, libsvm (prediction only), e2e_fast, e2e_libsvm (end to "
    "end)\n";

int main(int argc, char **argv) {
    static const struct {
        const char *name;
        int end_to_end, use_libsvm;
    } stages[4] = {{"fast", 0, 0},
                   {"libsvm", 0, 1},
                   {"e2e_fast", 1, 0},
                   {"e2e_libsvm", 1, 1}};
    static const char *const names[] = {"seconds", "model", "paragraphs",
                                        "stage"};
    const char *v[4] = {"2", NULL, NULL, NULL};
    int argi = bench_parse_opts(argc, argv, names, v, 4);
    if (argi < 0 || argi >= argc) {
        fputs(usage, stderr);
        return 2;
    }
    double seconds = atof(v[0]);
    const char *model_path = v[1], *paras_out = v[2], *only = v[3];
    if (!model_path)
        model_path = rk_model_default_path();

    int known = !only;
    for (int s = 0; !known && s < 4; s++)
        known = !strcmp(only, stages[s].name);
    if (!known) {
        fprintf(stderr, "bench_predict: no stage named %s\n%s", only, usage);
        return 2;
    }

    bench_t b = {0};
    int status = 0;
    if (rk_model_load(model_path, &b.model, b.errstr, sizeof b.errstr) ||
        !(b.vctx = rk_vec_ctx_new()) ||
        load_paragraphs(&b, argv + argi, argc - argi) || vectorise_all(&b) ||
        check_paths_agree(&b)) {
        if (!b.vctx && b.model)
            snprintf(b.errstr, sizeof b.errstr, "out of memory");
        fprintf(stderr, "bench_predict: %s\n", b.errstr);
        status = 1;
    }
    if (!status && b.npara == 0) {
        fprintf(stderr, "bench_predict: the documents hold no paragraphs\n");
        status = 1;
    }
    if (!status && paras_out && write_paragraphs(&b, paras_out)) {
        fprintf(stderr, "bench_predict: cannot write %s\n", paras_out);
        status = 1;
    }
    if (!status)
        fprintf(stderr,
                "%zu paragraphs, %zu bytes of text, %.1f features "
                "per paragraph\n",
                b.npara, b.text_bytes,
                (double)(b.nnodes - b.npara) / (double)b.npara);
    double rate[4] = {0};
    int ran = 0;
    for (int s = 0; !status && s < 4; s++) {
        if (only && strcmp(only, stages[s].name))
            continue;
        ran++;
        if (run_stage(&b, stages[s].name, stages[s].end_to_end,
                      stages[s].use_libsvm, seconds, &rate[s])) {
            fprintf(stderr, "bench_predict: %s\n", b.errstr);
            status = 1;
        }
    }
    if (!status && ran == 4) {
        printf("predict.speedup_fast_vs_libsvm\t%.1f\tx\n", rate[0] / rate[1]);
        printf("predict.e2e_speedup_fast_vs_libsvm\t%.2f\tx\n",
               rate[2] / rate[3]);
    }
    fprintf(stderr, "(checksum %.3f)\n", b.sink);
    for (size_t i = 0; i < b.npara; i++)
        free(b.paras[i].text);
    free(b.paras);
    free(b.nodes);
    rk_vec_ctx_destroy(b.vctx);
    rk_model_destroy(b.model);
    return status;
}
