/*
 * counter.h — string -> count tables, the C kernel behind assay.counter().
 *
 * Open addressing over interned keys: every distinct key is stored once in
 * an arena, so memory tracks the number of distinct terms, not the number
 * of occurrences. Iteration in sorted order and merging are deterministic,
 * and a counter serialises to bytes (for -j merges and shard partials).
 */
#ifndef ASY_COUNTER_H
#define ASY_COUNTER_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

typedef struct asy_counter asy_counter;

asy_counter *asy_counter_new(void);
void asy_counter_free(asy_counter *c);

/* Add n to key (n may be negative). Returns 0 or -1 when out of memory. */
int asy_counter_add(asy_counter *c, const char *key, size_t len, int64_t n);
int64_t asy_counter_get(const asy_counter *c, const char *key, size_t len);
size_t asy_counter_size(const asy_counter *c);   /* distinct keys */
int64_t asy_counter_total(const asy_counter *c); /* sum of counts */
/* Bytes of memory held (table + arena), for memory accounting. */
size_t asy_counter_memory(const asy_counter *c);

/* Add every entry of src into dst. */
int asy_counter_merge(asy_counter *dst, const asy_counter *src);

typedef struct asy_counter_entry {
    const char *key; /* NUL-terminated, owned by the counter */
    size_t len;
    int64_t count;
} asy_counter_entry;

/* Entries sorted by count descending, then key bytewise ascending
 * (by_key != 0: key ascending only). Returns a malloc'd array of
 * asy_counter_size() entries (caller frees the array, not the keys; valid
 * until the counter changes), or NULL when empty/out of memory. */
asy_counter_entry *asy_counter_sorted(const asy_counter *c, int by_key,
                                      size_t *n);

/* Serialise to / read from a portable byte string (appends to out).
 * asy_counter_load adds the entries into c; returns bytes consumed or -1
 * when the data is malformed. */
int asy_counter_save(const asy_counter *c, asy_buf *out);
long asy_counter_load(asy_counter *c, const char *data, size_t len);

#endif
