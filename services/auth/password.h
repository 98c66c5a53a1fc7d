/* password: argon2id hashes (libsodium), with the cost from the settings.
 * The password is untrusted input of at most PASSWORD_MAX bytes. */
#ifndef AUTH_PASSWORD_H
#define AUTH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define PASSWORD_MIN      8
#define PASSWORD_MAX      1024
#define PASSWORD_HASH_LEN 128 /* crypto_pwhash_STRBYTES */

struct password_cost {
	unsigned long long opslimit;
	size_t memlimit; /* bytes */
};

/* Writes "$argon2id$…" into out. Returns 0, or -1 (out of memory). */
int password_hash(const struct password_cost *cost, const char *password, size_t len,
                  char out[PASSWORD_HASH_LEN]);

/* True when password matches hash. A malformed hash never matches. */
bool password_verify(const char *hash, const char *password, size_t len);

/* True when hash was made with another cost than cost: rehash after login. */
bool password_needs_rehash(const struct password_cost *cost, const char *hash);

/* Spends the time of one verification, for unknown users (no enumeration). */
void password_verify_dummy(const struct password_cost *cost, const char *password, size_t len);

#endif
