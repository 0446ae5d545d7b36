/*
 * normalize.c - see normalize.h. Works in UTF-16, ICU's native form, with
 * buffers owned by the rk_norm_t so the hot path does not allocate.
 */
#include "text/normalize.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "core/utf8.h"

typedef struct ubuf_s {
    UChar *p;
    int32_t len, cap;
} ubuf_t;

struct rk_norm_s {
    const UNormalizer2 *nfkc_cf; /* owned by ICU, never freed */
    ubuf_t raw, norm, mapped;
    char *out;
    size_t out_cap;
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

rk_err_t rk_norm_new(rk_norm_t **out, char *errstr, size_t errstr_size) {
    *out = NULL;
    rk_norm_t *n = calloc(1, sizeof *n);
    if (!n)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    UErrorCode status = U_ZERO_ERROR;
    n->nfkc_cf = unorm2_getNFKCCasefoldInstance(&status);
    if (U_FAILURE(status)) {
        free(n);
        return rk_fail(RK_ERR_INTERNAL, errstr, errstr_size,
                       "ICU NFKC_Casefold unavailable: %s",
                       u_errorName(status));
    }
    *out = n;
    return RK_OK;
}

void rk_norm_destroy(rk_norm_t *n) {
    if (!n)
        return;
    free(n->raw.p);
    free(n->norm.p);
    free(n->mapped.p);
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

rk_err_t rk_norm_text(rk_norm_t *n, const rk_norm_opts_t *opts, const char *in,
                      size_t len, const char **out, size_t *out_len,
                      char *errstr, size_t errstr_size) {
    size_t bad;
    if (!opts->replace_invalid && !rk_utf8_valid(in, len, &bad))
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "invalid UTF-8 at byte offset %zu", bad);
    if (len > INT32_MAX / 2)
        return rk_fail(RK_ERR_LIMIT, errstr, errstr_size,
                       "text of %zu bytes is too large to normalise", len);
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
    size_t need = (size_t)n->mapped.len * 3 + 1;
    if (need > n->out_cap) {
        char *o = realloc(n->out, need);
        if (!o)
            return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
        n->out = o;
        n->out_cap = need;
    }
    int32_t olen = 0;
    status = U_ZERO_ERROR;
    u_strToUTF8(n->out, (int32_t)n->out_cap, &olen, n->mapped.p, n->mapped.len,
                &status);
    if (U_FAILURE(status))
        return rk_fail(RK_ERR_INTERNAL, errstr, errstr_size,
                       "cannot encode UTF-8: %s", u_errorName(status));
    *out = n->out;
    *out_len = (size_t)olen;
    return RK_OK;
}

const UChar *rk_norm_utf16(const rk_norm_t *n, int32_t *len) {
    *len = n->mapped.len;
    return n->mapped.p;
}
