/* reset_token: password-reset JWTs (HS256, libjwt 1.10).
 *
 * Payload {"reset_password": <user id>, "exp": <unix time>, "fp": <fingerprint>}.
 * The fingerprint is a MAC of the user's current password hash, so a token
 * dies as soon as the password changes (single use). Tokens of the Python
 * original carry no fingerprint; the caller makes those single-use too.
 * The verifier accepts HS256 only, reads exp as an integer or a real (the Python original writes a
 * real) and checks it itself: libjwt 1.10 does not. Tokens are untrusted. */
#ifndef AUTH_RESET_TOKEN_H
#define AUTH_RESET_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define RESET_TOKEN_MAX 2048 /* longer path segments are refused unread */
#define RESET_FP_LEN    22

enum reset_token_status {
	RESET_TOKEN_OK = 0,
	RESET_TOKEN_INVALID = -1, /* malformed, bad signature, wrong algorithm, bad claims */
	RESET_TOKEN_EXPIRED = -2,
};

/* The fingerprint of a password hash, NUL-terminated into out. */
void reset_token_fingerprint(const char *secret, size_t secret_len, const char *password_hash,
                             char out[RESET_FP_LEN + 1]);

/* The same tokens for another purpose: claim names the id ("confirm_email"
 * instead of "reset_password"; lower-case letters and '_', at most 32), so a
 * token minted for one purpose is refused for another, and purpose keys the
 * fingerprint's MAC. The reset_token_* functions are these with
 * "reset_password" and "reset-fingerprint". */
void reset_token_fingerprint_as(const char *purpose, const char *secret, size_t secret_len,
                                const char *text, char out[RESET_FP_LEN + 1]);
char *reset_token_mint_as(const char *claim, const char *secret, size_t secret_len, int64_t user_id,
                          const char *fingerprint, int64_t expires_at);

/* A signed token; free() it. NULL when out of memory, or when fingerprint is
 * not one of reset_token_fingerprint's. */
char *reset_token_mint(const char *secret, size_t secret_len, int64_t user_id,
                       const char *fingerprint, int64_t expires_at);

struct reset_token_claims {
	int64_t user_id;
	double exp;                /* unix seconds, maybe with a fraction */
	char fp[RESET_FP_LEN + 1]; /* "" for a token of the Python original */
};

/* Checks signature, algorithm and expiry (against now). On RESET_TOKEN_OK
 * fills claims. Whether the token is still unused is the caller's check. */
int reset_token_verify(const char *secret, size_t secret_len, const char *token, int64_t now,
                       struct reset_token_claims *claims);
int reset_token_verify_as(const char *claim, const char *secret, size_t secret_len,
                          const char *token, int64_t now, struct reset_token_claims *claims);

#endif
