/* reset_token: mint and verify, and what the verifier refuses; the same
 * tokens under another claim (confirm_email) never pass for a reset link. */
#include <jwt.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "reset_token.h"

#define KEY "0123456789abcdef0123456789abcdef"
#define NOW 1732400000

static int verify(const char *key, const char *token, int64_t now, int64_t *id, char *fp)
{
	struct reset_token_claims c;
	int rc = reset_token_verify(key, strlen(key), token, now, &c);

	if (rc == RESET_TOKEN_OK) {
		*id = c.user_id;
		memcpy(fp, c.fp, sizeof(c.fp));
	}
	return rc;
}

static char *mint_with(jwt_alg_t alg, const char *key, const char *claims_json)
{
	jwt_t *j = NULL;
	char *t = NULL;

	if (jwt_new(&j) == 0 && jwt_add_grants_json(j, claims_json) == 0 &&
	    jwt_set_alg(j, alg, key ? (const unsigned char *)key : NULL,
	                key ? (int)strlen(key) : 0) == 0)
		t = jwt_encode_str(j);
	jwt_free(j);
	return t;
}

/* A token for one purpose is refused for the other; bad claim names are refused. */
static void other_purposes(void)
{
	struct reset_token_claims c;
	char fp[RESET_FP_LEN + 1], reset_fp[RESET_FP_LEN + 1];
	char *confirm, *reset;

	reset_token_fingerprint_as("confirm-fingerprint", KEY, strlen(KEY), "a@x\n$argon2id$h", fp);
	reset_token_fingerprint(KEY, strlen(KEY), "a@x\n$argon2id$h", reset_fp);
	CHECK(strcmp(fp, reset_fp) != 0); /* the purpose keys the MAC */
	confirm = reset_token_mint_as("confirm_email", KEY, strlen(KEY), 7, fp, NOW + 60);
	reset = reset_token_mint(KEY, strlen(KEY), 7, fp, NOW + 60);
	CHECK(confirm && reset);
	CHECK_INT(reset_token_verify_as("confirm_email", KEY, strlen(KEY), confirm, NOW, &c),
	          RESET_TOKEN_OK);
	CHECK_INT(c.user_id, 7);
	CHECK_STR(c.fp, fp);
	CHECK_INT(reset_token_verify_as("confirm_email", KEY, strlen(KEY), confirm, NOW + 60, &c),
	          RESET_TOKEN_EXPIRED);
	CHECK_INT(reset_token_verify(KEY, strlen(KEY), confirm, NOW, &c), RESET_TOKEN_INVALID);
	CHECK_INT(reset_token_verify_as("confirm_email", KEY, strlen(KEY), reset, NOW, &c),
	          RESET_TOKEN_INVALID);
	CHECK_INT(reset_token_verify_as("reset_password", KEY, strlen(KEY), reset, NOW, &c),
	          RESET_TOKEN_OK);
	static const char *const bad_claims[] = { "",     "Confirm",
		                                  "a\"b", "exp-x",
		                                  "a b",  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
	for (size_t i = 0; i < sizeof(bad_claims) / sizeof(bad_claims[0]); i++) {
		CHECK_ROW(reset_token_mint_as(bad_claims[i], KEY, strlen(KEY), 7, fp, NOW + 60) ==
		              NULL,
		          bad_claims[i]);
		CHECK_ROW(reset_token_verify_as(bad_claims[i], KEY, strlen(KEY), confirm, NOW,
		                                &c) == RESET_TOKEN_INVALID,
		          bad_claims[i]);
	}
	free(confirm);
	free(reset);
}

int main(void)
{
	char fp[RESET_FP_LEN + 1], got_fp[RESET_FP_LEN + 1];
	int64_t id = 0;
	char *t, *bad;

	reset_token_fingerprint(KEY, strlen(KEY), "$argon2id$hash", fp);
	CHECK_INT(strlen(fp), RESET_FP_LEN);
	t = reset_token_mint(KEY, strlen(KEY), 42, fp, NOW + 600);
	CHECK(t != NULL);
	CHECK_INT(verify(KEY, t, NOW, &id, got_fp), RESET_TOKEN_OK);
	CHECK_INT(id, 42);
	CHECK_STR(got_fp, fp);
	CHECK_INT(verify(KEY, t, NOW + 600, &id, got_fp), RESET_TOKEN_EXPIRED);
	CHECK_INT(verify("another key another key another k", t, NOW, &id, got_fp),
	          RESET_TOKEN_INVALID);
	{ /* libjwt reads the token minted by hand: HS256, typ JWT, the three claims */
		jwt_t *j = NULL;

		CHECK(strncmp(t, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.", 37) == 0);
		CHECK_INT(jwt_decode(&j, t, (const unsigned char *)KEY, (int)strlen(KEY)), 0);
		CHECK(j && jwt_get_alg(j) == JWT_ALG_HS256);
		CHECK_INT(jwt_get_grant_int(j, "reset_password"), 42);
		CHECK_INT(jwt_get_grant_int(j, "exp"), NOW + 600);
		CHECK_STR(jwt_get_grant(j, "fp"), fp);
		CHECK_STR(jwt_get_header(j, "typ"), "JWT");
		jwt_free(j);
	}
	bad = reset_token_mint(KEY, strlen(KEY), 42, "a\"b", NOW + 600); /* not a fingerprint */
	CHECK(bad == NULL);
	CHECK(reset_token_mint(KEY, strlen(KEY), 42, "", NOW + 600) == NULL);
	t[strlen(t) - 2] ^= 1; /* a changed signature */
	CHECK_INT(verify(KEY, t, NOW, &id, got_fp), RESET_TOKEN_INVALID);
	free(t);

	bad = mint_with(JWT_ALG_NONE, NULL, "{\"reset_password\":42,\"exp\":1732400600}");
	CHECK(bad && verify(KEY, bad, NOW, &id, got_fp) == RESET_TOKEN_INVALID);
	free(bad);
	bad = mint_with(JWT_ALG_HS512, KEY, "{\"reset_password\":42,\"exp\":1732400600}");
	CHECK(bad && verify(KEY, bad, NOW, &id, got_fp) == RESET_TOKEN_INVALID);
	free(bad);
	bad = mint_with(JWT_ALG_HS256, KEY, "{\"reset_password\":42,\"exp\":1732400600.5}");
	CHECK(bad && verify(KEY, bad, NOW, &id, got_fp) == RESET_TOKEN_OK); /* a real exp */
	free(bad);
	bad = mint_with(JWT_ALG_HS256, KEY, "{\"reset_password\":42}");
	CHECK(bad && verify(KEY, bad, NOW, &id, got_fp) == RESET_TOKEN_INVALID);
	free(bad);
	bad = mint_with(JWT_ALG_HS256, KEY, "{\"reset_password\":\"42\",\"exp\":1732400600}");
	CHECK(bad && verify(KEY, bad, NOW, &id, got_fp) == RESET_TOKEN_INVALID);
	free(bad);
	bad = mint_with(JWT_ALG_HS256, KEY, "{\"reset_password\":0,\"exp\":1732400600}");
	CHECK(bad && verify(KEY, bad, NOW, &id, got_fp) == RESET_TOKEN_INVALID);
	free(bad);
	CHECK_INT(verify(KEY, "", NOW, &id, got_fp), RESET_TOKEN_INVALID);
	CHECK_INT(verify(KEY, "a.b.c", NOW, &id, got_fp), RESET_TOKEN_INVALID);
	{
		struct reset_token_claims c;

		CHECK_INT(reset_token_verify(KEY, 0, "a.b.c", NOW, &c), RESET_TOKEN_INVALID);
	}
	other_purposes();
	return check_summary();
}
