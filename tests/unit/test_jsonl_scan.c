/*
 * test_jsonl_scan.c — the JSON Lines reader: every construct (strings with
 * each escape, surrogate pairs, numbers at the int64 edges, literals,
 * nested values, duplicate keys), every error with its exact message and
 * column, the 8/16-byte run finders, and a differential test against
 * jansson over generated records and their malformed mutations.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonl_scan.h"
#include "testutil.h"
#include "utf8.h"

static asy_jsonl_record rec;

static int setup(void **st)
{
    (void)st;
    asy_jsonl_init(&rec);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    asy_jsonl_free(&rec);
    return 0;
}

static int parse(const char *s)
{
    return asy_jsonl_parse(&rec, s, strlen(s));
}

static const asy_jsonl_member *get(const char *key)
{
    const asy_jsonl_member *m = asy_jsonl_get(&rec, key);
    assert_non_null(m);
    return m;
}

static void assert_str(const char *key, const char *want, size_t n)
{
    const asy_jsonl_member *m = get(key);
    assert_int_equal(m->type, ASY_JSON_STRING);
    assert_int_equal(m->len, n);
    assert_memory_equal(m->str, want, n);
    assert_int_equal(m->str[n], '\0');
}

/* ==================================================================== */
/* Constructs                                                           */
/* ==================================================================== */

static void test_scalars(void **st)
{
    (void)st;
    assert_int_equal(parse(" {\"s\" : \"x\", \"i\":-42,\"r\":2.5e-1,\"t\":true,"
                           "\"f\":false,\"n\":null,\"e\":\"\"}\t "), 1);
    assert_int_equal(rec.type, ASY_JSON_OBJECT);
    assert_int_equal(rec.n, 7);
    assert_str("s", "x", 1);
    assert_int_equal(get("i")->type, ASY_JSON_INTEGER);
    assert_int_equal(get("i")->i, -42);
    assert_int_equal(get("r")->type, ASY_JSON_REAL);
    assert_true(get("r")->d == 0.25);
    assert_int_equal(get("t")->type, ASY_JSON_TRUE);
    assert_int_equal(get("f")->type, ASY_JSON_FALSE);
    assert_int_equal(get("n")->type, ASY_JSON_NULL);
    assert_str("e", "", 0);
    assert_null(asy_jsonl_get(&rec, "S"));
    assert_int_equal(parse("{}"), 1);
    assert_int_equal(rec.n, 0);
    assert_int_equal(parse("[1, {\"a\":[]}, \"x\"]"), 1);
    assert_int_equal(rec.type, ASY_JSON_ARRAY);
    assert_int_equal(rec.n, 0);
}

static void test_escapes(void **st)
{
    (void)st;
    assert_int_equal(parse("{\"a\":\"q\\\"b\\\\s\\/b\\bf\\fn\\nr\\rt\\t.\","
                           "\"u\":\"\\u0041\\u00e9\\u20AC\\ud83d\\ude00\","
                           "\"raw\":\"\xC3\xA9\xE2\x80\x99\xF0\x9F\x98\x80\","
                           "\"z\":\"a\\u0000b\",\"k\\u00e9y\":1}"), 1);
    assert_str("a", "q\"b\\s/b\bf\fn\nr\rt\t.", 17);
    assert_int_equal(get("a")->flags, ASY_JSON_STR_CR);
    assert_str("u", "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 10);
    assert_int_equal(get("u")->flags, 0);
    assert_str("raw", "\xC3\xA9\xE2\x80\x99\xF0\x9F\x98\x80", 9);
    assert_str("z", "a\0b", 3);
    assert_int_equal(get("z")->flags, ASY_JSON_STR_NUL);
    assert_int_equal(get("k\xC3\xA9y")->i, 1);
    /* \u000D is a CR too; a long plain run crosses the 16-byte blocks */
    assert_int_equal(parse("{\"c\":\"\\u000d\",\"long\":\"0123456789abcdef"
                           "0123456789abcdef0123456789\\n\"}"), 1);
    assert_int_equal(get("c")->flags, ASY_JSON_STR_CR);
    assert_str("long", "0123456789abcdef0123456789abcdef0123456789\n", 43);
}

static void test_numbers(void **st)
{
    (void)st;
    assert_int_equal(parse("{\"max\":9223372036854775807,"
                           "\"min\":-9223372036854775808,\"z\":0,\"nz\":-0,"
                           "\"over\":9223372036854775808,"
                           "\"under\":-9223372036854775809,"
                           "\"e\":1E+2,\"e2\":1e-2,\"tiny\":1e-400,"
                           "\"big\":1.7976931348623157e308,\"f\":-0.0}"), 1);
    assert_int_equal(get("max")->i, INT64_MAX);
    assert_int_equal(get("min")->i, INT64_MIN);
    assert_int_equal(get("z")->i, 0);
    assert_int_equal(get("nz")->type, ASY_JSON_INTEGER);
    assert_int_equal(get("nz")->i, 0);
    /* beyond int64: a double (jansson would reject the record) */
    assert_int_equal(get("over")->type, ASY_JSON_REAL);
    assert_true(get("over")->d == 9223372036854775808.0);
    assert_int_equal(get("under")->type, ASY_JSON_REAL);
    assert_true(get("under")->d == -9223372036854775808.0);
    assert_true(get("e")->d == 100.0);
    assert_true(get("e2")->d == 0.01);
    assert_true(get("tiny")->d == 0.0);
    assert_true(get("big")->d == 1.7976931348623157e308);
    assert_true(get("f")->d == 0.0 && signbit(get("f")->d));
}

static void test_nested_and_duplicates(void **st)
{
    (void)st;
    assert_int_equal(parse("{\"a\":1,\"o\": { \"k\" : [ 1 , \"\\u00e9\" ] , "
                           "\"k\":{}},\"b\":2,\"a\":\"last\",\"l\":[ ]}"), 1);
    assert_int_equal(rec.n, 4);
    /* a duplicate keeps its first place and takes the last value */
    assert_string_equal(rec.members[0].key, "a");
    assert_str("a", "last", 4);
    assert_string_equal(rec.members[1].key, "o");
    assert_string_equal(rec.members[2].key, "b");
    assert_string_equal(rec.members[3].key, "l");
    const asy_jsonl_member *o = get("o");
    assert_int_equal(o->type, ASY_JSON_OBJECT);
    assert_int_equal(o->len, 34);
    assert_memory_equal(o->str, "{ \"k\" : [ 1 , \"\\u00e9\" ] , \"k\":{}}", 34);
    size_t n;
    char *c = asy_jsonl_compact(o, &n);
    assert_string_equal(c, "{\"k\":{}}");
    assert_int_equal(n, 8);
    free(c);
    c = asy_jsonl_compact(get("l"), &n);
    assert_string_equal(c, "[]");
    free(c);
    /* jansson cannot load an integer beyond int64: the source, minified */
    assert_int_equal(parse("{\"x\":[ 18446744073709551616, \"a b\" ]}"), 1);
    c = asy_jsonl_compact(get("x"), &n);
    assert_string_equal(c, "[18446744073709551616,\"a b\"]");
    free(c);
}

static void test_depth_limit(void **st)
{
    (void)st;
    /* jansson's limit: 2048 nested values, the top-level object included */
    char *s = malloc(10000);
    assert_non_null(s);
    for (int depth = 2047; depth <= 2049; depth++) {
        size_t k = 0;
        s[k++] = '{';
        memcpy(s + k, "\"a\":", 4);
        k += 4;
        for (int d = 2; d < depth; d++)
            s[k++] = '[';
        s[k++] = '1';
        for (int d = 2; d < depth; d++)
            s[k++] = ']';
        s[k++] = '}';
        s[k] = '\0';
        int rc = parse(s);
        assert_int_equal(rc, depth <= 2048);
        if (!rc) {
            assert_string_equal(rec.message,
                                "maximum parsing depth reached near '1'");
            assert_int_equal(rec.column, 5 + 2047 + 1);
        }
    }
    free(s);
}

/* ==================================================================== */
/* Errors: jansson's words and columns                                  */
/* ==================================================================== */

typedef struct bad_case {
    const char *in;
    int column;
    const char *msg;
} bad_case;

static const bad_case bads[] = {
    {"{\"text\":\"trunc", 14, "premature end of input near '\"trunc'"},
    {"{\"text\":\"0123456789012345678901", 31, "premature end of input"},
    {"", 0, "'[' or '{' expected near end of file"},
    {"\"s\"", 3, "'[' or '{' expected near '\"s\"'"},
    {"42", 2, "'[' or '{' expected near '42'"},
    {"{", 1, "string or '}' expected near end of file"},
    {"{,}", 2, "string or '}' expected near ','"},
    {"{\"a\":1,}", 8, "string or '}' expected near '}'"},
    {"{a:1}", 2, "string or '}' expected near 'a'"},
    {"{\"a\" 1}", 6, "':' expected near '1'"},
    {"{\"a\"}", 5, "':' expected near '}'"},
    {"{\"a\":}", 6, "unexpected token near '}'"},
    {"{\"a\":", 5, "unexpected token near end of file"},
    {"{\"a\":1 \"b\":2}", 10, "'}' expected near '\"b\"'"},
    {"{\"a\":1", 6, "'}' expected near end of file"},
    {"{\"a\":[1,]}", 9, "unexpected token near ']'"},
    {"{\"a\":[1,", 8, "']' expected near end of file"},
    {"{\"a\":[1 2]}", 9, "']' expected near '2'"},
    {"{\"a\":[}", 7, "unexpected token near '}'"},
    {"{} x", 4, "end of file expected near 'x'"},
    {"{}}", 3, "end of file expected near '}'"},
    {"{\"a\":1}{\"b\":2}", 8, "end of file expected near '{'"},
    {"{\"a\":tru}", 8, "invalid token near 'tru'"},
    {"{\"a\":nulls}", 10, "invalid token near 'nulls'"},
    {"{\"a\":True}", 9, "invalid token near 'True'"},
    {"{\"a\":01}", 6, "invalid token near '0'"},
    {"{\"a\":-01}", 7, "invalid token near '-0'"},
    {"{\"a\":+1}", 6, "invalid token near '+'"},
    {"{\"a\":.5}", 6, "invalid token near '.'"},
    {"{\"a\":-}", 6, "invalid token near '-'"},
    {"{\"a\":1.}", 7, "invalid token near '1.'"},
    {"{\"a\":1.e5}", 7, "invalid token near '1.'"},
    {"{\"a\":1e}", 7, "invalid token near '1e'"},
    {"{\"a\":1e+}", 8, "invalid token near '1e+'"},
    {"{\"a\":1.5.2}", 9, "'}' expected near '.'"},
    {"{\"a\":1e999}", 10, "real number overflow near '1e999'"},
    {"{\"a\":-1e999}", 11, "real number overflow near '-1e999'"},
    {"{\"a\":'x'}", 6, "invalid token near '''"},
    {"{\"a\":\xC3\xA9}", 6, "invalid token near '\xC3\xA9'"},
    {"{\"\xC3\xA9\":1,\xE2\x80\x99}", 8, "string or '}' expected near '\xE2\x80\x99'"},
    {"{\"a\":\"x\ty\"}", 7, "control character 0x9 near '\"x'"},
    {"{\"a\":\"x\x1fy\"}", 7, "control character 0x1f near '\"x'"},
    {"{\"a\":\"x\ny\"}", 7, "unexpected newline near '\"x'"},
    {"{\"a\":\"\\x\"}", 8, "invalid escape near '\"\\x'"},
    {"{\"a\":\"\\u12G4\"}", 11, "invalid escape near '\"\\u12G'"},
    {"{\"a\":\"\\u12", 10, "invalid escape near '\"\\u12'"},
    {"{\"a\":\"\\", 7, "invalid escape near '\"\\'"},
    {"{\"a\":\"\\ud800\"}", 13, "invalid Unicode '\\uD800' near '\"\\ud800\"'"},
    {"{\"a\":\"\\udc00\"}", 13, "invalid Unicode '\\uDC00' near '\"\\udc00\"'"},
    {"{\"a\":\"\\ud800x\"}", 14, "invalid Unicode '\\uD800' near '\"\\ud800x\"'"},
    {"{\"a\":\"\\uD800\\u0041\"}", 19,
     "invalid Unicode '\\uD800\\u0041' near '\"\\uD800\\u0041\"'"},
    {"{\"a\":\"\\ud800\\ud800\"}", 19,
     "invalid Unicode '\\uD800\\uD800' near '\"\\ud800\\ud800\"'"},
    /* a surrogate error loses to any later error in the same string */
    {"{\"a\":\"\\ud800\\q\"}", 14, "invalid escape near '\"\\ud800\\q'"},
    {"{\"a\":\"\\ud800", 12, "premature end of input near '\"\\ud800'"},
    {"{\"a\\u0000\":1}", 10, "NUL byte in object key not supported near '\"a\\u0000\"'"},
    {"{\"o\":{\"\\u0000\":1}}", 14, "NUL byte in object key not supported near '\"\\u0000\"'"},
    {"{\"a\":[{\"b\" 1}]}", 12, "':' expected near '1'"},
    /* columns count characters, and restart after a newline */
    {"{\"\xC3\xA9\xC3\xA9\":x}", 7, "invalid token near 'x'"},
    {"{\"a\":1,\n \"b\" 2}", 6, "':' expected near '2'"},
    /* a quoted token longer than 20 bytes is not quoted */
    {"{\"a\":1 \"0123456789012345678\"}", 28, "'}' expected"},
    {"{\"a\":1 \"012345678901234567\"}", 27,
     "'}' expected near '\"012345678901234567\"'"},
    {"\"01234567890123456789\"", 22, "'[' or '{' expected"},
};

static void test_errors(void **st)
{
    (void)st;
    for (size_t i = 0; i < sizeof bads / sizeof *bads; i++) {
        const bad_case *b = &bads[i];
        int rc = parse(b->in);
        if (rc != 0 || strcmp(rec.message, b->msg) != 0 ||
            rec.column != b->column)
            fail_msg("case %zu <%s>: rc %d, column %d, '%s'", i, b->in, rc,
                     rec.column, rec.message);
    }
}

/* ==================================================================== */
/* Run finders                                                          */
/* ==================================================================== */

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static size_t plain_ref(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] >= 0x20 && s[i] != '"' && s[i] != '\\')
        i++;
    return i;
}

static void test_plain_len(void **st)
{
    (void)st;
    static const unsigned char stops[] = {'"', '\\', 0x00, 0x1F, 0x0A};
    static const unsigned char goes[] = {'a', ' ', 0x20, 0x21, 0x5B, 0x5D,
                                         0x7F, 0x80, 0xBF, 0xC3, 0xFF, '!'};
    unsigned char buf[80];
    for (int t = 0; t < 20000; t++) {
        size_t n = rnd() % sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = goes[rnd() % sizeof goes];
        if (n && rnd() % 4)
            buf[rnd() % n] = stops[rnd() % sizeof stops];
        size_t want = plain_ref(buf, n);
        assert_int_equal(asy_jsonl_plain_len(buf, n), want);
        assert_int_equal(asy_jsonl_plain_len_swar(buf, n), want);
    }
}

/* ==================================================================== */
/* Differential test against jansson                                    */
/* ==================================================================== */

typedef struct gen {
    char *s;
    size_t n, cap;
} gen;

static void put(gen *g, const char *p, size_t k)
{
    if (g->n + k + 1 > g->cap) {
        g->cap = (g->n + k + 1) * 2;
        g->s = realloc(g->s, g->cap);
        assert_non_null(g->s);
    }
    memcpy(g->s + g->n, p, k);
    g->n += k;
    g->s[g->n] = '\0';
}

static void puts_(gen *g, const char *p)
{
    put(g, p, strlen(p));
}

static void ws(gen *g)
{
    static const char *const w[] = {"", "", "", " ", "\t", "  ", "\n"};
    puts_(g, w[rnd() % 7]);
}

static void gen_hex4(gen *g, unsigned v)
{
    char b[8];
    snprintf(b, sizeof b, rnd() % 2 ? "\\u%04x" : "\\u%04X", v);
    puts_(g, b);
}

static void gen_string(gen *g, int key)
{
    static const char *const pieces[] = {
        "a", "Hello", " ", "0123456789abcdefghij", "\\\"", "\\\\", "\\/",
        "\\b", "\\f", "\\n", "\\r", "\\t", "\xC3\xA9", "\xE2\x80\x99",
        "\xF0\x9F\x98\x80", "\xEF\xBB\xBF", "x", "[", "{", ",", ":",
    };
    put(g, "\"", 1);
    int k = key ? (int)(rnd() % 3) : (int)(rnd() % 12);
    for (int i = 0; i < k; i++) {
        uint32_t r = rnd() % 40;
        if (r < 21) {
            puts_(g, pieces[r]);
        } else if (r < 26) {
            gen_hex4(g, 0x20 + rnd() % 0xD000);
        } else if (r < 28) {
            unsigned c = 0x10000 + rnd() % 0x100000;
            gen_hex4(g, 0xD800 + ((c - 0x10000) >> 10));
            gen_hex4(g, 0xDC00 + ((c - 0x10000) & 0x3FF));
        } else if (r < 29) {
            gen_hex4(g, rnd() % 3 ? 0 : 0x0D);
        } else if (r < 30) {
            gen_hex4(g, 0xD800 + rnd() % 0x800); /* usually an error */
        } else {
            char c = (char)('a' + rnd() % 26);
            put(g, &c, 1);
        }
    }
    put(g, "\"", 1);
}

static void gen_number(gen *g)
{
    static const char *const nums[] = {
        "0", "-0", "1", "-1", "42", "9223372036854775807",
        "-9223372036854775808", "9223372036854775806", "1.5", "-0.0",
        "0.1", "1e308", "1e-400", "2.2250738585072014e-308", "1E+2",
        "1e-2", "123456789.987654321", "4.9e-324", "-12.5E3", "100",
    };
    char b[32];
    uint32_t r = rnd() % 30;
    if (r < 20) {
        puts_(g, nums[r]);
    } else if (r < 25) {
        snprintf(b, sizeof b, "%ld", (long)rnd() - (long)rnd());
        puts_(g, b);
    } else {
        snprintf(b, sizeof b, "%.*g", (int)(1 + rnd() % 17),
                 ((double)rnd() - 32768.0) * pow(10.0, (int)(rnd() % 40) - 20));
        puts_(g, b);
    }
}

static void gen_value(gen *g, int depth);

static void gen_container(gen *g, int depth, int object)
{
    static const char *const keys[] = {"\"id\"", "\"text\"", "\"a\"", "\"date\""};
    put(g, object ? "{" : "[", 1);
    int n = (int)(rnd() % (depth > 3 ? 2 : 5));
    for (int i = 0; i < n; i++) {
        if (i)
            put(g, ",", 1);
        ws(g);
        if (object) {
            if (rnd() % 2)
                puts_(g, keys[rnd() % 4]); /* duplicates happen */
            else
                gen_string(g, 1);
            ws(g);
            put(g, ":", 1);
            ws(g);
        }
        gen_value(g, depth + 1);
        ws(g);
    }
    put(g, object ? "}" : "]", 1);
}

static void gen_value(gen *g, int depth)
{
    uint32_t r = rnd() % 20;
    if (r < 6)
        gen_string(g, 0);
    else if (r < 11)
        gen_number(g);
    else if (r < 12)
        puts_(g, "true");
    else if (r < 13)
        puts_(g, "false");
    else if (r < 14)
        puts_(g, "null");
    else if (depth < 6)
        gen_container(g, depth, r < 17);
    else
        puts_(g, "0");
}

static void mutate(gen *g)
{
    static const char ins[] = "\"{}[],:\\u0123456789abefnrtlsE+-. \t\n\x01\x1f\xC3\xA9";
    if (!g->n)
        return;
    size_t at = rnd() % g->n;
    switch (rnd() % 4) {
    case 0: /* delete */
        memmove(g->s + at, g->s + at + 1, g->n - at);
        g->n--;
        break;
    case 1: /* replace */
        g->s[at] = ins[rnd() % (sizeof ins - 1)];
        break;
    case 2: { /* insert */
        char c = ins[rnd() % (sizeof ins - 1)];
        put(g, " ", 1);
        memmove(g->s + at + 1, g->s + at, g->n - at - 1);
        g->s[at] = c;
        break;
    }
    default: /* truncate */
        g->n = at;
        g->s[at] = '\0';
    }
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

static void same_value(const asy_jsonl_member *m, json_t *v, const char *in)
{
    if (m->type != type_of(v))
        fail_msg("type %d vs %d in <%s>", m->type, type_of(v), in);
    switch (m->type) {
    case ASY_JSON_STRING:
        assert_int_equal(m->len, json_string_length(v));
        assert_memory_equal(m->str, json_string_value(v), m->len);
        assert_int_equal(!!(m->flags & ASY_JSON_STR_NUL),
                         memchr(m->str, 0, m->len) != NULL);
        assert_int_equal(!!(m->flags & ASY_JSON_STR_CR),
                         memchr(m->str, '\r', m->len) != NULL);
        break;
    case ASY_JSON_INTEGER: assert_true(m->i == json_integer_value(v)); break;
    case ASY_JSON_REAL:
        assert_memory_equal(&m->d, &(double){json_real_value(v)}, sizeof m->d);
        break;
    case ASY_JSON_OBJECT:
    case ASY_JSON_ARRAY: {
        size_t n;
        char *ours = asy_jsonl_compact(m, &n);
        char *theirs = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        assert_string_equal(ours, theirs);
        free(ours);
        free(theirs);
        break;
    }
    default: break;
    }
}

/* Compare with jansson on one input; returns 1 when it was comparable. */
static int compare(const char *in, size_t n, size_t *accepted)
{
    json_error_t je;
    json_t *j = json_loadb(in, n, JSON_ALLOW_NUL, &je);
    int rc = asy_jsonl_parse(&rec, in, n);
    assert_true(rc >= 0);
    if (!j) {
        /* our one difference: integers beyond int64 are read as doubles */
        if (strstr(je.text, "too big"))
            return 0;
        if (rc != 0 || rec.column != je.column)
            fail_msg("jansson: column %d '%s'; ours: rc %d column %d '%s' "
                     "for <%s>", je.column, je.text, rc, rec.column,
                     rec.message, in);
        size_t bad;
        if (asy_utf8_valid(je.text, strlen(je.text), &bad))
            assert_string_equal(rec.message, je.text);
        else /* jansson cut a character; we quote it whole */
            assert_memory_equal(rec.message, je.text, bad);
        return 1;
    }
    if (rc != 1)
        fail_msg("jansson accepts, ours: '%s' for <%s>", rec.message, in);
    assert_int_equal(rec.type, type_of(j));
    if (json_is_object(j)) {
        assert_int_equal(rec.n, json_object_size(j));
        const char *key;
        json_t *v;
        size_t i = 0;
        json_object_foreach(j, key, v) {
            assert_string_equal(rec.members[i].key, key);
            same_value(&rec.members[i], v, in);
            i++;
        }
    }
    json_decref(j);
    (*accepted)++;
    return 1;
}

static void test_differential(void **st)
{
    (void)st;
    gen g = {NULL, 0, 0};
    size_t compared = 0, accepted = 0, total = 0;
    for (int t = 0; t < 30000; t++) {
        g.n = 0;
        put(&g, "", 0);
        ws(&g);
        uint32_t top = rnd() % 20;
        if (top < 17)
            gen_container(&g, 1, 1);
        else if (top < 19)
            gen_container(&g, 1, 0);
        else
            gen_value(&g, 1);
        ws(&g);
        int mutations = t % 3 == 0 ? 0 : (int)(1 + rnd() % 2);
        for (int k = 0; k < mutations; k++)
            mutate(&g);
        size_t bad;
        /* the loader hands over cleaned lines: valid UTF-8, no NUL */
        if (!asy_utf8_valid(g.s, g.n, &bad) || memchr(g.s, 0, g.n))
            continue;
        total++;
        compared += (size_t)compare(g.s, g.n, &accepted);
    }
    free(g.s);
    print_message("differential: %zu inputs, %zu compared, %zu accepted\n",
                  total, compared, accepted);
    assert_true(compared > 20000);
    assert_true(accepted > 8000 && accepted < compared - 5000);
}

/* Strings decoded in 16- or 64-byte blocks that are stored whole (and,
 * 64 at a time, only with 128 bytes left): every escape, quote and cut-off
 * end at every offset of a block, in members that follow one another in
 * the scratch buffer, must decode as jansson does and leave the members
 * before them intact. */
static void test_block_boundaries(void **st)
{
    (void)st;
    static const char *const escs[] = {"\\n", "\\\"", "\\\\", "\\r",
                                       "\\u00e9", "\\ud83d\\ude00", "\\u0000",
                                       "\xC3\xA9", "\\x", "\t", "\\"};
    char in[600], a[200], b[100];
    size_t accepted = 0;
    for (size_t e = 0; e < sizeof escs / sizeof *escs; e++)
        for (int pa = 0; pa < 170; pa++)
            for (int pb = 0; pb < 40; pb += 3) {
                memset(a, 'a', sizeof a);
                memset(b, 'b', sizeof b);
                int n = snprintf(in, sizeof in,
                                 "{\"k\":\"%.*s%s%.*s\",\"l\":\"%.*s%s\"}",
                                 pa, a, escs[e], 33 - pa % 17, a, pb, b,
                                 escs[(e + (size_t)pb) % 11]);
                assert_true(n > 0 && (size_t)n < sizeof in);
                compare(in, (size_t)n, &accepted);
                compare(in, (size_t)n - 2, &accepted); /* cut off */
            }
    assert_true(accepted > 12000);
}

/* Strings thick with escapes, as news text is (several in a 64-byte
 * block, at its last bytes, one after another, "\\\\" and "\\\"" whose
 * second byte is itself special), with the odd \\u, \\r, bad escape,
 * control byte or quote among them, at every length around the block
 * sizes: each decodes, or fails, as jansson does. */
static void test_escape_runs(void **st)
{
    (void)st;
    static const char *const bits[] = {
        "a", "bc", "defgh", " ", "\\n", "\\\"", "\\\\", "\\t", "\\/",
        "\\b", "\\f", "\\r", "\\u00e9", "\\ud83d\\ude00", "\xC3\xA9",
        "\\n\\n", "\\\\\\\"", "ijklmnopqrstuvwxyz0123456789"};
    enum { NB = sizeof bits / sizeof *bits };
    gen g = {NULL, 0, 0};
    size_t accepted = 0, compared = 0;
    for (int t = 0; t < 20000; t++) {
        g.n = 0;
        static const char head[] = "{\"id\":\"d\",\"text\":\"";
        put(&g, head, sizeof head - 1);
        size_t want = rnd() % 400;
        size_t from = g.n;
        while (g.n - from < want) {
            uint32_t r = rnd() % 100;
            const char *b = r < 97 ? bits[rnd() % (NB - 1)]
                                   : r < 98 ? "\\x" : r < 99 ? "\x01"
                                                               : "\"";
            if (rnd() % 4 == 0)
                b = bits[NB - 1];
            put(&g, b, strlen(b));
        }
        put(&g, "\"}", t % 50 == 7 ? 1 : 2);
        compared += (size_t)compare(g.s, g.n, &accepted);
    }
    free(g.s);
    print_message("escape runs: %zu compared, %zu accepted\n", compared,
                  accepted);
    assert_true(compared > 15000);
    assert_true(accepted > 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_nested_and_duplicates),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_plain_len),
        cmocka_unit_test(test_differential),
        cmocka_unit_test(test_block_boundaries),
        cmocka_unit_test(test_escape_runs),
    };
    /* every case with strings decoded 64 bytes at a time (where the CPU
     * can), then 16 */
    int failed = cmocka_run_group_tests(tests, setup, teardown);
    asy_jsonl_scan_wide(0);
    failed += cmocka_run_group_tests(tests, setup, teardown);
    asy_jsonl_scan_wide(1);
    return failed;
}
