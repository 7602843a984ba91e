/*
 * quote.h — quotation spans: pairs the quotation marks of a UTF-8 text by
 * type and convention, tells apostrophes from single quotes, nests, and
 * follows the news convention of reopening a quotation on each paragraph.
 *
 * Overview
 * --------
 * asy_quotes_scan() walks the text once, paragraph by paragraph, and returns
 * every quotation it finds, in order of its opening mark (so parents come
 * before their children). It never fails on unbalanced marks: an opening
 * mark without a partner gives a quotation with status UNCLOSED, a closing
 * mark without a partner is counted as stray (and optionally reported).
 * The only error is running out of memory.
 *
 * Marks and pairing (language-independent unless noted)
 *   “ … ”   English double; “ also closes „ (German/Czech „…“).
 *   " … "   straight double; direction from the neighbouring characters: a
 *           mark after start/space/opening punctuation and before a
 *           non-space opens, a mark after a non-space closes an open one.
 *   ‘ … ’   English single; ‘ also closes ‚ (‚…‘).
 *   ' … '   straight single, same flanking rules as ".
 *   „ … “ / „ … ”   low-9 double (de, cs, pl, ro, hu, nl).
 *   ‚ … ‘ / ‚ … ’   low-9 single.
 *   « … »   French (inner spaces or NBSP allowed); » … « German reversed.
 *   ‹ … ›   single guillemets, same direction as the double ones.
 *   「 … 」 『 … 』   CJK corner brackets.
 *   ” … ”   Swedish/Finnish (and mistyped English): a ” that cannot close
 *           anything and is followed by a non-space opens a quotation that
 *           only ” closes.
 * Mixed and mistyped marks (common in scraped news): a straight mark
 * closes a curly one of the same weight and vice versa (“…" "…” ‘…' '…’);
 * an opening-shaped mark that cannot open (a space or the paragraph end
 * follows it, or it sits between a word and punctuation) closes the open
 * quotation of its weight (“…“, ‘…‘); a doubled opening mark ("“) opens
 * one quotation; a " or ” after feet-and-inches digits (6'2") is an inch
 * sign.
 * Guillemet direction: lang FR → « opens; DE → » opens; EN and AUTO take
 * the direction of the first guillemet in the text (« first → French,
 * » first → German).
 *
 * Apostrophes. ’ and ' between two letters or digits (don’t, o’clock,
 * Kazakhstan’s), at the start of a word (’90s, ’em, rock ’n’ roll) or after
 * a word when no single quotation is open (Jones’ house) are apostrophes,
 * not marks. A single quotation never closes across an open double one.
 * Straight single openers, ‹ and ‚ are "weak": when their paragraph ends
 * without a partner they are taken for apostrophes/separators and dropped
 * instead of being reported as unclosed.
 *
 * Paragraphs and continuation. Quotations do not cross paragraphs
 * (asy_paragraphs(): blank lines, or lines when the text has no blank line;
 * or the spans given in the options). When a paragraph ends with its
 * outermost quotation still open and the next paragraph begins with an
 * opening mark of the same kind, the quotation continues: it keeps one
 * asy_quote and gains a segment per paragraph (the first segments have no
 * closing mark, close_cp == 0). Otherwise it is UNCLOSED and ends at the
 * end of its paragraph. A quotation cut short by the closing of an
 * enclosing one ends just before that closing mark.
 *
 * Offsets are byte offsets into `text`, end-exclusive. `start..end`
 * includes the marks; `inner_start..inner_end` excludes the marks and the
 * white space next to them (French « mot »).
 */
#ifndef ASY_QUOTE_H
#define ASY_QUOTE_H

#include <stddef.h>
#include <stdint.h>

#include "segment.h"
#include "status.h"

typedef enum asy_quote_lang {
    ASY_QUOTE_EN = 0, /* default */
    ASY_QUOTE_FR,
    ASY_QUOTE_DE,
    ASY_QUOTE_AUTO
} asy_quote_lang;

typedef struct asy_quote_opts {
    asy_quote_lang lang;
    int continue_paragraphs; /* 1 (default): the news convention above */
    int report_stray;        /* 1: stray closing marks become STRAY items */
    /* Paragraph spans (byte offsets, ascending, trimmed), e.g. the
     * document's cached ones; NULL = compute with asy_paragraphs(). */
    const asy_span *paras;
    size_t npara;
} asy_quote_opts;

/* Defaults: EN, continuation on, no stray items, own paragraphs. */
void asy_quote_opts_init(asy_quote_opts *o);

/* Parse "en", "fr", "de", "auto" (case-insensitive). Returns 0, or -1 for
 * an unknown name (lang untouched). */
int asy_quote_lang_parse(const char *name, asy_quote_lang *lang);

typedef enum asy_quote_status {
    ASY_QUOTE_CLOSED = 0,  /* one paragraph, opening and closing mark */
    ASY_QUOTE_UNCLOSED,    /* no closing mark (nseg may be > 1) */
    ASY_QUOTE_CONTINUED,   /* several paragraphs, closed in the last one */
    ASY_QUOTE_STRAY        /* only with report_stray: a lone closing mark;
                            * start..end is the mark, inner is empty,
                            * nseg == 0, close_cp is the mark */
} asy_quote_status;

/* One paragraph's part of a quotation. */
typedef struct asy_quote_seg {
    size_t start, end;             /* with marks */
    size_t inner_start, inner_end; /* without marks and adjacent spaces */
    uint32_t open_cp, close_cp;    /* 0 when the segment has none */
    size_t para;                   /* paragraph index */
} asy_quote_seg;

typedef struct asy_quote {
    size_t start, end;             /* first opening mark .. last closing */
    size_t inner_start, inner_end;
    uint32_t open_cp, close_cp;    /* close_cp 0 when unclosed */
    int depth;                     /* 0 = outermost */
    long parent;                   /* index in asy_quotes.q, -1 at depth 0 */
    asy_quote_status status;
    size_t seg, nseg;              /* segments seg .. seg+nseg-1 */
    size_t para_first, para_last;  /* paragraph indices */
} asy_quote;

typedef struct asy_quotes {
    asy_quote *q;       /* by start; malloc'd (NULL when n == 0) */
    size_t n;
    asy_quote_seg *seg; /* grouped by quotation, in q order */
    size_t nseg;
    size_t stray;       /* stray closing marks seen (reported or not) */
    size_t npara;       /* paragraphs scanned */
} asy_quotes;

/* Scan text[0..len) (valid UTF-8; NUL bytes are ordinary bytes). o may be
 * NULL for the defaults. On success fills *out and returns ASSAY_OK; on
 * ASSAY_E_NOMEM *out is empty.
 * Ownership: the caller frees *out with asy_quotes_free(); it does not
 * point into text. Linear time; thread-safe (no shared state). */
int asy_quotes_scan(const char *text, size_t len, const asy_quote_opts *o,
                    asy_quotes *out, asy_error *err);

/* Free the arrays and reset to empty. NULL is allowed. */
void asy_quotes_free(asy_quotes *r);

#endif
