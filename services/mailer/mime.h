/* mime: an RFC 5322 message built by hand, for full control of its bytes.
 *
 * From, To, Cc (never Bcc), Reply-To, Subject (RFC 2047 encoded-words when
 * not ASCII), Date, Message-ID, MIME-Version, the job's X- headers, and one
 * text/plain part, one text/html part, or both in multipart/alternative. Bodies
 * are UTF-8 in quoted-printable; every line ends in CRLF and stays within 78
 * characters (a line-start "." is encoded, so no dot-stuffing is needed).
 * Inputs come from a validated job, but are treated as untrusted. */
#ifndef MAILER_MIME_H
#define MAILER_MIME_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "email_address.h"
#include "mail_job.h"

#define MIME_MAX_BYTES (2 * 1024 * 1024)

struct mime_parts {
	const char *text; /* NULL when absent */
	const char *html; /* NULL when absent */
};

/* Appends the whole message to out. from: the parsed sender. date: unix
 * seconds. Returns 0, or -1 when it would pass out's maximum. */
int mime_build(const struct mail_job *job, const struct email_address *from,
               const struct mime_parts *parts, int64_t date, struct buf *out);

/* date (unix seconds) as the Date header has it, "Mon, 30 Nov 2026 15:07:07
 * +0000", into out (n bytes, 32 are enough). Returns out. */
const char *mime_date_text(int64_t date, char *out, size_t n);

/* Appends s as header text: itself when printable ASCII, else RFC 2047
 * "=?UTF-8?B?…?=" words folded to fit. Exposed for tests. */
int mime_encode_header_text(struct buf *out, const char *s, size_t used_on_line);

/* Appends s[0..n) as quoted-printable with CRLF line ends. */
int mime_encode_qp(struct buf *out, const char *s, size_t n);

#endif
