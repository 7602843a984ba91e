/*
 * test_utf8_simd.c — the vector fast check of the cleaning pass
 * (asy_utf8_clean_check, SSSE3 and AVX2) against the scalar one: exact
 * verdicts on the Unicode edge cases, every 1-3 byte sequence and the
 * 4-byte ones at every block position, cut-off tails, random buffers;
 * and which read slack asy_text_clean_owned gives back.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "utf8.h"

/* The verdict of every implementation this CPU runs on s[0..n); all must
 * agree. Returns that verdict. */
static int check_in_place(const unsigned char *copy, size_t n)
{
    int want = asy_utf8_clean_check((const char *)copy, n,
                                    ASY_UTF8_IMPL_SCALAR);
    assert_true(want == 0 || want == 1);
    for (int impl = ASY_UTF8_IMPL_SSSE3; impl <= ASY_UTF8_IMPL_AVX2; impl++) {
        int got = asy_utf8_clean_check((const char *)copy, n, impl);
        if (got != -1 && got != want) {
            print_error("impl %d says %d, scalar %d, on %zu bytes:", impl,
                        got, want, n);
            for (size_t i = 0; i < n; i++)
                print_error(" %02x", copy[i]);
            print_error("\n");
            fail();
        }
    }
    assert_int_equal(asy_utf8_clean_check((const char *)copy, n,
                                          ASY_UTF8_IMPL_BEST), want);
    return want;
}

/* check_in_place on a copy in a block of exactly n bytes, so that ASan
 * sees any read past the end. */
static int check_all(const unsigned char *s, size_t n)
{
    unsigned char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, s, n);
    int want = check_in_place(copy, n);
    free(copy);
    return want;
}

/* A literal (embedded NULs count). */
#define CHECK(lit) check_all((const unsigned char *)(lit), sizeof(lit) - 1)

/* seq placed after `pre` ASCII bytes and followed by `post` ones; with
 * exact, checked in a block of just that size (slower under ASan). */
static int place(const unsigned char *seq, size_t k, size_t pre, size_t post,
                 int exact)
{
    unsigned char buf[300];
    assert_true(pre + k + post <= sizeof buf);
    memset(buf, 'a', pre);
    memcpy(buf + pre, seq, k);
    memset(buf + pre + k, 'b', post);
    return exact ? check_all(buf, pre + k + post)
                 : check_in_place(buf, pre + k + post);
}

/* A sequence at the very end is where a read could overrun. */
static int placed(const unsigned char *seq, size_t k, size_t pre, size_t post)
{
    return place(seq, k, pre, post, post == 0);
}

static void test_exact_verdicts(void **st)
{
    (void)st;
    assert_int_equal(CHECK(""), 1);
    assert_int_equal(CHECK("plain ASCII text\n"), 1);
    assert_int_equal(CHECK("caf\xC3\xA9 \xE2\x80\x9Cq\xE2\x80\x9D "
                           "\xF0\x9F\x98\x80"), 1);
    assert_int_equal(CHECK("\xC2\x80"), 1);           /* U+0080 */
    assert_int_equal(CHECK("\xDF\xBF"), 1);           /* U+07FF */
    assert_int_equal(CHECK("\xE0\xA0\x80"), 1);       /* U+0800 */
    assert_int_equal(CHECK("\xED\x9F\xBF"), 1);       /* U+D7FF */
    assert_int_equal(CHECK("\xEE\x80\x80"), 1);       /* U+E000 */
    assert_int_equal(CHECK("\xEF\xBF\xBF"), 1);       /* U+FFFF */
    assert_int_equal(CHECK("\xF0\x90\x80\x80"), 1);   /* U+10000 */
    assert_int_equal(CHECK("\xF4\x8F\xBF\xBF"), 1);   /* U+10FFFF */
    assert_int_equal(CHECK("x\xEF\xBB\xBF"), 1);      /* BOM not leading */
    assert_int_equal(CHECK("\xEF\xBB\xBFx"), 0);      /* leading BOM */
    assert_int_equal(CHECK("a\rb"), 0);
    assert_int_equal(CHECK("a\0b"), 0);
    assert_int_equal(CHECK("\xC0\x80"), 0);           /* overlong NUL */
    assert_int_equal(CHECK("\xC1\xBF"), 0);           /* overlong 2 */
    assert_int_equal(CHECK("\xE0\x9F\xBF"), 0);       /* overlong 3 */
    assert_int_equal(CHECK("\xF0\x8F\xBF\xBF"), 0);   /* overlong 4 */
    assert_int_equal(CHECK("\xED\xA0\x80"), 0);       /* surrogate */
    assert_int_equal(CHECK("\xED\xBF\xBF"), 0);
    assert_int_equal(CHECK("\xF4\x90\x80\x80"), 0);   /* > U+10FFFF */
    assert_int_equal(CHECK("\xF5\x80\x80\x80"), 0);
    assert_int_equal(CHECK("\xFF"), 0);
    assert_int_equal(CHECK("\x80"), 0);               /* lone continuation */
    assert_int_equal(CHECK("\xC3"), 0);               /* cut off */
    assert_int_equal(CHECK("\xE2\x80"), 0);
    assert_int_equal(CHECK("\xF0\x9F\x98"), 0);
    assert_int_equal(CHECK("\xC3\xA9\x80"), 0);       /* one too many */
    assert_int_equal(CHECK("\xF0\x9F\x98\x80\x80"), 0);
}

/* Every sequence of one or two bytes, at every offset of a 32-byte block,
 * at the end of the buffer and followed by ASCII. */
static void test_every_two_bytes(void **st)
{
    (void)st;
    for (int a = 0; a < 256; a++)
        for (int b = 0; b < 256; b++) {
            unsigned char seq[2] = {(unsigned char)a, (unsigned char)b};
            for (size_t pre = 0; pre < 34; pre += (b == 0x80 ? 1 : 11)) {
                placed(seq, 1, pre, 0);
                placed(seq, 2, pre, 0);
                placed(seq, 2, pre, 3);
            }
        }
}

/* Every three-byte sequence starting with a byte >= 0xC0 (ASCII and
 * continuation leads are covered by the two-byte test), across a 16-byte
 * boundary and at the end. */
static void test_every_three_bytes(void **st)
{
    (void)st;
    for (int a = 0xC0; a < 256; a++)
        for (int b = 0; b < 256; b++)
            for (int c = 0; c < 256; c++) {
                unsigned char seq[3] = {(unsigned char)a, (unsigned char)b,
                                        (unsigned char)c};
                place(seq, 3, 15, 1, 0);
                place(seq, 3, 29, 0, 0); /* ends a 32-byte block */
            }
}

/* Four-byte sequences: every lead and second byte with the continuation
 * bytes drawn from the class edges, at every offset in a 32-byte block. */
static void test_four_bytes(void **st)
{
    (void)st;
    static const unsigned char edge[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90,
                                         0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xE0,
                                         0xF0, 0xF4, 0xFF};
    size_t ne = sizeof edge;
    for (int a = 0xE0; a < 256; a++)
        for (int b = 0x70; b < 0xD0; b++)
            for (size_t c = 0; c < ne; c++)
                for (size_t d = 0; d < ne; d++) {
                    unsigned char seq[4] = {(unsigned char)a, (unsigned char)b,
                                            edge[c], edge[d]};
                    placed(seq, 4, (size_t)(a + b + c + d) % 33, 2);
                }
    /* valid ones at every offset, whole and cut off at the end */
    static const char *const ok[] = {
        "\xF0\x90\x80\x80", "\xF1\x80\x80\x80", "\xF3\xBF\xBF\xBF",
        "\xF4\x8F\xBF\xBF", "\xE2\x82\xAC", "\xC3\xA9", "\xEF\xBF\xBD"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        const unsigned char *seq = (const unsigned char *)ok[i];
        size_t k = strlen(ok[i]);
        for (size_t pre = 0; pre < 70; pre++) {
            assert_int_equal(placed(seq, k, pre, 0), 1);
            assert_int_equal(placed(seq, k, pre, 1), 1);
            for (size_t cut = 1; cut < k; cut++) {
                assert_int_equal(placed(seq, cut, pre, 0), 0);
                assert_int_equal(placed(seq, cut, pre, 1), 0);
            }
        }
        /* cut off at every block end, then whole ASCII blocks */
        for (size_t pre = 0; pre < 140; pre++)
            for (size_t cut = 1; cut < k; cut++)
                assert_int_equal(place(seq, cut, pre, 130, 0), 0);
    }
}

/* Long valid text with one defect moved through every position. */
static void test_defect_everywhere(void **st)
{
    (void)st;
    const char *unit = "ab\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x98\x80x ";
    size_t ul = strlen(unit);
    unsigned char buf[200];
    size_t n = 0;
    while (n + ul <= sizeof buf) {
        memcpy(buf + n, unit, ul);
        n += ul;
    }
    assert_int_equal(check_all(buf, n), 1);
    static const unsigned char bad[] = {0x80, 0xBF, 0xC0, 0xC3, 0xE0, 0xED,
                                        0xF0, 0xF4, 0xF8, 0xFF, 0x00, '\r'};
    for (size_t i = 0; i < n; i++)
        for (size_t b = 0; b < sizeof bad; b++) {
            unsigned char keep = buf[i];
            buf[i] = bad[b];
            check_all(buf, n);
            check_all(buf, i + 1); /* the defect last */
            buf[i] = keep;
        }
    for (size_t len = 0; len <= n; len++)
        check_all(buf, len); /* every cut, mid-sequence or not */
}

/* Random buffers over an alphabet rich in lead, continuation and edge
 * bytes, so that valid and invalid sequences both occur often. */
static void test_random(void **st)
{
    (void)st;
    static const unsigned char alpha[] = {
        'a', ' ', '\n', 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0,
        0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF3, 0xF4, 0xF5, 0xFF};
    uint64_t x = 0x9E3779B97F4A7C15ull;
    int valid = 0;
    for (int iter = 0; iter < 200000; iter++) {
        unsigned char buf[100];
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t n = (size_t)(x % sizeof buf);
        int sparse = (int)(x >> 60) & 1; /* mostly ASCII, or dense */
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            buf[i] = sparse && (x & 7) ? 'a' : alpha[(x >> 8) % sizeof alpha];
        }
        valid += check_all(buf, n);
    }
    assert_true(valid > 1000); /* the alphabet does make valid text */
}

/* asy_text_clean_owned keeps a clean text in its block when the slack is
 * small next to it (a file read into a block of its size rounded up) and
 * gives a large slack back. */
static void test_owned_slack(void **st)
{
    (void)st;
    size_t len = 2000000;
    char *in = malloc(len + 60000);
    assert_non_null(in);
    memset(in, 'a', len);
    char *out = NULL;
    size_t n = 0;
    asy_clean_report r;
    assert_int_equal(asy_text_clean_owned(in, len, 0, &out, &n, &r), 0);
    assert_ptr_equal(out, in);
    assert_int_equal(n, len);
    assert_int_equal(out[len], '\0');
    assert_true(malloc_usable_size(out) >= len + 60000);
    free(out);

    in = malloc(8192);
    assert_non_null(in);
    memset(in, 'b', 100);
    assert_int_equal(asy_text_clean_owned(in, 100, 0, &out, &n, &r), 0);
    assert_int_equal(n, 100);
    assert_true(malloc_usable_size(out) < 8192);
    assert_int_equal(out[100], '\0');
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_verdicts),
        cmocka_unit_test(test_every_two_bytes),
        cmocka_unit_test(test_every_three_bytes),
        cmocka_unit_test(test_four_bytes),
        cmocka_unit_test(test_defect_everywhere),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_owned_slack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
