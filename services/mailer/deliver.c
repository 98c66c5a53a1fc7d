#include "deliver.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logger.h"
#include "mime.h"
#include "now.h"
#include "outbox.h"
#include "outbox_text.h"
#include "render.h"
#include "str.h"
#include "strict_json.h"

/* raw as a JSON string with each byte that is not UTF-8 replaced by U+FFFD. */
static json_t *json_string_lossy(const char *raw, size_t len)
{
	struct buf text;
	json_t *s;

	buf_init(&text, len * 3 + 1);
	for (size_t i = 0; i < len; i++) {
		size_t n = 1;

		while (n <= 4 && i + n <= len && !text_utf8_valid(raw + i, n))
			n++;
		if (n <= 4 && i + n <= len) {
			buf_append(&text, raw + i, n);
			i += n - 1;
		} else {
			buf_append_str(&text, "\xef\xbf\xbd");
		}
	}
	s = json_stringn(buf_cstr(&text), text.len);
	buf_release(&text);
	return s;
}

static json_t *base64_of(const char *raw, size_t len)
{
	size_t size = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(size);
	json_t *s;

	if (!b64)
		return json_null();
	sodium_bin2base64(b64, size, (const unsigned char *)raw, len,
	                  sodium_base64_VARIANT_ORIGINAL);
	s = json_string(b64);
	free(b64);
	return s;
}

static json_t *list_json(const struct mail_job_list *l)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < l->n; i++)
		json_array_append_new(a, json_string(l->items[i]));
	return a;
}

/* The job is kept whole: as an object when it parses as one, else as the raw
 * string, else (not even UTF-8) a readable copy with the exact bytes beside. */
char *deliver_dead_entry(const char *raw, size_t len, const char *error, int attempts,
                         const struct mail_job_list *recipients)
{
	char why[200];
	json_t *job = strict_json_parse_object(raw, len, (size_t)-1, why, sizeof(why));
	json_t *entry = json_object();
	char *text;

	if (!job && text_utf8_valid(raw, len))
		job = json_stringn(raw, len);
	if (!job) {
		job = json_string_lossy(raw, len);
		json_object_set_new(entry, "raw_base64", base64_of(raw, len));
	}
	json_object_set_new(entry, "job", job ? job : json_null());
	json_object_set_new(entry, "error", json_string(error));
	json_object_set_new(entry, "attempts", json_integer(attempts));
	json_object_set_new(entry, "failed_at", json_integer(now_s()));
	if (recipients)
		json_object_set_new(entry, "recipients", list_json(recipients));
	text = json_dumps(entry, JSON_COMPACT);
	json_decref(entry);
	return text;
}

static void dead(struct delivery *out, const char *raw, size_t len, int attempts,
                 enum queue_fate fate)
{
	out->ack.fate = fate;
	out->dead_payload = deliver_dead_entry(raw, len, out->reason, attempts, NULL);
}

static uint32_t random_u32(void)
{
	return randombytes_random();
}

int64_t deliver_backoff_ms(const struct settings *s, int attempts, uint32_t (*random_fn)(void))
{
	int64_t ceiling = s->retry_base_ms;

	for (int i = 1; i < attempts && ceiling < s->retry_max_ms; i++)
		ceiling *= 2;
	if (ceiling > s->retry_max_ms)
		ceiling = s->retry_max_ms;
	/* full jitter: anywhere in [0, ceiling] */
	return (int64_t)(((uint64_t)(random_fn ? random_fn : random_u32)() * (uint64_t)ceiling) /
	                 UINT32_MAX);
}

static void prefix_reason(struct delivery *out, const char *prefix)
{
	char reason[sizeof(out->reason)];

	snprintf(reason, sizeof(reason), "%s: %.370s", prefix, out->reason);
	memcpy(out->reason, reason, sizeof(reason));
}

/* A transient failure: back to the retry set with one more attempt charged,
 * or NULL-payload "give up" when out of attempts or time (returns true). */
static bool retry(struct deliverer *d, struct mail_job *job, struct delivery *out)
{
	int64_t due = now_ms() + deliver_backoff_ms(d->settings, job->attempts + 1, NULL);

	job->attempts++;
	if (job->attempts >= d->settings->max_attempts) {
		prefix_reason(out, "attempts exhausted");
		return true;
	}
	if (job->deadline && due / 1000 >= job->deadline) {
		prefix_reason(out, "expired");
		return true;
	}
	free(job->last_error);
	job->last_error = text_ndup(out->reason, strnlen(out->reason, MAIL_JOB_LAST_ERROR_MAX));
	out->ack.fate = QUEUE_FATE_RETRIED;
	out->ack.due_ms = due;
	out->retry_payload = mail_job_serialise(job);
	if (!out->retry_payload)
		out->out_of_memory = true;
	return false;
}

/* The whole message failed for now. */
static void retry_whole(struct deliverer *d, struct mail_job *job, const char *raw, size_t len,
                        struct delivery *out)
{
	if (retry(d, job, out))
		dead(out, raw, len, job->attempts, QUEUE_FATE_DEAD);
}

/* The dead letter of recipients given up while others were not: its job goes
 * to them alone if an operator retries it. */
static void dead_recipients(struct mail_job *job, const struct mail_job_list *given_up,
                            struct delivery *out)
{
	const struct mail_job_list *lists[] = { &job->to, &job->cc, &job->bcc };
	struct mail_job_list others = { NULL, 0 }, kept = job->rcpt_done;
	char *text;

	for (size_t l = 0; l < 3; l++)
		for (size_t i = 0; i < lists[l]->n; i++) {
			bool mine = false;

			for (size_t k = 0; k < given_up->n && !mine; k++)
				mine = strcmp(given_up->items[k], lists[l]->items[i]) == 0;
			if (!mine)
				mail_job_list_add(&others, lists[l]->items[i]);
		}
	job->rcpt_done = others;
	text = mail_job_serialise(job);
	job->rcpt_done = kept;
	mail_job_list_release(&others);
	if (text)
		out->dead_payload =
		    deliver_dead_entry(text, strlen(text), out->reason, job->attempts, given_up);
	free(text);
	if (!out->dead_payload)
		out->out_of_memory = true;
}

/* "smtp 550 5.1.1 user unknown", naming the address when the job has others. */
static void append_reason(struct delivery *out, const struct smtp_rcpt *r, bool name_it)
{
	size_t used = strlen(out->reason);

	snprintf(out->reason + used, sizeof(out->reason) - used, "%ssmtp %s%s%s", used ? "; " : "",
	         r->reply[0] ? r->reply : "no reply", name_it ? ": " : "", name_it ? r->addr : "");
}

static void append_refused(char *list, size_t cap, const struct smtp_rcpt *r)
{
	size_t used = strlen(list);

	snprintf(list + used, cap - used, "%s%s (%s)", used ? ", " : "", r->addr, r->reply);
}

/* The relay answered each recipient: accepted ones are done, 5xx ones are
 * given up by name, 4xx (and unanswered) ones are retried alone. */
static void settle_recipients(struct deliverer *d, struct mail_job *job,
                              const struct smtp_outcome *o, struct delivery *out)
{
	struct mail_job_list given_up = { NULL, 0 };
	size_t accepted = 0, pending = 0, done_before = job->rcpt_done.n;
	char retry_reason[sizeof(out->reason)] = "", refused_list[sizeof(out->reason)] = "";
	bool name_them = o->n_rcpt + done_before > 1;

	out->reason[0] = '\0';
	for (size_t i = 0; i < o->n_rcpt; i++) {
		const struct smtp_rcpt *r = &o->rcpt[i];

		if (r->state == SMTP_RCPT_ACCEPTED || r->state == SMTP_RCPT_REFUSED)
			mail_job_list_add(&job->rcpt_done, r->addr);
		if (r->state == SMTP_RCPT_ACCEPTED)
			accepted++;
		else if (r->state == SMTP_RCPT_REFUSED) {
			mail_job_list_add(&given_up, r->addr);
			append_reason(out, r, name_them);
			append_refused(refused_list, sizeof(refused_list), r);
		} else if (pending++ == 0)
			snprintf(retry_reason, sizeof(retry_reason), "%s: %s",
			         r->reply[0] ? r->reply : o->reason, r->addr);
	}
	out->delivered = accepted > 0;
	if (accepted && given_up.n)
		LOG_WARN("deliver", "some recipients refused id=%s refused=\"%s\"", job->id,
		         refused_list);
	if (pending) {
		char refused[sizeof(out->reason)];

		memcpy(refused, out->reason, sizeof(refused));
		snprintf(out->reason, sizeof(out->reason), "%s", retry_reason);
		if (retry(d, job, out)) { /* the pending ones are given up too */
			for (size_t i = 0; i < o->n_rcpt; i++)
				if (o->rcpt[i].state == SMTP_RCPT_RETRY ||
				    o->rcpt[i].state == SMTP_RCPT_UNANSWERED)
					mail_job_list_add(&given_up, o->rcpt[i].addr);
			out->ack.fate = QUEUE_FATE_DEAD;
			if (refused[0]) {
				size_t n = strlen(out->reason);

				snprintf(out->reason + n, sizeof(out->reason) - n, "; %s", refused);
			}
		} else if (refused[0]) {
			memcpy(out->reason, refused, sizeof(refused)); /* the dead letter's */
		}
	} else {
		/* an id nobody ever took is dead, not sent (an earlier attempt's
		 * rcpt_done counts as taken: refusals there were dead-lettered then) */
		out->ack.mark_sent = accepted > 0 || done_before > 0;
		out->ack.fate = out->ack.mark_sent ? QUEUE_FATE_SENT : QUEUE_FATE_DEAD;
		job->attempts++; /* this one, for the dead letter (retry() counts its own) */
	}
	if (given_up.n)
		dead_recipients(job, &given_up, out);
	mail_job_list_release(&given_up);
}

static void observe_smtp(struct deliverer *d, int64_t started)
{
	metrics_observe(d->metrics, "mailer_smtp_duration_seconds", "",
	                (double)(now_mono_ms() - started) / 1000.0);
	metrics_add(d->metrics, "mailer_smtp_connections_total", "",
	            (double)smtp_sender_last_connects(d->sender));
}

/* The outbox: <id>.txt and <id>.eml, and a log line naming them. */
static void to_outbox(const struct settings *s, const struct mail_job *job, const char *text,
                      int64_t date, const struct buf *message, struct smtp_outcome *o)
{
	struct outbox_message m = { buf_cstr(message), NULL, message->len, 0 };
	struct outbox_files *files = malloc(sizeof(*files));
	struct buf readable;

	buf_init(&readable, MIME_MAX_BYTES);
	if (!files || outbox_text_build(job, &s->sender, text, date, &readable) != BUF_OK) {
		snprintf(o->reason, sizeof(o->reason), "outbox: out of memory");
		o->kind = SMTP_RETRY;
	} else {
		m.txt = buf_cstr(&readable);
		m.txt_len = readable.len;
		if (outbox_write(s->outbox_dir, job->id, &m, files, o->reason, sizeof(o->reason)) !=
		    0)
			o->kind = SMTP_RETRY;
		else
			LOG_INFO("deliver", "written to the outbox id=%s file=%s text=%s", job->id,
			         files->eml, files->txt);
	}
	buf_release(&readable);
	free(files);
}

/* Hands the built message over: SMTP, or the local modes. text: the
 * rendered text part (for the outbox's readable copy); date: the message's. */
static void hand_over(struct deliverer *d, const struct mail_job *job, const char *from,
                      const char *text, int64_t date, const struct buf *message,
                      struct smtp_outcome *o)
{
	const struct settings *s = d->settings;
	int64_t started;

	o->kind = SMTP_SENT;
	o->n_rcpt = 0;
	snprintf(o->reason, sizeof(o->reason), "sent");
	if (s->suppress_send) {
		LOG_INFO("deliver", "suppressed id=%s bytes=%zu", job->id, message->len);
	} else if (s->outbox_dir) {
		to_outbox(s, job, text, date, message, o);
	} else {
		started = now_mono_ms();
		smtp_send(d->sender, from, job, buf_cstr(message), message->len, o);
		observe_smtp(d, started);
	}
}

/* Renders, builds and hands the message over; fills o. */
static void transmit(struct deliverer *d, const struct mail_job *job, struct smtp_outcome *o)
{
	const struct settings *s = d->settings;
	struct render_result bodies;
	struct email_address from = s->sender;
	struct mime_parts parts;
	struct buf message;
	int64_t date = now_s();
	const char *why;

	o->n_rcpt = 0;
	if (render_job(d->templates, job, &bodies, o->reason, sizeof(o->reason)) != 0) {
		o->kind = SMTP_PERMANENT;
		return;
	}
	if (job->from)
		email_address_parse(job->from, strlen(job->from), true, &from, &why);
	parts.text = bodies.text;
	parts.html = bodies.html;
	buf_init(&message, MIME_MAX_BYTES);
	if (mime_build(job, &s->sender, &parts, date, &message) != 0) {
		snprintf(o->reason, sizeof(o->reason), "message larger than %d bytes",
		         MIME_MAX_BYTES);
		o->kind = SMTP_PERMANENT;
	} else {
		hand_over(d, job, from.addr, bodies.text, date, &message, o);
	}
	buf_release(&message);
	render_result_release(&bodies);
}

static long long claim_ttl_ms(const struct settings *s)
{
	/* longer than a transaction and its retry on a fresh connection */
	return 2 * (s->connect_timeout_ms + s->timeout_ms) + 10000;
}

static void later(struct delivery *out, const char *raw, size_t len, int64_t due_ms,
                  enum queue_fate fate)
{
	out->ack.fate = fate;
	out->ack.due_ms = due_ms;
	out->retry_payload = text_ndup(raw, len);
	if (!out->retry_payload)
		out->out_of_memory = true;
}

/* Before sending: is it due, is it already sent, is another copy in flight? */
static bool may_send(struct deliverer *d, struct mail_job *job, const char *raw, size_t len,
                     struct delivery *out)
{
	int64_t now = now_s();

	if (job->deadline && now >= job->deadline) {
		snprintf(out->reason, sizeof(out->reason), "expired");
		dead(out, raw, len, job->attempts, QUEUE_FATE_DEAD);
		return false;
	}
	if (job->not_before && now < job->not_before) {
		snprintf(out->reason, sizeof(out->reason), "not before %lld", job->not_before);
		later(out, raw, len, job->not_before * 1000, QUEUE_FATE_DEFERRED);
		return false;
	}
	/* a job with rcpt_done continues one whose id may be marked sent already
	 * (some recipients took it): it names exactly who is still due */
	switch (job_store_claim(d->store, job->id, d->name, claim_ttl_ms(d->settings),
	                        job->rcpt_done.n == 0)) {
	case JOB_CLAIMED:
		out->ack.claim_owner = d->name;
		return true;
	case JOB_CLAIM_SENT:
		out->ack.fate = QUEUE_FATE_DUPLICATE;
		snprintf(out->reason, sizeof(out->reason), "already sent in the last 24 hours");
		return false;
	case JOB_CLAIM_BUSY:
		snprintf(out->reason, sizeof(out->reason), "being sent by another worker");
		later(out, raw, len, now_ms() + DELIVER_CLAIM_BUSY_DELAY_MS, QUEUE_FATE_DEFERRED);
		return false;
	case JOB_CLAIM_FAILED:
		break;
	}
	snprintf(out->reason, sizeof(out->reason), "redis: the claim failed");
	out->ack.fate = QUEUE_FATE_REQUEUED;
	out->ack.requeue = true;
	return false;
}

static void decide(struct deliverer *d, struct mail_job *job, const char *raw, size_t len,
                   struct delivery *out)
{
	struct smtp_outcome *o;

	text_copy(out->job_id, sizeof(out->job_id), job->id);
	if (!may_send(d, job, raw, len, out))
		return;
	o = malloc(sizeof(*o));
	if (!o) {
		out->out_of_memory = true;
		return;
	}
	transmit(d, job, o);
	snprintf(out->reason, sizeof(out->reason), "%s", o->reason);
	switch (o->kind) {
	case SMTP_SENT:
	case SMTP_NO_RECIPIENT:
		if (o->n_rcpt == 0) { /* the local modes, or nobody left */
			out->delivered = true;
			out->ack.fate = QUEUE_FATE_SENT;
			out->ack.mark_sent = true;
		} else {
			settle_recipients(d, job, o, out);
		}
		break;
	case SMTP_PERMANENT:
		dead(out, raw, len, job->attempts + 1, QUEUE_FATE_DEAD);
		break;
	case SMTP_RETRY:
		retry_whole(d, job, raw, len, out);
		break;
	case SMTP_RELAY_DOWN: /* not the job's fault: back to the queue, no attempt */
		out->relay_down = true;
		out->ack.fate = QUEUE_FATE_REQUEUED;
		out->ack.requeue = true;
		break;
	}
	free(o);
}

static void link_ack(struct delivery *out)
{
	out->ack.job_id = out->job_id;
	out->ack.retry_payload = out->retry_payload;
	out->ack.dead_payload = out->dead_payload;
	if (out->ack.fate == QUEUE_FATE_DEAD || out->ack.fate == QUEUE_FATE_INVALID)
		out->out_of_memory |= !out->dead_payload;
}

void deliver_job(struct deliverer *d, const char *raw, size_t len, struct delivery *out)
{
	struct mail_job job;
	struct mail_job_error err;
	char text[300];

	memset(out, 0, sizeof(*out));
	if (mail_job_parse(raw, len, &job, &err) != 0) {
		snprintf(out->reason, sizeof(out->reason), "invalid: %s",
		         mail_job_error_format(&err, text, sizeof(text)));
		dead(out, raw, len, 0, QUEUE_FATE_INVALID);
	} else {
		decide(d, &job, raw, len, out);
		mail_job_release(&job);
	}
	link_ack(out);
}

void deliver_too_large(const char *first, size_t len, size_t real_len, struct delivery *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->reason, sizeof(out->reason), "invalid: too large: %zu bytes > %d", real_len,
	         MAIL_JOB_MAX_BYTES);
	dead(out, first, len < DELIVER_DEAD_PREFIX_BYTES ? len : DELIVER_DEAD_PREFIX_BYTES, 0,
	     QUEUE_FATE_INVALID);
	link_ack(out);
}

void delivery_release(struct delivery *out)
{
	free(out->retry_payload);
	free(out->dead_payload);
	out->retry_payload = out->dead_payload = NULL;
}
