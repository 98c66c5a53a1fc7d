/* mime: quoted-printable, encoded-words, and a whole message's shape. */
#include <string.h>

#include "check.h"
#include "mime.h"

static const char *qp(const char *in, struct buf *b)
{
	buf_reset(b);
	mime_encode_qp(b, in, strlen(in));
	return buf_cstr(b);
}

static void test_qp(void)
{
	struct buf b;
	char long_line[200];

	buf_init(&b, 1 << 16);
	CHECK_STR(qp("plain", &b), "plain\r\n");
	CHECK_STR(qp("a=b", &b), "a=3Db\r\n");
	CHECK_STR(qp("one\ntwo\r\nthree", &b), "one\r\ntwo\r\nthree\r\n");
	CHECK_STR(qp(".dot\n.", &b), "=2Edot\r\n=2E\r\n");
	CHECK_STR(qp("trailing \nx", &b), "trailing=20\r\nx\r\n");
	CHECK_STR(qp("重", &b), "=E9=87=8D\r\n");
	memset(long_line, 'a', 150);
	long_line[150] = '\0';
	qp(long_line, &b);
	for (const char *line = buf_cstr(&b); *line;) {
		const char *end = strstr(line, "\r\n");

		CHECK(end && end - line <= 76);
		line = end + 2;
	}
	buf_release(&b);
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes quoted-printable (soft breaks dropped, =XX read) into out. */
static size_t qp_decode(const char *in, char *out)
{
	size_t n = 0;

	while (*in) {
		if (in[0] == '=' && in[1] == '\r' && in[2] == '\n') {
			in += 3;
		} else if (in[0] == '=' && hex_digit(in[1]) >= 0 && hex_digit(in[2]) >= 0) {
			out[n++] = (char)(hex_digit(in[1]) * 16 + hex_digit(in[2]));
			in += 3;
		} else {
			out[n++] = *in++;
		}
	}
	out[n] = '\0';
	return n;
}

/* Kilobytes of mixed text: many times the encoder's staging buffer, so every
 * flush boundary is crossed; decoded, it gives the input back with CRLF. */
static void test_qp_long_and_bounded(void)
{
	static const char piece[] = "Line with = signs, 重置 and a tab\there.\n.dot start\n "
	                            "trailing space \n";
	static char in[8000], want[9000], got[9000];
	size_t n = 0, w = 0;
	struct buf b;

	while (n + sizeof(piece) < sizeof(in)) {
		memcpy(in + n, piece, sizeof(piece) - 1);
		n += sizeof(piece) - 1;
	}
	in[n] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (in[i] == '\n')
			want[w++] = '\r';
		want[w++] = in[i];
	}
	want[w] = '\0';
	buf_init(&b, 1 << 16);
	CHECK_INT(mime_encode_qp(&b, in, n), BUF_OK);
	CHECK(b.len > 3 * 1024);
	qp_decode(buf_cstr(&b), got);
	CHECK_STR(got, want);
	for (const char *line = buf_cstr(&b); *line;) {
		const char *end = strstr(line, "\r\n");

		CHECK(end && end - line <= 76);
		line = end + 2;
	}
	buf_release(&b);
	buf_init(&b, 2000); /* too small for the whole: refused, whichever flush fails */
	CHECK_INT(mime_encode_qp(&b, in, n), BUF_TOO_BIG);
	CHECK(b.len <= 2000);
	buf_release(&b);
}

static void test_header_words(void)
{
	struct buf b;

	buf_init(&b, 4096);
	mime_encode_header_text(&b, "Plain subject", 9);
	CHECK_STR(buf_cstr(&b), "Plain subject");
	buf_reset(&b);
	mime_encode_header_text(&b, "重置密码", 9);
	CHECK_STR(buf_cstr(&b), "=?UTF-8?B?6YeN572u5a+G56CB?=");
	buf_reset(&b);
	mime_encode_header_text(&b, "[Microblog] 重置您的密码 — a longer subject that must fold",
	                        9);
	for (const char *line = buf_cstr(&b); *line;) {
		const char *end = strstr(line, "\r\n");
		size_t len = end ? (size_t)(end - line) : strlen(line);

		CHECK(len + (line == buf_cstr(&b) ? 9 : 0) <= 78);
		line += len + (end ? 2 : 0);
	}
	buf_release(&b);
}

static void test_message(void)
{
	struct mail_job job;
	struct mail_job_error err;
	struct email_address from;
	const char *why;
	struct mime_parts both = { "text body", "<p>html body</p>" };
	const char *text =
	    "{\"v\":1,\"id\":\"m-1\",\"to\":[\"a@example.com\"],\"cc\":[\"c@example.com\"],"
	    "\"bcc\":[\"secret@example.com\"],\"subject\":\"Hi\",\"text\":\"x\","
	    "\"reply_to\":\"Help Desk <help@example.com>\","
	    "\"headers\":{\"X-Tag\":\"t\"}}";
	struct buf out;
	const char *m;

	CHECK_INT(mail_job_parse(text, strlen(text), &job, &err), 0);
	CHECK_INT(email_address_parse("Microblog <no-reply@example.com>", 32, true, &from, &why),
	          0);
	buf_init(&out, MIME_MAX_BYTES);
	CHECK_INT(mime_build(&job, &from, &both, 1732400000, &out), 0);
	m = buf_cstr(&out);
	CHECK(strstr(m, "From: Microblog <no-reply@example.com>\r\n") != NULL);
	CHECK(strstr(m, "To: a@example.com\r\n") != NULL);
	CHECK(strstr(m, "Cc: c@example.com\r\n") != NULL);
	CHECK(strstr(m, "Reply-To: Help Desk <help@example.com>\r\n") != NULL);
	CHECK(strstr(m, "Date: Sat, 23 Nov 2024 22:13:20 +0000\r\n") != NULL);
	CHECK(strstr(m, "Message-ID: <m-1.") != NULL);
	CHECK(strstr(m, "X-Tag: t\r\n") != NULL);
	CHECK(strstr(m, "MIME-Version: 1.0\r\n") != NULL);
	CHECK(strstr(m, "multipart/alternative") != NULL);
	CHECK(strstr(m, "secret@example.com") == NULL); /* never a Bcc header */
	CHECK(strstr(m, "Bcc") == NULL);
	for (const char *p = m; (p = strchr(p, '\n')); p++)
		CHECK(p > m && p[-1] == '\r');
	buf_release(&out);
	buf_init(&out, 100); /* too small: refused, not truncated */
	CHECK_INT(mime_build(&job, &from, &both, 1732400000, &out), -1);
	buf_release(&out);
	mail_job_release(&job);
}

int main(void)
{
	test_qp();
	test_qp_long_and_bounded();
	test_header_words();
	test_message();
	return check_summary();
}
