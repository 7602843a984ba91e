/*
 * test_sha256.c — SHA-256 against the FIPS 180-4 example vectors (NIST
 * "Examples with intermediate values": abc, the two-block 448-bit and
 * 896-bit messages, one million 'a') and CAVS short messages; streaming in
 * pieces must equal one shot; files hashed with SHA-256 through filehash.c;
 * libcrypto's digests (loaded when first wanted) equal to ours.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filehash.h"
#include "sha256.h"
#include "testutil.h"

/* A digest through the streaming helper (libcrypto where the machine has
 * it, whatever the size), in pieces of `step` bytes. */
static void ctx_hex(const unsigned char *data, size_t len, size_t step,
                    char hex[ASY_SHA256_HEX])
{
    asy_sha256_ctx *c = asy_sha256_new();
    assert_non_null(c);
    for (size_t off = 0; off < len; off += step)
        asy_sha256_add(c, data + off, len - off < step ? len - off : step);
    assert_int_equal(asy_sha256_end(c, hex), 0);
}

/* Every way in: the one-shot helper (ours below 1 MiB), the streaming
 * helper (libcrypto where the machine has it) and the streaming API
 * (always ours). */
static void check(const char *msg, size_t len, const char *want)
{
    char hex[ASY_SHA256_HEX];
    unsigned char d[ASY_SHA256_BYTES];
    asy_sha256_buf(msg, len, hex);
    assert_string_equal(hex, want);
    ctx_hex((const unsigned char *)msg, len, 7, hex);
    assert_string_equal(hex, want);
    asy_sha256 c;
    asy_sha256_init(&c);
    asy_sha256_update(&c, msg, len);
    asy_sha256_final(&c, d);
    asy_sha256_hex(d, hex);
    assert_string_equal(hex, want);
}

static void test_nist_examples(void **state)
{
    (void)state;
    check("abc", 3,
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check("", 0,
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m448 =
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check(m448, strlen(m448),
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 =
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
        "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    check(m896, strlen(m896),
          "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_nist_short_messages(void **state)
{
    (void)state;
    check("\xbd", 1,
          "68325720aabd7c82f30f554b313d0570c95accbb7dc4b5aae11204c08ffe732b");
    check("\xc9\x8c\x8e\x55", 4,
          "7abc22c0ae5af26ce93dbb94433a0e0b2e119d014f8e7f65bd56c61ccccd9504");
}

/* One million 'a', fed in uneven pieces so the block buffer is exercised. */
static void test_million_a(void **state)
{
    (void)state;
    char *a = malloc(1000000);
    assert_non_null(a);
    memset(a, 'a', 1000000);
    asy_sha256 c;
    unsigned char d[ASY_SHA256_BYTES];
    char hex[ASY_SHA256_HEX];
    asy_sha256_init(&c);
    size_t off = 0, step = 1;
    while (off < 1000000) {
        size_t n = step < 1000000 - off ? step : 1000000 - off;
        asy_sha256_update(&c, a + off, n);
        off += n;
        step = step * 7 % 1013 + 1;
    }
    asy_sha256_final(&c, d);
    asy_sha256_hex(d, hex);
    assert_string_equal(
        hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    ctx_hex((const unsigned char *)a, 1000000, 4096, hex); /* libcrypto's */
    assert_string_equal(
        hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

/* Lengths around the padding boundaries (55, 56, 63, 64, 119, 120 bytes):
 * every split point gives the one-shot digest. */
static void test_split_equals_one_shot(void **state)
{
    (void)state;
    unsigned char msg[130];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (unsigned char)(i * 31 + 7);
    for (size_t len = 50; len <= sizeof msg; len++) {
        char one[ASY_SHA256_HEX], two[ASY_SHA256_HEX];
        asy_sha256_buf(msg, len, one);
        for (size_t cut = 0; cut <= len; cut += 13) {
            asy_sha256 c;
            unsigned char d[ASY_SHA256_BYTES];
            asy_sha256_init(&c);
            asy_sha256_update(&c, msg, cut);
            asy_sha256_update(&c, msg + cut, len - cut);
            asy_sha256_final(&c, d);
            asy_sha256_hex(d, two);
            assert_string_equal(one, two);
        }
    }
}

static void test_file(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *path = tu_write_str(dir, "abc.txt", "abc");
    char hex[ASY_SHA256_HEX];
    unsigned long long size = 0;
    assert_int_equal(asy_filehash_file(ASY_FILEHASH_SHA256, path, hex,
                                       &size, NULL, NULL), ASSAY_OK);
    assert_int_equal(size, 3);
    assert_string_equal(
        hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    asy_error err;
    char missing[4096];
    snprintf(missing, sizeof missing, "%s/nope", dir);
    assert_int_equal(asy_filehash_file(ASY_FILEHASH_SHA256, missing, hex,
                                       &size, NULL, &err), ASSAY_E_IO);
    assert_non_null(strstr(err.message, "nope"));
    /* A file of several read chunks: the file helper (libcrypto where
     * the machine has it) against the streaming API. */
    size_t big = 300001;
    unsigned char *data = malloc(big);
    assert_non_null(data);
    for (size_t i = 0; i < big; i++)
        data[i] = (unsigned char)(i * 2654435761u >> 13);
    char *bpath = tu_write(dir, "big.bin", data, big);
    unsigned char d[ASY_SHA256_BYTES];
    char want[ASY_SHA256_HEX];
    asy_sha256 c;
    asy_sha256_init(&c);
    asy_sha256_update(&c, data, big);
    asy_sha256_final(&c, d);
    asy_sha256_hex(d, want);
    assert_int_equal(asy_filehash_file(ASY_FILEHASH_SHA256, bpath, hex,
                                       &size, NULL, NULL), ASSAY_OK);
    assert_int_equal(size, big);
    assert_string_equal(hex, want);
    free(bpath);
    free(data);
    tu_rmtree(dir);
    free(path);
    free(dir);
}

/* Lengths either side of the padding and block boundaries (55/56, 63/64/65,
 * 119/120) and a multi-block message, so every round of the unrolled
 * compression function and both padding paths are exercised. Expected
 * digests from an independent implementation (Python hashlib). */
static void test_boundary_lengths(void **state)
{
    (void)state;
    static const struct {
        size_t len;
        const char *hex;
    } v[] = {
        {55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"},
        {56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"},
        {63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"},
        {64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"},
        {65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"},
        {119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"},
        {120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5"},
        {128, "d2742f1f4ac6bb7ca2b239ee18402ba8b3f9f8e652d2a72973c2b9ba11c08cf6"},
        {1000, "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371"},
    };
    unsigned char msg[1000];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (unsigned char)(i * 7 + 3);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        check((const char *)msg, v[i].len, v[i].hex);
}

/* libcrypto, loaded on first want: the NIST vectors and a 3 MiB message
 * (the one-shot helper's path from 1 MiB up) give ours digests. Where
 * CMake found libcrypto on this machine (ASSAY_LIBCRYPTO=1, set by
 * tests/CMakeLists.txt), it must load: a dlopen gone wrong would
 * otherwise pass unseen, ours standing in. */
static void test_libcrypto(void **state)
{
    (void)state;
    const char *want = getenv("ASSAY_LIBCRYPTO");
    int have = asy_sha256_libcrypto();
    if (want && strcmp(want, "1") == 0)
        assert_int_equal(have, 1);
    if (!have)
        fprintf(stderr, "test_sha256: no libcrypto on this machine: only "
                        "our SHA-256 is checked\n");
    char hex[ASY_SHA256_HEX];
    ctx_hex((const unsigned char *)"abc", 3, 1, hex);
    assert_string_equal(
        hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ctx_hex((const unsigned char *)"", 0, 1, hex);
    assert_string_equal(
        hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    size_t big = 3 * ((size_t)1 << 20) + 17;
    unsigned char *data = malloc(big);
    assert_non_null(data);
    for (size_t i = 0; i < big; i++)
        data[i] = (unsigned char)(i * 2654435761u >> 11);
    asy_sha256 c;
    unsigned char d[ASY_SHA256_BYTES];
    char ours[ASY_SHA256_HEX], one[ASY_SHA256_HEX];
    asy_sha256_init(&c);
    asy_sha256_update(&c, data, big);
    asy_sha256_final(&c, d);
    asy_sha256_hex(d, ours);
    asy_sha256_buf(data, big, one);
    assert_string_equal(one, ours);
    ctx_hex(data, big, 65536, hex);
    assert_string_equal(hex, ours);
    ctx_hex(data, big, 1000, hex);
    assert_string_equal(hex, ours);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nist_examples),
        cmocka_unit_test(test_nist_short_messages),
        cmocka_unit_test(test_million_a),
        cmocka_unit_test(test_split_equals_one_shot),
        cmocka_unit_test(test_file),
        cmocka_unit_test(test_boundary_lengths),
        cmocka_unit_test(test_libcrypto),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
