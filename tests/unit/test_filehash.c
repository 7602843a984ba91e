/*
 * test_filehash.c — the run manifest's file hashes: XXH3-128 against
 * digests printed by xxhsum 0.8.1 (`xxhsum -H2`, the reference tool of
 * libxxhash; for the empty input, "abc", a line of text and 600,001 bytes
 * that cross the 256 KB read buffer twice), SHA-256 through the same entry
 * points with the file's stat() once read, piece by piece as the loader
 * hashes what it reads, the names the manifest and the setting use, and
 * files that cannot be or must not be read (missing, a directory, a named
 * pipe).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "filehash.h"
#include "testutil.h"

static const char *XXH_EMPTY = "99aa06d3014798d86001c324468d497f";
static const char *XXH_ABC = "06b05ab6733a618578af5f94892f3950";
static const char *XXH_LINE = "8906bd85f8ce41a40133f23ff7849efe";
static const char *XXH_BIG = "e1d3cfce7db4f0a950932de7a48d4a77";
static const char *SHA_BIG =
    "1f5a2cc98f09fecd160bc9441d4cba96725a29935066d9f58777fed8fcc8e659";

static void test_buffers(void **state)
{
    (void)state;
    char hex[ASY_FILEHASH_HEX];
    asy_filehash_buf(ASY_FILEHASH_XXH3, "", 0, hex);
    assert_string_equal(hex, XXH_EMPTY);
    asy_filehash_buf(ASY_FILEHASH_XXH3, "abc", 3, hex);
    assert_string_equal(hex, XXH_ABC);
    asy_filehash_buf(ASY_FILEHASH_XXH3, "second document\n", 16, hex);
    assert_string_equal(hex, XXH_LINE);
    asy_filehash_buf(ASY_FILEHASH_SHA256, "abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
                             "b00361a396177a9cb410ff61f20015ad");
}

/* (i * 7) % 251 for i in 0 .. 600000, written to dir/big.bin. */
static char *write_big(const char *dir)
{
    enum { N = 600001 };
    char *bytes = malloc(N);
    assert_non_null(bytes);
    for (size_t i = 0; i < N; i++)
        bytes[i] = (char)((i * 7) % 251);
    char *path = malloc(strlen(dir) + 16);
    assert_non_null(path);
    sprintf(path, "%s/big.bin", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, N, f), N);
    assert_int_equal(fclose(f), 0);
    free(bytes);
    return path;
}

static void test_files(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char hex[ASY_FILEHASH_HEX];
    unsigned long long size = 7;
    asy_error err;
    char *empty = tu_write_str(dir, "empty.txt", "");
    assert_int_equal(asy_filehash_file(ASY_FILEHASH_XXH3, empty, hex, &size,
                                       NULL, &err), ASSAY_OK);
    assert_string_equal(hex, XXH_EMPTY);
    assert_int_equal(size, 0);
    char *big = write_big(dir);
    struct stat after;
    for (int h = 0; h < 2; h++) { /* and the file's stat() once read */
        memset(&after, 0, sizeof after);
        assert_int_equal(asy_filehash_file((asy_filehash)h, big, hex, &size,
                                           &after, &err), ASSAY_OK);
        assert_string_equal(hex, h ? SHA_BIG : XXH_BIG);
        assert_int_equal(size, 600001);
        assert_int_equal(after.st_size, 600001);
        assert_true(S_ISREG(after.st_mode));
        struct stat now;
        assert_int_equal(stat(big, &now), 0);
        assert_true(after.st_ino == now.st_ino && after.st_dev == now.st_dev);
    }
    /* missing, and a directory (read fails): errors naming the path */
    char missing[1100];
    snprintf(missing, sizeof missing, "%s/nothing.txt", dir);
    for (int h = 0; h < 2; h++) {
        assert_int_equal(asy_filehash_file((asy_filehash)h, missing, hex,
                                           NULL, &after, &err), ASSAY_E_IO);
        assert_non_null(strstr(err.message, "nothing.txt"));
    }
    /* a directory, and a named pipe with no writer: refused at once (the
     * pipe used to block the open for ever) */
    char fifo[1100];
    snprintf(fifo, sizeof fifo, "%s/pipe.txt", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    const char *odd[] = {dir, fifo};
    for (int i = 0; i < 2; i++)
        for (int h = 0; h < 2; h++) {
            assert_int_equal(asy_filehash_file((asy_filehash)h, odd[i], hex,
                                               NULL, NULL, &err),
                             ASSAY_E_IO);
            assert_non_null(strstr(err.message, "not a regular file"));
        }
    free(empty);
    free(big);
    tu_rmtree(dir);
    free(dir);
}

/* Piece by piece (the loader's form), in pieces of every size from 1
 * byte to past the read buffer: the same digests as at once; a state
 * dropped without a digest frees all it holds (ASan). */
static void test_streaming(void **state)
{
    (void)state;
    enum { N = 600001 };
    unsigned char *bytes = malloc(N);
    assert_non_null(bytes);
    for (size_t i = 0; i < N; i++)
        bytes[i] = (unsigned char)((i * 7) % 251);
    static const size_t steps[] = {1, 63, 64, 1000, 65536, 300000, N};
    for (int h = 0; h < 2; h++) {
        for (size_t k = 0; k < sizeof steps / sizeof *steps; k++) {
            size_t len = steps[k] == 1 ? 5000 : N; /* byte by byte: short */
            char want[ASY_FILEHASH_HEX], hex[ASY_FILEHASH_HEX];
            asy_filehash_buf((asy_filehash)h, bytes, len, want);
            asy_filehash_state *st = asy_filehash_begin((asy_filehash)h);
            assert_non_null(st);
            for (size_t at = 0; at < len; at += steps[k])
                asy_filehash_update(st, bytes + at,
                                    len - at < steps[k] ? len - at
                                                        : steps[k]);
            unsigned long long size = 0;
            assert_int_equal(asy_filehash_end(st, hex, &size), 0);
            assert_string_equal(hex, want);
            assert_int_equal(size, len);
        }
        asy_filehash_state *st = asy_filehash_begin((asy_filehash)h);
        asy_filehash_update(st, bytes, 1000);
        asy_filehash_drop(st);
        asy_filehash_drop(NULL);
    }
    char hex[ASY_FILEHASH_HEX];
    asy_filehash_state *st = asy_filehash_begin(ASY_FILEHASH_XXH3);
    assert_int_equal(asy_filehash_end(st, hex, NULL), 0);
    assert_string_equal(hex, XXH_EMPTY);
    free(bytes);
}

static void test_names(void **state)
{
    (void)state;
    asy_filehash h = ASY_FILEHASH_SHA256;
    assert_string_equal(asy_filehash_name(ASY_FILEHASH_XXH3), "xxh3_128");
    assert_string_equal(asy_filehash_name(ASY_FILEHASH_SHA256), "sha256");
    assert_int_equal(asy_filehash_parse("xxh3_128", &h), 0);
    assert_int_equal(h, ASY_FILEHASH_XXH3);
    assert_int_equal(asy_filehash_parse("sha256", &h), 0);
    assert_int_equal(h, ASY_FILEHASH_SHA256);
    assert_int_equal(asy_filehash_parse("xxh3", &h), 0);
    assert_int_equal(h, ASY_FILEHASH_XXH3);
    assert_int_equal(asy_filehash_parse("md5", &h), -1);
    assert_int_equal(asy_filehash_parse("SHA256", &h), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buffers),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_streaming),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
