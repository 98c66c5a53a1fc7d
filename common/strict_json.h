/* strict_json: parsing untrusted JSON with bounds.
 *
 * Rejects input over max_bytes before parsing, duplicate keys, depth over
 * STRICT_JSON_MAX_DEPTH, NUL bytes, invalid UTF-8, trailing data, and a top
 * level that is not an object. The caller owns the returned reference
 * (json_decref()).
 */
#ifndef COMMON_STRICT_JSON_H
#define COMMON_STRICT_JSON_H

#include <jansson.h>
#include <stddef.h>

#define STRICT_JSON_MAX_DEPTH 32 /* a job or form needs a handful; deep input is hostile */

/* Returns a new object reference, or NULL with a one-line reason written into why
 * (e.g. "not JSON: ... at line 1 column 7", "too large: 300000 bytes > 262144",
 * "too deep"). */
/* The deepest nesting of brackets outside strings in buf[0..len). */
size_t strict_json_depth(const char *buf, size_t len);

json_t *strict_json_parse_object(const char *buf, size_t len, size_t max_bytes, char *why,
                                 size_t why_len);

#endif
