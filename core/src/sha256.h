/*
 * sha256.h — SHA-256 (FIPS 180-4), written for run manifests: the hash of a
 * plugin's source bytes, and of input files on request (filehash.c reads
 * them). Streaming interfaces and a one-shot helper for memory. Its one
 * piece of global state, libcrypto once loaded, is set up under
 * pthread_once: thread-safe.
 */
#ifndef ASY_SHA256_H
#define ASY_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define ASY_SHA256_BYTES 32
#define ASY_SHA256_HEX 65 /* 64 hex digits + NUL */

typedef struct asy_sha256 {
    uint32_t h[8];
    uint64_t total;        /* message length so far, in bytes */
    unsigned char block[64];
    size_t fill;           /* bytes waiting in block */
} asy_sha256;

void asy_sha256_init(asy_sha256 *c);
void asy_sha256_update(asy_sha256 *c, const void *data, size_t len);
/* Finish and write the 32-byte digest; c must be re-initialised to reuse. */
void asy_sha256_final(asy_sha256 *c, unsigned char out[ASY_SHA256_BYTES]);

/* Lowercase hex of a digest into out (ASY_SHA256_HEX bytes). */
void asy_sha256_hex(const unsigned char digest[ASY_SHA256_BYTES],
                    char out[ASY_SHA256_HEX]);

/* Hex digest of a memory block (libcrypto's from 1 MiB up, as below). */
void asy_sha256_buf(const void *data, size_t len, char out[ASY_SHA256_HEX]);

/* 1 when OpenSSL's libcrypto is loaded, 0 when this machine has none, or
 * none that digests "abc" right: it is looked for once, on the first
 * call. */
int asy_sha256_libcrypto(void);

/* A digest taken piece by piece, with libcrypto's SHA-256 where the
 * machine has it (for input files, whatever their size; the one-shot
 * helper takes it from 1 MiB up). _new: NULL when out of memory. _end
 * writes the hex digest and frees c: 0, or -1 when libcrypto failed on
 * the way (out is then unset). _drop frees c without a digest (NULL:
 * no-op). */
typedef struct asy_sha256_ctx asy_sha256_ctx;
asy_sha256_ctx *asy_sha256_new(void);
void asy_sha256_add(asy_sha256_ctx *c, const void *data, size_t len);
int asy_sha256_end(asy_sha256_ctx *c, char out[ASY_SHA256_HEX]);
void asy_sha256_drop(asy_sha256_ctx *c);

#endif
