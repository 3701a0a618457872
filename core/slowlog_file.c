/* slowlog_file.c: the slow log's JSON-lines writer (see slowlog_int.h).
 *
 * The writer is a small state machine over one embedded uv_fs_t, so at
 * most one file request is in flight: lines are appended to a queue, and
 * pd_slowlog_kick() starts the next step (open, mkdir -p, fstat, write,
 * rotate, close) when nothing is running. Every step ends in on_fs(),
 * which advances and kicks again. */
#include "core/slowlog.h"
#include "core/slowlog_int.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/xalloc.h"

/* After a file error, wait this long before trying again, so a full disk
 * does not turn every slow query into a failing system call. */
#define RETRY_MS 1000
static void on_retry(uv_timer_t *t)
{
    pd_slowlog_kick(t->data);
}

/* Drops the batch in flight and everything queued, and reports err once
 * per run of failures. Writing is tried again after RETRY_MS. Runs from a
 * request's callback, except when libuv refuses to even start a request
 * (a bad argument or no memory), which is reported at once. */
static void fail(pd_slowlog *sl, const char *what, const char *path, int err)
{
    free(sl->last_error);
    sl->last_error = pd_xasprintf("slow log: %s %s: %s", what, path,
                                  uv_strerror(err));
    sl->ctr.dropped += sl->wlines + sl->queue_lines;
    free(sl->wbuf);
    sl->wbuf = NULL;
    sl->wlen = sl->woff = sl->wlines = 0;
    pd_strbuf_reset(&sl->queue);
    sl->queue_lines = 0;
    sl->ws = W_IDLE;
    sl->retry_at = uv_now(sl->loop) + RETRY_MS;
    if (!sl->closing)
        uv_timer_start(&sl->timer, on_retry, RETRY_MS, 0);
    if (!sl->in_error) {
        sl->in_error = true;
        if (sl->on_error != NULL)
            sl->on_error(sl->last_error, sl->on_error_ctx);
    }
    /* Closing goes on to close the file and finish whatever failed. */
    if (sl->closing)
        pd_slowlog_kick(sl);
}

static void on_fs(uv_fs_t *req);

static void start_open(pd_slowlog *sl)
{
    int rc;

    sl->ws = W_OPEN;
    /* O_APPEND: another pgdeck may log to the same file; 0600 because
     * queries name tables and users. */
    rc = uv_fs_open(sl->loop, &sl->req, sl->path,
                    O_WRONLY | O_APPEND | O_CREAT, 0600, on_fs);
    if (rc < 0)
        fail(sl, "open", sl->path, rc);
}

/* Creates the next missing parent of path (0700), or opens again once all
 * exist. Components that exist already are left as they are. */
static void mkdir_next(pd_slowlog *sl)
{
    char *slash = strchr(sl->path + sl->mkdir_pos, '/');
    char *dir;
    int rc;

    if (slash == NULL) {
        start_open(sl);
        return;
    }
    sl->mkdir_pos = (size_t)(slash - sl->path) + 1;
    if (slash == sl->path) { /* the root */
        mkdir_next(sl);
        return;
    }
    dir = pd_xstrndup(sl->path, (size_t)(slash - sl->path));
    sl->ws = W_MKDIR;
    /* libuv copies the path for an asynchronous request. */
    rc = uv_fs_mkdir(sl->loop, &sl->req, dir, 0700, on_fs);
    if (rc < 0)
        fail(sl, "mkdir", dir, rc);
    free(dir);
}

/* Takes the longest run of whole lines from the queue that fits in room
 * (at least one line) into wbuf. */
static void take_batch(pd_slowlog *sl, uint64_t room)
{
    const char *q = sl->queue.buf, *nl;
    size_t n = 0, lines = 0;

    while (n < sl->queue.len) {
        nl = memchr(q + n, '\n', sl->queue.len - n);
        if (lines > 0 && (uint64_t)(nl + 1 - q) > room)
            break;
        n = (size_t)(nl + 1 - q);
        lines++;
    }
    if (n == sl->queue.len) {
        sl->wlen = sl->queue.len;
        sl->wbuf = pd_strbuf_steal(&sl->queue);
    } else {
        sl->wlen = n;
        sl->wbuf = pd_xstrndup(q, n);
        memmove(sl->queue.buf, q + n, sl->queue.len - n + 1);
        sl->queue.len -= n;
    }
    sl->woff = 0;
    sl->wlines = lines;
    sl->queue_lines -= lines;
}

static void start_write(pd_slowlog *sl)
{
    uv_buf_t buf = uv_buf_init(sl->wbuf + sl->woff,
                               (unsigned)(sl->wlen - sl->woff));
    int rc;

    sl->ws = W_WRITE;
    rc = uv_fs_write(sl->loop, &sl->req, sl->fd, &buf, 1, -1, on_fs);
    if (rc < 0)
        fail(sl, "write", sl->path, rc);
}

static void start_close(pd_slowlog *sl, wstate next)
{
    int rc;

    sl->ws = next;
    rc = uv_fs_close(sl->loop, &sl->req, sl->fd, on_fs);
    sl->fd = -1;
    if (rc < 0) {
        /* Cannot happen for a valid fd; carry on as if closed. */
        sl->ws = W_IDLE;
        pd_slowlog_kick(sl);
    }
}

/* Starts the next file step when none is in flight. */
void pd_slowlog_kick(pd_slowlog *sl)
{
    uint64_t first;
    const char *nl;

    if (sl->ws != W_IDLE)
        return;
    if (sl->queue.len == 0) {
        if (!sl->closing)
            return;
        if (sl->fd >= 0) {
            start_close(sl, W_CLOSE);
        } else if (!sl->timer_closed) {
            sl->timer_closed = true;
            uv_close((uv_handle_t *)&sl->timer, pd_slowlog_timer_closed);
        }
        return;
    }
    /* After an error, wait; at close, try once more at once. */
    if (!sl->closing && uv_now(sl->loop) < sl->retry_at)
        return;
    if (sl->fd < 0) {
        sl->mkdir_tried = false;
        start_open(sl);
        return;
    }
    nl = memchr(sl->queue.buf, '\n', sl->queue.len);
    first = (uint64_t)(nl + 1 - sl->queue.buf);
    if (sl->regular && sl->size > 0 && sl->size + first > sl->max_bytes) {
        start_close(sl, W_ROTATE);
        return;
    }
    /* A device or a pipe has no size to cap: write all at once. */
    if (!sl->regular)
        take_batch(sl, UINT64_MAX);
    else
        take_batch(sl, sl->size < sl->max_bytes ? sl->max_bytes - sl->size
                                                : 0);
    start_write(sl);
}

/* The open ended: on to fstat, or create the missing parents once.
 * Returns true when the caller should kick (nothing is in flight). */
static bool opened(pd_slowlog *sl, ssize_t res)
{
    int rc;

    if (res == UV_ENOENT && !sl->mkdir_tried) {
        sl->mkdir_tried = true;
        sl->mkdir_pos = 0;
        mkdir_next(sl);
        return false;
    }
    if (res < 0) {
        fail(sl, "open", sl->path, (int)res);
        return true;
    }
    sl->fd = (uv_file)res;
    sl->ws = W_FSTAT;
    rc = uv_fs_fstat(sl->loop, &sl->req, sl->fd, on_fs);
    if (rc < 0)
        fail(sl, "stat", sl->path, rc);
    return false;
}

/* The fstat ended: size and type, and 0600 for our own readable file.
 * Returns true when the caller should kick. */
static bool statted(pd_slowlog *sl, ssize_t res, const uv_stat_t *st)
{
    if (res < 0) {
        fail(sl, "stat", sl->path, (int)res);
        return true;
    }
    sl->size = st->st_size;
    sl->regular = S_ISREG(st->st_mode);
    /* Never chmod a device or someone else's file: only our own
     * regular file that others could read. */
    if (sl->regular && (st->st_mode & 077) != 0) {
        sl->ws = W_FCHMOD;
        if (uv_fs_fchmod(sl->loop, &sl->req, sl->fd, 0600, on_fs) >= 0)
            return false;
        sl->ws = W_IDLE;
    }
    return true;
}

/* A write ended: the rest of a short write, or the batch is done.
 * Returns true when the caller should kick. */
static bool wrote(pd_slowlog *sl, ssize_t res)
{
    if (res < 0) {
        fail(sl, "write", sl->path, (int)res);
        return true;
    }
    sl->woff += (size_t)res;
    sl->size += (uint64_t)res;
    if (sl->woff < sl->wlen) { /* short write: the rest */
        start_write(sl);
        return false;
    }
    sl->ctr.written += sl->wlines;
    free(sl->wbuf);
    sl->wbuf = NULL;
    sl->wlen = sl->woff = sl->wlines = 0;
    sl->in_error = false;
    free(sl->last_error);
    sl->last_error = NULL;
    return true;
}

static void on_fs(uv_fs_t *req)
{
    pd_slowlog *sl = req->data;
    ssize_t res = req->result;
    uv_stat_t st = req->statbuf;
    wstate ws = sl->ws;
    int rc;

    uv_fs_req_cleanup(req);
    sl->ws = W_IDLE;
    switch (ws) {
    case W_OPEN:
        if (!opened(sl, res))
            return;
        break;
    case W_MKDIR:
        if (res < 0 && res != UV_EEXIST) {
            fail(sl, "mkdir", sl->path, (int)res);
            break;
        }
        mkdir_next(sl);
        return;
    case W_FSTAT:
        if (!statted(sl, res, &st))
            return;
        break;
    case W_FCHMOD:
        /* Not ours to change (another owner): write anyway. */
        break;
    case W_WRITE:
        if (!wrote(sl, res))
            return;
        break;
    case W_ROTATE:
        sl->ws = W_RENAME;
        rc = uv_fs_rename(sl->loop, &sl->req, sl->path, sl->path1, on_fs);
        if (rc < 0)
            fail(sl, "rename", sl->path, rc);
        return;
    case W_RENAME:
        /* ENOENT: someone removed the file; a new one is what we want. */
        if (res < 0 && res != UV_ENOENT) {
            fail(sl, "rename", sl->path, (int)res);
            break;
        }
        sl->ctr.rotations++;
        break;
    case W_CLOSE:
    case W_IDLE:
        break;
    }
    pd_slowlog_kick(sl);
}

/* Flushes, closes, then calls cb and frees; see slowlog.h. */
void pd_slowlog_free(pd_slowlog *sl, pd_slowlog_closed_cb cb, void *ctx)
{
    if (sl == NULL)
        return;
    sl->closing = true;
    sl->close_cb = cb;
    sl->close_ctx = ctx;
    uv_timer_stop(&sl->timer);
    if (sl->ws == W_IDLE)
        pd_slowlog_kick(sl);
}
