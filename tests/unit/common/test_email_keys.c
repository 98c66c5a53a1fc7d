/* email_address and queue_keys: one row per rule. */
#include <string.h>

#include "check.h"
#include "email_address.h"
#include "queue_keys.h"

struct row {
	const char *text;
	bool display_ok;
	int rc;
	const char *addr, *display;
};

static const struct row rows[] = {
	{ "susan@example.com", false, 0, "susan@example.com", "" },
	{ "a.b+tag@sub.example.org", false, 0, "a.b+tag@sub.example.org", "" },
	{ "no-reply@localhost", false, 0, "no-reply@localhost", "" },
	{ "Microblog <no-reply@example.com>", true, 0, "no-reply@example.com", "Microblog" },
	{ "\"Support, Team\" <help@example.com>", true, 0, "help@example.com", "Support, Team" },
	{ "微博 <a@example.com>", true, 0, "a@example.com", "微博" },
	{ "Microblog <no-reply@example.com>", false, -1, NULL, NULL },
	{ "plain", false, -1, NULL, NULL },
	{ "@example.com", false, -1, NULL, NULL },
	{ "a@", false, -1, NULL, NULL },
	{ "a@@example.com", false, -1, NULL, NULL },
	{ ".a@example.com", false, -1, NULL, NULL },
	{ "a..b@example.com", false, -1, NULL, NULL },
	{ "a b@example.com", false, -1, NULL, NULL },
	{ "a@-example.com", false, -1, NULL, NULL },
	{ "a@example..com", false, -1, NULL, NULL },
	{ "a@exa_mple.com", false, -1, NULL, NULL },
	{ "a@example.com\r\nRCPT TO:<b@example.com>", false, -1, NULL, NULL },
	{ "Name <a@example.com", true, -1, NULL, NULL },
	{ "Na\"me <a@example.com>", true, -1, NULL, NULL },
};

int main(void)
{
	struct queue_keys k;
	char key[QUEUE_KEY_MAX + 100];
	char long_local[80];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct email_address a;
		const char *why = NULL;
		int rc = email_address_parse(rows[i].text, strlen(rows[i].text), rows[i].display_ok,
		                             &a, &why);

		CHECK_ROW(rc == rows[i].rc, rows[i].text);
		if (rc == 0 && rows[i].rc == 0) {
			CHECK_ROW(strcmp(a.addr, rows[i].addr) == 0, rows[i].text);
			CHECK_ROW(strcmp(a.display, rows[i].display) == 0, rows[i].text);
		}
		CHECK_ROW(rc == 0 || (why && *why), rows[i].text);
	}
	memset(long_local, 'a', 65);
	memcpy(long_local + 65, "@example.com", 13);
	CHECK(!email_address_valid(long_local, strlen(long_local)));

	CHECK_INT(queue_keys_init(&k, "mail"), 0);
	CHECK_STR(k.queue, "mail:queue");
	CHECK_STR(k.retry, "mail:retry");
	CHECK_STR(k.dead, "mail:dead");
	CHECK_INT(queue_keys_processing(&k, "w1", key, sizeof(key)), 0);
	CHECK_STR(key, "mail:processing:w1");
	CHECK_INT(queue_keys_sent(&k, "reset-1", key, sizeof(key)), 0);
	CHECK_STR(key, "mail:sent:reset-1");
	CHECK_INT(queue_keys_heartbeat(&k, "w1", key, sizeof(key)), 0);
	CHECK_STR(key, "mail:worker:w1");
	CHECK_INT(queue_keys_init(&k, ""), -1);
	CHECK_INT(queue_keys_init(&k, "bad prefix"), -1);
	CHECK_INT(queue_keys_init(&k, "tenant-1:mail"), 0);
	CHECK_STR(k.queue, "tenant-1:mail:queue");
	return check_summary();
}
