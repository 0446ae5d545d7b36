/*
 * cmd_train.c - `rakiza train`: labelled samples in, a model bundle out,
 * with its cross-validation scores reported on stderr.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "models/train.h"

static const char *help =
    "usage: rakiza train --data F [--data F2 ...] --out M.rkz [--folds K]\n"
    "                    [--seed N] [--kernel linear|rbf] [--C c]\n"
    "                    [--gamma g] [--grid] [--scheme ovo|ovr]\n"
    "                    [--max-abstain F] [--class-weights BOOL]\n"
    "                    [--threads N] [--cv-out FILE] [-V key=value ...]\n\n"
    "Trains a libsvm model on labelled samples (JSON Lines {\"text\",\n"
    "\"label\", \"group\"?, ...} or TSV label<TAB>text, told apart by\n"
    "content) and writes a model bundle. K-fold cross-validation grouped by\n"
    "source (no document, resolution or web page on both sides of a split;\n"
    "a record's \"group\", else its \"source\" up to '@', a TSV file one\n"
    "group) gives the headline scores, paragraph-level stratified folds the\n"
    "figures beside them; the IDF is fitted on training folds only. --grid\n"
    "picks C (and gamma for rbf) by grouped CV macro-F1; class weights\n"
    "balance the labels. Probabilities come from sigmoids fitted on the\n"
    "grouped CV's held-out decision values; the abstention threshold is the\n"
    "best grouped-CV macro-F1 among those abstaining on at most\n"
    "--max-abstain of the paragraphs. The summary on stderr gives both CVs\n"
    "per language, the groups per language, coverage and a risk-coverage\n"
    "table.\n\n"
    "  --data F        labelled samples (repeatable)\n"
    "  --out M.rkz     where to write the bundle\n"
    "  --folds K       cross-validation folds (default 5)\n"
    "  --seed N        seed for folds and libsvm (default 1); same seed, same\n"
    "                  model (set SOURCE_DATE_EPOCH for a byte-identical "
    "file)\n"
    "  --kernel K      linear (default) or rbf\n"
    "  --C c           libsvm's C when --grid is off (default 1)\n"
    "  --gamma g       rbf gamma when --grid is off (default 1/features)\n"
    "  --grid          search C in 0.1..30 (and gamma in 0.1..3 for rbf)\n"
    "  --scheme S      ovo (default: libsvm's pairwise models) or ovr (a\n"
    "                  binary model and sigmoid per label)\n"
    "  --max-abstain F largest share of paragraphs the model may abstain\n"
    "                  on in grouped CV (default 0.1)\n"
    "  --class-weights BOOL  weight classes inversely to their size\n"
    "                  (default true)\n"
    "  --threads N     training threads (default 0: every online CPU)\n"
    "  --cv-out FILE   write the grouped CV, one line per sample in input\n"
    "                  order: index<TAB>group<TAB>fold<TAB>lang<TAB>label\n"
    "                  <TAB>held-out prediction at the threshold (empty:\n"
    "                  abstained), to share the folds with other tools\n"
    "  -V key=value    a vectoriser setting (`rakiza config` lists them)\n";

static double num(json_t *o, const char *key) {
    return json_number_value(json_object_get(o, key));
}

/* "ar 0.701 (n 1084, 247 groups), en ..." for a CV's per-language scores;
 * groups from the grouped CV's "groups" when given. */
static void print_langs(json_t *cv, json_t *groups) {
    const char *lang, *sep = ": ";
    json_t *v;
    json_object_foreach(json_object_get(cv, "per_lang"), lang, v) {
        fprintf(stderr, "%s%s %.3f", sep, lang, num(v, "macro_f1"));
        json_t *g = json_object_get(json_object_get(groups, "per_lang"), lang);
        if (g)
            fprintf(
                stderr, " (n %lld, %lld groups)",
                (long long)json_integer_value(json_object_get(v, "n")),
                (long long)json_integer_value(json_object_get(g, "groups")));
        sep = ", ";
    }
    fputc('\n', stderr);
}

/* Languages whose samples sit in few groups: the largest group holds
 * more than a fold's share of them, so their grouped figure rests on few
 * documents. */
static void print_group_notes(json_t *groups, int folds) {
    const char *lang;
    json_t *g;
    json_object_foreach(json_object_get(groups, "per_lang"), lang, g) {
        json_t *largest = json_object_get(g, "largest");
        double n = num(g, "n"), top = num(largest, "n");
        if (n > 0 && top / n > 1.0 / folds)
            fprintf(stderr,
                    "  note: %s sits in few groups: %.0f of its %.0f samples "
                    "(%.0f%%) are one group, %s, which one fold holds out "
                    "whole\n",
                    lang, top, n, 100 * top / n,
                    json_string_value(json_object_get(largest, "group")));
    }
}

/* The summary on stderr: both cross-validations per language, the
 * threshold and coverage, the risk-coverage table, and the groups. */
static void print_summary(const rk_model_t *model, size_t n, const char *out) {
    json_t *meta = rk_model_meta(model), *cv = json_object_get(meta, "cv"),
           *para = json_object_get(meta, "cv_paragraph"),
           *groups = json_object_get(cv, "groups"),
           *cov = json_object_get(cv, "coverage");
    int folds = (int)json_integer_value(json_object_get(cv, "folds"));
    const rk_pred_t *pred = rk_model_pred(model);
    fprintf(stderr,
            "rakiza train: %zu samples, %d labels, %lld groups; %s, %s, "
            "C=%g; model %s written to %s\n",
            n, rk_pred_nlabels(pred),
            (long long)json_integer_value(json_object_get(groups, "n")),
            json_string_value(json_object_get(meta, "scheme")),
            json_string_value(json_object_get(meta, "kernel")), num(meta, "C"),
            rk_model_id(model), out);
    fprintf(stderr, "  %s %d-fold CV macro-F1 %.3f (accuracy %.3f)",
            json_string_value(json_object_get(cv, "kind")), folds,
            num(cv, "macro_f1"), num(cv, "accuracy"));
    print_langs(cv, groups);
    if (json_object_get(cv, "note"))
        fprintf(stderr, "  (%s)\n",
                json_string_value(json_object_get(cv, "note")));
    if (para) {
        fprintf(stderr,
                "  paragraph-level %d-fold CV macro-F1 %.3f (accuracy "
                "%.3f)",
                folds, num(para, "macro_f1"), num(para, "accuracy"));
        print_langs(para, NULL);
    }
    fprintf(stderr,
            "  threshold %.2f: abstains on %.1f%% in CV (at most %.1f%% "
            "allowed); accuracy %.3f, macro-F1 %.3f on the %.1f%% labelled\n",
            rk_pred_threshold(pred), 100 * (1 - num(cov, "rate")),
            100 * num(cv, "max_abstain"), num(cov, "accuracy"),
            num(cov, "macro_f1"), 100 * num(cov, "rate"));
    fprintf(stderr, "  risk-coverage (CV; the surest paragraphs first, each "
                    "given its top label)\n    coverage  accuracy  macro-F1\n");
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(cv, "risk_coverage"), i, row) {
        fprintf(stderr, "    %7.0f%% %9.3f %9.3f\n", 100 * num(row, "coverage"),
                num(row, "accuracy"), num(row, "macro_f1"));
    }
    print_group_notes(groups, folds);
}

int rk_cmd_train(int argc, char **argv) {
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"out", required_argument, NULL, 'o'},
        {"folds", required_argument, NULL, 'k'},
        {"seed", required_argument, NULL, 's'},
        {"kernel", required_argument, NULL, 'K'},
        {"C", required_argument, NULL, 'C'},
        {"gamma", required_argument, NULL, 'g'},
        {"grid", no_argument, NULL, 'G'},
        {"scheme", required_argument, NULL, 'S'},
        {"max-abstain", required_argument, NULL, 'A'},
        {"class-weights", required_argument, NULL, 'W'},
        {"threads", required_argument, NULL, 'T'},
        {"cv-out", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    rk_train_conf_t conf = rk_train_conf_default();
    rk_vec_conf_t *vconf = rk_vec_conf_new();
    rk_sample_set_t data = {0};
    const char *out = NULL, *cv_out = NULL;
    char errstr[1024];
    int status = RK_EXIT_OK, c, ndata = 0, li = -1;
    if (!vconf)
        status = rk_cli_fail("train", RK_ERR_NOMEM, "out of memory");
    while (!status && (c = getopt_long(argc, argv, "V:h", opts, &li)) != -1) {
        const char *key = NULL, *value = optarg;
        rk_err_t err = RK_OK;
        switch (c) {
        case 'd':
            ndata++;
            err = rk_labelled_load(optarg, &data, errstr, sizeof errstr);
            break;
        case 'o': out = optarg; break;
        case 'c': cv_out = optarg; break;
        case 'k': key = "train.folds"; break;
        case 's': key = "train.seed"; break;
        case 'K': key = "train.kernel"; break;
        case 'C': key = "train.c"; break;
        case 'g': key = "train.gamma"; break;
        case 'G': key = "train.grid", value = "true"; break;
        case 'S': key = "train.scheme"; break;
        case 'A': key = "train.max_abstain"; break;
        case 'W': key = "train.class_weights"; break;
        case 'T': key = "train.threads"; break;
        case 'V': {
            char *eq = strchr(optarg, '=');
            if (!eq) {
                status = rk_cli_usage_error("train", "-V takes key=value");
                break;
            }
            *eq = '\0';
            err = rk_vec_conf_set(vconf, optarg, eq + 1, errstr, sizeof errstr);
            break;
        }
        case 'h':
            fputs(help, stdout);
            rk_vec_conf_destroy(vconf);
            rk_labelled_free(&data);
            return RK_EXIT_OK;
        default: status = rk_cli_usage_error("train", "bad option");
        }
        if (!err && key) {
            char inner[512];
            err = rk_train_conf_set(&conf, key, value, inner, sizeof inner);
            if (err) /* name the flag the user typed, then the setting */
                snprintf(errstr, sizeof errstr, "--%s: %s", opts[li].name,
                         inner);
        }
        if (err)
            status = rk_cli_fail("train", err, errstr);
        li = -1;
    }
    if (!status && (!ndata || !out))
        status = rk_cli_usage_error("train", "--data and --out are required");
    if (!status && optind < argc)
        status = rk_cli_usage_error("train", "unexpected argument '%s'",
                                    argv[optind]);
    rk_model_t *model = NULL;
    FILE *cvf = NULL;
    if (!status && cv_out && !(cvf = fopen(cv_out, "w"))) {
        snprintf(errstr, sizeof errstr, "cannot open %s", cv_out);
        status = rk_cli_fail("train", RK_ERR_IO, errstr);
    }
    if (!status) {
        conf.vec = vconf;
        conf.cv_out = cvf;
        conf.progress = rk_cli_progress;
        conf.opaque = "train";
        rk_err_t err = rk_train(&data, &conf, &model, errstr, sizeof errstr);
        if (!err)
            err = rk_model_save(model, out, errstr, sizeof errstr);
        if (err)
            status = rk_cli_fail("train", err, errstr);
    }
    if (cvf && fclose(cvf) && !status) {
        snprintf(errstr, sizeof errstr, "cannot write %s", cv_out);
        status = rk_cli_fail("train", RK_ERR_IO, errstr);
    }
    if (!status)
        print_summary(model, data.count, out);
    rk_model_destroy(model);
    rk_vec_conf_destroy(vconf);
    rk_labelled_free(&data);
    return status;
}
