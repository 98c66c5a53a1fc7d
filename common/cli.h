/* cli: the command line every service takes — --help, --version, nothing else. */
#ifndef COMMON_CLI_H
#define COMMON_CLI_H

/* Prints usage() for --help or "<program> <version>" for --version and returns
 * 0; an unknown argument is reported on stderr and returns 2; no argument
 * returns -1: go on and run. */
int cli_standard_args(int argc, char **argv, const char *program, void (*usage)(void));

#endif
