/*
 * sha256.c — SHA-256 after FIPS 180-4 (sections 4.1.2, 4.2.2, 5.1.1,
 * 6.2): 64-byte blocks, big-endian words, length padding. Checked against
 * the NIST example vectors in tests/unit/test_sha256.c. Portable C (no
 * SHA-NI): the rounds are unrolled, see compress(). Input files'
 * digests, and one-shot digests from 1 MiB, use OpenSSL's libcrypto
 * instead where the machine has it: its SHA-256 runs on the CPU's vector
 * units (2-4x this code here). It is loaded when
 * first wanted (dlopen), not linked: loading it costs a process about a
 * millisecond (its 28,000 relocations and its start), which every run of
 * assay paid while nearly all of them hash only a plugin's few kilobytes
 * of source. The streaming API (asy_sha256_init/update/final) stays ours;
 * the tests check that both give the same digests.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynlib.h"
#include "sha256.h"

/* The first 32 bits of the fractional parts of the cube roots of the
 * first 64 primes (FIPS 180-4, 4.2.2). */
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t rotr(uint32_t x, int n)
{
    return (x >> n) | (x << (32 - n));
}

static uint32_t load_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void store_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* The round functions of 4.1.2. Macros rather than a loop over an array
 * so that the eight working variables stay in registers and no state is
 * shifted each round: rounds rotate the variable names instead. This and
 * the 16-word rolling schedule below about double the portable speed. */
#define BSIG0(x) (rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22))
#define BSIG1(x) (rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25))
#define SSIG0(x) (rotr(x, 7) ^ rotr(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (rotr(x, 17) ^ rotr(x, 19) ^ ((x) >> 10))
#define CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))

/* W[t] for t >= 16 in a ring of 16 words (6.2.2 step 1). */
#define WNEXT(t)                                                        \
    (w[(t) & 15] += SSIG1(w[((t) - 2) & 15]) + w[((t) - 7) & 15] +      \
                    SSIG0(w[((t) - 15) & 15]))

/* One round (6.2.2 step 3) with the roles of the variables given. */
#define ROUND(a, b, c, d, e, f, g, h, t, wt)                            \
    do {                                                                \
        uint32_t t1 = h + BSIG1(e) + CH(e, f, g) + K[t] + (wt);         \
        d += t1;                                                        \
        h = t1 + BSIG0(a) + MAJ(a, b, c);                               \
    } while (0)

/* Eight rounds from t: after eight the names are back in place. */
#define ROUNDS8(t, W)                                                   \
    do {                                                                \
        ROUND(a, b, c, d, e, f, g, h, (t) + 0, W((t) + 0));             \
        ROUND(h, a, b, c, d, e, f, g, (t) + 1, W((t) + 1));             \
        ROUND(g, h, a, b, c, d, e, f, (t) + 2, W((t) + 2));             \
        ROUND(f, g, h, a, b, c, d, e, (t) + 3, W((t) + 3));             \
        ROUND(e, f, g, h, a, b, c, d, (t) + 4, W((t) + 4));             \
        ROUND(d, e, f, g, h, a, b, c, (t) + 5, W((t) + 5));             \
        ROUND(c, d, e, f, g, h, a, b, (t) + 6, W((t) + 6));             \
        ROUND(b, c, d, e, f, g, h, a, (t) + 7, W((t) + 7));             \
    } while (0)

#define WFIRST(t) w[t]

/* Compress one 64-byte block into the hash state (6.2.2 steps 1-4). */
static void compress(uint32_t hs[8], const unsigned char *block)
{
    uint32_t w[16];
    for (int t = 0; t < 16; t++)
        w[t] = load_be32(block + 4 * t);
    uint32_t a = hs[0], b = hs[1], c = hs[2], d = hs[3];
    uint32_t e = hs[4], f = hs[5], g = hs[6], h = hs[7];
    ROUNDS8(0, WFIRST);
    ROUNDS8(8, WFIRST);
    for (int t = 16; t < 64; t += 16) {
        ROUNDS8(t, WNEXT);
        ROUNDS8(t + 8, WNEXT);
    }
    hs[0] += a; hs[1] += b; hs[2] += c; hs[3] += d;
    hs[4] += e; hs[5] += f; hs[6] += g; hs[7] += h;
}

void asy_sha256_init(asy_sha256 *c)
{
    /* Fractional parts of the square roots of the first 8 primes (5.3.3). */
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
                                   0xa54ff53a, 0x510e527f, 0x9b05688c,
                                   0x1f83d9ab, 0x5be0cd19};
    memcpy(c->h, h0, sizeof h0);
    c->total = 0;
    c->fill = 0;
}

void asy_sha256_update(asy_sha256 *c, const void *data, size_t len)
{
    const unsigned char *p = data;
    c->total += len;
    if (c->fill) {
        size_t take = 64 - c->fill < len ? 64 - c->fill : len;
        memcpy(c->block + c->fill, p, take);
        c->fill += take;
        p += take;
        len -= take;
        if (c->fill < 64)
            return;
        compress(c->h, c->block);
        c->fill = 0;
    }
    for (; len >= 64; p += 64, len -= 64)
        compress(c->h, p);
    memcpy(c->block, p, len);
    c->fill = len;
}

/* Padding (5.1.1): a 1 bit, zeros to 56 mod 64, the bit length in 64 bits. */
void asy_sha256_final(asy_sha256 *c, unsigned char out[ASY_SHA256_BYTES])
{
    uint64_t bits = c->total * 8;
    c->block[c->fill++] = 0x80;
    if (c->fill > 56) {
        memset(c->block + c->fill, 0, 64 - c->fill);
        compress(c->h, c->block);
        c->fill = 0;
    }
    memset(c->block + c->fill, 0, 56 - c->fill);
    store_be32(c->block + 56, (uint32_t)(bits >> 32));
    store_be32(c->block + 60, (uint32_t)bits);
    compress(c->h, c->block);
    for (int i = 0; i < 8; i++)
        store_be32(out + 4 * i, c->h[i]);
}

void asy_sha256_hex(const unsigned char d[ASY_SHA256_BYTES],
                    char out[ASY_SHA256_HEX])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < ASY_SHA256_BYTES; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[2 * ASY_SHA256_BYTES] = '\0';
}

/*
 * libcrypto, loaded once on first want. Its types stay incomplete here:
 * only pointers to them pass through. OpenSSL 3's soname first, then
 * 1.1's (both have these six functions).
 */
struct evp_md_ctx_st;
struct evp_md_st;
struct engine_st;

typedef struct crypto {
    struct evp_md_ctx_st *(*ctx_new)(void);
    void (*ctx_free)(struct evp_md_ctx_st *);
    const struct evp_md_st *(*sha256)(void);
    int (*init)(struct evp_md_ctx_st *, const struct evp_md_st *,
                struct engine_st *);
    int (*update)(struct evp_md_ctx_st *, const void *, size_t);
    int (*final)(struct evp_md_ctx_st *, unsigned char *, unsigned int *);
} crypto;

static crypto lib;
static int lib_ok; /* written once, under load_once */
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/* libcrypto's digest of data into d: 0, or -1 when it fails. */
static int lib_digest(const void *data, size_t len,
                      unsigned char d[ASY_SHA256_BYTES])
{
    struct evp_md_ctx_st *md = lib.ctx_new();
    unsigned int n = 0;
    int ok = md && lib.init(md, lib.sha256(), NULL) == 1 &&
             lib.update(md, data, len) == 1 && lib.final(md, d, &n) == 1 &&
             n == ASY_SHA256_BYTES;
    if (md)
        lib.ctx_free(md);
    return ok ? 0 : -1;
}

/* Kept only when it digests "abc" as FIPS 180-4 says: a library that
 * loads but cannot start a digest (a FIPS-only configuration without the
 * FIPS provider, say) would otherwise be tried, and fail, on every file. */
static int lib_works(void)
{
    static const unsigned char abc[ASY_SHA256_BYTES] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
        0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
        0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    unsigned char d[ASY_SHA256_BYTES];
    return lib_digest("abc", 3, d) == 0 && memcmp(d, abc, sizeof d) == 0;
}

/* The six functions, in crypto's order. */
static const char *const crypto_syms[] = {
    "EVP_MD_CTX_new",    "EVP_MD_CTX_free",  "EVP_sha256",
    "EVP_DigestInit_ex", "EVP_DigestUpdate", "EVP_DigestFinal_ex"};

/* A candidate's functions taken, then tried (dynlib.h's check). */
static int take_crypto(void **f)
{
    lib.ctx_new = (__typeof__(lib.ctx_new))f[0];
    lib.ctx_free = (__typeof__(lib.ctx_free))f[1];
    lib.sha256 = (__typeof__(lib.sha256))f[2];
    lib.init = (__typeof__(lib.init))f[3];
    lib.update = (__typeof__(lib.update))f[4];
    lib.final = (__typeof__(lib.final))f[5];
    return lib_works();
}

static void load_crypto(void)
{
    static const char *const names[] = {"libcrypto.so.3", "libcrypto.so.1.1"};
    void *f[sizeof crypto_syms / sizeof *crypto_syms];
    lib_ok = asy_dynlib_load(names, sizeof names / sizeof *names, crypto_syms,
                             sizeof f / sizeof *f, f, take_crypto, NULL, 0);
}

int asy_sha256_libcrypto(void)
{
    pthread_once(&load_once, load_crypto);
    return lib_ok;
}

/* One-shot digests of fewer bytes are ours: loading libcrypto would take
 * longer than it saves (ours: about 300 MB/s). */
#define LIBCRYPTO_MIN ((size_t)1 << 20)

/* The digest behind the one-shot and streaming helpers: libcrypto's when
 * asked for (`accel`) and it loads and starts, else ours. */
typedef struct digest {
    struct evp_md_ctx_st *md; /* libcrypto's, or NULL: ours */
    asy_sha256 own;
    int failed; /* libcrypto refused data: the digest cannot be trusted */
} digest;

static void digest_init(digest *g, int accel)
{
    g->failed = 0;
    g->md = NULL;
    asy_sha256_init(&g->own);
    if (!accel || !asy_sha256_libcrypto())
        return;
    g->md = lib.ctx_new();
    if (g->md && lib.init(g->md, lib.sha256(), NULL) != 1) {
        lib.ctx_free(g->md);
        g->md = NULL;
    }
}

static void digest_update(digest *g, const void *data, size_t len)
{
    if (g->md) {
        g->failed |= lib.update(g->md, data, len) != 1;
        g->own.total += len; /* the size is still ours to report */
        return;
    }
    asy_sha256_update(&g->own, data, len);
}

/* 0, or -1 when libcrypto failed on the way. */
static int digest_final(digest *g, unsigned char d[ASY_SHA256_BYTES])
{
    if (g->md) {
        unsigned int n = 0;
        g->failed |= lib.final(g->md, d, &n) != 1 || n != ASY_SHA256_BYTES;
        lib.ctx_free(g->md);
        g->md = NULL;
        return g->failed ? -1 : 0;
    }
    asy_sha256_final(&g->own, d);
    return 0;
}

void asy_sha256_buf(const void *data, size_t len, char out[ASY_SHA256_HEX])
{
    digest g;
    unsigned char d[ASY_SHA256_BYTES];
    digest_init(&g, len >= LIBCRYPTO_MIN);
    digest_update(&g, data, len);
    if (digest_final(&g, d) < 0) { /* libcrypto failed: ours */
        asy_sha256 c;
        asy_sha256_init(&c);
        asy_sha256_update(&c, data, len);
        asy_sha256_final(&c, d);
    }
    asy_sha256_hex(d, out);
}

/* The streaming form of the digest above, for callers that read the bytes
 * themselves (the loader, hashing a file as the run reads it). */
struct asy_sha256_ctx {
    digest g;
};

asy_sha256_ctx *asy_sha256_new(void)
{
    asy_sha256_ctx *c = malloc(sizeof *c);
    if (c) /* for input files: libcrypto, whatever their size */
        digest_init(&c->g, 1);
    return c;
}

void asy_sha256_add(asy_sha256_ctx *c, const void *data, size_t len)
{
    digest_update(&c->g, data, len);
}

int asy_sha256_end(asy_sha256_ctx *c, char out[ASY_SHA256_HEX])
{
    unsigned char d[ASY_SHA256_BYTES];
    int rc = digest_final(&c->g, d);
    free(c);
    if (rc == 0)
        asy_sha256_hex(d, out);
    return rc;
}

void asy_sha256_drop(asy_sha256_ctx *c)
{
    unsigned char d[ASY_SHA256_BYTES];
    if (c)
        digest_final(&c->g, d); /* frees libcrypto's context */
    free(c);
}
