/*
 * test_wordbreak_icu.c — differential test of our UAX #29 word tokens
 * against ICU's word break iterator (ICU is a test-only dependency; it is
 * never linked into libassay) over every PolNeAR train+dev text and the
 * seed. PolNeAR's test split is never opened.
 *
 * Word tokens: ours = segments of kind word or number (ASY_WB_WORDLIKE);
 * ICU = segments whose rule status is >= UBRK_WORD_NONE_LIMIT (number,
 * letter, kana, ideo). Tokens are compared by exact byte offsets.
 *
 * Deliberate differences, each counted by category and allowed:
 *  - connector: a run of only "_" (ExtendNumLet). ICU tags it a letter
 *    word (status 200); we call a segment with no letter or digit punct.
 *  - at-sign: ICU's root rules add "@" to ALetter, so "@jeff_poor" and
 *    "fitcity@nytimes.com" are one word each; UAX #29 gives "@"
 *    Word_Break=Other, and so do we: "jeff_poor"; "fitcity", "nytimes.com".
 *  - colon: UAX #29 (and WordBreakTest.txt) make ":" a MidLetter, joining
 *    "float:left" and "Trump:You"; ICU (CLDR root) removed the colon from
 *    MidLetter and splits there. We follow the standard.
 *  - other-number: characters of category No/Nl that are not Numeric for
 *    word breaking ("½", "²", "Ⅻ"); ICU gives them no word status, we give
 *    them kind number.
 *  - dictionary: Han, kana, Thai, Lao, Khmer and Myanmar text, which ICU
 *    segments with dictionaries; UAX #29 gives one ideograph or kana per
 *    word (Katakana runs excepted).
 * Anything else is "unexplained" and fails the test.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/utext.h>

#include "testutil.h"
#include "wordbreak.h"

enum { C_CONNECTOR, C_AT, C_COLON, C_OTHERNUM, C_DICT, C_UNEXPLAINED, C_N };
static const char *const cat_names[C_N] = {
    "connector", "at-sign", "colon", "other-number", "dictionary",
    "unexplained"};

typedef struct tokv {
    size_t (*v)[2];
    size_t n, cap;
} tokv;

typedef struct tally {
    long files, same, cat[C_N];
} tally;

static void push(tokv *t, size_t a, size_t b)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 1024;
        t->v = realloc(t->v, t->cap * sizeof t->v[0]);
        assert_non_null(t->v);
    }
    t->v[t->n][0] = a;
    t->v[t->n++][1] = b;
}

static void ours(const char *text, size_t len, tokv *out)
{
    asy_wb_iter it;
    asy_wb_seg s;
    asy_wb_init(&it, text, len, ASY_WB_WORDLIKE);
    while (asy_wb_next(&it, &s))
        push(out, s.start, s.end);
}

static void icu(const char *text, size_t len, tokv *out)
{
    UErrorCode st = U_ZERO_ERROR;
    UText *ut = utext_openUTF8(NULL, text, (int64_t)len, &st);
    UBreakIterator *bi = ubrk_open(UBRK_WORD, "en", NULL, 0, &st);
    ubrk_setUText(bi, ut, &st);
    assert_true(U_SUCCESS(st));
    int32_t prev = ubrk_first(bi), cur;
    while ((cur = ubrk_next(bi)) != UBRK_DONE) {
        if (ubrk_getRuleStatus(bi) >= UBRK_WORD_NONE_LIMIT)
            push(out, (size_t)prev, (size_t)cur);
        prev = cur;
    }
    ubrk_close(bi);
    utext_close(ut);
}

static int has(const char *t, size_t a, size_t b, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = a; i + k <= b; i++)
        if (!memcmp(t + i, needle, k))
            return 1;
    return 0;
}

/* Does t[a..b) contain a code point of a dictionary-segmented script? */
static int dict_script(const char *t, size_t a, size_t b)
{
    const unsigned char *s = (const unsigned char *)t;
    for (size_t i = a; i < b; i++) {
        unsigned c = s[i];
        if (c == 0xE0 && i + 1 < b) {
            unsigned cp = ((c & 0x0F) << 12) | ((s[i + 1] & 0x3Fu) << 6);
            if ((cp >= 0x0E00 && cp < 0x0F00) || (cp >= 0x1000 && cp < 0x10A0)
                || (cp >= 0x1780 && cp < 0x1800))
                return 1;
        }
        if (c == 0xE1 && i + 1 < b) {
            unsigned cp = 0x1000 | ((s[i + 1] & 0x3Fu) << 6);
            if (cp < 0x10A0 || (cp >= 0x1780 && cp < 0x1800))
                return 1;
        }
        if ((c >= 0xE3 && c <= 0xE9) || c == 0xEF || c == 0xF0)
            return 1; /* kana, CJK, compatibility forms, plane 2 */
    }
    return 0;
}

/* Category of a token found by only one side (icu_side: found by ICU). */
static int classify(const char *t, size_t len, size_t a, size_t b,
                    int icu_side)
{
    if (dict_script(t, a, b))
        return C_DICT;
    if (icu_side && strspn(t + a, "_") >= b - a)
        return C_CONNECTOR;
    /* ours: "@" right next to the token, or across a middle mark as in
     * "before.@MaryJBlige" (ICU joins it by WB6 with "@" as a letter) */
    if ((icu_side && has(t, a, b, "@"))
        || (!icu_side && has(t, a > 2 ? a - 2 : 0, b + 2 < len ? b + 2 : len,
                             "@")))
        return C_AT;
    if ((!icu_side && has(t, a, b, ":"))
        || (icu_side && ((a > 0 && t[a - 1] == ':') || (b < len && t[b] == ':'))))
        return C_COLON;
    if (!icu_side) {
        asy_wb_iter it;
        asy_wb_seg s;
        asy_wb_init(&it, t + a, b - a, ASY_WB_ALL);
        if (asy_wb_next(&it, &s) && s.kind == ASY_WB_NUMBER
            && strcspn(t + a, "0123456789") >= b - a)
            return C_OTHERNUM;
    }
    return C_UNEXPLAINED;
}

static void compare(const char *name, const char *t, size_t len, tally *ty)
{
    tokv o = {0}, u = {0};
    ours(t, len, &o);
    icu(t, len, &u);
    size_t i = 0, j = 0;
    while (i < o.n || j < u.n) {
        if (i < o.n && j < u.n && o.v[i][0] == u.v[j][0]
            && o.v[i][1] == u.v[j][1]) {
            ty->same++, i++, j++;
            continue;
        }
        int take_ours = j >= u.n || (i < o.n && (o.v[i][0] < u.v[j][0]
                                                 || (o.v[i][0] == u.v[j][0]
                                                     && o.v[i][1] < u.v[j][1])));
        size_t a = take_ours ? o.v[i][0] : u.v[j][0];
        size_t b = take_ours ? o.v[i][1] : u.v[j][1];
        int c = classify(t, len, a, b, !take_ours);
        ty->cat[c]++;
        if (c == C_UNEXPLAINED && ty->cat[c] <= 10)
            print_message("%s: only %s: \"%.*s\" at %zu\n", name,
                          take_ours ? "assay" : "ICU", (int)(b - a), t + a, a);
        take_ours ? i++ : j++;
    }
    free(o.v);
    free(u.v);
}

static void compare_dir(const char *dir, tally *ty)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name), len;
        if (l < 5 || strcmp(e->d_name + l - 4, ".txt"))
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char *t = tu_read(path, &len);
        if (!t)
            continue;
        compare(e->d_name, t, len, ty);
        ty->files++;
        free(t);
    }
    closedir(d);
}

static void test_icu_corpora(void **state)
{
    (void)state;
    const char *corp = tu_corpora_dir();
    if (!corp)
        TU_SKIP("../shared/corpora absent: no differential test");
    static const char *const subdirs[] = {
        "polnear/data/train/text", "polnear/data/dev/text", "seed"};
    tally ty = {0};
    char dir[4096];
    for (size_t k = 0; k < 3; k++) {
        snprintf(dir, sizeof dir, "%s/%s", corp, subdirs[k]);
        compare_dir(dir, &ty);
    }
    if (ty.files == 0)
        TU_SKIP("no PolNeAR train/dev or seed texts found");
    print_message("ICU %s vs assay: %ld files, %ld identical word tokens\n",
                  U_ICU_VERSION, ty.files, ty.same);
    for (int c = 0; c < C_N; c++)
        print_message("  differing tokens, %-12s: %ld\n", cat_names[c],
                      ty.cat[c]);
    assert_int_equal(ty.cat[C_UNEXPLAINED], 0);
    assert_true(ty.same > 100000);
}

/* Hand cases pin the documented differences, so an ICU upgrade that
 * changes them is noticed. */
static void test_icu_known(void **state)
{
    (void)state;
    tally ty = {0};
    const char *t = "Mr. Kazakhstan’s @jeff_poor ___ float:left ½ 3.5 "
                    "1,000 China-Kazakhstan 👍🏽 U.S.";
    compare("hand", t, strlen(t), &ty);
    assert_int_equal(ty.same, 7);
    assert_int_equal(ty.cat[C_AT], 2);
    assert_int_equal(ty.cat[C_CONNECTOR], 1);
    assert_int_equal(ty.cat[C_COLON], 3);
    assert_int_equal(ty.cat[C_OTHERNUM], 1);
    assert_int_equal(ty.cat[C_UNEXPLAINED], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_icu_known),
        cmocka_unit_test(test_icu_corpora),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
