/*
 * main.c - `rakiza <command> [options]`: finds the subcommand and hands
 * over. Each command lives in its own cmd_*.c file.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/version.h"

static const struct {
    const char *name;
    rk_cmd_fn fn;
    const char *summary;
} commands[] = {
    {"normalize", rk_cmd_normalize,
     "print input lines normalised as the vectoriser sees them"},
    {"segment", rk_cmd_segment, "split documents into paragraphs (JSON Lines)"},
    {"features", rk_cmd_features,
     "print the vectors a model scores (libsvm format)"},
    {"run", rk_cmd_run,
     "the streaming service: Kafka in, classified paragraphs out"},
    {"classify", rk_cmd_classify, "classify documents paragraph by paragraph"},
    {"train", rk_cmd_train, "train a model bundle from labelled samples"},
    {"eval", rk_cmd_eval, "score a model on labelled samples"},
    {"model", rk_cmd_model, "model info M | model export --libsvm OUT M"},
    {"report", rk_cmd_report, "HTML pages from classify/run output"},
    {"review", rk_cmd_review,
     "label paragraphs in the browser, least certain first"},
    {"learn", rk_cmd_learn,
     "retrain from streamed labels; promote only a better model"},
    {"broker", rk_cmd_broker, "embedded development Kafka broker on 127.0.0.1"},
    {"config", rk_cmd_config, "list every setting: key, type, default, range"},
};

static void usage(FILE *out) {
    fprintf(out, "usage: rakiza <command> [options]\n\n"
                 "Classifies counter-terrorism policy text into the four "
                 "pillars of the UN Global Counter-Terrorism Strategy.\n\n"
                 "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`rakiza <command> --help` describes each command.\n"
                 "Exit status: 0 success, 1 runtime or data error, "
                 "2 usage error.\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return RK_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return RK_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("rakiza %s\n", RK_VERSION);
        return RK_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "rakiza: unknown command '%s' (see rakiza --help)\n",
            argv[1]);
    return RK_EXIT_USAGE;
}
