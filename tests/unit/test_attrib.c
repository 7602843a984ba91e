/*
 * test_attrib.c — quote attribution (attrib.c, attrib_lex.c,
 * attrib_coref.c): the word-list parser, each attribution rule, interrupted
 * quotations, coreference-lite and odd input, with the bundled English
 * lists of plugins/data/quotes/en.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrib.h"
#include "testutil.h"

static const char *LISTS[] = {"cues", "function", "pronouns",
                              "titles", "nouns", "names"};

static asy_qmodel *load_model(void)
{
    asy_qmodel *m = asy_qmodel_new();
    assert_non_null(m);
    char path[4096];
    for (size_t i = 0; i < sizeof LISTS / sizeof LISTS[0]; i++) {
        size_t n;
        snprintf(path, sizeof path, "%s/plugins/data/quotes/en/%s.txt",
                 tu_source_dir(), LISTS[i]);
        char *t = tu_read(path, &n);
        assert_non_null(t);
        assert_int_equal(asy_qlex_parse(m->lex, t, n, path, NULL), ASSAY_OK);
        free(t);
    }
    snprintf(path, sizeof path, "%s/plugins/data/abbreviations/en.txt",
             tu_source_dir());
    assert_int_equal(asy_abbrevs_load(m->ab, path, NULL), ASSAY_OK);
    return m;
}

static int setup(void **state)
{
    *state = load_model();
    return 0;
}

static int teardown(void **state)
{
    asy_qmodel_free(*state);
    return 0;
}

static asy_attrs run(void **state, const char *s)
{
    asy_attrs r;
    assert_int_equal(asy_attrib_run(s, strlen(s), *state, NULL, &r, NULL),
                     ASSAY_OK);
    return r;
}

/* Copy of text[a, b) for comparisons ("" when absent). */
static char *sub(const char *s, size_t a, size_t b)
{
    static char buf[8][256];
    static int k;
    char *o = buf[k++ & 7];
    if (a == ASY_ATTR_NONE)
        a = b = 0;
    assert_true(b - a < 256);
    memcpy(o, s + a, b - a);
    o[b - a] = 0;
    return o;
}

#define SPK(s, a) sub((s), (a)->spk_start, (a)->spk_end)
#define NAME(s, a) sub((s), (a)->name_start, (a)->name_end)
#define CUE(s, a) sub((s), (a)->cue_start, (a)->cue_end)
#define TEXT(s, a) sub((s), (a)->start, (a)->end)

/* ==== word lists ======================================================= */

/* Keys of every length 1..63, found in any ASCII case whether the word
 * stands alone (room = its length) or inside a longer text (loaded eight
 * bytes at a time); non-ASCII bytes are compared as they are. */
static void test_lex_lengths(void **state)
{
    (void)state;
    asy_qlex *lx = asy_qlex_new();
    char w[80], up[80], text[160];
    for (size_t n = 1; n < 64; n++) {
        for (size_t i = 0; i < n; i++)
            w[i] = (char)('a' + (i * 7 + n) % 26);
        assert_int_equal(asy_qlex_add(lx, ASY_QL_TITLE, w, n), ASSAY_OK);
    }
    assert_int_equal(asy_qlex_add(lx, ASY_QL_MALE, "\xC3\xA9mile", 6),
                     ASSAY_OK);
    for (size_t n = 1; n < 64; n++) {
        for (size_t i = 0; i < n; i++) {
            w[i] = (char)('a' + (i * 7 + n) % 26);
            up[i] = (char)(w[i] - 32);
        }
        assert_int_equal(asy_qlex_get(lx, w, n), ASY_QL_TITLE);
        memset(text, 'z', sizeof text);
        memcpy(text + 3, up, n);
        assert_int_equal(asy_qlex_get_in(lx, text + 3, n, sizeof text - 3),
                         ASY_QL_TITLE);
        assert_int_equal(asy_qlex_get_in(lx, text + 3, n, n), ASY_QL_TITLE);
        /* one byte more or less is another word */
        assert_int_equal(asy_qlex_get_in(lx, text + 3, n + 1,
                                         sizeof text - 3) & ASY_QL_TITLE,
                         0);
        if (n > 1)
            assert_int_equal(asy_qlex_get(lx, w, n - 1) & ASY_QL_TITLE, 0);
    }
    assert_int_equal(asy_qlex_get(lx, "\xC3\xA9MILE", 6), ASY_QL_MALE);
    assert_int_equal(asy_qlex_get(lx, "\xC3\x89mile", 6), 0); /* É: not folded */
    assert_int_equal(asy_qlex_get(lx, w, 64), 0); /* too long for a key */
    assert_int_equal(asy_qlex_get(lx, w, 0), 0);
    asy_qlex_free(lx);
}

static void test_lex(void **state)
{
    (void)state;
    asy_qlex *lx = asy_qlex_new();
    const char *t = "# c\n[cue]\nsaid\ncalled for\n[title]\nSen.\n";
    assert_int_equal(asy_qlex_parse(lx, t, strlen(t), "x", NULL), ASSAY_OK);
    /* 4: "called" is also entered as the head of "called for" */
    assert_int_equal(asy_qlex_count(lx), 4);
    assert_int_equal(asy_qlex_get(lx, "called", 6), ASY_QL_HEAD);
    assert_int_equal(asy_qlex_get(lx, "SAID", 4), ASY_QL_CUE);
    assert_int_equal(asy_qlex_get(lx, "sen", 3), ASY_QL_TITLE);
    assert_int_equal(asy_qlex_get2(lx, "Called", 6, "for", 3), ASY_QL_CUE);
    assert_int_equal(asy_qlex_get(lx, "told", 4), 0);
    asy_error e;
    const char *bad = "[cue]\nsaid\n[nouns]\n";
    assert_int_equal(asy_qlex_parse(lx, bad, strlen(bad), "f.txt", &e),
                     ASSAY_E_PARSE);
    assert_int_equal(e.line, 3);
    assert_int_equal(asy_qlex_parse(lx, "said\n", 5, "f.txt", &e),
                     ASSAY_E_PARSE);
    asy_qlex_free(lx);
}

/* ==== direct quotations ================================================ */

static void test_quote_speaker_cue(void **state)
{
    const char *s = "\xE2\x80\x9CWe will win,\xE2\x80\x9D Smith said.";
    asy_attrs r = run(state, s);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.a[0].type, ASY_ATTR_DIRECT);
    assert_string_equal(TEXT(s, &r.a[0]),
                        "\xE2\x80\x9CWe will win,\xE2\x80\x9D");
    assert_string_equal(SPK(s, &r.a[0]), "Smith");
    assert_string_equal(CUE(s, &r.a[0]), "said");
    assert_string_equal(r.a[0].rule, "quote-speaker-cue");
    assert_true(r.a[0].closed);
    asy_attrs_free(&r);
}

static void test_quote_cue_speaker_title(void **state)
{
    const char *s = "Chinese President Xi Jinping visited Astana.\n\n"
                    "\"We are friends,\" said President Xi.";
    asy_attrs r = run(state, s);
    assert_int_equal(r.n, 1);
    assert_string_equal(SPK(s, &r.a[0]), "President Xi");
    assert_string_equal(NAME(s, &r.a[0]), "Xi Jinping");
    assert_string_equal(r.a[0].rule, "quote-cue-speaker");
    asy_attrs_free(&r);
}

static void test_interrupted(void **state)
{
    const char *s = "\"It works,\" she said, \"and it is cheap.\"";
    asy_attrs r = run(state, s);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.a[0].nseg, 2);
    assert_int_equal(r.a[0].start, 0);
    assert_int_equal(r.a[0].end, strlen(s));
    assert_int_equal(r.seg[r.a[0].seg + 1].start, 22);
    asy_attrs_free(&r);
}

static void test_colon_and_floating(void **state)
{
    const char *s = "Mary Jones spoke on Monday. She said: \"We are ready.\"\n\n"
                    "\"Nothing will stop us now.\"";
    asy_attrs r = run(state, s);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.a[0].rule, "speaker-cue-colon");
    assert_string_equal(SPK(s, &r.a[0]), "She");
    assert_string_equal(NAME(s, &r.a[0]), "Mary Jones");
    assert_int_equal(r.a[1].type, ASY_ATTR_FLOATING);
    assert_string_equal(r.a[1].rule, "floating-previous-speaker");
    assert_string_equal(NAME(s, &r.a[1]), "Mary Jones");
    assert_true(r.a[1].confidence < r.a[0].confidence);
    asy_attrs_free(&r);
}

static void test_scare_quote_ignored(void **state)
{
    const char *s = "The plan was called a \"blueprint\" by many.";
    asy_attrs r = run(state, s);
    assert_int_equal(r.n, 0);
    asy_attrs_free(&r);
}

/* ==== reported speech ================================================== */

static void test_indirect(void **state)
{
    const char *s = "Hillary Clinton arrived late.\n\n"
                    "She added that the plan would cost billions of dollars.";
    asy_attrs r = run(state, s);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.a[0].type, ASY_ATTR_INDIRECT);
    assert_string_equal(TEXT(s, &r.a[0]),
                        "that the plan would cost billions of dollars");
    assert_string_equal(NAME(s, &r.a[0]), "Hillary Clinton");
    assert_string_equal(r.a[0].rule, "speaker-cue-that");
    asy_attrs_free(&r);
}

static void test_content_first_and_mixed(void **state)
{
    const char *s = "The deal is dead and will not return, officials said.\n\n"
                    "Smith said the deal was \"a total disaster\" for all.";
    asy_attrs r = run(state, s);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.a[0].rule, "content-speaker-cue");
    assert_string_equal(TEXT(s, &r.a[0]),
                        "The deal is dead and will not return");
    assert_string_equal(SPK(s, &r.a[0]), "officials");
    assert_int_equal(r.a[1].type, ASY_ATTR_MIXED);
    assert_string_equal(SPK(s, &r.a[1]), "Smith");
    asy_attrs_free(&r);
}

/* "Subject, who …, said X …": the subject speaks and a clause follows
 * the cue; the inverted "…, said X" still holds when X is a name. */
static void test_relative_clause_subject(void **state)
{
    const char *s = "Dr. Samuel Okafor, who chairs the residents' association, "
                    "said the council had ignored its own air-quality study.";
    asy_attrs r = run(state, s);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.a[0].type, ASY_ATTR_INDIRECT);
    assert_string_equal(SPK(s, &r.a[0]), "Dr. Samuel Okafor");
    assert_string_equal(NAME(s, &r.a[0]), "Samuel Okafor");
    assert_string_equal(CUE(s, &r.a[0]), "said");
    assert_string_equal(TEXT(s, &r.a[0]),
                        "the council had ignored its own air-quality study");
    assert_string_equal(r.a[0].rule, "speaker-cue-that");
    asy_attrs_free(&r);

    /* negative: a "which" clause inside the content, a name after "said" */
    const char *t = "The plan, which passed in May, will cut costs sharply, "
                    "said Mayor Jane Doe.";
    r = run(state, t);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.a[0].rule, "content-cue-speaker");
    assert_string_equal(SPK(t, &r.a[0]), "Mayor Jane Doe");
    assert_string_equal(TEXT(t, &r.a[0]),
                        "The plan, which passed in May, will cut costs "
                        "sharply");
    asy_attrs_free(&r);
}

/* "the regulator's chair, Ana Ruiz, told": the role and the name between
 * commas are one person. */
static void test_appositive_name(void **state)
{
    const char *s = "\"Households that invested early are protected,\" the "
                    "regulator's chair, Ana Ruiz, told reporters.";
    asy_attrs r = run(state, s);
    assert_int_equal(r.n, 1);
    assert_string_equal(SPK(s, &r.a[0]), "the regulator's chair");
    assert_string_equal(NAME(s, &r.a[0]), "Ana Ruiz");
    assert_string_equal(CUE(s, &r.a[0]), "told");
    asy_attrs_free(&r);

    /* negative: no name between commas, the phrase is its own name */
    const char *t = "\"Households that invested early are protected,\" the "
                    "regulator's chair told reporters.";
    r = run(state, t);
    assert_int_equal(r.n, 1);
    assert_string_equal(NAME(t, &r.a[0]), "the regulator's chair");
    asy_attrs_free(&r);
}

static void test_according_to(void **state)
{
    const char *s = "According to the ministry, exports rose by ten percent.";
    asy_attrs r = run(state, s);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.a[0].type, ASY_ATTR_ACCORDING);
    assert_string_equal(SPK(s, &r.a[0]), "the ministry");
    assert_string_equal(TEXT(s, &r.a[0]), "exports rose by ten percent");
    asy_attrs_free(&r);
}

/* ==== round 2: layouts, clause boundaries, cached structure ============= */

static void test_dash_list_lines(void **state)
{
    /* vox-pop layout: one quotation per line, "― Name" after it, lines
     * separated by one newline (one paragraph) */
    const char *s = "\"We need jobs here.\" \xE2\x80\x95 Ana Ruiz\n"
                    "\"Nobody listens to us at all.\"\xE2\x80\x95 Carlos Lima\n";
    asy_attrs r = run(state, s);
    assert_int_equal(r.n, 2);
    assert_string_equal(SPK(s, &r.a[0]), "Ana Ruiz");
    assert_string_equal(SPK(s, &r.a[1]), "Carlos Lima");
    assert_string_equal(r.a[1].rule, "quote-dash-speaker");
    assert_int_equal(r.a[1].type, ASY_ATTR_DIRECT);
    asy_attrs_free(&r);
}

static void test_that_comma_quote_is_mixed(void **state)
{
    const char *s = "Trump tweeted that, \"at least you know I will be "
                    "there.\"";
    asy_attrs r = run(state, s);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.a[0].type, ASY_ATTR_MIXED);
    assert_int_equal(r.a[0].start, 14); /* from "that" */
    assert_string_equal(SPK(s, &r.a[0]), "Trump");
    asy_attrs_free(&r);
}

static void test_prep_phrase_speaker_and_new_clause(void **state)
{
    const char *s = "\"It was the least bad outcome,\" Mr. Morgan of the "
                    "Sierra Club said.\n\n\"You winning?\" she said, but he "
                    "was drifting off again and did not answer the question.";
    asy_attrs r = run(state, s);
    assert_true(r.n >= 2);
    assert_string_equal(SPK(s, &r.a[0]), "Mr. Morgan of the Sierra Club");
    assert_string_equal(r.a[1].rule, "quote-speaker-cue");
    assert_string_equal(TEXT(s, &r.a[1]), "\"You winning?\"");
    assert_int_equal(r.a[1].words, 2);
    asy_attrs_free(&r);
}

/* A quotation opening with a lowercase word after "cue ," continues the
 * writer's sentence: mixed (reported-speech pass); capitalised: direct. */
static void test_lowercase_quote_after_cue_is_mixed(void **state)
{
    const char *s = "Clinton said on the other hand, \"the current system "
                    "works fine for most people.\"";
    asy_attrs r = run(state, s);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.a[0].type, ASY_ATTR_MIXED);
    assert_string_equal(SPK(s, &r.a[0]), "Clinton");
    asy_attrs_free(&r);
    const char *u = "Clinton said on the other hand, \"The current system "
                    "works fine for most people.\"";
    r = run(state, u);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.a[0].type, ASY_ATTR_DIRECT);
    assert_string_equal(r.a[0].rule, "speaker-cue-colon");
    asy_attrs_free(&r);
}

/* "X said, adding later, “…”": the participle has no subject of its own;
 * the earlier cue's subject speaks. */
static void test_participle_cue_takes_earlier_subject(void **state)
{
    const char *s = "Jones said, adding later, \"The alliance costs us a "
                    "fortune.\"";
    asy_attrs r = run(state, s);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.a[0].type, ASY_ATTR_DIRECT);
    assert_string_equal(TEXT(s, &r.a[0]),
                        "\"The alliance costs us a fortune.\"");
    assert_string_equal(SPK(s, &r.a[0]), "Jones");
    assert_string_equal(CUE(s, &r.a[0]), "said");
    assert_string_equal(r.a[0].rule, "speaker-cue-colon");
    asy_attrs_free(&r);
}

/* A written text speaks through "read": “…,” the statement read. */
static void test_written_text_read(void **state)
{
    const char *s = "\"We will win this fight,\" the statement read.";
    asy_attrs r = run(state, s);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.a[0].type, ASY_ATTR_DIRECT);
    assert_string_equal(SPK(s, &r.a[0]), "the statement");
    assert_string_equal(CUE(s, &r.a[0]), "read");
    asy_attrs_free(&r);
}

/* Mojibake inside a name (UTF-8 "ç" decoded twice as Latin-1 and C1
 * controls) does not cut the speaker phrase. */
static void test_mojibake_name(void **state)
{
    const char *s = "\"Europe must defend itself,\" French President "
                    "Fran\xC3\x83\xC2\x83\xC3\x82\xC2\xA7ois Hollande said.";
    asy_attrs r = run(state, s);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.a[0].type, ASY_ATTR_DIRECT);
    assert_string_equal(SPK(s, &r.a[0]),
                        "French President Fran\xC3\x83\xC2\x83\xC3\x82"
                        "\xC2\xA7ois Hollande");
    assert_string_equal(r.a[0].rule, "quote-speaker-cue");
    asy_attrs_free(&r);
}

/* Passing the structure computed elsewhere (the document cache) gives the
 * same records as computing it here. */
static void test_borrowed_structure(void **state)
{
    const char *s = "Mary Jones spoke. \"We are ready,\" she said.\n\n"
                    "She added that the plan would cost billions.";
    size_t len = strlen(s);
    asy_attrs a = run(state, s), b;
    asy_qmodel *m = *state;
    asy_attrib_opts o;
    asy_attrib_opts_init(&o);
    asy_span *para = NULL, *sent = NULL;
    size_t np = 0, ns = 0, cap = 0, nw = 0, wcap = 64;
    assert_int_equal(asy_paragraphs(s, len, &para, &np), 0);
    for (size_t p = 0; p < np; p++)
        assert_int_equal(asy_sentences_news_range(s, para[p].start,
                                                  para[p].end, m->ab, &sent,
                                                  &ns, &cap, NULL),
                         ASSAY_OK);
    asy_wb_seg *w = malloc(wcap * sizeof *w);
    assert_non_null(w);
    asy_wb_iter it;
    asy_wb_init(&it, s, len, ASY_WB_NOSPACE);
    while (nw < wcap && asy_wb_next(&it, &w[nw]))
        nw++;
    asy_quotes q;
    asy_quote_opts qo;
    asy_quote_opts_init(&qo);
    qo.paras = para;
    qo.npara = np;
    assert_int_equal(asy_quotes_scan(s, len, &qo, &q, NULL), ASSAY_OK);
    o.paras = para;
    o.npara = np;
    o.words = w;
    o.nwords = nw;
    o.sents = sent;
    o.nsent = ns;
    o.quotes = &q;
    assert_int_equal(asy_attrib_run(s, len, m, &o, &b, NULL), ASSAY_OK);
    assert_int_equal(a.n, 2);
    assert_int_equal(b.n, a.n);
    for (size_t i = 0; i < a.n; i++) {
        assert_int_equal(b.a[i].start, a.a[i].start);
        assert_int_equal(b.a[i].end, a.a[i].end);
        assert_int_equal(b.a[i].spk_start, a.a[i].spk_start);
        assert_int_equal(b.a[i].words, a.a[i].words);
    }
    assert_int_equal(a.a[0].words, 3);
    asy_attrs_free(&a);
    asy_attrs_free(&b);
    /* segments of another, longer text are refused, not read */
    w[nw - 1].end = len + 5;
    assert_int_equal(asy_attrib_run(s, len, m, &o, &b, NULL), ASSAY_E_USAGE);
    assert_int_equal(b.n, 0);
    asy_quotes_free(&q);
    free(w);
    free(sent);
    free(para);
}

/* ==== odd input ======================================================== */

static void test_unclosed_and_empty(void **state)
{
    const char *s = "\"This never ends, and it goes on and on,\" he said. "
                    "\"Then it opens again";
    asy_attrs r = run(state, s);
    assert_true(r.n >= 1);
    assert_false(r.a[r.n - 1].closed);
    asy_attrs_free(&r);
    r = run(state, "");
    assert_int_equal(r.n, 0);
    asy_attrs_free(&r);
    const char *odd = "\" \xE2\x80\x9D said , \" \" \xC2\xAB \xE2\x80\x9C";
    r = run(state, odd);
    for (size_t i = 0; i < r.n; i++)
        assert_true(r.a[i].start <= r.a[i].end && r.a[i].end <= strlen(odd));
    asy_attrs_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lex),
        cmocka_unit_test(test_lex_lengths),
        cmocka_unit_test(test_quote_speaker_cue),
        cmocka_unit_test(test_quote_cue_speaker_title),
        cmocka_unit_test(test_interrupted),
        cmocka_unit_test(test_colon_and_floating),
        cmocka_unit_test(test_scare_quote_ignored),
        cmocka_unit_test(test_indirect),
        cmocka_unit_test(test_content_first_and_mixed),
        cmocka_unit_test(test_according_to),
        cmocka_unit_test(test_unclosed_and_empty),
        cmocka_unit_test(test_dash_list_lines),
        cmocka_unit_test(test_that_comma_quote_is_mixed),
        cmocka_unit_test(test_prep_phrase_speaker_and_new_clause),
        cmocka_unit_test(test_borrowed_structure),
        cmocka_unit_test(test_relative_clause_subject),
        cmocka_unit_test(test_appositive_name),
        cmocka_unit_test(test_lowercase_quote_after_cue_is_mixed),
        cmocka_unit_test(test_participle_cue_takes_earlier_subject),
        cmocka_unit_test(test_written_text_read),
        cmocka_unit_test(test_mojibake_name),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
