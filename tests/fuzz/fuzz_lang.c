/* Accept-Language and the lang cookie on arbitrary bytes: negotiation always
 * ends on one of our languages and never reads past the bounded header. */
#include <stdlib.h>
#include <string.h>

#include "lang.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *text = malloc(size + 1);
	enum lang lang = LANG_EN;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (lang_from_accept(text, &lang) && (lang < 0 || lang >= LANG_COUNT))
		__builtin_trap();
	lang = lang_negotiate(text, text);
	if (lang < 0 || lang >= LANG_COUNT)
		__builtin_trap();
	free(text);
	return 0;
}
