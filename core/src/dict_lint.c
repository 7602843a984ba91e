/*
 * dict_lint.c — static checks of a dictionary for `assay dict lint`:
 * repeated entries, entries the tokenizer can never produce, globs nested
 * in other globs, globs of other shapes that match some word alike
 * (energ* and *ergy both match energy; the token goes to one of them),
 * and exact words that hide a glob of other categories (the
 * longest-match rule gives the token to the exact word).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict_int.h"
#include "utf8.h"

typedef struct lint {
    asy_dict *d;
    asy_dict_lint_fn fn;
    void *ud;
    int n;
} lint;

static void report(lint *l, const dict_entry *e, const char *kind,
                   const char *msg)
{
    l->fn(l->ud, e->file, e->line, kind, msg);
    l->n++;
}

static void cats_str(const asy_dict *d, const dict_entry *e, char *buf,
                     size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < e->ncats && o + 1 < size; i++)
        o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? "," : "",
                              d->cats[e->cats[i]].path);
}

static int same_cats(const dict_entry *a, const dict_entry *b)
{
    if (a->ncats != b->ncats)
        return 0;
    for (int i = 0; i < a->ncats; i++) {
        int found = 0;
        for (int j = 0; j < b->ncats && !found; j++)
            found = a->cats[i] == b->cats[j];
        if (!found)
            return 0;
    }
    return 1;
}

static void check_entry(lint *l, const dict_entry *e)
{
    char msg[1024], cs[256];
    cats_str(l->d, e, cs, sizeof cs);
    if (e->dups) {
        snprintf(msg, sizeof msg, "duplicate entry '%s' in %s (repeated %d "
                 "time(s), first repeat at line %ld)", e->term, cs, e->dups,
                 e->dup_line);
        report(l, e, "duplicate", msg);
    }
    if (e->kind == ASY_DICT_NEVER) {
        snprintf(msg, sizeof msg, "entry '%s' (%s) can never match: the "
                 "tokenizer splits it or it has no letters or digits", e->term,
                 cs);
        report(l, e, "never", msg);
    }
    if (e->kind != ASY_DICT_WORD)
        return;
    int32_t g = asy_dict_best_glob(l->d, e->norm, strlen(e->norm));
    if (g < 0)
        return;
    const dict_entry *ge = &l->d->entries[g];
    char gs[256];
    cats_str(l->d, ge, gs, sizeof gs);
    if (same_cats(e, ge))
        snprintf(msg, sizeof msg, "entry '%s' is redundant: glob '%s' "
                 "already counts it for %s", e->term, ge->term, cs);
    else
        snprintf(msg, sizeof msg, "entry '%s' (%s) shadows glob '%s' (%s): "
                 "'%s' is counted for %s only", e->term, cs, ge->term, gs,
                 e->norm, cs);
    report(l, e, same_cats(e, ge) ? "redundant" : "shadow", msg);
}

/* Globs of one kind whose literal part contains another's: every token
 * matching the longer one also matches the shorter. */
static void check_nested(lint *l, asy_dict_kind kind)
{
    asy_dict *d = l->d;
    for (size_t i = 0; i < d->nentries; i++) {
        const dict_entry *a = &d->entries[i];
        if (a->kind != kind || !a->ncats)
            continue;
        size_t an = strlen(a->norm) - 1;
        const char *ap = a->norm + (kind == ASY_DICT_SUFFIX);
        for (size_t j = 0; j < d->nentries; j++) {
            const dict_entry *b = &d->entries[j];
            size_t bn = strlen(b->norm) - 1;
            const char *bp = b->norm + (kind == ASY_DICT_SUFFIX);
            if (j == i || b->kind != kind || bn <= an)
                continue;
            int nested = kind == ASY_DICT_PREFIX ? !memcmp(ap, bp, an)
                                                 : !memcmp(ap, bp + bn - an, an);
            if (!nested)
                continue;
            char msg[1024];
            snprintf(msg, sizeof msg, "glob '%s' overlaps glob '%s'%s: tokens "
                     "matching both count for '%s' only", a->term, b->term,
                     same_cats(a, b) ? " (same categories)" : "", b->term);
            report(l, a, "overlap", msg);
        }
    }
}

/* ---- globs of different shapes matching the same word ---------------- */

#define MAXCP 64 /* longest glob looked at, in code points */
#define STAR (-1)
#define ANY (-2)

typedef struct pat {
    int32_t c[MAXCP]; /* code points, STAR for '*', ANY for '?' */
    int n;
} pat;

/* Code points of the glob that are not wildcards. */
static int literal_len(const pat *p)
{
    int n = 0;
    for (int i = 0; i < p->n; i++)
        n += p->c[i] >= 0;
    return n;
}

static int to_pat(const char *s, pat *p)
{
    size_t len = strlen(s);
    p->n = 0;
    for (size_t i = 0; i < len; p->n++) {
        int32_t cp;
        int k = asy_utf8_decode((const unsigned char *)s + i, len - i, &cp);
        if (p->n == MAXCP || k <= 0)
            return -1;
        p->c[p->n] = s[i] == '*' ? STAR : s[i] == '?' ? ANY : cp;
        i += (size_t)k;
    }
    return 0;
}

/* One step of the search: from state `from` to `to`, writing code point
 * cp (0: a move that writes nothing). */
typedef struct step {
    int from;
    int32_t cp;
} step;

/* The code point both items accept (a literal, or 'x' for two
 * wildcards), or 0 when none. */
static int32_t meet(int32_t x, int32_t y)
{
    if (x >= 0 && y >= 0)
        return x == y ? x : 0;
    return x >= 0 ? x : y >= 0 ? y : 'x';
}

/* A shortest word both globs match, as UTF-8 in w (at least MAXCP * 8
 * bytes): a 0-1 breadth-first search over (position in a, position in
 * b), where a move that writes no letter costs nothing. 1 when there is
 * one, 0 when none, -1 when out of memory. */
static int common_word(const pat *a, const pat *b, char *w)
{
    int nb = b->n + 1, ns = (a->n + 1) * nb;
    step *how = malloc((size_t)ns * sizeof *how);
    int *dq = malloc(2 * (size_t)ns * 5 * sizeof *dq);
    int *dist = malloc((size_t)ns * sizeof *dist);
    if (!how || !dq || !dist) {
        free(how), free(dq), free(dist);
        return -1;
    }
    for (int k = 0; k < ns; k++)
        dist[k] = -1;
    int head = 5 * ns, tail = head; /* a deque: the front grows down */
    dq[tail++] = 0;
    dist[0] = 0;
    how[0] = (step){-1, 0};
    while (head < tail) {
        int st = dq[head++], i = st / nb, j = st % nb;
        if (i == a->n && j == b->n)
            break;
        int32_t x = i < a->n ? a->c[i] : 0, y = j < b->n ? b->c[j] : 0;
        /* moves (di, dj, writes a letter) and when each applies */
        static const int mv[5][3] = {{1, 0, 0}, {0, 1, 0}, {1, 1, 1},
                                     {1, 0, 1}, {0, 1, 1}};
        int ok[5] = {x == STAR, y == STAR, x && y && x != STAR && y != STAR,
                     x && x != STAR && y == STAR, x == STAR && y && y != STAR};
        for (int m = 0; m < 5; m++) {
            int32_t cp = mv[m][2] ? meet(x, y) : 0;
            if (!ok[m] || (mv[m][2] && !cp))
                continue;
            int to = (i + mv[m][0]) * nb + j + mv[m][1];
            int d = dist[st] + mv[m][2];
            if (dist[to] >= 0 && dist[to] <= d)
                continue;
            dist[to] = d;
            how[to] = (step){st, cp};
            if (mv[m][2])
                dq[tail++] = to;
            else
                dq[--head] = to; /* no letter written: explore first */
        }
    }
    int found = dist[ns - 1] >= 0;
    int32_t rev[2 * MAXCP + 2];
    int k = 0;
    for (int st = ns - 1; found && st > 0; st = how[st].from)
        if (how[st].cp && k < 2 * MAXCP + 2)
            rev[k++] = how[st].cp;
    size_t o = 0;
    while (k > 0)
        o += (size_t)asy_utf8_encode(rev[--k], w + o);
    w[o] = '\0';
    free(how), free(dq), free(dist);
    return found;
}

/* Globs of different categories and different shapes (nested ones of one
 * shape are check_nested's) whose fixed letters overlap in some word
 * (energ* and *ergy in "energy", c?t and ca* in "cat"): the token counts
 * for one of them only. Globs that can only meet end to end (energ* and
 * *ism in "energism") are not reported: any prefix glob meets any suffix
 * glob that way, and only a corpus tells whether such words occur. */
static void check_crossing(lint *l)
{
    asy_dict *d = l->d;
    for (size_t i = 0; i < d->nentries; i++) {
        const dict_entry *a = &d->entries[i];
        pat pa, pb;
        if (a->kind < ASY_DICT_PREFIX || a->kind > ASY_DICT_GLOB ||
            !a->ncats || to_pat(a->norm, &pa) < 0)
            continue;
        for (size_t j = i + 1; j < d->nentries; j++) {
            const dict_entry *b = &d->entries[j];
            if (b->kind < ASY_DICT_PREFIX || b->kind > ASY_DICT_GLOB ||
                !b->ncats || (b->kind == a->kind && a->kind != ASY_DICT_GLOB) ||
                same_cats(a, b) || to_pat(b->norm, &pb) < 0)
                continue;
            char w[MAXCP * 8 + 1], msg[1024];
            if (common_word(&pa, &pb, w) <= 0 ||
                (int)asy_utf8_count(w, strlen(w)) >=
                    literal_len(&pa) + literal_len(&pb))
                continue;
            const dict_entry *win =
                asy_dict_entry_better(d, (int32_t)i, (int32_t)j) ? a : b;
            snprintf(msg, sizeof msg, "glob '%s' overlaps glob '%s': both "
                     "match words such as '%s', which count for '%s' only",
                     a->term, b->term, w, win->term);
            report(l, a, "overlap", msg);
        }
    }
}

int asy_dict_lint(asy_dict *d, asy_dict_lint_fn fn, void *ud)
{
    if (!d->compiled && asy_dict_compile(d, NULL) != ASSAY_OK)
        return ASSAY_E_NOMEM;
    lint l = {d, fn, ud, 0};
    for (size_t i = 0; i < d->nentries; i++)
        check_entry(&l, &d->entries[i]);
    check_nested(&l, ASY_DICT_PREFIX);
    check_nested(&l, ASY_DICT_SUFFIX);
    check_crossing(&l);
    return l.n;
}
