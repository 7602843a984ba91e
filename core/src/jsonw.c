/*
 * jsonw.c — JSON text into a buffer (jsonw.h), in jansson's own layout so
 * that a manifest written partly from a tree and partly by hand reads as
 * one, and as manifests always have: two spaces a level, ": " after keys,
 * control characters escaped as \u001F (hex digits in capitals), reals as
 * "%.17g" (in the C locale) with ".0" added to whole numbers and the
 * exponent's sign "+" and leading zeros removed.
 */
#include <stdio.h>
#include <string.h>

#include "clocale.h"
#include "jsonw.h"

static void put(asy_jsonw *w, const char *s, size_t n)
{
    if (asy_buf_append(&w->out, s, n) < 0)
        w->bad = 1;
}

void asy_jsonw_raw(asy_jsonw *w, const char *s)
{
    put(w, s, strlen(s));
}

static void newline(asy_jsonw *w, int depth)
{
    static const char spaces[] = "                                "; /* 32 */
    put(w, "\n", 1);
    for (int n = 2 * depth; n > 0; n -= 32)
        put(w, spaces, n < 32 ? (size_t)n : 32);
}

void asy_jsonw_string(asy_jsonw *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    put(w, "\"", 1);
    size_t run = 0; /* bytes written as they are, waiting */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            run++;
            continue;
        }
        put(w, s + i - run, run);
        run = 0;
        char esc[7] = {'\\', 0};
        size_t len = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            len = 6;
        }
        put(w, esc, len);
    }
    put(w, s + n - run, run);
    put(w, "\"", 1);
}

void asy_jsonw_uint(asy_jsonw *w, unsigned long long v)
{
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%llu", v);
    put(w, buf, (size_t)n);
}

/* "%.17g" in the C locale, whatever the program set (a decimal comma
 * would make the manifest invalid JSON; jansson, too, writes '.'). */
static void format_g17(char *buf, size_t size, double d)
{
    locale_t was = asy_clocale_enter();
    snprintf(buf, size, "%.17g", d);
    asy_clocale_leave(was);
}

/* A real as jansson writes it. */
static void real(asy_jsonw *w, double d)
{
    char buf[40];
    format_g17(buf, sizeof buf, d);
    char *e = strchr(buf, 'e');
    if (!e && !strchr(buf, '.'))
        strcat(buf, ".0");
    if (e) { /* "1e+20" -> "1e20", "1e-08" -> "1e-8" */
        char *from = e + 1, *to = e + 1;
        if (*from == '+')
            from++;
        else if (*from == '-')
            *to++ = *from++;
        while (*from == '0' && from[1])
            from++;
        memmove(to, from, strlen(from) + 1);
    }
    asy_jsonw_raw(w, buf);
}

void asy_jsonw_key(asy_jsonw *w, const char *key, int first, int depth)
{
    if (!first)
        put(w, ",", 1);
    newline(w, depth);
    asy_jsonw_string(w, key, strlen(key));
    put(w, ": ", 2);
}

void asy_jsonw_item(asy_jsonw *w, int first, int depth)
{
    if (!first)
        put(w, ",", 1);
    newline(w, depth);
}

void asy_jsonw_close(asy_jsonw *w, char bracket, int empty, int depth)
{
    if (!empty)
        newline(w, depth);
    put(w, &bracket, 1);
}

static void object(asy_jsonw *w, const json_t *v, int depth)
{
    int first = 1;
    put(w, "{", 1);
    for (void *it = json_object_iter((json_t *)v); it;
         it = json_object_iter_next((json_t *)v, it), first = 0) {
        asy_jsonw_key(w, json_object_iter_key(it), first, depth + 1);
        asy_jsonw_value(w, json_object_iter_value(it), depth + 1);
    }
    asy_jsonw_close(w, '}', first, depth);
}

static void array(asy_jsonw *w, const json_t *v, int depth)
{
    size_t n = json_array_size(v);
    put(w, "[", 1);
    for (size_t i = 0; i < n; i++) {
        asy_jsonw_item(w, i == 0, depth + 1);
        asy_jsonw_value(w, json_array_get(v, i), depth + 1);
    }
    asy_jsonw_close(w, ']', n == 0, depth);
}

void asy_jsonw_value(asy_jsonw *w, const json_t *v, int depth)
{
    char buf[24];
    if (!v) {
        asy_jsonw_raw(w, "null");
        return;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        object(w, v, depth);
        break;
    case JSON_ARRAY:
        array(w, v, depth);
        break;
    case JSON_STRING:
        asy_jsonw_string(w, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT,
                 json_integer_value(v));
        asy_jsonw_raw(w, buf);
        break;
    case JSON_REAL:
        real(w, json_real_value(v));
        break;
    case JSON_TRUE:
        asy_jsonw_raw(w, "true");
        break;
    case JSON_FALSE:
        asy_jsonw_raw(w, "false");
        break;
    default:
        asy_jsonw_raw(w, "null");
    }
}
