#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

static int render_one(const struct template_set *set, const char *name, json_t *data, char **out,
                      char *why, size_t why_len)
{
	struct template_error err;
	struct buf text;

	buf_init(&text, RENDER_MAX_BYTES);
	if (template_render(set, name, data, TEMPLATE_STRICT, &text, &err) != 0) {
		snprintf(why, why_len, "template: %s: %s", err.where, err.reason);
		buf_release(&text);
		return -1;
	}
	*out = buf_detach(&text, NULL);
	return *out ? 0 : -1;
}

static int render_templates(const struct template_set *set, const struct mail_job *job,
                            struct render_result *out, char *why, size_t why_len)
{
	char name[128];
	json_t *empty = NULL, *data = job->data;
	int rc;

	snprintf(name, sizeof(name), "email/%s.txt", job->template_name);
	if (!template_exists(set, name)) {
		snprintf(why, why_len, "template: unknown template %s", job->template_name);
		return -1;
	}
	if (!data)
		data = empty = json_object();
	rc = render_one(set, name, data, &out->text, why, why_len);
	snprintf(name, sizeof(name), "email/%s.html", job->template_name);
	if (rc == 0 && template_exists(set, name))
		rc = render_one(set, name, data, &out->html, why, why_len);
	json_decref(empty);
	return rc;
}

int render_job(const struct template_set *set, const struct mail_job *job,
               struct render_result *out, char *why, size_t why_len)
{
	memset(out, 0, sizeof(*out));
	if (job->template_name) {
		if (render_templates(set, job, out, why, why_len) == 0)
			return 0;
		render_result_release(out);
		return -1;
	}
	out->text = job->text ? text_dup(job->text) : NULL;
	out->html = job->html ? text_dup(job->html) : NULL;
	return 0;
}

void render_result_release(struct render_result *r)
{
	free(r->text);
	free(r->html);
	r->text = r->html = NULL;
}
