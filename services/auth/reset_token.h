/* reset_token: password-reset JWTs (HS256, libjwt 1.10).
 *
 * Payload {"reset_password": <user id>, "exp": <unix time>, "fp": <fingerprint>}.
 * The fingerprint is a MAC of the user's current password hash, so a token
 * dies as soon as the password changes (single use). The verifier accepts
 * HS256 only, reads exp as an integer or a real (the Python original writes a
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

/* A signed token; free() it. NULL when out of memory. */
char *reset_token_mint(const char *secret, size_t secret_len, int64_t user_id,
                       const char *fingerprint, int64_t expires_at);

/* Checks signature, algorithm and expiry (against now). On RESET_TOKEN_OK sets
 * *user_id and copies the fingerprint (empty when absent) into fp. */
int reset_token_verify(const char *secret, size_t secret_len, const char *token, int64_t now,
                       int64_t *user_id, char fp[RESET_FP_LEN + 1]);

#endif
