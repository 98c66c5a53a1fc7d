#include "mime.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define QP_LINE_MAX   76
#define WORD_LINE_MAX 76 /* an encoded word and what precedes it on its line */

static bool plain_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/* Length of the longest prefix of s (at most max bytes) that does not cut a
 * UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	size_t n = len < max ? len : max;

	while (n > 0 && n < len && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n ? n : (len < max ? len : max);
}

int mime_encode_header_text(struct buf *out, const char *s, size_t used_on_line)
{
	size_t len = strlen(s), col = used_on_line;
	int rc = BUF_OK;

	if (plain_ascii(s) && used_on_line + len <= 998)
		return buf_append(out, s, len);
	while (len > 0 && rc == BUF_OK) {
		/* "=?UTF-8?B?" + base64 + "?=" within 76 columns on this line */
		size_t room = col + 12 < WORD_LINE_MAX ? WORD_LINE_MAX - col - 12 : 4;
		size_t bytes = room / 4 * 3;
		size_t n = utf8_cut(s, len, bytes > 3 ? bytes : 3);
		char b64[128];

		sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)s, n,
		                  sodium_base64_VARIANT_ORIGINAL);
		rc = buf_appendf(out, "=?UTF-8?B?%s?=", b64);
		s += n;
		len -= n;
		if (len > 0 && rc == BUF_OK)
			rc = buf_append_str(out, "\r\n "); /* folding white space */
		col = 1;
	}
	return rc;
}

/* An RFC 5322 quoted-string: '\\' and '"' escaped, so a name ending in '\\'
 * cannot swallow the closing quote. */
static int put_quoted(struct buf *out, const char *s)
{
	int rc = buf_append_str(out, "\"");

	for (; *s && rc == BUF_OK; s++)
		rc = *s == '\\' || *s == '"' ? buf_appendf(out, "\\%c", *s) : buf_append(out, s, 1);
	return rc == BUF_OK ? buf_append_str(out, "\"") : rc;
}

static int put_parsed_mailbox(struct buf *out, const struct email_address *a)
{
	int rc;

	if (!a->display[0])
		return buf_append_str(out, a->addr);
	if (plain_ascii(a->display) && !strpbrk(a->display, "()<>[]:;@\\,.\""))
		rc = buf_append_str(out, a->display);
	else if (plain_ascii(a->display))
		rc = put_quoted(out, a->display);
	else
		rc = mime_encode_header_text(out, a->display, 0);
	return rc == BUF_OK ? buf_appendf(out, " <%s>", a->addr) : rc;
}

static int put_mailbox(struct buf *out, const char *text)
{
	struct email_address a;
	const char *why;

	if (email_address_parse(text, strlen(text), true, &a, &why) != 0)
		return BUF_TOO_BIG; /* the job was validated: refuse rather than guess */
	return put_parsed_mailbox(out, &a);
}

static int put_address_list(struct buf *out, const char *name, const struct mail_job_list *l)
{
	int rc = l->n ? buf_appendf(out, "%s: ", name) : BUF_OK;

	for (size_t i = 0; i < l->n && rc == BUF_OK; i++) {
		rc = buf_append_str(out, l->items[i]);
		if (rc == BUF_OK)
			rc = buf_append_str(out, i + 1 < l->n ? ",\r\n " : "\r\n");
	}
	return rc;
}

const char *mime_date_text(int64_t date, char *out, size_t n)
{
	time_t t = (time_t)date;
	struct tm tm;

	gmtime_r(&t, &tm);
	if (strftime(out, n, "%a, %d %b %Y %H:%M:%S +0000", &tm) == 0 && n > 0)
		out[0] = '\0';
	return out;
}

static int put_date(struct buf *out, int64_t date)
{
	char text[64];

	return buf_appendf(out, "Date: %s\r\n", mime_date_text(date, text, sizeof(text)));
}

static int put_message_id(struct buf *out, const struct mail_job *job,
                          const struct email_address *from)
{
	const char *domain = strchr(from->addr, '@');
	char rnd[17];
	unsigned char raw[crypto_generichash_BYTES_MIN];

	/* the same at every attempt, so receivers can tell a repeat */
	crypto_generichash(raw, sizeof(raw), (const unsigned char *)job->id, strlen(job->id), NULL,
	                   0);
	sodium_bin2hex(rnd, sizeof(rnd), raw, 8);
	return buf_appendf(out, "Message-ID: <%.128s.%s@%s>\r\n", job->id, rnd,
	                   domain ? domain + 1 : "localhost");
}

static int put_extra_headers(struct buf *out, const struct mail_job *job)
{
	const char *name;
	json_t *value;
	int rc = BUF_OK;

	if (!job->headers)
		return BUF_OK;
	json_object_foreach(job->headers, name, value)
	{
		if (rc == BUF_OK)
			rc = buf_appendf(out, "%s: ", name);
		if (rc == BUF_OK)
			rc = mime_encode_header_text(out, json_string_value(value),
			                             strlen(name) + 2);
		if (rc == BUF_OK)
			rc = buf_append_str(out, "\r\n");
	}
	return rc;
}

static int put_headers(struct buf *out, const struct mail_job *job,
                       const struct email_address *from, int64_t date)
{
	int rc = buf_append_str(out, "From: ");

	if (rc == BUF_OK)
		rc = job->from ? put_mailbox(out, job->from) : put_parsed_mailbox(out, from);
	if (rc == BUF_OK)
		rc = buf_append_str(out, "\r\n");
	if (rc == BUF_OK)
		rc = put_address_list(out, "To", &job->to);
	if (rc == BUF_OK)
		rc = put_address_list(out, "Cc", &job->cc);
	if (rc == BUF_OK && job->reply_to) {
		rc = buf_append_str(out, "Reply-To: ");
		if (rc == BUF_OK)
			rc = put_mailbox(out, job->reply_to);
		if (rc == BUF_OK)
			rc = buf_append_str(out, "\r\n");
	}
	if (rc == BUF_OK)
		rc = buf_append_str(out, "Subject: ");
	if (rc == BUF_OK)
		rc = mime_encode_header_text(out, job->subject, 9);
	if (rc == BUF_OK)
		rc = buf_append_str(out, "\r\n");
	if (rc == BUF_OK)
		rc = put_date(out, date);
	if (rc == BUF_OK)
		rc = put_message_id(out, job, from);
	if (rc == BUF_OK)
		rc = put_extra_headers(out, job);
	if (rc == BUF_OK)
		rc = buf_append_str(out, "MIME-Version: 1.0\r\n");
	return rc;
}

static bool qp_literal(unsigned char c)
{
	return (c >= 33 && c <= 126 && c != '=') || c == ' ' || c == '\t';
}

/* The encoded text goes out through a small staging buffer: one buf_append
 * per kilobyte instead of one per character (the encoder was a fifth of the
 * mailer's work per message). */
struct qp_sink {
	struct buf *out;
	int rc;
	size_t n;
	char chunk[1024];
};

static void qp_put(struct qp_sink *q, const char *p, size_t w)
{
	if (q->n + w > sizeof(q->chunk)) {
		if (q->rc == BUF_OK)
			q->rc = buf_append(q->out, q->chunk, q->n);
		q->n = 0;
	}
	for (size_t i = 0; i < w; i++)
		q->chunk[q->n++] = p[i];
}

static int qp_flush(struct qp_sink *q)
{
	if (q->rc == BUF_OK && q->n)
		q->rc = buf_append(q->out, q->chunk, q->n);
	q->n = 0;
	return q->rc;
}

int mime_encode_qp(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	struct qp_sink q = { .out = out, .rc = BUF_OK, .n = 0 };
	size_t col = 0;

	for (size_t i = 0; i < n && q.rc == BUF_OK; i++) {
		unsigned char c = (unsigned char)s[i];
		bool line_end = c == '\n' || (c == '\r' && i + 1 < n && s[i + 1] == '\n');
		bool before_break = i + 1 >= n || s[i + 1] == '\n' || s[i + 1] == '\r';
		char enc[4];
		size_t w;

		if (line_end) {
			if (c == '\r')
				i++;
			qp_put(&q, "\r\n", 2);
			col = 0;
			continue;
		}
		/* literal unless special: '=', controls, 8-bit, a line-start '.', or
		 * white space before a line break (it would be lost) */
		if (qp_literal(c) && !(c == '.' && col == 0) &&
		    !((c == ' ' || c == '\t') && before_break)) {
			enc[0] = (char)c;
			w = 1;
		} else {
			enc[0] = '=';
			enc[1] = hex[c >> 4];
			enc[2] = hex[c & 15];
			w = 3;
		}
		if (col + w > QP_LINE_MAX - 1) {
			qp_put(&q, "=\r\n", 3);
			col = 0;
			if (enc[0] == '.' && w == 1) {
				memcpy(enc, "=2E", 3);
				w = 3;
			}
		}
		qp_put(&q, enc, w);
		col += w;
	}
	if (col > 0)
		qp_put(&q, "\r\n", 2);
	return qp_flush(&q);
}

static int put_part(struct buf *out, const char *subtype, const char *body)
{
	int rc = buf_appendf(out,
	                     "Content-Type: text/%s; charset=utf-8\r\n"
	                     "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
	                     subtype);

	return rc == BUF_OK ? mime_encode_qp(out, body, strlen(body)) : rc;
}

static int put_alternative(struct buf *out, const struct mime_parts *parts)
{
	char boundary[40];
	unsigned char raw[12];
	int rc;

	randombytes_buf(raw, sizeof(raw));
	memcpy(boundary, "=_alt_", 6);
	sodium_bin2hex(boundary + 6, sizeof(boundary) - 6, raw, sizeof(raw));
	rc = buf_appendf(out, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n",
	                 boundary);
	if (rc == BUF_OK)
		rc = buf_appendf(out, "--%s\r\n", boundary);
	if (rc == BUF_OK)
		rc = put_part(out, "plain", parts->text);
	if (rc == BUF_OK)
		rc = buf_appendf(out, "--%s\r\n", boundary);
	if (rc == BUF_OK)
		rc = put_part(out, "html", parts->html);
	if (rc == BUF_OK)
		rc = buf_appendf(out, "--%s--\r\n", boundary);
	return rc;
}

int mime_build(const struct mail_job *job, const struct email_address *from,
               const struct mime_parts *parts, int64_t date, struct buf *out)
{
	int rc = put_headers(out, job, from, date);

	if (rc != BUF_OK)
		return -1;
	if (parts->text && parts->html)
		rc = put_alternative(out, parts);
	else
		rc = put_part(out, parts->html ? "html" : "plain",
		              parts->html   ? parts->html
		              : parts->text ? parts->text
		                            : "");
	return rc == BUF_OK ? 0 : -1;
}
