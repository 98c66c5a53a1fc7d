/* ctl_print_text: several lines of untrusted text, as mailctl outbox show
 * prints them — LF and TAB as themselves, every other control escaped like
 * ctl_safe does, UTF-8 kept. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "ctl_print.h"

/* What ctl_print_text writes for s[0..len), through a temporary file. */
static const char *printed(const char *s, size_t len, char *out, size_t n)
{
	FILE *f = tmpfile();
	int saved = dup(fileno(stdout));
	size_t got;

	fflush(stdout);
	dup2(fileno(f), fileno(stdout));
	ctl_print_text(s, len);
	fflush(stdout);
	dup2(saved, fileno(stdout));
	close(saved);
	rewind(f);
	got = fread(out, 1, n - 1, f);
	out[got] = '\0';
	fclose(f);
	return out;
}

int main(void)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} rows[] = {
		{ "plain\nlines\n", 12, "plain\nlines\n" },
		{ "a\tb", 3, "a\tb" },
		{ "\x1b[2J\x07", 5, "\\x1b[2J\\x07" },
		{ "cr\r\n", 4, "cr\\r\n" },
		{ "nul\0x", 5, "nul\\x00x" },
		{ "\x7f\xc2\x9b"
		  "1m",
		  5, "\\x7f\\xc2\\x9b1m" },
		{ "中文\n", 7, "中文\n" },
		{ "back\\slash", 10, "back\\\\slash" },
		{ "\xc2", 1, "\xc2" }, /* a cut sequence at the end reads no further */
	};
	char out[256];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		CHECK_ROW(
		    strcmp(printed(rows[i].in, rows[i].len, out, sizeof(out)), rows[i].want) == 0,
		    rows[i].want);
	return check_summary();
}
