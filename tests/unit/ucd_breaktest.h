/*
 * ucd_breaktest.h — reader for the Unicode break test files
 * (WordBreakTest.txt, SentenceBreakTest.txt): each case line is
 * "÷ 0041 × 0308 ÷ 0020 ÷ # comment", ÷ marking a boundary, × none.
 * Header-only (static functions) so each unit test stays one file.
 */
#ifndef ASSAY_UCD_BREAKTEST_H
#define ASSAY_UCD_BREAKTEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BT_MAX 256

typedef struct bt_case {
    char text[BT_MAX * 4 + 1];
    size_t len;
    size_t breaks[BT_MAX + 2]; /* expected boundary byte offsets */
    size_t nbreaks;
    long line;                 /* line number in the file */
} bt_case;

static size_t bt_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Parse one line; returns 1 for a case, 0 for a comment/blank line, -1
 * for a malformed line. */
static int bt_parse(const char *line, bt_case *c)
{
    const char *p = line;
    c->len = c->nbreaks = 0;
    int any = 0;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#' || *p == '\n' || *p == '\r')
            break;
        if (!strncmp(p, "\xC3\xB7", 2)) {           /* ÷ */
            if (c->nbreaks >= BT_MAX + 2)
                return -1;
            c->breaks[c->nbreaks++] = c->len;
            p += 2;
        } else if (!strncmp(p, "\xC3\x97", 2)) {    /* × */
            p += 2;
        } else {
            char *end;
            unsigned long cp = strtoul(p, &end, 16);
            if (end == p || cp > 0x10FFFF || c->len + 4 > BT_MAX * 4)
                return -1;
            c->len += bt_encode((uint32_t)cp, c->text + c->len);
            p = end;
        }
        any = 1;
    }
    c->text[c->len] = '\0';
    return any ? 1 : 0;
}

/* Check every case of the test file at path with check (1 = the case
 * passes), print the tally and the first ten failures, and assert that at
 * least min_cases cases were read and none failed. Skips visibly when the
 * file is absent (unicode-data not installed). Needs cmocka (testutil.h)
 * included first. */
static void bt_run_file(const char *path, int (*check)(const bt_case *),
                        long min_cases)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        print_message("[  SKIPPED ] %s absent (install unicode-data)\n", path);
        skip();
    }
    char line[8192];
    static bt_case c;
    long lineno = 0, cases = 0, failed = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        int r = bt_parse(line, &c);
        assert_int_not_equal(r, -1);
        if (r == 0)
            continue;
        cases++;
        if (!check(&c) && failed++ < 10)
            print_message("%s:%ld fails: %s", path, lineno, line);
    }
    fclose(f);
    print_message("%s: %ld/%ld cases pass\n", path, cases - failed, cases);
    assert_true(cases >= min_cases);
    assert_int_equal(failed, 0);
}

#endif
