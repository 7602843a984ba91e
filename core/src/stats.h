/*
 * stats.h — association and keyness scores over 2x2 contingency tables:
 * pointwise mutual information, t-score, log-likelihood G² (Dunning
 * 1993), Pearson's chi², and Hardie's (2014) log ratio; plus the table
 * builders that score every bigram of a counter (collocations) and every
 * word of a target frequency table against a reference one (keyness).
 *
 * The contingency table, for a bigram w1 w2 over N tokens:
 *              w2          not w2
 *   w1         O11 = c12   O12 = c1 - c12
 *   not w1     O21 = c2-c12 O22 = N - c1 - c2 + c12
 * and, for keyness of a word with frequency a in a target of c tokens and
 * b in a reference of d tokens: O11 = a, O12 = b, O21 = c - a, O22 = d - b.
 */
#ifndef ASY_STATS_H
#define ASY_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "counter.h"

/* G² = 2 Σ O ln(O/E), with 0 ln 0 = 0 and E from the margins. 0 when a
 * margin is empty. Cells must be >= 0. */
double asy_stats_g2(double o11, double o12, double o21, double o22);
/* Pearson's chi² without continuity correction: N(ad-bc)² / (product of
 * the margins); 0 when a margin is empty. */
double asy_stats_chi2(double o11, double o12, double o21, double o22);

typedef struct asy_assoc {
    double mi;   /* log2(c12 N / (c1 c2)); -inf never: c12 >= 1 assumed */
    double t;    /* (c12 - c1 c2 / N) / sqrt(c12) */
    double g2;   /* Dunning's log-likelihood */
    double chi2; /* Pearson's chi² */
} asy_assoc;

/* Scores of a bigram seen c12 times whose words occur c1 and c2 times
 * among n tokens. Returns 0, or -1 when the counts are inconsistent
 * (c12 < 1, c12 > c1 or c2, c1 + c2 - c12 > n). */
int asy_stats_bigram(int64_t c12, int64_t c1, int64_t c2, int64_t n,
                     asy_assoc *out);

typedef struct asy_keyness {
    double g2;        /* signed: negative when relatively more frequent in
                         the reference */
    double chi2;      /* signed the same way */
    double log_ratio; /* log2((a/c) / (b/d)), a zero count taken as 0.5 */
} asy_keyness;

/* Keyness of a word: a in a target of c tokens, b in a reference of d.
 * Returns 0, or -1 when a > c, b > d, or c or d is 0. */
int asy_stats_keyness(int64_t a, int64_t b, int64_t c, int64_t d,
                      asy_keyness *out);

/* ---- whole tables ---------------------------------------------------- */

typedef struct asy_colloc {
    const char *key; /* "w1 w2", owned by the bigram counter */
    size_t len, split; /* key length; w1 = key[0..split), w2 after it + 1 */
    int64_t c12, c1, c2;
    asy_assoc s;
} asy_colloc;

/* Score every bigram of `bigrams` (keys "w1 w2") seen >= min_count
 * times, using unigram counts and n tokens. Sorted by `sort_by`
 * ("log_likelihood", "mi", "t_score", "chi2" or "count") descending, then
 * key ascending. Bigrams whose parts are missing from `unigrams` are
 * skipped. Both counters are settled first. A large table is scored and
 * sorted on up to `threads` threads (par.h). *out is malloc'd (caller
 * frees; NULL when no bigram is kept; keys valid until the bigram counter
 * changes). Returns 0, -1 when out of memory, -2 for an unknown
 * sort_by. */
int asy_stats_collocations(const asy_counter *bigrams,
                           const asy_counter *unigrams, int64_t n,
                           int64_t min_count, const char *sort_by,
                           int threads, asy_colloc **out, size_t *nout);

typedef struct asy_keyrow {
    const char *key; /* owned by target or reference */
    size_t len;
    int64_t a, b; /* target and reference counts */
    asy_keyness k;
} asy_keyrow;

/* Keyness of every word whose target + reference count >= min_count, the
 * corpus sizes being the counters' totals. Sorted by signed G²
 * descending (key words of the target first, those of the reference
 * last), then key ascending. Returns 0 or -1 (out of memory, or an empty
 * side: *nout = 0). */
int asy_stats_keywords(const asy_counter *target, const asy_counter *ref,
                       int64_t min_count, asy_keyrow **out, size_t *nout);

#endif
