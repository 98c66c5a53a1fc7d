#include "strict_json.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Depth of brackets outside strings, checked before jansson parses (its own
 * limit is 2048, far more than anything we accept). Returns the maximum. */
size_t strict_json_depth(const char *buf, size_t len)
{
	size_t depth = 0, max = 0;
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			if (++depth > max)
				max = depth;
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
	}
	return max;
}

json_t *strict_json_parse_object(const char *buf, size_t len, size_t max_bytes, char *why,
                                 size_t why_len)
{
	json_error_t err;
	json_t *value;

	if (len > max_bytes) {
		snprintf(why, why_len, "too large: %zu bytes > %zu", len, max_bytes);
		return NULL;
	}
	if (memchr(buf, '\0', len)) {
		snprintf(why, why_len, "not JSON: contains a NUL byte");
		return NULL;
	}
	if (strict_json_depth(buf, len) > STRICT_JSON_MAX_DEPTH) {
		snprintf(why, why_len, "not accepted: nested deeper than %d levels",
		         STRICT_JSON_MAX_DEPTH);
		return NULL;
	}
	value = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
	if (!value) {
		snprintf(why, why_len, "not JSON: %s at line %d column %d", err.text, err.line,
		         err.column);
		return NULL;
	}
	if (!json_is_object(value)) {
		json_decref(value);
		snprintf(why, why_len, "not a JSON object");
		return NULL;
	}
	return value;
}
