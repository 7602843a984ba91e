/*
 * test_csvout.c — exact bytes of CSV, TSV and JSONL output (quoting,
 * numbers, safe mode, escapes, BOM), and a peer check: Python's csv module
 * must read back exactly the fields we wrote.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvout.h"
#include "testutil.h"

#define S(x) {.type = ASSAY_STRING, .s = (x), .len = sizeof(x) - 1}
#define I(x) {.type = ASSAY_INTEGER, .i = (x)}
#define D(x) {.type = ASSAY_NUMBER, .d = (x)}
#define B(x) {.type = ASSAY_BOOLEAN, .i = (x)}
#define NIL {.type = ASSAY_NIL}

/* Output of header + rows (each of ncols values), as a malloc'd string;
 * raw: rows formatted apart (asy_csvout_format) and written as bytes
 * (asy_csvout_raw), as worker threads do. */
static char *render_as(int raw, asy_fmt fmt, int bom, int safe,
                       const char *const *cols, int ncols,
                       const assay_value *rows, int nrows)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_non_null(fp);
    asy_csvout w;
    asy_buf b = ASY_BUF_INIT;
    assert_int_equal(asy_csvout_open(&w, fp, fmt, bom, safe, cols, ncols), 0);
    for (int r = 0; r < nrows; r++) {
        const assay_value *row = rows + (size_t)r * ncols;
        if (!raw) {
            assert_int_equal(asy_csvout_row(&w, row), 0);
            continue;
        }
        asy_buf_clear(&b);
        assert_int_equal(asy_csvout_format(&w, row, &b), 0);
        assert_int_equal(asy_csvout_raw(&w, b.data, b.len), 0);
    }
    asy_buf_free(&b);
    asy_csvout_free(&w);
    assert_int_equal(fclose(fp), 0);
    return buf;
}

/* render_as both ways, which must agree byte for byte. */
static char *render(asy_fmt fmt, int bom, int safe, const char *const *cols,
                    int ncols, const assay_value *rows, int nrows)
{
    char *a = render_as(0, fmt, bom, safe, cols, ncols, rows, nrows);
    char *b = render_as(1, fmt, bom, safe, cols, ncols, rows, nrows);
    assert_string_equal(a, b);
    free(b);
    return a;
}

/* One cell, no header noise: the single-column output minus "h\n". */
static char *cell(asy_fmt fmt, int safe, assay_value v)
{
    static const char *const h[] = {"h"};
    char *all = render(fmt, 0, safe, h, 1, &v, 1);
    size_t skip = fmt == ASY_FMT_JSONL ? 0 : 2;
    char *r = strdup(all + skip);
    free(all);
    return r;
}

#define CELL_EQ(fmt, safe, v, want)                                        \
    do {                                                                   \
        assay_value v_ = v;                                                \
        char *got_ = cell(fmt, safe, v_);                                  \
        assert_string_equal(got_, want);                                   \
        free(got_);                                                        \
    } while (0)

static void test_format_double(void **state)
{
    (void)state;
    struct { double d; const char *want; } cases[] = {
        {0.1, "0.1"}, {1e300, "1e+300"}, {-0.0, "-0"}, {100.0, "100"},
        {1.5, "1.5"}, {1.0 / 3, "0.3333333333333333"}, {1e-5, "1e-05"},
        {1e15, "1e+15"}, {123456789012345.0, "123456789012345"},
        {2.5e-300, "2.5e-300"}, {0.30000000000000004, "0.30000000000000004"},
        {NAN, "nan"}, {INFINITY, "inf"}, {-INFINITY, "-inf"},
        {5e-324, "5e-324"}, {1.7976931348623157e308, "1.7976931348623157e+308"},
    };
    char buf[64];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        asy_format_double(cases[k].d, buf, sizeof buf);
        assert_string_equal(buf, cases[k].want);
        if (isfinite(cases[k].d))
            assert_true(strtod(buf, NULL) == cases[k].d);
    }
}

static void test_csv_cells(void **state)
{
    (void)state;
    const asy_fmt C = ASY_FMT_CSV;
    CELL_EQ(C, 0, S("plain"), "plain\n");
    CELL_EQ(C, 0, S("a,b"), "\"a,b\"\n");
    CELL_EQ(C, 0, S("say \"hi\""), "\"say \"\"hi\"\"\"\n");
    CELL_EQ(C, 0, S("l1\nl2"), "\"l1\nl2\"\n");
    CELL_EQ(C, 0, S("cr\rx"), "\"cr\rx\"\n");
    CELL_EQ(C, 0, S(" lead"), "\" lead\"\n");
    CELL_EQ(C, 0, S("trail "), "\"trail \"\n");
    CELL_EQ(C, 0, S("naïve 中文"), "naïve 中文\n");
    CELL_EQ(C, 0, S("it's"), "it's\n");
    /* A lone empty cell must still read back as a record. */
    CELL_EQ(C, 0, S(""), "\"\"\n");
    CELL_EQ(C, 0, NIL, "\"\"\n");
    CELL_EQ(C, 0, I(42), "42\n");
    CELL_EQ(C, 0, I(INT64_MIN), "-9223372036854775808\n");
    CELL_EQ(C, 0, D(0.1), "0.1\n");
    CELL_EQ(C, 0, D(1e300), "1e+300\n");
    CELL_EQ(C, 0, D(-0.0), "-0\n");
    CELL_EQ(C, 0, D(NAN), "nan\n");
    CELL_EQ(C, 0, B(1), "true\n");
    CELL_EQ(C, 0, B(0), "false\n");
}

/* A special byte at every position of strings of every length up to 40
 * (short ones are read as two overlapping halves, long ones eight bytes
 * at a time with an overlapping last step): quoted exactly when one is
 * there; a quote inside is doubled. */
static void test_csv_special_anywhere(void **state)
{
    (void)state;
    const char specials[] = {',', '"', '\r', '\n'};
    char s[41], want[100];
    for (size_t k = 0; k < sizeof specials; k++)
        for (size_t len = 1; len <= 40; len++)
            for (size_t pos = 0; pos < len; pos++) {
                memset(s, 'a', 40);
                s[len] = '\0';
                s[pos] = specials[k];
                assay_value v = {.type = ASSAY_STRING, .s = s, .len = len};
                int dq = specials[k] == '"';
                snprintf(want, sizeof want, "\"%.*s%s%s\"\n", (int)pos, s,
                         dq ? "\"\"" : (char[]){specials[k], 0}, s + pos + 1);
                char *got = cell(ASY_FMT_CSV, 0, v);
                assert_string_equal(got, want);
                free(got);
            }
    char plain[41];
    memset(plain, 'b', 40);
    plain[40] = '\0';
    for (size_t n = 0; n <= 40; n++) { /* no special byte: written raw */
        assay_value v = {.type = ASSAY_STRING, .s = plain, .len = n};
        char *got = cell(ASY_FMT_CSV, 0, v);
        snprintf(want, sizeof want, "%s%.*s\n", n ? "" : "\"\"", (int)n,
                 plain);
        assert_string_equal(got, want);
        free(got);
    }
    /* non-ASCII bytes and the high bit do not count as special */
    CELL_EQ(ASY_FMT_CSV, 0, S("\xE2\x80\x9Cquoted\xE2\x80\x9D said the mayor"),
            "\xE2\x80\x9Cquoted\xE2\x80\x9D said the mayor\n");
    /* safe-mode prefix and quoting together, long string */
    CELL_EQ(ASY_FMT_CSV, 1, S("=HYPERLINK(\"http://x\") and more text"),
            "\"'=HYPERLINK(\"\"http://x\"\") and more text\"\n");
}

static void test_csv_rows(void **state)
{
    (void)state;
    static const char *const cols[] = {"id", "text, quoted", "n", "x"};
    assay_value rows[] = {
        S("d1"), S(""), NIL, D(2.5),
        NIL, S("=1+2"), I(-3), B(1),
    };
    char *out = render(ASY_FMT_CSV, 0, 0, cols, 4, rows, 2);
    assert_string_equal(out, "id,\"text, quoted\",n,x\n"
                             "d1,,,2.5\n"
                             ",=1+2,-3,true\n");
    free(out);
    out = render(ASY_FMT_CSV, 1, 0, cols, 4, rows, 0);
    assert_string_equal(out, "\xEF\xBB\xBFid,\"text, quoted\",n,x\n");
    free(out);
    /* No BOM for JSONL even when asked. */
    out = render(ASY_FMT_JSONL, 1, 0, cols, 4, rows, 0);
    assert_string_equal(out, "");
    free(out);
}

static void test_safe_mode(void **state)
{
    (void)state;
    const asy_fmt C = ASY_FMT_CSV;
    CELL_EQ(C, 1, S("=SUM(A1:A9)"), "'=SUM(A1:A9)\n");
    CELL_EQ(C, 1, S("+1+2"), "'+1+2\n");
    CELL_EQ(C, 1, S("-1+2"), "'-1+2\n");
    CELL_EQ(C, 1, S("@cmd"), "'@cmd\n");
    CELL_EQ(C, 1, S("\tx"), "'\tx\n");       /* no longer a leading tab */
    CELL_EQ(C, 1, S("\rx"), "\"'\rx\"\n");   /* CR still needs quotes */
    CELL_EQ(C, 1, S("=a,b"), "\"'=a,b\"\n");
    CELL_EQ(C, 1, S("-"), "'-\n");
    CELL_EQ(C, 1, S("-e5"), "'-e5\n");
    /* Plain numbers written as strings, and real numbers, are untouched. */
    CELL_EQ(C, 1, S("-5"), "-5\n");
    CELL_EQ(C, 1, S("+1.5"), "+1.5\n");
    CELL_EQ(C, 1, S("-2e10"), "-2e10\n");
    CELL_EQ(C, 1, S("-.5"), "-.5\n");
    CELL_EQ(C, 1, I(-5), "-5\n");
    CELL_EQ(C, 1, D(-1.5), "-1.5\n");
    CELL_EQ(C, 1, D(-INFINITY), "-inf\n");
    CELL_EQ(C, 1, S("a=b"), "a=b\n");
    /* Safe mode off: written as is. */
    CELL_EQ(C, 0, S("=SUM(A1:A9)"), "=SUM(A1:A9)\n");
    /* TSV applies it too; JSONL does not. */
    CELL_EQ(ASY_FMT_TSV, 1, S("@x"), "'@x\n");
    CELL_EQ(ASY_FMT_JSONL, 1, S("=x"), "{\"h\":\"=x\"}\n");
}

static void test_tsv(void **state)
{
    (void)state;
    static const char *const cols[] = {"a", "b\tc"};
    assay_value rows[] = {
        S("x\ty"), S("back\\slash"),
        S("l1\nl2\r"), NIL,
        I(7), D(0.25),
    };
    char *out = render(ASY_FMT_TSV, 0, 0, cols, 2, rows, 3);
    assert_string_equal(out, "a\tb\\tc\n"
                             "x\\ty\tback\\\\slash\n"
                             "l1\\nl2\\r\t\n"
                             "7\t0.25\n");
    free(out);
}

static void test_jsonl(void **state)
{
    (void)state;
    static const char *const cols[] = {"s", "i", "d", "n", "b", "z", "k\"ey"};
    assay_value rows[] = {
        S("q\"\\ \n\t\x01\x1f\b\f é \xE2\x80\xA8\xE2\x80\xA9 \xE2\x80\xA6"),
        I(-3), D(0.1), D(NAN), B(1), NIL, D(1e300),
    };
    char *out = render(ASY_FMT_JSONL, 0, 0, cols, 7, rows, 1);
    assert_string_equal(out,
        "{\"s\":\"q\\\"\\\\ \\n\\t\\u0001\\u001f\\b\\f é \\u2028\\u2029 …\","
        "\"i\":-3,\"d\":0.1,\"n\":null,\"b\":true,\"z\":null,"
        "\"k\\\"ey\":1e+300}\n");
    free(out);
}

static void test_parse(void **state)
{
    (void)state;
    assert_int_equal(asy_fmt_parse("csv"), ASY_FMT_CSV);
    assert_int_equal(asy_fmt_parse("tsv"), ASY_FMT_TSV);
    assert_int_equal(asy_fmt_parse("jsonl"), ASY_FMT_JSONL);
    assert_int_equal(asy_fmt_parse("xml"), -1);
    assert_int_equal(asy_fmt_parse(NULL), -1);
    assert_string_equal(asy_fmt_extension(ASY_FMT_JSONL), ".jsonl");
    asy_buf b = ASY_BUF_INIT;
    assay_value v = D(0.5);
    assert_int_equal(asy_value_text(&v, &b), 0);
    v = (assay_value)NIL;
    assert_int_equal(asy_value_text(&v, &b), 0);
    v = (assay_value)I(-12);
    assert_int_equal(asy_value_text(&v, &b), 0);
    assert_string_equal(b.data, "0.5-12");
    asy_buf_free(&b);
}

/* ---- peer check: Python's csv module reads our output back ---------- */

static const char *const PEER_PY =
    "import csv, sys\n"
    "with open(sys.argv[1], newline='', encoding=sys.argv[2]) as f:\n"
    "    for row in csv.reader(f):\n"
    "        print(len(row))\n"
    "        for x in row:\n"
    "            print(x.encode('utf-8').hex())\n";

static void hexline(asy_buf *b, const char *s, size_t n)
{
    for (size_t k = 0; k < n; k++)
        asy_buf_printf(b, "%02x", (unsigned char)s[k]);
    asy_buf_putc(b, '\n');
}

static void peer_check(int bom)
{
    if (access("/usr/bin/python3", X_OK) != 0)
        TU_SKIP("python3 absent: CSV peer check not run");
    static const char *const cols[] = {"id", "tricky \"col\"", "n", "d"};
    assay_value rows[] = {
        S("a,b"), S("say \"hi\", \"bye\""), I(-1), D(0.1),
        S("l1\nl2\r\nl3\rend"), S(" lead"), NIL, D(-0.0),
        S("trail "), S("naïve 中文 😀"), B(0), D(1e300),
        S(""), S("\"\""), S("'q'"), S("=1+2"),
    };
    char *dir = tu_mkdtemp();
    char *csv = render(ASY_FMT_CSV, bom, 0, cols, 4, rows, 4);
    char *path = tu_write_str(dir, "peer.csv", csv);
    asy_buf want = ASY_BUF_INIT, got = ASY_BUF_INIT;
    asy_buf_puts(&want, "4\n");
    for (int k = 0; k < 4; k++)
        hexline(&want, cols[k], strlen(cols[k]));
    for (int r = 0; r < 4; r++) {
        asy_buf_puts(&want, "4\n");
        for (int k = 0; k < 4; k++) {
            asy_buf t = ASY_BUF_INIT;
            asy_value_text(&rows[r * 4 + k], &t);
            hexline(&want, t.data ? t.data : "", t.len);
            asy_buf_free(&t);
        }
    }
    char *py = tu_write_str(dir, "peer.py", PEER_PY);
    char *cmd = NULL;
    assert_true(asprintf(&cmd, "/usr/bin/python3 %s %s %s", py, path,
                         bom ? "utf-8-sig" : "utf-8") > 0);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[4096];
    while (fgets(line, sizeof line, p))
        asy_buf_puts(&got, line);
    assert_int_equal(pclose(p), 0);
    assert_string_equal(got.data, want.data);
    asy_buf_free(&want);
    asy_buf_free(&got);
    free(cmd);
    free(py);
    free(path);
    free(csv);
    tu_rmtree(dir);
    free(dir);
}

static void test_peer_python(void **state)
{
    (void)state;
    peer_check(0);
}

static void test_peer_python_bom(void **state)
{
    (void)state;
    peer_check(1);
}

/* Values with a few decimals (rates such as per_1000) take a shortcut in
 * asy_format_double; it must print what the shortest-round-trip search
 * prints, here recomputed the slow way for 200,000 values m / 10^k. */
static void shortest_g(double d, char *out, size_t size)
{
    for (int p = 1; p <= 17; p++) {
        snprintf(out, size, "%.*g", p, d);
        if (strtod(out, NULL) == d)
            return;
    }
}

/* d prints as the digit-by-digit search prints it. */
static void expect_shortest(double d)
{
    char got[64], want[64];
    asy_format_double(d, got, sizeof got);
    shortest_g(d, want, sizeof want);
    if (strcmp(got, want) != 0)
        fail_msg("%a (%.17g): got %s, want %s", d, d, got, want);
}

static void test_format_few_decimals(void **state)
{
    (void)state;
    static const double p10[] = {1, 10, 100, 1000, 10000, 100000};
    unsigned x = 7;
    char got[64];
    for (int i = 0; i < 200000; i++) {
        x = x * 1103515245u + 12345u;
        double m = (double)((x >> 4) % 100000000u) * ((x & 1) ? -1 : 1);
        double d = m / p10[(x >> 1) % 6];
        if (d == (double)(long long)d)
            continue; /* integers take the %.0f path */
        expect_shortest(d);
    }
    asy_format_double(0.0005, got, sizeof got);
    assert_string_equal(got, "0.0005");
    asy_format_double(-12.5, got, sizeof got);
    assert_string_equal(got, "-12.5");
    asy_format_double(0.1 + 0.2, got, sizeof got);
    assert_string_equal(got, "0.30000000000000004");
}

/* Any double prints as the shortest "%.{p}g" that reads back (the search
 * tries 16 and 15 digits first): 200,000 doubles of random bits over the
 * whole exponent range, computed scores (logarithms, ratios, square
 * roots), and every power of two and its neighbours (where 16 digits may
 * fail while 15 read back: 2^966, 2^149), against the search digit by
 * digit. */
static void test_format_shortest(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252ull;
    char got[64];
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13; /* xorshift64 */
        x ^= x >> 7;
        x ^= x << 17;
        double d;
        if (i % 2) {
            memcpy(&d, &x, sizeof d);
            if (isnan(d) || isinf(d))
                continue;
        } else {
            double a = (double)(x % 100000 + 1), b = (double)(x >> 40) + 1;
            d = i % 4 ? log(a / b) * a : sqrt(a) / b;
        }
        if (d == (double)(long long)d)
            continue; /* integers take the %.0f path */
        expect_shortest(d);
    }
    for (int e = -1074; e <= 1023; e++) {
        double p = ldexp(1.0, e);
        double near[] = {p, -p, nextafter(p, 0), nextafter(p, INFINITY)};
        for (int k = 0; k < 4; k++)
            if (!(fabs(near[k]) < 1e15 &&
                  near[k] == (double)(long long)near[k]))
                expect_shortest(near[k]);
    }
    asy_format_double(ldexp(1.0, 966), got, sizeof got);
    assert_string_equal(got, "6.237000967296e+290");
}

/* Values from 1e-4 to 2^53 take the exact path (shortest_exact in
 * csvout.c): 150,000 of them against the digit-by-digit search, with
 * random mantissas over that range and past its ends, scores as the
 * collocation table computes them, the doubles next to powers of ten,
 * and decimals of up to 17 digits (whose cut-off digits are often an
 * exact half, rounded to even). */
static void test_format_exact_range(void **state)
{
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 75000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double d;
        if (i % 5 == 0) {
            uint64_t be = 1023 - 16 + (x >> 52) % 72;
            uint64_t b = be << 52 | (x & ((1ull << 52) - 1));
            memcpy(&d, &b, sizeof d);
        } else if (i % 5 == 1) {
            double c = (double)(x % 40 + 1);
            double e = (double)((x >> 8) % 5000 + 1) *
                       (double)((x >> 24) % 5000 + 1) / 1e7;
            d = i % 10 == 1 ? log2(c / e) : (c - e) / sqrt(c);
        } else if (i % 5 == 2) {
            d = pow(10, (int)((x >> 8) % 24) - 5);
            for (int s = (int)((x >> 40) % 7) - 3; s != 0; s += s < 0 ? 1 : -1)
                d = nextafter(d, s < 0 ? 0 : INFINITY);
        } else {
            uint64_t m = (x >> 8) % 100000000000000000ull;
            d = (double)m / pow(10, (int)((x >> 3) % 20));
        }
        if (d == (double)(long long)d)
            continue; /* integers take the %.0f path */
        expect_shortest(d);
        expect_shortest(-d);
    }
}

/* In a decimal-comma locale (a child process's; the library's own threads
 * run in C, a caller's thread may not), doubles still print at their
 * shortest, with '.'. */
static int shortest_in_locale(void *ud)
{
    (void)ud;
    static const struct {
        double d;
        const char *want;
    } cases[] = {{1.0 / 3, "0.3333333333333333"}, {2.5e-7, "2.5e-07"},
                 {3.141592653589793, "3.141592653589793"},
                 {0.1 + 0.2, "0.30000000000000004"}};
    char got[64];
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        asy_format_double(cases[i].d, got, sizeof got);
        if (strcmp(got, cases[i].want) != 0) {
            fprintf(stderr, "%a: got %s, want %s\n", cases[i].d, got,
                    cases[i].want);
            bad = 1;
        }
    }
    return bad;
}

static void test_format_in_a_comma_locale(void **state)
{
    (void)state;
    tu_check_in_comma_locale(shortest_in_locale, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_double),
        cmocka_unit_test(test_format_few_decimals),
        cmocka_unit_test(test_format_shortest),
        cmocka_unit_test(test_format_exact_range),
        cmocka_unit_test(test_format_in_a_comma_locale),
        cmocka_unit_test(test_csv_cells),
        cmocka_unit_test(test_csv_special_anywhere),
        cmocka_unit_test(test_csv_rows),      cmocka_unit_test(test_safe_mode),
        cmocka_unit_test(test_tsv),           cmocka_unit_test(test_jsonl),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_peer_python),
        cmocka_unit_test(test_peer_python_bom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
