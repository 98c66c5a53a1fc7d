#include "password.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

static char dummy_hash[PASSWORD_HASH_LEN];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static struct password_cost dummy_cost;

int password_hash(const struct password_cost *cost, const char *password, size_t len,
                  char out[PASSWORD_HASH_LEN])
{
	return crypto_pwhash_str(out, password, len, cost->opslimit, cost->memlimit) == 0 ? 0 : -1;
}

bool password_verify(const char *hash, const char *password, size_t len)
{
	char copy[crypto_pwhash_STRBYTES] = { 0 }; /* libsodium reads the whole array */

	if (strlen(hash) >= sizeof(copy))
		return false;
	memcpy(copy, hash, strlen(hash));
	return crypto_pwhash_str_verify(copy, password, len) == 0;
}

bool password_needs_rehash(const struct password_cost *cost, const char *hash)
{
	char copy[crypto_pwhash_STRBYTES] = { 0 };

	if (strlen(hash) >= sizeof(copy))
		return true;
	memcpy(copy, hash, strlen(hash));
	return crypto_pwhash_str_needs_rehash(copy, cost->opslimit, cost->memlimit) != 0;
}

static void make_dummy(void)
{
	if (password_hash(&dummy_cost, "dummy password", 14, dummy_hash) != 0)
		dummy_hash[0] = '\0';
}

void password_verify_dummy(const struct password_cost *cost, const char *password, size_t len)
{
	dummy_cost = *cost;
	pthread_once(&dummy_once, make_dummy);
	(void)password_verify(dummy_hash, password, len);
}
