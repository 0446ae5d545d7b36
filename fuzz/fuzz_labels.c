/*
 * fuzz_labels.c - any bytes as the labels topic `rakiza learn` reads: the
 * input is cut at 0xFF bytes (never in UTF-8) into messages, each
 * "KEY\tVALUE" (no tab: a tombstone for KEY). The set must give every
 * message a code, keep no more samples than distinct keys, and hand back
 * samples that are all non-empty valid UTF-8 text with an allowed label,
 * a language and a group.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "learn/labels.h"

static const char *const allowed[] = {"conditions", "prevention", "none"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    rk_labels_t *s = rk_labels_new();
    char err[256], why[512];
    if (!s || rk_labels_allow(s, allowed, 3, err, sizeof err))
        abort();
    size_t start = 0, messages = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && data[i] != 0xFF)
            continue;
        const char *m = (const char *)data + start;
        size_t n = i - start;
        const char *tab = memchr(m, '\t', n);
        size_t klen = tab ? (size_t)(tab - m) : n;
        rk_label_code_t code = RK_LABEL_OK;
        if (rk_labels_apply(s, m, klen, tab ? tab + 1 : NULL,
                            tab ? n - klen - 1 : 0, &code, why,
                            sizeof why) != RK_OK)
            abort();
        if (code > RK_LABEL_TOO_LARGE)
            abort();
        messages++;
        start = i + 1;
    }
    if (rk_labels_count(s) > messages)
        abort();
    rk_sample_set_t out = {0};
    if (rk_labels_samples(s, &out, err, sizeof err) ||
        out.count != rk_labels_count(s))
        abort();
    for (size_t i = 0; i < out.count; i++) {
        const rk_sample_t *x = &out.items[i];
        size_t bad;
        int ok = 0;
        for (int k = 0; k < 3; k++)
            ok |= !strcmp(x->label, allowed[k]);
        if (!ok || !x->text_len || !rk_utf8_valid(x->text, x->text_len, &bad) ||
            !x->lang || !x->group || strncmp(x->source, "label:", 6))
            abort();
    }
    rk_labelled_free(&out);
    rk_labels_destroy(s);
    return 0;
}
