/* The urlencoded form parser on arbitrary bodies. */
#include <string.h>

#include "form.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct form form;

	if (form_parse((const char *)data, size, &form) == 0) {
		for (size_t i = 0; i < form.n; i++)
			if (strlen(form.fields[i].value) != form.fields[i].value_len)
				__builtin_trap(); /* NUL bytes are refused, so lengths agree */
		form_get(&form, "csrf_token");
	}
	form_release(&form);
	return 0;
}
