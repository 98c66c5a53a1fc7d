/* mailctl: the operator's tool for the mail queue. */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "logger.h"

static const struct ctl_command commands[] = {
	{ "stats", cmd_stats, "", "Queue, retry, dead and processing depths, counters, workers.",
	  false },
	{ "enqueue", cmd_enqueue,
	  "FILE | - | --to ADDR... --subject S (--text T | --html H | --template NAME "
	  "[--data JSON]) [--cc ADDR] [--bcc ADDR] [--from ADDR] [--id ID] [--deadline UNIX] "
	  "[--not-before UNIX]",
	  "Validates a job and pushes it onto the queue; prints its id.", false },
	{ "validate", cmd_validate, "FILE | -",
	  "Checks a job against the contract without Redis: 0 valid, 1 invalid (field: reason).",
	  true },
	{ "dead", cmd_dead,
	  "list [--limit N] [--json] | show ID | retry ID|--all | purge [--older-than 7d]",
	  "Reads dead letters, sends them back to the queue (attempts reset), or deletes them.",
	  false },
	{ "outbox", cmd_outbox,
	  "list [--limit N] [--dir DIR] | show [ID|latest] [--dir DIR] | link [ID|latest] "
	  "[--dir DIR]",
	  "Reads the development outbox (MAIL_OUTBOX_DIR, no Redis): its messages newest first, "
	  "one message's text part with its From, To, Subject and Date, or its links.",
	  true },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "Usage: mailctl COMMAND [ARGS]   (mailctl COMMAND --help for more)\n\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\nEnvironment: REDIS_URL (default redis://127.0.0.1:6379/0), "
	             "MAIL_QUEUE_PREFIX (default mail);\n"
	             "  outbox: MAIL_OUTBOX_DIR (the directory the mailer writes to), or --dir.\n"
	             "Exit status: 0 done, 1 nothing matched or invalid, 2 usage or connection "
	             "error.\n");
}

int main(int argc, char **argv)
{
	struct ctl ctl;
	int rc;

	logger_init("mailctl", LOGGER_WARN);
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CTL_USAGE : CTL_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("mailctl %s\n", MICROBLOG_VERSION);
		return CTL_OK;
	}
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		if (ctl_wants_help(&commands[i], argc - 1, argv + 1))
			return CTL_OK;
		if (!commands[i].local && (rc = ctl_init(&ctl)) != 0)
			return rc;
		if (commands[i].local)
			memset(&ctl, 0, sizeof(ctl));
		rc = commands[i].run(&ctl, argc - 1, argv + 1);
		ctl_release(&ctl);
		return rc;
	}
	fprintf(stderr, "mailctl: unknown command %s\n", argv[1]);
	usage(stderr);
	return CTL_USAGE;
}
