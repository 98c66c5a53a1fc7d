/* common_passwords: loading (comments, CRLF, empty lines, a missing or too
 * large file, NUL bytes) and lookups without regard to ASCII case, one row
 * each; then the list the repository ships. Working directory: the source. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "common_passwords.h"

struct row {
	const char *password;
	bool listed;
};

static const char sample[] = "#!comment: a header line\r\n"
                             "#!comment:\n"
                             "Password1\r\n"
                             "\n"
                             "letmein\n"
                             "with space\n"
                             "ÄÖ-umlaut\n"
                             "#not-a-comment\n"
                             "last-without-newline";

static const struct row rows[] = {
	{ "password1", true },
	{ "PASSWORD1", true },
	{ "PaSsWoRd1", true },
	{ "letmein", true },
	{ "LetMeIn", true },
	{ "with space", true },
	{ "WITH SPACE", true },
	{ "ÄÖ-umlaut", true },
	{ "äö-umlaut", false }, /* ASCII only */
	{ "#not-a-comment", true },
	{ "last-without-newline", true },
	{ "#!comment: a header line", false },
	{ "#!comment:", false },
	{ "", false },
	{ "password", false },
	{ "password12", false },
	{ "letmein ", false },
	{ "\r", false },
};

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_INT(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void sample_rows(const char *dir)
{
	struct common_passwords cp;
	char path[512], why[300] = "";

	snprintf(path, sizeof(path), "%s/sample.lst", dir);
	write_file(path, sample, strlen(sample));
	CHECK_INT(common_passwords_load(&cp, path, why, sizeof(why)), 0);
	CHECK_INT(cp.n, 6);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		CHECK_ROW(common_passwords_has(&cp, rows[i].password) == rows[i].listed,
		          rows[i].password);
	common_passwords_release(&cp);
	CHECK_INT(cp.n, 0);
}

static void hostile_files(const char *dir)
{
	struct common_passwords cp;
	char path[512], why[300];
	char *big = malloc(COMMON_PASSWORDS_FILE_MAX + 1);
	static const char with_nul[] = "abc\0def\nsecret99\n";

	why[0] = '\0';
	CHECK_INT(common_passwords_load(&cp, "/nonexistent/dir/list.lst", why, sizeof(why)), -1);
	CHECK(strstr(why, "cannot open") != NULL);
	CHECK(big != NULL);
	if (big) { /* one byte over the bound: refused, not cut */
		memset(big, 'a', COMMON_PASSWORDS_FILE_MAX + 1);
		snprintf(path, sizeof(path), "%s/big.lst", dir);
		write_file(path, big, COMMON_PASSWORDS_FILE_MAX + 1);
		CHECK_INT(common_passwords_load(&cp, path, why, sizeof(why)), -1);
		CHECK(strstr(why, "larger than") != NULL);
		free(big);
	}
	snprintf(path, sizeof(path), "%s/empty.lst", dir);
	write_file(path, "", 0);
	CHECK_INT(common_passwords_load(&cp, path, why, sizeof(why)), 0);
	CHECK(!common_passwords_has(&cp, "anything"));
	CHECK(!common_passwords_has(&cp, ""));
	common_passwords_release(&cp);
	snprintf(path, sizeof(path), "%s/nul.lst", dir);
	write_file(path, with_nul, sizeof(with_nul) - 1);
	CHECK_INT(common_passwords_load(&cp, path, why, sizeof(why)), 0);
	CHECK(common_passwords_has(&cp, "abc")); /* a NUL ends its line's entry */
	CHECK(common_passwords_has(&cp, "SECRET99"));
	common_passwords_release(&cp);
}

static void shipped_list(void)
{
	struct common_passwords cp;
	char why[300] = "";

	CHECK_INT(common_passwords_load(&cp, "templates/common-passwords.lst", why, sizeof(why)),
	          0);
	CHECK(cp.n > 3000);
	CHECK(common_passwords_has(&cp, "iloveyou"));
	CHECK(common_passwords_has(&cp, "Password1"));
	CHECK(common_passwords_has(&cp, "123456789"));
	CHECK(!common_passwords_has(&cp, "correct horse battery"));
	common_passwords_release(&cp);
}

int main(void)
{
	char dir[] = "/tmp/test-common-passwords-XXXXXX";

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	sample_rows(dir);
	hostile_files(dir);
	shipped_list();
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		CHECK_INT(system(cmd), 0);
	}
	return check_summary();
}
