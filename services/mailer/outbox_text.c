#include "outbox_text.h"

#include <string.h>

#include "mime.h"

static int put_list(struct buf *out, const char *name, const struct mail_job_list *l)
{
	int rc = l->n ? buf_appendf(out, "%s: ", name) : BUF_OK;

	for (size_t i = 0; i < l->n && rc == BUF_OK; i++)
		rc = buf_appendf(out, "%s%s", l->items[i], i + 1 < l->n ? ", " : "\n");
	return rc;
}

static int put_from(struct buf *out, const struct mail_job *job, const struct email_address *from)
{
	if (job->from)
		return buf_appendf(out, "From: %s\n", job->from);
	if (from->display[0])
		return buf_appendf(out, "From: %s <%s>\n", from->display, from->addr);
	return buf_appendf(out, "From: %s\n", from->addr);
}

/* The body with CRLF made LF, ending in one LF. */
static int put_body(struct buf *out, const char *text)
{
	int rc = BUF_OK;
	size_t len = strlen(text);

	for (size_t i = 0; i < len && rc == BUF_OK;) {
		size_t run = strcspn(text + i, "\r");

		rc = buf_append(out, text + i, run);
		i += run;
		if (i < len && rc == BUF_OK) {
			if (text[i + 1] != '\n')
				rc = buf_putc(out,
				              '\r'); /* a lone CR stays, mailctl shows it as \r */
			i++;
		}
	}
	if (rc == BUF_OK && (len == 0 || text[len - 1] != '\n'))
		rc = buf_putc(out, '\n');
	return rc;
}

int outbox_text_build(const struct mail_job *job, const struct email_address *from,
                      const char *text, int64_t date, struct buf *out)
{
	char when[64];
	int rc = put_from(out, job, from);

	if (rc == BUF_OK)
		rc = put_list(out, "To", &job->to);
	if (rc == BUF_OK)
		rc = put_list(out, "Cc", &job->cc);
	if (rc == BUF_OK)
		rc = buf_appendf(out, "Subject: %s\nDate: %s\n\n", job->subject,
		                 mime_date_text(date, when, sizeof(when)));
	if (rc != BUF_OK)
		return rc;
	if (!text)
		return buf_appendf(out, "(no text part: this message has only HTML, in %s.eml)\n",
		                   job->id);
	return put_body(out, text);
}
