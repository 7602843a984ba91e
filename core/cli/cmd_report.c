/*
 * cmd_report.c — `assay report NAME INPUT... [-o DIR] [-O KEY=VALUE]`: run a
 * report script (scripts/NAME.lua): its plugins in one pass over the
 * inputs, the manifest, then render() writing report.html. `--list` shows
 * the scripts. The work is in libassay (report.h).
 */
#define _GNU_SOURCE /* asprintf */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay.h"
#include "cli.h"
#include "plugin.h"
#include "progress.h"
#include "report.h"

static void report_usage(FILE *f)
{
    fputs(
"usage: assay report NAME INPUT... [options]\n"
"       assay report --list\n"
"       assay report NAME --help       (the report's own options)\n"
"\n"
"Run a report script: its plugins over every INPUT in one pass, their CSVs\n"
"and manifest.json in DIR, then the script writes DIR/report.html.\n"
"NAME is a bundled report (see --list) or a path to a .lua script.\n"
"\n"
"options:\n"
"  -o, --output DIR        where everything goes (default: report-NAME)\n"
"  -O, --option KEY=VALUE  a report option (KEY), or a plugin option\n"
"                          (PLUGIN.KEY)\n"
"  -j, --threads N         worker threads (default: the cores this process\n"
"                          may use, as nproc counts them)\n"
"  -l, --list              list the report scripts with their summaries\n"
"      --errors FILE       write skipped documents and warnings as CSV\n"
"      --text-field NAME   JSONL/CSV field with the text (default: text)\n"
"      --id-field NAME     JSONL/CSV field with the id (default: id)\n"
"      --date-field NAME   JSONL/CSV field with the date (default: date)\n"
"      --encoding ENC      utf-8 (default) or latin-1\n"
"      --invalid-utf8 P    replace (default), skip or fail\n"
"      --max-doc-bytes N   skip larger documents (default: 268435456)\n"
"      --mem-limit MB      Lua memory cap per worker (default 1024, 0 = none)\n"
"      --instr-limit N     Lua instructions per document (0 = none)\n"
"      --manifest-hash H   hash the input files in manifest.json with\n"
"                          xxh3_128 (default, fast) or sha256\n"
"      --plugin-path DIRS  extra plugin directories (colon-separated)\n"
"      --script-path DIRS  extra report script directories\n"
"      --trust             lift the sandbox (plugins and the script)\n"
"      --no-pin            let the system place the threads (default: each on\n"
"                          a processor of its own when -j is the core count)\n"
"      --progress          show progress even when not on a terminal\n"
"  -q, --quiet             no summary and no progress on standard error\n"
"  -h, --help              this help\n"
"\n"
"exit status: 0 all documents analysed, 1 some skipped, 2 usage error,\n"
"3 the run or the report failed.\n", f);
}

typedef struct rep_args {
    const char **options; /* KEY=VALUE */
    int noptions;
    const char **pos;     /* NAME INPUT... */
    int npos;
    const char *outdir;
    const char *script_path;
    int list, quiet, progress, trust, help;
} rep_args;

/* The options of `report` itself; the engine settings come from
 * engine_opts.c (cli_options). */
static const struct option own_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"option", required_argument, NULL, 'O'},
    {"threads", required_argument, NULL, 'j'},
    {"list", no_argument, NULL, 'l'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"script-path", required_argument, NULL, 7},
    {"progress", no_argument, NULL, 9},
    {NULL, 0, NULL, 0}};

static int parse_args(assay_engine *e, int argc, char **argv, rep_args *a)
{
    struct option opts[64];
    int opt, rc;
    cli_options(opts, 64, own_opts, CLI_REPORT);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:O:j:lqh", opts, NULL)) != -1) {
        const cli_engine_opt *o = cli_engine_opt_of(opt);
        switch (opt) {
        case 'o': a->outdir = optarg; break;
        case 'O': a->options[a->noptions++] = optarg; break;
        case 'l': a->list = 1; break;
        case 'q': a->quiet = 1; break;
        case 'h': a->help = 1; break;
        case 'j':
            if (assay_engine_set(e, "threads", optarg) < 0)
                return cli_fail(e);
            break;
        case 7: a->script_path = optarg; break;
        case 9: a->progress = 1; break;
        case '?': report_usage(stderr); return EXIT_USAGE;
        default:
            if (!o)
                return EXIT_USAGE;
            if (o->key && strcmp(o->key, "trust") == 0)
                a->trust = 1;
            if ((rc = cli_apply_engine_opt(e, o, optarg)) != 0)
                return rc;
        }
    }
    for (int i = optind; i < argc; i++)
        a->pos[a->npos++] = argv[i];
    return 0;
}

static void print_error(const asy_error *err)
{
    char buf[4096];
    fprintf(stderr, "assay: %s\n", asy_error_format(err, buf, sizeof buf));
}

static int exit_for(int code)
{
    return code == ASSAY_E_USAGE ? EXIT_USAGE : EXIT_FATAL;
}

/* --list: every script with its summary (a script that fails to load is
 * listed with its error, and the exit status is 3). */
static int list_reports(const rep_args *a)
{
    char **dirs = asy_script_dirs(a->script_path);
    asy_report_entry *v = NULL;
    int n = 0, rc = EXIT_OK;
    asy_error err;
    if (!dirs || asy_report_find_all(dirs, &v, &n, &err) != ASSAY_OK) {
        asy_strv_free(dirs);
        return fprintf(stderr, "assay: out of memory\n"), EXIT_FATAL;
    }
    if (n == 0)
        fprintf(stderr, "assay: no report scripts found\n");
    for (int i = 0; i < n; i++) {
        asy_report *r = NULL;
        if (asy_report_load(&r, v[i].path, dirs, a->trust, &err) != ASSAY_OK) {
            printf("%-18s (fails to load: %s)\n", v[i].name, err.message);
            rc = EXIT_FATAL;
            continue;
        }
        printf("%-18s %s\n", v[i].name, asy_report_summary(r));
        if (!a->quiet)
            printf("%-18s %s\n", "", v[i].path);
        asy_report_free(r);
    }
    asy_report_entries_free(v, n);
    asy_strv_free(dirs);
    return rc;
}

/* NAME --help: the script's summary and options. */
static int describe(asy_report *r)
{
    char *opts = asy_report_describe_options(r);
    printf("%s — %s\n%s\n\noptions (-O KEY=VALUE):\n%s", asy_report_name(r),
           asy_report_summary(r), asy_report_path(r),
           opts && *opts ? opts : "  (none)\n");
    free(opts);
    return EXIT_OK;
}

/* -O KEY=VALUE: KEY for the report, PLUGIN.KEY (after configure) for the
 * engine. plugin_phase selects which. */
static int apply_options(asy_report *r, assay_engine *e, const rep_args *a,
                         int plugin_phase)
{
    for (int i = 0; i < a->noptions; i++) {
        char *kv = strdup(a->options[i]);
        char *eq = kv ? strchr(kv, '=') : NULL;
        int rc = 0;
        asy_error err;
        if (!eq) {
            fprintf(stderr, "assay: -O expects KEY=VALUE, got '%s'\n",
                    a->options[i]);
            free(kv);
            return EXIT_USAGE;
        }
        *eq = '\0';
        int dotted = strchr(kv, '.') != NULL;
        if (plugin_phase && dotted)
            rc = assay_engine_set_option(e, kv, eq + 1) < 0 ? cli_fail(e) : 0;
        else if (!plugin_phase && !dotted &&
                 asy_report_set_option(r, kv, eq + 1, &err) != ASSAY_OK) {
            print_error(&err);
            rc = exit_for(err.code);
        }
        free(kv);
        if (rc)
            return rc;
    }
    return 0;
}

static void summary(assay_engine *e, asy_report *r, const char *outdir)
{
    assay_stats st;
    assay_engine_stats(e, &st);
    fprintf(stderr, "assay: %llu documents read, %llu analysed, %llu skipped; "
            "%llu rows\n", (unsigned long long)st.documents_read,
            (unsigned long long)st.documents_analysed,
            (unsigned long long)st.documents_skipped,
            (unsigned long long)st.rows_written);
    for (int p = 0; p < assay_engine_plugin_count(e); p++) {
        const assay_plugin_info *pi = assay_engine_plugin_info(e, p);
        for (int o = 0; pi && o < pi->n_outputs; o++)
            fprintf(stderr, "assay: wrote %s/%s.csv\n", outdir,
                    pi->output_names[o]);
    }
    fprintf(stderr, "assay: wrote %s/manifest.json\n", outdir);
    for (const char *const *w = asy_report_written(r); *w; w++)
        fprintf(stderr, "assay: wrote %s/%s\n", outdir, *w);
}

/* Run the configured engine, then render. Returns the exit code. */
static int execute(asy_report *r, assay_engine *e, const rep_args *a,
                   const char *outdir)
{
    char *mpath = NULL;
    asy_error err;
    for (int i = 1; i < a->npos; i++)
        assay_engine_add_input(e, a->pos[i]);
    if (asprintf(&mpath, "%s/manifest.json", outdir) < 0)
        return EXIT_FATAL;
    if (assay_engine_set_output_dir(e, outdir) < 0 ||
        assay_engine_set_manifest(e, mpath) < 0) {
        free(mpath);
        return cli_fail(e);
    }
    free(mpath);
    cli_progress ui;
    cli_progress_install(e, &ui, a->progress, a->quiet);
    int st = assay_engine_run(e);
    if (st < 0)
        return cli_fail(e);
    if (asy_report_render(r, e, outdir, a->pos + 1, a->npos - 1, &err) != ASSAY_OK) {
        print_error(&err);
        fprintf(stderr, "assay: the CSVs and manifest are in %s; the report "
                        "was not written\n", outdir);
        return EXIT_FATAL;
    }
    if (!a->quiet)
        summary(e, r, outdir);
    return st > 0 ? EXIT_SKIPPED : EXIT_OK;
}

static int run_report(assay_engine *e, const rep_args *a)
{
    char **dirs = asy_script_dirs(a->script_path);
    asy_report *r = NULL;
    asy_error err;
    char *dflt = NULL;
    int rc;
    if (!dirs)
        return EXIT_FATAL;
    if (asy_report_load(&r, a->pos[0], dirs, a->trust, &err) != ASSAY_OK) {
        print_error(&err);
        asy_strv_free(dirs);
        return exit_for(err.code);
    }
    asy_strv_free(dirs);
    if (a->help) {
        rc = describe(r);
        asy_report_free(r);
        return rc;
    }
    const char *outdir = a->outdir;
    if (!outdir && asprintf(&dflt, "report-%s", asy_report_name(r)) >= 0)
        outdir = dflt;
    rc = apply_options(r, e, a, 0);
    if (!rc && asy_report_configure(r, e, &err) != ASSAY_OK) {
        print_error(&err);
        rc = exit_for(err.code);
    }
    if (!rc)
        rc = apply_options(r, e, a, 1);
    if (!rc && a->npos < 2) {
        fprintf(stderr, "assay: no input given (a file, a directory or -)\n");
        rc = EXIT_USAGE;
    }
    if (!rc)
        rc = outdir ? execute(r, e, a, outdir) : EXIT_FATAL;
    free(dflt);
    asy_report_free(r);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    rep_args a = {0};
    a.options = calloc((size_t)argc + 1, sizeof *a.options);
    a.pos = calloc((size_t)argc + 1, sizeof *a.pos);
    assay_engine *e = NULL;
    int rc = !a.options || !a.pos ? EXIT_FATAL : 0;
    if (!rc)
        rc = assay_engine_new(&e) < 0 ? EXIT_FATAL : 0;
    if (!rc) /* every core, each thread on one of its own (--no-pin) */
        rc = assay_engine_set_threads(e, 0) < 0 ||
                     assay_engine_set(e, "pin", "true") < 0
                 ? cli_fail(e)
                 : 0;
    if (!rc)
        rc = parse_args(e, argc, argv, &a);
    if (!rc && a.list)
        rc = list_reports(&a);
    else if (!rc && a.npos == 0) {
        report_usage(a.help ? stdout : stderr);
        rc = a.help ? EXIT_OK : EXIT_USAGE;
    } else if (!rc)
        rc = run_report(e, &a);
    assay_engine_free(e);
    free(a.options);
    free(a.pos);
    return rc;
}
