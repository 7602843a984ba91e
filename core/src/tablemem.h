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

/* Free a table whose memory the next block may take (asy_table_block):
 * while tables are kept (asy_table_keep), a table of 4 MB or more, mapped,
 * is kept as the spare, in place of a smaller one; anything else is freed
 * as asy_table_release would. For a table freed whole, at the end of its
 * life; a table given up as it grows is released instead. */
void asy_table_retire(void *p, size_t bytes);
/* Keep retired tables (on != 0) or stop (0, undoing one earlier 1; the
 * last gives the spare back): the engine keeps them from merging its
 * workers' states to the end of finish, where the tables of the workers'
 * counters are freed just before the rows are sorted. Calls nest. */
void asy_table_keep(int on);
/* `bytes` of memory that is not zeroed, for an array written end to end:
 * from 2 MB up, mapped as a table is (its size then says so to
 * asy_table_release and asy_table_shrink), and the spare's pages when it
 * is large enough (its pages past `bytes` given back); else malloc'd.
 * NULL when out of memory or over half of SIZE_MAX. */
void *asy_table_block(size_t bytes);
/* Give back the spare, if any: tablemem's other large mappings do it
 * first, so that it never adds to the peak beyond one table, and so do
 * the engine at the end of each plugin's finish and the last
 * asy_table_keep(0). */
void asy_table_trim(void);

#endif
