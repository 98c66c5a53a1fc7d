/* smtp_outcome: what one delivery attempt means for its job. The one place
 * that turns a CURLcode and the SMTP reply code into SENT / RETRY / PERMANENT
 * with a reason a person can act on (msmtp's smtp_exitcode). */
#ifndef MAILER_SMTP_OUTCOME_H
#define MAILER_SMTP_OUTCOME_H

#include <curl/curl.h>

enum smtp_outcome_kind { SMTP_SENT, SMTP_RETRY, SMTP_PERMANENT };

struct smtp_outcome {
	enum smtp_outcome_kind kind;
	char reason[300];  /* "smtp 550 5.1.1 user unknown", "tls: …", "timeout: …" */
	char refused[400]; /* SENT to some: the refused ones, "addr (550 …), …"; or "" */
};

/* rc: curl's result; code: the last SMTP reply code (0 when none); detail:
 * the server's reply line when there was one, else curl's error buffer. 4xx and transport/TLS failures retry,
 * 5xx replies are permanent. */
void smtp_outcome_classify(CURLcode rc, long code, const char *detail, struct smtp_outcome *out);

#endif
