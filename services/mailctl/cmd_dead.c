/* mailctl dead list|show|retry|purge: reading and repairing dead letters.
 * Entries are {"job", "error", "attempts", "failed_at"}, newest first. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "ctl_print.h"
#include "now.h"
#include "str.h"

#define DEAD_SCAN_MAX 100000 /* entries read by list/show at the most */

/* KEYS: dead, queue; ARGV: the entry exactly, the job to queue. Moves one
 * entry only if it is still there (another operator may have taken it). */
static struct redis_script move_script = {
	.source = "if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 then "
	          "redis.call('RPUSH', KEYS[2], ARGV[2]) return 1 end return 0",
};

/* KEYS: dead; ARGV: cutoff unix seconds (0 = everything) */
static struct redis_script purge_script = {
	.source = "local removed = 0 "
	          "for _, e in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do "
	          "  local ok, entry = pcall(cjson.decode, e) "
	          "  local at = ok and type(entry) == 'table' and tonumber(entry.failed_at) or 0 "
	          "  if tonumber(ARGV[1]) == 0 or at < tonumber(ARGV[1]) then "
	          "    redis.call('LREM', KEYS[1], 1, e) removed = removed + 1 "
	          "  end "
	          "end "
	          "return removed",
};

static const char *entry_id(json_t *entry)
{
	json_t *job = json_object_get(entry, "job");
	const char *id = json_string_value(json_object_get(job, "id"));

	return id ? id : "-";
}

static void print_line(json_t *entry)
{
	time_t at = (time_t)json_integer_value(json_object_get(entry, "failed_at"));
	char when[32], id[CTL_SAFE_MAX], error[CTL_SAFE_MAX];
	struct tm tm;

	gmtime_r(&at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("%s\t%s\tattempts=%lld\t%s\n", ctl_safe(entry_id(entry), id, sizeof(id)), when,
	       (long long)json_integer_value(json_object_get(entry, "attempts")),
	       ctl_safe(json_string_value(json_object_get(entry, "error")) ?: "?", error,
	                sizeof(error)));
}

/* Calls each(entry) for up to limit entries; returns how many, or -1. */
static long long for_each_entry(struct ctl *ctl, long long limit, const char *only_id,
                                void (*each)(json_t *entry, void *arg), void *arg)
{
	redisReply *r = ctl_command(ctl, "LRANGE %s 0 %lld", ctl->keys.dead,
	                            (limit > 0 ? limit : DEAD_SCAN_MAX) - 1);
	long long n = 0;

	if (!r)
		return -1;
	for (size_t i = 0; i < r->elements; i++) {
		json_t *entry = json_loadb(r->element[i]->str, r->element[i]->len, 0, NULL);

		if (entry && (!only_id || strcmp(entry_id(entry), only_id) == 0)) {
			each(entry, arg);
			n++;
		}
		json_decref(entry);
	}
	freeReplyObject(r);
	return n;
}

static void each_line(json_t *entry, void *arg)
{
	(void)arg;
	print_line(entry);
}

static void each_json(json_t *entry, void *arg)
{
	ctl_print_json(entry, (size_t) * (int *)arg);
}

static int dead_list(struct ctl *ctl, int argc, char **argv)
{
	long long limit = 20, n;
	int flags = JSON_COMPACT;
	bool as_json = false;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			as_json = true;
		else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc &&
		         text_parse_ll(argv[i + 1], 1, DEAD_SCAN_MAX, &limit) == 0)
			i++;
		else {
			fprintf(stderr, "mailctl: dead list [--limit N] [--json]\n");
			return CTL_USAGE;
		}
	}
	n = as_json ? for_each_entry(ctl, limit, NULL, each_json, &flags)
	            : for_each_entry(ctl, limit, NULL, each_line, NULL);
	return n < 0 ? CTL_USAGE : n == 0 ? CTL_NOTHING : CTL_OK;
}

static int dead_show(struct ctl *ctl, int argc, char **argv)
{
	int flags = JSON_INDENT(2);
	char id[CTL_SAFE_MAX];
	long long n;

	if (argc != 2) {
		fprintf(stderr, "mailctl: dead show ID\n");
		return CTL_USAGE;
	}
	n = for_each_entry(ctl, 0, argv[1], each_json, &flags);
	if (n == 0)
		fprintf(stderr, "mailctl: no dead letter with id %s\n",
		        ctl_safe(argv[1], id, sizeof(id)));
	return n < 0 ? CTL_USAGE : n == 0 ? CTL_NOTHING : CTL_OK;
}

static int report_count(redisReply *r, const char *what)
{
	long long n = r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;

	freeReplyObject(r);
	if (n < 0)
		return CTL_USAGE;
	printf("%s %lld\n", what, n);
	return n == 0 ? CTL_NOTHING : CTL_OK;
}

/* The job of a dead entry as it goes back to the queue: attempts reset. */
static char *requeued_job(json_t *entry)
{
	json_t *job = json_object_get(entry, "job");

	if (json_is_string(job))
		return text_dup(json_string_value(job));
	if (!json_is_object(job))
		return NULL;
	json_object_del(job, "attempts");
	json_object_del(job, "last_error");
	return json_dumps(job, JSON_COMPACT);
}

static int requeue(struct ctl *ctl, const redisReply *e, json_t *entry, long long *moved)
{
	const char *keys[] = { ctl->keys.dead, ctl->keys.queue };
	char *job = requeued_job(entry);
	const char *args[] = { e->str, job };
	redisReply *r;

	if (!job)
		return 0;
	r = ctl_eval(ctl, &move_script, 2, keys, 2, args);
	free(job);
	if (!r)
		return -1;
	*moved += r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
	freeReplyObject(r);
	return 0;
}

static int dead_retry(struct ctl *ctl, int argc, char **argv)
{
	bool all = argc == 2 && strcmp(argv[1], "--all") == 0;
	long long moved = 0;
	redisReply *r;
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "mailctl: dead retry ID|--all\n");
		return CTL_USAGE;
	}
	r = ctl_command(ctl, "LRANGE %s 0 -1", ctl->keys.dead);
	if (!r)
		return CTL_USAGE;
	for (size_t i = 0; i < r->elements && rc == 0; i++) {
		json_t *entry = json_loadb(r->element[i]->str, r->element[i]->len, 0, NULL);

		if (entry && (all || strcmp(entry_id(entry), argv[1]) == 0))
			rc = requeue(ctl, r->element[i], entry, &moved);
		json_decref(entry);
	}
	freeReplyObject(r);
	if (rc != 0)
		return CTL_USAGE;
	printf("requeued %lld\n", moved);
	return moved ? CTL_OK : CTL_NOTHING;
}

/* "7d", "12h", "30m", "45s" → seconds; -1 when malformed. */
static long long parse_duration(const char *text)
{
	static const struct {
		char unit;
		long long seconds;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 604800 } };
	size_t n = strlen(text);
	char number[32];
	long long value;

	if (n < 2 || n >= sizeof(number))
		return -1;
	memcpy(number, text, n - 1);
	number[n - 1] = '\0';
	if (text_parse_ll(number, 0, 1000000, &value) != 0)
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (units[i].unit == text[n - 1])
			return value * units[i].seconds;
	return -1;
}

static int dead_purge(struct ctl *ctl, int argc, char **argv)
{
	const char *keys[] = { ctl->keys.dead };
	char cutoff[32] = "0";
	const char *args[] = { cutoff };
	long long age;

	if (argc == 3 && strcmp(argv[1], "--older-than") == 0) {
		age = parse_duration(argv[2]);
		if (age < 0) {
			fprintf(stderr,
			        "mailctl: --older-than takes a duration like 7d, 12h, 30m\n");
			return CTL_USAGE;
		}
		snprintf(cutoff, sizeof(cutoff), "%lld", (long long)now_s() - age);
	} else if (argc != 1) {
		fprintf(stderr, "mailctl: dead purge [--older-than DURATION]\n");
		return CTL_USAGE;
	}
	return report_count(ctl_eval(ctl, &purge_script, 1, keys, 1, args), "purged");
}

int cmd_dead(struct ctl *ctl, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(struct ctl *, int, char **);
	} subs[] = { { "list", dead_list },
		     { "show", dead_show },
		     { "retry", dead_retry },
		     { "purge", dead_purge } };

	if (argc >= 2)
		for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
			if (strcmp(argv[1], subs[i].name) == 0)
				return subs[i].run(ctl, argc - 1, argv + 1);
	fprintf(stderr, "mailctl: dead list|show|retry|purge (try mailctl dead --help)\n");
	return CTL_USAGE;
}
