/* queue_fate: what became of a job the mailer took — the one spelling of the
 * names used as mail:stats fields, as the `outcome` label of
 * mailer_jobs_total, and by mailctl stats. */
#ifndef COMMON_QUEUE_FATE_H
#define COMMON_QUEUE_FATE_H

enum queue_fate {
	QUEUE_FATE_SENT,      /* delivered (to every recipient still due) */
	QUEUE_FATE_RETRIED,   /* a transient failure: into the retry set, one attempt charged */
	QUEUE_FATE_DEAD,      /* given up: a dead letter */
	QUEUE_FATE_INVALID,   /* not a valid job: a dead letter */
	QUEUE_FATE_DUPLICATE, /* its id was delivered already: dropped */
	QUEUE_FATE_DEFERRED,  /* not_before, or its id in flight elsewhere: later, no attempt */
	QUEUE_FATE_REQUEUED,  /* the relay was down: back to the queue, no attempt */
	QUEUE_FATE_COUNT
};

/* "sent", "retried", ...; never NULL for a valid fate. */
const char *queue_fate_name(enum queue_fate fate);

#endif
