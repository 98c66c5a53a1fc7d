#include "status_http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listen_socket.h"
#include "logger.h"
#include "queue_depth.h"
#include "redis_link.h"

#define STATUS_PAGE_MAX (512 * 1024)

struct status_http {
	struct MHD_Daemon *daemon;
	int fd;
	struct metrics *metrics;
	const struct queue_keys *keys;
	pthread_mutex_t lock; /* the link is used by one request at a time */
	struct redis_link *link;
	struct relay_breaker *breaker;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             const char *body, size_t len)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static void update_depths(struct status_http *s)
{
	struct queue_depth depth;

	if (queue_depth_read(s->link, s->keys, &depth, NULL, NULL) != 0)
		depth = (struct queue_depth){ -1, -1, -1, -1, -1, -1 };
	metrics_set(s->metrics, "mailer_queue_depth", "", (double)depth.queue);
	metrics_set(s->metrics, "mailer_retry_depth", "", (double)depth.retry);
	metrics_set(s->metrics, "mailer_dead_depth", "", (double)depth.dead);
	metrics_set(s->metrics, "mailer_processing_depth", "", (double)depth.processing);
	metrics_set(s->metrics, "mail_relay_up", "", relay_breaker_is_up(s->breaker) ? 1.0 : 0.0);
}

static enum MHD_Result page_metrics(struct status_http *s, struct MHD_Connection *c)
{
	struct buf out;
	enum MHD_Result ret;

	pthread_mutex_lock(&s->lock);
	update_depths(s);
	pthread_mutex_unlock(&s->lock);
	buf_init(&out, STATUS_PAGE_MAX);
	metrics_render(s->metrics, &out);
	ret = reply(c, 200, "text/plain; version=0.0.4; charset=utf-8", buf_cstr(&out), out.len);
	buf_release(&out);
	return ret;
}

static enum MHD_Result page_healthz(struct status_http *s, struct MHD_Connection *c)
{
	static const char down[] = "{\"status\":\"unavailable\",\"redis\":\"failed\"}",
	                  relay_up[] = "{\"status\":\"ok\",\"relay\":\"up\"}",
	                  relay_down[] = "{\"status\":\"ok\",\"relay\":\"down\"}";
	const char *body;
	redisReply *r;
	bool ok;

	pthread_mutex_lock(&s->lock);
	r = redis_link_command(s->link, "PING");
	ok = r && r->type == REDIS_REPLY_STATUS;
	freeReplyObject(r);
	pthread_mutex_unlock(&s->lock);
	body = !ok ? down : relay_breaker_is_up(s->breaker) ? relay_up : relay_down;

	return reply(c, ok ? 200 : 503, "application/json", body, strlen(body));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
	static int marker;

	(void)version, (void)upload;
	if (!*req_cls) {
		*req_cls = &marker;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0; /* bodies are not read here */
		return MHD_YES;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply(c, 405, "text/plain", "405 Method Not Allowed\n", 23);
	if (strcmp(url, "/healthz") == 0)
		return page_healthz(cls, c);
	if (strcmp(url, "/metrics") == 0)
		return page_metrics(cls, c);
	return reply(c, 404, "text/plain", "404 Not Found\n", 14);
}

struct status_http *status_http_start(const char *listen, struct metrics *metrics,
                                      const struct redis_url *url, const struct queue_keys *keys,
                                      struct relay_breaker *breaker)
{
	struct status_http *s = calloc(1, sizeof(*s));
	char host[256];
	int port;

	if (!s)
		return NULL;
	s->metrics = metrics;
	s->keys = keys;
	s->breaker = breaker;
	pthread_mutex_init(&s->lock, NULL);
	s->link = redis_link_open(url, 1000, 2000);
	s->fd = listen_socket_open(listen, host, sizeof(host), &port);
	if (s->fd >= 0)
		s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0,
		                             NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET,
		                             s->fd, MHD_OPTION_CONNECTION_TIMEOUT,
		                             STATUS_CLIENT_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT,
		                             STATUS_CONNECTIONS_MAX, MHD_OPTION_END);
	if (!s->daemon) {
		if (s->fd >= 0)
			close(s->fd);
		redis_link_close(&s->link);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	LOG_INFO("http", "listening addr=%s:%d", host, port);
	return s;
}

void status_http_stop(struct status_http **sp)
{
	struct status_http *s = *sp;

	if (!s)
		return;
	MHD_stop_daemon(s->daemon);
	close(s->fd);
	redis_link_close(&s->link);
	pthread_mutex_destroy(&s->lock);
	free(s);
	*sp = NULL;
}
