#include "deliver.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logger.h"
#include "mime.h"
#include "now.h"
#include "outbox.h"
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

/* A dead-letter entry: {"job", "error", "attempts", "failed_at"}, plus
 * "raw_base64" when the job was not even UTF-8 text. The job is
 * kept whole: as an object when it parses as one, else as the raw string. */
static char *dead_entry(const char *raw, size_t len, const char *error, int attempts)
{
	char why[200];
	json_t *job = strict_json_parse_object(raw, len, (size_t)-1, why, sizeof(why));
	json_t *entry = json_object();
	char *text;

	if (!job && text_utf8_valid(raw, len))
		job = json_stringn(raw, len);
	if (!job) {
		/* not even text: a readable copy, and the exact bytes beside it */
		job = json_string_lossy(raw, len);
		json_object_set_new(entry, "raw_base64", base64_of(raw, len));
	}
	json_object_set_new(entry, "job", job ? job : json_null());
	json_object_set_new(entry, "error", json_string(error));
	json_object_set_new(entry, "attempts", json_integer(attempts));
	json_object_set_new(entry, "failed_at", json_integer(now_s()));
	text = json_dumps(entry, JSON_COMPACT);
	json_decref(entry);
	return text;
}

static void dead(struct delivery *out, const char *raw, size_t len, int attempts,
                 const char *counter)
{
	out->action = JOB_ACK_DEAD;
	out->counter = counter;
	out->payload = dead_entry(raw, len, out->reason, attempts);
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

/* A transient failure: back to the retry set, or dead when out of attempts or time. */
static void retry(struct deliverer *d, struct mail_job *job, const char *raw, size_t len,
                  struct delivery *out)
{
	int64_t due = now_ms() + deliver_backoff_ms(d->settings, job->attempts + 1, NULL);
	char reason[sizeof(out->reason)];

	job->attempts++;
	if (job->attempts >= d->settings->max_attempts) {
		snprintf(reason, sizeof(reason), "attempts exhausted: %.370s", out->reason);
		memcpy(out->reason, reason, sizeof(reason));
		dead(out, raw, len, job->attempts, "dead");
		return;
	}
	if (job->deadline && due / 1000 >= job->deadline) {
		snprintf(reason, sizeof(reason), "expired: %.380s", out->reason);
		memcpy(out->reason, reason, sizeof(reason));
		dead(out, raw, len, job->attempts, "dead");
		return;
	}
	free(job->last_error);
	job->last_error = text_ndup(out->reason, strnlen(out->reason, MAIL_JOB_LAST_ERROR_MAX));
	out->action = JOB_ACK_RETRY;
	out->counter = "retried";
	out->due_ms = due;
	out->payload = mail_job_serialise(job);
}

static bool already_sent(struct deliverer *d, const char *id)
{
	char key[QUEUE_KEY_MAX + 140];
	redisReply *r;
	bool sent;

	if (queue_keys_sent(d->keys, id, key, sizeof(key)) != 0)
		return false;
	r = redis_link_command(d->link, "EXISTS %s", key);
	sent = r && r->type == REDIS_REPLY_INTEGER && r->integer == 1;
	freeReplyObject(r);
	return sent;
}

static void observe_smtp(struct deliverer *d, int64_t started)
{
	metrics_observe(d->metrics, "mailer_smtp_duration_seconds", "",
	                (double)(now_mono_ms() - started) / 1000.0);
	metrics_add(d->metrics, "mailer_smtp_connections_total", "",
	            (double)smtp_sender_last_connects(d->sender));
}

/* Renders, builds and hands the message over. Fills out->reason; returns the kind. */
static enum smtp_outcome_kind transmit(struct deliverer *d, const struct mail_job *job,
                                       struct delivery *out)
{
	const struct settings *s = d->settings;
	struct render_result bodies;
	struct email_address from = s->sender;
	struct mime_parts parts;
	struct smtp_outcome outcome = { SMTP_SENT, "sent", "" };
	struct buf message;
	const char *why;
	int64_t started;

	if (render_job(d->templates, job, &bodies, out->reason, sizeof(out->reason)) != 0)
		return SMTP_PERMANENT;
	if (job->from)
		email_address_parse(job->from, strlen(job->from), true, &from, &why);
	parts.text = bodies.text;
	parts.html = bodies.html;
	buf_init(&message, MIME_MAX_BYTES);
	if (mime_build(job, &s->sender, &parts, now_s(), &message) != 0) {
		snprintf(outcome.reason, sizeof(outcome.reason), "message larger than %d bytes",
		         MIME_MAX_BYTES);
		outcome.kind = SMTP_PERMANENT;
	} else if (s->suppress_send) {
		LOG_INFO("deliver", "suppressed id=%s bytes=%zu", job->id, message.len);
	} else if (s->outbox_dir) {
		if (outbox_write(s->outbox_dir, job->id, buf_cstr(&message), message.len,
		                 outcome.reason, sizeof(outcome.reason)) != 0)
			outcome.kind = SMTP_RETRY;
	} else {
		started = now_mono_ms();
		smtp_send(d->sender, from.addr, job, buf_cstr(&message), message.len, &outcome);
		observe_smtp(d, started);
		if (outcome.kind == SMTP_SENT && outcome.refused[0])
			LOG_WARN("deliver", "some recipients refused id=%s refused=\"%s\"", job->id,
			         outcome.refused);
	}
	snprintf(out->reason, sizeof(out->reason), "%s", outcome.reason);
	buf_release(&message);
	render_result_release(&bodies);
	return outcome.kind;
}

static void decide(struct deliverer *d, struct mail_job *job, const char *raw, size_t len,
                   struct delivery *out)
{
	int64_t now = now_s();

	text_copy(out->job_id, sizeof(out->job_id), job->id);
	if (job->deadline && now >= job->deadline) {
		snprintf(out->reason, sizeof(out->reason), "expired");
		dead(out, raw, len, job->attempts, "dead");
		return;
	}
	if (job->not_before && now < job->not_before && job->attempts == 0) {
		out->action = JOB_ACK_RETRY;
		out->counter = "deferred";
		out->due_ms = job->not_before * 1000;
		out->payload = text_ndup(raw, len);
		snprintf(out->reason, sizeof(out->reason), "not before %lld", job->not_before);
		return;
	}
	if (already_sent(d, job->id)) {
		out->action = JOB_ACK_DUPLICATE;
		out->counter = "duplicate";
		snprintf(out->reason, sizeof(out->reason), "already sent in the last 24 hours");
		return;
	}
	switch (transmit(d, job, out)) {
	case SMTP_SENT:
		out->action = JOB_ACK_SENT;
		out->counter = "sent";
		return;
	case SMTP_PERMANENT:
		dead(out, raw, len, job->attempts + 1, "dead");
		return;
	case SMTP_RETRY:
		retry(d, job, raw, len, out);
		return;
	}
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
		dead(out, raw, len, 0, "invalid");
		return;
	}
	decide(d, &job, raw, len, out);
	mail_job_release(&job);
}

void delivery_release(struct delivery *out)
{
	free(out->payload);
	out->payload = NULL;
}
