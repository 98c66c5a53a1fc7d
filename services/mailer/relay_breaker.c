#include "relay_breaker.h"

#include <errno.h>
#include <time.h>

#include "logger.h"
#include "now.h"

void relay_breaker_init(struct relay_breaker *b, int64_t max_pause_ms)
{
	pthread_condattr_t attr;

	pthread_mutex_init(&b->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&b->changed, &attr);
	pthread_condattr_destroy(&attr);
	b->down = false;
	b->probing = false;
	b->pause_ms = RELAY_PROBE_FIRST_MS;
	b->max_pause_ms = max_pause_ms < RELAY_PROBE_FIRST_MS ? RELAY_PROBE_FIRST_MS : max_pause_ms;
	atomic_store(&b->up, true);
}

void relay_breaker_release(struct relay_breaker *b)
{
	pthread_cond_destroy(&b->changed);
	pthread_mutex_destroy(&b->lock);
}

static void wait_until(struct relay_breaker *b, int64_t mono_ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	{
		int64_t left = mono_ms - now_mono_ms();

		if (left <= 0)
			return;
		ts.tv_sec += left / 1000;
		ts.tv_nsec += (left % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L)
			ts.tv_sec++, ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&b->changed, &b->lock, &ts);
}

enum relay_turn relay_breaker_turn(struct relay_breaker *b, long wait_ms)
{
	enum relay_turn turn = RELAY_GO;
	int64_t give_up = now_mono_ms() + wait_ms;

	pthread_mutex_lock(&b->lock);
	while (b->down) {
		int64_t now = now_mono_ms();

		if (!b->probing && now >= b->next_probe_ms) {
			b->probing = true;
			turn = RELAY_PROBE;
			break;
		}
		if (now >= give_up) {
			turn = RELAY_WAIT;
			break;
		}
		wait_until(b,
		           b->probing || b->next_probe_ms > give_up ? give_up : b->next_probe_ms);
	}
	pthread_mutex_unlock(&b->lock);
	return turn;
}

/* Each pause is twice the last, until a delivery succeeds. */
static void grow(struct relay_breaker *b)
{
	b->pause_ms = b->pause_ms * 2 > b->max_pause_ms ? b->max_pause_ms : b->pause_ms * 2;
}

void relay_breaker_trip(struct relay_breaker *b, const char *why)
{
	pthread_mutex_lock(&b->lock);
	if (!b->down) {
		b->down = true;
		b->next_probe_ms = now_mono_ms() + b->pause_ms;
		atomic_store(&b->up, false);
		LOG_WARN("relay", "relay down, deliveries paused probe_in_ms=%lld error=\"%s\"",
		         (long long)b->pause_ms, why);
		grow(b);
	}
	pthread_mutex_unlock(&b->lock);
}

void relay_breaker_probed(struct relay_breaker *b, bool ok, const char *why)
{
	pthread_mutex_lock(&b->lock);
	b->probing = false;
	if (ok) {
		b->down = false;
		atomic_store(&b->up, true);
		LOG_INFO("relay", "relay up, deliveries resumed");
	} else {
		b->next_probe_ms = now_mono_ms() + b->pause_ms;
		LOG_DEBUG("relay", "probe failed next_in_ms=%lld error=\"%s\"",
		          (long long)b->pause_ms, why);
		grow(b);
	}
	pthread_cond_broadcast(&b->changed);
	pthread_mutex_unlock(&b->lock);
}

void relay_breaker_delivered(struct relay_breaker *b)
{
	pthread_mutex_lock(&b->lock);
	b->pause_ms = RELAY_PROBE_FIRST_MS;
	pthread_mutex_unlock(&b->lock);
}

void relay_breaker_wake_all(struct relay_breaker *b)
{
	pthread_mutex_lock(&b->lock);
	pthread_cond_broadcast(&b->changed);
	pthread_mutex_unlock(&b->lock);
}
