/* file_read: a whole file into memory, bounded — the templates, the message
 * catalog, the common-password list, the stylesheet, mailctl's inputs.
 * The buffer gets a NUL after the bytes read, so text can be used as a
 * string (a NUL inside is the caller's to refuse). */
#ifndef COMMON_FILE_READ_H
#define COMMON_FILE_READ_H

#include <stddef.h>
#include <stdio.h>

enum file_read_status {
	FILE_READ_OK = 0,
	FILE_READ_CANNOT_OPEN = -1, /* errno says why */
	FILE_READ_IO = -2,          /* errno says why */
	FILE_READ_TOO_LARGE = -3,   /* more than max bytes */
	FILE_READ_NO_MEMORY = -4,
};

/* At most max bytes of path into *out (malloc'd, free() it) and their count
 * into *len. On failure *out is NULL. */
int file_read(const char *path, size_t max, char **out, size_t *len);

/* The same from an open stream (left open). */
int file_read_stream(FILE *f, size_t max, char **out, size_t *len);

/* A short reason for a failed status, for logs and messages. */
const char *file_read_reason(int status);

#endif
