#include "mail_job.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "email_address.h"
#include "str.h"
#include "strict_json.h"

#define HEADER_NAME_MAX  76
#define HEADER_VALUE_MAX 998
#define SANE_TIME_MAX    253402300799LL /* 9999-12-31: a larger value is a unit mistake */

/* One validator per field: value is NULL when the field is absent. */
typedef int (*field_check)(struct mail_job *job, json_t *value, struct mail_job_error *err);

static int reject(struct mail_job_error *err, const char *field, const char *reason)
{
	snprintf(err->field, sizeof(err->field), "%s", field);
	snprintf(err->reason, sizeof(err->reason), "%s", reason);
	return -1;
}

static int take_string(json_t *value, char **out)
{
	*out = text_ndup(json_string_value(value), json_string_length(value));
	return *out ? 0 : -1;
}

/* Accepts an integer, or a real without fraction (JSON Schema's "integer"). */
static int whole_number(json_t *value, long long *out)
{
	if (json_is_integer(value)) {
		*out = json_integer_value(value);
		return 0;
	}
	if (json_is_real(value)) {
		double d = json_real_value(value);

		if (d == floor(d) && fabs(d) < 9e15) {
			*out = (long long)d;
			return 0;
		}
	}
	return -1;
}

static int check_v(struct mail_job *job, json_t *value, struct mail_job_error *err)
{
	long long v;

	(void)job;
	if (!value)
		return reject(err, "v", "required (the version, 1)");
	if (whole_number(value, &v) != 0 || v != 1)
		return reject(err, "v", "unsupported version: must be 1");
	return 0;
}

static bool id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == ':' || c == '-';
}

bool mail_job_id_valid(const char *s)
{
	size_t n = s ? strnlen(s, MAIL_JOB_ID_MAX + 1) : 0;

	if (n < 1 || n > MAIL_JOB_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!id_char(s[i]))
			return false;
	return true;
}

static int check_id(struct mail_job *job, json_t *value, struct mail_job_error *err)
{
	const char *s;
	size_t n;

	if (!value)
		return reject(err, "id", "required");
	if (!json_is_string(value))
		return reject(err, "id", "must be a string");
	s = json_string_value(value);
	n = json_string_length(value);
	if (n < 1 || n > MAIL_JOB_ID_MAX)
		return reject(err, "id", "must be 1 to 128 characters");
	for (size_t i = 0; i < n; i++)
		if (!id_char(s[i]))
			return reject(err, "id", "may only contain A-Z a-z 0-9 . _ : -");
	return take_string(value, &job->id) ? reject(err, "id", "out of memory") : 0;
}

static int check_list_of(struct mail_job_list *list, const char *name, size_t min, size_t max,
                         json_t *value, struct mail_job_error *err)
{
	char field[40], reason[120];
	size_t i;
	json_t *item;

	if (!value) {
		if (min == 0)
			return 0;
		return reject(err, name, "required (1 to 50 addresses)");
	}
	if (!json_is_array(value))
		return reject(err, name, "must be an array of addresses");
	if (json_array_size(value) < min || json_array_size(value) > max) {
		snprintf(reason, sizeof(reason), "must be %zu to %zu addresses", min, max);
		return reject(err, name, reason);
	}
	json_array_foreach(value, i, item)
	{
		snprintf(field, sizeof(field), "%s[%zu]", name, i);
		if (!json_is_string(item))
			return reject(err, field, "must be a string");
		if (text_has_crlf(json_string_value(item), json_string_length(item)))
			return reject(err, field, "contains CR/LF");
		if (!email_address_valid(json_string_value(item), json_string_length(item)))
			return reject(err, field, "not an address (local@domain)");
		if (mail_job_list_add(list, json_string_value(item)) != 0)
			return reject(err, field, "out of memory");
	}
	return 0;
}

static int check_list(struct mail_job_list *list, const char *name, size_t min, json_t *value,
                      struct mail_job_error *err)
{
	return check_list_of(list, name, min, MAIL_JOB_MAX_RECIPIENTS, value, err);
}

static int check_to(struct mail_job *job, json_t *value, struct mail_job_error *err)
{
	return check_list(&job->to, "to", 1, value, err);
}

static int check_cc(struct mail_job *job, json_t *value, struct mail_job_error *err)
{
	return check_list(&job->cc, "cc", 0, value, err);
}

static int check_bcc(struct mail_job *job, json_t *value, struct mail_job_error *err)
{
	return check_list(&job->bcc, "bcc", 0, value, err);
}

static int check_one_address(char **out, const char *name, json_t *value,
                             struct mail_job_error *err)
{
	struct email_address parsed;
	const char *why = NULL;

	if (!value)
		return 0;
	if (!json_is_string(value))
		return reject(err, name, "must be a string");
	if (email_address_parse(json_string_value(value), json_string_length(value), true, &parsed,
	                        &why) != 0)
		return reject(err, name, why);
	return take_string(value, out) ? reject(err, name, "out of memory") : 0;
}

static int check_from(struct mail_job *job, json_t *value, struct mail_job_error *err)
{
	return check_one_address(&job->from, "from", value, err);
}

static int check_reply_to(struct mail_job *job, json_t *value, struct mail_job_error *err)
{
	return check_one_address(&job->reply_to, "reply_to", value, err);
}

static int check_subject(struct mail_job *job, json_t *value, struct mail_job_error *err)
{
	if (!value)
		return reject(err, "subject", "required");
	if (!json_is_string(value))
		return reject(err, "subject", "must be a string");
	if (json_string_length(value) > MAIL_JOB_SUBJECT_MAX)
		return reject(err, "subject", "longer than 998 bytes");
	if (text_has_crlf(json_string_value(value), json_string_length(value)))
		return reject(err, "subject", "contains CR/LF");
	return take_string(value, &job->subject) ? reject(err, "subject", "out of memory") : 0;
}

static int check_template(struct mail_job *job, json_t *value, struct mail_job_error *err)
{
	const char *s;
	size_t n;

	if (!value)
		return 0;
	if (!json_is_string(value))
		return reject(err, "template", "must be a string");
	s = json_string_value(value);
	n = json_string_length(value);
	if (n < 1 || n > MAIL_JOB_TEMPLATE_MAX)
		return reject(err, "template", "must be 1 to 64 characters");
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return reject(err, "template", "may only contain a-z 0-9 _");
	return take_string(value, &job->template_name) ? reject(err, "template", "out of memory")
	                                               : 0;
}

/* A language tag of BCP 47's common shape: a 2-3 letter language, then up to
 * three subtags of 1-8 letters or digits ("zh-CN", "zh-Hans-CN", "en-US").
 * Nothing else: the mailer makes a directory name of it. */
static bool locale_valid(const char *s, size_t n)
{
	size_t i = 0, len = 0;
	int subtags = 0;

	while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
		i++;
	if (i < 2 || i > 3)
		return false;
	for (; i < n; i++) {
		bool alnum = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		             (s[i] >= '0' && s[i] <= '9');

		if (s[i] == '-') {
			if ((subtags && len == 0) || ++subtags > 3)
				return false;
			len = 0;
		} else if (!alnum || ++len > 8) {
			return false;
		}
	}
	return subtags == 0 || len > 0;
}

static int check_locale(struct mail_job *job, json_t *value, struct mail_job_error *err)
{
	if (!value)
		return 0;
	if (!json_is_string(value))
		return reject(err, "locale", "must be a string");
	if (json_string_length(value) > MAIL_JOB_LOCALE_MAX ||
	    !locale_valid(json_string_value(value), json_string_length(value)))
		return reject(err, "locale", "must be a language tag such as zh-CN or en");
	return take_string(value, &job->locale) ? reject(err, "locale", "out of memory") : 0;
}

static int check_body(char **out, const char *name, json_t *value, struct mail_job_error *err)
{
	if (!value)
		return 0;
	if (!json_is_string(value))
		return reject(err, name, "must be a string");
	return take_string(value, out) ? reject(err, name, "out of memory") : 0;
}

static int check_text(struct mail_job *job, json_t *value, struct mail_job_error *err)
{
	return check_body(&job->text, "text", value, err);
}

static int check_html(struct mail_job *job, json_t *value, struct mail_job_error *err)
{
	return check_body(&job->html, "html", value, err);
}

static int check_data(struct mail_job *job, json_t *value, struct mail_job_error *err)
{
	if (!value)
		return 0;
	if (!json_is_object(value))
		return reject(err, "data", "must be an object");
	job->data = json_incref(value);
	return 0;
}

static bool header_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n < 3 || n > HEADER_NAME_MAX || (name[0] != 'X' && name[0] != 'x') || name[1] != '-')
		return false;
	for (size_t i = 2; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '-'))
			return false;
	return true;
}

static int check_headers(struct mail_job *job, json_t *value, struct mail_job_error *err)
{
	const char *name;
	json_t *v;
	char field[40];

	if (!value)
		return 0;
	if (!json_is_object(value))
		return reject(err, "headers", "must be an object");
	if (json_object_size(value) > MAIL_JOB_HEADERS_MAX)
		return reject(err, "headers", "more than 20 headers");
	json_object_foreach(value, name, v)
	{
		snprintf(field, sizeof(field), "headers.%.30s", name);
		if (!header_name_valid(name))
			return reject(err, field, "name must be X- followed by letters, digits, -");
		if (!json_is_string(v))
			return reject(err, field, "value must be a string");
		if (json_string_length(v) > HEADER_VALUE_MAX)
			return reject(err, field, "value longer than 998 bytes");
		if (text_has_crlf(json_string_value(v), json_string_length(v)))
			return reject(err, field, "value contains CR/LF");
	}
	job->headers = json_incref(value);
	return 0;
}

static int check_time(long long *out, const char *name, json_t *value, struct mail_job_error *err)
{
	long long t;

	if (!value)
		return 0;
	if (whole_number(value, &t) != 0)
		return reject(err, name, "must be an integer (unix seconds)");
	if (t <= 0 || t > SANE_TIME_MAX)
		return reject(err, name, "must be unix seconds after 1970 and before 10000");
	*out = t;
	return 0;
}

static int check_deadline(struct mail_job *job, json_t *value, struct mail_job_error *err)
{
	return check_time(&job->deadline, "deadline", value, err);
}

static int check_not_before(struct mail_job *job, json_t *value, struct mail_job_error *err)
{
	return check_time(&job->not_before, "not_before", value, err);
}

static int check_attempts(struct mail_job *job, json_t *value, struct mail_job_error *err)
{
	long long n;

	if (!value)
		return 0;
	if (whole_number(value, &n) != 0 || n < 0 || n > 1000)
		return reject(err, "attempts", "must be an integer from 0 to 1000");
	job->attempts = (int)n;
	return 0;
}

static int check_last_error(struct mail_job *job, json_t *value, struct mail_job_error *err)
{
	if (!value)
		return 0;
	if (!json_is_string(value))
		return reject(err, "last_error", "must be a string");
	if (json_string_length(value) > MAIL_JOB_LAST_ERROR_MAX)
		return reject(err, "last_error", "longer than 500 bytes");
	return take_string(value, &job->last_error) ? reject(err, "last_error", "out of memory")
	                                            : 0;
}

static int check_rcpt_done(struct mail_job *job, json_t *value, struct mail_job_error *err)
{
	return check_list_of(&job->rcpt_done, "rcpt_done", 0, 3 * MAIL_JOB_MAX_RECIPIENTS, value,
	                     err);
}

static const struct {
	const char *name;
	field_check check;
} fields[] = {
	{ "v", check_v },
	{ "id", check_id },
	{ "to", check_to },
	{ "cc", check_cc },
	{ "bcc", check_bcc },
	{ "from", check_from },
	{ "reply_to", check_reply_to },
	{ "subject", check_subject },
	{ "template", check_template },
	{ "locale", check_locale },
	{ "text", check_text },
	{ "html", check_html },
	{ "data", check_data },
	{ "headers", check_headers },
	{ "deadline", check_deadline },
	{ "not_before", check_not_before },
	{ "attempts", check_attempts },
	{ "last_error", check_last_error },
	{ "rcpt_done", check_rcpt_done },
};
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

static bool known_field(const char *name)
{
	for (size_t i = 0; i < N_FIELDS; i++)
		if (strcmp(fields[i].name, name) == 0)
			return true;
	return false;
}

static int check_unknown_fields(json_t *root, struct mail_job_error *err)
{
	const char *name;
	json_t *v;

	json_object_foreach(root, name, v)
	{
		(void)v;
		if (!known_field(name)) {
			char field[40];

			snprintf(field, sizeof(field), "%.39s", name);
			return reject(err, field, "unknown field");
		}
	}
	return 0;
}

static int check_content(const struct mail_job *job, struct mail_job_error *err)
{
	if (job->template_name && (job->text || job->html))
		return reject(err, "template", "cannot be combined with inline text or html");
	if (!job->template_name && !job->text && !job->html)
		return reject(err, "template", "one of template, text or html is required");
	return 0;
}

static int validate_object(json_t *root, struct mail_job *job, struct mail_job_error *err)
{
	if (check_unknown_fields(root, err) != 0)
		return -1;
	for (size_t i = 0; i < N_FIELDS; i++)
		if (fields[i].check(job, json_object_get(root, fields[i].name), err) != 0)
			return -1;
	return check_content(job, err);
}

int mail_job_parse(const char *buf, size_t len, struct mail_job *job, struct mail_job_error *err)
{
	json_t *root;
	int rc;

	mail_job_init(job);
	err->field[0] = err->reason[0] = '\0';
	root = strict_json_parse_object(buf, len, MAIL_JOB_MAX_BYTES, err->reason,
	                                sizeof(err->reason));
	if (!root)
		return -1;
	rc = validate_object(root, job, err);
	json_decref(root);
	if (rc != 0)
		mail_job_release(job);
	return rc;
}

static json_t *list_to_json(const struct mail_job_list *list)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < list->n; i++)
		json_array_append_new(arr, json_string(list->items[i]));
	return arr;
}

static void set_string(json_t *o, const char *key, const char *value)
{
	if (value)
		json_object_set_new(o, key, json_string(value));
}

static json_t *mail_job_to_json(const struct mail_job *job)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "v", json_integer(1));
	set_string(o, "id", job->id);
	json_object_set_new(o, "to", list_to_json(&job->to));
	if (job->cc.n)
		json_object_set_new(o, "cc", list_to_json(&job->cc));
	if (job->bcc.n)
		json_object_set_new(o, "bcc", list_to_json(&job->bcc));
	set_string(o, "from", job->from);
	set_string(o, "reply_to", job->reply_to);
	set_string(o, "subject", job->subject);
	set_string(o, "template", job->template_name);
	set_string(o, "locale", job->locale);
	set_string(o, "text", job->text);
	set_string(o, "html", job->html);
	if (job->data)
		json_object_set(o, "data", job->data);
	if (job->headers)
		json_object_set(o, "headers", job->headers);
	if (job->deadline)
		json_object_set_new(o, "deadline", json_integer(job->deadline));
	if (job->not_before)
		json_object_set_new(o, "not_before", json_integer(job->not_before));
	if (job->attempts)
		json_object_set_new(o, "attempts", json_integer(job->attempts));
	set_string(o, "last_error", job->last_error);
	if (job->rcpt_done.n)
		json_object_set_new(o, "rcpt_done", list_to_json(&job->rcpt_done));
	return o;
}

char *mail_job_serialise(const struct mail_job *job)
{
	json_t *o = mail_job_to_json(job);
	char *text;

	if (!o)
		return NULL;
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

/* The rules are checked on the JSON object itself, and what only the text can
 * break (size, nesting) on the text: the same verdict as mail_job_parse of the
 * text would give, without parsing it back (that was a fifth of auth's work
 * per reset request). Keys cannot repeat in an object, and jansson escapes NUL. */
char *mail_job_serialise_valid(const struct mail_job *job, struct mail_job_error *err)
{
	json_t *o = mail_job_to_json(job);
	struct mail_job copy;
	char *text = NULL;
	size_t len;

	mail_job_init(&copy);
	err->field[0] = err->reason[0] = '\0';
	if (!o || !(text = json_dumps(o, JSON_COMPACT))) {
		reject(err, "", "out of memory, or a field is not valid UTF-8");
		goto out;
	}
	len = strlen(text);
	if (len > MAIL_JOB_MAX_BYTES)
		snprintf(err->reason, sizeof(err->reason), "too large: %zu bytes > %d", len,
		         MAIL_JOB_MAX_BYTES);
	else if (strict_json_depth(text, len) > STRICT_JSON_MAX_DEPTH)
		snprintf(err->reason, sizeof(err->reason),
		         "not accepted: nested deeper than %d levels", STRICT_JSON_MAX_DEPTH);
	else if (validate_object(o, &copy, err) == 0)
		goto out;
	free(text);
	text = NULL;
out:
	mail_job_release(&copy);
	json_decref(o);
	return text;
}

int mail_job_validate(const struct mail_job *job, struct mail_job_error *err)
{
	char *text = mail_job_serialise_valid(job, err);

	free(text);
	return text ? 0 : -1;
}

void mail_job_init(struct mail_job *job)
{
	memset(job, 0, sizeof(*job));
}

void mail_job_list_release(struct mail_job_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->items[i]);
	free(list->items);
	list->items = NULL;
	list->n = 0;
}

void mail_job_release(struct mail_job *job)
{
	free(job->id);
	mail_job_list_release(&job->to);
	mail_job_list_release(&job->cc);
	mail_job_list_release(&job->bcc);
	mail_job_list_release(&job->rcpt_done);
	free(job->from);
	free(job->reply_to);
	free(job->subject);
	free(job->template_name);
	free(job->locale);
	free(job->text);
	free(job->html);
	json_decref(job->data);
	json_decref(job->headers);
	free(job->last_error);
	mail_job_init(job);
}

int mail_job_list_add(struct mail_job_list *list, const char *addr)
{
	char **items = realloc(list->items, (list->n + 1) * sizeof(*items));

	if (!items)
		return -1;
	list->items = items;
	items[list->n] = text_dup(addr);
	if (!items[list->n])
		return -1;
	list->n++;
	return 0;
}

const char *mail_job_error_format(const struct mail_job_error *err, char *out, size_t out_len)
{
	if (err->field[0])
		snprintf(out, out_len, "%s: %s", err->field, err->reason);
	else
		snprintf(out, out_len, "%s", err->reason);
	return out;
}
