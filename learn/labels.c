/*
 * labels.c - see labels.h. Entries live in one array in first-seen order;
 * an open-addressing table of indexes (FNV-1a of the key, linear probing,
 * kept at most half full) finds a key's entry. A withdrawn key keeps its
 * entry with present = 0, so the table never needs deletions.
 */
#include "learn/labels.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/hash.h"
#include "core/limits.h"
#include "core/utf8.h"

typedef struct entry_s {
    char *key;
    rk_sample_t sample; /* valid when present */
    int present;
} entry_t;

struct rk_labels_s {
    entry_t *items;
    size_t count, cap, present;
    size_t *slots; /* index + 1 into items; 0 is free */
    size_t nslots; /* a power of two */
    char *allowed[RK_MAX_LABELS];
    int nallowed;
};

static const char *const code_names[] = {NULL,       NULL,        "bad_utf8",
                                         "bad_json", "bad_field", "bad_label",
                                         "empty",    "too_large"};

const char *rk_label_code_name(rk_label_code_t c) {
    return (size_t)c < sizeof code_names / sizeof *code_names ? code_names[c]
                                                              : NULL;
}

rk_labels_t *rk_labels_new(void) {
    rk_labels_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->nslots = 256;
    if (!(s->slots = calloc(s->nslots, sizeof *s->slots))) {
        free(s);
        return NULL;
    }
    return s;
}

static void sample_clear(rk_sample_t *x) {
    free(x->text);
    free(x->label);
    free(x->lang);
    free(x->source);
    free(x->group);
    memset(x, 0, sizeof *x);
}

void rk_labels_destroy(rk_labels_t *s) {
    if (!s)
        return;
    for (size_t i = 0; i < s->count; i++) {
        free(s->items[i].key);
        sample_clear(&s->items[i].sample);
    }
    for (int i = 0; i < s->nallowed; i++)
        free(s->allowed[i]);
    free(s->items);
    free(s->slots);
    free(s);
}

rk_err_t rk_labels_allow(rk_labels_t *s, const char *const *labels, int n,
                         char *errstr, size_t errstr_size) {
    if (n < 0 || n > RK_MAX_LABELS)
        return rk_fail(RK_ERR_USAGE, errstr, errstr_size,
                       "at most %d allowed labels", RK_MAX_LABELS);
    char *copy[RK_MAX_LABELS] = {0};
    for (int i = 0; i < n; i++)
        if (!(copy[i] = strdup(labels[i]))) {
            while (i--)
                free(copy[i]);
            return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
        }
    for (int i = 0; i < s->nallowed; i++)
        free(s->allowed[i]);
    memcpy(s->allowed, copy, (size_t)n * sizeof *copy);
    s->nallowed = n;
    return RK_OK;
}

static size_t hash_key(const char *key) {
    return (size_t)rk_fnv1a(RK_FNV_OFFSET, key, strlen(key));
}

/* The slot holding key, or the free slot where it would go. */
static size_t *slot_of(const rk_labels_t *s, const char *key) {
    size_t i = hash_key(key) & (s->nslots - 1);
    while (s->slots[i] && strcmp(s->items[s->slots[i] - 1].key, key))
        i = (i + 1) & (s->nslots - 1);
    return &s->slots[i];
}

/* Doubles the table when it would pass half full; 0 when out of memory. */
static int grow(rk_labels_t *s) {
    if (s->count == s->cap &&
        !rk_grow(&s->items, &s->cap, s->count + 1, sizeof *s->items, 64))
        return 0;
    if (2 * (s->count + 1) <= s->nslots)
        return 1;
    size_t n = s->nslots * 2, *slots = calloc(n, sizeof *slots);
    if (!slots)
        return 0;
    for (size_t e = 0; e < s->count; e++) {
        size_t i = hash_key(s->items[e].key) & (n - 1);
        while (slots[i])
            i = (i + 1) & (n - 1);
        slots[i] = e + 1;
    }
    free(s->slots);
    s->slots = slots;
    s->nslots = n;
    return 1;
}

static int allowed(const rk_labels_t *s, const char *label) {
    for (int i = 0; i < s->nallowed; i++)
        if (!strcmp(s->allowed[i], label))
            return 1;
    return 0;
}

/* Checks a value; fills x (text, label, lang) when it is a sample. */
static rk_label_code_t parse(const rk_labels_t *s, const char *v, size_t len,
                             rk_sample_t *x, char *why, size_t n) {
    size_t bad;
    if (len == 0)
        return snprintf(why, n, "empty value"), RK_LABEL_EMPTY;
    if (len > RK_LABELS_MAX_BYTES)
        return snprintf(why, n, "value of %zu bytes is over the %zu-byte limit",
                        len, RK_LABELS_MAX_BYTES),
               RK_LABEL_TOO_LARGE;
    if (!rk_utf8_valid(v, len, &bad))
        return snprintf(why, n, "invalid UTF-8 at byte %zu", bad),
               RK_LABEL_BAD_UTF8;
    json_error_t jerr;
    json_t *o = json_loadb(v, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!o || !json_is_object(o)) {
        snprintf(why, n, "not a JSON object%s%s", o ? "" : ": ",
                 o ? "" : jerr.text);
        json_decref(o);
        return RK_LABEL_BAD_JSON;
    }
    json_t *text = json_object_get(o, "text"),
           *label = json_object_get(o, "label"),
           *lang = json_object_get(o, "lang");
    const char *field =
        !json_is_string(text) || !json_string_length(text)     ? "text"
        : !json_is_string(label) || !json_string_length(label) ? "label"
        : lang && !json_is_null(lang) && !json_is_string(lang) ? "lang"
                                                               : NULL;
    rk_label_code_t code = RK_LABEL_OK;
    if (field) {
        snprintf(why, n, "'%s' must be a non-empty string", field);
        code = RK_LABEL_BAD_FIELD;
    } else if (!allowed(s, json_string_value(label))) {
        snprintf(why, n, "label '%.64s' is not one of the allowed labels",
                 json_string_value(label));
        code = RK_LABEL_BAD_LABEL;
    } else {
        x->text_len = json_string_length(text);
        x->text = malloc(x->text_len + 1);
        if (x->text)
            memcpy(x->text, json_string_value(text), x->text_len + 1);
        x->label = strdup(json_string_value(label));
        x->lang = strdup(json_is_string(lang)
                             ? json_string_value(lang)
                             : rk_utf8_script_lang(x->text, x->text_len));
    }
    json_decref(o);
    return code;
}

rk_err_t rk_labels_apply(rk_labels_t *s, const void *key, size_t key_len,
                         const void *value, size_t len, rk_label_code_t *code,
                         char *why, size_t why_size) {
    size_t bad;
    *why = '\0';
    if (!key || !key_len) {
        snprintf(why, why_size, "no key (the sample id, DOC_ID:INDEX)");
        *code = value && len ? RK_LABEL_BAD_FIELD : RK_LABEL_EMPTY;
        return RK_OK;
    }
    if (!rk_utf8_valid(key, key_len, &bad) || memchr(key, 0, key_len)) {
        snprintf(why, why_size, "key: invalid UTF-8 at byte %zu", bad);
        *code = RK_LABEL_BAD_UTF8;
        return RK_OK;
    }
    rk_sample_t x = {0};
    if (value) {
        *code = parse(s, value, len, &x, why, why_size);
        if (*code != RK_LABEL_OK)
            return RK_OK;
        if (!x.text || !x.label || !x.lang) {
            sample_clear(&x);
            return RK_ERR_NOMEM;
        }
    } else {
        *code = RK_LABEL_TOMBSTONE;
    }
    char *k = malloc(key_len + 1);
    if (!k || !grow(s)) {
        free(k);
        sample_clear(&x);
        return RK_ERR_NOMEM;
    }
    memcpy(k, key, key_len);
    k[key_len] = '\0';
    size_t *slot = slot_of(s, k);
    entry_t *e;
    if (*slot) {
        e = &s->items[*slot - 1];
        free(k);
        if (e->present)
            s->present--;
        sample_clear(&e->sample);
    } else if (value) {
        e = &s->items[s->count++];
        e->key = k;
        *slot = s->count;
    } else { /* withdrawing a key never seen: nothing to do */
        free(k);
        return RK_OK;
    }
    e->present = value != NULL;
    e->sample = x;
    s->present += e->present;
    return RK_OK;
}

size_t rk_labels_count(const rk_labels_t *s) {
    return s->present;
}

rk_err_t rk_sample_push_copy(rk_sample_set_t *set, const rk_sample_t *x,
                             char *errstr, size_t errstr_size) {
    if (set->count == set->cap &&
        !rk_grow(&set->items, &set->cap, set->count + 1, sizeof *set->items,
                 256))
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    rk_sample_t c = {0};
    c.text = malloc(x->text_len + 1);
    if (c.text) {
        memcpy(c.text, x->text, x->text_len);
        c.text[x->text_len] = '\0';
    }
    c.text_len = x->text_len;
    c.label = strdup(x->label);
    c.lang =
        strdup(x->lang ? x->lang : rk_utf8_script_lang(x->text, x->text_len));
    c.source = strdup(x->source ? x->source : "");
    c.group = strdup(x->group ? x->group : x->source ? x->source : "");
    if (!c.text || !c.label || !c.lang || !c.source || !c.group) {
        sample_clear(&c);
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    set->items[set->count++] = c;
    return RK_OK;
}

static int by_key(const void *a, const void *b) {
    return strcmp((*(const entry_t *const *)a)->key,
                  (*(const entry_t *const *)b)->key);
}

rk_err_t rk_labels_samples(const rk_labels_t *s, rk_sample_set_t *out,
                           char *errstr, size_t errstr_size) {
    const entry_t **order = malloc((s->present + 1) * sizeof *order);
    if (!order)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    size_t m = 0;
    for (size_t i = 0; i < s->count; i++)
        if (s->items[i].present)
            order[m++] = &s->items[i];
    qsort(order, m, sizeof *order, by_key);
    rk_err_t err = RK_OK;
    for (size_t i = 0; !err && i < m; i++) {
        rk_sample_t x = order[i]->sample;
        const char *key = order[i]->key, *colon = strrchr(key, ':');
        size_t n = strlen(key) + 7;
        char *source = malloc(n), *group = malloc(n);
        if (!source || !group) {
            free(source);
            free(group);
            err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
            break;
        }
        /* A paragraph's group is its document: DOC_ID of DOC_ID:INDEX. */
        snprintf(source, n, "label:%s", key);
        snprintf(group, n, "label:%.*s",
                 (int)(colon && colon > key ? colon - key : (long)strlen(key)),
                 key);
        x.source = source;
        x.group = group;
        err = rk_sample_push_copy(out, &x, errstr, errstr_size);
        free(source);
        free(group);
    }
    free(order);
    return err;
}
