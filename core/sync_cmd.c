/* sync_cmd.c: uv_spawn with captured output and a timeout. */
#include "core/sync_cmd.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/xalloc.h"

#define DEFAULT_MAX_OUT (64u << 20)
#define ERR_KEEP 4096         /* stderr bytes kept for the message */
#define KILL_GRACE_MS 2000    /* SIGTERM, then SIGKILL this much later */

typedef struct run {
    uv_loop_t *loop;
    uv_process_t proc;
    uv_pipe_t out, err;
    uv_timer_t timer;
    int open_handles;     /* handles not yet closed */
    int streams_open;     /* pipes not at EOF yet */
    bool exited, timed_out, too_big, killed_hard;
    int64_t exit_status;
    int term_signal;
    size_t max_out;
    uint32_t timeout_ms;
    pd_strbuf outbuf, errbuf;
    pd_sync_cmd_cb cb;
    void *ctx;
    char *argv0;          /* for messages */
} run;

static void on_closed(uv_handle_t *h)
{
    run *r = h->data;

    if (--r->open_handles > 0)
        return;
    pd_strbuf_free(&r->outbuf);
    pd_strbuf_free(&r->errbuf);
    free(r->argv0);
    free(r);
}

static void close_all(run *r)
{
    uv_handle_t *hs[] = {(uv_handle_t *)&r->proc, (uv_handle_t *)&r->out,
                         (uv_handle_t *)&r->err, (uv_handle_t *)&r->timer};
    size_t i;

    for (i = 0; i < sizeof(hs) / sizeof(hs[0]); i++)
        if (!uv_is_closing(hs[i]))
            uv_close(hs[i], on_closed);
}

/* Reports once the process has exited and both pipes reached EOF. */
static void maybe_done(run *r)
{
    pd_sync_cmd_result res;
    pd_error err = PD_ERROR_INIT;
    const char *e;
    size_t n;

    if (!r->exited || r->streams_open > 0 || r->cb == NULL)
        return;
    uv_timer_stop(&r->timer);
    /* The last useful line of stderr, without its trailing blanks. */
    e = pd_strbuf_cstr(&r->errbuf);
    n = r->errbuf.len;
    while (n > 0 && (e[n - 1] == '\n' || e[n - 1] == ' ' || e[n - 1] == '\r'))
        n--;
    if (r->errbuf.buf != NULL)
        r->errbuf.buf[n] = '\0';
    res.out = pd_strbuf_cstr(&r->outbuf);
    res.out_len = r->outbuf.len;
    res.errtext = pd_strbuf_cstr(&r->errbuf);
    res.exit_status = r->exit_status;
    res.term_signal = r->term_signal;
    if (r->timed_out)
        pd_error_set(&err, PD_ERR_TIMEOUT,
                     "command %s killed after its timeout of %u ms", r->argv0,
                     r->timeout_ms);
    else if (r->too_big)
        pd_error_set(&err, PD_ERR_USAGE,
                     "command %s printed more than %zu bytes", r->argv0,
                     r->max_out);
    else if (r->term_signal != 0)
        pd_error_set(&err, PD_ERR_USAGE, "command %s died of signal %d%s%s",
                     r->argv0, r->term_signal, n ? ": " : "", res.errtext);
    else if (r->exit_status != 0)
        pd_error_set(&err, PD_ERR_USAGE,
                     "command %s exited with status %lld%s%s", r->argv0,
                     (long long)r->exit_status, n ? ": " : "", res.errtext);
    r->cb(&res, pd_error_isset(&err) ? &err : NULL, r->ctx);
    r->cb = NULL;
    pd_error_clear(&err);
    close_all(r);
}

static void on_exit_cb(uv_process_t *p, int64_t status, int sig)
{
    run *r = p->data;

    r->exited = true;
    r->exit_status = sig != 0 ? -1 : status;
    r->term_signal = sig;
    maybe_done(r);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    (void)h;
    buf->base = pd_xmalloc(hint > 0 ? hint : 65536);
    buf->len = hint > 0 ? hint : 65536;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    run *r = s->data;
    bool is_out = s == (uv_stream_t *)&r->out;

    if (n > 0) {
        if (is_out) {
            if (r->outbuf.len + (size_t)n > r->max_out) {
                r->too_big = true;
                uv_process_kill(&r->proc, SIGKILL);
            } else {
                pd_strbuf_append(&r->outbuf, buf->base, (size_t)n);
            }
        } else {
            pd_strbuf_append(&r->errbuf, buf->base, (size_t)n);
            if (r->errbuf.len > 2 * ERR_KEEP) { /* keep the end */
                memmove(r->errbuf.buf, r->errbuf.buf + r->errbuf.len - ERR_KEEP,
                        ERR_KEEP);
                r->errbuf.len = ERR_KEEP;
                r->errbuf.buf[ERR_KEEP] = '\0';
            }
        }
    }
    free(buf->base);
    if (n < 0) { /* EOF or error: this stream is done */
        uv_read_stop(s);
        r->streams_open--;
        maybe_done(r);
    }
}

static void on_timer(uv_timer_t *t)
{
    run *r = t->data;

    if (!r->timed_out) {
        r->timed_out = true;
        uv_process_kill(&r->proc, SIGTERM);
        uv_timer_start(&r->timer, on_timer, KILL_GRACE_MS, 0);
    } else if (!r->killed_hard) {
        r->killed_hard = true;
        uv_process_kill(&r->proc, SIGKILL);
    }
}

static void on_spawn_failed(uv_timer_t *t)
{
    run *r = t->data;

    maybe_done(r);
}

/* Runs argv; see sync_cmd.h. */
int pd_sync_cmd_run(uv_loop_t *loop, const char *const *argv, const char *cwd,
                    uint32_t timeout_ms, size_t max_out, pd_sync_cmd_cb cb,
                    void *ctx)
{
    uv_process_options_t o;
    uv_stdio_container_t stdio[3];
    run *r;
    int rc;

    if (argv == NULL || argv[0] == NULL || cb == NULL)
        return PD_EINVAL;
    r = pd_xcalloc(1, sizeof(*r));
    r->loop = loop;
    r->cb = cb;
    r->ctx = ctx;
    r->max_out = max_out > 0 ? max_out : DEFAULT_MAX_OUT;
    r->timeout_ms = timeout_ms;
    r->argv0 = pd_xstrdup(argv[0]);
    uv_pipe_init(loop, &r->out, 0);
    uv_pipe_init(loop, &r->err, 0);
    uv_timer_init(loop, &r->timer);
    r->out.data = r->err.data = r->timer.data = r->proc.data = r;
    r->open_handles = 4;
    memset(&o, 0, sizeof(o));
    stdio[0].flags = UV_IGNORE;
    stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    stdio[1].data.stream = (uv_stream_t *)&r->out;
    stdio[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    stdio[2].data.stream = (uv_stream_t *)&r->err;
    o.file = argv[0];
    o.args = (char **)argv;
    o.cwd = cwd;
    o.stdio = stdio;
    o.stdio_count = 3;
    o.exit_cb = on_exit_cb;
    rc = uv_spawn(loop, &r->proc, &o);
    if (rc != 0) {
        /* Report on the next turn, as the contract promises. */
        pd_strbuf_printf(&r->errbuf, "cannot run %s: %s", argv[0],
                         uv_strerror(rc));
        r->exited = true;
        r->exit_status = 127;
        uv_timer_start(&r->timer, on_spawn_failed, 0, 0);
        /* uv_spawn failed: the process handle was still initialised and
         * must be closed like the others. */
        return 0;
    }
    r->streams_open = 2;
    uv_read_start((uv_stream_t *)&r->out, on_alloc, on_read);
    uv_read_start((uv_stream_t *)&r->err, on_alloc, on_read);
    if (timeout_ms > 0)
        uv_timer_start(&r->timer, on_timer, timeout_ms, 0);
    return 0;
}
