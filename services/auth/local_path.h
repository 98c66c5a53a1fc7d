/* local_path: redirect targets that stay on this site, and the current page's
 * path as a query value (for ?next=). */
#ifndef AUTH_LOCAL_PATH_H
#define AUTH_LOCAL_PATH_H

#include <stddef.h>

#define LOCAL_PATH_MAX 500

/* next when it is a local path: exactly one leading '/', no '\' (browsers
 * read it as '/'), no control character (browsers drop tabs and newlines, so
 * "/\t/host" would become "//host"), at most LOCAL_PATH_MAX bytes; else "/".
 * next is untrusted (a decoded query value) and may be NULL. */
const char *local_path_or_root(const char *next);

/* path percent-encoded for a query value (unreserved and '/' kept) into out;
 * "/" when it does not fit or is not a local path. */
void local_path_encode(const char *path, char *out, size_t out_len);

#endif
