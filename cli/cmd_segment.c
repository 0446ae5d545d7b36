/*
 * cmd_segment.c - `rakiza segment`: prints each input's paragraphs as JSON
 * Lines (index, start, end, kind, lang, text; "file" too when there are
 * several inputs).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "core/file.h"
#include "text/segment.h"

static const char *help =
    "usage: rakiza segment [FILE...|-]\n\n"
    "Splits each input document (default: stdin) into paragraphs and prints\n"
    "one JSON object per paragraph: index, start and end (byte offsets into\n"
    "the input), kind (paragraph, heading, list_item, footnote), lang (ar,\n"
    "en, or und) and text.\n";

static int segment_one(const char *path, int many, rk_seg_list_t *list) {
    char errstr[512], *doc = NULL;
    size_t len = 0;
    rk_err_t err = rk_file_read(path, RK_FILE_MAX_INPUT, &doc, &len, errstr,
                                sizeof errstr);
    if (!err)
        err = rk_seg_split(doc, len, list, errstr, sizeof errstr);
    free(doc);
    if (err) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s: %s", path, errstr);
        return rk_cli_fail("segment", err, msg);
    }
    for (size_t i = 0; i < list->count; i++) {
        const rk_seg_para_t *p = &list->items[i];
        json_t *o = json_object();
        if (many)
            json_object_set_new(o, "file", json_string(path));
        json_object_set_new(o, "index", json_integer((json_int_t)i));
        json_object_set_new(o, "start", json_integer((json_int_t)p->start));
        json_object_set_new(o, "end", json_integer((json_int_t)p->end));
        json_object_set_new(o, "kind", json_string(rk_seg_kind_name(p->kind)));
        json_object_set_new(o, "lang", json_string(p->lang));
        json_object_set_new(o, "text", json_stringn(p->text, p->text_len));
        json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(o);
    }
    return RK_EXIT_OK;
}

int rk_cmd_segment(int argc, char **argv) {
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(help, stdout);
            return RK_EXIT_OK;
        }
        return rk_cli_usage_error("segment", "bad option");
    }
    rk_seg_list_t list = {0};
    int status = RK_EXIT_OK, many = argc - optind > 1;
    if (optind == argc)
        status = segment_one("-", 0, &list);
    for (int i = optind; i < argc && status == RK_EXIT_OK; i++)
        status = segment_one(argv[i], many, &list);
    rk_seg_list_free(&list);
    return status;
}
