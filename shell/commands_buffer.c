/* commands_buffer.c: the query buffer (see commands_internal.h): \g, \gx
 * and \gset run it, or the last query when it is empty, as psql does; \p
 * shows it and \r clears it. */
#include "shell/commands.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "shell/commands_internal.h"

static void end_unit_cb(int status, void *ctx)
{
    sh_session_unit_done(ctx, status);
}

/* The buffer, else the last query; see commands_internal.h. */
char *sh_commands_query_to_run(sh_session *s)
{
    char *q = sh_session_take_query_buf(s);
    const char *last;

    if (q != NULL && q[strspn(q, " \t\r\n")] != '\0')
        return q;
    free(q);
    last = sh_session_last_sql(s);
    return *last ? pd_xstrdup(last) : NULL;
}

/* Runs the query of \g, \gx or \gset (named cmd) with o; args, which
 * would name a file or a pipe, must be empty. */
static int run_buffer(sh_session *s, const char *cmd, const char *args,
                      const sh_sql_opts *o)
{
    char *q;
    int rc;

    if (*args != '\0') {
        sh_session_errorf(s, "\\%s: sending the result to a file or pipe is "
                          "not supported yet; use \\o", cmd);
        return 1;
    }
    q = sh_commands_query_to_run(s);
    if (q == NULL)
        return 0;
    rc = sh_session_run_sql(s, q, o, end_unit_cb, s);
    free(q);
    return rc == 0 ? SH_CMD_ASYNC : 1;
}

/* \g: runs the buffer. */
int sh_commands_g(sh_session *s, const char *args)
{
    return run_buffer(s, "g", args, NULL);
}

/* \gx: runs the buffer with expanded output, this once. */
int sh_commands_gx(sh_session *s, const char *args)
{
    sh_sql_opts o = {.flags = SH_SQL_EXPANDED};

    return run_buffer(s, "gx", args, &o);
}

/* \gset [PREFIX]: runs the buffer, its one row into variables. */
int sh_commands_gset(sh_session *s, const char *args)
{
    const char *p = args;
    char *prefix = sh_commands_next_arg(s, &p);
    sh_sql_opts o = {.flags = SH_SQL_GSET, .gset_prefix = prefix};
    int rc;

    sh_commands_extra_args(s, "gset", p);
    rc = run_buffer(s, "gset", "", &o);
    free(prefix);
    return rc;
}

/* \p: shows the buffer, else the last query. */
int sh_commands_p(sh_session *s, const char *args)
{
    const char *show = sh_session_query_buf(s);

    (void)args;
    if (*show == '\0')
        show = sh_session_last_sql(s);
    if (*show == '\0')
        fputs("Query buffer is empty.\n", sh_session_stdout(s));
    else
        fprintf(sh_session_stdout(s), "%s\n", show);
    return 0;
}

/* \r: clears the buffer. */
int sh_commands_r(sh_session *s, const char *args)
{
    (void)args;
    free(sh_session_take_query_buf(s));
    fputs("Query buffer reset (cleared).\n", sh_session_stdout(s));
    return 0;
}
