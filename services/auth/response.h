/* response: every answer auth gives, with the security headers in one place.
 * Each function queues the response on the request's connection and returns
 * what the MHD handler returns. Pages render templates/pages/<name> inside the
 * site layout with the common context (app name, login, flash, CSRF token). */
#ifndef AUTH_RESPONSE_H
#define AUTH_RESPONSE_H

#include <jansson.h>
#include <microhttpd.h>

#include "request.h"

/* ctx: the page's own context (borrowed; common keys are added to it). */
enum MHD_Result response_page(struct request *rq, unsigned status, const char *page,
                              const char *title, json_t *ctx);

/* A form whose one field is an address (the reset request, a new confirmation
 * link): the address typed kept, field errors (borrowed, may be NULL), and
 * form_error (may be NULL: Redis down) in the error box with the focus on
 * the address. */
enum MHD_Result response_email_form(struct request *rq, unsigned status, const char *page,
                                    const char *title, json_t *errors, const char *form_error);

/* 302 to location (a local path), carrying rq->flash_out to the next page. */
enum MHD_Result response_redirect(struct request *rq, const char *location);

#define LOGIN_REQUIRED_FLASH "Please log in to access this page."

/* 302 to /login?next=<this path> for a page that needs a login, flashing
 * LOGIN_REQUIRED_FLASH unless another flash is on its way to the next page. */
enum MHD_Result response_login_required(struct request *rq);

/* A small HTML error page in the site layout. */
enum MHD_Result response_error(struct request *rq, unsigned status, const char *title,
                               const char *message);

/* A body as is, e.g. JSON or Prometheus text. */
enum MHD_Result response_raw(struct request *rq, unsigned status, const char *content_type,
                             const char *body, size_t len, const char *cache_control);

#endif
