/*
 * signals.h — what `assay run` does when it is interrupted (Ctrl-C, kill,
 * a closed terminal): remove every temporary output file, say so, and die
 * of the same signal, so that no half-written CSV is ever left behind.
 */
#ifndef ASSAY_CLI_SIGNALS_H
#define ASSAY_CLI_SIGNALS_H

/* Block SIGINT, SIGTERM and SIGHUP (those not ignored when assay started)
 * in the calling thread, and so in every thread created after this call,
 * and start a thread that waits for them. Call it before the engine
 * starts its workers. Returns 0, or -1 (signals then keep their default
 * action). */
int cli_signals_start(void);

/* Stop the waiting thread and unblock the signals again. */
void cli_signals_stop(void);

#endif
