/* The mail job parser and validator on arbitrary bytes; a valid job must
 * survive a serialise → parse round trip unchanged. */
#include <stdlib.h>
#include <string.h>

#include "mail_job.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct mail_job job, again;
	struct mail_job_error err;
	char *text, *text2;

	if (mail_job_parse((const char *)data, size, &job, &err) != 0)
		return 0;
	text = mail_job_serialise(&job);
	if (text) {
		if (mail_job_parse(text, strlen(text), &again, &err) != 0)
			abort(); /* what we write, we must read */
		text2 = mail_job_serialise(&again);
		if (!text2 || strcmp(text, text2) != 0)
			abort();
		free(text2);
		mail_job_release(&again);
	}
	free(text);
	mail_job_release(&job);
	return 0;
}
