#include "template.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file_read.h"
#include "str.h"

#define PARSE_MAX_NESTING  64 /* sections open at once in one file */
#define LOAD_MAX_DIR_DEPTH 8
#define LOAD_MAX_FILES     512
#define NAME_MAX_LEN       200

enum token_kind {
	TOK_TEXT,
	TOK_VAR,
	TOK_RAW,
	TOK_SECTION,
	TOK_INVERTED,
	TOK_PARTIAL,
	TOK_TRANSLATE
};

struct token {
	enum token_kind kind;
	const char *text; /* TOK_TEXT: points into the file's source */
	size_t len;
	char *name;             /* tags: the trimmed name */
	struct token *children; /* sections */
	size_t n_children;
};

struct template_file {
	char *name;
	char *source;
	struct token *tokens;
	size_t n_tokens;
};

struct template_set {
	struct template_file *files;
	size_t n_files;
};

/* ---------- parsing ---------- */

struct token_list {
	struct token *items;
	size_t n, cap;
};

struct parse_frame {
	struct token_list list;
	char *name; /* the section being filled; NULL at the top */
	enum token_kind kind;
	size_t line;
};

struct parser {
	const char *file;
	const char *src;
	size_t len;
	size_t pos;
	struct parse_frame stack[PARSE_MAX_NESTING + 1];
	int depth;
	struct template_error *err;
};

static void set_where(struct template_error *err, const char *where)
{
	text_copy(err->where, sizeof(err->where), where);
}

static int fail_at(struct parser *p, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_at(struct parser *p, size_t offset, const char *fmt, ...)
{
	char where[sizeof(p->err->where)];
	size_t line = 1;
	va_list ap;

	for (size_t i = 0; i < offset && i < p->len; i++)
		line += p->src[i] == '\n';
	snprintf(where, sizeof(where), "%.140s:%zu", p->file, line);
	set_where(p->err, where);
	va_start(ap, fmt);
	vsnprintf(p->err->reason, sizeof(p->err->reason), fmt, ap);
	va_end(ap);
	return -1;
}

static struct token *list_push(struct token_list *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct token *items = realloc(l->items, cap * sizeof(*items));

		if (!items)
			return NULL;
		l->items = items;
		l->cap = cap;
	}
	memset(&l->items[l->n], 0, sizeof(l->items[0]));
	return &l->items[l->n++];
}

static void tokens_free(struct token *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(t[i].name);
		tokens_free(t[i].children, t[i].n_children);
	}
	free(t);
}

static int add_text(struct parser *p, const char *text, size_t len)
{
	struct token *t;

	if (len == 0)
		return 0;
	t = list_push(&p->stack[p->depth].list);
	if (!t)
		return fail_at(p, p->pos, "out of memory");
	t->kind = TOK_TEXT;
	t->text = text;
	t->len = len;
	return 0;
}

/* A tag is standalone when only blanks stand between it and the line's start
 * and end. Returns the offset just past the line end, or 0 when not. */
static size_t standalone_end(const struct parser *p, size_t tag_start, size_t tag_end,
                             size_t *line_start)
{
	size_t s = tag_start, e = tag_end;

	while (s > 0 && (p->src[s - 1] == ' ' || p->src[s - 1] == '\t'))
		s--;
	if (s > 0 && p->src[s - 1] != '\n')
		return 0;
	while (e < p->len && (p->src[e] == ' ' || p->src[e] == '\t'))
		e++;
	if (e < p->len && p->src[e] == '\r')
		e++;
	if (e < p->len && p->src[e] != '\n')
		return 0;
	*line_start = s;
	return e < p->len ? e + 1 : e;
}

static char *tag_name(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n && n <= NAME_MAX_LEN ? text_ndup(s, n) : NULL;
}

static int open_section(struct parser *p, enum token_kind kind, char *name, size_t at)
{
	struct parse_frame *f;

	if (p->depth >= PARSE_MAX_NESTING) {
		free(name);
		return fail_at(p, at, "sections nested too deeply");
	}
	f = &p->stack[++p->depth];
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->kind = kind;
	f->line = at;
	return 0;
}

static int close_section(struct parser *p, char *name, size_t at)
{
	struct parse_frame *f = &p->stack[p->depth];
	struct token *t;
	int rc = 0;

	if (p->depth == 0 || strcmp(f->name, name) != 0) {
		rc = fail_at(p, at,
		             p->depth ? "closing tag {{/%s}} does not match the open section"
		                      : "closing tag {{/%s}} without an open section",
		             name);
		free(name);
		return rc;
	}
	free(name);
	t = list_push(&p->stack[p->depth - 1].list);
	if (!t)
		return fail_at(p, at, "out of memory");
	t->kind = f->kind;
	t->name = f->name;
	t->children = f->list.items;
	t->n_children = f->list.n;
	p->depth--;
	return 0;
}

static int add_tag(struct parser *p, enum token_kind kind, char *name, size_t at)
{
	struct token *t = list_push(&p->stack[p->depth].list);

	if (!t) {
		free(name);
		return fail_at(p, at, "out of memory");
	}
	t->kind = kind;
	t->name = name;
	return 0;
}

/* Handles one tag whose inner text is src[in..in+n); sigil already read. */
static int handle_tag(struct parser *p, char sigil, const char *inner, size_t n, size_t at)
{
	char *name;

	if (sigil == '!')
		return 0;
	name = tag_name(inner, n);
	if (!name)
		return fail_at(p, at, "empty or over-long tag name");
	switch (sigil) {
	case '#':
		return open_section(p, TOK_SECTION, name, at);
	case '^':
		return open_section(p, TOK_INVERTED, name, at);
	case '/':
		return close_section(p, name, at);
	case '>':
		return add_tag(p, TOK_PARTIAL, name, at);
	case '&':
	case '{':
		return add_tag(p, TOK_RAW, name, at);
	case '_':
		return add_tag(p, TOK_TRANSLATE, name, at);
	default:
		return add_tag(p, TOK_VAR, name, at);
	}
}

static int parse_one_tag(struct parser *p, size_t open)
{
	const char *start = p->src + open + 2, *close;
	size_t remaining = p->len - open - 2, n, end, line_start = 0, after;
	char sigil = remaining ? *start : '\0';
	bool triple = sigil == '{';

	if (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '!' || sigil == '>' ||
	    sigil == '&' || sigil == '{' || (sigil == '_' && remaining > 1 && start[1] == ' '))
		start++, remaining--;
	else
		sigil = '\0';
	close = memmem(start, remaining, triple ? "}}}" : "}}", triple ? 3 : 2);
	if (!close)
		return fail_at(p, open, "unclosed tag: {{ without }}");
	n = (size_t)(close - start);
	end = (size_t)(close - p->src) + (triple ? 3 : 2);
	after = (sigil && sigil != '&' && sigil != '{' && sigil != '_')
	            ? standalone_end(p, open, end, &line_start)
	            : 0;
	if (after) {
		/* drop the blanks before the tag from the text already added */
		struct token_list *l = &p->stack[p->depth].list;

		if (l->n && l->items[l->n - 1].kind == TOK_TEXT &&
		    l->items[l->n - 1].text + l->items[l->n - 1].len == p->src + open) {
			l->items[l->n - 1].len -= open - line_start;
			if (l->items[l->n - 1].len == 0)
				l->n--;
		}
		end = after;
	}
	p->pos = end;
	return handle_tag(p, sigil, start, n, open);
}

static int parse(struct parser *p)
{
	while (p->pos < p->len) {
		const char *open = memmem(p->src + p->pos, p->len - p->pos, "{{", 2);
		size_t at = open ? (size_t)(open - p->src) : p->len;

		if (add_text(p, p->src + p->pos, at - p->pos) != 0)
			return -1;
		p->pos = at;
		if (!open)
			break;
		if (parse_one_tag(p, at) != 0)
			return -1;
	}
	if (p->depth > 0)
		return fail_at(p, p->stack[p->depth].line, "section {{#%s}} is never closed",
		               p->stack[p->depth].name);
	return 0;
}

static void parser_release(struct parser *p)
{
	for (int d = p->depth; d >= 0; d--) {
		tokens_free(p->stack[d].list.items, p->stack[d].list.n);
		free(p->stack[d].name);
	}
}

static int compile_file(struct template_file *f, struct template_error *err)
{
	struct parser p = {
		.file = f->name, .src = f->source, .len = strlen(f->source), .err = err
	};

	memset(&p.stack[0], 0, sizeof(p.stack[0]));
	if (parse(&p) != 0) {
		parser_release(&p);
		return -1;
	}
	f->tokens = p.stack[0].list.items;
	f->n_tokens = p.stack[0].list.n;
	return 0;
}

/* ---------- loading ---------- */

static bool wanted_file(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && strcmp(name + n - 5, ".html") == 0) ||
	       (n > 4 && strcmp(name + n - 4, ".txt") == 0);
}

static int read_source(const char *path, char **out, struct template_error *err, const char *name)
{
	size_t n;
	int rc = file_read(path, TEMPLATE_MAX_FILE_BYTES, out, &n);

	if (rc == FILE_READ_OK && !memchr(*out, '\0', n))
		return 0;
	set_where(err, name);
	if (rc == FILE_READ_OK)
		snprintf(err->reason, sizeof(err->reason), "contains a NUL byte");
	else if (rc == FILE_READ_TOO_LARGE)
		snprintf(err->reason, sizeof(err->reason), "larger than %d bytes",
		         TEMPLATE_MAX_FILE_BYTES);
	else
		snprintf(err->reason, sizeof(err->reason), "cannot read: %s", strerror(errno));
	free(*out);
	*out = NULL;
	return -1;
}

static int add_file(struct template_set *set, const char *path, const char *name,
                    struct template_error *err)
{
	struct template_file *files, *f;

	if (set->n_files >= LOAD_MAX_FILES) {
		set_where(err, name);
		snprintf(err->reason, sizeof(err->reason), "more than %d templates",
		         LOAD_MAX_FILES);
		return -1;
	}
	files = realloc(set->files, (set->n_files + 1) * sizeof(*files));
	if (!files)
		return -1;
	set->files = files;
	f = &files[set->n_files];
	memset(f, 0, sizeof(*f));
	f->name = text_dup(name);
	if (!f->name)
		return -1;
	set->n_files++;
	if (read_source(path, &f->source, err, name) != 0)
		return -1;
	return compile_file(f, err);
}

static int load_dir(struct template_set *set, const char *dir, const char *prefix, int depth,
                    struct template_error *err)
{
	char path[4096], name[1024];
	struct dirent *e;
	struct stat st;
	DIR *d;
	int rc = 0;

	if (depth > LOAD_MAX_DIR_DEPTH)
		return 0;
	d = opendir(dir);
	if (!d) {
		set_where(err, dir);
		snprintf(err->reason, sizeof(err->reason), "cannot open: %s", strerror(errno));
		return -1;
	}
	while (rc == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path) ||
		    (size_t)snprintf(name, sizeof(name), "%s%s", prefix, e->d_name) >= sizeof(name))
			continue;
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			char sub[1100];

			snprintf(sub, sizeof(sub), "%s/", name);
			rc = load_dir(set, path, sub, depth + 1, err);
		} else if (S_ISREG(st.st_mode) && wanted_file(e->d_name)) {
			rc = add_file(set, path, name, err);
		}
	}
	closedir(d);
	return rc;
}

int template_set_load(const char *dir, struct template_set **out, struct template_error *err)
{
	struct template_set *set = calloc(1, sizeof(*set));

	err->where[0] = err->reason[0] = '\0';
	if (!set)
		return -1;
	if (load_dir(set, dir, "", 0, err) != 0) {
		if (!err->reason[0])
			snprintf(err->reason, sizeof(err->reason), "out of memory");
		template_set_free(&set);
		return -1;
	}
	*out = set;
	return 0;
}

void template_set_free(struct template_set **setp)
{
	struct template_set *set = *setp;

	if (!set)
		return;
	for (size_t i = 0; i < set->n_files; i++) {
		free(set->files[i].name);
		free(set->files[i].source);
		tokens_free(set->files[i].tokens, set->files[i].n_tokens);
	}
	free(set->files);
	free(set);
	*setp = NULL;
}

static const struct template_file *find_file(const struct template_set *set, const char *name)
{
	for (size_t i = 0; i < set->n_files; i++)
		if (strcmp(set->files[i].name, name) == 0)
			return &set->files[i];
	return NULL;
}

bool template_exists(const struct template_set *set, const char *name)
{
	return find_file(set, name) != NULL;
}

/* ---------- rendering ---------- */

struct render {
	const struct template_set *set;
	int flags;
	json_t *stack[TEMPLATE_MAX_DEPTH + 2];
	int top; /* index of the innermost context */
	int depth;
	const char *where;
	struct buf *out;
	struct template_error *err;
	template_translate_fn translate;
	const void *translate_user;
};

static int render_fail(struct render *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int render_fail(struct render *r, const char *fmt, ...)
{
	va_list ap;

	set_where(r->err, r->where);
	va_start(ap, fmt);
	vsnprintf(r->err->reason, sizeof(r->err->reason), fmt, ap);
	va_end(ap);
	return -1;
}

static json_t *lookup(const struct render *r, const char *name)
{
	char part[NAME_MAX_LEN + 1];
	const char *dot = strchr(name, '.');
	size_t n = dot ? (size_t)(dot - name) : strlen(name);
	json_t *v = NULL;

	if (strcmp(name, ".") == 0)
		return r->stack[r->top];
	memcpy(part, name, n);
	part[n] = '\0';
	for (int i = r->top; i >= 0 && !v; i--)
		if (json_is_object(r->stack[i]))
			v = json_object_get(r->stack[i], part);
	while (v && dot) {
		name = dot + 1;
		dot = strchr(name, '.');
		n = dot ? (size_t)(dot - name) : strlen(name);
		memcpy(part, name, n);
		part[n] = '\0';
		v = json_is_object(v) ? json_object_get(v, part) : NULL;
	}
	return v;
}

static bool truthy(json_t *v)
{
	if (!v || json_is_null(v) || json_is_false(v))
		return false;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	return true;
}

static int emit(struct render *r, const char *s, size_t n, bool escape)
{
	int rc = escape ? template_escape_html(r->out, s, n) : buf_append(r->out, s, n);

	if (rc == BUF_TOO_BIG)
		return render_fail(r, "output larger than its limit");
	return rc == BUF_OK ? 0 : render_fail(r, "out of memory");
}

static int emit_value(struct render *r, const struct token *t)
{
	json_t *v = lookup(r, t->name);
	char num[64];

	if (!v) {
		if (r->flags & TEMPLATE_STRICT)
			return render_fail(r, "missing variable: %s", t->name);
		return 0;
	}
	if (json_is_string(v))
		return emit(r, json_string_value(v), json_string_length(v), t->kind == TOK_VAR);
	if (json_is_integer(v))
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(num, sizeof(num), "%.15g", json_real_value(v));
	else if (json_is_true(v))
		snprintf(num, sizeof(num), "true");
	else
		return 0;
	return emit(r, num, strlen(num), false);
}

static int emit_translation(struct render *r, const struct token *t)
{
	const char *s = r->translate ? r->translate(r->translate_user, t->name) : NULL;

	if (!s)
		s = t->name;
	return emit(r, s, strlen(s), true);
}

static int render_tokens(struct render *r, const struct token *t, size_t n);

static int push_and_render(struct render *r, json_t *ctx, const struct token *t)
{
	int rc;

	r->stack[++r->top] = ctx;
	rc = render_tokens(r, t->children, t->n_children);
	r->top--;
	return rc;
}

static int render_section(struct render *r, const struct token *t)
{
	json_t *v = lookup(r, t->name), *item;
	size_t i;

	if (t->kind == TOK_INVERTED)
		return truthy(v) ? 0 : render_tokens(r, t->children, t->n_children);
	if (!truthy(v))
		return 0;
	if (!json_is_array(v))
		return push_and_render(r, v, t);
	json_array_foreach(v, i, item)
	{
		if (push_and_render(r, item, t) != 0)
			return -1;
	}
	return 0;
}

static int render_partial(struct render *r, const struct token *t)
{
	const struct template_file *f = find_file(r->set, t->name);
	const char *saved = r->where;
	int rc;

	if (!f)
		return render_fail(r, "unknown partial: %s", t->name);
	r->where = f->name;
	rc = render_tokens(r, f->tokens, f->n_tokens);
	if (rc == 0)
		r->where = saved;
	return rc;
}

static int render_token(struct render *r, const struct token *t)
{
	switch (t->kind) {
	case TOK_TEXT:
		return emit(r, t->text, t->len, false);
	case TOK_VAR:
	case TOK_RAW:
		return emit_value(r, t);
	case TOK_SECTION:
	case TOK_INVERTED:
		return render_section(r, t);
	case TOK_PARTIAL:
		return render_partial(r, t);
	case TOK_TRANSLATE:
		return emit_translation(r, t);
	}
	return 0;
}

static int render_tokens(struct render *r, const struct token *t, size_t n)
{
	int rc = 0;

	if (++r->depth > TEMPLATE_MAX_DEPTH) {
		r->depth--;
		return render_fail(r, "nesting too deep (a partial that includes itself?)");
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = render_token(r, &t[i]);
	r->depth--;
	return rc;
}

int template_render(const struct template_set *set, const char *name, json_t *ctx, int flags,
                    struct buf *out, struct template_error *err)
{
	return template_render_translated(set, name, ctx, flags, NULL, NULL, out, err);
}

int template_render_translated(const struct template_set *set, const char *name, json_t *ctx,
                               int flags, template_translate_fn translate,
                               const void *translate_user, struct buf *out,
                               struct template_error *err)
{
	const struct template_file *f = find_file(set, name);
	struct render r = { .set = set,
		            .flags = flags,
		            .out = out,
		            .err = err,
		            .where = name,
		            .translate = translate,
		            .translate_user = translate_user };

	err->where[0] = err->reason[0] = '\0';
	if (!f)
		return render_fail(&r, "unknown template");
	r.stack[0] = ctx;
	r.top = 0;
	return render_tokens(&r, f->tokens, f->n_tokens);
}

int template_escape_html(struct buf *out, const char *s, size_t n)
{
	size_t start = 0;
	int rc = BUF_OK;

	for (size_t i = 0; i < n && rc == BUF_OK; i++) {
		const char *rep = NULL;

		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		rc = buf_append(out, s + start, i - start);
		if (rc == BUF_OK)
			rc = buf_append_str(out, rep);
		start = i + 1;
	}
	if (rc == BUF_OK)
		rc = buf_append(out, s + start, n - start);
	return rc;
}
