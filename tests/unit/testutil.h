/*
 * testutil.h — helpers shared by the cmocka unit tests: scratch directories,
 * writing and reading files, locating ../shared, visible skips, and
 * comparing counters.
 */
#ifndef ASSAY_TESTUTIL_H
#define ASSAY_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* A fresh empty directory under $TMPDIR (or /tmp), removed recursively by
 * tu_rmtree(). Returns a static-lifetime malloc'd path. */
char *tu_mkdtemp(void);
void tu_rmtree(const char *path);
/* A scratch directory shared by the tests of one cmocka group:
 * tu_dir_setup (the group setup) creates it in tu_dir and
 * tu_dir_teardown removes it with everything inside. */
extern char *tu_dir;
int tu_dir_setup(void **state);
int tu_dir_teardown(void **state);
/* Write len bytes to dir/name (creating subdirectories); returns the full
 * path (malloc'd). */
char *tu_write(const char *dir, const char *name, const void *data,
               size_t len);
char *tu_write_str(const char *dir, const char *name, const char *s);
/* Read a whole file (malloc'd, NUL-terminated); NULL if missing. */
char *tu_read(const char *path, size_t *len);
/* gzip-compress data into dir/name. Returns the path. */
char *tu_write_gz(const char *dir, const char *name, const void *data,
                  size_t len);
/* Path of ../shared/corpora (from $ASSAY_SHARED_DIR or relative to
 * $ASSAY_SOURCE_DIR), or NULL when absent. */
const char *tu_corpora_dir(void);
/* With "--mul-hash" among the arguments, the counters' multiply hash from
 * now on instead of CRC32C (counter.h); call first thing in main(), before
 * any counter exists. ctest runs the tests of hashed tables both ways, so
 * that the hash of CPUs without CRC32C stays tested. Prints the choice. */
void tu_select_hash(int argc, char **argv);
/* Source tree root ($ASSAY_SOURCE_DIR or "."). */
const char *tu_source_dir(void);

/* Assert that two counters (counter.h) hold the same entries: their
 * canonical bytes (asy_counter_save) are equal. */
struct asy_counter;
void tu_assert_same_counter(const struct asy_counter *a,
                            const struct asy_counter *b);

/* Call fn(ud) in a child process whose locale (setlocale(LC_ALL): every
 * thread's) is German, with a decimal comma (de_DE.UTF-8 installed, or
 * de_DE built with localedef into a temporary directory), and assert that
 * it returned 0; skip the test visibly when no such locale can be had
 * here. (A child: the locale is the process's, and glibc keeps a little
 * of LOCPATH's parsing for good, which LeakSanitizer would report.) fn
 * must not use cmocka's asserts. */
void tu_check_in_comma_locale(int (*fn)(void *ud), void *ud);

/* Skip the current cmocka test visibly with a reason. */
#define TU_SKIP(why)                                                       \
    do {                                                                   \
        print_message("[  SKIPPED ] %s\n", (why));                         \
        skip();                                                            \
    } while (0)

#endif
