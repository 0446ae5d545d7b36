/*
 * grow.c - see grow.h. The array pointer is read and written through
 * memcpy as a void *, the representation every object pointer shares on
 * the platforms rakiza builds for, so no caller's T ** is accessed as a
 * void ** (which strict aliasing forbids).
 */
#include "core/grow.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int rk_grow(void *items, size_t *cap, size_t need, size_t elem_size,
            size_t first_cap) {
    assert(elem_size > 0);
    if (need <= *cap)
        return 1;
    size_t max = SIZE_MAX / elem_size; /* the most elements size_t counts */
    if (need > max)
        return 0;
    size_t n = *cap ? *cap : first_cap;
    while (n < need) /* n == 0: a first_cap of 0 starts at need */
        n = n == 0 || n > max / 2 ? need : n * 2;
    void *old, *p;
    memcpy(&old, items, sizeof old);
    p = realloc(old, n * elem_size);
    if (!p)
        return 0;
    memcpy(items, &p, sizeof p);
    *cap = n;
    return 1;
}
