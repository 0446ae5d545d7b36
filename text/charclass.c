/*
 * charclass.c - see charclass.h. The table is process-wide, built once
 * under pthread_once and never written again, so any number of threads may
 * read it.
 */
#include "text/charclass.h"

#include <pthread.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>

#define LOW_END RK_CC_LOW_END
#define HIGH_START RK_CC_HIGH_START
#define TABLE_SIZE (LOW_END + (0x10000u - HIGH_START))
#define MAP_POOL_MAX 0xFFFFu /* map_off is 16 bits */

rk_cc_t rk_cc_table[TABLE_SIZE];
static char map_pool[MAP_POOL_MAX];
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_status = -1;

/* ICU's word break rules (its word.txt) tailor UAX #29: "@" is a letter
 * (for e-mail addresses) and the colons are not MidLetter ("a:b" is two
 * words). */
static unsigned word_class(UChar32 c) {
    if (c == '@')
        return RK_CC_W_LETTER;
    if (c == ':' || c == 0xFE55 || c == 0xFF1A)
        return RK_CC_W_OTHER;
    UErrorCode status = U_ZERO_ERROR;
    UScriptCode script = uscript_getScript(c, &status);
    /* Emoji sequences, and the scripts ICU splits with dictionaries. */
    if (u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC) ||
        u_hasBinaryProperty(c, UCHAR_IDEOGRAPHIC) ||
        u_getIntPropertyValue(c, UCHAR_LINE_BREAK) == U_LB_COMPLEX_CONTEXT ||
        script == USCRIPT_HAN || script == USCRIPT_HIRAGANA ||
        script == USCRIPT_KATAKANA || U_FAILURE(status))
        return RK_CC_W_COMPLEX;
    switch (u_getIntPropertyValue(c, UCHAR_WORD_BREAK)) {
    case U_WB_ALETTER: return RK_CC_W_LETTER;
    case U_WB_NUMERIC: return RK_CC_W_NUMBER;
    case U_WB_MIDLETTER: return RK_CC_W_MID_LETTER;
    case U_WB_MIDNUM: return RK_CC_W_MID_NUM;
    case U_WB_MIDNUMLET:
    case U_WB_SINGLE_QUOTE: return RK_CC_W_MID_BOTH;
    case U_WB_OTHER:
    case U_WB_DOUBLE_QUOTE: /* special only next to Hebrew (complex) */
    case U_WB_WSEGSPACE: return RK_CC_W_OTHER;
    default: return RK_CC_W_COMPLEX;
    }
}

static unsigned stem_script(UChar32 c) {
    UErrorCode status = U_ZERO_ERROR;
    if (!u_hasBinaryProperty(c, UCHAR_ALPHABETIC))
        return RK_CC_S_NONE;
    return uscript_getScript(c, &status) == USCRIPT_ARABIC ? RK_CC_S_ARABIC
                                                           : RK_CC_S_OTHER;
}

/* Fills e's normalisation bits and mapping for c. A character whose
 * mapping does not fit the pool gets neither bit: ICU handles it. */
static void set_norm(const UNormalizer2 *nfkc_cf, UChar32 c, rk_cc_t *e,
                     size_t *pool_used) {
    UChar in[2], out[64];
    int32_t in_len = 0;
    U16_APPEND_UNSAFE(in, in_len, c);
    UErrorCode status = U_ZERO_ERROR;
    int32_t out_len = unorm2_normalize(
        nfkc_cf, in, in_len, out, (int32_t)(sizeof out / sizeof *out), &status);
    if (U_FAILURE(status) || !unorm2_hasBoundaryBefore(nfkc_cf, c))
        return;
    if (out_len == in_len && !memcmp(in, out, (size_t)in_len * sizeof *in)) {
        e->flags |= RK_CC_BOUNDARY | RK_CC_SELF;
        return;
    }
    char utf8[256];
    int32_t utf8_len = 0;
    status = U_ZERO_ERROR;
    u_strToUTF8(utf8, (int32_t)sizeof utf8, &utf8_len, out, out_len, &status);
    if (U_FAILURE(status) || utf8_len > 255 ||
        *pool_used + (size_t)utf8_len > MAP_POOL_MAX)
        return; /* not in the table's terms: ICU decides */
    memcpy(map_pool + *pool_used, utf8, (size_t)utf8_len);
    e->map_off = (uint16_t)*pool_used;
    e->map_len = (uint8_t)utf8_len;
    *pool_used += (size_t)utf8_len;
    e->flags |= RK_CC_BOUNDARY;
}

static void build(void) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *nfkc_cf = unorm2_getNFKCCasefoldInstance(&status);
    if (U_FAILURE(status))
        return;
    size_t pool_used = 0;
    for (uint32_t i = 0; i < TABLE_SIZE; i++) {
        UChar32 c = (UChar32)(i < LOW_END ? i : HIGH_START + (i - LOW_END));
        rk_cc_t *e = &rk_cc_table[i];
        if (U_IS_SURROGATE(c))
            continue; /* never decoded from valid UTF-8 */
        set_norm(nfkc_cf, c, e, &pool_used);
        e->flags |= (uint8_t)(word_class(c) << RK_CC_WORD_SHIFT);
        e->flags |= (uint8_t)(stem_script(c) << RK_CC_STEM_SHIFT);
    }
    init_status = 0;
}

int rk_cc_init(void) {
    pthread_once(&once, build);
    return init_status;
}

const char *rk_cc_map_bytes(void) {
    return map_pool;
}
