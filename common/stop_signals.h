/* stop_signals: SIGTERM and SIGINT as the request to stop, taken synchronously.
 *
 * stop_signals_block() is called in main before any thread starts: the two
 * signals are blocked in every thread (they are only ever taken by
 * stop_signals_wait in the main thread) and restored to their default action
 * first, since a shell's background jobs inherit SIGINT ignored, which would
 * make it undeliverable. SIGPIPE is ignored: a peer closing a socket is an
 * error to handle, not a reason to die. */
#ifndef COMMON_STOP_SIGNALS_H
#define COMMON_STOP_SIGNALS_H

#include <signal.h>

void stop_signals_block(sigset_t *set);

/* Waits up to timeout_ms (negative: for ever). Returns SIGTERM or SIGINT, or 0
 * when the time ran out. */
int stop_signals_wait(const sigset_t *set, long timeout_ms);

/* "SIGTERM" or "SIGINT", for the log. */
const char *stop_signals_name(int sig);

#endif
