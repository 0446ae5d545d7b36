/*
 * normalize.c - see normalize.h. Two paths to the same result, with
 * buffers owned by the rk_norm_t so neither allocates once warm:
 *
 *   fast   one pass over the UTF-8: each character that has a
 *          normalisation boundary before it (charclass.h) is replaced by
 *          its NFKC_Casefold mapping from the table; a run that has not
 *          (a letter and the marks after it) is given to ICU alone, which
 *          by ICU's contract for boundaries normalises the same as the
 *          whole text would there. Our mappings and the spacing follow in
 *          the same pass, straight into UTF-8. When every character written
 *          is SELF in the table, the result is normalised and the ICU path
 *          would have stopped after its first round too; otherwise the text
 *          goes down the ICU path from the start.
 *   ICU    UTF-8 to UTF-16, NFKC_Casefold, our mappings, repeated until
 *          stable, and back to UTF-8.
 */
#include "text/normalize.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "core/grow.h"
#include "core/utf8.h"
#include "text/charclass.h"

typedef struct ubuf_s {
    UChar *p;
    int32_t len, cap;
} ubuf_t;

struct rk_norm_s {
    const UNormalizer2 *nfkc_cf; /* owned by ICU, never freed */
    ubuf_t raw, norm, mapped;    /* the ICU path; mapped: its result */
    ubuf_t seg, seg_norm;        /* the fast path's runs for ICU */
    char *out;                   /* the result as UTF-8 */
    size_t out_len, out_cap;
    int have_utf16; /* mapped holds the result too */
    int plain;      /* see rk_norm_plain */
    int fast;       /* see rk_norm_set_fast */
    /* For U+0000..U+07FF: 1 when the fast path writes the character as it
     * is whatever the switches (SELF, not complex, not white space, and no
     * mapping of ours touches it), the bulk of ASCII and Arabic text. */
    unsigned char copy[0x800];
};

rk_norm_opts_t rk_norm_opts_default(void) {
    return (rk_norm_opts_t){1, 1, 1, 0};
}

static int grow(ubuf_t *b, int32_t need) {
    if (need <= b->cap)
        return 1;
    int32_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    UChar *p = realloc(b->p, (size_t)cap * sizeof *p);
    if (!p)
        return 0;
    b->p = p;
    b->cap = cap;
    return 1;
}

static UChar32 map_char(UChar32 c, const rk_norm_opts_t *o);

/* Fills n->copy (see the struct). */
static void fill_copy(rk_norm_t *n) {
    const rk_norm_opts_t on = {1, 1, 1, 0}, off = {0, 0, 0, 0};
    for (UChar32 c = 0; c < 0x800; c++) {
        const rk_cc_t *e = rk_cc_get((uint32_t)c);
        n->copy[c] = (e->flags & RK_CC_SELF) &&
                     rk_cc_word(e) != RK_CC_W_COMPLEX && c != ' ' &&
                     map_char(c, &on) == c && map_char(c, &off) == c;
    }
}

rk_err_t rk_norm_new(rk_norm_t **out, char *errstr, size_t errstr_size) {
    *out = NULL;
    rk_norm_t *n = calloc(1, sizeof *n);
    if (!n)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    UErrorCode status = U_ZERO_ERROR;
    n->nfkc_cf = unorm2_getNFKCCasefoldInstance(&status);
    n->fast = 1;
    if (U_FAILURE(status) || rk_cc_init()) {
        free(n);
        return rk_fail(RK_ERR_INTERNAL, errstr, errstr_size,
                       "ICU NFKC_Casefold unavailable: %s",
                       u_errorName(status));
    }
    fill_copy(n);
    *out = n;
    return RK_OK;
}

void rk_norm_destroy(rk_norm_t *n) {
    if (!n)
        return;
    free(n->raw.p);
    free(n->norm.p);
    free(n->mapped.p);
    free(n->seg.p);
    free(n->seg_norm.p);
    free(n->out);
    free(n);
}

/* What one code point becomes: 0 to drop it, ' ' for white space, or the
 * code point to emit. */
static UChar32 map_char(UChar32 c, const rk_norm_opts_t *o) {
    /* Fast path for what most text is made of - ASCII letters, digits and
     * space, and the Arabic letters no option maps - sparing the ICU
     * property calls at the end (a tenth of normalising time). */
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return c;
    if (c == ' ')
        return ' ';
    if ((c >= 0x0621 && c <= 0x063A && c != 0x0622 && c != 0x0623 &&
         c != 0x0625 && c != 0x0629) ||
        (c >= 0x0641 && c <= 0x064A && c != 0x0649))
        return c;
    if ((c >= 0x064B && c <= 0x065F) || c == 0x0670 ||
        (c >= 0x0610 && c <= 0x061A) || (c >= 0x06D6 && c <= 0x06ED) ||
        c == 0x0640 /* tatweel */)
        return 0;
    if (c == 0x200B || c == 0x200C || c == 0x200D || c == 0x200E ||
        c == 0x200F || c == 0x061C || c == 0xFEFF || c == 0x2060 ||
        (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069))
        return 0;
    if (c >= 0x0660 && c <= 0x0669)
        return '0' + (c - 0x0660);
    if (c >= 0x06F0 && c <= 0x06F9)
        return '0' + (c - 0x06F0);
    if (o->alef && (c == 0x0622 || c == 0x0623 || c == 0x0625 || c == 0x0671 ||
                    c == 0x0672 || c == 0x0673))
        return 0x0627;
    if (o->alef_maqsura && c == 0x0649)
        return 0x064A;
    if (o->ta_marbuta && c == 0x0629)
        return 0x0647;
    if (u_isUWhiteSpace(c) || u_iscntrl(c))
        return ' ';
    return c;
}

/* src -> dst: applies map_char and collapses spaces; trimmed. */
static int map_text(const ubuf_t *src, ubuf_t *dst, const rk_norm_opts_t *o) {
    if (!grow(dst, src->len + 1))
        return 0;
    int32_t i = 0, j = 0;
    int pending_space = 0;
    while (i < src->len) {
        UChar32 c;
        U16_NEXT(src->p, i, src->len, c);
        c = map_char(c, o);
        if (c == 0)
            continue;
        if (c == ' ') {
            pending_space = j > 0;
            continue;
        }
        if (pending_space) {
            dst->p[j++] = ' ';
            pending_space = 0;
        }
        U16_APPEND_UNSAFE(dst->p, j, c);
    }
    dst->len = j;
    return 1;
}

static rk_err_t nfkc_cf(rk_norm_t *n, const ubuf_t *src, ubuf_t *dst,
                        char *errstr, size_t errstr_size) {
    for (;;) {
        UErrorCode status = U_ZERO_ERROR;
        int32_t got = unorm2_normalize(n->nfkc_cf, src->p, src->len, dst->p,
                                       dst->cap, &status);
        if (status == U_BUFFER_OVERFLOW_ERROR) {
            if (!grow(dst, got + 1))
                return rk_fail(RK_ERR_NOMEM, errstr, errstr_size,
                               "out of memory");
            continue;
        }
        if (U_FAILURE(status))
            return rk_fail(RK_ERR_INTERNAL, errstr, errstr_size,
                           "ICU normalisation failed: %s", u_errorName(status));
        dst->len = got;
        return RK_OK;
    }
}

static int grow_out(rk_norm_t *n, size_t need) {
    return need <= n->out_cap || rk_grow(&n->out, &n->out_cap, need, 1, 256);
}

/* The ICU path (see the top): in must be valid UTF-8 unless
 * opts->replace_invalid. */
static rk_err_t icu_path(rk_norm_t *n, const rk_norm_opts_t *opts,
                         const char *in, size_t len, char *errstr,
                         size_t errstr_size) {
    if (!grow(&n->raw, (int32_t)len + 1))
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    UErrorCode status = U_ZERO_ERROR;
    int32_t subs = 0;
    u_strFromUTF8WithSub(n->raw.p, n->raw.cap, &n->raw.len, in, (int32_t)len,
                         0xFFFD, &subs, &status);
    if (U_FAILURE(status))
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "cannot decode UTF-8: %s", u_errorName(status));
    /* NFKC_Casefold, then our mappings; removing marks can leave text that
     * NFKC would compose differently, so repeat until stable (at most a
     * couple of rounds) - this is what makes the result idempotent. */
    rk_err_t err = nfkc_cf(n, &n->raw, &n->norm, errstr, errstr_size);
    for (int round = 0; !err && round < 4; round++) {
        if (!map_text(&n->norm, &n->mapped, opts))
            return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
        status = U_ZERO_ERROR;
        if (unorm2_isNormalized(n->nfkc_cf, n->mapped.p, n->mapped.len,
                                &status) &&
            U_SUCCESS(status))
            break;
        err = nfkc_cf(n, &n->mapped, &n->norm, errstr, errstr_size);
    }
    if (err)
        return err;
    if (!grow_out(n, (size_t)n->mapped.len * 3 + 1))
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    int32_t olen = 0;
    status = U_ZERO_ERROR;
    u_strToUTF8(n->out, (int32_t)n->out_cap, &olen, n->mapped.p, n->mapped.len,
                &status);
    if (U_FAILURE(status))
        return rk_fail(RK_ERR_INTERNAL, errstr, errstr_size,
                       "cannot encode UTF-8: %s", u_errorName(status));
    n->out_len = (size_t)olen;
    n->have_utf16 = 1;
    n->plain = 0;
    return RK_OK;
}

/* ---- the fast path ------------------------------------------------------ */

/* The fast path's output state: the UTF-8 written so far and what the
 * table says about it. */
typedef struct emit_s {
    rk_norm_t *n;
    const rk_norm_opts_t *opts;
    size_t len;
    int pending_space; /* a space goes before the next character */
    int unsure;        /* a character written is not SELF in the table */
    int complex;       /* ... or has a complex word class */
} emit_t;

static inline size_t put_utf8(char *o, uint32_t c) {
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (c >> 18));
    o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* Writes m, a character map_char returned, as map_text would: 0 is
 * dropped, spaces collapse. The caller has made room for 5 bytes. e is m's
 * table entry when the caller has it (NULL: looked up). */
static inline void put_mapped(emit_t *st, uint32_t m, const rk_cc_t *e) {
    if (m == 0)
        return;
    if (m == ' ') {
        st->pending_space = st->len > 0;
        return;
    }
    if (!e)
        e = rk_cc_get(m);
    if (!e || !(e->flags & RK_CC_SELF))
        st->unsure = 1;
    else if (rk_cc_word(e) == RK_CC_W_COMPLEX)
        st->complex = 1;
    char *o = st->n->out;
    if (st->pending_space) {
        o[st->len++] = ' ';
        st->pending_space = 0;
    }
    st->len += put_utf8(o + st->len, m);
}

/* Writes the NFKC_Casefold result of one character that has a boundary
 * before it (c, entry e): itself, or its mapping from the table. */
static int put_boundary_char(emit_t *st, uint32_t c, const rk_cc_t *e) {
    if (e->flags & RK_CC_SELF) {
        if (!grow_out(st->n, st->len + 6))
            return 0;
        uint32_t m = map_char((UChar32)c, st->opts);
        put_mapped(st, m, m == c ? e : NULL);
        return 1;
    }
    if (!grow_out(st->n, st->len + 2 * (size_t)e->map_len + 6))
        return 0;
    const unsigned char *map =
        (const unsigned char *)rk_cc_map_bytes() + e->map_off;
    for (size_t i = 0; i < e->map_len;)
        put_mapped(st, map_char((UChar32)rk_cc_decode(map, &i), st->opts),
                   NULL);
    return 1;
}

/* Writes the NFKC_Casefold result of in[0..len), a run that starts at a
 * boundary and ends before one, as ICU gives it. */
static int put_icu_run(emit_t *st, const char *in, size_t len) {
    rk_norm_t *n = st->n;
    if (!grow(&n->seg, (int32_t)len + 1))
        return 0;
    int32_t k = 0;
    for (size_t i = 0; i < len;) {
        uint32_t c = rk_cc_decode((const unsigned char *)in, &i);
        U16_APPEND_UNSAFE(n->seg.p, k, c); /* a macro: c only once */
    }
    n->seg.len = k;
    if (nfkc_cf(n, &n->seg, &n->seg_norm, NULL, 0))
        return 0;
    const ubuf_t *r = &n->seg_norm;
    if (!grow_out(n, st->len + 4 * (size_t)r->len + 6))
        return 0;
    for (int32_t i = 0; i < r->len;) {
        UChar32 c;
        U16_NEXT_UNSAFE(r->p, i, c);
        put_mapped(st, (uint32_t)map_char(c, st->opts), NULL);
    }
    return 1;
}

/* The fast path (see the top). Returns 1 when it produced the result, 0
 * when it did not (it cannot vouch for the result, or an allocation or ICU
 * failed): the ICU path then runs, and reports any error itself.
 *
 * A character with a boundary before it is written at once. One without
 * belongs with the characters before it back to the last one with a
 * boundary (last; before: the output before that one was written): that
 * one is taken back, and the run from it to the next boundary goes to ICU.
 * The bulk, characters in copy[] and spaces, is written inline. */
static int fast_path(rk_norm_t *n, const rk_norm_opts_t *opts, const char *in,
                     size_t len) {
    const unsigned char *s = (const unsigned char *)in;
    /* The output's length and pending space live in registers (out, pend);
     * st is the state the slow routes share, synced around them. */
    emit_t st = {n, opts, 0, 0, 0, 0}, before = st;
    size_t last = 0, i = 0, out = 0, before_out = 0;
    int pend = 0, before_pend = 0, last_general = 0;
    if (!grow_out(n, len + 8))
        return 0;
    while (i < len) {
        uint32_t c = s[i];
        size_t k = 1;
        if (c >= 0x80 && c < 0xE0) {
            c = ((c & 0x1F) << 6) | (s[i + 1] & 0x3Fu);
            k = 2;
        } else if (c >= 0x80) {
            size_t j = i;
            c = rk_cc_decode(s, &j);
            k = j - i;
        }
        if (c < 0x800 && n->copy[c]) {
            last = i, before_out = out, before_pend = pend, last_general = 0;
            if (out + 8 > n->out_cap && !grow_out(n, out + 8))
                return 0;
            char *o = n->out + out;
            if (pend) {
                *o++ = ' ';
                out++;
                pend = 0;
            }
            o[0] = (char)s[i];
            if (k == 2)
                o[1] = (char)s[i + 1];
            out += k;
            i += k;
            continue;
        }
        if (c == ' ') {
            last = i++, before_out = out, before_pend = pend, last_general = 0;
            pend = out > 0;
            continue;
        }
        const rk_cc_t *e = rk_cc_get(c);
        st.len = out, st.pending_space = pend;
        if (e && (e->flags & RK_CC_BOUNDARY)) {
            last = i, before_out = out, before_pend = pend, last_general = 1;
            before = st;
            if (!put_boundary_char(&st, c, e))
                return 0;
            i += k;
        } else {
            size_t end = i + k;
            while (end < len) {
                size_t j = end;
                e = rk_cc_get(rk_cc_decode(s, &j));
                if (e && (e->flags & RK_CC_BOUNDARY))
                    break;
                end = j;
            }
            /* Take back the last boundary character: it goes to ICU with
             * the run after it. */
            if (last_general) {
                st.unsure = before.unsure;
                st.complex = before.complex;
            }
            st.len = before_out, st.pending_space = before_pend;
            if (!put_icu_run(&st, in + last, end - last))
                return 0;
            i = end;
        }
        out = st.len, pend = st.pending_space;
    }
    if (st.unsure || !grow_out(n, out + 1))
        return 0;
    n->out[out] = '\0';
    n->out_len = out;
    n->have_utf16 = 0;
    n->plain = !st.complex;
    return 1;
}

/* ---- entry points ------------------------------------------------------- */

static rk_err_t normalize(rk_norm_t *n, const rk_norm_opts_t *opts,
                          const char *in, size_t len, int valid,
                          const char **out, size_t *out_len, char *errstr,
                          size_t errstr_size) {
    if (len > INT32_MAX / 2)
        return rk_fail(RK_ERR_LIMIT, errstr, errstr_size,
                       "text of %zu bytes is too large to normalise", len);
    if (!(valid && n->fast && fast_path(n, opts, in, len))) {
        rk_err_t err = icu_path(n, opts, in, len, errstr, errstr_size);
        if (err)
            return err;
    }
    *out = n->out;
    *out_len = n->out_len;
    return RK_OK;
}

rk_err_t rk_norm_text(rk_norm_t *n, const rk_norm_opts_t *opts, const char *in,
                      size_t len, const char **out, size_t *out_len,
                      char *errstr, size_t errstr_size) {
    size_t bad;
    int valid = rk_utf8_valid(in, len, &bad);
    if (!opts->replace_invalid && !valid)
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "invalid UTF-8 at byte offset %zu", bad);
    return normalize(n, opts, in, len, valid, out, out_len, errstr,
                     errstr_size);
}

rk_err_t rk_norm_valid_text(rk_norm_t *n, const rk_norm_opts_t *opts,
                            const char *in, size_t len, const char **out,
                            size_t *out_len, char *errstr, size_t errstr_size) {
    assert(rk_utf8_valid(in, len, NULL));
    return normalize(n, opts, in, len, 1, out, out_len, errstr, errstr_size);
}

const UChar *rk_norm_utf16(rk_norm_t *n, int32_t *len) {
    if (!n->have_utf16) {
        /* The fast path's result: valid UTF-8, at most one UTF-16 unit a
         * byte. */
        if (!grow(&n->mapped, (int32_t)n->out_len + 1))
            return NULL;
        UErrorCode status = U_ZERO_ERROR;
        u_strFromUTF8(n->mapped.p, n->mapped.cap, &n->mapped.len, n->out,
                      (int32_t)n->out_len, &status);
        if (U_FAILURE(status))
            return NULL;
        n->have_utf16 = 1;
    }
    *len = n->mapped.len;
    return n->mapped.p;
}

const char *rk_norm_utf8(const rk_norm_t *n, size_t *len) {
    *len = n->out_len;
    return n->out;
}

int rk_norm_plain(const rk_norm_t *n) {
    return n->plain;
}

void rk_norm_set_fast(rk_norm_t *n, int on) {
    n->fast = on;
}
