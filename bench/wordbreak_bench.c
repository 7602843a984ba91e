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
 * the same job; the counts are printed as a sanity check. A third run,
 * "assay words only", asks our iterator for word-like segments only
 * (ASY_WB_WORDLIKE, what the tokenizer does: every boundary is still
 * decided, the other segments are just not returned). Reports the median
 * of RUNS runs in MB/s (1 MB = 1e6 bytes) and the ratio, by wall clock
 * and by the process's CPU time (the figure that holds on a shared
 * machine, where a run may wait for a core).
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

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
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

static size_t run_words(const char *t, size_t n)
{
    asy_wb_iter it;
    asy_wb_seg seg[256];
    size_t words = 0, got;
    asy_wb_init(&it, t, n, ASY_WB_WORDLIKE);
    while ((got = asy_wb_fill(&it, seg, 256)) > 0)
        words += got;
    return words;
}

/* Words only, with the 64-byte windows held to SSE2 (what a CPU without
 * AVX-512 runs). */
static size_t run_words_sse2(const char *t, size_t n)
{
    int top = asy_wb_simd(-1);
    asy_wb_simd(ASY_WB_SIMD_SSE2);
    size_t words = run_words(t, n);
    asy_wb_simd(top);
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

typedef struct timing {
    size_t (*fn)(const char *, size_t);
    double wall[64], cpu[64];
    size_t words;
} timing;

/* One run of each engine per round, so a change of machine load hits
 * all of them alike. */
static void round_robin(timing *tm, int ntm, const char *t, size_t n,
                        int runs)
{
    for (int r = 0; r < runs; r++)
        for (int k = 0; k < ntm; k++) {
            double w0 = clock_s(CLOCK_MONOTONIC);
            double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
            tm[k].words = tm[k].fn(t, n);
            tm[k].cpu[r] = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
            tm[k].wall[r] = clock_s(CLOCK_MONOTONIC) - w0;
        }
    for (int k = 0; k < ntm; k++) {
        qsort(tm[k].wall, (size_t)runs, sizeof(double), cmpd);
        qsort(tm[k].cpu, (size_t)runs, sizeof(double), cmpd);
    }
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
    timing tm[4] = {{.fn = run_ours}, {.fn = run_words},
                    {.fn = run_words_sse2}, {.fn = run_icu}};
    static const char *const names[4] = {"assay all segs", "assay words only",
                                         "assay words, SSE2",
                                         "ICU " U_ICU_VERSION};
    static const char *const level[3] = {"none", "SSE2", "AVX-512BW"};
    printf("vector level: %s\n", level[asy_wb_simd(-1)]);
    round_robin(tm, 4, text.p, text.len, runs);
    printf("median of %d runs; MB/s by wall clock and by CPU time\n", runs);
    double mb_w[4], mb_c[4];
    for (int k = 0; k < 4; k++) {
        mb_w[k] = text.len / tm[k].wall[runs / 2] / 1e6;
        mb_c[k] = text.len / tm[k].cpu[runs / 2] / 1e6;
        printf("%-17s: %7.1f MB/s wall  %7.1f MB/s cpu  (%zu word tokens)\n",
               names[k], mb_w[k], mb_c[k], tm[k].words);
    }
    printf("ratio all segs / ICU   : %5.2fx wall  %5.2fx cpu\n",
           mb_w[0] / mb_w[3], mb_c[0] / mb_c[3]);
    printf("ratio words only / ICU : %5.2fx wall  %5.2fx cpu\n",
           mb_w[1] / mb_w[3], mb_c[1] / mb_c[3]);
    printf("ratio words SSE2 / ICU : %5.2fx wall  %5.2fx cpu\n",
           mb_w[2] / mb_w[3], mb_c[2] / mb_c[3]);
    free(base.p);
    free(text.p);
    return 0;
}
