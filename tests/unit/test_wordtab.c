/*
 * test_wordtab.c — the word table (wordtab.h): counts and document counts
 * by round, key lengths, growing with the key order kept (in place: every
 * entry where a probe from its home finds it, through every size, and a
 * cluster that runs off the end of the grown table), the stamp wrap,
 * packing, moving its numbers into counters (asy_counter_absorb), and
 * merging two tables (asy_wordtab_merge), on several threads too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "counter.h"
#include "tablemem.h"
#include "testutil.h"
#include "wordtab.h"

/* A key as the table holds it: the bytes, zero padded. */
static void mkkey(const char *s, size_t n, uint64_t key[2])
{
    char buf[16] = {0};
    memcpy(buf, s, n);
    memcpy(key, buf, 16);
}

static int add(asy_wordtab *t, const char *s)
{
    uint64_t key[2];
    size_t n = strlen(s);
    mkkey(s, n, key);
    return asy_wordtab_add(t, key, asy_counter_hash(s, n));
}

/* The entry of s, or NULL: a walk over the occupied slots. */
static const asy_wordtab_entry *lookup(const asy_wordtab *t, const char *s)
{
    uint64_t key[2];
    mkkey(s, strlen(s), key);
    for (size_t k = 0; k < t->used; k++) {
        const asy_wordtab_entry *e = &t->tab[t->order[k]];
        if (e->key[0] == key[0] && e->key[1] == key[1])
            return e;
    }
    return NULL;
}

static void test_rounds(void **state)
{
    (void)state;
    asy_wordtab t;
    assert_int_equal(asy_wordtab_init(&t, 0), 0);
    assert_int_equal(asy_wordtab_begin(&t), 0);
    const char *first[] = {"the", "cat", "the", "the", "sat"};
    for (int i = 0; i < 5; i++)
        assert_int_equal(add(&t, first[i]), 0);
    assert_int_equal(asy_wordtab_begin(&t), 0);
    assert_int_equal(add(&t, "the"), 0);
    assert_int_equal(add(&t, "dog"), 0);
    assert_int_equal(add(&t, "the"), 0);
    assert_int_equal(t.used, 4);
    assert_int_equal(lookup(&t, "the")->count, 5);
    assert_int_equal(lookup(&t, "the")->docs, 2);
    assert_int_equal(lookup(&t, "cat")->docs, 1);
    assert_int_equal(lookup(&t, "dog")->count, 1);
    assert_null(lookup(&t, "mat"));
    /* the order of first arrival */
    assert_memory_equal(t.tab[t.order[1]].key, "cat", 3);
    assert_memory_equal(t.tab[t.order[3]].key, "dog", 3);
    /* the stamps would wrap: begin says so and starts nothing (a
     * counter then settles the table and starts a new one) */
    t.round = UINT32_MAX;
    assert_int_equal(asy_wordtab_begin(&t), 1);
    assert_int_equal(t.round, UINT32_MAX);
    asy_wordtab_free(&t);
    asy_wordtab_free(&t); /* idempotent */
}

/* Lengths 1..16, with NUL bytes inside (not at the end). */
static void test_len(void **state)
{
    (void)state;
    for (size_t n = 1; n <= 16; n++) {
        char s[16];
        memset(s, 'a', n);
        uint64_t key[2];
        mkkey(s, n, key);
        assert_int_equal(asy_wordtab_len(key), n);
        s[0] = '\0';
        if (n > 1) {
            mkkey(s, n, key);
            assert_int_equal(asy_wordtab_len(key), n);
        }
        memset(s, '\xff', n);
        mkkey(s, n, key);
        assert_int_equal(asy_wordtab_len(key), n);
    }
    uint64_t zero[2] = {0, 0};
    assert_int_equal(asy_wordtab_len(zero), 0);
}

/* 50,000 keys of 1..16 bytes: the table grows many times; every count,
 * document count and the arrival order survive; then into counters. */
static void test_grow_absorb(void **state)
{
    (void)state;
    asy_wordtab t;
    assert_int_equal(asy_wordtab_init(&t, 10), 0);
    size_t first = t.mask + 1;
    char s[32];
    for (int round = 0; round < 3; round++) {
        assert_int_equal(asy_wordtab_begin(&t), 0);
        for (int i = 0; i < 50000; i++) {
            int n = snprintf(s, sizeof s, "%d%.*s", i, i % 12, "abcdefghijkl");
            assert_true(n <= 16);
            for (int k = 0; k <= (i % 3) && (round == 0 || i % 2); k++)
                assert_int_equal(add(&t, s), 0);
        }
    }
    assert_true(t.mask + 1 > first);
    assert_int_equal(t.used, 50000);
    assert_true(asy_wordtab_memory(&t) >= 50000 * sizeof(asy_wordtab_entry));
    for (int i = 0; i < 50000; i += 997) {
        snprintf(s, sizeof s, "%d%.*s", i, i % 12, "abcdefghijkl");
        const asy_wordtab_entry *e = &t.tab[t.order[i]];
        assert_int_equal(asy_wordtab_len(e->key), strlen(s));
        assert_memory_equal(e->key, s, strlen(s));
        assert_int_equal(e->count, (uint64_t)(i % 3 + 1) * (i % 2 ? 3 : 1));
        assert_int_equal(e->docs, i % 2 ? 3 : 1);
    }
    /* counts into one counter, document counts into another, pairs into
     * a third that already holds some of the keys */
    asy_counter *counts = asy_counter_new(), *docs = asy_counter_new(),
                *pair = asy_counter_new();
    assert_int_equal(asy_counter_add(pair, "1a", 2, 10), 0);
    assert_int_equal(asy_counter_pair(pair), 0);
    assert_int_equal(asy_counter_absorb(counts, &t, ASY_ABSORB_PAIRED), -1);
    asy_wordtab copy = t; /* the same numbers, for the third counter */
    copy.tab = asy_table_calloc(t.mask + 1, sizeof *t.tab);
    assert_non_null(copy.tab);
    memcpy(copy.tab, t.tab, (t.mask + 1) * sizeof *t.tab);
    copy.order = malloc(t.used * sizeof *t.order);
    assert_non_null(copy.order);
    memcpy(copy.order, t.order, t.used * sizeof *t.order);
    /* packed first: the same numbers in less memory */
    size_t before = asy_wordtab_memory(&t);
    asy_wordtab_pack(&t);
    asy_wordtab_pack(&t); /* idempotent */
    assert_true(t.packed);
    assert_int_equal(t.used, 50000);
    assert_int_equal(asy_wordtab_memory(&t),
                     50000 * (sizeof(asy_wordtab_entry) + sizeof(uint32_t)));
    assert_true(asy_wordtab_memory(&t) < before / 2);
    assert_int_equal(asy_counter_absorb(counts, &t, ASY_ABSORB_COUNTS), 0);
    assert_int_equal(asy_counter_absorb(docs, &t, ASY_ABSORB_DOCS), 0);
    assert_int_equal(asy_counter_absorb(pair, &copy, ASY_ABSORB_PAIRED), 0);
    assert_int_equal(asy_counter_size(counts), 50000);
    assert_int_equal(asy_counter_get(counts, "1a", 2), 2 * 3);
    assert_int_equal(asy_counter_get(docs, "1a", 2), 3);
    assert_int_equal(asy_counter_get(counts, "2ab", 3), 3);
    assert_int_equal(asy_counter_get(docs, "2ab", 3), 1);
    assert_int_equal(asy_counter_get(pair, "1a", 2), 10 + 6);
    assert_int_equal(asy_counter_get_docs(pair, "1a", 2), 3);
    /* moved: absorbing again adds nothing */
    assert_int_equal(asy_counter_absorb(counts, &t, ASY_ABSORB_COUNTS), 0);
    assert_int_equal(asy_counter_absorb(docs, &t, ASY_ABSORB_DOCS), 0);
    assert_int_equal(asy_counter_get(counts, "1a", 2), 6);
    assert_int_equal(asy_counter_get(docs, "1a", 2), 3);
    asy_wordtab_free(&copy);
    asy_counter_free(counts);
    asy_counter_free(docs);
    asy_counter_free(pair);
    asy_wordtab_free(&t);
}

/* A merge adds counts (and document counts when asked), grows the table
 * for the keys new to it, and stamps them with no round, so that the next
 * round counts their document once; a merge that could take a document
 * count past 2^32 - 1, or into a packed table, adds nothing; and rounds
 * end where the merged counts could. */
/* Every entry where a probe from its home finds it, with no empty slot on
 * the way; as many as t->used. */
static void check_probes(const asy_wordtab *t)
{
    size_t used = 0;
    for (size_t s = 0; s <= t->mask; s++) {
        const asy_wordtab_entry *e = &t->tab[s];
        if (!(e->key[0] | e->key[1]))
            continue;
        used++;
        uint32_t h = asy_counter_hash16(e->key[0], e->key[1],
                                        asy_wordtab_len(e->key));
        for (size_t j = h & t->mask; j != s; j = (j + 1) & t->mask)
            if (!(t->tab[j].key[0] | t->tab[j].key[1]))
                fail_msg("slot %zu: empty slot %zu on its probe", s, j);
        assert_int_equal(asy_wordtab_find(t, e->key, h), (long)s);
    }
    assert_int_equal(used, t->used);
}

/* keys[0 .. n) in t->order's order, with these counts and docs. */
static void check_order(const asy_wordtab *t, char keys[][16],
                        const uint64_t *count, const uint32_t *docs,
                        size_t n)
{
    assert_int_equal(t->used, n);
    for (size_t k = 0; k < n; k++) {
        uint64_t key[2];
        mkkey(keys[k], strlen(keys[k]), key);
        const asy_wordtab_entry *e = &t->tab[t->order[k]];
        if (e->key[0] != key[0] || e->key[1] != key[1] ||
            e->count != count[k] || e->docs != docs[k])
            fail_msg("key %zu (%s) not where the order says, or miscounted",
                     k, keys[k]);
    }
}

/* 60,000 keys over 50 rounds from a 64-slot table: after each growth every
 * entry is found from its home, and the order, counts and document counts
 * are as added. */
static void test_grow_in_place(void **state)
{
    (void)state;
    enum { KEYS = 60000 };
    static char keys[KEYS][16];
    static uint64_t count[KEYS];
    static uint32_t docs[KEYS], seen[KEYS];
    asy_wordtab t;
    assert_int_equal(asy_wordtab_init(&t, 0), 0);
    size_t n = 0, mask = t.mask, grew = 0;
    uint64_t x = 0x2545F4914F6CDD1Dull;
    for (uint32_t round = 1; round <= 50; round++) {
        assert_int_equal(asy_wordtab_begin(&t), 0);
        for (int i = 0; i < 3000; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            /* new keys early, more repeats later */
            size_t k = (x >> 8) % (n < KEYS ? n + 1 + n / 4 : n);
            if (k >= n) {
                if (n == KEYS)
                    continue;
                k = n++;
                snprintf(keys[k], 16, "%c%zu", 'a' + (int)(x % 26), k * 7919);
            }
            assert_int_equal(add(&t, keys[k]), 0);
            count[k]++;
            docs[k] += seen[k] != round;
            seen[k] = round;
            if (t.mask != mask) {
                mask = t.mask;
                grew++;
                check_probes(&t);
            }
        }
    }
    assert_true(grew >= 10);
    check_probes(&t);
    check_order(&t, keys, count, docs, n);
    asy_wordtab_free(&t);
}

/* A cluster that runs off the end of the grown table: first four keys
 * whose home moves to the new half (their old slots 0 .. 3 end empty),
 * then twenty whose home is one of the grown table's last three slots (in
 * the old table they fill its last slots and run on past slot 3), then
 * keys homed far from both until the 64-slot table grows. The probes that
 * come round past the end must meet slots 0 .. 3 already left. */
static void test_grow_off_the_end(void **state)
{
    (void)state;
    static char keys[64][16];
    uint64_t count[64];
    uint32_t docs[64];
    size_t n = 0;
    asy_wordtab t;
    assert_int_equal(asy_wordtab_init(&t, 0), 0);
    assert_int_equal(t.mask, 63);
    assert_int_equal(asy_wordtab_begin(&t), 0);
    static const struct {
        size_t lo, hi, want; /* homes in the 128-slot table */
    } kinds[] = {{64, 67, 4}, {125, 127, 20}, {20, 50, 9}};
    for (int kind = 0; kind < 3; kind++)
        for (unsigned i = 0, got = 0; got < kinds[kind].want; i++) {
            assert_true(i < 10000000);
            char s[16];
            snprintf(s, sizeof s, "k%d-%u", kind, i);
            size_t home = asy_counter_hash(s, strlen(s)) & 127;
            if (home < kinds[kind].lo || home > kinds[kind].hi)
                continue;
            memcpy(keys[n], s, sizeof s);
            count[n] = 1;
            docs[n] = 1;
            assert_int_equal(add(&t, keys[n]), 0);
            n++;
            got++;
        }
    assert_int_equal(n, 33);
    assert_int_equal(t.mask, 127); /* the 33rd key grew it */
    check_probes(&t);
    check_order(&t, keys, count, docs, n);
    asy_wordtab_free(&t);
}

static void test_merge(void **state)
{
    (void)state;
    asy_wordtab a, b;
    assert_int_equal(asy_wordtab_init(&a, 0), 0);
    assert_int_equal(asy_wordtab_init(&b, 0), 0);
    assert_int_equal(asy_wordtab_begin(&a), 0);
    assert_int_equal(add(&a, "the"), 0);
    assert_int_equal(add(&a, "the"), 0);
    char w[16];
    for (int r = 0; r < 3; r++) { /* 3 rounds: "the" and 100 others */
        assert_int_equal(asy_wordtab_begin(&b), 0);
        assert_int_equal(add(&b, "the"), 0);
        for (int i = 0; i < 100; i++) {
            snprintf(w, sizeof w, "w%d", i);
            assert_int_equal(add(&b, w), 0);
        }
    }
    assert_int_equal(asy_wordtab_merge(&a, &b, 1, 1), 0);
    assert_int_equal(a.used, 101);
    assert_true(a.mask + 1 >= 256); /* grown */
    assert_int_equal(lookup(&a, "the")->count, 5);
    assert_int_equal(lookup(&a, "the")->docs, 4);
    assert_int_equal(lookup(&a, "w99")->count, 3);
    assert_int_equal(lookup(&a, "w99")->docs, 3);
    assert_int_equal(a.merged, 3);
    assert_int_equal(asy_wordtab_merge(&a, &b, 0, 1), 0); /* counts only */
    assert_int_equal(lookup(&a, "w99")->count, 6);
    assert_int_equal(lookup(&a, "w99")->docs, 3);
    assert_int_equal(asy_wordtab_begin(&a), 0); /* round 2 */
    assert_int_equal(add(&a, "w99"), 0);
    assert_int_equal(add(&a, "w99"), 0);
    assert_int_equal(lookup(&a, "w99")->docs, 4);
    assert_int_equal(add(&a, "the"), 0);
    assert_int_equal(lookup(&a, "the")->docs, 5);
    /* rounds and merged counts at the limit: refused, nothing added */
    b.round = UINT32_MAX - 4; /* 2 + 3 + this = UINT32_MAX + 1 */
    assert_int_equal(asy_wordtab_merge(&a, &b, 1, 1), 1);
    assert_int_equal(lookup(&a, "w99")->count, 8);
    assert_int_equal(asy_wordtab_merge(&a, &b, 0, 1), 0); /* no docs: fine */
    assert_int_equal(lookup(&a, "w99")->count, 11);
    b.round = UINT32_MAX - 6; /* 2 + 3 + this = UINT32_MAX - 1 */
    assert_int_equal(asy_wordtab_merge(&a, &b, 1, 1), 0);
    assert_int_equal(a.merged, 3 + (uint64_t)UINT32_MAX - 6);
    assert_int_equal(asy_wordtab_begin(&a), 0); /* round + merged: max */
    assert_int_equal(asy_wordtab_begin(&a), 1);
    asy_wordtab_pack(&b);
    assert_int_equal(asy_wordtab_merge(&a, &b, 0, 1), 1);
    asy_wordtab_free(&a);
    asy_wordtab_free(&b);
}

/* Keys "k<i>" for i in [from, to): count i % 5 + 1 in round 1, and once
 * more in round 2 for odd i. */
static void fill(asy_wordtab *t, int from, int to)
{
    char w[16];
    assert_int_equal(asy_wordtab_init(t, 0), 0);
    for (int r = 1; r <= 2; r++) {
        assert_int_equal(asy_wordtab_begin(t), 0);
        for (int i = from; i < to; i++) {
            snprintf(w, sizeof w, "k%d", i);
            for (int n = 0; n < (r == 1 ? i % 5 + 1 : i % 2); n++)
                assert_int_equal(add(t, w), 0);
        }
    }
}

/* t's keys in the order they came (t->order), as one string. */
static char *keys_in_order(const asy_wordtab *t)
{
    char *s = malloc(t->used * 17 + 1), *p = s;
    assert_non_null(s);
    for (size_t k = 0; k < t->used; k++) {
        const asy_wordtab_entry *e = &t->tab[t->order[k]];
        assert_true(e->key[0] | e->key[1]); /* an occupied slot */
        memcpy(p, e->key, 16);
        p[16] = '|';
        p += 17;
    }
    *p = '\0';
    return s;
}

/* Keys "<prefix><i>" whose home in a table of mask is `home`, from i on. */
static void key_at(const char *prefix, size_t mask, size_t home, int *i,
                   char w[16])
{
    for (;; (*i)++) {
        snprintf(w, 16, "%s%d", prefix, *i);
        if ((asy_counter_hash(w, strlen(w)) & mask) == home)
            return;
    }
}

/* A large merge splits src among threads (the keys already in t), then
 * puts in the new keys, on threads too, each in the slots of t where its
 * range of src's keys have their homes: every key's numbers come out the
 * same on 1, 2 and 3 threads, t growing for the new keys, and its keys in
 * the same order. Keys homed at the last slot of a thread's slots, that
 * slot taken, run into the next thread's: they are put in afterwards. */
static void test_merge_threads(void **state)
{
    (void)state;
    asy_wordtab b;
    fill(&b, 60000, 200000); /* 140,000 keys, 80,000 of them new to a */
    size_t bmask = b.mask; /* 2^19 - 1: a grows to it */
    char w[16], edge[4][16];
    int zi = 0;
    /* two keys of b homed at the end of the first half (where the second
     * of two threads starts) and at the end of the table, where a has a
     * key of its own */
    key_at("z", bmask, bmask / 2, &zi, edge[0]);
    zi++;
    key_at("z", bmask, bmask / 2, &zi, edge[1]);
    zi++;
    key_at("z", bmask, bmask, &zi, edge[2]);
    zi++;
    key_at("z", bmask, bmask, &zi, edge[3]);
    assert_int_equal(asy_wordtab_begin(&b), 0);
    assert_int_equal(add(&b, edge[1]), 0);
    assert_int_equal(add(&b, edge[3]), 0);
    char *first = NULL;
    for (int threads = 1; threads <= 3; threads++) {
        asy_wordtab a;
        fill(&a, 0, 120000);
        assert_int_equal(add(&a, edge[0]), 0);
        assert_int_equal(add(&a, edge[2]), 0);
        size_t cap = a.mask + 1;
        assert_int_equal(asy_wordtab_merge(&a, &b, 1, threads), 0);
        assert_int_equal(a.used, 200004);
        assert_true(a.mask + 1 > cap);
        assert_int_equal(a.mask, bmask);
        for (int j = 0; j < 4; j++) {
            const asy_wordtab_entry *e = lookup(&a, edge[j]);
            assert_non_null(e);
            assert_int_equal(e->count, 1);
            assert_int_equal(e->docs, 1);
        }
        char *order = keys_in_order(&a);
        if (first)
            assert_string_equal(order, first);
        else
            first = order;
        if (order != first)
            free(order);
        for (int i = 0; i < 200000; i++) {
            snprintf(w, sizeof w, "k%d", i);
            uint64_t key[2];
            mkkey(w, strlen(w), key);
            long at = asy_wordtab_find(&a, key,
                                       asy_counter_hash(w, strlen(w)));
            assert_true(at >= 0);
            const asy_wordtab_entry *e = &a.tab[at];
            int both = i >= 60000 && i < 120000, once = i % 5 + 1 + i % 2;
            assert_int_equal(e->count, (uint64_t)(both ? 2 * once : once));
            assert_int_equal(e->docs, (uint32_t)((i % 2 ? 2 : 1) *
                                                 (both ? 2 : 1)));
        }
        assert_int_equal(a.merged, 3);
        asy_wordtab_free(&a);
    }
    free(first);
    asy_wordtab_free(&b);
}

int main(int argc, char **argv)
{
    tu_select_hash(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rounds),
        cmocka_unit_test(test_len),
        cmocka_unit_test(test_grow_absorb),
        cmocka_unit_test(test_grow_in_place),
        cmocka_unit_test(test_grow_off_the_end),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_merge_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
