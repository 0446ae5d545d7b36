/*
 * arstem.h - a light Arabic stemmer: Larkey, Ballesteros and Connell's
 * "light10" (Light Stemming for Arabic Information Retrieval, 2007), an
 * alternative to Snowball's Arabic stemmer for the vectoriser (the
 * stem_ar setting). It strips a few prefixes and suffixes and nothing
 * else: the stem is a substring of the word.
 */
#ifndef RK_ARSTEM_H
#define RK_ARSTEM_H

#include <stddef.h>

/* The light10 stem of the normalised Arabic word w[0..len) (UTF-8): sets
 * *stem_len and returns where the stem starts in w. Rules, in order, with
 * lengths in letters (code points):
 *   - و ("and") is removed when at least 3 letters remain;
 *   - one definite article (وال, بال, كال, فال, لل, ال; longest first) is
 *     removed when at least 2 letters remain;
 *   - the suffixes ها, ان, ات, ون, ين, يه, ية, ه, ة, ي are tried once each
 *     in that order (longest first), each removed when found at the end and
 *     at least 2 letters remain.
 * The text is normalised before stemming (ta marbuta to ha and alef
 * maqsura to ya by default): ية and ة then never occur and يه, ه, ي do
 * their work, as the normalised forms of the same suffixes. */
const char *rk_arstem_light(const char *w, size_t len, size_t *stem_len);

#endif
