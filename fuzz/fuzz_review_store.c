/*
 * fuzz_review_store.c - any bytes as the messages `rakiza review` reads:
 * the input is cut at 0xFF bytes (never in UTF-8) into messages, each led
 * by a byte that says what it is ('s' a labelled sample "KEY\tVALUE", 't' a
 * tombstone for KEY, anything else a record on the output topic). The
 * store (bounded to 4 paragraphs, so eviction runs) must refuse what is
 * malformed and keep its promises: never more than its bound, a queue no
 * longer than what it keeps, and page data whose JSON holds no raw '<',
 * '>' or '&'.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "review/store.h"
#include "review/view.h"

static void feed(rk_review_store_t *s, const uint8_t *m, size_t len) {
    char err[256];
    if (len == 0)
        return;
    const char *body = (const char *)m + 1;
    size_t n = len - 1;
    if (m[0] == 's' || m[0] == 't') {
        const char *tab = memchr(body, '\t', n);
        size_t klen = tab ? (size_t)(tab - body) : n;
        const char *value = m[0] == 's' && tab ? tab + 1 : NULL;
        rk_review_store_add_sample(s, body, klen, value,
                                   value ? n - klen - 1 : 0, err, sizeof err);
    } else {
        rk_review_store_add_record(s, body, n, NULL, err, sizeof err);
    }
}

static void check_items(const rk_review_store_t *s,
                        const rk_review_filter_t *f) {
    json_t *v = rk_review_view_items(s, f, 0, 10, NULL);
    if (!v)
        abort();
    if ((size_t)json_integer_value(json_object_get(v, "total")) >
        rk_review_store_count(s))
        abort();
    size_t len = 0;
    char *out = rk_review_json_dumps(v, &len);
    if (!out || strlen(out) != len || strpbrk(out, "<>&"))
        abort();
    free(out);
    json_decref(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    rk_review_store_t *s = rk_review_store_new(4);
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i == size || data[i] == 0xFF) {
            feed(s, data + start, i - start);
            start = i + 1;
        }
    }
    if (rk_review_store_count(s) > 4)
        abort();
    rk_review_filter_t any = {0}, abstained = {NULL, NULL, 1, NULL};
    check_items(s, &any);
    check_items(s, &abstained);
    json_t *l = rk_review_store_labels(s), *sum = rk_review_store_summary(s);
    if (!l || !sum)
        abort();
    json_decref(l);
    json_decref(sum);
    rk_review_store_destroy(s);
    return 0;
}
