/*
 * test_quote.c — the quotation scanner (quote.c): the seed article, every
 * mark type and convention, apostrophes, nesting, odd marks, paragraph
 * continuation, and invariants under random input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quote.h"
#include "segment.h"
#include "testutil.h"

/* ==== helpers ========================================================== */

static asy_quotes scan_opts(const char *s, const asy_quote_opts *o)
{
    asy_quotes r;
    assert_int_equal(asy_quotes_scan(s, strlen(s), o, &r, NULL), ASSAY_OK);
    return r;
}

static asy_quotes scan(const char *s)
{
    return scan_opts(s, NULL);
}

static asy_quotes scan_lang(const char *s, asy_quote_lang lang)
{
    asy_quote_opts o;
    asy_quote_opts_init(&o);
    o.lang = lang;
    return scan_opts(s, &o);
}

/* The text of quotation k with marks (outer) or without (inner). */
static char *qtext(const char *s, const asy_quotes *r, size_t k, int inner)
{
    static char buf[4][512];
    static int which;
    char *b = buf[which++ & 3];
    size_t a = inner ? r->q[k].inner_start : r->q[k].start;
    size_t e = inner ? r->q[k].inner_end : r->q[k].end;
    assert_true(a <= e && e - a < 512);
    memcpy(b, s + a, e - a);
    b[e - a] = '\0';
    return b;
}

#define assert_quote(s, r, k, outer, inner)                               \
    do {                                                                  \
        assert_string_equal(qtext((s), (r), (k), 0), (outer));            \
        assert_string_equal(qtext((s), (r), (k), 1), (inner));            \
    } while (0)

/* ==== the seed article ================================================= */

static void test_seed(void **state)
{
    (void)state;
    const char *corp = tu_corpora_dir();
    char path[1024];
    if (!corp)
        TU_SKIP("../shared/corpora not found");
    snprintf(path, sizeof path, "%s/seed/xi-kazakhstan-2024-07-02.txt", corp);
    char *raw = tu_read(path, NULL);
    if (!raw)
        TU_SKIP("seed article not found");
    /* The engine presents the text after the " date 2024-07-02 " field. */
    const char *prefix = " date 2024-07-02 ";
    assert_memory_equal(raw, prefix, strlen(prefix));
    const char *text = raw + strlen(prefix);
    assert_memory_equal(text, "ASTANA", 6);
    asy_quotes r = scan(text);
    assert_int_equal(r.n, 3);
    static const char *const begins[] = {
        "\xe2\x80\x9c" "China stands ready",
        "\xe2\x80\x9c" "We will work together",
        "\xe2\x80\x9c" "China will work shoulder"};
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(r.q[k].status, ASY_QUOTE_CLOSED);
        assert_int_equal(r.q[k].depth, 0);
        assert_int_equal(r.q[k].open_cp, 0x201C);
        assert_int_equal(r.q[k].close_cp, 0x201D);
        assert_int_equal(r.q[k].nseg, 1);
        assert_memory_equal(text + r.q[k].start, begins[k],
                            strlen(begins[k]));
        assert_memory_equal(text + r.q[k].end - 3, "\xe2\x80\x9d", 3);
    }
    assert_int_equal(r.stray, 0);
    /* Kazakhstan’s occurs, and no quotation starts or ends at its ’. */
    const char *apos = strstr(text, "Kazakhstan\xe2\x80\x99s");
    assert_non_null(apos);
    for (size_t k = 0; k < r.n; k++)
        assert_true(r.q[k].start != (size_t)(apos - text) + 10);
    asy_quotes_free(&r);
    free(raw);
}

/* ==== English marks and apostrophes ==================================== */

static void test_english_double(void **state)
{
    (void)state;
    const char *s = "He said \xe2\x80\x9chello\xe2\x80\x9d and left.";
    asy_quotes r = scan(s);
    assert_int_equal(r.n, 1);
    assert_quote(s, &r, 0, "\xe2\x80\x9chello\xe2\x80\x9d", "hello");
    assert_int_equal(r.q[0].start, 8);
    assert_int_equal(r.q[0].inner_start, 11);
    assert_int_equal(r.q[0].parent, -1);
    asy_quotes_free(&r);
}

static void test_straight_double(void **state)
{
    (void)state;
    const char *s = "She said \"yes\" and then \"no,\" and (\"maybe\").";
    asy_quotes r = scan(s);
    assert_int_equal(r.n, 3);
    assert_quote(s, &r, 0, "\"yes\"", "yes");
    assert_quote(s, &r, 1, "\"no,\"", "no,");
    assert_quote(s, &r, 2, "\"maybe\"", "maybe");
    assert_int_equal(r.q[1].open_cp, '"');
    assert_int_equal(r.q[1].close_cp, '"');
    asy_quotes_free(&r);
}

static void test_straight_apostrophes(void **state)
{
    (void)state;
    const char *s = "In the '90s the Jones' house had 'single' quotes, "
                    "don't you think? Rock 'n' roll at 5 o'clock.";
    asy_quotes r = scan(s);
    assert_int_equal(r.n, 1);
    assert_quote(s, &r, 0, "'single'", "single");
    assert_int_equal(r.q[0].status, ASY_QUOTE_CLOSED);
    asy_quotes_free(&r);
}

static void test_curly_apostrophes(void **state)
{
    (void)state;
    const char *s = "Kazakhstan\xe2\x80\x99s rock \xe2\x80\x99n\xe2\x80\x99 "
                    "roll at 5 o\xe2\x80\x99" "clock in the \xe2\x80\x99"
                    "90s, the Jones\xe2\x80\x99 house; don\xe2\x80\x99t "
                    "\xe2\x80\x98quote\xe2\x80\x99 me.";
    asy_quotes r = scan(s);
    assert_int_equal(r.n, 1);
    assert_quote(s, &r, 0, "\xe2\x80\x98quote\xe2\x80\x99", "quote");
    assert_int_equal(r.stray, 0);
    asy_quotes_free(&r);
}

static void test_single_inside_open_double(void **state)
{
    (void)state;
    /* An apostrophe after a word inside a quotation stays an apostrophe
     * when no single quotation is open. */
    const char *s = "\xe2\x80\x9cThe Jones\xe2\x80\x99 dog barked,\xe2\x80"
                    "\x9d she said.";
    asy_quotes r = scan(s);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.q[0].status, ASY_QUOTE_CLOSED);
    asy_quotes_free(&r);
}

/* ==== nesting ========================================================== */

static void test_nesting(void **state)
{
    (void)state;
    const char *s = "\xe2\x80\x9cHe said \xe2\x80\x98no\xe2\x80\x99 to me,"
                    "\xe2\x80\x9d she said.";
    asy_quotes r = scan(s);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.q[0].depth, 0);
    assert_int_equal(r.q[1].depth, 1);
    assert_int_equal(r.q[1].parent, 0);
    assert_quote(s, &r, 1, "\xe2\x80\x98no\xe2\x80\x99", "no");
    assert_int_equal(r.q[0].end, strlen(s) - strlen(" she said."));
    asy_quotes_free(&r);

    const char *t = "\"He called it 'absurd,' and left.\" Then \"'Hi,' "
                    "he said.\"";
    r = scan(t);
    assert_int_equal(r.n, 4);
    assert_quote(t, &r, 1, "'absurd,'", "absurd,");
    assert_int_equal(r.q[1].parent, 0);
    assert_quote(t, &r, 2, "\"'Hi,' he said.\"", "'Hi,' he said.");
    assert_quote(t, &r, 3, "'Hi,'", "Hi,");
    assert_int_equal(r.q[3].depth, 1);
    asy_quotes_free(&r);
}

static void test_single_does_not_close_across_double(void **state)
{
    (void)state;
    /* British style: double inside single; the ’ after “ok” must not close
     * the single one while the double one is open. */
    const char *s = "\xe2\x80\x98She said \xe2\x80\x9cit\xe2\x80\x99s ok"
                    "\xe2\x80\x9d today\xe2\x80\x99, he wrote.";
    asy_quotes r = scan(s);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.q[0].open_cp, 0x2018);
    assert_int_equal(r.q[0].close_cp, 0x2019);
    assert_int_equal(r.q[1].depth, 1);
    assert_quote(s, &r, 1, "\xe2\x80\x9cit\xe2\x80\x99s ok\xe2\x80\x9d",
                 "it\xe2\x80\x99s ok");
    asy_quotes_free(&r);
}

/* ==== French, German, low-9, CJK ======================================= */

#define LAQ "\xc2\xab"
#define RAQ "\xc2\xbb"
#define NBSP "\xc2\xa0"
#define NNBSP "\xe2\x80\xaf"

static void test_french(void **state)
{
    (void)state;
    const char *s = "Il a dit " LAQ " bonjour " RAQ ", puis " LAQ NBSP
                    "merci" NBSP RAQ " et " LAQ NNBSP "oui" NNBSP RAQ ".";
    for (int lang = ASY_QUOTE_EN; lang <= ASY_QUOTE_AUTO; lang++) {
        if (lang == ASY_QUOTE_DE)
            continue;
        asy_quotes r = scan_lang(s, (asy_quote_lang)lang);
        assert_int_equal(r.n, 3);
        assert_quote(s, &r, 0, LAQ " bonjour " RAQ, "bonjour");
        assert_quote(s, &r, 1, LAQ NBSP "merci" NBSP RAQ, "merci");
        assert_quote(s, &r, 2, LAQ NNBSP "oui" NNBSP RAQ, "oui");
        assert_int_equal(r.q[0].open_cp, 0xAB);
        assert_int_equal(r.q[0].close_cp, 0xBB);
        asy_quotes_free(&r);
    }
}

static void test_french_single_nested(void **state)
{
    (void)state;
    const char *s = LAQ " Il a dit \xe2\x80\xb9 non \xe2\x80\xba, "
                    "voil\xc3\xa0. " RAQ;
    asy_quotes r = scan_lang(s, ASY_QUOTE_FR);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.q[1].depth, 1);
    assert_quote(s, &r, 1, "\xe2\x80\xb9 non \xe2\x80\xba", "non");
    assert_int_equal(r.q[0].end, strlen(s));
    asy_quotes_free(&r);
}

static void test_german_reversed(void **state)
{
    (void)state;
    const char *s = "Er sagte " RAQ "Hallo" LAQ " und ging " RAQ "heim"
                    LAQ ".";
    asy_quotes r = scan(s); /* EN guesses from the first guillemet */
    assert_int_equal(r.n, 2);
    assert_quote(s, &r, 0, RAQ "Hallo" LAQ, "Hallo");
    assert_int_equal(r.q[0].open_cp, 0xBB);
    assert_int_equal(r.q[0].close_cp, 0xAB);
    asy_quotes_free(&r);
    r = scan_lang(s, ASY_QUOTE_DE);
    assert_int_equal(r.n, 2);
    asy_quotes_free(&r);
    /* Forcing French direction on German text pairs the wrong marks. */
    r = scan_lang(s, ASY_QUOTE_FR);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.stray, 1);
    assert_quote(s, &r, 0, LAQ " und ging " RAQ, "und ging");
    assert_int_equal(r.q[1].status, ASY_QUOTE_UNCLOSED);
    asy_quotes_free(&r);
}

static void test_low9(void **state)
{
    (void)state;
    /* German/Czech „…“ and ‚…‘; Polish „…”. */
    const char *s = "Er sagte \xe2\x80\x9eHallo \xe2\x80\x9aWelt\xe2\x80\x98"
                    "\xe2\x80\x9c und \xe2\x80\x9etak\xe2\x80\x9d.";
    asy_quotes r = scan_lang(s, ASY_QUOTE_DE);
    assert_int_equal(r.n, 3);
    assert_quote(s, &r, 0,
                 "\xe2\x80\x9eHallo \xe2\x80\x9aWelt\xe2\x80\x98\xe2\x80\x9c",
                 "Hallo \xe2\x80\x9aWelt\xe2\x80\x98");
    assert_int_equal(r.q[0].close_cp, 0x201C);
    assert_quote(s, &r, 1, "\xe2\x80\x9aWelt\xe2\x80\x98", "Welt");
    assert_int_equal(r.q[1].depth, 1);
    assert_quote(s, &r, 2, "\xe2\x80\x9etak\xe2\x80\x9d", "tak");
    asy_quotes_free(&r);
}

static void test_cjk(void **state)
{
    (void)state;
    const char *s = "\xe4\xbb\x96\xe8\xaf\xb4\xe3\x80\x8c\xe4\xbd\xa0\xe5"
                    "\xa5\xbd\xe3\x80\x8e\xe4\xb8\x96\xe7\x95\x8c\xe3\x80"
                    "\x8f\xe3\x80\x8d\xe3\x80\x82";
    asy_quotes r = scan(s);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.q[0].open_cp, 0x300C);
    assert_int_equal(r.q[0].close_cp, 0x300D);
    assert_int_equal(r.q[1].open_cp, 0x300E);
    assert_int_equal(r.q[1].close_cp, 0x300F);
    assert_int_equal(r.q[1].parent, 0);
    assert_int_equal(r.q[0].end, strlen(s) - 3);
    asy_quotes_free(&r);
}

static void test_swedish(void **state)
{
    (void)state;
    const char *s = "Han sa \xe2\x80\x9dhej\xe2\x80\x9d till mig.";
    asy_quotes r = scan(s);
    assert_int_equal(r.n, 1);
    assert_quote(s, &r, 0, "\xe2\x80\x9dhej\xe2\x80\x9d", "hej");
    asy_quotes_free(&r);
}

/* ==== odd marks ======================================================== */

static void test_stray_closing(void **state)
{
    (void)state;
    const char *s = "He said\xe2\x80\x9d hello and \xe2\x80\x9cthen\xe2\x80"
                    "\x9d left.";
    asy_quotes r = scan(s);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.stray, 1);
    assert_quote(s, &r, 0, "\xe2\x80\x9cthen\xe2\x80\x9d", "then");
    asy_quotes_free(&r);

    asy_quote_opts o;
    asy_quote_opts_init(&o);
    o.report_stray = 1;
    r = scan_opts(s, &o);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.q[0].status, ASY_QUOTE_STRAY);
    assert_int_equal(r.q[0].start, 7);
    assert_int_equal(r.q[0].end, 10);
    assert_int_equal(r.q[0].nseg, 0);
    assert_int_equal(r.q[0].close_cp, 0x201D);
    assert_int_equal(r.q[1].status, ASY_QUOTE_CLOSED);
    asy_quotes_free(&r);
}

static void test_unclosed_at_end(void **state)
{
    (void)state;
    const char *s = "He said \xe2\x80\x9cthis never ends  ";
    asy_quotes r = scan(s);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.q[0].status, ASY_QUOTE_UNCLOSED);
    assert_int_equal(r.q[0].close_cp, 0);
    assert_quote(s, &r, 0, "\xe2\x80\x9cthis never ends", "this never ends");
    asy_quotes_free(&r);
}

static void test_unclosed_paragraph(void **state)
{
    (void)state;
    /* Not reopened: unclosed, ending with its paragraph. */
    const char *s = "\"Open here.\n\nNext paragraph \"closed\" fine.";
    asy_quotes r = scan(s);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.q[0].status, ASY_QUOTE_UNCLOSED);
    assert_quote(s, &r, 0, "\"Open here.", "Open here.");
    assert_int_equal(r.q[1].status, ASY_QUOTE_CLOSED);
    assert_int_equal(r.q[1].para_first, 1);
    asy_quotes_free(&r);
}

static void test_cut_by_outer_close(void **state)
{
    (void)state;
    /* An inner double left open ends where its parent closes; an inner
     * straight single left open was an apostrophe and is dropped. */
    const char *s = "\xe2\x80\x9c" "A " LAQ "b c\xe2\x80\x9d and "
                    "\xe2\x80\x9cx 'y z\xe2\x80\x9d end";
    asy_quotes r = scan(s);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.q[1].status, ASY_QUOTE_UNCLOSED);
    assert_quote(s, &r, 1, LAQ "b c", "b c");
    assert_int_equal(r.q[1].parent, 0);
    assert_int_equal(r.q[2].status, ASY_QUOTE_CLOSED);
    assert_int_equal(r.q[2].depth, 0);
    asy_quotes_free(&r);
}

static void test_inches_and_mixed(void **state)
{
    (void)state;
    const char *s = "He is 6'2\" and 5\xe2\x80\x99" "11\xe2\x80\x9d tall, "
                    "\xe2\x80\x9cHello,\" he said. \"Bye.\xe2\x80\x9d";
    asy_quotes r = scan(s);
    assert_int_equal(r.n, 2);
    assert_quote(s, &r, 0, "\xe2\x80\x9cHello,\"", "Hello,");
    assert_quote(s, &r, 1, "\"Bye.\xe2\x80\x9d", "Bye.");
    asy_quotes_free(&r);
}

static void test_mistyped_closers(void **state)
{
    (void)state;
    /* Opening-shaped marks in closing position close the open quotation;
     * single marks of both shapes pair with each other. */
    const char *s = "A \xe2\x80\x9cquick look\xe2\x80\x9c at it. "
                    "\"Straight open.\xe2\x80\x9c \xe2\x80\x98Mixed.' "
                    "A \xe2\x80\x98" "B-\xe2\x80\x98 grade, \xe2\x80\x9c"
                    "spaced \xe2\x80\x9c end.";
    asy_quotes r = scan(s);
    assert_int_equal(r.n, 5);
    for (size_t k = 0; k < r.n; k++)
        assert_int_equal(r.q[k].status, ASY_QUOTE_CLOSED);
    assert_quote(s, &r, 0, "\xe2\x80\x9cquick look\xe2\x80\x9c",
                 "quick look");
    assert_quote(s, &r, 1, "\"Straight open.\xe2\x80\x9c", "Straight open.");
    assert_quote(s, &r, 2, "\xe2\x80\x98Mixed.'", "Mixed.");
    assert_quote(s, &r, 3, "\xe2\x80\x98" "B-\xe2\x80\x98", "B-");
    assert_quote(s, &r, 4, "\xe2\x80\x9cspaced \xe2\x80\x9c", "spaced");
    asy_quotes_free(&r);
}

static void test_doubled_opening(void **state)
{
    (void)state;
    const char *s = "\"\xe2\x80\x9cYou win,\xe2\x80\x9d he said.";
    asy_quotes r = scan(s);
    assert_int_equal(r.n, 1);
    assert_quote(s, &r, 0, "\"\xe2\x80\x9cYou win,\xe2\x80\x9d", "You win,");
    assert_int_equal(r.q[0].open_cp, '"');
    asy_quotes_free(&r);
}

static void test_dash_before_close(void **state)
{
    (void)state;
    const char *s = "\xe2\x80\x9cI was going to\xe2\x80\x94\xe2\x80\x9d he "
                    "said, \"but\xe2\x80\x94\" and 'so\xe2\x80\x94' ok.";
    asy_quotes r = scan(s);
    assert_int_equal(r.n, 3);
    for (size_t k = 0; k < 3; k++)
        assert_int_equal(r.q[k].status, ASY_QUOTE_CLOSED);
    asy_quotes_free(&r);
}

/* ==== paragraphs ======================================================= */

static void test_continuation(void **state)
{
    (void)state;
    const char *s = "\xe2\x80\x9c" "First paragraph.\n\n"
                    "\xe2\x80\x9cSecond one.\n\n"
                    "\xe2\x80\x9cThird.\xe2\x80\x9d he said.\n\nAfter.";
    asy_quotes r = scan(s);
    assert_int_equal(r.n, 1);
    const asy_quote *q = &r.q[0];
    assert_int_equal(q->status, ASY_QUOTE_CONTINUED);
    assert_int_equal(q->nseg, 3);
    assert_int_equal(q->para_first, 0);
    assert_int_equal(q->para_last, 2);
    assert_int_equal(q->start, 0);
    assert_int_equal(q->close_cp, 0x201D);
    const asy_quote_seg *g = r.seg + q->seg;
    assert_int_equal(g[0].close_cp, 0);
    assert_int_equal(g[0].end, 3 + strlen("First paragraph."));
    assert_int_equal(g[1].start, g[0].end + 2);
    assert_int_equal(g[1].open_cp, 0x201C);
    assert_int_equal(g[1].close_cp, 0);
    assert_int_equal(g[2].close_cp, 0x201D);
    assert_int_equal(q->end, g[2].end);
    assert_memory_equal(s + g[2].inner_start, "Third.", 6);
    asy_quotes_free(&r);

    asy_quote_opts o;
    asy_quote_opts_init(&o);
    o.continue_paragraphs = 0;
    r = scan_opts(s, &o);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.q[0].status, ASY_QUOTE_UNCLOSED);
    assert_int_equal(r.q[1].status, ASY_QUOTE_UNCLOSED);
    assert_int_equal(r.q[2].status, ASY_QUOTE_CLOSED);
    asy_quotes_free(&r);
}

static void test_continuation_straight_unclosed(void **state)
{
    (void)state;
    /* Straight marks, one paragraph per line, never closed; a nested
     * quotation in the second paragraph belongs to the continued one. */
    const char *s = "\"One\n\"Two 'x' three\nFour \"five\"";
    asy_quotes r = scan(s);
    assert_int_equal(r.npara, 3);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.q[0].status, ASY_QUOTE_UNCLOSED);
    assert_int_equal(r.q[0].nseg, 2);
    assert_int_equal(r.q[0].end, strlen("\"One\n\"Two 'x' three"));
    assert_int_equal(r.q[1].parent, 0);
    assert_int_equal(r.q[1].depth, 1);
    assert_int_equal(r.q[2].status, ASY_QUOTE_CLOSED);
    assert_int_equal(r.q[2].para_first, 2);
    asy_quotes_free(&r);
}

static void test_french_continuation(void **state)
{
    (void)state;
    const char *s = LAQ " Un.\n\n" RAQ " Deux. " RAQ " dit-il.";
    asy_quotes r = scan_lang(s, ASY_QUOTE_FR);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.q[0].status, ASY_QUOTE_CONTINUED);
    assert_int_equal(r.q[0].nseg, 2);
    assert_int_equal(r.seg[1].open_cp, 0xBB);
    asy_quotes_free(&r);
}

/* The scanner's own paragraph split equals asy_paragraphs(). */
static void check_paragraphs(const char *s)
{
    asy_span *p;
    size_t n;
    assert_int_equal(asy_paragraphs(s, strlen(s), &p, &n), 0);
    asy_quotes r = scan(s);
    assert_int_equal(r.npara, n);
    asy_quote_opts o;
    asy_quote_opts_init(&o);
    o.paras = p;
    o.npara = n;
    asy_quotes r2 = scan_opts(s, &o);
    assert_int_equal(r.n, r2.n);
    for (size_t k = 0; k < r.n; k++)
        assert_memory_equal(&r.q[k], &r2.q[k], sizeof r.q[k]);
    asy_quotes_free(&r);
    asy_quotes_free(&r2);
    free(p);
}

static void test_paragraph_rule(void **state)
{
    (void)state;
    check_paragraphs("\"a\n\"b\n\nc\" d\n");
    check_paragraphs("\"a\n\"b\nc\" d\n\n");
    check_paragraphs("  \xc2\xa0\"x\xe2\x80\x83\n \xe2\x80\xaf\n\n\"y\"");
    check_paragraphs("\n\n\"a\"\n\n\n\n  \"b\n\"c\"  \n");
}

/* ==== robustness ======================================================= */

static void check_invariants(const char *s, size_t len, const asy_quotes *r)
{
    for (size_t k = 0; k < r->n; k++) {
        const asy_quote *q = &r->q[k];
        assert_true(q->start <= q->inner_start);
        assert_true(q->inner_start <= q->inner_end);
        assert_true(q->inner_end <= q->end && q->end <= len);
        assert_true(k == 0 || r->q[k - 1].start <= q->start);
        assert_true(q->parent < (long)k);
        assert_int_equal(q->depth, q->parent < 0 ? 0
                                   : r->q[q->parent].depth + 1);
        assert_true(q->seg + q->nseg <= r->nseg);
        assert_true(q->status == ASY_QUOTE_STRAY || q->nseg >= 1);
        assert_true((q->status == ASY_QUOTE_CONTINUED) ==
                    (q->nseg > 1 && q->close_cp != 0));
        assert_true(((unsigned char)s[q->start] & 0xC0) != 0x80);
    }
}

static void test_random_marks(void **state)
{
    (void)state;
    static const char *const atoms[] = {
        "\"", "'", "\xe2\x80\x9c", "\xe2\x80\x9d", "\xe2\x80\x98",
        "\xe2\x80\x99", "\xe2\x80\x9e", "\xe2\x80\x9a", LAQ, RAQ,
        "\xe2\x80\xb9", "\xe2\x80\xba", "\xe3\x80\x8c", "\xe3\x80\x8d",
        "\xe3\x80\x8e", "\xe3\x80\x8f", "a", "b", "9", " ", " ", "\n",
        "\n\n", ",", ".", "\xe2\x80\x94", NBSP, "\xe2", "\x80"};
    unsigned long x = 12345;
    asy_quote_opts o;
    asy_quote_opts_init(&o);
    o.report_stray = 1;
    for (int it = 0; it < 3000; it++) {
        char buf[400];
        size_t len = 0;
        int n = (int)(x % 60);
        for (int k = 0; k < n; k++) {
            x = x * 6364136223846793005UL + 1442695040888963407UL;
            const char *a = atoms[(x >> 33) % (sizeof atoms / sizeof *atoms)];
            memcpy(buf + len, a, strlen(a));
            len += strlen(a);
        }
        buf[len] = '\0';
        o.lang = (asy_quote_lang)(it % 4);
        asy_quotes r;
        assert_int_equal(asy_quotes_scan(buf, len, &o, &r, NULL), ASSAY_OK);
        check_invariants(buf, len, &r);
        asy_quotes_free(&r);
        x = x * 6364136223846793005UL + 1442695040888963407UL;
    }
}

static void test_empty_and_options(void **state)
{
    (void)state;
    asy_quotes r;
    assert_int_equal(asy_quotes_scan("", 0, NULL, &r, NULL), ASSAY_OK);
    assert_int_equal(r.n, 0);
    assert_null(r.q);
    asy_quotes_free(&r);
    asy_quotes_free(NULL);
    asy_quote_lang l = ASY_QUOTE_EN;
    assert_int_equal(asy_quote_lang_parse("FR", &l), 0);
    assert_int_equal(l, ASY_QUOTE_FR);
    assert_int_equal(asy_quote_lang_parse("auto", &l), 0);
    assert_int_equal(l, ASY_QUOTE_AUTO);
    assert_int_equal(asy_quote_lang_parse("xx", &l), -1);
    assert_int_equal(l, ASY_QUOTE_AUTO);
    assert_int_equal(asy_quote_lang_parse(NULL, &l), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed),
        cmocka_unit_test(test_english_double),
        cmocka_unit_test(test_straight_double),
        cmocka_unit_test(test_straight_apostrophes),
        cmocka_unit_test(test_curly_apostrophes),
        cmocka_unit_test(test_single_inside_open_double),
        cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_single_does_not_close_across_double),
        cmocka_unit_test(test_french),
        cmocka_unit_test(test_french_single_nested),
        cmocka_unit_test(test_german_reversed),
        cmocka_unit_test(test_low9),
        cmocka_unit_test(test_cjk),
        cmocka_unit_test(test_swedish),
        cmocka_unit_test(test_stray_closing),
        cmocka_unit_test(test_unclosed_at_end),
        cmocka_unit_test(test_unclosed_paragraph),
        cmocka_unit_test(test_cut_by_outer_close),
        cmocka_unit_test(test_inches_and_mixed),
        cmocka_unit_test(test_mistyped_closers),
        cmocka_unit_test(test_doubled_opening),
        cmocka_unit_test(test_dash_before_close),
        cmocka_unit_test(test_continuation),
        cmocka_unit_test(test_continuation_straight_unclosed),
        cmocka_unit_test(test_french_continuation),
        cmocka_unit_test(test_paragraph_rule),
        cmocka_unit_test(test_random_marks),
        cmocka_unit_test(test_empty_and_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
