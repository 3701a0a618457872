/* pager.c: spawning the pager on the loop (see pager.h).
 *
 * The pager is a cmdpipe writer (as psql's popen of it): its stdin is a
 * pipe the text is queued into, its stdout and stderr are ours (the
 * terminal). The job ends when cmdpipe says the pager has exited and
 * every handle is closed. */
#include "shell/pager.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "shell/cmdpipe.h"

typedef struct job {
    sh_pager_done_cb cb;
    void *ctx;
} job;

/* True when prog is an executable in PATH. A few stat calls, once per
 * paged output: not worth a trip to the thread pool. */
static bool in_path(const sh_env *env, const char *prog)
{
    const char *path = sh_env_get(env, "PATH"), *p, *e;
    char buf[4096];
    struct stat st;

    if (path == NULL)
        path = "/usr/bin:/bin";
    for (p = path; *p; p = *e ? e + 1 : e) {
        e = strchr(p, ':');
        if (e == NULL)
            e = p + strlen(p);
        if (snprintf(buf, sizeof(buf), "%.*s/%s", (int)(e - p), p, prog) <
                (int)sizeof(buf) &&
            stat(buf, &st) == 0 && S_ISREG(st.st_mode) &&
            access(buf, X_OK) == 0)
            return true;
    }
    return false;
}

/* psql's choice of pager; see pager.h. */
const char *sh_pager_command(const sh_env *env)
{
    const char *p = sh_env_get(env, "PSQL_PAGER");

    if (p == NULL)
        p = sh_env_get(env, "PAGER");
    if (p == NULL)
        return in_path(env, "less") ? "less -S" : "more";
    if (strspn(p, " \t\r\n") == strlen(p))
        return NULL;
    return p;
}

int sh_pager_term_rows(void)
{
    struct winsize ws;

    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
        return ws.ws_row;
    return 0;
}

bool sh_pager_wanted(int mode, size_t lines)
{
    int rows;

    if (mode == 0 || !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return false;
    if (mode >= 2)
        return true;
    rows = sh_pager_term_rows();
    return rows > 0 && lines >= (size_t)rows;
}

static void on_pager_done(int code, int sig, char *data, size_t len,
                          void *ctx)
{
    job *j = ctx;
    sh_pager_done_cb cb = j->cb;
    void *cb_ctx = j->ctx;

    (void)code; /* as psql's pclose of the pager: how it ended is moot */
    (void)sig;
    (void)data; /* a writer's: NULL */
    (void)len;
    free(j);
    if (cb != NULL)
        cb(cb_ctx);
}

/* Spawns the pager; see pager.h. */
int sh_pager_run(uv_loop_t *loop, const char *cmd, char **env, char *text,
                 size_t len, sh_pager_done_cb cb, void *ctx)
{
    sh_cmdpipe *p;
    job *j;
    int uverr = 0;

    p = sh_cmdpipe_open_write(loop, cmd, env, &uverr);
    if (p == NULL)
        return uverr;
    sh_cmdpipe_write(p, text, len);
    free(text);
    j = pd_xcalloc(1, sizeof(*j));
    j->cb = cb;
    j->ctx = ctx;
    sh_cmdpipe_close(p, on_pager_done, j);
    return 0;
}
