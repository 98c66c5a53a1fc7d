/* mail_job: every example in proto/examples (one invalid file per rule, with the
 * field it must name in EXPECTED.tsv), hostile input, and round trips. */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mail_job.h"
#include "strict_json.h"

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long size;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		data = malloc((size_t)size + 1);
		if (data && fread(data, 1, (size_t)size, f) != (size_t)size) {
			free(data);
			data = NULL;
		}
		*len = (size_t)size;
	}
	fclose(f);
	return data;
}

static const char *examples_dir(void)
{
	static char dir[4096];
	const char *src = getenv("SOURCE_DIR");

	snprintf(dir, sizeof(dir), "%s/proto/examples", src ? src : ".");
	return dir;
}

static void test_valid_examples(void)
{
	char path[8192];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/valid", examples_dir());
	d = opendir(path);
	CHECK(d != NULL);
	while (d && (e = readdir(d))) {
		struct mail_job job;
		struct mail_job_error err;
		size_t len = 0;
		char *text;

		if (!strstr(e->d_name, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/valid/%s", examples_dir(), e->d_name);
		text = read_file(path, &len);
		CHECK_ROW(text != NULL, e->d_name);
		if (!text)
			continue;
		CHECK_ROW(mail_job_parse(text, len, &job, &err) == 0, e->d_name);
		if (err.reason[0])
			fprintf(stderr, "    %s: %s: %s\n", e->d_name, err.field, err.reason);
		mail_job_release(&job);
		free(text);
		n++;
	}
	if (d)
		closedir(d);
	CHECK(n >= 6);
}

static void test_invalid_examples(void)
{
	char path[8192], line[512];
	FILE *tsv;
	int n = 0;

	snprintf(path, sizeof(path), "%s/invalid/EXPECTED.tsv", examples_dir());
	tsv = fopen(path, "r");
	CHECK(tsv != NULL);
	while (tsv && fgets(line, sizeof(line), tsv)) {
		char *file = line, *field, *end;
		struct mail_job job;
		struct mail_job_error err;
		size_t len = 0;
		char *text;

		if (line[0] == '#' || !(field = strchr(line, '\t')))
			continue;
		*field++ = '\0';
		if ((end = strchr(field, '\t')))
			*end = '\0';
		snprintf(path, sizeof(path), "%s/invalid/%s", examples_dir(), file);
		text = read_file(path, &len);
		CHECK_ROW(text != NULL, file);
		if (!text)
			continue;
		CHECK_ROW(mail_job_parse(text, len, &job, &err) == -1, file);
		CHECK_ROW(strcmp(err.field, field) == 0, file);
		CHECK_ROW(err.reason[0] != '\0', file);
		if (strcmp(err.field, field) != 0)
			fprintf(stderr, "    got field \"%s\" (%s), want \"%s\"\n", err.field,
			        err.reason, field);
		CHECK_ROW(job.id == NULL && job.to.n == 0, file); /* nothing left behind */
		free(text);
		n++;
	}
	if (tsv)
		fclose(tsv);
	CHECK(n >= 30);
}

static int parse_fails(const char *text, size_t len, const char *field)
{
	struct mail_job job;
	struct mail_job_error err;
	int rc = mail_job_parse(text, len, &job, &err);

	mail_job_release(&job);
	return rc == -1 && strcmp(err.field, field) == 0;
}

static void test_hostile(void)
{
	static const char nul_inside[] = "{\"v\":1,\"id\":\"a\0b\",\"to\":[\"a@example.com\"]}";
	static const char bad_utf8[] = "{\"v\":1,\"id\":\"a\",\"to\":[\"a@example.com\"],"
	                               "\"subject\":\"\xff\xfe\",\"text\":\"x\"}";
	static const char escaped_nul[] = "{\"v\":1,\"id\":\"a\",\"to\":[\"a@example.com\"],"
	                                  "\"subject\":\"a\\u0000b\",\"text\":\"x\"}";
	const char *truncated = "{\"v\":1,\"id\":\"a\",\"to\":[\"a@exa";
	size_t big = 10u << 20, deep = 10000;
	char *s = malloc(big + 100), *d = malloc(2 * deep + 1);

	CHECK(parse_fails(nul_inside, sizeof(nul_inside) - 1, ""));
	CHECK(parse_fails(bad_utf8, sizeof(bad_utf8) - 1, ""));
	CHECK(parse_fails(escaped_nul, sizeof(escaped_nul) - 1, ""));
	CHECK(parse_fails(truncated, strlen(truncated), ""));
	CHECK(parse_fails("", 0, ""));
	CHECK(parse_fails("null", 4, ""));
	CHECK(s && d);
	if (s && d) {
		memcpy(s, "{\"v\":1,\"subject\":\"", 18);
		memset(s + 18, 'a', big);
		memcpy(s + 18 + big, "\"}", 2);
		CHECK(parse_fails(s, big + 20, ""));
		memset(d, '[', deep);
		memset(d + deep, ']', deep);
		CHECK(parse_fails(d, 2 * deep, ""));
	}
	free(s);
	free(d);
}

static void test_round_trip(void)
{
	const char *in =
	    "{\"v\":1,\"id\":\"x-1\",\"to\":[\"a@example.com\"],\"cc\":[\"c@example.com\"],"
	    "\"subject\":\"重置\",\"template\":\"reset_password\",\"locale\":\"zh-CN\","
	    "\"data\":{\"u\":\"s\"},"
	    "\"headers\":{\"X-T\":\"1\"},\"deadline\":1732400600,\"attempts\":3,"
	    "\"last_error\":\"smtp 451\"}";
	struct mail_job job, again;
	struct mail_job_error err;
	char *out, *out2, *valid;

	CHECK_INT(mail_job_parse(in, strlen(in), &job, &err), 0);
	CHECK_STR(job.subject, "重置");
	CHECK_STR(job.locale, "zh-CN");
	CHECK_INT(job.deadline, 1732400600);
	CHECK_INT(job.attempts, 3);
	out = mail_job_serialise(&job);
	CHECK_INT(mail_job_parse(out, strlen(out), &again, &err), 0);
	out2 = mail_job_serialise(&again);
	CHECK_STR(out, out2);
	CHECK_INT(mail_job_validate(&again, &err), 0);
	valid = mail_job_serialise_valid(&again, &err); /* the same text, checked */
	CHECK(valid != NULL);
	CHECK_STR(valid, out2);
	free(valid);
	free(again.subject);
	again.subject = strdup("bad\r\nBcc: x@example.com");
	CHECK_INT(mail_job_validate(&again, &err), -1);
	CHECK_STR(err.field, "subject");
	memset(&err, 0, sizeof(err));
	CHECK(mail_job_serialise_valid(&again, &err) == NULL);
	CHECK_STR(err.field, "subject");
	free(out);
	free(out2);
	mail_job_release(&job);
	mail_job_release(&again);
}

/* The old way to validate a built job: serialise, then parse the text back. */
static int verdict_by_parse(const struct mail_job *job, struct mail_job_error *err)
{
	struct mail_job copy;
	char *text = mail_job_serialise(job);
	int rc = text ? mail_job_parse(text, strlen(text), &copy, err) : -1;

	if (rc == 0)
		mail_job_release(&copy);
	free(text);
	return rc;
}

static json_t *nested(int depth)
{
	json_t *o = json_object();

	for (int i = 1; i < depth; i++) {
		json_t *outer = json_object();

		json_object_set_new(outer, "k", o);
		o = outer;
	}
	return o;
}

/* mail_job_serialise_valid checks the object, not the text parsed back: row by
 * row, its verdict and reason are those of parsing its own text. */
static void test_serialise_valid_agrees(void)
{
	static const char base[] = "{\"v\":1,\"id\":\"s-1\",\"to\":[\"a@example.com\"],"
	                           "\"subject\":\"Hi\",\"template\":\"reset_password\","
	                           "\"data\":{\"a\":{\"b\":1}}}";
	static const char *const rows[] = { "valid",     "subject CR/LF", "bad address",
		                            "deep data", "too large",     "bad header",
		                            "empty id" };
	static char big[300 * 1024];

	memset(big, 'a', sizeof(big) - 1);
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct mail_job job;
		struct mail_job_error want = { "", "" }, got = { "", "" };
		char *text;
		int rc;

		CHECK_INT(mail_job_parse(base, strlen(base), &job, &want), 0);
		if (r == 1) {
			free(job.subject);
			job.subject = strdup("bad\r\nBcc: x@example.com");
		} else if (r == 2) {
			free(job.to.items[0]);
			job.to.items[0] = strdup("not an address");
		} else if (r == 3) {
			json_object_set_new(job.data, "deep", nested(STRICT_JSON_MAX_DEPTH + 2));
		} else if (r == 4) {
			job.text = strdup(big);
		} else if (r == 5) {
			job.headers = json_pack("{s:s}", "Bcc", "x@example.com");
		} else if (r == 6) {
			free(job.id);
			job.id = strdup("");
		}
		rc = verdict_by_parse(&job, &want);
		text = mail_job_serialise_valid(&job, &got);
		CHECK_ROW((text != NULL) == (rc == 0), rows[r]);
		CHECK_ROW(r == 0 ? rc == 0 : rc != 0, rows[r]);
		if (text) {
			char *plain = mail_job_serialise(&job);

			CHECK_STR(text, plain);
			free(plain);
		} else {
			CHECK_STR(got.field, want.field);
			CHECK_STR(got.reason, want.reason);
		}
		free(text);
		mail_job_release(&job);
	}
}

/* locale: a language tag of the common shape, nothing a path could be made of */
static void test_locale(void)
{
	static const struct {
		const char *locale;
		bool ok;
	} rows[] = {
		{ "en", true },
		{ "zh-CN", true },
		{ "zh-Hans-CN", true },
		{ "ZH-cn", true },
		{ "yue", true },
		{ "en-US-x-1", true },
		{ "sr-Latn-RS-1994-x", false }, /* four subtags */
		{ "e", false },
		{ "engl", false },
		{ "zh-", false },
		{ "zh--CN", false },
		{ "-CN", false },
		{ "", false },
		{ "zh_CN", false },
		{ "../zh", false },
		{ "zh/CN", false },
		{ "zh-CN ", false },
		{ "zh-abcdefghi", false },
		{ "zh-CN.UTF-8", false },
	};
	char json[200];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct mail_job job;
		struct mail_job_error err;
		int rc;

		snprintf(json, sizeof(json),
		         "{\"v\":1,\"id\":\"a\",\"to\":[\"a@example.com\"],\"subject\":\"s\","
		         "\"template\":\"t\",\"locale\":\"%s\"}",
		         rows[i].locale);
		rc = mail_job_parse(json, strlen(json), &job, &err);
		CHECK_ROW((rc == 0) == rows[i].ok, rows[i].locale);
		if (rc != 0)
			CHECK_ROW(strcmp(err.field, "locale") == 0, rows[i].locale);
		mail_job_release(&job);
	}
}

static void test_error_format(void)
{
	struct mail_job_error err = { "subject", "contains CR/LF" };
	char out[300];

	CHECK_STR(mail_job_error_format(&err, out, sizeof(out)), "subject: contains CR/LF");
}

/* The id as a file name (the mailer's outbox, mailctl outbox show ID). */
static void test_id_valid(void)
{
	static const struct {
		const char *id;
		bool ok;
	} rows[] = {
		{ "reset-42-1732400000-9f2c", true },
		{ "..", true },
		{ ".hidden:1", true },
		{ "a", true },
		{ "", false },
		{ "../etc/passwd", false },
		{ "a/b", false },
		{ "a b", false },
		{ "a\nb", false },
		{ "é", false },
		{ "a\\b", false },
	};
	char longest[MAIL_JOB_ID_MAX + 2];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		CHECK_ROW(mail_job_id_valid(rows[i].id) == rows[i].ok, rows[i].id);
	CHECK(!mail_job_id_valid(NULL));
	memset(longest, 'x', sizeof(longest) - 1);
	longest[MAIL_JOB_ID_MAX] = '\0';
	CHECK(mail_job_id_valid(longest));
	longest[MAIL_JOB_ID_MAX] = 'x';
	longest[MAIL_JOB_ID_MAX + 1] = '\0';
	CHECK(!mail_job_id_valid(longest));
}

int main(void)
{
	test_id_valid();
	test_valid_examples();
	test_invalid_examples();
	test_serialise_valid_agrees();
	test_hostile();
	test_round_trip();
	test_locale();
	test_error_format();
	return check_summary();
}
