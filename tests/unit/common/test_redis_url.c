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

/* redis-sentinel:// (Lettuce's syntax): sentinels, db, master name, password */
struct sentinel_row {
	const char *url;
	int n;
	const char *first_host;
	int first_port;
	const char *last_host;
	int last_port, db;
	const char *master, *password, *described;
};

static const struct sentinel_row sentinel[] = {
	{ "redis-sentinel://s1#mymaster", 1, "s1", 26379, "s1", 26379, 0, "mymaster", "",
	  "sentinel:s1:26379/0#mymaster" },
	{ "redis-sentinel://:pw%23@s1:5000,s2,[::1]:5002/3#mail-master.1", 3, "s1", 5000, "::1",
	  5002, 3, "mail-master.1", "pw#", "sentinel:s1:5000,s2:26379,[::1]:5002/3#mail-master.1" },
	{ "redis-sentinel://secret@10.0.0.1:26379,10.0.0.2:26380/0#m", 2, "10.0.0.1", 26379,
	  "10.0.0.2", 26380, 0, "m", "secret", "sentinel:10.0.0.1:26379,10.0.0.2:26380/0#m" },
};

static const char *const bad[] = {
	"redis-sentinel://s1",
	"redis-sentinel://s1#",
	"redis-sentinel://s1#a b",
	"redis-sentinel://#m",
	"redis-sentinel://s1,,s2#m",
	"redis-sentinel://s1:0#m",
	"redis-sentinel://s1/x#m",
	"redis-sentinel://a,b,c,d,e,f,g,h,i#m",
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
	for (size_t i = 0; i < sizeof(sentinel) / sizeof(sentinel[0]); i++) {
		const struct sentinel_row *g = &sentinel[i];
		int rc = redis_url_parse(g->url, &u, &why);

		CHECK_ROW(rc == 0, g->url);
		if (rc != 0)
			continue;
		CHECK_ROW(u.is_sentinel && !u.is_unix && u.nsentinels == g->n, g->url);
		CHECK_ROW(strcmp(u.sentinels[0].host, g->first_host) == 0, g->url);
		CHECK_ROW(u.sentinels[0].port == g->first_port, g->url);
		CHECK_ROW(strcmp(u.sentinels[g->n - 1].host, g->last_host) == 0, g->url);
		CHECK_ROW(u.sentinels[g->n - 1].port == g->last_port, g->url);
		CHECK_ROW(u.db == g->db, g->url);
		CHECK_ROW(strcmp(u.master_name, g->master) == 0, g->url);
		CHECK_ROW(strcmp(u.password, g->password) == 0, g->url);
		CHECK_ROW(strcmp(redis_url_describe(&u, desc, sizeof(desc)), g->described) == 0,
		          desc);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		CHECK_ROW(redis_url_parse(bad[i], &u, &why) == -1 && why && *why, bad[i]);
	}
	return check_summary();
}
