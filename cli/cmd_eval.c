/*
 * cmd_eval.c - `rakiza eval`: a model scored on labelled samples, as the
 * contract's JSON object (--json) or a table for people.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "models/evaluate.h"
#include "models/labelled.h"
#include "models/model.h"

static const char *help =
    "usage: rakiza eval [--model M] --data F [--data F2 ...] [--json]\n\n"
    "Scores a model on labelled samples (each sample's text is one\n"
    "paragraph). A sample the model abstains on (label null) counts as\n"
    "wrong unless its true label is none. Macro-F1 is over the labels\n"
    "present in the data, none excluded.\n\n"
    "  --model M   the model bundle (default: the shipped default model)\n"
    "  --json      one JSON object: accuracy, macro_f1, per_class,\n"
    "              confusion, per_lang, n, and beside them coverage (the\n"
    "              share labelled; accuracy and macro-F1 on it) and\n"
    "              risk_coverage (accuracy and macro-F1 of the surest 100,\n"
    "              95, 90, 80 and 70% of the samples)\n";

int rk_cmd_eval(int argc, char **argv) {
    static const struct option opts[] = {
        {"model", required_argument, NULL, 'm'},
        {"data", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *model_path = NULL;
    int as_json = 0, status = RK_EXIT_OK, c, ndata = 0;
    rk_sample_set_t data = {0};
    char errstr[1024];
    while (!status && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': model_path = optarg; break;
        case 'd': {
            ndata++;
            rk_err_t err =
                rk_labelled_load(optarg, &data, errstr, sizeof errstr);
            if (err)
                status = rk_cli_fail("eval", err, errstr);
            break;
        }
        case 'j': as_json = 1; break;
        case 'h':
            fputs(help, stdout);
            rk_labelled_free(&data);
            return RK_EXIT_OK;
        default: status = rk_cli_usage_error("eval", "bad option");
        }
    }
    if (!status && !ndata)
        status = rk_cli_usage_error("eval", "--data is required");
    rk_model_t *m = NULL;
    if (!status)
        status = rk_cli_load_model("eval", model_path, &m);
    if (status) {
        rk_labelled_free(&data);
        return status;
    }
    rk_eval_t *ev = NULL;
    rk_err_t err = rk_eval_model(m, &data, rk_cli_progress, "eval", &ev, errstr,
                                 sizeof errstr);
    if (err) {
        status = rk_cli_fail("eval", err, errstr);
    } else if (as_json) {
        json_t *r = rk_eval_json(ev);
        json_dumpf(r, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(r);
    } else {
        rk_eval_write_table(ev, stdout);
    }
    rk_eval_destroy(ev);
    rk_model_destroy(m);
    rk_labelled_free(&data);
    return status;
}
