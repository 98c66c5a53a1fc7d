/* mailctl outbox list|show|link: the development outbox (MAIL_OUTBOX_DIR),
 * where the mailer writes <id>.eml and its readable copy <id>.txt. Reads the
 * .txt files only; needs no Redis. Newest means the latest modification time
 * (ties: the greater id). What the files hold came from a job, so everything
 * printed is escaped like the rest of mailctl's output. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ctl.h"
#include "ctl_print.h"
#include "mail_job.h"
#include "str.h"

#define OUTBOX_SCAN_MAX  100000            /* .txt files looked at, at the most */
#define OUTBOX_FILE_MAX  (4 * 1024 * 1024) /* a readable copy is at most ~1 MiB */
#define OUTBOX_PATH_MAX  4400
#define OUTBOX_LIST_SIZE 20

struct outbox_entry {
	char *id;
	long long sec, nsec;
};

struct outbox_scan {
	struct outbox_entry *items;
	size_t n, cap;
};

struct outbox_args {
	const char *dir;
	const char *id; /* NULL or "latest": the newest */
	long long limit;
};

static void scan_release(struct outbox_scan *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->items[i].id);
	free(s->items);
}

static int newest_first(const void *a, const void *b)
{
	const struct outbox_entry *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? 1 : -1;
	if (x->nsec != y->nsec)
		return x->nsec < y->nsec ? 1 : -1;
	return strcmp(y->id, x->id);
}

/* The id of a readable copy's file name, or false (temporary files, others). */
static bool txt_id(const char *name, char *id, size_t n)
{
	size_t len = strlen(name);

	if (len <= 4 || len - 4 >= n || strcmp(name + len - 4, ".txt") != 0)
		return false;
	memcpy(id, name, len - 4);
	id[len - 4] = '\0';
	return mail_job_id_valid(id);
}

static int add_entry(struct outbox_scan *s, const char *dir, const char *name, const char *id)
{
	char path[OUTBOX_PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0; /* gone meanwhile, or not a file */
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct outbox_entry *items = realloc(s->items, cap * sizeof(*items));

		if (!items)
			return -1;
		s->items = items;
		s->cap = cap;
	}
	s->items[s->n].id = text_dup(id);
	if (!s->items[s->n].id)
		return -1;
	s->items[s->n].sec = (long long)st.st_mtim.tv_sec;
	s->items[s->n].nsec = (long long)st.st_mtim.tv_nsec;
	s->n++;
	return 0;
}

/* Every message in dir, newest first. Returns 0, or CTL_USAGE after printing. */
static int scan(const char *dir, struct outbox_scan *s)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char id[MAIL_JOB_ID_MAX + 1], safe[CTL_SAFE_MAX];
	size_t seen = 0;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	if (!d) {
		fprintf(stderr, "mailctl: outbox %s: %s\n", ctl_safe(dir, safe, sizeof(safe)),
		        strerror(errno));
		return CTL_USAGE;
	}
	while (rc == 0 && seen < OUTBOX_SCAN_MAX && (e = readdir(d)) != NULL)
		if (txt_id(e->d_name, id, sizeof(id))) {
			seen++;
			rc = add_entry(s, dir, e->d_name, id);
		}
	closedir(d);
	if (rc != 0) {
		fprintf(stderr, "mailctl: out of memory\n");
		scan_release(s);
		return CTL_USAGE;
	}
	if (s->n > 1)
		qsort(s->items, s->n, sizeof(*s->items), newest_first);
	return 0;
}

/* The readable copy of id, NUL-terminated (free() it), or NULL after printing. */
static char *read_copy(const char *dir, const char *id, size_t *len)
{
	char path[OUTBOX_PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s.txt", dir, id);
	return ctl_read_input(path, OUTBOX_FILE_MAX, len);
}

/* The value of header name in the copy's header block ("" when absent), cut
 * at its line's end, into out. */
static const char *header(const char *text, const char *name, char *out, size_t n)
{
	size_t name_len = strlen(name);
	const char *line = text;

	out[0] = '\0';
	while (*line && *line != '\n') {
		size_t len = strcspn(line, "\n");

		if (len > name_len + 1 && strncmp(line, name, name_len) == 0 &&
		    line[name_len] == ':' && line[name_len + 1] == ' ') {
			size_t v = len - name_len - 2;

			if (v >= n)
				v = n - 1;
			memcpy(out, line + name_len + 2, v);
			out[v] = '\0';
			break;
		}
		line += len + (line[len] == '\n');
	}
	return out;
}

/* The entry the arguments name: the newest, or the one with that id. NULL
 * after printing why (*rc: CTL_NOTHING or CTL_USAGE). */
static const struct outbox_entry *pick(const struct outbox_args *a, const struct outbox_scan *s,
                                       int *rc)
{
	char safe[CTL_SAFE_MAX], dir[CTL_SAFE_MAX];
	bool newest = !a->id || strcmp(a->id, "latest") == 0;

	*rc = CTL_NOTHING;
	ctl_safe(a->dir, dir, sizeof(dir));
	if (!newest && !mail_job_id_valid(a->id)) {
		fprintf(stderr, "mailctl: %s is not a job id (1-128 of A-Z a-z 0-9 . _ : -)\n",
		        ctl_safe(a->id, safe, sizeof(safe)));
		*rc = CTL_USAGE;
		return NULL;
	}
	if (s->n == 0) {
		fprintf(stderr, "mailctl: the outbox %s holds no message yet (no <id>.txt)\n", dir);
		return NULL;
	}
	if (newest)
		return &s->items[0];
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->items[i].id, a->id) == 0)
			return &s->items[i];
	fprintf(stderr, "mailctl: no message with id %s in the outbox %s\n",
	        ctl_safe(a->id, safe, sizeof(safe)), dir);
	return NULL;
}

static int outbox_list(const struct outbox_args *a, const struct outbox_scan *s)
{
	char when[100], to[CTL_SAFE_MAX], subject[CTL_SAFE_MAX], safe[4][CTL_SAFE_MAX];

	if (s->n == 0) {
		fprintf(stderr, "mailctl: the outbox %s holds no message yet (no <id>.txt)\n",
		        ctl_safe(a->dir, safe[0], sizeof(safe[0])));
		return CTL_NOTHING;
	}
	for (size_t i = 0; i < s->n && (long long)i < a->limit; i++) {
		size_t len;
		char *text = read_copy(a->dir, s->items[i].id, &len);

		if (!text)
			continue;
		header(text, "Date", when, sizeof(when));
		header(text, "To", to, sizeof(to));
		header(text, "Subject", subject, sizeof(subject));
		printf("%s\t%s\t%s\t%s\n", ctl_safe(s->items[i].id, safe[0], sizeof(safe[0])),
		       ctl_safe(when, safe[1], sizeof(safe[1])),
		       ctl_safe(to, safe[2], sizeof(safe[2])),
		       ctl_safe(subject, safe[3], sizeof(safe[3])));
		free(text);
	}
	return CTL_OK;
}

static int outbox_show(const struct outbox_args *a, const struct outbox_entry *e)
{
	size_t len;
	char *text = read_copy(a->dir, e->id, &len);

	if (!text)
		return CTL_USAGE;
	ctl_print_text(text, len);
	free(text);
	return CTL_OK;
}

/* Where the URL starting at p ends: at a space, a control, a quote or <>,
 * without trailing punctuation. */
static size_t url_length(const char *p)
{
	size_t n = 0;

	while ((unsigned char)p[n] > 0x20 && p[n] != 0x7f && !strchr("\"'<>", p[n]))
		n++;
	while (n > 0 && strchr(".,;:!?)]", p[n - 1]))
		n--;
	return n;
}

/* Prints each http(s) link of the text part (after the header block), in order. */
static int outbox_link(const struct outbox_args *a, const struct outbox_entry *e)
{
	size_t len, found = 0;
	char *text = read_copy(a->dir, e->id, &len), safe[CTL_SAFE_MAX], id[CTL_SAFE_MAX];
	const char *p;

	if (!text)
		return CTL_USAGE;
	p = strstr(text, "\n\n");
	for (p = p ? p : text; (p = strstr(p, "http")) != NULL;) {
		size_t n = strncmp(p, "https://", 8) == 0 || strncmp(p, "http://", 7) == 0
		               ? url_length(p)
		               : 0;
		char *url = n > 8 ? text_ndup(p, n) : NULL;

		if (url) {
			printf("%s\n", ctl_safe(url, safe, sizeof(safe)));
			found++;
		}
		free(url);
		p += n ? n : 4;
	}
	free(text);
	if (!found)
		fprintf(stderr, "mailctl: the message %s has no link\n",
		        ctl_safe(e->id, id, sizeof(id)));
	return found ? CTL_OK : CTL_NOTHING;
}

/* [ID|latest] [--dir DIR] [--limit N] (list: no id; show, link: no limit). */
static int parse_args(int argc, char **argv, bool is_list, struct outbox_args *a)
{
	a->dir = getenv("MAIL_OUTBOX_DIR");
	a->id = NULL;
	a->limit = OUTBOX_LIST_SIZE;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			a->dir = argv[++i];
		else if (is_list && strcmp(argv[i], "--limit") == 0 && i + 1 < argc &&
		         text_parse_ll(argv[i + 1], 1, OUTBOX_SCAN_MAX, &a->limit) == 0)
			i++;
		else if (!is_list && !a->id)
			a->id = argv[i]; /* an id may start with '-': checked later */
		else
			return -1;
	}
	if (!a->dir || !a->dir[0]) {
		fprintf(stderr, "mailctl: no outbox: set MAIL_OUTBOX_DIR or pass --dir DIR\n");
		return -2;
	}
	return 0;
}

int cmd_outbox(struct ctl *ctl, int argc, char **argv)
{
	const char *sub = argc >= 2 ? argv[1] : "";
	bool is_list = strcmp(sub, "list") == 0;
	const struct outbox_entry *e;
	struct outbox_args a;
	struct outbox_scan s;
	int rc;

	(void)ctl;
	if (!is_list && strcmp(sub, "show") != 0 && strcmp(sub, "link") != 0) {
		fprintf(stderr, "mailctl: outbox list|show|link (try mailctl outbox --help)\n");
		return CTL_USAGE;
	}
	rc = parse_args(argc, argv, is_list, &a);
	if (rc == -1)
		fprintf(stderr, "mailctl: outbox %s\n",
		        is_list ? "list [--limit N] [--dir DIR]"
		                : "show|link [ID|latest] [--dir DIR]");
	if (rc != 0 || (rc = scan(a.dir, &s)) != 0)
		return CTL_USAGE;
	if (is_list)
		rc = outbox_list(&a, &s);
	else if ((e = pick(&a, &s, &rc)) != NULL)
		rc = strcmp(sub, "show") == 0 ? outbox_show(&a, e) : outbox_link(&a, e);
	scan_release(&s);
	return rc;
}
