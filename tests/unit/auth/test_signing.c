/* signing: MACs are HMAC-SHA256(key, purpose || 0 || data), whichever keys a
 * thread alternates between (each thread keeps the state of its last key),
 * for short, block-sized and long keys; a changed MAC is refused. */
#include <sodium.h>
#include <string.h>

#include "check.h"
#include "signing.h"

/* The MAC computed from scratch, without signing's kept key state. */
static void reference(const char *key, size_t key_len, const char *purpose, const char *data,
                      char out[SIGNING_MAC_LEN + 1])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, key_len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)purpose, strlen(purpose) + 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)data, strlen(data));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(out, SIGNING_MAC_LEN + 1, mac, sizeof(mac),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int main(void)
{
	static char big[2000];
	const char *data = "Qm9keSBvZiBhIGZsYXNo";
	char got[SIGNING_MAC_LEN + 1], want[SIGNING_MAC_LEN + 1];
	struct {
		const char *key;
		size_t len;
	} keys[] = {
		{ "0123456789abcdef0123456789abcdef", 32 },
		{ "another-secret-key-of-the-same-app-or-a-test", 44 },
		{ big, 64 },   /* one SHA-256 block */
		{ big, 65 },   /* hashed first by HMAC */
		{ big, 512 },  /* the longest kept */
		{ big, 513 },  /* not kept */
		{ big, 2000 }, /* not kept */
	};
	size_t n = sizeof(keys) / sizeof(keys[0]);

	if (sodium_init() < 0)
		return 1;
	memset(big, 'k', sizeof(big));
	/* twice round, so each key follows a different one and itself */
	for (size_t round = 0; round < 2 * n; round++) {
		size_t i = round % n;

		for (int again = 0; again < 2; again++) {
			signing_mac(keys[i].key, keys[i].len, "csrf", data, strlen(data), got);
			reference(keys[i].key, keys[i].len, "csrf", data, want);
			CHECK_STR(got, want);
			CHECK(signing_mac_ok(keys[i].key, keys[i].len, "csrf", data, strlen(data),
			                     want, SIGNING_MAC_LEN));
		}
	}
	/* one byte of the key changed in place: a new MAC, not the kept state's */
	signing_mac(keys[2].key, keys[2].len, "flash", data, strlen(data), got);
	big[10] = 'K';
	signing_mac(keys[2].key, keys[2].len, "flash", data, strlen(data), want);
	CHECK(strcmp(got, want) != 0);
	reference(keys[2].key, keys[2].len, "flash", data, got);
	CHECK_STR(got, want);
	/* the purpose separates: a CSRF MAC is no flash MAC */
	signing_mac(keys[0].key, keys[0].len, "csrf", data, strlen(data), got);
	CHECK(!signing_mac_ok(keys[0].key, keys[0].len, "flash", data, strlen(data), got,
	                      SIGNING_MAC_LEN));
	got[0] = got[0] == 'A' ? 'B' : 'A';
	CHECK(!signing_mac_ok(keys[0].key, keys[0].len, "csrf", data, strlen(data), got,
	                      SIGNING_MAC_LEN));
	return check_summary();
}
