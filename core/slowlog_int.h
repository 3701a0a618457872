/* slowlog_int.h: the slowlog module's internals, shared by its files and
 * never included outside core/.
 *
 *   slowlog.c       options, creation, the ring, the per-fingerprint
 *                   aggregates, the JSON line of each entry;
 *   slowlog_file.c  the JSON-lines writer and pd_slowlog_free.
 *
 * Everything runs on the loop thread. */
#ifndef PD_SLOWLOG_INT_H
#define PD_SLOWLOG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "core/histogram.h"
#include "core/list.h"
#include "core/slowlog.h"
#include "core/strbuf.h"

typedef enum wstate {
    W_IDLE,   /* nothing in flight */
    W_OPEN,   /* uv_fs_open */
    W_MKDIR,  /* uv_fs_mkdir of one parent, after open said ENOENT */
    W_FSTAT,  /* size and type of the opened file */
    W_FCHMOD, /* an existing file readable by others: make it 0600 */
    W_WRITE,  /* uv_fs_write of wbuf */
    W_ROTATE, /* uv_fs_close before the rename */
    W_RENAME, /* file -> file.1 */
    W_CLOSE   /* the final uv_fs_close */
} wstate;

typedef struct agg {
    uint64_t fp;
    char *query;        /* owned, normalized, maybe cut */
    struct agg *hnext;  /* hash chain */
    pd_list lru;        /* in pd_slowlog.lru: front least recently seen */
    int64_t last_ts_us; /* wall clock of the newest */
    pd_histogram hist;  /* count, sum, exact max, p95 */
} agg;

struct pd_slowlog {
    uint64_t threshold_us;  /* pd_slowlog_is_slow reads only this */
    uv_loop_t *loop;        /* borrowed */
    bool log_literals;
    /* ring: items' strings are owned here */
    pd_slowlog_item *ring;  /* ring_cap slots */
    size_t ring_cap, ring_len;
    size_t ring_next;       /* slot the next entry goes to */
    /* aggregates */
    agg **buckets;          /* nbuckets chains (a power of two) */
    size_t nbuckets, nagg, max_agg;
    pd_list lru;
    /* writer */
    char *path;             /* owned; NULL: the file is off */
    char *path1;            /* owned; path + ".1" */
    uint64_t max_bytes;
    wstate ws;
    uv_fs_t req;            /* the one request in flight */
    uv_file fd;             /* -1 when closed */
    uint64_t size;          /* bytes in the file, as far as we know */
    bool regular;           /* only a regular file is ever rotated */
    bool mkdir_tried;       /* parents created once per open attempt */
    size_t mkdir_pos;       /* next '/' to create up to */
    pd_strbuf queue;        /* whole lines, not yet handed to a write */
    size_t queue_lines;
    char *wbuf;             /* owned; the lines being written */
    size_t wlen, woff, wlines;
    uint64_t retry_at;      /* loop time before which no retry starts */
    bool in_error;          /* an error was reported, no success since */
    char *last_error;       /* owned, NULL after a success */
    pd_slowlog_error_cb on_error;
    void *on_error_ctx;
    pd_slowlog_counters ctr;
    uv_timer_t timer;       /* retry after an error; unref'd */
    bool closing, timer_closed;
    pd_slowlog_closed_cb close_cb;
    void *close_ctx;
};

/* Starts the next file step when none is in flight (slowlog_file.c). */
void pd_slowlog_kick(pd_slowlog *sl);
/* Frees sl once its timer has closed, then calls the close callback
 * (slowlog.c: the ring and aggregates are its). */
void pd_slowlog_timer_closed(uv_handle_t *h);

#endif
