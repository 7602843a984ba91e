/*
 * clocale.c — the C locale for the library's work (clocale.h): one locale
 * object for the process, made on first use, and uselocale() around it.
 */
#define _GNU_SOURCE /* newlocale, uselocale */
#include <pthread.h>

#include "clocale.h"

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

locale_t asy_clocale(void)
{
    pthread_once(&c_locale_once, make_c_locale);
    return c_locale;
}

locale_t asy_clocale_enter(void)
{
    locale_t c = asy_clocale();
    return c ? uselocale(c) : (locale_t)0;
}

void asy_clocale_leave(locale_t was)
{
    if (was)
        uselocale(was);
}
