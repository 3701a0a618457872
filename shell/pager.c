/* pager.c: spawning the pager on the loop (see pager.h).
 *
 * The pager is a child spawned with uv_spawn: its stdin is a pipe we
 * write the text into with one uv_write, its stdout and stderr are ours
 * (the terminal). The job ends when three things have happened: the
 * write finished (or failed because the pager quit early), the process
 * exited, and both handles closed. */
#include "shell/pager.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xalloc.h"

typedef struct job {
    uv_process_t proc;     /* the pager */
    uv_pipe_t in;          /* its stdin */
    uv_write_t wr;         /* the one write of the text */
    char *text;            /* owned */
    int open;              /* handles not yet closed */
    bool writing;          /* wr in flight */
    struct sigaction old;  /* SIGPIPE as it was */
    sh_pager_done_cb cb;
    void *ctx;
} job;

/* True when prog is an executable in PATH. A few stat calls, once per
 * paged output: not worth a trip to the thread pool. */
static bool in_path(const char *prog)
{
    const char *path = getenv("PATH"), *p, *e;
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
const char *sh_pager_command(void)
{
    const char *p = getenv("PSQL_PAGER");

    if (p == NULL)
        p = getenv("PAGER");
    if (p == NULL)
        return in_path("less") ? "less -S" : "more";
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

static void maybe_done(job *j)
{
    sh_pager_done_cb cb = j->cb;
    void *ctx = j->ctx;

    if (j->open > 0 || j->writing)
        return;
    sigaction(SIGPIPE, &j->old, NULL);
    free(j->text);
    free(j);
    if (cb != NULL)
        cb(ctx);
}

static void on_closed(uv_handle_t *h)
{
    job *j = h->data;

    j->open--;
    maybe_done(j);
}

static void on_written(uv_write_t *req, int status)
{
    job *j = req->data;

    (void)status; /* EPIPE when the pager quit first: nothing to do */
    j->writing = false;
    free(j->text);
    j->text = NULL;
    if (!uv_is_closing((uv_handle_t *)&j->in))
        uv_close((uv_handle_t *)&j->in, on_closed);
    maybe_done(j);
}

static void on_exit_cb(uv_process_t *p, int64_t status, int sig)
{
    job *j = p->data;

    (void)status;
    (void)sig;
    uv_close((uv_handle_t *)&j->proc, on_closed);
    /* A pager gone before reading all: drop the rest. */
    if (!uv_is_closing((uv_handle_t *)&j->in))
        uv_close((uv_handle_t *)&j->in, on_closed);
}

/* Spawns the pager; see pager.h. */
int sh_pager_run(uv_loop_t *loop, const char *cmd, char *text, size_t len,
                 sh_pager_done_cb cb, void *ctx)
{
    job *j = pd_xcalloc(1, sizeof(*j));
    uv_process_options_t po;
    uv_stdio_container_t io[3];
    char *argv[4];
    uv_buf_t buf;
    struct sigaction ign;
    int rc;

    j->text = text;
    j->cb = cb;
    j->ctx = ctx;
    rc = uv_pipe_init(loop, &j->in, 0);
    if (rc < 0) {
        free(j);
        return rc;
    }
    j->in.data = j;
    j->open = 1;
    memset(&ign, 0, sizeof(ign));
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &j->old);

    argv[0] = (char *)"sh";
    argv[1] = (char *)"-c";
    argv[2] = (char *)cmd;
    argv[3] = NULL;
    memset(&po, 0, sizeof(po));
    io[0].flags = UV_CREATE_PIPE | UV_READABLE_PIPE;
    io[0].data.stream = (uv_stream_t *)&j->in;
    io[1].flags = UV_INHERIT_FD;
    io[1].data.fd = STDOUT_FILENO;
    io[2].flags = UV_INHERIT_FD;
    io[2].data.fd = STDERR_FILENO;
    po.file = "/bin/sh";
    po.args = argv;
    po.stdio = io;
    po.stdio_count = 3;
    po.exit_cb = on_exit_cb;
    rc = uv_spawn(loop, &j->proc, &po);
    if (rc < 0) {
        /* uv_spawn wants the failed handle closed too. */
        j->proc.data = j;
        j->open++;
        uv_close((uv_handle_t *)&j->proc, on_closed);
        uv_close((uv_handle_t *)&j->in, on_closed);
        /* The job frees itself, without a callback; text stays the
         * caller's. */
        j->cb = NULL;
        j->text = NULL;
        return rc;
    }
    j->proc.data = j;
    j->open++;
    buf = uv_buf_init(text, (unsigned)len);
    j->wr.data = j;
    if (uv_write(&j->wr, (uv_stream_t *)&j->in, &buf, 1, on_written) == 0)
        j->writing = true;
    else
        uv_close((uv_handle_t *)&j->in, on_closed);
    return 0;
}
