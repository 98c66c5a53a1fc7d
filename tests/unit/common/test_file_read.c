/* file_read: the bound (max bytes read, one more is too large), the NUL
 * after the bytes, an empty file, a missing one, and the stream form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "file_read.h"

static void write_file(const char *path, const char *bytes, size_t n)
{
	FILE *f = fopen(path, "wb");

	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_INT(fwrite(bytes, 1, n, f), n);
	fclose(f);
}

static void test_bound(const char *path)
{
	char *data;
	size_t len;

	write_file(path, "abcdef", 6);
	CHECK_INT(file_read(path, 6, &data, &len), FILE_READ_OK);
	CHECK_INT(len, 6);
	CHECK_STR(data, "abcdef");
	free(data);
	CHECK_INT(file_read(path, 5, &data, &len), FILE_READ_TOO_LARGE);
	CHECK(data == NULL);
	CHECK_INT(len, 0);
}

static void test_empty_and_nul(const char *path)
{
	char *data;
	size_t len;

	write_file(path, "", 0);
	CHECK_INT(file_read(path, 10, &data, &len), FILE_READ_OK);
	CHECK_INT(len, 0);
	CHECK_STR(data, "");
	free(data);
	write_file(path, "a\0b", 3);
	CHECK_INT(file_read(path, 10, &data, &len), FILE_READ_OK);
	CHECK_INT(len, 3); /* a NUL inside is kept and counted */
	CHECK(memcmp(data, "a\0b", 4) == 0);
	free(data);
}

static void test_missing(void)
{
	char *data = (char *)1;
	size_t len = 7;

	CHECK_INT(file_read("/nonexistent/file-read-test", 10, &data, &len), FILE_READ_CANNOT_OPEN);
	CHECK(data == NULL);
	CHECK_INT(len, 0);
	CHECK_STR(file_read_reason(FILE_READ_CANNOT_OPEN), "cannot open");
	CHECK_STR(file_read_reason(FILE_READ_TOO_LARGE), "too large");
}

static void test_stream(const char *path)
{
	char *data;
	size_t len;
	FILE *f;

	write_file(path, "stream", 6);
	f = fopen(path, "rb");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_INT(file_read_stream(f, 100, &data, &len), FILE_READ_OK);
	CHECK_STR(data, "stream");
	free(data);
	fclose(f);
}

int main(void)
{
	char path[] = "/tmp/test-file-read-XXXXXX";
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return check_summary();
	close(fd);
	test_bound(path);
	test_empty_and_nul(path);
	test_missing();
	test_stream(path);
	unlink(path);
	return check_summary();
}
