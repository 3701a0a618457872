/* jobs.h: background statements, \bg SQL, and their list, \jobs.
 *
 * \bg runs its SQL on a connection of its own (the pool's; after \c, a
 * new one to that database, as the session's would be), so the session
 * goes on at once with its own connection and its own statements. It
 * says "[N] started". When the job ends, its outcome is announced:
 * "[N] done in 1.234 s: SQL (1 row)" and the result as the session prints
 * results (its \pset settings), "[N] failed in ...: SQL" and the error as
 * psql prints it, or "[N] canceled ...".
 *
 * Announcements are the front end's to place (sh_jobs_set_ready_cb): the
 * readline shell prints them above the prompt at once when the prompt is
 * idle, else after the running unit's output; -c, -f and piped input print
 * them between units and wait for the jobs still running at the end.
 *
 * Results up to SH_JOBS_INLINE_ROWS rows are printed in the announcement;
 * bigger ones are kept (up to SH_JOBS_KEEP_ROWS rows each, within an
 * overall budget) for "\jobs N" to print. The last SH_JOBS_KEEP_DONE
 * finished jobs stay in the list. A result is whole in memory while its
 * job runs, as \gather's are: \bg is for statements, not for streaming
 * a million rows (the session's own SQL streams). */
#ifndef SH_JOBS_H
#define SH_JOBS_H

#include <stdbool.h>

#include "shell/exec.h"

#define SH_JOBS_INLINE_ROWS 20   /* rows printed in an announcement */
#define SH_JOBS_KEEP_ROWS 10000  /* rows kept of one result, at most */
#define SH_JOBS_KEEP_DONE 20     /* finished jobs kept in the list */

typedef struct sh_jobs sh_jobs;

/* Called on the loop each time a job of the session ends; ctx is
 * sh_jobs_set_ready_cb's. The front end calls sh_jobs_announce when it
 * may print. */
typedef void (*sh_jobs_ready_cb)(void *ctx);

void sh_jobs_set_ready_cb(sh_session *s, sh_jobs_ready_cb cb, void *ctx);
int sh_jobs_announce(sh_session *s);
int sh_jobs_running(const sh_session *s);
bool sh_jobs_any_failed(const sh_session *s);
void sh_jobs_cancel_all(sh_session *s);
void sh_jobs_free(sh_jobs *jobs);

#endif
