/*
 * test_ucd_tables.c — the generated UAX #29 property tables: known values,
 * and a full scan of every code point against the unicode-data files
 * (WordBreakProperty.txt, SentenceBreakProperty.txt, emoji-data.txt) when
 * they are installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "ucd_tables.h"

#define UCD "/usr/share/unicode"
#define NCP 0x110000

static const char *const wb_names[] = {
    "Other", "CR", "LF", "Newline", "Extend", "ZWJ", "Regional_Indicator",
    "Format", "Katakana", "Hebrew_Letter", "ALetter", "Single_Quote",
    "Double_Quote", "MidNumLet", "MidLetter", "MidNum", "Numeric",
    "ExtendNumLet", "WSegSpace", NULL};
static const char *const sb_names[] = {
    "Other", "CR", "LF", "Extend", "Sep", "Format", "Sp", "Lower", "Upper",
    "OLetter", "Numeric", "ATerm", "SContinue", "STerm", "Close", NULL};

static void test_known_values(void **state)
{
    (void)state;
    assert_int_equal(asy_ucd_wb('a'), ASY_WBP_ALETTER);
    assert_int_equal(asy_ucd_wb('7'), ASY_WBP_NUMERIC);
    assert_int_equal(asy_ucd_wb('\''), ASY_WBP_SINGLE_QUOTE);
    assert_int_equal(asy_ucd_wb('.'), ASY_WBP_MIDNUMLET);
    assert_int_equal(asy_ucd_wb(','), ASY_WBP_MIDNUM);
    assert_int_equal(asy_ucd_wb(' '), ASY_WBP_WSEGSPACE);
    assert_int_equal(asy_ucd_wb('_'), ASY_WBP_EXTENDNUMLET);
    assert_int_equal(asy_ucd_wb(0x2019), ASY_WBP_MIDNUMLET);  /* ’ */
    assert_int_equal(asy_ucd_wb(0x30AB), ASY_WBP_KATAKANA);   /* カ */
    assert_int_equal(asy_ucd_wb(0x05D0), ASY_WBP_HEBREW_LETTER);
    assert_int_equal(asy_ucd_wb(0x200D), ASY_WBP_ZWJ);
    assert_int_equal(asy_ucd_wb(0x0308), ASY_WBP_EXTEND);
    assert_int_equal(asy_ucd_wb(0x1F1F0), ASY_WBP_REGIONAL_INDICATOR);
    assert_int_equal(asy_ucd_wb(0x4E2D), ASY_WBP_OTHER);      /* 中 */
    assert_int_equal(asy_ucd_wb(0xE0001), ASY_WBP_FORMAT);
    assert_int_equal(asy_ucd_wb(0x10FFFF), ASY_WBP_OTHER);
    assert_int_equal(asy_ucd_wb(0x110000), ASY_WBP_OTHER);
    assert_true(asy_ucd_extpict(0x1F600));                    /* 😀 */
    assert_true(asy_ucd_extpict(0xA9));                       /* © */
    assert_false(asy_ucd_extpict('a'));
    assert_true(asy_ucd_wb_ep(0x1F600) & ASY_UCD_EMOJIPRES);
    assert_false(asy_ucd_wb_ep(0xA9) & ASY_UCD_EMOJIPRES);
    assert_int_equal(asy_ucd_sb('.'), ASY_SBP_ATERM);
    assert_int_equal(asy_ucd_sb('?'), ASY_SBP_STERM);
    assert_int_equal(asy_ucd_sb(0x3002), ASY_SBP_STERM);      /* 。 */
    assert_int_equal(asy_ucd_sb(0x201D), ASY_SBP_CLOSE);      /* ” */
    assert_int_equal(asy_ucd_sb('A'), ASY_SBP_UPPER);
    assert_int_equal(asy_ucd_sb('a'), ASY_SBP_LOWER);
    assert_int_equal(asy_ucd_sb(0x2029), ASY_SBP_SEP);
    assert_int_equal(asy_ucd_sb(','), ASY_SBP_SCONTINUE);
    assert_string_equal(ASY_UCD_VERSION, "15.0.0");
    for (int c = 0; c < 128; c++)
        assert_int_equal(asy_ucd_wb_ascii[c], asy_ucd_wb_ep((uint32_t)c));
}

static int name_index(const char *const *names, const char *v)
{
    for (int i = 0; names[i]; i++)
        if (!strcmp(names[i], v))
            return i;
    return -1;
}

/* Fill tab[] from a UCD property file: for each "X..Y ; Value" line whose
 * value is in names (or equals `flag_value`), store the index (or or in
 * `flag`). Returns the number of lines used, or -1 if the file is absent. */
static long load(const char *path, const char *const *names,
                 const char *flag_value, unsigned flag, unsigned char *tab)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[1024], val[128];
    long used = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned lo, hi;
        char *p = line;
        if (*p == '#' || sscanf(p, "%x", &lo) != 1)
            continue;
        hi = lo;
        char *dots = strstr(p, "..");
        char *semi = strchr(p, ';');
        if (!semi)
            continue;
        if (dots && dots < semi)
            sscanf(dots + 2, "%x", &hi);
        if (sscanf(semi + 1, " %127[A-Za-z_]", val) != 1)
            continue;
        int idx = names ? name_index(names, val) : -1;
        int is_flag = flag_value && !strcmp(val, flag_value);
        if (names)
            assert_int_not_equal(idx, -1);
        if (!is_flag && idx < 0)
            continue;
        assert_true(lo <= hi && hi < NCP);
        for (unsigned cp = lo; cp <= hi; cp++)
            tab[cp] = (unsigned char)(is_flag ? tab[cp] | flag : (unsigned)idx);
        used++;
    }
    fclose(f);
    return used;
}

static void test_full_scan(void **state)
{
    (void)state;
    unsigned char *wb = calloc(NCP, 1), *sb = calloc(NCP, 1);
    assert_non_null(wb);
    assert_non_null(sb);
    long a = load(UCD "/auxiliary/WordBreakProperty.txt", wb_names, NULL, 0,
                  wb);
    long b = load(UCD "/auxiliary/SentenceBreakProperty.txt", sb_names,
                  NULL, 0, sb);
    long c = load(UCD "/emoji/emoji-data.txt", NULL, "Extended_Pictographic",
                  ASY_UCD_EXTPICT, wb);
    long d = load(UCD "/emoji/emoji-data.txt", NULL, "Emoji_Presentation",
                  ASY_UCD_EMOJIPRES, wb);
    if (a < 0 || b < 0 || c < 0 || d < 0) {
        free(wb);
        free(sb);
        TU_SKIP("unicode-data files absent (install unicode-data)");
    }
    long bad = 0;
    for (uint32_t cp = 0; cp < NCP; cp++) {
        if (asy_ucd_wb_ep(cp) != wb[cp] || asy_ucd_sb(cp) != sb[cp]) {
            if (bad++ < 5)
                print_message("U+%04X: table wb=%#x sb=%d, file wb=%#x "
                              "sb=%d\n", (unsigned)cp, asy_ucd_wb_ep(cp),
                              asy_ucd_sb(cp), wb[cp], sb[cp]);
        }
    }
    print_message("ucd_tables: %d code points checked against %ld + %ld + "
                  "%ld + %ld file ranges\n", NCP, a, b, c, d);
    free(wb);
    free(sb);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_full_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
