/*
 * clocale.h — the library works in the C locale whatever locale the
 * program set: numbers read and written with '.', as the CLI (which never
 * calls setlocale) always does. A program that called setlocale(LC_ALL,
 * "") under a German locale got "1,5" from Lua's tostring in its rows and
 * had "0.25" refused as an option value. Each entry point that runs Lua
 * or reads or writes numbers switches its thread to the C locale for the
 * call (uselocale: this thread only) and back (the engine's callbacks
 * run in the caller's locale: engine.h); the library's own threads switch
 * for good when they start.
 */
#ifndef ASY_CLOCALE_H
#define ASY_CLOCALE_H

#include <locale.h>

/* Switch this thread to the C locale; returns what to give
 * asy_clocale_leave ((locale_t)0 when the C locale cannot be had: then
 * nothing changes). */
locale_t asy_clocale_enter(void);
void asy_clocale_leave(locale_t was);
/* The C locale object itself, for the *_l functions (strtod_l);
 * (locale_t)0 when it cannot be had. */
locale_t asy_clocale(void);

#endif
