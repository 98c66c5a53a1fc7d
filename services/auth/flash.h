/* flash: a message shown once, on the next page (Flask's flash()).
 *
 * Carried in a cookie signed with SECRET_KEY, so no server state is needed:
 * "flash=<base64url(message)>.<mac>". A cookie with a bad MAC is ignored. */
#ifndef AUTH_FLASH_H
#define AUTH_FLASH_H

struct request;

#define FLASH_MAX 300

/* Reads and verifies the visitor's flash cookie into rq->flash_in. */
void flash_load(struct request *rq);

/* The page shows rq->flash_in: clear the cookie. */
void flash_shown(struct request *rq);

/* A redirect: sign rq->flash_out into the cookie for the next page. */
void flash_carry(struct request *rq);

#endif
