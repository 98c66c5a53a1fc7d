/* /lang/<tag>: the language switch. Sets the `lang` cookie for a year and goes
 * back to ?next= (a local path only, else "/"); for a logged-in user it is
 * also the account's language, used for their mails. A GET on purpose: it
 * changes a language preference only, so a plain link works on every page
 * without a form (a forged link can change nothing but the language). */
#include <stdio.h>
#include <string.h>

#include "local_path.h"
#include "logger.h"
#include "response.h"
#include "routes.h"
#include "settings.h"
#include "user_store.h"

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
	if (rq->logged_in && strcmp(rq->user.lang, lang_tag(lang)) != 0 &&
	    user_store_set_lang(rq->worker->db, rq->user.id, lang_tag(lang)) != DB_OK)
		LOG_WARN("lang", "account language not stored user_id=%lld",
		         (long long)rq->user.id);
	return response_redirect(rq, local_path_or_root(next));
}
