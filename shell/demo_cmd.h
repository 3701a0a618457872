/* demo_cmd.h: `pgdeck demo ...` and `pgdeck --demo`.
 *
 * Both run before the main loop exists: each runs core/demo on a private,
 * short-lived uv loop of its own, so the loop never blocks and nothing of
 * it is left once they return. */
#ifndef SH_DEMO_CMD_H
#define SH_DEMO_CMD_H

#include "core/error.h"

/* `pgdeck demo [start|stop|status|destroy]`: argv[0] is the word "demo",
 * argv[1] the action (start when absent). Prints one line on stdout
 * ("demo database running: host=... port=... dbname=pgdeck_demo
 * user=...") and, for start and status, a second one naming the demo
 * config ("demo config: PATH"); or one error line on stderr. Returns the
 * exit status: 0 on success, 1 on failure; for status, 0 when running and
 * 1 when not. */
int sh_demo_main(int argc, char **argv);

/* For `pgdeck --demo`: starts the demo database if needed (creating it on
 * first use; progress notes go to stderr when it is a terminal), which
 * also writes the demo config. Returns 0 with *conninfo_out and
 * *config_out set (both returns-owned, free(); the config path NULL when
 * there is none), or -1 with err filled (err: caller-provided, cleared by
 * the caller with pd_error_clear). */
int sh_demo_ensure(char **conninfo_out, char **config_out, pd_error *err);

#endif
