/*
 * token_count.c — asy_tok_count and asy_tok_count_paired (token.h), the
 * counting kernel behind counter:add_words and the wordfreq plugin.
 *
 * A text's words are first tallied in a small table of its own (keys of up
 * to 16 bytes held inline and compared as two 64-bit words), then each
 * distinct word goes to the shared counters once: its occurrences to
 * `counts`, 1 to `docs` — or both to one paired counter (counter.h), one
 * probe instead of two. So the large tables, whose look-ups miss the
 * cache, are touched once per distinct word and text instead of once per
 * occurrence, and document frequencies need no per-word stamp. ASCII words
 * are loaded, folded and hashed 16 bytes at a time, without a copy; other
 * words go through asy_tok_normalise first. The tally's hash is the
 * counters' own (asy_counter_hash16), so a word is hashed once per
 * occurrence and never again when drained. Words longer than 16 bytes
 * (after normalising) skip the tally and go to the counters directly. The
 * tally stops growing at 1 MB (16,384 distinct words); a text with more
 * drains it and starts over, and from then on the docs counter's
 * per-round stamp keeps each word to one count per text. (Tried: a 4 MB
 * tally, which spills less but misses L2 on every probe: 13-20 % slower.)
 */
#include <stdlib.h>
#include <string.h>

#include "ascii8.h"
#include "counter.h"
#include "token.h"

#define INLINE_MAX 16 /* longest key tallied inline */
#define FILL 64       /* segments fetched per asy_wb_fill call */
#define FIRST_CAP 1024 /* most tally slots to start with (32 KB) */
#define MAX_CAP 32768  /* most tally slots (1 MB): a longer text spills */

typedef struct entry {
    uint64_t key[2]; /* key bytes, zero padded */
    uint32_t len;    /* 0: empty slot */
    uint32_t hash;   /* asy_counter_hash16: the bucket, here and shared */
    uint64_t count;
} entry;

typedef struct tally {
    entry *tab;
    size_t mask;
    uint32_t *order; /* occupied slots in the order their keys came */
    size_t used;
} tally;

/* One batch of segments between asy_wb_fill and the tally: the ASCII
 * words are loaded, folded and hashed first and their slots prefetched,
 * so that the probes of a large tally overlap their cache misses. */
typedef struct staged {
    uint64_t key[FILL][2];
    uint32_t hash[FILL];
    uint8_t state[FILL]; /* FAST, DROP or SLOW */
} staged;

/* The key's hash, the same for the tally and the shared counters, so a
 * word is hashed once per occurrence and never again when drained. */
static inline uint32_t bucket(const uint64_t key[2], uint32_t len)
{
    return asy_counter_hash16(key[0], key[1], len);
}

/* A table sized for a text of len bytes: about one slot per 4 bytes
 * (a news article of a few KB needs no growing), at least 64, at most
 * FIRST_CAP to start with. */
static int tally_init(tally *t, size_t len)
{
    size_t cap = 64;
    while (cap < FIRST_CAP && cap < len / 4)
        cap *= 2;
    t->tab = calloc(cap, sizeof *t->tab);
    t->order = malloc(cap / 2 * sizeof *t->order);
    t->mask = cap - 1;
    t->used = 0;
    return t->tab && t->order ? 0 : -1;
}

/* Double the table (kept at most half full), keeping the key order. */
static int tally_grow(tally *t)
{
    size_t cap = (t->mask + 1) * 2;
    if (cap > ((size_t)1 << 31))
        return -1;
    entry *tab = calloc(cap, sizeof *tab);
    uint32_t *order = malloc(cap / 2 * sizeof *order);
    if (!tab || !order) {
        free(tab);
        free(order);
        return -1;
    }
    for (size_t k = 0; k < t->used; k++) {
        const entry *e = &t->tab[t->order[k]];
        size_t j = e->hash & (cap - 1);
        while (tab[j].len)
            j = (j + 1) & (cap - 1);
        tab[j] = *e;
        order[k] = (uint32_t)j;
    }
    free(t->tab);
    free(t->order);
    t->tab = tab;
    t->order = order;
    t->mask = cap - 1;
    return 0;
}

static void tally_free(tally *t)
{
    free(t->tab);
    free(t->order);
}

/* Count one occurrence of the key (len 1..16) whose bucket() is hash.
 * 0, 1 when the tally is now full (at MAX_CAP: drain and clear it before
 * the next add), or -1 when out of memory. (Tried: the hit and the insert
 * on one branch-free path, the slot rewritten either way and the count
 * kept by a mask: 5-8 % slower in all.) */
static inline int tally_add_h(tally *t, const uint64_t key[2], uint32_t len,
                              uint32_t hash)
{
    size_t i = hash & t->mask;
    for (;;) {
        entry *e = &t->tab[i];
        if (e->key[0] == key[0] && e->key[1] == key[1] && e->len == len) {
            e->count++;
            return 0;
        }
        if (!e->len)
            break;
        i = (i + 1) & t->mask;
    }
    entry *e = &t->tab[i];
    e->key[0] = key[0];
    e->key[1] = key[1];
    e->len = len;
    e->hash = hash;
    e->count = 1;
    t->order[t->used] = (uint32_t)i;
    if (++t->used * 2 >= t->mask + 1)
        return t->mask + 1 < MAX_CAP ? tally_grow(t) : 1;
    return 0;
}

static inline int tally_add(tally *t, const uint64_t key[2], uint32_t len)
{
    return tally_add_h(t, key, len, bucket(key, len));
}

/* Where the words of one text go. */
typedef struct sink {
    tally t;
    asy_counter *counts, *docs; /* both the same paired counter when paired */
    int paired;
    int begun;      /* asy_counter_begin_distinct called on docs */
    int spilled;    /* the tally was drained before the end of the text */
    size_t counted; /* occurrences (or distinct words, counts NULL) */
} sink;

/* Start the docs counter's distinct round for this text (once). */
static int begin(sink *k)
{
    if (!k->begun && asy_counter_begin_distinct(k->docs) < 0)
        return -1;
    k->begun = 1;
    return 0;
}

/* A normalised word longer than the tally takes: straight into the
 * counters (document frequency by the counter's per-round stamp). */
static int add_long(sink *k, const char *w, size_t n)
{
    uint32_t h = asy_counter_hash(w, n);
    if (k->paired) {
        if (begin(k) < 0 || asy_counter_add_doc(k->docs, w, n, h, 1) < 0)
            return -1;
        k->counted++;
        return 0;
    }
    if (k->counts) {
        if (asy_counter_add_h(k->counts, w, n, h, 1) < 0)
            return -1;
        k->counted++;
    }
    if (k->docs) {
        if (begin(k) < 0)
            return -1;
        int r = asy_counter_add_distinct(k->docs, w, n, h);
        if (r < 0)
            return -1;
        k->counted += !k->counts && r;
    }
    return 0;
}

/* Add a normalised word w[0..n). */
static int add_norm(sink *k, const char *w, size_t n)
{
    if (n > INLINE_MAX)
        return add_long(k, w, n);
    uint64_t key[2];
    asy_load16(w, n, w, key); /* w may end at n: copy */
    return tally_add(&k->t, key, (uint32_t)n);
}

enum { FAST, DROP, SLOW };

/*
 * Code points of a word made of ASCII and U+2019 RIGHT SINGLE QUOTATION
 * MARK (E2 80 99) only, or 0 when it has any other non-ASCII byte. News
 * text writes its apostrophes that way (Kazakhstan’s, don’t): about one
 * word in 150, the commonest by far of the words that are not ASCII. The
 * mark has no case folding, no decomposition and no compatibility form,
 * so every normalisation asy_tok_normalise applies (case folding, NFC,
 * NFKC) leaves it as it is and lowers only the ASCII letters around it:
 * such a word can take the fast path instead of utf8proc.
 */
static size_t apos_word(const char *s, size_t n)
{
    size_t cps = 0;
    for (size_t i = 0; i < n; cps++) {
        if (!((unsigned char)s[i] & 0x80)) {
            i++;
        } else if (n - i >= 3 && memcmp(s + i, "\xe2\x80\x99", 3) == 0) {
            i += 3;
        } else {
            return 0;
        }
    }
    return cps;
}

/* asy_lower8 on the ASCII bytes of v, the others kept: they are cleared
 * first, since asy_lower8's adds would carry out of them. */
static inline uint64_t lower_ascii8(uint64_t v)
{
    uint64_t high = ((v & ASY_HIGH) >> 7) * 0xff; /* 0xff per byte >= 0x80 */
    return asy_lower8(v & ~high) | (v & high);
}

/* Stage segment s[0..n): FAST (key and hash filled in), DROP (a word of
 * the fast path shorter than min_length) or SLOW (needs asy_tok_normalise:
 * non-ASCII other than apostrophes U+2019, longer than 16 bytes, or stop
 * words / stemming asked for). */
static inline int stage(staged *st, int i, const tally *t,
                        const asy_tok_opts *o, const char *s, size_t n,
                        const char *end)
{
    if (n > INLINE_MAX || o->stop || o->stem)
        return SLOW;
    uint64_t *key = st->key[i];
    asy_load16(s, n, end, key);
    if ((key[0] | key[1]) & ASY_HIGH) {
        size_t cps = apos_word(s, n);
        if (!cps)
            return SLOW;
        if (cps < o->min_length)
            return DROP;
        if (o->flags & ASY_TOK_LOWER) {
            key[0] = lower_ascii8(key[0]);
            key[1] = lower_ascii8(key[1]);
        }
    } else if (n < o->min_length) {
        return DROP;
    } else if (o->flags & ASY_TOK_LOWER) {
        key[0] = asy_lower8(key[0]);
        key[1] = asy_lower8(key[1]);
    }
    st->hash[i] = bucket(key, (uint32_t)n);
    __builtin_prefetch(&t->tab[st->hash[i] & t->mask]);
    return FAST;
}

#define BATCH 64 /* distinct words hashed and prefetched together */

/* Add 1 to the document frequency of a tallied word once the text has
 * spilled: a word may then reach the counter twice, so the counter's
 * per-round stamp decides. 1 when counted, 0 when already counted, -1
 * when out of memory. */
static int add_doc(sink *k, const char *w, size_t n, uint32_t h)
{
    if (begin(k) < 0)
        return -1;
    return asy_counter_add_distinct(k->docs, w, n, h);
}

/* Add a batch of distinct words to a paired counter: occurrences to the
 * counts, 1 to the document counts (once the text has spilled, only for
 * words the round has not counted yet). */
static int drain_paired(sink *k, size_t nb, const char *const *kp,
                        const size_t *kl, const uint32_t *h,
                        const int64_t *by)
{
    if (!k->spilled)
        return asy_counter_add_batch2(k->counts, nb, kp, kl, h, by, 1);
    if (begin(k) < 0)
        return -1;
    return asy_counter_add_doc_batch(k->counts, nb, kp, kl, h, by);
}

/* Move the tally into the counters, a batch at a time (each batch's cache
 * misses overlap inside asy_counter_add_batch). */
static int drain(sink *k)
{
    const tally *t = &k->t;
    size_t i = 0;
    while (i < t->used) {
        const char *kp[BATCH];
        size_t kl[BATCH];
        uint32_t h[BATCH];
        int64_t by[BATCH];
        size_t nb = 0;
        for (; i < t->used && nb < BATCH; i++, nb++) {
            const entry *e = &t->tab[t->order[i]];
            kp[nb] = (const char *)e->key; /* memory order: the bytes */
            kl[nb] = e->len;
            h[nb] = e->hash;
            by[nb] = (int64_t)e->count;
        }
        for (size_t j = 0; j < nb && k->counts; j++)
            k->counted += (size_t)by[j];
        if (k->paired) {
            if (drain_paired(k, nb, kp, kl, h, by) < 0)
                return -1;
            continue;
        }
        if (k->counts &&
            asy_counter_add_batch(k->counts, nb, kp, kl, h, by) < 0)
            return -1;
        size_t docs = nb; /* distinct words newly counted in docs */
        if (k->docs && !k->spilled) {
            if (asy_counter_add_batch(k->docs, nb, kp, kl, h, NULL) < 0)
                return -1;
        } else if (k->docs) {
            docs = 0;
            for (size_t j = 0; j < nb; j++) {
                int r = add_doc(k, kp[j], kl[j], h[j]);
                if (r < 0)
                    return -1;
                docs += (size_t)r;
            }
        }
        if (!k->counts)
            k->counted += docs;
    }
    return 0;
}

/* The tally is full: move it into the counters and clear it. */
static int spill(sink *k)
{
    k->spilled = 1;
    if (drain(k) < 0)
        return -1;
    memset(k->t.tab, 0, (k->t.mask + 1) * sizeof *k->t.tab);
    k->t.used = 0;
    return 0;
}

/* Tally the wanted segments of text[0..len). */
static int tally_text(sink *k, const char *text, size_t len,
                      const asy_tok_opts *o)
{
    asy_wb_iter it;
    asy_wb_seg seg[FILL];
    asy_tok_norm nm = ASY_TOK_NORM_INIT;
    staged *st = malloc(sizeof *st); /* ~2 KB, off the stack */
    const char *end = text + len;
    size_t got;
    int rc = st ? 0 : -1;
    asy_wb_init(&it, text, len,
                (o->kinds ? o->kinds : ASY_WB_WORDLIKE) | ASY_WB_BYTES_ONLY);
    while (rc == 0 && (got = asy_wb_fill(&it, seg, FILL)) > 0) {
        for (size_t i = 0; i < got; i++)
            st->state[i] = (uint8_t)stage(st, (int)i, &k->t, o,
                                          text + seg[i].start,
                                          seg[i].end - seg[i].start, end);
        for (size_t i = 0; i < got && rc == 0; i++) {
            const char *w;
            size_t wn;
            int r = 0;
            if (st->state[i] == FAST)
                r = tally_add_h(&k->t, st->key[i],
                                (uint32_t)(seg[i].end - seg[i].start),
                                st->hash[i]);
            else if (st->state[i] == SLOW) {
                r = asy_tok_normalise(&nm, o, text + seg[i].start,
                                      seg[i].end - seg[i].start,
                                      (int)seg[i].kind, &w, &wn);
                if (r > 0)
                    r = add_norm(k, w, wn);
            }
            if (r == 1)
                r = spill(k);
            rc = r < 0 ? -1 : 0;
        }
    }
    asy_tok_norm_free(&nm);
    free(st);
    return rc;
}

/* Count text into counts and docs (the same counter when paired). */
static int count_text(const char *text, size_t len, const asy_tok_opts *o,
                      asy_counter *counts, asy_counter *docs, int paired,
                      size_t *counted)
{
    static const asy_tok_opts none = {0, 0, NULL, NULL, 0};
    sink k = {{NULL, 0, NULL, 0}, counts, docs, paired, 0, 0, 0};
    *counted = 0;
    if (tally_init(&k.t, len) < 0) {
        tally_free(&k.t);
        return -1;
    }
    int rc = tally_text(&k, text, len, o ? o : &none);
    if (rc == 0)
        rc = drain(&k);
    tally_free(&k.t);
    *counted = k.counted;
    return rc;
}

int asy_tok_count_paired(const char *text, size_t len, const asy_tok_opts *o,
                         asy_counter *c, size_t *counted)
{
    *counted = 0;
    if (asy_counter_pair(c) < 0)
        return -1;
    return count_text(text, len, o, c, c, 1, counted);
}

int asy_tok_count(const char *text, size_t len, const asy_tok_opts *o,
                  asy_counter *counts, asy_counter *docs, size_t *counted)
{
    return count_text(text, len, o, counts, docs, 0, counted);
}
