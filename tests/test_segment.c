/*
 * test_segment.c - the segmenter on the four seed documents. Expectations
 * were written by reading the seeds: if one fails, a paragraph is lost,
 * cut, merged with its neighbour, or of the wrong kind, and every record
 * downstream (offsets, labels) inherits the mistake.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "text/segment.h"

static const rk_seg_para_t *find(const rk_seg_list_t *l, const char *prefix) {
    for (size_t i = 0; i < l->count; i++)
        if (!strncmp(l->items[i].text, prefix, strlen(prefix)))
            return &l->items[i];
    return NULL;
}

static int ends_with(const char *s, size_t len, const char *suffix) {
    size_t n = strlen(suffix);
    return len >= n && !memcmp(s + len - n, suffix, n);
}

/* kind, and (optionally) how the text ends, for the paragraph starting
 * with prefix; the offsets must point at that text in the document. */
static void expect(const char *doc, const rk_seg_list_t *l, const char *prefix,
                   rk_seg_kind_t kind, const char *suffix, const char *lang) {
    const rk_seg_para_t *p = find(l, prefix);
    CHECK(p != NULL, "a paragraph starting '%s' exists", prefix);
    if (!p)
        return;
    CHECK(p->kind == kind, "'%s' is a %s, got %s", prefix,
          rk_seg_kind_name(kind), rk_seg_kind_name(p->kind));
    CHECK(!strcmp(p->lang, lang), "'%s' is in %s, got %s", prefix, lang,
          p->lang);
    CHECK(!strncmp(doc + p->start, prefix, strlen(prefix)),
          "start offset of '%s' points at its first byte", prefix);
    if (suffix) {
        CHECK(ends_with(p->text, p->text_len, suffix),
              "'%s' ends with '%s' (not cut, not merged)", prefix, suffix);
        CHECK(ends_with(doc + p->start, p->end - p->start, suffix),
              "end offset of '%s' is just after '%s'", prefix, suffix);
    }
}

/* Every non-space byte of the document belongs to exactly one paragraph,
 * in order: nothing is lost or counted twice. */
static void expect_coverage(const char *name, const char *doc, size_t len,
                            const rk_seg_list_t *l) {
    size_t prev_end = 0, uncovered = 0, p = 0;
    int ordered = 1;
    for (size_t i = 0; i < l->count; i++) {
        if (l->items[i].start < prev_end ||
            l->items[i].end <= l->items[i].start)
            ordered = 0;
        prev_end = l->items[i].end;
    }
    for (size_t i = 0; i < len; i++) {
        while (p < l->count && l->items[p].end <= i)
            p++;
        int inside = p < l->count && l->items[p].start <= i;
        if (!inside && !isspace((unsigned char)doc[i]) &&
            (unsigned char)doc[i] != 0xC2 && (unsigned char)doc[i] != 0xA0)
            uncovered++;
    }
    CHECK(ordered, "%s: paragraphs are in document order, disjoint", name);
    CHECK(uncovered == 0, "%s: %zu non-space bytes belong to no paragraph",
          name, uncovered);
}

static void test_seed_000(void) {
    /* If it fails: a seed 000 paragraph is lost, cut, merged or mis-kinded. */
    rk_seg_list_t l = {0};
    char err[256];
    size_t len;
    char *d000 = rk_test_read_seed("000", &len);
    CHECK(rk_seg_split(d000, len, &l, err, sizeof err) == RK_OK, "%s", err);
    expect_coverage("000", d000, len, &l);
    expect(d000, &l, "بشأن", RK_SEG_HEADING, "بشأن", "ar");
    expect(d000, &l, "وإذ يستذكر القرارات السابقة", RK_SEG_PARAGRAPH,
           "بما فيها القرار 41/45-س؛", "ar");
    free(d000);
    rk_seg_list_free(&l);
}

static void test_seed_002(void) {
    /* If it fails: page breaks cut seed 002's paragraphs, or annexes merge. */
    rk_seg_list_t l = {0};
    char err[256];
    size_t len;
    char *d002 = rk_test_read_seed("002", &len);
    CHECK(rk_seg_split(d002, len, &l, err, sizeof err) == RK_OK, "%s", err);
    expect_coverage("002", d002, len, &l);
    expect(d002, &l, "Distr.: General", RK_SEG_HEADING, NULL, "en");
    expect(d002, &l, "أولا - مقدمة", RK_SEG_HEADING, "مقدمة", "ar");
    expect(d002, &l, "ألف - الركيزة الأولى", RK_SEG_HEADING, NULL, "ar");
    /* Paragraph 3 is cut by a page break after "ومكافحته". */
    expect(d002, &l, "3 - وتواصل كيانات", RK_SEG_PARAGRAPH,
           "بوصفهما الركيزة الأساسية لمكافحة الإرهاب.", "ar");
    const rk_seg_para_t *p3 = find(&l, "3 - وتواصل كيانات");
    CHECK(p3 && strstr(p3->text, "ومكافحته وتعزيز دور الأمم المتحدة"),
          "the two halves of paragraph 3 are joined with one space");
    expect(d002, &l, "- 17 - كثفت", RK_SEG_PARAGRAPH, NULL, "ar");
    expect(d002, &l, "(1) الاتحاد الروسي", RK_SEG_FOOTNOTE, NULL, "ar");
    expect(d002, &l, "Pillar I: Measures to address", RK_SEG_HEADING,
           "spread of terrorism", "en");
    expect(d002, &l, "Conflict prevention and resolution", RK_SEG_HEADING, NULL,
           "en");
    /* Annex II paragraph 4 continues after a page break. */
    expect(d002, &l, "4. Through the UNDP-DPPA", RK_SEG_PARAGRAPH,
           "violent extremism are conflict-sensitive.", "en");
    free(d002);
    rk_seg_list_free(&l);
}

static void test_seed_003(void) {
    /* If it fails: seed 003's table of contents is not one item per row. */
    rk_seg_list_t l = {0};
    char err[256];
    size_t len;
    char *d003 = rk_test_read_seed("003", &len);
    CHECK(rk_seg_split(d003, len, &l, err, sizeof err) == RK_OK, "%s", err);
    expect_coverage("003", d003, len, &l);
    expect(d003, &l, "منظمة التعاون الإسلامي", RK_SEG_HEADING, NULL, "ar");
    expect(d003, &l, "OIC/CFM-44/2017/POL/RES/FINAL", RK_SEG_HEADING, NULL,
           "en");
    /* Table of contents rows are items of a list, one per row. */
    expect(d003, &l, "1\tقرار رقم 44/1-س بشأن الوضع في الصومال",
           RK_SEG_LIST_ITEM, "الصومال\t1", "ar");
    expect(d003, &l, "2\tقرار رقم 44/2-س", RK_SEG_LIST_ITEM, NULL, "ar");
    free(d003);
    rk_seg_list_free(&l);
}

static void test_seed_004(void) {
    /* If it fails: seed 004's Markdown or page-split items are misread. */
    rk_seg_list_t l = {0};
    char err[256];
    size_t len;
    char *d004 = rk_test_read_seed("004", &len);
    CHECK(rk_seg_split(d004, len, &l, err, sizeof err) == RK_OK, "%s", err);
    expect_coverage("004", d004, len, &l);
    expect(d004, &l, "## القرار ٢٣٢٢ (٢٠١٦)", RK_SEG_HEADING, NULL, "ar");
    expect(d004, &l, "إن مجلس الأمن،", RK_SEG_PARAGRAPH, NULL, "ar");
    /* Paragraph 7 is cut by a page break before "المعنية بشأن". */
    expect(d004, &l, "٧ - يشجع كذلك الدول", RK_SEG_PARAGRAPH, NULL, "ar");
    const rk_seg_para_t *p7 = find(&l, "٧ - يشجع كذلك الدول");
    CHECK(p7 && strstr(p7->text, " المعنية بشأن هؤلاء الأفراد"),
          "the second half of paragraph 7 is joined to it");
    CHECK(find(&l, "المعنية بشأن هؤلاء") == NULL,
          "the second half of paragraph 7 is not a paragraph of its own");
    expect(d004, &l, "(أ) تبادل المعلومات", RK_SEG_LIST_ITEM, NULL, "ar");
    /* Markdown bold at the start is not a "* ..." footnote. */
    expect(d004, &l, "**وإذ يساوره القلق", RK_SEG_PARAGRAPH, NULL, "ar");
    expect(d004, &l, "(هـ) أن تعين", RK_SEG_LIST_ITEM, NULL, "ar");
    expect(d004, &l, "### ١٣ - يهيب بجميع الدول:", RK_SEG_PARAGRAPH,
           "يهيب بجميع الدول:", "ar");
    free(d004);
    rk_seg_list_free(&l);
}

static void test_invalid_utf8(void) {
    /* If it fails: invalid UTF-8 is segmented, or refused without offset. */
    rk_seg_list_t l = {0};
    char err[256];
    /* Bad input: invalid UTF-8 names its offset; limits hold. */
    const char bad[] = "ok\n\xC0\xAF overlong";
    CHECK(rk_seg_split(bad, sizeof bad - 1, &l, err, sizeof err) ==
                  RK_ERR_DATA &&
              strstr(err, "offset 3"),
          "an overlong encoding is refused naming byte 3: %s", err);
    rk_seg_list_free(&l);
}

static void test_huge_word(void) {
    /* If it fails: one giant word yields a paragraph over the size limit. */
    rk_seg_list_t l = {0};
    char err[256];
    size_t big = RK_SEG_MAX_PARAGRAPH_BYTES * 2 + 10;
    char *word = malloc(big);
    memset(word, 'a', big);
    CHECK(rk_seg_split(word, big, &l, err, sizeof err) == RK_OK &&
              l.count == 3 && l.items[0].text_len == RK_SEG_MAX_PARAGRAPH_BYTES,
          "a single huge word is cut into paragraphs of at most the limit");
    free(word);
    rk_seg_list_free(&l);
}

static void test_empty_document(void) {
    /* If it fails: an empty document yields phantom paragraphs. */
    rk_seg_list_t l = {0};
    char err[256];
    CHECK(rk_seg_split("", 0, &l, err, sizeof err) == RK_OK && l.count == 0,
          "an empty document has no paragraphs");
    rk_seg_list_free(&l);
}

/* The segmented paragraph starting with prefix, from a fresh split of the
 * seed (NULL, with a failed check, when there is none). */
static const rk_seg_para_t *para_of(rk_seg_list_t *l, const char *seed,
                                    const char *prefix, char **doc) {
    char err[256];
    size_t len;
    *doc = rk_test_read_seed(seed, &len);
    CHECK(rk_seg_split(*doc, len, l, err, sizeof err) == RK_OK, "%s", err);
    const rk_seg_para_t *p = find(l, prefix);
    CHECK(p != NULL, "seed %s has a paragraph starting '%s'", seed, prefix);
    return p;
}

/* Page breaks, one case per punctuation class (segment.h): each is a real
 * break in a sample document. */
static void test_page_break_after_arabic_comma(void) {
    /* If it fails: a numbered paragraph of the Secretary-General's report
     * cut by a page break after "،" comes out as two paragraphs. */
    rk_seg_list_t l = {0};
    char *doc;
    const rk_seg_para_t *p = para_of(&l, "002", "- 22 - واصل مركز", &doc);
    CHECK(p && strstr(p->text, "مع الاتحاد الأوروبي، في تنفيذ برنامج تعزيز"),
          "the halves either side of the break after '،' are one paragraph");
    CHECK(!find(&l, "في تنفيذ برنامج تعزيز القدرة"),
          "the second half is not a paragraph of its own");
    free(doc);
    rk_seg_list_free(&l);
}

static void test_page_break_after_latin_comma(void) {
    /* If it fails: an annex list item cut after "," is split in two. */
    rk_seg_list_t l = {0};
    char *doc;
    const rk_seg_para_t *p = para_of(&l, "002", "- **All measures taken", &doc);
    CHECK(p && p->kind == RK_SEG_LIST_ITEM &&
              strstr(p->text, "armed conflict, including that children"),
          "the list item goes on after the break after ','");
    free(doc);
    rk_seg_list_free(&l);
}

static void test_clause_mark_ends_preamble(void) {
    /* If it fails: a resolution's unnumbered preambular paragraphs (each
     * ending in "؛" or "،", the drafting convention) are merged. */
    rk_seg_list_t l = {0};
    char *doc;
    const rk_seg_para_t *p =
        para_of(&l, "000", "وإذ يؤكد الأهداف والمبادئ", &doc);
    CHECK(p && ends_with(p->text, p->text_len, "والاتجار في البشر؛"),
          "a preambular paragraph ending in '؛' ends there");
    free(doc);
    rk_seg_list_free(&l);
    p = para_of(&l, "004", "وإذ يؤكد من جديد أن الإرهاب لا ينبغي", &doc);
    CHECK(p && ends_with(p->text, p->text_len, "أو فئة عرقية،"),
          "a preambular paragraph ending in '،' before three blank lines "
          "ends there");
    free(doc);
    rk_seg_list_free(&l);
}

static void test_colon_is_a_lead_in(void) {
    /* If it fails: a paragraph ending in ':' swallows the next one. */
    rk_seg_list_t l = {0};
    char *doc;
    const rk_seg_para_t *p = para_of(&l, "000", "وإذ يعرب عن انشغاله", &doc);
    CHECK(p != NULL, "the paragraph after one ending in ':' starts its own");
    free(doc);
    rk_seg_list_free(&l);
}

static void test_sentence_mark_ends_paragraph(void) {
    /* If it fails: a paragraph ending in '.' runs into the next line. */
    rk_seg_list_t l = {0};
    char *doc;
    const rk_seg_para_t *p = para_of(&l, "003", "3- يشيد بالنتائج", &doc);
    CHECK(p && ends_with(p->text, p->text_len, "وتحقيق أهدافها."),
          "the operative paragraph goes on after '،' and ends at '.'");
    CHECK(p && strstr(p->text, "للساحل، ويحث الدول الأعضاء"),
          "its halves either side of the break are joined");
    free(doc);
    rk_seg_list_free(&l);
}

static void test_no_join_into_heading_or_footnote(void) {
    /* If it fails: a heading or a footnote after a page break is glued to
     * the paragraph before it. */
    rk_seg_list_t l = {0};
    char *doc;
    const rk_seg_para_t *p = para_of(&l, "002", "¹ This refers to women", &doc);
    CHECK(p && p->kind == RK_SEG_FOOTNOTE,
          "a line starting with a superscript number is a footnote");
    CHECK(find(&l, "Foreword by the Secretary-General") != NULL,
          "a heading after an unfinished line starts its own paragraph");
    free(doc);
    rk_seg_list_free(&l);
    p = para_of(&l, "003", "فهرس", &doc);
    CHECK(p && p->kind == RK_SEG_HEADING,
          "the contents heading after the date line is its own heading");
    free(doc);
    rk_seg_list_free(&l);
}

TEST_LIST = {
    {"seed_000", test_seed_000},
    {"page_break_after_arabic_comma", test_page_break_after_arabic_comma},
    {"page_break_after_latin_comma", test_page_break_after_latin_comma},
    {"clause_mark_ends_preamble", test_clause_mark_ends_preamble},
    {"colon_is_a_lead_in", test_colon_is_a_lead_in},
    {"sentence_mark_ends_paragraph", test_sentence_mark_ends_paragraph},
    {"no_join_into_heading_or_footnote", test_no_join_into_heading_or_footnote},
    {"seed_002", test_seed_002},
    {"seed_003", test_seed_003},
    {"seed_004", test_seed_004},
    {"invalid_utf8", test_invalid_utf8},
    {"huge_word", test_huge_word},
    {"empty_document", test_empty_document},
    {NULL, NULL}};
