/* field_errors: the per-field messages a form page shows next to each field,
 * as the JSON object {"field": ["message", …]} the templates read. */
#ifndef AUTH_FIELD_ERRORS_H
#define AUTH_FIELD_ERRORS_H

#include <jansson.h>
#include <stdbool.h>

#define FIELD_REQUIRED "This field is required."

/* Appends message to errors[field]. */
void field_errors_add(json_t *errors, const char *field, const char *message);

/* Adds FIELD_REQUIRED when value is empty; returns true when it was. */
bool field_errors_required(json_t *errors, const char *field, const char *value);

/* FIELD_REQUIRED, or "Invalid email address." when value is not one. */
void field_errors_email(json_t *errors, const char *field, const char *value);

/* The rules of a new password and its repetition (register, reset). */
void field_errors_new_password(json_t *errors, const char *password, const char *password2);

#endif
