/* cmdpipe.c: a shell command on a pipe, driven by the loop (see
 * cmdpipe.h).
 *
 * The pipe is made with uv_pipe, so the command sees a FIFO as popen
 * would give it (libuv's UV_CREATE_PIPE would give a socket pair); our
 * end is non-blocking and wrapped in a uv_pipe_t, the command's end is
 * blocking and closed here once the command has it. A job is done when
 * the command has exited and both handles have closed. */
#include "shell/cmdpipe.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/strbuf.h"
#include "core/xalloc.h"

struct sh_cmdpipe {
    uv_process_t proc;     /* /bin/sh -c cmd */
    uv_pipe_t pipe;        /* our end of its stdin or stdout */
    uv_write_t wr;         /* the write in flight */
    int open;              /* handles not yet closed */
    bool reader;           /* we read its stdout (else write its stdin) */
    bool writing;          /* wr in flight */
    bool closing;          /* writer: sh_cmdpipe_close was called */
    bool broken;           /* writer: a write failed; the rest is dropped */
    bool held;             /* writer: holds SIGPIPE ignored */
    pd_strbuf pend;        /* writer: bytes queued behind wr */
    char *wbuf;            /* writer: wr's bytes, owned */
    pd_strbuf out;         /* reader: what the command printed */
    FILE *f;               /* writer: the stdio stream, or NULL */
    int code, sig;         /* how the command ended */
    sh_cmdpipe_done_cb cb;
    void *ctx;
};

/* SIGPIPE is ignored while any writer is open: a command that quits
 * before reading everything must not kill pgdeck. */
static int sigpipe_users;
static struct sigaction sigpipe_old;

static void sigpipe_hold(void)
{
    struct sigaction ign;

    if (sigpipe_users++ > 0)
        return;
    memset(&ign, 0, sizeof(ign));
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &sigpipe_old);
}

static void sigpipe_release(void)
{
    if (--sigpipe_users == 0)
        sigaction(SIGPIPE, &sigpipe_old, NULL);
}

/* Frees p once everything is over, then says how the command ended. */
static void maybe_done(sh_cmdpipe *p)
{
    sh_cmdpipe_done_cb cb = p->cb;
    void *ctx = p->ctx;
    char *data = NULL;
    size_t len = 0;

    if (p->open > 0 || (!p->reader && !p->closing))
        return;
    if (p->reader) {
        len = p->out.len;
        data = pd_strbuf_steal(&p->out);
    }
    if (p->held)
        sigpipe_release();
    free(p->wbuf);
    pd_strbuf_free(&p->pend);
    pd_strbuf_free(&p->out);
    if (cb != NULL)
        cb(p->code, p->sig, data, len, ctx);
    else
        free(data);
    free(p);
}

static void on_closed(uv_handle_t *h)
{
    sh_cmdpipe *p = h->data;

    p->open--;
    maybe_done(p);
}

static void close_pipe(sh_cmdpipe *p)
{
    if (!uv_is_closing((uv_handle_t *)&p->pipe))
        uv_close((uv_handle_t *)&p->pipe, on_closed);
}

static void on_exit_cb(uv_process_t *proc, int64_t status, int sig)
{
    sh_cmdpipe *p = proc->data;

    p->code = sig != 0 ? -1 : (int)status;
    p->sig = sig;
    uv_close((uv_handle_t *)proc, on_closed);
}

/* Spawns /bin/sh -c cmd; see cmdpipe.h. */
int sh_cmdpipe_spawn(uv_loop_t *loop, uv_process_t *proc, const char *cmd,
                     uv_file in, uv_file out, char **env, uv_exit_cb exit_cb)
{
    uv_process_options_t po;
    uv_stdio_container_t io[3];
    char *argv[4];
    int i;

    for (i = 0; i < 3; i++) {
        io[i].flags = UV_INHERIT_FD;
        io[i].data.fd = i;
    }
    if (in >= 0)
        io[0].data.fd = in;
    if (out >= 0)
        io[1].data.fd = out;
    argv[0] = (char *)"sh";
    argv[1] = (char *)"-c";
    argv[2] = (char *)cmd;
    argv[3] = NULL;
    memset(&po, 0, sizeof(po));
    po.file = "/bin/sh";
    po.args = argv;
    po.env = env;
    po.stdio = io;
    po.stdio_count = 3;
    po.exit_cb = exit_cb;
    /* The child writes to our descriptors (or reads what we send): what
     * we printed must be out before it. */
    fflush(NULL);
    return uv_spawn(loop, proc, &po);
}

/* Spawns /bin/sh -c cmd with our pipe as its stdin (writer) or stdout
 * (reader). Returns 0, or a uv error with p gone: freed, or freeing
 * itself as its handles close, without a callback. */
static int spawn(sh_cmdpipe *p, uv_loop_t *loop, const char *cmd,
                 char **env)
{
    uv_file fds[2], theirs, ours;
    int rc;

    rc = uv_pipe(fds, p->reader ? UV_NONBLOCK_PIPE : 0,
                 p->reader ? 0 : UV_NONBLOCK_PIPE);
    if (rc < 0) {
        free(p);
        return rc;
    }
    theirs = p->reader ? fds[1] : fds[0];
    ours = p->reader ? fds[0] : fds[1];
    uv_pipe_init(loop, &p->pipe, 0);
    p->pipe.data = p;
    p->open = 1;
    p->proc.data = p;
    rc = sh_cmdpipe_spawn(loop, &p->proc, cmd, p->reader ? -1 : theirs,
                          p->reader ? theirs : -1, env, on_exit_cb);
    close(theirs);
    p->open++;
    if (rc == 0)
        rc = uv_pipe_open(&p->pipe, ours);
    if (rc < 0) {
        close(ours);
        p->cb = NULL;
        p->closing = true;
        if (!uv_is_closing((uv_handle_t *)&p->proc))
            uv_close((uv_handle_t *)&p->proc, on_closed);
        close_pipe(p);
    }
    return rc;
}

/* ---- writing ---- */

static void kick(sh_cmdpipe *p);

static void on_written(uv_write_t *req, int status)
{
    sh_cmdpipe *p = req->data;

    p->writing = false;
    free(p->wbuf);
    p->wbuf = NULL;
    if (status < 0) /* EPIPE: the command stopped reading */
        p->broken = true;
    kick(p);
}

/* Hands the queue to uv_write unless a write is in flight; once closing
 * and drained, ends the command's input. */
static void kick(sh_cmdpipe *p)
{
    uv_buf_t buf;

    if (p->writing)
        return;
    if (p->broken)
        pd_strbuf_reset(&p->pend);
    if (p->pend.len > 0) {
        buf = uv_buf_init(p->pend.buf, (unsigned)p->pend.len);
        p->wbuf = pd_strbuf_steal(&p->pend);
        p->wr.data = p;
        if (uv_write(&p->wr, (uv_stream_t *)&p->pipe, &buf, 1,
                     on_written) == 0) {
            p->writing = true;
            return;
        }
        free(p->wbuf);
        p->wbuf = NULL;
        p->broken = true;
    }
    if (p->closing)
        close_pipe(p);
}

/* Starts cmd with a pipe on its stdin; see cmdpipe.h. */
sh_cmdpipe *sh_cmdpipe_open_write(uv_loop_t *loop, const char *cmd,
                                  char **env, int *uverr)
{
    sh_cmdpipe *p = pd_xcalloc(1, sizeof(*p));
    int rc;

    rc = spawn(p, loop, cmd, env);
    if (rc < 0) {
        *uverr = rc;
        return NULL;
    }
    sigpipe_hold();
    p->held = true;
    return p;
}

void sh_cmdpipe_write(sh_cmdpipe *p, const char *data, size_t len)
{
    if (p->broken || len == 0)
        return;
    pd_strbuf_append(&p->pend, data, len);
    kick(p);
}

static ssize_t cookie_write(void *c, const char *buf, size_t n)
{
    sh_cmdpipe_write(c, buf, n);
    return (ssize_t)n;
}

FILE *sh_cmdpipe_file(sh_cmdpipe *p)
{
    cookie_io_functions_t io = {.write = cookie_write};

    if (p->f == NULL)
        p->f = fopencookie(p, "w", io);
    return p->f;
}

/* Ends the input after the queue, then waits for the command; see
 * cmdpipe.h. */
void sh_cmdpipe_close(sh_cmdpipe *p, sh_cmdpipe_done_cb cb, void *ctx)
{
    if (p->f != NULL) {
        fclose(p->f); /* its last buffer goes into the queue */
        p->f = NULL;
    }
    p->cb = cb;
    p->ctx = ctx;
    p->closing = true;
    kick(p);
}

/* ---- reading ---- */

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    (void)h;
    (void)hint;
    buf->base = pd_xmalloc(65536);
    buf->len = 65536;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    sh_cmdpipe *p = s->data;

    if (n > 0)
        pd_strbuf_append(&p->out, buf->base, (size_t)n);
    free(buf->base);
    if (n < 0) /* UV_EOF, or an error: what came is what there is */
        close_pipe(p);
}

/* Runs cmd and collects its stdout; see cmdpipe.h. */
int sh_cmdpipe_read(uv_loop_t *loop, const char *cmd, char **env,
                    sh_cmdpipe_done_cb cb, void *ctx)
{
    sh_cmdpipe *p = pd_xcalloc(1, sizeof(*p));
    int rc;

    p->reader = true;
    rc = spawn(p, loop, cmd, env);
    if (rc < 0)
        return rc;
    rc = uv_read_start((uv_stream_t *)&p->pipe, on_alloc, on_read);
    if (rc < 0)
        close_pipe(p); /* its writes fail; it ends, and so does the job */
    p->cb = cb;
    p->ctx = ctx;
    return 0;
}

/* ---- psql's words ---- */

char *sh_cmdpipe_describe(int code, int sig)
{
    if (sig > 0)
        return pd_xasprintf("child process was terminated by signal %d: %s",
                            sig, strsignal(sig));
    switch (code) {
    case 0:
        return NULL;
    case 126:
        return pd_xstrdup("command not executable");
    case 127:
        return pd_xstrdup("command not found");
    default:
        return pd_xasprintf("child process exited with exit code %d", code);
    }
}
