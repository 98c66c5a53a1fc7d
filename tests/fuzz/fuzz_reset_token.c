/* The reset-token verification path (libjwt decode, algorithm pin, claims)
 * on arbitrary tokens: nothing unsigned may ever verify. */
#include <stdlib.h>
#include <string.h>

#include "reset_token.h"

#define KEY "fuzz-secret-key-0123456789abcdef"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char token[RESET_TOKEN_MAX + 2], fp[RESET_FP_LEN + 1];
	int64_t id;
	size_t n = size < sizeof(token) - 1 ? size : sizeof(token) - 1;

	memcpy(token, data, n);
	token[n] = '\0';
	if (reset_token_verify(KEY, strlen(KEY), token, 1732400000, &id, fp) == RESET_TOKEN_OK &&
	    id <= 0)
		abort();
	return 0;
}
