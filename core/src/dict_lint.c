/*
 * dict_lint.c — static checks of a dictionary for `assay dict lint`:
 * repeated entries, entries the tokenizer can never produce, globs nested
 * in other globs, and exact words that hide a glob of other categories
 * (the longest-match rule gives the token to the exact word).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict_int.h"

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

int asy_dict_lint(asy_dict *d, asy_dict_lint_fn fn, void *ud)
{
    if (!d->compiled && asy_dict_compile(d, NULL) != ASSAY_OK)
        return ASSAY_E_NOMEM;
    lint l = {d, fn, ud, 0};
    for (size_t i = 0; i < d->nentries; i++)
        check_entry(&l, &d->entries[i]);
    check_nested(&l, ASY_DICT_PREFIX);
    check_nested(&l, ASY_DICT_SUFFIX);
    return l.n;
}
