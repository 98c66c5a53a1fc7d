#include <stdio.h>

#include "response.h"
#include "routes.h"

enum MHD_Result page_index(struct request *rq, const char *rest)
{
	char text[400];
	json_t *ctx;
	enum MHD_Result ret;

	(void)rest;
	if (!rq->logged_in)
		return response_login_required(rq);
	ctx = json_object();
	lang_fill(request_text(rq, "Hi, {username}!"), "{username}", rq->user.username, text,
	          sizeof(text));
	json_object_set_new(ctx, "greeting", json_string(text));
	lang_fill(request_text(rq, "You are logged in to {app_name}."), "{app_name}",
	          rq->app->settings.app_name, text, sizeof(text));
	json_object_set_new(ctx, "logged_in_to", json_string(text));
	json_object_set_new(ctx, "email", json_string(rq->user.email));
	ret = response_page(rq, 200, "index.html", "Home", ctx);
	json_decref(ctx);
	return ret;
}
