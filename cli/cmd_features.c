/*
 * cmd_features.c - `rakiza features`: the vector the model scores for each
 * paragraph, in libsvm's sparse format ("0 idx:val ...", ascending idx),
 * so libsvm's own tools can score rakiza's input.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "core/file.h"
#include "models/model.h"
#include "text/segment.h"

static const char *help =
    "usage: rakiza features [--model M] [FILE...|-]\n\n"
    "Segments each input (default: stdin) and prints one line per paragraph\n"
    "in libsvm's sparse format: the label placeholder 0, then idx:val pairs\n"
    "in ascending idx - exactly the vector the model scores.\n\n"
    "  --model M   the model bundle (default: the shipped default model)\n";

static int features_one(const char *path, const rk_model_t *m,
                        rk_vec_ctx_t *ctx, rk_seg_list_t *paras) {
    char errstr[512], *doc = NULL;
    size_t len = 0;
    rk_err_t err = rk_file_read(path, RK_FILE_MAX_INPUT, &doc, &len, errstr,
                                sizeof errstr);
    if (!err)
        err = rk_seg_split(doc, len, paras, errstr, sizeof errstr);
    for (size_t i = 0; !err && i < paras->count; i++) {
        const struct svm_node *x;
        int n;
        err = rk_vec_transform(rk_model_vec(m), ctx, paras->items[i].text,
                               paras->items[i].text_len, paras->items[i].lang,
                               &x, &n, errstr, sizeof errstr);
        if (err)
            break;
        fputc('0', stdout);
        for (int k = 0; k < n; k++)
            printf(" %d:%.17g", x[k].index, x[k].value);
        fputc('\n', stdout);
    }
    free(doc);
    if (err) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s: %s", path, errstr);
        return rk_cli_fail("features", err, msg);
    }
    return RK_EXIT_OK;
}

int rk_cmd_features(int argc, char **argv) {
    static const struct option opts[] = {
        {"model", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *model_path = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "m:h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': model_path = optarg; break;
        case 'h': fputs(help, stdout); return RK_EXIT_OK;
        default: return rk_cli_usage_error("features", "bad option");
        }
    }
    rk_model_t *m = NULL;
    int status = rk_cli_load_model("features", model_path, &m);
    if (status)
        return status;
    rk_vec_ctx_t *ctx = rk_vec_ctx_new();
    rk_seg_list_t paras = {0};
    if (optind == argc)
        status = features_one("-", m, ctx, &paras);
    for (int i = optind; i < argc && !status; i++)
        status = features_one(argv[i], m, ctx, &paras);
    rk_seg_list_free(&paras);
    rk_vec_ctx_destroy(ctx);
    rk_model_destroy(m);
    return status;
}
