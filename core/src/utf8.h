/*
 * utf8.h — validation and normalisation of incoming text, and code-point
 * counting.
 *
 * Policy (docs/formats.md): a leading BOM is dropped; CRLF and lone CR
 * become LF; invalid UTF-8 sequences (overlongs, surrogates, > U+10FFFF,
 * truncated sequences) are each replaced by U+FFFD and reported with the
 * byte offset of the first one; NUL bytes mark a binary file.
 */
#ifndef ASY_UTF8_H
#define ASY_UTF8_H

#include <stddef.h>
#include <stdint.h>

typedef struct asy_clean_report {
    size_t invalid;          /* invalid sequences replaced */
    long long first_invalid; /* byte offset in the input, or -1 */
    long long first_nul;     /* byte offset of the first NUL, or -1 */
} asy_clean_report;

/* Clean `len` bytes of `in` into a new malloc'd, NUL-terminated buffer.
 * latin1 != 0 decodes the input as ISO-8859-1 instead of UTF-8.
 * NUL bytes are copied through (the caller decides what they mean).
 * Returns 0, or -1 when out of memory. */
int asy_text_clean(const char *in, size_t len, int latin1, char **out,
                   size_t *outlen, asy_clean_report *rep);

/* asy_text_clean that consumes `in` (malloc'd, at least len + 1 bytes):
 * when nothing needs changing, in itself becomes *out (shrunk to len + 1
 * and NUL-terminated), so a clean document is never copied; otherwise the
 * cleaned copy is *out and in is freed. On failure (-1) in is freed. */
int asy_text_clean_owned(char *in, size_t len, int latin1, char **out,
                         size_t *outlen, asy_clean_report *rep);

/* 1 if s[0..n) is valid UTF-8 (no NUL check); else 0 and *bad = offset. */
int asy_utf8_valid(const char *s, size_t n, size_t *bad);

/* The check behind asy_text_clean's fast path: 1 when s[0..n) needs no
 * cleaning at all (valid UTF-8, no leading BOM, no CR, no NUL), else 0.
 * impl picks the implementation (ASY_UTF8_IMPL_BEST: the fastest this CPU
 * runs); -1 when the CPU cannot run the one asked for. Exposed so that
 * tests can hold the vector versions to the scalar one. */
enum {
    ASY_UTF8_IMPL_BEST = -1,
    ASY_UTF8_IMPL_SCALAR = 0,
    ASY_UTF8_IMPL_SSSE3 = 1,
    ASY_UTF8_IMPL_AVX2 = 2
};
int asy_utf8_clean_check(const char *s, size_t n, int impl);

/* Decode one code point at s[0..n); returns its length (1..4) and stores
 * the code point, or returns 0 for an invalid/truncated sequence. */
int asy_utf8_decode(const unsigned char *s, size_t n, int32_t *cp);

/* Encode cp into out (>= 4 bytes); returns the length. */
int asy_utf8_encode(int32_t cp, char *out);

/* Number of code points in valid UTF-8 s[0..n) (counts non-continuation
 * bytes; fast). */
size_t asy_utf8_count(const char *s, size_t n);

#endif
