/* field_errors: the per-field messages a form page shows next to each field,
 * as the JSON object {"field": ["msgid", …]}. Add them in the form's order:
 * response_page focuses the first field with an error (jansson keeps
 * insertion order) and joins each field's messages into one text. */
#ifndef AUTH_FIELD_ERRORS_H
#define AUTH_FIELD_ERRORS_H

#include <jansson.h>
#include <stdbool.h>

#include "common_passwords.h"

#define FIELD_REQUIRED "This field is required."

/* Appends message to errors[field]. */
void field_errors_add(json_t *errors, const char *field, const char *message);

/* Adds FIELD_REQUIRED when value is empty; returns true when it was. */
bool field_errors_required(json_t *errors, const char *field, const char *value);

/* The rules of a new password and its repetition (register, reset): present,
 * 8 characters to 1024 bytes, not in the common list (any case), repeated. */
void field_errors_new_password(json_t *errors, const struct common_passwords *common,
                               const char *password, const char *password2);

/* The rules of an address a person types (register, reset request): required,
 * a valid addr-spec (email_address.h), and a domain with a dot in it — a
 * bare host name such as localhost reaches no one outside this machine.
 * Returns true when it added an error. */
bool field_errors_email(json_t *errors, const char *email);

/* True when the domain of a valid addr-spec has at least two labels. */
bool field_errors_domain_dotted(const char *email);

#endif
