/* The MIME builder on whatever a valid job can carry: the input is a job;
 * the message must keep CRLF line ends and 998-byte lines. */
#include <stdlib.h>
#include <string.h>

#include "mime.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct mail_job job;
	struct mail_job_error err;
	struct email_address from;
	const char *why;
	struct mime_parts parts;
	struct buf out;

	if (mail_job_parse((const char *)data, size, &job, &err) != 0)
		return 0;
	email_address_parse("Fuzz <fuzz@example.com>", 23, true, &from, &why);
	parts.text = job.text;
	parts.html = job.html;
	buf_init(&out, MIME_MAX_BYTES);
	if (mime_build(&job, &from, &parts, 1732400000, &out) == 0) {
		const char *m = buf_cstr(&out), *line = m;

		for (const char *p = m; (p = strchr(p, '\n')); line = ++p)
			if (p == m || p[-1] != '\r' || p - line > 1000)
				abort();
	}
	buf_release(&out);
	mail_job_release(&job);
	return 0;
}
