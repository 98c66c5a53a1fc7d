#include "response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash.h"
#include "local_path.h"
#include "logger.h"
#include "metrics.h"
#include "now.h"
#include "str.h"

#define PAGE_MAX (256 * 1024)

static const char csp[] = "default-src 'none'; style-src 'self'; img-src 'self'; "
                          "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

static void add_security_headers(struct MHD_Response *r)
{
	MHD_add_response_header(r, "Content-Security-Policy", csp);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
}

static void record(struct request *rq, unsigned status)
{
	char labels[128];
	double seconds = (double)(now_mono_ms() - rq->started_ms) / 1000.0;

	snprintf(labels, sizeof(labels), "route=\"%s\",status=\"%u\"", rq->route, status);
	metrics_add(rq->app->metrics, "auth_http_requests_total", labels, 1);
	snprintf(labels, sizeof(labels), "route=\"%s\"", rq->route);
	metrics_observe(rq->app->metrics, "auth_http_request_duration_seconds", labels, seconds);
}

/* Queues r with the shared headers and cookies; takes ownership of r. */
static enum MHD_Result queue(struct request *rq, unsigned status, struct MHD_Response *r)
{
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	add_security_headers(r);
	if (rq->allow)
		MHD_add_response_header(r, "Allow", rq->allow);
	for (int i = 0; i < rq->n_cookies; i++)
		MHD_add_response_header(r, "Set-Cookie", rq->cookies[i]);
	record(rq, status);
	ret = MHD_queue_response(rq->conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

enum MHD_Result response_raw(struct request *rq, unsigned status, const char *content_type,
                             const char *body, size_t len, const char *cache_control)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", content_type);
	MHD_add_response_header(r, "Cache-Control", cache_control ? cache_control : "no-store");
	return queue(rq, status, r);
}

/* The switch on every page: a link per language to /lang/<tag>?next=<here>. */
static json_t *language_switch(struct request *rq)
{
	static const char *const names[LANG_COUNT] = { "English", "中文" };
	json_t *list = json_array();
	char next[LOCAL_PATH_MAX * 3 + 1];

	local_path_encode(rq->path, next, sizeof(next));
	for (int i = 0; i < LANG_COUNT; i++) {
		json_t *item = json_object();

		json_object_set_new(item, "tag", json_string(lang_tag((enum lang)i)));
		json_object_set_new(item, "name", json_string(names[i]));
		json_object_set_new(item, "next", json_string(next));
		json_object_set_new(item, "current", json_boolean(rq->lang == (enum lang)i));
		json_array_append_new(list, item);
	}
	return list;
}

static json_t *translated(struct request *rq, json_t *msgid)
{
	return json_string(request_text(rq, json_string_value(msgid)));
}

/* A field's messages ["msgid", ...] as one text in the page's language, so
 * that the field has one error element for aria-describedby to name. */
static json_t *joined_errors(struct request *rq, json_t *list)
{
	struct buf text;
	json_t *item, *out;
	size_t i;

	buf_init(&text, 4096);
	json_array_foreach(list, i, item)
	{
		if (!json_is_string(item))
			continue;
		if (text.len)
			buf_append(&text, " ", 1);
		buf_append_str(&text, request_text(rq, json_string_value(item)));
	}
	out = json_string(buf_cstr(&text));
	buf_release(&text);
	return out;
}

/* Field errors ({"field": ["msgid", ...]}, in the form's order) become
 * {"field": ["text"]} in the page's language, and "focus" names the first
 * field with an error (autofocus: the CSP allows no script) unless the page
 * chose one. "message" and "form_error" are translated. Returns whether the
 * form has errors. */
static bool translate_context(struct request *rq, json_t *ctx)
{
	json_t *errors = json_object_get(ctx, "errors"), *list, *focus;
	const char *keys[] = { "message", "form_error" };
	const char *field;
	bool any = false;

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (json_is_string(json_object_get(ctx, keys[k])))
			json_object_set_new(ctx, keys[k],
			                    translated(rq, json_object_get(ctx, keys[k])));
	any = json_is_string(json_object_get(ctx, "form_error"));
	if (!json_is_object(errors))
		return any;
	focus = json_object_get(ctx, "focus");
	json_object_foreach(errors, field, list)
	{
		json_object_set_new(errors, field, json_pack("[o]", joined_errors(rq, list)));
		if (!focus) {
			focus = json_pack("{sb}", field, 1);
			json_object_set_new(ctx, "focus", focus);
		}
		any = true;
	}
	return any;
}

static const char *translate_for_template(const void *rq, const char *msgid)
{
	return request_text(rq, msgid);
}

/* Which nav item is the current page (aria-current="page"). */
static json_t *nav_current(const struct request *rq)
{
	return json_pack("{sbsbsbsb}", "home", strcmp(rq->path, "/") == 0, "login",
	                 strcmp(rq->path, "/login") == 0, "register",
	                 strcmp(rq->path, "/register") == 0, "logout",
	                 strcmp(rq->path, "/logout") == 0);
}

static void add_common_context(struct request *rq, json_t *ctx, const char *title)
{
	json_t *flashes = json_array();
	char full_title[400];

	if (translate_context(rq, ctx))
		lang_fill(request_text(rq, "Error: {title}"), "{title}", request_text(rq, title),
		          full_title, sizeof(full_title));
	else
		text_copy(full_title, sizeof(full_title), request_text(rq, title));
	json_object_set_new(ctx, "lang", json_string(lang_tag(rq->lang)));
	json_object_set_new(ctx, "lang_switch", language_switch(rq));
	json_object_set_new(ctx, "nav", nav_current(rq));
	json_object_set_new(ctx, "app_name", json_string(rq->app->settings.app_name));
	json_object_set_new(ctx, "title", json_string(full_title));
	json_object_set_new(ctx, "heading", json_string(request_text(rq, title)));
	json_object_set_new(ctx, "logged_in", json_boolean(rq->logged_in));
	if (rq->logged_in)
		json_object_set_new(ctx, "username", json_string(rq->user.username));
	json_object_set_new(ctx, "csrf_token", json_string(rq->csrf_token));
	if (rq->flash_in)
		json_array_append_new(flashes,
		                      json_pack("{ssssss}", "text", request_text(rq, rq->flash_in),
		                                "kind", flash_kind_name(rq->flash_in_kind), "role",
		                                flash_kind_role(rq->flash_in_kind)));
	json_object_set_new(ctx, "flashes", flashes);
}

enum MHD_Result response_page(struct request *rq, unsigned status, const char *page,
                              const char *title, json_t *ctx)
{
	struct template_error err;
	struct buf html;
	char name[200];
	enum MHD_Result ret;

	buf_init(&html, PAGE_MAX);
	add_common_context(rq, ctx, title);
	snprintf(name, sizeof(name), "pages/%s", page);
	if (template_render_translated(rq->app->templates, name, ctx, TEMPLATE_LENIENT,
	                               translate_for_template, rq, &html, &err) != 0) {
		LOG_ERROR("http", "page not rendered where=%s error=\"%s\"", err.where, err.reason);
		buf_release(&html);
		return response_raw(rq, 500, "text/plain; charset=utf-8",
		                    "500 Internal Server Error\n", 26, NULL);
	}
	flash_shown(rq);
	ret = response_raw(rq, status, "text/html; charset=utf-8", buf_cstr(&html), html.len, NULL);
	buf_release(&html);
	return ret;
}

enum MHD_Result response_email_form(struct request *rq, unsigned status, const char *page,
                                    const char *title, json_t *errors, const char *form_error)
{
	json_t *ctx = json_object();
	enum MHD_Result ret;

	json_object_set_new(ctx, "form_email", json_string(request_field(rq, "email")));
	json_object_set(ctx, "errors", errors);
	if (form_error) {
		json_object_set_new(ctx, "form_error", json_string(form_error));
		json_object_set_new(ctx, "focus", json_pack("{sb}", "email", 1));
	}
	ret = response_page(rq, status, page, title, ctx);
	json_decref(ctx);
	return ret;
}

enum MHD_Result response_redirect(struct request *rq, const char *location)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);

	if (!r)
		return MHD_NO;
	flash_carry(rq);
	MHD_add_response_header(r, "Location", location);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	return queue(rq, 302, r);
}

enum MHD_Result response_error(struct request *rq, unsigned status, const char *title,
                               const char *message)
{
	json_t *ctx = json_object();
	enum MHD_Result ret;

	json_object_set_new(ctx, "status", json_integer(status));
	json_object_set_new(ctx, "message", json_string(message));
	ret = response_page(rq, status, "error.html", title, ctx);
	json_decref(ctx);
	return ret;
}

enum MHD_Result response_login_required(struct request *rq)
{
	char next[LOCAL_PATH_MAX * 3 + 1], location[sizeof(next) + 16];

	if (!rq->flash_in) /* a flash on its way ("You have been logged out.") wins */
		rq->flash_out = LOGIN_REQUIRED_FLASH;
	local_path_encode(rq->path, next, sizeof(next));
	snprintf(location, sizeof(location), "/login?next=%s", next);
	return response_redirect(rq, location);
}
