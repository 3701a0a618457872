/* slowlog.c: ring, per-fingerprint aggregates and the JSON lines handed
 * to the writer (slowlog_file.c; the struct is in slowlog_int.h). */
#include "core/slowlog.h"
#include "core/slowlog_int.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/fingerprint.h"
#include "core/histogram.h"
#include "core/list.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

/* Lines waiting for the file beyond this are dropped: a stuck disk must
 * not grow memory without bound. */
#define QUEUE_MAX (4u * 1024 * 1024)

/* ---- options and paths ------------------------------------------------ */

/* Fills the defaults. */
void pd_slowlog_opts_init(pd_slowlog_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->threshold_ms = PD_SLOWLOG_DEFAULT_THRESHOLD_MS;
    o->max_bytes = PD_SLOWLOG_DEFAULT_MAX_BYTES;
    o->ring_size = PD_SLOWLOG_DEFAULT_RING;
    o->max_fingerprints = PD_SLOWLOG_DEFAULT_MAX_FINGERPRINTS;
}

/* Returns-owned: the default file, or NULL. See slowlog.h. */
char *pd_slowlog_default_path(void)
{
    const char *state = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");

    /* The XDG spec says to ignore a relative XDG_STATE_HOME. */
    if (state != NULL && state[0] == '/')
        return pd_xasprintf("%s/pgdeck/slow.jsonl", state);
    if (home != NULL && home[0] != '\0')
        return pd_xasprintf("%s/.local/state/pgdeck/slow.jsonl", home);
    return NULL;
}

/* ---- creation --------------------------------------------------------- */

static size_t pow2_at_least(size_t n)
{
    size_t p = 16;

    while (p < n)
        p *= 2;
    return p;
}

/* Returns-owned: a slow log; see slowlog.h. */
pd_slowlog *pd_slowlog_new(uv_loop_t *loop, const pd_slowlog_opts *opts)
{
    pd_slowlog_opts def;
    pd_slowlog *sl = pd_xcalloc(1, sizeof(*sl));

    if (opts == NULL) {
        pd_slowlog_opts_init(&def);
        opts = &def;
    }
    sl->loop = loop;
    sl->threshold_us = (uint64_t)opts->threshold_ms * 1000;
    sl->log_literals = opts->log_literals;
    sl->ring_cap = opts->ring_size ? opts->ring_size : PD_SLOWLOG_DEFAULT_RING;
    sl->ring = pd_xcalloc(sl->ring_cap, sizeof(*sl->ring));
    sl->max_agg = opts->max_fingerprints ? opts->max_fingerprints
                                         : PD_SLOWLOG_DEFAULT_MAX_FINGERPRINTS;
    sl->nbuckets = pow2_at_least(sl->max_agg * 2);
    sl->buckets = pd_xcalloc(sl->nbuckets, sizeof(*sl->buckets));
    pd_list_init(&sl->lru);
    sl->max_bytes = opts->max_bytes ? opts->max_bytes
                                    : PD_SLOWLOG_DEFAULT_MAX_BYTES;
    sl->fd = -1;
    sl->on_error = opts->on_error;
    sl->on_error_ctx = opts->on_error_ctx;
    if (!opts->no_file) {
        if (opts->file != NULL && opts->file[0] != '\0')
            sl->path = pd_xstrdup(opts->file);
        else
            sl->path = pd_slowlog_default_path();
        if (sl->path != NULL)
            sl->path1 = pd_xasprintf("%s.1", sl->path);
        else
            sl->last_error = pd_xstrdup("slow log: no file: neither "
                                        "XDG_STATE_HOME nor HOME is set");
    }
    uv_timer_init(loop, &sl->timer);
    /* A pending retry must not keep a finished program alive. */
    uv_unref((uv_handle_t *)&sl->timer);
    sl->timer.data = sl;
    sl->req.data = sl;
    return sl;
}

/* ---- small accessors -------------------------------------------------- */

bool pd_slowlog_is_slow(const pd_slowlog *sl, uint64_t duration_us)
{
    return duration_us >= sl->threshold_us;
}

/* Changes the threshold for the queries that end from now on. */
void pd_slowlog_set_threshold(pd_slowlog *sl, uint32_t threshold_ms)
{
    sl->threshold_us = (uint64_t)threshold_ms * 1000;
}

uint32_t pd_slowlog_threshold_ms(const pd_slowlog *sl)
{
    return (uint32_t)(sl->threshold_us / 1000);
}

size_t pd_slowlog_count(const pd_slowlog *sl)
{
    return sl->ring_len;
}

/* Returns the i-th newest entry, borrowed, or NULL. */
const pd_slowlog_item *pd_slowlog_get(const pd_slowlog *sl, size_t i)
{
    if (i >= sl->ring_len)
        return NULL;
    return &sl->ring[(sl->ring_next + sl->ring_cap - 1 - i) % sl->ring_cap];
}

size_t pd_slowlog_nstats(const pd_slowlog *sl)
{
    return sl->nagg;
}

pd_slowlog_counters pd_slowlog_counters_get(const pd_slowlog *sl)
{
    return sl->ctr;
}

const char *pd_slowlog_path(const pd_slowlog *sl)
{
    return sl->path;
}

const char *pd_slowlog_last_error(const pd_slowlog *sl)
{
    return sl->last_error;
}

/* ---- text helpers ----------------------------------------------------- */

/* Returns-owned: s cut to at most max bytes on a UTF-8 boundary, with
 * "..." after a cut. */
static char *cut_copy(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n <= max)
        return pd_xstrdup(s);
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return pd_xasprintf("%.*s...", (int)n, s);
}

/* Returns-owned: the error's message as it may be kept. Data exceptions
 * (class 22) quote the value that failed ("invalid input syntax for type
 * integer: "abc""), so without log_literals the quoted parts become "?". */
static char *error_message(const pd_slowlog *sl, const pd_error *err)
{
    const char *m = err->message;
    pd_strbuf sb = PD_STRBUF_INIT;
    bool in_quote = false;

    if (m == NULL)
        m = pd_error_kind_name(err->kind);
    if (sl->log_literals || strncmp(err->sqlstate, "22", 2) != 0)
        return cut_copy(m, PD_SLOWLOG_QUERY_MAX);
    for (; *m != '\0'; m++) {
        if (*m == '"') {
            if (!in_quote)
                pd_strbuf_puts(&sb, "\"?");
            else
                pd_strbuf_putc(&sb, '"');
            in_quote = !in_quote;
        } else if (!in_quote) {
            pd_strbuf_putc(&sb, *m);
        }
    }
    if (in_quote)
        pd_strbuf_putc(&sb, '"');
    return pd_strbuf_steal(&sb);
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len, i;
    uint32_t cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2, cp = s[0] & 0x1F;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        len = 3, cp = s[0] & 0x0F;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        len = 4, cp = s[0] & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    /* Overlong forms, surrogates and beyond U+10FFFF are not UTF-8. */
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return len;
}

/* Appends s as a JSON string. Bytes that are not UTF-8 become U+FFFD,
 * so a line is always valid JSON whatever the client encoding was. */
static void json_str(pd_strbuf *sb, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, k;

    pd_strbuf_putc(sb, '"');
    while (i < n) {
        unsigned char c = p[i];

        if (c == '"' || c == '\\') {
            pd_strbuf_putc(sb, '\\');
            pd_strbuf_putc(sb, (char)c);
        } else if (c == '\n') {
            pd_strbuf_puts(sb, "\\n");
        } else if (c == '\t') {
            pd_strbuf_puts(sb, "\\t");
        } else if (c == '\r') {
            pd_strbuf_puts(sb, "\\r");
        } else if (c < 0x20) {
            pd_strbuf_printf(sb, "\\u%04x", c);
        } else if ((k = utf8_len(p + i, n - i)) == 0) {
            pd_strbuf_puts(sb, "\\ufffd");
        } else {
            pd_strbuf_append(sb, s + i, k);
            i += k;
            continue;
        }
        i++;
    }
    pd_strbuf_putc(sb, '"');
}

static void json_str_or_null(pd_strbuf *sb, const char *s)
{
    if (s == NULL)
        pd_strbuf_puts(sb, "null");
    else
        json_str(sb, s);
}

/* Appends ts_us as ISO 8601 UTC with milliseconds. */
static void put_ts(pd_strbuf *sb, int64_t ts_us)
{
    time_t secs;
    struct tm tm;
    char buf[32];

    if (ts_us < 0)
        ts_us = 0;
    secs = (time_t)(ts_us / 1000000);
    gmtime_r(&secs, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    pd_strbuf_printf(sb, "\"%s.%03dZ\"", buf, (int)(ts_us % 1000000 / 1000));
}

/* Appends the JSON line for item it (and, with log_literals, e's
 * parameters). */
static void json_line(const pd_slowlog *sl, const pd_slowlog_item *it,
                      const pd_slowlog_entry *e, pd_strbuf *sb)
{
    char hex[17];
    int i;

    pd_strbuf_puts(sb, "{\"ts\":");
    put_ts(sb, it->ts_us);
    pd_strbuf_printf(sb, ",\"duration_ms\":%" PRIu64 ".%03" PRIu64,
                     it->duration_us / 1000, it->duration_us % 1000);
    pd_strbuf_puts(sb, ",\"source\":");
    json_str(sb, it->source);
    pd_strbuf_puts(sb, ",\"database\":");
    json_str_or_null(sb, it->database);
    if (it->rows < 0)
        pd_strbuf_puts(sb, ",\"rows\":null");
    else
        pd_strbuf_printf(sb, ",\"rows\":%" PRId64, it->rows);
    pd_strbuf_puts(sb, ",\"error\":");
    if (it->err_message == NULL) {
        pd_strbuf_puts(sb, "null");
    } else {
        pd_strbuf_puts(sb, "{\"sqlstate\":");
        json_str_or_null(sb, it->err_sqlstate[0] ? it->err_sqlstate : NULL);
        pd_strbuf_puts(sb, ",\"message\":");
        json_str(sb, it->err_message);
        pd_strbuf_putc(sb, '}');
    }
    pd_fingerprint_hex(it->fingerprint, hex);
    pd_strbuf_printf(sb, ",\"fingerprint\":\"%s\",\"query\":", hex);
    json_str(sb, it->query);
    if (sl->log_literals) {
        pd_strbuf_puts(sb, ",\"query_raw\":");
        json_str(sb, it->query_raw);
        if (e->nparams > 0 && e->params != NULL) {
            pd_strbuf_puts(sb, ",\"params\":[");
            for (i = 0; i < e->nparams; i++) {
                if (i > 0)
                    pd_strbuf_putc(sb, ',');
                json_str_or_null(sb, e->params[i]);
            }
            pd_strbuf_putc(sb, ']');
        }
    }
    pd_strbuf_puts(sb, "}\n");
}

/* ---- ring and aggregates ---------------------------------------------- */

static void item_clear(pd_slowlog_item *it)
{
    /* The ring owns these strings; the const is for readers. */
    free((void *)it->source);
    free((void *)it->database);
    free((void *)it->err_sqlstate);
    free((void *)it->err_message);
    free((void *)it->query);
    free((void *)it->query_raw);
    memset(it, 0, sizeof(*it));
}

static size_t bucket_of(const pd_slowlog *sl, uint64_t fp)
{
    return (size_t)(fp ^ (fp >> 32)) & (sl->nbuckets - 1);
}

static void agg_unlink(pd_slowlog *sl, agg *a)
{
    agg **pp = &sl->buckets[bucket_of(sl, a->fp)];

    while (*pp != a)
        pp = &(*pp)->hnext;
    *pp = a->hnext;
    pd_list_remove(&a->lru);
    sl->nagg--;
}

static void agg_free(agg *a)
{
    free(a->query);
    free(a);
}

/* Finds or makes the aggregate of fp, evicting the least recently seen
 * one when full, and marks it the most recently seen. */
static agg *agg_get(pd_slowlog *sl, uint64_t fp, const char *query)
{
    size_t b = bucket_of(sl, fp);
    agg *a;

    for (a = sl->buckets[b]; a != NULL; a = a->hnext) {
        if (a->fp == fp) {
            pd_list_remove(&a->lru);
            pd_list_push_back(&sl->lru, &a->lru);
            return a;
        }
    }
    if (sl->nagg >= sl->max_agg) {
        agg *old = pd_list_entry(sl->lru.next, agg, lru);

        agg_unlink(sl, old);
        agg_free(old);
    }
    a = pd_xmalloc(sizeof(*a));
    a->fp = fp;
    a->query = pd_xstrdup(query);
    a->hnext = sl->buckets[b];
    sl->buckets[b] = a;
    pd_list_init(&a->lru);
    pd_list_push_back(&sl->lru, &a->lru);
    pd_histogram_reset(&a->hist);
    sl->nagg++;
    return a;
}

/* Records a slow query; see slowlog.h. */
void pd_slowlog_record(pd_slowlog *sl, const pd_slowlog_entry *e)
{
    const char *sql = e->sql != NULL ? e->sql : "";
    pd_slowlog_item *it;
    char *norm;
    agg *a;
    uv_timeval64_t tv;

    if (sl->closing || !pd_slowlog_is_slow(sl, e->duration_us))
        return;
    norm = pd_fingerprint_normalize(sql, strlen(sql));

    it = &sl->ring[sl->ring_next];
    item_clear(it);
    sl->ring_next = (sl->ring_next + 1) % sl->ring_cap;
    if (sl->ring_len < sl->ring_cap)
        sl->ring_len++;
    it->ts_us = e->ts_us;
    if (it->ts_us == 0 && uv_gettimeofday(&tv) == 0)
        it->ts_us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
    it->duration_us = e->duration_us;
    it->source = pd_xstrdup(e->source != NULL ? e->source : "");
    it->database = e->database != NULL ? pd_xstrdup(e->database) : NULL;
    it->rows = e->rows < 0 ? -1 : e->rows;
    it->err_sqlstate = pd_xstrdup(e->error != NULL ? e->error->sqlstate : "");
    it->err_message = e->error != NULL ? error_message(sl, e->error) : NULL;
    it->fingerprint = pd_fingerprint_hash(norm);
    it->query = cut_copy(norm, PD_SLOWLOG_QUERY_MAX);
    it->query_raw =
        sl->log_literals ? cut_copy(sql, PD_SLOWLOG_QUERY_MAX) : NULL;
    free(norm);
    sl->ctr.recorded++;

    a = agg_get(sl, it->fingerprint, it->query);
    pd_histogram_record(&a->hist, e->duration_us);
    a->last_ts_us = it->ts_us;

    if (sl->path != NULL) {
        pd_strbuf line = PD_STRBUF_INIT;

        json_line(sl, it, e, &line);
        if (sl->queue.len + line.len > QUEUE_MAX) {
            sl->ctr.dropped++;
        } else {
            pd_strbuf_append(&sl->queue, line.buf, line.len);
            sl->queue_lines++;
        }
        pd_strbuf_free(&line);
        pd_slowlog_kick(sl);
    }
}

static int cmp_u64(uint64_t a, uint64_t b)
{
    return a < b ? 1 : a > b ? -1 : 0; /* larger first */
}

/* Ties go to more calls, then the fingerprint, so the order is total. */
static int cmp_tail(const pd_slowlog_stat *a, const pd_slowlog_stat *b)
{
    int c = cmp_u64(a->calls, b->calls);

    return c != 0 ? c : cmp_u64(a->fingerprint, b->fingerprint);
}

static int by_total(const void *x, const void *y)
{
    const pd_slowlog_stat *a = x, *b = y;
    int c = cmp_u64(a->total_us, b->total_us);

    return c != 0 ? c : cmp_tail(a, b);
}

static int by_max(const void *x, const void *y)
{
    const pd_slowlog_stat *a = x, *b = y;
    int c = cmp_u64(a->max_us, b->max_us);

    return c != 0 ? c : cmp_tail(a, b);
}

static int by_mean(const void *x, const void *y)
{
    const pd_slowlog_stat *a = x, *b = y;
    int c = cmp_u64(a->mean_us, b->mean_us);

    return c != 0 ? c : cmp_tail(a, b);
}

static int by_calls(const void *x, const void *y)
{
    return cmp_tail(x, y);
}

/* Fills out with the worst aggregates first; see slowlog.h. */
size_t pd_slowlog_stats(const pd_slowlog *sl, pd_slowlog_order order,
                        pd_slowlog_stat *out, size_t max)
{
    int (*cmp)(const void *, const void *) = by_total;
    pd_slowlog_stat *all;
    pd_list *pos, *tmp;
    size_t n = 0;

    if (sl->nagg == 0 || max == 0)
        return 0;
    all = pd_xmalloc(sl->nagg * sizeof(*all));
    pd_list_each_safe(pos, tmp, &sl->lru) {
        const agg *a = pd_list_entry(pos, agg, lru);
        pd_slowlog_stat *s = &all[n++];

        s->fingerprint = a->fp;
        s->query = a->query;
        s->calls = a->hist.count;
        s->total_us = a->hist.sum_us;
        s->mean_us = a->hist.count ? a->hist.sum_us / a->hist.count : 0;
        s->max_us = a->hist.max_us;
        s->p95_us = pd_histogram_quantile(&a->hist, 0.95);
        s->last_ts_us = a->last_ts_us;
    }
    if (order == PD_SLOWLOG_BY_MAX)
        cmp = by_max;
    else if (order == PD_SLOWLOG_BY_MEAN)
        cmp = by_mean;
    else if (order == PD_SLOWLOG_BY_CALLS)
        cmp = by_calls;
    qsort(all, n, sizeof(*all), cmp);
    if (n > max)
        n = max;
    memcpy(out, all, n * sizeof(*out));
    free(all);
    return n;
}

/* The writer's timer closed at the end of pd_slowlog_free: frees
 * everything; see slowlog_int.h. */
void pd_slowlog_timer_closed(uv_handle_t *h)
{
    pd_slowlog *sl = h->data;
    pd_slowlog_closed_cb cb = sl->close_cb;
    void *ctx = sl->close_ctx;
    pd_list *pos, *tmp;
    size_t i;

    for (i = 0; i < sl->ring_cap; i++)
        item_clear(&sl->ring[i]);
    free(sl->ring);
    pd_list_each_safe(pos, tmp, &sl->lru)
        agg_free(pd_list_entry(pos, agg, lru));
    free(sl->buckets);
    free(sl->path);
    free(sl->path1);
    pd_strbuf_free(&sl->queue);
    free(sl->wbuf);
    free(sl->last_error);
    free(sl);
    if (cb != NULL)
        cb(ctx);
}
