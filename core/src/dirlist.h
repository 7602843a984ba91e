/*
 * dirlist.h — the one listing of a corpus directory, shared by the
 * loader's walk and the run manifest's (which must see the same files):
 * the non-hidden entries sorted bytewise, each with the type the
 * directory gave, so that a walk needs no stat() for regular files and
 * directories on file systems that give one (ext4, xfs, btrfs, tmpfs).
 */
#ifndef ASY_DIRLIST_H
#define ASY_DIRLIST_H

#include <stddef.h>

typedef struct asy_dirent {
    char *name;
    unsigned char type; /* readdir's d_type: DT_REG, DT_DIR, ...; DT_UNKNOWN */
} asy_dirent;

/* Sorted non-hidden entries of dir: 0, or -1 with errno set. */
int asy_dirlist_read(const char *dir, asy_dirent **out, size_t *n);
void asy_dirlist_free(asy_dirent *v, size_t n);

/* What an entry is, found from its type alone where the directory gave
 * one: a symbolic link is followed with stat(), an entry of unknown type
 * examined with lstat() first. */
typedef enum asy_entry_kind {
    ASY_ENTRY_FILE,     /* a regular file, or a link to one */
    ASY_ENTRY_DIR,      /* a directory (a link to one is LINK_DIR) */
    ASY_ENTRY_LINK_DIR, /* a symbolic link to a directory: not followed */
    ASY_ENTRY_BROKEN,   /* a link that cannot be followed (errno set) */
    ASY_ENTRY_PIPE,     /* a named pipe, */
    ASY_ENTRY_SOCKET,   /* a socket, */
    ASY_ENTRY_DEVICE,   /* a device, */
    ASY_ENTRY_SPECIAL,  /* or another special file (or a link to one) */
    ASY_ENTRY_GONE      /* cannot be examined: vanished (errno set) */
} asy_entry_kind;

/* full: the entry's path (dir joined with d->name). */
asy_entry_kind asy_dirlist_kind(const char *full, const asy_dirent *d);

/* "a" + "b" -> "a/b" ("a/" + "b" too); "" + "b" -> "b". NULL when out of
 * memory. */
char *asy_dirlist_join(const char *a, const char *b);

#endif
