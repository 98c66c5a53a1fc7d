#include "mail_enqueue.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logger.h"
#include "mail_job.h"
#include "now.h"
#include "str.h"

static void job_id(const char *kind, int64_t user_id, char out[96])
{
	snprintf(out, 96, "%s-%lld-%lld-%08x", kind, (long long)user_id, (long long)now_s(),
	         randombytes_random());
}

static int push(struct app *app, struct worker *w, struct mail_job *job)
{
	struct mail_job_error err;
	char reason[300], labels[64];
	redisReply *r;
	char *text;
	int rc = -1;

	text = mail_job_serialise_valid(job, &err); /* one serialisation, checked */
	if (!text) {
		LOG_ERROR("mail", "job not valid id=%s error=\"%s\"", job->id,
		          mail_job_error_format(&err, reason, sizeof(reason)));
		return -1;
	}
	r = redis_link_command(w->redis, "LPUSH %s %s", app->keys.queue, text);
	if (r && r->type == REDIS_REPLY_INTEGER) {
		rc = 0;
		snprintf(labels, sizeof(labels), "template=\"%s\"", job->template_name);
		metrics_add(app->metrics, "auth_mail_jobs_enqueued_total", labels, 1);
		LOG_INFO("mail", "job queued id=%s template=%s", job->id, job->template_name);
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

static int build_and_push(struct app *app, struct worker *w, const struct db_user *user,
                          const char *kind, const char *subject_suffix, json_t *data,
                          int64_t deadline)
{
	struct mail_job job;
	char id[96], subject[200];
	int rc = -1;

	mail_job_init(&job);
	job_id(kind, user->id, id);
	snprintf(subject, sizeof(subject), "[%s] %s", app->settings.app_name, subject_suffix);
	json_object_set_new(data, "username", json_string(user->username));
	json_object_set_new(data, "app_name", json_string(app->settings.app_name));
	job.id = text_dup(id);
	job.subject = text_dup(subject);
	job.template_name = text_dup(kind);
	job.data = data;
	job.deadline = deadline;
	if (job.id && job.subject && job.template_name &&
	    mail_job_list_add(&job.to, user->email) == 0)
		rc = push(app, w, &job);
	mail_job_release(&job);
	return rc;
}

int mail_enqueue_reset(struct app *app, struct worker *w, const struct db_user *user,
                       const char *reset_url, int64_t deadline)
{
	json_t *data = json_object();

	json_object_set_new(data, "reset_url", json_string(reset_url));
	return build_and_push(app, w, user, "reset_password", "Reset Your Password", data,
	                      deadline);
}

int mail_enqueue_password_changed(struct app *app, struct worker *w, const struct db_user *user)
{
	json_t *data = json_object();
	char url[600];

	snprintf(url, sizeof(url), "%s/login", app->settings.public_url);
	json_object_set_new(data, "login_url", json_string(url));
	snprintf(url, sizeof(url), "%s/reset_password_request", app->settings.public_url);
	json_object_set_new(data, "reset_request_url", json_string(url));
	return build_and_push(app, w, user, "password_changed", "Your password has been changed",
	                      data, 0);
}

void mail_enqueue_equal_cost(struct worker *w)
{
	freeReplyObject(redis_link_command(w->redis, "PING"));
}
