/*
 * settings.c - the settings-table machinery (see settings.h). Each type has
 * one parser and one printer; everything else walks the table.
 */
#include "core/settings.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD(obj, off, type) ((type *)(void *)((char *)(obj) + (off)))
#define CFIELD(obj, off, type)                                                 \
    ((const type *)(const void *)((const char *)(obj) + (off)))

const rk_setting_t *rk_settings_find(const rk_setting_t *table,
                                     const char *key) {
    for (const rk_setting_t *s = table; s->name; s++)
        if (!strcmp(s->name, key))
            return s;
    return NULL;
}

static int parse_bool(const char *v, int *out) {
    static const char *const yes[] = {"true", "1", "on", "yes"};
    static const char *const no[] = {"false", "0", "off", "no"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        if (!strcmp(v, yes[i]))
            return (*out = 1), 1;
        if (!strcmp(v, no[i]))
            return (*out = 0), 1;
    }
    return 0;
}

static int parse_long(const char *v, double lo, double hi, long *out) {
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (end == v || *end || errno || (double)n < lo || (double)n > hi)
        return 0;
    *out = n;
    return 1;
}

static int parse_range(const rk_setting_t *s, const char *v, int *lo, int *hi) {
    if (!strcmp(v, "off") || !strcmp(v, "0"))
        return (*lo = *hi = 0), 1;
    char buf[32];
    long a, b;
    if (strlen(v) >= sizeof buf)
        return 0;
    memcpy(buf, v, strlen(v) + 1);
    char *dash = strchr(buf, '-');
    if (!dash)
        return 0;
    *dash = '\0';
    if (!parse_long(buf, s->min, s->max, &a) ||
        !parse_long(dash + 1, s->min, s->max, &b) || a > b)
        return 0;
    *lo = (int)a;
    *hi = (int)b;
    return 1;
}

/* Parses v for row s and stores it in obj; 0 when v is not allowed (obj
 * unchanged), -1 when out of memory. */
static int store(const rk_setting_t *s, void *obj, const char *v) {
    long n;
    switch (s->type) {
    case RK_SETTING_INT:
        if (!parse_long(v, s->min, s->max, &n))
            return 0;
        *FIELD(obj, s->offset, int) = (int)n;
        return 1;
    case RK_SETTING_UINT: {
        char *end;
        errno = 0;
        unsigned long u = strtoul(v, &end, 10);
        if (end == v || *end || errno || *v == '-' || u > UINT_MAX)
            return 0;
        *FIELD(obj, s->offset, unsigned) = (unsigned)u;
        return 1;
    }
    case RK_SETTING_SIZE: {
        char *end;
        errno = 0;
        unsigned long long u = strtoull(v, &end, 10);
        if (end == v || *end || errno || *v == '-' || (double)u < s->min ||
            (double)u > s->max)
            return 0;
        *FIELD(obj, s->offset, size_t) = (size_t)u;
        return 1;
    }
    case RK_SETTING_DOUBLE: {
        char *end;
        double d = strtod(v, &end);
        if (end == v || *end || !isfinite(d) || d < s->min ||
            (s->min_open && d <= s->min) || d > s->max)
            return 0;
        *FIELD(obj, s->offset, double) = d;
        return 1;
    }
    case RK_SETTING_BOOL: return parse_bool(v, FIELD(obj, s->offset, int));
    case RK_SETTING_STRING: {
        if (!*v)
            return 0;
        char *d = strdup(v);
        if (!d)
            return -1;
        free(*FIELD(obj, s->offset, char *));
        *FIELD(obj, s->offset, char *) = d;
        return 1;
    }
    case RK_SETTING_ENUM:
        for (int i = 0; s->choices[i]; i++)
            if (!strcmp(v, s->choices[i]))
                return (*FIELD(obj, s->offset, int) = i), 1;
        return 0;
    case RK_SETTING_RANGE:
        return parse_range(s, v, FIELD(obj, s->offset, int),
                           FIELD(obj, s->offset2, int));
    }
    return 0;
}

rk_err_t rk_settings_set(const rk_setting_t *table, void *obj, const char *key,
                         const char *value, char *errstr, size_t errstr_size) {
    const rk_setting_t *s = rk_settings_find(table, key);
    if (!s)
        return rk_fail(RK_ERR_USAGE, errstr, errstr_size,
                       "unknown setting '%s'", key);
    int r = store(s, obj, value);
    if (r < 0)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    if (!r) {
        char range[96];
        return rk_fail(RK_ERR_USAGE, errstr, errstr_size,
                       "bad value '%s' for '%s' (allowed: %s)", value, key,
                       rk_settings_range(s, range, sizeof range));
    }
    return RK_OK;
}

rk_err_t rk_settings_reset(const rk_setting_t *table, void *obj, char *errstr,
                           size_t errstr_size) {
    for (const rk_setting_t *s = table; s->name; s++) {
        if (!s->def)
            continue;
        rk_err_t err =
            rk_settings_set(table, obj, s->name, s->def, errstr, errstr_size);
        /* A default the setter refuses is a bug in the table. */
        assert(err != RK_ERR_USAGE);
        if (err)
            return err;
    }
    return RK_OK;
}

void rk_settings_free(const rk_setting_t *table, void *obj) {
    for (const rk_setting_t *s = table; s->name; s++)
        if (s->type == RK_SETTING_STRING) {
            free(*FIELD(obj, s->offset, char *));
            *FIELD(obj, s->offset, char *) = NULL;
        }
}

const char *rk_settings_format(const rk_setting_t *s, const void *obj,
                               char *buf, size_t size) {
    switch (s->type) {
    case RK_SETTING_INT:
        snprintf(buf, size, "%d", *CFIELD(obj, s->offset, int));
        break;
    case RK_SETTING_UINT:
        snprintf(buf, size, "%u", *CFIELD(obj, s->offset, unsigned));
        break;
    case RK_SETTING_SIZE:
        snprintf(buf, size, "%zu", *CFIELD(obj, s->offset, size_t));
        break;
    case RK_SETTING_DOUBLE:
        snprintf(buf, size, "%g", *CFIELD(obj, s->offset, double));
        break;
    case RK_SETTING_BOOL:
        snprintf(buf, size, "%s",
                 *CFIELD(obj, s->offset, int) ? "true" : "false");
        break;
    case RK_SETTING_STRING: {
        const char *v = *CFIELD(obj, s->offset, char *);
        snprintf(buf, size, "%s", v ? v : "");
        break;
    }
    case RK_SETTING_ENUM:
        snprintf(buf, size, "%s", s->choices[*CFIELD(obj, s->offset, int)]);
        break;
    case RK_SETTING_RANGE: {
        int lo = *CFIELD(obj, s->offset, int),
            hi = *CFIELD(obj, s->offset2, int);
        if (lo)
            snprintf(buf, size, "%d-%d", lo, hi);
        else
            snprintf(buf, size, "off");
        break;
    }
    }
    return buf;
}

const char *rk_settings_range(const rk_setting_t *s, char *buf, size_t size) {
    switch (s->type) {
    case RK_SETTING_INT:
    case RK_SETTING_SIZE:
        snprintf(buf, size, "%.0f..%.0f", s->min, s->max);
        break;
    case RK_SETTING_UINT: snprintf(buf, size, "0..%u", UINT_MAX); break;
    case RK_SETTING_DOUBLE:
        if (s->min_open)
            snprintf(buf, size, "> %g, at most %g", s->min, s->max);
        else
            snprintf(buf, size, "%g..%g", s->min, s->max);
        break;
    case RK_SETTING_BOOL: snprintf(buf, size, "true, false"); break;
    case RK_SETTING_STRING: snprintf(buf, size, "any non-empty text"); break;
    case RK_SETTING_ENUM: {
        size_t used = 0;
        buf[0] = '\0';
        for (int i = 0; s->choices[i] && used < size; i++)
            used += (size_t)snprintf(buf + used, size - used, "%s%s",
                                     i ? ", " : "", s->choices[i]);
        break;
    }
    case RK_SETTING_RANGE:
        snprintf(buf, size, "LO-HI, each %.0f..%.0f, or off", s->min, s->max);
        break;
    }
    return buf;
}

const char *rk_settings_type_name(rk_setting_type_t type) {
    static const char *const names[] = {"int",  "uint",   "size", "double",
                                        "bool", "string", "enum", "range"};
    assert((size_t)type < sizeof names / sizeof *names);
    return names[type];
}

void rk_settings_foreach(const rk_setting_t *table, const void *obj,
                         void (*fn)(const char *key, const char *value,
                                    void *opaque),
                         void *opaque) {
    char buf[256];
    for (const rk_setting_t *s = table; s->name; s++)
        fn(s->name, rk_settings_format(s, obj, buf, sizeof buf), opaque);
}

rk_err_t rk_settings_load_file(const char *path,
                               rk_err_t (*set)(void *obj, const char *key,
                                               const char *value, char *errstr,
                                               size_t errstr_size),
                               void *obj, char *errstr, size_t n) {
    FILE *f = fopen(path, "r");
    if (!f)
        return rk_fail(RK_ERR_IO, errstr, n, "cannot open '%s': %s", path,
                       strerror(errno));
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    rk_err_t err = RK_OK;
    while (!err && getline(&line, &cap, f) >= 0) {
        lineno++;
        char *s = line + strspn(line, " \t");
        s[strcspn(s, "\r\n")] = '\0';
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            err = rk_fail(RK_ERR_USAGE, errstr, n, "%s:%zu: expected key=value",
                          path, lineno);
            break;
        }
        *eq = '\0';
        char *end = eq;
        while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
            *--end = '\0';
        char *v = eq + 1 + strspn(eq + 1, " \t"), inner[512];
        err = set(obj, s, v, inner, sizeof inner);
        if (err)
            rk_fail(err, errstr, n, "%s:%zu: %s", path, lineno, inner);
    }
    free(line);
    fclose(f);
    return err;
}
