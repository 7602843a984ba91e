/*
 * sink.c — output files written atomically: rows go to a hidden temporary
 * file in the destination directory, which commit renames into place and
 * abort removes. Standard output is a sink with nothing to rename.
 *
 * Durability: commit does fflush + fsync(file) + fclose + rename(2). The
 * fsync costs one disk flush per output file (a handful per run) and
 * guarantees that after a crash the renamed file has its full contents
 * rather than zero length; the directory itself is not fsynced, so a crash
 * right after commit may still show the old state — never a truncated file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sink.h"

struct asy_sink {
    FILE *fp;
    char *final;   /* destination path, "-" for stdout */
    char *tmp;     /* temporary path; NULL when writing in place */
    int own_fp;    /* fp is ours to close (not stdout) */
    asy_csvout w;
    unsigned long long rows;
    size_t unsent; /* bytes written since the disk was last asked for them */
};

/* Bytes of a temporary file between requests that the disk start writing
 * them (see send_ahead). */
#define SEND_AHEAD (1u << 20)

/* Temp names are unique per process through this counter (thread-safe). */
static unsigned long tmp_seq;

/* ===================================================================== */
/* The process's temporary files                                         */
/* ===================================================================== */

/* The list is the one piece of process-wide mutable state here; the mutex
 * makes creating + listing (and renaming + unlisting) one step as seen by
 * asy_tmp_remove_all, so no file can slip past it. */
static pthread_mutex_t tmp_lock = PTHREAD_MUTEX_INITIALIZER;
static char **tmp_list;
static size_t tmp_n, tmp_cap;
static int tmp_closed;

/* Caller holds tmp_lock. */
static int tmp_add(const char *path)
{
    if (tmp_n == tmp_cap) {
        size_t cap = tmp_cap ? tmp_cap * 2 : 16;
        char **v = realloc(tmp_list, cap * sizeof *v);
        if (!v)
            return -1;
        tmp_list = v;
        tmp_cap = cap;
    }
    if (!(tmp_list[tmp_n] = strdup(path)))
        return -1;
    tmp_n++;
    return 0;
}

/* Caller holds tmp_lock. */
static void tmp_forget(const char *path)
{
    for (size_t i = 0; i < tmp_n; i++)
        if (strcmp(tmp_list[i], path) == 0) {
            free(tmp_list[i]);
            tmp_list[i] = tmp_list[--tmp_n];
            break;
        }
    if (tmp_n == 0) {
        free(tmp_list);
        tmp_list = NULL;
        tmp_cap = 0;
    }
}

int asy_tmp_create(const char *path)
{
    pthread_mutex_lock(&tmp_lock);
    int fd = -1, e = ECANCELED;
    if (!tmp_closed) {
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        e = errno;
        if (fd >= 0 && tmp_add(path) < 0) {
            close(fd);
            unlink(path);
            fd = -1;
            e = ENOMEM;
        }
    }
    pthread_mutex_unlock(&tmp_lock);
    errno = e;
    return fd;
}

int asy_tmp_commit(const char *tmp, const char *final)
{
    pthread_mutex_lock(&tmp_lock);
    int rc = tmp_closed ? (errno = ECANCELED, -1) : rename(tmp, final);
    int e = errno;
    if (rc == 0)
        tmp_forget(tmp);
    pthread_mutex_unlock(&tmp_lock);
    errno = e;
    return rc;
}

void asy_tmp_discard(const char *tmp)
{
    pthread_mutex_lock(&tmp_lock);
    unlink(tmp);
    tmp_forget(tmp);
    pthread_mutex_unlock(&tmp_lock);
}

void asy_tmp_remove_all(void)
{
    pthread_mutex_lock(&tmp_lock);
    tmp_closed = 1;
    for (size_t i = 0; i < tmp_n; i++) {
        unlink(tmp_list[i]);
        free(tmp_list[i]);
    }
    free(tmp_list);
    tmp_list = NULL;
    tmp_n = tmp_cap = 0;
    pthread_mutex_unlock(&tmp_lock);
}

/* ===================================================================== */
/* Sinks                                                                 */
/* ===================================================================== */

static int io_error(asy_error *err, const char *path, int e, const char *what)
{
    asy_error_set(err, ASSAY_E_IO, "%s: cannot %s: %s", path, what,
                  asy_errno_text(e));
    asy_error_at(err, path, -1, -1);
    if (e == EACCES || e == EPERM || e == EROFS)
        asy_error_hint(err, "choose an output directory you can write to");
    else if (e == ENOSPC || e == EDQUOT)
        asy_error_hint(err, "free some disk space or write elsewhere");
    else if (e == EISDIR)
        asy_error_hint(err, "the output path names a directory; "
                            "give a file name");
    return ASSAY_E_IO;
}

/* mkdir -p: create every missing component of dir. */
static int make_dirs(const char *dir, asy_error *err)
{
    char *p = strdup(dir);
    if (!p)
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    int rc = ASSAY_OK;
    size_t n = strlen(p);
    for (size_t k = 1; k <= n && rc == ASSAY_OK; k++) {
        if (p[k] != '/' && p[k] != '\0')
            continue;
        char save = p[k];
        p[k] = '\0';
        struct stat st;
        /* stat first: mkdir on an existing directory we may not write to
         * can fail with EACCES or EROFS rather than EEXIST. */
        if (stat(p, &st) == 0) {
            if (!S_ISDIR(st.st_mode))
                rc = io_error(err, p, ENOTDIR, "create directory");
        } else if (mkdir(p, 0777) < 0 && errno != EEXIST) {
            rc = io_error(err, p, errno, "create directory");
        }
        p[k] = save;
    }
    free(p);
    return rc;
}

/* Split path into its directory ("." if none) and base name. */
static int split_path(const char *path, char **dir, const char **base)
{
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    if (!slash)
        *dir = strdup(".");
    else
        *dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
    return *dir ? 0 : -1;
}

/* Create the temporary file next to s->final, exclusively. */
static int open_tmp(asy_sink *s, asy_error *err)
{
    char *dir;
    const char *base;
    if (split_path(s->final, &dir, &base) < 0)
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    int fd = -1, e = 0;
    for (int tries = 0; tries < 100 && fd < 0; tries++) {
        unsigned long n = __atomic_fetch_add(&tmp_seq, 1, __ATOMIC_RELAXED);
        free(s->tmp);
        if (asprintf(&s->tmp, "%s/.%s.tmp-%ld-%lu", dir, base, (long)getpid(),
                     n) < 0) {
            s->tmp = NULL;
            free(dir);
            return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
        }
        fd = asy_tmp_create(s->tmp);
        e = errno;
        if (fd < 0 && e != EEXIST)
            break;
    }
    free(dir);
    if (fd >= 0 && (s->fp = fdopen(fd, "w")))
        s->own_fp = 1;
    else if (fd >= 0) {
        e = errno;
        close(fd);
        asy_tmp_discard(s->tmp);
    }
    if (!s->fp) {
        free(s->tmp);
        s->tmp = NULL;
        return io_error(err, s->final, e, "write");
    }
    return ASSAY_OK;
}

/* Work out s->final and make sure its directory exists. */
static int prepare_path(asy_sink *s, const char *dir, const char *name,
                        const char *path, asy_fmt fmt, asy_error *err)
{
    if (path) {
        s->final = strdup(path);
    } else if (asprintf(&s->final, "%s/%s%s", dir, name,
                        asy_fmt_extension(fmt)) < 0) {
        s->final = NULL;
    }
    if (!s->final)
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    char *parent;
    const char *base;
    if (split_path(s->final, &parent, &base) < 0)
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    int rc = make_dirs(parent, err);
    free(parent);
    struct stat st;
    if (rc == ASSAY_OK && stat(s->final, &st) == 0 && S_ISDIR(st.st_mode))
        rc = io_error(err, s->final, EISDIR, "write");
    return rc;
}

/* An existing non-regular file (/dev/stderr, a FIFO) is written in place:
 * renaming over a device node would replace it. 1 if that applies. */
static int is_special(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISREG(st.st_mode) &&
           !S_ISDIR(st.st_mode);
}

static int open_direct(asy_sink *s, asy_error *err)
{
    s->fp = fopen(s->final, "w");
    if (!s->fp)
        return io_error(err, s->final, errno, "write");
    s->own_fp = 1;
    return ASSAY_OK;
}

static void sink_free(asy_sink *s)
{
    asy_csvout_free(&s->w);
    free(s->final);
    free(s->tmp);
    free(s);
}

int asy_sink_open(asy_sink **out, const char *dir, const char *name,
                  const char *path, const asy_sink_opts *o,
                  const char *const *columns, int ncols, asy_error *err)
{
    static const asy_sink_opts defaults = {ASY_FMT_CSV, 0, 0};
    *out = NULL;
    if (!o)
        o = &defaults;
    if (!path && dir && !name)
        return asy_error_set(err, ASSAY_E_USAGE, "output sink without a name");
    asy_sink *s = calloc(1, sizeof *s);
    if (!s)
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    int rc;
    if ((!path && !dir) || (path && strcmp(path, "-") == 0)) {
        s->fp = stdout;
        s->final = strdup("-");
        rc = s->final ? ASSAY_OK : asy_error_set(err, ASSAY_E_NOMEM,
                                                 "out of memory");
    } else {
        rc = prepare_path(s, dir, name, path, o->fmt, err);
        if (rc == ASSAY_OK)
            rc = is_special(s->final) ? open_direct(s, err) : open_tmp(s, err);
    }
    /* A file of ours gets a 64 KB stdio buffer: a few large writes
     * instead of one write(2) per 4 KB of rows (setvbuf failing only
     * leaves the default buffer). */
    if (rc == ASSAY_OK && s->own_fp)
        setvbuf(s->fp, NULL, _IOFBF, 1 << 16);
    if (rc == ASSAY_OK &&
        asy_csvout_open(&s->w, s->fp, o->fmt, o->bom, o->safe, columns,
                        ncols) < 0)
        rc = io_error(err, s->final, errno ? errno : EIO, "write");
    if (rc != ASSAY_OK) {
        asy_sink_abort(s);
        return rc;
    }
    *out = s;
    return ASSAY_OK;
}

int asy_sink_write(asy_sink *s, const assay_value *vals, asy_error *err)
{
    if (asy_csvout_row(&s->w, vals) < 0)
        return io_error(err, s->final, errno ? errno : EIO, "write");
    s->rows++;
    return ASSAY_OK;
}

/* A temporary file's data goes to the disk as it is written, a megabyte
 * at a time (sync_file_range: started, not waited for), so that the fsync
 * of the commit waits for the last of it only: it came after everything,
 * 3.5 ms for the 4 MB of a 216,165-word table. Returns 0, or the errno of
 * a failed flush (a full disk, a file-size limit), reported at once: the
 * commit would only see the stream's error flag. */
static int send_ahead(asy_sink *s, size_t n)
{
#if defined(SYNC_FILE_RANGE_WRITE)
    if (!s->tmp || (s->unsent += n) < SEND_AHEAD)
        return 0;
    s->unsent = 0;
    errno = 0;
    if (fflush(s->fp) != 0)
        return errno ? errno : EIO;
    sync_file_range(fileno(s->fp), 0, 0, SYNC_FILE_RANGE_WRITE);
#else
    (void)s;
    (void)n;
#endif
    return 0;
}

int asy_sink_write_raw(asy_sink *s, const char *bytes, size_t n, size_t rows,
                       asy_error *err)
{
    if (asy_csvout_raw(&s->w, bytes, n) < 0)
        return io_error(err, s->final, errno ? errno : EIO, "write");
    s->rows += rows;
    int e = send_ahead(s, n);
    return e ? io_error(err, s->final, e, "write") : ASSAY_OK;
}

const asy_csvout *asy_sink_writer(const asy_sink *s)
{
    return &s->w;
}

/* fflush + fsync + fclose (fclose only when the FILE is ours); returns 0
 * or an errno value. */
static int close_fp(asy_sink *s)
{
    int e = 0;
    errno = 0;
    if (fflush(s->fp) != 0 || ferror(s->fp))
        e = errno ? errno : EIO;
    /* EINVAL/EROFS: the file does not support fsync (a pipe, a device). */
    if (!e && s->tmp && fsync(fileno(s->fp)) < 0 && errno != EINVAL &&
        errno != EROFS)
        e = errno;
    if (s->own_fp && fclose(s->fp) != 0 && !e)
        e = errno ? errno : EIO;
    s->fp = NULL;
    return e;
}

/* The error of a failed close, named after what the user knows. */
static int close_error(asy_sink *s, int e, asy_error *err)
{
    return io_error(err, s->own_fp ? s->final : "standard output", e,
                    "write");
}

int asy_sink_finish(asy_sink *s, asy_error *err)
{
    if (!s)
        return asy_error_set(err, ASSAY_E_USAGE, "no sink to finish");
    if (!s->fp)
        return ASSAY_OK;
    int e = close_fp(s);
    return e ? close_error(s, e, err) : ASSAY_OK;
}

int asy_sink_commit(asy_sink *s, asy_error *err)
{
    if (!s)
        return asy_error_set(err, ASSAY_E_USAGE, "no sink to commit");
    int rc = ASSAY_OK;
    int e = s->fp ? close_fp(s) : 0;
    if (e)
        rc = close_error(s, e, err);
    else if (s->tmp && asy_tmp_commit(s->tmp, s->final) < 0)
        rc = io_error(err, s->final, errno,
                      "rename the temporary file into place");
    else if (s->tmp) {
        free(s->tmp); /* renamed: nothing left to remove */
        s->tmp = NULL;
    }
    if (s->tmp)
        asy_tmp_discard(s->tmp);
    sink_free(s);
    return rc;
}

void asy_sink_abort(asy_sink *s)
{
    if (!s)
        return;
    if (s->fp && s->own_fp)
        fclose(s->fp);
    else if (s->fp)
        fflush(s->fp);
    if (s->tmp)
        asy_tmp_discard(s->tmp);
    sink_free(s);
}

const char *asy_sink_path(const asy_sink *s)
{
    return s->final;
}

unsigned long long asy_sink_rows(const asy_sink *s)
{
    return s->rows;
}
