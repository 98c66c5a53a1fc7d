/* mail_job: the version-1 mail job of proto/mail_job.schema.json.
 *
 * Parses and validates untrusted job bytes exactly as the schema and SPEC say,
 * returning the first violation as field + reason; builds and serialises jobs.
 * Ownership: a struct mail_job owns every pointer in it; mail_job_release()
 * frees them all. Strings are NUL-terminated UTF-8 (NUL bytes are rejected).
 *
 * Besides the producer fields, three fields belong to the mailer and survive a
 * round trip: "attempts" (deliveries tried so far), "last_error", and
 * "rcpt_done" (recipients already accepted or given up, never sent to again).
 */
#ifndef COMMON_MAIL_JOB_H
#define COMMON_MAIL_JOB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define MAIL_JOB_MAX_BYTES      (256 * 1024) /* SPEC: a larger job is dead-lettered */
#define MAIL_JOB_ID_MAX         128
#define MAIL_JOB_MAX_RECIPIENTS 50  /* per list: to, cc, bcc */
#define MAIL_JOB_SUBJECT_MAX    998 /* RFC 5322 line limit, in bytes */
#define MAIL_JOB_TEMPLATE_MAX   64
#define MAIL_JOB_HEADERS_MAX    20
#define MAIL_JOB_LAST_ERROR_MAX 500
#define MAIL_JOB_LOCALE_MAX     35 /* a language tag: "zh-CN", "en", "zh-Hans-CN" */

struct mail_job_list {
	char **items; /* bare addr-specs */
	size_t n;
};

struct mail_job {
	char *id;
	struct mail_job_list to, cc, bcc;
	char *from;     /* NULL: the mailer's default sender; may be "Name <addr>" */
	char *reply_to; /* NULL or an address, may be "Name <addr>" */
	char *subject;
	char *template_name;            /* NULL when the bodies are inline */
	char *locale;                   /* language tag for the template, or NULL */
	char *text;                     /* inline text body, or NULL */
	char *html;                     /* inline HTML body, or NULL */
	json_t *data;                   /* object (own reference), or NULL */
	json_t *headers;                /* object of "X-…": "value" (own reference), or NULL */
	long long deadline;             /* unix seconds, 0 = none */
	long long not_before;           /* unix seconds, 0 = none */
	int attempts;                   /* mailer-owned: deliveries tried */
	char *last_error;               /* mailer-owned: why the last attempt failed, or NULL */
	struct mail_job_list rcpt_done; /* mailer-owned: recipients finished with */
};

struct mail_job_error {
	char field[40];   /* "subject", "to[3]", "headers.X-Tag", "" for the whole job */
	char reason[200]; /* "contains CR/LF", "must be 1 to 50 addresses", ... */
};

/* Parses untrusted bytes. Returns 0 with *job filled (release it), or -1 with
 * err filled and *job left empty. Rejects: over MAIL_JOB_MAX_BYTES, not JSON,
 * duplicate keys, depth, unknown fields, and every rule of the schema. */
int mail_job_parse(const char *buf, size_t len, struct mail_job *job, struct mail_job_error *err);

/* True when s is an id by the rules: 1 to MAIL_JOB_ID_MAX characters of
 * A-Z a-z 0-9 . _ : - (so never a '/', and safe in a file name with a suffix). */
bool mail_job_id_valid(const char *s);

/* Validates an already-built job by the same rules (for producers: auth, mailctl).
 * Returns 0 or -1 with err filled. */
int mail_job_validate(const struct mail_job *job, struct mail_job_error *err);

/* mail_job_validate and mail_job_serialise in one: the job's compact JSON
 * (free() it) when it passes the rules, else NULL with err filled. The text is
 * built once and checked as the mailer will read it. */
char *mail_job_serialise_valid(const struct mail_job *job, struct mail_job_error *err);

/* Compact JSON of the job (keys in schema order; absent fields omitted).
 * Returns a malloc'ed NUL-terminated string (free()), or NULL when out of memory. */
char *mail_job_serialise(const struct mail_job *job);

/* Empties a job: every pointer NULL, numbers 0. */
void mail_job_init(struct mail_job *job);

/* Frees everything the job owns and re-initialises it. */
void mail_job_release(struct mail_job *job);

/* Frees a list's items and empties it. */
void mail_job_list_release(struct mail_job_list *list);

/* Appends a copy of addr to a list. Returns 0, or -1 when out of memory. */
int mail_job_list_add(struct mail_job_list *list, const char *addr);

/* "field: reason" (or just the reason when field is empty) into out. */
const char *mail_job_error_format(const struct mail_job_error *err, char *out, size_t out_len);

#endif
