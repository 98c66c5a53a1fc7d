#include "reset_token.h"

#include <errno.h>
#include <jansson.h>
#include <jwt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "signing.h"
#include "str.h"

void reset_token_fingerprint(const char *secret, size_t secret_len, const char *password_hash,
                             char out[RESET_FP_LEN + 1])
{
	char mac[SIGNING_MAC_LEN + 1];

	signing_mac(secret, secret_len, "reset-fingerprint", password_hash, strlen(password_hash),
	            mac);
	memcpy(out, mac, RESET_FP_LEN);
	out[RESET_FP_LEN] = '\0';
}

char *reset_token_mint(const char *secret, size_t secret_len, int64_t user_id,
                       const char *fingerprint, int64_t expires_at)
{
	jwt_t *j = NULL;
	char *token = NULL;

	if (jwt_new(&j) == 0 && jwt_add_grant_int(j, "reset_password", (long)user_id) == 0 &&
	    jwt_add_grant_int(j, "exp", (long)expires_at) == 0 &&
	    jwt_add_grant(j, "fp", fingerprint) == 0 &&
	    jwt_set_alg(j, JWT_ALG_HS256, (const unsigned char *)secret, (int)secret_len) == 0)
		token = jwt_encode_str(j);
	jwt_free(j);
	return token;
}

/* A JSON number as whole seconds (integer, or a real truncated). */
static int read_number(json_t *v, double *out)
{
	if (json_is_integer(v))
		*out = (double)json_integer_value(v);
	else if (json_is_real(v))
		*out = json_real_value(v);
	else
		return -1;
	return isfinite(*out) ? 0 : -1;
}

static int read_claims(jwt_t *j, int64_t now, struct reset_token_claims *out)
{
	char *text = jwt_get_grants_json(j, NULL);
	json_t *claims = text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
	json_t *f;
	double exp, id;
	int rc = RESET_TOKEN_INVALID;

	free(text);
	if (!json_is_object(claims))
		goto out;
	if (read_number(json_object_get(claims, "exp"), &exp) != 0 ||
	    read_number(json_object_get(claims, "reset_password"), &id) != 0)
		goto out;
	if (id < 1 || id > 9e15 || id != floor(id))
		goto out;
	if (exp <= (double)now) {
		rc = RESET_TOKEN_EXPIRED;
		goto out;
	}
	f = json_object_get(claims, "fp");
	out->fp[0] = '\0';
	if (f &&
	    (!json_is_string(f) || text_copy(out->fp, sizeof(out->fp), json_string_value(f)) != 0))
		goto out;
	out->user_id = (int64_t)id;
	out->exp = exp;
	rc = RESET_TOKEN_OK;
out:
	json_decref(claims);
	return rc;
}

int reset_token_verify(const char *secret, size_t secret_len, const char *token, int64_t now,
                       struct reset_token_claims *claims)
{
	jwt_t *j = NULL;
	int rc;

	if (!token[0] || strlen(token) > RESET_TOKEN_MAX || secret_len == 0)
		return RESET_TOKEN_INVALID;
	/* keylen > 0 makes libjwt check the signature; the algorithm comes from the
	 * token, so it must be pinned here (alg "none", HS512 pass jwt_decode). */
	if (jwt_decode(&j, token, (const unsigned char *)secret, (int)secret_len) != 0)
		return RESET_TOKEN_INVALID;
	rc = jwt_get_alg(j) == JWT_ALG_HS256 ? read_claims(j, now, claims) : RESET_TOKEN_INVALID;
	jwt_free(j);
	return rc;
}
