/*
 * digest.h - SHA-256, for what crosses a network: a model bundle published
 * to the model topic carries the digest of its bytes, and a reader uses the
 * bundle only when the digest matches. OpenSSL's libcrypto computes it
 * (librdkafka already links it for TLS).
 */
#ifndef RK_DIGEST_H
#define RK_DIGEST_H

#include <stddef.h>

/* Lowercase hex SHA-256 of data[0..len), NUL-terminated. */
#define RK_SHA256_HEX_LEN 64
void rk_sha256_hex(const void *data, size_t len,
                   char out[RK_SHA256_HEX_LEN + 1]);

#endif
