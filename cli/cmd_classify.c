/*
 * cmd_classify.c - `rakiza classify`: documents from files or stdin, one
 * record per paragraph and a summary per document (classify/pipeline.h),
 * as JSON Lines or an aligned table.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/pipeline.h"
#include "cli/cli.h"
#include "core/file.h"
#include "core/limits.h"
#include "core/utf8.h"
#include "ingest/envelope.h"

static const char *help =
    "usage: rakiza classify [--model M] [--format jsonl|table] [--explain K]\n"
    "                       [--no-text] [FILE...|-]\n\n"
    "Classifies each document (each FILE is one; stdin is one) paragraph by\n"
    "paragraph into the model's labels. JSON Lines output holds one\n"
    "\"paragraph\" record per paragraph (label, labels, scores, ...) and a\n"
    "\"document\" summary after each document's last paragraph; the\n"
    "document id is the file name (\"-\" for stdin). Files are read like\n"
    "Kafka messages: gzip is inflated, a {\"id\", \"text\"} JSON envelope is\n"
    "unwrapped; a bad file is reported with its error code (bad_utf8,\n"
    "too_large, ...) and the others are still classified (exit 1).\n\n"
    "  --model M        the model bundle (default: the shipped default model)\n"
    "  --format F       jsonl (default) or table (index, label, top score,\n"
    "                   first words)\n"
    "  --explain K      add the K terms that pushed each paragraph most\n"
    "                   toward its label\n"
    "  --no-text        leave the paragraph text out of the records\n";

/* The first ~50 bytes of text, cut at a UTF-8 boundary. */
static void print_start(const char *s, size_t max) {
    size_t n = strlen(s);
    if (n > max)
        n = rk_utf8_floor(s, 0, max);
    fwrite(s, 1, n, stdout);
    if (n < strlen(s))
        fputs("...", stdout);
}

/* The records of one document for people: a row per paragraph (index,
 * kind, label, top score, the text's start), then the counts. */
static void print_table(const rk_record_list_t *out, const rk_seg_list_t *paras,
                        const rk_model_t *m, const char *doc_id) {
    const rk_pred_t *pred = rk_model_pred(m);
    size_t counts[RK_MAX_LABELS] = {0}, abstained = 0;
    for (size_t i = 0; i < out->count && i < paras->count; i++) {
        const rk_record_t *r = &out->items[i];
        const rk_seg_para_t *p = &paras->items[i];
        if (r->label >= 0)
            counts[r->label]++;
        else
            abstained++;
        printf("%5zu  %-10s %-13s %5.2f  ", i, rk_seg_kind_name(p->kind),
               r->label >= 0 ? rk_pred_label(pred, r->label) : "(none)",
               r->score);
        print_start(p->text, 60);
        putchar('\n');
    }
    printf("%s: %zu paragraphs;", doc_id, paras->count);
    for (int l = 0; l < rk_pred_nlabels(pred); l++)
        printf(" %s %zu", rk_pred_label(pred, l), counts[l]);
    printf("; abstained %zu\n\n", abstained);
}

/* Each file is decoded like a Kafka message (ingest/envelope.h): gzip,
 * the size limits, strict UTF-8, and a JSON envelope when it starts with
 * '{'; the file name is the id of raw text. A bad file is reported with
 * the contract's error code and the next file is still classified. */
static int classify_one(const char *path, const rk_model_t *m,
                        const rk_pipeline_opts_t *opts, int table,
                        rk_pipeline_ctx_t *ctx, rk_record_list_t *out) {
    char errstr[512], msg[1024], *raw = NULL;
    size_t len = 0;
    rk_err_t err = rk_file_read(path, RK_FILE_MAX_INPUT, &raw, &len, errstr,
                                sizeof errstr);
    if (err) {
        snprintf(msg, sizeof msg, "%s: %s", path, errstr);
        return rk_cli_fail("classify", err, msg);
    }
    rk_env_limits_t limits;
    rk_env_limits_default(&limits);
    rk_env_msg_t env = {raw, len, path, strlen(path), NULL, 0, -1};
    rk_env_doc_t doc;
    rk_env_code_t code =
        rk_env_decode(&limits, &env, &doc, errstr, sizeof errstr);
    free(raw);
    if (code != RK_ENV_OK) {
        snprintf(msg, sizeof msg, "%s: %s: %s", path, rk_env_code_name(code),
                 errstr);
        return rk_cli_fail("classify", RK_ERR_DATA, msg);
    }
    rk_doc_t d = {doc.id, doc.text, doc.text_len, NULL, 0, 0};
    err = rk_pipeline_run(ctx, m, opts, &d, out, errstr, sizeof errstr);
    if (!err && table) {
        printf("%s\n%5s  %-10s %-13s %5s  %s\n", path, "#", "kind", "label",
               "score", "text");
        print_table(out, rk_pipeline_paragraphs(ctx), m, doc.id);
    }
    rk_env_doc_clear(&doc);
    if (err) {
        snprintf(msg, sizeof msg, "%s: internal: %s", path, errstr);
        return rk_cli_fail("classify", err, msg);
    }
    for (size_t i = 0; !table && i < out->count; i++) {
        fwrite(out->items[i].json, 1, out->items[i].len, stdout);
        fputc('\n', stdout);
    }
    return RK_EXIT_OK;
}

int rk_cmd_classify(int argc, char **argv) {
    static const struct option opts[] = {
        {"model", required_argument, NULL, 'm'},
        {"format", required_argument, NULL, 'f'},
        {"explain", required_argument, NULL, 'e'},
        {"no-text", no_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *model_path = NULL;
    rk_pipeline_opts_t po = {0, 1};
    int table = 0, c;
    while ((c = getopt_long(argc, argv, "m:h", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'm': model_path = optarg; break;
        case 'f':
            if (!strcmp(optarg, "table"))
                table = 1;
            else if (strcmp(optarg, "jsonl"))
                return rk_cli_usage_error(
                    "classify", "--format takes jsonl or table, not '%s'",
                    optarg);
            break;
        case 'e':
            po.explain = (int)strtol(optarg, &end, 10);
            if (*end || po.explain < 1 || po.explain > 100)
                return rk_cli_usage_error("classify", "--explain takes 1..100");
            break;
        case 'T': po.include_text = 0; break;
        case 'h': fputs(help, stdout); return RK_EXIT_OK;
        default: return rk_cli_usage_error("classify", "bad option");
        }
    }
    rk_model_t *m = NULL;
    int status = rk_cli_load_model("classify", model_path, &m);
    if (status)
        return status;
    rk_pipeline_ctx_t *ctx = rk_pipeline_ctx_new();
    rk_record_list_t out = {0};
    if (optind == argc)
        status = classify_one("-", m, &po, table, ctx, &out);
    for (int i = optind; i < argc; i++) {
        int one = classify_one(argv[i], m, &po, table, ctx, &out);
        if (one > status)
            status = one;
        rk_cli_progress("classify", (size_t)(i - optind + 1),
                        (size_t)(argc - optind));
    }
    rk_record_list_free(&out);
    rk_pipeline_ctx_destroy(ctx);
    rk_model_destroy(m);
    return status;
}
