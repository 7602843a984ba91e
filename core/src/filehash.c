/*
 * filehash.c — a manifest's file hashes (filehash.h): XXH3-128 through
 * libxxhash's streaming state, or sha256.c's SHA-256, fed by the loader
 * as it reads a file (asy_filehash_begin) or read here through a 64 KB
 * buffer.
 * (SHA-256 for every input cost a default -j 2 run 2.5x its time: RESULTS.)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

#include "filehash.h"
#include "sha256.h"
#include "source.h"

#define READ_BUF (64 * 1024) /* on the stack, as sha256.c's */

const char *asy_filehash_name(asy_filehash h)
{
    return h == ASY_FILEHASH_SHA256 ? "sha256" : "xxh3_128";
}

int asy_filehash_parse(const char *name, asy_filehash *h)
{
    if (strcmp(name, "xxh3_128") == 0 || strcmp(name, "xxh3") == 0)
        *h = ASY_FILEHASH_XXH3;
    else if (strcmp(name, "sha256") == 0)
        *h = ASY_FILEHASH_SHA256;
    else
        return -1;
    return 0;
}

static void xxh_hex(XXH128_hash_t v, char out[ASY_FILEHASH_HEX])
{
    static const char digits[] = "0123456789abcdef";
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, v); /* big-endian: high 64 bits first */
    for (size_t i = 0; i < sizeof c.digest; i++) {
        out[2 * i] = digits[c.digest[i] >> 4];
        out[2 * i + 1] = digits[c.digest[i] & 15];
    }
    out[2 * sizeof c.digest] = '\0';
}

static int read_failed(const char *path, int saved, long long at,
                       asy_error *err)
{
    asy_error_set(err, ASSAY_E_IO, "cannot read '%s': %s", path,
                  asy_errno_text(saved));
    asy_error_at(err, path, -1, at);
    return ASSAY_E_IO;
}

struct asy_filehash_state {
    asy_filehash kind;
    unsigned long long size;
    XXH3_state_t *xxh;   /* (its layout is libxxhash's: allocated by it) */
    asy_sha256_ctx *sha;
};

asy_filehash_state *asy_filehash_begin(asy_filehash h)
{
    asy_filehash_state *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->kind = h;
    if (h == ASY_FILEHASH_SHA256)
        s->sha = asy_sha256_new();
    else if ((s->xxh = XXH3_createState()) != NULL)
        XXH3_128bits_reset(s->xxh);
    if (!s->sha && !s->xxh) {
        free(s);
        return NULL;
    }
    return s;
}

void asy_filehash_update(asy_filehash_state *s, const void *data, size_t len)
{
    s->size += len;
    if (s->sha)
        asy_sha256_add(s->sha, data, len);
    else
        XXH3_128bits_update(s->xxh, data, len);
}

int asy_filehash_end(asy_filehash_state *s, char out[ASY_FILEHASH_HEX],
                     unsigned long long *size)
{
    int rc = 0;
    if (size)
        *size = s->size;
    if (s->sha) {
        rc = asy_sha256_end(s->sha, out);
        s->sha = NULL;
    } else {
        xxh_hex(XXH3_128bits_digest(s->xxh), out);
    }
    asy_filehash_drop(s);
    return rc;
}

void asy_filehash_drop(asy_filehash_state *s)
{
    if (!s)
        return;
    asy_sha256_drop(s->sha);
    XXH3_freeState(s->xxh);
    free(s);
}

/* The digest of the bytes read from fd to its end. */
static int hash_fd(asy_filehash h, int fd, const char *path,
                   char out[ASY_FILEHASH_HEX], unsigned long long *size,
                   asy_error *err)
{
    asy_filehash_state *s = asy_filehash_begin(h);
    if (!s) {
        asy_error_set(err, ASSAY_E_NOMEM, "out of memory hashing '%s'",
                      path);
        return ASSAY_E_NOMEM;
    }
    unsigned char buf[READ_BUF];
    ssize_t n;
    while ((n = read(fd, buf, READ_BUF)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int saved = errno;
            long long at = (long long)s->size;
            asy_filehash_drop(s);
            return read_failed(path, saved, at, err);
        }
        asy_filehash_update(s, buf, (size_t)n);
    }
    if (asy_filehash_end(s, out, size) < 0) {
        asy_error_set(err, ASSAY_E_IO, "cannot hash '%s': libcrypto's "
                      "SHA-256 failed", path);
        asy_error_at(err, path, -1, -1);
        return ASSAY_E_IO;
    }
    return ASSAY_OK;
}

/* Opened as the loader opens a listed file (asy_open_regular: a path that
 * became a named pipe since it was listed must not block the open for
 * ever); *after is taken on the file read, not on its path (which may
 * name another file by then). */
int asy_filehash_file(asy_filehash h, const char *path,
                      char out[ASY_FILEHASH_HEX], unsigned long long *size,
                      struct stat *after, asy_error *err)
{
    struct stat st;
    int fd = asy_open_regular(path, &st);
    if (fd == -2) {
        asy_error_set(err, ASSAY_E_IO, "cannot hash '%s': not a regular "
                      "file", path);
        asy_error_at(err, path, -1, -1);
        return ASSAY_E_IO;
    }
    if (fd < 0)
        return read_failed(path, errno, -1, err);
    int rc = hash_fd(h, fd, path, out, size, err);
    if (rc == ASSAY_OK && after && fstat(fd, after) != 0)
        rc = read_failed(path, errno, -1, err);
    close(fd);
    return rc;
}

void asy_filehash_buf(asy_filehash h, const void *data, size_t len,
                      char out[ASY_FILEHASH_HEX])
{
    if (h == ASY_FILEHASH_SHA256)
        asy_sha256_buf(data, len, out);
    else
        xxh_hex(XXH3_128bits(data, len), out);
}
