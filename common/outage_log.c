#include "outage_log.h"

#include "logger.h"
#include "now.h"

void outage_log_init(struct outage_log *o, const char *what)
{
	pthread_mutex_init(&o->lock, NULL);
	o->what = what;
	o->down = false;
	o->since_ms = o->last_line_ms = 0;
}

void outage_log_release(struct outage_log *o)
{
	pthread_mutex_destroy(&o->lock);
}

void outage_log_failed(struct outage_log *o, const char *error)
{
	int64_t now = now_mono_ms();

	pthread_mutex_lock(&o->lock);
	if (!o->down) {
		o->down = true;
		o->since_ms = o->last_line_ms = now;
		LOG_WARN(o->what, "%s unavailable error=\"%s\"", o->what, error);
	} else if (now - o->last_line_ms >= OUTAGE_REMINDER_MS) {
		o->last_line_ms = now;
		LOG_WARN(o->what, "%s still unavailable for_s=%lld error=\"%s\"", o->what,
		         (long long)((now - o->since_ms) / 1000), error);
	}
	pthread_mutex_unlock(&o->lock);
}

void outage_log_ok(struct outage_log *o)
{
	pthread_mutex_lock(&o->lock);
	if (o->down) {
		o->down = false;
		LOG_INFO(o->what, "%s available again after_ms=%lld", o->what,
		         (long long)(now_mono_ms() - o->since_ms));
	}
	pthread_mutex_unlock(&o->lock);
}
