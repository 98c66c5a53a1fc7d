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

void smtp_outcome_classify(CURLcode rc, long code, const char *detail, struct smtp_outcome *out)
{
	const char *text = detail && detail[0] ? detail : curl_easy_strerror(rc);

	out->refused[0] = '\0';

	if (rc == CURLE_OK) {
		out->kind = SMTP_SENT;
		snprintf(out->reason, sizeof(out->reason), "sent");
		return;
	}
	if (rc == CURLE_LOGIN_DENIED) {
		/* the mailer's credentials, not the message: retried until fixed */
		out->kind = SMTP_RETRY;
		snprintf(out->reason, sizeof(out->reason), "auth: smtp %ld: %s", code, text);
		return;
	}
	if (code >= 400 && code < 600) {
		out->kind = code >= 500 ? SMTP_PERMANENT : SMTP_RETRY;
		/* the server's own line ("550 5.1.1 user unknown") says the most */
		if (strtol(text, NULL, 10) == code)
			snprintf(out->reason, sizeof(out->reason), "smtp %s", text);
		else
			snprintf(out->reason, sizeof(out->reason), "smtp %ld: %s", code, text);
		return;
	}
	/* no 4xx/5xx reply: the connection, TLS or a timeout failed — all transient,
	 * including a certificate that does not verify (never sent unverified) */
	out->kind = SMTP_RETRY;
	snprintf(out->reason, sizeof(out->reason), "%s: %s", transport_kind(rc), text);
}
