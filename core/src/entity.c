/*
 * entity.c — capitalised-name extraction (see entity.h). Two passes over
 * the word stream: first the set of words seen capitalised inside a
 * sentence, then the runs of capitalised words and connectors, with
 * sentence-initial words admitted only when that set vouches for them.
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "entity.h"

static const char *const CONNECTORS[] = {
    "of",  "de",  "da",  "di",  "du",  "del", "della", "der", "den", "des",
    "van", "von", "la",  "le",  "al",  "bin", "ibn",   "y",   NULL};

static int is_connector(const char *s, size_t n)
{
    for (int k = 0; CONNECTORS[k]; k++)
        if (strlen(CONNECTORS[k]) == n && memcmp(CONNECTORS[k], s, n) == 0)
            return 1;
    return 0;
}

/* First character upper or title case. */
static int is_cap(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    if (c < 0x80)
        return c >= 'A' && c <= 'Z';
    utf8proc_int32_t cp;
    if (utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n,
                         &cp) < 0)
        return 0;
    utf8proc_category_t cat = utf8proc_category(cp);
    return cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT;
}

static const char *wtext(const char *text, const asy_word *w, size_t *n)
{
    *n = w->end - w->start;
    return text + w->start;
}

/* Clause-initial: first word of a sentence, or right after a dash, colon
 * or opening quote/bracket ("ASTANA – On July 2", "said: “We ..."), where
 * capitals are as uninformative as at a sentence start. */
static int sent_initial(const char *text, const asy_wordstream *ws, size_t i)
{
    if (i == 0 || ws->w[i].sent != ws->w[i - 1].sent)
        return 1;
    size_t k = ws->w[i].start, lo = ws->w[i - 1].end;
    while (k > lo && text[k - 1] == ' ')
        k--;
    if (k == lo)
        return 0;
    /* by the byte before the spaces first: most words follow a letter */
    unsigned char c = (unsigned char)text[k - 1];
    if (c == ':' || c == '"' || c == '(')
        return 1;
    if (c < 0x80 || k - lo < 3 || text[k - 3] != '\xE2' ||
        text[k - 2] != '\x80')
        return 0;
    return c == 0x93 || c == 0x94 || c == 0x9C || c == 0x98; /* – — “ ‘ */
}

/* Words i-1 and i are adjacent within a name: same sentence, separated
 * only by spaces (one or more) or by exactly one hyphen. */
static int joined(const char *text, const asy_wordstream *ws, size_t i)
{
    const asy_word *a = &ws->w[i - 1], *b = &ws->w[i];
    if (a->sent != b->sent || b->start == a->end)
        return 0;
    if (b->start - a->end == 1 && text[a->end] == '-')
        return 1;
    for (size_t k = a->end; k < b->start; k++)
        if (text[k] != ' ')
            return 0;
    return 1;
}

/* Pass 1: capitalised words seen inside sentences. */
static int known_caps(const char *text, const asy_wordstream *ws,
                      asy_counter *known)
{
    for (size_t i = 0; i < ws->n; i++) {
        size_t n;
        const char *s = wtext(text, &ws->w[i], &n);
        if (is_cap(s, n) && !sent_initial(text, ws, i) &&
            asy_counter_add(known, s, n, 1) < 0)
            return -1;
    }
    return 0;
}

static int name_start(const char *text, const asy_wordstream *ws, size_t i,
                      const asy_counter *known)
{
    size_t n;
    const char *s = wtext(text, &ws->w[i], &n);
    if (!is_cap(s, n))
        return 0;
    return !sent_initial(text, ws, i) || asy_counter_get(known, s, n) > 0;
}

/* "the" right after a connector ("Bank of the West"). */
static int after_connector(const char *text, const asy_wordstream *ws,
                           size_t j, const char *s, size_t n)
{
    if (n != 3 || memcmp(s, "the", 3) != 0)
        return 0;
    size_t pn;
    const char *p = wtext(text, &ws->w[j - 1], &pn);
    return is_connector(p, pn);
}

/* Extend a name from word i: returns one past its last capitalised word
 * and sets *words to the number of capitalised words in it. */
static size_t name_end(const char *text, const asy_wordstream *ws, size_t i,
                       int *words)
{
    size_t last = i + 1, j = i + 1;
    *words = 1;
    while (j < ws->n && joined(text, ws, j)) {
        size_t n;
        const char *s = wtext(text, &ws->w[j], &n);
        if (is_cap(s, n)) {
            last = ++j;
            ++*words;
        } else if (is_connector(s, n) || (j > i + 1 && after_connector(
                                               text, ws, j, s, n)))
            j++;
        else
            break;
    }
    return last;
}

/* Length of word k without a possessive 's / ’s. */
static size_t base_len(const char *s, size_t n)
{
    if (n > 3 && s[n - 1] == 's' && s[n - 2] == '\'')
        return n - 2;
    if (n > 5 && s[n - 1] == 's' && memcmp(s + n - 4, "\xE2\x80\x99", 3) == 0)
        return n - 4;
    return n;
}

/* The name's text: words joined by one space or their hyphen, a final
 * possessive dropped. */
static int name_key(const char *text, const asy_wordstream *ws, size_t i,
                    size_t last, asy_buf *key)
{
    asy_buf_clear(key);
    for (size_t k = i; k < last; k++) {
        const asy_word *w = &ws->w[k];
        if (k > i) {
            size_t prev = ws->w[k - 1].end;
            int hy = w->start - prev == 1 && text[prev] == '-';
            if (asy_buf_putc(key, hy ? '-' : ' ') < 0)
                return -1;
        }
        size_t n;
        const char *s = wtext(text, w, &n);
        if (k + 1 == last)
            n = base_len(s, n);
        if (asy_buf_append(key, s, n) < 0)
            return -1;
    }
    return 0;
}

static long scan(const char *text, const asy_wordstream *ws, int min_words,
                 const asy_counter *known, asy_counter *local)
{
    asy_buf key = ASY_BUF_INIT;
    long found = 0;
    for (size_t i = 0; i < ws->n && found >= 0;) {
        if (!name_start(text, ws, i, known)) {
            i++;
            continue;
        }
        int words;
        size_t last = name_end(text, ws, i, &words);
        if (words >= min_words) {
            if (name_key(text, ws, i, last, &key) < 0 ||
                asy_counter_add(local, key.data, key.len, 1) < 0)
                found = -1;
            else
                found++;
        }
        i = last;
    }
    asy_buf_free(&key);
    return found;
}

long asy_entities_count(const char *text, const asy_wordstream *ws,
                        int min_words, asy_counter *counts,
                        asy_counter *docs)
{
    asy_counter *known = asy_counter_new();
    asy_counter *local = asy_counter_new();
    long found = -1;
    if (known && local && known_caps(text, ws, known) == 0)
        found = scan(text, ws, min_words < 1 ? 1 : min_words, known, local);
    if (found >= 0 && asy_ngram_fold_doc(local, counts, docs) < 0)
        found = -1;
    asy_counter_free(known);
    asy_counter_free(local);
    return found;
}
