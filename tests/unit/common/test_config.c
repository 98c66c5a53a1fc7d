/* config: every rule of the declarative table, one row each. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"

struct settings {
	char *secret;
	char *listen;
	long long ttl;
	bool flag;
	char *name;
};

static const struct config_var table[] = {
	{ "T_SECRET", CONFIG_STRING, NULL, true, true, 32, 0, offsetof(struct settings, secret),
	  "" },
	{ "T_LISTEN", CONFIG_LISTEN, "127.0.0.1:8080", false, false, 0, 0,
	  offsetof(struct settings, listen), "" },
	{ "T_TTL", CONFIG_INT, "600", false, false, 1, 86400, offsetof(struct settings, ttl), "" },
	{ "T_FLAG", CONFIG_BOOL, "false", false, false, 0, 0, offsetof(struct settings, flag), "" },
	{ "T_NAME", CONFIG_STRING, NULL, false, false, 0, 10, offsetof(struct settings, name), "" },
};
#define N_VARS (sizeof(table) / sizeof(table[0]))

static const char *env_names[8], *env_values[8];
static int env_n;

static const char *fake_getenv(const char *name)
{
	for (int i = 0; i < env_n; i++)
		if (strcmp(env_names[i], name) == 0)
			return env_values[i];
	return NULL;
}

static void env_set(const char *name, const char *value)
{
	env_names[env_n] = name;
	env_values[env_n++] = value;
}

#define GOOD_SECRET "0123456789abcdef0123456789abcdef"

struct row {
	const char *what, *var, *value, *bad_var;
};

static const struct row rows[] = {
	{ "missing required", "T_SECRET", NULL, "T_SECRET" },
	{ "empty required", "T_SECRET", "", "T_SECRET" },
	{ "secret too short", "T_SECRET", "short", "T_SECRET" },
	{ "int not a number", "T_TTL", "ten", "T_TTL" },
	{ "int with junk", "T_TTL", "10s", "T_TTL" },
	{ "int below range", "T_TTL", "0", "T_TTL" },
	{ "int above range", "T_TTL", "86401", "T_TTL" },
	{ "int overflow", "T_TTL", "99999999999999999999999", "T_TTL" },
	{ "bool unknown", "T_FLAG", "maybe", "T_FLAG" },
	{ "listen no port", "T_LISTEN", "127.0.0.1", "T_LISTEN" },
	{ "listen bad port", "T_LISTEN", "127.0.0.1:65536", "T_LISTEN" },
	{ "listen negative port", "T_LISTEN", "127.0.0.1:-1", "T_LISTEN" },
	{ "listen bare v6", "T_LISTEN", "::1:80", "T_LISTEN" },
	{ "string too long", "T_NAME", "abcdefghijk", "T_NAME" },
};

static void test_rejections(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct settings s = { 0 };
		struct config_error err = { 0 };

		env_n = 0;
		if (strcmp(rows[i].var, "T_SECRET") != 0)
			env_set("T_SECRET", GOOD_SECRET);
		if (rows[i].value)
			env_set(rows[i].var, rows[i].value);
		CHECK_ROW(config_load(table, N_VARS, &s, &err) == -1, rows[i].what);
		CHECK_ROW(err.name && strcmp(err.name, rows[i].bad_var) == 0, rows[i].what);
		CHECK_ROW(s.secret == NULL && s.listen == NULL, rows[i].what);
		/* a secret's value never appears in the reason */
		CHECK_ROW(!rows[i].value || !*rows[i].value || !strstr(err.reason, rows[i].value) ||
		              strcmp(rows[i].var, "T_SECRET") != 0,
		          rows[i].what);
	}
}

static void test_defaults_and_values(void)
{
	struct settings s = { 0 };
	struct config_error err = { 0 };

	env_n = 0;
	env_set("T_SECRET", GOOD_SECRET);
	CHECK_INT(config_load(table, N_VARS, &s, &err), 0);
	CHECK_STR(s.listen, "127.0.0.1:8080");
	CHECK_INT(s.ttl, 600);
	CHECK(!s.flag);
	CHECK(s.name == NULL);
	config_release(table, N_VARS, &s);
	CHECK(s.secret == NULL);

	env_set("T_LISTEN", "[::1]:0");
	env_set("T_TTL", "1");
	env_set("T_FLAG", "YeS");
	CHECK_INT(config_load(table, N_VARS, &s, &err), 0);
	CHECK_STR(s.listen, "[::1]:0");
	CHECK_INT(s.ttl, 1);
	CHECK(s.flag);
	config_release(table, N_VARS, &s);
}

static void test_bools(void)
{
	static const char *const truthy[] = { "1", "true", "TRUE", "yes", "Yes" };
	static const char *const falsy[] = { "0", "false", "False", "no", "NO" };

	for (size_t i = 0; i < 5; i++) {
		struct settings s = { 0 };
		struct config_error err = { 0 };

		env_n = 0;
		env_set("T_SECRET", GOOD_SECRET);
		env_set("T_FLAG", truthy[i]);
		CHECK_ROW(config_load(table, N_VARS, &s, &err) == 0 && s.flag, truthy[i]);
		config_release(table, N_VARS, &s);
		env_n = 1;
		env_set("T_FLAG", falsy[i]);
		CHECK_ROW(config_load(table, N_VARS, &s, &err) == 0 && !s.flag, falsy[i]);
		config_release(table, N_VARS, &s);
	}
}

static void test_split_listen(void)
{
	char host[64];
	int port = -1;

	CHECK_INT(config_split_listen("0.0.0.0:9090", host, sizeof(host), &port), 0);
	CHECK_STR(host, "0.0.0.0");
	CHECK_INT(port, 9090);
	CHECK_INT(config_split_listen("[::1]:80", host, sizeof(host), &port), 0);
	CHECK_STR(host, "::1");
	CHECK_INT(config_split_listen(":80", host, sizeof(host), &port), -1);
	CHECK_INT(config_split_listen("host:", host, sizeof(host), &port), -1);
}

int main(void)
{
	config_getenv_fn = fake_getenv;
	test_rejections();
	test_defaults_and_values();
	test_bools();
	test_split_listen();
	return check_summary();
}
