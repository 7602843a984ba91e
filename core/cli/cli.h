/*
 * cli.h — shared declarations of the assay command's subcommands.
 * The CLI is thin: it parses arguments and calls libassay (assay.h).
 */
#ifndef ASSAY_CLI_H
#define ASSAY_CLI_H

/* Exit codes (docs/cli.md). */
enum {
    EXIT_OK = 0,       /* every document analysed */
    EXIT_SKIPPED = 1,  /* run completed, some documents skipped */
    EXIT_USAGE = 2,    /* bad command line, unknown plugin option, ... */
    EXIT_FATAL = 3     /* the run failed; no output was committed */
};

int cmd_run(int argc, char **argv);
int cmd_plugins(int argc, char **argv);
int cmd_dict(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* Print "assay: MESSAGE" (+ location and hint) for the engine's last error
 * and return the exit code matching its status. */
struct assay_engine;
int cli_fail(const struct assay_engine *e);

/* ---- engine_opts.c: long options that are engine settings ---- */
enum { CLI_RUN = 1, CLI_REPORT = 2, CLI_DICT = 4 }; /* the commands taking an option */
enum { CLI_OPT_BASE = 256 };          /* getopt codes of the table */

typedef struct cli_engine_opt {
    const char *name;    /* --name */
    int has_arg;         /* no_argument: the setting is "true" */
    const char *key;     /* assay_engine_set key; NULL for --errors */
    unsigned commands;   /* CLI_RUN | CLI_REPORT | CLI_DICT */
    int changes_results; /* recorded as a setting in run manifests */
} cli_engine_opt;

/* Fill opts (room entries) with a command's own options (`own`, ended by
 * a NULL name) and then the engine options it takes, ended by a NULL
 * name; getopt_long returns CLI_OPT_BASE + i for the table's entry i.
 * Returns the number of options. */
struct option;
int cli_options(struct option *opts, int room, const struct option *own,
                unsigned command);
/* The engine option with getopt code `code`, or NULL. */
const cli_engine_opt *cli_engine_opt_of(int code);
/* Apply it to the engine: 0, or the exit code after printing the error. */
int cli_apply_engine_opt(struct assay_engine *e, const cli_engine_opt *o,
                         const char *arg);
/* The flag (without "--") of the engine setting a library message names
 * by its key, or NULL. */
const char *cli_flag_for(const char *text);

#endif
