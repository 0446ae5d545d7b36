/*
 * cmd_eval.c - `rakiza eval`: a model scored on labelled samples, as the
 * contract's JSON object (--json) or a table for people.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/limits.h"
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
    "              confusion, per_lang, n\n";

static void print_table(json_t *r) {
    json_t *pc = json_object_get(r, "per_class"),
           *conf = json_object_get(r, "confusion");
    const char *label;
    json_t *v;
    printf("%-14s %9s %9s %9s %8s\n", "label", "precision", "recall", "f1",
           "support");
    json_object_foreach(pc, label, v) {
        printf("%-14s %9.3f %9.3f %9.3f %8lld\n", label,
               json_real_value(json_object_get(v, "precision")),
               json_real_value(json_object_get(v, "recall")),
               json_real_value(json_object_get(v, "f1")),
               (long long)json_integer_value(json_object_get(v, "support")));
    }
    printf("\nmacro-F1 %.3f   accuracy %.3f   n %lld\n",
           json_real_value(json_object_get(r, "macro_f1")),
           json_real_value(json_object_get(r, "accuracy")),
           (long long)json_integer_value(json_object_get(r, "n")));
    json_object_foreach(json_object_get(r, "per_lang"), label, v) {
        printf("  %-4s macro-F1 %.3f (n %lld)\n", label,
               json_real_value(json_object_get(v, "macro_f1")),
               (long long)json_integer_value(json_object_get(v, "n")));
    }
    printf("\nconfusion (rows: true label, columns: predicted; null = "
           "abstained)\n%-14s",
           "");
    json_object_foreach(pc, label, v) {
        printf(" %12.12s", label);
    }
    printf(" %12s\n", "null");
    json_object_foreach(pc, label, v) {
        json_t *row = json_object_get(conf, label);
        if (!row)
            continue;
        printf("%-14s", label);
        const char *pred;
        json_t *pv;
        json_object_foreach(pc, pred, pv) {
            printf(" %12lld",
                   (long long)json_integer_value(json_object_get(row, pred)));
        }
        printf(" %12lld\n",
               (long long)json_integer_value(json_object_get(row, "null")));
    }
}

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
    const rk_pred_t *pred = rk_model_pred(m);
    rk_vec_ctx_t *ctx = rk_vec_ctx_new();
    rk_eval_t *ev = rk_eval_new();
    double probs[RK_MAX_LABELS];
    for (size_t i = 0; i < data.count && !status; i++) {
        const rk_sample_t *s = &data.items[i];
        const struct svm_node *x;
        int n, top;
        rk_err_t err =
            rk_vec_transform(rk_model_vec(m), ctx, s->text, s->text_len,
                             s->lang, &x, &n, errstr, sizeof errstr);
        if (err) {
            char msg[1200];
            snprintf(msg, sizeof msg, "%s: %s", s->source, errstr);
            status = rk_cli_fail("eval", err, msg);
            break;
        }
        rk_pred_score(pred, x, probs, &top);
        rk_eval_add(ev, s->label, top >= 0 ? rk_pred_label(pred, top) : NULL,
                    s->lang);
        rk_cli_progress("eval", i + 1, data.count);
    }
    if (!status) {
        json_t *r = rk_eval_json(ev);
        if (as_json) {
            json_dumpf(r, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
            fputc('\n', stdout);
        } else {
            print_table(r);
        }
        json_decref(r);
    }
    rk_eval_destroy(ev);
    rk_vec_ctx_destroy(ctx);
    rk_model_destroy(m);
    rk_labelled_free(&data);
    return status;
}
