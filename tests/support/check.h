/* check: assertions for the C unit tests that never compile out.
 *
 * CHECK(cond) records a failure with file:line and goes on; check_summary()
 * prints "N passed, N failed" and returns the exit status. Use with:
 *     int main(void) { ...CHECK(...)...; return check_summary(); }
 */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

static inline void check_record(int ok, const char *file, int line, const char *what)
{
	if (ok) {
		check_passed++;
		return;
	}
	check_failed++;
	fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
}

#define CHECK(cond) check_record(!!(cond), __FILE__, __LINE__, #cond)

#define CHECK_INT(a, b)                                                                   \
	do {                                                                              \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);           \
		check_record(check_a_ == check_b_, __FILE__, __LINE__, #a " == " #b);     \
		if (check_a_ != check_b_)                                                 \
			fprintf(stderr, "    got %lld, want %lld\n", check_a_, check_b_); \
	} while (0)

#define CHECK_STR(a, b)                                                                          \
	do {                                                                                     \
		const char *check_a_ = (a), *check_b_ = (b);                                     \
		int check_ok_ = check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0;         \
		check_record(check_ok_, __FILE__, __LINE__, #a " equals " #b);                   \
		if (!check_ok_)                                                                  \
			fprintf(stderr, "    got \"%s\", want \"%s\"\n",                         \
			        check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)"); \
	} while (0)

/* A row of a table-driven test, named in the failure message. */
#define CHECK_ROW(cond, row_name)                                        \
	do {                                                             \
		int check_ok_ = !!(cond);                                \
		check_record(check_ok_, __FILE__, __LINE__, #cond);      \
		if (!check_ok_)                                          \
			fprintf(stderr, "    in row: %s\n", (row_name)); \
	} while (0)

static inline int check_summary(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
