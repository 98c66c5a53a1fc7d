/* mo_catalog: .mo files as msgfmt writes them (both byte orders), and hostile
 * ones: truncated, bad magic, tables and strings outside the file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mo_catalog.h"

/* A catalog of n (msgid, msgstr) pairs in the .mo layout; big: big-endian. */
static size_t make_mo(unsigned char *out, size_t cap, const char *const pairs[][2], size_t n,
                      int big)
{
	size_t header = 28, orig = header, trans = orig + 8 * n, strings = trans + 8 * n;
	size_t pos = strings;

	memset(out, 0, cap);
	uint32_t words[7] = { 0x950412deU, 0, (uint32_t)n, (uint32_t)orig, (uint32_t)trans, 0, 0 };
#define PUT(at, v)                                                                         \
	do {                                                                               \
		uint32_t v_ = (v);                                                         \
		for (int b_ = 0; b_ < 4; b_++)                                             \
			out[(at) + (big ? 3 - b_ : b_)] = (unsigned char)(v_ >> (8 * b_)); \
	} while (0)
	for (int i = 0; i < 7; i++)
		PUT(4 * (size_t)i, words[i]);
	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < 2; k++) {
			size_t len = strlen(pairs[i][k]);
			size_t table = k ? trans : orig;

			PUT(table + 8 * i, (uint32_t)len);
			PUT(table + 8 * i + 4, (uint32_t)pos);
			memcpy(out + pos, pairs[i][k], len + 1);
			pos += len + 1;
		}
	}
#undef PUT
	return pos;
}

static const char *const pairs[][2] = {
	{ "", "Content-Type: text/plain; charset=UTF-8\n" },
	{ "Sign In", "登录" },
	{ "Zebra", "斑马" },
	{ "Apple", "苹果" }, /* out of order on purpose: the catalog sorts */
	{ "Untranslated", "" },
};

static void test_round_trip(int big)
{
	unsigned char data[1024];
	size_t len = make_mo(data, sizeof(data), pairs, 5, big);
	struct mo_catalog *cat;
	char why[200];

	CHECK(mo_catalog_parse(data, len, &cat, why, sizeof(why)) == 0);
	CHECK_INT(mo_catalog_size(cat), 5);
	CHECK_STR(mo_catalog_find(cat, "Sign In"), "登录");
	CHECK_STR(mo_catalog_find(cat, "Apple"), "苹果");
	CHECK_STR(mo_catalog_find(cat, "Zebra"), "斑马");
	CHECK(mo_catalog_find(cat, "Untranslated") == NULL);
	CHECK(mo_catalog_find(cat, "") == NULL);
	CHECK(mo_catalog_find(cat, "sign in") == NULL);
	mo_catalog_free(&cat);
	CHECK(cat == NULL);
}

static void test_hostile(void)
{
	unsigned char data[1024], bad[1024];
	size_t len = make_mo(data, sizeof(data), pairs, 5, 0);
	struct mo_catalog *cat = NULL;
	char why[200];

	CHECK(mo_catalog_parse(data, 10, &cat, why, sizeof(why)) == -1);
	CHECK(strstr(why, "too short") != NULL);
	memcpy(bad, data, len);
	bad[0] ^= 1;
	CHECK(mo_catalog_parse(bad, len, &cat, why, sizeof(why)) == -1);
	CHECK(strstr(why, "magic") != NULL);
	/* every truncation of a good file is refused or read safely */
	for (size_t n = 0; n < len; n++) {
		if (mo_catalog_parse(data, n, &cat, why, sizeof(why)) == 0)
			mo_catalog_free(&cat);
	}
	CHECK(mo_catalog_parse(data, len - 1, &cat, why, sizeof(why)) == -1);
	/* a string offset past the end */
	memcpy(bad, data, len);
	bad[28 + 8 + 4] = 0xff, bad[28 + 8 + 5] = 0xff;
	CHECK(mo_catalog_parse(bad, len, &cat, why, sizeof(why)) == -1);
	CHECK(strstr(why, "outside") != NULL);
	/* a count no file of this size can hold */
	memcpy(bad, data, len);
	bad[8] = 0xff, bad[9] = 0xff, bad[10] = 0xff, bad[11] = 0x7f;
	CHECK(mo_catalog_parse(bad, len, &cat, why, sizeof(why)) == -1);
	/* a string without its NUL */
	memcpy(bad, data, len);
	bad[28 + 8] = (unsigned char)(bad[28 + 8] + 1); /* "Sign In" one byte longer */
	CHECK(mo_catalog_parse(bad, len, &cat, why, sizeof(why)) == -1);
	CHECK(mo_catalog_load("/nonexistent/auth.mo", &cat, why, sizeof(why)) == -1);
	CHECK(cat == NULL);
}

/* The catalog the build compiled with msgfmt from templates/locale/zh_CN.po. */
static void test_built(void)
{
	const char *build = getenv("BUILD_DIR");
	char path[4096], why[200];
	struct mo_catalog *cat = NULL;

	CHECK(build != NULL);
	if (!build)
		return;
	snprintf(path, sizeof(path), "%s/locale/zh_CN/LC_MESSAGES/auth.mo", build);
	CHECK(mo_catalog_load(path, &cat, why, sizeof(why)) == 0);
	CHECK(mo_catalog_size(cat) > 40);
	CHECK_STR(mo_catalog_find(cat, "Remember Me"), "记住我");
	mo_catalog_free(&cat);
}

int main(void)
{
	test_round_trip(0);
	test_round_trip(1);
	test_hostile();
	test_built();
	return check_summary();
}
