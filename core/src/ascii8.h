/*
 * ascii8.h — ASCII bytes eight at a time in a uint64_t (SWAR): case
 * lowering and zero-padded loads of short words, shared by the kernels
 * that fold and hash words without copying them byte by byte.
 */
#ifndef ASY_ASCII8_H
#define ASY_ASCII8_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ASY_ONES 0x0101010101010101ull
#define ASY_HIGH (0x80 * ASY_ONES)

/* 8 ASCII bytes with A-Z lowered: a byte gets 0x20 when it is >= 'A' and
 * not > 'Z' (the adds cannot carry between bytes below 0x80). Bytes >=
 * 0x80 come out unspecified: check for them first. */
static inline uint64_t asy_lower8(uint64_t v)
{
    uint64_t up = (v + 0x3f * ASY_ONES) & ~(v + 0x25 * ASY_ONES) & ASY_HIGH;
    return v | up >> 2;
}

/* s[0..n), n <= 16, as two words zero-padded past n, in memory order (so
 * that memcpy-ing w back gives the bytes). Reads 16 bytes straight from s
 * when s + 16 <= end, else copies the n bytes. */
static inline void asy_load16(const char *s, size_t n, const char *end,
                              uint64_t w[2])
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* the low k bytes of a word, k = 0..8: masks from a table, so that
     * word lengths (which vary from one word to the next) steer no branch */
    static const uint64_t keep[9] = {
        0, 0xff, 0xffff, 0xffffff, 0xffffffffull, 0xffffffffffull,
        0xffffffffffffull, 0xffffffffffffffull, ~0ull};
    if (end - s >= 16) {
        size_t n0 = n < 8 ? n : 8;
        memcpy(w, s, 16);
        w[0] &= keep[n0];
        w[1] &= keep[n - n0];
        return;
    }
#else
    (void)end;
#endif
    char buf[16] = {0};
    memcpy(buf, s, n);
    memcpy(w, buf, 16);
}

#endif
