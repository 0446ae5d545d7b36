/*
 * cmd_model.c - `rakiza model info M` (the bundle's metadata as JSON) and
 * `rakiza model export --libsvm OUT M` (its libsvm model, in libsvm's own
 * text format, for svm-predict and friends).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "models/model.h"

static const char *help =
    "usage: rakiza model info M\n"
    "       rakiza model export --libsvm OUT M\n\n"
    "info    prints the bundle's metadata as JSON: id, created, labels,\n"
    "        threshold, scheme, kernel, C, vectoriser settings, training\n"
    "        data (count, label counts, digest), cross-validation scores\n"
    "        (grouped in cv, paragraph-level in cv_paragraph)\n"
    "export  writes the classifier in libsvm's text format for svm-predict:\n"
    "        a one-vs-one model to OUT; a one-vs-rest model as one binary\n"
    "        model per label, OUT.<label> (with its sigmoid as probA/probB,\n"
    "        so svm-predict -b 1 prints the label's own probability), and\n"
    "        OUT.README saying how rakiza combines them; the files written\n"
    "        are listed on stdout\n";

int rk_cmd_model(int argc, char **argv) {
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(help, stdout);
        return RK_EXIT_OK;
    }
    int info = argc == 3 && !strcmp(argv[1], "info");
    int export =
        argc == 5 && !strcmp(argv[1], "export") && !strcmp(argv[2], "--libsvm");
    if (!info && !export)
        return rk_cli_usage_error(
            "model", "expected 'info M' or 'export --libsvm OUT M'");
    rk_model_t *m = NULL;
    int status = rk_cli_load_model("model", argv[argc - 1], &m);
    if (status)
        return status;
    if (info) {
        json_dumpf(rk_model_meta(m), stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
        fputc('\n', stdout);
    } else {
        char errstr[512], *written = NULL;
        rk_err_t err =
            rk_model_export_libsvm(m, argv[3], &written, errstr, sizeof errstr);
        if (err)
            status = rk_cli_fail("model", err, errstr);
        else
            fputs(written, stdout);
        free(written);
    }
    rk_model_destroy(m);
    return status;
}
