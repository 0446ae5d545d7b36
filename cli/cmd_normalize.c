/*
 * cmd_normalize.c - `rakiza normalize`: prints each input line normalised,
 * the exact text the vectoriser sees before tokenising.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/file.h"
#include "text/normalize.h"

static const char *help =
    "usage: rakiza normalize [--lang auto|ar|en] [--replace-invalid]\n"
    "                        [FILE...|-]\n\n"
    "Prints each input line (default: stdin) normalised: NFKC with case\n"
    "folding, Arabic diacritics, tatweel, bidi and zero-width controls\n"
    "removed, alef variants to bare alef, alef maqsura to ya, ta marbuta to\n"
    "ha, Arabic-Indic digits to ASCII, white space collapsed.\n\n"
    "  --lang L            the text's language (auto, ar, en); normalising\n"
    "                      is the same for both, the language chooses the\n"
    "                      stemmer and stopwords at the next stage\n"
    "  --replace-invalid   replace invalid UTF-8 with U+FFFD instead of\n"
    "                      failing (the error names the byte offset)\n";

static int normalize_one(const char *path, rk_norm_t *norm,
                         const rk_norm_opts_t *opts) {
    char errstr[512], *doc = NULL;
    size_t len = 0, err_pos = 0;
    rk_err_t err = rk_file_read(path, RK_FILE_MAX_INPUT, &doc, &len, errstr,
                                sizeof errstr);
    for (size_t pos = 0; !err && pos < len;) {
        const char *nl = memchr(doc + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - doc) : len;
        const char *out;
        size_t out_len;
        err = rk_norm_text(norm, opts, doc + pos, end - pos, &out, &out_len,
                           errstr, sizeof errstr);
        if (err) {
            err_pos = pos; /* name the offset in the file, not the line */
            break;
        }
        fwrite(out, 1, out_len, stdout);
        fputc('\n', stdout);
        pos = nl ? end + 1 : len;
    }
    free(doc);
    if (err) {
        char msg[1100];
        snprintf(msg, sizeof msg, "%s: line starting at byte %zu: %s", path,
                 err_pos, errstr);
        return rk_cli_fail("normalize", err, msg);
    }
    return RK_EXIT_OK;
}

int rk_cmd_normalize(int argc, char **argv) {
    static const struct option opts[] = {
        {"lang", required_argument, NULL, 'l'},
        {"replace-invalid", no_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    rk_norm_opts_t nopts = rk_norm_opts_default();
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'l':
            if (strcmp(optarg, "auto") && strcmp(optarg, "ar") &&
                strcmp(optarg, "en"))
                return rk_cli_usage_error(
                    "normalize", "--lang takes auto, ar or en, not '%s'",
                    optarg);
            break;
        case 'r': nopts.replace_invalid = 1; break;
        case 'h': fputs(help, stdout); return RK_EXIT_OK;
        default: return rk_cli_usage_error("normalize", "bad option");
        }
    }
    char errstr[256];
    rk_norm_t *norm = NULL;
    rk_err_t err = rk_norm_new(&norm, errstr, sizeof errstr);
    if (err)
        return rk_cli_fail("normalize", err, errstr);
    int status = RK_EXIT_OK;
    if (optind == argc)
        status = normalize_one("-", norm, &nopts);
    for (int i = optind; i < argc && status == RK_EXIT_OK; i++)
        status = normalize_one(argv[i], norm, &nopts);
    rk_norm_destroy(norm);
    return status;
}
