#include "http_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "flash.h"
#include "listen_socket.h"
#include "logger.h"
#include "now.h"
#include "request.h"
#include "response.h"
#include "routes.h"
#include "session.h"
#include "str.h"

struct http_server {
	struct MHD_Daemon *daemon;
	int listen_fd;
};

const char *request_field(const struct request *rq, const char *name)
{
	const char *v = form_get(&rq->form, name);

	return v ? v : "";
}

void request_add_cookie(struct request *rq, const char *value)
{
	char *copy;

	if (rq->n_cookies >= REQUEST_MAX_COOKIES || !(copy = text_dup(value)))
		return;
	rq->cookies[rq->n_cookies++] = copy;
}

static void request_free(struct request *rq)
{
	buf_release(&rq->body);
	form_release(&rq->form);
	for (int i = 0; i < rq->n_cookies; i++)
		free(rq->cookies[i]);
	free(rq->flash_in);
	free(rq->path);
	free(rq);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)cls, (void)c, (void)toe;
	if (*req_cls)
		request_free(*req_cls);
	*req_cls = NULL;
}

static enum request_method parse_method(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return METHOD_GET;
	if (strcmp(m, "POST") == 0)
		return METHOD_POST;
	if (strcmp(m, "HEAD") == 0)
		return METHOD_HEAD;
	return METHOD_OTHER;
}

static struct request *request_new(struct app *app, struct MHD_Connection *c, const char *url,
                                   const char *method)
{
	struct request *rq = calloc(1, sizeof(*rq));
	const union MHD_ConnectionInfo *info;
	const char *length;
	long long declared;

	if (!rq || !(rq->path = text_dup(url))) {
		free(rq);
		return NULL;
	}
	rq->app = app;
	rq->conn = c;
	rq->method = parse_method(method);
	rq->route = "other";
	rq->started_ms = now_mono_ms();
	buf_init(&rq->body, REQUEST_BODY_MAX);
	length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	if (length && text_parse_ll(length, 0, (long long)1 << 62, &declared) == 0 &&
	    declared > REQUEST_BODY_MAX)
		rq->body_too_large = true;
	info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (info && info->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)info->client_addr)->sin_addr,
		          rq->client_ip, sizeof(rq->client_ip));
	else if (info && info->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)info->client_addr)->sin6_addr,
		          rq->client_ip, sizeof(rq->client_ip));
	return rq;
}

/* Session, flash, form and CSRF for the pages a visitor uses. Returns
 * MHD_YES with nothing queued to go on; otherwise the error was queued. */
static enum MHD_Result load_visitor_or_reply(struct request *rq, bool *done)
{
	*done = true;
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

static enum MHD_Result dispatch(struct request *rq)
{
	const char *rest = "";
	const struct route *route = routes_match(rq->path, &rest);
	unsigned method = rq->method == METHOD_HEAD ? METHOD_GET : rq->method;
	enum MHD_Result ret;
	bool done;

	if (!route)
		return response_error(rq, 404, "Not Found", "There is no page at this address.");
	rq->route = route->name;
	if (!(route->methods & method))
		return response_error(rq, 405, "Method Not Allowed",
		                      "This page cannot be used that way.");
	if (rq->body_too_large)
		return response_error(rq, 413, "Request Too Large",
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
	struct request *rq = *req_cls;

	(void)version;
	if (!rq) {
		rq = request_new(cls, c, url, method);
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
	return dispatch(rq);
}

struct http_server *http_server_start(struct app *app)
{
	struct http_server *s = calloc(1, sizeof(*s));
	const struct settings *cfg = &app->settings;
	char host[256];
	int port;

	if (!s)
		return NULL;
	s->listen_fd = listen_socket_open(cfg->listen, host, sizeof(host), &port);
	if (s->listen_fd < 0) {
		free(s);
		return NULL;
	}
	s->daemon = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC, 0, NULL, NULL,
	    on_request, app, MHD_OPTION_LISTEN_SOCKET, s->listen_fd, MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned int)cfg->threads, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)cfg->connection_timeout, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned int)cfg->per_ip_connections, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_END);
	if (!s->daemon) {
		LOG_ERROR("http", "cannot start the HTTP daemon");
		close(s->listen_fd);
		free(s);
		return NULL;
	}
	LOG_INFO("http", "listening addr=%s:%d", host, port);
	return s;
}

void http_server_stop(struct http_server **sp, int drain_ms)
{
	struct http_server *s = *sp;
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	int64_t deadline = now_mono_ms() + drain_ms;

	if (!s)
		return;
	MHD_quiesce_daemon(s->daemon);
	while (now_mono_ms() < deadline) {
		const union MHD_DaemonInfo *info =
		    MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

		if (!info || info->num_connections == 0)
			break;
		nanosleep(&pause, NULL); /* polling the in-flight count, bounded by drain_ms */
	}
	MHD_stop_daemon(s->daemon);
	close(s->listen_fd);
	free(s);
	*sp = NULL;
}
