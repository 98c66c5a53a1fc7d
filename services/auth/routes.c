#include "routes.h"

#include <string.h>

#define PUB  LISTENER_PUBLIC
#define BOTH (LISTENER_PUBLIC | LISTENER_METRICS)

/* clang-format off */
const struct route routes[] = {
	{ "/", false, METHOD_GET, PUB, true, page_index, "/" },
	{ "/login", false, METHOD_GET | METHOD_POST, PUB, true, page_login, "/login" },
	{ "/logout", false, METHOD_GET | METHOD_POST, PUB, true, page_logout, "/logout" },
	{ "/register", false, METHOD_GET | METHOD_POST, PUB, true, page_register, "/register" },
	{ "/change_password", false, METHOD_GET | METHOD_POST, PUB, true, page_change_password, "/change_password" },
	{ "/reset_password_request", false, METHOD_GET | METHOD_POST, PUB, true, page_reset_request, "/reset_password_request" },
	{ "/reset_password/", true, METHOD_GET | METHOD_POST, PUB, true, page_reset_password, "/reset_password" },
	{ "/confirm_email_request", false, METHOD_GET | METHOD_POST, PUB, true, page_confirm_request, "/confirm_email_request" },
	{ "/confirm_email/", true, METHOD_GET | METHOD_POST, PUB, true, page_confirm_email, "/confirm_email" },
	{ "/lang/", true, METHOD_GET, PUB, true, page_lang, "/lang" },
	{ "/healthz", false, METHOD_GET, BOTH, false, page_healthz, "/healthz" },
	{ "/metrics", false, METHOD_GET, LISTENER_METRICS, false, page_metrics, "/metrics" },
	{ "/static/style.css", false, METHOD_GET, PUB, false, page_stylesheet, "/static" },
	{ "/favicon.ico", false, METHOD_GET, PUB, false, page_favicon, "/static" },
};
/* clang-format on */

const size_t routes_len = sizeof(routes) / sizeof(routes[0]);

const struct route *routes_match(const char *path, enum request_listener listener,
                                 const char **rest)
{
	for (size_t i = 0; i < routes_len; i++) {
		const struct route *r = &routes[i];
		size_t n = strlen(r->path);

		if (!(r->listeners & listener))
			continue;
		if (r->prefix ? strncmp(path, r->path, n) == 0 && path[n] && !strchr(path + n, '/')
		              : strcmp(path, r->path) == 0) {
			*rest = path + (r->prefix ? n : strlen(path));
			return r;
		}
	}
	return NULL;
}
