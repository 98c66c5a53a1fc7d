/* render: a job's bodies — templates/email/<name>.txt (required) and .html
 * (when it exists), rendered strictly with the job's data, or the inline
 * text/html. A job with a "locale" takes both parts from the first of
 * email/<locale>/ (case made canonical: zh-cn -> zh-CN), email/<language>/
 * (zh for zh-CN) and email/ that has <name>.txt. Ownership: render_job() fills a struct render_result that
 * render_result_release() frees. */
#ifndef MAILER_RENDER_H
#define MAILER_RENDER_H

#include "mail_job.h"
#include "template.h"

#define RENDER_MAX_BYTES (1024 * 1024)

struct render_result {
	char *text; /* NULL when the job has no text body */
	char *html; /* NULL when none */
};

/* Returns 0, or -1 with a reason a person can act on in why
 * ("template: unknown template reset_pasword", "template: missing variable: x"). */
int render_job(const struct template_set *set, const struct mail_job *job,
               struct render_result *out, char *why, size_t why_len);

void render_result_release(struct render_result *r);

/* A locale as its directory name: the language in lower case, a 2-letter
 * region in upper case, a 4-letter script in title case ("zh-hans-cn" ->
 * "zh-Hans-CN"). locale is a valid tag (mail_job checked it). */
void render_locale_dir(const char *locale, char *out, size_t out_len);

#endif
