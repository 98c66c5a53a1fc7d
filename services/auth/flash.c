#include "flash.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "str.h"

#define FLASH_B64_MAX (FLASH_MAX * 4 / 3 + 4)

void flash_load(struct request *rq)
{
	const char *cookie = MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, "flash");
	const char *dot;
	unsigned char msg[FLASH_MAX + 1];
	size_t len, b64_len;

	if (!cookie || !(dot = strchr(cookie, '.')))
		return;
	b64_len = (size_t)(dot - cookie);
	if (b64_len > FLASH_B64_MAX ||
	    !signing_mac_ok(rq->app->settings.secret_key, rq->app->secret_len, "flash", cookie,
	                    b64_len, dot + 1, strlen(dot + 1)))
		return;
	if (sodium_base642bin(msg, FLASH_MAX, cookie, b64_len, NULL, &len, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return;
	msg[len] = '\0';
	if (!text_utf8_valid((const char *)msg, len))
		return;
	rq->flash_in_kind = FLASH_INFO;
	if (len >= 2 && msg[1] == '|' && (msg[0] == 'i' || msg[0] == 'e')) {
		rq->flash_in_kind = msg[0] == 'e' ? FLASH_ERROR : FLASH_INFO;
		rq->flash_in = text_dup((const char *)msg + 2);
	} else
		rq->flash_in = text_dup((const char *)msg);
}

const char *flash_kind_name(enum flash_kind kind)
{
	return kind == FLASH_ERROR ? "error" : "info";
}

const char *flash_kind_role(enum flash_kind kind)
{
	return kind == FLASH_ERROR ? "alert" : "status";
}

void flash_shown(struct request *rq)
{
	if (rq->flash_in)
		request_add_cookie(rq,
		                   settings_https(&rq->app->settings)
		                       ? "flash=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure"
		                       : "flash=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
}

void flash_carry(struct request *rq)
{
	char b64[FLASH_B64_MAX + 1], mac[SIGNING_MAC_LEN + 1], cookie[FLASH_B64_MAX + 128];
	char payload[FLASH_MAX + 1];
	size_t len;

	if (!rq->flash_out)
		return;
	snprintf(payload, sizeof(payload), "%c|%s", rq->flash_out_kind == FLASH_ERROR ? 'e' : 'i',
	         rq->flash_out);
	len = strlen(payload);
	sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)payload, len,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	signing_mac(rq->app->settings.secret_key, rq->app->secret_len, "flash", b64, strlen(b64),
	            mac);
	snprintf(cookie, sizeof(cookie), "flash=%s.%s; Path=/; HttpOnly; SameSite=Lax%s", b64, mac,
	         settings_https(&rq->app->settings) ? "; Secure" : "");
	request_add_cookie(rq, cookie);
}
