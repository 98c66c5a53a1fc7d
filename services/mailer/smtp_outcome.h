/* smtp_outcome: what one delivery attempt means for its job. The one place
 * that turns what a transfer saw (CURLcode, the SMTP reply code, whether the
 * transaction had begun) into SENT / RETRY / PERMANENT / RELAY_DOWN with a
 * reason a person can act on (msmtp's smtp_exitcode). */
#ifndef MAILER_SMTP_OUTCOME_H
#define MAILER_SMTP_OUTCOME_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "mail_job.h"

enum smtp_outcome_kind {
	SMTP_SENT,         /* the relay took the message; per recipient in rcpt[] */
	SMTP_NO_RECIPIENT, /* every recipient refused; per recipient in rcpt[] */
	SMTP_RETRY,        /* this message failed for now: retry, one attempt charged */
	SMTP_PERMANENT,    /* this message was refused for good */
	SMTP_RELAY_DOWN,   /* the relay itself failed: no attempt charged, pause */
};

enum smtp_rcpt_state {
	SMTP_RCPT_UNANSWERED, /* no reply to its RCPT (the transaction stopped before) */
	SMTP_RCPT_ACCEPTED,
	SMTP_RCPT_RETRY,   /* a 4xx reply */
	SMTP_RCPT_REFUSED, /* a 5xx reply */
};

#define SMTP_RCPT_MAX (3 * MAIL_JOB_MAX_RECIPIENTS)

struct smtp_rcpt {
	const char *addr; /* borrowed from the job */
	enum smtp_rcpt_state state;
	char reply[120]; /* the server's line for a refusal, printable ASCII */
};

struct smtp_outcome {
	enum smtp_outcome_kind kind;
	char reason[300]; /* "smtp 550 5.1.1 user unknown", "tls: …", "timeout: …" */
	size_t n_rcpt;    /* the envelope's recipients, in RCPT order */
	struct smtp_rcpt rcpt[SMTP_RCPT_MAX];
};

/* What one curl transfer saw. */
struct smtp_transfer {
	CURLcode rc;
	long code;          /* the last SMTP reply code, 0 when none */
	const char *detail; /* the server's last 4xx/5xx line, else curl's error text */
	bool mail_sent;     /* MAIL FROM went out: the relay had accepted us */
};

/* Sets out->kind and out->reason (leaves rcpt alone). Before MAIL FROM, any
 * failure is the relay's (refused, timed out, TLS, greeting, AUTH 535), and so
 * is a 421 at any point; after it, 4xx and transport failures retry, 5xx
 * replies are permanent. */
void smtp_outcome_classify(const struct smtp_transfer *t, struct smtp_outcome *out);

#endif
