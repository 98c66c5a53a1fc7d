/* /lang/<tag>: the language switch. Sets the `lang` cookie for a year and goes
 * back to ?next= (a local path only, else "/"). A GET on purpose: it changes a
 * display preference only, so a plain link works on every page without a form
 * (a forged link can change nothing but the language). */
#include <stdio.h>

#include "local_path.h"
#include "response.h"
#include "routes.h"
#include "settings.h"

#define LANG_COOKIE_SECONDS (365L * 24 * 3600)

enum MHD_Result page_lang(struct request *rq, const char *rest)
{
	const char *next = MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, "next");
	char cookie[128];
	enum lang lang;

	if (!lang_from_tag(rest, &lang))
		return response_error(rq, 404, "Not Found", "There is no page at this address.");
	rq->lang = lang;
	snprintf(cookie, sizeof(cookie), "lang=%s; Path=/; Max-Age=%ld; SameSite=Lax%s",
	         lang_tag(lang), LANG_COOKIE_SECONDS,
	         settings_https(&rq->app->settings) ? "; Secure" : "");
	request_add_cookie(rq, cookie);
	return response_redirect(rq, local_path_or_root(next));
}
