/*
 * progress.c — draws the engine's progress reports as one line on standard
 * error: documents, MB, MB/s, elapsed time and, when the total input size
 * is known, an ETA. On a terminal the line is redrawn in place and cleared
 * at the end; forced into a pipe (--progress) it prints plain lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"

void cli_format_duration(double seconds, char *buf, size_t size)
{
    long s = seconds > 0 ? (long)(seconds + 0.5) : 0;
    if (s >= 3600)
        snprintf(buf, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, size, "%ld:%02ld", s / 60, s % 60);
}

void cli_progress_text(const assay_progress *p, char *buf, size_t size)
{
    int known = p->input_bytes_total >= 0 && p->input_bytes_done >= 0;
    double mb = (known ? (double)p->input_bytes_done
                       : (double)p->bytes_read) / 1e6;
    double rate = p->elapsed > 0 ? mb / p->elapsed : 0;
    char el[32], eta[64] = "";
    cli_format_duration(p->elapsed, el, sizeof el);
    if (known && p->input_bytes_total > 0) {
        double total = (double)p->input_bytes_total / 1e6;
        int pct = (int)(100.0 * mb / total);
        if (!p->done && rate > 0 && p->elapsed >= 1) {
            char t[32];
            cli_format_duration((total - mb) / rate, t, sizeof t);
            snprintf(eta, sizeof eta, ", %d%%, ETA %s", pct, t);
        } else {
            snprintf(eta, sizeof eta, ", %d%% of %.1f MB", pct, total);
        }
    }
    snprintf(buf, size, "assay: %llu documents, %.1f MB, %.1f MB/s, %s%s%s",
             (unsigned long long)p->documents_read, mb, rate, el, eta,
             p->done ? " (done)" : "");
}

static void on_progress(void *ud, const assay_progress *p)
{
    cli_progress *ui = ud;
    char line[256];
    cli_progress_text(p, line, sizeof line);
    if (!ui->tty) {
        fprintf(stderr, "%s\n", line);
        return;
    }
    /* \r back to column 0, \033[K erases the rest of the old line. */
    if (p->done) {
        if (ui->shown)
            fputs("\r\033[K", stderr);
        ui->shown = 0;
    } else {
        fprintf(stderr, "\r%s\033[K", line);
        ui->shown = 1;
    }
    fflush(stderr);
}

/* Warnings must not be glued to the end of a half-drawn progress line. */
static void on_message(void *ud, const char *msg)
{
    cli_progress *ui = ud;
    if (ui->shown)
        fputs("\r\033[K", stderr);
    ui->shown = 0;
    fprintf(stderr, "assay: %s\n", msg);
    const char *flag = cli_flag_for(msg);
    if (flag) /* the library names settings by key; the user types flags */
        fprintf(stderr, "  (on the command line: --%s)\n", flag);
}

void cli_progress_install(assay_engine *e, cli_progress *ui, int forced,
                          int quiet)
{
    const char *term = getenv("TERM");
    const char *ci = getenv("CI");
    ui->tty = isatty(STDERR_FILENO) && !(term && strcmp(term, "dumb") == 0);
    ui->on = forced || (!quiet && ui->tty && !(ci && *ci));
    ui->shown = 0;
    assay_engine_set_message_callback(e, on_message, ui);
    if (!ui->on)
        return;
    /* In a pipe a line per second is plenty for a log. */
    assay_engine_set_progress_callback(e, on_progress, ui,
                                       ui->tty ? 250 : 1000);
}
