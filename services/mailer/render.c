#include "render.h"

#include <ctype.h>
#include <stdbool.h>
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

void render_locale_dir(const char *locale, char *out, size_t out_len)
{
	size_t i = 0, start = 0;

	snprintf(out, out_len, "%s", locale);
	for (; out[i]; i++) {
		char c = out[i];

		if (c == '-') {
			start = i + 1;
			continue;
		}
		out[i] = (char)tolower((unsigned char)c);
		if (start > 0) {
			size_t len = strcspn(out + start, "-");

			if (len == 2 || (len == 4 && i == start))
				out[i] = (char)toupper((unsigned char)c);
		}
	}
}

/* The directory the job's bodies come from: email/<locale>/, email/<language>/
 * or email/, whichever first has <name>.txt. Returns false when none has. */
static bool template_dir(const struct template_set *set, const struct mail_job *job, char *dir,
                         size_t dir_len)
{
	char tag[MAIL_JOB_LOCALE_MAX + 1] = "", language[MAIL_JOB_LOCALE_MAX + 1], name[200];
	const char *dirs[3];
	size_t n = 0;

	if (job->locale) {
		render_locale_dir(job->locale, tag, sizeof(tag));
		dirs[n++] = tag;
	}
	if (job->locale && strchr(tag, '-')) {
		snprintf(language, sizeof(language), "%.*s", (int)strcspn(tag, "-"), tag);
		dirs[n++] = language;
	}
	dirs[n++] = "";
	for (size_t i = 0; i < n; i++) {
		snprintf(dir, dir_len, "email/%s%s", dirs[i], dirs[i][0] ? "/" : "");
		snprintf(name, sizeof(name), "%s%s.txt", dir, job->template_name);
		if (template_exists(set, name))
			return true;
	}
	return false;
}

static int render_templates(const struct template_set *set, const struct mail_job *job,
                            struct render_result *out, char *why, size_t why_len)
{
	char name[200], dir[80];
	json_t *empty = NULL, *data = job->data;
	int rc;

	if (!template_dir(set, job, dir, sizeof(dir))) {
		snprintf(why, why_len, "template: unknown template %s", job->template_name);
		return -1;
	}
	snprintf(name, sizeof(name), "%s%s.txt", dir, job->template_name);
	if (!data)
		data = empty = json_object();
	rc = render_one(set, name, data, &out->text, why, why_len);
	snprintf(name, sizeof(name), "%s%s.html", dir, job->template_name);
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
