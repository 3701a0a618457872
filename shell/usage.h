/* usage.h: --help and --version. */
#ifndef SH_USAGE_H
#define SH_USAGE_H

#include <stdio.h>


/* Prints the --help text to out. */
void sh_usage_print(FILE *out);
/* Prints "pgdeck VERSION (libpq N, libuv N)" to out. */
void sh_usage_version(FILE *out);

#endif
