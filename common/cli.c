#include "cli.h"

#include <stdio.h>
#include <string.h>

int cli_standard_args(int argc, char **argv, const char *program, void (*usage)(void))
{
	if (argc < 2)
		return -1;
	if (strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", program, MICROBLOG_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage();
		return 0;
	}
	fprintf(stderr, "%s: unknown argument %s (try --help)\n", program, argv[1]);
	return 2;
}
