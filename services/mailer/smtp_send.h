/* smtp_send: one SMTP transaction over libcurl — plain, STARTTLS
 * (MAIL_USE_TLS), implicit TLS (MAIL_USE_SSL), AUTH, certificates always
 * verified. One struct smtp_sender per delivery thread: its curl handle keeps
 * the connection open across messages, until anything goes wrong on it; then
 * the connection is closed for good (a late reply must never be read as the
 * answer to the next command). Every wait for a reply, QUIT included, is
 * bounded by MAIL_TIMEOUT_MS. Ownership: smtp_sender_new() gives a sender
 * that smtp_sender_free() frees. */
#ifndef MAILER_SMTP_SEND_H
#define MAILER_SMTP_SEND_H

#include <stddef.h>

#include "mail_job.h"
#include "settings.h"
#include "smtp_outcome.h"

struct smtp_sender;

/* NULL when out of memory. */
struct smtp_sender *smtp_sender_new(const struct settings *settings);

/* Closes the kept connection (QUIT bounded by quit_timeout_s) and frees. */
void smtp_sender_free(struct smtp_sender **sender, long quit_timeout_s);

/* Sends message to every address of to, cc and bcc not in job->rcpt_done,
 * from envelope_from. Each recipient's answer is reported in out->rcpt. A 421
 * on a kept connection is tried once more on a fresh one. Fills out. */
void smtp_send(struct smtp_sender *sender, const char *envelope_from, const struct mail_job *job,
               const char *message, size_t len, struct smtp_outcome *out);

/* Asks the relay whether it would take mail: connect, greeting, EHLO,
 * STARTTLS and AUTH as configured, then QUIT. Returns 0 when it would, else
 * -1 with why filled. */
int smtp_probe(struct smtp_sender *sender, char *why, size_t why_len);

/* How many new connections the last smtp_send() opened (curl's
 * CURLINFO_NUM_CONNECTS of its transfers): 0 when it reused the open one, 2
 * when it tried once more on a fresh one. */
long smtp_sender_last_connects(const struct smtp_sender *sender);

#endif
