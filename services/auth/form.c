#include "form.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

/* Decodes s[0..n) into a new string; NULL when malformed or out of memory. */
static char *decode(const char *s, size_t n, size_t *out_len)
{
	char *out = malloc(n + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi = i + 2 < n ? text_hex_value(s[i + 1]) : -1;
			int lo = i + 2 < n ? text_hex_value(s[i + 2]) : -1;

			if (hi < 0 || lo < 0)
				goto malformed;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (c == '\0')
			goto malformed;
		out[o++] = c;
	}
	out[o] = '\0';
	if (!text_utf8_valid(out, o))
		goto malformed;
	*out_len = o;
	return out;
malformed:
	free(out);
	return NULL;
}

static int add_pair(struct form *form, const char *pair, size_t n)
{
	const char *eq = memchr(pair, '=', n);
	size_t name_len = eq ? (size_t)(eq - pair) : n, ignored;
	struct form_field *f;

	if (form->n >= FORM_MAX_FIELDS)
		return -1;
	f = &form->fields[form->n];
	f->name = decode(pair, name_len, &ignored);
	f->value = eq ? decode(eq + 1, n - name_len - 1, &f->value_len) : text_dup("");
	if (!eq)
		f->value_len = 0;
	form->n++; /* counted even when half-built, so form_release frees it */
	return f->name && f->value ? 0 : -1;
}

int form_parse(const char *body, size_t len, struct form *form)
{
	size_t start = 0;

	memset(form, 0, sizeof(*form));
	while (start < len) {
		const char *amp = memchr(body + start, '&', len - start);
		size_t end = amp ? (size_t)(amp - body) : len;

		if (end > start && add_pair(form, body + start, end - start) != 0) {
			form_release(form);
			return -1;
		}
		start = end + 1;
	}
	return 0;
}

const char *form_get(const struct form *form, const char *name)
{
	for (size_t i = 0; i < form->n; i++)
		if (strcmp(form->fields[i].name, name) == 0)
			return form->fields[i].value;
	return NULL;
}

/* The length of the white space at s[0..n) that ends at s + n (from_end) or
 * starts at s, 0 when there is none there. */
static size_t space_at(const char *s, size_t n, bool from_end)
{
	static const char *const spaces[] = { " ",  "\t", "\n",       "\v",
		                              "\f", "\r", "\xc2\xa0", "\xe3\x80\x80" };

	for (size_t i = 0; i < sizeof(spaces) / sizeof(spaces[0]); i++) {
		size_t k = strlen(spaces[i]);

		if (k <= n && memcmp(from_end ? s + n - k : s, spaces[i], k) == 0)
			return k;
	}
	return 0;
}

size_t form_trim_space(char *s)
{
	size_t n = strlen(s), lead = 0, k = space_at(s, n, false);

	while (k > 0) {
		lead += k;
		k = space_at(s + lead, n - lead, false);
	}
	n -= lead;
	memmove(s, s + lead, n);
	k = space_at(s, n, true);
	while (k > 0) {
		n -= k;
		k = space_at(s, n, true);
	}
	s[n] = '\0';
	return n;
}

void form_trim(struct form *form, const char *name)
{
	for (size_t i = 0; i < form->n; i++) {
		if (strcmp(form->fields[i].name, name) == 0) {
			form->fields[i].value_len = form_trim_space(form->fields[i].value);
			return;
		}
	}
}

void form_release(struct form *form)
{
	for (size_t i = 0; i < form->n; i++) {
		free(form->fields[i].name);
		free(form->fields[i].value);
	}
	memset(form, 0, sizeof(*form));
}
