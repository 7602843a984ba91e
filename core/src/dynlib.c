/*
 * dynlib.c — asy_dynlib_load (dynlib.h).
 */
#include <dlfcn.h>
#include <stdio.h>

#include "dynlib.h"

int asy_dynlib_load(const char *const *names, size_t nnames,
                    const char *const *syms, size_t nsyms, void **fns,
                    int (*check)(void **fns), char *why, size_t whysize)
{
    if (whysize)
        why[0] = '\0';
    for (size_t i = 0; i < nnames; i++) {
        void *h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            if (i == 0 && whysize) {
                const char *e = dlerror();
                snprintf(why, whysize, "%s", e ? e : names[i]);
            }
            continue;
        }
        size_t k = 0;
        while (k < nsyms && (fns[k] = dlsym(h, syms[k])) != NULL)
            k++;
        if (k == nsyms && (!check || check(fns)))
            return 1;
        if (whysize)
            snprintf(why, whysize, "%s %s%s", names[i],
                     k < nsyms ? "lacks " : "",
                     k < nsyms ? syms[k] : "failed its check");
        dlclose(h);
    }
    return 0;
}
