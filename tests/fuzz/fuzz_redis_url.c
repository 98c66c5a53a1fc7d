/* REDIS_URL parsing (redis://, unix://, redis-sentinel://) on arbitrary text. */
#include <stdlib.h>
#include <string.h>

#include "redis_url.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *text = malloc(size + 1), desc[2400];
	struct redis_url url;
	const char *why = NULL;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (redis_url_parse(text, &url, &why) == 0) {
		if (url.is_sentinel &&
		    (url.nsentinels < 1 || url.nsentinels > REDIS_URL_SENTINELS_MAX ||
		     !url.master_name[0]))
			__builtin_trap();
		redis_url_describe(&url, desc, sizeof(desc));
		if (strlen(desc) >= sizeof(desc) - 1)
			__builtin_trap(); /* 8 sentinels of 255-byte names must still fit */
	} else if (!why || !*why) {
		__builtin_trap();
	}
	free(text);
	return 0;
}
