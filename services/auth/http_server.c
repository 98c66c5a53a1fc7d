#include "http_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "conn_guard.h"
#include "flash.h"
#include "hash_gate.h"
#include "listen_socket.h"
#include "logger.h"
#include "now.h"
#include "request.h"
#include "response.h"
#include "routes.h"
#include "session.h"

#define METRICS_THREADS     1
#define METRICS_CONNECTIONS 64
#define FD_HEADROOM         64 /* descriptors beyond the connections: SQLite, Redis, logs */

/* One daemon and what its handler needs to know. */
struct listener {
	struct app *app;
	enum request_listener kind;
	struct MHD_Daemon *daemon;
	int fd;
};

struct http_server {
	struct listener pub, metrics;
	struct conn_guard *guard;
};

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct listener *l = cls;

	(void)toe;
	if (*req_cls)
		hash_gate_release_unused(l->app->hash_gate,
		                         &((struct request *)*req_cls)->hash_state);
	request_free(*req_cls);
	*req_cls = NULL;
	if (l->kind == LISTENER_PUBLIC)
		conn_guard_next(c);
}

/* Session, flash, form and CSRF for the pages a visitor uses, once per request
 * (a request resumed by the hash gate comes through here again). Returns
 * MHD_YES with nothing queued to go on; otherwise the error was queued. */
static enum MHD_Result load_visitor_or_reply(struct request *rq, bool *done)
{
	*done = true;
	if (rq->visitor_loaded) {
		*done = false;
		return MHD_YES;
	}
	rq->visitor_loaded = true;
	if (session_load(rq) != 0)
		return response_error(rq, 500, "Internal Server Error",
		                      "Something went wrong on our side. Please try again.");
	flash_load(rq);
	if (rq->method == METHOD_POST) {
		if (form_parse(buf_cstr(&rq->body), rq->body.len, &rq->form) != 0)
			return response_error(rq, 400, "Bad Request",
			                      "The form could not be read (malformed encoding).");
		if (!session_csrf_ok(rq))
			return response_error(rq, 400, "Bad Request",
			                      "The CSRF token is missing or invalid. Reload the "
			                      "page and try again.");
	}
	*done = false;
	return MHD_YES;
}

/* The Allow header of a route's 405 (HEAD is served as GET). */
static const char *allow_value(unsigned methods)
{
	if ((methods & METHOD_GET) && (methods & METHOD_POST))
		return "GET, HEAD, POST";
	return methods & METHOD_GET ? "GET, HEAD" : "POST";
}

/* An error page answered before the route's handler (404, 405, 413) shows
 * the visitor's real session in its nav: the session is loaded for it on the
 * public listener (not the flash, kept for the next real page, nor the form). */
static enum MHD_Result early_error(struct request *rq, unsigned status, const char *title,
                                   const char *message)
{
	if (rq->listener == LISTENER_PUBLIC && !rq->visitor_loaded) {
		if (!rq->worker)
			rq->worker = app_worker(rq->app);
		if (rq->worker && session_load(rq) != 0)
			rq->logged_in = false; /* the database failed: shown as logged out */
	}
	return response_error(rq, status, title, message);
}

static enum MHD_Result dispatch(struct request *rq)
{
	const char *rest = "";
	const struct route *route = routes_match(rq->path, rq->listener, &rest);
	unsigned method = rq->method == METHOD_HEAD ? METHOD_GET : rq->method;
	enum MHD_Result ret;
	bool done;

	if (!route)
		return early_error(rq, 404, "Not Found", "There is no page at this address.");
	rq->route = route->name;
	if (!(route->methods & method)) {
		rq->allow = allow_value(route->methods);
		return early_error(rq, 405, "Method Not Allowed",
		                   "This page cannot be used that way.");
	}
	if (rq->body_too_large)
		return early_error(rq, 413, "Request Too Large",
		                   "The form sent was larger than this site accepts.");
	rq->worker = app_worker(rq->app);
	if (!rq->worker)
		return response_error(rq, 500, "Internal Server Error",
		                      "Something went wrong on our side. Please try again.");
	if (route->visitor) {
		ret = load_visitor_or_reply(rq, &done);
		if (done)
			return ret;
	}
	return route->handler(rq, rest);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
	struct listener *l = cls;
	struct request *rq = *req_cls;

	(void)version;
	if (!rq) {
		rq = request_new(l->app, l->kind, c, url, method);
		*req_cls = rq;
		return rq ? MHD_YES : MHD_NO;
	}
	if (*upload_data_size) {
		if (!rq->body_too_large &&
		    buf_append(&rq->body, upload_data, *upload_data_size) != BUF_OK)
			rq->body_too_large = true; /* counted, not kept: answered 413 */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (l->kind == LISTENER_PUBLIC)
		conn_guard_arrived(c);
	return dispatch(rq);
}

/* Lets the process hold as many descriptors as the connection cap needs. */
static void raise_fd_limit(long long want)
{
	struct rlimit lim;

	if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= (rlim_t)want)
		return;
	lim.rlim_cur = lim.rlim_max == RLIM_INFINITY || lim.rlim_max > (rlim_t)want ? (rlim_t)want
	                                                                            : lim.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur < (rlim_t)want)
		LOG_WARN("http",
		         "open-file limit below what AUTH_MAX_CONNECTIONS needs limit=%llu "
		         "want=%lld",
		         (unsigned long long)lim.rlim_cur, want);
}

static int start_public(struct http_server *s, struct app *app, char *host, size_t host_len,
                        int *port)
{
	const struct settings *cfg = &app->settings;
	/* MHD's per-IP limit checks before accepting, but cannot exempt anyone:
	 * behind trusted proxies the guard counts instead, sparing the proxies */
	unsigned int mhd_per_ip = app->proxies.n ? 0 : (unsigned int)cfg->per_ip_connections;
	struct conn_guard_limits limits;

	s->pub.fd = listen_socket_open(cfg->listen, host, host_len, port);
	if (s->pub.fd < 0)
		return -1;
	raise_fd_limit(cfg->max_connections + METRICS_CONNECTIONS + FD_HEADROOM);
	limits =
	    (struct conn_guard_limits){ .request_timeout_ms = cfg->request_timeout * 1000,
		                        .max_connections = cfg->max_connections,
		                        .per_address = mhd_per_ip ? 0 : cfg->per_ip_connections,
		                        .exempt = &app->proxies };
	s->guard = conn_guard_new(&limits, app->metrics);
	if (!s->guard)
		return -1;
	/* poll, not epoll: with an epoll thread pool, MHD 0.9.75's quiesce and the
	 * workers both take the listen socket out of their epoll sets, and the
	 * loser panics ("Failed to remove listen FD from epoll set", an abort at
	 * SIGTERM, seen twice in the suite) */
	s->pub.daemon = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_ALLOW_SUSPEND_RESUME, 0, NULL,
	    NULL, on_request, &s->pub, MHD_OPTION_LISTEN_SOCKET, s->pub.fd,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)cfg->threads, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)cfg->connection_timeout, MHD_OPTION_PER_IP_CONNECTION_LIMIT, mhd_per_ip,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->max_connections,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, &s->pub, MHD_OPTION_NOTIFY_CONNECTION,
	    conn_guard_notify, s->guard, MHD_OPTION_END);
	return s->pub.daemon ? 0 : -1;
}

static int start_metrics(struct http_server *s, struct app *app, char *host, size_t host_len,
                         int *port)
{
	const struct settings *cfg = &app->settings;

	s->metrics.fd = listen_socket_open(cfg->metrics_listen, host, host_len, port);
	if (s->metrics.fd < 0)
		return -1;
	s->metrics.daemon = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC, 0, NULL, NULL, on_request,
	    &s->metrics, MHD_OPTION_LISTEN_SOCKET, s->metrics.fd, MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned int)METRICS_THREADS, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)cfg->connection_timeout, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned int)METRICS_CONNECTIONS, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
	    &s->metrics, MHD_OPTION_END);
	return s->metrics.daemon ? 0 : -1;
}

static void listener_stop(struct listener *l)
{
	if (l->daemon)
		MHD_stop_daemon(l->daemon);
	if (l->fd >= 0)
		close(l->fd);
	l->daemon = NULL;
	l->fd = -1;
}

static void server_free(struct http_server *s)
{
	listener_stop(&s->metrics);
	listener_stop(&s->pub);
	conn_guard_free(&s->guard);
	free(s);
}

struct http_server *http_server_start(struct app *app)
{
	struct http_server *s = calloc(1, sizeof(*s));
	char host[256], mhost[256];
	int port, mport;

	if (!s)
		return NULL;
	s->pub = (struct listener){ .app = app, .kind = LISTENER_PUBLIC, .fd = -1 };
	s->metrics = (struct listener){ .app = app, .kind = LISTENER_METRICS, .fd = -1 };
	if (start_public(s, app, host, sizeof(host), &port) != 0) {
		LOG_ERROR("http", "cannot start the public HTTP daemon");
		server_free(s);
		return NULL;
	}
	if (start_metrics(s, app, mhost, sizeof(mhost), &mport) != 0) {
		LOG_ERROR("http", "cannot start the metrics HTTP daemon");
		server_free(s);
		return NULL;
	}
	/* "listening" last: it is the line that says auth is ready */
	LOG_INFO("http", "metrics listener metrics_addr=%s:%d", mhost, mport);
	LOG_INFO("http", "listening addr=%s:%d", host, port);
	return s;
}

static unsigned connections(struct listener *l)
{
	const union MHD_DaemonInfo *info =
	    MHD_get_daemon_info(l->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

	return info ? info->num_connections : 0;
}

void http_server_stop(struct http_server **sp, int drain_ms)
{
	struct http_server *s = *sp;
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	int64_t deadline = now_mono_ms() + drain_ms;

	if (!s)
		return;
	MHD_quiesce_daemon(s->pub.daemon);
	MHD_quiesce_daemon(s->metrics.daemon);
	while (now_mono_ms() < deadline && connections(&s->pub) > 0)
		nanosleep(&pause, NULL); /* polling the in-flight count, bounded by drain_ms */
	/* whoever still waits for the hash gate is answered 503, not left suspended */
	hash_gate_close(s->pub.app->hash_gate);
	server_free(s);
	*sp = NULL;
}
