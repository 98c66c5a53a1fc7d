#include "outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mail_job.h"

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* <dir>/<id><suffix> through <dir>/.<id><suffix>.tmp; final gets the name.
 * Returns 0, or -1 with errno set. */
static int write_one(const char *dir, const char *job_id, const char *suffix, const char *data,
                     size_t len, char *final)
{
	char tmp[OUTBOX_PATH_MAX + 8];
	int fd, saved;

	snprintf(tmp, sizeof(tmp), "%s/.%s%s.tmp", dir, job_id, suffix);
	snprintf(final, OUTBOX_PATH_MAX, "%s/%s%s", dir, job_id, suffix);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		saved = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) != 0 || rename(tmp, final) != 0) {
		saved = errno;
		goto fail;
	}
	return 0;
fail:
	unlink(tmp);
	errno = saved;
	return -1;
}

int outbox_write(const char *dir, const char *job_id, const struct outbox_message *m,
                 struct outbox_files *files, char *why, size_t why_len)
{
	if (!mail_job_id_valid(job_id)) {
		snprintf(why, why_len, "outbox: the job id is not a safe file name");
		return -1;
	}
	if (write_one(dir, job_id, ".txt", m->txt, m->txt_len, files->txt) != 0 ||
	    write_one(dir, job_id, ".eml", m->eml, m->eml_len, files->eml) != 0) {
		snprintf(why, why_len, "outbox: %s", strerror(errno));
		return -1;
	}
	return 0;
}
