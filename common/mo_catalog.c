#include "mo_catalog.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_read.h"

#define MO_MAGIC         0x950412deU
#define MO_MAGIC_SWAPPED 0xde120495U
#define MO_HEADER_BYTES  28

struct mo_entry {
	const char *msgid;
	const char *msgstr;
};

struct mo_catalog {
	unsigned char *data;
	struct mo_entry *entries; /* sorted by msgid (strcmp) */
	size_t n;
};

static uint32_t read_u32(const unsigned char *p, int swapped)
{
	uint32_t v =
	    (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;

	if (swapped)
		v = (v >> 24) | ((v >> 8) & 0xff00U) | ((v << 8) & 0xff0000U) | (v << 24);
	return v;
}

static int fail(char *why, size_t why_len, const char *reason)
{
	snprintf(why, why_len, "%s", reason);
	return -1;
}

/* The string whose (length, offset) pair is at table + 8 * i. */
static const char *string_at(const unsigned char *data, size_t len, uint32_t table, size_t i,
                             int swapped)
{
	size_t pair = (size_t)table + 8 * i;
	uint32_t slen, off;

	if (pair + 8 > len)
		return NULL;
	slen = read_u32(data + pair, swapped);
	off = read_u32(data + pair + 4, swapped);
	if ((size_t)off + slen >= len || data[(size_t)off + slen] != '\0')
		return NULL;
	return (const char *)data + off;
}

static int by_msgid(const void *a, const void *b)
{
	return strcmp(((const struct mo_entry *)a)->msgid, ((const struct mo_entry *)b)->msgid);
}

static int index_entries(struct mo_catalog *cat, size_t len, char *why, size_t why_len)
{
	const unsigned char *d = cat->data;
	uint32_t magic = read_u32(d, 0);
	int swapped = magic == MO_MAGIC_SWAPPED;
	uint32_t count, orig, trans;

	if (magic != MO_MAGIC && magic != MO_MAGIC_SWAPPED)
		return fail(why, why_len, "not a .mo file (bad magic number)");
	if (read_u32(d + 4, swapped) >> 16 != 0)
		return fail(why, why_len, "unknown .mo major revision");
	count = read_u32(d + 8, swapped);
	orig = read_u32(d + 12, swapped);
	trans = read_u32(d + 16, swapped);
	if (count > len / 16)
		return fail(why, why_len, "more strings than the file can hold");
	cat->entries = calloc(count ? count : 1, sizeof(*cat->entries));
	if (!cat->entries)
		return fail(why, why_len, "out of memory");
	for (size_t i = 0; i < count; i++) {
		struct mo_entry *e = &cat->entries[i];

		e->msgid = string_at(d, len, orig, i, swapped);
		e->msgstr = string_at(d, len, trans, i, swapped);
		if (!e->msgid || !e->msgstr)
			return fail(why, why_len, "a string lies outside the file");
	}
	cat->n = count;
	qsort(cat->entries, cat->n, sizeof(*cat->entries), by_msgid);
	return 0;
}

int mo_catalog_parse(const void *data, size_t len, struct mo_catalog **out, char *why,
                     size_t why_len)
{
	struct mo_catalog *cat;

	*out = NULL;
	if (len < MO_HEADER_BYTES)
		return fail(why, why_len, "too short for a .mo file");
	if (len > MO_CATALOG_MAX_BYTES)
		return fail(why, why_len, "larger than 4 MiB");
	cat = calloc(1, sizeof(*cat));
	if (!cat || !(cat->data = malloc(len))) {
		free(cat);
		return fail(why, why_len, "out of memory");
	}
	memcpy(cat->data, data, len);
	if (index_entries(cat, len, why, why_len) != 0) {
		mo_catalog_free(&cat);
		return -1;
	}
	*out = cat;
	return 0;
}

int mo_catalog_load(const char *path, struct mo_catalog **out, char *why, size_t why_len)
{
	char *data;
	size_t len;
	int rc = file_read(path, MO_CATALOG_MAX_BYTES, &data, &len);

	*out = NULL;
	if (rc == FILE_READ_TOO_LARGE)
		return fail(why, why_len, "larger than 4 MiB");
	if (rc != FILE_READ_OK) {
		snprintf(why, why_len, "%s: %s", file_read_reason(rc), strerror(errno));
		return -1;
	}
	rc = mo_catalog_parse(data, len, out, why, why_len);
	free(data);
	return rc;
}

const char *mo_catalog_find(const struct mo_catalog *cat, const char *msgid)
{
	struct mo_entry key = { msgid, NULL };
	const struct mo_entry *e;

	if (!cat || !msgid[0])
		return NULL;
	e = bsearch(&key, cat->entries, cat->n, sizeof(*cat->entries), by_msgid);
	return e && e->msgstr[0] ? e->msgstr : NULL;
}

size_t mo_catalog_size(const struct mo_catalog *cat)
{
	return cat ? cat->n : 0;
}

void mo_catalog_free(struct mo_catalog **cat)
{
	if (!*cat)
		return;
	free((*cat)->entries);
	free((*cat)->data);
	free(*cat);
	*cat = NULL;
}
