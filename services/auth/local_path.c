#include "local_path.h"

#include <stdio.h>
#include <string.h>

const char *local_path_or_root(const char *next)
{
	size_t n;

	if (!next || next[0] != '/' || next[1] == '/')
		return "/";
	n = strlen(next);
	if (n > LOCAL_PATH_MAX)
		return "/";
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)next[i];

		if (ch < 0x20 || ch == 0x7f || ch == '\\')
			return "/";
	}
	return next;
}

static int kept(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
}

void local_path_encode(const char *path, char *out, size_t out_len)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *safe = local_path_or_root(path);
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)safe; *p; p++) {
		if (o + 4 > out_len) {
			snprintf(out, out_len, "/");
			return;
		}
		if (kept(*p)) {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o] = '\0';
}
