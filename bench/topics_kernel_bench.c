/*
 * topics_kernel_bench.c — CPU throughput of the dictionary matcher alone
 * (asy_dict_count over every document of corpus.tsv: UAX #29 tokens, case
 * folding, lookups), without loading, Lua or CSV output, and of the
 * tokenizer alone for reference. Built and run by bench/topics_bench.sh.
 * Usage: topics_kernel_bench DICT corpus.tsv
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dict.h"
#include "wordbreak.h"

static double cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    char *b = malloc(*n + 1);
    if (b && fread(b, 1, *n, f) != *n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    return b;
}

int main(int argc, char **argv)
{
    asy_error err;
    size_t n;
    if (argc != 3)
        return 2;
    asy_dict *d = asy_dict_load(argv[1], NULL, &err);
    char *text = slurp(argv[2], &n);
    if (!d || !text)
        return 1;
    asy_dict_scratch *s = asy_dict_scratch_new();
    int64_t *c = calloc(asy_dict_ncategories(d) + 1, sizeof *c), words = 0,
            total = 0, toks = 0;
    double t0 = cpu();
    for (char *p = text, *e; p < text + n; p = e + 1) { /* one doc a line */
        e = memchr(p, '\n', (size_t)(text + n - p));
        if (!e)
            e = text + n;
        asy_dict_count(d, s, p, (size_t)(e - p), 0, c, NULL, &words);
        total += words;
    }
    double t1 = cpu();
    asy_wb_iter it;
    asy_wb_seg seg[256];
    asy_wb_init(&it, text, n, ASY_WB_WORDLIKE);
    for (size_t k; (k = asy_wb_fill(&it, seg, 256)) > 0;)
        toks += (int64_t)k;
    double t2 = cpu();
    int64_t m = 0;
    for (size_t i = 0; i < asy_dict_ncategories(d); i++)
        m += c[i];
    printf("matcher: %.1f MB/s (%.3f s CPU, %lld words, %lld matches)\n",
           (double)n / 1e6 / (t1 - t0), t1 - t0, (long long)total,
           (long long)m);
    printf("tokenizer alone: %.1f MB/s (%lld tokens)\n",
           (double)n / 1e6 / (t2 - t1), (long long)toks);
    free(c);
    free(text);
    asy_dict_scratch_free(s);
    asy_dict_free(d);
    return 0;
}
