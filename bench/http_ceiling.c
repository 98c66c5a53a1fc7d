/* http_ceiling: the bare libmicrohttpd responder bench/run measures auth
 * against. Every request gets 200 and the same 50-byte body, served in the
 * threading mode auth uses (an internal epoll thread pool of N threads), so the
 * figure is what this machine's HTTP stack can do before any application work.
 *
 *   http_ceiling LISTEN THREADS     e.g. http_ceiling 127.0.0.1:0 4
 *
 * Logs "listening addr=HOST:PORT" like the services, serves until SIGTERM/SIGINT. */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "listen_socket.h"
#include "logger.h"
#include "stop_signals.h"
#include "str.h"

static const char body[] = "ok: the bare responder of bench/run, 50 bytes long";

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	(void)cls, (void)url, (void)method, (void)version, (void)upload_data;
	if (!*req_cls) { /* first call: headers only */
		*req_cls = c;
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0; /* a body is read and dropped */
		return MHD_YES;
	}
	r = MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/plain");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

int main(int argc, char **argv)
{
	struct MHD_Daemon *d;
	sigset_t set;
	long long threads;
	char host[256];
	int fd, port;

	_Static_assert(sizeof(body) - 1 == 50, "the body is 50 bytes");
	if (argc != 3 || text_parse_ll(argv[2], 1, 64, &threads) != 0) {
		fprintf(stderr, "usage: http_ceiling LISTEN THREADS\n");
		return 2;
	}
	logger_init("http_ceiling", LOGGER_INFO);
	stop_signals_block(&set);
	fd = listen_socket_open(argv[1], host, sizeof(host), &port);
	if (fd < 0)
		return 1;
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC, 0, NULL,
	                     NULL, on_request, NULL, MHD_OPTION_LISTEN_SOCKET, fd,
	                     MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)threads,
	                     MHD_OPTION_CONNECTION_TIMEOUT, 15u, MHD_OPTION_END);
	if (!d) {
		LOG_ERROR("http", "cannot start the HTTP daemon");
		close(fd);
		return 1;
	}
	LOG_INFO("http", "listening addr=%s:%d", host, port);
	stop_signals_wait(&set, -1);
	MHD_stop_daemon(d);
	close(fd);
	return 0;
}
