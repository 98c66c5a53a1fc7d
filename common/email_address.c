#include "email_address.h"

#include <string.h>

#include "str.h"

#define LOCAL_MAX  64
#define DOMAIN_MAX 253
#define LABEL_MAX  63

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* RFC 5322 atext. */
static bool is_atext(char c)
{
	return is_alnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static bool local_part_valid(const char *s, size_t n)
{
	if (n == 0 || n > LOCAL_MAX || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return false;
		} else if (!is_atext(s[i])) {
			return false;
		}
	}
	return true;
}

static bool domain_valid(const char *s, size_t n)
{
	size_t label = 0;

	if (n == 0 || n > DOMAIN_MAX)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (label == 0 || label > LABEL_MAX || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!is_alnum(s[i]) && s[i] != '-')
			return false;
		if (label == 0 && s[i] == '-')
			return false;
		label++;
	}
	return true;
}

bool email_address_valid(const char *s, size_t n)
{
	const char *at;

	if (n == 0 || n > EMAIL_ADDRESS_MAX || memchr(s, '\0', n))
		return false;
	at = memchr(s, '@', n);
	if (!at || memchr(at + 1, '@', n - (size_t)(at - s) - 1))
		return false;
	return local_part_valid(s, (size_t)(at - s)) &&
	       domain_valid(at + 1, n - (size_t)(at - s) - 1);
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t'))
		(*s)++, (*n)--;
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

static int parse_display(const char *s, size_t n, struct email_address *out, const char **why)
{
	trim(&s, &n);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
		s++, n -= 2;
	if (n > EMAIL_DISPLAY_MAX) {
		*why = "display name longer than 200 bytes";
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '<' || s[i] == '>' || (unsigned char)s[i] < 0x20) {
			*why = "display name contains a quote, angle bracket or control character";
			return -1;
		}
	}
	if (!text_utf8_valid(s, n)) {
		*why = "display name is not UTF-8";
		return -1;
	}
	memcpy(out->display, s, n);
	out->display[n] = '\0';
	return 0;
}

int email_address_parse(const char *s, size_t n, bool allow_display, struct email_address *out,
                        const char **why)
{
	const char *open;

	out->addr[0] = out->display[0] = '\0';
	if (text_has_crlf(s, n)) {
		*why = "contains CR/LF";
		return -1;
	}
	open = allow_display ? memchr(s, '<', n) : NULL;
	if (open) {
		if (n < 3 || s[n - 1] != '>') {
			*why = "not an address (Name <local@domain>)";
			return -1;
		}
		if (parse_display(s, (size_t)(open - s), out, why) != 0)
			return -1;
		n = (size_t)(s + n - 1 - (open + 1));
		s = open + 1;
	}
	if (!email_address_valid(s, n)) {
		*why = "not an address (local@domain)";
		return -1;
	}
	memcpy(out->addr, s, n);
	out->addr[n] = '\0';
	return 0;
}
