/* form: application/x-www-form-urlencoded bodies (untrusted).
 *
 * '+' is a space and %XX a byte; a malformed escape, a NUL byte, invalid
 * UTF-8 or more than FORM_MAX_FIELDS fields make the whole body malformed
 * (the caller answers 400). Ownership: form_parse() fills a struct form whose
 * strings form_release() frees. */
#ifndef AUTH_FORM_H
#define AUTH_FORM_H

#include <stddef.h>

#define FORM_MAX_FIELDS 32

struct form_field {
	char *name;
	char *value; /* NUL-terminated; NUL bytes inside are rejected */
	size_t value_len;
};

struct form {
	struct form_field fields[FORM_MAX_FIELDS];
	size_t n;
};

/* Returns 0, or -1 when the body is malformed (form is then empty). */
int form_parse(const char *body, size_t len, struct form *form);

/* The first value of name, or NULL. Borrowed from the form. */
const char *form_get(const struct form *form, const char *name);

/* Strips leading and trailing white space from the value of name, in place:
 * ASCII spaces, tabs and line ends, U+00A0 (no-break space) and U+3000 (the
 * ideographic space of Chinese input methods). Nothing when name is absent.
 * For names and addresses a phone's keyboard pads; never for passwords. */
void form_trim(struct form *form, const char *name);

/* The same on s (valid UTF-8, NUL-terminated); returns the new length. */
size_t form_trim_space(char *s);

void form_release(struct form *form);

#endif
