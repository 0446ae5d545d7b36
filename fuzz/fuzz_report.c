/*
 * fuzz_report.c - any bytes as the JSON Lines `rakiza report` reads: each
 * line is added (accepted, or refused with a message), then the pages are
 * written. Every page must be valid UTF-8 and hold no active markup (see
 * has_active_markup), which text from a record could only bring in
 * unescaped. The corpus holds real records with hostile strings in each
 * field the pages show.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "classify/report.h"
#include "core/file.h"
#include "core/utf8.h"

/* One directory for the whole run, emptied after each input. */
static const char *out_dir(void) {
    static char dir[64];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/fuzz_report.XXXXXX");
        if (!mkdtemp(dir))
            abort();
    }
    return dir;
}

/* Whether the attribute name[0..len) holds a URL a browser follows. */
static int is_url_attribute(const char *name, size_t len) {
    static const char *const url[] = {"href", "src", "action", "formaction",
                                      "xlink:href"};
    for (size_t i = 0; i < sizeof url / sizeof url[0]; i++)
        if (len == strlen(url[i]) && !strncasecmp(name, url[i], len))
            return 1;
    return 0;
}

/* Whether the page has markup no report writes, which text from a record
 * could only bring in unescaped: a tag that runs or loads something, an
 * event attribute (on...=), or "javascript:" in a URL attribute. Text
 * between tags is not markup (the report escapes '<' there), nor is a
 * quoted attribute value but for a URL's "javascript:". */
static int has_active_markup(const char *s) {
    static const char *const deny[] = {"script", "iframe", "object",
                                       "embed",  "img",    "link",
                                       "base",   "form",   "frame"};
    for (const char *p = strchr(s, '<'); p; p = strchr(p, '<')) {
        p++;
        size_t name = strcspn(p, " \t\n/>");
        for (size_t i = 0; i < sizeof deny / sizeof deny[0]; i++)
            if (name == strlen(deny[i]) && !strncasecmp(p, deny[i], name))
                return 1;
        p += name;
        while (*p && *p != '>') {
            p += strspn(p, " \t\n/");
            size_t attr = strcspn(p, " \t\n/>=");
            if (attr > 2 && !strncasecmp(p, "on", 2))
                return 1;
            int url = is_url_attribute(p, attr);
            p += attr;
            if (*p != '=')
                continue;
            p++;
            char quote = *p == '"' || *p == '\'' ? *p++ : 0;
            size_t value = quote ? strcspn(p, quote == '"' ? "\"" : "'")
                                 : strcspn(p, " \t\n>");
            for (size_t i = 0; url && i + 11 <= value; i++)
                if (!strncasecmp(p + i, "javascript:", 11))
                    return 1;
            p += value;
            if (quote && *p)
                p++;
        }
    }
    return 0;
}

static void check_page(const char *path) {
    char err[256], *buf = NULL;
    size_t n = 0;
    if (rk_file_read(path, RK_FILE_MAX_INPUT, &buf, &n, err, sizeof err) ||
        !rk_utf8_valid(buf, n, NULL) || strlen(buf) != n ||
        has_active_markup(buf))
        abort();
    free(buf);
}

/* Checks every page in dir, and removes it. */
static void check_pages(const char *dir) {
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        check_page(path);
        unlink(path);
    }
    if (d)
        closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    rk_report_t *r = rk_report_new();
    char err[512];
    const char *s = (const char *)data;
    for (size_t start = 0, i = 0; i <= size; i++) {
        if (i == size || s[i] == '\n') {
            err[0] = '\0';
            if (rk_report_add_line(r, s + start, i - start, err, sizeof err) &&
                !err[0])
                abort(); /* a refusal says why */
            start = i + 1;
        }
    }
    const char *dir = out_dir();
    if (rk_report_write(r, dir, err, sizeof err) != RK_OK)
        abort();
    check_pages(dir);
    rk_report_destroy(r);
    return 0;
}
