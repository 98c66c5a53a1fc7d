/* hash_cost: the raw cost of auth's password hash on this machine — argon2id
 * at auth's default cost (AUTH_ARGON2_OPSLIMIT 2, AUTH_ARGON2_MEMLIMIT_KIB
 * 19456), outside any server. bench/run sets POST /login's hashes/s beside it.
 *
 *   hash_cost THREADS SECONDS [OPSLIMIT MEMLIMIT_KIB]
 *
 * Hashes on THREADS threads for SECONDS and prints one JSON line:
 * {"threads":N,"hashes":H,"seconds":S,"hashes_per_s":R,"ms_per_hash":M}. */
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "str.h"

#define THREADS_MAX 64

struct cost {
	unsigned long long opslimit;
	size_t memlimit;
	double until;
	atomic_long hashes;
	atomic_long failures;
};

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *hash_loop(void *arg)
{
	struct cost *c = arg;
	char out[crypto_pwhash_STRBYTES];
	static const char password[] = "bench password";

	while (mono_s() < c->until) {
		if (crypto_pwhash_str(out, password, sizeof(password) - 1, c->opslimit,
		                      c->memlimit) == 0)
			atomic_fetch_add(&c->hashes, 1);
		else
			atomic_fetch_add(&c->failures, 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long long threads, seconds, ops = 2, mem_kib = 19456;
	pthread_t tid[THREADS_MAX];
	struct cost c = { 0 };
	double start, elapsed;
	long n;

	if ((argc != 3 && argc != 5) || text_parse_ll(argv[1], 1, THREADS_MAX, &threads) != 0 ||
	    text_parse_ll(argv[2], 1, 600, &seconds) != 0 ||
	    (argc == 5 && (text_parse_ll(argv[3], 1, 10, &ops) != 0 ||
	                   text_parse_ll(argv[4], 8, 4194304, &mem_kib) != 0))) {
		fprintf(stderr, "usage: hash_cost THREADS SECONDS [OPSLIMIT MEMLIMIT_KIB]\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	c.opslimit = (unsigned long long)ops;
	c.memlimit = (size_t)mem_kib * 1024;
	start = mono_s();
	c.until = start + (double)seconds;
	for (long long i = 0; i < threads; i++)
		if (pthread_create(&tid[i], NULL, hash_loop, &c) != 0)
			return 1;
	for (long long i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	elapsed = mono_s() - start;
	n = atomic_load(&c.hashes);
	printf("{\"threads\":%lld,\"hashes\":%ld,\"failures\":%ld,\"seconds\":%.3f,"
	       "\"hashes_per_s\":%.2f,\"ms_per_hash\":%.2f}\n",
	       threads, n, atomic_load(&c.failures), elapsed, (double)n / elapsed,
	       n ? elapsed * 1000.0 * (double)threads / (double)n : 0.0);
	return atomic_load(&c.failures) ? 1 : 0;
}
