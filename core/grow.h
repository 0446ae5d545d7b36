/*
 * grow.h - the one growth rule for rakiza's dynamic arrays: double the
 * capacity until it holds what is needed, then realloc once.
 *
 *     if (set->count == set->cap &&
 *         !rk_grow(&set->items, &set->cap, set->count + 1,
 *                  sizeof *set->items, 256))
 *         return 0; // set->items and set->cap are as they were
 *
 * Appending n elements one at a time costs O(n) copying in all. The array
 * stays the caller's: rk_grow only reallocs it.
 */
#ifndef RK_GROW_H
#define RK_GROW_H

#include <stddef.h>

/* Makes the array *items hold at least need elements. items is the
 * address of the caller's T * (&x->items: the compiler cannot tell it
 * from x->items), which is NULL or from malloc/realloc and holds *cap
 * elements of elem_size bytes. When need <= *cap it does nothing.
 * Otherwise the new capacity is *cap (first_cap when *cap is 0) doubled
 * until it reaches need, or need itself where doubling would pass the
 * largest count whose bytes fit in size_t; the new elements are not
 * initialised. Returns 1 on success; 0 when need * elem_size would
 * overflow size_t or realloc fails, and then *items and *cap are
 * unchanged. elem_size must not be 0. */
int rk_grow(void *items, size_t *cap, size_t need, size_t elem_size,
            size_t first_cap);

#endif
