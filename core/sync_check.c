/* sync_check.c: the input of a refresh, checked before anything runs
 * (see sync_int.h): every load file read and parsed on the thread pool,
 * every table and its columns checked against the catalog in one query;
 * bad input fails every job and nothing is written. */
#include "core/sync.h"
#include "core/sync_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/query.h"
#include "core/result.h"
#include "core/xalloc.h"

static const char catalog_sql[] =
    "SELECT n, c.oid IS NOT NULL, coalesce((SELECT string_agg(a.attname, "
    "E'\\n') FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 "
    "AND NOT a.attisdropped), '') FROM unnest($1::text[]) n "
    "LEFT JOIN pg_class c ON c.oid = to_regclass(n)";

/* Notes bad input, for the refresh's error and for job j (may be NULL). */
static void bad(pd_sync *s, job *j, const char *msg)
{
    if (s->bad.len > 0)
        pd_strbuf_putc(&s->bad, '\n');
    pd_strbuf_puts(&s->bad, msg);
    if (j != NULL && j->error == NULL)
        j->error = pd_xstrdup(msg);
}

/* Bad input was found: nothing runs. A job with bad input fails with its
 * own message, the others with a pointer to it. */
static void fail_all(pd_sync *s)
{
    pd_error err = PD_ERROR_INIT;
    int i;

    for (i = 0; i < s->n; i++) {
        job *j = &s->jobs[i];
        if (j->state != PD_SYNC_QUEUED)
            continue;
        if (j->error == NULL)
            j->error = pd_xstrdup("not run: bad input in another job");
        pd_sync_set_state(j, PD_SYNC_FAILED);
    }
    pd_error_set(&err, PD_ERR_USAGE, "%s", pd_strbuf_cstr(&s->bad));
    pd_sync_finish(s, &err);
    pd_error_clear(&err);
}

/* See sync_int.h. */
int pd_sync_check_columns(const job *j, const pd_sync_rows *rows,
                         const char *cols, pd_error *err)
{
    int c;

    for (c = 0; c < rows->ncols; c++) {
        const char *p = cols;
        size_t n = strlen(rows->cols[c]);
        bool found = false;
        while (*p != '\0' && !found) {
            size_t len = strcspn(p, "\n");
            found = len == n && strncmp(p, rows->cols[c], n) == 0;
            p += len + (p[len] == '\n');
        }
        if (!found) {
            pd_error_set(err, PD_ERR_USAGE,
                         "job %s: column \"%s\" is not in table %s", j->name,
                         rows->cols[c], j->table);
            return PD_EINVAL;
        }
    }
    return 0;
}

static void on_catalog(pd_result *res, const pd_error *err, void *ctx)
{
    pd_sync *s = ctx;
    size_t r;
    int i;

    if (err != NULL) {
        char *m = pd_xasprintf("checking the tables failed: %s", err->message);
        bad(s, NULL, m);
        free(m);
    }
    for (r = 0; res != NULL && r < pd_result_nrows(res); r++) {
        const char *name = pd_result_value(res, r, 0);
        bool exists = strcmp(pd_result_value(res, r, 1), "t") == 0;
        const char *cols = pd_result_value(res, r, 2);
        for (i = 0; i < s->n; i++) {
            job *j = &s->jobs[i];
            pd_error e = PD_ERROR_INIT;
            if (j->table == NULL || strcmp(j->table, name) != 0)
                continue;
            if (!exists) {
                char *m = pd_xasprintf("job %s: unknown table \"%s\"", j->name,
                                       name);
                bad(s, j, m);
                free(m);
            } else if (j->data != NULL &&
                       pd_sync_check_columns(j, j->data, cols, &e) != 0) {
                bad(s, j, e.message);
            } else if (j->kind == PD_SYNC_COMMAND) {
                free(j->cols);
                j->cols = pd_xstrdup(cols); /* for on_cmd's check */
            }
            pd_error_clear(&e);
        }
    }
    pd_result_free(res);
    if (s->bad.len > 0)
        fail_all(s);
    else
        pd_sync_schedule(s);
}

/* One query checks every table named by a job. */
static void check_catalog(pd_sync *s)
{
    pd_query_opts o = {.source = "sync", .flags = PD_QUERY_READ_ONLY};
    pd_strbuf arr = PD_STRBUF_INIT;
    const char *p;
    int i, n = 0;

    if (s->bad.len > 0) {
        fail_all(s);
        return;
    }
    pd_strbuf_putc(&arr, '{');
    for (i = 0; i < s->n; i++) {
        if (s->jobs[i].table == NULL)
            continue;
        if (n++ > 0)
            pd_strbuf_putc(&arr, ',');
        pd_strbuf_putc(&arr, '"');
        for (p = s->jobs[i].table; *p != '\0'; p++) {
            if (*p == '"' || *p == '\\')
                pd_strbuf_putc(&arr, '\\');
            pd_strbuf_putc(&arr, *p);
        }
        pd_strbuf_putc(&arr, '"');
    }
    pd_strbuf_putc(&arr, '}');
    free(s->tables_sql_param);
    s->tables_sql_param = pd_strbuf_steal(&arr);
    if (n == 0) {
        pd_sync_schedule(s);
        return;
    }
    p = s->tables_sql_param;
    if (pd_query_fetch(s->pool, catalog_sql, 1, &p, &o, on_catalog, s) != 0) {
        bad(s, NULL, "checking the tables failed: the pool is closing");
        fail_all(s);
    }
}

/* On the thread pool: read and parse one load file (touches only j). */
static void read_work(uv_work_t *w)
{
    job *j = w->data;
    FILE *f = fopen(j->path, "rb");
    pd_strbuf sb = PD_STRBUF_INIT;
    char buf[65536];
    size_t n;
    char *origin;

    if (f == NULL) {
        pd_error_set(&j->werr, PD_ERR_USAGE, "job %s: %s: %s", j->name,
                     j->file, strerror(errno));
        return;
    }
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        pd_strbuf_append(&sb, buf, n);
    if (ferror(f))
        pd_error_set(&j->werr, PD_ERR_USAGE, "job %s: %s: %s", j->name,
                     j->file, strerror(errno));
    fclose(f);
    if (!pd_error_isset(&j->werr)) {
        origin = pd_xasprintf("job %s: %s", j->name, j->file);
        if (pd_sync_load_parse(pd_strbuf_cstr(&sb), sb.len, origin,
                               (const char *const *)j->key, j->nkey,
                               &j->data, &j->werr) != 0)
            j->data = NULL; /* the error is in werr */
        free(origin);
    }
    pd_strbuf_free(&sb);
}

static void after_read(uv_work_t *w, int status)
{
    job *j = w->data;
    pd_sync *s = j->s;

    if (status != 0)
        pd_error_set(&j->werr, PD_ERR_USAGE, "job %s: %s: not read",
                     j->name, j->file);
    if (pd_error_isset(&j->werr))
        bad(s, j, j->werr.message);
    if (--s->pending_reads == 0)
        check_catalog(s);
}

void pd_sync_all_locked(pd_lock *lock, const pd_error *err, void *ctx)
{
    pd_sync *s = ctx;
    int i;

    (void)lock;
    if (err != NULL) {
        pd_sync_finish(s, err);
        return;
    }
    for (i = 0; i < s->n; i++) {
        job *j = &s->jobs[i];
        if (j->kind != PD_SYNC_LOAD)
            continue;
        j->work.data = j;
        if (uv_queue_work(s->loop, &j->work, read_work, after_read) == 0)
            s->pending_reads++;
        else
            bad(s, j, "cannot read the load files");
    }
    if (s->pending_reads == 0)
        check_catalog(s);
}
