/*
 * dict.h — topic dictionaries: hierarchical categories ("economy/trade")
 * holding entries (exact words, globs, multi-word phrases, weights), the
 * file loaders (CSV/TSV, LIWC .dic/.dicx, YAML, Lexicoder, WordStat) and the
 * matcher that counts them over a document's UAX #29 word tokens in C.
 *
 * Matching rule (docs/plugins.md, "Dictionaries"): tokens and entries are
 * case folded (NFC, ’ -> '); scanning left to right, at each token the
 * longest entry starting there wins (a phrase of more tokens beats a shorter
 * one; for one token an exact word beats a glob, and of two globs the one
 * with more literal characters wins, then the earlier entry). The winner is
 * counted once for each of its categories and the scan resumes after it,
 * so no token is counted twice.
 *
 * Thread safety: a compiled dictionary is read-only and may be shared by
 * threads; each thread needs its own asy_dict_scratch.
 */
#ifndef ASY_DICT_H
#define ASY_DICT_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "strbuf.h"

typedef struct asy_dict asy_dict;

/* What an entry is, after parsing its term. */
typedef enum asy_dict_kind {
    ASY_DICT_WORD = 0,   /* one exact token */
    ASY_DICT_PREFIX = 1, /* "energ*" */
    ASY_DICT_SUFFIX = 2, /* "*ism" */
    ASY_DICT_GLOB = 3,   /* any other glob: "?", inner "*", "*x*" */
    ASY_DICT_PHRASE = 4, /* several tokens: "belt and road", "tax cut*" */
    ASY_DICT_NEVER = 5,  /* can never match (empty, or a glob that spans
                            characters the tokenizer splits on) */
} asy_dict_kind;

/* ---- building ---------------------------------------------------------- */

asy_dict *asy_dict_new(void);
void asy_dict_free(asy_dict *d);

/* Match word entries (and the literal words of phrases) by their Snowball
 * stem in `lang` ("english", "en", ...): "economies" then matches the
 * entry "economy". Globs still match the unstemmed folded token. Set
 * before matching; NULL turns stemming off. ASSAY_E_USAGE for an unknown
 * language or a build without libstemmer (the message says which). */
int asy_dict_set_stem(asy_dict *d, const char *lang, asy_error *err);

/* The category for a path "a/b/c" (created with its ancestors when new;
 * empty parts are dropped). Returns its index >= 0, or a negative status. */
int asy_dict_category(asy_dict *d, const char *path, asy_error *err);

/* Add term to category cat with a weight (1 when unweighted). `file` and
 * `line` locate the entry for messages and lint (file may be NULL).
 * The same term in several categories is one entry with several
 * categories. Returns ASSAY_OK or a negative status. */
int asy_dict_add(asy_dict *d, int cat, const char *term, size_t len,
                 double weight, const char *file, long line, asy_error *err);

/* Build the matcher (called by the loaders; call it yourself after adding
 * entries by hand). Adding after compiling recompiles on next use. */
int asy_dict_compile(asy_dict *d, asy_error *err);

/* ---- loading ------------------------------------------------------------ */

/* The dictionary file extensions, each with the format it implies, in the
 * order a bundled dictionary's name is looked up (NAME.yml first; ".txt",
 * read as LIWC, is never looked up: bundled = 0). Ends with {NULL, ...}.
 * The one list behind format guessing, assay.dictionary(NAME) and
 * assay.dictionary_extensions. */
typedef struct asy_dict_ext {
    const char *ext, *format;
    int bundled;
} asy_dict_ext;
extern const asy_dict_ext asy_dict_exts[];

/* Load a dictionary file; `format` is NULL (by extension: .csv .tsv .dic
 * .dicx .yml .yaml .lc3 .lcd .cat .txt) or one of "csv", "tsv", "liwc",
 * "dicx", "yaml", "lexicoder", "wordstat". Errors name the file and line.
 * Returns a compiled dictionary, or NULL with err set. */
asy_dict *asy_dict_load(const char *path, const char *format, asy_error *err);

/* The same from bytes in memory (`name` is used in messages and to guess
 * the format when format is NULL). */
asy_dict *asy_dict_load_mem(const char *name, const char *format,
                            const char *data, size_t len, asy_error *err);

/* ---- describing --------------------------------------------------------- */

size_t asy_dict_ncategories(const asy_dict *d);
const char *asy_dict_category_path(const asy_dict *d, int cat); /* "a/b" */
int asy_dict_category_parent(const asy_dict *d, int cat);     /* -1: top */
int asy_dict_category_depth(const asy_dict *d, int cat);      /* top = 1 */
/* The category counted for cat at `level` (1 = top level; 0 = cat itself):
 * its ancestor at that depth, or cat when it is shallower. */
int asy_dict_category_at(const asy_dict *d, int cat, int level);
int asy_dict_max_depth(const asy_dict *d);

size_t asy_dict_nentries(const asy_dict *d);
typedef struct asy_dict_entry_info {
    const char *term;   /* as written (trimmed) */
    const char *norm;   /* normalised form, tokens joined by one space */
    asy_dict_kind kind;
    int ntokens;        /* tokens in a phrase, else 1 */
    const int *cats;    /* categories (ncats of them) */
    const double *weights;
    int ncats;
    const char *file;   /* where it was first defined (may be NULL) */
    long line;
} asy_dict_entry_info;
int asy_dict_entry(const asy_dict *d, size_t i, asy_dict_entry_info *out);

/* ---- matching ------------------------------------------------------------ */

/* Per-thread working memory of the matcher (token window, fold buffer). */
typedef struct asy_dict_scratch asy_dict_scratch;
asy_dict_scratch *asy_dict_scratch_new(void);
/* Bytes of a scratch before it grows (its fixed tables: ~400 KB), for
 * memory accounting. */
size_t asy_dict_scratch_size(void);
void asy_dict_scratch_free(asy_dict_scratch *s);

typedef struct asy_dict_match {
    size_t entry;            /* index for asy_dict_entry */
    size_t start, end;       /* byte offsets in the text, end-exclusive */
    size_t cstart, cend;     /* code-point offsets */
    size_t tok_start;        /* index of the first matched token */
    int ntokens;
} asy_dict_match;

/* Called for every match, in text order; return non-zero to stop. */
typedef int (*asy_dict_match_fn)(void *ud, const asy_dict_match *m);

/* Scan text[0..len) and call fn for each match. *words (may be NULL)
 * receives the number of word tokens (letters or digits) in the text.
 * Returns ASSAY_OK, ASSAY_E_NOMEM, or fn's non-zero result. */
int asy_dict_scan(const asy_dict *d, asy_dict_scratch *s, const char *text,
                  size_t len, asy_dict_match_fn fn, void *ud, int64_t *words);

/* Count matches per category at `level` (see asy_dict_category_at):
 * counts[c] and scores[c] (sum of weights; may be NULL) are incremented for
 * every counted category c; both arrays have asy_dict_ncategories() slots.
 * A match adds 1 to each distinct category it maps to at that level.
 * Returns ASSAY_OK or ASSAY_E_NOMEM. */
int asy_dict_count(const asy_dict *d, asy_dict_scratch *s, const char *text,
                   size_t len, int level, int64_t *counts, double *scores,
                   int64_t *words);

/* ---- lint -------------------------------------------------------------- */

/* One finding of asy_dict_lint: file/line of the entry (file may be NULL
 * for table dictionaries, line 0), a kind ("duplicate", "never",
 * "overlap", "shadow", "redundant") and a message. */
typedef void (*asy_dict_lint_fn)(void *ud, const char *file, long line,
                                 const char *kind, const char *message);
/* Report duplicates, entries that can never match, nested globs and exact
 * words that take a token away from a glob of other categories. Returns
 * the number of findings, or a negative status. */
int asy_dict_lint(asy_dict *d, asy_dict_lint_fn fn, void *ud);

/* Fold one string the way tokens are folded (appends to out). */
int asy_dict_fold(const char *s, size_t n, asy_buf *out);

/* Does glob pattern p (normalised; '*' any run, '?' one code point) match
 * the whole of s? */
int asy_dict_glob_match(const char *p, size_t plen, const char *s, size_t slen);

#endif
