#include "smtp_send.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* What the server said during one transfer, fed by curl's debug callback:
 * libcurl itself reports only the last reply code. curl 7.88 does not
 * pipeline SMTP, so each final reply answers the last command sent. */
struct trace {
	enum { CMD_NONE, CMD_MAIL, CMD_RCPT, CMD_OTHER } pending;
	bool mail_sent;
	size_t rcpt_at;           /* the recipient whose RCPT reply comes next */
	struct smtp_outcome *out; /* rcpt[] filled as replies come; NULL: none */
	char line[200];           /* the last 4xx/5xx line */
};

struct smtp_sender {
	const struct settings *settings;
	CURL *curl;
	char url[400];
	struct trace trace; /* lives as long as the handle: curl may call back at cleanup */
	long opened;        /* connections the last smtp_send() opened */
};

struct upload {
	const char *data;
	size_t len, pos;
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

static void on_command(struct trace *t, const char *data, size_t size)
{
	if (size >= 10 && strncmp(data, "MAIL FROM:", 10) == 0) {
		t->pending = CMD_MAIL;
		t->mail_sent = true;
	} else if (size >= 8 && strncmp(data, "RCPT TO:", 8) == 0) {
		t->pending = CMD_RCPT;
	} else {
		t->pending = CMD_OTHER;
	}
}

static void on_recipient_reply(struct trace *t, int code, const char *data, size_t size)
{
	struct smtp_rcpt *r;

	if (!t->out || t->rcpt_at >= t->out->n_rcpt)
		return;
	r = &t->out->rcpt[t->rcpt_at++];
	r->state = code < 300   ? SMTP_RCPT_ACCEPTED
	           : code < 500 ? SMTP_RCPT_RETRY
	                        : SMTP_RCPT_REFUSED;
	if (r->state != SMTP_RCPT_ACCEPTED)
		copy_printable(r->reply, sizeof(r->reply), data, size);
}

static void on_reply(struct trace *t, const char *data, size_t size)
{
	int code;

	if (size < 3 || data[0] < '2' || data[0] > '5' || data[1] < '0' || data[1] > '9' ||
	    data[2] < '0' || data[2] > '9' || (size > 3 && data[3] == '-'))
		return; /* not a final reply line (continuations end with the final one) */
	code = (data[0] - '0') * 100 + (data[1] - '0') * 10 + (data[2] - '0');
	if (code >= 400)
		copy_printable(t->line, sizeof(t->line), data, size);
	if (t->pending == CMD_RCPT)
		on_recipient_reply(t, code, data, size);
	t->pending = CMD_NONE;
}

static int on_debug(CURL *c, curl_infotype type, char *data, size_t size, void *userdata)
{
	struct trace *t = userdata;

	(void)c;
	if (type == CURLINFO_HEADER_OUT)
		on_command(t, data, size);
	else if (type == CURLINFO_HEADER_IN)
		on_reply(t, data, size);
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

static long timeout_seconds(long long ms)
{
	return ms <= 1000 ? 1L : (long)((ms + 999) / 1000);
}

/* What every transfer and probe shares: where, how long, TLS, AUTH, trace. */
static void configure_session(struct smtp_sender *s, CURL *c, char *errbuf)
{
	const struct settings *cfg = s->settings;

	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L); /* feeds on_debug; nothing is printed */
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, &s->trace);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)cfg->timeout_ms);
	/* bounds each reply wait, the QUIT at close included (curl's default: 120 s) */
	curl_easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT, timeout_seconds(cfg->timeout_ms));
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
}

static void configure_mail(struct smtp_sender *s, const char *from, struct curl_slist *rcpt,
                           struct upload *u, char *errbuf)
{
	CURL *c = s->curl;

	curl_easy_reset(c); /* keeps the open connection */
	configure_session(s, c, errbuf);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
	curl_easy_setopt(c, CURLOPT_READDATA, u);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u->len);
}

/* Closes the kept connection without a QUIT: after a failure the server's
 * next bytes may belong to the failed transaction. */
static void drop_connection(struct smtp_sender *s)
{
	curl_socket_t fd = CURL_SOCKET_BAD;

	if (!s->curl)
		return;
	if (curl_easy_getinfo(s->curl, CURLINFO_ACTIVESOCKET, &fd) == CURLE_OK &&
	    fd != CURL_SOCKET_BAD)
		shutdown(fd, SHUT_RDWR); /* the QUIT curl sends at cleanup then fails at once */
	curl_easy_cleanup(s->curl);
	s->curl = curl_easy_init();
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

void smtp_sender_free(struct smtp_sender **sp, long quit_timeout_s)
{
	struct smtp_sender *s = *sp;

	if (!s)
		return;
	if (s->curl) {
		s->trace.out = NULL;
		curl_easy_setopt(s->curl, CURLOPT_SERVER_RESPONSE_TIMEOUT, quit_timeout_s);
		curl_easy_cleanup(s->curl);
	}
	free(s);
	*sp = NULL;
}

static bool in_list(const struct mail_job_list *l, const char *addr)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i], addr) == 0)
			return true;
	return false;
}

/* The envelope: to, cc and bcc, each address once, less those finished with. */
static void envelope(const struct mail_job *job, struct smtp_outcome *out)
{
	const struct mail_job_list *lists[] = { &job->to, &job->cc, &job->bcc };

	out->n_rcpt = 0;
	for (size_t l = 0; l < 3; l++) {
		for (size_t i = 0; i < lists[l]->n && out->n_rcpt < SMTP_RCPT_MAX; i++) {
			const char *addr = lists[l]->items[i];
			bool seen = in_list(&job->rcpt_done, addr);

			for (size_t k = 0; k < out->n_rcpt && !seen; k++)
				seen = strcmp(out->rcpt[k].addr, addr) == 0;
			if (!seen)
				out->rcpt[out->n_rcpt++] =
				    (struct smtp_rcpt){ addr, SMTP_RCPT_UNANSWERED, "" };
		}
	}
}

static struct curl_slist *rcpt_list(const struct smtp_outcome *out)
{
	struct curl_slist *all = NULL, *next;
	char addr[300];

	for (size_t i = 0; i < out->n_rcpt; i++) {
		snprintf(addr, sizeof(addr), "<%s>", out->rcpt[i].addr);
		next = curl_slist_append(all, addr);
		if (!next) {
			curl_slist_free_all(all);
			return NULL;
		}
		all = next;
	}
	return all;
}

static bool none_accepted(const struct smtp_outcome *out)
{
	for (size_t i = 0; i < out->n_rcpt; i++)
		if (out->rcpt[i].state != SMTP_RCPT_RETRY &&
		    out->rcpt[i].state != SMTP_RCPT_REFUSED)
			return false;
	return true;
}

/* What a failed transfer says about trying again at once on a fresh connection. */
struct transfer_end {
	bool reused; /* the transfer ran on a kept connection */
	bool broken; /* the connection broke with no 4xx/5xx reply (not a timeout) */
};

/* One transfer; returns what it saw. The connection is dropped on failure. */
static void transfer(struct smtp_sender *s, const char *from, struct curl_slist *rcpt,
                     const char *message, size_t len, struct smtp_outcome *out,
                     struct transfer_end *end)
{
	struct upload u = { message, len, 0 };
	char errbuf[CURL_ERROR_SIZE] = "";
	struct smtp_transfer t = { CURLE_OK, 0, NULL, false };
	long connects = 1;

	for (size_t i = 0; i < out->n_rcpt; i++)
		out->rcpt[i].state = SMTP_RCPT_UNANSWERED, out->rcpt[i].reply[0] = '\0';
	s->trace = (struct trace){ CMD_NONE, false, 0, out, "" };
	configure_mail(s, from, rcpt, &u, errbuf);
	t.rc = curl_easy_perform(s->curl);
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &t.code);
	curl_easy_getinfo(s->curl, CURLINFO_NUM_CONNECTS, &connects);
	s->opened += connects;
	end->reused = connects == 0;
	end->broken =
	    (t.rc == CURLE_SEND_ERROR || t.rc == CURLE_RECV_ERROR || t.rc == CURLE_GOT_NOTHING) &&
	    t.code < 400;
	t.mail_sent = s->trace.mail_sent;
	t.detail = s->trace.line[0] ? s->trace.line : errbuf;
	smtp_outcome_classify(&t, out);
	/* every recipient refused: libcurl's code is only the last one's */
	if (t.rc != CURLE_OK && out->kind != SMTP_RELAY_DOWN && out->n_rcpt > 0 &&
	    s->trace.rcpt_at == out->n_rcpt && none_accepted(out)) {
		out->kind = SMTP_NO_RECIPIENT;
		snprintf(out->reason, sizeof(out->reason), "every recipient refused");
	}
	s->trace.out = NULL;
	if (t.rc != CURLE_OK)
		drop_connection(s);
}

void smtp_send(struct smtp_sender *s, const char *envelope_from, const struct mail_job *job,
               const char *message, size_t len, struct smtp_outcome *out)
{
	struct curl_slist *rcpt;
	char from[300];
	struct transfer_end end = { false, false };

	s->opened = 0;
	envelope(job, out);
	if (out->n_rcpt == 0) {
		out->kind = SMTP_SENT;
		snprintf(out->reason, sizeof(out->reason), "no recipient left to send to");
		return;
	}
	rcpt = rcpt_list(out);
	if (!rcpt || (!s->curl && !(s->curl = curl_easy_init()))) {
		out->kind = SMTP_RETRY;
		snprintf(out->reason, sizeof(out->reason), "out of memory");
		curl_slist_free_all(rcpt);
		return;
	}
	snprintf(from, sizeof(from), "<%s>", envelope_from);
	transfer(s, from, rcpt, message, len, out, &end);
	/* a 421 on a kept connection may only mean "no more on this one", and a
	 * connection cut mid-transaction says nothing of the message: once more,
	 * on a fresh connection, before anything is charged */
	if (s->curl && ((out->kind == SMTP_RELAY_DOWN && end.reused &&
	                 strncmp(out->reason, "smtp 421", 8) == 0) ||
	                (out->kind == SMTP_RETRY && end.broken)))
		transfer(s, from, rcpt, message, len, out, &end);
	curl_slist_free_all(rcpt);
}

int smtp_probe(struct smtp_sender *s, char *why, size_t why_len)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *c = curl_easy_init();
	CURLcode rc;

	if (!c) {
		snprintf(why, why_len, "out of memory");
		return -1;
	}
	drop_connection(s); /* the next message starts on a fresh connection */
	s->trace = (struct trace){ CMD_NONE, false, 0, NULL, "" };
	configure_session(s, c, errbuf);
	/* connect, greeting, EHLO, STARTTLS and AUTH: curl's connect phase */
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		snprintf(why, why_len, "%s",
		         s->trace.line[0] ? s->trace.line
		         : errbuf[0]      ? errbuf
		                          : curl_easy_strerror(rc));
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}

long smtp_sender_last_connects(const struct smtp_sender *s)
{
	return s->opened;
}
