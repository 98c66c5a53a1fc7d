/* common_passwords: the list of passwords too common to accept, loaded once
 * at start from <TEMPLATES_DIR>/common-passwords.lst and looked up without
 * regard to ASCII case.
 *
 * The file: one password a line (LF or CRLF), lines starting "#!comment" and
 * empty lines skipped; at most COMMON_PASSWORDS_FILE_MAX bytes. Ownership:
 * common_passwords_load() fills a caller's struct that
 * common_passwords_release() empties; after loading it is read-only, safe to
 * share between threads. */
#ifndef AUTH_COMMON_PASSWORDS_H
#define AUTH_COMMON_PASSWORDS_H

#include <stdbool.h>
#include <stddef.h>

#define COMMON_PASSWORDS_FILE_MAX (1024 * 1024) /* the shipped list is about 26 KiB */

struct common_passwords {
	char *storage;  /* the file's bytes, lines cut at their ends, lower-cased */
	char **entries; /* sorted, pointing into storage */
	size_t n;
};

/* Reads path. Returns 0, or -1 with why filled (cannot open or read, too
 * large, out of memory). */
int common_passwords_load(struct common_passwords *cp, const char *path, char *why, size_t why_len);

/* Is password (untrusted, NUL-terminated) on the list, ignoring ASCII case? */
bool common_passwords_has(const struct common_passwords *cp, const char *password);

void common_passwords_release(struct common_passwords *cp);

#endif
