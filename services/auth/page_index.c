#include "response.h"
#include "routes.h"

enum MHD_Result page_index(struct request *rq, const char *rest)
{
	json_t *ctx;
	enum MHD_Result ret;

	(void)rest;
	if (!rq->logged_in)
		return response_redirect(rq, "/login?next=/");
	ctx = json_object();
	ret = response_page(rq, 200, "index.html", "Home", ctx);
	json_decref(ctx);
	return ret;
}
