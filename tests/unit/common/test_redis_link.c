/* redis_link against a real redis-server that this test starts, restarts and
 * stops itself (free port from bind(0), readiness by polling PING). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "redis_link.h"

static pid_t server_pid;
static int server_port;

static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static bool server_answers(void)
{
	redisContext *c = redisConnect("127.0.0.1", server_port);
	redisReply *r = c && !c->err ? redisCommand(c, "PING") : NULL;
	bool ok = r && r->type == REDIS_REPLY_STATUS;

	freeReplyObject(r);
	if (c)
		redisFree(c);
	return ok;
}

static void server_start(const char *password)
{
	char port[16];
	struct timespec pause = { 0, 20 * 1000 * 1000 };

	snprintf(port, sizeof(port), "%d", server_port);
	server_pid = fork();
	if (server_pid == 0) {
		const char *argv[] = { "redis-server", "--port",        port,     "--bind",
			               "127.0.0.1",    "--save",        "",       "--appendonly",
			               "no",           "--requirepass", password, NULL };

		if (!password[0])
			argv[9] = NULL;
		freopen("/dev/null", "w", stdout);
		execvp("redis-server", (char **)argv);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {
		redisContext *c = redisConnect("127.0.0.1", server_port);

		if (c && !c->err) {
			redisFree(c);
			return;
		}
		if (c)
			redisFree(c);
		nanosleep(&pause, NULL); /* polling for the port: bounded, 10 s at most */
	}
	fprintf(stderr, "redis-server did not start\n");
}

static void server_stop(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
	}
	server_pid = 0;
}

static struct redis_link *open_link(const char *url_text)
{
	struct redis_url url;
	const char *why;

	if (redis_url_parse(url_text, &url, &why) != 0)
		return NULL;
	return redis_link_open(&url, 500, 2000);
}

static void test_basic_and_eval(void)
{
	char url[128];
	struct redis_link *link;
	redisReply *r;
	struct redis_script script = { .source = "return redis.call('INCRBY', KEYS[1], ARGV[1])" };
	const char *keys[] = { "counter" }, *args[] = { "5" };

	snprintf(url, sizeof(url), "redis://127.0.0.1:%d/2", server_port);
	link = open_link(url);
	CHECK(link != NULL);
	r = redis_link_command(link, "SET %s %b", "k", "v\0w", (size_t)3);
	CHECK(r && r->type == REDIS_REPLY_STATUS);
	freeReplyObject(r);
	r = redis_link_command(link, "GET %s", "k");
	CHECK(r && r->type == REDIS_REPLY_STRING && r->len == 3 && memcmp(r->str, "v\0w", 3) == 0);
	freeReplyObject(r);
	r = redis_link_command(link, "INCR %s", "k"); /* error reply, link stays up */
	CHECK(r && r->type == REDIS_REPLY_ERROR);
	freeReplyObject(r);
	CHECK(redis_link_up(link));
	r = redis_link_eval(link, &script, 1, keys, 1, args);
	CHECK(r && r->type == REDIS_REPLY_INTEGER && r->integer == 5);
	freeReplyObject(r);
	CHECK(script.sha[0] != '\0');
	freeReplyObject(redis_link_command(link, "SCRIPT FLUSH"));
	r = redis_link_eval(link, &script, 1, keys, 1, args); /* NOSCRIPT → EVAL */
	CHECK(r && r->type == REDIS_REPLY_INTEGER && r->integer == 10);
	freeReplyObject(r);
	/* db 2 was selected: db 0 has no key */
	{
		redisContext *c = redisConnect("127.0.0.1", server_port);

		r = redisCommand(c, "EXISTS counter");
		CHECK(r && r->integer == 0);
		freeReplyObject(r);
		redisFree(c);
	}
	r = redis_link_command(link, "BLMOVE %s %s RIGHT LEFT %s", "empty", "dst", "0.3");
	CHECK(r && r->type == REDIS_REPLY_NIL); /* block timeout below the command timeout */
	freeReplyObject(r);
	redis_link_close(&link);
	CHECK(link == NULL);
}

static void test_restart_and_down(void)
{
	char url[128];
	struct redis_link *link;
	redisReply *r;
	bool recovered = false;

	snprintf(url, sizeof(url), "redis://127.0.0.1:%d", server_port);
	link = open_link(url);
	r = redis_link_command(link, "PING");
	CHECK(r != NULL);
	freeReplyObject(r);
	server_stop();
	r = redis_link_command(link, "PING");
	CHECK(r == NULL);
	CHECK(!redis_link_up(link));
	CHECK(strlen(redis_link_last_error(link)) > 0);
	r = redis_link_command(link, "PING"); /* still down: a clean failure, no crash */
	CHECK(r == NULL);
	CHECK(strstr(redis_link_last_error(link), "connect failed") != NULL);
	server_start("");
	for (int i = 0; i < 3 && !recovered; i++) {
		r = redis_link_command(link, "PING");
		recovered = r && r->type == REDIS_REPLY_STATUS;
		freeReplyObject(r);
	}
	CHECK(recovered);
	redis_link_close(&link);
}

static void test_auth(void)
{
	char url[160];
	struct redis_link *link;
	redisReply *r;

	server_stop();
	server_start("pa ss");
	snprintf(url, sizeof(url), "redis://:pa%%20ss@127.0.0.1:%d/1", server_port);
	link = open_link(url);
	r = redis_link_command(link, "PING");
	CHECK(r && r->type == REDIS_REPLY_STATUS);
	freeReplyObject(r);
	redis_link_close(&link);
	snprintf(url, sizeof(url), "redis://:wrong@127.0.0.1:%d", server_port);
	link = open_link(url);
	r = redis_link_command(link, "PING");
	CHECK(r == NULL);
	CHECK(strstr(redis_link_last_error(link), "handshake failed") != NULL);
	redis_link_close(&link);
}

int main(void)
{
	server_port = free_port();
	server_start("");
	if (!server_answers()) {
		server_stop();
		fprintf(stderr, "no redis-server\n");
		return 1;
	}
	test_basic_and_eval();
	test_restart_and_down();
	test_auth();
	server_stop();
	return check_summary();
}
