/*
 * fuzz_jsonl.c — libFuzzer target for the JSON Lines reader (jsonl_scan.c),
 * differential against jansson: both must accept or reject each input, at
 * the same column with the same words, and agree on every value. Not built
 * by CMake or run by ctest. Build and run from the repository root:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Icore/src \
 *     tests/fuzz/fuzz_jsonl.c core/src/jsonl_scan.c core/src/utf8.c \
 *     -ljansson -lpthread -lm -o /tmp/fuzz_jsonl
 *   mkdir -p /tmp/jsonl-corpus && /tmp/fuzz_jsonl -max_len=4096 \
 *     -max_total_time=300 /tmp/jsonl-corpus
 *
 * Inputs are what the loader hands the parser: valid UTF-8 without NUL
 * (other inputs are ignored).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonl_scan.h"
#include "utf8.h"

static void check(int ok, const char *what, const char *in, size_t n)
{
    if (ok)
        return;
    fprintf(stderr, "jsonl_scan differs from jansson (%s) on <%.*s>\n", what,
            (int)n, in);
    abort();
}

static asy_json_type type_of(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return ASY_JSON_OBJECT;
    case JSON_ARRAY: return ASY_JSON_ARRAY;
    case JSON_STRING: return ASY_JSON_STRING;
    case JSON_INTEGER: return ASY_JSON_INTEGER;
    case JSON_REAL: return ASY_JSON_REAL;
    case JSON_TRUE: return ASY_JSON_TRUE;
    case JSON_FALSE: return ASY_JSON_FALSE;
    default: return ASY_JSON_NULL;
    }
}

static int same_value(const asy_jsonl_member *m, json_t *v)
{
    if (m->type != type_of(v))
        return 0;
    switch (m->type) {
    case ASY_JSON_STRING:
        return m->len == json_string_length(v) &&
               memcmp(m->str, json_string_value(v), m->len) == 0;
    case ASY_JSON_INTEGER: return m->i == json_integer_value(v);
    case ASY_JSON_REAL: {
        double d = json_real_value(v);
        return memcmp(&m->d, &d, sizeof d) == 0;
    }
    case ASY_JSON_OBJECT:
    case ASY_JSON_ARRAY: {
        size_t n;
        char *ours = asy_jsonl_compact(m, &n);
        char *theirs = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        int same = ours && theirs && strcmp(ours, theirs) == 0;
        free(ours);
        free(theirs);
        return same;
    }
    default: return 1;
    }
}

static void compare_object(const asy_jsonl_record *r, json_t *j,
                           const char *in, size_t n)
{
    check(r->n == json_object_size(j), "member count", in, n);
    const char *key;
    json_t *v;
    size_t i = 0;
    json_object_foreach(j, key, v) {
        check(strcmp(r->members[i].key, key) == 0, "key order", in, n);
        check(same_value(&r->members[i], v), "value", in, n);
        i++;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    size_t bad;
    if (!asy_utf8_valid(in, size, &bad) || memchr(in, 0, size))
        return 0;
    asy_jsonl_record r;
    asy_jsonl_init(&r);
    int rc = asy_jsonl_parse(&r, in, size);
    json_error_t je;
    json_t *j = json_loadb(in, size, JSON_ALLOW_NUL, &je);
    if (!j) {
        /* the one deliberate difference: integers beyond int64 */
        if (!strstr(je.text, "too big")) {
            check(rc == 0, "accepts", in, size);
            check(r.column == je.column, "column", in, size);
            if (asy_utf8_valid(je.text, strlen(je.text), &bad))
                check(strcmp(r.message, je.text) == 0, "message", in, size);
        }
    } else {
        check(rc == 1, "rejects", in, size);
        check(r.type == type_of(j), "top type", in, size);
        if (json_is_object(j))
            compare_object(&r, j, in, size);
        json_decref(j);
    }
    asy_jsonl_free(&r);
    return 0;
}
