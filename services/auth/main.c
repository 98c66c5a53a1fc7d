/* auth: the web service. Reads its configuration, serves until SIGTERM or
 * SIGINT, then stops accepting, finishes what is in flight and exits 0. */
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "cli.h"
#include "http_server.h"
#include "logger.h"
#include "stop_signals.h"

#define DRAIN_MS 10000

static void usage(void)
{
	printf("Usage: auth [--help | --version]\n\n"
	       "The web service of Microblog's password reset: register, log in, log out,\n"
	       "\"Forgot Your Password?\" and the emailed reset link. Configured by the\n"
	       "environment; see services/auth/README.md.\n\n");
	config_print_help(settings_table, settings_table_len);
}

static int run(struct settings *settings, const sigset_t *stop)
{
	struct app app;
	struct http_server *server = NULL;
	int rc = app_init(&app, settings), sig;

	if (rc != 0)
		goto out;
	server = http_server_start(&app);
	if (!server) {
		rc = -1;
		goto out;
	}
	sig = stop_signals_wait(stop, -1);
	LOG_INFO("main", "stopping signal=%s", stop_signals_name(sig));
	http_server_stop(&server, DRAIN_MS);
	LOG_INFO("main", "stopped");
out:
	app_release(&app);
	return rc == 0 ? 0 : rc == -2 ? 2 : 1;
}

int main(int argc, char **argv)
{
	struct settings settings;
	struct config_error err;
	sigset_t set;
	int rc;

	rc = cli_standard_args(argc, argv, "auth", usage);
	if (rc >= 0)
		return rc;
	logger_init("auth", LOGGER_INFO);
	if (settings_load(&settings, &err) != 0) {
		fprintf(stderr, "auth: %s: %s\n", err.name, err.reason);
		return 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "auth: libsodium failed to initialise\n");
		settings_release(&settings);
		return 1;
	}
	stop_signals_block(&set);
	return run(&settings, &set);
}
