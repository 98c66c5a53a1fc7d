/* lang_lookup: the cost of a translated text per request, two ways.
 *   mo:      mo_catalog_find() on the catalog auth loads (no locale involved)
 *   gettext: per request newlocale(zh_CN.UTF-8) + uselocale + dgettext +
 *            uselocale(LC_GLOBAL_LOCALE) + freelocale; and with the locale
 *            made once and kept (uselocale + dgettext only). Both need a
 *            zh_CN locale: LOCPATH=<dir> from localedef
 * Build and run: bench/lang_lookup.sh (prints ns per lookup of each). */
#include <libintl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mo_catalog.h"

#define ROUNDS 200000

static const char *const ids[] = { "Sign In", "Remember Me", "Forgot Your Password?",
	                           "Invalid username or password", "Reset Your Password" };

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct mo_catalog *cat;
	char why[200];
	double t0, t1;
	size_t found = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: lang_lookup <auth.mo> <dir holding zh_CN/LC_MESSAGES>\n");
		return 2;
	}
	if (mo_catalog_load(argv[1], &cat, why, sizeof(why)) != 0) {
		fprintf(stderr, "%s: %s\n", argv[1], why);
		return 1;
	}
	t0 = now_ns();
	for (int i = 0; i < ROUNDS; i++)
		found += mo_catalog_find(cat, ids[i % 5]) != NULL;
	t1 = now_ns();
	printf("mo_catalog_find: %.0f ns per lookup (%zu of %d found)\n", (t1 - t0) / ROUNDS, found,
	       ROUNDS);
	mo_catalog_free(&cat);

	bindtextdomain("auth", argv[2]);
	bind_textdomain_codeset("auth", "UTF-8");
	found = 0;
	t0 = now_ns();
	for (int i = 0; i < ROUNDS / 10; i++) {
		locale_t l = newlocale(LC_MESSAGES_MASK, "zh_CN.UTF-8", (locale_t)0);
		const char *s;

		if (!l) {
			printf("newlocale(zh_CN.UTF-8): no such locale (set LOCPATH)\n");
			return 0;
		}
		uselocale(l);
		s = dgettext("auth", ids[i % 5]);
		found += strcmp(s, ids[i % 5]) != 0;
		uselocale(LC_GLOBAL_LOCALE);
		freelocale(l);
	}
	t1 = now_ns();
	printf("newlocale+uselocale+dgettext+freelocale: %.0f ns per request (%zu of %d "
	       "translated)\n",
	       (t1 - t0) / (ROUNDS / 10), found, ROUNDS / 10);
	{
		locale_t l = newlocale(LC_MESSAGES_MASK, "zh_CN.UTF-8", (locale_t)0);

		found = 0;
		t0 = now_ns();
		for (int i = 0; i < ROUNDS; i++) {
			const char *s;

			uselocale(l);
			s = dgettext("auth", ids[i % 5]);
			found += strcmp(s, ids[i % 5]) != 0;
			uselocale(LC_GLOBAL_LOCALE);
		}
		t1 = now_ns();
		freelocale(l);
	}
	printf("uselocale+dgettext (locale kept per thread): %.0f ns per lookup (%zu of %d "
	       "translated)\n",
	       (t1 - t0) / ROUNDS, found, ROUNDS);
	return 0;
}
