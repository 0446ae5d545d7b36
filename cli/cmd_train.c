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
    "                    [--gamma g] [--grid] [-V key=value ...]\n\n"
    "Trains a libsvm model on labelled samples (JSON Lines {\"text\",\n"
    "\"label\", ...} or TSV label<TAB>text, told apart by content) and\n"
    "writes a model bundle. Stratified K-fold cross-validation (IDF fitted\n"
    "on training folds only) scores it; --grid picks C (and gamma for rbf)\n"
    "by cross-validated macro-F1; class weights balance the labels; the\n"
    "abstention threshold is chosen from the cross-validated probabilities.\n\n"
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
    "  -V key=value    a vectoriser setting (`rakiza config` lists them)\n";

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
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    rk_train_conf_t conf = rk_train_conf_default();
    rk_vec_conf_t *vconf = rk_vec_conf_new();
    rk_sample_set_t data = {0};
    const char *out = NULL;
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
        case 'k': key = "train.folds"; break;
        case 's': key = "train.seed"; break;
        case 'K': key = "train.kernel"; break;
        case 'C': key = "train.c"; break;
        case 'g': key = "train.gamma"; break;
        case 'G': key = "train.grid", value = "true"; break;
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
    if (!status) {
        conf.vec = vconf;
        conf.progress = rk_cli_progress;
        conf.opaque = "train";
        rk_err_t err = rk_train(&data, &conf, &model, errstr, sizeof errstr);
        if (!err)
            err = rk_model_save(model, out, errstr, sizeof errstr);
        if (err)
            status = rk_cli_fail("train", err, errstr);
    }
    if (!status) {
        json_t *meta = rk_model_meta(model), *cv = json_object_get(meta, "cv");
        json_t *langs = json_object_get(cv, "per_lang");
        fprintf(stderr,
                "rakiza train: %zu samples, %d labels, %d-fold CV macro-F1 "
                "%.3f (accuracy %.3f)",
                data.count, rk_pred_nlabels(rk_model_pred(model)), conf.folds,
                json_real_value(json_object_get(cv, "macro_f1")),
                json_real_value(json_object_get(cv, "accuracy")));
        const char *lang;
        json_t *v;
        json_object_foreach(langs, lang, v) {
            fprintf(stderr, ", %s %.3f", lang,
                    json_real_value(json_object_get(v, "macro_f1")));
        }
        fprintf(stderr, "; C=%g threshold=%.2f; model %s written to %s\n",
                json_real_value(json_object_get(meta, "C")),
                rk_pred_threshold(rk_model_pred(model)), rk_model_id(model),
                out);
    }
    rk_model_destroy(model);
    rk_vec_conf_destroy(vconf);
    rk_labelled_free(&data);
    return status;
}
