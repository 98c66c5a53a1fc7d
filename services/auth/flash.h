/* flash: a message shown once, on the next page (Flask's flash()).
 *
 * Carried in a cookie signed with SECRET_KEY, so no server state is needed:
 * "flash=<base64url(kind '|' message)>.<mac>", kind 'i' (information, shown
 * blue) or 'e' (an error, shown red); a payload without the "k|" prefix is
 * information. A cookie with a bad MAC is ignored. */
#ifndef AUTH_FLASH_H
#define AUTH_FLASH_H

struct request;

#define FLASH_MAX 300 /* bytes of message, kind prefix included */

enum flash_kind { FLASH_INFO, FLASH_ERROR };

/* The CSS class suffix and ARIA role of a kind: "info"/"status", "error"/"alert". */
const char *flash_kind_name(enum flash_kind kind);
const char *flash_kind_role(enum flash_kind kind);

/* Reads and verifies the visitor's flash cookie into rq->flash_in. */
void flash_load(struct request *rq);

/* The page shows rq->flash_in: clear the cookie. */
void flash_shown(struct request *rq);

/* A redirect: sign rq->flash_out into the cookie for the next page. */
void flash_carry(struct request *rq);

#endif
