/*
 * test_token.c — the word layer (UAX #29 segments as words): joining
 * rules, numbers, non-Latin scripts, marks, emoji, case folding, exact
 * byte and code-point offsets, and the options: NFC/NFKC, kinds, stop
 * words, minimum length and Snowball stemming.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "token.h"

/* Tokens rendered as "norm@start-end[#]" joined by '|' ('#' = number). */
static int collect(void *ud, const asy_token *t, const char *norm, size_t n)
{
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s%.*s@%zu-%zu%s",
             ((char *)ud)[0] ? "|" : "", (int)n, norm, t->start, t->end,
             t->is_number ? "#" : "");
    strncat((char *)ud, tmp, 4095 - strlen((char *)ud));
    return 0;
}

static const char *toks(const char *text, int flags)
{
    static char out[4096];
    out[0] = '\0';
    assert_int_equal(asy_tokenize(text, strlen(text), flags, collect, out), 0);
    return out;
}

static void test_joining(void **state)
{
    (void)state;
    /* "Kazakhstan’s": U+2019 is 3 bytes, so the token is 10+3+1 bytes. */
    assert_string_equal(toks("Kazakhstan’s", 0), "Kazakhstan’s@0-14");
    assert_string_equal(toks("Kazakhstan's role", 0),
                        "Kazakhstan's@0-12|role@13-17");
    assert_string_equal(toks("the U.S. said", 0), "the@0-3|U.S@4-7|said@9-13");
    assert_string_equal(toks("China-Kazakhstan ties", 0),
                        "China@0-5|Kazakhstan@6-16|ties@17-21");
    assert_string_equal(toks("'tis the students' books", 0),
                        "tis@1-4|the@5-8|students@9-17|books@19-24");
    assert_string_equal(toks("rock'n'roll", 0), "rock'n'roll@0-11");
    /* "_" is ExtendNumLet in UAX #29: it joins. */
    assert_string_equal(toks("snake_case x", 0), "snake_case@0-10|x@11-12");
    assert_string_equal(toks("end. Next", 0), "end@0-3|Next@5-9");
    assert_string_equal(toks("a.b", 0), "a.b@0-3");
    assert_string_equal(toks("a..b", 0), "a@0-1|b@3-4");
    assert_string_equal(toks("it' s", 0), "it@0-2|s@4-5");
    assert_string_equal(toks("", 0), "");
    assert_string_equal(toks("  ,.;  ", 0), "");
}

static void test_numbers(void **state)
{
    (void)state;
    const char *t = "In 2024, 1,000.5 people paid 3.14 and 90's 5km v2.";
    assert_string_equal(toks(t, 0),
                        "In@0-2|people@17-23|paid@24-28|and@34-37|s@41-42|"
                        "5km@43-46|v2@47-49");
    assert_string_equal(toks(t, ASY_TOK_NUMBERS),
                        "In@0-2|2024@3-7#|1,000.5@9-16#|people@17-23|"
                        "paid@24-28|3.14@29-33#|and@34-37|90@38-40#|s@41-42|"
                        "5km@43-46|v2@47-49");
    /* , and . join only between digits; a trailing one is not included. */
    assert_string_equal(toks("1, 2. 3,4", ASY_TOK_NUMBERS),
                        "1@0-1#|2@3-4#|3,4@6-9#");
    /* Non-ASCII digits (Nd) are digits too: Arabic-Indic ١٢٣. */
    assert_string_equal(toks("١٢٣", ASY_TOK_NUMBERS), "١٢٣@0-6#");
    assert_string_equal(toks("١٢٣", 0), "");
}

static void test_scripts(void **state)
{
    (void)state;
    assert_string_equal(toks("Καλημέρα κόσμε", 0),
                        "Καλημέρα@0-16|κόσμε@17-27");
    assert_string_equal(toks("Привет, мир!", 0), "Привет@0-12|мир@14-20");
    /* CJK: UAX #29 (without a dictionary, like ICU's rules alone) makes
     * each ideograph a word; the ideographic comma is punctuation. */
    assert_string_equal(toks("中文文本，测试", 0),
                        "中@0-3|文@3-6|文@6-9|本@9-12|测@15-18|试@18-21");
    /* Emoji and symbols are not words; ZWJ sequences neither. */
    assert_string_equal(toks("hi 😀 🇰🇿 👨‍👩‍👧 ok", 0),
                        "hi@0-2|ok@36-38");
    /* Combining marks stay in the word: e + U+0301. */
    assert_string_equal(toks("cafe\xCC\x81 ok", 0), "cafe\xCC\x81@0-6|ok@7-9");
    /* ZWNJ inside a Persian word does not split it. */
    assert_string_equal(toks("می‌خواهم", 0), "می‌خواهم@0-17");
    /* Invalid UTF-8 bytes separate words and are never read past. */
    assert_string_equal(toks("ab\xFF" "cd\xE2\x80", 0), "ab@0-2|cd@3-5");
}

static void test_lower(void **state)
{
    (void)state;
    assert_string_equal(toks("Hello WORLD abc", ASY_TOK_LOWER),
                        "hello@0-5|world@6-11|abc@12-15");
    assert_string_equal(toks("ÉCOLE", ASY_TOK_LOWER), "école@0-6");
    assert_string_equal(toks("Straße", ASY_TOK_LOWER), "strasse@0-7");
    assert_string_equal(toks("ΣΟΦΟΣ σοφός", ASY_TOK_LOWER),
                        "σοφοσ@0-10|σοφόσ@11-21");
    assert_string_equal(toks("Kazakhstan’s", ASY_TOK_LOWER),
                        "kazakhstan’s@0-14");
    /* Decomposed E + U+0301 folds and composes to é (U+00E9). */
    assert_string_equal(toks("E\xCC\x81T\xC3\x89", ASY_TOK_LOWER),
                        "\xC3\xA9t\xC3\xA9@0-6");
    /* Without ASY_TOK_LOWER the text is passed through unchanged. */
    assert_string_equal(toks("ÉCOLE", 0), "ÉCOLE@0-6");
}

static int stop_at_two(void *ud, const asy_token *t, const char *n, size_t l)
{
    (void)t, (void)n, (void)l;
    return ++*(int *)ud == 2 ? 7 : 0;
}

static void test_stop(void **state)
{
    (void)state;
    int seen = 0;
    assert_int_equal(asy_tokenize("a b c d", 7, 0, stop_at_two, &seen), 7);
    assert_int_equal(seen, 2);
}

/* The length bound is respected: no token may run past len. */
static void test_bounds(void **state)
{
    (void)state;
    char *t = malloc(5);
    assert_non_null(t);
    memcpy(t, "ab.cd", 5); /* not NUL-terminated */
    static char out[4096];
    out[0] = '\0';
    assert_int_equal(asy_tokenize(t, 3, 0, collect, out), 0);
    assert_string_equal(out, "ab@0-2");
    out[0] = '\0';
    assert_int_equal(asy_tokenize(t, 5, 0, collect, out), 0);
    assert_string_equal(out, "ab.cd@0-5");
    free(t);
}

/* The seed article: count tokens, and find a few known ones. */
static int count_cb(void *ud, const asy_token *t, const char *n, size_t l)
{
    (void)t;
    int *c = ud;
    c[0]++;
    if (l == 14 && memcmp(n, "kazakhstan’s", 14) == 0)
        c[1]++;
    return 0;
}

static void test_seed(void **state)
{
    (void)state;
    const char *dir = tu_corpora_dir();
    if (!dir)
        TU_SKIP("shared corpora absent");
    char path[4096];
    snprintf(path, sizeof path, "%s/seed/xi-kazakhstan-2024-07-02.txt", dir);
    size_t len;
    char *text = tu_read(path, &len);
    if (!text)
        TU_SKIP("seed article absent");
    int c[2] = {0, 0};
    assert_int_equal(asy_tokenize(text, len, ASY_TOK_LOWER, count_cb, c), 0);
    assert_true(c[0] > 400 && c[0] < 700); /* ~547 blank-separated words */
    assert_int_equal(c[1], 1);             /* "Kazakhstan’s", folded */
    free(text);
}

/* ---- options (asy_tokenize_ex) ---------------------------------------- */

/* Tokens under o rendered as "norm@cstart-cend:kind" joined by '|'. */
static int collect_ex(void *ud, const asy_token *t, const char *norm,
                      size_t n)
{
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s%.*s@%zu-%zu:%s",
             ((char *)ud)[0] ? "|" : "", (int)n, norm, t->cstart, t->cend,
             asy_wb_kind_name(t->kind));
    strncat((char *)ud, tmp, 4095 - strlen((char *)ud));
    return 0;
}

static const char *toks_ex(const char *text, const asy_tok_opts *o)
{
    static char out[4096];
    out[0] = '\0';
    assert_int_equal(asy_tokenize_ex(text, strlen(text), o, collect_ex, out),
                     0);
    return out;
}

static void test_kinds_and_cp_offsets(void **state)
{
    (void)state;
    /* Code-point offsets: "’" is one code point (3 bytes). */
    assert_string_equal(toks_ex("Kazakhstan’s 2024 ties", NULL),
                        "Kazakhstan’s@0-12:word|2024@13-17:number|"
                        "ties@18-22:word");
    asy_tok_opts o = {0, ASY_WB_KIND(ASY_WB_PUNCT) | ASY_WB_KIND(ASY_WB_EMOJI),
                      NULL, NULL, 0};
    assert_string_equal(toks_ex("“Hi,” 👍🏽 ok.", &o),
                        "“@0-1:punct|,@3-4:punct|”@4-5:punct|"
                        "👍🏽@6-8:emoji|.@11-12:punct");
    o.kinds = ASY_WB_KIND(ASY_WB_SYMBOL);
    assert_string_equal(toks_ex("$5 + ©", &o),
                        "$@0-1:symbol|+@3-4:symbol|©@5-6:symbol");
}

static void test_normalisation_forms(void **state)
{
    (void)state;
    asy_tok_opts o = {ASY_TOK_NFC, 0, NULL, NULL, 0};
    /* e + U+0301 composes to U+00E9; case is kept. */
    assert_string_equal(toks_ex("Cafe\xCC\x81", &o), "Caf\xC3\xA9@0-5:word");
    /* NFC keeps compatibility characters, NFKC folds them. */
    assert_string_equal(toks_ex("\xEF\xAC\x81le", &o), "\xEF\xAC\x81le@0-3:word");
    o.flags = ASY_TOK_NFKC;
    assert_string_equal(toks_ex("\xEF\xAC\x81le", &o), "file@0-3:word");
    assert_string_equal(toks_ex("x \xC2\xB2", &o), "x@0-1:word|2@2-3:number");
    /* Full-width Latin letters under NFKC + lower. */
    o.flags = ASY_TOK_NFKC | ASY_TOK_LOWER;
    assert_string_equal(toks_ex("\xEF\xBC\xA1\xEF\xBC\xA2", &o), "ab@0-2:word");
    /* A long non-ASCII token grows the scratch buffer. */
    char longw[3 * 150 + 1];
    for (int i = 0; i < 150; i++)
        memcpy(longw + 3 * i, "\xEF\xAC\x81", 3);
    longw[450] = '\0';
    const char *r = toks_ex(longw, &o);
    assert_int_equal(strncmp(r, "fififi", 6), 0);
    assert_non_null(strstr(r, "@0-150:word"));
}

static void test_stopwords(void **state)
{
    (void)state;
    asy_stopwords *sw = asy_stopwords_new();
    assert_non_null(sw);
    const char *list = "# comment\nthe\n  And  # trailing comment\n\n"
                       "\xC3\x89T\xC3\x89\r\n";
    assert_int_equal(asy_stopwords_parse(sw, list, strlen(list), "t", NULL),
                     ASSAY_OK);
    assert_int_equal(asy_stopwords_count(sw), 3);
    assert_true(asy_stopwords_has(sw, "and", 3)); /* folded on the way in */
    assert_true(asy_stopwords_has(sw, "\xC3\xA9t\xC3\xA9", 5));
    assert_false(asy_stopwords_has(sw, "And", 3));
    asy_tok_opts o = {ASY_TOK_LOWER, 0, NULL, sw, 0};
    assert_string_equal(toks_ex("The cat AND the été", &o), "cat@4-7:word");
    /* Without lower, stop words still match case-insensitively and the
     * kept words keep their case. */
    o.flags = 0;
    assert_string_equal(toks_ex("The Cat and", &o), "Cat@4-7:word");
    asy_stopwords_free(sw);
    asy_error e;
    sw = asy_stopwords_new();
    assert_int_equal(asy_stopwords_load(sw, "/nonexistent/stop.txt", &e),
                     ASSAY_E_IO);
    assert_non_null(strstr(e.message, "/nonexistent/stop.txt"));
    asy_stopwords_free(sw);
}

static void test_min_length(void **state)
{
    (void)state;
    asy_tok_opts o = {ASY_TOK_LOWER, 0, NULL, NULL, 3};
    /* Code points, not bytes: "été" (6 bytes) has 3. */
    assert_string_equal(toks_ex("a an été ÉT cats", &o),
                        "été@5-8:word|cats@12-16:word");
}

/* libstemmer is loaded when first wanted: where the build has it
 * (ASSAY_STEMMER=1, set by tests/CMakeLists.txt), it must load, or the
 * checks below would be skipped unseen. */
static void test_stemming(void **state)
{
    (void)state;
    asy_error e;
    const char *want = getenv("ASSAY_STEMMER");
    if (want && strcmp(want, "1") == 0)
        assert_int_equal(asy_stemmer_available(), 1);
    if (!asy_stemmer_available()) {
        assert_null(asy_stemmer_new("english", &e));
        assert_non_null(strstr(e.message, "libstemmer"));
        assert_null(asy_stemmer_languages()[0]);
        skip();
    }
    assert_non_null(asy_stemmer_languages()[0]);
    asy_stemmer *st = asy_stemmer_new("english", &e);
    assert_non_null(st);
    asy_tok_opts o = {ASY_TOK_LOWER, 0, st, NULL, 0};
    assert_string_equal(toks_ex("Running connections 2024 generously", &o),
                        "run@0-7:word|connect@8-19:word|2024@20-24:number|"
                        "generous@25-35:word");
    asy_stemmer_free(st);
    st = asy_stemmer_new("french", &e);
    assert_non_null(st);
    o.stem = st;
    assert_string_equal(toks_ex("continuellement", &o),
                        "continuel@0-15:word");
    asy_stemmer_free(st);
    assert_null(asy_stemmer_new("klingon", &e));
    assert_int_equal(e.code, ASSAY_E_USAGE);
    assert_non_null(strstr(e.message, "klingon"));
    assert_non_null(strstr(e.hint, "english"));
}

/* asy_tok_count (counter:add_words): the same words and normal forms
 * as asy_tokenize_ex, occurrences into one counter and document
 * frequencies into the other, ASCII fast path and utf8proc path alike. */
static int add_cb(void *ud, const asy_token *t, const char *norm, size_t n)
{
    (void)t;
    return asy_counter_add(ud, norm, n, 1);
}

static void test_count(void **state)
{
    (void)state;
    const char *docs[] = {
        "The cat and THE Cat. Straße STRASSE straße, 3.5 x",
        "the dog: a_very_long_word_that_is_longer_than_sixty_four_bytes_for_"
        "the_slow_path ÉTÉ été Kazakhstan’s",
    };
    asy_tok_opts o = {ASY_TOK_LOWER, ASY_WB_KIND(ASY_WB_WORD), NULL, NULL, 3};
    asy_counter *want = asy_counter_new(), *counts = asy_counter_new(),
                *df = asy_counter_new(), *only = asy_counter_new();
    size_t counted, total = 0;
    for (int d = 0; d < 2; d++) {
        size_t len = strlen(docs[d]);
        assert_int_equal(asy_tokenize_ex(docs[d], len, &o, add_cb, want), 0);
        assert_int_equal(asy_tok_count(docs[d], len, &o, counts, df, &counted), 0);
        total += counted;
        assert_int_equal(asy_tok_count(docs[d], len, &o, NULL, only, &counted), 0);
        assert_int_equal(counted, d == 0 ? 4 : 5); /* distinct kept words */
    }
    asy_buf a = ASY_BUF_INIT, b = ASY_BUF_INIT;
    assert_int_equal(asy_counter_save(want, &a), 0);
    assert_int_equal(asy_counter_save(counts, &b), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_int_equal(total, 14);
    assert_int_equal(asy_counter_get(counts, "the", 3), 3);
    assert_int_equal(asy_counter_get(df, "the", 3), 2);
    assert_int_equal(asy_counter_get(counts, "strasse", 7), 3);
    assert_int_equal(asy_counter_get(df, "strasse", 7), 1);
    assert_int_equal(asy_counter_get(df, "été", strlen("été")), 1);
    assert_int_equal(asy_counter_get(counts, "été", strlen("été")), 2);
    assert_int_equal(asy_counter_get(only, "cat", 3), 1);
    assert_int_equal(asy_counter_get(counts, "x", 1), 0); /* min_length */
    asy_buf_free(&a);
    asy_buf_free(&b);
    asy_counter_free(want);
    asy_counter_free(counts);
    asy_counter_free(df);
    asy_counter_free(only);
}

/* Reference document frequencies: each distinct token of a text once. */
typedef struct dfref {
    asy_counter *seen, *df;
} dfref;

static int df_cb(void *ud, const asy_token *t, const char *norm, size_t n)
{
    dfref *r = ud;
    (void)t;
    if (asy_counter_get(r->seen, norm, n))
        return 0;
    return asy_counter_add(r->seen, norm, n, 1) || asy_counter_add(r->df, norm, n, 1);
}

/* asy_tok_count against asy_tokenize_ex on random texts: words of 15, 16
 * and 17 bytes (the inline key limit), forms that fold to the same ASCII
 * word from non-ASCII text (KELVIN SIGN -> k, the fi ligature under NFKC),
 * texts with many distinct words (the word table grows mid-text), counts
 * alone into one counter (which keeps its word table from text to text)
 * and with document counts into two, counters read between texts,
 * document counts alone, the counts returned, and each combination of
 * options. */
static void test_count_random(void **state)
{
    (void)state;
    static const char *const vocab[] = {
        "the", "The", "THE", "k", "K", "\xe2\x84\xaa", "fish", "\xef\xac\x81sh",
        "abcdefghijklmno", "abcdefghijklmnop", "abcdefghijklmnopq",
        "ABCDEFGHIJKLMNOP", "Stra\xc3\x9f" "e", "STRASSE", "caf\xc3\xa9", "3.5",
        "1,000", "x", "running", "don't", "Kazakhstan\xe2\x80\x99s", "a_b",
        /* apostrophes U+2019: the fast path's only non-ASCII (a 16-byte
         * word, a 17-byte one, two marks, a short one, upper case, and
         * one with another non-ASCII letter, which is not fast) */
        "abcdefghijkL\xe2\x80\x99s", "abcdefghijklm\xe2\x80\x99s",
        "A\xe2\x80\x99" "b\xe2\x80\x99" "C", "x\xe2\x80\x99y", "DON\xe2\x80\x99T",
        "Caf\xc3\xa9\xe2\x80\x99s",
        /* ASCII longer than 16 bytes, in capitals and not (folded from the
         * window, straight to the counter) */
        "INTERNATIONALIZATION", "Internationalization",
        "internationalization", "Abcdefghijklmnopqrstuvwxyz0123456789_x"};
    size_t nv = sizeof vocab / sizeof vocab[0];
    asy_stopwords *sw = asy_stopwords_new();
    assert_int_equal(asy_stopwords_add(sw, "the", 3), ASSAY_OK);
    asy_error e;
    memset(&e, 0, sizeof e);
    asy_stemmer *st = asy_stemmer_available() ? asy_stemmer_new("english", &e)
                                              : NULL;
    static char text[1 << 20];
    unsigned x = 99;
    for (int round = 0; round < 24; round++) {
        /* the words taken a window at a time with AVX-512 (where the CPU
         * has it) and with SSE2, and a segment at a time; each level meets
         * each min_length and the rounds of many distinct words */
        int level = (round + round / 4) % 3;
        asy_wb_simd(level == 0 ? ASY_WB_SIMD_AVX512
                    : level == 1 ? ASY_WB_SIMD_SSE2 : ASY_WB_SIMD_NONE);
        asy_tok_opts o = {round & 1 ? ASY_TOK_LOWER : 0,
                          round & 2 ? ASY_WB_WORDLIKE : ASY_WB_KIND(ASY_WB_WORD),
                          round % 8 == 4 ? st : NULL,
                          round % 8 == 6 ? sw : NULL,
                          /* 4: x, U+2019, y is 3; 18: only long words */
                          round % 7 == 5 ? 18 : (size_t)(round % 3) * 2};
        if (round % 5 == 0)
            o.flags |= ASY_TOK_NFKC;
        asy_counter *want = asy_counter_new(), *wdf = asy_counter_new(),
                    *counts = asy_counter_new(), *df = asy_counter_new(),
                    *only = asy_counter_new(), *conly = asy_counter_new();
        for (int d = 0; d < 3; d++) {
            /* every fourth round: > 16,384 distinct words */
            size_t n = 0, words = round % 4 == 3 ? 80000 : 300;
            for (size_t w = 0; w < words; w++) {
                x = x * 1103515245u + 12345u;
                if ((x >> 16) % 4 == 0) /* a word of its own: many distinct */
                    n += (size_t)snprintf(text + n, 32, "w%uz ", x % 400000);
                else
                    n += (size_t)snprintf(text + n, 64, "%s ",
                                          vocab[(x >> 16) % nv]);
            }
            dfref r = {asy_counter_new(), wdf};
            size_t counted;
            int64_t before = asy_counter_total(want);
            assert_int_equal(asy_tokenize_ex(text, n, &o, add_cb, want), 0);
            assert_int_equal(asy_tokenize_ex(text, n, &o, df_cb, &r), 0);
            assert_int_equal(asy_tok_count(text, n, &o, counts, df, &counted), 0);
            assert_int_equal(counted, asy_counter_total(want) - before);
            assert_int_equal(asy_tok_count(text, n, &o, NULL, only, &counted), 0);
            assert_int_equal(counted, asy_counter_size(r.seen));
            assert_int_equal(asy_tok_count(text, n, &o, conly, NULL, &counted), 0);
            assert_int_equal(counted, asy_counter_total(want) - before);
            asy_counter_free(r.seen);
            if (d == 1 && round % 2) { /* read between texts */
                assert_int_equal(asy_counter_size(counts), asy_counter_size(want));
                assert_int_equal(asy_counter_size(conly), asy_counter_size(want));
            }
        }
        tu_assert_same_counter(want, counts);
        tu_assert_same_counter(want, conly);
        asy_counter_free(conly);
        tu_assert_same_counter(wdf, df);
        tu_assert_same_counter(wdf, only);
        asy_counter_free(only);
        asy_counter_free(want);
        asy_counter_free(wdf);
        asy_counter_free(counts);
        asy_counter_free(df);
    }
    asy_wb_simd(ASY_WB_SIMD_AVX512);
    asy_stemmer_free(st);
    asy_stopwords_free(sw);
}

/* The paired counter holds exactly what the two counters of asy_tok_count
 * hold: each key's count and document count. */
static void assert_same_pair(const asy_counter *p, const asy_counter *counts,
                             const asy_counter *df)
{
    assert_true(asy_counter_paired(p));
    assert_int_equal(asy_counter_size(p), asy_counter_size(counts));
    assert_int_equal(asy_counter_size(df), asy_counter_size(counts));
    assert_int_equal(asy_counter_total(p), asy_counter_total(counts));
    size_t n;
    asy_counter_entry *e = asy_counter_sorted(p, 1, &n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(e[i].count, asy_counter_get(counts, e[i].key, e[i].len));
        assert_int_equal(e[i].docs, asy_counter_get(df, e[i].key, e[i].len));
        assert_int_equal(e[i].docs,
                         asy_counter_get_docs(p, e[i].key, e[i].len));
    }
    asy_counter_entries_free(e);
}

/* asy_tok_count_paired against asy_tok_count into two counters on random
 * texts: short and long (> 16 byte) words, non-ASCII folding, texts with
 * many distinct words, several texts per counter, the counter read
 * between texts (its word table settled and started again), every
 * option. */
static void test_count_paired(void **state)
{
    (void)state;
    static const char *const vocab[] = {
        "the", "The", "\xe2\x84\xaa", "fish", "\xef\xac\x81sh",
        "abcdefghijklmnop", "abcdefghijklmnopq", "ABCDEFGHIJKLMNOPQRSTU",
        ("Stra\xc3\x9f" "e"), "STRASSE", "3.5", "x", "running", "don't",
        "Don\xe2\x80\x99t", "O\xe2\x80\x99NEILL\xe2\x80\x99S"};
    size_t nv = sizeof vocab / sizeof vocab[0];
    asy_stopwords *sw = asy_stopwords_new();
    assert_int_equal(asy_stopwords_add(sw, "the", 3), ASSAY_OK);
    static char text[1 << 20];
    unsigned x = 4242;
    for (int round = 0; round < 12; round++) {
        asy_tok_opts o = {round & 1 ? ASY_TOK_LOWER : 0,
                          round & 2 ? ASY_WB_WORDLIKE : ASY_WB_KIND(ASY_WB_WORD),
                          NULL, round % 6 == 5 ? sw : NULL,
                          (size_t)(round % 3)};
        asy_counter *p = asy_counter_new(), *counts = asy_counter_new(),
                    *df = asy_counter_new();
        if (round % 4 == 1) { /* a plain counter with a key already */
            assert_int_equal(asy_counter_add(p, "fish", 4, 0), 0);
            assert_int_equal(asy_counter_add(counts, "fish", 4, 0), 0);
            assert_int_equal(asy_counter_add(df, "fish", 4, 0), 0);
        }
        for (int d = 0; d < 4; d++) {
            /* rounds 3, 7, 11: > 16,384 distinct words in a text, and long
             * words among them */
            size_t n = 0, words = round % 4 == 3 ? 60000 : 200 + 50 * (size_t)d;
            for (size_t w = 0; w < words; w++) {
                x = x * 1103515245u + 12345u;
                if ((x >> 16) % 3 == 0)
                    n += (size_t)snprintf(text + n, 48, (x >> 8) % 7 ? "w%uz "
                                          : "longword%u_longer_than_16 ",
                                          x % 300000);
                else
                    n += (size_t)snprintf(text + n, 64, "%s ",
                                          vocab[(x >> 16) % nv]);
            }
            size_t c1, c2;
            assert_int_equal(asy_tok_count(text, n, &o, counts, df, &c1), 0);
            assert_int_equal(asy_tok_count_paired(text, n, &o, p, &c2), 0);
            assert_int_equal(c1, c2);
            if (d == 1 && round % 2)
                assert_int_equal(asy_counter_size(p), asy_counter_size(counts));
        }
        assert_same_pair(p, counts, df);
        if (round == 3) /* large texts: a word in every text */
            assert_int_equal(asy_counter_get_docs(p, "fish", 4), 4);
        asy_counter_free(p);
        asy_counter_free(counts);
        asy_counter_free(df);
    }
    asy_stopwords_free(sw);
    /* exact values on a small text, read back through the counter */
    asy_counter *p = asy_counter_new();
    asy_tok_opts lower = {ASY_TOK_LOWER, 0, NULL, NULL, 0};
    const char *a = "The cat and the hat", *b = "the dog";
    size_t k;
    assert_int_equal(asy_tok_count_paired(a, strlen(a), &lower, p, &k), 0);
    assert_int_equal(k, 5);
    assert_int_equal(asy_tok_count_paired(b, strlen(b), &lower, p, &k), 0);
    assert_int_equal(k, 2);
    assert_int_equal(asy_counter_get(p, "the", 3), 3);
    assert_int_equal(asy_counter_get_docs(p, "the", 3), 2);
    assert_int_equal(asy_counter_get_docs(p, "cat", 3), 1);
    assert_int_equal(asy_counter_get_docs(p, "dog", 3), 1);
    assert_int_equal(asy_counter_size(p), 5);
    asy_counter_free(p);
}

/* Counting into the same counts with another docs counter, or with none,
 * freeing one counter before the other, merging and saving: every word is
 * seen where it was counted. */
static void test_count_cache_pairs(void **state)
{
    (void)state;
    const char *a = "the cat sat on the mat", *b = "The dog and the cat";
    asy_counter *counts = asy_counter_new(), *d1 = asy_counter_new(),
                *d2 = asy_counter_new(), *sum = asy_counter_new();
    asy_tok_opts o = {ASY_TOK_LOWER, 0, NULL, NULL, 0};
    size_t k;
    assert_int_equal(asy_tok_count(a, strlen(a), &o, counts, d1, &k), 0);
    assert_int_equal(k, 6);
    assert_int_equal(asy_tok_count(b, strlen(b), &o, counts, d2, &k), 0);
    assert_int_equal(asy_counter_get(counts, "the", 3), 4);
    assert_int_equal(asy_counter_get(d1, "the", 3), 1);
    assert_int_equal(asy_counter_get(d2, "the", 3), 1);
    assert_int_equal(asy_counter_get(d2, "mat", 3), 0);
    assert_int_equal(asy_tok_count(a, strlen(a), &o, counts, d2, &k), 0);
    asy_counter_free(d2);
    assert_int_equal(asy_tok_count(b, strlen(b), &o, counts, NULL, &k), 0);
    assert_int_equal(asy_counter_merge(sum, counts), 0);
    assert_int_equal(asy_counter_get(sum, "the", 3), 8);
    assert_int_equal(asy_counter_get(sum, "cat", 3), 4);
    assert_int_equal(asy_counter_total(counts), 22);
    assert_int_equal(asy_tok_count(a, strlen(a), &o, counts, d1, &k), 0);
    asy_buf saved = ASY_BUF_INIT;
    assert_int_equal(asy_counter_save(d1, &saved), 0);
    asy_counter *back = asy_counter_new();
    assert_true(asy_counter_load(back, saved.data, saved.len) > 0);
    assert_int_equal(asy_counter_get(back, "mat", 3), 2);
    assert_int_equal(asy_counter_get(back, "the", 3), 2);
    asy_buf_free(&saved);
    asy_counter_free(counts);
    assert_int_equal(asy_counter_get(d1, "on", 2), 2);
    asy_counter_free(d1);
    asy_counter_free(back);
    asy_counter_free(sum);
}

/* Segments other than words (o->kinds): a NUL byte is a segment of its
 * own, which the word table cannot hold (its keys end where their last
 * non-zero byte is), so it goes to the counter directly; counts equal
 * asy_tokenize_ex's, alone, paired, and split. */
static void test_count_nul(void **state)
{
    (void)state;
    static const char text[] = "a\0b \0\0 a\0 x.y\0\0\0z a";
    size_t n = sizeof text - 1;
    asy_tok_opts o = {0, ASY_WB_ALL, NULL, NULL, 0};
    asy_counter *want = asy_counter_new(), *c = asy_counter_new(),
                *p = asy_counter_new(), *counts = asy_counter_new(),
                *df = asy_counter_new();
    size_t k, k2;
    for (int d = 0; d < 2; d++) {
        assert_int_equal(asy_tokenize_ex(text, n, &o, add_cb, want), 0);
        assert_int_equal(asy_tok_count(text, n, &o, c, NULL, &k), 0);
        assert_int_equal(asy_tok_count_paired(text, n, &o, p, &k2), 0);
        assert_int_equal(k, k2);
        assert_int_equal(asy_tok_count(text, n, &o, counts, df, &k), 0);
    }
    assert_int_equal(asy_counter_get(want, "\0", 1), 14);
    tu_assert_same_counter(want, c);
    tu_assert_same_counter(want, counts);
    assert_int_equal(asy_counter_get(p, "\0", 1), 14);
    assert_int_equal(asy_counter_get_docs(p, "\0", 1), 2);
    assert_int_equal(asy_counter_get(df, "\0", 1), 2);
    assert_int_equal(asy_counter_get_docs(p, "a", 1), 2);
    assert_int_equal(asy_counter_size(p), asy_counter_size(want));
    asy_counter_free(want);
    asy_counter_free(c);
    asy_counter_free(p);
    asy_counter_free(counts);
    asy_counter_free(df);
}

/* Counts alone into a paired counter leave its document counts as they
 * were; a counter counted alone and then paired starts its document
 * counts at 0; the word table's stamps wrapping settles it and starts a
 * new one, the document counts still exact. */
static void test_count_modes(void **state)
{
    (void)state;
    asy_tok_opts o = {ASY_TOK_LOWER, 0, NULL, NULL, 0};
    const char *a = "The cat and the hat", *b = "the dog";
    size_t k;
    asy_counter *p = asy_counter_new();
    assert_int_equal(asy_tok_count_paired(a, strlen(a), &o, p, &k), 0);
    assert_int_equal(asy_tok_count(b, strlen(b), &o, p, NULL, &k), 0);
    assert_int_equal(k, 2);
    assert_int_equal(asy_counter_get(p, "the", 3), 3);
    assert_int_equal(asy_counter_get_docs(p, "the", 3), 1);
    assert_int_equal(asy_counter_get_docs(p, "dog", 3), 0);
    asy_counter_free(p);

    asy_counter *c = asy_counter_new();
    assert_int_equal(asy_tok_count(a, strlen(a), &o, c, NULL, &k), 0);
    assert_int_equal(asy_tok_count_paired(b, strlen(b), &o, c, &k), 0);
    assert_int_equal(asy_counter_get(c, "the", 3), 3);
    assert_int_equal(asy_counter_get_docs(c, "the", 3), 1);
    assert_int_equal(asy_counter_get_docs(c, "cat", 3), 0);

    /* settling by hand: the word table goes, the counts stay */
    asy_counter *s = asy_counter_new();
    assert_int_equal(asy_tok_count_paired(a, strlen(a), &o, s, &k), 0);
    size_t before = asy_counter_memory(s);
    assert_int_equal(asy_counter_settle(s), 0);
    assert_true(asy_counter_memory(s) < before);
    assert_int_equal(asy_counter_settle(s), 0); /* nothing left to do */
    assert_int_equal(asy_counter_get(s, "the", 3), 2);
    assert_int_equal(asy_counter_get_docs(s, "the", 3), 1);
    asy_counter_free(s);
    /* the stamps at their last round: the next text settles the table */
    asy_wordtab *t = asy_counter_words_begin(c);
    assert_non_null(t);
    t->round = UINT32_MAX;
    assert_int_equal(asy_tok_count_paired(a, strlen(a), &o, c, &k), 0);
    assert_int_equal(asy_tok_count_paired(b, strlen(b), &o, c, &k), 0);
    assert_int_equal(asy_counter_get(c, "the", 3), 3 + 2 + 1);
    assert_int_equal(asy_counter_get_docs(c, "the", 3), 1 + 2);
    assert_int_equal(asy_counter_get_docs(c, "hat", 3), 1);
    assert_int_equal(asy_counter_total(c), 7 + 5 + 2);
    /* a word that ends its buffer (no terminator): nothing read past it */
    char *h = malloc(6);
    assert_non_null(h);
    memcpy(h, "my CAT", 6);
    assert_int_equal(asy_tok_count_paired(h, 6, &o, c, &k), 0);
    assert_int_equal(asy_tok_count_paired(h + 3, 3, &o, c, &k), 0);
    free(h);
    assert_int_equal(asy_counter_get(c, "cat", 3), 2 + 2);
    assert_int_equal(asy_counter_get_docs(c, "cat", 3), 1 + 2);
    asy_counter_free(c);
}

int main(int argc, char **argv)
{
    tu_select_hash(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_joining), cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_scripts), cmocka_unit_test(test_lower),
        cmocka_unit_test(test_stop),    cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_seed),
        cmocka_unit_test(test_kinds_and_cp_offsets),
        cmocka_unit_test(test_normalisation_forms),
        cmocka_unit_test(test_stopwords),
        cmocka_unit_test(test_min_length),
        cmocka_unit_test(test_stemming),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_count_random),
        cmocka_unit_test(test_count_cache_pairs),
        cmocka_unit_test(test_count_paired),
        cmocka_unit_test(test_count_nul),
        cmocka_unit_test(test_count_modes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
