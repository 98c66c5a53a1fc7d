#include "field_errors.h"

#include <string.h>

#include "email_address.h"
#include "password.h"

void field_errors_add(json_t *errors, const char *field, const char *message)
{
	json_t *list = json_object_get(errors, field);

	if (!list) {
		list = json_array();
		json_object_set_new(errors, field, list);
	}
	json_array_append_new(list, json_string(message));
}

bool field_errors_required(json_t *errors, const char *field, const char *value)
{
	if (value[0])
		return false;
	field_errors_add(errors, field, FIELD_REQUIRED);
	return true;
}

/* Password rules shared with the reset form. */
void field_errors_new_password(json_t *errors, const char *password, const char *password2)
{
	size_t n = strlen(password);

	if (!field_errors_required(errors, "password", password)) {
		if (n < PASSWORD_MIN)
			field_errors_add(errors, "password",
			                 "Password must be at least 8 characters.");
		else if (n > PASSWORD_MAX)
			field_errors_add(errors, "password",
			                 "Password must be at most 1024 bytes.");
	}
	if (!field_errors_required(errors, "password2", password2) &&
	    strcmp(password, password2) != 0)
		field_errors_add(errors, "password2", "Field must be equal to password.");
}

void field_errors_email(json_t *errors, const char *field, const char *value)
{
	if (!field_errors_required(errors, field, value) &&
	    !email_address_valid(value, strlen(value)))
		field_errors_add(errors, field, "Invalid email address.");
}
