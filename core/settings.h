/*
 * settings.h - one table per settings object, in the manner of librdkafka's
 * rd_kafka_properties[] and fluent-bit's config_map: a row per key with its
 * type, the offset of its field in the object, its range, its default and a
 * one-line description. One setter, one dump and one list serve every
 * object (vectoriser, training, service) and every way in (CLI flags, -X,
 * -F files, model bundles).
 *
 * Values are strings in and out. Booleans accept true/false, 1/0, on/off
 * and yes/no, and print as true/false. A range is "LO-HI", or "off" (or
 * "0") for 0-0 when the row allows it. A row's default is a string the
 * setter accepts, so rk_settings_reset() is the only place defaults are
 * applied. Tables end with a row whose name is NULL.
 */
#ifndef RK_SETTINGS_H
#define RK_SETTINGS_H

#include <stddef.h>

#include "core/err.h"

/* A numeric macro's value as a default string: RK_XSTR(RK_MAX_THREADS). */
#define RK_STR(x) #x
#define RK_XSTR(x) RK_STR(x)

typedef enum rk_setting_type_e {
    RK_SETTING_INT,    /* int, min..max */
    RK_SETTING_UINT,   /* unsigned, 0..UINT_MAX */
    RK_SETTING_SIZE,   /* size_t, min..max */
    RK_SETTING_DOUBLE, /* double, min..max; min excluded when min_open */
    RK_SETTING_BOOL,   /* int 0 or 1 */
    RK_SETTING_STRING, /* char *, owned by the object; never empty */
    RK_SETTING_ENUM,   /* int: index into choices */
    RK_SETTING_RANGE   /* two ints (offset, offset2), min..max each, LO <= HI */
} rk_setting_type_t;

typedef struct rk_setting_s {
    const char *name;
    rk_setting_type_t type;
    size_t offset;  /* offsetof the field in the object */
    size_t offset2; /* RK_SETTING_RANGE: the upper bound's field */
    double min, max;
    int min_open;               /* RK_SETTING_DOUBLE: value must be > min */
    const char *const *choices; /* RK_SETTING_ENUM: NULL-terminated */
    const char *def;            /* default as a value string; NULL: unset */
    const char *desc;           /* one line */
} rk_setting_t;

/* The row named key, or NULL. */
const rk_setting_t *rk_settings_find(const rk_setting_t *table,
                                     const char *key);

/* Sets key to value in obj. An unknown key or a bad value is RK_ERR_USAGE
 * with a message naming the key, the value and what is allowed; obj is
 * unchanged then. A caller with a fallback for keys outside its table
 * (librdkafka's properties) asks rk_settings_find first. */
rk_err_t rk_settings_set(const rk_setting_t *table, void *obj, const char *key,
                         const char *value, char *errstr, size_t errstr_size);

/* Applies every row's default to obj (string rows without a default are
 * left as they are: NULL in a zeroed object). */
rk_err_t rk_settings_reset(const rk_setting_t *table, void *obj, char *errstr,
                           size_t errstr_size);

/* Frees the strings a table's rows own in obj and sets them to NULL. */
void rk_settings_free(const rk_setting_t *table, void *obj);

/* obj's value of row s as a string the setter accepts back ("" for an
 * unset string). Returns buf. */
const char *rk_settings_format(const rk_setting_t *s, const void *obj,
                               char *buf, size_t size);

/* The allowed values of row s in words ("10..24", "true/false",
 * "linear, rbf", "LO-HI, each 1..10, or off"). Returns buf. */
const char *rk_settings_range(const rk_setting_t *s, char *buf, size_t size);

/* The type's name as `rakiza config` prints it. */
const char *rk_settings_type_name(rk_setting_type_t type);

/* Calls fn for every row in table order with obj's value as a string. */
void rk_settings_foreach(const rk_setting_t *table, const void *obj,
                         void (*fn)(const char *key, const char *value,
                                    void *opaque),
                         void *opaque);

/* Reads a properties file (key=value lines; blank lines and lines starting
 * with # skipped; white space around key and value trimmed) and hands each
 * pair to set. Errors name path:line. */
rk_err_t rk_settings_load_file(const char *path,
                               rk_err_t (*set)(void *obj, const char *key,
                                               const char *value, char *errstr,
                                               size_t errstr_size),
                               void *obj, char *errstr, size_t errstr_size);

#endif
