/*
 * segment.c - see segment.h for the rules. One pass over the lines: each is
 * classified by its leading marker as it is read, and a line that goes on
 * with a paragraph cut by a page break is joined to that paragraph there.
 */
#include "text/segment.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/utf8.h"

#define HEADING_MAX_WORDS 12
/* An unnumbered line this short that ends without punctuation is a title
 * or a date line, not the first half of a paragraph cut by a page break. */
#define JOIN_MIN_WORDS 20

/* How a line ends, by its last mark (see segment.h for the classes). */
typedef enum ending_e {
    END_OPEN,    /* no mark: a word, a number, a footnote reference */
    END_CLAUSE,  /* , ; : and their Arabic forms: the sentence goes on */
    END_LEAD_IN, /* : introduces a list or a table */
    END_SENTENCE /* . ! ? and their Arabic forms, the ellipsis */
} ending_t;

typedef struct line_s {
    size_t start, end; /* trimmed, in the input */
    rk_seg_kind_t kind;
    int has_marker;   /* starts with a number, letter item, bullet, ... */
    ending_t ending;  /* its last mark's class */
    int terminated;   /* ends with any mark: not a title (see classify_line) */
    int blank_before; /* blank lines between this line and the previous */
} line_t;

const char *rk_seg_kind_name(rk_seg_kind_t kind) {
    switch (kind) {
    case RK_SEG_HEADING: return "heading";
    case RK_SEG_LIST_ITEM: return "list_item";
    case RK_SEG_FOOTNOTE: return "footnote";
    default: return "paragraph";
    }
}

static uint32_t peek(const char *s, size_t len, size_t i, size_t *next) {
    size_t j = i;
    uint32_t cp = i < len ? rk_utf8_next(s, len, &j) : 0;
    if (next)
        *next = j;
    return cp;
}

static int is_space(uint32_t cp) {
    return cp == ' ' || cp == '\t' || cp == 0xA0 || cp == '\r' ||
           cp == 0x200F || cp == 0x200E || cp == 0xFEFF;
}

static int is_digit(uint32_t cp) {
    return (cp >= '0' && cp <= '9') || (cp >= 0x0660 && cp <= 0x0669) ||
           (cp >= 0x06F0 && cp <= 0x06F9);
}

static int is_arabic_letter(uint32_t cp) {
    return (cp >= 0x0620 && cp <= 0x064A) || cp == 0x0640;
}

static size_t skip_spaces(const char *s, size_t len, size_t i) {
    size_t next;
    while (i < len && is_space(peek(s, len, i, &next)))
        i = next;
    return i;
}

/* Skips a run of digits; returns the position after it (i when none). */
static size_t skip_digits(const char *s, size_t len, size_t i) {
    size_t next;
    while (i < len && is_digit(peek(s, len, i, &next)))
        i = next;
    return i;
}

static int is_dash(uint32_t cp) {
    return cp == '-' || cp == 0x2013 || cp == 0x2014;
}

/* "14 - ", "١٢ - ", "56. ", "- 17 - " */
static int numbered_paragraph(const char *s, size_t len, size_t i) {
    size_t next;
    if (is_dash(peek(s, len, i, &next)))
        i = skip_spaces(s, len, next);
    size_t d = skip_digits(s, len, i);
    if (d == i)
        return 0;
    uint32_t cp = peek(s, len, d, &next);
    if (cp == '.')
        return next >= len || is_space(peek(s, len, next, NULL));
    d = skip_spaces(s, len, d);
    return is_dash(peek(s, len, d, NULL));
}

/* "(أ) ", "(هـ) ", "(a) ", "(iv) ", "a) " */
static int lettered_item(const char *s, size_t len, size_t i) {
    size_t next;
    int paren = peek(s, len, i, &next) == '(';
    if (paren)
        i = next;
    int letters = 0;
    uint32_t cp;
    while ((cp = peek(s, len, i, &next)) &&
           (is_arabic_letter(cp) || (cp >= 'a' && cp <= 'z')) && letters < 4) {
        letters++;
        i = next;
    }
    return letters > 0 && letters <= (paren ? 4 : 1) &&
           peek(s, len, i, &next) == ')';
}

/* "(1) ", "(١) ", "⁽١⁾" */
static int is_superscript_digit(uint32_t cp) {
    return cp == 0xB9 || cp == 0xB2 || cp == 0xB3 ||
           (cp >= 0x2070 && cp <= 0x2079 && cp != 0x2071 && cp != 0x2072 &&
            cp != 0x2073);
}

static int footnote_marker(const char *s, size_t len, size_t i) {
    size_t next;
    uint32_t cp = peek(s, len, i, &next);
    if (cp == 0x207D)
        return 1;
    if (is_superscript_digit(cp)) { /* "¹ This refers to ..." */
        while (is_superscript_digit(cp = peek(s, len, next, &next)))
            ;
        return is_space(cp);
    }
    if (cp != '(')
        return 0;
    size_t d = skip_digits(s, len, next);
    return d > next && peek(s, len, d, NULL) == ')';
}

static int starts_with(const char *s, size_t len, size_t i, const char *p) {
    size_t n = strlen(p);
    return len - i >= n && !memcmp(s + i, p, n);
}

/* Letter and ordinal headings of UN documents, followed by " - ". */
static int ordinal_heading(const char *s, size_t len, size_t i) {
    static const char *const words[] = {
        "ألف",   "باء",   "جيم",   "دال",   "هاء",   "واو",   "زاي",
        "حاء",   "طاء",   "ياء",   "أولا",  "ثانيا", "ثالثا", "رابعا",
        "خامسا", "سادسا", "سابعا", "ثامنا", "تاسعا", "عاشرا"};
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
        if (!starts_with(s, len, i, words[w]))
            continue;
        size_t j = i + strlen(words[w]), next;
        if (peek(s, len, j, &next) == 0x064B) /* tanween: أولاً */
            j = next;
        j = skip_spaces(s, len, j);
        if (is_dash(peek(s, len, j, NULL)))
            return 1;
    }
    /* "A. ", "IV. ", "Pillar I", "Annex" */
    if (starts_with(s, len, i, "Pillar ") || starts_with(s, len, i, "Annex"))
        return 1;
    size_t j = i;
    while (j < len &&
           (strchr("IVX", s[j]) || (j == i && s[j] >= 'A' && s[j] <= 'H')))
        j++;
    return j > i && j - i <= 4 && j + 1 < len && s[j] == '.' && s[j + 1] == ' ';
}

static int is_sentence_mark(uint32_t cp) {
    return cp == '.' || cp == '!' || cp == '?' || cp == 0x061F /* ؟ */ ||
           cp == 0x06D4 /* ۔ Arabic full stop */ || cp == 0x2026 /* … */;
}

static int is_clause_mark(uint32_t cp) {
    return cp == ',' || cp == ';' || cp == 0x060C /* ، */ ||
           cp == 0x061B /* ؛ */;
}

/* Closing brackets and quotes: the mark before them decides. */
static int is_closing(uint32_t cp) {
    return cp == ')' || cp == ']' || cp == '"' || cp == '\'' ||
           cp == 0xBB /* » */ || cp == 0x201D /* ” */ || cp == 0x2019;
}

static int is_footnote_ref(uint32_t cp) {
    return cp == 0x207D || cp == 0x207E || cp == 0xB9 || cp == 0xB2 ||
           cp == 0xB3 || (cp >= 0x2070 && cp <= 0x2079) || cp == '*';
}

/* The code point before s[*i] (valid UTF-8), not before s[start]; moves
 * *i back to it. */
static uint32_t prev_cp(const char *s, size_t start, size_t *i) {
    size_t j = rk_utf8_floor(s, start, *i - 1), k = j;
    *i = j;
    return rk_utf8_next(s, SIZE_MAX, &k);
}

/* The line's ending, looking past trailing footnote references "⁽³⁾",
 * spaces and closing brackets or quotes; *marked tells whether its last
 * character is any mark at all (a title has none). Read backwards from
 * the end: only the line's last few characters matter. */
static ending_t ending(const char *s, size_t start, size_t end, int *marked) {
    uint32_t last = 0, before_closing = 0, cp = 0;
    size_t i = end;
    int found = 0;
    while (i > start && !found) { /* the last character that counts */
        cp = prev_cp(s, start, &i);
        found = !is_footnote_ref(cp) && !is_space(cp);
    }
    if (found)
        last = cp;
    int closing = found && is_closing(last);
    found = 0;
    while (closing && i > start && !found) { /* the mark before the run */
        cp = prev_cp(s, start, &i);
        found = !is_footnote_ref(cp) && !is_space(cp) && !is_closing(cp);
    }
    if (found)
        before_closing = cp;
    uint32_t mark = closing ? before_closing : last;
    *marked = closing || is_sentence_mark(last) || is_clause_mark(last) ||
              last == ':';
    if (is_sentence_mark(mark))
        return END_SENTENCE;
    if (mark == ':')
        return END_LEAD_IN;
    if (is_clause_mark(mark))
        return END_CLAUSE;
    /* A bracket or quote closed after a word ("(2016)") ends nothing. */
    return END_OPEN;
}

static size_t count_words(const char *s, size_t start, size_t end) {
    size_t words = 0;
    int in_word = 0;
    for (size_t i = start; i < end; i++) {
        int sp = s[i] == ' ' || s[i] == '\t';
        if (!sp && !in_word)
            words++;
        in_word = !sp;
    }
    return words;
}

static void classify_line(const char *s, line_t *l) {
    size_t i = l->start, len = l->end, next;
    uint32_t first = peek(s, len, i, &next);
    l->ending = ending(s, l->start, l->end, &l->terminated);
    l->has_marker = 1;
    if (first == '#') {
        size_t j = i;
        while (j < len && s[j] == '#')
            j++;
        j = skip_spaces(s, len, j);
        /* "### ١٣ - ..." is a numbered paragraph with a stray markup. */
        l->kind =
            numbered_paragraph(s, len, j) ? RK_SEG_PARAGRAPH : RK_SEG_HEADING;
    } else if (numbered_paragraph(s, len, i)) {
        l->kind = RK_SEG_PARAGRAPH;
    } else if (footnote_marker(s, len, i) ||
               (first == '*' && peek(s, len, next, NULL) != '*')) {
        /* "* ..." is a footnote; "**bold**" is markup on a paragraph. */
        l->kind = RK_SEG_FOOTNOTE;
    } else if (lettered_item(s, len, i) || first == 0x2022 || first == 0x25CF ||
               first == 0x25AA ||
               ((is_dash(first)) && is_space(peek(s, len, next, NULL))) ||
               memchr(s + l->start, '\t', l->end - l->start)) {
        l->kind = RK_SEG_LIST_ITEM;
        if (memchr(s + l->start, '\t', l->end - l->start)) {
            l->terminated = 1; /* a table row is complete in itself */
            l->ending = END_SENTENCE;
        }
    } else if (ordinal_heading(s, len, i)) {
        l->kind = RK_SEG_HEADING;
    } else {
        l->has_marker = 0;
        l->kind = (!l->terminated &&
                   count_words(s, l->start, l->end) <= HEADING_MAX_WORDS)
                      ? RK_SEG_HEADING
                      : RK_SEG_PARAGRAPH;
    }
}

/* Whether the paragraph last (whose last line is prev) may go on after a
 * page break: it must not have ended its sentence. A clause mark (, ; ،
 * ؛) ends the unnumbered paragraphs of a resolution's preamble, so only a
 * numbered paragraph or a list item goes on after one; a line with no
 * mark at all goes on when it is numbered or long enough not to be a
 * title (JOIN_MIN_WORDS). */
static int goes_on(const line_t *prev, const rk_seg_para_t *last) {
    if ((prev->kind != RK_SEG_PARAGRAPH && prev->kind != RK_SEG_LIST_ITEM) ||
        last->kind != prev->kind)
        return 0;
    if (prev->ending == END_CLAUSE)
        return prev->has_marker;
    return prev->ending == END_OPEN &&
           (prev->has_marker ||
            count_words(last->text, 0, last->text_len) >= JOIN_MIN_WORDS);
}

static rk_err_t push(rk_seg_list_t *out, const char *s, size_t start,
                     size_t end, rk_seg_kind_t kind, char *errstr,
                     size_t errstr_size) {
    if (out->count == out->cap &&
        !rk_grow(&out->items, &out->cap, out->count + 1, sizeof *out->items,
                 64))
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    assert(start < end && end - start <= RK_SEG_MAX_PARAGRAPH_BYTES);
    char *text = malloc(end - start + 1);
    if (!text)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    memcpy(text, s + start, end - start);
    text[end - start] = '\0';
    rk_seg_para_t *p = &out->items[out->count++];
    *p = (rk_seg_para_t){start, end, kind, NULL, text, end - start};
    p->lang = rk_utf8_script_lang(text, p->text_len);
    return RK_OK;
}

/* Joins a page-break continuation onto the last paragraph. */
static rk_err_t join(rk_seg_para_t *p, const char *s, const line_t *l,
                     char *errstr, size_t errstr_size) {
    size_t add = l->end - l->start;
    char *text = realloc(p->text, p->text_len + 1 + add + 1);
    if (!text)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    text[p->text_len] = ' ';
    memcpy(text + p->text_len + 1, s + l->start, add);
    p->text_len += 1 + add;
    text[p->text_len] = '\0';
    p->text = text;
    p->end = l->end;
    p->lang = rk_utf8_script_lang(text, p->text_len);
    return RK_OK;
}

/* The byte at which a piece of at most max bytes starting at i ends,
 * backed off to a UTF-8 boundary. */
static size_t piece_end(const char *s, size_t i, size_t end, size_t max) {
    if (end - i <= max)
        return end;
    return rk_utf8_floor(s, i, i + max);
}

static void clear(rk_seg_list_t *list) {
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i].text);
    list->count = 0;
}

rk_err_t rk_seg_split(const char *doc, size_t len, rk_seg_list_t *out,
                      char *errstr, size_t errstr_size) {
    clear(out);
    size_t bad;
    if (!rk_utf8_valid(doc, len, &bad))
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "invalid UTF-8 at byte offset %zu", bad);
    int blanks = 0, have_prev = 0;
    line_t prev = {0};
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(doc + pos, '\n', len - pos);
        size_t line_end = nl ? (size_t)(nl - doc) : len;
        line_t l = {0};
        l.start = skip_spaces(doc, line_end, pos);
        l.end = line_end;
        while (l.end > l.start) { /* trim trailing spaces (ASCII, NBSP) */
            size_t k = rk_utf8_floor(doc, l.start, l.end - 1), j = k;
            if (!is_space(rk_utf8_next(doc, l.end, &j)))
                break;
            l.end = k;
        }
        pos = nl ? line_end + 1 : len;
        if (l.start == l.end) {
            blanks++;
            continue;
        }
        l.blank_before = blanks;
        blanks = 0;
        classify_line(doc, &l);
        rk_err_t err;
        rk_seg_para_t *last = out->count ? &out->items[out->count - 1] : NULL;
        int continues = have_prev && last && l.blank_before > 0 &&
                        !l.has_marker && l.kind != RK_SEG_HEADING &&
                        goes_on(&prev, last) &&
                        last->text_len + 1 + (l.end - l.start) <=
                            RK_SEG_MAX_PARAGRAPH_BYTES;
        if (continues) {
            err = join(last, doc, &l, errstr, errstr_size);
            prev.terminated = l.terminated;
            prev.ending = l.ending;
            /* Its number was the first half's: one more page break must be
             * crossed on the words alone. */
            prev.has_marker = 0;
        } else {
            err = RK_OK;
            for (size_t i = l.start; i < l.end && !err;) {
                size_t e = piece_end(doc, i, l.end, RK_SEG_MAX_PARAGRAPH_BYTES);
                err = push(out, doc, i, e, l.kind, errstr, errstr_size);
                i = e;
            }
            prev = l;
        }
        if (err)
            return err;
        have_prev = 1;
    }
    return RK_OK;
}

void rk_seg_list_free(rk_seg_list_t *list) {
    if (!list)
        return;
    clear(list);
    free(list->items);
    list->items = NULL;
    list->cap = 0;
}
