/*
 * test_wordbreak.c — UAX #29 word boundaries: every case of the Unicode
 * WordBreakTest.txt, plus hand cases for news text (apostrophes, hyphens,
 * abbreviations, numbers, emoji), kinds, exact byte and code-point
 * offsets, masks and robustness on invalid UTF-8.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "ucd_breaktest.h"
#include "wordbreak.h"

#define WB_TEST_FILE "/usr/share/unicode/auxiliary/WordBreakTest.txt"

/* Segments rendered as "text@start-end/cstart-cend:kind" joined by '|'. */
static const char *segs(const char *text, size_t len, unsigned mask)
{
    static char out[4096];
    asy_wb_iter it;
    asy_wb_seg s;
    out[0] = '\0';
    asy_wb_init(&it, text, len, mask);
    while (asy_wb_next(&it, &s)) {
        char tmp[512];
        snprintf(tmp, sizeof tmp, "%s%.*s@%zu-%zu/%zu-%zu:%s",
                 out[0] ? "|" : "", (int)(s.end - s.start), text + s.start,
                 s.start, s.end, s.cstart, s.cend, asy_wb_kind_name(s.kind));
        strncat(out, tmp, sizeof out - 1 - strlen(out));
    }
    return out;
}

#define SEGS(t) segs((t), strlen(t), ASY_WB_NOSPACE)

/* Boundaries found by the iterator (all kinds) compared with the case. */
static int check_case(const bt_case *c)
{
    asy_wb_iter it;
    asy_wb_seg s;
    size_t got[BT_MAX + 2], n = 0;
    got[n++] = 0;
    asy_wb_init(&it, c->text, c->len, ASY_WB_ALL);
    while (asy_wb_next(&it, &s) && n < BT_MAX + 2)
        got[n++] = s.end;
    if (n != c->nbreaks)
        return 0;
    return memcmp(got, c->breaks, n * sizeof got[0]) == 0;
}

static void test_unicode_file(void **state)
{
    (void)state;
    bt_run_file(WB_TEST_FILE, check_case, 1800);
}

static void test_news_words(void **state)
{
    (void)state;
    assert_string_equal(SEGS("Kazakhstan’s"), "Kazakhstan’s@0-14/0-12:word");
    assert_string_equal(SEGS("China-Kazakhstan"),
                        "China@0-5/0-5:word|-@5-6/5-6:punct|"
                        "Kazakhstan@6-16/6-16:word");
    assert_string_equal(SEGS("the U.S. said"),
                        "the@0-3/0-3:word|U.S@4-7/4-7:word|.@7-8/7-8:punct|"
                        "said@9-13/9-13:word");
    assert_string_equal(SEGS("3.5% of 1,000"),
                        "3.5@0-3/0-3:number|%@3-4/3-4:punct|"
                        "of@5-7/5-7:word|1,000@8-13/8-13:number");
    assert_string_equal(SEGS("don't 'quote' snake_case 3rd"),
                        "don't@0-5/0-5:word|'@6-7/6-7:punct|"
                        "quote@7-12/7-12:word|'@12-13/12-13:punct|"
                        "snake_case@14-24/14-24:word|3rd@25-28/25-28:word");
    assert_string_equal(SEGS("end. Next"),
                        "end@0-3/0-3:word|.@3-4/3-4:punct|"
                        "Next@5-9/5-9:word");
    assert_string_equal(SEGS("$5 + x"), "$@0-1/0-1:symbol|5@1-2/1-2:number|"
                                        "+@3-4/3-4:symbol|x@5-6/5-6:word");
    assert_string_equal(SEGS(""), "");
}

static void test_emoji(void **state)
{
    (void)state;
    /* man ZWJ woman ZWJ girl: WB3c keeps the family together. */
    assert_string_equal(SEGS("a 👨‍👩‍👧 b"),
                        "a@0-1/0-1:word|👨‍👩‍👧@2-20/2-7:emoji|"
                        "b@21-22/8-9:word");
    /* skin tone modifier is Extend (WB4) */
    assert_string_equal(SEGS("👍🏽!"),
                        "👍🏽@0-8/0-2:emoji|!@8-9/2-3:punct");
    /* regional indicators pair up (WB15/16): KZ US */
    assert_string_equal(SEGS("🇰🇿🇺🇸🇰"),
                        "🇰🇿@0-8/0-2:emoji|🇺🇸@8-16/2-4:emoji|"
                        "🇰@16-20/4-5:emoji");
    /* © is Extended_Pictographic but text-style; with VS16 it is emoji */
    assert_string_equal(SEGS("© ©️"),
                        "©@0-2/0-1:symbol|©️@3-8/2-4:emoji");
    assert_string_equal(SEGS("1️⃣"), "1️⃣@0-7/0-3:number");
}

static void test_scripts(void **state)
{
    (void)state;
    assert_string_equal(SEGS("Straße café"),
                        "Straße@0-7/0-6:word|café@8-13/7-11:word");
    /* e + combining acute stays in the word (WB4) */
    assert_string_equal(SEGS("cafe\xCC\x81s"), "cafe\xCC\x81s@0-7/0-6:word");
    assert_string_equal(SEGS("カタカナ ひら"),
                        "カタカナ@0-12/0-4:word|ひ@13-16/5-6:word|"
                        "ら@16-19/6-7:word");
    assert_string_equal(SEGS("中国"), "中@0-3/0-1:word|国@3-6/1-2:word");
    assert_string_equal(SEGS("Москва’s ٣٤"),
                        "Москва’s@0-16/0-8:word|٣٤@17-21/9-11:number");
}

static void test_spaces_and_masks(void **state)
{
    (void)state;
    const char *t = "a  b\r\n\tc";
    assert_string_equal(segs(t, strlen(t), ASY_WB_ALL),
                        "a@0-1/0-1:word|  @1-3/1-3:space|b@3-4/3-4:word|"
                        "\r\n@4-6/4-6:space|\t@6-7/6-7:space|"
                        "c@7-8/7-8:word");
    t = "Hi, 42 🙂 ok.";
    assert_string_equal(segs(t, strlen(t), ASY_WB_WORDLIKE),
                        "Hi@0-2/0-2:word|42@4-6/4-6:number|"
                        "ok@12-14/9-11:word");
    assert_string_equal(segs(t, strlen(t), ASY_WB_KIND(ASY_WB_EMOJI)),
                        "🙂@7-11/7-8:emoji");
    /* not NUL-terminated: the length is honoured */
    assert_string_equal(segs("abc def", 5, ASY_WB_NOSPACE),
                        "abc@0-3/0-3:word|d@4-5/4-5:word");
    assert_string_equal(asy_wb_kind_name(99), "?");
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    assert_string_equal(SEGS("a\xFF" "b"),
                        "a@0-1/0-1:word|\xFF@1-2/1-2:other|b@2-3/2-3:word");
    /* truncated 3-byte sequence at the end: two invalid bytes */
    assert_string_equal(segs("x\xE2\x80", 3, ASY_WB_ALL),
                        "x@0-1/0-1:word|\xE2@1-2/1-2:other|"
                        "\x80@2-3/2-3:other");
    /* surrogate (ED A0 80) and overlong (C0 AF) are invalid */
    assert_string_equal(segs("\xED\xA0\x80", 3, ASY_WB_ALL),
                        "\xED@0-1/0-1:other|\xA0@1-2/1-2:other|"
                        "\x80@2-3/2-3:other");
    /* random bytes: segments must tile the buffer (ASan checks reads) */
    unsigned char buf[4096];
    unsigned x = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (unsigned char)(x >> 16);
    }
    asy_wb_seg *v;
    size_t n;
    assert_int_equal(asy_wb_segments((char *)buf, sizeof buf, ASY_WB_ALL,
                                     &v, &n), 0);
    assert_true(n > 0);
    assert_int_equal(v[0].start, 0);
    for (size_t i = 1; i < n; i++) {
        assert_int_equal(v[i].start, v[i - 1].end);
        assert_true(v[i].end > v[i].start);
    }
    assert_int_equal(v[n - 1].end, sizeof buf);
    free(v);
    assert_int_equal(asy_wb_segments(NULL, 0, ASY_WB_ALL, &v, &n), 0);
    assert_null(v);
    assert_int_equal(n, 0);
}

/* asy_wb_fill decides plain ASCII 64 bytes at a time (block mode);
 * asy_wb_next never does. Both must give the same segments: random text
 * over an alphabet of every ASCII class the rules distinguish plus the
 * non-ASCII characters that reach back into ASCII context (’ é, a
 * combining mark, ZWJ, an emoji), read with several masks and buffer
 * sizes; with ASY_WB_BYTES_ONLY the byte offsets and kinds must still be
 * the same (code-point offsets are not asked for). */
static void compare_fill(const char *t, size_t n, unsigned mask, size_t cap)
{
    asy_wb_iter a, b;
    asy_wb_seg x, y[70];
    size_t got, i;
    asy_wb_init(&a, t, n, mask);
    asy_wb_init(&b, t, n, mask);
    while ((got = asy_wb_fill(&b, y, cap)) > 0) {
        assert_true(got <= cap);
        for (i = 0; i < got; i++) {
            assert_true(asy_wb_next(&a, &x));
            int cp = !(mask & ASY_WB_BYTES_ONLY);
            if (x.start != y[i].start || x.end != y[i].end ||
                (cp && (x.cstart != y[i].cstart || x.cend != y[i].cend)) ||
                x.kind != y[i].kind)
                fail_msg("fill differs at byte %zu: [%zu,%zu) %d vs "
                         "[%zu,%zu) %d", x.start, x.start, x.end, x.kind,
                         y[i].start, y[i].end, y[i].kind);
        }
    }
    assert_false(asy_wb_next(&a, &x));
}

/* Spans k of asy_wb_fill_spans as segments (byte offsets and kinds), into
 * out[]; checks each span's own shape on the way. */
static size_t expand_spans(const asy_wb_span *sp, size_t k, asy_wb_seg *out)
{
    size_t n = 0;
    for (size_t i = 0; i < k; i++) {
        if (!sp[i].starts) { /* one segment */
            assert_true(sp[i].end > sp[i].base);
            out[n++] = (asy_wb_seg){sp[i].base, sp[i].end, 0, 0, sp[i].kind};
            continue;
        }
        uint64_t st = sp[i].starts, en = sp[i].ends;
        assert_int_equal(__builtin_popcountll(st), __builtin_popcountll(en));
        assert_int_equal(sp[i].numbers & ~en, 0);
        while (st) {
            unsigned a = (unsigned)__builtin_ctzll(st);
            unsigned e = (unsigned)__builtin_ctzll(en);
            assert_true(a < e); /* and e < 64: inside the window */
            out[n++] = (asy_wb_seg){sp[i].base + a, sp[i].base + e, 0, 0,
                                    (sp[i].numbers >> e) & 1 ? ASY_WB_NUMBER
                                                             : ASY_WB_WORD};
            st &= st - 1;
            en &= en - 1;
        }
    }
    return n;
}

/* asy_wb_fill_spans, expanded, gives the segments of asy_wb_next (byte
 * offsets and kinds). */
static void compare_spans(const char *t, size_t n, unsigned mask, size_t cap)
{
    asy_wb_iter a, b;
    asy_wb_seg x, y[8 * 32];
    asy_wb_span sp[8];
    size_t got, i;
    asy_wb_init(&a, t, n, mask);
    asy_wb_init(&b, t, n, mask);
    while ((got = asy_wb_fill_spans(&b, sp, cap)) > 0) {
        assert_true(got <= cap);
        size_t segs = expand_spans(sp, got, y);
        for (i = 0; i < segs; i++) {
            assert_true(asy_wb_next(&a, &x));
            if (x.start != y[i].start || x.end != y[i].end ||
                x.kind != y[i].kind)
                fail_msg("spans differ at byte %zu: [%zu,%zu) %d vs "
                         "[%zu,%zu) %d (mask %#x)", x.start, x.start, x.end,
                         x.kind, y[i].start, y[i].end, y[i].kind, mask);
        }
    }
    assert_false(asy_wb_next(&a, &x));
}

/* Random text, then every WordBreakTest case in ASCII context, at one
 * vector level of asy_wb_fill (and asy_wb_fill_spans). */
static void fill_level(void)
{
    static const char *const alpha[] = {
        "a", "Z", "q", "7", "0", "_", " ", " ", "  ", ".", "'", ":", ",",
        ";", "\r", "\n", "\r\n", "\t", "\v", "-", "\"", "$", "(", "word",
        "U.S.", "3.5", "1,000", "don't",
        /* the characters the windows know (’ ‘ “ ” – — ― … NBSP) */
        "\xe2\x80\x99", "\xe2\x80\x98", "\xe2\x80\x9c", "\xe2\x80\x9d",
        "\xe2\x80\x93", "\xe2\x80\x94", "\xe2\x80\x95", "\xe2\x80\xa6",
        "\xc2\xa0", "Kazakhstan\xe2\x80\x99s", ("1\xe2\x80\x99" "000"),
        /* their neighbours, which the windows must not take for them */
        "\xe2\x80\x9a", "\xe2\x80\xa4", "\xe2\x80\x96", "\xe2\x80\x92",
        "\xe2\x80", "\xe2", "\xc2", "\xc2\xa1", "\xe3\x80\x99",
        /* what reaches back into the context */
        "\xc3\xa9", "\xcc\x81", "\xe2\x80\x8d", "\xf0\x9f\x91\x8d", "\x80",
        "\x7f"};
    size_t na = sizeof alpha / sizeof alpha[0];
    char t[1200];
    unsigned x = 12345;
    for (int round = 0; round < 3000; round++) {
        size_t n = 0;
        int ascii_only = round % 3 == 0;
        while (n < 1000) {
            x = x * 1103515245u + 12345u;
            const char *p = alpha[(x >> 16) % (ascii_only ? 28 : na)];
            memcpy(t + n, p, strlen(p));
            n += strlen(p);
        }
        compare_fill(t, n, ASY_WB_ALL, 64);
        compare_fill(t, n, ASY_WB_WORDLIKE, 64);
        compare_fill(t, n, ASY_WB_NOSPACE, 1 + round % 7);
        compare_fill(t, n, ASY_WB_NOSPACE, 64);
        compare_fill(t, n, ASY_WB_KIND(ASY_WB_PUNCT), 64);
        compare_fill(t, n, ASY_WB_WORDLIKE | ASY_WB_BYTES_ONLY, 64);
        compare_fill(t, n, ASY_WB_NOSPACE | ASY_WB_BYTES_ONLY, 1 + round % 5);
        /* spans: each mask every fourth round (the edges and long runs
         * below take every mask) */
        static const unsigned span_masks[] = {
            ASY_WB_WORDLIKE | ASY_WB_BYTES_ONLY, ASY_WB_KIND(ASY_WB_WORD),
            ASY_WB_KIND(ASY_WB_NUMBER), ASY_WB_NOSPACE /* single segments */};
        compare_spans(t, n, span_masks[round % 4], 1 + round % 8);
    }
    /* Every WordBreakTest case inside ASCII context. */
    FILE *f = fopen(WB_TEST_FILE, "r");
    if (!f) {
        print_message("[  SKIPPED ] " WB_TEST_FILE " absent (install "
                      "unicode-data)\n");
        return;
    }
    char line[8192];
    static bt_case c;
    static char buf[8192 + 256];
    while (fgets(line, sizeof line, f)) {
        if (bt_parse(line, &c) != 1 || c.len > 8192)
            continue;
        static const char pre[] = "The U.S. said 3.5, don't: a_b  x.";
        memcpy(buf, pre, sizeof pre - 1);
        memcpy(buf + sizeof pre - 1, c.text, c.len);
        memcpy(buf + sizeof pre - 1 + c.len, pre, sizeof pre - 1);
        for (size_t cut = 0; cut < 34; cut += 11) {
            size_t n = 2 * (sizeof pre - 1) + c.len - cut;
            compare_fill(buf + cut, n, ASY_WB_ALL, 64);
            compare_fill(buf + cut, n, ASY_WB_WORDLIKE, 64);
            compare_fill(buf + cut, n, ASY_WB_NOSPACE, 64);
            compare_fill(buf + cut, n, ASY_WB_WORDLIKE | ASY_WB_BYTES_ONLY, 64);
            compare_spans(buf + cut, n,
                          cut ? ASY_WB_KIND(ASY_WB_WORD) : ASY_WB_WORDLIKE,
                          cut ? 3 : 8);
        }
    }
    fclose(f);
}

static void test_fill_blocks(void **state)
{
    (void)state;
    int top = asy_wb_simd(-1);
    for (int level = top; level >= ASY_WB_SIMD_NONE; level--) {
        assert_int_equal(asy_wb_simd(level), level);
        print_message("asy_wb_fill at vector level %d\n", level);
        fill_level();
    }
    asy_wb_simd(ASY_WB_SIMD_AVX512);
    assert_int_equal(asy_wb_simd(-1), top);
}

/* asy_wb_fill, asy_wb_fill_spans and asy_wb_next mixed on one iterator
 * (fill calls of varying caps between single segments) give the segments
 * of asy_wb_next alone: the iterator a run of windows leaves behind must
 * carry the same position and rule context as the per-character rules
 * would. */
static void compare_mixed(const char *t, size_t n, unsigned mask,
                          unsigned seed)
{
    asy_wb_iter a, b;
    asy_wb_seg x, y[3 * 32];
    asy_wb_span sp[3];
    asy_wb_init(&a, t, n, mask);
    asy_wb_init(&b, t, n, mask);
    for (;;) {
        seed = seed * 1103515245u + 12345u;
        size_t cap = (seed >> 16) % 10, got; /* 0: one asy_wb_next */
        /* one call in four: spans (no code points) */
        int spans = cap > 0 && (seed >> 28) % 4 == 0;
        int cp = !(mask & ASY_WB_BYTES_ONLY) && !spans;
        if (cap == 0)
            got = asy_wb_next(&b, &y[0]);
        else if (spans)
            got = expand_spans(sp, asy_wb_fill_spans(&b, sp, 1 + cap % 3), y);
        else
            got = asy_wb_fill(&b, y, cap);
        if (got == 0)
            break;
        for (size_t i = 0; i < got; i++) {
            assert_true(asy_wb_next(&a, &x));
            if (x.start != y[i].start || x.end != y[i].end ||
                (cp && (x.cstart != y[i].cstart || x.cend != y[i].cend)) ||
                x.kind != y[i].kind)
                fail_msg("mixed fill differs at byte %zu: [%zu,%zu)/%zu %d "
                         "vs [%zu,%zu)/%zu %d", x.start, x.start, x.end,
                         x.cstart, x.kind, y[i].start, y[i].end, y[i].cstart,
                         y[i].kind);
        }
    }
    assert_false(asy_wb_next(&a, &x));
}

/* Every mask the word windows serve (word-like kinds, alone or together,
 * with and without code points) and the others, at several caps. */
static void compare_masks(const char *t, size_t n, unsigned seed)
{
    static const unsigned masks[] = {
        ASY_WB_WORDLIKE,
        ASY_WB_WORDLIKE | ASY_WB_BYTES_ONLY,
        ASY_WB_KIND(ASY_WB_WORD) | ASY_WB_BYTES_ONLY,
        ASY_WB_KIND(ASY_WB_NUMBER),
        ASY_WB_KIND(ASY_WB_WORD),
        ASY_WB_NOSPACE,
        ASY_WB_ALL,
    };
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        compare_fill(t, n, masks[i], 64);
        compare_fill(t, n, masks[i], 1 + (seed + i) % 4);
        compare_spans(t, n, masks[i], 1 + (seed + i) % 8);
        compare_mixed(t, n, masks[i], seed + (unsigned)i);
    }
}

/* Tokens that meet a window's end: each snippet at every offset from 0 to
 * 140 after a run of short words, so that the 64-byte windows cut it at
 * every place (the windows restart at the last boundary they decide).
 * Words and numbers longer than a window, ’ (which looks 3 bytes ahead),
 * CR LF, '_' runs (punctuation alone, part of a word otherwise), digits
 * before letters and after them, the known non-ASCII characters and an
 * unknown one next to them. */
static void fill_edges(void)
{
    static const char *const snip[] = {
        "Kazakhstan\xe2\x80\x99s", "\xe2\x80\x99s", "a\xe2\x80\x99",
        "1\xe2\x80\x99" "000", "don't", "U.S.", "x.y", "1,000.50", "3.5%",
        "3rd", "a1", "1a", "_x", "x_", "__", "_1", "1_", "a_1_b", "___ __",
        "\r\n", "x\r\ny", "\r\r\n\n", " \xc2\xa0 ", "\xe2\x80\x94x",
        "x\xe2\x80\xa6", "\xe2\x80\x9cQuote\xe2\x80\x9d", "caf\xc3\xa9",
        "e\xcc\x81", "1,\xe2\x80\x99", "a.\xe2\x80\x99" "b",
        /* longer than a window */
        "Pneumonoultramicroscopicsilicovolcanoconiosis"
        "Pneumonoultramicroscopicsilicovolcanoconiosis",
        "1234567890123456789012345678901234567890"
        "1234567890123456789012345678901234567890",
        "________________________________________"
        "________________________________________",
        "a_________________________________________________________________1",
        "x.y.z.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e",
        "1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,0,1,2,3",
        "                                                                  ",
    };
    static const char fill[] = "The U.S. said 3.5, it's a_b 42 x. ";
    char buf[400];
    for (size_t s = 0; s < sizeof snip / sizeof snip[0]; s++) {
        size_t sl = strlen(snip[s]);
        for (size_t off = 0; off <= 72; off++) {
            size_t n = 0;
            while (n < off) {
                size_t c = off - n < sizeof fill - 1 ? off - n
                                                      : sizeof fill - 1;
                memcpy(buf + n, fill, c);
                n += c;
            }
            memcpy(buf + n, snip[s], sl);
            n += sl;
            for (int rep = 0; rep < 3; rep++) { /* text after it, too */
                memcpy(buf + n, fill, sizeof fill - 1);
                n += sizeof fill - 1;
            }
            compare_masks(buf, n, (unsigned)(s * 1000 + off));
            /* the snippet at the end of the text */
            compare_fill(buf, off + sl, ASY_WB_WORDLIKE, 64);
            compare_mixed(buf, off + sl, ASY_WB_WORDLIKE | ASY_WB_BYTES_ONLY,
                          (unsigned)(s + off));
        }
    }
}

/* Random runs of long words, numbers and their joiners: windows full of
 * word segments, many of them cut by the window's end. */
static void fill_long_random(void)
{
    static const char *const alpha[] = {
        "word", "Word", "w", "42", "3", "_", "a_b", "1st", " ", " ", "  ",
        ".", ",", "'", "\xe2\x80\x99", "\r\n", "\n", "-", "\xc2\xa0",
        "\xe2\x80\x94", "abcdefghijklmnopqrstuvwxyzabcdefghij",
        "12345678901234567890123", "\xc3\xa9"};
    size_t na = sizeof alpha / sizeof alpha[0];
    char t[1100];
    unsigned x = 777;
    for (int round = 0; round < 100; round++) {
        size_t n = 0;
        while (n < 1000) {
            x = x * 1103515245u + 12345u;
            /* mostly letters and digits, so words run long */
            size_t pick = (x >> 16) % (round % 2 ? na : na - 1);
            const char *p = alpha[pick];
            memcpy(t + n, p, strlen(p));
            n += strlen(p);
        }
        compare_masks(t, n, (unsigned)round);
    }
}

static void test_fill_window_edges(void **state)
{
    (void)state;
    int top = asy_wb_simd(-1);
    for (int level = top; level >= ASY_WB_SIMD_NONE; level--) {
        assert_int_equal(asy_wb_simd(level), level);
        fill_edges();
        fill_long_random();
    }
    asy_wb_simd(ASY_WB_SIMD_AVX512);
    assert_int_equal(asy_wb_simd(-1), top);
}

/* Hand cases for the word windows' kinds, end to end: a run of '_' alone
 * is punctuation (not word-like), with a letter it is a word, with only
 * digits a number; the text is long enough for the windows to decide. */
static void test_fill_word_kinds(void **state)
{
    (void)state;
    char t[256];
    memset(t, ' ', sizeof t);
    memcpy(t, "__ _1 1_ a_ 3rd 42 x1 1,5 _", 27);
    memcpy(t + 100, "Kazakhstan\xe2\x80\x99s 7", 16);
    static const struct {
        size_t start, end;
        asy_wb_kind kind;
    } want[] = {{3, 5, ASY_WB_NUMBER}, {6, 8, ASY_WB_NUMBER},
                {9, 11, ASY_WB_WORD},  {12, 15, ASY_WB_WORD},
                {16, 18, ASY_WB_NUMBER}, {19, 21, ASY_WB_WORD},
                {22, 25, ASY_WB_NUMBER}, {100, 114, ASY_WB_WORD},
                {115, 116, ASY_WB_NUMBER}};
    for (int level = asy_wb_simd(-1); level >= ASY_WB_SIMD_NONE; level--) {
        asy_wb_simd(level);
        for (int bytes = 0; bytes < 2; bytes++) {
            asy_wb_iter it;
            asy_wb_seg seg[16];
            asy_wb_init(&it, t, sizeof t,
                        ASY_WB_WORDLIKE | (bytes ? ASY_WB_BYTES_ONLY : 0));
            size_t got = asy_wb_fill(&it, seg, 16);
            assert_int_equal(got, sizeof want / sizeof want[0]);
            for (size_t i = 0; i < got; i++) {
                assert_int_equal(seg[i].start, want[i].start);
                assert_int_equal(seg[i].end, want[i].end);
                assert_int_equal(seg[i].kind, want[i].kind);
                if (!bytes)
                    assert_int_equal(seg[i].cend,
                                     want[i].end - (i >= 7 ? 2 : 0));
            }
            assert_int_equal(asy_wb_fill(&it, seg, 16), 0);
        }
    }
    asy_wb_simd(ASY_WB_SIMD_AVX512);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unicode_file), cmocka_unit_test(test_news_words),
        cmocka_unit_test(test_emoji),        cmocka_unit_test(test_scripts),
        cmocka_unit_test(test_spaces_and_masks),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_fill_blocks),
        cmocka_unit_test(test_fill_window_edges),
        cmocka_unit_test(test_fill_word_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
