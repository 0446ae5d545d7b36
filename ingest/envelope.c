/*
 * envelope.c - decodes one Kafka message into a document (see envelope.h).
 *
 * Memory is bounded by the limits: the raw payload is refused before any
 * copy when it is over max_message_bytes, and gunzip stops one byte past
 * max_decompressed_bytes, so a gzip bomb costs at most that much.
 */
#include "ingest/envelope.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/utf8.h"
#include "ingest/envelope_scan.h"

static const char *const code_names[] = {"ok",        "bad_utf8",  "bad_json",
                                         "bad_field", "too_large", "bad_gzip",
                                         "empty",     "internal"};

const char *rk_env_code_name(rk_env_code_t code) {
    if ((unsigned)code >= sizeof code_names / sizeof code_names[0])
        return "internal";
    return code_names[code];
}

void rk_env_limits_default(rk_env_limits_t *limits) {
    limits->max_message_bytes = RK_ENV_DEFAULT_MAX_MESSAGE_BYTES;
    limits->max_decompressed_bytes = RK_ENV_DEFAULT_MAX_DECOMPRESSED_BYTES;
}

void rk_env_doc_clear(rk_env_doc_t *doc) {
    if (!doc)
        return;
    free(doc->id);
    free(doc->text);
    free(doc->lang);
    free(doc->meta_json);
    memset(doc, 0, sizeof *doc);
}

/* Formats the reason through rk_fail and yields the dead-letter code. */
#define fail(code, errstr, errstr_size, ...)                                   \
    (rk_fail(RK_ERR_DATA, errstr, errstr_size, __VA_ARGS__), (code))

static int is_gzip(const unsigned char *p, size_t len) {
    return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/* Inflates a gzip stream (concatenated members allowed, as gunzip does)
 * into a malloc'd buffer of at most max bytes. */
static rk_env_code_t gunzip(const unsigned char *in, size_t in_len, size_t max,
                            char **out, size_t *out_len, char *errstr,
                            size_t errstr_size) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return fail(RK_ENV_INTERNAL, errstr, errstr_size,
                    "cannot initialise zlib");
    size_t cap = in_len * 4 < 4096 ? 4096 : in_len * 4;
    if (cap > max + 1)
        cap = max + 1;
    char *buf = malloc(cap);
    if (!buf) {
        inflateEnd(&zs);
        return fail(RK_ENV_INTERNAL, errstr, errstr_size, "out of memory");
    }
    size_t n = 0, consumed = 0;
    rk_env_code_t code = RK_ENV_OK;
    for (;;) {
        if (n == cap) {
            if (cap > max) { /* one byte past the limit was produced */
                code = fail(RK_ENV_TOO_LARGE, errstr, errstr_size,
                            "gzip payload inflates to more than %zu bytes "
                            "(max decompressed bytes)",
                            max);
                break;
            }
            size_t bigger = cap * 2 > max + 1 ? max + 1 : cap * 2;
            char *nb = realloc(buf, bigger);
            if (!nb) {
                code =
                    fail(RK_ENV_INTERNAL, errstr, errstr_size, "out of memory");
                break;
            }
            buf = nb;
            cap = bigger;
        }
        /* zlib counts in uInt; feed and drain in chunks it can hold. */
        size_t in_left = in_len - consumed, out_left = cap - n;
        zs.next_in = (Bytef *)(in + consumed);
        zs.avail_in = in_left > UINT32_MAX ? UINT32_MAX : (uInt)in_left;
        zs.next_out = (Bytef *)(buf + n);
        zs.avail_out = out_left > UINT32_MAX ? UINT32_MAX : (uInt)out_left;
        uInt avail_in0 = zs.avail_in, avail_out0 = zs.avail_out;
        int rc = inflate(&zs, Z_NO_FLUSH);
        consumed += avail_in0 - zs.avail_in;
        n += avail_out0 - zs.avail_out;
        if (rc == Z_STREAM_END) {
            if (consumed == in_len)
                break;
            /* Another member follows, or trailing bytes that must be one. */
            if (!is_gzip(in + consumed, in_len - consumed)) {
                code = fail(RK_ENV_BAD_GZIP, errstr, errstr_size,
                            "bad_gzip: unexpected bytes after the gzip "
                            "stream at byte %zu",
                            consumed);
                break;
            }
            inflateReset(&zs);
            continue;
        }
        if (rc == Z_OK)
            continue;
        if (rc == Z_BUF_ERROR && zs.avail_out == 0)
            continue; /* needs room: grow on the next turn */
        if (rc == Z_BUF_ERROR && consumed == in_len) {
            code = fail(RK_ENV_BAD_GZIP, errstr, errstr_size,
                        "gzip stream truncated after %zu compressed bytes",
                        in_len);
            break;
        }
        code = fail(RK_ENV_BAD_GZIP, errstr, errstr_size,
                    "corrupt gzip stream near compressed byte %zu: %s",
                    consumed, zs.msg ? zs.msg : "inflate failed");
        break;
    }
    inflateEnd(&zs);
    if (code) {
        free(buf);
        return code;
    }
    *out = buf;
    *out_len = n;
    return RK_ENV_OK;
}

static int is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* Offset of the first non-space byte, or len when there is none. Only ASCII
 * white space counts: a document of NBSPs is text, not empty. */
static size_t skip_space(const char *p, size_t len) {
    size_t i = 0;
    while (i < len && is_space((unsigned char)p[i]))
        i++;
    return i;
}

/* Valid UTF-8 and no NUL byte (downstream text is C strings). */
static rk_env_code_t check_text(const char *what, const char *p, size_t len,
                                char *errstr, size_t errstr_size) {
    size_t bad = 0;
    if (!rk_utf8_valid(p, len, &bad))
        return fail(RK_ENV_BAD_UTF8, errstr, errstr_size,
                    "%s: invalid UTF-8 at byte %zu", what, bad);
    const char *nul = memchr(p, '\0', len);
    if (nul)
        return fail(RK_ENV_BAD_UTF8, errstr, errstr_size,
                    "%s: NUL byte at byte %zu", what, (size_t)(nul - p));
    return RK_ENV_OK;
}

/* What the tree gives for name: its kind, and a copy of a string. */
static rk_env_code_t tree_field(json_t *obj, const char *name,
                                rk_env_field_t *f, char *errstr,
                                size_t errstr_size) {
    json_t *v = json_object_get(obj, name);
    f->kind = !v                  ? RK_ENV_ABSENT
              : json_is_null(v)   ? RK_ENV_NULL
              : json_is_string(v) ? RK_ENV_STRING
                                  : RK_ENV_OTHER;
    if (f->kind != RK_ENV_STRING)
        return RK_ENV_OK;
    f->len = json_string_length(v);
    if (!(f->s = strndup(json_string_value(v), f->len)))
        return fail(RK_ENV_INTERNAL, errstr, errstr_size, "out of memory");
    return RK_ENV_OK;
}

/* A string field, required or optional (absent or null), handed over to
 * *out. */
static rk_env_code_t take_field(rk_env_field_t *f, const char *name,
                                int required, char **out, size_t *out_len,
                                char *errstr, size_t errstr_size) {
    if (f->kind == RK_ENV_ABSENT || (!required && f->kind == RK_ENV_NULL)) {
        if (required)
            return fail(RK_ENV_BAD_FIELD, errstr, errstr_size,
                        "field '%s' is missing", name);
        return RK_ENV_OK;
    }
    if (f->kind != RK_ENV_STRING)
        return fail(RK_ENV_BAD_FIELD, errstr, errstr_size,
                    "field '%s' must be a string", name);
    *out = f->s;
    f->s = NULL;
    if (out_len)
        *out_len = f->len;
    return RK_ENV_OK;
}

/* id, text and lang into doc, in that order, whichever reading found
 * them (rk_env_scan or the tree). */
static rk_env_code_t take_fields(rk_env_scan_t *f, rk_env_doc_t *doc,
                                 char *errstr, size_t errstr_size) {
    rk_env_code_t code = take_field(&f->id, "id", 1, &doc->id, &doc->id_len,
                                    errstr, errstr_size);
    if (!code && doc->id_len == 0)
        code = fail(RK_ENV_BAD_FIELD, errstr, errstr_size,
                    "field 'id' must not be empty");
    if (!code)
        code = take_field(&f->text, "text", 1, &doc->text, &doc->text_len,
                          errstr, errstr_size);
    if (!code)
        code = take_field(&f->lang, "lang", 0, &doc->lang, NULL, errstr,
                          errstr_size);
    return code;
}

/* The last check: a document needs text that is not all white space. */
static rk_env_code_t text_not_blank(const rk_env_doc_t *doc, char *errstr,
                                    size_t errstr_size) {
    if (skip_space(doc->text, doc->text_len) == doc->text_len)
        return fail(RK_ENV_EMPTY, errstr, errstr_size,
                    "field 'text' is empty or white space only");
    return RK_ENV_OK;
}

/* Any JSON, through jansson's tree: what rk_env_scan declines. */
static rk_env_code_t decode_tree(const char *p, size_t len, rk_env_doc_t *doc,
                                 char *errstr, size_t errstr_size) {
    json_error_t jerr;
    /* Duplicate keys are refused: which "text" would be the document? */
    json_t *obj = json_loadb(p, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!obj)
        return fail(RK_ENV_BAD_JSON, errstr, errstr_size,
                    "invalid JSON at byte %d (line %d, column %d): %s",
                    jerr.position, jerr.line, jerr.column, jerr.text);
    rk_env_scan_t f;
    memset(&f, 0, sizeof f);
    rk_env_code_t code = RK_ENV_OK;
    if (!json_is_object(obj))
        code = fail(RK_ENV_BAD_JSON, errstr, errstr_size,
                    "a JSON payload must be an object");
    if (!code)
        code = tree_field(obj, "id", &f.id, errstr, errstr_size);
    if (!code)
        code = tree_field(obj, "text", &f.text, errstr, errstr_size);
    if (!code)
        code = tree_field(obj, "lang", &f.lang, errstr, errstr_size);
    if (!code)
        code = take_fields(&f, doc, errstr, errstr_size);
    json_t *meta = code ? NULL : json_object_get(obj, "meta");
    if (meta && !json_is_null(meta)) {
        if (!json_is_object(meta))
            code = fail(RK_ENV_BAD_FIELD, errstr, errstr_size,
                        "field 'meta' must be an object");
        else if (!(doc->meta_json = json_dumps(meta, JSON_COMPACT)))
            code = fail(RK_ENV_INTERNAL, errstr, errstr_size, "out of memory");
    }
    if (!code)
        code = text_not_blank(doc, errstr, errstr_size);
    rk_env_scan_clear(&f);
    json_decref(obj);
    return code;
}

/* A JSON payload: the common shape by rk_env_scan, anything else by the
 * tree. Both give the same document or the same error (the scanner
 * declines what it cannot read as jansson would). */
static rk_env_code_t decode_json(const char *p, size_t len, rk_env_doc_t *doc,
                                 char *errstr, size_t errstr_size) {
    rk_env_scan_t f;
    int r = rk_env_scan(p, len, &f);
    if (r < 0)
        return fail(RK_ENV_INTERNAL, errstr, errstr_size, "out of memory");
    if (r == 0)
        return decode_tree(p, len, doc, errstr, errstr_size);
    rk_env_code_t code = take_fields(&f, doc, errstr, errstr_size);
    if (!code)
        code = text_not_blank(doc, errstr, errstr_size);
    rk_env_scan_clear(&f);
    return code;
}

/* Raw text: the id is the key, or topic/partition/offset without one. */
static rk_env_code_t raw_id(const rk_env_msg_t *msg, rk_env_doc_t *doc,
                            char *errstr, size_t errstr_size) {
    if (msg->key && msg->key_len > 0) {
        rk_env_code_t code = check_text("message key", msg->key, msg->key_len,
                                        errstr, errstr_size);
        if (code)
            return code;
        doc->id = strndup(msg->key, msg->key_len);
        doc->id_len = msg->key_len;
    } else {
        char buf[512];
        int n =
            snprintf(buf, sizeof buf, "%s/%" PRId32 "/%" PRId64,
                     msg->topic ? msg->topic : "", msg->partition, msg->offset);
        if (n < 0 || (size_t)n >= sizeof buf)
            n = (int)sizeof buf - 1;
        doc->id = strndup(buf, (size_t)n);
        doc->id_len = (size_t)n;
    }
    return doc->id
               ? RK_ENV_OK
               : fail(RK_ENV_INTERNAL, errstr, errstr_size, "out of memory");
}

rk_env_code_t rk_env_decode(const rk_env_limits_t *limits,
                            const rk_env_msg_t *msg, rk_env_doc_t *doc,
                            char *errstr, size_t errstr_size) {
    memset(doc, 0, sizeof *doc);
    const char *p = msg->payload ? msg->payload : "";
    size_t len = msg->payload ? msg->len : 0;
    if (len > limits->max_message_bytes)
        return fail(RK_ENV_TOO_LARGE, errstr, errstr_size,
                    "message of %zu bytes is over the limit of %zu "
                    "(max message bytes)",
                    len, limits->max_message_bytes);

    char *inflated = NULL; /* owned here until handed to doc->text */
    if (is_gzip((const unsigned char *)p, len)) {
        size_t n = 0;
        rk_env_code_t code = gunzip((const unsigned char *)p, len,
                                    limits->max_decompressed_bytes, &inflated,
                                    &n, errstr, errstr_size);
        if (code)
            return code;
        p = inflated;
        len = n;
    }

    rk_env_code_t code = RK_ENV_OK;
    size_t start = skip_space(p, len);
    if (start == len)
        code = fail(RK_ENV_EMPTY, errstr, errstr_size,
                    "message is empty or white space only");
    if (!code)
        code = check_text(inflated ? "decompressed payload" : "payload", p, len,
                          errstr, errstr_size);
    if (!code && p[start] == '{') {
        code = decode_json(p, len, doc, errstr, errstr_size);
    } else if (!code) {
        code = raw_id(msg, doc, errstr, errstr_size);
        if (!code) {
            if (inflated) { /* hand the buffer over instead of copying */
                char *t = realloc(inflated, len + 1);
                if (t) {
                    doc->text = t;
                    inflated = NULL;
                }
            } else {
                doc->text = strndup(p, len); /* p has no NUL: checked */
            }
            if (doc->text) {
                doc->text[len] = '\0';
                doc->text_len = len;
            } else {
                code =
                    fail(RK_ENV_INTERNAL, errstr, errstr_size, "out of memory");
            }
        }
    }
    free(inflated);
    if (code)
        rk_env_doc_clear(doc);
    return code;
}
