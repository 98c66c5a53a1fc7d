/* config: reading the environment through one declarative table (12-factor).
 *
 * A service declares a struct of settings and a table of struct config_var rows,
 * each naming the variable, its type, default, bounds and the offset of its
 * field. config_load() fills the struct; config_release() frees the strings it
 * allocated. A missing required value or a malformed one is an error naming the
 * variable; the caller prints it as one line and exits with status 2.
 */
#ifndef COMMON_CONFIG_H
#define COMMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

enum config_type {
	CONFIG_STRING, /* char * field, malloc'ed (NULL when unset and no default) */
	CONFIG_INT,    /* long long field, within [min, max] */
	CONFIG_BOOL,   /* bool field: 1/0/true/false/yes/no, any case */
	CONFIG_LISTEN, /* char * field "host:port", port 0..65535 (0 = any free port) */
};

struct config_var {
	const char *name;
	enum config_type type;
	const char *default_value; /* NULL: no default */
	bool required;             /* an unset or empty value is an error */
	bool secret;               /* never printed, not even in errors */
	long long min, max; /* CONFIG_INT: bounds; CONFIG_STRING: length bounds (max 0 = none) */
	size_t offset;      /* offsetof(struct settings, field) */
	const char *help;   /* one line for --help */
};

struct config_error {
	const char *name; /* the variable at fault */
	char reason[160]; /* e.g. "must be at least 32 bytes", "not a boolean" */
};

/* Looks a variable up; getenv by default, replaced by tests. */
extern const char *(*config_getenv_fn)(const char *name);

/* Fills target from the environment. Returns 0, or -1 with err filled.
 * On error the strings already set are freed (target is left released). */
int config_load(const struct config_var *table, size_t n, void *target, struct config_error *err);

/* Frees every CONFIG_STRING/CONFIG_LISTEN field of target named by the table. */
void config_release(const struct config_var *table, size_t n, void *target);

/* Writes "NAME (default: X)  help" lines for --help into stdout. */
void config_print_help(const struct config_var *table, size_t n);

/* Splits "host:port" (or "[v6]:port"). Returns 0 or -1. */
int config_split_listen(const char *listen, char *host, size_t host_len, int *port);

#endif
