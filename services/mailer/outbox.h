/* outbox: each message as files in a directory (MAIL_OUTBOX_DIR), for
 * development: <id>.eml, the message exactly as SMTP would carry it, and
 * <id>.txt, its readable copy (outbox_text). Each is written atomically: a
 * temporary file, fsync, rename; the .txt first, so that once the .eml is
 * there both are. The id must pass mail_job_id_valid (no '/', so both names
 * stay inside the directory) or nothing is written. */
#ifndef MAILER_OUTBOX_H
#define MAILER_OUTBOX_H

#include <stddef.h>

#define OUTBOX_PATH_MAX 4400 /* the directory (at most 4000 bytes), '/', the id, a suffix */

struct outbox_message {
	const char *eml, *txt;
	size_t eml_len, txt_len;
};

/* The files written, for the log line. */
struct outbox_files {
	char eml[OUTBOX_PATH_MAX];
	char txt[OUTBOX_PATH_MAX];
};

/* Writes both files under dir. Returns 0 with *files filled, or -1 with the
 * reason in why (a full disk is a transient failure: the job is retried). */
int outbox_write(const char *dir, const char *job_id, const struct outbox_message *m,
                 struct outbox_files *files, char *why, size_t why_len);

#endif
