/* lang: which of the two languages a page is in, and the texts in it.
 *
 * Negotiation: the `lang` cookie when it names a language we have, else the
 * best of Accept-Language (q-values, RFC 9110 §12.5.4), else English. Any
 * "zh" tag (zh, zh-CN, zh-Hans, zh-SG, zh-TW…) reads as zh-CN, the only Chinese
 * we have; any "en" tag as en. Texts: English is the msgid itself; zh-CN comes
 * from templates/locale/zh_CN.po, compiled by msgfmt at build time to
 * <AUTH_LOCALE_DIR>/zh_CN/LC_MESSAGES/auth.mo and read with mo_catalog (no
 * process locale involved, so threads never disagree). */
#ifndef AUTH_LANG_H
#define AUTH_LANG_H

#include <stdbool.h>
#include <stddef.h>

#include "mo_catalog.h"

enum lang { LANG_EN, LANG_ZH_CN, LANG_COUNT };

#define LANG_ACCEPT_MAX 4096 /* bytes of Accept-Language looked at */

/* "en", "zh-CN". */
const char *lang_tag(enum lang lang);

/* A `lang` cookie or switch value: exactly a tag we serve (any case). */
bool lang_from_tag(const char *tag, enum lang *out);

/* The language tag names (an account's stored one), else fallback. */
enum lang lang_or(const char *tag, enum lang fallback);

/* The best language Accept-Language allows; false when it names none of ours
 * (absent, malformed, only q=0, or only other languages). */
bool lang_from_accept(const char *header, enum lang *out);

/* cookie, then Accept-Language, then English; either may be NULL. */
enum lang lang_negotiate(const char *cookie, const char *accept_language);

/* The texts of every language: catalogs[LANG_EN] stays NULL. */
struct lang_texts {
	struct mo_catalog *catalogs[LANG_COUNT];
};

/* Loads <dir>/zh_CN/LC_MESSAGES/auth.mo. Returns 0, or -1 with why filled. */
int lang_texts_load(struct lang_texts *t, const char *dir, char *why, size_t why_len);
void lang_texts_release(struct lang_texts *t);

/* text with its one placeholder key (e.g. "{username}") replaced by value,
 * into out (truncated to fit). Translated texts keep the placeholder where
 * their grammar wants it, which a split sentence could not. */
void lang_fill(const char *text, const char *key, const char *value, char *out, size_t out_len);

/* msgid in lang; msgid itself when untranslated. */
const char *lang_text(const struct lang_texts *t, enum lang lang, const char *msgid);

#endif
