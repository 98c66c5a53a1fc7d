/* smtp_outcome and the backoff: each row one classification rule. */
#include <string.h>

#include "check.h"
#include "deliver.h"
#include "smtp_outcome.h"

struct row {
	CURLcode rc;
	long code;
	enum smtp_outcome_kind want;
	const char *reason_prefix;
};

static const struct row rows[] = {
	{ CURLE_OK, 250, SMTP_SENT, "sent" },
	{ CURLE_SEND_ERROR, 550, SMTP_PERMANENT, "smtp 550" },
	{ CURLE_SEND_ERROR, 554, SMTP_PERMANENT, "smtp 554" },
	{ CURLE_WEIRD_SERVER_REPLY, 451, SMTP_RETRY, "smtp 451" },
	{ CURLE_SEND_ERROR, 452, SMTP_RETRY, "smtp 452" },
	{ CURLE_COULDNT_CONNECT, 0, SMTP_RETRY, "connect" },
	{ CURLE_OPERATION_TIMEDOUT, 0, SMTP_RETRY, "timeout" },
	{ CURLE_PEER_FAILED_VERIFICATION, 220, SMTP_RETRY, "tls" },
	{ CURLE_USE_SSL_FAILED, 0, SMTP_RETRY, "tls" },
	{ CURLE_LOGIN_DENIED, 535, SMTP_RETRY, "auth" },
	{ CURLE_RECV_ERROR, 0, SMTP_RETRY, "network" },
	{ CURLE_GOT_NOTHING, 250, SMTP_RETRY, "network" },
};

static uint32_t top(void)
{
	return UINT32_MAX;
}

int main(void)
{
	struct settings s = { .retry_base_ms = 2000, .retry_max_ms = 60000 };

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct smtp_outcome o;

		smtp_outcome_classify(rows[i].rc, rows[i].code, "detail", &o);
		CHECK_ROW(o.kind == rows[i].want, rows[i].reason_prefix);
		CHECK_ROW(strncmp(o.reason, rows[i].reason_prefix, strlen(rows[i].reason_prefix)) ==
		              0,
		          o.reason);
	}
	/* the ceiling doubles per attempt up to the maximum; jitter stays under it */
	CHECK_INT(deliver_backoff_ms(&s, 1, top), 2000);
	CHECK_INT(deliver_backoff_ms(&s, 2, top), 4000);
	CHECK_INT(deliver_backoff_ms(&s, 5, top), 32000);
	CHECK_INT(deliver_backoff_ms(&s, 6, top), 60000);
	CHECK_INT(deliver_backoff_ms(&s, 500, top), 60000);
	for (int i = 0; i < 1000; i++) {
		int64_t d = deliver_backoff_ms(&s, 3, NULL);

		CHECK(d >= 0 && d <= 8000);
	}
	return check_summary();
}
