/*
 * filehash.c — a manifest's file hashes (filehash.h): XXH3-128 read through
 * a 64 KB buffer into libxxhash's streaming state, or sha256.c's SHA-256.
 * (SHA-256 for every input cost a default -j 2 run 2.5x its time: RESULTS.)
 */
#include <errno.h>
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

/* XXH3-128 of the bytes read from fd to its end. */
static int xxh3_fd(int fd, const char *path, char out[ASY_FILEHASH_HEX],
                   unsigned long long *size, asy_error *err)
{
    /* (the state's layout is libxxhash's own: allocated by it) */
    XXH3_state_t *st = XXH3_createState();
    if (!st) {
        asy_error_set(err, ASSAY_E_NOMEM, "out of memory hashing '%s'",
                      path);
        return ASSAY_E_NOMEM;
    }
    unsigned char buf[READ_BUF];
    XXH3_128bits_reset(st);
    unsigned long long total = 0;
    ssize_t n;
    while ((n = read(fd, buf, READ_BUF)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int saved = errno;
            XXH3_freeState(st);
            return read_failed(path, saved, (long long)total, err);
        }
        XXH3_128bits_update(st, buf, (size_t)n);
        total += (unsigned long long)n;
    }
    xxh_hex(XXH3_128bits_digest(st), out);
    XXH3_freeState(st);
    if (size)
        *size = total;
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
    int rc = h == ASY_FILEHASH_SHA256 ? asy_sha256_fd(fd, path, out, size, err)
                                      : xxh3_fd(fd, path, out, size, err);
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
