/*
 * test_utf8.c — decoding, validation, counting, and the cleaning pass
 * (BOM, CRLF/CR, invalid sequences as U+FFFD with offsets, Latin-1, NUL).
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "utf8.h"

#define FFFD "\xEF\xBF\xBD"

/* Clean a literal (length from sizeof, so embedded NULs count). */
static char *clean(const char *in, size_t len, int latin1, size_t *outlen,
                   asy_clean_report *r)
{
    char *out = NULL;
    assert_int_equal(asy_text_clean(in, len, latin1, &out, outlen, r), 0);
    assert_non_null(out);
    assert_int_equal(out[*outlen], '\0');
    return out;
}

#define CLEAN(lit, l1, n, r) clean((lit), sizeof(lit) - 1, (l1), (n), (r))

static void test_decode_valid(void **st)
{
    (void)st;
    int32_t cp = -1;
    assert_int_equal(asy_utf8_decode((const unsigned char *)"A", 1, &cp), 1);
    assert_int_equal(cp, 'A');
    assert_int_equal(asy_utf8_decode((const unsigned char *)"\xC3\xA9", 2, &cp), 2);
    assert_int_equal(cp, 0xE9);
    assert_int_equal(asy_utf8_decode((const unsigned char *)"\xE2\x80\x93", 3, &cp), 3);
    assert_int_equal(cp, 0x2013);
    assert_int_equal(asy_utf8_decode((const unsigned char *)"\xF0\x9F\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1F600);
    assert_int_equal(asy_utf8_decode((const unsigned char *)"\xF4\x8F\xBF\xBF", 4, &cp), 4);
    assert_int_equal(cp, 0x10FFFF);
}

static void test_decode_invalid(void **st)
{
    (void)st;
    int32_t cp;
    const unsigned char *bad[] = {
        (const unsigned char *)"\xC0\xAF",         /* overlong '/' */
        (const unsigned char *)"\xE0\x80\xAF",     /* overlong 3-byte */
        (const unsigned char *)"\xED\xA0\x80",     /* surrogate D800 */
        (const unsigned char *)"\xF4\x90\x80\x80", /* > U+10FFFF */
        (const unsigned char *)"\xF5\x80\x80\x80", /* bad lead */
        (const unsigned char *)"\x80",             /* stray continuation */
        (const unsigned char *)"\xE2\x82",         /* truncated */
    };
    size_t lens[] = {2, 3, 3, 4, 4, 1, 2};
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++)
        assert_int_equal(asy_utf8_decode(bad[i], lens[i], &cp), 0);
    assert_int_equal(asy_utf8_decode((const unsigned char *)"", 0, &cp), 0);
}

static void test_encode_roundtrip(void **st)
{
    (void)st;
    int32_t cps[] = {0x41, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF};
    for (size_t i = 0; i < sizeof cps / sizeof *cps; i++) {
        char buf[4];
        int n = asy_utf8_encode(cps[i], buf);
        int32_t back = -1;
        assert_int_equal(asy_utf8_decode((unsigned char *)buf, (size_t)n, &back), n);
        assert_int_equal(back, cps[i]);
    }
    char buf[4];
    assert_int_equal(asy_utf8_encode(0xD800, buf), 3); /* surrogate -> FFFD */
    assert_memory_equal(buf, FFFD, 3);
}

static void test_valid_and_count(void **st)
{
    (void)st;
    size_t bad = 99;
    const char *s = "a\xC3\xA9\xE2\x80\x93\xF0\x9F\x98\x80z";
    assert_true(asy_utf8_valid(s, strlen(s), &bad));
    assert_int_equal(asy_utf8_count(s, strlen(s)), 5);
    assert_false(asy_utf8_valid("ab\xC3(", 4, &bad));
    assert_int_equal(bad, 2);
    assert_false(asy_utf8_valid("abc\xE2\x80", 5, &bad)); /* truncated end */
    assert_int_equal(bad, 3);
    assert_int_equal(asy_utf8_count("", 0), 0);
}

static void test_clean_plain_is_copy(void **st)
{
    (void)st;
    size_t n;
    asy_clean_report r;
    char *o = CLEAN("caf\xC3\xA9 \xE2\x80\x93 ok\n", 0, &n, &r);
    assert_string_equal(o, "caf\xC3\xA9 \xE2\x80\x93 ok\n");
    assert_int_equal(r.invalid, 0);
    assert_int_equal(r.first_invalid, -1);
    assert_int_equal(r.first_nul, -1);
    free(o);
}

static void test_clean_bom_and_newlines(void **st)
{
    (void)st;
    size_t n;
    asy_clean_report r;
    char *o = CLEAN("\xEF\xBB\xBFone\r\ntwo\rthree\r\r\nfour\r", 0, &n, &r);
    assert_string_equal(o, "one\ntwo\nthree\n\nfour\n");
    assert_int_equal(n, strlen("one\ntwo\nthree\n\nfour\n"));
    free(o);
    /* A BOM that is not at the start is kept (it is a character). */
    o = CLEAN("a\xEF\xBB\xBF", 0, &n, &r);
    assert_string_equal(o, "a\xEF\xBB\xBF");
    free(o);
}

static void test_clean_invalid(void **st)
{
    (void)st;
    size_t n;
    asy_clean_report r;
    /* stray continuation at 1, overlong C0 AF at 3 (two bad bytes), a
     * surrogate ED A0 80 at 6 (ED then two invalid tails), truncated E2 82
     * before 'x' (one maximal subpart). */
    char *o = CLEAN("a\x80" "b\xC0\xAF" "c\xED\xA0\x80" "d\xE2\x82x", 0, &n, &r);
    assert_string_equal(o, "a" FFFD "b" FFFD FFFD "c" FFFD FFFD FFFD "d" FFFD "x");
    assert_int_equal(r.invalid, 7);
    assert_int_equal(r.first_invalid, 1);
    free(o);
    o = CLEAN("\xF4\x90\x80\x80!", 0, &n, &r); /* > U+10FFFF */
    assert_string_equal(o, FFFD FFFD FFFD FFFD "!");
    assert_int_equal(r.first_invalid, 0);
    free(o);
    o = CLEAN("ok\xF0\x9F\x98", 0, &n, &r); /* truncated at end */
    assert_string_equal(o, "ok" FFFD);
    assert_int_equal(r.invalid, 1);
    assert_int_equal(r.first_invalid, 2);
    free(o);
    /* Offsets count input bytes, including a dropped BOM. */
    o = CLEAN("\xEF\xBB\xBFxy\xFF", 0, &n, &r);
    assert_string_equal(o, "xy" FFFD);
    assert_int_equal(r.first_invalid, 5);
    free(o);
}

static void test_clean_nul(void **st)
{
    (void)st;
    size_t n;
    asy_clean_report r;
    char *o = CLEAN("ab\0cd\0", 0, &n, &r);
    assert_int_equal(n, 6);
    assert_memory_equal(o, "ab\0cd\0", 6);
    assert_int_equal(r.first_nul, 2);
    free(o);
}

static void test_clean_latin1(void **st)
{
    (void)st;
    size_t n;
    asy_clean_report r;
    char *o = CLEAN("caf\xE9 \xA3" "5\r\n\xFF", 1, &n, &r);
    assert_string_equal(o, "caf\xC3\xA9 \xC2\xA3" "5\n\xC3\xBF");
    assert_int_equal(r.invalid, 0);
    free(o);
}

static void test_clean_empty(void **st)
{
    (void)st;
    size_t n = 9;
    asy_clean_report r;
    char *o = clean("", 0, 0, &n, &r);
    assert_int_equal(n, 0);
    assert_string_equal(o, "");
    free(o);
    o = CLEAN("\xEF\xBB\xBF", 0, &n, &r);
    assert_int_equal(n, 0);
    free(o);
}

/* One special byte at every position of a 70-byte run of ASCII (so on
 * either side of each 8- and 16-byte step of the no-change check): a CR
 * becomes LF, a NUL is reported where it is, an é stays as it is. The
 * owned form gives the same text. */
static void test_clean_every_position(void **state)
{
    (void)state;
    for (size_t p = 0; p < 70; p++) {
        char in[72];
        memset(in, 'a', 70);
        char *out;
        size_t n;
        asy_clean_report r;
        in[p] = '\r';
        assert_int_equal(asy_text_clean(in, 70, 0, &out, &n, &r), 0);
        assert_int_equal(n, 70);
        assert_int_equal(out[p], '\n');
        free(out);
        in[p] = '\0';
        assert_int_equal(asy_text_clean(in, 70, 0, &out, &n, &r), 0);
        assert_int_equal(r.first_nul, (long long)p);
        free(out);
        if (p + 1 < 70) {
            in[p] = (char)0xC3;
            in[p + 1] = (char)0xA9;
            char *own = malloc(71);
            assert_non_null(own);
            memcpy(own, in, 70);
            assert_int_equal(asy_text_clean_owned(own, 70, 0, &out, &n, &r), 0);
            assert_int_equal(n, 70);
            assert_int_equal(r.invalid, 0);
            assert_memory_equal(out, in, 70);
            free(out);
        }
    }
}

/* Clean input of every length up to 80 bytes (ending on and off the
 * 8- and 16-byte steps of the no-change check, with and without a
 * non-ASCII letter). The check must stop at the text's end: the copying
 * form gets a buffer of exactly len bytes (AddressSanitizer reports a read
 * past it), and the owned form, whose spare byte is a NUL that must not
 * count as text, hands the same buffer back instead of a cleaned copy
 * (glibc's realloc keeps a block of unchanged size in place; ASan's always
 * moves it, so there only the text is compared). */
static void test_clean_stops_at_the_end(void **state)
{
    (void)state;
    for (size_t len = 1; len <= 80; len++) {
        for (int accent = 0; accent < 2 && (!accent || len >= 2); accent++) {
            char *exact = malloc(len), *own = malloc(len + 1);
            assert_non_null(exact);
            assert_non_null(own);
            memset(exact, 'a', len);
            if (accent)
                memcpy(exact + len / 2 - (len / 2 ? 1 : 0), "\xC3\xA9", 2);
            memcpy(own, exact, len);
            own[len] = '\0';
            char *out;
            size_t n;
            asy_clean_report r;
            assert_int_equal(asy_text_clean(exact, len, 0, &out, &n, &r), 0);
            assert_int_equal(n, len);
            assert_memory_equal(out, exact, len);
            free(out);
            assert_int_equal(asy_text_clean_owned(own, len, 0, &out, &n, &r),
                             0);
#if !defined(__SANITIZE_ADDRESS__)
            assert_ptr_equal(out, own);
#endif
            assert_int_equal(n, len);
            assert_int_equal(r.invalid, 0);
            assert_memory_equal(out, exact, len);
            free(out);
            free(exact);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_valid),
        cmocka_unit_test(test_decode_invalid),
        cmocka_unit_test(test_encode_roundtrip),
        cmocka_unit_test(test_valid_and_count),
        cmocka_unit_test(test_clean_plain_is_copy),
        cmocka_unit_test(test_clean_bom_and_newlines),
        cmocka_unit_test(test_clean_invalid),
        cmocka_unit_test(test_clean_nul),
        cmocka_unit_test(test_clean_latin1),
        cmocka_unit_test(test_clean_empty),
        cmocka_unit_test(test_clean_every_position),
        cmocka_unit_test(test_clean_stops_at_the_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
