#include "file_read.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int file_read_stream(FILE *f, size_t max, char **out, size_t *len)
{
	char *data = malloc(max + 1);
	size_t n;

	*out = NULL;
	*len = 0;
	if (!data)
		return FILE_READ_NO_MEMORY;
	n = fread(data, 1, max + 1, f); /* one byte more tells a file too large */
	if (ferror(f)) {
		free(data);
		return FILE_READ_IO;
	}
	if (n > max) {
		free(data);
		return FILE_READ_TOO_LARGE;
	}
	data[n] = '\0';
	*out = data;
	*len = n;
	return FILE_READ_OK;
}

int file_read(const char *path, size_t max, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	int rc, saved;

	*out = NULL;
	*len = 0;
	if (!f)
		return FILE_READ_CANNOT_OPEN;
	rc = file_read_stream(f, max, out, len);
	saved = errno;
	fclose(f);
	errno = saved;
	return rc;
}

const char *file_read_reason(int status)
{
	switch (status) {
	case FILE_READ_OK:
		return "ok";
	case FILE_READ_CANNOT_OPEN:
		return "cannot open";
	case FILE_READ_IO:
		return "cannot read";
	case FILE_READ_TOO_LARGE:
		return "too large";
	default:
		return "out of memory";
	}
}
