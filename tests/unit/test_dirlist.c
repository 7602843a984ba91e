/*
 * test_dirlist.c — the listing shared by the loader's walk and the
 * manifest's: hidden entries left out, bytewise order, and each kind of
 * entry (file, directory, links to either, a broken link, a named pipe, a
 * socket, a device) found the same from readdir's type as from lstat()
 * and stat() when the type is unknown; a missing directory; path joining.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "dirlist.h"
#include "testutil.h"

/* name, and its kind */
typedef struct want {
    const char *name;
    asy_entry_kind kind;
} want;

/* Returns whether a socket could be made (its path must fit in 108
 * bytes: a long TMPDIR leaves it out). */
static int make_entries(const char *root)
{
    char p[1100], q[1100];
    free(tu_write_str(root, "b.txt", "b\n"));
    free(tu_write_str(root, "B.txt", "upper case sorts first\n"));
    free(tu_write_str(root, ".hidden.txt", "not listed\n"));
    free(tu_write_str(root, "sub/x.txt", "x\n"));
    snprintf(p, sizeof p, "%s/link-file", root);
    assert_int_equal(symlink("b.txt", p), 0);
    snprintf(p, sizeof p, "%s/link-dir", root);
    assert_int_equal(symlink("sub", p), 0);
    snprintf(p, sizeof p, "%s/link-broken", root);
    assert_int_equal(symlink("nowhere", p), 0);
    snprintf(p, sizeof p, "%s/pipe", root);
    assert_int_equal(mkfifo(p, 0600), 0);
    snprintf(p, sizeof p, "%s/link-null", root);
    assert_int_equal(symlink("/dev/null", p), 0);
    /* a socket bound by a path (short: sun_path holds 108 bytes) */
    snprintf(q, sizeof q, "%s/sock", root);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(q) >= sizeof a.sun_path)
        return 0;
    strcpy(a.sun_path, q);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    close(fd);
    return 1;
}

static void test_kinds(void **state)
{
    (void)state;
    char *root = tu_mkdtemp();
    int sock = make_entries(root);
    const want all[] = {
        {"B.txt", ASY_ENTRY_FILE},         {"b.txt", ASY_ENTRY_FILE},
        {"link-broken", ASY_ENTRY_BROKEN}, {"link-dir", ASY_ENTRY_LINK_DIR},
        {"link-file", ASY_ENTRY_FILE},     {"link-null", ASY_ENTRY_DEVICE},
        {"pipe", ASY_ENTRY_PIPE},          {"sock", ASY_ENTRY_SOCKET},
        {"sub", ASY_ENTRY_DIR},
    };
    want w[sizeof all / sizeof *all];
    size_t nw = 0;
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (sock || strcmp(all[i].name, "sock") != 0)
            w[nw++] = all[i];
    asy_dirent *v;
    size_t n;
    assert_int_equal(asy_dirlist_read(root, &v, &n), 0);
    assert_int_equal(n, nw);
    for (size_t i = 0; i < n; i++) {
        char *full = asy_dirlist_join(root, v[i].name);
        assert_string_equal(v[i].name, w[i].name);
        assert_int_equal(asy_dirlist_kind(full, &v[i]), w[i].kind);
        /* the same without the directory's type */
        asy_dirent u = {v[i].name, DT_UNKNOWN};
        assert_int_equal(asy_dirlist_kind(full, &u), w[i].kind);
        free(full);
    }
    /* an entry gone since it was listed, its type unknown */
    char *gone = asy_dirlist_join(root, "gone.txt");
    asy_dirent g = {(char *)"gone.txt", DT_UNKNOWN};
    errno = 0;
    assert_int_equal(asy_dirlist_kind(gone, &g), ASY_ENTRY_GONE);
    assert_int_equal(errno, ENOENT);
    free(gone);
    asy_dirlist_free(v, n);
    tu_rmtree(root);
    free(root);
}

static void test_missing_and_empty(void **state)
{
    (void)state;
    char *root = tu_mkdtemp();
    asy_dirent *v = (asy_dirent *)1;
    size_t n = 7;
    assert_int_equal(asy_dirlist_read(root, &v, &n), 0);
    assert_int_equal(n, 0);
    asy_dirlist_free(v, n);
    char *missing = asy_dirlist_join(root, "missing");
    errno = 0;
    assert_int_equal(asy_dirlist_read(missing, &v, &n), -1);
    assert_int_equal(errno, ENOENT);
    assert_null(v);
    free(missing);
    tu_rmtree(root);
    free(root);
}

static void test_join(void **state)
{
    (void)state;
    const char *cases[][3] = {
        {"a", "b", "a/b"}, {"a/", "b", "a/b"}, {"", "b", "b"},
        {"/", "b", "/b"},  {"a//", "b", "a//b"}, {"a/b", "c/d", "a/b/c/d"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *p = asy_dirlist_join(cases[i][0], cases[i][1]);
        assert_string_equal(p, cases[i][2]);
        free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_missing_and_empty),
        cmocka_unit_test(test_join),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
