/*
 * report_html.c - the writing half of the report (report.h): one page per
 * document and index.html, from the documents report_read.c gathered.
 *
 * The label table is built once, before any page, so a label has the same
 * colour everywhere: the contract's pillars and `none` fixed, any other
 * label a hue from a golden-angle palette. Then each document in turn is
 * settled (paragraphs in index order, last copy kept), written to its page,
 * and given its row in the index. The first failure stops the writing and
 * is returned; the pages already written stay. Marking the explanation
 * terms needs the normaliser (report_mark.c); without it the text is plain.
 *
 * Nothing from the input reaches the HTML unescaped: text goes through
 * rk_report_put_text(), attribute values through put_attr(), CSS class
 * names through put_class() (an identifier built only from [A-Za-z0-9_-]),
 * and file names through the file-safe id.
 */
#include "classify/report.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "classify/report_internal.h"
#include "text/normalize.h"

/* ---- labels and colours ------------------------------------------------- */

/* The contract's labels, in pillar order, and `none`: fixed colours (a
 * strong one for bars and borders, a tint for backgrounds). */
static const struct {
    const char *label, *strong, *tint;
} fixed_colours[] = {
    {"conditions", "#1b7f5f", "#e3f4ec"},
    {"prevention", "#c4520a", "#fcebdd"},
    {"capacity", "#4f55a8", "#e6e7f6"},
    {"human_rights", "#b0206e", "#f9e1ee"},
    {"none", "#6b6b6b", "#eeeeee"},
};
#define N_FIXED (sizeof fixed_colours / sizeof fixed_colours[0])

typedef struct label_s {
    const char *name;
    char strong[32], tint[32];
} label_t;

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The label table: the fixed labels present, in contract order, then the
 * others sorted, each given a hue a golden angle from the last. The caller
 * frees the array; names point into r->labels. */
static label_t *label_table(const rk_report_t *r, size_t *n) {
    size_t total = json_object_size(r->labels), k = 0, n_other = 0;
    label_t *t = calloc(total + 1, sizeof *t);
    const char **other = calloc(total + 1, sizeof *other);
    if (!t || !other) {
        free(t);
        free(other);
        return NULL;
    }
    for (size_t f = 0; f < N_FIXED; f++) {
        json_t *v = json_object_get(r->labels, fixed_colours[f].label);
        if (!v)
            continue;
        t[k].name = json_object_iter_key(
            json_object_iter_at(r->labels, fixed_colours[f].label));
        snprintf(t[k].strong, sizeof t[k].strong, "%s",
                 fixed_colours[f].strong);
        snprintf(t[k].tint, sizeof t[k].tint, "%s", fixed_colours[f].tint);
        k++;
    }
    const char *key;
    json_t *v;
    json_object_foreach(r->labels, key, v) {
        int fixed = 0;
        for (size_t f = 0; f < N_FIXED; f++)
            fixed |= !strcmp(key, fixed_colours[f].label);
        if (!fixed)
            other[n_other++] = key;
    }
    qsort(other, n_other, sizeof *other, cmp_str);
    for (size_t i = 0; i < n_other; i++, k++) {
        int hue = (int)(200.0 + 137.508 * (double)i) % 360;
        t[k].name = other[i];
        snprintf(t[k].strong, sizeof t[k].strong, "hsl(%d,55%%,40%%)", hue);
        snprintf(t[k].tint, sizeof t[k].tint, "hsl(%d,70%%,93%%)", hue);
    }
    free(other);
    *n = k;
    return t;
}

/* ---- HTML output -------------------------------------------------------- */

/* Text content: the five characters that could start markup or end an
 * attribute are escaped; everything else is valid UTF-8 (jansson checked). */
void rk_report_put_text(FILE *f, const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        switch (s[i]) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(s[i], f);
        }
    }
}

static void put_str(FILE *f, const char *s) {
    rk_report_put_text(f, s, strlen(s));
}

/* Same escaping inside double-quoted attribute values. */
static void put_attr(FILE *f, const char *s) {
    put_str(f, s);
}

/* A CSS identifier for a label: [A-Za-z0-9_] kept, every other byte as
 * "-xx" (hex), so distinct labels never share a class. */
static void put_class(FILE *f, const char *label) {
    fputs("label-", f);
    for (const unsigned char *p = (const unsigned char *)label; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || *p == '_')
            fputc(*p, f);
        else
            fprintf(f, "-%02x", *p);
    }
}

static const char *css =
    "body{font-family:'Noto Naskh Arabic','Noto Sans','DejaVu Sans',"
    "sans-serif;margin:2em auto;max-width:60em;color:#222;line-height:1.5}"
    "h1{font-size:1.4em}h1 .doc-id{font-family:monospace}"
    ".meta{color:#555;font-size:.9em}"
    ".legend{display:flex;flex-wrap:wrap;gap:.5em;margin:1em 0}"
    ".swatch{padding:.1em .6em;border-left:.8em solid;border-radius:3px}"
    ".para{margin:.6em 0;padding:.5em .8em;border-inline-start:.5em solid;"
    "border-radius:3px}"
    ".para .head{font-size:.8em;color:#444;direction:ltr;text-align:left}"
    ".para .top{font-weight:bold}"
    ".score{margin-right:.8em;white-space:nowrap}"
    ".text{margin:.3em 0;font-size:1.05em}"
    ".text[dir=rtl]{font-size:1.15em}"
    "mark.term{background:#ffe45c;padding:0 .1em;border-radius:2px}"
    ".terms{font-size:.8em;color:#444;direction:ltr;text-align:left}"
    ".abstained{background:#fff;border-color:#999;border-style:dashed}"
    ".warn{color:#a00}"
    "svg.chart text{font-size:12px;font-family:sans-serif}"
    "table{border-collapse:collapse}td,th{padding:.2em .8em;"
    "border-bottom:1px solid #ddd;text-align:left}";

static void put_head(FILE *f, const char *title, const label_t *t, size_t n) {
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<title>",
          f);
    put_str(f, title);
    fprintf(f, "</title>\n<style>%s\n", css);
    for (size_t i = 0; i < n; i++) {
        fputc('.', f);
        put_class(f, t[i].name);
        fprintf(f, "{background:%s;border-color:%s}\nsvg rect.", t[i].tint,
                t[i].strong);
        put_class(f, t[i].name);
        fprintf(f, "{fill:%s}\n", t[i].strong);
    }
    fputs("svg rect.abstained{fill:#fff;stroke:#999;stroke-dasharray:3}\n"
          "</style></head>\n<body>\n",
          f);
}

static void put_legend(FILE *f, const label_t *t, size_t n) {
    fputs("<div class=\"legend\">", f);
    for (size_t i = 0; i < n; i++) {
        fputs("<span class=\"swatch ", f);
        put_class(f, t[i].name);
        fputs("\">", f);
        put_str(f, t[i].name);
        fputs("</span>", f);
    }
    fputs("<span class=\"swatch abstained\">abstained (no label over the "
          "threshold)</span></div>\n",
          f);
}

/* The chart: one bar per label (and abstained), counts[i] paragraphs for
 * t[i], counts[n] abstained. */
static void put_chart(FILE *f, const label_t *t, size_t n,
                      const size_t *counts) {
    size_t max = 1;
    for (size_t i = 0; i <= n; i++)
        if (counts[i] > max)
            max = counts[i];
    int row = 24, width = 560;
    fprintf(f,
            "<figure><svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
            "width=\"%d\" height=\"%zu\" role=\"img\">",
            width, (n + 1) * (size_t)row + 4);
    for (size_t i = 0; i <= n; i++) {
        const char *name = i < n ? t[i].name : "abstained";
        double w = 340.0 * (double)counts[i] / (double)max;
        int y = (int)i * row + 2;
        fputs("<g class=\"bar\" data-label=\"", f);
        put_attr(f, name);
        fprintf(f, "\" data-count=\"%zu\"><text x=\"0\" y=\"%d\">", counts[i],
                y + 15);
        put_str(f, name);
        fputs("</text><rect class=\"", f);
        if (i < n)
            put_class(f, t[i].name);
        else
            fputs("abstained", f);
        fprintf(f,
                "\" x=\"150\" y=\"%d\" width=\"%.1f\" height=\"18\"/>"
                "<text x=\"%.1f\" y=\"%d\">%zu</text></g>",
                y, w, 156.0 + w, y + 15, counts[i]);
    }
    fputs("</svg><figcaption class=\"meta\">Paragraphs by top label"
          "</figcaption></figure>\n",
          f);
}

/* See report.h. */
const char *rk_report_lang_dir(const char *lang) {
    static const char *const rtl[] = {"ar", "fa",  "ur", "he", "ps",
                                      "yi", "ckb", "sd", "ug", "dv"};
    if (!lang || !strcmp(lang, "und") || !*lang)
        return "auto";
    for (size_t i = 0; i < sizeof rtl / sizeof rtl[0]; i++)
        if (!strcmp(lang, rtl[i]))
            return "rtl";
    return "ltr";
}

static int cmp_score(const void *a, const void *b) {
    const rk_report_score_t *x = a, *y = b;
    if (x->p != y->p)
        return x->p > y->p ? -1 : 1;
    return strcmp(x->label, y->label);
}

rk_report_score_t *rk_report_sorted_scores(const json_t *scores, size_t *n) {
    rk_report_score_t *s = calloc(json_object_size(scores) + 1, sizeof *s);
    size_t k = 0;
    const char *key;
    json_t *v;
    if (s) {
        json_object_foreach((json_t *)scores, key, v) {
            s[k++] = (rk_report_score_t){key, json_number_value(v)};
        }
        qsort(s, k, sizeof *s, cmp_score);
    }
    *n = k;
    return s;
}

static void put_paragraph(FILE *f, const json_t *o, rk_norm_t *norm) {
    const char *label = json_string_value(json_object_get(o, "label"));
    const char *lang = json_string_value(json_object_get(o, "lang"));
    const char *kind = json_string_value(json_object_get(o, "kind"));
    const json_t *text = json_object_get(o, "text");
    json_int_t index = json_integer_value(json_object_get(o, "index"));
    fputs("<section class=\"para ", f);
    if (label)
        put_class(f, label);
    else
        fputs("abstained", f);
    fprintf(f, "\" id=\"p%lld\" data-index=\"%lld\" data-label=\"",
            (long long)index, (long long)index);
    put_attr(f, label ? label : "");
    fputs("\">\n<div class=\"head\"><span class=\"idx\">¶ ", f);
    fprintf(f, "%lld</span> · <span class=\"kind\">", (long long)index);
    put_str(f, kind ? kind : "paragraph");
    fputs("</span> · <span class=\"lang\">", f);
    put_str(f, lang ? lang : "und");
    fputs("</span> · ", f);

    const json_t *scores = json_object_get(o, "scores");
    size_t k;
    rk_report_score_t *s = rk_report_sorted_scores(scores, &k);
    if (label) {
        fputs("<span class=\"top\">", f);
        put_str(f, label);
        json_t *p = json_object_get(scores, label);
        if (p)
            fprintf(f, " %.3f", json_number_value(p));
        fputs("</span>", f);
    } else {
        fputs("<span class=\"top abstained-note\">abstained", f);
        if (k) {
            fputs(" (best: ", f);
            put_str(f, s[0].label);
            fprintf(f, " %.3f)", s[0].p);
        }
        fputs("</span>", f);
    }
    fputs("<div class=\"scores\">", f);
    for (size_t i = 0; i < k; i++) {
        fputs("<span class=\"score\" data-label=\"", f);
        put_attr(f, s[i].label);
        fputs("\">", f);
        put_str(f, s[i].label);
        fprintf(f, " %.3f</span>", s[i].p);
    }
    free(s);
    fputs("</div></div>\n", f);

    fputs("<p class=\"text\" lang=\"", f);
    put_attr(f, lang ? lang : "und");
    fprintf(f, "\" dir=\"%s\">", rk_report_lang_dir(lang));
    const json_t *expl = json_object_get(o, "explanation");
    if (text)
        rk_report_put_paragraph_text(f, json_string_value(text),
                                     json_string_length(text), expl, norm);
    else
        fputs("<i class=\"meta\">(text not included in the record)</i>", f);
    fputs("</p>\n", f);
    if (json_array_size(expl)) {
        fputs("<div class=\"terms\">terms: ", f);
        size_t i;
        json_t *v;
        json_array_foreach(expl, i, v) {
            fputs("<span class=\"expl\" dir=\"auto\">", f);
            put_str(f, json_string_value(json_object_get(v, "term")));
            fprintf(f, "</span> (%.3f)%s",
                    json_number_value(json_object_get(v, "weight")),
                    i + 1 < json_array_size(expl) ? ", " : "");
        }
        fputs("</div>\n", f);
    }
    fputs("</section>\n", f);
}

/* counts[i] paragraphs with top label t[i], counts[n] abstained. */
static void count_labels(const doc_t *d, const label_t *t, size_t n,
                         size_t *counts) {
    memset(counts, 0, (n + 1) * sizeof *counts);
    for (size_t j = 0; j < d->n_paras; j++) {
        const char *l =
            json_string_value(json_object_get(d->paras[j].rec, "label"));
        size_t i = n;
        if (l)
            for (i = 0; i < n && strcmp(t[i].name, l); i++)
                ;
        counts[i]++;
    }
}

/* "model <id> (<created>)" from the first record that names one. */
static void put_model(FILE *f, const doc_t *d) {
    const json_t *m = d->n_paras ? json_object_get(d->paras[0].rec, "model")
                                 : json_object_get(d->summary, "model");
    const char *id = json_string_value(json_object_get(m, "id"));
    const char *created = json_string_value(json_object_get(m, "created"));
    if (!id)
        return;
    fputs(" · model <span class=\"model\">", f);
    put_str(f, id);
    fputs("</span>", f);
    if (created) {
        fputs(" (", f);
        put_str(f, created);
        fputs(")", f);
    }
}

static void put_source(FILE *f, const doc_t *d) {
    const json_t *s = d->n_paras ? json_object_get(d->paras[0].rec, "source")
                                 : json_object_get(d->summary, "source");
    const char *topic = json_string_value(json_object_get(s, "topic"));
    if (!topic)
        return;
    fputs(" · source ", f);
    put_str(f, topic);
    fprintf(f, "/%lld/%lld",
            (long long)json_integer_value(json_object_get(s, "partition")),
            (long long)json_integer_value(json_object_get(s, "offset")));
}

/* What the summary record says against what the paragraphs show. */
static void put_summary(FILE *f, const doc_t *d) {
    if (!d->summary) {
        fputs("<p class=\"warn\">No document summary record: the document "
              "may be incomplete.</p>\n",
              f);
        return;
    }
    const json_t *count = json_object_get(d->summary, "count");
    if (count && (size_t)json_integer_value(count) != d->n_paras)
        fprintf(f,
                "<p class=\"warn\">The summary counts %lld paragraphs; "
                "%zu are in the input.</p>\n",
                (long long)json_integer_value(count), d->n_paras);
    const json_t *labels = json_object_get(d->summary, "labels");
    fputs("<p class=\"summary meta\">Document labels: ", f);
    size_t i;
    json_t *v;
    if (!json_array_size(labels))
        fputs("(none)", f);
    json_array_foreach(labels, i, v) {
        fputs("<span class=\"doc-label\">", f);
        put_str(f, json_string_value(v));
        fputs(i + 1 < json_array_size(labels) ? "</span>, " : "</span>", f);
    }
    fputs("</p>\n", f);
}

static rk_err_t write_page(const char *path, doc_t *d, const label_t *t,
                           size_t n, rk_norm_t *norm, size_t *counts,
                           char *errstr, size_t errstr_size) {
    FILE *f = fopen(path, "w");
    if (!f)
        return rk_fail(RK_ERR_IO, errstr, errstr_size, "cannot write '%s': %s",
                       path, strerror(errno));
    char title[512];
    snprintf(title, sizeof title, "rakiza report: %s", d->id);
    put_head(f, title, t, n);
    fputs("<p class=\"meta\"><a href=\"index.html\">all documents</a></p>\n"
          "<h1>Document <span class=\"doc-id\" dir=\"auto\">",
          f);
    put_str(f, d->id);
    fprintf(f, "</span></h1>\n<p class=\"meta\">%zu paragraphs", d->n_paras);
    put_model(f, d);
    put_source(f, d);
    fputs("</p>\n", f);
    put_summary(f, d);
    put_legend(f, t, n);
    count_labels(d, t, n, counts);
    put_chart(f, t, n, counts);
    fputs("<main>\n", f);
    for (size_t j = 0; j < d->n_paras; j++)
        put_paragraph(f, d->paras[j].rec, norm);
    fputs("</main>\n</body></html>\n", f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return rk_fail(RK_ERR_IO, errstr, errstr_size, "cannot write '%s'",
                       path);
    return RK_OK;
}

/* "<n>-<id>.html": the id's [A-Za-z0-9._-] bytes (others as '_'), at most
 * 60 of them; the number keeps names unique. */
static void page_name(char *buf, size_t size, size_t n, const char *id) {
    int k = snprintf(buf, size, "%zu-", n);
    size_t at = (size_t)k;
    for (const char *p = id; *p && at < (size_t)k + 60 && at + 6 < size; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        buf[at++] = ok ? c : '_';
    }
    snprintf(buf + at, size - at, ".html");
}

/* mkdir -p */
static rk_err_t make_dirs(const char *dir, char *errstr, size_t errstr_size) {
    char *p = strdup(dir);
    if (!p)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    for (char *s = p + 1;; s++) {
        char c = *s;
        if (c == '/' || c == '\0') {
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                rk_err_t e =
                    rk_fail(RK_ERR_IO, errstr, errstr_size,
                            "cannot create '%s': %s", p, strerror(errno));
                free(p);
                return e;
            }
            *s = c;
        }
        if (c == '\0')
            break;
    }
    free(p);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return rk_fail(RK_ERR_IO, errstr, errstr_size,
                       "'%s' is not a directory", dir);
    return RK_OK;
}

rk_err_t rk_report_write(rk_report_t *r, const char *dir, char *errstr,
                         size_t errstr_size) {
    rk_err_t err = make_dirs(dir, errstr, errstr_size);
    if (err)
        return err;
    size_t n = 0;
    label_t *t = label_table(r, &n);
    size_t *counts = calloc(n + 1, sizeof *counts);
    size_t path_size = strlen(dir) + 128;
    char *path = malloc(path_size);
    if (!t || !counts || !path) {
        free(t);
        free(counts);
        free(path);
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    /* Highlighting needs the normaliser; without ICU it is skipped. */
    rk_norm_t *norm = NULL;
    char nerr[256];
    if (rk_norm_new(&norm, nerr, sizeof nerr) != RK_OK)
        norm = NULL;

    snprintf(path, path_size, "%s/index.html", dir);
    FILE *idx = fopen(path, "w");
    if (!idx)
        err = rk_fail(RK_ERR_IO, errstr, errstr_size, "cannot write '%s': %s",
                      path, strerror(errno));
    if (!err) {
        put_head(idx, "rakiza report", t, n);
        fprintf(idx,
                "<h1>rakiza report</h1>\n<p class=\"meta\">%zu documents"
                "</p>\n",
                r->n_docs);
        put_legend(idx, t, n);
        fputs("<table><thead><tr><th>document</th><th>paragraphs</th>"
              "<th>top labels</th></tr></thead><tbody>\n",
              idx);
    }
    for (size_t i = 0; i < r->n_docs && !err; i++) {
        doc_t *d = &r->docs[i];
        rk_report_settle(d);
        char name[96];
        page_name(name, sizeof name, i + 1, d->id);
        snprintf(path, path_size, "%s/%s", dir, name);
        err = write_page(path, d, t, n, norm, counts, errstr, errstr_size);
        if (err)
            break;
        fputs("<tr class=\"doc\"><td><a href=\"", idx);
        put_attr(idx, name);
        fputs("\" dir=\"auto\">", idx);
        put_str(idx, d->id);
        fprintf(idx, "</a></td><td>%zu%s</td><td>", d->n_paras,
                d->summary ? "" : " <span class=\"warn\">(no summary)</span>");
        for (size_t l = 0; l <= n; l++) {
            if (!counts[l])
                continue;
            fputs("<span class=\"swatch ", idx);
            if (l < n)
                put_class(idx, t[l].name);
            else
                fputs("abstained", idx);
            fputs("\">", idx);
            put_str(idx, l < n ? t[l].name : "abstained");
            fprintf(idx, " %zu</span> ", counts[l]);
        }
        fputs("</td></tr>\n", idx);
    }
    if (idx) {
        fputs("</tbody></table>\n</body></html>\n", idx);
        int bad = ferror(idx);
        if ((fclose(idx) != 0 || bad) && !err)
            err = rk_fail(RK_ERR_IO, errstr, errstr_size,
                          "cannot write '%s/index.html'", dir);
    }
    rk_norm_destroy(norm);
    free(path);
    free(counts);
    free(t);
    return err;
}
