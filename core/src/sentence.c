/*
 * sentence.c — `news` sentence segmentation (sentence.h). A sentence can
 * end only at a run of terminal marks (. ! ? … and CJK 。！？) plus any
 * closing quotes/brackets, followed by white space or the paragraph end;
 * the rules below then decide whether that candidate is a boundary.
 *
 * Rules, in the order applied to a candidate:
 *  1. The paragraph end always ends a sentence (so headings stand alone).
 *  2. The next word (after white space and opening quotes/brackets) must
 *     not start with a lowercase letter or with , ; : and the like: a
 *     sentence never starts that way, while "“Oh!” said she", "approx.
 *     five" and unknown abbreviations do continue this way.
 *  3. After a closing quotation mark, a short clause (≤ 4 words up to the
 *     next punctuation) containing a reporting verb is the quotation's
 *     attribution, not a new sentence: `“Why?” Mr. Smith asked.`
 *  4. ? and ! (alone or combined) end the sentence otherwise.
 *  5. An ellipsis ends it only before a capitalised word that is not a
 *     name continuation: the next word must be a sentence-starter word or
 *     the word before the ellipsis must be lowercase (a trailing-off
 *     clause "and then... He left"); "Xi ... Jinping"-style capitalised
 *     runs stay together, as do "..." inside a quoted fragment.
 *  6. A single "." ends the sentence unless the word before it is
 *     - a never-final abbreviation (Mr., e.g., vs.): never;
 *     - a before-number abbreviation (No.) and a digit follows;
 *     - a may-end abbreviation (Inc., U.S., Jan.), an initial (a capital
 *       letter after a capitalised word, another initial or the sentence
 *       start: "J. K. Rowling", "George W. Bush") or an unlisted dotted
 *       abbreviation ("N.Y.", lower-case "e.g." style counts as
 *       never-final): it ends only before a sentence-starter word ("The",
 *       "He", ...) or when closing quotes/brackets follow the period, and
 *       never before another initial.
 *     Decimal numbers ("3.5", "$1.2") never qualify: no white space
 *     follows their ".".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "sentence.h"

/* ---- characters ------------------------------------------------------ */

/* Code point at t[i] (i < e) and its byte length; invalid bytes decode as
 * U+FFFD of length 1, so scanning always advances. */
static int32_t cp_at(const char *t, size_t i, size_t e, size_t *n)
{
    if ((unsigned char)t[i] < 0x80) {
        *n = 1;
        return (unsigned char)t[i];
    }
    int32_t c;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)t + i,
                                          (utf8proc_ssize_t)(e - i), &c);
    if (k <= 0) {
        *n = 1;
        return 0xFFFD;
    }
    *n = (size_t)k;
    return c;
}

/* Start of the character before byte i (lo <= result < i). */
static size_t prev_char(const char *t, size_t lo, size_t i)
{
    do
        i--;
    while (i > lo && ((unsigned char)t[i] & 0xC0) == 0x80);
    return i;
}

static int is_ws(int32_t c)
{
    if (c < 0x80)
        return c == ' ' || (c >= '\t' && c <= '\r');
    return c == 0x85 ||
           c == 0xFEFF || utf8proc_category(c) == UTF8PROC_CATEGORY_ZS ||
           c == 0x2028 || c == 0x2029;
}

static int is_terminal(int32_t c)
{
    return c == '.' || c == '!' || c == '?' || c == 0x2026 || c == 0x203C ||
           c == 0x2047 || c == 0x2048 || c == 0x2049 || c == 0x3002 ||
           c == 0xFF01 || c == 0xFF1F || c == 0xFF0E;
}

static int is_quote_close(int32_t c)
{
    return c == 0x201D || c == 0x2019 || c == '"' || c == '\'' ||
           c == 0xBB || c == 0x203A || c == 0x300D || c == 0x300F;
}

static int is_closing(int32_t c)
{
    return is_quote_close(c) || c == ')' || c == ']' || c == '}' ||
           c == 0xFF09;
}

/* Marks that may precede the first letter of a sentence. */
static int is_opening(int32_t c)
{
    return c == 0x201C || c == 0x2018 || c == '"' || c == '\'' ||
           c == '(' || c == '[' || c == '{' || c == 0xAB || c == 0x2039 ||
           c == 0x201E || c == 0x201A || c == 0x300C || c == 0x300E ||
           c == 0xBF || c == 0xA1 || c == '_' || c == '*';
}

/* Dashes that may stand between two sentences: "--", "—", "–"
 * ("afterwards.--She", "smartly. —Back"); a lone "-" is a hyphen. */
static int is_dash(int32_t c)
{
    return c == 0x2014 || c == 0x2013 || c == '-';
}

/* 1 if a sentence-separating dash starts at t[p]. */
static int dash_at(const char *t, size_t p, size_t e)
{
    size_t n;
    int32_t c = cp_at(t, p, e, &n);
    return c == 0x2014 || c == 0x2013 ||
           (c == '-' && p + 1 < e && t[p + 1] == '-');
}

static int is_upper(int32_t c)
{
    if (c < 0x80)
        return c >= 'A' && c <= 'Z';
    utf8proc_category_t k = utf8proc_category(c);
    return k == UTF8PROC_CATEGORY_LU || k == UTF8PROC_CATEGORY_LT;
}

static int is_lower(int32_t c)
{
    if (c < 0x80)
        return c >= 'a' && c <= 'z';
    return utf8proc_category(c) == UTF8PROC_CATEGORY_LL;
}

static int is_letter(int32_t c)
{
    if (c < 0x80)
        return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    utf8proc_category_t k = utf8proc_category(c);
    return k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO;
}

static int is_digit(int32_t c)
{
    if (c < 0x80)
        return c >= '0' && c <= '9';
    return utf8proc_category(c) == UTF8PROC_CATEGORY_ND;
}

/* Characters inside a word for list lookups: letters, marks, digits,
 * apostrophes, hyphens and the dots of "U.S.". */
static int is_wordch(int32_t c)
{
    if (c < 0x80)
        return is_letter(c) || is_digit(c) || c == '\'' || c == '-' ||
               c == '.';
    utf8proc_category_t k = utf8proc_category(c);
    return (k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_ND) ||
           c == '\'' || c == 0x2019 || c == '-' || c == '.';
}

/* ---- words around a candidate ---------------------------------------- */

typedef struct word {
    size_t a, b; /* byte range; a == b when empty (a punctuation mark) */
    int32_t first;
} word;

/* The next word from byte p: white space and opening marks skipped,
 * then word characters up to (excluding) a final "." or other mark. */
static word next_word(const char *t, size_t p, size_t e)
{
    word w = {e, e, 0};
    size_t n;
    while (p < e) {
        int32_t c = cp_at(t, p, e, &n);
        if (!is_ws(c) && !is_opening(c) && !is_dash(c))
            break;
        p += n;
    }
    if (p >= e)
        return w;
    w.a = w.b = p;
    w.first = cp_at(t, p, e, &n);
    while (w.b < e) {
        int32_t c = cp_at(t, w.b, e, &n);
        if (!is_wordch(c) || c == '.')
            break;
        w.b += n;
    }
    return w;
}

/* The word ending just before byte i (the candidate "."): word
 * characters back to white space, other punctuation or a "--" dash, then
 * hyphens, dots and apostrophes stripped from its front ("--Mrs" gives
 * "Mrs", "(Mr" gives "Mr", "'Co" gives "Co"). */
static word word_before(const char *t, size_t lo, size_t i)
{
    word w = {i, i, 0};
    size_t n;
    while (w.a > lo) {
        size_t q = prev_char(t, lo, w.a);
        int32_t c = cp_at(t, q, i, &n);
        if (!is_wordch(c) || (c == '-' && q > lo && t[q - 1] == '-'))
            break;
        w.a = q;
    }
    for (int32_t c; w.a < i; w.a += n) {
        c = cp_at(t, w.a, i, &n);
        if (c != '-' && c != '.' && c != '\'' && c != 0x2019)
            break;
    }
    if (w.a < i)
        w.first = cp_at(t, w.a, i, &n);
    return w;
}

static size_t cp_count(const char *t, size_t a, size_t b)
{
    size_t k = 0, n;
    for (; a < b; a += n, k++)
        cp_at(t, a, b, &n);
    return k;
}

/* "U.S", "e.g", "Ph.D": letters in 1–2 letter groups joined by dots.
 * Returns 0 if not dotted, 1 if dotted with a capital, 2 if all lower. */
static int dotted(const char *t, size_t a, size_t b)
{
    size_t n, group = 0, dots = 0;
    int upper = 0;
    for (size_t p = a; p < b; p += n) {
        int32_t c = cp_at(t, p, b, &n);
        if (c == '.') {
            if (!group)
                return 0;
            dots++;
            group = 0;
        } else if (is_letter(c) && ++group <= 2) {
            upper |= is_upper(c);
        } else {
            return 0;
        }
    }
    return dots && group ? (upper ? 1 : 2) : 0;
}

/* A single capital letter standing for a name part. */
static int is_initial(const char *t, word w)
{
    return w.a < w.b && is_upper(w.first) && cp_count(t, w.a, w.b) == 1;
}

/* ---- the decision ----------------------------------------------------- */

typedef struct cand {
    const char *t;
    size_t lo, hi;       /* the range being split */
    size_t sent;         /* start of the current sentence */
    size_t i, j, k;      /* terminal run [i, j), closers [j, k) */
    int question, dots, ellipsis, quote, cjk;
    const asy_abbrevs *ab;
} cand;

/* List classes of w; an all-capitals ASCII word ("MRS", headline
 * style) is also looked up in title case ("Mrs"). */
static int lookup(const cand *c, word w)
{
    size_t n = w.b - w.a;
    int cls = asy_abbrevs_lookup(c->ab, c->t + w.a, n);
    if (cls || n < 2 || n > 31)
        return cls;
    char tc[32];
    for (size_t i = 0; i < n; i++) {
        char ch = c->t[w.a + i];
        if (!(ch >= 'A' && ch <= 'Z') && ch != '.')
            return 0;
        tc[i] = i && ch != '.' ? (char)(ch - 'A' + 'a') : ch;
    }
    return asy_abbrevs_lookup(c->ab, tc, n);
}

/* 1 if only white space lies in [a, b). */
static int blank(const cand *c, size_t a, size_t b)
{
    size_t n;
    for (; a < b; a += n)
        if (!is_ws(cp_at(c->t, a, b, &n)))
            return 0;
    return 1;
}

/* Rule 3: after a closing quote, the clause up to the next punctuation
 * is an attribution when a reporting verb opens it ("said the man") or
 * closes it within 4 words ("Mr. Smith asked."). A verb followed by more
 * words ("He said the team won") begins a sentence of its own. */
static int attribution(const cand *c)
{
    size_t p = c->k;
    for (int words = 0; words < 4; words++) {
        word w = next_word(c->t, p, c->hi);
        if (w.a == w.b || (words && !blank(c, p, w.a)))
            return 0; /* punctuation ended the clause first */
        if (lookup(c, w) & ASY_AB_REPORTING) {
            word nw = next_word(c->t, w.b, c->hi);
            return !words || nw.a == nw.b || !blank(c, w.b, nw.a);
        }
        p = w.b;
        if (p < c->hi && c->t[p] == '.' && (lookup(c, w) & ASY_AB_NEVER_FINAL))
            p++; /* "Mr." inside the clause */
    }
    return 0;
}

/* The word before w within the sentence (none at its start). */
static word prev_word(const cand *c, word w)
{
    size_t p = w.a, n;
    while (p > c->sent) {
        size_t q = prev_char(c->t, c->sent, p);
        int32_t ch = cp_at(c->t, q, p, &n);
        if (!is_ws(ch) && !is_opening(ch))
            break;
        p = q;
    }
    return word_before(c->t, c->sent, p);
}

/* "J. A. Smith": the next word is itself an initial (capital + "."). */
static int next_is_initial(const cand *c, word nw)
{
    return is_initial(c->t, nw) && nw.b < c->hi && c->t[nw.b] == '.';
}

/* Rule 6 for a may-end word: a starter or closers make it final. */
static int may_end(const cand *c, word nw)
{
    if (next_is_initial(c, nw))
        return 0;
    return c->k > c->j || (lookup(c, nw) & ASY_AB_STARTER);
}

/* Rule 6: the word before a single "." decides. */
static int period(const cand *c, word nw)
{
    word w = word_before(c->t, c->sent, c->i);
    if (w.a == w.b)
        return 1;
    int cls = lookup(c, w);
    if (cls & ASY_AB_NEVER_FINAL)
        return 0;
    if ((cls & ASY_AB_BEFORE_NUMBER) && is_digit(nw.first))
        return 0;
    if (cls & ASY_AB_MAY_END)
        return may_end(c, nw);
    int d = dotted(c->t, w.a, w.b);
    if (d == 2)
        return 0;
    if (d == 1)
        return may_end(c, nw);
    if (is_initial(c->t, w)) {
        if (next_is_initial(c, nw))
            return 0; /* "J. K. Rowling", "8:35 P. M." */
        word pw = prev_word(c, w);
        if (pw.a == pw.b || is_upper(pw.first))
            return may_end(c, nw);
    }
    return 1;
}

/* Rule 5: an ellipsis marks an omission or a trailing-off inside the
 * sentence; the sentence ends there only when a period (or ? !) follows
 * it — the four-dot convention "Ruskin…. Is it" — and a capital
 * follows. */
static int ellipsis(const cand *c)
{
    return c->dots >= 4 || (c->ellipsis && c->dots >= 1);
}

/* Rule 2: letters other than lowercase, digits and symbols ("$5") can
 * open a sentence; "," ";" ":" dashes and the like cannot. */
static int starts_sentence(int32_t ch)
{
    utf8proc_category_t k = utf8proc_category(ch);
    return is_letter(ch) || is_digit(ch) ||
           (k >= UTF8PROC_CATEGORY_SM && k <= UTF8PROC_CATEGORY_SO);
}

static int boundary(const cand *c)
{
    if (c->k >= c->hi)
        return 1;
    word nw = next_word(c->t, c->k, c->hi);
    if (nw.a >= c->hi)
        return 1;
    if (c->cjk)
        return 1;
    if (is_lower(nw.first) || !starts_sentence(nw.first))
        return 0;
    if (c->question)
        return !(c->quote && attribution(c));
    if (c->ellipsis || c->dots > 1)
        return ellipsis(c);
    return period(c, nw);
}

/* ---- scanning ------------------------------------------------------- */

typedef struct out {
    asy_span **v;
    size_t *n, *cap;
    int oom;
} out;

static void add(out *o, const char *t, size_t a, size_t b)
{
    size_t n;
    while (a < b && is_ws(cp_at(t, a, b, &n)))
        a += n;
    while (b > a) {
        size_t q = prev_char(t, a, b);
        if (!is_ws(cp_at(t, q, b, &n)))
            break;
        b = q;
    }
    if (a >= b || o->oom)
        return;
    if (*o->n == *o->cap) {
        size_t nc = *o->cap ? *o->cap * 2 : 16;
        asy_span *v = realloc(*o->v, nc * sizeof *v);
        if (!v) {
            o->oom = 1;
            return;
        }
        *o->v = v;
        *o->cap = nc;
    }
    (*o->v)[*o->n].start = a;
    (*o->v)[(*o->n)++].end = b;
}

/* Read the terminal run at c->i and the closers after it into c. */
static void read_run(cand *c)
{
    size_t n, p = c->i;
    c->question = c->dots = c->ellipsis = c->quote = c->cjk = 0;
    int32_t ch;
    while (p < c->hi && is_terminal(ch = cp_at(c->t, p, c->hi, &n))) {
        c->question |= ch != '.' && ch != 0x2026 && ch != 0xFF0E;
        c->ellipsis |= ch == 0x2026;
        c->cjk |= ch == 0x3002 || ch == 0xFF01 || ch == 0xFF1F;
        c->dots += ch == '.';
        p += n;
    }
    c->j = p;
    while (p < c->hi && (is_closing(ch = cp_at(c->t, p, c->hi, &n)) ||
                         is_terminal(ch))) {
        c->quote |= is_quote_close(ch);
        p += n;
    }
    c->k = p;
}

/* The first byte at or after p that may start a terminal mark: ". ! ?"
 * or the lead byte of a three-byte one (U+2026, U+203C, U+2047–2049:
 * E2; U+3002: E3; U+FF01, U+FF0E, U+FF1F: EF). Continuation bytes never
 * equal these, so skipping byte by byte finds the same candidates as
 * decoding every character, at a fraction of the cost. */
static const unsigned char CANDIDATE[256] = {
    ['.'] = 1, ['!'] = 1, ['?'] = 1, [0xE2] = 1, [0xE3] = 1, [0xEF] = 1};

/* 1 if one of the 8 bytes at u is . ! ? or not ASCII (exact: the
 * zero-byte test below has no false negatives, and a positive only sends
 * the 8 bytes to the byte-wise check). */
static int may_hold(const unsigned char *u)
{
    const uint64_t ones = 0x0101010101010101ull, high = ones * 0x80;
    uint64_t v;
    memcpy(&v, u, 8);
    uint64_t a = v ^ (ones * '.'), b = v ^ (ones * '!'), c = v ^ (ones * '?');
    return (((a - ones) & ~a) | ((b - ones) & ~b) | ((c - ones) & ~c) | v) &
           high ? 1 : 0;
}

static size_t next_candidate(const char *t, size_t p, size_t e)
{
    const unsigned char *u = (const unsigned char *)t;
#ifdef __SSE2__
    /* 16 bytes a step: the first . ! ? or non-ASCII byte, then the exact
     * test on that byte */
    const __m128i dot = _mm_set1_epi8('.'), bang = _mm_set1_epi8('!'),
                  qm = _mm_set1_epi8('?');
    while (p + 16 <= e) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(u + p));
        __m128i hit = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, dot), _mm_cmpeq_epi8(v, bang)),
            _mm_cmpeq_epi8(v, qm));
        unsigned mask = (unsigned)(_mm_movemask_epi8(hit) |
                                   _mm_movemask_epi8(v));
        if (!mask) {
            p += 16;
            continue;
        }
        p += (size_t)__builtin_ctz(mask);
        if (CANDIDATE[u[p]])
            return p;
        p++;
    }
#endif
    for (;;) {
        while (p + 8 <= e && !may_hold(u + p))
            p += 8;
        size_t stop = e - p > 8 ? p + 8 : e;
        for (; p < stop; p++)
            if (CANDIDATE[u[p]])
                return p;
        if (p >= e)
            return e;
    }
}

int asy_sentences_news_range(const char *text, size_t start, size_t end,
                             const asy_abbrevs *ab, asy_span **spans,
                             size_t *n, size_t *cap, asy_error *err)
{
    out o = {spans, n, cap, 0};
    cand c = {text, start, end, start, 0, 0, 0, 0, 0, 0, 0, 0, ab};
    size_t len;
    for (size_t p = start; p < end;) {
        p = next_candidate(text, p, end);
        if (p >= end)
            break;
        if (!is_terminal(cp_at(text, p, end, &len))) {
            p += len;
            continue;
        }
        c.i = p;
        read_run(&c);
        p = c.k;
        if (p < end && !c.cjk && !is_ws(cp_at(text, p, end, &len)) &&
            !dash_at(text, p, end))
            continue; /* "3.5", "U.S.-led", "?”," */
        if (p < end && boundary(&c)) {
            add(&o, text, c.sent, p);
            c.sent = p;
        }
    }
    add(&o, text, c.sent, end);
    if (o.oom)
        return asy_error_set(err, ASSAY_E_NOMEM,
                             "out of memory splitting sentences");
    return ASSAY_OK;
}

int asy_sentences_news(const char *text, size_t len, const asy_abbrevs *ab,
                       asy_span **out_spans, size_t *n, asy_error *err)
{
    asy_span *paras = NULL, *v = NULL;
    size_t np = 0, cap = 0;
    int rc = ASSAY_OK;
    *out_spans = NULL;
    *n = 0;
    if (asy_paragraphs(text, len, &paras, &np) < 0)
        return asy_error_set(err, ASSAY_E_NOMEM,
                             "out of memory finding paragraphs");
    for (size_t i = 0; i < np && rc == ASSAY_OK; i++)
        rc = asy_sentences_news_range(text, paras[i].start, paras[i].end, ab,
                                      &v, n, &cap, err);
    free(paras);
    if (rc != ASSAY_OK) {
        free(v);
        *n = 0;
        return rc;
    }
    *out_spans = v;
    return ASSAY_OK;
}
