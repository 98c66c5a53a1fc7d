/* mailctl validate FILE: checks a job against the contract without Redis —
 * what a producer runs in its own CI. */
#include <stdio.h>
#include <stdlib.h>

#include "ctl.h"
#include "ctl_print.h"
#include "mail_job.h"

int cmd_validate(struct ctl *ctl, int argc, char **argv)
{
	struct mail_job job;
	struct mail_job_error err;
	char reason[300], safe[CTL_SAFE_MAX];
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
		printf("invalid: %s\n",
		       ctl_safe(mail_job_error_format(&err, reason, sizeof(reason)), safe,
		                sizeof(safe)));
		return CTL_NOTHING;
	}
	printf("valid: %s\n", ctl_safe(job.id, safe, sizeof(safe)));
	mail_job_release(&job);
	return CTL_OK;
}
