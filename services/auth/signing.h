/* signing: random tokens and HMAC-SHA256 signatures keyed by SECRET_KEY,
 * for session cookies, CSRF tokens and the flash cookie. */
#ifndef AUTH_SIGNING_H
#define AUTH_SIGNING_H

#include <stdbool.h>
#include <stddef.h>

#define SIGNING_TOKEN_LEN 43 /* 32 random bytes, base64url without padding */
#define SIGNING_MAC_LEN   43

/* 32 random bytes as base64url: out has SIGNING_TOKEN_LEN + 1 bytes. */
void signing_token_new(char out[SIGNING_TOKEN_LEN + 1]);

/* base64url(HMAC-SHA256(key, purpose || 0 || data)) into out. */
void signing_mac(const char *key, size_t key_len, const char *purpose, const char *data,
                 size_t data_len, char out[SIGNING_MAC_LEN + 1]);

/* Constant-time check of a MAC given by a client (untrusted). */
bool signing_mac_ok(const char *key, size_t key_len, const char *purpose, const char *data,
                    size_t data_len, const char *mac, size_t mac_len);

/* HMAC-SHA256(key, data) into out. */
void signing_hmac(const char *key, size_t key_len, const void *data, size_t data_len,
                  unsigned char out[32]);

/* SHA-256 of data. */
void signing_sha256(const void *data, size_t len, unsigned char out[32]);

#endif
