/*
 * test_chunks.c - a model bundle as records of the model topic
 * (models/chunks.h), on the shipped model split into small pieces of the
 * real format: reassembled byte for byte in any arrival order, the newest
 * complete model chosen, and a missing chunk, a damaged chunk or bad
 * headers never giving a model. If these fail, `rakiza run --model-topic`
 * could load a half-published or corrupted bundle, or miss a new one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "models/chunks.h"
#include "testutil.h"

typedef struct warnings_s {
    int n;
    char last[256];
} warnings_t;

static void on_warn(void *opaque, const char *reason) {
    warnings_t *w = opaque;
    w->n++;
    snprintf(w->last, sizeof w->last, "%s", reason);
}

/* Adds model id's bytes as count near-equal chunks, in the order given. */
static void add_model(rk_chunk_set_t *set, const char *id,
                      const unsigned char *bytes, size_t len, long count,
                      const long *order, int64_t first_offset,
                      const char *sha_override) {
    char sha[RK_SHA256_HEX_LEN + 1], err[256];
    rk_sha256_hex(bytes, len, sha);
    size_t piece = (len + (size_t)count - 1) / (size_t)count;
    for (long k = 0; k < count; k++) {
        long i = order ? order[k] : k;
        size_t start = (size_t)i * piece;
        size_t n =
            start >= len ? 0 : (len - start < piece ? len - start : piece);
        rk_chunk_t c = {id,
                        sha_override ? sha_override : sha,
                        i,
                        count,
                        bytes + start,
                        n,
                        first_offset + k};
        CHECK(rk_chunk_set_add(set, &c, err, sizeof err) == RK_OK, "%s", err);
    }
}

static unsigned char *shipped(size_t *len) {
    return (unsigned char *)rk_test_read_file("models/default.rkz", len);
}

static void test_sizes(void) {
    /* If it fails: a bundle is cut into records over the 1 MB limit, or
     * the count in the headers does not match the slices. */
    CHECK(rk_chunk_count(0) == 1 && rk_chunk_count(1) == 1 &&
              rk_chunk_count(RK_CHUNK_MAX_BYTES) == 1 &&
              rk_chunk_count(RK_CHUNK_MAX_BYTES + 1) == 2,
          "chunk counts round up");
    size_t total = 0, start, n;
    size_t len = 2 * RK_CHUNK_MAX_BYTES + 17;
    for (size_t i = 0; i < rk_chunk_count(len); i++) {
        rk_chunk_slice(len, i, &start, &n);
        CHECK(start == total && n <= RK_CHUNK_MAX_BYTES && n > 0,
              "slice %zu starts where the last ended and fits a record", i);
        total += n;
    }
    CHECK(total == len, "the slices cover the bundle exactly");
}

static void test_reassembled_in_any_order(void) {
    /* If it fails: a reader loads other bytes than were published. */
    size_t len;
    unsigned char *bytes = shipped(&len);
    static const long order[] = {3, 0, 4, 1, 2};
    rk_chunk_set_t *set = rk_chunk_set_new();
    add_model(set, "m1", bytes, len, 5, order, 10, NULL);
    const unsigned char *got;
    size_t got_len;
    const char *id;
    int64_t off;
    warnings_t w = {0};
    CHECK(rk_chunk_set_newest(set, -1, &got, &got_len, &id, &off, on_warn,
                              &w) == 1,
          "a complete model is found");
    CHECK(got_len == len && !memcmp(got, bytes, len) && !strcmp(id, "m1") &&
              off == 14 && w.n == 0,
          "the bytes are the bundle's, its last offset 14, no warning");
    CHECK(rk_chunk_set_newest(set, 14, &got, &got_len, &id, &off, NULL, NULL) ==
              0,
          "nothing newer than offset 14");
    rk_chunk_set_destroy(set);
    free(bytes);
}

static void test_newest_wins(void) {
    /* If it fails: an instance keeps an older model or takes a damaged
     * newer one. */
    size_t len;
    unsigned char *bytes = shipped(&len);
    rk_chunk_set_t *set = rk_chunk_set_new();
    add_model(set, "old", bytes, len, 3, NULL, 0, NULL);
    add_model(set, "new", bytes, len / 2, 2, NULL, 3, NULL);
    const unsigned char *got;
    size_t got_len;
    const char *id;
    int64_t off;
    CHECK(rk_chunk_set_newest(set, -1, &got, &got_len, &id, &off, NULL, NULL) ==
                  1 &&
              !strcmp(id, "new") && got_len == len / 2,
          "the model whose last chunk came last is the newest");
    /* A newer model whose digest does not match is ignored, with a
     * warning, and the newest valid one stays. */
    char bad[RK_SHA256_HEX_LEN + 1];
    memset(bad, 'a', RK_SHA256_HEX_LEN);
    bad[RK_SHA256_HEX_LEN] = '\0';
    add_model(set, "damaged", bytes, len, 2, NULL, 5, bad);
    warnings_t w = {0};
    CHECK(rk_chunk_set_newest(set, -1, &got, &got_len, &id, &off, on_warn,
                              &w) == 1 &&
              !strcmp(id, "new"),
          "a damaged newer model does not replace the valid one (got %s)", id);
    CHECK(w.n == 1 && strstr(w.last, "damaged") && strstr(w.last, "digest"),
          "the damaged model is reported once: %s", w.last);
    rk_chunk_set_newest(set, -1, &got, &got_len, &id, &off, on_warn, &w);
    CHECK(w.n == 1, "and only once");
    rk_chunk_set_destroy(set);
    free(bytes);
}

static void test_incomplete_is_never_used(void) {
    /* If it fails: a half-published bundle (truncated on the topic) is
     * loaded. */
    size_t len;
    unsigned char *bytes = shipped(&len);
    static const long first_two[] = {0, 1};
    rk_chunk_set_t *set = rk_chunk_set_new();
    char sha[RK_SHA256_HEX_LEN + 1], err[256];
    rk_sha256_hex(bytes, len, sha);
    for (long k = 0; k < 2; k++) {
        rk_chunk_t c = {"cut", sha, first_two[k], 3, bytes, 10, k};
        CHECK(rk_chunk_set_add(set, &c, err, sizeof err) == RK_OK, "%s", err);
    }
    const unsigned char *got;
    size_t got_len;
    const char *id;
    int64_t off;
    warnings_t w = {0};
    CHECK(rk_chunk_set_newest(set, -1, &got, &got_len, &id, &off, on_warn,
                              &w) == 0,
          "two chunks of three give no model");
    CHECK(w.n == 0, "while it may still be arriving, it is not reported");
    add_model(set, "later", bytes, len, 1, NULL, 7, NULL);
    CHECK(rk_chunk_set_newest(set, -1, &got, &got_len, &id, &off, on_warn,
                              &w) == 1 &&
              !strcmp(id, "later"),
          "a later complete model is used");
    CHECK(w.n == 1 && strstr(w.last, "cut") && strstr(w.last, "incomplete"),
          "once something newer came, the incomplete one is reported: %s",
          w.last);
    rk_chunk_set_destroy(set);
    free(bytes);
}

static void test_headers(void) {
    /* If it fails: a record with missing or hostile headers is taken as a
     * chunk (or a good one refused). */
    char sha[RK_SHA256_HEX_LEN + 1], err[256];
    rk_sha256_hex("x", 1, sha);
    rk_chunk_t c;
    CHECK(rk_chunk_from_headers("m", "1", "3", sha, &c, err, sizeof err) ==
                  RK_OK &&
              c.index == 1 && c.count == 3,
          "good headers parse: %s", err);
    static const char *const bad[][4] = {
        {NULL, "0", "1", NULL}, {"", "0", "1", NULL},   {"m", "3", "3", NULL},
        {"m", "-1", "3", NULL}, {"m", "0", "0", NULL},  {"m", "0", "65", NULL},
        {"m", "0", "x", NULL},  {"m", "0", "1", "abc"}, {"m", NULL, "1", NULL}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *h = bad[i][3] ? bad[i][3] : (i == 7 ? "abc" : sha);
        CHECK(rk_chunk_from_headers(bad[i][0], bad[i][1], bad[i][2], h, &c, err,
                                    sizeof err) == RK_ERR_DATA,
              "bad header set %zu is refused", i);
    }
    CHECK(
        !strcmp(
            sha,
            "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"),
        "SHA-256 of 'x' is the standard one, got %s", sha);
}

static void test_refused_is_passed_over(void) {
    /* If it fails: a bundle whose bytes match their digest but do not
     * load keeps shadowing the older good model, so a restarted instance
     * falls back to its file instead of the newest usable model. */
    size_t len;
    unsigned char *bytes = shipped(&len);
    rk_chunk_set_t *set = rk_chunk_set_new();
    add_model(set, "good", bytes, len, 3, NULL, 0, NULL);
    add_model(set, "cut", bytes, 1000, 1, NULL, 3, NULL);
    const unsigned char *got;
    size_t got_len;
    const char *id;
    int64_t off;
    CHECK(rk_chunk_set_newest(set, -1, &got, &got_len, &id, &off, NULL, NULL) ==
                  1 &&
              !strcmp(id, "cut") && off == 3,
          "the digest matches, so the cut model is the newest");
    rk_chunk_set_refuse(set, 3);
    CHECK(rk_chunk_set_newest(set, -1, &got, &got_len, &id, &off, NULL, NULL) ==
                  1 &&
              !strcmp(id, "good") && got_len == len,
          "once refused, the older good model is the newest");
    CHECK(rk_chunk_set_newest(set, 2, &got, &got_len, &id, &off, NULL, NULL) ==
              0,
          "and nothing newer than the good one is offered");
    rk_chunk_set_refuse(set, 99); /* unknown: ignored */
    rk_chunk_set_destroy(set);
    free(bytes);
}

TEST_LIST = {{"sizes", test_sizes},
             {"reassembled_in_any_order", test_reassembled_in_any_order},
             {"newest_wins", test_newest_wins},
             {"incomplete_is_never_used", test_incomplete_is_never_used},
             {"headers", test_headers},
             {"refused_is_passed_over", test_refused_is_passed_over},
             {NULL, NULL}};
