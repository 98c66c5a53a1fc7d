/* mailctl validate FILE: checks a job against the contract without Redis —
 * what a producer runs in its own CI. */
#include <stdio.h>
#include <stdlib.h>

#include "ctl.h"
#include "mail_job.h"

int cmd_validate(struct ctl *ctl, int argc, char **argv)
{
	struct mail_job job;
	struct mail_job_error err;
	char reason[300];
	size_t len = 0;
	char *text;
	int rc;

	(void)ctl;
	if (argc != 2) {
		fprintf(stderr, "mailctl: validate needs one FILE (or - for stdin)\n");
		return CTL_USAGE;
	}
	/* one byte past the limit, so an oversize job is reported as such */
	text = ctl_read_input(argv[1], MAIL_JOB_MAX_BYTES * 4, &len);
	if (!text)
		return CTL_USAGE;
	rc = mail_job_parse(text, len, &job, &err);
	free(text);
	if (rc != 0) {
		printf("invalid: %s\n", mail_job_error_format(&err, reason, sizeof(reason)));
		return CTL_NOTHING;
	}
	printf("valid: %s\n", job.id);
	mail_job_release(&job);
	return CTL_OK;
}
