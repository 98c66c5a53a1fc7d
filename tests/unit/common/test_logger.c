/* logger: one line per event, fields kept, control bytes escaped, levels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "logger.h"

static char captured[8192];

/* Runs fn with stderr sent to a temporary file, then reads what it wrote. */
static void capture(void (*fn)(void))
{
	char path[] = "/tmp/test-logger-XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	ssize_t n;

	dup2(fd, STDERR_FILENO);
	fn();
	dup2(saved, STDERR_FILENO);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, captured, sizeof(captured) - 1);
	captured[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
}

static void emit_lines(void)
{
	LOG_INFO("http", "listening addr=%s:%d", "127.0.0.1", 8080);
	LOG_WARN("deliver", "dead id=%s error=\"%s\"", "j1", "evil\r\nFAKE line\x01");
	LOG_DEBUG("x", "hidden at info");
}

int main(void)
{
	char hint[32];
	const char *second;

	unsetenv("LOG_LEVEL");
	logger_init("test", LOGGER_INFO);
	capture(emit_lines);
	CHECK(strstr(captured, " info test/http: listening addr=127.0.0.1:8080\n") != NULL);
	CHECK(captured[4] == '-' && captured[10] == 'T' && strstr(captured, "Z info") != NULL);
	second = strchr(captured, '\n');
	CHECK(second && strstr(second + 1, " warn test/deliver: dead id=j1 "
	                                   "error=\"evil\\r\\nFAKE line\\x01\"\n") != NULL);
	CHECK(strstr(captured, "hidden") == NULL);
	CHECK_INT(strlen(captured) - strlen(strrchr(captured, '\n')), strlen(captured) - 1);
	setenv("LOG_LEVEL", "debug", 1);
	logger_init("test", LOGGER_INFO);
	capture(emit_lines);
	CHECK(strstr(captured, "hidden at info") != NULL);
	CHECK_STR(logger_redact("eyJhbGciOiJIUzI1NiJ9.secret", hint, sizeof(hint)), "eyJhbG…");
	CHECK_STR(logger_redact("", hint, sizeof(hint)), "-");
	return check_summary();
}
