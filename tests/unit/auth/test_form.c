/* form: urlencoded bodies, good and malformed, one row each. */
#include <string.h>

#include "check.h"
#include "form.h"

struct row {
	const char *body;
	int rc;
	const char *name, *value;
};

static const struct row rows[] = {
	{ "a=b", 0, "a", "b" },
	{ "a=b&c=d", 0, "c", "d" },
	{ "a=x+y", 0, "a", "x y" },
	{ "a=%2B%26%3D", 0, "a", "+&=" },
	{ "a=%e9%87%8d", 0, "a", "重" },
	{ "a=", 0, "a", "" },
	{ "a", 0, "a", "" },
	{ "&&a=1&&", 0, "a", "1" },
	{ "a=1&a=2", 0, "a", "1" }, /* the first wins */
	{ "a%20b=c", 0, "a b", "c" },
	{ "a=%zz", -1, NULL, NULL },
	{ "a=%4", -1, NULL, NULL },
	{ "a=%", -1, NULL, NULL },
	{ "a=x%00y", -1, NULL, NULL },
	{ "a=%ff%fe", -1, NULL, NULL },
	{ "%c3=1", -1, NULL, NULL },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct form f;
		int rc = form_parse(rows[i].body, strlen(rows[i].body), &f);

		CHECK_ROW(rc == rows[i].rc, rows[i].body);
		if (rc == 0 && rows[i].name) {
			const char *v = form_get(&f, rows[i].name);

			CHECK_ROW(v && strcmp(v, rows[i].value) == 0, rows[i].body);
		}
		CHECK_ROW(rc == 0 || f.n == 0, rows[i].body);
		form_release(&f);
	}
	{
		char many[4096] = "";
		struct form f;

		for (int i = 0; i < FORM_MAX_FIELDS + 1; i++)
			memcpy(many + (size_t)i * 4, "k=v&", 5);
		CHECK_INT(form_parse(many, strlen(many), &f), -1);
	}
	return check_summary();
}
