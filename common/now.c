#include "now.h"

#include <time.h>

static int64_t now_ms_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t (*now_ms_fn)(void) = now_ms_real;

int64_t now_ms(void)
{
	return now_ms_fn();
}

int64_t now_s(void)
{
	return now_ms_fn() / 1000;
}

int64_t now_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
