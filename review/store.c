/*
 * store.c - see store.h. Two maps of the same shape, paragraphs and
 * samples: a chained hash on the key (FNV-1a) for lookups, and a doubly
 * linked arrival list, oldest first, for eviction (a replaced entry moves
 * to the newest end). Paragraph records are kept as the bytes received,
 * with the few fields the queue sorts and filters by parsed out; whoever
 * shows a paragraph parses its record again (a page shows a few dozen).
 * The label set is a count of the paragraphs naming each label in their
 * scores, kept up to date on every add and drop.
 */
#include "review/store.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/limits.h"

/* ---- the map: hash plus arrival list ---------------------------------- */

typedef struct entry_s {
    char *key;
    uint64_t hash;
    struct entry_s *hnext;         /* next in the bucket */
    struct entry_s *older, *newer; /* arrival list */
} entry_t;

typedef struct map_s {
    entry_t **buckets;
    size_t n_buckets, n;
    entry_t *oldest, *newest;
} map_t;

static uint64_t key_hash(const char *key) {
    return rk_fnv1a(RK_FNV_OFFSET, key, strlen(key));
}

static entry_t *map_find(const map_t *m, const char *key) {
    if (!m->n_buckets)
        return NULL;
    uint64_t h = key_hash(key);
    for (entry_t *e = m->buckets[h % m->n_buckets]; e; e = e->hnext)
        if (e->hash == h && !strcmp(e->key, key))
            return e;
    return NULL;
}

/* Doubles the buckets when the map is as full as it is wide. */
static int map_grow(map_t *m) {
    if (m->n < m->n_buckets)
        return 1;
    size_t nb = m->n_buckets ? m->n_buckets * 2 : 64;
    entry_t **b = calloc(nb, sizeof *b);
    if (!b)
        return 0;
    for (size_t i = 0; i < m->n_buckets; i++) {
        for (entry_t *e = m->buckets[i], *next; e; e = next) {
            next = e->hnext;
            e->hnext = b[e->hash % nb];
            b[e->hash % nb] = e;
        }
    }
    free(m->buckets);
    m->buckets = b;
    m->n_buckets = nb;
    return 1;
}

static void list_append(map_t *m, entry_t *e) {
    e->older = m->newest;
    e->newer = NULL;
    if (m->newest)
        m->newest->newer = e;
    else
        m->oldest = e;
    m->newest = e;
}

static void list_remove(map_t *m, entry_t *e) {
    if (e->older)
        e->older->newer = e->newer;
    else
        m->oldest = e->newer;
    if (e->newer)
        e->newer->older = e->older;
    else
        m->newest = e->older;
}

/* Links e (key and hash set) as the newest; 0 when out of memory. */
static int map_insert(map_t *m, entry_t *e) {
    if (!map_grow(m))
        return 0;
    entry_t **b = &m->buckets[e->hash % m->n_buckets];
    e->hnext = *b;
    *b = e;
    list_append(m, e);
    m->n++;
    return 1;
}

static void map_unlink(map_t *m, entry_t *e) {
    entry_t **p = &m->buckets[e->hash % m->n_buckets];
    while (*p != e)
        p = &(*p)->hnext;
    *p = e->hnext;
    list_remove(m, e);
    m->n--;
}

/* ---- entries ---------------------------------------------------------- */

/* A kept paragraph: the public view, the strings it points at, and the
 * names of its record's score labels (NUL-separated, n_labels of them). */
typedef struct para_s {
    entry_t e; /* first: a para_t is found from its entry */
    rk_review_para_t pub;
    char *doc_id, *lang, *label, *json, *label_names;
    size_t n_labels;
    size_t bytes; /* counted against RK_REVIEW_MAX_STORE_BYTES */
} para_t;

typedef struct sample_s {
    entry_t e;
    char *label, *annotator;
} sample_t;

struct rk_review_store_s {
    size_t max_paragraphs;
    map_t paras, samples;
    size_t bytes;         /* of the kept paragraphs */
    size_t dropped;       /* paragraphs dropped at the bounds */
    json_t *label_refs;   /* label -> paragraphs naming it */
    json_t *by_annotator; /* annotator -> samples */
    json_t *by_label;     /* label -> samples */
};

/* Adds delta to counts[name], removing the name when it reaches 0. */
static void count_add(json_t *counts, const char *name, json_int_t delta) {
    json_int_t v = json_integer_value(json_object_get(counts, name)) + delta;
    if (v > 0)
        json_object_set_new(counts, name, json_integer(v));
    else
        json_object_del(counts, name);
}

static void para_count_labels(rk_review_store_t *s, const para_t *p,
                              json_int_t delta) {
    const char *l = p->label_names;
    for (size_t i = 0; i < p->n_labels; i++, l += strlen(l) + 1)
        count_add(s->label_refs, l, delta);
}

static void para_free(para_t *p) {
    if (!p)
        return;
    free(p->e.key);
    free(p->doc_id);
    free(p->lang);
    free(p->label);
    free(p->json);
    free(p->label_names);
    free(p);
}

static void sample_free(sample_t *x) {
    if (!x)
        return;
    free(x->e.key);
    free(x->label);
    free(x->annotator);
    free(x);
}

static void para_drop(rk_review_store_t *s, para_t *p) {
    map_unlink(&s->paras, &p->e);
    para_count_labels(s, p, -1);
    s->bytes -= p->bytes;
    para_free(p);
}

static void sample_drop(rk_review_store_t *s, sample_t *x) {
    map_unlink(&s->samples, &x->e);
    count_add(s->by_annotator, x->annotator, -1);
    count_add(s->by_label, x->label, -1);
    sample_free(x);
}

/* ---- life cycle ------------------------------------------------------- */

rk_review_store_t *rk_review_store_new(size_t max_paragraphs) {
    assert(max_paragraphs >= 1 &&
           max_paragraphs <= RK_REVIEW_MAX_PARAGRAPHS_LIMIT);
    rk_review_store_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->max_paragraphs = max_paragraphs;
    s->label_refs = json_object();
    s->by_annotator = json_object();
    s->by_label = json_object();
    if (!s->label_refs || !s->by_annotator || !s->by_label) {
        rk_review_store_destroy(s);
        return NULL;
    }
    return s;
}

void rk_review_store_destroy(rk_review_store_t *s) {
    if (!s)
        return;
    for (entry_t *e = s->paras.oldest, *next; e; e = next) {
        next = e->newer;
        para_free((para_t *)e);
    }
    for (entry_t *e = s->samples.oldest, *next; e; e = next) {
        next = e->newer;
        sample_free((sample_t *)e);
    }
    free(s->paras.buckets);
    free(s->samples.buckets);
    json_decref(s->label_refs);
    json_decref(s->by_annotator);
    json_decref(s->by_label);
    free(s);
}

/* ---- records ---------------------------------------------------------- */

static char *key_of(const char *doc_id, long long index) {
    size_t n = strlen(doc_id) + 24;
    char *k = malloc(n);
    if (k)
        snprintf(k, n, "%s:%lld", doc_id, index);
    return k;
}

/* Checks the fields a paragraph record must have for the queue and the
 * page; RK_ERR_DATA names the first one at fault. */
static rk_err_t check_record(const json_t *o, char *errstr, size_t n) {
#define BAD(...) return rk_fail(RK_ERR_DATA, errstr, n, __VA_ARGS__)
    const json_t *v = json_object_get(o, "doc_id");
    if (!json_is_string(v))
        BAD("field 'doc_id' must be a string");
    if (json_string_length(v) > RK_REVIEW_MAX_ID_BYTES)
        BAD("field 'doc_id' is longer than %d bytes", RK_REVIEW_MAX_ID_BYTES);
    v = json_object_get(o, "index");
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        BAD("field 'index' must be an integer >= 0");
    v = json_object_get(o, "label");
    if (!json_is_string(v) && !json_is_null(v))
        BAD("field 'label' must be a string or null");
    v = json_object_get(o, "scores");
    if (!json_is_object(v) || !json_object_size(v))
        BAD("field 'scores' must be a non-empty object");
    if (json_object_size(v) > RK_MAX_LABELS)
        BAD("field 'scores' names more than %d labels", RK_MAX_LABELS);
    const char *k;
    const json_t *p;
    json_object_foreach((json_t *)v, k, p) {
        if (!json_is_number(p) || !isfinite(json_number_value(p)))
            BAD("field 'scores.%.64s' must be a number", k);
    }
    static const char *const strings[] = {"lang", "kind", "text"};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        v = json_object_get(o, strings[i]);
        if (v && !json_is_string(v))
            BAD("field '%s' must be a string", strings[i]);
    }
    v = json_object_get(o, "explanation");
    if (v && !json_is_array(v))
        BAD("field 'explanation' must be an array");
    size_t i;
    json_array_foreach(v, i, p) {
        if (!json_is_string(json_object_get(p, "term")) ||
            !json_is_number(json_object_get(p, "weight")))
            BAD("field 'explanation[%zu]' must be {\"term\": string, "
                "\"weight\": number}",
                i);
    }
    v = json_object_get(o, "model");
    if (v &&
        (!json_is_object(v) || (json_object_get(v, "id") &&
                                !json_is_string(json_object_get(v, "id")))))
        BAD("field 'model' must be an object with a string 'id'");
    return RK_OK;
#undef BAD
}

/* The score labels, NUL-separated, and the top score. */
static char *score_labels(const json_t *scores, size_t *n, double *top) {
    size_t len = 0;
    const char *k;
    json_t *v;
    *top = -INFINITY;
    json_object_foreach((json_t *)scores, k, v) {
        len += strlen(k) + 1;
        if (json_number_value(v) > *top)
            *top = json_number_value(v);
    }
    char *names = malloc(len + 1), *w = names;
    *n = 0;
    if (!names)
        return NULL;
    json_object_foreach((json_t *)scores, k, v) {
        size_t l = strlen(k) + 1;
        memcpy(w, k, l);
        w += l;
        (*n)++;
    }
    return names;
}

static para_t *para_new(const json_t *o, const char *json, size_t len) {
    para_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    const char *lang = json_string_value(json_object_get(o, "lang"));
    const char *label = json_string_value(json_object_get(o, "label"));
    p->doc_id = strdup(json_string_value(json_object_get(o, "doc_id")));
    p->lang = strdup(lang ? lang : "und");
    p->label = label ? strdup(label) : NULL;
    p->json = malloc(len + 1);
    double top;
    p->label_names =
        score_labels(json_object_get(o, "scores"), &p->n_labels, &top);
    long long index = json_integer_value(json_object_get(o, "index"));
    p->e.key = p->doc_id ? key_of(p->doc_id, index) : NULL;
    if (!p->doc_id || !p->lang || (label && !p->label) || !p->json ||
        !p->label_names || !p->e.key) {
        para_free(p);
        return NULL;
    }
    memcpy(p->json, json, len);
    p->json[len] = '\0';
    p->e.hash = key_hash(p->e.key);
    p->bytes = len + strlen(p->e.key) * 2 + sizeof *p;
    p->pub.key = p->e.key;
    p->pub.doc_id = p->doc_id;
    p->pub.index = index;
    p->pub.lang = p->lang;
    p->pub.label = p->label;
    p->pub.top = top;
    p->pub.has_text = json_is_string(json_object_get(o, "text"));
    p->pub.json = p->json;
    p->pub.json_len = len;
    return p;
}

rk_err_t rk_review_store_add_record(rk_review_store_t *s, const char *json,
                                    size_t len, int *kept, char *errstr,
                                    size_t n) {
    if (kept)
        *kept = 0;
    if (len > RK_REVIEW_MAX_RECORD_BYTES)
        return rk_fail(RK_ERR_LIMIT, errstr, n,
                       "record of %zu bytes is over the limit of %d", len,
                       RK_REVIEW_MAX_RECORD_BYTES);
    json_error_t jerr;
    json_t *o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(o)) {
        json_decref(o);
        return rk_fail(RK_ERR_DATA, errstr, n, "not a JSON object: %s",
                       o ? "another JSON value" : jerr.text);
    }
    const char *type = json_string_value(json_object_get(o, "type"));
    rk_err_t err =
        type ? RK_OK
             : rk_fail(RK_ERR_DATA, errstr, n, "field 'type' must be a string");
    if (err || strcmp(type, "paragraph")) {
        json_decref(o);
        return err;
    }
    err = check_record(o, errstr, n);
    para_t *p = err ? NULL : para_new(o, json, len);
    json_decref(o);
    if (err)
        return err;
    if (!p || !map_grow(&s->paras)) {
        para_free(p);
        return rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    }
    para_t *old = (para_t *)map_find(&s->paras, p->e.key);
    if (old)
        para_drop(s, old);
    map_insert(&s->paras, &p->e); /* cannot fail: grown above */
    para_count_labels(s, p, 1);
    s->bytes += p->bytes;
    while (s->paras.n > s->max_paragraphs ||
           (s->bytes > RK_REVIEW_MAX_STORE_BYTES && s->paras.n > 1)) {
        para_drop(s, (para_t *)s->paras.oldest);
        s->dropped++;
    }
    if (kept)
        *kept = 1;
    return RK_OK;
}

/* ---- samples ---------------------------------------------------------- */

rk_err_t rk_review_store_add_sample(rk_review_store_t *s, const char *key,
                                    size_t key_len, const char *value,
                                    size_t len, char *errstr, size_t n) {
    if (!key_len || memchr(key, '\0', key_len))
        return rk_fail(RK_ERR_DATA, errstr, n,
                       "a sample needs a key without NUL bytes");
    if (key_len > RK_REVIEW_MAX_ID_BYTES + 32 ||
        len > RK_REVIEW_MAX_RECORD_BYTES)
        return rk_fail(RK_ERR_LIMIT, errstr, n,
                       "sample of %zu bytes (key %zu) is over the limit", len,
                       key_len);
    char *k = strndup(key, key_len);
    if (!k)
        return rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    sample_t *old = (sample_t *)map_find(&s->samples, k);
    if (!value) { /* a tombstone withdraws the sample */
        if (old)
            sample_drop(s, old);
        free(k);
        return RK_OK;
    }
    json_error_t jerr;
    json_t *o = json_loadb(value, len, JSON_REJECT_DUPLICATES, &jerr);
    const char *label = json_string_value(json_object_get(o, "label"));
    const json_t *a = json_object_get(o, "annotator");
    rk_err_t err = RK_OK;
    if (!json_is_object(o))
        err = rk_fail(RK_ERR_DATA, errstr, n, "sample '%.200s': %s", k,
                      o ? "not a JSON object" : jerr.text);
    else if (!label || (a && !json_is_string(a)))
        err = rk_fail(RK_ERR_DATA, errstr, n,
                      "sample '%.200s': 'label' must be a string (and "
                      "'annotator' one when present)",
                      k);
    sample_t *x = err ? NULL : calloc(1, sizeof *x);
    if (x) {
        x->e.key = k;
        x->e.hash = key_hash(k);
        x->label = strdup(label);
        x->annotator = strdup(a ? json_string_value(a) : "");
    }
    json_decref(o);
    if (err) {
        free(k);
        return err;
    }
    if (!x || !x->label || !x->annotator || !map_grow(&s->samples)) {
        if (x)
            sample_free(x);
        else
            free(k);
        return rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    }
    if (old)
        sample_drop(s, old);
    map_insert(&s->samples, &x->e);
    count_add(s->by_annotator, x->annotator, 1);
    count_add(s->by_label, x->label, 1);
    while (s->samples.n > RK_REVIEW_MAX_SAMPLES)
        sample_drop(s, (sample_t *)s->samples.oldest);
    return RK_OK;
}

/* ---- queries ---------------------------------------------------------- */

const rk_review_para_t *rk_review_store_get(const rk_review_store_t *s,
                                            const char *doc_id,
                                            long long index) {
    char *k = key_of(doc_id, index);
    const para_t *p = k ? (const para_t *)map_find(&s->paras, k) : NULL;
    free(k);
    return p ? &p->pub : NULL;
}

int rk_review_store_labelled(const rk_review_store_t *s, const char *key,
                             const char **label, const char **annotator) {
    const sample_t *x = (const sample_t *)map_find(&s->samples, key);
    if (x && label)
        *label = x->label;
    if (x && annotator)
        *annotator = x->annotator;
    return x != NULL;
}

static int passes(const rk_review_store_t *s, const para_t *p,
                  const rk_review_filter_t *f) {
    if (f->doc_id && strcmp(f->doc_id, p->doc_id))
        return 0;
    if (f->lang && strcmp(f->lang, p->lang))
        return 0;
    if (f->abstained && p->label)
        return 0;
    if (f->label && (!p->label || strcmp(f->label, p->label)))
        return 0;
    return !map_find(&s->samples, p->e.key);
}

/* Queue order: abstained first, then the top score ascending, then the
 * document id and the index. */
static int cmp_queue(const void *a, const void *b) {
    const rk_review_para_t *x = *(const rk_review_para_t *const *)a;
    const rk_review_para_t *y = *(const rk_review_para_t *const *)b;
    if (!x->label != !y->label)
        return x->label ? 1 : -1;
    if (x->top != y->top)
        return x->top < y->top ? -1 : 1;
    int c = strcmp(x->doc_id, y->doc_id);
    if (c)
        return c;
    return (x->index > y->index) - (x->index < y->index);
}

rk_err_t rk_review_store_select(const rk_review_store_t *s,
                                const rk_review_filter_t *f, size_t offset,
                                const rk_review_para_t **out, size_t max,
                                size_t *n_out, size_t *total) {
    *n_out = *total = 0;
    const rk_review_para_t **all =
        malloc((s->paras.n + 1) * sizeof *all); /* + 1: never malloc(0) */
    if (!all)
        return RK_ERR_NOMEM;
    size_t k = 0;
    for (const entry_t *e = s->paras.oldest; e; e = e->newer)
        if (passes(s, (const para_t *)e, f))
            all[k++] = &((const para_t *)e)->pub;
    qsort(all, k, sizeof *all, cmp_queue);
    for (size_t i = offset; i < k && *n_out < max; i++)
        out[(*n_out)++] = all[i];
    *total = k;
    free(all);
    return RK_OK;
}

size_t rk_review_store_count(const rk_review_store_t *s) {
    return s->paras.n;
}

size_t rk_review_store_samples(const rk_review_store_t *s) {
    return s->samples.n;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *rk_review_store_labels(const rk_review_store_t *s) {
    static const char *const pillars[] = {"conditions", "prevention",
                                          "capacity", "human_rights", "none"};
    size_t n = json_object_size(s->label_refs), k = 0;
    const char **other = malloc((n + 1) * sizeof *other);
    json_t *out = json_array();
    if (!other || !out) {
        free(other);
        json_decref(out);
        return NULL;
    }
    for (size_t i = 0; i < sizeof pillars / sizeof pillars[0]; i++)
        if (json_object_get(s->label_refs, pillars[i]))
            json_array_append_new(out, json_string(pillars[i]));
    const char *key;
    json_t *v;
    json_object_foreach(s->label_refs, key, v) {
        size_t i = 0;
        while (i < sizeof pillars / sizeof pillars[0] &&
               strcmp(key, pillars[i]))
            i++;
        if (i == sizeof pillars / sizeof pillars[0])
            other[k++] = key;
    }
    qsort(other, k, sizeof *other, cmp_str);
    for (size_t i = 0; i < k; i++)
        json_array_append_new(out, json_string(other[i]));
    free(other);
    return out;
}

/* The keys of obj, sorted (pointing into obj); *n of them. NULL when out
 * of memory. */
static const char **sorted_keys(json_t *obj, size_t *n) {
    const char **keys = malloc((json_object_size(obj) + 1) * sizeof *keys);
    const char *k;
    json_t *v;
    *n = 0;
    if (!keys)
        return NULL;
    json_object_foreach(obj, k, v) {
        keys[(*n)++] = k;
    }
    qsort(keys, *n, sizeof *keys, cmp_str);
    return keys;
}

/* {"id", "kept", "waiting"} per document, sorted by id, from a map of id
 * to [kept, waiting]; and the languages, sorted. */
static json_t *summary_lists(json_t *docs, json_t *langs) {
    size_t nd, nl;
    const char **ids = sorted_keys(docs, &nd);
    const char **ls = sorted_keys(langs, &nl);
    json_t *d = json_array(), *l = json_array();
    json_t *out = json_pack("{s:o?, s:o?}", "documents", d, "langs", l);
    for (size_t i = 0; out && ids && i < nd; i++) {
        json_t *c = json_object_get(docs, ids[i]);
        json_array_append_new(d, json_pack("{s:s, s:O, s:O}", "id", ids[i],
                                           "kept", json_array_get(c, 0),
                                           "waiting", json_array_get(c, 1)));
    }
    for (size_t i = 0; out && ls && i < nl; i++)
        json_array_append_new(l, json_string(ls[i]));
    if (!ids || !ls || !d || !l) {
        json_decref(out);
        out = NULL;
    }
    free(ids);
    free(ls);
    return out;
}

json_t *rk_review_store_summary(const rk_review_store_t *s) {
    json_t *docs = json_object(), *langs = json_object();
    size_t waiting = 0;
    for (const entry_t *e = s->paras.oldest; docs && langs && e; e = e->newer) {
        const para_t *p = (const para_t *)e;
        json_int_t w = !map_find(&s->samples, e->key);
        waiting += (size_t)w;
        json_t *c = json_object_get(docs, p->doc_id);
        json_int_t kept = json_integer_value(json_array_get(c, 0));
        json_int_t wait = json_integer_value(json_array_get(c, 1));
        json_object_set_new(docs, p->doc_id,
                            json_pack("[I, I]", kept + 1, wait + w));
        json_object_set_new(langs, p->lang, json_true());
    }
    json_t *out = docs && langs ? summary_lists(docs, langs) : NULL;
    json_decref(docs);
    json_decref(langs);
    if (!out)
        return NULL;
    json_t *more = json_pack(
        "{s:I, s:I, s:I, s:{s:I, s:o, s:o}}", "kept", (json_int_t)s->paras.n,
        "waiting", (json_int_t)waiting, "dropped", (json_int_t)s->dropped,
        "labelled", "total", (json_int_t)s->samples.n, "by_annotator",
        json_deep_copy(s->by_annotator), "by_label",
        json_deep_copy(s->by_label)); /* copies: the caller may use them
                                        after the store changes */
    if (!more || json_object_update(out, more)) {
        json_decref(more);
        json_decref(out);
        return NULL;
    }
    json_decref(more);
    return out;
}
