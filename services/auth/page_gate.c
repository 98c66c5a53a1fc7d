#include "page_gate.h"

#include <string.h>

#include "hash_gate.h"
#include "response.h"

bool page_gate_enter_or_reply(struct request *rq, enum MHD_Result *ret)
{
	switch (hash_gate_enter(rq->app->hash_gate, rq->conn, &rq->hash_state)) {
	case HASH_GATE_ENTERED:
		return true;
	case HASH_GATE_WAIT:
		*ret = MHD_YES; /* suspended; MHD calls the handler again with a permit */
		return false;
	default:
		*ret =
		    response_error(rq, 503, "Service Unavailable", "Please try again in a moment.");
		return false;
	}
}

bool page_gate_hash_or_reply(struct request *rq, const char *password, char hash[PASSWORD_HASH_LEN],
                             enum MHD_Result *ret)
{
	int rc;

	if (!page_gate_enter_or_reply(rq, ret))
		return false;
	metrics_add(rq->app->metrics, "auth_password_hashes_total", "", 1);
	rc = password_hash(&rq->app->cost, password, strlen(password), hash);
	hash_gate_leave(rq->app->hash_gate);
	if (rc == 0)
		return true;
	*ret = response_error(rq, 500, "Internal Server Error", "Please try again.");
	return false;
}
