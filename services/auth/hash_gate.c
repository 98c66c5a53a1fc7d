#include "hash_gate.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

enum { STATE_NONE = 0, STATE_WAITING, STATE_GRANTED, STATE_CLOSED };

struct waiter {
	struct MHD_Connection *conn;
	int *state;
	struct waiter *next;
};

struct hash_gate {
	pthread_mutex_t lock;
	int free_permits;
	bool closed;
	struct waiter *head, *tail;
};

struct hash_gate *hash_gate_new(int permits)
{
	struct hash_gate *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	pthread_mutex_init(&g->lock, NULL);
	g->free_permits = permits > 0 ? permits : 1;
	return g;
}

enum hash_gate_result hash_gate_enter(struct hash_gate *g, struct MHD_Connection *c, int *state)
{
	enum hash_gate_result rc = HASH_GATE_ENTERED;
	struct waiter *w;

	pthread_mutex_lock(&g->lock);
	if (*state == STATE_GRANTED) {
		*state = STATE_NONE; /* the permit handed over is ours */
		goto out;
	}
	if (g->closed || *state == STATE_CLOSED) {
		rc = HASH_GATE_CLOSED;
		goto out;
	}
	if (g->free_permits > 0) {
		g->free_permits--;
		goto out;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		rc = HASH_GATE_CLOSED;
		goto out;
	}
	w->conn = c;
	w->state = state;
	if (g->tail)
		g->tail->next = w;
	else
		g->head = w;
	g->tail = w;
	*state = STATE_WAITING;
	/* under the lock: a leaver cannot resume it before it is suspended */
	MHD_suspend_connection(c);
	rc = HASH_GATE_WAIT;
out:
	pthread_mutex_unlock(&g->lock);
	return rc;
}

static struct waiter *pop(struct hash_gate *g)
{
	struct waiter *w = g->head;

	if (w) {
		g->head = w->next;
		if (!g->head)
			g->tail = NULL;
	}
	return w;
}

void hash_gate_leave(struct hash_gate *g)
{
	struct waiter *w;

	pthread_mutex_lock(&g->lock);
	w = pop(g);
	if (w) {
		*w->state = STATE_GRANTED;
		MHD_resume_connection(w->conn);
		free(w);
	} else {
		g->free_permits++;
	}
	pthread_mutex_unlock(&g->lock);
}

void hash_gate_return_unused(struct hash_gate *g, int *state)
{
	bool granted;

	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	granted = *state == STATE_GRANTED;
	if (granted)
		*state = STATE_NONE;
	pthread_mutex_unlock(&g->lock);
	if (granted)
		hash_gate_leave(g);
}

bool hash_gate_waiting(int state)
{
	return state == STATE_WAITING;
}

void hash_gate_close(struct hash_gate *g)
{
	struct waiter *w;

	pthread_mutex_lock(&g->lock);
	g->closed = true;
	for (w = pop(g); w; w = pop(g)) {
		*w->state = STATE_CLOSED;
		MHD_resume_connection(w->conn);
		free(w);
	}
	pthread_mutex_unlock(&g->lock);
}

void hash_gate_free(struct hash_gate **gp)
{
	struct hash_gate *g = *gp;
	struct waiter *w;

	if (!g)
		return;
	for (w = pop(g); w; w = pop(g))
		free(w);
	pthread_mutex_destroy(&g->lock);
	free(g);
	*gp = NULL;
}
