/* mailctl enqueue: push a job from a file, stdin, or flags, validated first. */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "ctl_print.h"
#include "mail_job.h"
#include "str.h"

static int set_once(char **field, const char *value, const char *flag)
{
	if (*field) {
		fprintf(stderr, "mailctl: %s given twice\n", flag);
		return -1;
	}
	*field = text_dup(value);
	return *field ? 0 : -1;
}

static int parse_number(const char *text, const char *flag, long long *out)
{
	if (text_parse_ll(text, 1, 253402300799LL, out) != 0) {
		fprintf(stderr, "mailctl: %s needs unix seconds\n", flag);
		return -1;
	}
	return 0;
}

static int parse_data(struct mail_job *job, const char *text)
{
	json_error_t err;

	job->data = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(job->data)) {
		fprintf(stderr, "mailctl: --data needs a JSON object: %s\n", err.text);
		return -1;
	}
	return 0;
}

static int apply_option(struct mail_job *job, int opt, const char *arg)
{
	switch (opt) {
	case 't':
		return mail_job_list_add(&job->to, arg);
	case 'c':
		return mail_job_list_add(&job->cc, arg);
	case 'b':
		return mail_job_list_add(&job->bcc, arg);
	case 's':
		return set_once(&job->subject, arg, "--subject");
	case 'T':
		return set_once(&job->text, arg, "--text");
	case 'H':
		return set_once(&job->html, arg, "--html");
	case 'm':
		return set_once(&job->template_name, arg, "--template");
	case 'i':
		return set_once(&job->id, arg, "--id");
	case 'f':
		return set_once(&job->from, arg, "--from");
	case 'd':
		return parse_data(job, arg);
	case 'D':
		return parse_number(arg, "--deadline", &job->deadline);
	case 'n':
		return parse_number(arg, "--not-before", &job->not_before);
	default:
		return -1;
	}
}

static int job_from_flags(struct mail_job *job, int argc, char **argv)
{
	static const struct option options[] = {
		{ "to", required_argument, NULL, 't' },
		{ "cc", required_argument, NULL, 'c' },
		{ "bcc", required_argument, NULL, 'b' },
		{ "subject", required_argument, NULL, 's' },
		{ "text", required_argument, NULL, 'T' },
		{ "html", required_argument, NULL, 'H' },
		{ "template", required_argument, NULL, 'm' },
		{ "data", required_argument, NULL, 'd' },
		{ "id", required_argument, NULL, 'i' },
		{ "from", required_argument, NULL, 'f' },
		{ "deadline", required_argument, NULL, 'D' },
		{ "not-before", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	char id[64];
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1)
		if (apply_option(job, opt, optarg) != 0)
			return -1;
	if (optind < argc) {
		char safe[CTL_SAFE_MAX];

		fprintf(stderr, "mailctl: unexpected argument %s\n",
		        ctl_safe(argv[optind], safe, sizeof(safe)));
		return -1;
	}
	if (!job->id) {
		snprintf(id, sizeof(id), "mailctl-%lld-%08x", (long long)time(NULL),
		         randombytes_random());
		job->id = text_dup(id);
	}
	return 0;
}

static int job_from_file(struct mail_job *job, const char *path)
{
	struct mail_job_error err;
	size_t len = 0;
	char *text = ctl_read_input(path, MAIL_JOB_MAX_BYTES * 4, &len);
	int rc;

	if (!text)
		return -2;
	rc = mail_job_parse(text, len, job, &err);
	free(text);
	if (rc != 0)
		ctl_print_invalid(&err);
	return rc;
}

static int push(struct ctl *ctl, struct mail_job *job)
{
	char *text = mail_job_serialise(job);
	redisReply *r = text ? ctl_command(ctl, "LPUSH %s %s", ctl->keys.queue, text) : NULL;
	char safe[CTL_SAFE_MAX];

	free(text);
	if (!r)
		return CTL_USAGE;
	freeReplyObject(r);
	printf("%s\n", ctl_safe(job->id, safe, sizeof(safe)));
	return CTL_OK;
}

int cmd_enqueue(struct ctl *ctl, int argc, char **argv)
{
	struct mail_job job;
	struct mail_job_error err;
	int rc;

	bool from_file = argc == 2 && (strcmp(argv[1], "-") == 0 || argv[1][0] != '-');

	mail_job_init(&job);
	if (!from_file) {
		if (job_from_flags(&job, argc, argv) != 0) {
			rc = CTL_USAGE;
			goto out;
		}
	} else {
		rc = job_from_file(&job, argv[1]);
		if (rc != 0) {
			rc = rc == -2 ? CTL_USAGE : CTL_NOTHING;
			goto out;
		}
	}
	if (mail_job_validate(&job, &err) != 0) {
		ctl_print_invalid(&err);
		rc = CTL_NOTHING;
		goto out;
	}
	rc = push(ctl, &job);
out:
	mail_job_release(&job);
	return rc;
}
