/*
 * folds.c - see folds.h.
 */
#include "models/folds.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* xorshift64*: small, seedable, the same on every platform. */
static uint64_t next_rand(uint64_t *s) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static uint64_t seed_state(unsigned seed) {
    return 0x9E3779B97F4A7C15ULL ^ seed;
}

static void shuffle(size_t *a, size_t m, uint64_t *s) {
    for (size_t i = m; i > 1; i--) {
        size_t r = next_rand(s) % i;
        size_t t = a[i - 1];
        a[i - 1] = a[r];
        a[r] = t;
    }
}

rk_err_t rk_folds_stratified(size_t n, const int *y, int nlabels, int folds,
                             unsigned seed, int *fold_of, char *errstr,
                             size_t errstr_size) {
    uint64_t s = seed_state(seed);
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (!idx)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    for (int k = 0; k < nlabels; k++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (y[i] == k)
                idx[m++] = i;
        shuffle(idx, m, &s);
        for (size_t i = 0; i < m; i++)
            fold_of[idx[i]] = (int)((i + (size_t)k) % (size_t)folds);
    }
    free(idx);
    return RK_OK;
}

typedef struct group_size_s {
    size_t size, order; /* order: position after the shuffle */
    int group;
} group_size_t;

static int by_size_then_order(const void *a, const void *b) {
    const group_size_t *x = a, *y = b;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

rk_err_t rk_folds_grouped(size_t n, const int *group, int ngroups, int folds,
                          unsigned seed, int *fold_of, char *errstr,
                          size_t errstr_size) {
    if (ngroups < folds)
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "grouped cross-validation needs at least as many "
                       "groups as folds: %d groups, %d folds",
                       ngroups, folds);
    group_size_t *g = calloc((size_t)ngroups, sizeof *g);
    size_t *order = malloc((size_t)ngroups * sizeof *order);
    size_t *load = calloc((size_t)folds, sizeof *load);
    int *fold_of_group = malloc((size_t)ngroups * sizeof *fold_of_group);
    rk_err_t err =
        g && order && load && fold_of_group
            ? RK_OK
            : rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    if (!err) {
        for (size_t i = 0; i < n; i++)
            g[group[i]].size++;
        for (int k = 0; k < ngroups; k++)
            order[k] = (size_t)k;
        uint64_t s = seed_state(seed);
        shuffle(order, (size_t)ngroups, &s);
        for (int k = 0; k < ngroups; k++) {
            g[order[k]].order = (size_t)k;
            g[k].group = k;
        }
        qsort(g, (size_t)ngroups, sizeof *g, by_size_then_order);
        for (int k = 0; k < ngroups; k++) {
            int best = 0;
            for (int f = 1; f < folds; f++)
                if (load[f] < load[best])
                    best = f;
            fold_of_group[g[k].group] = best;
            load[best] += g[k].size;
        }
        for (size_t i = 0; i < n; i++)
            fold_of[i] = fold_of_group[group[i]];
    }
    free(g);
    free(order);
    free(load);
    free(fold_of_group);
    return err;
}

typedef struct name_ref_s {
    const char *name;
    size_t at;
} name_ref_t;

static int by_name_then_at(const void *a, const void *b) {
    const name_ref_t *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->at < y->at ? -1 : x->at > y->at);
}

int rk_folds_intern(size_t n, const char *const *names, int *id) {
    name_ref_t *r = malloc((n ? n : 1) * sizeof *r);
    size_t *first = malloc((n ? n : 1) * sizeof *first);
    int *rank = malloc((n ? n : 1) * sizeof *rank);
    if (!r || !first || !rank) {
        free(r);
        free(first);
        free(rank);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        r[i] = (name_ref_t){names[i], i};
    qsort(r, n, sizeof *r, by_name_then_at);
    /* Each run of equal names: its first sample (lowest index) stands for
     * it; ids follow those first appearances. */
    size_t runs = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(r[i].name, r[i - 1].name))
            first[runs++] = r[i].at;
        id[r[i].at] = (int)runs - 1; /* provisional: run number */
    }
    /* rank of each run by its first appearance */
    for (size_t k = 0; k < runs; k++)
        rank[k] = 0;
    int next = 0;
    for (size_t i = 0; i < n; i++) {
        int run = id[i];
        if (first[run] == i)
            rank[run] = next++;
    }
    for (size_t i = 0; i < n; i++)
        id[i] = rank[id[i]];
    free(r);
    free(first);
    free(rank);
    return (int)runs;
}
