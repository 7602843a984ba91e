/*
 * csvout.c — formats rows as CSV (RFC 4180, quoting through libcsv), TSV
 * ("linear TSV" escapes) or JSON Lines onto a FILE *.
 *
 * Each row is assembled in w->scratch and written with a single fwrite, so
 * a row is never half-formatted on error and stdio sees one call per row.
 *
 * Decisions (also in docs/formats.md, "Output formats"):
 *  - Line endings are "\n". RFC 4180 says CRLF, but Python's csv module, R,
 *    pandas and Excel all read LF, and LF files diff cleanly.
 *  - CSV quoting: a field is quoted (by libcsv's csv_write, which doubles
 *    embedded quotes) when it contains , " CR or LF, or begins or ends with
 *    a space or a tab (which some readers would trim). Everything else is
 *    written raw. An empty string is written as an empty field, exactly like
 *    nil — except when the row has a single column, where an empty line
 *    would read back as "no record": there the empty field is written "".
 *  - Numbers: integers exactly; doubles via asy_format_double(); booleans as
 *    true/false; nil as an empty field.
 *  - Safe mode (OWASP "CSV injection"), CSV and TSV only: a *string* cell
 *    whose first byte is = + - @ TAB or CR gets a single quote ' prepended,
 *    so a spreadsheet shows it as text instead of evaluating it. Exception:
 *    a string that is a plain decimal number — optional sign, digits with
 *    at most one '.', at least one digit, optional exponent e/E[sign]digits,
 *    nothing else (e.g. "-5", "+1.5", "-2e10") — is left alone, because a
 *    spreadsheet reads it as that number and nothing more. Integer and
 *    number values are never altered. Header cells follow the string rule.
 *  - TSV: fields separated by TAB, rows by "\n"; inside a field backslash,
 *    TAB, LF and CR are written as \\ \t \n \r (the "linear TSV"
 *    convention), so every row is one line and no quoting exists.
 *  - JSONL: one object per row, keys in column order; strings escaped per
 *    RFC 8259 with every control character escaped and U+2028/U+2029 as
 *    \u2028/\u2029 (so the output is also valid JavaScript); NaN and
 *    infinities become null; no BOM and no safe mode (JSON is not read by
 *    spreadsheets as formulas).
 */
#define _GNU_SOURCE /* strtod_l */
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "clocale.h"
#include "csvout.h"

/* ===================================================================== */
/* Formats and value text                                                */
/* ===================================================================== */

int asy_fmt_parse(const char *s)
{
    if (!s)
        return -1;
    if (strcmp(s, "csv") == 0)
        return ASY_FMT_CSV;
    if (strcmp(s, "tsv") == 0)
        return ASY_FMT_TSV;
    if (strcmp(s, "jsonl") == 0)
        return ASY_FMT_JSONL;
    return -1;
}

const char *asy_fmt_extension(asy_fmt f)
{
    switch (f) {
    case ASY_FMT_TSV: return ".tsv";
    case ASY_FMT_JSONL: return ".jsonl";
    default: return ".csv";
    }
}

/* Some locales write the decimal point as ','; output is always '.'.
 * (%g never emits grouping separators, so any ',' is the decimal point.) */
static void dot_decimal(char *s)
{
    for (; *s; s++)
        if (*s == ',')
            *s = '.';
}

/* The decimal digits of u, written backwards ending at end; returns the
 * first. */
static char *digits_before(char *end, uint64_t u)
{
    do {
        *--end = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    return end;
}

/*
 * Fast exact path for the common "a few decimals" value (rates, shares):
 * when d is m / 10^k for an integer m of at most 15 digits and k <= 4,
 * that decimal is the only one of <= 15 significant digits reading back
 * as d (DBL_DIG = 15), so it is what the search below would find, and %g
 * would print it in fixed notation (|d| >= 1e-4, not integral). One test
 * at k = 4 covers every k <= 4: when m / 10^k reads back as d, d * 10^4
 * rounds to m * 10^(4-k) (|d| < 1e10 keeps the error far below 0.5),
 * which reads back as d too and prints the same digits once the trailing
 * zeros go. Returns the length written at buf (room: 32), or 0 when d is
 * not such a value.
 */
static size_t few_decimals(double d, char *buf)
{
    if (!(fabs(d) < 1e10))
        return 0;
    /* nearbyint(d * 1e4) without the library call: |d * 1e4| < 2^51, so
     * adding and removing 1.5 * 2^52 rounds it to an integer in the
     * current (nearest-even) mode */
    double m = (d * 1e4 + 0x1.8p52) - 0x1.8p52;
    if (m / 1e4 != d)
        return 0;
    uint64_t v = (uint64_t)fabs(m);
    unsigned frac = (unsigned)(v % 10000);
    if (frac == 0)
        return 0; /* integral after all: not this path */
    char tmp[32], *e = tmp + 24, *p = digits_before(e, v / 10000);
    if (d < 0)
        *--p = '-';
    e[0] = '.';
    e[1] = (char)('0' + frac / 1000);
    e[2] = (char)('0' + frac / 100 % 10);
    e[3] = (char)('0' + frac / 10 % 10);
    e[4] = (char)('0' + frac % 10);
    size_t n = (size_t)(e + 5 - p);
    while (p[n - 1] == '0') /* no trailing zeros (frac != 0: stops) */
        n--;
    memcpy(buf, p, n);
    return n;
}

/* An integral |d| < 1e15 as "%.0f" prints it ("-0" for negative zero);
 * returns the length written at buf (room: 24). */
static size_t integral(double d, char *buf)
{
    char tmp[24], *e = tmp + sizeof tmp;
    char *p = digits_before(e, (uint64_t)fabs(d));
    if (signbit(d))
        *--p = '-';
    memcpy(buf, p, (size_t)(e - p));
    return (size_t)(e - p);
}

/* Does "%.{p}g" of d read back as d? */
static int round_trips(double d, int p)
{
    char tmp[40];
    int k = snprintf(tmp, sizeof tmp, "%.*g", p, d);
    return k > 0 && (size_t)k < sizeof tmp && strtod(tmp, NULL) == d;
}

/* The 17 significant digits of d (finite, not zero), correctly rounded,
 * into dig[0..17); returns the decimal exponent of the first (d is about
 * dig[0].dig[1..17) * 10^x). */
static int digits17(double d, char dig[17])
{
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.16e", fabs(d));
    const char *p = tmp;
    for (int n = 0; n < 17 && *p; p++) /* whatever the decimal point is */
        if (*p >= '0' && *p <= '9')
            dig[n++] = *p;
    p = strchr(p, 'e');
    return p ? (int)strtol(p + 1, NULL, 10) : 0;
}

#define UNSURE 9999 /* round_digits: the 17 digits cannot tell */

/* dig[0..17) (exponent x, as digits17 gives) rounded to p < 17 digits
 * into out[0..p): the exponent of the result (x + 1 when the rounding
 * carried into a new digit), or UNSURE when the digits cut off are
 * exactly a half (5, 50, ...): d itself may lie on either side of it.
 * Otherwise d lies on the same side of the half as the 17 digits do
 * (they are within half a unit of their last digit of d), so the result
 * is what "%.{p}g" would print. */
static int round_digits(const char dig[17], int x, int p, char *out)
{
    int i = p + 1;
    while (i < 17 && dig[i] == '0')
        i++;
    if (dig[p] == '5' && i == 17)
        return UNSURE;
    memcpy(out, dig, (size_t)p);
    if (dig[p] < '5')
        return x;
    for (i = p - 1; i >= 0 && out[i] == '9'; i--)
        out[i] = '0';
    if (i >= 0) {
        out[i]++;
        return x;
    }
    out[0] = '1'; /* 99...9 rounded up: 10...0, one digit longer */
    return x + 1;
}

/* The text "%.{p}g" prints for the number of sign neg, significant digits
 * dig[0..p) and exponent x (C11 7.21.6.1: fixed notation when -4 <= x <
 * p, else an exponent of at least two digits; no trailing zeros, no
 * point without decimals). Returns its length at buf (room: 40). */
static size_t g_text(int neg, const char *dig, int p, int x, char *buf)
{
    int q = p;
    while (q > 1 && dig[q - 1] == '0')
        q--;
    char *o = buf;
    if (neg)
        *o++ = '-';
    if (x < -4 || x >= p) {
        *o++ = dig[0];
        if (q > 1) {
            *o++ = '.';
            memcpy(o, dig + 1, (size_t)(q - 1));
            o += q - 1;
        }
        *o++ = 'e';
        *o++ = x < 0 ? '-' : '+';
        int a = x < 0 ? -x : x;
        if (a >= 100)
            *o++ = (char)('0' + a / 100);
        *o++ = (char)('0' + a / 10 % 10);
        *o++ = (char)('0' + a % 10);
    } else if (x >= 0) {
        for (int i = 0; i <= x; i++)
            *o++ = i < q ? dig[i] : '0';
        if (q > x + 1) {
            *o++ = '.';
            memcpy(o, dig + x + 1, (size_t)(q - x - 1));
            o += q - x - 1;
        }
    } else {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -x - 1; i++)
            *o++ = '0';
        memcpy(o, dig, (size_t)q);
        o += q;
    }
    return (size_t)(o - buf);
}

/* Does the number of digits dig[0..p) and exponent x read back as |d|? */
static int digits_round_trip(double d, const char *dig, int p, int x)
{
    char tmp[40];
    tmp[0] = dig[0];
    tmp[1] = '.';
    memcpy(tmp + 2, dig + 1, (size_t)(p - 1));
    snprintf(tmp + p + 1, sizeof tmp - (size_t)p - 1, "e%d", x);
    /* read with the '.' it was written with, whatever the thread's locale
     * (the library's threads and entry points run in C, but a decimal
     * comma would make every value here look as if it needed 17 digits) */
    locale_t c = asy_clocale();
    return (c ? strtod_l(tmp, NULL, c) : strtod(tmp, NULL)) == fabs(d);
}

/* The shortest for a value whose 16 and 17 digits decide it (the usual
 * case): its text at buf, or 0 when the 17 digits cannot tell (then the
 * search by snprintf and strtod decides). */
static size_t shortest_from17(double d, char *buf)
{
    char dig[17], c16[16], c15[15];
    int x = digits17(d, dig);
    int x16 = round_digits(dig, x, 16, c16);
    if (x16 == UNSURE)
        return 0;
    if (!digits_round_trip(d, c16, 16, x16))
        return g_text(d < 0, dig, 17, x, buf);
    int x15 = round_digits(dig, x, 15, c15);
    if (x15 == UNSURE || digits_round_trip(d, c15, 15, x15))
        return 0; /* 15 digits or fewer: the search below 15 */
    return g_text(d < 0, c16, 16, x16, buf);
}

/*
 * The shortest digits by exact integer arithmetic, for 1e-4 <= |d| < 2^53
 * and d neither integral nor a power of two (whose interval is narrower
 * below than above). d = m * 2^e, e < 0; the doubles that read back as d
 * are those between (2m - 1) / 2^E and (2m + 1) / 2^E (E = 1 - e; either
 * end reads back when m is even, as strtod rounds a tie to the even one).
 * Scaled by 10^q so that d has 17 or 18 digits before the point, the
 * three numbers are exact in 128 bits (m < 2^53, 10^q <= 10^21 < 2^70)
 * and whole parts fit in 64. Digits are then cut from all three while
 * the interval still holds a number of fewer digits, and d's digits are
 * rounded where the cut stops (half to even on an exact tie), which is
 * "%.{p}g" for the smallest p that reads back: with the interval as wide
 * above d as below, the p-digit number nearest d is in it whenever any
 * p-digit number is. The scheme is Ryu's (Adams 2018) with exact
 * products in place of its tables. Returns the length at buf, or 0 when
 * d is not such a value.
 */
/* d scaled, and its two ends, as digits are cut from them: what the last
 * cut digit of d was, whether every one before it was 0 (and d's scaled
 * value exact), and how many were cut. */
typedef struct cutting {
    uint64_t vr, vp, vm;
    int last, vr_zeros, cut;
} cutting;

static void cut_digit(cutting *c)
{
    c->vr_zeros &= c->last == 0;
    c->last = (int)(c->vr % 10);
    c->vr /= 10;
    c->vp /= 10;
    c->vm /= 10;
    c->cut++;
}

static size_t shortest_exact(double d, char *buf)
{
    static const uint64_t p10[20] = {
        1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
        10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
        100000000000ull, 1000000000000ull, 10000000000000ull,
        100000000000000ull, 1000000000000000ull, 10000000000000000ull,
        100000000000000000ull, 1000000000000000000ull,
        10000000000000000000ull};
    double a = fabs(d);
    if (!(a >= 1e-4 && a < 0x1p53))
        return 0;
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    uint64_t frac = bits & ((1ull << 52) - 1);
    int be = (int)(bits >> 52);
    if (frac == 0)
        return 0; /* a power of two */
    uint64_t m = frac | (1ull << 52);
    int E = 1076 - be; /* d = 2m / 2^E; 2 <= E <= 67 here */
    if (E < 2)
        return 0; /* integral */
    /* d's digits before the point: 17 or 18 once scaled by 10^q, first
     * guessed from the binary exponent */
    int q = 17 - (int)floor((be - 1023) * 0.30102999566398120);
    if (q > 21)
        q = 21; /* just above 1e-4 the guess is one too many */
    unsigned __int128 p, r;
    for (;;) {
        if (q < 0 || q > 21)
            return 0;
        p = q < 20 ? (unsigned __int128)p10[q]
                   : (unsigned __int128)p10[q - 2] * 100u;
        r = ((unsigned __int128)(2 * m) * p) >> E;
        if (r >= p10[18])
            q--;
        else if (r < p10[17])
            q++;
        else
            break;
    }
    const unsigned __int128 low = ((unsigned __int128)1 << E) - 1;
    unsigned __int128 tr = (unsigned __int128)(2 * m) * p,
                      tp = (unsigned __int128)(2 * m + 1) * p,
                      tm = (unsigned __int128)(2 * m - 1) * p;
    uint64_t vr = (uint64_t)(tr >> E), vp = (uint64_t)(tp >> E),
             vm = (uint64_t)(tm >> E);
    /* The ends are exact in 10^-q units only when 2^E divides 10^q, so
     * from 2^45 up here, where they have more digits than d needs and
     * never decide; they are handled as Ryu does all the same. */
    int even = (m & 1) == 0;
    int vr_zeros = (tr & low) == 0;         /* nothing cut from d yet */
    int vm_zeros = even && (tm & low) == 0; /* the lower end, exact, reads
                                               back */
    if (!even && (tp & low) == 0)
        vp--; /* the upper end, exact, does not read back */
    cutting c = {vr, vp, vm, 0, vr_zeros, 0};
    while (c.vp / 10 > c.vm / 10) {
        vm_zeros &= c.vm % 10 == 0;
        cut_digit(&c);
    }
    if (vm_zeros)
        while (c.vm % 10 == 0)
            cut_digit(&c);
    if (c.vr_zeros && c.last == 5 && c.vr % 2 == 0)
        c.last = 4; /* an exact half: to even */
    uint64_t out = c.vr + ((c.vr == c.vm && !vm_zeros) || c.last >= 5);
    char tmp[24], *e = tmp + sizeof tmp, *f = digits_before(e, out);
    int n = (int)(e - f), x = c.cut - q + n - 1;
    while (n > 1 && f[n - 1] == '0')
        n--;
    return g_text(d < 0, f, n, x, buf);
}

/* asy_format_double into buf (room: 40, which every form fits); returns
 * the length, without a NUL. */
static size_t format_double(double d, char *buf)
{
    if (isnan(d))
        return (size_t)snprintf(buf, 40, "nan");
    if (isinf(d))
        return (size_t)snprintf(buf, 40, d < 0 ? "-inf" : "inf");
    if (fabs(d) < 1e15 && (double)(int64_t)d == d) /* d == floor(d) */
        return integral(d, buf);
    size_t n = few_decimals(d, buf);
    if (n || (n = shortest_exact(d, buf)) != 0)
        return n;
    /* outside shortest_exact's range: a power of two (its interval
     * narrower below it than above) is searched digit by digit; any
     * other value by its 17 digits
     * (shortest_from17: 16 or 17, the usual answer for a computed value),
     * else by halving 1..17 */
    int e2, lo = 1;
    if (fabs(frexp(d, &e2)) == 0.5) {
        while (lo < 17 && !round_trips(d, lo))
            lo++;
    } else {
        if ((n = shortest_from17(d, buf)) != 0)
            return n;
        int hi = 17;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (round_trips(d, mid))
                hi = mid;
            else
                lo = mid + 1;
        }
    }
    int k = snprintf(buf, 40, "%.*g", lo, d);
    dot_decimal(buf);
    return k > 0 ? (size_t)k : 0;
}

/*
 * Shortest "%.{p}g" (p in 1..17) that strtod()s back to d. Rounding to p+1
 * digits is never farther from d than rounding to p digits, and the
 * doubles that read back as d lie as far below it as above, so "p digits
 * round-trip" is monotone in p (17 always round-trips for IEEE doubles).
 * From 1e-4 to 2^53 (scores, rates, shares: most of what a table holds)
 * the digits come from exact integer arithmetic, with no snprintf or
 * strtod (shortest_exact: 51 ns a score where the path below took 668,
 * and a collocation table of 6.2 million scores formatted in half the
 * time it took). Elsewhere a computed value mostly needs 16 or 17
 * digits: the 17 digits of one snprintf, rounded as text to 16 and 15
 * and each read back with strtod, decide it, and the text is put
 * together here as %g would (shortest_from17). A
 * value of 15 digits or fewer, or whose cut-off digits are exactly a
 * half, is found by a binary search over 1..17 with snprintf and strtod
 * (for every value, that search took four or five tries: the 6 million
 * scores of a collocation table took seconds). Not for a power
 * of two, whose next double below is half as far as the next above: 2^966
 * reads back at 13, 14, 15 and 17 digits but not at 16, so its digits are
 * tried one by one from 1. Integral values below 1e15 are
 * printed as plain integers ("100", "-0") where %g would pick an exponent
 * ("1e+02"); larger or tiny values keep %g's exponent form ("1e+20",
 * "1e-05"), which every CSV/JSON reader accepts. The text is cut to size - 1
 * bytes like snprintf's.
 */
void asy_format_double(double d, char *buf, size_t size)
{
    char tmp[40];
    if (size == 0)
        return;
    size_t n = format_double(d, tmp);
    if (n > size - 1)
        n = size - 1;
    memcpy(buf, tmp, n);
    buf[n] = '\0';
}

/* Decimal text of an int64 (no snprintf: this runs once per cell). */
static int put_int(asy_buf *out, int64_t v)
{
    char tmp[24];
    char *p = tmp + sizeof tmp;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    return asy_buf_append(out, p, (size_t)(tmp + sizeof tmp - p));
}

int asy_value_text(const assay_value *v, asy_buf *out)
{
    char tmp[40];
    switch (v->type) {
    case ASSAY_INTEGER:
        return put_int(out, v->i);
    case ASSAY_NUMBER:
        asy_format_double(v->d, tmp, sizeof tmp);
        return asy_buf_puts(out, tmp);
    case ASSAY_BOOLEAN:
        return asy_buf_puts(out, v->i ? "true" : "false");
    case ASSAY_STRING:
        return asy_buf_append(out, v->s ? v->s : "", v->s ? v->len : 0);
    default:
        return 0;
    }
}

/* ===================================================================== */
/* Safe mode                                                             */
/* ===================================================================== */

static size_t digits(const char *s, size_t n, size_t i)
{
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    return i;
}

/* [+-]? (D+ (. D*)? | . D+) ([eE] [+-]? D+)? — the whole string. */
static int plain_number(const char *s, size_t n)
{
    size_t i = 0, j;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    j = digits(s, n, i);
    size_t ndig = j - i;
    i = j;
    if (i < n && s[i] == '.') {
        j = digits(s, n, i + 1);
        ndig += j - i - 1;
        i = j;
    }
    if (ndig == 0)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        j = digits(s, n, i);
        if (j == i)
            return 0;
        i = j;
    }
    return i == n;
}

static int needs_prefix(const char *s, size_t n)
{
    if (n == 0 || !memchr("=+-@\t\r", s[0], 6))
        return 0;
    return !plain_number(s, n);
}

/* ===================================================================== */
/* CSV                                                                   */
/* ===================================================================== */

/* The row's worst case is reserved once, then every cell is written
 * without per-cell buffer calls (this runs for each cell of every row).
 * Rules: see the file comment (quoting, the single-column "", safe
 * mode). */

/* Non-zero if one of the 8 bytes of v is , " CR or LF (the zero-byte
 * test has no false negatives and no false positives as a whole-word
 * answer). */
static inline uint64_t special8(uint64_t v)
{
    const uint64_t ones = 0x0101010101010101ull, high = ones * 0x80;
    uint64_t a = v ^ (ones * ','), b = v ^ (ones * '"');
    uint64_t c = v ^ (ones * '\r'), d = v ^ (ones * '\n');
    return (((a - ones) & ~a) | ((b - ones) & ~b) | ((c - ones) & ~c) |
            ((d - ones) & ~d)) & high;
}

/* 1 if one of the bytes is , " CR or LF; eight bytes a step, the last
 * (partial) step overlapping the one before, and a string shorter than
 * eight bytes read as two overlapping halves into one word (zero, the
 * padding, is no special byte): no loop over single bytes. */
static int has_special(const char *s, size_t n)
{
    uint64_t v = 0;
    if (n < 8) {
        if (n >= 4) {
            uint32_t a, b;
            memcpy(&a, s, 4);
            memcpy(&b, s + n - 4, 4);
            v = a | (uint64_t)b << 32;
        } else if (n >= 2) {
            uint16_t a, b;
            memcpy(&a, s, 2);
            memcpy(&b, s + n - 2, 2);
            v = a | (uint64_t)b << 16;
        } else if (n)
            v = (unsigned char)s[0];
        return special8(v) != 0;
    }
    for (size_t i = 0; i + 8 <= n; i += 8) {
        memcpy(&v, s + i, 8);
        if (special8(v))
            return 1;
    }
    memcpy(&v, s + n - 8, 8);
    return special8(v) != 0;
}

/* Bytes a cell may take: a string quoted with every byte doubled and a
 * safe-mode prefix; numbers within asy_format_double's 40. */
static size_t csv_bound(const assay_value *v)
{
    if (v->type == ASSAY_STRING)
        return v->len > SIZE_MAX / 4 ? SIZE_MAX / 2 : 2 * v->len + 4;
    return 40;
}

/* A non-empty string cell at p (room: csv_bound); returns the end. */
static char *csv_put_string(char *p, const char *s, size_t n, int safe)
{
    int pre = safe && needs_prefix(s, n);
    char first = pre ? '\'' : s[0];
    int quote = first == ' ' || first == '\t' || s[n - 1] == ' ' ||
                s[n - 1] == '\t' || has_special(s, n);
    if (!quote) {
        if (pre)
            *p++ = '\'';
        memcpy(p, s, n);
        return p + n;
    }
    if (!pre)
        return p + csv_write(p, 2 * n + 2, s, n);
    /* '"' + '\'' + s quoted by libcsv without its opening quote */
    size_t k = csv_write(p + 1, 2 * n + 2, s, n);
    p[0] = '"';
    p[1] = '\'';
    return p + 1 + k;
}

static char *csv_put(const asy_csvout *w, char *p, const assay_value *v)
{
    char tmp[40];
    size_t n;
    switch (v->type) {
    case ASSAY_STRING:
        if (v->len > 0)
            return csv_put_string(p, v->s, v->len, w->safe);
        break;
    case ASSAY_INTEGER: {
        char *e = tmp + 24, *q = e;
        uint64_t u = v->i < 0 ? 0 - (uint64_t)v->i : (uint64_t)v->i;
        do {
            *--q = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        if (v->i < 0)
            *--q = '-';
        memcpy(p, q, (size_t)(e - q));
        return p + (e - q);
    }
    case ASSAY_NUMBER: /* room: csv_bound's 40 */
        return p + format_double(v->d, p);
    case ASSAY_BOOLEAN:
        n = v->i ? 4 : 5;
        memcpy(p, v->i ? "true" : "false", n);
        return p + n;
    case ASSAY_NIL:
        break;
    default:
        return p;
    }
    if (w->ncols == 1) { /* nil or "": a lone empty field reads as no row */
        memcpy(p, "\"\"", 2);
        return p + 2;
    }
    return p;
}

static int csv_row(const asy_csvout *w, const assay_value *vals, asy_buf *b)
{
    size_t need = 1;
    for (int k = 0; k < w->ncols; k++) {
        size_t c = csv_bound(&vals[k]);
        if (need > SIZE_MAX / 2 - c)
            return -1;
        need += c + 1;
    }
    if (asy_buf_reserve(b, need) < 0)
        return -1;
    char *start = b->data + b->len, *p = start;
    for (int k = 0; k < w->ncols; k++) {
        if (k)
            *p++ = ',';
        p = csv_put(w, p, &vals[k]);
    }
    *p++ = '\n';
    b->len += (size_t)(p - start);
    b->data[b->len] = '\0';
    return 0;
}


/* ===================================================================== */
/* TSV                                                                   */
/* ===================================================================== */

static int tsv_text(asy_buf *out, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t k = 0; k < n; k++) {
        const char *esc = NULL;
        switch (s[k]) {
        case '\\': esc = "\\\\"; break;
        case '\t': esc = "\\t"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        default: continue;
        }
        if (asy_buf_append(out, s + run, k - run) < 0 ||
            asy_buf_append(out, esc, 2) < 0)
            return -1;
        run = k + 1;
    }
    return asy_buf_append(out, s + run, n - run);
}

static int tsv_cell(const asy_csvout *w, const assay_value *v, asy_buf *b)
{
    if (v->type != ASSAY_STRING)
        return asy_value_text(v, b);
    if (w->safe && needs_prefix(v->s, v->len) && asy_buf_putc(b, '\'') < 0)
        return -1;
    return tsv_text(b, v->s, v->len);
}

/* ===================================================================== */
/* JSON Lines                                                            */
/* ===================================================================== */

/* Escape for a JSON string (without the quotes). Input is valid UTF-8. */
static int json_text(asy_buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)s[k];
        char esc[8];
        size_t elen = 2, skip = 1;
        if (c == '"' || c == '\\') {
            esc[0] = '\\', esc[1] = (char)c;
        } else if (c < 0x20) {
            const char *named = c == '\n' ? "\\n" : c == '\t' ? "\\t"
                              : c == '\r' ? "\\r" : c == '\b' ? "\\b"
                              : c == '\f' ? "\\f" : NULL;
            if (named) {
                memcpy(esc, named, 2);
            } else {
                memcpy(esc, "\\u00", 4);
                esc[4] = hex[c >> 4], esc[5] = hex[c & 15];
                elen = 6;
            }
        } else if (c == 0xE2 && k + 2 < n && (unsigned char)s[k + 1] == 0x80 &&
                   ((unsigned char)s[k + 2] == 0xA8 ||
                    (unsigned char)s[k + 2] == 0xA9)) {
            memcpy(esc, (unsigned char)s[k + 2] == 0xA8 ? "\\u2028" : "\\u2029",
                   6);
            elen = 6, skip = 3;
        } else {
            continue;
        }
        if (asy_buf_append(out, s + run, k - run) < 0 ||
            asy_buf_append(out, esc, elen) < 0)
            return -1;
        run = k + skip;
        k += skip - 1;
    }
    return asy_buf_append(out, s + run, n - run);
}

static int json_string(asy_buf *out, const char *s, size_t n)
{
    if (asy_buf_putc(out, '"') < 0 || json_text(out, s, n) < 0)
        return -1;
    return asy_buf_putc(out, '"');
}

static int json_value(asy_buf *out, const assay_value *v)
{
    switch (v->type) {
    case ASSAY_INTEGER:
        return put_int(out, v->i);
    case ASSAY_NUMBER:
        if (!isfinite(v->d))
            return asy_buf_puts(out, "null");
        return asy_value_text(v, out);
    case ASSAY_BOOLEAN:
        return asy_buf_puts(out, v->i ? "true" : "false");
    case ASSAY_STRING:
        return json_string(out, v->s ? v->s : "", v->s ? v->len : 0);
    default:
        return asy_buf_puts(out, "null");
    }
}

static int json_row(const asy_csvout *w, const assay_value *vals, asy_buf *b)
{
    for (int k = 0; k < w->ncols; k++) {
        const char *col = w->columns[k];
        if (asy_buf_putc(b, k ? ',' : '{') < 0 ||
            json_string(b, col, strlen(col)) < 0 || asy_buf_putc(b, ':') < 0 ||
            json_value(b, &vals[k]) < 0)
            return -1;
    }
    return asy_buf_puts(b, w->ncols ? "}\n" : "{}\n");
}

/* ===================================================================== */
/* The writer                                                            */
/* ===================================================================== */

/* One fwrite per row, without stdio's lock for a file of our own: a
 * writer and its FILE belong to one thread at a time (the engine delivers
 * rows from a single thread). stdout and stderr keep the lock, since
 * other threads may print there. */
static int put_row(asy_csvout *w, const char *data, size_t n)
{
    size_t put;
    errno = 0;
    if (!n)
        return 0;
    if (w->fp == stdout || w->fp == stderr)
        put = fwrite(data, 1, n, w->fp);
    else
        put = fwrite_unlocked(data, 1, n, w->fp);
    if (put != n) {
        if (errno == 0)
            errno = EIO;
        return -1;
    }
    return 0;
}

/* Format one row (CSV/TSV) of values onto b. */
static int sep_row(const asy_csvout *w, const assay_value *vals, asy_buf *b)
{
    if (w->fmt == ASY_FMT_CSV)
        return csv_row(w, vals, b);
    for (int k = 0; k < w->ncols; k++) {
        if (k && asy_buf_putc(b, '\t') < 0)
            return -1;
        if (tsv_cell(w, &vals[k], b) < 0)
            return -1;
    }
    return asy_buf_putc(b, '\n');
}

int asy_csvout_format(const asy_csvout *w, const assay_value *vals,
                      asy_buf *out)
{
    return w->fmt == ASY_FMT_JSONL ? json_row(w, vals, out)
                                   : sep_row(w, vals, out);
}

int asy_csvout_row(asy_csvout *w, const assay_value *vals)
{
    asy_buf_clear(&w->scratch);
    if (asy_csvout_format(w, vals, &w->scratch) < 0) {
        errno = ENOMEM;
        return -1;
    }
    return put_row(w, w->scratch.data, w->scratch.len);
}

int asy_csvout_raw(asy_csvout *w, const char *row, size_t n)
{
    return put_row(w, row, n);
}

static int write_header(asy_csvout *w, int bom)
{
    if (w->fmt == ASY_FMT_JSONL)
        return 0;
    assay_value *hv = calloc(w->ncols ? (size_t)w->ncols : 1, sizeof *hv);
    if (!hv) {
        errno = ENOMEM;
        return -1;
    }
    for (int k = 0; k < w->ncols; k++) {
        hv[k].type = ASSAY_STRING;
        hv[k].s = w->columns[k];
        hv[k].len = strlen(w->columns[k]);
    }
    int r = 0;
    if (bom && fwrite("\xEF\xBB\xBF", 1, 3, w->fp) != 3)
        r = -1;
    if (r == 0)
        r = asy_csvout_row(w, hv);
    free(hv);
    return r;
}

int asy_csvout_open(asy_csvout *w, FILE *fp, asy_fmt fmt, int bom, int safe,
                    const char *const *columns, int ncols)
{
    memset(w, 0, sizeof *w);
    w->fp = fp;
    w->fmt = fmt;
    w->safe = safe;
    if (ncols < 0 || (ncols > 0 && !columns)) {
        errno = EINVAL;
        return -1;
    }
    w->columns = calloc(ncols ? (size_t)ncols : 1, sizeof *w->columns);
    if (!w->columns) {
        errno = ENOMEM;
        return -1;
    }
    for (int k = 0; k < ncols; k++, w->ncols++) {
        w->columns[k] = strdup(columns[k] ? columns[k] : "");
        if (!w->columns[k]) {
            asy_csvout_free(w);
            errno = ENOMEM;
            return -1;
        }
    }
    if (write_header(w, bom) < 0) {
        int e = errno;
        asy_csvout_free(w);
        errno = e;
        return -1;
    }
    return 0;
}

void asy_csvout_free(asy_csvout *w)
{
    if (!w)
        return;
    for (int k = 0; k < w->ncols; k++)
        free(w->columns[k]);
    free(w->columns);
    w->columns = NULL;
    w->ncols = 0;
    asy_buf_free(&w->scratch);
}
