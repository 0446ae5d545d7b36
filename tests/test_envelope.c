/*
 * test_envelope.c - the message decoder: real seed documents come through
 * whole (raw, JSON, gzip'd), and every kind of bad input gets the contract's
 * dead-letter code and a message naming the offset or field. If this failed,
 * good documents would be lost to the DLQ or bad ones would reach the
 * classifier (or crash it).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "envelope_oracle.h"
#include "ingest/envelope.h"
#include "ingest/envelope_scan.h"
#include "testutil.h"

/* gzip of `reps` copies of buf (built at test time: no binary fixtures). */
static unsigned char *gzip_repeat(const void *buf, size_t len, size_t reps,
                                  size_t *out_len) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        abort();
    size_t cap = deflateBound(&zs, len * reps) + 64, n = 0;
    if (reps > 1) /* highly repetitive input: the bound is far too big */
        cap = len * reps / 500 + (1 << 16);
    unsigned char *out = malloc(cap);
    for (size_t r = 0; r < reps; r++) {
        zs.next_in = (Bytef *)buf;
        zs.avail_in = (uInt)len;
        int flush = r + 1 == reps ? Z_FINISH : Z_NO_FLUSH;
        int rc;
        do {
            zs.next_out = out + n;
            zs.avail_out = (uInt)(cap - n);
            rc = deflate(&zs, flush);
            n = cap - zs.avail_out;
            if (zs.avail_out == 0) {
                cap *= 2;
                unsigned char *grown = realloc(out, cap);
                if (!grown)
                    abort();
                out = grown;
            }
        } while (zs.avail_in > 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    }
    deflateEnd(&zs);
    *out_len = n;
    return out;
}

static rk_env_code_t decode(const rk_env_limits_t *lim, const void *p,
                            size_t len, const char *key, rk_env_doc_t *doc,
                            char *err, size_t err_size) {
    rk_env_msg_t m = {.payload = p,
                      .len = len,
                      .key = key,
                      .key_len = key ? strlen(key) : 0,
                      .topic = "docs",
                      .partition = 3,
                      .offset = 42};
    return rk_env_decode(lim, &m, doc, err, err_size);
}

static const rk_env_limits_t *default_limits(void) {
    static rk_env_limits_t lim;
    rk_env_limits_default(&lim);
    return &lim;
}

/* Seed 002 as a JSON object with id, lang and meta (malloc'd). */
static char *seed_as_json(const char *seed, size_t len) {
    json_t *o = json_pack("{s:s,s:s%,s:s,s:{s:s,s:i}}", "id", "seed-002",
                          "text", seed, len, "lang", "ar", "meta", "symbol",
                          "A/RES/70/291", "year", 2016);
    char *js = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return js;
}

static void test_raw_text(void) {
    /* If it fails: raw text is altered (offsets drift) or misidentified. */
    const rk_env_limits_t *lim = default_limits();
    char err[256] = "";
    rk_env_doc_t doc;
    size_t len;
    char *seed = rk_test_read_seed("002", &len);

    /* Raw text with a key: the whole seed is the text, the key the id. */
    CHECK(decode(lim, seed, len, "A/RES/70/291", &doc, err, sizeof err) ==
              RK_ENV_OK,
          "a real Arabic UN document decodes as raw text: %s", err);
    CHECK(doc.text_len == len && !memcmp(doc.text, seed, len),
          "raw text comes through byte for byte (offsets depend on it)");
    CHECK(!strcmp(doc.id, "A/RES/70/291"), "the key is the id, got %s", doc.id);
    CHECK(!doc.lang && !doc.meta_json, "raw text has no lang or meta");
    rk_env_doc_clear(&doc);

    /* Raw text without a key: topic/partition/offset. */
    CHECK(decode(lim, seed, len, NULL, &doc, err, sizeof err) == RK_ENV_OK &&
              !strcmp(doc.id, "docs/3/42"),
          "without a key the id is topic/partition/offset, got %s",
          doc.id ? doc.id : "NULL");
    rk_env_doc_clear(&doc);
    free(seed);
}

static void test_json_object(void) {
    /* If it fails: a JSON document loses its text, id, lang or meta. */
    const rk_env_limits_t *lim = default_limits();
    char err[256] = "";
    rk_env_doc_t doc;
    size_t len;
    char *seed = rk_test_read_seed("002", &len);
    char *js = seed_as_json(seed, len);
    size_t js_len = strlen(js);
    CHECK(decode(lim, js, js_len, "ignored-key", &doc, err, sizeof err) ==
              RK_ENV_OK,
          "the seed as a JSON object decodes: %s", err);
    CHECK(doc.text_len == len && !memcmp(doc.text, seed, len),
          "JSON text is the seed unescaped exactly");
    CHECK(!strcmp(doc.id, "seed-002"), "JSON id wins over the key");
    CHECK(doc.lang && !strcmp(doc.lang, "ar"), "lang is kept");
    CHECK(doc.meta_json &&
              !strcmp(doc.meta_json,
                      "{\"symbol\":\"A/RES/70/291\",\"year\":2016}"),
          "meta is kept as compact JSON, got %s",
          doc.meta_json ? doc.meta_json : "NULL");
    rk_env_doc_clear(&doc);
    free(js);
    free(seed);
}

static void test_gzip_json(void) {
    /* If it fails: gzip is not inflated, or damage escapes bad_gzip. */
    const rk_env_limits_t *lim = default_limits();
    char err[256] = "";
    rk_env_doc_t doc;
    size_t len;
    char *seed = rk_test_read_seed("002", &len);
    char *js = seed_as_json(seed, len);
    size_t js_len = strlen(js);

    /* gzip'd JSON and gzip'd raw text come out identical to the plain. */
    size_t gz_len;
    unsigned char *gz = gzip_repeat(js, js_len, 1, &gz_len);
    CHECK(gz_len < js_len, "the test really compressed the payload");
    CHECK(decode(lim, gz, gz_len, NULL, &doc, err, sizeof err) == RK_ENV_OK &&
              doc.text_len == len && !memcmp(doc.text, seed, len) &&
              !strcmp(doc.id, "seed-002"),
          "gzip'd JSON is detected by its magic and inflated: %s", err);
    rk_env_doc_clear(&doc);

    /* Truncated gzip: every cut point is bad_gzip, never a crash. */
    int all_bad = 1;
    for (size_t cut = 2; cut < gz_len; cut += gz_len / 37 + 1) {
        rk_env_code_t c = decode(lim, gz, cut, NULL, &doc, err, sizeof err);
        if (c != RK_ENV_BAD_GZIP) {
            all_bad = 0;
            fprintf(stderr, "cut %zu: %s (%s)\n", cut, rk_env_code_name(c),
                    err);
        }
        rk_env_doc_clear(&doc);
    }
    CHECK(all_bad, "a truncated gzip stream is bad_gzip at every cut");
    CHECK(decode(lim, gz, gz_len - 3, NULL, &doc, err, sizeof err) ==
                  RK_ENV_BAD_GZIP &&
              strstr(err, "truncated"),
          "a gzip stream missing its trailer says truncated: %s", err);

    /* Corrupt gzip: a flipped byte in the deflate data or the CRC. */
    gz[gz_len / 2] ^= 0x55;
    CHECK(decode(lim, gz, gz_len, NULL, &doc, err, sizeof err) ==
              RK_ENV_BAD_GZIP,
          "a corrupted gzip stream is bad_gzip: %s", err);
    gz[gz_len / 2] ^= 0x55;
    gz[gz_len - 6] ^= 0x01; /* CRC32 */
    CHECK(decode(lim, gz, gz_len, NULL, &doc, err, sizeof err) ==
              RK_ENV_BAD_GZIP,
          "a gzip stream with a wrong CRC is bad_gzip: %s", err);
    free(gz);
    free(js);
    free(seed);
}

static void test_gzip_raw_members(void) {
    /* If it fails: a second gzip member is lost, or trailing junk passes. */
    const rk_env_limits_t *lim = default_limits();
    char err[256] = "";
    rk_env_doc_t doc;
    size_t len, gz_len;
    char *seed = rk_test_read_seed("002", &len);

    /* Raw text, gzip'd, keyed. */
    unsigned char *gz = gzip_repeat(seed, len, 1, &gz_len);
    CHECK(decode(lim, gz, gz_len, "k", &doc, err, sizeof err) == RK_ENV_OK &&
              doc.text_len == len && !memcmp(doc.text, seed, len),
          "gzip'd raw text inflates to the seed: %s", err);
    rk_env_doc_clear(&doc);

    /* Two gzip members, as `cat a.gz b.gz` makes: one document. */
    unsigned char *two = malloc(2 * gz_len);
    memcpy(two, gz, gz_len);
    memcpy(two + gz_len, gz, gz_len);
    CHECK(decode(lim, two, 2 * gz_len, "k", &doc, err, sizeof err) ==
                  RK_ENV_OK &&
              doc.text_len == 2 * len,
          "concatenated gzip members inflate as gunzip does: %s", err);
    rk_env_doc_clear(&doc);
    two[gz_len] = 'x'; /* trailing garbage instead of a second member */
    CHECK(decode(lim, two, 2 * gz_len, "k", &doc, err, sizeof err) ==
              RK_ENV_BAD_GZIP,
          "bytes after the gzip stream are bad_gzip: %s", err);
    free(two);
    free(gz);
    free(seed);
}

static void test_gzip_bomb(void) {
    /* If it fails: limits differ from the docs, or a gzip bomb eats memory. */
    char err[256] = "";
    rk_env_doc_t doc;
    rk_env_limits_t lim;
    rk_env_limits_default(&lim);
    CHECK(lim.max_message_bytes == 16u << 20 &&
              lim.max_decompressed_bytes == 64u << 20,
          "the documented defaults are 16 MiB and 64 MiB");

    /* A gzip bomb: 256 MiB of spaces in a few hundred KB. */
    static char zeros[1 << 20];
    memset(zeros, ' ', sizeof zeros);
    size_t bomb_len;
    unsigned char *bomb = gzip_repeat(zeros, sizeof zeros, 256, &bomb_len);
    CHECK(bomb_len < lim.max_message_bytes,
          "the bomb itself is small (%zu bytes)", bomb_len);
    CHECK(decode(&lim, bomb, bomb_len, NULL, &doc, err, sizeof err) ==
                  RK_ENV_TOO_LARGE &&
              strstr(err, "67108864"),
          "a gzip bomb stops at the decompressed limit: %s", err);
    free(bomb);
}

static void test_limit_edges(void) {
    /* If it fails: a size limit is off by one. */
    char err[256] = "";
    rk_env_doc_t doc;
    rk_env_limits_t lim;
    rk_env_limits_default(&lim);
    lim.max_message_bytes = 100;
    lim.max_decompressed_bytes = 1000;
    char big[101];
    memset(big, 'a', sizeof big);
    CHECK(decode(&lim, big, 101, NULL, &doc, err, sizeof err) ==
                  RK_ENV_TOO_LARGE &&
              strstr(err, "101") && strstr(err, "100"),
          "a message over max message bytes is too_large naming both: %s", err);
    CHECK(decode(&lim, big, 100, NULL, &doc, err, sizeof err) == RK_ENV_OK,
          "exactly at the limit is accepted: %s", err);
    rk_env_doc_clear(&doc);

    size_t gz_len;
    unsigned char *gz = gzip_repeat(big, 100, 10, &gz_len); /* 1000 bytes */
    CHECK(decode(&lim, gz, gz_len, NULL, &doc, err, sizeof err) == RK_ENV_OK &&
              doc.text_len == 1000,
          "inflating to exactly the limit is accepted: %s", err);
    rk_env_doc_clear(&doc);
    free(gz);
    gz = gzip_repeat(big, 100, 11, &gz_len); /* 1100 bytes */
    CHECK(decode(&lim, gz, gz_len, NULL, &doc, err, sizeof err) ==
              RK_ENV_TOO_LARGE,
          "one chunk past the decompressed limit is too_large: %s", err);
    free(gz);
}

struct bad_case {
    const char *payload;
    size_t len; /* 0: strlen */
    rk_env_code_t code;
    const char *in_message; /* the message must name this */
    const char *why;
};

static void test_bad_inputs(void) {
    /* If it fails: bad input gets the wrong DLQ code or a vague message. */
    const rk_env_limits_t *lim = default_limits();
    static const struct bad_case cases[] = {
        {"", 0, RK_ENV_EMPTY, "empty", "an empty message is empty"},
        {" \n\t\r\n ", 0, RK_ENV_EMPTY, "white space",
         "white space only is empty"},
        {"abc\0def", 7, RK_ENV_BAD_UTF8, "byte 3",
         "a NUL byte in raw text is refused at its offset"},
        {"ok \xc0\xaf", 0, RK_ENV_BAD_UTF8, "byte 3",
         "an overlong '/' (C0 AF) is invalid"},
        {"\xe0\x80\xaf", 0, RK_ENV_BAD_UTF8, "byte 0",
         "a three-byte overlong is invalid"},
        {"ab\xed\xa0\x80", 0, RK_ENV_BAD_UTF8, "byte 2",
         "an encoded surrogate (U+D800) is invalid"},
        {"\xf4\x90\x80\x80", 0, RK_ENV_BAD_UTF8, "byte 0",
         "a code point over U+10FFFF is invalid"},
        {"\xd8\xa7\xd9", 0, RK_ENV_BAD_UTF8, "byte 2",
         "a truncated Arabic letter at the end is invalid"},
        {"{\"id\": \"a\", \"text\": \"x\"", 0, RK_ENV_BAD_JSON, "byte",
         "an unterminated object is bad_json"},
        {"  {not json}", 0, RK_ENV_BAD_JSON, "line 1",
         "leading space then '{' is still JSON and must parse"},
        {"{\"id\":\"a\",\"text\":\"x\"} trailing", 0, RK_ENV_BAD_JSON, "",
         "text after the object is bad_json"},
        {"{\"id\":\"a\",\"text\":\"x\",\"text\":\"y\"}", 0, RK_ENV_BAD_JSON,
         "duplicate", "duplicate keys are refused"},
        {"{\"id\":\"a\",\"text\":\"a\\u0000b\"}", 0, RK_ENV_BAD_JSON, "",
         "an escaped NUL in text is refused"},
        {"{\"id\":\"a\",\"text\":\"\\ud800\"}", 0, RK_ENV_BAD_JSON, "",
         "an escaped lone surrogate is refused"},
        {"{\"text\":\"some text\"}", 0, RK_ENV_BAD_FIELD, "'id'",
         "a missing id names the field"},
        {"{\"id\":7,\"text\":\"x\"}", 0, RK_ENV_BAD_FIELD, "'id'",
         "a numeric id is the wrong type"},
        {"{\"id\":\"\",\"text\":\"x\"}", 0, RK_ENV_BAD_FIELD, "'id'",
         "an empty id cannot key the output"},
        {"{\"id\":\"a\"}", 0, RK_ENV_BAD_FIELD, "'text'",
         "a missing text names the field"},
        {"{\"id\":\"a\",\"text\":[\"x\"]}", 0, RK_ENV_BAD_FIELD, "'text'",
         "an array text is the wrong type"},
        {"{\"id\":\"a\",\"text\":\"x\",\"lang\":1}", 0, RK_ENV_BAD_FIELD,
         "'lang'", "a numeric lang is the wrong type"},
        {"{\"id\":\"a\",\"text\":\"x\",\"meta\":\"m\"}", 0, RK_ENV_BAD_FIELD,
         "'meta'", "a string meta is the wrong type"},
        {"{\"id\":\"a\",\"text\":\"  \\n \"}", 0, RK_ENV_EMPTY, "'text'",
         "a JSON document with blank text is empty"},
        {"\x1f\x8b", 0, RK_ENV_BAD_GZIP, "truncated",
         "the gzip magic alone is a truncated stream"},
        {"\x1f\x8b\x08\x00garbage-not-deflate", 0, RK_ENV_BAD_GZIP, "gzip",
         "a gzip header followed by garbage is bad_gzip"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct bad_case *c = &cases[i];
        size_t len = c->len ? c->len : strlen(c->payload);
        char err[256] = "";
        rk_env_doc_t doc;
        rk_env_code_t got =
            decode(lim, c->payload, len, "k", &doc, err, sizeof err);
        CHECK(got == c->code && strstr(err, c->in_message) && !doc.id &&
                  !doc.text,
              "case %zu: %s: expected %s naming '%s', got %s: %s", i, c->why,
              rk_env_code_name(c->code), c->in_message, rk_env_code_name(got),
              err);
        rk_env_doc_clear(&doc);
    }
}

static void test_keys_and_fields(void) {
    /* If it fails: a bad key becomes an id, or good fields are refused. */
    const rk_env_limits_t *lim = default_limits();
    /* A key that is not UTF-8 cannot be a document id. */
    char err[256];
    rk_env_doc_t doc;
    CHECK(decode(lim, "text", 4, "bad\xff", &doc, err, sizeof err) ==
                  RK_ENV_BAD_UTF8 &&
              strstr(err, "key") && strstr(err, "byte 3"),
          "a raw-text message with a non-UTF-8 key is bad_utf8: %s", err);
    /* Optional fields may be null; unknown fields are ignored. */
    const char *ok = "{\"id\":\"d\",\"text\":\"x\",\"lang\":null,\"meta\":null,"
                     "\"source\":\"un.org\"}";
    CHECK(decode(lim, ok, strlen(ok), NULL, &doc, err, sizeof err) ==
                  RK_ENV_OK &&
              !doc.lang && !doc.meta_json,
          "null lang/meta read as absent, extra fields ignored: %s", err);
    rk_env_doc_clear(&doc);
    rk_env_doc_clear(NULL);
    /* A raw document that merely contains a brace later is text. */
    const char *raw = "Resolution {draft}";
    CHECK(decode(lim, raw, strlen(raw), NULL, &doc, err, sizeof err) ==
              RK_ENV_OK,
          "only a leading '{' selects JSON: %s", err);
    rk_env_doc_clear(&doc);
}

static void test_scan_as_jansson(void) {
    /* If it fails: the fast reading of the common envelope gives another
     * document than jansson would, or takes a message jansson refuses. */
    static const struct {
        const char *json;
        int taken;
        const char *why;
    } cases[] = {
        {"{\"id\":\"a\",\"text\":\"x\"}", 1, "the plain shape"},
        {" \r\n\t{ \"id\" : \"a\" ,\n\"text\":\"x\" , \"lang\" : \"en\" } \n",
         1, "white space wherever JSON allows it"},
        {"{}", 1, "an empty object (the fields are then missing)"},
        {"{\"id\":null,\"text\":\"x\",\"lang\":null,\"meta\":null}", 1,
         "nulls, meta null included"},
        {"{\"id\":\"a\",\"text\":\"q\\\"b\\\\s\\/\\b\\f\\n\\r\\t\"}", 1,
         "every short escape"},
        {"{\"id\":\"a\",\"text\":\"\\u0041\\u00e9\\u0627\\uFEFF\"}", 1,
         "\\u escapes of one, two and three UTF-8 bytes"},
        {"{\"id\":\"a\",\"text\":\"\\ud83d\\ude00 \\uD834\\uDD1E\"}", 1,
         "surrogate pairs, either case"},
        {"{\"id\":\"a\",\"text\":\"x\\\\\",\"source\":\"\\\"un\\\"\"}", 1,
         "a string ending in an escaped backslash; an unknown string field"},
        {"{\"id\":\"\\u0627\\u0644\",\"text\":\"\xd8\xa7 \xd9\x84\"}", 1,
         "Arabic, escaped and as it is"},
        {"{\"id\":\"a\",\"text\":\"x\",\"meta\":{\"y\":1}}", 0,
         "meta as an object: jansson serialises it"},
        {"{\"id\":\"a\",\"text\":\"x\",\"n\":1}", 0, "a number"},
        {"{\"id\":\"a\",\"text\":\"x\",\"b\":true}", 0, "a boolean"},
        {"{\"id\":\"a\",\"text\":[\"x\"]}", 0, "an array"},
        {"{\"te\\u0078t\":\"x\",\"id\":\"a\"}", 0, "an escape in a key"},
        {"{\"id\":\"a\",\"text\":\"x\",\"id\":\"b\"}", 0, "a duplicate key"},
        {"{\"id\":\"a\",\"text\":\"a\\u0000b\"}", 0, "\\u0000"},
        {"{\"id\":\"a\",\"text\":\"\\ud800\"}", 0, "a high surrogate alone"},
        {"{\"id\":\"a\",\"text\":\"\\udc00\\ud800\"}", 0,
         "a low surrogate first"},
        {"{\"id\":\"a\",\"text\":\"\\ud800\\u0041\"}", 0,
         "a high surrogate and no low one"},
        {"{\"id\":\"a\",\"text\":\"\\x\"}", 0, "an unknown escape"},
        {"{\"id\":\"a\",\"text\":\"\\u12\"}", 0, "a short \\u escape"},
        {"{\"id\":\"a\",\"text\":\"tab\there\"}", 0, "a raw control character"},
        {"{\"id\":\"a\",\"text\":\"x\"} x", 0, "text after the object"},
        {"{\"id\":\"a\",\"text\":\"x\",}", 0, "a trailing comma"},
        {"{\"id\":\"a\" \"text\":\"x\"}", 0, "a missing comma"},
        {"{\"id\":\"a\",\"text\":\"x\"", 0, "no closing brace"},
        {"{\"id\":\"a\",\"text\":\"x}", 0, "an unterminated string"},
        {"{\"id\":nul}", 0, "a misspelt null"},
        {"{\"a\":\"\",\"b\":\"\",\"c\":\"\",\"d\":\"\",\"e\":\"\",\"f\":\"\","
         "\"g\":\"\",\"h\":\"\",\"i\":\"\",\"j\":\"\",\"k\":\"\",\"l\":\"\","
         "\"m\":\"\",\"n\":\"\",\"o\":\"\",\"p\":\"\",\"q\":\"\"}",
         0, "more keys than the scanner compares"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *js = cases[i].json;
        rk_env_scan_t f;
        int taken = rk_env_scan(js, strlen(js), &f);
        CHECK(taken == cases[i].taken, "case %zu (%s): scanner %s it", i,
              cases[i].why, taken ? "took" : "declined");
        if (taken == 1)
            CHECK(rk_oracle_agrees(js, strlen(js), &f),
                  "case %zu (%s): the scanner reads what jansson reads", i,
                  cases[i].why);
        rk_env_scan_clear(&f);
    }
    /* A real document: seed 002 (Arabic, its English annex, quotes and
     * new lines) as the envelope producers write it. */
    size_t len;
    char *seed = rk_test_read_seed("002", &len);
    json_t *o = json_pack("{s:s,s:s%,s:s}", "id", "seed-002", "text", seed, len,
                          "lang", "ar");
    char *js = json_dumps(o, JSON_COMPACT);
    rk_env_scan_t f;
    CHECK(rk_env_scan(js, strlen(js), &f) == 1 && f.text.len == len &&
              !memcmp(f.text.s, seed, len) && !strcmp(f.id.s, "seed-002") &&
              !strcmp(f.lang.s, "ar"),
          "seed 002 in an envelope is read by the scanner, text exact");
    rk_env_scan_clear(&f);
    free(js);
    json_decref(o);
    free(seed);
}

static void test_code_names(void) {
    /* If it fails: DLQ consumers read codes the contract does not name. */
    CHECK(!strcmp(rk_env_code_name(RK_ENV_BAD_UTF8), "bad_utf8") &&
              !strcmp(rk_env_code_name(RK_ENV_BAD_JSON), "bad_json") &&
              !strcmp(rk_env_code_name(RK_ENV_BAD_FIELD), "bad_field") &&
              !strcmp(rk_env_code_name(RK_ENV_TOO_LARGE), "too_large") &&
              !strcmp(rk_env_code_name(RK_ENV_BAD_GZIP), "bad_gzip") &&
              !strcmp(rk_env_code_name(RK_ENV_EMPTY), "empty") &&
              !strcmp(rk_env_code_name(RK_ENV_INTERNAL), "internal"),
          "the code strings are exactly the contract's");
}

TEST_LIST = {{"raw_text", test_raw_text},
             {"json_object", test_json_object},
             {"gzip_json", test_gzip_json},
             {"gzip_raw_members", test_gzip_raw_members},
             {"gzip_bomb", test_gzip_bomb},
             {"limit_edges", test_limit_edges},
             {"bad_inputs", test_bad_inputs},
             {"keys_and_fields", test_keys_and_fields},
             {"scan_as_jansson", test_scan_as_jansson},
             {"code_names", test_code_names},
             {NULL, NULL}};
