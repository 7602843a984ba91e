/*
 * test_dict.c — dictionaries (dict.c, dict_compile.c, dict_match.c,
 * dict_lint.c, dict_load*.c): every loader on well-formed and malformed
 * files (messages name file and line), and the matcher: words, globs,
 * phrases, the longest-match overlap rule, counting at hierarchy levels.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "testutil.h"
#include "wordbreak.h"

/* ===== helpers ============================================================= */

static asy_dict *load(const char *name, const char *text)
{
    asy_error err;
    asy_dict *d = asy_dict_load_mem(name, NULL, text, strlen(text), &err);
    if (!d) {
        char buf[2048];
        print_error("%s\n", asy_error_format(&err, buf, sizeof buf));
    }
    assert_non_null(d);
    return d;
}

/* The formatted error of loading a bad file. */
static const char *load_error(const char *name, const char *text)
{
    static char buf[2048];
    asy_error err;
    asy_dict *d = asy_dict_load_mem(name, NULL, text, strlen(text), &err);
    assert_null(d);
    return asy_error_format(&err, buf, sizeof buf);
}

static int cat_of(const asy_dict *d, const char *path)
{
    for (size_t i = 0; i < asy_dict_ncategories(d); i++)
        if (!strcmp(asy_dict_category_path(d, (int)i), path))
            return (int)i;
    fail_msg("no category %s", path);
    return -1;
}

/* Count of category `path` at `level` in text. */
static long long count(const asy_dict *d, const char *text, int level,
                       const char *path)
{
    size_t nc = asy_dict_ncategories(d);
    int64_t *c = calloc(nc, sizeof *c), words;
    asy_dict_scratch *s = asy_dict_scratch_new();
    assert_int_equal(asy_dict_count(d, s, text, strlen(text), level, c, NULL,
                                    &words), 0);
    long long r = c[cat_of(d, path)];
    free(c);
    asy_dict_scratch_free(s);
    return r;
}

typedef struct spans {
    char buf[1024];
    const asy_dict *d;
    const char *text;
} spans;

static int on_span(void *ud, const asy_dict_match *m)
{
    spans *sp = ud;
    asy_dict_entry_info e;
    asy_dict_entry(sp->d, m->entry, &e);
    size_t n = strlen(sp->buf);
    snprintf(sp->buf + n, sizeof sp->buf - n, "%s[%.*s=%s]", n ? " " : "",
             (int)(m->end - m->start), sp->text + m->start, e.term);
    return 0;
}

/* "[matched text=entry] ..." for every match in text. */
static const char *matches(const asy_dict *d, const char *text)
{
    static spans sp;
    sp.buf[0] = '\0';
    sp.d = d;
    sp.text = text;
    asy_dict_scratch *s = asy_dict_scratch_new();
    assert_int_equal(asy_dict_scan(d, s, text, strlen(text), on_span, &sp,
                                   NULL), 0);
    asy_dict_scratch_free(s);
    return sp.buf;
}

/* ===== matching ============================================================== */

static const char CSV[] =
    "category,term,weight\n"
    "economy/trade,trade\n"
    "economy/trade,tariff*\n"
    "economy/trade,free trade,2\n"
    "economy/energy,energ*\n"
    "economy/energy,energy security\n"
    "economy/energy,natural gas\n"
    "economy/energy,*power\n"
    "security,energy security\n"
    "security,belt and road\n"
    "culture,don't\n"
    "culture,c?t\n"
    "culture,e-mail\n";

static void test_words_and_globs(void **st)
{
    (void)st;
    asy_dict *d = load("a.csv", CSV);
    assert_string_equal(matches(d, "TRADE tariffs Tariff tar energetic "
                                   "hydropower power pow"),
                        "[TRADE=trade] [tariffs=tariff*] [Tariff=tariff*] "
                        "[energetic=energ*] [hydropower=*power] "
                        "[power=*power]");
    assert_string_equal(matches(d, "cat cot coat ct Don’t don't e-mail"),
                        "[cat=c?t] [cot=c?t] [Don’t=don't] [don't=don't] "
                        "[e-mail=e-mail]");
    asy_dict_free(d);
    /* a glob across a hyphen is split like the text: the phrase "co operat*"
     * (it was an entry that could never match) */
    d = load("h.csv", "c,co-operat*\nc,self-*\n");
    asy_dict_entry_info e;
    assert_int_equal(asy_dict_entry(d, 0, &e), ASSAY_OK);
    assert_string_equal(e.norm, "co operat*");
    assert_int_equal(e.kind, ASY_DICT_PHRASE);
    assert_string_equal(matches(d, "Co-operation, co operative, cooperate; "
                                   "self-made"),
                        "[Co-operation=co-operat*] [co operative=co-operat*] "
                        "[self-made=self-*]");
    asy_dict_free(d);
}

static void test_phrases_longest_match(void **st)
{
    (void)st;
    asy_dict *d = load("a.csv", CSV);
    /* "free trade" beats "trade"; "energy security" beats "energ*";
     * "natural" alone is nothing; a phrase across punctuation matches. */
    assert_string_equal(matches(d, "Free trade, energy security and "
                                   "natural\ngas; the Belt-and-Road natural."),
                        "[Free trade=free trade] "
                        "[energy security=energy security] "
                        "[natural\ngas=natural gas] "
                        "[Belt-and-Road=belt and road]");
    /* counted once: "energy security" is one match in two categories */
    const char *t = "energy security energy";
    assert_int_equal(count(d, t, 0, "economy/energy"), 2);
    assert_int_equal(count(d, t, 0, "security"), 1);
    asy_dict_free(d);
}

static void test_hierarchy_levels(void **st)
{
    (void)st;
    asy_dict *d = load("a.csv", CSV);
    const char *t = "trade energy free trade energy security power";
    assert_int_equal(count(d, t, 0, "economy/trade"), 2);
    assert_int_equal(count(d, t, 0, "economy/energy"), 3);
    assert_int_equal(count(d, t, 1, "economy"), 5);
    assert_int_equal(count(d, t, 1, "security"), 1);
    assert_int_equal(asy_dict_category_depth(d, cat_of(d, "economy/trade")),
                     2);
    assert_int_equal(asy_dict_max_depth(d), 2);
    asy_dict_free(d);
}

static void test_phrase_window(void **st)
{
    (void)st;
    /* more tokens than one window batch, with a phrase across batches */
    asy_dict *d = load("p.csv", "x,alpha beta gamma\n");
    size_t n = 3000;
    char *t = malloc(n * 6 + 32);
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        o += (size_t)sprintf(t + o, i % 3 == 0 ? "alpha " : i % 3 == 1 ?
                             "beta " : "gamma ");
    t[o] = '\0';
    assert_int_equal(count(d, t, 0, "x"), 1000);
    free(t);
    asy_dict_free(d);
}

static void test_glob_matcher(void **st)
{
    (void)st;
    assert_true(asy_dict_glob_match("a*b*c", 5, "aXbYc", 5));
    assert_true(asy_dict_glob_match("*", 1, "", 0));
    assert_false(asy_dict_glob_match("a?c", 3, "ac", 2));
    assert_true(asy_dict_glob_match("?a", 2, "\xc3\xa9" "a", 3));
    assert_false(asy_dict_glob_match("a*b", 3, "abc", 3));
}

/* ===== loaders =============================================================== */

static void test_csv_tsv(void **st)
{
    (void)st;
    asy_dict *d = load("w.tsv", "a\tone\t0.5\nb\t\"two\"\n# comment\n\n");
    asy_dict_entry_info e;
    assert_int_equal(asy_dict_nentries(d), 2);
    asy_dict_entry(d, 0, &e);
    assert_string_equal(e.term, "one");
    assert_true(e.weights[0] == 0.5);
    asy_dict_free(d);
    assert_string_equal(load_error("bad.csv", "a,b\nc\n"),
                        "bad.csv:2: expected a category and a term\n  hint: "
                        "each line is category,term[,weight]");
    assert_string_equal(load_error("bad.csv", "a,b,x1\n"),
                        "bad.csv:1: bad weight 'x1'\n  hint: weights are "
                        "numbers such as 1 or 0.5");
    assert_non_null(strstr(load_error("q.csv", "a,\"b\n"),
                           "q.csv:1: unterminated quoted field"));
}

static void test_liwc(void **st)
{
    (void)st;
    asy_dict *d = load("l.dic", "%\n1\tposemo\t(positive)\n2\tnegemo\n%\n"
                                "good\t1\nbad*\t2\nkind of\t1 2\n"
                                "like\t1 (02 134)126/2\n");
    assert_int_equal(asy_dict_ncategories(d), 2);
    assert_int_equal(count(d, "good badly kind of like", 0, "posemo"), 3);
    assert_int_equal(count(d, "good badly kind of like", 0, "negemo"), 2);
    asy_dict_free(d);
    /* a single-category list: the category is the file name */
    d = load("dir/anger.dic", "hate\nrage*\n");
    assert_int_equal(count(d, "Rage and hate", 0, "anger"), 2);
    asy_dict_free(d);
    assert_string_equal(load_error("l.dic", "%\n1 a\n%\nx 7\n"),
                        "l.dic:4: unknown category '7'\n  hint: every code "
                        "must be a number from the % legend");
    assert_non_null(strstr(load_error("l.dic", "%\nx a\n%\n"),
                           "l.dic:2: expected a category number"));
    assert_non_null(strstr(load_error("l.dic", "%\n1 a\n"),
                           "the % legend is not closed"));
}

static void test_dicx(void **st)
{
    (void)st;
    asy_dict *d = load("l.dicx", "DicTerm,Correct,Incorrect\n"
                                 "rope*,X,\ncandlestick*,,X\nknife,0.5,X\n");
    assert_int_equal(asy_dict_ncategories(d), 2);
    assert_int_equal(count(d, "ropes knife candlesticks", 0, "Incorrect"), 2);
    assert_int_equal(count(d, "ropes knife", 0, "Correct"), 2);
    asy_dict_free(d);
    assert_non_null(strstr(load_error("l.dicx", "Entry,A\nx,maybe\n"),
                           "l.dicx:2: bad cell 'maybe'"));
    assert_non_null(strstr(load_error("l.dicx", "Entry\nx\n"),
                           "l.dicx:1: no category columns"));
}

static void test_yaml(void **st)
{
    (void)st;
    asy_dict *d = load("i.yml", "economy:\n"
                                "  trade: [tariff*, \"free trade\"]\n"
                                "  energy:\n    - oil\n    - gas\n"
                                "security: war\n"
                                "empty:\n");
    assert_int_equal(count(d, "oil gas war free trade", 1, "economy"), 3);
    assert_int_equal(count(d, "oil gas war free trade", 0, "security"), 1);
    assert_int_equal(count(d, "tariffs", 0, "economy/trade"), 1);
    asy_dict_free(d);
    assert_non_null(strstr(load_error("b.yml", "a:\n  - x\n - y\n"),
                           "b.yml:3:"));
    assert_non_null(strstr(load_error("b.yml", "- x\n"),
                           "b.yml:1: expected a mapping of categories"));
}

static void test_lexicoder(void **st)
{
    (void)st;
    asy_dict *d = load("n.lc3", "+economy\ntax cut*\nbudget\n\n+defence\n"
                                "army\n");
    assert_int_equal(count(d, "Tax cuts in the budget", 0, "economy"), 2);
    assert_int_equal(count(d, "the army", 0, "defence"), 1);
    asy_dict_free(d);
    assert_string_equal(load_error("n.lcd", "word\n+x\n"),
                        "n.lcd:1: entry before any +Category line\n  hint: "
                        "start the file with a +Category line");
}

static void test_wordstat(void **st)
{
    (void)st;
    asy_dict *d = load("w.cat", "ECONOMY\n\tTRADE\n\t\tEXPORT* (1)\n"
                                "\t\tFREE_TRADE (2)\n\tENERGY\n\t\tOIL (1)\n"
                                "SECURITY\n    WAR (1)\n");
    assert_int_equal(count(d, "exports, free trade, oil", 1, "ECONOMY"), 3);
    assert_int_equal(count(d, "exports, free trade", 0, "ECONOMY/TRADE"), 2);
    assert_int_equal(count(d, "war", 0, "SECURITY"), 1);
    asy_dict_free(d);
    assert_string_equal(load_error("w.cat", "WORD (1)\n"),
                        "w.cat:1: entry outside any category\n  hint: indent "
                        "entries under a category line");
}

static void test_unknown_format(void **st)
{
    (void)st;
    assert_non_null(strstr(load_error("x.docx", "a"),
                           "cannot tell the dictionary format"));
    /* a Latin-1 entry would load and never match: refused where it is,
     * in every format */
    assert_string_equal(load_error("lat.csv", "energy,oil\nenergy,\xe9nergie\n"),
                        "lat.csv:2: byte 19 (0xE9) is not UTF-8\n  hint: save the "
                        "dictionary as UTF-8 (for a Latin-1 or Windows-1252 "
                        "file: iconv -f windows-1252 -t utf-8 FILE > NEW)");
    assert_non_null(strstr(load_error("lat.dic", "%\n1\tenergy\n%\n\xe9nergie\t1\n"),
                           "lat.dic:4: byte 14 (0xE9) is not UTF-8"));
    assert_non_null(strstr(load_error("lat.yml", "energy:\n  - \xe9nergie\n"),
                           "lat.yml:2:"));
    asy_error err;
    assert_null(asy_dict_load("/nonexistent/x.csv", NULL, &err));
    assert_int_equal(err.code, ASSAY_E_IO);
}

/* Every listed extension names a format the loader knows, in either case;
 * bundled names are looked up YAML first. */
static void test_extensions(void **st)
{
    (void)st;
    assert_string_equal(asy_dict_exts[0].ext, ".yml");
    int n = 0, bundled = 0;
    for (const asy_dict_ext *x = asy_dict_exts; x->ext; x++, n++) {
        char name[32], upper[32];
        snprintf(name, sizeof name, "d%s", x->ext);
        for (size_t i = 0; i <= strlen(name); i++)
            upper[i] = (char)toupper((unsigned char)name[i]);
        for (int k = 0; k < 2; k++) {
            asy_error err;
            asy_dict *d = asy_dict_load_mem(k ? upper : name, NULL, "", 0, &err);
            if (d) { /* an empty file may load as an empty dictionary */
                asy_dict_free(d);
                continue;
            }
            char buf[2048];
            const char *msg = asy_error_format(&err, buf, sizeof buf);
            assert_null(strstr(msg, "cannot tell the dictionary format"));
            assert_null(strstr(msg, "unknown dictionary format"));
        }
        bundled += x->bundled;
    }
    assert_int_equal(n, 10);
    assert_int_equal(bundled, 9); /* all but .txt */
}

/* ===== stemming ============================================================ */

static void test_stem(void **st)
{
    (void)st;
    asy_error err;
    asy_dict *d = load("s.csv", "e,economy\ne,trade policy\ng,energ*\n");
    if (asy_dict_set_stem(d, "english", &err) != ASSAY_OK) {
        assert_int_equal(err.code, ASSAY_E_USAGE);
        assert_non_null(strstr(err.message, "libstemmer"));
        asy_dict_free(d);
        TU_SKIP("built without libstemmer");
        return;
    }
    /* economies -> econom = economy; phrases stem each word; globs
     * still see the unstemmed token */
    assert_int_equal(count(d, "Economies economy trading policies", 0, "e"),
                     3);
    assert_int_equal(count(d, "energies", 0, "g"), 1);
    assert_int_equal(asy_dict_set_stem(d, "klingon", &err), ASSAY_E_USAGE);
    asy_dict_free(d);
}

/* ===== lint ==================================================================== */

static void on_lint(void *ud, const char *file, long line, const char *kind,
                    const char *msg)
{
    char *buf = ud;
    size_t n = strlen(buf);
    snprintf(buf + n, 4096 - n, "%s:%ld:%s: %s\n", file ? file : "-", line,
             kind, msg);
}

static void test_lint(void **st)
{
    (void)st;
    asy_dict *d = load("l.csv", "a,energ*\na,energy*\na,energy\nb,power\n"
                                "b,*power\nb,tea\nc,tea\na,trade\na,trade\n"
                                "a,:-)\n");
    char buf[4096] = "";
    assert_int_equal(asy_dict_lint(d, on_lint, buf), 5);
    assert_non_null(strstr(buf, "l.csv:3:redundant: entry 'energy' is "
                                "redundant: glob 'energy*' already counts "
                                "it for a"));
    assert_non_null(strstr(buf, "l.csv:4:redundant:"));
    assert_non_null(strstr(buf, "l.csv:8:duplicate: duplicate entry 'trade' "
                                "in a (repeated 1 time(s), first repeat at "
                                "line 9)"));
    assert_non_null(strstr(buf, "l.csv:10:never: entry ':-)' (a) can never "
                                "match"));
    assert_non_null(strstr(buf, "l.csv:1:overlap: glob 'energ*' overlaps "
                                "glob 'energy*' (same categories)"));
    asy_dict_free(d);
    d = load("s.csv", "a,energ*\nb,energy\n");
    buf[0] = '\0';
    assert_int_equal(asy_dict_lint(d, on_lint, buf), 1);
    assert_non_null(strstr(buf, "shadow: entry 'energy' (b) shadows glob "
                                "'energ*' (a)"));
    asy_dict_free(d);
    /* globs of different shapes whose fixed letters meet in a word; a
     * prefix and a suffix glob that only meet end to end are left alone */
    d = load("x.csv", "a,energ*\nb,*ergy\nc,c?t\nd,ca*\ne,*ism\nf,*n\xc3\xa9" "e\n"
                      "g,ann\xc3\xa9*\n");
    buf[0] = '\0';
    assert_int_equal(asy_dict_lint(d, on_lint, buf), 3);
    assert_non_null(strstr(buf, "x.csv:1:overlap: glob 'energ*' overlaps glob "
                                "'*ergy': both match words such as 'energy', "
                                "which count for 'energ*' only"));
    assert_non_null(strstr(buf, "x.csv:3:overlap: glob 'c?t' overlaps glob "
                                "'ca*': both match words such as 'cat'"));
    assert_non_null(strstr(buf, "x.csv:6:overlap: glob '*n\xc3\xa9" "e' overlaps "
                                "glob 'ann\xc3\xa9*': both match words such as "
                                "'ann\xc3\xa9" "e'"));
    assert_null(strstr(buf, "*ism"));
    asy_dict_free(d);
}

/* ===== the fast path against a naive reference ============================== */

/* The reference matcher: every entry tried at every token, by the rule of
 * dict.h (longest, then exact over glob, more literal bytes, earlier). */
typedef struct reftok {
    char *s;
    size_t start, end;
} reftok;

static int elem_match(const char *e, size_t n, const char *tok)
{
    if (memchr(e, '*', n) || memchr(e, '?', n))
        return asy_dict_glob_match(e, n, tok, strlen(tok));
    return strlen(tok) == n && !memcmp(e, tok, n);
}

/* Tokens covered by entry i at token t, or 0. */
static int ref_len(const asy_dict_entry_info *e, const reftok *tk, size_t nt,
                   size_t t)
{
    const char *p = e->norm;
    int k = 0;
    while (*p) {
        size_t n = strcspn(p, " ");
        if (t + (size_t)k >= nt || !elem_match(p, n, tk[t + (size_t)k].s))
            return 0;
        k++;
        p += n + (p[n] == ' ');
    }
    return k;
}

static long ref_rank(const asy_dict_entry_info *e)
{
    size_t n = strlen(e->norm), lit = n;
    for (size_t i = 0; i < n; i++)
        lit -= e->norm[i] == '*' || e->norm[i] == ' ';
    return strpbrk(e->norm, "*?") ? (long)lit : 1L << 20;
}

static void ref_scan(const asy_dict *d, const char *text, asy_buf *out)
{
    asy_wb_seg *sg;
    size_t nt;
    assert_int_equal(asy_wb_segments(text, strlen(text), ASY_WB_WORDLIKE,
                                     &sg, &nt), 0);
    reftok *tk = calloc(nt ? nt : 1, sizeof *tk);
    for (size_t i = 0; i < nt; i++) {
        asy_buf b = ASY_BUF_INIT;
        assert_int_equal(asy_dict_fold(text + sg[i].start,
                                       sg[i].end - sg[i].start, &b), 0);
        tk[i] = (reftok){b.data ? b.data : strdup(""), sg[i].start, sg[i].end};
    }
    for (size_t t = 0; t < nt;) {
        int blen = 0;
        long brank = 0;
        size_t best = 0;
        for (size_t i = 0; i < asy_dict_nentries(d); i++) {
            asy_dict_entry_info e;
            asy_dict_entry(d, i, &e);
            int k = e.ncats && e.kind != ASY_DICT_NEVER ? ref_len(&e, tk, nt, t)
                                                         : 0;
            if (k > blen || (k && k == blen && ref_rank(&e) > brank)) {
                blen = k;
                brank = ref_rank(&e);
                best = i;
            }
        }
        if (blen)
            asy_buf_printf(out, "%zu:%zu-%zu ", best, tk[t].start,
                           tk[t + (size_t)blen - 1].end);
        t += blen ? (size_t)blen : 1;
    }
    for (size_t i = 0; i < nt; i++)
        free(tk[i].s);
    free(tk);
    free(sg);
}

static int on_list(void *ud, const asy_dict_match *m)
{
    asy_buf_printf(ud, "%zu:%zu-%zu ", m->entry, m->start, m->end);
    return 0;
}

static void test_fast_path_differential(void **state)
{
    (void)state;
    static const char *const pool[] = {
        "trade", "tar*", "energ*", "energy*", "a*", "*ism", "*s", "c?t",
        "*nation*", "belt and road", "tax cut*", "e-mail", "free trade",
        "économie", "abcdefghijklmnop", "abcdefghijklmnopq", "abcdefgh",
        "naïve*", "don't", "cut", "tax* cut", "road", "3.5", "x1", "cats",
        "the cat", "the cat sat", "sat"};
    static const char *const words[] = {
        "trade", "Trade", "TRADE", "tariffs", "energy", "Energies", "belt",
        "and", "road", "Road", "e", "mail", "abcdefghijklmnop",
        "ABCDEFGHIJKLMNOPQ", "abcdefgh", "abcdefghi", "Économie", "économie",
        "naïveté", "x1", "2024", "cat", "cut", "cot", "tax", "taxes", "cuts",
        "the", "sat", "realism", "international", "Don’t", "don't", "3.5",
        "free", "a", "z", "zzzzzzzzzzzzzzzzzzzzzzzz"};
    static const char *const seps[] = {" ", " ", "-", ", ", "\n", "'s ",
                                       " — ", "."};
    srand(12345);
    for (int trial = 0; trial < 400; trial++) {
        asy_buf csv = ASY_BUF_INIT, text = ASY_BUF_INIT;
        size_t np = sizeof pool / sizeof *pool, nw = sizeof words / sizeof *words;
        int ne = 1 + rand() % 8;
        for (int i = 0; i < ne; i++)
            asy_buf_printf(&csv, "c%d,\"%s\"\n", rand() % 3, pool[rand() % np]);
        int n = rand() % 40;
        for (int i = 0; i < n; i++)
            asy_buf_printf(&text, "%s%s", words[rand() % nw],
                           i + 1 < n ? seps[rand() % 8] : "");
        asy_dict *d = load("r.csv", csv.data);
        char *t = malloc(text.len + 1); /* exact size: ASan sees overreads */
        memcpy(t, text.data ? text.data : "", text.len + 1);
        asy_buf want = ASY_BUF_INIT, got = ASY_BUF_INIT;
        ref_scan(d, t, &want);
        asy_dict_scratch *s = asy_dict_scratch_new();
        assert_int_equal(asy_dict_scan(d, s, t, text.len, on_list, &got, NULL),
                         0);
        if (strcmp(want.data ? want.data : "", got.data ? got.data : ""))
            fail_msg("dictionary:\n%stext: %s\nwant %s\ngot  %s", csv.data, t,
                     want.data ? want.data : "", got.data ? got.data : "");
        /* counting (the hit-counter path) agrees with the callback path */
        int64_t c[3] = {0}, words_n;
        assert_int_equal(asy_dict_count(d, s, t, text.len, 0, c, NULL,
                                        &words_n), 0);
        int64_t total = 0;
        for (size_t i = 0; i < asy_dict_ncategories(d); i++)
            total += c[i];
        size_t nm = 0;
        for (const char *p = got.data ? got.data : ""; *p; p++)
            nm += *p == ' ';
        int64_t per = 0; /* matches x categories of each matched entry */
        for (const char *p = got.data ? got.data : ""; *p;) {
            asy_dict_entry_info e;
            asy_dict_entry(d, strtoul(p, NULL, 10), &e);
            per += e.ncats;
            p = strchr(p, ' ') + 1;
        }
        assert_true(per >= (int64_t)nm);
        assert_int_equal(total, per);
        asy_dict_scratch_free(s);
        asy_dict_free(d);
        free(t);
        asy_buf_free(&csv);
        asy_buf_free(&text);
        asy_buf_free(&want);
        asy_buf_free(&got);
    }
}

/* A random lower-case word of 1..maxlen letters (deterministic rand). */
static void rand_word(char *w, int maxlen)
{
    int n = 1 + rand() % maxlen;
    for (int i = 0; i < n; i++)
        w[i] = (char)('a' + rand() % 26);
    w[n] = '\0';
}

/* A dictionary of 1,500 words with prefix and suffix globs and phrases,
 * against text of its words (some upper-cased) and 2,500 other words:
 * the fast table has full buckets (probes that follow the chain) and the
 * per-thread glob memory has collisions; matches and counts must equal
 * the reference scan's. */
static void test_fast_path_large(void **state)
{
    (void)state;
    enum { NW = 1500, NO = 2500, NT = 2500 };
    static char dw[NW][20], ow[NO][20];
    asy_buf csv = ASY_BUF_INIT, text = ASY_BUF_INIT;
    srand(777);
    for (int i = 0; i < NW; i++) {
        rand_word(dw[i], 12);
        asy_buf_printf(&csv, "c%d,%s\n", i % 3, dw[i]);
    }
    for (int i = 0; i < NO; i++)
        rand_word(ow[i], 18);
    for (int i = 0; i < 30; i++) { /* prefix, suffix globs; phrases */
        asy_buf_printf(&csv, "c%d,%.2s*\n", i % 3, ow[i]);
        asy_buf_printf(&csv, "c%d,*%s\n", i % 3, ow[i] + strlen(ow[i]) / 2);
        asy_buf_printf(&csv, "c%d,\"%s %s\"\n", i % 3, dw[i], dw[i + 1]);
    }
    for (int i = 0; i < NT; i++) {
        int r = rand() % 10;
        char w[20];
        strcpy(w, r < 4 ? dw[rand() % NW] : ow[rand() % NO]);
        if (r == 0)
            for (char *c = w; *c; c++)
                *c = (char)(*c - 'a' + 'A');
        asy_buf_printf(&text, "%s%s", w, i % 7 ? " " : ", ");
    }
    asy_dict *d = load("big.csv", csv.data);
    asy_buf want = ASY_BUF_INIT, got = ASY_BUF_INIT;
    ref_scan(d, text.data, &want);
    asy_dict_scratch *s = asy_dict_scratch_new();
    for (int pass = 0; pass < 2; pass++) { /* fresh and warm thread memory */
        asy_buf_clear(&got);
        assert_int_equal(asy_dict_scan(d, s, text.data, text.len, on_list,
                                       &got, NULL), 0);
        assert_string_equal(want.data, got.data);
        int64_t c[3] = {0}, per[3] = {0}, nw;
        assert_int_equal(asy_dict_count(d, s, text.data, text.len, 0, c, NULL,
                                        &nw), 0);
        assert_int_equal(nw, NT);
        for (const char *p = got.data; *p; p = strchr(p, ' ') + 1) {
            asy_dict_entry_info e;
            asy_dict_entry(d, strtoul(p, NULL, 10), &e);
            for (int k = 0; k < e.ncats; k++)
                per[e.cats[k]]++; /* flat categories: distinct */
        }
        for (int i = 0; i < 3; i++)
            assert_int_equal(c[i], per[i]);
    }
    asy_dict_scratch_free(s);
    asy_dict_free(d);
    asy_buf_free(&csv);
    asy_buf_free(&text);
    asy_buf_free(&want);
    asy_buf_free(&got);
}

/* Words at the very end of the text and of 8, 16 and 17 bytes: the fast
 * path loads 16 bytes only when they are inside the text. */
static void test_fast_path_edges(void **state)
{
    (void)state;
    asy_dict *d = load("e.csv", "a,abcdefgh\na,abcdefghijklmnop\n"
                                "b,abcdefghijklmnopq\nb,x\nc,ab*\n");
    const char *texts[] = {"x", "X abcdefgh", "ABCDEFGHIJKLMNOP",
                           "abcdefghijklmnopq", "abcdefghijklmnopqr abx"};
    long long want_a[] = {0, 1, 1, 0, 0}, want_b[] = {1, 1, 0, 1, 0},
              want_c[] = {0, 0, 0, 0, 2};
    for (int i = 0; i < 5; i++) {
        size_t n = strlen(texts[i]);
        char *t = malloc(n + 1);
        memcpy(t, texts[i], n + 1);
        assert_int_equal(count(d, t, 0, "a"), want_a[i]);
        assert_int_equal(count(d, t, 0, "b"), want_b[i]);
        assert_int_equal(count(d, t, 0, "c"), want_c[i]);
        free(t);
    }
    asy_dict_free(d);
}

/* The glob pre-filters read a word's last bytes from the text: short
 * words at the very start of the text (fewer than four bytes before their
 * end), after non-ASCII bytes, and upper-cased. */
static void test_glob_filter_edges(void **state)
{
    (void)state;
    asy_dict *d = load("g.csv", "d,*ab\ne,xy*\nf,word\n");
    const char *texts[] = {"ab", "AB", "é ab", "zAB, cab", "b", "xyz",
                           "Xy", "éé xY", "word ab"};
    long long want_d[] = {1, 1, 1, 2, 0, 0, 0, 0, 1},
              want_e[] = {0, 0, 0, 0, 0, 1, 1, 1, 0};
    for (int i = 0; i < 9; i++) {
        size_t n = strlen(texts[i]);
        char *t = malloc(n + 1); /* exact size: ASan sees overreads */
        memcpy(t, texts[i], n + 1);
        assert_int_equal(count(d, t, 0, "d"), want_d[i]);
        assert_int_equal(count(d, t, 0, "e"), want_e[i]);
        free(t);
    }
    asy_dict_free(d);
}

/* Counts of text by asy_dict_count equal the matches of the reference
 * scan, category by category (flat, distinct categories). */
static void check_counts(const asy_dict *d, asy_dict_scratch *s,
                         const char *text, size_t len)
{
    asy_buf want = ASY_BUF_INIT, got = ASY_BUF_INIT;
    ref_scan(d, text, &want);
    assert_int_equal(asy_dict_scan(d, s, text, len, on_list, &got, NULL), 0);
    assert_string_equal(want.data ? want.data : "", got.data ? got.data : "");
    size_t nc = asy_dict_ncategories(d);
    int64_t *c = calloc(nc, sizeof *c), *per = calloc(nc, sizeof *per), nw;
    assert_int_equal(asy_dict_count(d, s, text, len, 0, c, NULL, &nw), 0);
    for (const char *p = got.data ? got.data : ""; *p;
         p = strchr(p, ' ') + 1) {
        asy_dict_entry_info e;
        asy_dict_entry(d, strtoul(p, NULL, 10), &e);
        for (int k = 0; k < e.ncats; k++)
            per[e.cats[k]]++;
    }
    for (size_t i = 0; i < nc; i++)
        if (c[i] != per[i])
            fail_msg("category %s: counted %lld, scanned %lld",
                     asy_dict_category_path(d, (int)i), (long long)c[i],
                     (long long)per[i]);
    free(c);
    free(per);
    asy_buf_free(&want);
    asy_buf_free(&got);
}

/* Counting decides two-word phrases inside its loop (the lead word and
 * the next one's answer) and reads glob filters from the raw text: long
 * texts (several token batches) of overlapping phrase chains, words that
 * start a phrase at the end of a batch or of the text or before a long or
 * non-ASCII word, upper-case and mixed-case suffixes, short suffixes and
 * suffixes with bytes that case folding by 0x20 confuses; with and without
 * a three-word phrase (which keeps lead words out of the loop). */
static void test_count_pairs(void **state)
{
    (void)state;
    static const char base[] =
        "a,united states\na,states said\na,said it\nb,it said\n"
        "b,oil prices\nb,prices rose\nc,oil\nc,said\nc,the\nc,rose\n"
        "c,of the\na,*ed\nb,*_x\nb,*9\nc,pri*\na,*tion\nc,ab\n";
    static const char *const vocab[] = {
        "united", "States", "STATES", "said", "Said", "it", "IT", "oil",
        "Oil", "prices", "PRICES", "rose", "the", "of", "fed", "FED", "Red",
        "a_x", "A_X", "b_X", "99", "x9", "nation", "NATION", "Nation",
        "prix", "Prime", "ab", "AB", "é", "naïve", "oilé",
        "abcdefghijklmnopqrs", "saidsaidsaidsaidsaid", "tion", "ed", "e"};
    static const char *const seps[] = {" ", " ", ", ", "\n", " — ", ". "};
    static const char *const fixed[] = {
        "united", "said", "Oil", "united states", "it said it said it",
        "said naïve", "oil abcdefghijklmnopqrs prices", "é said it",
        "of the united states said it", "ab", "fed", "_x a_x"};
    for (int v = 0; v < 2; v++) {
        asy_buf csv = ASY_BUF_INIT, text = ASY_BUF_INIT;
        asy_buf_printf(&csv, "%s%s", base, v ? "a,the oil prices\n" : "");
        asy_dict *d = load("pairs.csv", csv.data);
        asy_dict_scratch *s = asy_dict_scratch_new();
        srand(4242 + v);
        size_t nv = sizeof vocab / sizeof *vocab;
        for (int i = 0; i < 3000; i++) /* > 5 batches of 512 tokens */
            asy_buf_printf(&text, "%s%s", vocab[rand() % nv],
                           i + 1 < 3000 ? seps[rand() % 6] : "");
        char *t = malloc(text.len + 1); /* exact size: ASan sees overreads */
        memcpy(t, text.data, text.len + 1);
        check_counts(d, s, t, text.len);
        for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
            size_t n = strlen(fixed[i]);
            char *f = malloc(n + 1);
            memcpy(f, fixed[i], n + 1);
            check_counts(d, s, f, n);
            free(f);
        }
        assert_int_equal(count(d, "united states said it", 0, "a"), 2);
        assert_int_equal(count(d, "united states said it", 0, "b"), 0);
        assert_int_equal(count(d, "Oil Prices rose", 0, "b"), 1);
        assert_int_equal(count(d, "Oil Prices rose", 0, "c"), 1);
        assert_int_equal(count(d, "NATION FED A_X X9 Pride", 0, "a"), 2);
        assert_int_equal(count(d, "NATION FED A_X X9 Pride", 0, "b"), 2);
        assert_int_equal(count(d, "NATION FED A_X X9 Pride", 0, "c"), 1);
        free(t);
        asy_dict_scratch_free(s);
        asy_dict_free(d);
        asy_buf_free(&csv);
        asy_buf_free(&text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words_and_globs),
        cmocka_unit_test(test_phrases_longest_match),
        cmocka_unit_test(test_hierarchy_levels),
        cmocka_unit_test(test_phrase_window),
        cmocka_unit_test(test_glob_matcher),
        cmocka_unit_test(test_csv_tsv),
        cmocka_unit_test(test_liwc),
        cmocka_unit_test(test_dicx),
        cmocka_unit_test(test_yaml),
        cmocka_unit_test(test_lexicoder),
        cmocka_unit_test(test_wordstat),
        cmocka_unit_test(test_unknown_format),
        cmocka_unit_test(test_extensions),
        cmocka_unit_test(test_stem),
        cmocka_unit_test(test_lint),
        cmocka_unit_test(test_fast_path_differential),
        cmocka_unit_test(test_fast_path_edges),
        cmocka_unit_test(test_glob_filter_edges),
        cmocka_unit_test(test_fast_path_large),
        cmocka_unit_test(test_count_pairs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
