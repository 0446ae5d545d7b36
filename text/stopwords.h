/*
 * stopwords.h - the built-in stopword lists (the .txt files in
 * text/stopwords/, compiled in by embed.cmake there).
 */
#ifndef RK_STOPWORDS_H
#define RK_STOPWORDS_H

#include <stddef.h>

typedef struct rk_stopword_list_s {
    const char *lang;
    const char *const *words;
    size_t count;
} rk_stopword_list_t;

extern const rk_stopword_list_t rk_stopwords_ar;
extern const rk_stopword_list_t rk_stopwords_en;

#endif
