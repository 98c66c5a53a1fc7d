/* The template engine: the input's first line is a JSON context, the rest a
 * template, loaded from a directory as the services do and rendered both ways. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "template.h"

static char dir[64];

static void write_template(const char *text, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/t.txt", dir);
	f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(text, 1, len, f);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const char *text = (const char *)data, *nl = memchr(text, '\n', size);
	struct template_set *set = NULL;
	struct template_error err;
	json_t *ctx = NULL;
	struct buf out;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/fuzz-template-XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	if (nl) {
		ctx = json_loadb(text, (size_t)(nl - text), 0, NULL);
		size -= (size_t)(nl - text) + 1;
		text = nl + 1;
	}
	write_template(text, size);
	if (template_set_load(dir, &set, &err) == 0) {
		buf_init(&out, 1 << 20);
		template_render(set, "t.txt", ctx, TEMPLATE_LENIENT, &out, &err);
		buf_reset(&out);
		template_render(set, "t.txt", ctx, TEMPLATE_STRICT, &out, &err);
		buf_release(&out);
		template_set_free(&set);
	}
	json_decref(ctx);
	return 0;
}
