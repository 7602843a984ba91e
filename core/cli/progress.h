/*
 * progress.h — the progress line `assay run` draws on standard error from
 * the engine's progress callback (assay_engine_set_progress_callback).
 */
#ifndef ASSAY_CLI_PROGRESS_H
#define ASSAY_CLI_PROGRESS_H

#include "assay.h"

typedef struct cli_progress {
    int on;    /* progress is being reported */
    int tty;   /* redraw one line in place (else one line per report) */
    int shown; /* a line is on screen and must be cleared before output */
} cli_progress;

/* Decide whether to show progress and install the callbacks on e: shown
 * when standard error is a terminal, $CI is unset and TERM is not "dumb",
 * unless quiet; always when forced (--progress). Messages (warnings,
 * skipped documents) then clear the line before they are printed. */
void cli_progress_install(assay_engine *e, cli_progress *ui, int forced,
                          int quiet);

/* "1:05" or "2:03:04" for a number of seconds. */
void cli_format_duration(double seconds, char *buf, size_t size);

/* The text of one progress line (without newline or escapes). */
void cli_progress_text(const assay_progress *p, char *buf, size_t size);

#endif
