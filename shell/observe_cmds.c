/* observe_cmds.c: \pool, \slow, \metrics, \health, \locks, \retries.
 *
 * Each passes its line to core/cmd.h, the same command language as the
 * dashboard's ':' line, and prints what comes back: tables as psql would
 * (one after another), text as it is. */
#include "shell/commands.h"

#include <stdlib.h>
#include <string.h>

#include "core/cmd.h"
#include "core/xalloc.h"

static void on_done(pd_result *res, char *text, const pd_error *err,
                    void *ctx)
{
    sh_session *s = ctx;
    const pd_result *r;
    int status = 0;

    for (r = res; r != NULL; r = pd_result_next(r))
        sh_session_print(s, r);
    pd_result_free(res);
    if (text != NULL)
        fputs(text, sh_session_out(s));
    free(text);
    if (err != NULL) {
        fflush(sh_session_out(s));
        fprintf(sh_session_err(s), "%s\n", err->message);
        status = 1;
    }
    sh_session_unit_done(s, status);
}

static int run(sh_session *s, const char *name, const char *args)
{
    char *line = pd_xasprintf("\\%s %s", name, args);
    int rc = pd_cmd_run(sh_session_core(s), line, on_done, s);

    free(line);
    if (rc != 0) {
        fprintf(sh_session_err(s), "\\%s: not available\n", name);
        return 1;
    }
    return SH_CMD_ASYNC;
}

static int cmd_pool(sh_session *s, const char *args)
{
    return run(s, "pool", args);
}

static int cmd_slow(sh_session *s, const char *args)
{
    return run(s, "slow", args);
}

static int cmd_metrics(sh_session *s, const char *args)
{
    return run(s, "metrics", args);
}

static int cmd_health(sh_session *s, const char *args)
{
    return run(s, "health", args);
}

static int cmd_locks(sh_session *s, const char *args)
{
    return run(s, "locks", args);
}

static int cmd_retries(sh_session *s, const char *args)
{
    return run(s, "retries", args);
}

const sh_cmd sh_observe_commands[] = {
    {"pool", cmd_pool, "\\pool", "show the connection pool's statistics"},
    {"slow", cmd_slow, "\\slow [recent] [N]",
     "worst slow queries (\\slow recent: newest; \\slow threshold MS)"},
    {"metrics", cmd_metrics, "\\metrics [json|prom]",
     "show query, pool and loop metrics"},
    {"health", cmd_health, "\\health [json]",
     "check the database's health (healthy, degraded, unhealthy)"},
    {"locks", cmd_locks, "\\locks", "show resource locks held and awaited"},
    {"retries", cmd_retries, "\\retries",
     "show retries by class and the circuit breaker"},
    {NULL, NULL, NULL, NULL},
};
