/* AUTH_TRUSTED_PROXIES and X-Forwarded-For on arbitrary bytes: the input is
 * "<trusted list>\n<peer>\n<header>". Whatever the header holds, the client
 * is the peer or an address that parses, and the walk never reads past it. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "proxy_trust.h"

static bool parses(const char *text)
{
	unsigned char addr[16];

	return inet_pton(AF_INET, text, addr) == 1 || inet_pton(AF_INET6, text, addr) == 1;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *text = malloc(size + 1), *peer, *xff, why[160], out[PROXY_ADDR_TEXT];
	struct proxy_trust t;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	peer = strchr(text, '\n');
	xff = peer ? strchr(peer + 1, '\n') : NULL;
	if (!peer || !xff)
		goto out;
	*peer++ = '\0';
	*xff++ = '\0';
	if (proxy_trust_parse(text, &t, why, sizeof(why)) != 0 || strlen(peer) >= PROXY_ADDR_TEXT)
		goto out;
	proxy_trust_client(&t, peer, xff, out);
	if (strcmp(out, peer) != 0 && !parses(out))
		__builtin_trap();
	(void)proxy_trust_has(&t, out);
out:
	free(text);
	return 0;
}
