/*
 * fuzz_envelope.c - any bytes as a Kafka message payload: the envelope
 * decoder must return a document that keeps its promises (valid UTF-8, no
 * NUL, non-blank text, an id) or one of the contract's codes, within small
 * limits so a gzip bomb costs nothing. The first byte picks key/no key.
 * And the scanner that reads the common envelope without jansson
 * (envelope_scan.h) may only take what jansson reads to the same fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "ingest/envelope.h"
#include "ingest/envelope_scan.h"
#include "tests/envelope_oracle.h"

/* The scanner's promise, on what it is given: valid UTF-8 without NUL. */
static void scan_as_jansson(const char *p, size_t len) {
    if (!rk_utf8_valid(p, len, NULL) || memchr(p, 0, len))
        return;
    rk_env_scan_t f;
    if (rk_env_scan(p, len, &f) != 1)
        return;
    if (!rk_oracle_agrees(p, len, &f))
        abort();
    rk_env_scan_clear(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    rk_env_limits_t lim = {.max_message_bytes = 1 << 16,
                           .max_decompressed_bytes = 1 << 18};
    if (size == 0)
        return 0;
    rk_env_msg_t m = {.payload = data + 1,
                      .len = size - 1,
                      .key = data[0] & 1 ? "key" : NULL,
                      .key_len = data[0] & 1 ? 3 : 0,
                      .topic = "t",
                      .partition = 0,
                      .offset = 1};
    rk_env_doc_t doc;
    char err[256];
    rk_env_code_t code = rk_env_decode(&lim, &m, &doc, err, sizeof err);
    if (code == RK_ENV_OK) {
        if (!doc.id || !doc.id_len || !doc.text || !doc.text_len ||
            !rk_utf8_valid(doc.text, doc.text_len, NULL) ||
            memchr(doc.text, 0, doc.text_len) ||
            doc.text_len > lim.max_decompressed_bytes)
            abort();
    } else if (code > RK_ENV_INTERNAL || doc.text || doc.id) {
        abort();
    }
    rk_env_doc_clear(&doc);
    scan_as_jansson((const char *)data + 1, size - 1);
    return 0;
}
