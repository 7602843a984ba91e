/*
 * dirlist.c — listing a corpus directory (dirlist.h). The loader's walk
 * and the manifest's each listed directories with code of their own and
 * stat()ed every entry by its full path; the types readdir gives spare
 * those look-ups (50,000 files of 4 KB: 50,000 lstat() calls a walk).
 */
#define _GNU_SOURCE /* DT_* */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dirlist.h"

static int cmp_entries(const void *a, const void *b)
{
    return strcmp(((const asy_dirent *)a)->name,
                  ((const asy_dirent *)b)->name);
}

void asy_dirlist_free(asy_dirent *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i].name);
    free(v);
}

/* Append name to *v; -1 when out of memory. */
static int append(asy_dirent **v, size_t *n, size_t *cap, const char *name,
                  unsigned char type)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 32;
        asy_dirent *p = realloc(*v, nc * sizeof *p);
        if (!p)
            return -1;
        *v = p;
        *cap = nc;
    }
    if (!((*v)[*n].name = strdup(name)))
        return -1;
    (*v)[(*n)++].type = type;
    return 0;
}

int asy_dirlist_read(const char *dir, asy_dirent **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    DIR *dh = opendir(dir);
    if (!dh)
        return -1;
    asy_dirent *v = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    int saved = 0;
    for (;;) {
        errno = 0; /* readdir's end and its failure differ only by errno */
        if (!(de = readdir(dh))) {
            saved = errno;
            break;
        }
        if (de->d_name[0] == '.')
            continue;
        if (append(&v, &n, &cap, de->d_name, de->d_type) < 0) {
            saved = ENOMEM;
            break;
        }
    }
    closedir(dh);
    if (saved) { /* a directory read in part would lose files quietly */
        asy_dirlist_free(v, n);
        errno = saved;
        return -1;
    }
    if (n)
        qsort(v, n, sizeof *v, cmp_entries);
    *out = v;
    *nout = n;
    return 0;
}

/* The kind of a file by its mode (after links). */
static asy_entry_kind by_mode(mode_t m)
{
    if (S_ISREG(m))
        return ASY_ENTRY_FILE;
    if (S_ISDIR(m))
        return ASY_ENTRY_DIR;
    if (S_ISFIFO(m))
        return ASY_ENTRY_PIPE;
    if (S_ISSOCK(m))
        return ASY_ENTRY_SOCKET;
    if (S_ISCHR(m) || S_ISBLK(m))
        return ASY_ENTRY_DEVICE;
    return ASY_ENTRY_SPECIAL;
}

/* A symbolic link, followed. */
static asy_entry_kind link_kind(const char *full)
{
    struct stat st;
    if (stat(full, &st) != 0)
        return ASY_ENTRY_BROKEN;
    asy_entry_kind k = by_mode(st.st_mode);
    return k == ASY_ENTRY_DIR ? ASY_ENTRY_LINK_DIR : k;
}

asy_entry_kind asy_dirlist_kind(const char *full, const asy_dirent *d)
{
    switch (d->type) {
    case DT_REG:
        return ASY_ENTRY_FILE;
    case DT_DIR:
        return ASY_ENTRY_DIR;
    case DT_LNK:
        return link_kind(full);
    case DT_FIFO:
        return ASY_ENTRY_PIPE;
    case DT_SOCK:
        return ASY_ENTRY_SOCKET;
    case DT_CHR:
    case DT_BLK:
        return ASY_ENTRY_DEVICE;
    default: { /* DT_UNKNOWN: the file system does not say */
        struct stat lst;
        if (lstat(full, &lst) != 0)
            return ASY_ENTRY_GONE;
        return S_ISLNK(lst.st_mode) ? link_kind(full) : by_mode(lst.st_mode);
    }
    }
}

/* (Two joins a file in each walk: memcpy, not asprintf's formatting.) */
char *asy_dirlist_join(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    size_t slash = na > 0 && a[na - 1] != '/';
    char *p = malloc(na + slash + nb + 1);
    if (!p)
        return NULL;
    memcpy(p, a, na);
    p[na] = '/'; /* overwritten by b when no slash is wanted */
    memcpy(p + na + slash, b, nb + 1);
    return p;
}
