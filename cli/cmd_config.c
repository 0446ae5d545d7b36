/*
 * cmd_config.c - `rakiza config`: every setting rakiza accepts, read from
 * the settings tables themselves (as `kcat -X list` prints librdkafka's),
 * so the list cannot drift from what the setters take. --markdown prints
 * the README's tables; a test keeps the README equal to it.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/settings.h"
#include "ingest/stream_conf.h"
#include "learn/learn_conf.h"
#include "models/train.h"
#include "text/vectorize.h"

static const char *help =
    "usage: rakiza config [--markdown]\n\n"
    "Lists every setting: key, type, default, allowed values and what it\n"
    "does. Vectoriser settings are given to `rakiza train -V key=value` and\n"
    "stored in every model bundle; training settings have their own flags\n"
    "(--folds is train.folds, ...); service settings are `rakiza run -X`\n"
    "keys or lines of a -F properties file, next to any librdkafka\n"
    "property (`kcat -X list` lists those); learning settings are `rakiza\n"
    "learn` flags or -X keys.\n\n"
    "  --markdown   print Markdown tables (the README's)\n";

static const struct {
    const char *title;
    const rk_setting_t *table;
} groups[] = {
    {"Vectoriser (rakiza train -V key=value; stored in the bundle)",
     rk_vec_settings},
    {"Training (rakiza train flags)", rk_train_settings},
    {"Service (rakiza run -X key=value or -F file)", rk_stream_settings},
    {"Learning (rakiza learn flags, -X key=value or -F file)",
     rk_learn_settings},
};

static void print_group(const char *title, const rk_setting_t *table,
                        int markdown) {
    char range[128];
    if (markdown)
        printf("%s\n\n| key | type | default | allowed | description |\n"
               "| --- | --- | --- | --- | --- |\n",
               title);
    else
        printf("## %s\n%-30s %-7s %-10s %-30s %s\n", title, "key", "type",
               "default", "allowed", "description");
    for (const rk_setting_t *s = table; s->name; s++) {
        const char *type = rk_settings_type_name(s->type);
        const char *def = s->def ? s->def : "(unset)";
        rk_settings_range(s, range, sizeof range);
        if (markdown)
            printf("| `%s` | %s | `%s` | %s | %s |\n", s->name, type, def,
                   range, s->desc);
        else
            printf("%-30s %-7s %-10s %-30s %s\n", s->name, type, def, range,
                   s->desc);
    }
}

int rk_cmd_config(int argc, char **argv) {
    static const struct option opts[] = {{"markdown", no_argument, NULL, 'm'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c, markdown = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': markdown = 1; break;
        case 'h': fputs(help, stdout); return RK_EXIT_OK;
        default: return rk_cli_usage_error("config", "bad option");
        }
    }
    if (optind < argc)
        return rk_cli_usage_error("config", "unexpected argument '%s'",
                                  argv[optind]);
    for (size_t i = 0; i < sizeof groups / sizeof *groups; i++) {
        if (i)
            putchar('\n');
        print_group(groups[i].title, groups[i].table, markdown);
    }
    return RK_EXIT_OK;
}
