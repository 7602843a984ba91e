/*
 * jsonl_scan.h — a strict JSON reader (RFC 8259) for one JSON Lines record.
 * It accepts and rejects what jansson's json_loadb(JSON_ALLOW_NUL) does,
 * with the same error texts and columns, but decodes strings in runs
 * instead of byte by byte. Deliberate differences: an integer beyond int64
 * becomes a double (jansson rejects the record: "too big integer"), and an
 * error that quotes the token never cuts a UTF-8 character in two.
 */
#ifndef ASY_JSONL_SCAN_H
#define ASY_JSONL_SCAN_H

#include <stddef.h>
#include <stdint.h>

typedef enum asy_json_type {
    ASY_JSON_OBJECT,
    ASY_JSON_ARRAY,
    ASY_JSON_STRING,
    ASY_JSON_INTEGER,
    ASY_JSON_REAL,
    ASY_JSON_TRUE,
    ASY_JSON_FALSE,
    ASY_JSON_NULL
} asy_json_type;

/* Set on a decoded string that contains U+0000 or U+000D (only escapes
 * can put them there): such a text needs the full cleaning policy. */
#define ASY_JSON_STR_NUL 1u
#define ASY_JSON_STR_CR 2u

/* One member of the top-level object. Strings are decoded and
 * NUL-terminated; they live in the record's scratch buffer until the next
 * parse. Nested arrays and objects are validated and kept as their raw
 * source bytes (not NUL-terminated), pointing into the parsed line. */
typedef struct asy_jsonl_member {
    const char *key;     /* decoded, NUL-terminated, no NUL inside */
    size_t key_len;
    asy_json_type type;
    const char *str;     /* STRING: decoded; OBJECT/ARRAY: raw source */
    size_t len;
    unsigned flags;      /* STRING: ASY_JSON_STR_* */
    int64_t i;           /* INTEGER */
    double d;            /* REAL */
} asy_jsonl_member;

/* Reused from line to line, so a steady stream of records allocates
 * nothing once the buffers have grown. */
typedef struct asy_jsonl_record {
    asy_json_type type;        /* of the top-level value */
    asy_jsonl_member *members; /* OBJECT: in first-occurrence order */
    size_t n, cap;
    char *scratch;             /* decoded strings */
    size_t scratch_cap;
    int column;                /* malformed: 1-based character column */
    char message[200];         /* malformed: jansson's wording */
} asy_jsonl_record;

void asy_jsonl_init(asy_jsonl_record *r);
void asy_jsonl_free(asy_jsonl_record *r);

/* Parse line[0..len) (valid UTF-8, as the loader's cleaning guarantees).
 * A key given twice keeps its first position and its last value, as
 * jansson does. Returns 1 parsed (r->type is OBJECT or ARRAY; members only
 * for OBJECT), 0 malformed (r->column and r->message set), -1 out of
 * memory. `line` must stay valid while the members are used. */
int asy_jsonl_parse(asy_jsonl_record *r, const char *line, size_t len);

/* The member named key (NUL-terminated), or NULL. */
const asy_jsonl_member *asy_jsonl_get(const asy_jsonl_record *r,
                                      const char *key);

/* Compact JSON text of a nested value m (OBJECT or ARRAY), as jansson's
 * json_dumps(JSON_COMPACT) writes it. Returns a malloc'd NUL-terminated
 * string (length in *len), or NULL when out of memory. */
char *asy_jsonl_compact(const asy_jsonl_member *m, size_t *len);

/* Length of the leading run of s[0..n) holding no '"', '\\' or byte below
 * 0x20: the bytes a string decoder may copy as they are. The _swar
 * variant is the portable 8-byte version (exposed for tests). */
size_t asy_jsonl_plain_len(const unsigned char *s, size_t n);
size_t asy_jsonl_plain_len_swar(const unsigned char *s, size_t n);

/* Strings are decoded 64 bytes at a time where the CPU has AVX-512 (on =
 * 1, the default), else 16 (on = 0: the tests run every case both ways).
 * Not for use while another thread parses. */
void asy_jsonl_scan_wide(int on);

#endif
