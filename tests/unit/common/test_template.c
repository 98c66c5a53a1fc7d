/* template: every tag kind, table-driven, and the hostile cases. Each row
 * writes its template into a fresh directory, loads it and renders it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "template.h"

static char dir[64];

static void write_file(const char *name, const char *text, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f) {
		fwrite(text, 1, len, f);
		fclose(f);
	}
}

static void remove_file(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

/* Renders text as "t.txt" with ctx (JSON); returns the output or the error. */
static char *render(const char *text, const char *ctx_json, int flags, size_t max, int *rc)
{
	struct template_set *set = NULL;
	struct template_error err;
	json_t *ctx = json_loads(ctx_json, 0, NULL);
	struct buf out;
	char *result;

	buf_init(&out, max);
	write_file("t.txt", text, strlen(text));
	*rc = template_set_load(dir, &set, &err);
	if (*rc == 0)
		*rc = template_render(set, "t.txt", ctx, flags, &out, &err);
	if (*rc != 0) {
		buf_reset(&out);
		buf_appendf(&out, "ERR %s: %s", err.where, err.reason);
	}
	result = buf_detach(&out, NULL);
	template_set_free(&set);
	json_decref(ctx);
	return result;
}

struct row {
	const char *what, *tpl, *ctx, *want;
};

static const struct row ok_rows[] = {
	{ "text only", "hello", "{}", "hello" },
	{ "variable", "Hi, {{name}}!", "{\"name\":\"susan\"}", "Hi, susan!" },
	{ "spaces in tag", "{{ name }}", "{\"name\":\"x\"}", "x" },
	{ "escaped", "{{v}}", "{\"v\":\"<a href='x'>&\\\"/\"}",
	  "&lt;a href=&#39;x&#39;&gt;&amp;&quot;/" },
	{ "triple raw", "{{{v}}}", "{\"v\":\"<b>\"}", "<b>" },
	{ "ampersand raw", "{{& v}}", "{\"v\":\"<b>\"}", "<b>" },
	{ "missing lenient", "[{{nope}}]", "{}", "[]" },
	{ "integer", "{{n}}", "{\"n\":42}", "42" },
	{ "real", "{{n}}", "{\"n\":1.5}", "1.5" },
	{ "true", "{{b}}", "{\"b\":true}", "true" },
	{ "false and null empty", "[{{f}}{{z}}]", "{\"f\":false,\"z\":null}", "[]" },
	{ "dotted", "{{user.name}}", "{\"user\":{\"name\":\"s\"}}", "s" },
	{ "dotted missing part", "[{{user.x.y}}]", "{\"user\":{}}", "[]" },
	{ "section true", "{{#b}}yes{{/b}}", "{\"b\":true}", "yes" },
	{ "section false", "{{#b}}yes{{/b}}", "{\"b\":false}", "" },
	{ "section missing", "{{#b}}yes{{/b}}", "{}", "" },
	{ "section empty string", "{{#s}}yes{{/s}}", "{\"s\":\"\"}", "" },
	{ "section array", "{{#xs}}<{{.}}>{{/xs}}", "{\"xs\":[1,\"a\",3]}", "<1><a><3>" },
	{ "section empty array", "{{#xs}}x{{/xs}}", "{\"xs\":[]}", "" },
	{ "section object context", "{{#u}}{{name}}/{{top}}{{/u}}",
	  "{\"u\":{\"name\":\"n\"},\"top\":\"t\"}", "n/t" },
	{ "array of objects", "{{#e}}{{m}},{{/e}}", "{\"e\":[{\"m\":\"a\"},{\"m\":\"b\"}]}",
	  "a,b," },
	{ "inverted missing", "{{^x}}none{{/x}}", "{}", "none" },
	{ "inverted present", "{{^x}}none{{/x}}", "{\"x\":1}", "" },
	{ "inverted empty array", "{{^x}}none{{/x}}", "{\"x\":[]}", "none" },
	{ "comment", "a{{! ignore me }}b", "{}", "ab" },
	{ "standalone section lines", "a\n{{#b}}\nyes\n{{/b}}\nz\n", "{\"b\":1}", "a\nyes\nz\n" },
	{ "standalone comment line", "a\n  {{! note }}  \nb", "{}", "a\nb" },
	{ "inline section keeps text", "a {{#b}}x{{/b}} c", "{\"b\":1}", "a x c" },
	{ "utf8 passes", "{{v}}", "{\"v\":\"重置密码\"}", "重置密码" },
};

static const struct row bad_rows[] = {
	{ "unclosed tag", "a {{name", "{}", "ERR t.txt:1: unclosed tag: {{ without }}" },
	{ "unclosed section", "x\n{{#a}}\nb", "{}", "ERR t.txt:2: section {{#a}} is never closed" },
	{ "mismatched close", "{{#a}}{{/b}}", "{}",
	  "ERR t.txt:1: closing tag {{/b}} does not match the open section" },
	{ "close without open", "{{/a}}", "{}",
	  "ERR t.txt:1: closing tag {{/a}} without an open section" },
	{ "empty tag", "{{}}", "{}", "ERR t.txt:1: empty or over-long tag name" },
	{ "unknown partial", "{{>nope.txt}}", "{}", "ERR t.txt: unknown partial: nope.txt" },
	{ "self partial", "a{{>t.txt}}", "{}",
	  "ERR t.txt: nesting too deep (a partial that includes itself?)" },
};

static void test_rows(void)
{
	int rc;

	for (size_t i = 0; i < sizeof(ok_rows) / sizeof(ok_rows[0]); i++) {
		char *got = render(ok_rows[i].tpl, ok_rows[i].ctx, 0, 1 << 16, &rc);

		CHECK_ROW(rc == 0 && strcmp(got, ok_rows[i].want) == 0, ok_rows[i].what);
		if (rc != 0 || strcmp(got, ok_rows[i].want) != 0)
			fprintf(stderr, "    got \"%s\"\n", got);
		free(got);
	}
	for (size_t i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		char *got = render(bad_rows[i].tpl, bad_rows[i].ctx, 0, 1 << 16, &rc);

		CHECK_ROW(rc != 0 && strcmp(got, bad_rows[i].want) == 0, bad_rows[i].what);
		if (strcmp(got, bad_rows[i].want) != 0)
			fprintf(stderr, "    got \"%s\"\n", got);
		free(got);
	}
}

static void test_strict_and_limits(void)
{
	int rc;
	char *got = render("Dear {{username}}, {{reset_url}}", "{\"username\":\"s\"}",
	                   TEMPLATE_STRICT, 1 << 16, &rc);

	CHECK(rc != 0);
	CHECK_STR(got, "ERR t.txt: missing variable: reset_url");
	free(got);
	got = render("{{#opt}}{{opt}}{{/opt}}{{^opt}}default{{/opt}}", "{}", TEMPLATE_STRICT,
	             1 << 16, &rc);
	CHECK_STR(got, "default");
	free(got);
	got = render("{{#xs}}0123456789{{/xs}}", "{\"xs\":[1,2,3,4,5,6,7,8,9,10,11]}", 0, 100, &rc);
	CHECK(rc != 0);
	CHECK_STR(got, "ERR t.txt: output larger than its limit");
	free(got);
}

static void test_hostile(void)
{
	size_t n = 1 << 20;
	char *big = malloc(n + 1), *got;
	struct buf deep;
	int rc;

	memset(big, '{', n);
	big[n] = '\0';
	got = render(big, "{}", 0, 1 << 16, &rc);
	CHECK(rc != 0); /* over the file size limit, or unclosed: an error either way */
	free(got);
	free(big);
	buf_init(&deep, 1 << 20);
	for (int i = 0; i < 100; i++)
		buf_appendf(&deep, "{{#a%d}}", i);
	got = render(buf_cstr(&deep), "{}", 0, 1 << 16, &rc);
	CHECK(rc != 0 && strstr(got, "nested too deeply"));
	free(got);
	buf_release(&deep);
	got = render("{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}"
	             "{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}x{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}"
	             "{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}",
	             "{\"a\":true}", 0, 1 << 16, &rc);
	CHECK(rc != 0 && strstr(got, "nesting too deep"));
	free(got);
}

static void test_partials_and_names(void)
{
	struct template_set *set = NULL;
	struct template_error err;
	struct buf out;
	json_t *ctx = json_pack("{s:s}", "title", "T");
	char sub[80];

	snprintf(sub, sizeof(sub), "%s/pages", dir);
	mkdir(sub, 0700);
	write_file("pages/layout.html", "<h1>{{title}}</h1>", 18);
	write_file("pages/index.html", "{{>pages/layout.html}}body", 26);
	write_file("ignored.css", "{{", 2);
	remove_file("t.txt");
	CHECK_INT(template_set_load(dir, &set, &err), 0);
	CHECK(set && template_exists(set, "pages/index.html"));
	CHECK(set && !template_exists(set, "ignored.css"));
	buf_init(&out, 4096);
	CHECK_INT(template_render(set, "pages/index.html", ctx, 0, &out, &err), 0);
	CHECK_STR(buf_cstr(&out), "<h1>T</h1>body");
	CHECK_INT(template_render(set, "pages/none.html", ctx, 0, &out, &err), -1);
	CHECK_STR(err.reason, "unknown template");
	buf_release(&out);
	template_set_free(&set);
	CHECK(set == NULL);
	json_decref(ctx);
	remove_file("pages/layout.html");
	remove_file("pages/index.html");
	remove_file("ignored.css");
	rmdir(sub);
}

static const char *shout(const void *user, const char *msgid)
{
	(void)user;
	if (strcmp(msgid, "Sign In") == 0)
		return "登录 <b>";
	return NULL;
}

/* {{_ text}}: through the translate function, escaped; the msgid without one. */
static void test_translate(void)
{
	struct template_set *set = NULL;
	struct template_error err;
	struct buf out;
	const char *tpl = "<h1>{{_ Sign In}}</h1>{{_ Other text}}|{{_x}}|{{_}}";
	json_t *ctx = json_pack("{s:s}", "_x", "var");

	write_file("t.txt", tpl, strlen(tpl));
	CHECK_INT(template_set_load(dir, &set, &err), 0);
	buf_init(&out, 4096);
	CHECK_INT(template_render_translated(set, "t.txt", ctx, 0, shout, NULL, &out, &err), 0);
	CHECK_STR(buf_cstr(&out), "<h1>登录 &lt;b&gt;</h1>Other text|var|");
	buf_reset(&out);
	CHECK_INT(template_render(set, "t.txt", ctx, 0, &out, &err), 0);
	CHECK_STR(buf_cstr(&out), "<h1>Sign In</h1>Other text|var|");
	buf_release(&out);
	template_set_free(&set);
	json_decref(ctx);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test-template-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	test_rows();
	test_strict_and_limits();
	test_hostile();
	test_partials_and_names();
	test_translate();
	remove_file("t.txt");
	rmdir(dir);
	return check_summary();
}
