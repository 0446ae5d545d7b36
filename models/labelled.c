/*
 * labelled.c - see labelled.h.
 */
#include "models/labelled.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/utf8.h"

static void sample_free(rk_sample_t *s) {
    free(s->text);
    free(s->label);
    free(s->lang);
    free(s->source);
    free(s->group);
}

void rk_labelled_free(rk_sample_set_t *set) {
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++)
        sample_free(&set->items[i]);
    free(set->items);
    memset(set, 0, sizeof *set);
}

static char *dupn(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

int rk_sample_set_push(rk_sample_set_t *set, const rk_sample_t *s) {
    if (set->count == set->cap &&
        !rk_grow(&set->items, &set->cap, set->count + 1, sizeof *set->items,
                 256))
        return 0;
    set->items[set->count++] = *s;
    return 1;
}

/* group NULL: derived from source (see labelled.h). */
static int push(rk_sample_set_t *set, const char *text, size_t text_len,
                const char *label, const char *lang, const char *source,
                const char *group) {
    rk_sample_t s = {dupn(text, text_len),
                     text_len,
                     strdup(label),
                     strdup(lang ? lang : rk_utf8_script_lang(text, text_len)),
                     strdup(source),
                     group ? strdup(group)
                           : dupn(source, strcspn(source, "@"))};
    if (!s.text || !s.label || !s.lang || !s.source || !s.group ||
        !rk_sample_set_push(set, &s)) {
        sample_free(&s);
        return 0;
    }
    return 1;
}

/* One JSON Lines record; returns 0 with errstr filled on a bad record. */
static int parse_json(rk_sample_set_t *set, const char *line, size_t len,
                      const char *where, char *errstr, size_t errstr_size) {
    json_error_t jerr;
    json_t *o = json_loadb(line, len, 0, &jerr);
    if (!o || !json_is_object(o)) {
        rk_fail(RK_ERR_DATA, errstr, errstr_size, "%s: %s", where,
                o ? "not a JSON object" : jerr.text);
        json_decref(o);
        return 0;
    }
    json_t *text = json_object_get(o, "text"),
           *label = json_object_get(o, "label"),
           *lang = json_object_get(o, "lang"),
           *source = json_object_get(o, "source"),
           *group = json_object_get(o, "group");
    if (json_is_null(group))
        group = NULL; /* null: no group named */
    const char *bad =
        !json_is_string(text)             ? "text"
        : !json_is_string(label)          ? "label"
        : !*json_string_value(label)      ? "label"
        : (lang && !json_is_string(lang)) ? "lang"
        : (group && (!json_is_string(group) || !*json_string_value(group)))
            ? "group"
            : NULL;
    int ok = !bad;
    if (bad)
        rk_fail(RK_ERR_DATA, errstr, errstr_size,
                "%s: field '%s' is missing or not a non-empty string", where,
                bad);
    else if (!push(set, json_string_value(text), json_string_length(text),
                   json_string_value(label),
                   lang ? json_string_value(lang) : NULL,
                   json_is_string(source) ? json_string_value(source) : where,
                   group                    ? json_string_value(group)
                   : json_is_string(source) ? NULL /* derived from it */
                                            : where))
        ok = 0, rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    json_decref(o);
    return ok;
}

static int parse_tsv(rk_sample_set_t *set, const char *line, size_t len,
                     const char *where, const char *path, char *errstr,
                     size_t errstr_size) {
    const char *tab = memchr(line, '\t', len);
    if (!tab || tab == line || tab + 1 == line + len) {
        rk_fail(RK_ERR_DATA, errstr, errstr_size, "%s: expected label<TAB>text",
                where);
        return 0;
    }
    char *label = dupn(line, (size_t)(tab - line));
    int ok = label && push(set, tab + 1, len - (size_t)(tab + 1 - line), label,
                           NULL, where, path);
    if (!ok)
        rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    free(label);
    return ok;
}

rk_err_t rk_labelled_load(const char *path, rk_sample_set_t *set, char *errstr,
                          size_t errstr_size) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return rk_fail(RK_ERR_IO, errstr, errstr_size, "cannot open '%s': %s",
                       path, strerror(errno));
    size_t before = set->count, lineno = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int format = 0; /* 0 unknown, 'j' JSON Lines, 't' TSV */
    rk_err_t err = RK_OK;
    while (!err && (n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        size_t len = (size_t)n;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        size_t lead = strspn(line, " \t");
        if (lead == len)
            continue; /* blank */
        char where[512];
        snprintf(where, sizeof where, "%s:%zu", path, lineno);
        size_t bad;
        if (!rk_utf8_valid(line, len, &bad)) {
            err = rk_fail(RK_ERR_DATA, errstr, errstr_size,
                          "%s: invalid UTF-8 at byte %zu of the line", where,
                          bad);
            break;
        }
        if (!format)
            format = line[lead] == '{' ? 'j' : 't';
        int ok =
            format == 'j'
                ? parse_json(set, line, len, where, errstr, errstr_size)
                : parse_tsv(set, line, len, where, path, errstr, errstr_size);
        if (!ok)
            err = RK_ERR_DATA;
    }
    free(line);
    fclose(f);
    if (!err && set->count == before)
        err = rk_fail(RK_ERR_DATA, errstr, errstr_size,
                      "%s: no labelled samples", path);
    if (err) {
        for (size_t i = before; i < set->count; i++)
            sample_free(&set->items[i]);
        set->count = before;
    }
    return err;
}
