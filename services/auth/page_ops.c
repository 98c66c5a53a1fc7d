/* The operator's routes: /healthz (both listeners: it tells nothing about
 * users), /metrics (the metrics listener only), and the stylesheet. */
#include <stdio.h>
#include <string.h>

#include "redis_retry.h"
#include "response.h"
#include "routes.h"

#define METRICS_PAGE_MAX (512 * 1024)

enum MHD_Result page_healthz(struct request *rq, const char *rest)
{
	bool db_ok = db_ping(rq->worker->db) == DB_OK;
	bool redis_ok = redis_retry_ping(rq->worker->redis);
	char body[256];

	(void)rest;
	app_note_redis(rq->app, rq->worker, redis_ok);
	if (db_ok && redis_ok)
		return response_raw(rq, 200, "application/json", "{\"status\":\"ok\"}", 15, NULL);
	snprintf(body, sizeof(body),
	         "{\"status\":\"unavailable\",\"sqlite\":\"%s\",\"redis\":\"%s\"}",
	         db_ok ? "ok" : "failed", redis_ok ? "ok" : "failed");
	return response_raw(rq, 503, "application/json", body, strlen(body), NULL);
}

enum MHD_Result page_metrics(struct request *rq, const char *rest)
{
	struct buf out;
	enum MHD_Result ret;

	(void)rest;
	buf_init(&out, METRICS_PAGE_MAX);
	metrics_render(rq->app->metrics, &out);
	ret = response_raw(rq, 200, "text/plain; version=0.0.4; charset=utf-8", buf_cstr(&out),
	                   out.len, NULL);
	buf_release(&out);
	return ret;
}

enum MHD_Result page_stylesheet(struct request *rq, const char *rest)
{
	(void)rest;
	return response_raw(rq, 200, "text/css; charset=utf-8", rq->app->stylesheet,
	                    rq->app->stylesheet_len, "public, max-age=3600");
}

/* No icon: an empty answer browsers accept, instead of a 404 in every console. */
enum MHD_Result page_favicon(struct request *rq, const char *rest)
{
	(void)rest;
	return response_raw(rq, 204, "image/x-icon", "", 0, "public, max-age=86400");
}
