#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

static const char *config_getenv_real(const char *name)
{
	return getenv(name);
}

const char *(*config_getenv_fn)(const char *name) = config_getenv_real;

static void *field_at(void *target, size_t offset)
{
	return (char *)target + offset;
}

static int fail(struct config_error *err, const struct config_var *v, const char *reason)
{
	err->name = v->name;
	snprintf(err->reason, sizeof(err->reason), "%s", reason);
	return -1;
}

int config_split_listen(const char *listen, char *host, size_t host_len, int *port)
{
	const char *colon;
	size_t hlen;
	long long p;

	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');

		if (!close || close[1] != ':')
			return -1;
		hlen = (size_t)(close - listen - 1);
		listen++;
		colon = close + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon)
			return -1;
		hlen = (size_t)(colon - listen);
		if (memchr(listen, ':', hlen))
			return -1; /* a bare IPv6 address needs brackets */
	}
	if (hlen == 0 || hlen >= host_len)
		return -1;
	if (text_parse_ll(colon + 1, 0, 65535, &p) != 0 || colon[1] == '-')
		return -1;
	memcpy(host, listen, hlen);
	host[hlen] = '\0';
	*port = (int)p;
	return 0;
}

static int load_string(const struct config_var *v, const char *value, void *target,
                       struct config_error *err)
{
	size_t len = strlen(value);
	char **field = field_at(target, v->offset);
	char reason[160];

	if (v->min > 0 && len < (size_t)v->min) {
		snprintf(reason, sizeof(reason), "must be at least %lld bytes", v->min);
		return fail(err, v, reason);
	}
	if (v->max > 0 && len > (size_t)v->max) {
		snprintf(reason, sizeof(reason), "must be at most %lld bytes", v->max);
		return fail(err, v, reason);
	}
	if (v->type == CONFIG_LISTEN) {
		char host[256];
		int port;

		if (config_split_listen(value, host, sizeof(host), &port) != 0)
			return fail(err, v, "not an address:port (port 0 to 65535)");
	}
	*field = text_dup(value);
	if (!*field)
		return fail(err, v, "out of memory");
	return 0;
}

static int load_one(const struct config_var *v, const char *value, void *target,
                    struct config_error *err)
{
	char reason[160];

	switch (v->type) {
	case CONFIG_STRING:
	case CONFIG_LISTEN:
		return load_string(v, value, target, err);
	case CONFIG_INT:
		if (text_parse_ll(value, v->min, v->max, field_at(target, v->offset)) != 0) {
			snprintf(reason, sizeof(reason), "must be a whole number from %lld to %lld",
			         v->min, v->max);
			return fail(err, v, reason);
		}
		return 0;
	case CONFIG_BOOL:
		if (text_parse_bool(value, field_at(target, v->offset)) != 0)
			return fail(err, v, "must be one of 1/0/true/false/yes/no");
		return 0;
	}
	return fail(err, v, "unknown type");
}

int config_load(const struct config_var *table, size_t n, void *target, struct config_error *err)
{
	for (size_t i = 0; i < n; i++) {
		const struct config_var *v = &table[i];
		const char *value = config_getenv_fn(v->name);

		if (value && !*value)
			value = NULL; /* an empty variable counts as unset */
		if (!value)
			value = v->default_value;
		if (!value) {
			if (v->required) {
				fail(err, v, "required, but not set");
				goto fail;
			}
			continue;
		}
		if (load_one(v, value, target, err) != 0)
			goto fail;
	}
	return 0;
fail:
	config_release(table, n, target);
	return -1;
}

void config_release(const struct config_var *table, size_t n, void *target)
{
	for (size_t i = 0; i < n; i++) {
		if (table[i].type == CONFIG_STRING || table[i].type == CONFIG_LISTEN) {
			char **field = field_at(target, table[i].offset);

			free(*field);
			*field = NULL;
		}
	}
}

void config_print_help(const struct config_var *table, size_t n)
{
	printf("Environment variables:\n");
	for (size_t i = 0; i < n; i++) {
		const struct config_var *v = &table[i];

		printf("  %-22s %s", v->name, v->help ? v->help : "");
		if (v->required)
			printf(" (required)");
		else if (v->default_value && !v->secret)
			printf(" (default: %s)", v->default_value);
		printf("\n");
	}
}
