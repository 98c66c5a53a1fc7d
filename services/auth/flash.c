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
	if (text_utf8_valid((const char *)msg, len))
		rq->flash_in = text_dup((const char *)msg);
}

void flash_shown(struct request *rq)
{
	if (rq->flash_in)
		request_add_cookie(rq, "flash=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
}

void flash_carry(struct request *rq)
{
	char b64[FLASH_B64_MAX + 1], mac[SIGNING_MAC_LEN + 1], cookie[FLASH_B64_MAX + 128];
	size_t len;

	if (!rq->flash_out)
		return;
	len = strlen(rq->flash_out);
	if (len > FLASH_MAX)
		len = FLASH_MAX;
	sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)rq->flash_out, len,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	signing_mac(rq->app->settings.secret_key, rq->app->secret_len, "flash", b64, strlen(b64),
	            mac);
	snprintf(cookie, sizeof(cookie), "flash=%s.%s; Path=/; HttpOnly; SameSite=Lax", b64, mac);
	request_add_cookie(rq, cookie);
}
