/* ctl: what every mailctl sub-command shares — its settings, the Redis link
 * (connected on first use), and the exit codes:
 *   0 done, 1 nothing matched (or the job is invalid), 2 usage or connection error.
 * Errors are printed once, to stderr, by the sub-command that meets them. */
#ifndef MAILCTL_CTL_H
#define MAILCTL_CTL_H

#include <stdbool.h>

#include "queue_keys.h"
#include "redis_link.h"

enum ctl_exit { CTL_OK = 0, CTL_NOTHING = 1, CTL_USAGE = 2 };

struct ctl {
	char *redis_url_text;
	char *prefix;
	struct redis_url redis_url;
	struct queue_keys keys;
	struct redis_link *link;
};

struct ctl_command {
	const char *name;
	int (*run)(struct ctl *ctl, int argc, char **argv);
	const char *usage; /* one line: arguments */
	const char *help;  /* one line: what it does */
	bool local;        /* needs no Redis (nor REDIS_URL) */
};

/* Reads REDIS_URL and MAIL_QUEUE_PREFIX. Returns 0, or CTL_USAGE after printing. */
int ctl_init(struct ctl *ctl);
void ctl_release(struct ctl *ctl);

/* Opens the link (it connects on first use). False when out of memory. */
bool ctl_link(struct ctl *ctl);

/* A command on the link; NULL after printing "mailctl: redis: …" to stderr. */
redisReply *ctl_command(struct ctl *ctl, const char *fmt, ...);
redisReply *ctl_eval(struct ctl *ctl, struct redis_script *script, int nkeys, const char **keys,
                     int nargs, const char **args);

/* True when argv[i] is --help or -h: prints the command's usage. */
bool ctl_wants_help(const struct ctl_command *cmd, int argc, char **argv);

/* The sub-commands. */
int cmd_stats(struct ctl *ctl, int argc, char **argv);
int cmd_enqueue(struct ctl *ctl, int argc, char **argv);
int cmd_validate(struct ctl *ctl, int argc, char **argv);
int cmd_dead(struct ctl *ctl, int argc, char **argv);
int cmd_outbox(struct ctl *ctl, int argc, char **argv);

/* Reads a whole file ("-": stdin) of at most max bytes. NULL after printing. */
char *ctl_read_input(const char *path, size_t max, size_t *len);

#endif
