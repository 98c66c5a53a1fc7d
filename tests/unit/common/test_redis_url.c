/* redis_url: good and bad REDIS_URL values, one row each. */
#include <string.h>

#include "check.h"
#include "redis_url.h"

struct good_row {
	const char *url;
	bool is_unix;
	const char *host_or_path;
	int port, db;
	const char *user, *password;
};

static const struct good_row good[] = {
	{ "redis://127.0.0.1:6379/0", false, "127.0.0.1", 6379, 0, "", "" },
	{ "redis://localhost", false, "localhost", 6379, 0, "", "" },
	{ "redis://redis:6380/3", false, "redis", 6380, 3, "", "" },
	{ "redis://:s3cret@h:1/2", false, "h", 1, 2, "", "s3cret" },
	{ "redis://secret@h", false, "h", 6379, 0, "", "secret" },
	{ "redis://user:p%40ss%3A@h/1", false, "h", 6379, 1, "user", "p@ss:" },
	{ "redis://[::1]:7000/4", false, "::1", 7000, 4, "", "" },
	{ "redis://[::1]", false, "::1", 6379, 0, "", "" },
	{ "unix:///var/run/redis.sock", true, "/var/run/redis.sock", 0, 0, "", "" },
	{ "unix:///tmp/r.sock?db=2&password=x%20y", true, "/tmp/r.sock", 0, 2, "", "x y" },
};

static const char *const bad[] = {
	"",
	"http://h:1",
	"redis://",
	"redis://:6379",
	"redis://h:0",
	"redis://h:65536",
	"redis://h:port",
	"redis://h:1/db",
	"redis://h:1/-1",
	"redis://:p%zz@h",
	"redis://:p%00@h",
	"redis://[::1",
	"redis://[::1]x",
	"unix://",
	"unix://relative.sock",
	"unix:///tmp/r.sock?db=x",
	"unix:///tmp/r.sock?color=blue",
	"unix:///"
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock",
};

int main(void)
{
	struct redis_url u;
	const char *why;
	char desc[300];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct good_row *g = &good[i];
		int rc = redis_url_parse(g->url, &u, &why);

		CHECK_ROW(rc == 0, g->url);
		if (rc != 0)
			continue;
		CHECK_ROW(u.is_unix == g->is_unix, g->url);
		CHECK_ROW(strcmp(g->is_unix ? u.path : u.host, g->host_or_path) == 0, g->url);
		CHECK_ROW(g->is_unix || u.port == g->port, g->url);
		CHECK_ROW(u.db == g->db, g->url);
		CHECK_ROW(strcmp(u.username, g->user) == 0, g->url);
		CHECK_ROW(strcmp(u.password, g->password) == 0, g->url);
		/* the description never carries the password */
		redis_url_describe(&u, desc, sizeof(desc));
		CHECK_ROW(!g->password[0] || !strstr(desc, g->password), g->url);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		CHECK_ROW(redis_url_parse(bad[i], &u, &why) == -1 && why && *why, bad[i]);
	}
	return check_summary();
}
