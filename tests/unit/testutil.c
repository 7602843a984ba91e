/*
 * testutil.c — see testutil.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "counter.h"
#include "testutil.h"

char *tu_mkdtemp(void)
{
    const char *tmp = getenv("TMPDIR");
    char buf[4096];
    snprintf(buf, sizeof buf, "%s/assay-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    char *p = mkdtemp(buf);
    assert_non_null(p);
    return strdup(p);
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    chmod(path, 0700);
    return remove(path);
}

void tu_rmtree(const char *path)
{
    if (path)
        nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void mkparents(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
    }
}

char *tu_write(const char *dir, const char *name, const void *data,
               size_t len)
{
    char *path = NULL;
    assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
    mkparents(path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len)
        assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}

char *tu_write_str(const char *dir, const char *name, const char *s)
{
    return tu_write(dir, name, s, strlen(s));
}

char *tu_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t k;
    while ((k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (cap - n - 1 == 0) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

char *tu_write_gz(const char *dir, const char *name, const void *data,
                  size_t len)
{
    char *path = NULL;
    assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
    mkparents(path);
    gzFile g = gzopen(path, "wb");
    assert_non_null(g);
    if (len)
        assert_int_equal(gzwrite(g, data, (unsigned)len), (int)len);
    assert_int_equal(gzclose(g), Z_OK);
    return path;
}

const char *tu_source_dir(void)
{
    const char *s = getenv("ASSAY_SOURCE_DIR");
    return s && *s ? s : ".";
}

const char *tu_corpora_dir(void)
{
    static char buf[4096];
    const char *shared = getenv("ASSAY_SHARED_DIR");
    if (shared && *shared)
        snprintf(buf, sizeof buf, "%s/corpora", shared);
    else
        snprintf(buf, sizeof buf, "%s/../shared/corpora", tu_source_dir());
    struct stat st;
    return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? buf : NULL;
}

char *tu_dir;

int tu_dir_setup(void **state)
{
    (void)state;
    tu_dir = tu_mkdtemp();
    return tu_dir ? 0 : -1;
}

int tu_dir_teardown(void **state)
{
    (void)state;
    tu_rmtree(tu_dir);
    free(tu_dir);
    tu_dir = NULL;
    return 0;
}

void tu_assert_same_counter(const asy_counter *a, const asy_counter *b)
{
    asy_buf x = ASY_BUF_INIT, y = ASY_BUF_INIT;
    assert_int_equal(asy_counter_save(a, &x), 0);
    assert_int_equal(asy_counter_save(b, &y), 0);
    assert_int_equal(x.len, y.len);
    assert_memory_equal(x.data, y.data, x.len);
    asy_buf_free(&x);
    asy_buf_free(&y);
}

void tu_select_hash(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--mul-hash") == 0 && asy_counter_hash_select(0) != 0) {
            fprintf(stderr, "cannot select the multiply hash\n");
            exit(1);
        }
    printf("counter hash: %s\n",
           asy_counter_hash_crc ? "CRC32C" : "folded multiply");
}

/* Set the process's locale to a German one (a decimal comma): de_DE.UTF-8
 * when installed, else de_DE built into dir with localedef (ISO-8859-1:
 * five times faster to build, and the numbers are the same), through
 * LOCPATH. 0, or -1 when neither can be had. */
static int german_locale(const char *dir)
{
    if (setlocale(LC_ALL, "de_DE.UTF-8"))
        return 0;
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "localedef -i de_DE -f ISO-8859-1 %s/de_DE "
             ">/dev/null 2>&1", dir);
    if (system(cmd) == -1) /* exit status 1: warnings, the locale written */
        return -1;
    setenv("LOCPATH", dir, 1);
    return setlocale(LC_ALL, "de_DE") ? 0 : -1;
}

void tu_check_in_comma_locale(int (*fn)(void *ud), void *ud)
{
    char *dir = tu_mkdtemp();
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) { /* the whole process's locale: the library's own
                       threads start in it */
        if (german_locale(dir) < 0)
            _exit(77);
        char probe[16];
        snprintf(probe, sizeof probe, "%.2f", 0.25);
        if (strcmp(probe, "0,25") != 0) { /* the locale is not in effect */
            fprintf(stderr, "de_DE formats 0.25 as %s\n", probe);
            _exit(1);
        }
        _exit(fn(ud) == 0 ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    tu_rmtree(dir);
    free(dir);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77) {
        print_message("[  SKIPPED ] no locale with a decimal comma (de_DE) "
                      "can be had here\n");
        skip();
    }
    assert_int_equal(WEXITSTATUS(status), 0);
}
