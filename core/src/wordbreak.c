/*
 * wordbreak.c — UAX #29 word boundaries (see wordbreak.h). A forward scan
 * keeps three classes of context (the raw previous character, and the last
 * two characters after WB4 folding of Extend/Format/ZWJ) plus the length of
 * the current Regional_Indicator run; WB6, WB7b and WB12 look one
 * character ahead. Runs of ASCII letters, digits and '_' after a letter or
 * digit are joined by WB5/8/9/10/13a/13b, so they are consumed by a tight
 * byte loop without consulting the rules.
 */
#include <stdlib.h>

#include <utf8proc.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "ucd_tables.h"
#include "wordbreak.h"

/* ============================================================
 * Character classification
 * ============================================================ */

#define EDGE ASY_WBP__COUNT /* sot/eot: matches no rule */
#define BIT(c) (1u << (c))
#define IN(c, set) (((set) >> (c)) & 1u)

#define S_AH (BIT(ASY_WBP_ALETTER) | BIT(ASY_WBP_HEBREW_LETTER))
#define S_NL (BIT(ASY_WBP_CR) | BIT(ASY_WBP_LF) | BIT(ASY_WBP_NEWLINE))
#define S_IGN (BIT(ASY_WBP_EXTEND) | BIT(ASY_WBP_FORMAT) | BIT(ASY_WBP_ZWJ))
#define S_MIDL \
    (BIT(ASY_WBP_MIDLETTER) | BIT(ASY_WBP_MIDNUMLET) | BIT(ASY_WBP_SINGLE_QUOTE))
#define S_MIDN \
    (BIT(ASY_WBP_MIDNUM) | BIT(ASY_WBP_MIDNUMLET) | BIT(ASY_WBP_SINGLE_QUOTE))
/* Classes after which any [A-Za-z0-9_] continues the segment. */
#define S_FAST (S_AH | BIT(ASY_WBP_NUMERIC) | BIT(ASY_WBP_EXTENDNUMLET))

/* Kind bits accumulated over a segment; kind_of() picks the kind. */
enum {
    K_LET = 1, K_NUM = 2, K_EMO = 4, K_PUN = 8, K_SYM = 16, K_SPC = 32,
    K_OTH = 64, K_EP = 128, K_VS16 = 256,
};

/* Kind bits of the ASCII characters (Unicode General_Category). */
static const uint16_t ascii_kind[128] = {
    [0 ... 8] = K_OTH, [14 ... 31] = K_OTH, [127] = K_OTH,
    ['\t'] = K_SPC, ['\n'] = K_SPC, ['\v'] = K_SPC, ['\f'] = K_SPC,
    ['\r'] = K_SPC, [' '] = K_SPC,
    ['!' ... '#'] = K_PUN, ['$'] = K_SYM, ['%' ... '*'] = K_PUN,
    ['+'] = K_SYM, [',' ... '/'] = K_PUN, ['0' ... '9'] = K_NUM,
    [':' ... ';'] = K_PUN, ['<' ... '>'] = K_SYM, ['?' ... '@'] = K_PUN,
    ['A' ... 'Z'] = K_LET, ['[' ... ']'] = K_PUN, ['^'] = K_SYM,
    ['_'] = K_PUN, ['`'] = K_SYM, ['a' ... 'z'] = K_LET, ['{'] = K_PUN,
    ['|'] = K_SYM, ['}'] = K_PUN, ['~'] = K_SYM,
};

/* Nonzero (the kind bits) for the bytes the fast loop may swallow. */
static const uint8_t ascii_join[256] = {
    ['0' ... '9'] = K_NUM, ['A' ... 'Z'] = K_LET, ['a' ... 'z'] = K_LET,
    ['_'] = K_PUN,
};

/* Kind bits by utf8proc General_Category (UTF8PROC_CATEGORY_CN = 0 ...
 * UTF8PROC_CATEGORY_CO = 29). Marks and format characters add nothing:
 * they take the kind of what they attach to. */
static const uint8_t cat_kind[30] = {
    [UTF8PROC_CATEGORY_CN] = K_OTH,
    [UTF8PROC_CATEGORY_LU... UTF8PROC_CATEGORY_LO] = K_LET,
    [UTF8PROC_CATEGORY_ND... UTF8PROC_CATEGORY_NO] = K_NUM,
    [UTF8PROC_CATEGORY_PC... UTF8PROC_CATEGORY_PO] = K_PUN,
    [UTF8PROC_CATEGORY_SM... UTF8PROC_CATEGORY_SO] = K_SYM,
    [UTF8PROC_CATEGORY_ZS... UTF8PROC_CATEGORY_ZP] = K_SPC,
    [UTF8PROC_CATEGORY_CC] = K_OTH,
    [UTF8PROC_CATEGORY_CS] = K_OTH,
    [UTF8PROC_CATEGORY_CO] = K_OTH,
};

typedef struct ch {
    unsigned len;  /* bytes */
    unsigned wb;   /* enum asy_wb_prop */
    unsigned ep;   /* Extended_Pictographic */
    unsigned kind; /* K_* bits */
} ch;

/* Decode one code point of s[0..n), n >= 1, s[0] >= 0x80. Invalid or
 * truncated sequences give U+FFFD with length 1. */
static uint32_t decode(const unsigned char *s, size_t n, unsigned *len)
{
    unsigned c = s[0];
    *len = 1;
    if (c < 0xC2 || c > 0xF4)
        return 0xFFFD;
    if (c < 0xE0) {
        if (n < 2 || (s[1] & 0xC0) != 0x80)
            return 0xFFFD;
        *len = 2;
        return ((c & 0x1Fu) << 6) | (s[1] & 0x3Fu);
    }
    unsigned need = c < 0xF0 ? 3 : 4;
    unsigned lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    unsigned hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    if (n < need || s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80)
        return 0xFFFD;
    if (need == 3) {
        *len = 3;
        return ((c & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
    }
    if ((s[3] & 0xC0) != 0x80)
        return 0xFFFD;
    *len = 4;
    return ((c & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12)
           | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
}

/* Classify the non-ASCII character at s[0..n). */
static void look_multi(const unsigned char *s, size_t n, ch *c)
{
    uint32_t cp = decode(s, n, &c->len);
    unsigned p = asy_ucd_wb_ep(cp);
    unsigned cat = (unsigned)utf8proc_category((utf8proc_int32_t)cp);
    c->wb = p & ASY_UCD_WB_MASK;
    c->ep = (p & ASY_UCD_EXTPICT) != 0;
    c->kind = cat < 30 ? cat_kind[cat] : K_OTH;
    if (c->len == 1)
        c->kind = K_OTH; /* an invalid byte, not a real U+FFFD */
    if (cp == 0x85 || cp == 0x2028 || cp == 0x2029)
        c->kind = K_SPC;
    if ((p & ASY_UCD_EMOJIPRES) || c->wb == ASY_WBP_REGIONAL_INDICATOR)
        c->kind |= K_EMO;
    if (c->ep)
        c->kind |= K_EP;
    if (cp == 0xFE0F)
        c->kind |= K_VS16;
}

static inline void look(const unsigned char *s, size_t n, ch *c)
{
    if (s[0] < 0x80) {
        c->len = 1;
        c->wb = asy_ucd_wb_ascii[s[0]];
        c->ep = 0;
        c->kind = ascii_kind[s[0]];
        return;
    }
    look_multi(s, n, c);
}

/* ============================================================
 * Rules
 * ============================================================ */

/* Class of the first character at or after byte i that WB4 does not
 * fold away, or EDGE at the end of the text (lookahead for WB6/7b/12). */
static unsigned ahead(const asy_wb_iter *it, size_t i)
{
    while (i < it->len) {
        ch c;
        look(it->text + i, it->len - i, &c);
        if (!IN(c.wb, S_IGN))
            return c.wb;
        i += c.len;
    }
    return EDGE;
}

/* WB5–WB13b and WB15/16 for a letter, digit or connector `cl` after the
 * effective context last2, last. */
static int joins_alnum(const asy_wb_iter *it, unsigned cl)
{
    unsigned last = it->last, last2 = it->last2;
    switch (cl) {
    case ASY_WBP_HEBREW_LETTER:
        if (last == ASY_WBP_DOUBLE_QUOTE && last2 == ASY_WBP_HEBREW_LETTER)
            return 1;                                          /* WB7c */
        /* fall through */
    case ASY_WBP_ALETTER:
        return IN(last, S_AH | BIT(ASY_WBP_NUMERIC)
                            | BIT(ASY_WBP_EXTENDNUMLET))     /* WB5,10,13b */
               || (IN(last, S_MIDL) && IN(last2, S_AH));    /* WB7 */
    case ASY_WBP_NUMERIC:
        return IN(last, S_AH | BIT(ASY_WBP_NUMERIC)
                            | BIT(ASY_WBP_EXTENDNUMLET))     /* WB8,9,13b */
               || (IN(last, S_MIDN) && last2 == ASY_WBP_NUMERIC); /* WB11 */
    case ASY_WBP_KATAKANA:
        return last == ASY_WBP_KATAKANA
               || last == ASY_WBP_EXTENDNUMLET;              /* WB13,13b */
    case ASY_WBP_EXTENDNUMLET:
        return IN(last, S_AH | BIT(ASY_WBP_NUMERIC) | BIT(ASY_WBP_KATAKANA)
                            | BIT(ASY_WBP_EXTENDNUMLET));    /* WB13a */
    case ASY_WBP_REGIONAL_INDICATOR:
        return last == ASY_WBP_REGIONAL_INDICATOR && (it->ri & 1); /* WB15,16 */
    default:
        return 0;
    }
}

/* WB6, WB7a, WB7b, WB12: a middle character joins when the character
 * after it (byte offset `after`) continues the letter or number. */
static int joins_mid(const asy_wb_iter *it, unsigned cl, size_t after)
{
    unsigned last = it->last;
    if (cl == ASY_WBP_SINGLE_QUOTE && last == ASY_WBP_HEBREW_LETTER)
        return 1;                                               /* WB7a */
    if (cl == ASY_WBP_DOUBLE_QUOTE)
        return last == ASY_WBP_HEBREW_LETTER
               && ahead(it, after) == ASY_WBP_HEBREW_LETTER;     /* WB7b */
    if (IN(last, S_AH) && IN(cl, S_MIDL))
        return IN(ahead(it, after), S_AH);                      /* WB6 */
    if (last == ASY_WBP_NUMERIC && IN(cl, S_MIDN))
        return ahead(it, after) == ASY_WBP_NUMERIC;              /* WB12 */
    return 0;
}

/* Is there a boundary before character c (which ends at byte `after`)? */
static int is_break(const asy_wb_iter *it, const ch *c, size_t after)
{
    unsigned prev = it->prev, cl = c->wb;
    if (prev == ASY_WBP_CR && cl == ASY_WBP_LF)
        return 0;                                               /* WB3 */
    if (IN(prev, S_NL) || IN(cl, S_NL))
        return 1;                                               /* WB3a,b */
    if (prev == ASY_WBP_ZWJ && c->ep)
        return 0;                                               /* WB3c */
    if (prev == ASY_WBP_WSEGSPACE && cl == ASY_WBP_WSEGSPACE)
        return 0;                                               /* WB3d */
    if (IN(cl, S_IGN))
        return 0;                                               /* WB4 */
    if (IN(cl, S_MIDL | S_MIDN | BIT(ASY_WBP_DOUBLE_QUOTE)))
        return !joins_mid(it, cl, after);
    return !joins_alnum(it, cl);                                /* or WB999 */
}

/* Take character class cl into the context. WB4: Extend/Format/ZWJ fold
 * into the preceding character unless that is sot, CR, LF or Newline. */
static inline void advance(asy_wb_iter *it, unsigned cl)
{
    unsigned prev = it->prev;
    it->prev = (uint8_t)cl;
    if (IN(cl, S_IGN) && prev != EDGE && !IN(prev, S_NL))
        return;
    if (cl == ASY_WBP_REGIONAL_INDICATOR)
        it->ri = it->last == ASY_WBP_REGIONAL_INDICATOR ? it->ri + 1 : 1;
    else
        it->ri = 0;
    it->last2 = it->last;
    it->last = (uint8_t)cl;
}

/* ============================================================
 * Iteration
 * ============================================================ */

/* Swallow [A-Za-z0-9_]* at it->pos (the context ends in a letter, digit
 * or connector, so WB5/8/9/10/13a/13b join all of them). */
static unsigned fast_run(asy_wb_iter *it)
{
    const unsigned char *s = it->text;
    size_t i = it->pos, n = it->len;
    unsigned kinds = 0, k;
    while (i < n && (k = ascii_join[s[i]]) != 0) {
        kinds |= k;
        i++;
    }
    if (i == it->pos)
        return 0;
    it->last2 = i - it->pos >= 2 ? asy_ucd_wb_ascii[s[i - 2]] : it->last;
    it->last = it->prev = asy_ucd_wb_ascii[s[i - 1]];
    it->ri = 0;
    it->cpos += i - it->pos;
    it->pos = i;
    return kinds;
}

/* Bits of ascii_mid: which middle rules an ASCII punctuation mark obeys. */
enum { MID_LET = 1, MID_NUM = 2 };
static const uint8_t ascii_mid[256] = {
    ['.'] = MID_LET | MID_NUM, ['\''] = MID_LET | MID_NUM, /* MidNumLet(Q) */
    [':'] = MID_LET, [','] = MID_NUM, [';'] = MID_NUM,
};

/* Can ASCII byte b continue a run through middle mark m after byte a
 * (WB6/7 for letters, WB11/12 for digits)? */
static inline int mid_joins(unsigned m, unsigned a, unsigned b)
{
    unsigned ka = ascii_join[a], kb = ascii_join[b];
    return ((m & MID_LET) && ka == K_LET && kb == K_LET)
           || ((m & MID_NUM) && ka == K_NUM && kb == K_NUM);
}

/* Set the rule context after an all-ASCII stretch s[start..i), i > start.
 * ASCII characters are never folded by WB4, so raw = effective. */
static inline void ascii_context(asy_wb_iter *it, size_t start, size_t i)
{
    const unsigned char *s = it->text;
    it->last2 = i - start >= 2 ? asy_ucd_wb_ascii[s[i - 2]] : it->last;
    it->last = it->prev = asy_ucd_wb_ascii[s[i - 1]];
    it->ri = 0;
    it->cpos += i - start;
    it->pos = i;
}

#if defined(__SSE2__)
/* Length of the run of [A-Za-z0-9_] in s[0..16) (16 when all are):
 * sixteen bytes per step, so the end of a word costs no mispredicted
 * loop exit. */
static inline unsigned run16(const unsigned char *s)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    __m128i lc = _mm_or_si128(v, _mm_set1_epi8(0x20)); /* A-Z -> a-z */
    __m128i let = _mm_and_si128(_mm_cmpgt_epi8(lc, _mm_set1_epi8('a' - 1)),
                                _mm_cmplt_epi8(lc, _mm_set1_epi8('z' + 1)));
    __m128i dig = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    __m128i und = _mm_cmpeq_epi8(v, _mm_set1_epi8('_'));
    unsigned m = (unsigned)_mm_movemask_epi8(
        _mm_or_si128(_mm_or_si128(let, dig), und));
    return (unsigned)__builtin_ctz(~m); /* bit 16 of ~m is always set */
}
#endif

/* End of the [A-Za-z0-9_]* run starting at i. */
static inline size_t run_end(const unsigned char *s, size_t i, size_t n)
{
#if defined(__SSE2__)
    while (i + 16 <= n) {
        unsigned r = run16(s + i);
        i += r;
        if (r < 16)
            return i;
    }
#endif
    while (i < n && ascii_join[s[i]])
        i++;
    return i;
}

/* Kind bits of the ASCII run s[a..b) (letters dominate). */
static unsigned run_kinds(const unsigned char *s, size_t a, size_t b)
{
    unsigned acc = 0;
    while (a < b && acc != (K_LET | K_NUM | K_PUN))
        acc |= ascii_join[s[a++]];
    return acc;
}

/* The ASCII fast path: scan a segment that starts with an ASCII byte.
 * Inside such a segment no rule looks at what came before it, so plain
 * byte tables decide everything until a byte >= 0x80 shows up. Returns 1
 * when the segment is complete, 0 when the general rules must decide at
 * it->pos (a non-ASCII character follows). */
static int ascii_scan(asy_wb_iter *it, unsigned *kinds)
{
    const unsigned char *s = it->text;
    size_t n = it->len, start = it->pos, i = start;
    unsigned c = s[i], m;
    int done;
    if (ascii_join[c]) {
        for (;;) {
            i = run_end(s, i, n);
            if (i >= n) {
                done = 1;
                break;
            }
            if (!(m = ascii_mid[s[i]]) || i + 1 >= n) {
                done = s[i] < 0x80; /* a mark or ZWJ may still attach */
                break;
            }
            if (s[i + 1] >= 0x80) {
                done = 0; /* WB6/WB12 lookahead needs the general rules */
                break;
            }
            if (!mid_joins(m, s[i - 1], s[i + 1])) {
                done = 1;
                break;
            }
            i++;
        }
        *kinds = ascii_join[c] == K_LET ? K_LET : run_kinds(s, start, i);
    } else {
        if (c == ' ') {
            *kinds = K_SPC;
            while (++i < n && s[i] == ' ')
                ;
        } else {
            *kinds = ascii_kind[c];
            i++;
            if (c == '\r' && i < n && s[i] == '\n')
                i++;
        }
        done = i >= n || s[i] < 0x80
               || (c >= '\n' && c <= '\r' && c != '\t');      /* WB3a */
    }
    ascii_context(it, start, i);
    return done;
}

/* The general rules from it->pos to the end of the current segment
 * (kinds: the bits gathered so far). Kept out of line so that the ASCII
 * path stays small. */
static __attribute__((noinline)) unsigned scan_rules(asy_wb_iter *it,
                                                    unsigned kinds)
{
    ch c;
    for (;;) {
        if (IN(it->last, S_FAST))
            kinds |= fast_run(it);
        if (it->pos >= it->len)
            return kinds;                                       /* WB2 */
        look(it->text + it->pos, it->len - it->pos, &c);
        if (is_break(it, &c, it->pos + c.len))
            return kinds;
        kinds |= c.kind;
        advance(it, c.wb);
        it->pos += c.len;
        it->cpos++;
    }
}

/* Consume one segment starting at it->pos (< len); return its kind bits. */
static inline unsigned scan(asy_wb_iter *it)
{
    unsigned kinds;
    if (it->text[it->pos] < 0x80) {
        if (ascii_scan(it, &kinds))
            return kinds;
    } else {
        ch c;
        look(it->text + it->pos, it->len - it->pos, &c);
        kinds = c.kind;
        advance(it, c.wb);
        it->pos += c.len;
        it->cpos++;
    }
    return scan_rules(it, kinds);
}

static asy_wb_kind kind_of(unsigned k)
{
    if (k & K_LET)
        return ASY_WB_WORD;
    if (k & K_NUM)
        return ASY_WB_NUMBER;
    if ((k & K_EMO) || (k & (K_EP | K_VS16)) == (K_EP | K_VS16))
        return ASY_WB_EMOJI;
    if (k & K_PUN)
        return ASY_WB_PUNCT;
    if (k & K_SYM)
        return ASY_WB_SYMBOL;
    if (k & K_SPC)
        return ASY_WB_SPACE;
    return ASY_WB_OTHER;
}

void asy_wb_init(asy_wb_iter *it, const char *text, size_t len,
                 unsigned mask)
{
    it->text = (const unsigned char *)text;
    it->len = text ? len : 0;
    it->pos = it->cpos = 0;
    it->mask = mask;
    it->prev = it->last = it->last2 = EDGE;
    it->ri = 0;
}

/* One wanted segment, or 0 at the end; shared by next and fill. */
static inline int next_seg(asy_wb_iter *it, asy_wb_seg *seg)
{
    while (it->pos < it->len) {
        size_t start = it->pos, cstart = it->cpos;
        asy_wb_kind kind = kind_of(scan(it));
        if (!(it->mask & ASY_WB_KIND(kind)))
            continue;
        seg->start = start;
        seg->end = it->pos;
        seg->cstart = cstart;
        seg->cend = it->cpos;
        seg->kind = kind;
        return 1;
    }
    return 0;
}

int asy_wb_next(asy_wb_iter *it, asy_wb_seg *seg)
{
    return next_seg(it, seg);
}

int asy_wb_segments(const char *text, size_t len, unsigned mask,
                    asy_wb_seg **out, size_t *n)
{
    asy_wb_iter it;
    asy_wb_seg *arr = NULL;
    size_t cap = 0, cnt = 0, got;
    asy_wb_init(&it, text, len, mask);
    do {
        if (cap - cnt < 64) {
            size_t ncap = cap ? cap * 2 : 128;
            asy_wb_seg *p = realloc(arr, ncap * sizeof *p);
            if (!p) {
                free(arr);
                *out = NULL;
                *n = 0;
                return -1;
            }
            arr = p;
            cap = ncap;
        }
        got = asy_wb_fill(&it, arr + cnt, cap - cnt);
        cnt += got;
    } while (got > 0);
    if (cnt == 0) {
        free(arr);
        arr = NULL;
    }
    *out = arr;
    *n = cnt;
    return 0;
}

const char *asy_wb_kind_name(int kind)
{
    static const char *const names[] = {"space", "word",   "number", "emoji",
                                        "punct", "symbol", "other"};
    return kind >= 0 && kind <= ASY_WB_OTHER ? names[kind] : "?";
}
