/*
 * tablemem.h — memory for large hash tables probed at random (the word
 * table): zeroed, and from 2 MB up mapped on its own, aligned to 2 MB and
 * asked for transparent huge pages, so that probes scattered over the
 * table do not each miss the TLB as well as the cache; below that,
 * malloc'd and written, so that the first probes do not map the zero
 * page (tablemem.c); under AddressSanitizer all from malloc, which it
 * watches. A table is freed or shrunk with its size in bytes
 * (asy_table_release, asy_table_shrink), which says how it was had.
 */
#ifndef ASY_TABLEMEM_H
#define ASY_TABLEMEM_H

#include <stddef.h>

/* n zeroed elements of size bytes (calloc's contract); NULL when out of
 * memory or when n * size overflows or exceeds half of SIZE_MAX. */
void *asy_table_calloc(size_t n, size_t size);
/* 1 where tables of 2 MB and more are mappings of their own (2 MB
 * aligned); 0 where every table comes from malloc (not Linux, or under
 * AddressSanitizer). */
int asy_table_maps(void);
/* Free a table of `bytes` (its size as had or as last shrunk). */
void asy_table_release(void *p, size_t bytes);
/* Keep the first `keep` bytes (0 < keep <= bytes) of a table of `bytes`
 * and give the rest back: the table, moved or not, its size keep now; or
 * NULL when out of memory, p left as it was (its size still bytes). */
void *asy_table_shrink(void *p, size_t bytes, size_t keep);

/* A table of `bytes` made `more` bytes long (more > bytes): its first
 * bytes as they were, the rest zero, p given back; NULL when out of
 * memory, p left as it was. A mapped table's pages move into the longer
 * mapping as they are (mremap): they are neither copied nor zeroed again,
 * so growing a table clears only its new part. */
void *asy_table_grow(void *p, size_t bytes, size_t more);

/* Ask for transparent huge pages over the whole 2 MB pages inside a
 * large block that came from malloc (an array filled once, end to end):
 * it is then faulted in and given back a 2 MB page at a time. A hint:
 * nothing where tables are not mapped (asy_table_maps), nor for a block
 * under 4 MB. */
void asy_table_advise(void *p, size_t bytes);

#endif
