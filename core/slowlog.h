/* slowlog.h: the slow-query log.
 *
 * Every query is timed on the loop; the query path asks pd_slowlog_is_slow
 * first (one comparison) and hands the slow ones to pd_slowlog_record,
 * which masks literals (core/fingerprint.h), keeps the entry in a ring of
 * the newest (500), updates per-fingerprint aggregates and queues one JSON
 * line for the file. The file is written with uv_fs_* only, one request in
 * flight, so the loop never blocks; it is created mode 0600 (its missing
 * parent directories 0700), and rotated once (file -> file.1) before it
 * would pass max_bytes. A write error (disk full, bad path) is reported
 * once, through the error callback and pd_slowlog_last_error; the lines
 * concerned are dropped and counted, recording goes on, and writing is
 * tried again a second later.
 *
 * One JSON object per line, keys in this order:
 *   ts           "2024-05-01T12:34:56.789Z" (UTC, when the query ended)
 *   duration_ms  float with 3 decimals
 *   source       "shell", "panel:Pool", "sync:markets", "bench", ...
 *   database     string or null
 *   rows         integer, or null when unknown
 *   error        null, or {"sqlstate": "23505" or null, "message": "..."}
 *   fingerprint  16 hex digits
 *   query        the normalized text (literals as $n)
 *   query_raw    the text as sent, and params (array of strings or null)
 *                when there were any: only with log_literals.
 * Without log_literals no literal or parameter value is written or kept:
 * error messages of SQLSTATE class 22 (data exceptions), which quote the
 * offending value, have their double-quoted parts masked as "?". */
#ifndef PD_SLOWLOG_H
#define PD_SLOWLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "core/error.h"

#define PD_SLOWLOG_DEFAULT_THRESHOLD_MS 100
#define PD_SLOWLOG_DEFAULT_MAX_BYTES (10u * 1024 * 1024)
#define PD_SLOWLOG_DEFAULT_RING 500
#define PD_SLOWLOG_DEFAULT_MAX_FINGERPRINTS 1000
/* Longer normalized or raw query text is cut (with "...") in the ring and
 * the file; the fingerprint is still over the whole text. */
#define PD_SLOWLOG_QUERY_MAX 16384

typedef struct pd_slowlog pd_slowlog;

/* message: borrowed, valid during the call. */
typedef void (*pd_slowlog_error_cb)(const char *message, void *ctx);
typedef void (*pd_slowlog_closed_cb)(void *ctx);

typedef struct pd_slowlog_opts {
    uint32_t threshold_ms;     /* at least this long is slow; 0: all */
    const char *file;          /* borrowed for the call; NULL: default */
    bool no_file;              /* keep ring and aggregates only */
    bool log_literals;         /* also write query_raw and params */
    uint64_t max_bytes;        /* rotate before passing; 0: 10 MiB */
    uint32_t ring_size;        /* entries kept; 0: 500 */
    uint32_t max_fingerprints; /* aggregates kept, least recently seen
                                  evicted first; 0: 1000 */
    pd_slowlog_error_cb on_error; /* may be NULL */
    void *on_error_ctx;
} pd_slowlog_opts;

/* What the query path reports about one finished query. */
typedef struct pd_slowlog_entry {
    const char *sql;       /* borrowed; the text as sent (NULL: "") */
    int nparams;           /* parameter values ($1...), 0 when none */
    const char *const *params; /* borrowed; NULL entries are SQL NULL */
    uint64_t duration_us;  /* measured with uv_hrtime on the loop */
    const char *source;    /* borrowed; "shell", "panel:Pool", ... */
    const char *database;  /* borrowed; may be NULL */
    int64_t rows;          /* rows returned or affected; -1: unknown */
    const pd_error *error; /* borrowed; NULL on success */
    int64_t ts_us;         /* wall clock at the end, microseconds since
                              the epoch; 0: now */
} pd_slowlog_entry;

/* One ring entry as stored. Strings are owned by the slow log: borrowed
 * by the reader until the next pd_slowlog_record or pd_slowlog_free. */
typedef struct pd_slowlog_item {
    int64_t ts_us;           /* wall clock, microseconds since the epoch */
    uint64_t duration_us;
    const char *source;      /* never NULL */
    const char *database;    /* may be NULL */
    int64_t rows;            /* -1: unknown */
    const char *err_sqlstate; /* "" when none or not from the server */
    const char *err_message;  /* NULL when the query succeeded */
    uint64_t fingerprint;
    const char *query;       /* normalized */
    const char *query_raw;   /* NULL unless log_literals */
} pd_slowlog_item;

/* Aggregates of one fingerprint over its slow executions only. */
typedef struct pd_slowlog_stat {
    uint64_t fingerprint;
    const char *query;    /* borrowed as pd_slowlog_item's strings */
    uint64_t calls;
    uint64_t total_us;
    uint64_t mean_us;
    uint64_t max_us;      /* exact */
    uint64_t p95_us;      /* from a log-linear histogram: within about 6%
                             above the true value, never above max */
    int64_t last_ts_us;   /* wall clock of the newest */
} pd_slowlog_stat;

typedef enum pd_slowlog_order {
    PD_SLOWLOG_BY_TOTAL, /* total time, the default for \slow */
    PD_SLOWLOG_BY_MAX,
    PD_SLOWLOG_BY_MEAN,
    PD_SLOWLOG_BY_CALLS
} pd_slowlog_order;

typedef struct pd_slowlog_counters {
    uint64_t recorded;   /* entries recorded since creation */
    uint64_t written;    /* lines written to the file */
    uint64_t dropped;    /* lines lost to write errors or a full queue */
    uint64_t rotations;  /* file -> file.1 renames */
} pd_slowlog_counters;

/* Fills o with the defaults (threshold 100 ms, default file). */
void pd_slowlog_opts_init(pd_slowlog_opts *o);

/* Returns-owned (free()): the default file, $XDG_STATE_HOME/pgdeck/
 * slow.jsonl when XDG_STATE_HOME is an absolute path, else
 * $HOME/.local/state/pgdeck/slow.jsonl; NULL when neither is set. */
char *pd_slowlog_default_path(void);

/* Returns-owned: a slow log on loop (borrowed; must outlive it). opts is
 * borrowed for the call (NULL: defaults). Never NULL, and touches no file
 * until the first slow query. With no usable default path the file is
 * off and pd_slowlog_last_error says why. */
pd_slowlog *pd_slowlog_new(uv_loop_t *loop, const pd_slowlog_opts *opts);

/* Is a query of duration_us slow (at least the threshold)? The one check
 * on every query's path: a load and a comparison. */
bool pd_slowlog_is_slow(const pd_slowlog *sl, uint64_t duration_us);

/* Records e (borrowed for the call) if it is slow; else does nothing.
 * Never calls back synchronously; a file error is reported later through
 * the error callback. Must not be called after pd_slowlog_free. */
void pd_slowlog_record(pd_slowlog *sl, const pd_slowlog_entry *e);

/* Changes the threshold live; entries already recorded stay. */
void pd_slowlog_set_threshold(pd_slowlog *sl, uint32_t threshold_ms);
uint32_t pd_slowlog_threshold_ms(const pd_slowlog *sl);

/* Number of entries in the ring. */
size_t pd_slowlog_count(const pd_slowlog *sl);

/* Returns the i-th newest entry (0: newest), or NULL when i >= count.
 * Borrowed until the next pd_slowlog_record or pd_slowlog_free. */
const pd_slowlog_item *pd_slowlog_get(const pd_slowlog *sl, size_t i);

/* Fills out (caller's array of max) with up to max aggregates, worst
 * first by order (ties: more calls first, then by fingerprint). Returns
 * how many were filled. Strings are borrowed as with pd_slowlog_get. */
size_t pd_slowlog_stats(const pd_slowlog *sl, pd_slowlog_order order,
                        pd_slowlog_stat *out, size_t max);

/* Number of fingerprints tracked. */
size_t pd_slowlog_nstats(const pd_slowlog *sl);

pd_slowlog_counters pd_slowlog_counters_get(const pd_slowlog *sl);

/* The file (borrowed), or NULL when the file is off. */
const char *pd_slowlog_path(const pd_slowlog *sl);

/* The last file error (borrowed, until the next record or free), or NULL
 * when the last attempt succeeded. */
const char *pd_slowlog_last_error(const pd_slowlog *sl);

/* Starts closing: writes what is queued (one more try even after an
 * error), closes the file, then calls cb (may be NULL) exactly once on a
 * later loop turn, never synchronously, and frees sl; the caller keeps
 * running the loop until then (uv_run returns once the slow log's handles
 * and requests are gone, since it holds no other). Accepts NULL, then
 * does nothing and never calls cb. */
void pd_slowlog_free(pd_slowlog *sl, pd_slowlog_closed_cb cb, void *ctx);

#endif
