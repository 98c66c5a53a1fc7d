/* settings: a SECRET_KEY that is .env.example's placeholder is refused with a
 * reason naming it; a random key of the same length is taken. */
#include <string.h>

#include "check.h"
#include "settings.h"

static const char *secret_key;

static const char *fake_getenv(const char *name)
{
	return strcmp(name, "SECRET_KEY") == 0 ? secret_key : NULL;
}

struct row {
	const char *key;
	int rc;
};

static const struct row rows[] = {
	{ "change-me-to-48-random-bytes-change-me-change-me", -1 }, /* .env.example's */
	{ "Qk3x9v0A7rT2mYpL5sWz8nB4cD6fG1hJ-change-me", -1 },
	{ "CHANGE-ME-CHANGE-ME-CHANGE-ME-CHANGE-ME-CHANGE-ME", -1 },
	{ "Qk3x9v0A7rT2mYpL5sWz8nB4cD6fG1hJ0oIuYtReWq", 0 },
	{ "change_me is not the marker, only change-m3 ...", 0 },
};

int main(void)
{
	config_getenv_fn = fake_getenv;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct settings s;
		struct config_error err = { 0 };

		secret_key = rows[i].key;
		int rc = settings_load(&s, &err);

		CHECK_ROW(rc == rows[i].rc, rows[i].key);
		if (rc == 0) {
			settings_release(&s);
			continue;
		}
		CHECK_ROW(err.name && strcmp(err.name, "SECRET_KEY") == 0, rows[i].key);
		CHECK_ROW(strstr(err.reason, "change-me") != NULL, rows[i].key);
		CHECK_ROW(strstr(err.reason, rows[i].key) == NULL, "the key is never echoed");
	}
	return check_summary();
}
