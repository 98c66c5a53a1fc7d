/* proxy_trust: the AUTH_TRUSTED_PROXIES parser, the matcher, and the
 * rightmost-untrusted X-Forwarded-For rule, one row each. */
#include <string.h>

#include "check.h"
#include "proxy_trust.h"

struct parse_row {
	const char *list;
	int rc;
	size_t n;
};

static const struct parse_row parse_rows[] = {
	{ "", 0, 0 },
	{ " , ,", 0, 0 },
	{ "10.0.0.1", 0, 1 },
	{ "10.0.0.0/8, 192.168.1.7 ,fd00::/8", 0, 3 },
	{ "::1", 0, 1 },
	{ "0.0.0.0/0", 0, 1 },
	{ "::/0", 0, 1 },
	{ "10.0.0.0/33", -1, 0 },
	{ "fd00::/129", -1, 0 },
	{ "10.0.0.0/", -1, 0 },
	{ "10.0.0.0/-1", -1, 0 },
	{ "10.0.0.0/8x", -1, 0 },
	{ "10.0.0", -1, 0 },
	{ "proxy.example", -1, 0 },
	{ "/8", -1, 0 },
	{ "10.0.0.1;10.0.0.2", -1, 0 },
};

struct has_row {
	const char *list, *addr;
	bool has;
};

static const struct has_row has_rows[] = {
	{ "10.0.0.0/8", "10.255.1.2", true },
	{ "10.0.0.0/8", "11.0.0.1", false },
	{ "192.168.1.7", "192.168.1.7", true },
	{ "192.168.1.7", "192.168.1.8", false },
	{ "172.16.0.0/12", "172.31.255.255", true },
	{ "172.16.0.0/12", "172.32.0.0", false },
	{ "127.0.0.1/32", "127.0.0.1", true },
	{ "127.0.0.1/32", "127.0.0.2", false },
	{ "127.0.0.1", "::ffff:127.0.0.1", true }, /* mapped is IPv4 */
	{ "fd00::/8", "fd12:3456::1", true },
	{ "fd00::/8", "fe80::1", false },
	{ "2001:db8::/33", "2001:db8:7fff::1", true },
	{ "2001:db8::/33", "2001:db8:8000::1", false },
	{ "::1", "::1", true },
	{ "::1", "127.0.0.1", false },
	{ "0.0.0.0/0", "203.0.113.9", true },
	{ "0.0.0.0/0", "2001:db8::1", false },
	{ "10.0.0.0/8", "not an address", false },
	{ "", "10.0.0.1", false },
};

struct client_row {
	const char *list, *peer, *xff, *client;
};

static const struct client_row client_rows[] = {
	/* untrusted peer: the header is ignored */
	{ "", "203.0.113.5", "198.51.100.1", "203.0.113.5" },
	{ "10.0.0.0/8", "203.0.113.5", "198.51.100.1", "203.0.113.5" },
	/* trusted peer, no header: the peer */
	{ "10.0.0.1", "10.0.0.1", NULL, "10.0.0.1" },
	/* trusted peer: the rightmost untrusted hop */
	{ "10.0.0.1", "10.0.0.1", "198.51.100.1", "198.51.100.1" },
	{ "10.0.0.1", "10.0.0.1", "1.1.1.1, 198.51.100.1", "198.51.100.1" },
	{ "10.0.0.0/8", "10.0.0.1", "6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1" },
	{ "10.0.0.0/8", "10.0.0.1", "10.0.0.3,10.0.0.2", "10.0.0.3" }, /* all trusted */
	/* forms of an entry */
	{ "10.0.0.1", "10.0.0.1", "198.51.100.1:4711", "198.51.100.1" },
	{ "10.0.0.1", "10.0.0.1", "[2001:db8::7]:443", "2001:db8::7" },
	{ "10.0.0.1", "10.0.0.1", " 2001:DB8::7 ", "2001:db8::7" },
	{ "10.0.0.1", "10.0.0.1", "::ffff:198.51.100.1", "198.51.100.1" },
	{ "fd00::/8", "fd00::1", "198.51.100.1", "198.51.100.1" },
	{ "127.0.0.1", "::ffff:127.0.0.1", "198.51.100.1", "198.51.100.1" },
	/* malformed hops end the walk at the trusted hop to their right */
	{ "10.0.0.1", "10.0.0.1", "unknown", "10.0.0.1" },
	{ "10.0.0.0/8", "10.0.0.1", "198.51.100.1, <script>, 10.0.0.2", "10.0.0.2" },
	{ "10.0.0.1", "10.0.0.1", "", "10.0.0.1" },
	{ "10.0.0.1", "10.0.0.1", "198.51.100.1,", "10.0.0.1" },
	{ "10.0.0.1", "10.0.0.1", "[2001:db8::7", "10.0.0.1" },
	{ "10.0.0.1", "10.0.0.1", "1.2.3.4\r\nX: y", "10.0.0.1" },
};

int main(void)
{
	char why[128], out[PROXY_ADDR_TEXT];
	struct proxy_trust t;

	for (size_t i = 0; i < sizeof(parse_rows) / sizeof(parse_rows[0]); i++) {
		int rc = proxy_trust_parse(parse_rows[i].list, &t, why, sizeof(why));

		CHECK_ROW(rc == parse_rows[i].rc, parse_rows[i].list);
		CHECK_ROW(rc != 0 || t.n == parse_rows[i].n, parse_rows[i].list);
	}
	for (size_t i = 0; i < sizeof(has_rows) / sizeof(has_rows[0]); i++) {
		CHECK_ROW(proxy_trust_parse(has_rows[i].list, &t, why, sizeof(why)) == 0,
		          has_rows[i].list);
		CHECK_ROW(proxy_trust_has(&t, has_rows[i].addr) == has_rows[i].has,
		          has_rows[i].addr);
	}
	for (size_t i = 0; i < sizeof(client_rows) / sizeof(client_rows[0]); i++) {
		const struct client_row *r = &client_rows[i];

		CHECK_ROW(proxy_trust_parse(r->list, &t, why, sizeof(why)) == 0, r->list);
		proxy_trust_client(&t, r->peer, r->xff, out);
		CHECK_ROW(strcmp(out, r->client) == 0, r->xff ? r->xff : "(no header)");
		if (strcmp(out, r->client) != 0)
			fprintf(stderr, "    got %s, want %s\n", out, r->client);
	}
	{
		char many[2048] = "";
		size_t n = 0;

		/* more hops than examined: the walk stops at the last one examined */
		for (int i = 0; i < PROXY_XFF_HOPS + 5; i++)
			n += (size_t)snprintf(many + n, sizeof(many) - n, "%s10.0.0.%d",
			                      i ? "," : "", i + 1);
		CHECK(proxy_trust_parse("10.0.0.0/8", &t, why, sizeof(why)) == 0);
		proxy_trust_client(&t, "10.0.0.200", many, out);
		CHECK_STR(out, "10.0.0.6");
	}
	return check_summary();
}
