#include "queue_keys.h"

#include <stdio.h>
#include <string.h>

static int key_char_ok(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == ':' || c == '-';
}

static int key_format(char *out, size_t n, const char *prefix, const char *name, const char *arg)
{
	int w = arg ? snprintf(out, n, "%s:%s:%s", prefix, name, arg)
	            : snprintf(out, n, "%s:%s", prefix, name);

	return (w < 0 || (size_t)w >= n) ? -1 : 0;
}

int queue_keys_init(struct queue_keys *keys, const char *prefix)
{
	size_t len = strlen(prefix);

	if (len == 0 || len > QUEUE_PREFIX_MAX)
		return -1;
	for (size_t i = 0; i < len; i++)
		if (!key_char_ok(prefix[i]))
			return -1;
	memcpy(keys->prefix, prefix, len + 1);
	key_format(keys->queue, sizeof(keys->queue), prefix, "queue", NULL);
	key_format(keys->retry, sizeof(keys->retry), prefix, "retry", NULL);
	key_format(keys->dead, sizeof(keys->dead), prefix, "dead", NULL);
	key_format(keys->workers, sizeof(keys->workers), prefix, "workers", NULL);
	key_format(keys->stats, sizeof(keys->stats), prefix, "stats", NULL);
	return 0;
}

int queue_keys_processing(const struct queue_keys *keys, const char *worker, char *out, size_t n)
{
	return key_format(out, n, keys->prefix, "processing", worker);
}

int queue_keys_heartbeat(const struct queue_keys *keys, const char *worker, char *out, size_t n)
{
	return key_format(out, n, keys->prefix, "worker", worker);
}

int queue_keys_sent(const struct queue_keys *keys, const char *job_id, char *out, size_t n)
{
	return key_format(out, n, keys->prefix, "sent", job_id);
}

int queue_keys_claim(const struct queue_keys *keys, const char *job_id, char *out, size_t n)
{
	return key_format(out, n, keys->prefix, "claim", job_id);
}

size_t queue_keys_mailer_len(const char *worker)
{
	const char *dash = strrchr(worker, '-');

	if (dash && dash[1] && strspn(dash + 1, "0123456789") == strlen(dash + 1))
		return (size_t)(dash - worker);
	return strlen(worker);
}
