/*
 * ngram.h — the word stream the counting toolkit shares (UAX #29 words,
 * case-folded, tagged with their sentence) and n-gram counting over it:
 * counts and document frequencies into interned counters, keys joined
 * with one space ("belt and road").
 */
#ifndef ASY_NGRAM_H
#define ASY_NGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "counter.h"
#include "segment.h"
#include "strbuf.h"

enum {
    ASY_WS_LOWER = 1,   /* Unicode case folding + NFC (ASCII: tolower) */
    ASY_WS_NUMBERS = 2, /* keep number tokens ("1990", "3.5") */
};

/* One word of the stream. The normalised form is norm.data[noff..+nlen). */
typedef struct asy_word {
    size_t start, end;   /* byte offsets in the text, end-exclusive */
    size_t cstart, cend; /* code-point offsets */
    size_t noff;         /* offset of the normalised form in ws->norm */
    uint32_t nlen;       /* its length in bytes */
    uint32_t sent;       /* sentence index (0 when no sentences given) */
    uint32_t run;        /* run index: grows at every token left out of the
                            stream, so words of one run were adjacent */
} asy_word;

typedef struct asy_wordstream {
    asy_word *w;
    size_t n, cap;
    asy_buf norm; /* normalised forms, back to back, no separators */
} asy_wordstream;

#define ASY_WORDSTREAM_INIT {NULL, 0, 0, ASY_BUF_INIT}

/* Fill ws (cleared first, memory kept) with the word tokens of
 * text[0..len): UAX #29 segments of kind word (and number with
 * ASY_WS_NUMBERS). A number left out (no ASY_WS_NUMBERS) ends a run
 * (asy_word.run), so that no n-gram joins the words on either side of it;
 * punctuation, symbols, emoji and white space are separators, not
 * tokens, and end nothing. sents (may be NULL) are sorted
 * byte spans; each word is tagged with the index of the sentence
 * containing its start (words between sentences take the next one).
 * Returns 0 or -1 when out of memory. */
int asy_wordstream_build(asy_wordstream *ws, const char *text, size_t len,
                         unsigned flags, const asy_span *sents,
                         size_t nsents);
void asy_wordstream_free(asy_wordstream *ws);

/* Normalised form of word i (not NUL-terminated). */
static inline const char *asy_wordstream_norm(const asy_wordstream *ws,
                                              size_t i)
{
    return ws->norm.data + ws->w[i].noff;
}

/* Fold one token into out (appended): ASCII bytes lowered in place,
 * anything else through utf8proc case folding + NFC. Returns 0 or -1. */
int asy_fold_append(asy_buf *out, const char *s, size_t n);

/*
 * Count the n-grams of one document, nmin <= n <= nmax (1..5), into
 * counts (+1 per occurrence) and docs (+1 per distinct n-gram of this
 * document; may be NULL). An n-gram joins only words of one run (no
 * dropped token between them) and, with same_sentence, of one sentence.
 * Returns the number of n-grams counted, or -1 when out of memory
 * (counters may then hold part of the document).
 */
long asy_ngram_count(const asy_wordstream *ws, int nmin, int nmax,
                     int same_sentence, asy_counter *counts,
                     asy_counter *docs);

/* Add a document's local table into the corpus tables: every count into
 * counts, 1 per distinct key into docs (may be NULL). 0 or -1 (OOM). */
int asy_ngram_fold_doc(asy_counter *local, asy_counter *counts,
                       asy_counter *docs);

/*
 * N-gram tables: one paired counter (counter.h) holds each n-gram once
 * with both of its numbers, its count and its document count, so merge and
 * save/load (-j) carry both and neither has a limit below 2^63.
 */

/* asy_ngram_count into one table (made paired if it is not). Same return
 * values. */
long asy_ngram_count_table(const asy_wordstream *ws, int nmin, int nmax,
                           int same_sentence, asy_counter *table);

/* The n-grams of a table with count >= min_count in output order (count
 * descending, then key bytewise ascending): e[i] is row i, with its count
 * and document count. The array is one of the counter's arrays of
 * entries (free with asy_ngram_rows_free); the keys are the table's, valid
 * until it changes. */
typedef struct asy_ngram_rows {
    asy_counter_entry *e;
    size_t n;
} asy_ngram_rows;

/* 0, or -1 when out of memory (r is then empty). Sorted on up to
 * `threads` threads (asy_counter_sorted_mt). */
int asy_ngram_rows_build(const asy_counter *table, int64_t min_count,
                         int threads, asy_ngram_rows *r);
void asy_ngram_rows_free(asy_ngram_rows *r);

#endif
