/* hash_gate: at most N argon2 computations at once, and no thread held by
 * the ones waiting.
 *
 * A handler that is about to hash calls hash_gate_enter(). With a permit free
 * it gets HASH_GATE_ENTERED, hashes, and calls hash_gate_leave(). Otherwise
 * the connection is suspended (MHD_suspend_connection) and queued, and the
 * handler returns MHD_YES at once: its thread goes back to serving other
 * connections. A leaving hasher hands its permit to the oldest waiter and
 * resumes it; MHD then calls the handler again from the top, and its
 * hash_gate_enter() returns ENTERED. So with N below the thread count, cheap
 * routes always find a free thread, and nobody is refused for being second.
 * Handlers must therefore be safe to run again up to the gate (count limits
 * once, guarded by the request).
 *
 * Needs a daemon started with MHD_ALLOW_SUSPEND_RESUME. Thread-safe.
 * Ownership: hash_gate_new() gives a gate that hash_gate_free() frees. */
#ifndef AUTH_HASH_GATE_H
#define AUTH_HASH_GATE_H

#include <microhttpd.h>
#include <stdbool.h>

struct hash_gate;

enum hash_gate_result {
	HASH_GATE_ENTERED = 0, /* hash, then hash_gate_leave() */
	HASH_GATE_WAIT = 1,    /* suspended: return MHD_YES, nothing queued */
	HASH_GATE_CLOSED = 2,  /* shutting down: answer 503 */
};

/* *state: one int per request, zero at first (the gate's mark on it). */
struct hash_gate *hash_gate_new(int permits);
enum hash_gate_result hash_gate_enter(struct hash_gate *g, struct MHD_Connection *c, int *state);
void hash_gate_leave(struct hash_gate *g);

/* True while the request whose state this is waits for a permit. */
bool hash_gate_waiting(int state);

/* For a request that ends: a permit handed to it (state granted) that it
 * never used is given back. Its handler, run again when resumed, may no
 * longer need to hash (a reset link used by another request meanwhile);
 * without this the permit would be lost, and with it every later hash. */
void hash_gate_return_unused(struct hash_gate *g, int *state);

/* Resumes every waiter (each then gets CLOSED) and refuses later ones, so
 * the daemon can stop with no connection suspended. */
void hash_gate_close(struct hash_gate *g);

void hash_gate_free(struct hash_gate **g);

#endif
