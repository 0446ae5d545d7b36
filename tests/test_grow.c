/*
 * test_grow.c - the growth rule for dynamic arrays (core/grow.h): from an
 * empty array it starts at first_cap, it doubles until need fits and no
 * further, a need already met costs nothing, the elements already there
 * survive, and a need whose byte count would overflow size_t is refused
 * with the array left as it was. If these fail, an array is too small (a
 * write past its end), grows far more than needed, or a huge count wraps
 * into a small allocation.
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/grow.h"
#include "testutil.h"

static void test_from_zero(void) {
    /* If it fails: the first growth of an empty array gets the wrong size,
     * so every site's first_cap (or a need above it) is not honoured. */
    int *a = NULL;
    size_t cap = 0;
    CHECK(rk_grow(&a, &cap, 1, sizeof *a, 64) && a && cap == 64,
          "an empty array needing 1 of first_cap 64 has %zu", cap);
    free(a);
    a = NULL;
    cap = 0;
    CHECK(rk_grow(&a, &cap, 100, sizeof *a, 64) && a && cap == 128,
          "an empty array needing 100 of first_cap 64 has %zu, not 128", cap);
    free(a);
    a = NULL;
    cap = 0;
    CHECK(rk_grow(&a, &cap, 5, sizeof *a, 0) && a && cap == 5,
          "first_cap 0 must start at need (5), not loop: got %zu", cap);
    free(a);
}

static void test_exact_need(void) {
    /* If it fails: a met need reallocs (or shrinks) the array, or a need
     * that is a power-of-two multiple of the capacity is overshot. */
    long *a = NULL;
    size_t cap = 0;
    CHECK(rk_grow(&a, &cap, 64, sizeof *a, 64) && cap == 64,
          "needing exactly first_cap gives %zu", cap);
    for (size_t i = 0; i < cap; i++)
        a[i] = (long)i;
    long *before = a;
    CHECK(rk_grow(&a, &cap, 64, sizeof *a, 1) && a == before && cap == 64,
          "a need equal to the capacity must leave the array alone");
    CHECK(rk_grow(&a, &cap, 3, sizeof *a, 1) && a == before && cap == 64,
          "a smaller need must leave the array alone (no shrinking)");
    CHECK(rk_grow(&a, &cap, 65, sizeof *a, 1) && cap == 128,
          "one past the capacity doubles it: got %zu", cap);
    CHECK(rk_grow(&a, &cap, 512, sizeof *a, 1) && cap == 512,
          "need 512 from 128 doubles twice to exactly 512: got %zu", cap);
    size_t kept = 0;
    for (size_t i = 0; i < 64; i++)
        kept += a[i] == (long)i;
    CHECK(kept == 64, "only %zu of the 64 elements survived growing", kept);
    free(a);
}

static void test_overflow_refused(void) {
    /* If it fails: need * elem_size wraps around and a small block is
     * taken for a huge array, or the refusal loses the caller's array. */
    double *a = NULL;
    size_t cap = 0;
    CHECK(rk_grow(&a, &cap, 4, sizeof *a, 4) && cap == 4, "setup");
    a[3] = 1.5;
    double *before = a;
    CHECK(!rk_grow(&a, &cap, SIZE_MAX / sizeof *a + 1, sizeof *a, 4),
          "a need one past SIZE_MAX / elem_size must be refused");
    CHECK(a == before && cap == 4 && a[3] == 1.5,
          "a refused growth changed the array or its capacity (%zu)", cap);
    CHECK(!rk_grow(&a, &cap, SIZE_MAX, 2, 4),
          "SIZE_MAX elements of 2 bytes must be refused");
    CHECK(a == before && cap == 4, "the array moved on a refusal");
    free(a);
}

TEST_LIST = {{"from_zero", test_from_zero},
             {"exact_need", test_exact_need},
             {"overflow_refused", test_overflow_refused},
             {NULL, NULL}};
