#include "conn_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "logger.h"
#include "now.h"

#define SWEEP_MS 100 /* how late a late request may be closed */

struct entry {
	struct conn_guard *guard;
	struct entry *prev, *next; /* oldest first */
	int fd;
	int64_t started_ms;
	bool arrived; /* in the handler: never closed by the guard */
	bool closing; /* shut down, not closed by MHD yet */
	bool exempt;  /* a trusted proxy: no per-address limit */
	unsigned char addr[16];
	size_t addr_len;
};

struct conn_guard {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t sweeper;
	bool stopping;
	int64_t timeout_ms;
	long long soft_cap;
	long long per_address;
	const struct proxy_trust *exempt;
	long long live; /* entries not closing */
	struct metrics *metrics;
	struct entry *head, *tail;
};

static void shut(struct conn_guard *g, struct entry *e, const char *reason)
{
	/* counted first: whoever sees the connection close finds it counted */
	metrics_add(g->metrics, "auth_connections_closed_total", reason, 1);
	shutdown(e->fd, SHUT_RDWR);
	e->closing = true;
	g->live--;
}

static void *sweep(void *arg)
{
	struct conn_guard *g = arg;
	struct timespec until;

	pthread_mutex_lock(&g->lock);
	while (!g->stopping) {
		int64_t now = now_mono_ms();

		for (struct entry *e = g->head; e; e = e->next) {
			if (!e->arrived && !e->closing && now - e->started_ms > g->timeout_ms) {
				shut(g, e, "reason=\"late\"");
			}
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += SWEEP_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&g->wake, &g->lock, &until);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

struct conn_guard *conn_guard_new(const struct conn_guard_limits *limits, struct metrics *metrics)
{
	struct conn_guard *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->wake, NULL);
	g->timeout_ms = limits->request_timeout_ms;
	g->metrics = metrics;
	g->soft_cap = limits->max_connections - limits->max_connections / 10;
	g->per_address = limits->per_address;
	g->exempt = limits->exempt;
	if (pthread_create(&g->sweeper, NULL, sweep, g) != 0) {
		pthread_cond_destroy(&g->wake);
		pthread_mutex_destroy(&g->lock);
		free(g);
		return NULL;
	}
	return g;
}

void conn_guard_free(struct conn_guard **gp)
{
	struct conn_guard *g = *gp;

	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->stopping = true;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->sweeper, NULL);
	while (g->head) {
		struct entry *e = g->head;

		g->head = e->next;
		free(e);
	}
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->lock);
	free(g);
	*gp = NULL;
}

static bool same_addr(const struct entry *a, const struct entry *b)
{
	return a->addr_len == b->addr_len && memcmp(a->addr, b->addr, a->addr_len) == 0;
}

/* Near the cap, who goes: the newcomer itself when its address already holds
 * as many connections as any other (an address cannot grow past the others
 * by reconnecting), else the oldest connection still arriving from the
 * address that holds the most. NULL when every such connection's request has
 * arrived. O(n) with a scratch table, run only near the cap. */
static struct entry *victim(struct conn_guard *g, struct entry *newcomer)
{
	size_t slots = (size_t)g->live * 2 + 1, best_n = 0, newcomer_n = 0;
	struct slot {
		struct entry *first; /* its oldest live, arriving connection */
		size_t n;
	} *table = calloc(slots, sizeof(*table));
	struct entry *best = NULL;

	if (!table)
		return newcomer;
	for (struct entry *e = g->head; e; e = e->next) {
		size_t h = 5381;

		if (e->closing)
			continue;
		for (size_t i = 0; i < e->addr_len; i++)
			h = h * 33 + e->addr[i];
		for (h %= slots; table[h].n && !same_addr(table[h].first, e); h = (h + 1) % slots)
			;
		if (!table[h].n)
			table[h].first = e;
		table[h].n++;
		if (table[h].first->arrived && !e->arrived)
			table[h].first = e; /* the oldest one that may go */
		if (same_addr(e, newcomer))
			newcomer_n = table[h].n;
		if (!table[h].first->arrived && table[h].n > best_n) {
			best_n = table[h].n;
			best = table[h].first;
		}
	}
	free(table);
	return newcomer_n >= best_n ? newcomer : best;
}

/* Live connections of e's address, e included. */
static long long address_count(const struct conn_guard *g, const struct entry *e)
{
	long long n = 0;

	for (const struct entry *o = g->head; o; o = o->next)
		n += !o->closing && same_addr(o, e);
	return n;
}

/* The per-address limit, then the cap. Under the lock. */
static void admit(struct conn_guard *g, struct entry *e)
{
	struct entry *out;

	if (g->per_address && !e->exempt && address_count(g, e) > g->per_address) {
		shut(g, e, "reason=\"per_address\"");
		return;
	}
	if (g->live <= g->soft_cap)
		return;
	out = victim(g, e);
	if (out)
		shut(g, out, out == e ? "reason=\"refused\"" : "reason=\"evicted\"");
}

static void started(struct conn_guard *g, struct MHD_Connection *c, void **socket_context)
{
	const union MHD_ConnectionInfo *fd =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	const union MHD_ConnectionInfo *addr =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct entry *e = calloc(1, sizeof(*e));
	char text[PROXY_ADDR_TEXT];

	if (!e || !fd)
		goto fail;
	e->guard = g;
	e->fd = fd->connect_fd;
	e->started_ms = now_mono_ms();
	if (addr && addr->client_addr->sa_family == AF_INET) {
		e->addr_len = 4;
		memcpy(e->addr, &((const struct sockaddr_in *)addr->client_addr)->sin_addr, 4);
	} else if (addr && addr->client_addr->sa_family == AF_INET6) {
		e->addr_len = 16;
		memcpy(e->addr, &((const struct sockaddr_in6 *)addr->client_addr)->sin6_addr, 16);
	}
	if (e->addr_len && g->exempt->n &&
	    inet_ntop(e->addr_len == 4 ? AF_INET : AF_INET6, e->addr, text, sizeof(text)))
		e->exempt = proxy_trust_has(g->exempt, text);
	pthread_mutex_lock(&g->lock);
	e->prev = g->tail;
	if (g->tail)
		g->tail->next = e;
	else
		g->head = e;
	g->tail = e;
	g->live++;
	admit(g, e);
	pthread_mutex_unlock(&g->lock);
	*socket_context = e;
	return;
fail:
	free(e);
	*socket_context = NULL;
}

static void closed(struct entry *e)
{
	struct conn_guard *g = e->guard;

	pthread_mutex_lock(&g->lock);
	if (e->prev)
		e->prev->next = e->next;
	else
		g->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		g->tail = e->prev;
	if (!e->closing)
		g->live--;
	pthread_mutex_unlock(&g->lock);
	free(e);
}

void conn_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                       enum MHD_ConnectionNotificationCode code)
{
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		started(cls, c, socket_context);
	else if (*socket_context) {
		closed(*socket_context);
		*socket_context = NULL;
	}
}

static struct entry *entry_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *info =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info ? info->socket_context : NULL;
}

void conn_guard_arrived(struct MHD_Connection *c)
{
	struct entry *e = entry_of(c);

	if (!e)
		return;
	pthread_mutex_lock(&e->guard->lock);
	e->arrived = true;
	pthread_mutex_unlock(&e->guard->lock);
}

void conn_guard_next(struct MHD_Connection *c)
{
	struct entry *e = entry_of(c);

	if (!e)
		return;
	pthread_mutex_lock(&e->guard->lock);
	e->arrived = false;
	e->started_ms = now_mono_ms();
	pthread_mutex_unlock(&e->guard->lock);
}
