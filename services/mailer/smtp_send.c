#include "smtp_send.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct smtp_sender {
	const struct settings *settings;
	CURL *curl;
	char url[400];
};

struct upload {
	const char *data;
	size_t len, pos;
};

/* What the server said: its last 4xx/5xx reply line (for a reason a person can
 * act on), and the recipients it refused while accepting others. */
struct last_reply {
	char line[200];
	char rcpt[260];    /* the RCPT TO in flight, until its reply */
	char refused[400]; /* "addr (550 …), …" */
};

static void copy_printable(char *dst, size_t cap, const char *src, size_t n)
{
	while (n > 0 && (src[n - 1] == '\r' || src[n - 1] == '\n'))
		n--;
	if (n >= cap)
		n = cap - 1;
	for (size_t i = 0; i < n; i++) /* the server's bytes are untrusted: printable only */
		dst[i] = src[i] >= ' ' && src[i] < 0x7f ? src[i] : '?';
	dst[n] = '\0';
}

static void note_refused(struct last_reply *r)
{
	size_t used = strlen(r->refused), n;
	char one[sizeof(r->rcpt) + sizeof(r->line) + 8];

	n = (size_t)snprintf(one, sizeof(one), "%s%s (%s)", used ? ", " : "", r->rcpt, r->line);
	if (used + n < sizeof(r->refused)) /* past the room, the list just stops growing */
		memcpy(r->refused + used, one, n + 1);
}

static int on_debug(CURL *c, curl_infotype type, char *data, size_t size, void *userdata)
{
	struct last_reply *r = userdata;

	(void)c;
	if (type == CURLINFO_HEADER_OUT && size > 9 && strncmp(data, "RCPT TO:<", 9) == 0) {
		copy_printable(r->rcpt, sizeof(r->rcpt), data + 9, size - 9);
		r->rcpt[strcspn(r->rcpt, ">")] = '\0';
		return 0;
	}
	if (type != CURLINFO_HEADER_IN || size < 3)
		return 0;
	if (data[0] == '4' || data[0] == '5') {
		copy_printable(r->line, sizeof(r->line), data, size);
		if (r->rcpt[0])
			note_refused(r);
	}
	r->rcpt[0] = '\0';
	return 0;
}

static size_t read_message(char *dst, size_t size, size_t nmemb, void *userdata)
{
	struct upload *u = userdata;
	size_t n = size * nmemb;

	if (n > u->len - u->pos)
		n = u->len - u->pos;
	memcpy(dst, u->data + u->pos, n);
	u->pos += n;
	return n;
}

struct smtp_sender *smtp_sender_new(const struct settings *settings)
{
	struct smtp_sender *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->settings = settings;
	s->curl = curl_easy_init();
	if (!s->curl) {
		free(s);
		return NULL;
	}
	snprintf(s->url, sizeof(s->url), "%s://%s:%lld", settings->use_ssl ? "smtps" : "smtp",
	         settings->mail_server, settings->mail_port);
	return s;
}

void smtp_sender_free(struct smtp_sender **sp)
{
	if (!*sp)
		return;
	curl_easy_cleanup((*sp)->curl);
	free(*sp);
	*sp = NULL;
}

static struct curl_slist *recipients(const struct mail_job *job)
{
	const struct mail_job_list *lists[] = { &job->to, &job->cc, &job->bcc };
	struct curl_slist *all = NULL, *next;
	char addr[300];

	for (size_t l = 0; l < 3; l++) {
		for (size_t i = 0; i < lists[l]->n; i++) {
			snprintf(addr, sizeof(addr), "<%s>", lists[l]->items[i]);
			next = curl_slist_append(all, addr);
			if (!next) {
				curl_slist_free_all(all);
				return NULL;
			}
			all = next;
		}
	}
	return all;
}

static void configure(struct smtp_sender *s, const char *from, struct curl_slist *rcpt,
                      struct upload *u, char *errbuf, struct last_reply *reply)
{
	const struct settings *cfg = s->settings;
	CURL *c = s->curl;

	curl_easy_reset(c); /* keeps the open connection */
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L); /* feeds on_debug; nothing is printed */
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, reply);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)cfg->timeout_ms);
	if (cfg->use_tls)
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (cfg->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, cfg->ca_file);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (cfg->username) {
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->password ? cfg->password : "");
	}
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
	curl_easy_setopt(c, CURLOPT_READDATA, u);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u->len);
}

void smtp_send(struct smtp_sender *s, const char *envelope_from, const struct mail_job *job,
               const char *message, size_t len, struct smtp_outcome *out)
{
	struct upload u = { message, len, 0 };
	struct curl_slist *rcpt = recipients(job);
	char errbuf[CURL_ERROR_SIZE] = "", from[300];
	struct last_reply reply = { "", "", "" };
	long code = 0;
	CURLcode rc;

	if (!rcpt) {
		smtp_outcome_classify(CURLE_OUT_OF_MEMORY, 0, "out of memory", out);
		return;
	}
	snprintf(from, sizeof(from), "<%s>", envelope_from);
	configure(s, from, rcpt, &u, errbuf, &reply);
	rc = curl_easy_perform(s->curl);
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(rcpt);
	smtp_outcome_classify(rc, code, reply.line[0] ? reply.line : errbuf, out);
	if (out->kind == SMTP_SENT)
		memcpy(out->refused, reply.refused, sizeof(out->refused));
}

long smtp_sender_last_connects(const struct smtp_sender *s)
{
	long n = 0;

	curl_easy_getinfo(s->curl, CURLINFO_NUM_CONNECTS, &n);
	return n;
}
