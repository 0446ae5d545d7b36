/*
 * charclass.h - what the text fast paths need to know about a code point,
 * read from ICU once per process into one table (private to text/:
 * normalize.c and tokenize.c include it, nothing else).
 *
 * The table covers U+0000..U+2FFF (Latin, Arabic and every other
 * alphabetic script, punctuation, symbols) and U+FB00..U+FFFF (Arabic
 * presentation forms, ligatures, full-width forms); rk_cc_get gives NULL
 * for every other code point, and the fast paths then leave that text to
 * ICU. For each code point in it:
 *   RK_CC_BOUNDARY  ICU's unorm2_hasBoundaryBefore under NFKC_Casefold: the
 *                   text before it and from it on normalise independently,
 *                   so a run of such characters normalises one character
 *                   at a time (its mapping, below);
 *   RK_CC_SELF      boundary and NFKC_Casefold leaves it as it is, so a
 *                   text made only of such characters is normalised;
 *   map             when it has a boundary but is not SELF: its
 *                   NFKC_Casefold mapping, UTF-8, possibly empty;
 *   word class      its class in ICU's word break rules (Word_Break
 *                   property): letter, number, the three "mid" classes
 *                   that join letters or numbers, other (never part of a
 *                   word), or complex (rules tokenize.c leaves to ICU:
 *                   Extend, Format, Hebrew, Katakana, ExtendNumLet,
 *                   emoji, dictionary scripts, line separators, ...);
 *   stem script     which Snowball stemmer a word starting with it gets
 *                   (tokenize.h): none (not alphabetic), Arabic, other.
 * The properties come from the ICU the process runs with, so they can never
 * disagree with the ICU paths they stand in for.
 *
 * Cost: built on first use (rk_cc_init, thread-safe, a few milliseconds),
 * then read-only; an entry is 4 bytes, looked up by index.
 */
#ifndef RK_CHARCLASS_H
#define RK_CHARCLASS_H

#include <stddef.h>
#include <stdint.h>

#define RK_CC_BOUNDARY 0x01u
#define RK_CC_SELF 0x02u
#define RK_CC_WORD_SHIFT 2
#define RK_CC_WORD_MASK (0x7u << RK_CC_WORD_SHIFT)
#define RK_CC_STEM_SHIFT 5
#define RK_CC_STEM_MASK (0x3u << RK_CC_STEM_SHIFT)

/* Word break classes (bits RK_CC_WORD_MASK). */
enum {
    RK_CC_W_OTHER = 0,
    RK_CC_W_LETTER = 1,     /* ALetter */
    RK_CC_W_NUMBER = 2,     /* Numeric */
    RK_CC_W_MID_LETTER = 3, /* MidLetter: joins two letters */
    RK_CC_W_MID_NUM = 4,    /* MidNum: joins two numbers */
    RK_CC_W_MID_BOTH = 5,   /* MidNumLet, Single_Quote: joins either */
    RK_CC_W_COMPLEX = 7
};

/* Stem scripts (bits RK_CC_STEM_MASK), as tokenize.h chooses stemmers. */
enum { RK_CC_S_NONE = 0, RK_CC_S_ARABIC = 1, RK_CC_S_OTHER = 2 };

typedef struct rk_cc_s {
    uint8_t flags;    /* RK_CC_* bits */
    uint8_t map_len;  /* bytes of the mapping (boundary, not SELF) */
    uint16_t map_off; /* its offset in rk_cc_map_bytes() */
} rk_cc_t;

/* Builds the table (once per process; later calls return at once).
 * Returns 0 on success, -1 when ICU's normaliser is unavailable. */
int rk_cc_init(void);

#define RK_CC_LOW_END 0x3000u    /* U+0000..U+2FFF */
#define RK_CC_HIGH_START 0xFB00u /* U+FB00..U+FFFF */

/* The table itself (filled by rk_cc_init; read through rk_cc_get). */
extern rk_cc_t rk_cc_table[RK_CC_LOW_END + (0x10000u - RK_CC_HIGH_START)];

/* The table entry for cp, or NULL outside the table. rk_cc_init must
 * have succeeded. Inline: the fast paths ask once or twice a character. */
static inline const rk_cc_t *rk_cc_get(uint32_t cp) {
    if (cp < RK_CC_LOW_END)
        return &rk_cc_table[cp];
    if (cp >= RK_CC_HIGH_START && cp <= 0xFFFFu)
        return &rk_cc_table[RK_CC_LOW_END + (cp - RK_CC_HIGH_START)];
    return NULL;
}

/* The mappings' bytes (entries point into them). */
const char *rk_cc_map_bytes(void);

static inline unsigned rk_cc_word(const rk_cc_t *e) {
    return (e->flags & RK_CC_WORD_MASK) >> RK_CC_WORD_SHIFT;
}

static inline unsigned rk_cc_stem(const rk_cc_t *e) {
    return (e->flags & RK_CC_STEM_MASK) >> RK_CC_STEM_SHIFT;
}

/* Decodes the code point at s[*i] (valid UTF-8: not checked) and advances
 * *i past it. */
static inline uint32_t rk_cc_decode(const unsigned char *s, size_t *i) {
    uint32_t c = s[*i];
    if (c < 0x80) {
        *i += 1;
        return c;
    }
    if (c < 0xE0) {
        c = ((c & 0x1F) << 6) | (s[*i + 1] & 0x3Fu);
        *i += 2;
    } else if (c < 0xF0) {
        c = ((c & 0x0F) << 12) | ((s[*i + 1] & 0x3Fu) << 6) |
            (s[*i + 2] & 0x3Fu);
        *i += 3;
    } else {
        c = ((c & 0x07) << 18) | ((s[*i + 1] & 0x3Fu) << 12) |
            ((s[*i + 2] & 0x3Fu) << 6) | (s[*i + 3] & 0x3Fu);
        *i += 4;
    }
    return c;
}

#endif
