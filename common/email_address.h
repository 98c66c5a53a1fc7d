/* email_address: checking and splitting mail addresses (untrusted input).
 *
 * Accepted forms: a bare addr-spec "local@domain", and, where display names are
 * allowed, "Display Name <local@domain>". local: dot-atom of RFC 5322 atext, at
 * most 64 bytes; domain: dot-separated labels of letters, digits and '-', at
 * most 253 bytes; whole address at most 254 bytes. No CR, LF, NUL, spaces or
 * controls anywhere in the addr-spec. The display name is UTF-8, at most 200
 * bytes, without CR/LF/NUL, '<', '>' or '"'.
 */
#ifndef COMMON_EMAIL_ADDRESS_H
#define COMMON_EMAIL_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

#define EMAIL_ADDRESS_MAX 254
#define EMAIL_DISPLAY_MAX 200

struct email_address {
	char addr[EMAIL_ADDRESS_MAX + 1];    /* local@domain, for the SMTP envelope */
	char display[EMAIL_DISPLAY_MAX + 1]; /* "" when none */
};

/* Parses s[0..n). allow_display: accept the "Name <addr>" form. Returns 0, or
 * -1 with a short reason in *why (a static string). */
int email_address_parse(const char *s, size_t n, bool allow_display, struct email_address *out,
                        const char **why);

/* True if s is a valid bare addr-spec. */
bool email_address_valid(const char *s, size_t n);

#endif
