/* mo_catalog: a GNU gettext catalog (.mo, as msgfmt writes it) read into
 * memory and looked up by msgid, with no dependence on the process locale.
 *
 * Why not dgettext(): the C library ties message lookup to the thread's
 * LC_MESSAGES locale, and a container may have no zh_CN locale at all (see
 * services/auth/README.md). The .mo format is small and documented: a header,
 * two tables of (length, offset) pairs, strings NUL-terminated. Both byte
 * orders are read; every length and offset is checked against the file size.
 * Plural forms are not used: a msgid with a plural keeps its singular text.
 *
 * A loaded catalog is immutable: lookups from several threads at once are
 * safe. Ownership: mo_catalog_load() gives a catalog mo_catalog_free() frees. */
#ifndef COMMON_MO_CATALOG_H
#define COMMON_MO_CATALOG_H

#include <stddef.h>

#define MO_CATALOG_MAX_BYTES (4 * 1024 * 1024)

struct mo_catalog;

/* Returns 0 with *out set, or -1 with a reason in why (unreadable, too large,
 * bad magic, a table or string outside the file, a string not NUL-terminated). */
int mo_catalog_load(const char *path, struct mo_catalog **out, char *why, size_t why_len);

/* Same, from bytes in memory (copied). */
int mo_catalog_parse(const void *data, size_t len, struct mo_catalog **out, char *why,
                     size_t why_len);

/* The translation of msgid, or NULL when the catalog has none (or an empty
 * one: msgfmt leaves untranslated entries out, a fuzzy one too). */
const char *mo_catalog_find(const struct mo_catalog *cat, const char *msgid);

/* Entries held (the header entry, msgid "", included). */
size_t mo_catalog_size(const struct mo_catalog *cat);

void mo_catalog_free(struct mo_catalog **cat);

#endif
