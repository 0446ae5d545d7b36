/*
 * hash.h - FNV-1a, 64 bits: the one hash for feature indices
 * (text/vectorize.c), model ids and training-data digests (models/). Inline
 * because the vectoriser calls it once per byte of every n-gram.
 *
 * Start with RK_FNV_OFFSET; chain calls to hash several parts as one.
 */
#ifndef RK_HASH_H
#define RK_HASH_H

#include <stddef.h>
#include <stdint.h>

#define RK_FNV_OFFSET 14695981039346656037ULL
#define RK_FNV_PRIME 1099511628211ULL

static inline uint64_t rk_fnv1a(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= RK_FNV_PRIME;
    }
    return h;
}

#endif
