/*
 * wordbreak.h — UAX #29 word boundaries (Unicode 15.0, rules WB1–WB999)
 * over a UTF-8 buffer, as an allocation-free iterator yielding segments
 * with byte and code-point offsets and a token kind. ASCII text takes a
 * byte-table fast path; only bytes >= 0x80 are decoded.
 *
 * Usage:
 *     asy_wb_iter it;
 *     asy_wb_seg seg;
 *     asy_wb_init(&it, text, len, ASY_WB_WORDLIKE);
 *     while (asy_wb_next(&it, &seg))
 *         use(text + seg.start, seg.end - seg.start, seg.kind);
 *
 * Segments tile the text exactly (when every kind is requested): the
 * first starts at 0, each starts where the previous ended, the last ends
 * at len. Invalid UTF-8 bytes are treated one by one as U+FFFD (kind
 * ASY_WB_OTHER); the iterator never reads outside text[0..len).
 * Thread safety: an iterator is owned by one thread; the tables are const.
 */
#ifndef ASY_WORDBREAK_H
#define ASY_WORDBREAK_H

#include <stddef.h>
#include <stdint.h>

/* What a segment holds, decided from the General_Category (utf8proc) of
 * its code points, first match wins:
 *   WORD    any letter (L*): "Kazakhstan’s", "3rd", "カタカナ", "中"
 *   NUMBER  any number (N*), no letter: "3.5", "1,000", "1️⃣"
 *   EMOJI   a Regional_Indicator, an Emoji_Presentation character, or an
 *           Extended_Pictographic one followed by U+FE0F: "👍🏽", "🇰🇿",
 *           "👨‍👩‍👧", "©️" (a bare "©" is a SYMBOL)
 *   PUNCT   any punctuation (P*): "-", "’", "...", "_"
 *   SYMBOL  any symbol (S*): "$", "+", "©"
 *   SPACE   only White_Space (and marks/format characters): " ", "\r\n"
 *   OTHER   anything else: controls, private use, unassigned, lone marks,
 *           invalid bytes */
typedef enum asy_wb_kind {
    ASY_WB_SPACE = 0,
    ASY_WB_WORD = 1,
    ASY_WB_NUMBER = 2,
    ASY_WB_EMOJI = 3,
    ASY_WB_PUNCT = 4,
    ASY_WB_SYMBOL = 5,
    ASY_WB_OTHER = 6,
} asy_wb_kind;

/* Kind masks for asy_wb_init: which segments asy_wb_next yields. */
#define ASY_WB_KIND(k) (1u << (k))
#define ASY_WB_ALL 0x7fu                                /* every segment */
#define ASY_WB_NOSPACE (ASY_WB_ALL & ~ASY_WB_KIND(ASY_WB_SPACE))
#define ASY_WB_WORDLIKE                                 /* ICU's "words" */ \
    (ASY_WB_KIND(ASY_WB_WORD) | ASY_WB_KIND(ASY_WB_NUMBER))
/* Or-ed into a mask by callers that read only byte offsets (counting):
 * asy_wb_fill may then leave cstart and cend at 0 instead of counting code
 * points for every segment. */
#define ASY_WB_BYTES_ONLY 0x100u

typedef struct asy_wb_seg {
    size_t start, end;   /* byte offsets, end-exclusive */
    size_t cstart, cend; /* code-point offsets, end-exclusive (an invalid
                            byte counts as one code point) */
    asy_wb_kind kind;
} asy_wb_seg;

/* Iterator state. Fields are private; the struct is public only so that
 * callers can keep it on the stack. */
typedef struct asy_wb_iter {
    const unsigned char *text;
    size_t len, pos, cpos;
    unsigned mask;
    uint8_t prev, last, last2; /* raw previous / WB4-effective classes */
    uint8_t ri;                /* effective Regional_Indicator run length */
} asy_wb_iter;

/* Start iterating over text[0..len) (need not be NUL-terminated; text may
 * be NULL when len == 0), yielding the segments whose kind is in `mask`
 * (ASY_WB_ALL, ASY_WB_NOSPACE, ASY_WB_WORDLIKE or ASY_WB_KIND(...) bits).
 * Ownership: the iterator borrows text, which must outlive it. */
void asy_wb_init(asy_wb_iter *it, const char *text, size_t len,
                 unsigned mask);

/* Store the next wanted segment in *seg and return 1, or return 0 at the
 * end of the text. Never fails. */
int asy_wb_next(asy_wb_iter *it, asy_wb_seg *seg);

/* Bulk form of asy_wb_next, for hot loops: store up to cap wanted
 * segments in out[] and return how many (0 at the end of the text). */
size_t asy_wb_fill(asy_wb_iter *it, asy_wb_seg *out, size_t cap);

/* The wanted segments a 64-byte window at a time, for counting kernels
 * that take a window's words from bit masks rather than one segment
 * each. A window span (starts != 0) covers text[base .. base + 64): bit a
 * of `starts` marks a wanted segment starting at base + a, the i-th set
 * bit of `ends` is where the i-th of them ends (inside the window), and
 * `numbers` holds the end bits of those of kind ASY_WB_NUMBER (the others
 * are ASY_WB_WORD). Where no window decides, an element holds one segment
 * instead: starts == 0, the segment [base, end) of kind `kind`. */
typedef struct asy_wb_span {
    size_t base, end;
    uint64_t starts, ends, numbers;
    asy_wb_kind kind;
} asy_wb_span;

/* Store up to cap spans (cap >= 1) of the wanted segments in out[] and
 * return how many (0 at the end of the text): the same segments, in the
 * same order, as asy_wb_fill, without code-point offsets. Masks beyond
 * ASY_WB_WORDLIKE, and ASY_WB_SIMD_NONE, give single segments only. Calls
 * may be interleaved with asy_wb_next and asy_wb_fill on one iterator. */
size_t asy_wb_fill_spans(asy_wb_iter *it, asy_wb_span *out, size_t cap);

/* Vector instruction levels of asy_wb_fill (same segments at each). */
enum {
    ASY_WB_SIMD_NONE = 0,   /* the per-character rules only */
    ASY_WB_SIMD_SSE2 = 1,   /* 64-byte windows, SSE2 */
    ASY_WB_SIMD_AVX512 = 2, /* 64-byte windows, AVX-512BW */
};

/* For tests and benchmarks: cap the level asy_wb_fill uses at max_level
 * (a negative max_level changes nothing) and return the level now in
 * effect, the lower of the cap and what the CPU offers. The default cap
 * is the highest level. Thread safety: the cap is an atomic, shared by
 * every thread. */
int asy_wb_simd(int max_level);

/* Convenience: all wanted segments of text[0..len) as a malloc'd array
 * (*out NULL when *n == 0). Returns 0, or -1 when out of memory.
 * Ownership: the caller frees *out. */
int asy_wb_segments(const char *text, size_t len, unsigned mask,
                    asy_wb_seg **out, size_t *n);

/* Static name of a kind: "space", "word", "number", "emoji", "punct",
 * "symbol", "other" (or "?" when out of range). */
const char *asy_wb_kind_name(int kind);

#endif
