/*
 * source.c — byte streams over a file descriptor through zlib's gz* layer,
 * which reads gzip and plain data alike (gzip is recognised by its magic
 * bytes), plus a line reader for arbitrarily long lines with a length cap.
 * A regular file that does not start with the gzip magic is read with
 * read(2) alone, without zlib's buffers and their copy. Offsets are in the
 * uncompressed stream.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "source.h"

#define GZ_BUFFER (256u * 1024u) /* zlib's own buffer: fewer read(2) calls */
#define CHUNK (64u * 1024u)      /* our read-ahead buffer */

struct asy_source {
    char *path;
    gzFile gz;          /* NULL: a plain regular file read from fd */
    int fd;
    char *buf;          /* read-ahead: bytes buf[pos..len) not consumed */
    size_t pos, len;
    long long consumed; /* uncompressed bytes handed out so far */
    int eof, failed, started, is_gzip;
    asy_error error;    /* sticky failure, reported by every later read */
    asy_buf line;       /* getline's result */
    long long lineno, line_off;
    size_t size_hint;   /* the file's size on disk (0: unknown) */
    int regular;        /* a regular file (or a link to one) */
    int raw_fd;         /* the descriptor zlib reads, for the hash (gzip) */
    int whole;          /* read_all had every byte the file has on disk */
    long long pulled;   /* bytes read from the file so far (plain) */
    asy_filehash_state *hash; /* asy_source_hash_begin's, or NULL */
    struct stat opened; /* a regular file's fstat() when it was opened */
};

/* ==================================================================== */
/* Opening                                                              */
/* ==================================================================== */

int asy_open_regular(const char *path, struct stat *st)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == EWOULDBLOCK) /* a lease held by a file server: */
        fd = open(path, O_RDONLY | O_CLOEXEC); /* wait, as before */
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    /* (F_SETFL 0: blocking again; opened with no other status flag) */
    if (!S_ISREG(st->st_mode) || fcntl(fd, F_SETFL, 0) != 0) {
        close(fd);
        return -2;
    }
    return fd;
}

/* regular_only: asy_open_regular (then read with blocking reads as any
 * other file). */
static int open_fd(const char *path, int regular_only, size_t *size_hint,
                   int *regular, struct stat *opened, asy_error *err)
{
    *size_hint = 0;
    *regular = 0;
    if (strcmp(path, "-") == 0) {
        /* dup so that gzclose() never closes the process's stdin. */
        int fd = dup(0);
        if (fd < 0)
            asy_error_set(err, ASSAY_E_IO, "cannot read standard input: %s",
                          asy_errno_text(errno));
        return fd;
    }
    struct stat st;
    int fd = regular_only ? asy_open_regular(path, &st)
                          : open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -2) {
        asy_error_set(err, ASSAY_E_IO, "cannot read '%s': not a regular "
                      "file (any more)", path);
        asy_error_at(err, path, -1, -1);
        return -1;
    }
    if (fd < 0) {
        asy_error_set(err, ASSAY_E_IO, "cannot open '%s': %s", path,
                      asy_errno_text(errno));
        asy_error_at(err, path, -1, -1);
        return -1;
    }
    int known = regular_only || fstat(fd, &st) == 0;
    if (known && S_ISDIR(st.st_mode)) {
        close(fd);
        asy_error_set(err, ASSAY_E_IO, "cannot read '%s': is a directory",
                      path);
        asy_error_at(err, path, -1, -1);
        asy_error_hint(err, "pass the directory as an input to read the "
                            "files inside it");
        return -1;
    }
    if (known && S_ISREG(st.st_mode) && st.st_size > 0)
        *size_hint = (size_t)st.st_size;
    *regular = known && S_ISREG(st.st_mode);
    if (*regular)
        *opened = st;
    return fd;
}

static int source_open(asy_source **out, const char *path, int regular_only,
                       asy_error *err)
{
    *out = NULL;
    asy_source *s = calloc(1, sizeof *s);
    if (s)
        s->fd = -1; /* nothing to close yet */
    if (!s || !(s->path = strdup(path)) || !(s->buf = malloc(CHUNK))) {
        asy_source_close(s);
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    }
    int regular;
    int fd = open_fd(path, regular_only, &s->size_hint, &regular, &s->opened,
                     err);
    s->fd = fd;
    s->raw_fd = fd;
    s->regular = regular;
    if (fd < 0) {
        asy_source_close(s);
        return ASSAY_E_IO;
    }
    unsigned char magic[2];
    if (regular && pread(fd, magic, 2, 0) != 2)
        magic[0] = 0; /* shorter than the magic (or unreadable: read says) */
    if (regular && !(magic[0] == 0x1f && magic[1] == 0x8b)) {
        s->started = 1; /* plain: no zlib */
        asy_error_clear(&s->error);
        *out = s;
        return ASSAY_OK;
    }
    s->fd = -1; /* zlib owns it now */
    s->gz = gzdopen(fd, "rb");
    if (!s->gz) {
        close(fd);
        asy_source_close(s);
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    }
    gzbuffer(s->gz, GZ_BUFFER);
    asy_error_clear(&s->error);
    *out = s;
    return ASSAY_OK;
}

int asy_source_open(asy_source **out, const char *path, asy_error *err)
{
    return source_open(out, path, 0, err);
}

int asy_source_open_file(asy_source **out, const char *path, asy_error *err)
{
    return source_open(out, path, 1, err);
}

void asy_source_close(asy_source *s)
{
    if (!s)
        return;
    if (s->gz)
        gzclose(s->gz);
    else if (s->fd >= 0)
        close(s->fd);
    asy_filehash_drop(s->hash);
    asy_buf_free(&s->line);
    free(s->buf);
    free(s->path);
    free(s);
}

/* ==================================================================== */
/* Reading                                                              */
/* ==================================================================== */

static void set_failure(asy_source *s, long long at)
{
    int zerr = Z_ERRNO;
    const char *msg = s->gz ? gzerror(s->gz, &zerr) : NULL;
    /* zlib prefixes "<fd:N>: " (gzdopen): the descriptor number depends on
     * what else the process has open, so errors files would differ between
     * runs and thread counts; the message names the path already. */
    const char *fdtag = msg && msg[0] == '<' ? strstr(msg, ">: ") : NULL;
    if (fdtag)
        msg = fdtag + 3;
    if (zerr == Z_ERRNO)
        asy_error_set(&s->error, ASSAY_E_IO, "read error on '%s': %s",
                      s->path, asy_errno_text(errno));
    else
        asy_error_set(&s->error, ASSAY_E_IO,
                      "corrupt gzip data in '%s' at uncompressed byte %lld "
                      "(zlib: %s)", s->path, at, msg ? msg : "?");
    asy_error_at(&s->error, s->path, -1, at);
    if (zerr != Z_ERRNO)
        asy_error_hint(&s->error, "the file is damaged or truncated; check "
                                  "it with gzip -t");
    s->failed = 1;
}

/* gzread up to n bytes into dst (the read-ahead or, for a large read,
 * the caller's buffer: zlib then reads plain data with read(2) straight
 * into it). Returns the count, 0 at end, -1 on failure (sticky). */
static long long pull(asy_source *s, char *dst, size_t n)
{
    if (s->failed)
        return -1;
    if (s->eof)
        return 0;
    long long at = s->consumed + (long long)(s->len - s->pos);
    if (n > (1u << 30))
        n = 1u << 30;
    if (!s->gz) {
        ssize_t k;
        while ((k = read(s->fd, dst, n)) < 0 && errno == EINTR)
            ;
        if (k < 0)
            set_failure(s, at);
        else if (s->hash)
            asy_filehash_update(s->hash, dst, (size_t)k);
        s->pulled += k > 0 ? k : 0;
        s->eof = k == 0;
        return k;
    }
    int k = gzread(s->gz, dst, (unsigned)n);
    if (!s->started) {
        s->started = 1;
        s->is_gzip = !gzdirect(s->gz);
    }
    if (k < 0) {
        set_failure(s, at);
        return -1;
    }
    if (k == 0) {
        int zerr = Z_OK;
        gzerror(s->gz, &zerr);
        if (zerr != Z_OK) { /* e.g. Z_BUF_ERROR: truncated gzip */
            set_failure(s, at);
            return -1;
        }
        s->eof = 1;
    }
    return k;
}

/* Refill the read-ahead with at least one more byte unless at end.
 * Keeps unconsumed bytes (moved to the front). Returns 1, 0 at end, -1. */
static int fill(asy_source *s)
{
    if (s->failed)
        return -1;
    if (s->eof)
        return 0;
    if (s->pos > 0) {
        memmove(s->buf, s->buf + s->pos, s->len - s->pos);
        s->len -= s->pos;
        s->pos = 0;
    }
    if (s->len == CHUNK)
        return 1;
    long long k = pull(s, s->buf + s->len, CHUNK - s->len);
    if (k <= 0)
        return (int)k;
    s->len += (size_t)k;
    return 1;
}

static int fail_out(asy_source *s, asy_error *err)
{
    asy_error_copy(err, &s->error);
    return ASSAY_E_IO;
}

long long asy_source_read(asy_source *s, void *buf, size_t n, asy_error *err)
{
    if (s->pos == s->len && n >= CHUNK) { /* large: no read-ahead copy */
        long long k = pull(s, buf, n);
        if (k < 0)
            fail_out(s, err);
        else
            s->consumed += k;
        return k;
    }
    if (s->pos == s->len) {
        int r = fill(s);
        if (r < 0) {
            fail_out(s, err);
            return -1;
        }
        if (r == 0)
            return 0;
    }
    size_t k = s->len - s->pos < n ? s->len - s->pos : n;
    memcpy(buf, s->buf + s->pos, k);
    s->pos += k;
    s->consumed += (long long)k;
    return (long long)k;
}

/* Room for `need` more bytes. A fresh buffer gets exactly that, rounded
 * up to 4 or 64 KB, not asy_buf's doubling (which would make a 2 MB file a
 * 4 MB block): blocks of one size class let malloc hand the pages of the
 * last freed document to the next one instead of mapping and faulting in
 * fresh ones for every file (its mmap threshold follows freed sizes). */
static int reserve_whole(asy_buf *b, size_t need)
{
    const size_t round = need < 1024u * 1024u ? 4096u : 64u * 1024u;
    if (b->data || need > SIZE_MAX - 2 * round)
        return asy_buf_reserve(b, need);
    size_t cap = (need + 1 + round - 1) / round * round;
    b->data = malloc(cap);
    if (!b->data)
        return -1;
    b->data[0] = '\0';
    b->cap = cap;
    return 0;
}

int asy_source_read_all(asy_source *s, asy_buf *out, size_t max,
                        asy_error *err)
{
    size_t start = out->len;
    /* Room for the whole file (its size on disk, plus a little: a short
     * read then tells its end) at once, so that the buffer is not copied
     * as it grows. */
    size_t first = s->size_hint && (!max || s->size_hint <= max)
                       ? s->size_hint + 4096 : CHUNK;
    if (reserve_whole(out, first) < 0)
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory reading "
                             "'%s'", s->path);
    for (;;) {
        if (out->cap - out->len < 4096 && asy_buf_reserve(out, CHUNK) < 0)
            return asy_error_set(err, ASSAY_E_NOMEM, "out of memory reading "
                                 "'%s'", s->path);
        /* with a limit, never read more than one byte past it: a file
         * over the limit must not fill a buffer twice its size first */
        size_t room = out->cap - out->len - 1, got = out->len - start;
        if (max && room > max - got + 1)
            room = max - got + 1;
        long long k = asy_source_read(s, out->data + out->len, room, err);
        if (k < 0)
            return ASSAY_E_IO;
        if (k == 0)
            return ASSAY_OK;
        out->len += (size_t)k;
        out->data[out->len] = '\0';
        if (max && out->len - start > max) {
            asy_error_set(err, ASSAY_E_LIMIT, "'%s' is larger than %zu bytes",
                          s->path, max);
            asy_error_at(err, s->path, -1, -1);
            return ASSAY_E_LIMIT;
        }
        /* A plain file that gave, short of the room, all the bytes it has
         * on disk is at its end: no read(2) only to be told so (one in
         * seven of the system calls of a corpus of small files). */
        if (!s->gz && s->size_hint && (size_t)k < room &&
            out->len - start == s->size_hint) {
            s->whole = s->pulled == (long long)s->size_hint;
            return ASSAY_OK;
        }
    }
}

size_t asy_source_peek(asy_source *s, const char **p, size_t n)
{
    if (n > 4096)
        n = 4096;
    while (s->len - s->pos < n && fill(s) > 0)
        ;
    *p = s->buf + s->pos;
    return s->len - s->pos < n ? s->len - s->pos : n;
}

/* ==================================================================== */
/* Hashing what is read                                                 */
/* ==================================================================== */

int asy_source_hash_begin(asy_source *s, asy_filehash h)
{
    if (!s->regular || s->pulled || s->len || s->hash ||
        !(s->hash = asy_filehash_begin(h)))
        return -1;
    return 0;
}

/* Whether the open file is as it was when opened: size, modification
 * and change times (ctime catches an mtime put back). */
static int unchanged(const asy_source *s)
{
    struct stat now;
    const struct stat *was = &s->opened;
    return fstat(s->raw_fd, &now) == 0 && now.st_size == was->st_size &&
           now.st_mtim.tv_sec == was->st_mtim.tv_sec &&
           now.st_mtim.tv_nsec == was->st_mtim.tv_nsec &&
           now.st_ctim.tv_sec == was->st_ctim.tv_sec &&
           now.st_ctim.tv_nsec == was->st_ctim.tv_nsec;
}

/* The stored bytes of a gzip file, hashed once zlib has read them all
 * (zlib reads the descriptor itself): read again through that descriptor,
 * so they are the same file's bytes even if its path names another file
 * by now, and only if the file is as it was when opened, so they are the
 * bytes zlib read. 0; 1 when the file has changed; -1 on a read error. */
static int hash_stored(asy_source *s, asy_filehash_state *h)
{
    if (!unchanged(s))
        return 1;
    unsigned char buf[64 * 1024];
    off_t at = 0;
    for (;;) {
        ssize_t k = pread(s->raw_fd, buf, sizeof buf, at);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return (int)k;
        asy_filehash_update(h, buf, (size_t)k);
        at += k;
    }
}

int asy_source_hash_end(asy_source *s, char out[ASY_FILEHASH_HEX],
                        unsigned long long *size)
{
    asy_filehash_state *h = s->hash;
    s->hash = NULL;
    int done = h && !s->failed && (s->eof || s->whole), stored = 0;
    if (done && s->gz)
        stored = hash_stored(s, h);
    if (!done || stored != 0) {
        asy_filehash_drop(h);
        return stored == 1 ? -1 : 0;
    }
    return asy_filehash_end(h, out, size) == 0;
}

/* ==================================================================== */
/* Lines                                                                */
/* ==================================================================== */

/* Consume through the next '\n' (or end) without keeping anything: used
 * after a line went over its cap. Returns 0, or -1 on a read error. */
static int discard_line(asy_source *s)
{
    for (;;) {
        if (s->pos == s->len) {
            int r = fill(s);
            if (r <= 0)
                return r;
        }
        const char *b = s->buf + s->pos;
        const char *nl = memchr(b, '\n', s->len - s->pos);
        size_t k = nl ? (size_t)(nl - b) + 1 : s->len - s->pos;
        s->pos += k;
        s->consumed += (long long)k;
        if (nl)
            return 0;
    }
}

static int over_limit(asy_source *s, size_t max, asy_error *err)
{
    asy_buf_clear(&s->line);
    if (discard_line(s) < 0)
        return fail_out(s, err);
    asy_error_set(err, ASSAY_E_LIMIT, "line %lld of '%s' is longer than %zu "
                  "bytes", s->lineno, s->path, max);
    asy_error_at(err, s->path, s->lineno, s->line_off);
    return ASSAY_E_LIMIT;
}

static void finish_line(asy_source *s, const char **line, size_t *len)
{
    if (s->line.len && s->line.data[s->line.len - 1] == '\r')
        s->line.data[--s->line.len] = '\0';
    *line = s->line.data ? s->line.data : "";
    *len = s->line.len;
}

int asy_source_getline(asy_source *s, const char **line, size_t *len,
                       size_t max, asy_error *err)
{
    asy_buf_clear(&s->line);
    int any = 0;
    s->line_off = s->consumed;
    for (;;) {
        if (s->pos == s->len) {
            int r = fill(s);
            if (r < 0)
                return fail_out(s, err);
            if (r == 0)
                break;
        }
        if (!any)
            s->lineno++;
        any = 1;
        const char *b = s->buf + s->pos;
        const char *nl = memchr(b, '\n', s->len - s->pos);
        size_t k = nl ? (size_t)(nl - b) : s->len - s->pos;
        if (max && s->line.len + k > max)
            return over_limit(s, max, err);
        if (asy_buf_append(&s->line, b, k) < 0)
            return asy_error_set(err, ASSAY_E_NOMEM, "out of memory reading "
                                 "line %lld of '%s'", s->lineno, s->path);
        s->pos += k + (nl != NULL);
        s->consumed += (long long)(k + (nl != NULL));
        if (nl)
            break;
    }
    if (!any)
        return 0;
    finish_line(s, line, len);
    return 1;
}

long long asy_source_lineno(const asy_source *s) { return s->lineno; }
long long asy_source_line_offset(const asy_source *s) { return s->line_off; }
const char *asy_source_path(const asy_source *s) { return s->path; }

int asy_source_is_gzip(const asy_source *s)
{
    /* gzdirect() is only meaningful after the first read; peek forces it. */
    if (!s->started) {
        const char *p;
        asy_source_peek((asy_source *)s, &p, 1);
    }
    return s->is_gzip;
}

int asy_read_file(const char *path, const char *what, asy_buf *out,
                  asy_error *err)
{
    asy_source *src = NULL;
    asy_error local;
    int rc = asy_source_open(&src, path, &local);
    if (rc == ASSAY_OK)
        rc = asy_source_read_all(src, out, 0, &local);
    asy_source_close(src);
    if (rc != ASSAY_OK) {
        asy_error_set(err, rc, "cannot read %s %s: %s", what, path,
                      local.message);
        asy_error_at(err, path, -1, local.byte);
    }
    return rc;
}
