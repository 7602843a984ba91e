/*
 * filehash.h — the content hash a run manifest records for each input
 * file: XXH3's 128-bit hash (libxxhash) by default, at the speed of
 * reading the file, or SHA-256 (sha256.c) for a cryptographic digest. A
 * manifest names the hash by the key of each file's entry (the names
 * below), so a manifest of either kind can be checked later. Both are
 * written as lowercase hex of the digest in its canonical byte order, as
 * `xxhsum -H2` and `sha256sum` print them.
 */
#ifndef ASY_FILEHASH_H
#define ASY_FILEHASH_H

#include <stddef.h>
#include <sys/stat.h>

#include "status.h"

typedef enum asy_filehash {
    ASY_FILEHASH_XXH3 = 0, /* "xxh3_128": XXH3, 128 bits, 32 hex digits */
    ASY_FILEHASH_SHA256    /* "sha256": SHA-256, 64 hex digits */
} asy_filehash;

#define ASY_FILEHASH_HEX 65 /* the longest hex digest (SHA-256) + NUL */

/* The manifest key of a hash ("xxh3_128", "sha256"). */
const char *asy_filehash_name(asy_filehash h);
/* The hash of a name as the setting manifest_hash takes it ("xxh3_128"
 * or "xxh3", "sha256"): 0 with *h set, -1 for any other. */
int asy_filehash_parse(const char *name, asy_filehash *h);

/* Hex digest and size of a regular file's bytes as stored (a .gz is
 * hashed compressed), and in *after (when not NULL) the fstat() of the
 * file read, once read. ASSAY_E_IO with the path and the reason on
 * failure, and for anything but a regular file (never waited on). */
int asy_filehash_file(asy_filehash h, const char *path,
                      char out[ASY_FILEHASH_HEX], unsigned long long *size,
                      struct stat *after, asy_error *err);

/* A digest taken piece by piece (the loader's, of a file as it reads
 * it). _begin: NULL when out of memory. _end writes the hex digest and
 * the count of bytes hashed and frees s: 0, or -1 when libcrypto failed on
 * the way (SHA-256; out is then unset). _drop frees s without a digest
 * (NULL: no-op). */
typedef struct asy_filehash_state asy_filehash_state;
asy_filehash_state *asy_filehash_begin(asy_filehash h);
void asy_filehash_update(asy_filehash_state *s, const void *data,
                         size_t len);
int asy_filehash_end(asy_filehash_state *s, char out[ASY_FILEHASH_HEX],
                     unsigned long long *size);
void asy_filehash_drop(asy_filehash_state *s);

/* Hex digest of a memory block. */
void asy_filehash_buf(asy_filehash h, const void *data, size_t len,
                      char out[ASY_FILEHASH_HEX]);

#endif
