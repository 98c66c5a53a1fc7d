#include "mail_enqueue.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logger.h"
#include "mail_job.h"
#include "now.h"
#include "rate_limit.h"
#include "redis_retry.h"
#include "str.h"

static void job_id(const char *kind, int64_t user_id, char out[96])
{
	snprintf(out, 96, "%s-%lld-%lld-%08x", kind, (long long)user_id, (long long)now_s(),
	         randombytes_random());
}

/* Behind Sentinel, a job only the master has is lost if the master dies before
 * replicating it (replication is asynchronous): wait, bounded, for a replica
 * to have it. When none does in time the job stays queued and the visitor is
 * answered as usual, but the job is named in the log and counted. A held-back
 * reset job (real false) waits the same way, so that an unknown address is not
 * answered sooner than a known one; it is neither logged nor counted. */
static void wait_for_replica(struct app *app, struct worker *w, const char *id, bool real)
{
	char ms[24];
	long long replicas;

	if (!app->redis_url.is_sentinel || app->settings.redis_wait_ms == 0)
		return;
	snprintf(ms, sizeof(ms), "%lld", app->settings.redis_wait_ms);
	replicas = redis_link_integer(redis_link_command(w->redis, "WAIT 1 %s", ms));
	if (replicas < 1 && real) {
		metrics_add(app->metrics, "auth_mail_jobs_unreplicated_total", "", 1);
		LOG_WARN("mail",
		         "job queued on the master only, a failover now would lose it id=%s", id);
	}
}

/* KEYS: ip counter, email counter, queue; ARGV: window, ip limit, email
 * limit, job, "1" to push it. Returns 0 queued, 1 held back, 2 limited.
 * Both branches run two list commands (LPUSH + LLEN, LPUSH + LPOP), so even
 * Redis's command counts cannot tell a registered address from an unknown one.
 * A held-back job is pushed and popped again inside the script: Redis does
 * the same work as for a real one (the medians of the two differ by less
 * than 3 µs, docs/testing.md), and no mailer can see it — a script is atomic,
 * and a list emptied again wakes no blocked BLMOVE. */
static _Thread_local struct redis_script reset_script = {
	.source = "local over = false "
	          "for i = 1, 2 do "
	          "  local n = redis.call('INCR', KEYS[i]) "
	          "  if n == 1 then redis.call('EXPIRE', KEYS[i], ARGV[1]) end "
	          "  if n > tonumber(ARGV[i + 1]) then over = true end "
	          "end "
	          "if over then return 2 end "
	          "if ARGV[5] == '1' then redis.call('LPUSH', KEYS[3], ARGV[4]) "
	          "  redis.call('LLEN', KEYS[3]) return 0 end "
	          "redis.call('LPUSH', KEYS[3], ARGV[4]) redis.call('LPOP', KEYS[3]) return 1",
};

static char *validated_text(struct mail_job *job)
{
	struct mail_job_error err;
	char reason[300];
	char *text = mail_job_serialise_valid(job, &err); /* one serialisation, checked */

	if (!text)
		LOG_ERROR("mail", "job not valid id=%s error=\"%s\"", job->id,
		          mail_job_error_format(&err, reason, sizeof(reason)));
	return text;
}

static int push(struct app *app, struct worker *w, struct mail_job *job)
{
	char labels[64];
	redisReply *r;
	char *text = validated_text(job);
	int rc = -1;

	if (!text)
		return -1;
	r = redis_link_command(w->redis, "LPUSH %s %s", app->keys.queue, text);
	if (r && r->type == REDIS_REPLY_INTEGER) {
		rc = 0;
		snprintf(labels, sizeof(labels), "template=\"%s\"", job->template_name);
		metrics_add(app->metrics, "auth_mail_jobs_enqueued_total", labels, 1);
		LOG_INFO("mail", "job queued id=%s template=%s", job->id, job->template_name);
		wait_for_replica(app, w, job->id, true);
	} else {
		metrics_add(app->metrics, "auth_mail_enqueue_failures_total", "", 1);
		LOG_ERROR("mail", "job not queued id=%s error=\"%s\"", job->id,
		          r ? r->str : redis_link_last_error(w->redis));
	}
	app_note_redis(app, w, r != NULL);
	freeReplyObject(r);
	free(text);
	return rc;
}

/* Fills job; returns 0, or -1 when out of memory. data is moved in. */
static int build(struct app *app, const struct db_user *user, const char *kind,
                 const char *subject_suffix, enum lang lang, json_t *data, int64_t deadline,
                 struct mail_job *job)
{
	char id[96], subject[400];

	job_id(kind, user->id, id);
	snprintf(subject, sizeof(subject), "[%s] %s", app->settings.app_name,
	         lang_text(&app->texts, lang, subject_suffix));
	json_object_set_new(data, "username", json_string(user->username));
	json_object_set_new(data, "app_name", json_string(app->settings.app_name));
	job->id = text_dup(id);
	job->subject = text_dup(subject);
	job->template_name = text_dup(kind);
	job->locale = text_dup(lang_tag(lang));
	job->data = data;
	job->deadline = deadline;
	if (!job->id || !job->subject || !job->template_name || !job->locale)
		return -1;
	return mail_job_list_add(&job->to, user->email) == 0 ? 0 : -1;
}

static int build_and_push(struct app *app, struct worker *w, const struct db_user *user,
                          const char *kind, const char *subject_suffix, enum lang lang,
                          json_t *data, int64_t deadline)
{
	struct mail_job job;
	int rc = -1;

	mail_job_init(&job);
	if (build(app, user, kind, subject_suffix, lang, data, deadline, &job) == 0)
		rc = push(app, w, &job);
	mail_job_release(&job);
	return rc;
}

const char *mail_enqueue_outcome_name(int outcome)
{
	switch (outcome) {
	case MAIL_QUEUED:
		return "queued";
	case MAIL_HELD_BACK:
		return "no-mail";
	case MAIL_LIMITED:
		return "limited";
	default:
		return "unavailable";
	}
}

void mail_enqueue_stand_in(const char *email, struct db_user *user)
{
	memset(user, 0, sizeof(*user));
	user->id = 0;
	text_copy(user->username, sizeof(user->username), "nobody");
	text_copy(user->email, sizeof(user->email), email);
	memset(user->password_hash, 'x', 97); /* the length of a real argon2id hash */
}

/* A job built and serialised, not pushed; free() it. data is moved in. */
static char *built_text(struct app *app, const struct db_user *user, const char *kind,
                        const char *subject_suffix, enum lang lang, json_t *data, int64_t deadline,
                        char id_out[96])
{
	struct mail_job job;
	char *text = NULL;

	mail_job_init(&job);
	if (build(app, user, kind, subject_suffix, lang, data, deadline, &job) == 0) {
		text = validated_text(&job);
		text_copy(id_out, 96, job.id);
	}
	mail_job_release(&job);
	return text;
}

/* login_url and reset_request_url, for mails that point back to the site. */
static json_t *account_links(const struct app *app)
{
	json_t *data = json_object();
	char url[600];

	snprintf(url, sizeof(url), "%s/login", app->settings.public_url);
	json_object_set_new(data, "login_url", json_string(url));
	snprintf(url, sizeof(url), "%s/reset_password_request", app->settings.public_url);
	json_object_set_new(data, "reset_request_url", json_string(url));
	return data;
}

char *mail_enqueue_reset_job(struct app *app, const struct db_user *user, const char *reset_url,
                             int64_t deadline, enum lang lang, char id_out[96])
{
	json_t *data = json_object();

	json_object_set_new(data, "reset_url", json_string(reset_url));
	json_object_set_new(data, "valid_minutes",
	                    json_integer((app->settings.reset_token_ttl + 59) / 60));
	return built_text(app, user, "reset_password", "Reset Your Password", lang, data, deadline,
	                  id_out);
}

void mail_enqueue_reset_limits(const struct app *app, struct mail_enqueue_limits *out)
{
	*out =
	    (struct mail_enqueue_limits){ "reset-ip", "reset-email",
		                          app->settings.reset_limit_per_ip,
		                          app->settings.reset_limit_per_email, "reset_password" };
}

void mail_enqueue_confirm_limits(const struct app *app, struct mail_enqueue_limits *out)
{
	*out = (struct mail_enqueue_limits){ "confirm-ip", "confirm-email",
		                             app->settings.reset_limit_per_ip,
		                             app->settings.reset_limit_per_email, "confirm_email" };
}

char *mail_enqueue_confirm_job(struct app *app, const struct db_user *user, const char *confirm_url,
                               int64_t deadline, enum lang lang, char id_out[96])
{
	long long ttl = app->settings.confirm_ttl;
	json_t *data = json_object();

	json_object_set_new(data, "confirm_url", json_string(confirm_url));
	json_object_set_new(data, "valid_minutes", json_integer((ttl + 59) / 60));
	if (ttl % 3600 == 0)
		json_object_set_new(data, "valid_hours", json_integer(ttl / 3600));
	return built_text(app, user, "confirm_email", "Confirm Your Email Address", lang, data,
	                  deadline, id_out);
}

char *mail_enqueue_account_exists_job(struct app *app, const struct db_user *user, enum lang lang,
                                      char id_out[96])
{
	return built_text(app, user, "account_exists", "You already have an account", lang,
	                  account_links(app), 0, id_out);
}

int mail_enqueue_reset_limited(struct app *app, struct worker *w, const char *client_ip,
                               const char *email, const char *job, const char *id, bool send)
{
	struct mail_enqueue_limits l;

	mail_enqueue_reset_limits(app, &l);
	return mail_enqueue_limited(app, w, &l, client_ip, email, job, id, send);
}

int mail_enqueue_limited(struct app *app, struct worker *w, const struct mail_enqueue_limits *l,
                         const char *client_ip, const char *email, const char *job, const char *id,
                         bool send)
{
	char by_ip[RATE_LIMIT_KEY_LEN], by_email[RATE_LIMIT_KEY_LEN], ip_max[24], email_max[24];
	char labels[64];
	const char *keys[] = { by_ip, by_email, app->keys.queue };
	const char *args[] = { "3600", ip_max, email_max, job, send ? "1" : "0" };
	redisReply *r;
	int rc = MAIL_UNAVAILABLE;

	rate_limit_key(l->ip_kind, client_ip, by_ip);
	rate_limit_key(l->email_kind, email, by_email);
	snprintf(ip_max, sizeof(ip_max), "%lld", l->per_ip);
	snprintf(email_max, sizeof(email_max), "%lld", l->per_email);
	/* retried once on a broken link: a job pushed twice has one id, and the
	 * mailer delivers an id once */
	r = redis_retry_eval(w->redis, &reset_script, 3, keys, 5, args);
	if (r && r->type == REDIS_REPLY_INTEGER && r->integer >= 0 && r->integer <= 2)
		rc = (int)r->integer;
	if (rc == MAIL_QUEUED || rc == MAIL_HELD_BACK)
		wait_for_replica(app, w, id, rc == MAIL_QUEUED);
	snprintf(labels, sizeof(labels), "template=\"%s\"", l->template_name);
	if (rc == MAIL_QUEUED)
		metrics_add(app->metrics, "auth_mail_jobs_enqueued_total", labels, 1);
	else if (rc == MAIL_UNAVAILABLE && send)
		metrics_add(app->metrics, "auth_mail_enqueue_failures_total", "", 1);
	app_note_redis(app, w, r != NULL);
	freeReplyObject(r);
	return rc;
}

int mail_enqueue_password_changed(struct app *app, struct worker *w, const struct db_user *user,
                                  enum lang lang)
{
	return build_and_push(app, w, user, "password_changed", "Your password has been changed",
	                      lang, account_links(app), 0);
}
