/*
 * page.h - the review page's assets: the HTML shell, its script and its
 * style, compiled in from review/assets/ (review/assets/embed.cmake writes
 * the table at configure time), so the server reads no file and needs no
 * resource from anywhere else.
 *
 * The HTML shell holds the marker RK_REVIEW_CSRF_MARK once, where the
 * server writes the session's CSRF token (32 hex digits, nothing to
 * escape). Nothing else in the assets changes per request.
 */
#ifndef RK_REVIEW_PAGE_H
#define RK_REVIEW_PAGE_H

#include <stddef.h>

typedef struct rk_review_asset_s {
    const char *path; /* "/page.html", "/review.js", "/review.css" */
    const char *type; /* the Content-Type */
    const unsigned char *data;
    size_t len;
} rk_review_asset_t;

extern const rk_review_asset_t rk_review_assets[];
extern const size_t rk_review_n_assets;

#define RK_REVIEW_CSRF_MARK "{{csrf}}"

#endif
