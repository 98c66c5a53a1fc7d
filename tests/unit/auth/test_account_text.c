/* What accounts make of typed text: white space trimmed from names and
 * addresses, the case-insensitive key of a username, the dotted-domain rule. */
#include <string.h>

#include "check.h"
#include "field_errors.h"
#include "form.h"
#include "login_limit.h"

struct trim_row {
	const char *in, *out;
};

static const struct trim_row trim_rows[] = {
	{ "bob", "bob" },
	{ " bob", "bob" },
	{ "bob ", "bob" },
	{ "\t bob \r\n", "bob" },
	{ "b o b", "b o b" }, /* inside: kept */
	{ "\xc2\xa0"
	  "bob\xc2\xa0",
	  "bob" }, /* U+00A0 */
	{ "\xe3\x80\x80"
	  "李华\xe3\x80\x80",
	  "李华" },                            /* U+3000, the ideographic space */
	{ "bob\xe3\x80\x80 \xc2\xa0", "bob" }, /* mixed at the end */
	{ "   ", "" },
	{ "", "" },
	{ "\xe3\x80", "\xe3\x80" }, /* half of U+3000: not a space */
	{ "\xc2", "\xc2" },
	{ "a\xc2\xa0", "a" },
	{ "\xe6\x9d\x8e", "\xe6\x9d\x8e" }, /* 李 */
};

struct key_row {
	const char *in, *out;
};

static const struct key_row key_rows[] = {
	{ "Bob", "bob" },          { "SUSAN", "susan" },
	{ "susan", "susan" },      { "Zz-AZ_09", "zz-az_09" },
	{ "Élan", "\xc3\x89lan" }, /* only ASCII letters */
	{ "李华", "李华" },        { "", "" },
};

struct dot_row {
	const char *email;
	bool dotted;
};

static const struct dot_row dot_rows[] = {
	{ "a@example.com", true }, { "a@mail.localhost", true }, { "a@localhost", false },
	{ "a@intranet", false },   { "a.b@host", false },        { "a", false },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(trim_rows) / sizeof(trim_rows[0]); i++) {
		char buf[64];
		size_t n;

		memcpy(buf, trim_rows[i].in, strlen(trim_rows[i].in) + 1);
		n = form_trim_space(buf);
		CHECK_ROW(strcmp(buf, trim_rows[i].out) == 0 && n == strlen(trim_rows[i].out),
		          trim_rows[i].in);
	}
	{
		struct form f;
		const char *body = "username=+Bob%E3%80%80&password=+secret+";

		CHECK_INT(form_parse(body, strlen(body), &f), 0);
		form_trim(&f, "username");
		form_trim(&f, "absent");
		CHECK_STR(form_get(&f, "username"), "Bob");
		CHECK_INT((int)f.fields[0].value_len, 3);
		CHECK_STR(form_get(&f, "password"), " secret "); /* never trimmed unless asked */
		form_release(&f);
	}
	for (size_t i = 0; i < sizeof(key_rows) / sizeof(key_rows[0]); i++) {
		char key[LOGIN_LIMIT_KEY_MAX];

		login_limit_key(key_rows[i].in, key);
		CHECK_ROW(strcmp(key, key_rows[i].out) == 0, key_rows[i].in);
	}
	{
		char longer[200], key[LOGIN_LIMIT_KEY_MAX];

		memset(longer, 'A', sizeof(longer) - 1);
		longer[sizeof(longer) - 1] = '\0';
		login_limit_key(longer, key);
		CHECK_INT((int)strlen(key), LOGIN_LIMIT_KEY_MAX - 1);
		CHECK(key[0] == 'a');
	}
	for (size_t i = 0; i < sizeof(dot_rows) / sizeof(dot_rows[0]); i++)
		CHECK_ROW(field_errors_domain_dotted(dot_rows[i].email) == dot_rows[i].dotted,
		          dot_rows[i].email);
	{
		json_t *errors = json_object();

		CHECK(field_errors_email(errors, "pat@localhost"));
		CHECK(!field_errors_email(errors, "pat@example.com"));
		CHECK(field_errors_email(errors, ""));
		CHECK_INT((int)json_array_size(json_object_get(errors, "email")), 2);
		json_decref(errors);
	}
	return check_summary();
}
