#include "ctl.h"
#include "ctl_print.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "file_read.h"

#define S(field) offsetof(struct ctl, field)

static const struct config_var ctl_settings[] = {
	{ "REDIS_URL", CONFIG_STRING, "redis://127.0.0.1:6379/0", false, true, 8, 1000,
	  S(redis_url_text), "" },
	{ "MAIL_QUEUE_PREFIX", CONFIG_STRING, "mail", false, false, 1, 64, S(prefix), "" },
};

int ctl_init(struct ctl *ctl)
{
	struct config_error err;
	const char *why;

	memset(ctl, 0, sizeof(*ctl));
	if (config_load(ctl_settings, 2, ctl, &err) != 0) {
		fprintf(stderr, "mailctl: %s: %s\n", err.name, err.reason);
		return CTL_USAGE;
	}
	if (redis_url_parse(ctl->redis_url_text, &ctl->redis_url, &why) != 0) {
		fprintf(stderr, "mailctl: REDIS_URL: %s\n", why);
		return CTL_USAGE;
	}
	if (queue_keys_init(&ctl->keys, ctl->prefix) != 0) {
		fprintf(stderr, "mailctl: MAIL_QUEUE_PREFIX: only A-Z a-z 0-9 _ . : - allowed\n");
		return CTL_USAGE;
	}
	return 0;
}

void ctl_release(struct ctl *ctl)
{
	redis_link_close(&ctl->link);
	config_release(ctl_settings, 2, ctl);
}

bool ctl_link(struct ctl *ctl)
{
	if (!ctl->link)
		ctl->link = redis_link_open(&ctl->redis_url, 2000, 5000);
	return ctl->link != NULL;
}

static redisReply *checked(struct ctl *ctl, redisReply *r)
{
	char where[300];

	if (!r)
		fprintf(stderr, "mailctl: redis at %s: %s\n",
		        redis_url_describe(&ctl->redis_url, where, sizeof(where)),
		        ctl->link ? redis_link_last_error(ctl->link) : "out of memory");
	else if (r->type == REDIS_REPLY_ERROR) {
		char safe[CTL_SAFE_MAX];

		fprintf(stderr, "mailctl: redis: %s\n", ctl_safe(r->str, safe, sizeof(safe)));
		freeReplyObject(r);
		r = NULL;
	}
	return r;
}

redisReply *ctl_command(struct ctl *ctl, const char *fmt, ...)
{
	redisReply *r = NULL;
	va_list ap;

	if (ctl_link(ctl)) {
		va_start(ap, fmt);
		r = redis_link_vcommand(ctl->link, fmt, ap);
		va_end(ap);
	}
	return checked(ctl, r);
}

redisReply *ctl_eval(struct ctl *ctl, struct redis_script *script, int nkeys, const char **keys,
                     int nargs, const char **args)
{
	if (!ctl_link(ctl))
		return checked(ctl, NULL);
	return checked(ctl, redis_link_eval(ctl->link, script, nkeys, keys, nargs, args));
}

bool ctl_wants_help(const struct ctl_command *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("Usage: mailctl %s %s\n\n%s\n", cmd->name, cmd->usage, cmd->help);
			return true;
		}
	}
	return false;
}

char *ctl_read_input(const char *path, size_t max, size_t *len)
{
	char *data;
	int rc = strcmp(path, "-") == 0 ? file_read_stream(stdin, max, &data, len)
	                                : file_read(path, max, &data, len);

	if (rc == FILE_READ_TOO_LARGE)
		fprintf(stderr, "mailctl: %s: larger than %zu bytes\n", path, max);
	else if (rc != FILE_READ_OK)
		fprintf(stderr, "mailctl: %s: %s\n", path, file_read_reason(rc));
	return data;
}
