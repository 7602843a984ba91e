/*
 * tablemem.h — memory for large hash tables probed at random (the word
 * table, counter slots): zeroed, and from 2 MB up aligned to 2 MB and
 * asked for transparent huge pages, so that probes scattered over the
 * table do not each miss the TLB as well as the cache. Free with free().
 */
#ifndef ASY_TABLEMEM_H
#define ASY_TABLEMEM_H

#include <stddef.h>

/* n zeroed elements of size bytes (calloc's contract); NULL when out of
 * memory or when n * size overflows. */
void *asy_table_calloc(size_t n, size_t size);

#endif
