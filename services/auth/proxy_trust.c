#include "proxy_trust.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "str.h"

static const unsigned char v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* Text to (family, 16 bytes); a mapped IPv6 address becomes IPv4. */
static bool parse_addr(const char *text, int *family, unsigned char addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, text, addr) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, text, addr) != 1)
		return false;
	*family = AF_INET6;
	if (memcmp(addr, v4_mapped, sizeof(v4_mapped)) == 0) {
		memmove(addr, addr + 12, 4);
		memset(addr + 4, 0, 12);
		*family = AF_INET;
	}
	return true;
}

static bool block_has(const struct proxy_block *b, int family, const unsigned char addr[16])
{
	int full = b->prefix / 8, rest = b->prefix % 8;

	if (b->family != family || memcmp(b->addr, addr, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((b->addr[full] ^ addr[full]) & (unsigned char)(0xff << (8 - rest))) == 0;
}

static bool trusted(const struct proxy_trust *t, int family, const unsigned char addr[16])
{
	for (size_t i = 0; i < t->n; i++)
		if (block_has(&t->blocks[i], family, addr))
			return true;
	return false;
}

static int parse_block(const char *entry, struct proxy_block *b)
{
	char text[64];
	const char *slash = strchr(entry, '/');
	size_t len = slash ? (size_t)(slash - entry) : strlen(entry);
	int max;
	long long prefix;

	if (len == 0 || len >= sizeof(text))
		return -1;
	memcpy(text, entry, len);
	text[len] = '\0';
	if (!parse_addr(text, &b->family, b->addr))
		return -1;
	max = b->family == AF_INET ? 32 : 128;
	if (!slash)
		prefix = max;
	else if (text_parse_ll(slash + 1, 0, max, &prefix) != 0)
		return -1;
	b->prefix = (int)prefix;
	return 0;
}

int proxy_trust_parse(const char *list, struct proxy_trust *out, char *why, size_t why_len)
{
	const char *p = list ? list : "";

	memset(out, 0, sizeof(*out));
	while (*p) {
		char entry[80];
		size_t len = strcspn(p, ","), start = 0, end = len;

		while (start < end && (p[start] == ' ' || p[start] == '\t'))
			start++;
		while (end > start && (p[end - 1] == ' ' || p[end - 1] == '\t'))
			end--;
		if (end > start) {
			if (end - start >= sizeof(entry) || out->n == PROXY_TRUST_MAX) {
				snprintf(why, why_len, "too long or too many entries");
				return -1;
			}
			memcpy(entry, p + start, end - start);
			entry[end - start] = '\0';
			if (parse_block(entry, &out->blocks[out->n]) != 0) {
				snprintf(why, why_len, "not an address or CIDR block: %s", entry);
				return -1;
			}
			out->n++;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

bool proxy_trust_has(const struct proxy_trust *t, const char *addr)
{
	unsigned char bytes[16];
	int family;

	return parse_addr(addr, &family, bytes) && trusted(t, family, bytes);
}

/* One X-Forwarded-For entry, trimmed, brackets and a port taken off:
 * " 1.2.3.4:80", "[2001:db8::1]:443", "2001:db8::1". */
static bool hop_addr(const char *s, size_t len, int *family, unsigned char addr[16])
{
	char text[PROXY_ADDR_TEXT + 8];
	const char *close;

	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len && *s == '[') {
		close = memchr(s, ']', len);
		if (!close)
			return false;
		len = (size_t)(close - s - 1);
		s++;
	} else {
		const char *colon = memchr(s, ':', len);

		/* one colon: IPv4 with a port; more: an IPv6 address */
		if (colon && !memchr(colon + 1, ':', len - (size_t)(colon - s) - 1))
			len = (size_t)(colon - s);
	}
	if (len == 0 || len >= sizeof(text))
		return false;
	memcpy(text, s, len);
	text[len] = '\0';
	return parse_addr(text, family, addr);
}

static void to_text(int family, const unsigned char addr[16], char out[PROXY_ADDR_TEXT])
{
	if (!inet_ntop(family, addr, out, PROXY_ADDR_TEXT))
		text_copy(out, PROXY_ADDR_TEXT, "-");
}

void proxy_trust_client(const struct proxy_trust *t, const char *peer, const char *xff,
                        char out[PROXY_ADDR_TEXT])
{
	unsigned char addr[16];
	int family;
	size_t end;

	if (!parse_addr(peer, &family, addr)) {
		text_copy(out, PROXY_ADDR_TEXT, peer);
		return;
	}
	to_text(family, addr, out);
	if (!xff || !trusted(t, family, addr))
		return;
	end = strlen(xff);
	for (int hops = 0; end > 0 && hops < PROXY_XFF_HOPS; hops++) {
		size_t start = end;

		while (start > 0 && xff[start - 1] != ',')
			start--;
		if (!hop_addr(xff + start, end - start, &family, addr))
			return; /* the client is the trusted hop to its right */
		to_text(family, addr, out);
		if (!trusted(t, family, addr))
			return;
		end = start ? start - 1 : 0;
	}
}
