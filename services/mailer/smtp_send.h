/* smtp_send: one SMTP transaction over libcurl — plain, STARTTLS
 * (MAIL_USE_TLS), implicit TLS (MAIL_USE_SSL), AUTH, certificates always
 * verified. One struct smtp_sender per delivery thread: its curl handle keeps
 * the connection open across messages. Ownership: smtp_sender_new() gives a
 * sender that smtp_sender_free() frees. */
#ifndef MAILER_SMTP_SEND_H
#define MAILER_SMTP_SEND_H

#include <stddef.h>

#include "mail_job.h"
#include "settings.h"
#include "smtp_outcome.h"

struct smtp_sender;

struct smtp_sender *smtp_sender_new(const struct settings *settings);
void smtp_sender_free(struct smtp_sender **sender);

/* Sends message to every address of to, cc and bcc, from envelope_from.
 * Recipients the server refuses while others are accepted do not fail the
 * send. Fills out. */
void smtp_send(struct smtp_sender *sender, const char *envelope_from, const struct mail_job *job,
               const char *message, size_t len, struct smtp_outcome *out);

/* How many new connections the last smtp_send() opened: 0 when it reused the
 * open one (curl's CURLINFO_NUM_CONNECTS). */
long smtp_sender_last_connects(const struct smtp_sender *sender);

#endif
