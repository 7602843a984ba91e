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

#endif
