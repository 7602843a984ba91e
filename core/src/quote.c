/*
 * quote.c — the quotation-span scanner behind quote.h: one pass over each
 * paragraph, a stack of open quotations, and flanking rules (what is left
 * and right of a mark) to give straight quotes a direction and to tell
 * apostrophes from single quotes.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "quote.h"

/* ==== marks ============================================================ */

enum mark {
    MK_NONE = 0,
    MK_DQ,     /* "  */
    MK_SQ,     /* '  */
    MK_LDQ,    /* “ U+201C */
    MK_RDQ,    /* ” U+201D */
    MK_LSQ,    /* ‘ U+2018 */
    MK_RSQ,    /* ’ U+2019 */
    MK_LOWD,   /* „ U+201E */
    MK_LOWS,   /* ‚ U+201A */
    MK_LAQ,    /* « U+00AB */
    MK_RAQ,    /* » U+00BB */
    MK_LSAQ,   /* ‹ U+2039 */
    MK_RSAQ,   /* › U+203A */
    MK_CJKL,   /* 「 U+300C */
    MK_CJKR,   /* 」 U+300D */
    MK_CJKLW,  /* 『 U+300E */
    MK_CJKRW   /* 』 U+300F */
};

#define BIT(m) (1u << (m))

static const uint32_t mark_cp[] = {
    0,      0x22,   0x27,   0x201C, 0x201D, 0x2018, 0x2019, 0x201E, 0x201A,
    0x00AB, 0x00BB, 0x2039, 0x203A, 0x300C, 0x300D, 0x300E, 0x300F};

/* Lead bytes that may begin a mark; everything else is skipped at once. */
static const unsigned char hot[256] = {
    ['"'] = 1, ['\''] = 1, [0xC2] = 1, [0xE2] = 1, [0xE3] = 1};

/* The mark at p (bounded by end) and its byte length in *ml. */
static enum mark mark_at(const unsigned char *p, const unsigned char *end,
                         size_t *ml)
{
    *ml = 1;
    if (p[0] == '"')
        return MK_DQ;
    if (p[0] == '\'')
        return MK_SQ;
    if (p[0] == 0xC2 && end - p >= 2) {
        *ml = 2;
        return p[1] == 0xAB ? MK_LAQ : p[1] == 0xBB ? MK_RAQ : MK_NONE;
    }
    if (end - p < 3)
        return MK_NONE;
    *ml = 3;
    if (p[0] == 0xE2 && p[1] == 0x80) {
        switch (p[2]) {
        case 0x98: return MK_LSQ;
        case 0x99: return MK_RSQ;
        case 0x9A: return MK_LOWS;
        case 0x9C: return MK_LDQ;
        case 0x9D: return MK_RDQ;
        case 0x9E: return MK_LOWD;
        case 0xB9: return MK_LSAQ;
        case 0xBA: return MK_RSAQ;
        default: return MK_NONE;
        }
    }
    if (p[0] == 0xE3 && p[1] == 0x80 && p[2] >= 0x8C && p[2] <= 0x8F)
        return (enum mark)(MK_CJKL + (p[2] - 0x8C));
    return MK_NONE;
}

static int latin_double(enum mark m)
{
    return m == MK_DQ || m == MK_LDQ || m == MK_RDQ || m == MK_LOWD;
}

static int is_single(enum mark m)
{
    return m == MK_SQ || m == MK_LSQ || m == MK_RSQ || m == MK_LOWS ||
           m == MK_LSAQ || m == MK_RSAQ;
}

/* ==== characters around a mark ========================================= */

enum cls { C_EDGE, C_SPACE, C_OPEN, C_WORD, C_PUNCT };

static int isdig(unsigned c) { return c - '0' < 10u; }

static int cls_ascii(unsigned c)
{
    if ((c | 0x20) - 'a' < 26 || c - '0' < 10)
        return C_WORD;
    if (c == ' ' || (c >= '\t' && c <= '\r'))
        return C_SPACE;
    if (strchr("([{<-/\"'", (int)c) && c)
        return C_OPEN;
    return C_PUNCT;
}

/* Class of a code point: dashes, opening brackets and opening quotation
 * marks (Ps, Pi) count as "opening" context, so a mark after them may open
 * a quotation; closing marks (Pe, Pf) are ordinary punctuation. */
static int cls_cp(int32_t c)
{
    if (c < 0x80)
        return cls_ascii((unsigned)c);
    if (c >= 0x2010 && c <= 0x2015)
        return C_OPEN; /* dashes: "—" opens like a space would */
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return C_WORD;
    case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
        return C_SPACE;
    case UTF8PROC_CATEGORY_PS: case UTF8PROC_CATEGORY_PI:
        return C_OPEN;
    default:
        return C_PUNCT;
    }
}

/* Decode the code point at p (bounded); invalid bytes decode as U+FFFD. */
static int32_t decode(const unsigned char *p, const unsigned char *end,
                      size_t *n)
{
    utf8proc_int32_t c;
    utf8proc_ssize_t k = utf8proc_iterate(p, end - p, &c);
    if (k <= 0) {
        *n = 1;
        return 0xFFFD;
    }
    *n = (size_t)k;
    return c;
}

static int cls_after(const unsigned char *p, const unsigned char *end)
{
    size_t n;
    if (p >= end)
        return C_EDGE;
    if (*p < 0x80)
        return cls_ascii(*p);
    return cls_cp(decode(p, end, &n));
}

static int cls_before(const unsigned char *lo, const unsigned char *p)
{
    size_t n;
    if (p <= lo)
        return C_EDGE;
    if (p[-1] < 0x80)
        return cls_ascii(p[-1]);
    const unsigned char *q = p - 1;
    while (q > lo && p - q < 4 && (*q & 0xC0) == 0x80)
        q--;
    return cls_cp(decode(q, p, &n));
}

/* Byte length of a white-space character starting at p / ending at p. */
static size_t ws_at(const unsigned char *p, const unsigned char *end)
{
    if (p >= end)
        return 0;
    if (*p < 0x80)
        return cls_ascii(*p) == C_SPACE;
    size_t n;
    int32_t c = decode(p, end, &n);
    return cls_cp(c) == C_SPACE || c == 0xFEFF ? n : 0;
}

static size_t ws_before(const unsigned char *lo, const unsigned char *p)
{
    if (p <= lo)
        return 0;
    const unsigned char *q = p - 1;
    while (q > lo && p - q < 4 && (*q & 0xC0) == 0x80)
        q--;
    return ws_at(q, p) == (size_t)(p - q) ? (size_t)(p - q) : 0;
}

/* ==== scan state ======================================================= */

typedef struct iseg {
    asy_quote_seg s;
    size_t owner; /* internal quote index */
} iseg;

typedef struct iquote {
    asy_quote q;
    int closed, dropped;
} iquote;

typedef struct frame {
    size_t q;         /* internal quote index */
    size_t seg;       /* its open segment */
    uint32_t closers; /* BIT(mark) of marks that close it */
    size_t open_end;  /* byte after the opening mark(s) of this segment */
    enum mark opener;
    unsigned char single, weak;
} frame;

typedef struct scan {
    const unsigned char *t, *pe; /* text; end of current paragraph */
    size_t ps, para;             /* start and index of current paragraph */
    const asy_quote_opts *o;
    int gdir;                    /* guillemets: +1 « opens, -1 » opens */
    iquote *q;
    size_t nq, capq;
    iseg *sg;
    size_t nsg, capsg;
    frame *st;
    size_t nst, capst;
    size_t cont_at; /* byte of a reopening mark to absorb, or SIZE_MAX */
    size_t stray;
    int oom;
} scan;

/* Grow *v (elements of size sz) to hold one more; 0 or -1 (oom set). */
static int grow(scan *s, void **v, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 16;
    void *nv = nc > ((size_t)-1) / sz ? NULL : realloc(*v, nc * sz);
    if (!nv) {
        s->oom = 1;
        return -1;
    }
    *v = nv;
    *cap = nc;
    return 0;
}

/* Start a segment of quote qi at the mark [b, e). */
static size_t seg_open(scan *s, size_t qi, enum mark m, size_t b, size_t e)
{
    if (grow(s, (void **)&s->sg, &s->capsg, s->nsg, sizeof *s->sg))
        return 0;
    iseg *g = &s->sg[s->nsg];
    memset(g, 0, sizeof *g);
    g->owner = qi;
    g->s.start = b;
    g->s.open_cp = mark_cp[m];
    g->s.para = s->para;
    size_t k;
    while ((k = ws_at(s->t + e, s->pe)) > 0)
        e += k;
    g->s.inner_start = e;
    return s->nsg++;
}

/* End segment gi at the closing mark [b, e), or with no mark (b == e). */
static void seg_close(scan *s, size_t gi, enum mark m, size_t b, size_t e)
{
    asy_quote_seg *g = &s->sg[gi].s;
    const unsigned char *lo = s->t + g->inner_start;
    size_t k;
    g->end = e;
    g->close_cp = mark_cp[m];
    while (b > g->inner_start && (k = ws_before(lo, s->t + b)) > 0)
        b -= k;
    g->inner_end = b;
    if (m == MK_NONE)
        g->end = b;
}

/* A double opening mark typed twice ("“ or ““) opens one quotation: a
 * quotation cannot begin with an empty one of the same level. */
static int doubled(scan *s, enum mark m, uint32_t closers, size_t e)
{
    frame *f = s->nst ? &s->st[s->nst - 1] : NULL;
    if (!f || !latin_double(m) || !latin_double(f->opener) ||
        f->open_end != e - (m == MK_DQ ? 1 : 3))
        return 0;
    f->closers |= closers;
    f->open_end = e;
    size_t k;
    while ((k = ws_at(s->t + e, s->pe)) > 0)
        e += k;
    s->sg[f->seg].s.inner_start = e;
    return 1;
}

/* Open a quotation at [b, e) and push it. */
static void push(scan *s, enum mark m, uint32_t closers, int weak, size_t b,
                 size_t e)
{
    if (doubled(s, m, closers, e))
        return;
    if (grow(s, (void **)&s->q, &s->capq, s->nq, sizeof *s->q) ||
        grow(s, (void **)&s->st, &s->capst, s->nst, sizeof *s->st))
        return;
    size_t gi = seg_open(s, s->nq, m, b, e);
    if (s->oom)
        return;
    iquote *iq = &s->q[s->nq];
    memset(iq, 0, sizeof *iq);
    iq->q.parent = s->nst ? (long)s->st[s->nst - 1].q : -1;
    iq->q.para_first = s->para;
    frame *f = &s->st[s->nst++];
    f->q = s->nq++;
    f->seg = gi;
    f->closers = closers;
    f->open_end = e;
    f->opener = m;
    f->single = (unsigned char)is_single(m);
    f->weak = (unsigned char)weak;
}

/* End frame f without a closing mark at byte b: weak frames are dropped
 * (they were apostrophes or separators), others become unclosed. */
static void abandon(scan *s, const frame *f, size_t b)
{
    if (f->weak) {
        s->q[f->q].dropped = 1;
        return;
    }
    seg_close(s, f->seg, MK_NONE, b, b);
    s->q[f->q].q.para_last = s->para;
}

/* Close the frame at stack index k with the mark [b, e); frames above it
 * end just before the mark. */
static void close_at(scan *s, size_t k, enum mark m, size_t b, size_t e)
{
    while (s->nst > k + 1)
        abandon(s, &s->st[--s->nst], b);
    frame *f = &s->st[k];
    seg_close(s, f->seg, m, b, e);
    s->q[f->q].closed = 1;
    s->q[f->q].q.para_last = s->para;
    s->nst = k;
}

/* Innermost open frame that mark m may close, or -1. Single closing marks
 * do not reach past an open double quotation. */
static long find(const scan *s, enum mark m)
{
    for (size_t k = s->nst; k-- > 0;) {
        if (s->st[k].closers & BIT(m))
            return (long)k;
        if (is_single(m) && !s->st[k].single)
            return -1;
    }
    return -1;
}

/* Innermost open Latin quotation of the single or double family (for
 * mistyped closing marks such as “word“ or ‘word‘), or -1. */
static long find_kin(const scan *s, int single)
{
    for (size_t k = s->nst; k-- > 0;) {
        enum mark o = s->st[k].opener;
        if (single ? (o == MK_SQ || o == MK_LSQ || o == MK_LOWS)
                   : latin_double(o))
            return (long)k;
        if (single && !s->st[k].single)
            return -1;
    }
    return -1;
}

static void stray(scan *s, enum mark m, size_t b, size_t e)
{
    s->stray++;
    if (!s->o->report_stray ||
        grow(s, (void **)&s->q, &s->capq, s->nq, sizeof *s->q))
        return;
    iquote *iq = &s->q[s->nq++];
    memset(iq, 0, sizeof *iq);
    iq->q.start = b;
    iq->q.end = iq->q.inner_start = iq->q.inner_end = e;
    iq->q.close_cp = mark_cp[m];
    iq->q.status = ASY_QUOTE_STRAY;
    iq->q.parent = s->nst ? (long)s->st[s->nst - 1].q : -1;
    iq->q.para_first = iq->q.para_last = s->para;
    iq->closed = 1;
}

/* ==== apostrophes ====================================================== */

static int ieq(const unsigned char *p, const unsigned char *end,
               const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(end - p) < n || strncasecmp((const char *)p, w, n))
        return 0;
    return cls_after(p + n, end) != C_WORD;
}

static int is_apos(const unsigned char *p, const unsigned char *end)
{
    if (end - p >= 1 && *p == '\'')
        return 1;
    return end - p >= 3 && p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0x99;
}

/* After a word-initial ' or ’ ending at p: an elided form ('90s, 'em,
 * 'tis, 'twas) rather than an opening quote? Returns the bytes of a
 * following second apostrophe to swallow (rock 'n' roll), 0, or -1 when
 * it is not an elision. */
static int elision(const unsigned char *p, const unsigned char *end)
{
    if (end - p >= 2 && isdig(p[0]) && isdig(p[1]) &&
        (end - p == 2 || !isdig(p[2])))
        return 0;
    if (end - p >= 2 && (p[0] | 0x20) == 'n' && is_apos(p + 1, end))
        return p[1] == '\'' ? 1 : 3;
    static const char *const elided[] = {"em", "tis", "twas", "til",
                                         "bout", "cause"};
    for (size_t k = 0; k < sizeof elided / sizeof *elided; k++)
        if (ieq(p, end, elided[k]))
            return 0;
    return -1;
}

/* ==== one mark ========================================================= */

typedef struct ctx {
    size_t b, e;     /* the mark's bytes */
    int prev, next;  /* classes of the neighbours */
} ctx;

static int spaceish(int c) { return c == C_EDGE || c == C_SPACE; }

/* Feet and inches (6'2", 5’2”): a double mark after digits that follow a
 * digit and an apostrophe is an inch sign, not a quotation mark. */
static int inch(const scan *s, size_t b)
{
    const unsigned char *lo = s->t + s->ps, *p = s->t + b;
    if (p == lo || !isdig(p[-1]))
        return 0;
    while (p > lo && isdig(p[-1]))
        p--;
    if (p - lo >= 2 && p[-1] == '\'' && isdig(p[-2]))
        return 1;
    return p - lo >= 4 && p[-3] == 0xE2 && p[-2] == 0x80 &&
           (p[-1] == 0x99 || p[-1] == 0xB2) && isdig(p[-4]);
}

static void on_straight_double(scan *s, const ctx *c)
{
    if (inch(s, c->b))
        return;
    long k = find(s, MK_DQ);
    int lf = !spaceish(c->next) &&
             (spaceish(c->prev) || c->prev == C_OPEN);
    if (k >= 0 && !lf)
        close_at(s, (size_t)k, MK_DQ, c->b, c->e);
    else if (!spaceish(c->next) && c->prev != C_WORD)
        push(s, MK_DQ, BIT(MK_DQ) | BIT(MK_RDQ), 0, c->b, c->e);
    else if (k >= 0)
        close_at(s, (size_t)k, MK_DQ, c->b, c->e);
    else
        stray(s, MK_DQ, c->b, c->e);
}

/* ' and ’ share the apostrophe rules; they differ in what they open. */
static size_t on_apostrophe_like(scan *s, enum mark m, const ctx *c)
{
    if (c->prev == C_WORD && c->next == C_WORD)
        return 0; /* don't, o'clock, Kazakhstan's */
    long k = find(s, m);
    int can_close = !spaceish(c->prev) && c->next != C_WORD &&
                    !(c->prev == C_OPEN && c->next == C_OPEN);
    if (k >= 0 && can_close) {
        close_at(s, (size_t)k, m, c->b, c->e);
        return 0;
    }
    if (c->prev == C_WORD || c->prev == C_PUNCT)
        return 0; /* Jones' house */
    if (spaceish(c->next))
        return 0;
    int el = elision(s->t + c->e, s->pe);
    if (el >= 0)
        return (size_t)el;
    if (m == MK_SQ)
        push(s, MK_SQ, BIT(MK_SQ) | BIT(MK_RSQ), 1, c->b, c->e);
    return 0; /* a word-initial ’ is an elision, never an opener */
}

/* An opening-shaped mark in closing position: it cannot open, because a
 * space or the end of the paragraph follows it, or it sits between a word
 * and punctuation. */
static int closing_position(const ctx *c)
{
    if (spaceish(c->next))
        return 1;
    return c->next == C_PUNCT && !spaceish(c->prev) && c->prev != C_OPEN;
}

static void on_left_single(scan *s, const ctx *c)
{
    long k = find(s, MK_LSQ); /* ‚…‘ */
    if (k < 0 && closing_position(c))
        k = find_kin(s, 1);
    if (k >= 0) {
        close_at(s, (size_t)k, MK_LSQ, c->b, c->e);
        return;
    }
    if (c->prev == C_WORD && c->next == C_WORD)
        return; /* a mistyped apostrophe */
    if (closing_position(c) || elision(s->t + c->e, s->pe) >= 0)
        return;
    push(s, MK_LSQ, BIT(MK_RSQ) | BIT(MK_SQ), 0, c->b, c->e);
}

static void on_left_double(scan *s, const ctx *c)
{
    long k = find(s, MK_LDQ); /* „…“ */
    if (k < 0 && closing_position(c))
        k = find_kin(s, 0);
    int isolated = spaceish(c->prev) && c->next == C_SPACE; /* “ Hi” */
    if (k >= 0)
        close_at(s, (size_t)k, MK_LDQ, c->b, c->e);
    else if (!closing_position(c) || isolated)
        push(s, MK_LDQ, BIT(MK_RDQ) | BIT(MK_DQ), 0, c->b, c->e);
    else
        stray(s, MK_LDQ, c->b, c->e);
}

static void on_right_double(scan *s, const ctx *c)
{
    if (inch(s, c->b))
        return;
    long k = find(s, MK_RDQ);
    if (k >= 0)
        close_at(s, (size_t)k, MK_RDQ, c->b, c->e);
    else if (!spaceish(c->next) && (spaceish(c->prev) || c->prev == C_OPEN))
        push(s, MK_RDQ, BIT(MK_RDQ), 0, c->b, c->e);
    else
        stray(s, MK_RDQ, c->b, c->e);
}

/* Guillemets: the direction is fixed by the language or, failing that, by
 * the first guillemet of the text. */
static void on_guillemet(scan *s, enum mark m, const ctx *c)
{
    int dbl = m == MK_LAQ || m == MK_RAQ;
    int left = m == MK_LAQ || m == MK_LSAQ;
    if (!s->gdir)
        s->gdir = (!left && !spaceish(c->next)) ? -1 : 1;
    int opens = (s->gdir > 0) == left;
    enum mark closer = dbl ? (left ? MK_RAQ : MK_LAQ)
                           : (left ? MK_RSAQ : MK_LSAQ);
    long k = find(s, m);
    if (!opens && k >= 0)
        close_at(s, (size_t)k, m, c->b, c->e);
    else if (opens)
        push(s, m, BIT(closer), !dbl, c->b, c->e);
    else
        stray(s, m, c->b, c->e);
}

static void on_simple_close(scan *s, enum mark m, const ctx *c)
{
    long k = find(s, m);
    if (k >= 0)
        close_at(s, (size_t)k, m, c->b, c->e);
    else
        stray(s, m, c->b, c->e);
}

/* Handle the mark m at [b, e). Returns extra bytes to skip. */
static size_t on_mark(scan *s, enum mark m, size_t b, size_t e)
{
    ctx c = {b, e, cls_before(s->t + s->ps, s->t + b),
             cls_after(s->t + e, s->pe)};
    switch (m) {
    case MK_DQ: on_straight_double(s, &c); break;
    case MK_SQ:
    case MK_RSQ: return on_apostrophe_like(s, m, &c);
    case MK_LSQ: on_left_single(s, &c); break;
    case MK_LDQ: on_left_double(s, &c); break;
    case MK_RDQ: on_right_double(s, &c); break;
    case MK_LOWD: push(s, m, BIT(MK_LDQ) | BIT(MK_RDQ), 0, b, e); break;
    case MK_LOWS: push(s, m, BIT(MK_LSQ) | BIT(MK_RSQ), 1, b, e); break;
    case MK_LAQ: case MK_RAQ: case MK_LSAQ: case MK_RSAQ:
        on_guillemet(s, m, &c);
        break;
    case MK_CJKL: push(s, m, BIT(MK_CJKR), 0, b, e); break;
    case MK_CJKLW: push(s, m, BIT(MK_CJKRW), 0, b, e); break;
    case MK_CJKR: case MK_CJKRW: on_simple_close(s, m, &c); break;
    default: break;
    }
    return 0;
}

/* ==== paragraphs and continuation ====================================== */

/* May the mark m, opening a paragraph, reopen a quotation opened by o? */
static int reopens(enum mark o, enum mark m)
{
    if (o == MK_LAQ || o == MK_RAQ) /* « or » begin continued paragraphs */
        return m == MK_LAQ || m == MK_RAQ;
    return o == m && !is_single(m);
}

/* End of paragraph [ps, pe): keep the outermost double quotation open if
 * the next paragraph (starting at ns, ending at ne) reopens it; abandon
 * every other open quotation. */
static void para_end(scan *s, size_t pe, size_t ns, size_t ne)
{
    size_t outer = s->nst, ml;
    for (size_t k = 0; k < s->nst; k++)
        if (!s->st[k].single) {
            outer = k;
            break;
        }
    enum mark m = ns < ne ? mark_at(s->t + ns, s->t + ne, &ml) : MK_NONE;
    int cont = s->o->continue_paragraphs && outer < s->nst &&
               ns < ne && reopens(s->st[outer].opener, m) &&
               (m != MK_DQ || !spaceish(cls_after(s->t + ns + 1,
                                                  s->t + ne)));
    for (size_t k = s->nst; k-- > 0;)
        if (!cont || k != outer)
            abandon(s, &s->st[k], pe);
    if (!cont) {
        s->nst = 0;
        return;
    }
    seg_close(s, s->st[outer].seg, MK_NONE, pe, pe);
    s->st[0] = s->st[outer];
    s->nst = 1;
    s->cont_at = ns;
}

/* The reopening mark at the start of a continued paragraph. */
static size_t reopen(scan *s, size_t i)
{
    size_t ml;
    enum mark m = mark_at(s->t + i, s->pe, &ml);
    s->cont_at = SIZE_MAX;
    frame *f = &s->st[0];
    size_t gi = seg_open(s, f->q, m, i, i + ml);
    if (!s->oom) {
        f->seg = gi;
        f->open_end = i + ml;
    }
    return ml;
}

/* 1 if none of the 8 bytes at p can begin a mark: no " or ' and no
 * non-ASCII byte (the classic "has zero byte" test on x ^ pattern). */
static int cold8(const unsigned char *p)
{
    const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
    uint64_t x;
    memcpy(&x, p, 8);
    uint64_t dq = x ^ (ones * '"'), sq = x ^ (ones * '\'');
    uint64_t z = ((dq - ones) & ~dq) | ((sq - ones) & ~sq);
    return !((z | x) & high);
}

/* The first byte at or after i (< pe) that is " ' or not ASCII (every
 * hot byte is one), 16 bytes a step; i itself when fewer remain. */
static size_t skip_cold(const unsigned char *t, size_t i, size_t pe)
{
#ifdef __SSE2__
    const __m128i dq = _mm_set1_epi8('"'), sq = _mm_set1_epi8('\'');
    while (pe - i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(t + i));
        __m128i q = _mm_or_si128(_mm_cmpeq_epi8(v, dq), _mm_cmpeq_epi8(v, sq));
        unsigned mask = (unsigned)(_mm_movemask_epi8(q) | _mm_movemask_epi8(v));
        if (mask)
            return i + (size_t)__builtin_ctz(mask);
        i += 16;
    }
#else
    (void)t;
    (void)pe;
#endif
    return i;
}

static void scan_para(scan *s, size_t ps, size_t pe)
{
    const unsigned char *t = s->t;
    s->ps = ps;
    s->pe = t + pe;
    for (size_t i = ps; i < pe && !s->oom;) {
        i = skip_cold(t, i, pe);
        if (pe - i >= 8 && cold8(t + i)) {
            i += 8;
            continue;
        }
        if (i >= pe)
            break;
        if (!hot[t[i]]) {
            i++;
            continue;
        }
        if (i == s->cont_at && s->nst) {
            i += reopen(s, i);
            continue;
        }
        size_t ml;
        enum mark m = mark_at(t + i, t + pe, &ml);
        if (m == MK_NONE) {
            i++;
            continue;
        }
        i += ml + on_mark(s, m, i, i + ml);
    }
}

/* ==== results ========================================================== */

/* Fill the public fields of quote q from its segments g[0..n). */
static void summarise(asy_quote *q, const asy_quote_seg *g, size_t n,
                      int closed)
{
    q->start = g[0].start;
    q->inner_start = g[0].inner_start;
    q->open_cp = g[0].open_cp;
    q->end = g[n - 1].end;
    q->inner_end = g[n - 1].inner_end;
    q->close_cp = closed ? g[n - 1].close_cp : 0;
    q->para_first = g[0].para;
    q->para_last = g[n - 1].para;
    q->status = !closed ? ASY_QUOTE_UNCLOSED
                : n > 1 ? ASY_QUOTE_CONTINUED : ASY_QUOTE_CLOSED;
}

/* Index map old -> new (dropped -> SIZE_MAX) with parents and depths
 * resolved past dropped quotations. Returns the kept count. */
static size_t renumber(scan *s, size_t *map)
{
    size_t kept = 0;
    for (size_t i = 0; i < s->nq; i++) {
        iquote *iq = &s->q[i];
        long p = iq->q.parent;
        if (p >= 0 && s->q[p].dropped)
            p = s->q[p].q.parent; /* already resolved (parents first) */
        iq->q.parent = p;
        map[i] = iq->dropped ? SIZE_MAX : kept++;
    }
    return kept;
}

/* Segments of kept quotations into g, grouped by quotation (creation
 * order within one); first[k] .. first[k+1] are quotation k's. */
static void group(const scan *s, const size_t *map, size_t kept,
                  size_t *first, asy_quote_seg *g)
{
    for (size_t j = 0; j < s->nsg; j++)
        if (map[s->sg[j].owner] != SIZE_MAX)
            first[map[s->sg[j].owner] + 1]++;
    for (size_t k = 0; k < kept; k++)
        first[k + 1] += first[k];
    for (size_t j = 0; j < s->nsg; j++) {
        size_t k = map[s->sg[j].owner];
        if (k != SIZE_MAX)
            g[first[k]++] = s->sg[j].s;
    }
    for (size_t k = kept; k > 0; k--) /* undo the fill's advance */
        first[k] = first[k - 1];
    first[0] = 0;
}

/* Build the public arrays: drop, renumber, group segments by quote. */
static int finish(scan *s, asy_quotes *out)
{
    size_t *map = malloc((s->nq + 1) * sizeof *map);
    size_t *first = calloc(s->nq + 1, sizeof *first);
    size_t kept = map && first ? renumber(s, map) : 0;
    asy_quote *q = kept ? malloc(kept * sizeof *q) : NULL;
    asy_quote_seg *g = s->nsg ? malloc(s->nsg * sizeof *g) : NULL;
    if (!map || !first || (kept && !q) || (s->nsg && !g)) {
        free(map), free(first), free(q), free(g);
        return -1;
    }
    group(s, map, kept, first, g);
    for (size_t i = 0; i < s->nq; i++) {
        size_t k = map[i];
        if (k == SIZE_MAX)
            continue;
        q[k] = s->q[i].q;
        long p = q[k].parent;
        q[k].parent = p >= 0 ? (long)map[p] : -1;
        q[k].depth = p >= 0 ? q[map[p]].depth + 1 : 0;
        q[k].seg = first[k];
        q[k].nseg = first[k + 1] - first[k];
        if (q[k].status != ASY_QUOTE_STRAY)
            summarise(&q[k], g + q[k].seg, q[k].nseg, s->q[i].closed);
    }
    out->q = q;
    out->n = kept;
    out->seg = g;
    out->nseg = first[kept];
    free(map), free(first);
    return 0;
}

/* ==== API ============================================================== */

void asy_quote_opts_init(asy_quote_opts *o)
{
    memset(o, 0, sizeof *o);
    o->lang = ASY_QUOTE_EN;
    o->continue_paragraphs = 1;
}

int asy_quote_lang_parse(const char *name, asy_quote_lang *lang)
{
    static const char *const names[] = {"en", "fr", "de", "auto"};
    for (int i = 0; name && i < 4; i++)
        if (!strcasecmp(name, names[i])) {
            *lang = (asy_quote_lang)i;
            return 0;
        }
    return -1;
}

static void scan_all(scan *s, const asy_span *p, size_t np)
{
    s->gdir = s->o->lang == ASY_QUOTE_FR ? 1
              : s->o->lang == ASY_QUOTE_DE ? -1 : 0;
    for (size_t k = 0; k < np && !s->oom; k++) {
        s->para = k;
        scan_para(s, p[k].start, p[k].end);
        if (!s->oom)
            para_end(s, p[k].end, k + 1 < np ? p[k + 1].start : 0,
                     k + 1 < np ? p[k + 1].end : 0);
    }
}

static void scan_free(scan *s)
{
    free(s->q);
    free(s->sg);
    free(s->st);
}

int asy_quotes_scan(const char *text, size_t len, const asy_quote_opts *o,
                    asy_quotes *out, asy_error *err)
{
    asy_quote_opts def;
    asy_span *own = NULL;
    size_t np = 0;
    memset(out, 0, sizeof *out);
    if (!o) {
        asy_quote_opts_init(&def);
        o = &def;
    }
    const asy_span *p = o->paras;
    np = o->npara;
    if (!p && asy_paragraphs(text, len, &own, &np))
        goto nomem;
    if (!p)
        p = own;
    scan s = {.t = (const unsigned char *)text, .o = o,
              .cont_at = SIZE_MAX};
    scan_all(&s, p, np);
    int rc = s.oom ? -1 : finish(&s, out);
    out->stray = s.stray;
    out->npara = np;
    scan_free(&s);
    free(own);
    if (rc == 0)
        return ASSAY_OK;
nomem:
    asy_quotes_free(out);
    return asy_error_set(err, ASSAY_E_NOMEM,
                         "out of memory scanning quotations (%zu bytes)",
                         len);
}

void asy_quotes_free(asy_quotes *r)
{
    if (!r)
        return;
    free(r->q);
    free(r->seg);
    memset(r, 0, sizeof *r);
}
