/* lang: the language of a page — the lang cookie first, then Accept-Language
 * by q-value, then English — and the zh-CN catalog as the build compiled it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lang.h"
#include "local_path.h"

struct accept_row {
	const char *header;
	bool found;
	enum lang lang;
};

static const struct accept_row accept_rows[] = {
	{ "zh-CN", true, LANG_ZH_CN },
	{ "zh-CN,zh;q=0.9,en;q=0.8", true, LANG_ZH_CN },
	{ "en-US,en;q=0.9,zh-CN;q=0.8", true, LANG_EN },
	{ "en;q=0.5, zh;q=0.8", true, LANG_ZH_CN }, /* order does not matter, q does */
	{ "ZH-hans-cn", true, LANG_ZH_CN },         /* case-insensitive, any zh */
	{ "zh-TW;q=0.3, fr", true, LANG_ZH_CN },    /* fr is not ours */
	{ "fr-FR, de;q=0.9", false, LANG_EN },      /* none of ours */
	{ "zh;q=0, en;q=0.1", true, LANG_EN },      /* q=0: not acceptable */
	{ "zh;q=0", false, LANG_EN },
	{ "en;q=0.5, zh;q=0.5", true, LANG_EN }, /* a tie: the first */
	{ "zh;q=1.0", true, LANG_ZH_CN },
	{ "zh;q=0.001, en;q=0", true, LANG_ZH_CN },
	{ "zh;q=1.5, en", true, LANG_EN },          /* malformed q: that element ignored */
	{ "zh;q=0.1234, en;q=0.1", true, LANG_EN }, /* four decimals: malformed */
	{ "zh;q=abc", false, LANG_EN },
	{ "zh ; q=0.7 , en ; q=0.6", true, LANG_ZH_CN }, /* spaces around ; */
	{ "zh;level=1;q=0.9, en;q=0.8", true, LANG_ZH_CN },
	{ "*", false, LANG_EN },
	{ "zhx, eng", false, LANG_EN }, /* primary subtag must be exactly zh/en */
	{ "", false, LANG_EN },
	{ ",,,;;;", false, LANG_EN },
	{ "zh;", true, LANG_ZH_CN },
	{ "zh;q=", false, LANG_EN },
};

static void test_accept(void)
{
	enum lang lang;

	for (size_t i = 0; i < sizeof(accept_rows) / sizeof(accept_rows[0]); i++) {
		const struct accept_row *r = &accept_rows[i];
		bool found;

		lang = LANG_EN;
		found = lang_from_accept(r->header, &lang);
		CHECK_ROW(found == r->found, r->header);
		if (found)
			CHECK_ROW(lang == r->lang, r->header);
	}
	CHECK(!lang_from_accept(NULL, &lang));
	{
		/* a hostile header: long, and zh only past the part looked at */
		size_t n = LANG_ACCEPT_MAX + 100;
		char *big = malloc(n + 8);

		memset(big, 'x', n);
		memcpy(big + n, ",zh", 4);
		CHECK(!lang_from_accept(big, &lang));
		free(big);
	}
}

static void test_negotiate(void)
{
	enum lang lang;

	CHECK(lang_negotiate("zh-CN", "en") == LANG_ZH_CN); /* the cookie wins */
	CHECK(lang_negotiate("en", "zh-CN") == LANG_EN);
	CHECK(lang_negotiate("zh-cn", NULL) == LANG_ZH_CN);
	CHECK(lang_negotiate("fr", "zh;q=0.9") == LANG_ZH_CN); /* unknown cookie: header */
	CHECK(lang_negotiate("zh", NULL) == LANG_EN); /* a cookie must name a tag exactly */
	CHECK(lang_negotiate(NULL, NULL) == LANG_EN);
	CHECK(lang_negotiate("", "de") == LANG_EN);
	CHECK(lang_from_tag("zh-CN", &lang) && lang == LANG_ZH_CN);
	CHECK(!lang_from_tag("zh-CN ", &lang));
	CHECK_STR(lang_tag(LANG_ZH_CN), "zh-CN");
	CHECK_STR(lang_tag(LANG_EN), "en");
}

static void test_fill(void)
{
	char out[64];

	lang_fill("你好，{username}！", "{username}", "susan", out, sizeof(out));
	CHECK_STR(out, "你好，susan！");
	lang_fill("no placeholder", "{username}", "susan", out, sizeof(out));
	CHECK_STR(out, "no placeholder");
	lang_fill("{n} minutes", "{n}", "a-very-long-value-that-will-not-fit-in-the-buffer-at-all",
	          out, 16);
	CHECK(strlen(out) == 15);
}

static void test_catalog(void)
{
	const char *build = getenv("BUILD_DIR");
	char dir[4096], why[300];
	struct lang_texts texts;

	if (!build) {
		fprintf(stderr, "BUILD_DIR is not set\n");
		CHECK(build != NULL);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/locale", build);
	CHECK(lang_texts_load(&texts, dir, why, sizeof(why)) == 0);
	CHECK_STR(lang_text(&texts, LANG_ZH_CN, "Sign In"), "登录");
	CHECK_STR(lang_text(&texts, LANG_ZH_CN, "Your password has been reset."),
	          "你的密码已重置。");
	CHECK_STR(lang_text(&texts, LANG_EN, "Sign In"), "Sign In");
	CHECK_STR(lang_text(&texts, LANG_ZH_CN, "no such msgid"), "no such msgid");
	CHECK_STR(lang_text(&texts, LANG_ZH_CN, ""), "");
	lang_texts_release(&texts);
	CHECK(lang_texts_load(&texts, "/nonexistent", why, sizeof(why)) == -1);
	CHECK(strstr(why, "zh_CN/LC_MESSAGES/auth.mo") != NULL);
}

static void test_local_path(void)
{
	char out[64];

	CHECK_STR(local_path_or_root("/login"), "/login");
	CHECK_STR(local_path_or_root("//evil.example"), "/");
	CHECK_STR(local_path_or_root("/\\evil"), "/");
	CHECK_STR(local_path_or_root("https://evil.example/"), "/");
	CHECK_STR(local_path_or_root(NULL), "/");
	local_path_encode("/reset_password/a b&c", out, sizeof(out));
	CHECK_STR(out, "/reset_password/a%20b%26c");
	local_path_encode("//evil", out, sizeof(out));
	CHECK_STR(out, "/");
	local_path_encode("/0123456789012345678901234567890123456789", out, 16);
	CHECK_STR(out, "/");
}

int main(void)
{
	test_accept();
	test_negotiate();
	test_fill();
	test_catalog();
	test_local_path();
	return check_summary();
}
