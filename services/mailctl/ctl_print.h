/* ctl_print: mailctl prints what Redis holds, and Redis holds what anyone
 * who can push a job wrote — job ids, errors, worker names are untrusted. No
 * control character reaches the terminal raw: no escape sequences, no fake
 * lines. Ownership: nothing allocated is handed out. */
#ifndef MAILCTL_CTL_PRINT_H
#define MAILCTL_CTL_PRINT_H

#include <jansson.h>
#include <stddef.h>

#include "mail_job.h"

#define CTL_SAFE_MAX 2048 /* a longer value is cut, with "..." */

/* s (untrusted) made printable into out (n bytes), which is returned:
 * \n \r \t and \\ as themselves escaped, any other C0 byte, DEL and the C1
 * controls (U+0080..U+009F) as \xNN; the rest of UTF-8 as is. */
const char *ctl_safe(const char *s, char *out, size_t n);

/* Several lines of untrusted text on stdout: as ctl_safe, except that LF and
 * TAB are printed as themselves. s[0..len) must be followed by a NUL. */
void ctl_print_text(const char *s, size_t len);

/* One JSON value and a newline on stdout: every non-ASCII character and DEL
 * as \uXXXX (jansson already escapes C0 controls). flags: json_dumps's. */
void ctl_print_json(const json_t *value, size_t flags);

/* "mailctl: invalid job: <reason>" on stderr, the reason made safe. */
void ctl_print_invalid(const struct mail_job_error *err);

#endif
