/* routes: the route table and the page handlers it names.
 * A handler answers one request (it has queued a response when it returns). */
#ifndef AUTH_ROUTES_H
#define AUTH_ROUTES_H

#include <stdbool.h>

#include "request.h"

typedef enum MHD_Result (*route_handler)(struct request *rq, const char *rest);

struct route {
	const char *path;   /* exact path, or a prefix ending in '/' */
	bool prefix;        /* rest = what follows the prefix */
	unsigned methods;   /* METHOD_* mask; HEAD is served as GET */
	unsigned listeners; /* LISTENER_* mask: where the route exists */
	bool visitor;       /* loads session, flash, form and checks CSRF on POST */
	route_handler handler;
	const char *name; /* metrics label */
};

extern const struct route routes[];
extern const size_t routes_len;

/* The route for path on that listener, or NULL. */
const struct route *routes_match(const char *path, enum request_listener listener,
                                 const char **rest);

enum MHD_Result page_index(struct request *rq, const char *rest);
enum MHD_Result page_login(struct request *rq, const char *rest);
enum MHD_Result page_logout(struct request *rq, const char *rest);
enum MHD_Result page_register(struct request *rq, const char *rest);
enum MHD_Result page_change_password(struct request *rq, const char *rest);
enum MHD_Result page_reset_request(struct request *rq, const char *rest);
enum MHD_Result page_reset_password(struct request *rq, const char *rest);
enum MHD_Result page_confirm_request(struct request *rq, const char *rest);
enum MHD_Result page_confirm_email(struct request *rq, const char *rest);
enum MHD_Result page_lang(struct request *rq, const char *rest);
enum MHD_Result page_healthz(struct request *rq, const char *rest);
enum MHD_Result page_metrics(struct request *rq, const char *rest);
enum MHD_Result page_stylesheet(struct request *rq, const char *rest);
enum MHD_Result page_favicon(struct request *rq, const char *rest);

#endif
