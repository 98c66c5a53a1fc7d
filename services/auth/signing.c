#include "signing.h"

#include <sodium.h>
#include <string.h>

void signing_token_new(char out[SIGNING_TOKEN_LEN + 1])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, SIGNING_TOKEN_LEN + 1, raw, sizeof(raw),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* HMAC's first step hashes the key's two padded blocks, the same for every
 * MAC under one key: each thread keeps that state for the last key it used
 * and starts each MAC from a copy (a reset request makes four, and the token a fifth). */
#define KEYED_STATE_KEY_MAX 512 /* longer keys are not kept: SECRET_KEY is ~64 bytes */

struct keyed_state {
	size_t key_len; /* 0: empty */
	unsigned char key[KEYED_STATE_KEY_MAX];
	crypto_auth_hmacsha256_state st;
};

static _Thread_local struct keyed_state keyed;

static void hmac_start(crypto_auth_hmacsha256_state *st, const char *key, size_t key_len)
{
	if (key_len == 0 || key_len > KEYED_STATE_KEY_MAX) {
		crypto_auth_hmacsha256_init(st, (const unsigned char *)key, key_len);
		return;
	}
	if (keyed.key_len != key_len || memcmp(keyed.key, key, key_len) != 0) {
		crypto_auth_hmacsha256_init(&keyed.st, (const unsigned char *)key, key_len);
		memcpy(keyed.key, key, key_len);
		keyed.key_len = key_len;
	}
	*st = keyed.st;
}

void signing_hmac(const char *key, size_t key_len, const void *data, size_t data_len,
                  unsigned char out[32])
{
	crypto_auth_hmacsha256_state st;

	hmac_start(&st, key, key_len);
	crypto_auth_hmacsha256_update(&st, data, data_len);
	crypto_auth_hmacsha256_final(&st, out);
}

void signing_mac(const char *key, size_t key_len, const char *purpose, const char *data,
                 size_t data_len, char out[SIGNING_MAC_LEN + 1])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	hmac_start(&st, key, key_len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)purpose, strlen(purpose) + 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)data, data_len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(out, SIGNING_MAC_LEN + 1, mac, sizeof(mac),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool signing_mac_ok(const char *key, size_t key_len, const char *purpose, const char *data,
                    size_t data_len, const char *mac, size_t mac_len)
{
	char want[SIGNING_MAC_LEN + 1];

	if (mac_len != SIGNING_MAC_LEN)
		return false;
	signing_mac(key, key_len, purpose, data, data_len, want);
	return sodium_memcmp(want, mac, SIGNING_MAC_LEN) == 0;
}

void signing_sha256(const void *data, size_t len, unsigned char out[32])
{
	crypto_hash_sha256(out, data, len);
}
