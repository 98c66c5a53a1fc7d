/* buf (bounded buffer) and str (string helpers). */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "str.h"

static void test_buf_bounds(void)
{
	struct buf b;
	char *p;
	size_t len;

	buf_init(&b, 8);
	CHECK_STR(buf_cstr(&b), "");
	CHECK_INT(buf_append_str(&b, "abcd"), BUF_OK);
	CHECK_INT(buf_appendf(&b, "%d", 123), BUF_OK);
	CHECK_STR(buf_cstr(&b), "abcd123");
	CHECK_INT(buf_append_str(&b, "xy"), BUF_TOO_BIG);
	CHECK_STR(buf_cstr(&b), "abcd123"); /* unchanged on refusal */
	CHECK_INT(buf_putc(&b, 'z'), BUF_OK);
	CHECK_INT(buf_putc(&b, '!'), BUF_TOO_BIG);
	CHECK_INT(buf_appendf(&b, "%s", "q"), BUF_TOO_BIG);
	p = buf_detach(&b, &len);
	CHECK_STR(p, "abcd123z");
	CHECK_INT(len, 8);
	CHECK(b.data == NULL && b.len == 0);
	free(p);
	buf_init(&b, 1 << 20);
	for (int i = 0; i < 10000; i++)
		CHECK_INT(buf_append(&b, "0123456789", 10) == BUF_OK, 1);
	CHECK_INT(b.len, 100000);
	buf_reset(&b);
	CHECK_STR(buf_cstr(&b), "");
	buf_release(&b);
}

static void test_utf8(void)
{
	CHECK(text_utf8_valid("plain", 5));
	CHECK(text_utf8_valid("\xe9\x87\x8d\xe7\xbd\xae", 6)); /* 重置 */
	CHECK(!text_utf8_valid("\xc3", 1));                    /* truncated */
	CHECK(!text_utf8_valid("\xc0\xaf", 2));                /* overlong */
	CHECK(!text_utf8_valid("\xed\xa0\x80", 3));            /* surrogate */
	CHECK(!text_utf8_valid("\xf4\x90\x80\x80", 4));        /* > U+10FFFF */
	CHECK(!text_utf8_valid("\xff", 1));
}

static void test_parsers(void)
{
	long long v = 7;
	bool b = false;
	char small[4];

	CHECK_INT(text_parse_ll("42", 0, 100, &v), 0);
	CHECK_INT(v, 42);
	CHECK_INT(text_parse_ll("", 0, 100, &v), -1);
	CHECK_INT(text_parse_ll(" 1", 0, 100, &v), -1);
	CHECK_INT(text_parse_ll("1 ", 0, 100, &v), -1);
	CHECK_INT(text_parse_ll("101", 0, 100, &v), -1);
	CHECK_INT(v, 42);
	CHECK_INT(text_parse_bool("Yes", &b), 0);
	CHECK(b);
	CHECK_INT(text_parse_bool("on", &b), -1);
	CHECK(text_has_crlf("a\r\nb", 4));
	CHECK(text_has_crlf("a\0b", 3));
	CHECK(!text_has_crlf("ab", 2));
	CHECK_INT(text_copy(small, sizeof(small), "abc"), 0);
	CHECK_INT(text_copy(small, sizeof(small), "abcd"), -1);
	CHECK_STR(small, "abc");
	CHECK(text_equal_ci("Susan@Example.com", "susan@example.COM"));
}

int main(void)
{
	test_buf_bounds();
	test_utf8();
	test_parsers();
	return check_summary();
}
