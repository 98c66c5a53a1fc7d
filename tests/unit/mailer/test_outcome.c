/* smtp_outcome and the backoff: each row one classification rule. */
#include <stdbool.h>
#include <string.h>

#include "check.h"
#include "deliver.h"
#include "smtp_outcome.h"

struct row {
	CURLcode rc;
	long code;
	bool mail_sent; /* the transaction had begun: MAIL FROM went out */
	enum smtp_outcome_kind want;
	const char *reason_prefix;
};

static const struct row rows[] = {
	{ CURLE_OK, 250, true, SMTP_SENT, "sent" },
	{ CURLE_SEND_ERROR, 550, true, SMTP_PERMANENT, "smtp 550" },
	{ CURLE_SEND_ERROR, 554, true, SMTP_PERMANENT, "smtp 554" },
	{ CURLE_WEIRD_SERVER_REPLY, 451, true, SMTP_RETRY, "smtp 451" },
	{ CURLE_SEND_ERROR, 452, true, SMTP_RETRY, "smtp 452" },
	{ CURLE_OPERATION_TIMEDOUT, 0, true, SMTP_RETRY, "timeout" },
	{ CURLE_RECV_ERROR, 0, true, SMTP_RETRY, "network" },
	{ CURLE_GOT_NOTHING, 250, true, SMTP_RETRY, "network" },
	/* 421 at any point: the relay, not the message */
	{ CURLE_SEND_ERROR, 421, true, SMTP_RELAY_DOWN, "smtp 421" },
	/* before MAIL FROM every failure is the relay's */
	{ CURLE_COULDNT_CONNECT, 0, false, SMTP_RELAY_DOWN, "connect" },
	{ CURLE_OPERATION_TIMEDOUT, 0, false, SMTP_RELAY_DOWN, "timeout" },
	{ CURLE_PEER_FAILED_VERIFICATION, 220, false, SMTP_RELAY_DOWN, "tls" },
	{ CURLE_USE_SSL_FAILED, 0, false, SMTP_RELAY_DOWN, "tls" },
	{ CURLE_WEIRD_SERVER_REPLY, 421, false, SMTP_RELAY_DOWN, "smtp 421" },
	{ CURLE_WEIRD_SERVER_REPLY, 554, false, SMTP_RELAY_DOWN, "smtp 554" },
	{ CURLE_LOGIN_DENIED, 535, false, SMTP_RELAY_DOWN, "auth: smtp 535" },
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

		struct smtp_transfer t = { rows[i].rc, rows[i].code, "detail", rows[i].mail_sent };

		smtp_outcome_classify(&t, &o);
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
