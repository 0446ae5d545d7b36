/*
 * fuzz_segment.c - any bytes through the segmenter: it must either refuse
 * them (invalid UTF-8) or return paragraphs whose offsets lie inside the
 * input, in order, each within the paragraph size limit.
 */
#include <stdint.h>
#include <stdlib.h>

#include "text/segment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static rk_seg_list_t list;
    char err[256];
    if (rk_seg_split((const char *)data, size, &list, err, sizeof err))
        return 0;
    size_t prev = 0;
    for (size_t i = 0; i < list.count; i++) {
        const rk_seg_para_t *p = &list.items[i];
        if (p->start < prev || p->end > size || p->start >= p->end ||
            p->text_len > RK_SEG_MAX_PARAGRAPH_BYTES ||
            p->text[p->text_len] != '\0')
            abort();
        prev = p->end;
    }
    return 0;
}
