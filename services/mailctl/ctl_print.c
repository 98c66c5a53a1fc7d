#include "ctl_print.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends text if it fits with room for "...": false when full. */
static bool put(char *out, size_t n, size_t *len, const char *text, size_t k)
{
	if (*len + k + 4 > n)
		return false;
	memcpy(out + *len, text, k);
	*len += k;
	return true;
}

/* The printable form of the character at p into piece; *used: bytes read. */
static size_t escape_at(const unsigned char *p, char piece[16], size_t *used)
{
	unsigned char c = p[0];

	*used = 1;
	switch (c) {
	case '\n':
		return (size_t)snprintf(piece, 16, "\\n");
	case '\r':
		return (size_t)snprintf(piece, 16, "\\r");
	case '\t':
		return (size_t)snprintf(piece, 16, "\\t");
	case '\\':
		return (size_t)snprintf(piece, 16, "\\\\");
	default:
		break;
	}
	if (c < 0x20 || c == 0x7f)
		return (size_t)snprintf(piece, 16, "\\x%02x", c);
	if (c == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) { /* a C1 control in UTF-8 */
		*used = 2;
		return (size_t)snprintf(piece, 16, "\\xc2\\x%02x", p[1]);
	}
	piece[0] = (char)c;
	return 1;
}

const char *ctl_safe(const char *s, char *out, size_t n)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = 0;
	char piece[16];
	size_t used;

	if (n < 4) {
		out[0] = '\0';
		return out;
	}
	while (*p) {
		size_t k = escape_at(p, piece, &used);

		if (!put(out, n, &len, piece, k)) {
			memcpy(out + len, "...", 3);
			len += 3;
			break;
		}
		p += used;
	}
	out[len] = '\0';
	return out;
}

void ctl_print_text(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	char piece[16];
	size_t used;

	for (size_t i = 0; i < len; i += used) {
		if (p[i] == '\n' || p[i] == '\t') {
			putchar(p[i]);
			used = 1;
		} else {
			fwrite(piece, 1, escape_at(p + i, piece, &used), stdout);
		}
	}
}

void ctl_print_json(const json_t *value, size_t flags)
{
	char *text = json_dumps(value, flags | JSON_ENSURE_ASCII);

	if (!text) {
		printf("null\n");
		return;
	}
	for (const char *p = text; *p; p++) {
		if (*p == 0x7f)
			fputs("\\u007f", stdout); /* only inside a string: JSON has no bare DEL */
		else
			putchar(*p);
	}
	putchar('\n');
	free(text);
}

void ctl_print_invalid(const struct mail_job_error *err)
{
	char reason[300], safe[CTL_SAFE_MAX];

	fprintf(stderr, "mailctl: invalid job: %s\n",
	        ctl_safe(mail_job_error_format(err, reason, sizeof(reason)), safe, sizeof(safe)));
}
