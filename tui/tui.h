/* tui.h: the ncurses dashboard.
 *
 * One call runs the whole dashboard on the core's loop: it takes over the
 * terminal, shows the panels (Pool, Queries, Retries, Slow queries,
 * Activity, Locks, Syncs, the config's custom panels, and once a ':'
 * command has run, its Results), redraws them from loop timers and core
 * callbacks so the screen never waits on the database, runs refresh-all
 * on R, and gives the terminal back exactly as it found it when the user
 * quits. */
#ifndef TUI_H
#define TUI_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"

typedef struct tui_opts {
    bool no_color;       /* monochrome attributes (also NO_COLOR=) */
    uint32_t refresh_ms; /* panel refresh interval; 0: 1000 ms */
    /* The theme comes from the config (pd_config.theme, --theme): a name
     * or a JSON file; NULL: the built-in "dark". */
} tui_opts;

/* Runs the dashboard until the user quits (q), or SIGINT/SIGTERM/SIGHUP
 * arrives. core (borrowed) must be started; opts may be NULL. Runs the loop
 * itself (pd_core_run) and, before returning, restores the terminal and
 * closes every uv handle it opened, so pd_core_free can drain the loop.
 * Returns 0 on a normal quit, 1 when the terminal could not be set up (a
 * message is on stderr), 128 + signal number after a signal. */
int tui_run(pd_core *core, const tui_opts *opts);

#endif
