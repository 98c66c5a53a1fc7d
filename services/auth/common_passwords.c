#include "common_passwords.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_read.h"

#define COMMENT_PREFIX "#!comment"

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* strcmp with ASCII letters folded to lower case. */
static int fold_cmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	while (*x && lower(*x) == lower(*y)) {
		x++;
		y++;
	}
	return (int)lower(*x) - (int)lower(*y);
}

static int entry_cmp(const void *a, const void *b)
{
	return fold_cmp(*(char *const *)a, *(char *const *)b);
}

/* Cuts storage into lines, keeps the entries, lower-cases them. */
static size_t split_lines(char *storage, size_t len, char **entries)
{
	size_t n = 0;
	char *line = storage, *end = storage + len;

	while (line < end) {
		char *nl = memchr(line, '\n', (size_t)(end - line));
		char *stop = nl ? nl : end;

		*stop = '\0';
		if (stop > line && stop[-1] == '\r')
			stop[-1] = '\0';
		if (line[0] && strncmp(line, COMMENT_PREFIX, strlen(COMMENT_PREFIX)) != 0) {
			for (char *p = line; *p; p++)
				*p = (char)lower((unsigned char)*p);
			if (entries)
				entries[n] = line;
			n++;
		}
		line = stop + 1;
	}
	return n;
}

int common_passwords_load(struct common_passwords *cp, const char *path, char *why, size_t why_len)
{
	size_t len = 0, lines = 1;
	int rc;

	memset(cp, 0, sizeof(*cp));
	rc = file_read(path, COMMON_PASSWORDS_FILE_MAX, &cp->storage, &len);
	if (rc == FILE_READ_TOO_LARGE) {
		snprintf(why, why_len, "%s: larger than 1 MiB", path);
		return -1;
	}
	if (rc != FILE_READ_OK) {
		snprintf(why, why_len, "%s %s: %s", file_read_reason(rc), path, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < len; i++)
		lines += cp->storage[i] == '\n';
	cp->entries = calloc(lines, sizeof(*cp->entries));
	if (!cp->entries) {
		snprintf(why, why_len, "out of memory");
		common_passwords_release(cp);
		return -1;
	}
	cp->n = split_lines(cp->storage, len, cp->entries);
	qsort(cp->entries, cp->n, sizeof(*cp->entries), entry_cmp);
	return 0;
}

bool common_passwords_has(const struct common_passwords *cp, const char *password)
{
	if (!cp->n)
		return false;
	return bsearch(&password, cp->entries, cp->n, sizeof(*cp->entries), entry_cmp) != NULL;
}

void common_passwords_release(struct common_passwords *cp)
{
	free(cp->entries);
	free(cp->storage);
	memset(cp, 0, sizeof(*cp));
}
