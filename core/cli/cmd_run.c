/*
 * cmd_run.c — `assay run PLUGIN... INPUT... [options]`: several plugins share
 * one pass over the corpus. Arguments are parsed here; everything else is a
 * call into libassay.
 */
#define _GNU_SOURCE /* asprintf */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "assay.h"
#include "cli.h"
#include "plugin.h"
#include "progress.h"
#include "signals.h"

static void run_usage(FILE *f)
{
    fputs(
"usage: assay run PLUGIN... INPUT... [options]\n"
"\n"
"Run one or more plugins over the documents of every INPUT in one pass.\n"
"PLUGIN is a bundled name (wordfreq) or a path to a .lua file; the first\n"
"argument that is neither starts the inputs. INPUT is a file (.txt .md\n"
".jsonl .ndjson .csv .tsv, optionally .gz), a directory (read recursively,\n"
"sorted) or - for standard input.\n"
"\n"
"options:\n"
"  -o, --output DIR        write each output to DIR/NAME.csv (atomic);\n"
"                          without -o a single output goes to standard output\n"
"  -O, --option KEY=VALUE  set a plugin option (KEY or PLUGIN.KEY)\n"
"  -p, --plugin PLUGIN     add a plugin explicitly (for ambiguous names)\n"
"  -j, --threads N         worker threads (default: the cores this process\n"
"                          may use, as nproc counts them)\n"
"      --errors FILE       write skipped documents and warnings as CSV\n"
"      --format FMT        csv (default), tsv or jsonl\n"
"      --bom               start CSV files with a UTF-8 BOM (for Excel)\n"
"      --safe-csv          neutralise cells starting with = + - @ (spreadsheets)\n"
"      --text-field NAME   JSONL/CSV field with the text (default: text)\n"
"      --id-field NAME     JSONL/CSV field with the id (default: id)\n"
"      --date-field NAME   JSONL/CSV field with the date (default: date)\n"
"      --encoding ENC      utf-8 (default) or latin-1\n"
"      --invalid-utf8 P    replace (default), skip or fail\n"
"      --max-doc-bytes N   skip larger documents (default: 268435456)\n"
"      --plugin-path DIRS  extra plugin directories (colon-separated)\n"
"      --trust             lift the plugin sandbox (io, os, require)\n"
"      --mem-limit MB      Lua memory cap per worker (default 1024, 0 = none)\n"
"      --instr-limit N     Lua instructions per document (0 = none)\n"
"      --manifest FILE     write the run manifest to FILE (default with -o:\n"
"                          DIR/manifest.json)\n"
"      --no-manifest       do not write DIR/manifest.json\n"
"      --manifest-hash H   hash the manifest's input files with xxh3_128\n"
"                          (default, fast) or sha256\n"
"      --manifest-only     write the manifest without running\n"
"      --from-manifest M   rerun exactly the run recorded in manifest M\n"
"      --force             with --from-manifest: warn, not fail, when a\n"
"                          plugin or input has changed\n"
"      --no-pin            let the system place the threads (default: each on\n"
"                          a processor of its own when -j is the core count)\n"
"      --progress          show progress even when standard error is not a\n"
"                          terminal (or $CI is set)\n"
"  -q, --quiet             no summary and no progress on standard error\n"
"  -h, --help              this help\n"
"\n"
"exit status: 0 all documents analysed, 1 some skipped (see --errors),\n"
"2 usage error, 3 the run failed (no output written).\n", f);
}

typedef struct run_args {
    const char **plugins;
    int nplugins;
    const char **options; /* KEY=VALUE */
    int noptions;
    const char **inputs;
    int ninputs;
    const char *outdir;
    const char *ext; /* ".csv", ".tsv" or ".jsonl", for the summary */
    int quiet;
    const char *manifest;      /* --manifest FILE */
    const char *from_manifest; /* --from-manifest FILE */
    const char *threads;       /* -j N, re-applied after --from-manifest */
    const char *manifest_hash; /* --manifest-hash H, the same */
    int no_manifest, manifest_only, force, progress;
    int nsettings;             /* result-changing settings given */
} run_args;

int cli_fail(const struct assay_engine *e)
{
    const assay_error_info *info = assay_last_error(e);
    int has_loc = info->file[0] &&
                  strncmp(info->message, info->file, strlen(info->file)) != 0;
    fprintf(stderr, "assay: ");
    if (has_loc) {
        fprintf(stderr, "%s", info->file);
        if (info->line >= 0)
            fprintf(stderr, ":%lld", info->line);
        else if (info->byte >= 0)
            fprintf(stderr, ": byte %lld", info->byte);
        fprintf(stderr, ": ");
    }
    fprintf(stderr, "%s", info->message[0] ? info->message
                                           : assay_strerror(info->code));
    if (info->doc_id[0])
        fprintf(stderr, " (document %s)", info->doc_id);
    fputc('\n', stderr);
    if (info->hint[0])
        fprintf(stderr, "  hint: %s\n", info->hint);
    const char *flag = cli_flag_for(info->message);
    if (!flag)
        flag = cli_flag_for(info->hint);
    if (flag)
        fprintf(stderr, "  (on the command line: --%s)\n", flag);
    return info->code == ASSAY_E_USAGE ? EXIT_USAGE : EXIT_FATAL;
}

/* A positional argument names a plugin when it ends in ".lua" or resolves
 * as a bundled plugin name; the first that does not starts the inputs. */
static int is_plugin(const char *arg, char **dirs)
{
    size_t n = strlen(arg);
    if (n > 4 && strcmp(arg + n - 4, ".lua") == 0)
        return 1;
    if (strchr(arg, '/') || strcmp(arg, "-") == 0)
        return 0;
    char *p = asy_plugin_resolve(arg, dirs, NULL);
    free(p);
    return p != NULL;
}

/* The options of `run` itself; the engine settings come from
 * engine_opts.c (cli_options). */
static const struct option own_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"option", required_argument, NULL, 'O'},
    {"plugin", required_argument, NULL, 'p'},
    {"threads", required_argument, NULL, 'j'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"manifest", required_argument, NULL, 20},
    {"no-manifest", no_argument, NULL, 21},
    {"manifest-only", no_argument, NULL, 22},
    {"from-manifest", required_argument, NULL, 23},
    {"force", no_argument, NULL, 24},
    {"progress", no_argument, NULL, 25},
    {NULL, 0, NULL, 0}};

/* Options of the manifest and progress features (no engine setting). */
static int workflow_option(run_args *a, int opt, const char *arg)
{
    switch (opt) {
    case 20: a->manifest = arg; return 1;
    case 21: a->no_manifest = 1; return 1;
    case 22: a->manifest_only = 1; return 1;
    case 23: a->from_manifest = arg; return 1;
    case 24: a->force = 1; return 1;
    case 25: a->progress = 1; return 1;
    default: return 0;
    }
}

/* An engine setting from the shared table; --format also picks the
 * file extension the summary names. */
static int engine_option(assay_engine *e, run_args *a, int opt,
                         const char *arg)
{
    const cli_engine_opt *o = cli_engine_opt_of(opt);
    if (!o)
        return EXIT_USAGE;
    a->nsettings += o->changes_results;
    if (o->key && strcmp(o->key, "manifest_hash") == 0)
        a->manifest_hash = arg;
    if (strcmp(o->name, "format") == 0)
        a->ext = strcmp(arg, "tsv") == 0     ? ".tsv"
                 : strcmp(arg, "jsonl") == 0 ? ".jsonl"
                                             : ".csv";
    return cli_apply_engine_opt(e, o, arg);
}

static int parse_args(assay_engine *e, int argc, char **argv, run_args *a)
{
    struct option opts[64];
    int opt, rc;
    cli_options(opts, 64, own_opts, CLI_RUN);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:O:p:j:qh", opts, NULL)) != -1) {
        switch (opt) {
        case 'o': a->outdir = optarg; break;
        case 'O': a->options[a->noptions++] = optarg; break;
        case 'p': a->plugins[a->nplugins++] = optarg; break;
        case 'q': a->quiet = 1; break;
        case 'j':
            a->threads = optarg;
            if (assay_engine_set(e, "threads", optarg) < 0)
                return cli_fail(e);
            break;
        case 'h': run_usage(stdout); return -1;
        case '?': run_usage(stderr); return EXIT_USAGE;
        default:
            if (workflow_option(a, opt, optarg))
                break;
            if ((rc = engine_option(e, a, opt, optarg)) != 0)
                return rc;
        }
    }
    return 0;
}

static int split_positionals(int argc, char **argv, run_args *a)
{
    char **dirs = asy_plugin_dirs(NULL);
    int i = optind;
    if (a->nplugins == 0)
        for (; i < argc && is_plugin(argv[i], dirs); i++)
            a->plugins[a->nplugins++] = argv[i];
    for (; i < argc; i++)
        a->inputs[a->ninputs++] = argv[i];
    asy_strv_free(dirs);
    if (a->nplugins == 0) {
        fprintf(stderr, "assay: no plugin given%s%s%s\n",
                a->ninputs ? " ('" : "", a->ninputs ? a->inputs[0] : "",
                a->ninputs ? "' is not a bundled plugin; see 'assay plugins')"
                           : "");
        return EXIT_USAGE;
    }
    if (a->ninputs == 0) {
        fprintf(stderr, "assay: no input given (a file, a directory or -)\n");
        return EXIT_USAGE;
    }
    return 0;
}

static int setup(assay_engine *e, run_args *a)
{
    for (int i = 0; i < a->nplugins; i++)
        if (assay_engine_load_plugin(e, a->plugins[i], NULL) < 0)
            return cli_fail(e);
    for (int i = 0; i < a->noptions; i++) {
        char *kv = strdup(a->options[i]);
        char *eq = kv ? strchr(kv, '=') : NULL;
        if (!eq) {
            fprintf(stderr, "assay: -O expects KEY=VALUE, got '%s'\n",
                    a->options[i]);
            free(kv);
            return EXIT_USAGE;
        }
        *eq = '\0';
        int rc = assay_engine_set_option(e, kv, eq + 1);
        free(kv);
        if (rc < 0)
            return cli_fail(e);
    }
    for (int i = 0; i < a->ninputs; i++)
        assay_engine_add_input(e, a->inputs[i]);
    if (a->outdir && assay_engine_set_output_dir(e, a->outdir) < 0)
        return cli_fail(e);
    return 0;
}

/* --from-manifest: the manifest is the whole run; only where the outputs
 * go, the thread count, the rerun's own manifest hash and --errors/--trust
 * may be given with it. */
static int setup_from_manifest(assay_engine *e, int argc, run_args *a)
{
    if (optind < argc || a->nplugins || a->noptions || a->nsettings) {
        fprintf(stderr, "assay: --from-manifest takes no plugins, inputs, "
                        "-O options or settings (the manifest has them)\n"
                        "  hint: only -o, -j, --errors, --manifest, "
                        "--manifest-hash, --force, --trust, --no-pin, "
                        "--progress and -q may be added\n");
        return EXIT_USAGE;
    }
    if (assay_engine_load_manifest(e, a->from_manifest,
                                   a->force ? ASSAY_MANIFEST_FORCE : 0) < 0)
        return cli_fail(e);
    if (a->threads && assay_engine_set(e, "threads", a->threads) < 0)
        return cli_fail(e);
    if (a->manifest_hash &&
        assay_engine_set(e, "manifest_hash", a->manifest_hash) < 0)
        return cli_fail(e);
    if (a->outdir && assay_engine_set_output_dir(e, a->outdir) < 0)
        return cli_fail(e);
    return 0;
}

/* Where the manifest goes: --manifest FILE, else DIR/manifest.json with
 * -o DIR (unless --no-manifest); none for standard output. Malloc'd. */
static char *manifest_path(const run_args *a)
{
    char *p = NULL;
    if (a->manifest)
        return strdup(a->manifest);
    if (!a->outdir || a->no_manifest)
        return NULL;
    size_t n = strlen(a->outdir);
    int slash = n && a->outdir[n - 1] == '/';
    return asprintf(&p, "%s%smanifest.json", a->outdir, slash ? "" : "/") < 0
               ? NULL : p;
}

/* --manifest-only: record the run as configured, do not run it. */
static int manifest_only(assay_engine *e, const run_args *a, const char *path)
{
    if (!path) {
        fprintf(stderr, "assay: --manifest-only needs -o DIR or "
                        "--manifest FILE\n");
        return EXIT_USAGE;
    }
    if (assay_engine_write_manifest(e, path) < 0)
        return cli_fail(e);
    if (!a->quiet)
        fprintf(stderr, "assay: wrote %s (not run)\n", path);
    return EXIT_OK;
}

/* The extension of the outputs: from --format, or (after --from-manifest,
 * whose format the CLI does not parse) whichever file the run wrote. */
static const char *output_ext(const run_args *a, const char *name)
{
    static const char *exts[] = {".csv", ".tsv", ".jsonl"};
    if (!a->from_manifest)
        return a->ext ? a->ext : ".csv";
    for (int i = 0; i < 3; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s%s", a->outdir, name, exts[i]);
        if (stat(path, &st) == 0)
            return exts[i];
    }
    return ".csv";
}

static void summary(assay_engine *e, const run_args *a, int rc)
{
    assay_stats st;
    assay_engine_stats(e, &st);
    fprintf(stderr,
            "assay: %llu documents read, %llu analysed, %llu skipped; "
            "%llu rows\n",
            (unsigned long long)st.documents_read,
            (unsigned long long)st.documents_analysed,
            (unsigned long long)st.documents_skipped,
            (unsigned long long)st.rows_written);
    if (rc < 0 || !a->outdir)
        return;
    for (int p = 0; p < assay_engine_plugin_count(e); p++) {
        const assay_plugin_info *pi = assay_engine_plugin_info(e, p);
        for (int o = 0; pi && o < pi->n_outputs; o++)
            fprintf(stderr, "assay: wrote %s/%s%s\n", a->outdir,
                    pi->output_names[o], output_ext(a, pi->output_names[o]));
    }
}

/* Run (or only describe) the configured engine; returns the exit code. */
static int execute(assay_engine *e, const run_args *a)
{
    char *mpath = manifest_path(a);
    if ((a->manifest || (a->outdir && !a->no_manifest)) && !mpath)
        return fprintf(stderr, "assay: out of memory\n"), EXIT_FATAL;
    if (a->manifest_only) {
        int rc = manifest_only(e, a, mpath);
        free(mpath);
        return rc;
    }
    if (mpath && assay_engine_set_manifest(e, mpath) < 0) {
        free(mpath);
        return cli_fail(e);
    }
    cli_progress ui;
    cli_progress_install(e, &ui, a->progress, a->quiet);
    cli_signals_start(); /* before the engine starts its threads */
    int st = assay_engine_run(e);
    cli_signals_stop();
    int rc = st < 0 ? cli_fail(e) : st > 0 ? EXIT_SKIPPED : EXIT_OK;
    if (!a->quiet) {
        summary(e, a, st);
        if (st >= 0 && mpath)
            fprintf(stderr, "assay: wrote %s\n", mpath);
    }
    free(mpath);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    run_args a = {0};
    a.plugins = calloc((size_t)argc + 1, sizeof *a.plugins);
    a.options = calloc((size_t)argc + 1, sizeof *a.options);
    a.inputs = calloc((size_t)argc + 1, sizeof *a.inputs);
    assay_engine *e = NULL;
    int rc = !a.plugins || !a.options || !a.inputs ? EXIT_FATAL : 0;
    if (!rc)
        rc = assay_engine_new(&e) < 0 ? EXIT_FATAL : 0;
    if (!rc) /* every core, each thread on one of its own (--no-pin) */
        rc = assay_engine_set_threads(e, 0) < 0 ||
                     assay_engine_set(e, "pin", "true") < 0
                 ? cli_fail(e)
                 : 0;
    if (!rc)
        rc = parse_args(e, argc, argv, &a);
    if (!rc && a.from_manifest)
        rc = setup_from_manifest(e, argc, &a);
    else if (!rc)
        rc = split_positionals(argc, argv, &a);
    if (!rc && !a.from_manifest)
        rc = setup(e, &a);
    if (!rc)
        rc = execute(e, &a);
    assay_engine_free(e);
    free(a.plugins);
    free(a.options);
    free(a.inputs);
    return rc < 0 ? EXIT_OK : rc;
}
