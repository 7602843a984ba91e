/*
 * cmd_dict.c — `assay dict lint FILE [CORPUS...]`: load a topic dictionary,
 * report problems in it (duplicates, entries that can never match, nested
 * globs, words hiding globs), and with a corpus, how often each category
 * matches (documents and matches per category) using the engine.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay.h"
#include "cli.h"
#include "dict.h"

static void dict_usage(FILE *f)
{
    fputs("usage: assay dict lint FILE [CORPUS...] [options]\n"
          "\n"
          "Check a topic dictionary (.csv .tsv .dic .dicx .yml .lc3 .lcd .cat)\n"
          "and print one line per finding: duplicate entries, entries that can\n"
          "never match, globs nested in other globs, exact words that take\n"
          "tokens away from a glob of other categories. With CORPUS inputs,\n"
          "also print per category the documents and matches found.\n"
          "\n"
          "options:\n"
          "      --format FMT        the dictionary's format when its extension\n"
          "                          does not say (csv tsv dic dicx yaml lc3 cat)\n"
          "  -j, --threads N         worker threads for the coverage pass (default 1)\n"
          "      --text-field NAME   JSONL/CSV field with the text (default: text)\n"
          "      --id-field NAME     JSONL/CSV field with the id (default: id)\n"
          "      --date-field NAME   JSONL/CSV field with the date (default: date)\n"
          "      --encoding ENC      utf-8 (default) or latin-1\n"
          "      --invalid-utf8 P    replace (default), skip or fail\n"
          "      --max-doc-bytes N   skip larger documents\n"
          "      --no-pin            let the system place the coverage pass's\n"
          "                          threads (held when -j is the core count)\n"
          "\n"
          "Exit status: 0 clean, 1 findings, 2 usage, 3 unreadable dictionary.\n",
          f);
}

static void on_finding(void *ud, const char *file, long line,
                       const char *kind, const char *message)
{
    (void)ud;
    if (file && line > 0)
        printf("%s:%ld: %s: %s\n", file, line, kind, message);
    else
        printf("%s: %s\n", kind, message);
}

/* The coverage pass, run by the engine like any plugin. */
static const char COVERAGE_LUA[] =
    "return { name = 'dict_coverage', options = { dictionary = '', format = '' },\n"
    "  columns = { 'category', 'documents', 'matches' },\n"
    "  init = function(ctx)\n"
    "    local f = ctx.options.format ~= '' and ctx.options.format or nil\n"
    "    ctx.d = assay.dictionary(ctx.options.dictionary, { format = f })\n"
    "    return { m = assay.counter(), docs = assay.counter() }\n"
    "  end,\n"
    "  document = function(doc, ctx)\n"
    "    local st = ctx.state\n"
    "    st.docs:add('\\0all')\n"
    "    ctx.d:count_into(doc, st.m)\n"
    "    for cat in pairs(ctx.d:match(doc)) do st.docs:add(cat) end\n"
    "  end,\n"
    "  merge = function(s, o) s.m:merge(o.m); s.docs:merge(o.docs) end,\n"
    "  finish = function(ctx, out)\n"
    "    out:row{ '(all documents)', ctx.state.docs:get('\\0all'), ctx.state.m:total() }\n"
    "    for _, cat in ipairs(ctx.d:categories()) do\n"
    "      out:row{ cat, ctx.state.docs:get(cat), ctx.state.m:get(cat) }\n"
    "    end\n"
    "  end }\n";

static int on_row(void *ud, const assay_row *row)
{
    int *zero = ud;
    const assay_value *v = row->values;
    printf("%-40s %10lld %10lld\n", v[0].s, (long long)v[1].i,
           (long long)v[2].i);
    *zero += v[1].i == 0 && strcmp(v[0].s, "(all documents)") != 0;
    return 0;
}

#define MAX_SETTINGS 16

/* The corpus options given (engine settings for the coverage pass). */
typedef struct settings {
    const cli_engine_opt *opt[MAX_SETTINGS];
    const char *arg[MAX_SETTINGS];
    int n;
} settings;

static int coverage(const char *path, const char *format, const char *threads,
                    const settings *set, char **inputs, int ninputs)
{
    assay_engine *e = NULL;
    int zero = 0, rc = EXIT_OK;
    if (assay_engine_new(&e) != ASSAY_OK)
        return EXIT_FATAL;
    if (assay_engine_load_plugin_string(e, "dict_coverage.lua", COVERAGE_LUA,
                                        NULL) < 0 ||
        assay_engine_set_option(e, "dictionary", path) < 0 ||
        (format && assay_engine_set_option(e, "format", format) < 0) ||
        (threads && assay_engine_set(e, "threads", threads) < 0) ||
        assay_engine_set(e, "pin", "true") < 0 || /* --no-pin: below */
        assay_engine_set_row_callback(e, on_row, &zero) < 0)
        rc = cli_fail(e);
    for (int i = 0; i < set->n && rc == EXIT_OK; i++)
        rc = cli_apply_engine_opt(e, set->opt[i], set->arg[i]);
    for (int i = 0; i < ninputs && rc == EXIT_OK; i++)
        if (assay_engine_add_input(e, inputs[i]) < 0)
            rc = cli_fail(e);
    if (rc == EXIT_OK) {
        printf("\ncoverage:\n%-40s %10s %10s\n", "category", "documents",
               "matches");
        if (assay_engine_run(e) < 0)
            rc = cli_fail(e);
        else if (zero)
            printf("%d categor%s matched no document\n", zero,
                   zero == 1 ? "y" : "ies");
    }
    assay_engine_free(e);
    return rc;
}

static int lint(const char *path, const char *format)
{
    asy_error err;
    asy_dict *d = asy_dict_load(path, format, &err);
    if (!d) {
        char buf[2048];
        fprintf(stderr, "assay: %s\n", asy_error_format(&err, buf, sizeof buf));
        return -1;
    }
    int n = asy_dict_lint(d, on_finding, NULL);
    printf("%s: %zu entries, %zu categories, %d finding%s\n", path,
           asy_dict_nentries(d), asy_dict_ncategories(d), n < 0 ? 0 : n,
           n == 1 ? "" : "s");
    asy_dict_free(d);
    return n;
}

static const struct option own_opts[] = {
    {"format", required_argument, NULL, 'f'},
    {"threads", required_argument, NULL, 'j'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

/* Options of `dict lint` (argv[0] is "lint"); the operands are left in
 * argv[optind..argc). 0, or the exit status of a usage error. */
static int parse(int argc, char **argv, const char **format,
                 const char **threads, settings *set, int *help)
{
    struct option opts[64];
    int opt;
    cli_options(opts, 64, own_opts, CLI_DICT);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "j:h", opts, NULL)) != -1) {
        const cli_engine_opt *o = cli_engine_opt_of(opt);
        switch (opt) {
        case 'f': *format = optarg; break;
        case 'j': *threads = optarg; break;
        case 'h': *help = 1; break;
        default:
            if (!o || set->n == MAX_SETTINGS) {
                dict_usage(stderr);
                return EXIT_USAGE;
            }
            set->opt[set->n] = o;
            set->arg[set->n++] = optarg;
        }
    }
    return 0;
}

int cmd_dict(int argc, char **argv)
{
    const char *format = NULL, *threads = NULL;
    settings set = {{NULL}, {NULL}, 0};
    if (argc < 2 || strcmp(argv[1], "lint") != 0) {
        int help = argc >= 2 && !strcmp(argv[1], "--help");
        dict_usage(help ? stdout : stderr);
        return help ? EXIT_OK : EXIT_USAGE;
    }
    int help = 0;
    int rc = parse(argc - 1, argv + 1, &format, &threads, &set, &help);
    if (rc || help) {
        if (help)
            dict_usage(stdout);
        return rc;
    }
    int first = optind + 1; /* in argv */
    if (first >= argc) {
        dict_usage(stderr);
        return EXIT_USAGE;
    }
    const char *file = argv[first];
    int n = lint(file, format);
    rc = n < 0 ? EXIT_FATAL : n > 0 ? 1 : EXIT_OK;
    if (n >= 0 && argc - first > 1) {
        int c = coverage(file, format, threads, &set, argv + first + 1,
                         argc - first - 1);
        rc = c != EXIT_OK ? c : rc;
    }
    return rc;
}
