/* The reset-token verification path. libjwt itself is not instrumented, so
 * raw bytes rarely get past the signature: the first byte picks the mode.
 *   even: the rest is a token as a browser would send it — nothing unsigned
 *         may ever verify;
 *   odd:  the rest is a claims object, signed here with the right key (and
 *         sometimes another algorithm), so the claim checks meet hostile
 *         payloads: only a positive id and a future exp may pass, under
 *         the claim asked for (reset_password, or confirm_email). */
#include <jwt.h>
#include <stdlib.h>
#include <string.h>

#include "reset_token.h"

#define KEY "fuzz-secret-key-0123456789abcdef"
#define NOW 1732400000

static void verify_raw(const char *data, size_t size)
{
	char token[RESET_TOKEN_MAX + 2];
	size_t n = size < sizeof(token) - 1 ? size : sizeof(token) - 1;
	struct reset_token_claims c;

	memcpy(token, data, n);
	token[n] = '\0';
	if (reset_token_verify(KEY, strlen(KEY), token, NOW, &c) == RESET_TOKEN_OK)
		abort(); /* not signed by us: must never pass */
}

static void verify_signed(const char *data, size_t size, int alg_choice)
{
	char *claims = strndup(data, size), *token = NULL;
	jwt_alg_t alg = alg_choice ? JWT_ALG_HS512 : JWT_ALG_HS256;
	struct reset_token_claims c;
	jwt_t *j = NULL;

	if (claims && jwt_new(&j) == 0 && jwt_add_grants_json(j, claims) == 0 &&
	    jwt_set_alg(j, alg, (const unsigned char *)KEY, (int)strlen(KEY)) == 0)
		token = jwt_encode_str(j);
	if (token && reset_token_verify(KEY, strlen(KEY), token, NOW, &c) == RESET_TOKEN_OK &&
	    (c.user_id <= 0 || c.exp <= NOW || alg != JWT_ALG_HS256))
		abort();
	/* the same checks under the confirmation claim (confirm_mail.c) */
	if (token &&
	    reset_token_verify_as("confirm_email", KEY, strlen(KEY), token, NOW, &c) ==
	        RESET_TOKEN_OK &&
	    (c.user_id <= 0 || c.exp <= NOW || alg != JWT_ALG_HS256))
		abort();
	free(token);
	jwt_free(j);
	free(claims);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		verify_signed((const char *)data + 1, size - 1, data[0] & 2);
	else
		verify_raw((const char *)data + 1, size - 1);
	return 0;
}
