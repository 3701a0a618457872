/* health_cmd.h: `pgdeck health [--json]`. */
#ifndef SH_HEALTH_CMD_H
#define SH_HEALTH_CMD_H

#include "core/core.h"

/* Runs the health probe (core/health.h) on core (borrowed; started or
 * not), running core's loop until it answers, and prints the verdict to
 * stdout: "key: value" lines, or with --json one JSON object. argv[0] is
 * the subcommand's name ("health") and is skipped; the options are
 * --json and --help. Returns the exit status: 0 healthy, 1 unhealthy,
 * 2 degraded, 3 bad usage (message on stderr). */
int sh_health_main(int argc, char **argv, pd_core *core);

#endif
