#include "request.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "now.h"
#include "str.h"

#define XFF_MAX 1024 /* X-Forwarded-For bytes examined, all headers joined */

const char *request_field(const struct request *rq, const char *name)
{
	const char *v = form_get(&rq->form, name);

	return v ? v : "";
}

void request_add_cookie(struct request *rq, const char *value)
{
	char *copy;

	if (rq->n_cookies >= REQUEST_MAX_COOKIES || !(copy = text_dup(value)))
		return;
	rq->cookies[rq->n_cookies++] = copy;
}

void request_free(struct request *rq)
{
	if (!rq)
		return;
	hash_gate_return_unused(rq->app->hash_gate, &rq->hash_state);
	buf_release(&rq->body);
	form_release(&rq->form);
	for (int i = 0; i < rq->n_cookies; i++)
		free(rq->cookies[i]);
	free(rq->flash_in);
	free(rq->path);
	free(rq);
}

static enum request_method parse_method(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return METHOD_GET;
	if (strcmp(m, "POST") == 0)
		return METHOD_POST;
	if (strcmp(m, "HEAD") == 0)
		return METHOD_HEAD;
	return METHOD_OTHER;
}

struct xff {
	char text[XFF_MAX];
	size_t len;
	bool any;
};

/* Joins every X-Forwarded-For header, in order, with ','. */
static enum MHD_Result collect_xff(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
	struct xff *x = cls;
	size_t n;

	(void)kind;
	if (!key || !value || strcasecmp(key, "X-Forwarded-For") != 0)
		return MHD_YES;
	n = strlen(value);
	if (x->len + n + 2 > sizeof(x->text)) {
		x->len = 0; /* too long to examine: believe none of it */
		x->text[0] = '\0';
		return MHD_NO;
	}
	if (x->any)
		x->text[x->len++] = ',';
	memcpy(x->text + x->len, value, n);
	x->len += n;
	x->text[x->len] = '\0';
	x->any = true;
	return MHD_YES;
}

static void peer_address(struct MHD_Connection *c, char *out, size_t len)
{
	const union MHD_ConnectionInfo *info =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	text_copy(out, len, "-");
	if (info && info->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)info->client_addr)->sin_addr, out,
		          (socklen_t)len);
	else if (info && info->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)info->client_addr)->sin6_addr, out,
		          (socklen_t)len);
}

static void client_address(struct request *rq)
{
	struct xff xff = { .len = 0 };

	peer_address(rq->conn, rq->peer_ip, sizeof(rq->peer_ip));
	if (rq->app->proxies.n == 0) {
		text_copy(rq->client_ip, sizeof(rq->client_ip), rq->peer_ip);
		return;
	}
	xff.text[0] = '\0';
	MHD_get_connection_values(rq->conn, MHD_HEADER_KIND, collect_xff, &xff);
	proxy_trust_client(&rq->app->proxies, rq->peer_ip, xff.len ? xff.text : NULL,
	                   rq->client_ip);
}

struct request *request_new(struct app *app, enum request_listener listener,
                            struct MHD_Connection *c, const char *url, const char *method)
{
	struct request *rq = calloc(1, sizeof(*rq));
	const char *length;
	long long declared;

	if (!rq || !(rq->path = text_dup(url))) {
		free(rq);
		return NULL;
	}
	rq->app = app;
	rq->conn = c;
	rq->listener = listener;
	rq->method = parse_method(method);
	rq->route = "other";
	rq->started_ms = now_mono_ms();
	buf_init(&rq->body, REQUEST_BODY_MAX);
	length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	if (length && text_parse_ll(length, 0, (long long)1 << 62, &declared) == 0 &&
	    declared > REQUEST_BODY_MAX)
		rq->body_too_large = true;
	client_address(rq);
	rq->lang =
	    lang_negotiate(MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "lang"),
	                   MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Language"));
	return rq;
}

const char *request_text(const struct request *rq, const char *msgid)
{
	return lang_text(&rq->app->texts, rq->lang, msgid);
}
