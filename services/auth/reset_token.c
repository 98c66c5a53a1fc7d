#include "reset_token.h"

#include <errno.h>
#include <jansson.h>
#include <jwt.h>
#include <math.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signing.h"
#include "str.h"

#define RESET_CLAIM "reset_password"
#define CLAIM_MAX   32

void reset_token_fingerprint_as(const char *purpose, const char *secret, size_t secret_len,
                                const char *text, char out[RESET_FP_LEN + 1])
{
	char mac[SIGNING_MAC_LEN + 1];

	signing_mac(secret, secret_len, purpose, text, strlen(text), mac);
	memcpy(out, mac, RESET_FP_LEN);
	out[RESET_FP_LEN] = '\0';
}

void reset_token_fingerprint(const char *secret, size_t secret_len, const char *password_hash,
                             char out[RESET_FP_LEN + 1])
{
	reset_token_fingerprint_as("reset-fingerprint", secret, secret_len, password_hash, out);
}

static bool claim_name_ok(const char *claim)
{
	size_t n = strlen(claim);

	if (n == 0 || n > CLAIM_MAX)
		return false;
	for (; *claim; claim++)
		if (!((*claim >= 'a' && *claim <= 'z') || *claim == '_'))
			return false;
	return true;
}

/* base64url of {"alg":"HS256","typ":"JWT"}, the header of every token minted */
#define HS256_HEADER "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
#define B64URL       sodium_base64_VARIANT_URLSAFE_NO_PADDING

static bool base64url_text(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

/* The compact JWS built here rather than by libjwt, whose encoder (jansson
 * objects, OpenSSL's HMAC set up per call) was a sixth of a reset request's
 * work; libjwt still verifies, so every token minted is checked by an
 * independent implementation in the tests. */
char *reset_token_mint_as(const char *claim, const char *secret, size_t secret_len, int64_t user_id,
                          const char *fingerprint, int64_t expires_at)
{
	char payload[160], *token;
	unsigned char mac[32];
	size_t head = sizeof(HS256_HEADER) - 1, size, n;
	int len;

	if (!claim_name_ok(claim) || strlen(fingerprint) != RESET_FP_LEN ||
	    !base64url_text(fingerprint))
		return NULL; /* a MAC of ours: nothing in it needs JSON escaping */
	len = snprintf(payload, sizeof(payload), "{\"%s\":%lld,\"exp\":%lld,\"fp\":\"%s\"}", claim,
	               (long long)user_id, (long long)expires_at, fingerprint);
	if (len < 0 || (size_t)len >= sizeof(payload))
		return NULL;
	size = head + 1 + sodium_base64_ENCODED_LEN((size_t)len, B64URL) + 1 +
	       sodium_base64_ENCODED_LEN(sizeof(mac), B64URL);
	token = malloc(size);
	if (!token)
		return NULL;
	memcpy(token, HS256_HEADER, head);
	token[head] = '.';
	sodium_bin2base64(token + head + 1, size - head - 1, (const unsigned char *)payload,
	                  (size_t)len, B64URL);
	n = strlen(token);
	signing_hmac(secret, secret_len, token, n, mac);
	token[n] = '.';
	sodium_bin2base64(token + n + 1, size - n - 1, mac, sizeof(mac), B64URL);
	return token;
}

char *reset_token_mint(const char *secret, size_t secret_len, int64_t user_id,
                       const char *fingerprint, int64_t expires_at)
{
	return reset_token_mint_as(RESET_CLAIM, secret, secret_len, user_id, fingerprint,
	                           expires_at);
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

static int read_claims(jwt_t *j, const char *claim, int64_t now, struct reset_token_claims *out)
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
	    read_number(json_object_get(claims, claim), &id) != 0)
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
	return reset_token_verify_as(RESET_CLAIM, secret, secret_len, token, now, claims);
}

int reset_token_verify_as(const char *claim, const char *secret, size_t secret_len,
                          const char *token, int64_t now, struct reset_token_claims *claims)
{
	jwt_t *j = NULL;
	int rc;

	if (!claim_name_ok(claim) || !token[0] || strlen(token) > RESET_TOKEN_MAX ||
	    secret_len == 0)
		return RESET_TOKEN_INVALID;
	/* keylen > 0 makes libjwt check the signature; the algorithm comes from the
	 * token, so it must be pinned here (alg "none", HS512 pass jwt_decode). */
	if (jwt_decode(&j, token, (const unsigned char *)secret, (int)secret_len) != 0)
		return RESET_TOKEN_INVALID;
	rc = jwt_get_alg(j) == JWT_ALG_HS256 ? read_claims(j, claim, now, claims)
	                                     : RESET_TOKEN_INVALID;
	jwt_free(j);
	return rc;
}
