#include "lang.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const tags[LANG_COUNT] = { "en", "zh-CN" };
static const char *const catalog_names[LANG_COUNT] = { NULL, "zh_CN" };

const char *lang_tag(enum lang lang)
{
	return lang >= 0 && lang < LANG_COUNT ? tags[lang] : tags[LANG_EN];
}

bool lang_from_tag(const char *tag, enum lang *out)
{
	if (!tag)
		return false;
	for (int i = 0; i < LANG_COUNT; i++) {
		if (strcasecmp(tag, tags[i]) == 0) {
			*out = (enum lang)i;
			return true;
		}
	}
	return false;
}

enum lang lang_or(const char *tag, enum lang fallback)
{
	enum lang lang;

	return lang_from_tag(tag, &lang) ? lang : fallback;
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* A language range's primary subtag: "zh" -> zh-CN, "en" -> en. */
static bool range_lang(const char *s, size_t n, enum lang *out)
{
	size_t primary = 0;

	while (primary < n && s[primary] != '-')
		primary++;
	if (primary == 2 && strncasecmp(s, "zh", 2) == 0)
		*out = LANG_ZH_CN;
	else if (primary == 2 && strncasecmp(s, "en", 2) == 0)
		*out = LANG_EN;
	else
		return false;
	return true;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in
 * thousandths; -1 when malformed. */
static int parse_q(const char *s, size_t n)
{
	int q, scale = 100;

	if (n == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	q = (s[0] - '0') * 1000;
	if (n == 1)
		return q;
	if (s[1] != '.' || n > 5)
		return -1;
	for (size_t i = 2; i < n; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		q += (s[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

/* The q of one element's parameters (";q=0.5"); 1000 when none, -1 when
 * malformed. p points just past the range. */
static int element_q(const char *p, const char *end)
{
	int q = 1000;

	while (p < end) {
		const char *param, *next;

		while (p < end && is_ows(*p))
			p++;
		if (p == end)
			break;
		if (*p != ';')
			return -1;
		p++;
		while (p < end && is_ows(*p))
			p++;
		param = p;
		while (p < end && *p != ';')
			p++;
		next = p;
		while (next > param && is_ows(next[-1]))
			next--;
		if (next - param >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=')
			q = parse_q(param + 2, (size_t)(next - param - 2));
		if (q < 0)
			return -1;
	}
	return q;
}

bool lang_from_accept(const char *header, enum lang *out)
{
	size_t len;
	const char *p, *end;
	int best_q = 0;

	if (!header)
		return false;
	len = strnlen(header, LANG_ACCEPT_MAX);
	p = header;
	end = header + len;
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *elem_end = comma ? comma : end, *range;
		size_t range_len;
		enum lang lang;
		int q;

		while (p < elem_end && is_ows(*p))
			p++;
		range = p;
		while (p < elem_end && *p != ';' && !is_ows(*p))
			p++;
		range_len = (size_t)(p - range);
		q = element_q(p, elem_end);
		if (range_len && q > best_q && range_lang(range, range_len, &lang)) {
			best_q = q;
			*out = lang;
		}
		p = comma ? comma + 1 : end;
	}
	return best_q > 0;
}

enum lang lang_negotiate(const char *cookie, const char *accept_language)
{
	enum lang lang;

	if (lang_from_tag(cookie, &lang))
		return lang;
	if (lang_from_accept(accept_language, &lang))
		return lang;
	return LANG_EN;
}

int lang_texts_load(struct lang_texts *t, const char *dir, char *why, size_t why_len)
{
	char path[4200], reason[200];

	memset(t, 0, sizeof(*t));
	for (int i = 0; i < LANG_COUNT; i++) {
		if (!catalog_names[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s/LC_MESSAGES/auth.mo", dir, catalog_names[i]);
		if (mo_catalog_load(path, &t->catalogs[i], reason, sizeof(reason)) != 0) {
			snprintf(why, why_len, "%s: %s", path, reason);
			lang_texts_release(t);
			return -1;
		}
	}
	return 0;
}

void lang_texts_release(struct lang_texts *t)
{
	for (int i = 0; i < LANG_COUNT; i++)
		mo_catalog_free(&t->catalogs[i]);
}

const char *lang_text(const struct lang_texts *t, enum lang lang, const char *msgid)
{
	const char *s;

	if (lang <= LANG_EN || lang >= LANG_COUNT)
		return msgid;
	s = mo_catalog_find(t->catalogs[lang], msgid);
	return s ? s : msgid;
}

void lang_fill(const char *text, const char *key, const char *value, char *out, size_t out_len)
{
	const char *at = strstr(text, key);

	if (!at) {
		snprintf(out, out_len, "%s", text);
		return;
	}
	snprintf(out, out_len, "%.*s%s%s", (int)(at - text), text, value, at + strlen(key));
}
