/*
 * source.h — byte streams: a file, standard input ("-"), or either of them
 * gzip-compressed (detected by magic bytes, so "x.jsonl.gz" and a gzip on
 * stdin both work). Includes a line reader that handles lines of any length
 * and keeps the line number and byte offset for error messages.
 */
#ifndef ASY_SOURCE_H
#define ASY_SOURCE_H

#include <stddef.h>
#include <sys/stat.h>

#include "filehash.h"
#include "status.h"
#include "strbuf.h"

typedef struct asy_source asy_source;

/* Open path ("-" = standard input). ASSAY_E_IO with the path and
 * strerror() on failure; a directory is an ASSAY_E_IO error too. */
int asy_source_open(asy_source **out, const char *path, asy_error *err);
/* The same for a file found in a directory, which must be a regular file:
 * anything else (a file replaced by a named pipe since the walk saw it) is
 * an ASSAY_E_IO error at once, where opening a pipe would wait for a
 * writer for ever. */
int asy_source_open_file(asy_source **out, const char *path, asy_error *err);

/* The open under asy_source_open_file, for other readers of a listed file
 * (the manifest's hash): path opened for reading without waiting, and
 * kept only if it is a regular file, then made blocking; a file server's
 * lease is waited for, as open() does. The descriptor, with *st its
 * fstat(); -1 with errno set when it cannot be opened; -2 when it is not
 * a regular file (any more). */
int asy_open_regular(const char *path, struct stat *st);

/* Read up to n bytes: returns bytes read, 0 at end, -1 on error (err set:
 * file and byte offset). Corrupt gzip data is an error. */
long long asy_source_read(asy_source *s, void *buf, size_t n, asy_error *err);

/* Read the rest of the stream into out (appending). ASSAY_E_LIMIT when it
 * exceeds max bytes (0 = no limit). */
int asy_source_read_all(asy_source *s, asy_buf *out, size_t max,
                        asy_error *err);

/* Next line, without its "\n" (a "\r" before it is removed too).
 * Returns 1 and sets *line and *len (valid until the next call; NUL-terminated),
 * 0 at end of stream, or a negative status (ASSAY_E_LIMIT when a line
 * exceeds max bytes, 0 = no limit; the rest of that line is then skipped
 * and the next call continues after it). */
int asy_source_getline(asy_source *s, const char **line, size_t *len,
                       size_t max, asy_error *err);

/* 1-based number of the line last returned by getline (0 before). */
long long asy_source_lineno(const asy_source *s);
/* Byte offset (uncompressed stream) where the last returned line starts. */
long long asy_source_line_offset(const asy_source *s);
/* 1 if the stream is gzip-compressed. */
int asy_source_is_gzip(const asy_source *s);
/* Peek at up to n leading bytes without consuming them (n <= 4096); returns
 * the number available. Only valid before any read. */
size_t asy_source_peek(asy_source *s, const char **p, size_t n);
const char *asy_source_path(const asy_source *s);

/* Hash the bytes of a regular file as stored while they are read (a gzip
 * file's compressed bytes are read again, from the same open file, at
 * asy_source_hash_end): the run manifest's record of what a run read.
 * Call before any read. 0, or -1 when not hashing (not a regular file,
 * read already, out of memory); reading is the same either way. */
int asy_source_hash_begin(asy_source *s, asy_filehash h);
/* End the hash: 1 with the hex digest and the count of bytes hashed when
 * the whole file was read without failure; 0 when not (nothing hashed,
 * or read only in part); -1 for a gzip file that changed while it was
 * read (its stored bytes are no longer those that were read). */
int asy_source_hash_end(asy_source *s, char out[ASY_FILEHASH_HEX],
                        unsigned long long *size);

/* Read a whole small data file (gzip allowed) into out, appending. On
 * failure err says "cannot read WHAT PATH: reason". */
int asy_read_file(const char *path, const char *what, asy_buf *out,
                  asy_error *err);
void asy_source_close(asy_source *s);

#endif
