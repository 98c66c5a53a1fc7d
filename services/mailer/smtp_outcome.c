#include "smtp_outcome.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *transport_kind(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return "timeout";
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
		return "connect";
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_USE_SSL_FAILED:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		return "tls";
	case CURLE_LOGIN_DENIED:
		return "auth";
	default:
		return "network";
	}
}

/* "smtp 550 5.1.1 user unknown": the server's own line says the most. */
static void reply_reason(char *out, size_t n, const char *prefix, long code, const char *text)
{
	if (strtol(text, NULL, 10) == code)
		snprintf(out, n, "%ssmtp %s", prefix, text);
	else
		snprintf(out, n, "%ssmtp %ld: %s", prefix, code, text);
}

void smtp_outcome_classify(const struct smtp_transfer *t, struct smtp_outcome *out)
{
	const char *text = t->detail && t->detail[0] ? t->detail : curl_easy_strerror(t->rc);
	bool replied = t->code >= 400 && t->code < 600;

	if (t->rc == CURLE_OK) {
		out->kind = SMTP_SENT;
		snprintf(out->reason, sizeof(out->reason), "sent");
		return;
	}
	if (t->rc == CURLE_LOGIN_DENIED || !t->mail_sent || t->code == 421) {
		out->kind = SMTP_RELAY_DOWN;
		if (t->rc == CURLE_LOGIN_DENIED)
			reply_reason(out->reason, sizeof(out->reason), "auth: ", t->code, text);
		else if (replied)
			reply_reason(out->reason, sizeof(out->reason), "", t->code, text);
		else
			snprintf(out->reason, sizeof(out->reason), "%s: %s", transport_kind(t->rc),
			         text);
		return;
	}
	if (replied) {
		out->kind = t->code >= 500 ? SMTP_PERMANENT : SMTP_RETRY;
		reply_reason(out->reason, sizeof(out->reason), "", t->code, text);
		return;
	}
	/* no 4xx/5xx reply mid-transaction: the connection or a timeout failed */
	out->kind = SMTP_RETRY;
	snprintf(out->reason, sizeof(out->reason), "%s: %s", transport_kind(t->rc), text);
}
