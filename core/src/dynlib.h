/*
 * dynlib.h — an optional shared library loaded when first wanted
 * (dlopen), not linked: a linked library's relocations and start-up are
 * paid by every run, also by the many that never call it (libcrypto for
 * SHA-256 of input files, libstemmer for stemming: sha256.c, token.c).
 */
#ifndef ASY_DYNLIB_H
#define ASY_DYNLIB_H

#include <stddef.h>

/* The first of names[0 .. nnames) that loads and has every one of
 * syms[0 .. nsyms), for which check (when not NULL) then returns 1: its
 * symbols' addresses in fns[0 .. nsyms), the library kept loaded (its
 * functions may be in use for the rest of the process). 1, or 0 when none
 * does, with why it did not in why[0 .. whysize): the first name's
 * dlerror, or what a later candidate lacked. The caller serialises its
 * calls (pthread_once) and converts fns[i] to the function's type
 * (POSIX guarantees the conversion for dlsym's results). */
int asy_dynlib_load(const char *const *names, size_t nnames,
                    const char *const *syms, size_t nsyms, void **fns,
                    int (*check)(void **fns), char *why, size_t whysize);

#endif
