#include "queue_fate.h"

static const char *const names[QUEUE_FATE_COUNT] = {
	[QUEUE_FATE_SENT] = "sent",           [QUEUE_FATE_RETRIED] = "retried",
	[QUEUE_FATE_DEAD] = "dead",           [QUEUE_FATE_INVALID] = "invalid",
	[QUEUE_FATE_DUPLICATE] = "duplicate", [QUEUE_FATE_DEFERRED] = "deferred",
	[QUEUE_FATE_REQUEUED] = "requeued",
};

const char *queue_fate_name(enum queue_fate fate)
{
	return (unsigned)fate < QUEUE_FATE_COUNT ? names[fate] : "unknown";
}
