#include "logger.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define LOGGER_LINE_MAX 4096 /* one event; longer messages are cut with "…" */

static const char *logger_program = "app";
static enum logger_level logger_min = LOGGER_INFO;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

void logger_init(const char *program, enum logger_level min)
{
	const char *env = getenv("LOG_LEVEL");

	logger_program = program;
	logger_min = min;
	if (!env)
		return;
	for (int i = LOGGER_DEBUG; i <= LOGGER_ERROR; i++)
		if (strcasecmp(env, level_names[i]) == 0)
			logger_min = (enum logger_level)i;
}

/* Copies text into out, escaping what would break the one-line rule. */
static size_t escape_into(char *out, size_t cap, const char *text)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)text; *p && o + 4 < cap; p++) {
		if (*p == '\n' || *p == '\r' || *p == '\t') {
			out[o++] = '\\';
			out[o++] = *p == '\n' ? 'n' : *p == '\r' ? 'r' : 't';
		} else if (*p < 0x20 || *p == 0x7f) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		} else {
			out[o++] = (char)*p;
		}
	}
	return o;
}

void logger_emit(enum logger_level level, const char *component, const char *fmt, ...)
{
	int saved_errno = errno;
	char text[LOGGER_LINE_MAX], line[LOGGER_LINE_MAX + 256];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	size_t n;
	int head;

	if (level < logger_min)
		goto out;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	head = snprintf(line, sizeof(line),
	                "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s/%s: ", tm.tm_year + 1900,
	                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	                ts.tv_nsec / 1000000, level_names[level], logger_program, component);
	if (head < 0 || (size_t)head >= sizeof(line))
		goto out;
	n = (size_t)head + escape_into(line + head, sizeof(line) - (size_t)head - 1, text);
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0) {
		/* Nowhere left to report a failed log write. */
	}
out:
	errno = saved_errno;
}

const char *logger_redact(const char *secret, char *out, size_t out_len)
{
	size_t n;

	if (!out_len)
		return out;
	if (!secret || !*secret) {
		snprintf(out, out_len, "-");
		return out;
	}
	n = strlen(secret);
	snprintf(out, out_len, "%.*s…", (int)(n < 6 ? n : 6), secret);
	return out;
}
