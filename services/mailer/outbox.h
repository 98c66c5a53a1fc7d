/* outbox: one .eml file per message in a directory (MAIL_OUTBOX_DIR), for
 * development. Written atomically: a temporary file, fsync, rename. */
#ifndef MAILER_OUTBOX_H
#define MAILER_OUTBOX_H

#include <stddef.h>

/* Writes message as <dir>/<job_id>.eml. Returns 0, or -1 with the reason in
 * why (a full disk is a transient failure: the job is retried). */
int outbox_write(const char *dir, const char *job_id, const char *message, size_t len, char *why,
                 size_t why_len);

#endif
