/* histfile.h: the shell's history file.
 *
 * $XDG_STATE_HOME/pgdeck/history (default ~/.local/state/pgdeck/history),
 * mode 0600 in a 0700 directory, one entry per line (the newlines of a
 * multi-line statement stored as \x01, as psql does). Entries are
 * de-duplicated (the latest occurrence wins) and a line that may hold a
 * password is never kept: \password, CREATE/ALTER ROLE|USER|GROUP ...
 * PASSWORD, a conninfo's password= or a URI's user:secret@.
 *
 * The file is read before the loop starts and written after it ends (the
 * loop never waits on it); readline's in-memory history is the store
 * between the two. Named sh_histfile_*, away from readline's history_*. */
#ifndef SH_HISTFILE_H
#define SH_HISTFILE_H

#include <stdbool.h>

/* Returns-owned path of the history file, or NULL when neither
 * XDG_STATE_HOME nor HOME is set. */
char *sh_histfile_path(void);

/* True when line (borrowed) may hold a password and must stay out of the
 * history. */
bool sh_histfile_secret(const char *line);

/* Adds line to readline's history unless it is secret or blank; an
 * earlier identical entry is removed first. */
void sh_histfile_add(const char *line);

/* Loads path (borrowed) into readline's history. A missing file is no
 * error. Returns 0 or a negative errno. Call before the loop runs. */
int sh_histfile_load(const char *path);

/* Writes readline's history (at most max entries, the newest) to path,
 * creating its directory (0700) and the file with mode 0600, through a
 * temporary file renamed over it. Secrets and duplicates are dropped on
 * the way. Returns 0 or a negative errno. Call after the loop ended. */
int sh_histfile_save(const char *path, int max);

#endif
