/* template: a Mustache subset for both the HTML pages and the emails.
 *
 * Tags: {{name}} (HTML-escaped), {{{name}}} and {{& name}} (raw), dotted names
 * (a.b.c), {{.}} (the current item), {{#section}}…{{/section}} over truthy values
 * and arrays (objects push a context), {{^inverted}}…{{/inverted}}, {{>partial}}
 * (by template name, e.g. {{>pages/layout_head.html}}), {{! comment}}, and
 * {{_ Some text}}: the text (the msgid, at most 200 bytes, no "}}") through the
 * caller's translate function, HTML-escaped; the text itself when there is none.
 * Numbers render as integers or reals, true as "true"; null/false/absent render
 * as nothing (or, with TEMPLATE_STRICT, a missing variable is an error). Sections
 * treat a missing name as false in both modes: that is how a template says a
 * value is optional. A tag alone on its line (section, inverted, close,
 * comment, partial) leaves no blank line behind, as in Mustache.
 *
 * A set is loaded once from a directory: every regular file under it whose
 * name ends in .html or .txt, named by its path relative to the directory
 * ("pages/auth/login.html", "email/reset_password.txt"). Parse errors name file
 * and line. Loaded sets are immutable: rendering from several threads at once
 * is safe. Ownership: template_set_load() gives a set that template_set_free()
 * frees; rendering appends to a caller's struct buf.
 */
#ifndef COMMON_TEMPLATE_H
#define COMMON_TEMPLATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define TEMPLATE_MAX_FILE_BYTES (256 * 1024)
#define TEMPLATE_MAX_DEPTH \
	16 /* nested sections plus partials: a self-including partial stops here */

enum template_flags {
	TEMPLATE_LENIENT = 0,
	TEMPLATE_STRICT = 1, /* a missing {{variable}} is an error (emails) */
};

struct template_error {
	char where[160]; /* "email/reset_password.txt:7", or the template name */
	char reason[160];
};

struct template_set;

/* Loads every template under dir. Returns 0 with *out set, or -1 with err
 * filled (a syntax error names file:line: unclosed tag, unbalanced section,
 * file too large). */
int template_set_load(const char *dir, struct template_set **out, struct template_error *err);

/* True if the set has a template of that name. */
bool template_exists(const struct template_set *set, const char *name);

/* Renders name with ctx (an object; may be NULL) and appends to out, whose own
 * maximum bounds the output. Returns 0, or -1 with err filled: unknown
 * template, missing variable (strict), output too large, nesting too deep. */
int template_render(const struct template_set *set, const char *name, json_t *ctx, int flags,
                    struct buf *out, struct template_error *err);

/* Translates a msgid; returns NULL to keep the msgid. */
typedef const char *(*template_translate_fn)(const void *user, const char *msgid);

/* template_render with {{_ text}} tags through translate(translate_user, text). */
int template_render_translated(const struct template_set *set, const char *name, json_t *ctx,
                               int flags, template_translate_fn translate,
                               const void *translate_user, struct buf *out,
                               struct template_error *err);

void template_set_free(struct template_set **set);

/* Appends s[0..n) HTML-escaped (& < > " ') to out. Returns a buf status. */
int template_escape_html(struct buf *out, const char *s, size_t n);

#endif
