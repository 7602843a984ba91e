/*
 * test_sentence.c — `news` sentence splitting (sentence.c) rule by rule
 * with exact spans, the abbreviation lists (abbrev.c) and their loader,
 * and the seed article. The LitBank score is test_sentence_litbank.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sentence.h"
#include "testutil.h"

static asy_abbrevs *en; /* plugins/data/abbreviations/en.txt */

static int setup(void **st)
{
    (void)st;
    char path[4096];
    snprintf(path, sizeof path, "%s/plugins/data/abbreviations/en.txt",
             tu_source_dir());
    en = asy_abbrevs_new();
    return en && asy_abbrevs_load(en, path, NULL) == ASSAY_OK ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    asy_abbrevs_free(en);
    return 0;
}

/* Sentences of text joined as "[...]" for compact exact assertions. */
static char *split_with(const asy_abbrevs *ab, const char *text)
{
    asy_span *s = NULL;
    size_t n = 99, len = strlen(text);
    assert_int_equal(asy_sentences_news(text, len, ab, &s, &n, NULL),
                     ASSAY_OK);
    char *out = malloc(len + 2 * n + 1), *o = out;
    assert_non_null(out);
    for (size_t i = 0; i < n; i++) {
        assert_true(s[i].start < s[i].end && s[i].end <= len);
        if (i)
            assert_true(s[i - 1].end <= s[i].start);
        o += sprintf(o, "[%.*s]", (int)(s[i].end - s[i].start),
                     text + s[i].start);
    }
    *o = '\0';
    if (!n)
        assert_null(s);
    free(s);
    return out;
}

#define EXPECT_AB(ab, text, want)                                          \
    do {                                                                   \
        char *got_ = split_with((ab), (text));                             \
        assert_string_equal(got_, (want));                                 \
        free(got_);                                                        \
    } while (0)
#define EXPECT(text, want) EXPECT_AB(en, text, want)

static void test_offsets_and_trimming(void **st)
{
    (void)st;
    const char *t = "  Hello world.   It works!  ";
    asy_span *s = NULL;
    size_t n = 0;
    assert_int_equal(asy_sentences_news(t, strlen(t), en, &s, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_int_equal(s[0].start, 2);
    assert_int_equal(s[0].end, 14);
    assert_int_equal(s[1].start, 17);
    assert_int_equal(s[1].end, 26);
    free(s);
    assert_int_equal(asy_sentences_news("", 0, en, &s, &n, NULL), 0);
    assert_int_equal(n, 0);
    assert_null(s);
    EXPECT(" \n\t ", "");
    EXPECT("No final stop", "[No final stop]");
}

static void test_titles(void **st)
{
    (void)st;
    EXPECT("Mr. Smith met Dr. Jones. They talked.",
           "[Mr. Smith met Dr. Jones.][They talked.]");
    EXPECT("Lt. Col. Sanders, Sen. Warren, Rep. Ocasio-Cortez, Gen. Milley, "
           "Prof. Li, Mrs. Long and Ms. Ortiz met Gov. Newsom. Then Jr. "
           "staff left.",
           "[Lt. Col. Sanders, Sen. Warren, Rep. Ocasio-Cortez, Gen. Milley, "
           "Prof. Li, Mrs. Long and Ms. Ortiz met Gov. Newsom.]"
           "[Then Jr. staff left.]");
    /* all-capital headline style finds "Mrs" */
    EXPECT("MRS. LONG ARRIVES. She left.", "[MRS. LONG ARRIVES.][She left.]");
    /* "--Mrs." : the dash is not part of the word */
    EXPECT("my sister,--Mrs. Joe Gargery, came.",
           "[my sister,--Mrs. Joe Gargery, came.]");
}

static void test_may_end_abbreviations(void **st)
{
    (void)st;
    EXPECT("He works for Acme Corp. The firm grew.",
           "[He works for Acme Corp.][The firm grew.]");
    EXPECT("Acme Corp. Chief Executive Jane Doe resigned.",
           "[Acme Corp. Chief Executive Jane Doe resigned.]");
    EXPECT("Apple Inc. said profits rose. Shares fell.",
           "[Apple Inc. said profits rose.][Shares fell.]");
    EXPECT("We bought pears, etc. and left. We bought figs etc. Then we "
           "left.",
           "[We bought pears, etc. and left.][We bought figs etc.]"
           "[Then we left.]");
    EXPECT("He lives on Main St. The house is old. St. Louis is big.",
           "[He lives on Main St.][The house is old.][St. Louis is big.]");
    EXPECT("The U.S. economy grew. U.S. President Joe Biden spoke. He "
           "moved to the U.S. The move was hard.",
           "[The U.S. economy grew.][U.S. President Joe Biden spoke.]"
           "[He moved to the U.S.][The move was hard.]");
    /* unlisted dotted capitals behave like U.S.; closers end it */
    EXPECT("Rates in N.Y. Fell. She said “I like the U.K.” Then she left.",
           "[Rates in N.Y. Fell.][She said “I like the U.K.”]"
           "[Then she left.]");
    EXPECT("We met at 9 a.m. The talks ended at 5 p.m. Eastern time.",
           "[We met at 9 a.m.][The talks ended at 5 p.m. Eastern time.]");
    EXPECT("On Jan. 5 the law passed. It was signed Sept. 12. Aug. 3 came "
           "and Oct. Nov. Dec. went.",
           "[On Jan. 5 the law passed.][It was signed Sept. 12.]"
           "[Aug. 3 came and Oct. Nov. Dec. went.]");
}

static void test_never_final_and_numbers(void **st)
{
    (void)st;
    EXPECT("Some fruits, e.g. Apples, i.e. Red ones, vs. Pears. Fine.",
           "[Some fruits, e.g. Apples, i.e. Red ones, vs. Pears.][Fine.]");
    EXPECT("It was Smith vs. Jones. Jones won.",
           "[It was Smith vs. Jones.][Jones won.]");
    EXPECT("He is the No. 2 official. No. He is not.",
           "[He is the No. 2 official.][No.][He is not.]");
    EXPECT("See Fig. 3 and Vol. 2 now. Fig. The end.",
           "[See Fig. 3 and Vol. 2 now.][Fig.][The end.]");
    EXPECT("Growth was 3.5 percent. It cost $1.2 billion. 25 people came.",
           "[Growth was 3.5 percent.][It cost $1.2 billion.]"
           "[25 people came.]");
    EXPECT("The U.S.-led talks and U.S.-China trade went on.",
           "[The U.S.-led talks and U.S.-China trade went on.]");
}

static void test_initials(void **st)
{
    (void)st;
    EXPECT("J. K. Rowling wrote it. George W. Bush read it.",
           "[J. K. Rowling wrote it.][George W. Bush read it.]");
    EXPECT("The author is J. A. Smith. He left.",
           "[The author is J. A. Smith.][He left.]");
    /* the pronoun after a lowercase word is not an initial */
    EXPECT("So did I. Then we left.", "[So did I.][Then we left.]");
    /* an initial before a sentence starter ends the sentence */
    EXPECT("We chose Plan B. The rest failed.",
           "[We chose Plan B.][The rest failed.]");
    /* without a word list only the list-free rules apply */
    EXPECT_AB(NULL, "J. K. Rowling met Mr. Smith. Then U.S. stocks rose.",
              "[J. K. Rowling met Mr.][Smith.][Then U.S. stocks rose.]");
}

static void test_ellipses(void **st)
{
    (void)st;
    EXPECT("He paused... and then left.", "[He paused... and then left.]");
    EXPECT("I wonder... Maybe not.", "[I wonder... Maybe not.]");
    EXPECT("“We will \xE2\x80\xA6 win,” he said.",
           "[“We will \xE2\x80\xA6 win,” he said.]");
    /* four dots (ellipsis + period) end the sentence */
    EXPECT("Dear Mr. Ruskin.... Is it his tie?",
           "[Dear Mr. Ruskin....][Is it his tie?]");
    EXPECT("He left\xE2\x80\xA6. The end.", "[He left\xE2\x80\xA6.][The end.]");
}

static void test_quotations(void **st)
{
    (void)st;
    EXPECT("He said: “We will win.” Then he left.",
           "[He said: “We will win.”][Then he left.]");
    EXPECT("“We want stability,” President Xi asserted. He left.",
           "[“We want stability,” President Xi asserted.][He left.]");
    /* ? and ! inside quotes: attribution stays with the quote */
    EXPECT("“Why now?” Smith asked. “Go!” said the man. “Stop!” cried "
           "Mr. Jones, angrily.",
           "[“Why now?” Smith asked.][“Go!” said the man.]"
           "[“Stop!” cried Mr. Jones, angrily.]");
    /* ... but a reporting verb followed by more words opens a sentence */
    EXPECT("“Go!” He said the team won.", "[“Go!”][He said the team won.]");
    EXPECT("He said \"Stop.\" Then he went. 'Fine.' She left.",
           "[He said \"Stop.\"][Then he went.]['Fine.'][She left.]");
    EXPECT("“Is he married?” “Oh! Single, my dear.”",
           "[“Is he married?”][“Oh!][Single, my dear.”]");
    EXPECT("“Oh!” said she.", "[“Oh!” said she.]");
}

static void test_marks_and_brackets(void **st)
{
    (void)st;
    EXPECT("Really?! Yes. What!? No!!! Why??",
           "[Really?!][Yes.][What!?][No!!!][Why??]");
    EXPECT("He said wow! and left.", "[He said wow! and left.]");
    EXPECT("(He left.) Then we ate. It rose (see Fig. 3). Then fell.",
           "[(He left.)][Then we ate.][It rose (see Fig. 3).][Then fell.]");
    EXPECT("It ended.\xE2\x80\x94Then silence. Over.--Next one.",
           "[It ended.][\xE2\x80\x94Then silence.][Over.][--Next one.]");
    EXPECT("Hi, there. , he said.", "[Hi, there. , he said.]");
    EXPECT("\xE4\xBD\xA0\xE5\xA5\xBD\xE3\x80\x82\xE4\xB8\x96\xE7\x95\x8C"
           "\xEF\xBC\x81",
           "[\xE4\xBD\xA0\xE5\xA5\xBD\xE3\x80\x82][\xE4\xB8\x96\xE7\x95\x8C"
           "\xEF\xBC\x81]");
}

static void test_paragraphs_and_headings(void **st)
{
    (void)st;
    EXPECT("Political support\n\nChina pledged support. It helps.",
           "[Political support][China pledged support.][It helps.]");
    EXPECT("A line without stop\n\nnext paragraph starts lowercase",
           "[A line without stop][next paragraph starts lowercase]");
    /* a single newline inside a paragraph is white space */
    EXPECT("The U.S.\neconomy grew.\nIt rose.\n\nNext.",
           "[The U.S.\neconomy grew.][It rose.][Next.]");
}

/* The seed article as the engine gives it: text starts at "ASTANA". */
static char *seed(size_t *len)
{
    const char *corp = tu_corpora_dir();
    char path[4096];
    if (!corp)
        return NULL;
    snprintf(path, sizeof path, "%s/seed/xi-kazakhstan-2024-07-02.txt", corp);
    char *raw = tu_read(path, len), *a = raw ? strstr(raw, "ASTANA") : NULL;
    if (!a) {
        free(raw);
        return NULL;
    }
    *len -= (size_t)(a - raw);
    memmove(raw, a, *len + 1);
    return raw;
}

static void test_seed(void **st)
{
    (void)st;
    size_t len, n;
    char *t = seed(&len);
    if (!t)
        TU_SKIP("seed article not found");
    asy_span *s = NULL;
    assert_int_equal(asy_sentences_news(t, len, en, &s, &n, NULL), 0);
    assert_int_equal(n, 27);
    const char *want = "“We will work together to build an equal and orderly "
                       "multipolar world, promote universally beneficial and "
                       "inclusive economic globalization, and bring about "
                       "more positivity and certainty to world peace and "
                       "stability,” President Xi asserted.";
    const char *at = strstr(t, want);
    assert_non_null(at);
    size_t k = 0;
    while (k < n && s[k].start != (size_t)(at - t))
        k++;
    assert_true(k < n);
    assert_int_equal(s[k].end, (size_t)(at - t) + strlen(want));
    assert_int_equal(s[k].start, 3343);
    assert_int_equal(s[k].end, 3586);
    /* headings are sentences of their own */
    assert_int_equal(s[k + 1].end - s[k + 1].start, strlen("SCO Summit"));
    assert_memory_equal(t + s[k + 1].start, "SCO Summit", 10);
    free(s);
    free(t);
}

static void test_word_lists(void **st)
{
    (void)st;
    assert_true(asy_abbrevs_count(en) > 150);
    assert_int_equal(asy_abbrevs_lookup(en, "Mr.", 3), ASY_AB_NEVER_FINAL);
    assert_int_equal(asy_abbrevs_lookup(en, "U.S", 3), ASY_AB_MAY_END);
    assert_int_equal(asy_abbrevs_lookup(en, "No", 2),
                     ASY_AB_BEFORE_NUMBER | ASY_AB_STARTER);
    assert_int_equal(asy_abbrevs_lookup(en, "said", 4), ASY_AB_REPORTING);
    assert_int_equal(asy_abbrevs_lookup(en, "mr", 2), 0);
    assert_int_equal(asy_abbrevs_lookup(NULL, "Mr", 2), 0);

    asy_abbrevs *ab = asy_abbrevs_new();
    asy_error err;
    const char *good = "# c\n[may-end]\n  Xyz.  \n\n[never-final]\nQq\n";
    assert_int_equal(asy_abbrevs_parse(ab, good, strlen(good), "g", &err), 0);
    assert_int_equal(asy_abbrevs_count(ab), 2);
    assert_int_equal(asy_abbrevs_lookup(ab, "Xyz", 3), ASY_AB_MAY_END);
    const char *bad = "[may-end]\nA\n[titles]\n";
    assert_int_equal(asy_abbrevs_parse(ab, bad, strlen(bad), "b.txt", &err),
                     ASSAY_E_PARSE);
    assert_int_equal(err.line, 3);
    assert_string_equal(err.file, "b.txt");
    assert_non_null(strstr(err.message, "[titles]"));
    assert_int_equal(asy_abbrevs_parse(ab, "Mr\n", 3, "c", &err),
                     ASSAY_E_PARSE);
    assert_int_equal(err.line, 1);
    assert_int_equal(asy_abbrevs_load(ab, "/nonexistent/en.txt", &err),
                     ASSAY_E_IO);
    assert_int_equal(asy_abbrevs_add(ab, ASY_AB_MAY_END, ".", 1),
                     ASSAY_E_USAGE);
    /* growth past the initial table keeps every entry */
    char w[16];
    for (int i = 0; i < 1000; i++) {
        int m = snprintf(w, sizeof w, "w%d", i);
        assert_int_equal(asy_abbrevs_add(ab, ASY_AB_STARTER, w, (size_t)m),
                         0);
    }
    assert_int_equal(asy_abbrevs_lookup(ab, "w999", 4), ASY_AB_STARTER);
    assert_int_equal(asy_abbrevs_count(ab), 1003);
    asy_abbrevs_free(ab);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offsets_and_trimming),
        cmocka_unit_test(test_titles),
        cmocka_unit_test(test_may_end_abbreviations),
        cmocka_unit_test(test_never_final_and_numbers),
        cmocka_unit_test(test_initials),
        cmocka_unit_test(test_ellipses),
        cmocka_unit_test(test_quotations),
        cmocka_unit_test(test_marks_and_brackets),
        cmocka_unit_test(test_paragraphs_and_headings),
        cmocka_unit_test(test_seed),
        cmocka_unit_test(test_word_lists),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
