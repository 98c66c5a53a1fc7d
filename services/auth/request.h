/* request: the state of one HTTP request, from its first byte to its answer.
 *
 * Allocated on the handler's first call, freed only in MHD's completion
 * callback (one owner, one release point). The body is bounded by
 * REQUEST_BODY_MAX; past it the request is answered 413 unread. */
#ifndef AUTH_REQUEST_H
#define AUTH_REQUEST_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "buf.h"
#include "db.h"
#include "form.h"
#include "lang.h"
#include "signing.h"

#define REQUEST_BODY_MAX    (16 * 1024) /* the largest form is a 1 KiB password twice */
#define REQUEST_MAX_COOKIES 4

enum request_method { METHOD_GET = 1, METHOD_POST = 2, METHOD_HEAD = 4, METHOD_OTHER = 8 };

/* Which listener a request came in on (route masks). */
enum request_listener { LISTENER_PUBLIC = 1, LISTENER_METRICS = 2 };

struct request {
	struct app *app;
	struct worker *worker;
	struct MHD_Connection *conn;
	enum request_method method;
	enum request_listener listener;
	char *path;
	struct buf body;
	bool body_too_large;
	struct form form;
	const char *route; /* the metrics label */
	enum lang lang;    /* the page's language: lang cookie, Accept-Language, en */
	int64_t started_ms;
	char client_ip[64];  /* behind a trusted proxy, the client it names */
	char peer_ip[64];    /* the connection's own peer */
	bool visitor_loaded; /* session, flash, form: once, even when resumed */
	int hash_state;      /* hash_gate: see hash_gate.h */
	bool limit_checked;  /* the route's abuse limit was counted (once) */
	bool lookup_counted; /* register: the early username lookup was counted (once) */
	bool limit_taken;    /* ... and took an attempt that may be given back */

	/* the visitor: a session cookie token, a login when it names a live session */
	char session_token[SIGNING_TOKEN_LEN + 1];
	bool session_is_new; /* the cookie must be (re)sent */
	bool logged_in;
	bool remember;
	struct db_user user;
	char csrf_token[SIGNING_MAC_LEN + 1];
	char *flash_in;        /* shown on this page, from the flash cookie */
	const char *flash_out; /* carried to the next page (a msgid, or flash_text) */
	int flash_in_kind;     /* enum flash_kind: FLASH_INFO (0) unless set */
	int flash_out_kind;
	char flash_text[320]; /* a flash filled in (a name in it) when it is set */
	const char *allow;    /* a 405's Allow header value */

	char *cookies[REQUEST_MAX_COOKIES]; /* Set-Cookie values to send */
	int n_cookies;
};

/* A request for the connection (method and url as MHD gives them), with the
 * client address resolved through AUTH_TRUSTED_PROXIES; NULL when out of
 * memory. Freed by request_free(). */
struct request *request_new(struct app *app, enum request_listener listener,
                            struct MHD_Connection *c, const char *url, const char *method);
void request_free(struct request *rq);

/* The value of a form field ("" when absent) — after request_parse_form_or_reply. */
const char *request_field(const struct request *rq, const char *name);

/* msgid in the request's language. */
const char *request_text(const struct request *rq, const char *msgid);

/* Adds a Set-Cookie value (copied). */
void request_add_cookie(struct request *rq, const char *value);

#endif
