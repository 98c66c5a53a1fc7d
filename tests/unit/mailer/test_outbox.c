/* outbox and outbox_text: the readable copy's exact bytes, and both files
 * written inside the directory — or nothing, for an id that is not a safe
 * file name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "outbox.h"
#include "outbox_text.h"
#include "str.h"

static void job_for(struct mail_job *job, const char *id, const char *subject)
{
	mail_job_init(job);
	job->id = text_dup(id);
	job->subject = text_dup(subject);
	mail_job_list_add(&job->to, "susan@example.com");
}

static const char *readable(const struct mail_job *job, const char *text, struct buf *b)
{
	struct email_address from = { "no-reply@example.com", "Microblog" };

	buf_reset(b);
	CHECK_INT(outbox_text_build(job, &from, text, 1732400000, b), BUF_OK);
	return buf_cstr(b);
}

static void test_text(void)
{
	struct mail_job job;
	struct buf b;

	buf_init(&b, 1 << 16);
	job_for(&job, "reset-1", "[Microblog] 重置你的密码");
	CHECK_STR(readable(&job, "李华，你好：\n\nhttp://x/reset_password/t\n", &b),
	          "From: Microblog <no-reply@example.com>\n"
	          "To: susan@example.com\n"
	          "Subject: [Microblog] 重置你的密码\n"
	          "Date: Sat, 23 Nov 2024 22:13:20 +0000\n"
	          "\n"
	          "李华，你好：\n\nhttp://x/reset_password/t\n");
	/* CRLF made LF, a lone CR kept, a last line ended; Cc listed; the job's From */
	mail_job_list_add(&job.to, "bob@example.com");
	mail_job_list_add(&job.cc, "carol@example.com");
	job.from = text_dup("Shop <shop@example.com>");
	CHECK_STR(readable(&job, "one\r\ntwo\rthree\r", &b),
	          "From: Shop <shop@example.com>\n"
	          "To: susan@example.com, bob@example.com\n"
	          "Cc: carol@example.com\n"
	          "Subject: [Microblog] 重置你的密码\n"
	          "Date: Sat, 23 Nov 2024 22:13:20 +0000\n"
	          "\n"
	          "one\ntwo\rthree\r\n");
	CHECK(strstr(readable(&job, NULL, &b), "\n\n(no text part: this message has only HTML, "
	                                       "in reset-1.eml)\n") != NULL);
	CHECK(strstr(readable(&job, "", &b), "+0000\n\n\n") != NULL);
	mail_job_release(&job);
	/* bounded: too big is an error, not a truncation */
	job_for(&job, "big", "s");
	buf_release(&b);
	buf_init(&b, 64);
	{
		struct email_address from = { "a@example.com", "" };

		CHECK_INT(outbox_text_build(&job, &from, "x", 0, &b), BUF_TOO_BIG);
	}
	buf_release(&b);
	mail_job_release(&job);
}

static bool file_is(const char *dir, const char *name, const char *want)
{
	char path[4500], got[64] = "";
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return false;
	n = fread(got, 1, sizeof(got) - 1, f);
	got[n] = '\0';
	fclose(f);
	return strcmp(got, want) == 0;
}

static void test_write(void)
{
	char dir[] = "/tmp/test-outbox-unit-XXXXXX", why[200], path[4500];
	struct outbox_message m = { "EML", "TXT", 3, 3 };
	struct outbox_files files;
	const char *bad[] = { "../escape", "a/b", "", "/abs", "x\ny" };
	struct stat st;

	CHECK(mkdtemp(dir) != NULL);
	CHECK_INT(outbox_write(dir, "job-1", &m, &files, why, sizeof(why)), 0);
	CHECK(file_is(dir, "job-1.eml", "EML"));
	CHECK(file_is(dir, "job-1.txt", "TXT"));
	snprintf(path, sizeof(path), "%s/job-1.txt", dir);
	CHECK_STR(files.txt, path);
	CHECK_INT(outbox_write(dir, "..", &m, &files, why, sizeof(why)), 0);
	CHECK(file_is(dir, "...eml", "EML"));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_ROW(outbox_write(dir, bad[i], &m, &files, why, sizeof(why)) == -1, bad[i]);
		CHECK_ROW(strstr(why, "not a safe file name") != NULL, bad[i]);
	}
	snprintf(path, sizeof(path), "%s/../escape.eml", dir);
	CHECK(stat(path, &st) != 0);
	/* a directory that is not there: the reason, for the retry */
	snprintf(path, sizeof(path), "%s/missing", dir);
	CHECK_INT(outbox_write(path, "job-2", &m, &files, why, sizeof(why)), -1);
	CHECK_STR(why, "outbox: No such file or directory");
	for (const char *n = "job-1.eml\0job-1.txt\0...eml\0...txt\0"; *n; n += strlen(n) + 1) {
		snprintf(path, sizeof(path), "%s/%s", dir, n);
		CHECK_ROW(unlink(path) == 0, n);
	}
	CHECK_INT(rmdir(dir), 0); /* nothing else was left there, no temporary file */
}

int main(void)
{
	test_text();
	test_write();
	return check_summary();
}
