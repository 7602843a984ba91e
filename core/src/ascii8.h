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
    if (end - s >= 16) {
        memcpy(w, s, 16);
        if (n < 8) {
            w[0] &= (1ull << (8 * n)) - 1;
            w[1] = 0;
        } else if (n < 16) {
            w[1] &= (1ull << (8 * (n - 8))) - 1;
        }
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
