/*
 * test_settings.c - the settings-table machinery (core/settings.h) on a
 * table of its own with one row of every type: values in and out, the one
 * boolean vocabulary, ranges, defaults, strings owned by the object, and
 * properties files. If these fail, every settings object (vectoriser,
 * training, service) takes or prints values wrongly.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/settings.h"
#include "testutil.h"

typedef struct obj_s {
    int n, flag, choice, lo, hi;
    unsigned u;
    size_t size;
    double d;
    char *name;
} obj_t;

static const char *const colours[] = {"red", "green", NULL};

static const rk_setting_t table[] = {
    {"n", RK_SETTING_INT, offsetof(obj_t, n), 0, -5, 5, 0, NULL, "2", "int"},
    {"u", RK_SETTING_UINT, offsetof(obj_t, u), 0, 0, 0, 0, NULL, "7", "uint"},
    {"size", RK_SETTING_SIZE, offsetof(obj_t, size), 0, 10, 4294967296.0, 0,
     NULL, "100", "size"},
    {"d", RK_SETTING_DOUBLE, offsetof(obj_t, d), 0, 0, 10, 1, NULL, "1.5",
     "double"},
    {"flag", RK_SETTING_BOOL, offsetof(obj_t, flag), 0, 0, 1, 0, NULL, "false",
     "bool"},
    {"name", RK_SETTING_STRING, offsetof(obj_t, name), 0, 0, 0, 0, NULL, NULL,
     "string"},
    {"colour", RK_SETTING_ENUM, offsetof(obj_t, choice), 0, 0, 0, 0, colours,
     "green", "enum"},
    {"range", RK_SETTING_RANGE, offsetof(obj_t, lo), offsetof(obj_t, hi), 1, 10,
     0, NULL, "3-5", "range"},
    {NULL, 0, 0, 0, 0, 0, 0, NULL, NULL, NULL}};

static void reset(obj_t *o) {
    char err[256];
    memset(o, 0, sizeof *o);
    CHECK(rk_settings_reset(table, o, err, sizeof err) == RK_OK,
          "every default is a value the setter takes: %s", err);
}

static const char *value_of(const obj_t *o, const char *key) {
    static char buf[64];
    const rk_setting_t *s = rk_settings_find(table, key);
    return s ? rk_settings_format(s, o, buf, sizeof buf) : "(no row)";
}

static void test_defaults(void) {
    /* If it fails: a settings object starts from values other than its
     * table's defaults, so `rakiza config` lies about them. */
    obj_t o;
    reset(&o);
    CHECK(o.n == 2 && o.u == 7 && o.size == 100 && o.d == 1.5 && !o.flag &&
              o.name == NULL && o.choice == 1 && o.lo == 3 && o.hi == 5,
          "the defaults are applied (n %d u %u size %zu d %g flag %d choice "
          "%d range %d-%d)",
          o.n, o.u, o.size, o.d, o.flag, o.choice, o.lo, o.hi);
    rk_settings_free(table, &o);
}

static void test_round_trip(void) {
    /* If it fails: a value printed by the dump (saved in every model
     * bundle) is not read back as the same value. */
    static const char *const pairs[][2] = {
        {"n", "-5"},        {"n", "5"},        {"u", "4294967295"},
        {"size", "10"},     {"d", "0.25"},     {"flag", "true"},
        {"name", "Ghazal"}, {"colour", "red"}, {"range", "1-10"},
        {"range", "off"}};
    obj_t o;
    reset(&o);
    char err[256];
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        CHECK(rk_settings_set(table, &o, pairs[i][0], pairs[i][1], err,
                              sizeof err) == RK_OK,
              "%s=%s is accepted: %s", pairs[i][0], pairs[i][1], err);
        CHECK(!strcmp(value_of(&o, pairs[i][0]), pairs[i][1]),
              "%s prints back as %s, got %s", pairs[i][0], pairs[i][1],
              value_of(&o, pairs[i][0]));
    }
    rk_settings_free(table, &o);
    CHECK(o.name == NULL, "free leaves no dangling string");
}

static void test_one_boolean_vocabulary(void) {
    /* If it fails: one settings object takes a word another refuses. */
    static const char *const yes[] = {"true", "1", "on", "yes"};
    static const char *const no[] = {"false", "0", "off", "no"};
    obj_t o;
    reset(&o);
    char err[256];
    for (size_t i = 0; i < 4; i++) {
        CHECK(rk_settings_set(table, &o, "flag", yes[i], err, sizeof err) ==
                      RK_OK &&
                  o.flag == 1,
              "'%s' means true", yes[i]);
        CHECK(rk_settings_set(table, &o, "flag", no[i], err, sizeof err) ==
                      RK_OK &&
                  o.flag == 0,
              "'%s' means false", no[i]);
    }
    CHECK(rk_settings_set(table, &o, "flag", "TRUE", err, sizeof err) ==
              RK_ERR_USAGE,
          "the words are lowercase: 'TRUE' is refused");
}

static void test_refusals_name_key_value_and_range(void) {
    /* If it fails: a bad value is taken, changes the object, or the
     * message does not tell the user what is allowed. */
    static const char *const bad[][3] = {
        {"n", "6", "-5..5"},          {"n", "1x", "-5..5"},
        {"u", "-1", "0.."},           {"size", "9", "10..4294967296"},
        {"size", "4294967297", "10"}, {"d", "0", "> 0"},
        {"d", "nan", "> 0"},          {"d", "10.5", "at most 10"},
        {"name", "", "non-empty"},    {"colour", "blue", "red, green"},
        {"range", "5-3", "LO-HI"},    {"range", "0-4", "LO-HI"},
        {"range", "3", "LO-HI"}};
    char err[256];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        obj_t o, before;
        reset(&o);
        before = o;
        rk_err_t e =
            rk_settings_set(table, &o, bad[i][0], bad[i][1], err, sizeof err);
        CHECK(e == RK_ERR_USAGE && strstr(err, bad[i][0]) &&
                  strstr(err, bad[i][1]) && strstr(err, bad[i][2]),
              "%s=%s is refused naming the key, the value and '%s': %s",
              bad[i][0], bad[i][1], bad[i][2], err);
        CHECK(!memcmp(&o, &before, sizeof o),
              "a refused %s leaves the object as it was", bad[i][0]);
    }
    obj_t o;
    reset(&o);
    CHECK(rk_settings_set(table, &o, "colour ", "red", err, sizeof err) ==
                  RK_ERR_USAGE &&
              strstr(err, "unknown setting 'colour '"),
          "an unknown key is refused by name: %s", err);
}

static void test_listing(void) {
    /* If it fails: `rakiza config` shows a wrong type or range. */
    char buf[128];
    CHECK(!strcmp(
              rk_settings_range(rk_settings_find(table, "n"), buf, sizeof buf),
              "-5..5"),
          "an int's range is lo..hi, got %s", buf);
    CHECK(!strcmp(rk_settings_range(rk_settings_find(table, "colour"), buf,
                                    sizeof buf),
                  "red, green"),
          "an enum lists its choices, got %s", buf);
    CHECK(!strcmp(rk_settings_type_name(RK_SETTING_RANGE), "range") &&
              !strcmp(rk_settings_type_name(RK_SETTING_BOOL), "bool"),
          "type names are the ones the README uses");
}

static rk_err_t set_obj(void *obj, const char *key, const char *value,
                        char *errstr, size_t errstr_size) {
    return rk_settings_set(table, obj, key, value, errstr, errstr_size);
}

static void test_properties_file(void) {
    /* If it fails: -F files are read differently from -X pairs, or an
     * error does not say which line of which file. */
    const char *good = "# a comment\n\n  n = -3\nname=a b\r\nflag=yes";
    const char *path =
        rk_test_write_file(NULL, "good.properties", good, strlen(good));
    obj_t o;
    reset(&o);
    char err[256];
    CHECK(rk_settings_load_file(path, set_obj, &o, err, sizeof err) == RK_OK,
          "a file with comments, blanks, spaces and CRLF loads: %s", err);
    CHECK(o.n == -3 && o.name && !strcmp(o.name, "a b") && o.flag == 1,
          "its values are set (n %d name %s flag %d)", o.n,
          o.name ? o.name : "(null)", o.flag);
    rk_settings_free(table, &o);
    const char *bad = "n=1\nnonsense\n";
    path = rk_test_write_file(NULL, "bad.properties", bad, strlen(bad));
    reset(&o);
    CHECK(rk_settings_load_file(path, set_obj, &o, err, sizeof err) ==
                  RK_ERR_USAGE &&
              strstr(err, "bad.properties:2: expected key=value"),
          "a line without '=' is refused naming file:line: %s", err);
    const char *range = "n=9\n";
    path = rk_test_write_file(NULL, "range.properties", range, strlen(range));
    CHECK(rk_settings_load_file(path, set_obj, &o, err, sizeof err) ==
                  RK_ERR_USAGE &&
              strstr(err, "range.properties:1: bad value '9' for 'n'"),
          "a bad value names file:line and the key: %s", err);
    CHECK(rk_settings_load_file("/nonexistent/x", set_obj, &o, err,
                                sizeof err) == RK_ERR_IO,
          "a missing file is an I/O error");
}

TEST_LIST = {{"defaults", test_defaults},
             {"round_trip", test_round_trip},
             {"one_boolean_vocabulary", test_one_boolean_vocabulary},
             {"refusals_name_key_value_and_range",
              test_refusals_name_key_value_and_range},
             {"listing", test_listing},
             {"properties_file", test_properties_file},
             {NULL, NULL}};
