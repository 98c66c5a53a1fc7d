#include "outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

int outbox_write(const char *dir, const char *job_id, const char *message, size_t len, char *why,
                 size_t why_len)
{
	char tmp[4400], final[4400];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s/.%s.eml.tmp", dir, job_id);
	snprintf(final, sizeof(final), "%s/%s.eml", dir, job_id);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	if (write_all(fd, message, len) != 0 || fsync(fd) != 0) {
		int saved = errno;

		close(fd);
		unlink(tmp);
		errno = saved;
		goto fail;
	}
	if (close(fd) != 0 || rename(tmp, final) != 0) {
		int saved = errno;

		unlink(tmp);
		errno = saved;
		goto fail;
	}
	return 0;
fail:
	snprintf(why, why_len, "outbox: %s", strerror(errno));
	return -1;
}
