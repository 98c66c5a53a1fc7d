/* outbox_text: the readable copy of an outbox message, <id>.txt beside
 * <id>.eml. A few headers as plain UTF-8 (From, To, Cc, Subject, Date), a
 * blank line, and the text part as rendered, before any transfer encoding:
 * nothing to decode, and the subject is the job's, not RFC 2047 words. Lines
 * end in LF. Values come from the job and are written as they are (mailctl
 * escapes what it prints). */
#ifndef MAILER_OUTBOX_TEXT_H
#define MAILER_OUTBOX_TEXT_H

#include <stdint.h>

#include "buf.h"
#include "email_address.h"
#include "mail_job.h"

/* Appends the readable copy to out. from: the mailer's default sender (the
 * job's own "from" wins); text: the rendered text part, or NULL when the
 * message has only HTML; date: the Date of the .eml, unix seconds. Returns
 * BUF_OK, or BUF_TOO_BIG / BUF_NOMEM. */
int outbox_text_build(const struct mail_job *job, const struct email_address *from,
                      const char *text, int64_t date, struct buf *out);

#endif
