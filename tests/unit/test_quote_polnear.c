/*
 * test_quote_polnear.c — scores the quotation scanner against the gold
 * direct quotations of PolNeAR train+dev (../shared/corpora/polnear) and
 * measures its throughput on the same news text. Skips visibly when the
 * corpus is absent. Never reads the test split.
 *
 * Gold: for every article, the lexicographically first .ann file; every
 * Content (or Content2) span whose fragments, trimmed, all start with " or
 * “ and end with " or ” is a direct quotation (corpus README, "Identifying
 * direct quotations"); each fragment is one gold span, in code points.
 * A fragment is recovered exactly when a scanned segment has the same
 * code-point start and end. "Adjusted" also accepts a fragment that runs
 * from the opening mark of one scanned quotation to the closing mark of a
 * later one in the same paragraph: PolNeAR sometimes annotates two
 * quotations and the words between them ("A," and "B.") as one fragment.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "quote.h"
#include "segment.h"
#include "testutil.h"

/* Floors just below the measured values (bench/RESULTS.md). */
#define EXACT_FLOOR 99.3
#define ADJUSTED_FLOOR 99.9

/* ==== one article ====================================================== */

typedef struct frag {
    size_t s, e; /* code points */
} frag;

typedef struct tspan {
    int content;    /* label is Content */
    frag f[16];
    int nf;
} tspan;

typedef struct article {
    char *text;
    size_t len;
    size_t *cp2b;   /* code point -> byte, ncp + 1 entries */
    size_t ncp;
    tspan *t;       /* indexed by T number */
    size_t nt;
} article;

static void index_cps(article *a)
{
    a->cp2b = malloc((a->len + 1) * sizeof *a->cp2b);
    assert_non_null(a->cp2b);
    size_t n = 0;
    for (size_t b = 0; b < a->len; b++)
        if (((unsigned char)a->text[b] & 0xC0) != 0x80)
            a->cp2b[n++] = b;
    a->cp2b[n] = a->len;
    a->ncp = n;
}

/* Code point of byte offset b (b is a character boundary). */
static size_t b2cp(const article *a, size_t b)
{
    size_t lo = 0, hi = a->ncp;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (a->cp2b[mid] < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* "T12\tContent 5 9;11 20\t..." -> t[12]. Other labels are kept with
 * content = 0 so that E lines can be resolved uniformly. */
static void parse_t(article *a, const char *line)
{
    char *end;
    unsigned long id = strtoul(line + 1, &end, 10);
    if (*end != '\t' || id > 100000)
        return;
    if (id >= a->nt) {
        size_t nn = id + 64;
        a->t = realloc(a->t, nn * sizeof *a->t);
        assert_non_null(a->t);
        memset(a->t + a->nt, 0, (nn - a->nt) * sizeof *a->t);
        a->nt = nn;
    }
    tspan *t = &a->t[id];
    const char *p = end + 1;
    t->content = !strncmp(p, "Content ", 8);
    p = strchr(p, ' '); /* " 5 9;11 20\t..." */
    while (p && t->nf < 16) {
        unsigned long s = strtoul(p + 1, &end, 10);
        unsigned long e = strtoul(end, &end, 10);
        t->f[t->nf++] = (frag){s, e};
        p = *end == ';' ? end : NULL; /* strtoul skips the next space */
    }
}

/* Byte length of the white space at p, or 0 (ASCII, NBSP, U+2000-200A,
 * U+202F, U+3000: what str.strip() removes in this corpus). */
static size_t ws(const unsigned char *p, const unsigned char *end)
{
    if (p < end && (*p == ' ' || (*p >= '\t' && *p <= '\r')))
        return 1;
    if (end - p >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
        return 2;
    if (end - p >= 3 && p[0] == 0xE2 && p[1] == 0x80 &&
        (p[2] <= 0x8A || p[2] == 0xAF))
        return 3;
    return end - p >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80 ? 3
                                                                        : 0;
}

/* Trim the fragment; 1 if it starts with " or “ and ends with " or ”. */
static int direct_frag(const article *a, frag *f)
{
    if (f->s >= f->e || f->e > a->ncp)
        return 0;
    const unsigned char *t = (const unsigned char *)a->text;
    while (f->s < f->e && ws(t + a->cp2b[f->s], t + a->len))
        f->s++;
    while (f->e > f->s && ws(t + a->cp2b[f->e - 1], t + a->len))
        f->e--;
    if (f->s == f->e)
        return 0;
    const unsigned char *b = t + a->cp2b[f->s], *l = t + a->cp2b[f->e - 1];
    int open = *b == '"' || (b[0] == 0xE2 && b[1] == 0x80 && b[2] == 0x9C);
    int close = *l == '"' || (l[0] == 0xE2 && l[1] == 0x80 && l[2] == 0x9D);
    return open && close;
}

/* ==== the corpus ======================================================= */

typedef struct gold {
    size_t art, s, e; /* code points */
} gold;

typedef struct corpus {
    article *a;
    char **name;
    size_t n;
    gold *g;
    size_t ng, capg;
} corpus;

static corpus C;

static void add_gold(size_t art, const frag *f)
{
    if (C.ng == C.capg) {
        C.capg = C.capg ? 2 * C.capg : 1024;
        C.g = realloc(C.g, C.capg * sizeof *C.g);
        assert_non_null(C.g);
    }
    C.g[C.ng++] = (gold){art, f->s, f->e};
}

/* A Content span given by "Tn": add its fragments if all are direct. */
static void content(size_t art, const article *a, const char *tid)
{
    unsigned long id = strtoul(tid + 1, NULL, 10);
    if (*tid != 'T' || id >= a->nt || !a->t[id].content)
        return;
    tspan t = a->t[id];
    for (int k = 0; k < t.nf; k++)
        if (!direct_frag(a, &t.f[k]))
            return;
    for (int k = 0; k < t.nf; k++)
        add_gold(art, &t.f[k]);
}

/* "E3\tAttribution:T4 Content:T3 Cue:T2": every Content* role. */
static void parse_e(size_t art, const article *a, const char *line)
{
    const char *p = strchr(line, '\t');
    while (p && *p) {
        p++;
        const char *colon = strchr(p, ':');
        const char *sp = strpbrk(p, " \n");
        if (!colon || (sp && colon > sp))
            break;
        if (!strncmp(p, "Content", 7))
            content(art, a, colon + 1);
        p = sp && *sp == ' ' ? sp : NULL;
    }
}

static int is_record(const char *l, char kind)
{
    if (*l != kind || l[1] < '0' || l[1] > '9')
        return 0;
    l++;
    while (*l >= '0' && *l <= '9')
        l++;
    return *l == '\t';
}

/* Continuation lines of multi-line T records fail is_record and are
 * skipped: the offsets are all on the first line. */
static void load_ann(size_t art, article *a, const char *path)
{
    char *ann = tu_read(path, NULL);
    assert_non_null(ann);
    for (int pass = 0; pass < 2; pass++) /* T records before E records */
        for (char *l = ann; l && *l;) {
            char *nl = strchr(l, '\n');
            if (nl)
                *nl = '\0';
            if (pass == 0 && is_record(l, 'T'))
                parse_t(a, l);
            else if (pass == 1 && is_record(l, 'E'))
                parse_e(art, a, l);
            if (nl)
                *nl = '\n';
            l = nl ? nl + 1 : NULL;
        }
    free(ann);
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Sorted .ann names of a split (malloc'd array of malloc'd strings). */
static char **list_ann(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    char **v = NULL;
    size_t cap = 0;
    *n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l < 10 || strcmp(e->d_name + l - 4, ".ann"))
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 256;
            v = realloc(v, cap * sizeof *v);
            assert_non_null(v);
        }
        v[(*n)++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

static int seen(const char *art)
{
    for (size_t k = 0; k < C.n; k++)
        if (!strcmp(C.name[k], art))
            return 1;
    return 0;
}

static void load_article(const char *root, const char *split,
                         const char *annfile)
{
    char art[512], path[2200];
    size_t l = strlen(annfile) - 4; /* strip ".ann", then "_xxxx" */
    while (l > 0 && annfile[l - 1] != '_')
        l--;
    assert_true(l > 1 && l - 1 < sizeof art);
    memcpy(art, annfile, l - 1);
    art[l - 1] = '\0';
    if (seen(art))
        return; /* not the first annotator file of this article */
    C.a = realloc(C.a, (C.n + 1) * sizeof *C.a);
    C.name = realloc(C.name, (C.n + 1) * sizeof *C.name);
    assert_true(C.a && C.name);
    article *a = &C.a[C.n];
    memset(a, 0, sizeof *a);
    C.name[C.n] = strdup(art);
    snprintf(path, sizeof path, "%s/%s/text/%s.txt", root, split, art);
    a->text = tu_read(path, &a->len);
    assert_non_null(a->text);
    index_cps(a);
    snprintf(path, sizeof path, "%s/%s/attributions/%s", root, split,
             annfile);
    load_ann(C.n, a, path);
    C.n++;
}

static int opendir_ok(const char *dir)
{
    DIR *d = opendir(dir);
    if (d)
        closedir(d);
    return d != NULL;
}

/* Load train+dev once; 0 when the corpus is absent. */
static int load(void)
{
    static int done, ok;
    const char *corp = tu_corpora_dir();
    char root[1024], dir[1100];
    if (done)
        return ok;
    done = 1;
    if (!corp)
        return 0;
    snprintf(root, sizeof root, "%s/polnear/data", corp);
    static const char *const splits[] = {"train", "dev"};
    for (int s = 0; s < 2; s++) {
        size_t n;
        snprintf(dir, sizeof dir, "%s/%s/attributions", root, splits[s]);
        if (!opendir_ok(dir))
            return 0;
        char **v = list_ann(dir, &n);
        for (size_t k = 0; k < n; k++) {
            load_article(root, splits[s], v[k]);
            free(v[k]);
        }
        free(v);
    }
    return ok = C.n > 0;
}

static int teardown(void **state)
{
    (void)state;
    for (size_t k = 0; k < C.n; k++) {
        free(C.a[k].text);
        free(C.a[k].cp2b);
        free(C.a[k].t);
        free(C.name[k]);
    }
    free(C.a);
    free(C.name);
    free(C.g);
    memset(&C, 0, sizeof C);
    return 0;
}

/* ==== scoring ========================================================== */

typedef struct cseg {
    size_t s, e, para; /* code points; paragraph index */
} cseg;

/* Every segment of every scanned quotation of article k, in code points. */
static cseg *scanned(size_t k, size_t *n)
{
    article *a = &C.a[k];
    asy_quotes r;
    assert_int_equal(asy_quotes_scan(a->text, a->len, NULL, &r, NULL),
                     ASSAY_OK);
    cseg *v = malloc((r.nseg + 1) * sizeof *v);
    assert_non_null(v);
    for (size_t j = 0; j < r.nseg; j++)
        v[j] = (cseg){b2cp(a, r.seg[j].start), b2cp(a, r.seg[j].end),
                      r.seg[j].para};
    *n = r.nseg;
    asy_quotes_free(&r);
    return v;
}

/* 2 = exact, 1 = adjusted (first quotation's opening .. a later one's
 * closing mark, same paragraph), 0 = missed. */
static int match(const gold *g, const cseg *v, size_t n)
{
    int adj = 0;
    for (size_t j = 0; j < n; j++) {
        if (v[j].s == g->s && v[j].e == g->e)
            return 2;
        if (v[j].s != g->s)
            continue;
        for (size_t k = 0; k < n; k++)
            if (v[k].e == g->e && v[k].para == v[j].para && k != j &&
                v[k].s > v[j].s)
                adj = 1;
    }
    return adj;
}

static void test_polnear_direct_quotes(void **state)
{
    (void)state;
    if (!load())
        TU_SKIP("../shared/corpora/polnear (train, dev) not found");
    size_t exact = 0, adjusted = 0, nseg = 0, gi = 0;
    for (size_t k = 0; k < C.n; k++) {
        size_t n;
        cseg *v = scanned(k, &n);
        nseg += n;
        for (; gi < C.ng && C.g[gi].art == k; gi++) {
            int m = match(&C.g[gi], v, n);
            exact += m == 2;
            adjusted += m >= 1;
            if (m < 2)
                print_message("  %s %s [%zu, %zu)\n",
                              m ? "multi-quote fragment" : "missed",
                              C.name[k], C.g[gi].s, C.g[gi].e);
        }
        free(v);
    }
    assert_int_equal(gi, C.ng);
    double pe = 100.0 * (double)exact / (double)C.ng;
    double pa = 100.0 * (double)adjusted / (double)C.ng;
    print_message("PolNeAR train+dev: %zu articles, %zu gold direct-quote "
                  "fragments, %zu scanned segments\n", C.n, C.ng, nseg);
    print_message("  exact:    %zu / %zu = %.2f%%\n", exact, C.ng, pe);
    print_message("  adjusted: %zu / %zu = %.2f%%\n", adjusted, C.ng, pa);
    assert_true(C.ng > 4000);
    assert_true(pe >= EXACT_FLOOR);
    assert_true(pa >= ADJUSTED_FLOOR);
}

/* The scanner's own paragraph split gives the same result as scanning
 * with asy_paragraphs()' spans, on every article. */
static void test_polnear_paragraph_rule(void **state)
{
    (void)state;
    if (!load())
        TU_SKIP("../shared/corpora/polnear (train, dev) not found");
    for (size_t k = 0; k < C.n; k++) {
        asy_quote_opts o;
        asy_quotes r1, r2;
        asy_quote_opts_init(&o);
        assert_int_equal(asy_paragraphs(C.a[k].text, C.a[k].len,
                                        (asy_span **)&o.paras, &o.npara), 0);
        assert_int_equal(asy_quotes_scan(C.a[k].text, C.a[k].len, NULL,
                                         &r1, NULL), ASSAY_OK);
        assert_int_equal(asy_quotes_scan(C.a[k].text, C.a[k].len, &o, &r2,
                                         NULL), ASSAY_OK);
        assert_int_equal(r1.npara, o.npara);
        assert_int_equal(r1.n, r2.n);
        assert_int_equal(r1.nseg, r2.nseg);
        assert_memory_equal(r1.q, r2.q, r1.n * sizeof *r1.q);
        free((void *)o.paras);
        asy_quotes_free(&r1);
        asy_quotes_free(&r2);
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Throughput on the same news text, one document at a time (paragraph
 * splitting included). ASSAY_BENCH_MB sets the volume (default 64). */
static void test_polnear_throughput(void **state)
{
    (void)state;
    if (!load())
        TU_SKIP("../shared/corpora/polnear (train, dev) not found");
    const char *env = getenv("ASSAY_BENCH_MB");
    double target = (env ? atof(env) : 64.0) * 1e6, bytes = 0;
    size_t quotes = 0;
    double t0 = now();
    while (bytes < target)
        for (size_t k = 0; k < C.n; k++) {
            asy_quotes r;
            assert_int_equal(asy_quotes_scan(C.a[k].text, C.a[k].len, NULL,
                                             &r, NULL), ASSAY_OK);
            quotes += r.n;
            bytes += (double)C.a[k].len;
            asy_quotes_free(&r);
        }
    double dt = now() - t0;
    print_message("quotation scan: %.1f MB in %.3f s = %.1f MB/s "
                  "(%zu quotations)\n", bytes / 1e6, dt,
                  bytes / 1e6 / dt, quotes);
    assert_true(quotes > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_polnear_direct_quotes),
        cmocka_unit_test(test_polnear_paragraph_rule),
        cmocka_unit_test(test_polnear_throughput),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
