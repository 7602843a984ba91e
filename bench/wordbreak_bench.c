/*
 * wordbreak_bench.c — word segmentation throughput of libassay's UAX #29
 * iterator (wordbreak.c) against ICU's word break iterator, side by side on
 * the same in-memory text: PolNeAR train+dev texts (and the seed) repeated
 * to >= 200 MB, or generated English-like text when the corpora are absent.
 *
 *   bench/run_wordbreak.sh [MB] [RUNS]
 *
 * Each engine walks every boundary and counts word-like tokens (ours:
 * kinds word/number; ICU: rule status >= UBRK_WORD_NONE_LIMIT), so both do
 * the same job; the counts are printed as a sanity check. Reports the
 * median of RUNS runs in MB/s (1 MB = 1e6 bytes) and the ratio.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicode/ubrk.h>
#include <unicode/utext.h>

#include "wordbreak.h"

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void append(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 1 << 20) + n;
        char *p = realloc(b->p, cap);
        if (!p) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append every *.txt of dir (sorted, for a reproducible text). */
static size_t load_dir(buf *b, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char *names[4096];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 4096) {
        size_t l = strlen(e->d_name);
        if (l > 4 && !strcmp(e->d_name + l - 4, ".txt"))
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmpstr);
    for (size_t i = 0; i < n; i++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "rb");
        free(names[i]);
        if (!f)
            continue;
        char chunk[65536];
        size_t got;
        while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
            append(b, chunk, got);
        append(b, "\n\n", 2);
        fclose(f);
    }
    return n;
}

/* Fallback text: pseudo-random English-like sentences. */
static void generate(buf *b)
{
    static const char *w[] = {"the", "President", "said", "on", "Tuesday",
                              "that", "U.S.", "officials", "would", "meet",
                              "China’s", "3.5%", "of", "1,000", "talks,",
                              "Kazakhstan", "co-operation", "\"We", "will"};
    unsigned x = 42;
    for (int i = 0; i < 200000; i++) {
        x = x * 1103515245u + 12345u;
        const char *s = w[(x >> 16) % (sizeof w / sizeof w[0])];
        append(b, s, strlen(s));
        append(b, (x >> 8) % 13 ? " " : ".\n", (x >> 8) % 13 ? 1 : 2);
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t run_ours(const char *t, size_t n)
{
    asy_wb_iter it;
    asy_wb_seg seg[256];
    size_t words = 0, got;
    asy_wb_init(&it, t, n, ASY_WB_ALL);
    while ((got = asy_wb_fill(&it, seg, 256)) > 0)
        for (size_t i = 0; i < got; i++)
            words += seg[i].kind == ASY_WB_WORD || seg[i].kind == ASY_WB_NUMBER;
    return words;
}

static size_t run_icu(const char *t, size_t n)
{
    UErrorCode st = U_ZERO_ERROR;
    UText *ut = utext_openUTF8(NULL, t, (int64_t)n, &st);
    UBreakIterator *bi = ubrk_open(UBRK_WORD, "en", NULL, 0, &st);
    ubrk_setUText(bi, ut, &st);
    if (U_FAILURE(st)) {
        fprintf(stderr, "ICU: %s\n", u_errorName(st));
        exit(1);
    }
    size_t words = 0;
    ubrk_first(bi);
    while (ubrk_next(bi) != UBRK_DONE)
        words += ubrk_getRuleStatus(bi) >= UBRK_WORD_NONE_LIMIT;
    ubrk_close(bi);
    utext_close(ut);
    return words;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median seconds of `runs` runs; *words gets the token count. */
static double timeit(size_t (*fn)(const char *, size_t), const char *t,
                     size_t n, int runs, size_t *words)
{
    double sec[64];
    for (int i = 0; i < runs; i++) {
        double t0 = now();
        *words = fn(t, n);
        sec[i] = now() - t0;
    }
    qsort(sec, (size_t)runs, sizeof sec[0], cmpd);
    return sec[runs / 2];
}

int main(int argc, char **argv)
{
    size_t mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 200;
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    const char *corp = getenv("ASSAY_CORPORA");
    if (runs < 1 || runs > 63)
        runs = 5;
    char dir[4096];
    buf base = {0};
    size_t files = 0;
    if (!corp)
        corp = "../shared/corpora";
    const char *sub[] = {"polnear/data/train/text", "polnear/data/dev/text",
                         "seed"};
    for (int i = 0; i < 3; i++) {
        snprintf(dir, sizeof dir, "%s/%s", corp, sub[i]);
        files += load_dir(&base, dir);
    }
    if (files == 0)
        generate(&base);
    buf text = {0};
    while (text.len < mb * 1000000)
        append(&text, base.p, base.len);
    printf("text: %zu bytes (%s, %zu files x %zu)\n", text.len,
           files ? "PolNeAR train+dev + seed" : "generated", files,
           text.len / base.len);
    size_t wo, wi;
    double so = timeit(run_ours, text.p, text.len, runs, &wo);
    double si = timeit(run_icu, text.p, text.len, runs, &wi);
    double mo = text.len / so / 1e6, mi = text.len / si / 1e6;
    printf("median of %d runs\n", runs);
    printf("assay wordbreak : %8.1f MB/s  (%.3f s, %zu word tokens)\n", mo,
           so, wo);
    printf("ICU %-12s: %8.1f MB/s  (%.3f s, %zu word tokens)\n",
           U_ICU_VERSION, mi, si, wi);
    printf("ratio assay/ICU : %8.2fx\n", mo / mi);
    free(base.p);
    free(text.p);
    return 0;
}
