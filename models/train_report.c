/*
 * train_report.c - from held-out decision values to probabilities and
 * figures (train_internal.h): the sigmoids, the scored evaluation, and
 * what the metadata says about the data and its groups.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "models/calibrate.h"
#include "models/folds.h"
#include "models/train_internal.h"

/* Column col's sigmoid: one-vs-rest over every sample (positive: the
 * label), one-vs-one over the samples of the pair's two labels (positive:
 * the first), as libsvm fits its pairwise ones. */
static void fit_column(const job_t *j, const double *dec, int col, int a, int b,
                       double *decs, unsigned char *pos, double *A, double *B) {
    size_t n = j->data->count, m = 0;
    for (size_t i = 0; i < n; i++) {
        int y = j->y[i];
        if (b >= 0 && y != a && y != b)
            continue;
        decs[m] = dec[i * (size_t)j->ncols + (size_t)col];
        pos[m++] = y == a;
    }
    rk_cal_sigmoid_fit(m, decs, pos, &A[col], &B[col]);
}

void rk_train_sigmoids(const job_t *j, const double *dec, double *A,
                       double *B) {
    size_t n = j->data->count;
    double *decs = malloc((n ? n : 1) * sizeof *decs);
    unsigned char *pos = malloc(n ? n : 1);
    int k = j->nlabels;
    if (!decs || !pos) { /* neutral sigmoids: 1/2 everywhere */
        for (int c = 0; c < j->ncols; c++)
            A[c] = 0, B[c] = 0;
    } else if (j->conf->scheme == RK_SCHEME_OVR) {
        for (int c = 0; c < k; c++)
            fit_column(j, dec, c, c, -1, decs, pos, A, B);
    } else {
        for (int a = 0; a < k; a++)
            for (int b = a + 1; b < k; b++)
                fit_column(j, dec, rk_train_pair_col(k, a, b), a, b, decs, pos,
                           A, B);
    }
    free(decs);
    free(pos);
}

/* Sample i's probabilities from its held-out decision values (a row of
 * dec) through the sigmoids A, B; returns the top label's index. */
static int probs_of(const job_t *j, const double *dec, size_t i,
                    const double *A, const double *B, double *probs) {
    const double *row = dec + i * (size_t)j->ncols;
    if (j->conf->scheme == RK_SCHEME_OVR)
        rk_cal_ovr(j->nlabels, row, A, B, probs);
    else
        rk_cal_ovo(j->nlabels, row, A, B, probs);
    int best = 0;
    for (int c = 1; c < j->nlabels; c++)
        if (probs[c] > probs[best])
            best = c;
    return best;
}

rk_eval_t *rk_train_scored(const job_t *j, const double *dec, const double *A,
                           const double *B) {
    rk_eval_t *ev = rk_eval_new();
    double probs[RK_MAX_LABELS];
    for (size_t i = 0; ev && i < j->data->count; i++) {
        int best = probs_of(j, dec, i, A, B, probs);
        const rk_sample_t *s = &j->data->items[i];
        if (!rk_eval_add_scored(ev, s->label, j->labels[best], j->labels[best],
                                probs[best], s->lang)) {
            rk_eval_destroy(ev);
            ev = NULL;
        }
    }
    return ev;
}

/* Writes s to out with tabs and line breaks as spaces. */
static void put_field(const char *s, FILE *out) {
    for (; *s; s++)
        putc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, out);
}

rk_err_t rk_train_write_cv(const job_t *j, const double *dec, const double *A,
                           const double *B, const int *fold_of, double t,
                           FILE *out, char *errstr, size_t errstr_size) {
    double probs[RK_MAX_LABELS];
    for (size_t i = 0; i < j->data->count; i++) {
        int best = probs_of(j, dec, i, A, B, probs);
        const rk_sample_t *s = &j->data->items[i];
        fprintf(out, "%zu\t", i);
        put_field(s->group, out);
        fprintf(out, "\t%d\t", fold_of[i]);
        put_field(s->lang ? s->lang : "", out);
        putc('\t', out);
        put_field(s->label, out);
        putc('\t', out);
        /* as rk_eval_at_threshold: the best label when conf >= t */
        if (probs[best] >= t)
            put_field(j->labels[best], out);
        putc('\n', out);
    }
    if (fflush(out) || ferror(out))
        return rk_fail(RK_ERR_IO, errstr, errstr_size,
                       "cannot write the cross-validation");
    return RK_OK;
}

json_t *rk_train_groups_json(const rk_sample_set_t *data) {
    size_t n = data->count;
    const char **names = malloc((n ? n : 1) * sizeof *names);
    int *gid = malloc((n ? n : 1) * sizeof *gid);
    int ngroups = names && gid ? 0 : -1;
    for (size_t i = 0; names && i < n; i++)
        names[i] = data->items[i].group;
    if (!ngroups)
        ngroups = rk_folds_intern(n, names, gid);
    json_t *per_lang = json_object();
    /* Per language: its groups, and the largest of them. */
    size_t *count = ngroups > 0 ? calloc((size_t)ngroups, sizeof *count) : NULL;
    for (size_t i = 0; count && i < n; i++) {
        const char *lang = data->items[i].lang;
        if (json_object_get(per_lang, lang))
            continue;
        memset(count, 0, (size_t)ngroups * sizeof *count);
        size_t m = 0, groups = 0;
        int largest = gid[i];
        for (size_t t = i; t < n; t++)
            if (!strcmp(data->items[t].lang, lang)) {
                groups += count[gid[t]]++ == 0;
                m++;
                if (count[gid[t]] > count[largest])
                    largest = gid[t];
            }
        const char *lname = NULL;
        for (size_t t = 0; t < n && !lname; t++)
            if (gid[t] == largest)
                lname = data->items[t].group;
        json_object_set_new(per_lang, lang,
                            json_pack("{s:I,s:I,s:{s:s,s:I}}", "groups",
                                      (json_int_t)groups, "n", (json_int_t)m,
                                      "largest", "group", lname, "n",
                                      (json_int_t)count[largest]));
    }
    free(count);
    free(names);
    free(gid);
    return json_pack("{s:i,s:o}", "n", ngroups, "per_lang", per_lang);
}

json_t *rk_train_data_json(const job_t *j) {
    json_t *counts = json_object();
    uint64_t h = RK_FNV_OFFSET;
    for (size_t i = 0; i < j->data->count; i++) {
        const rk_sample_t *s = &j->data->items[i];
        json_t *c = json_object_get(counts, s->label);
        json_object_set_new(counts, s->label,
                            json_integer(c ? json_integer_value(c) + 1 : 1));
        h = rk_fnv1a(h, s->label, strlen(s->label) + 1);
        h = rk_fnv1a(h, s->text, s->text_len + 1);
    }
    char digest[40];
    snprintf(digest, sizeof digest, "fnv1a64:%016llx", (unsigned long long)h);
    return json_pack("{s:I,s:o,s:s}", "n", (json_int_t)j->data->count,
                     "label_counts", counts, "digest", digest);
}
