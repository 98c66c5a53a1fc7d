/* proxy_trust: which peers are our reverse proxies (AUTH_TRUSTED_PROXIES), and
 * who the client is behind them.
 *
 * Only a connection from a trusted proxy has its X-Forwarded-For believed; the
 * client is then the rightmost address in the header that is not itself a
 * trusted proxy (every proxy appends the address it saw, so everything left of
 * the first untrusted hop may be forged). IPv4 and IPv6; an IPv4-mapped IPv6
 * address (::ffff:a.b.c.d) is its IPv4 address. Ownership: a struct
 * proxy_trust is plain data, nothing to free. */
#ifndef AUTH_PROXY_TRUST_H
#define AUTH_PROXY_TRUST_H

#include <stdbool.h>
#include <stddef.h>

#define PROXY_TRUST_MAX 64 /* blocks in the list: proxies, not a firewall */
#define PROXY_ADDR_TEXT 46 /* INET6_ADDRSTRLEN */
#define PROXY_XFF_HOPS  32 /* header entries examined, from the right */

struct proxy_block {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int prefix; /* bits */
};

struct proxy_trust {
	size_t n;
	struct proxy_block blocks[PROXY_TRUST_MAX];
};

/* Parses "10.0.0.0/8, 192.168.1.7, fd00::/8" (spaces allowed; "" = none).
 * Returns 0, or -1 with why naming the bad entry. Untrusted: no (operator). */
int proxy_trust_parse(const char *list, struct proxy_trust *out, char *why, size_t why_len);

/* True when the address (text) is in one of the blocks; false when malformed. */
bool proxy_trust_has(const struct proxy_trust *t, const char *addr);

/* The client's address, in canonical text, into out (PROXY_ADDR_TEXT bytes):
 * peer itself unless peer is trusted and xff (the X-Forwarded-For values,
 * joined by ','; untrusted data, may be NULL) names a hop; a malformed entry
 * ends the walk at the trusted hop to its right. */
void proxy_trust_client(const struct proxy_trust *t, const char *peer, const char *xff,
                        char out[PROXY_ADDR_TEXT]);

#endif
