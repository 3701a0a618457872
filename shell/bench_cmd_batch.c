/* bench_cmd_batch.c: the shell's \batch FILE [header] SQL (see
 * bench_cmd_internal.h). The file is read with uv_fs (the loop keeps
 * running: the dashboard's command line uses the same commands), its CSV
 * or JSON rows turned into parameter sets and handed to core/batch. */
#include "shell/bench_cmd.h"
#include "shell/bench_cmd_internal.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "core/batch.h"
#include "core/core.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

/* Parameter rows read from a file: nrows x ncols values, row after row,
 * each owned (NULL for SQL NULL). */
typedef struct rows {
    char **v;
    size_t n, cap;
    size_t nrows;
    int ncols;
    bool header_width; /* ncols came from a skipped header line */
} rows;

static void rows_add(rows *r, char *val)
{
    if (r->n == r->cap) {
        r->cap = r->cap > 0 ? r->cap * 2 : 256;
        r->v = pd_xrealloc(r->v, r->cap * sizeof(char *));
    }
    r->v[r->n++] = val;
}

static void rows_free(rows *r)
{
    size_t i;

    for (i = 0; i < r->n; i++)
        free(r->v[i]);
    free(r->v);
    memset(r, 0, sizeof(*r));
}

/* Ends a row of `got` values: the first row sets the width. */
static int rows_end(rows *r, int got, size_t where, const char *what,
                    char *why, size_t whylen)
{
    if (r->nrows == 0 && !r->header_width)
        r->ncols = got;
    else if (got != r->ncols)
        return sh_bench_cmd_bad(why, whylen, "%s %zu has %d values, the "
                                "first %s has %d", what, where, got,
                                r->header_width ? "line (the header)"
                                                : "row", r->ncols);
    r->nrows++;
    return 0;
}

/* CSV as RFC 4180 and COPY read it: ',' between fields, '"' quotes with
 * "" inside, CRLF or LF between records, an unquoted empty field is NULL
 * and a quoted one is the empty string. Blank lines are skipped. Every
 * record is a parameter row, but the first when header (as COPY's CSV
 * HEADER: skipped, though its count of fields sets the row width). */
static int parse_csv(const char *p, size_t len, bool header, rows *r,
                     char *why, size_t whylen)
{
    const char *end = p + len;
    size_t line = 1;
    pd_strbuf f = PD_STRBUF_INIT;
    int rc = 0;

    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* a UTF-8 byte order mark */
    while (p < end && rc == 0) {
        int got = 0;
        size_t start_line = line;

        if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {
            p += *p == '\r' ? 2 : 1; /* a blank line */
            line++;
            continue;
        }
        for (;;) {
            bool quoted = false;
            pd_strbuf_reset(&f);
            if (p < end && *p == '"') {
                quoted = true;
                for (p++;; p++) {
                    if (p >= end) {
                        rc = sh_bench_cmd_bad(why, whylen, "line %zu: "
                                              "unterminated quoted field",
                                              start_line);
                        goto out;
                    }
                    if (*p == '"' && p + 1 < end && p[1] == '"') {
                        pd_strbuf_putc(&f, '"');
                        p++;
                    } else if (*p == '"') {
                        p++;
                        break;
                    } else {
                        if (*p == '\n')
                            line++;
                        pd_strbuf_putc(&f, *p);
                    }
                }
            }
            while (p < end && *p != ',' && *p != '\n' &&
                   !(*p == '\r' && (p + 1 == end || p[1] == '\n'))) {
                if (quoted) {
                    rc = sh_bench_cmd_bad(why, whylen, "line %zu: text "
                                          "after a closing quote", line);
                    goto out;
                }
                pd_strbuf_putc(&f, *p++);
            }
            rows_add(r, quoted || f.len > 0 ? pd_xstrdup(pd_strbuf_cstr(&f))
                                            : NULL);
            got++;
            if (p < end && *p == ',') {
                p++;
                continue;
            }
            break;
        }
        if (p < end && *p == '\r')
            p++;
        if (p < end && *p == '\n') {
            p++;
            line++;
        }
        rc = rows_end(r, got, start_line, "line", why, whylen);
        if (rc == 0 && header && r->nrows == 1) {
            /* The names are no parameters: drop them, keep the width. */
            int c;
            for (c = 0; c < r->ncols; c++)
                free(r->v[c]);
            r->n = 0;
            r->nrows = 0;
            header = false;
            r->header_width = true;
        }
    }
out:
    pd_strbuf_free(&f);
    return rc;
}

/* One JSON value as a parameter: strings as they are, null as NULL,
 * anything else as its JSON text (numbers, booleans, json/jsonb). */
static char *json_param(const cJSON *v)
{
    if (cJSON_IsNull(v))
        return NULL;
    if (cJSON_IsString(v))
        return pd_xstrdup(v->valuestring);
    if (cJSON_IsBool(v))
        return pd_xstrdup(cJSON_IsTrue(v) ? "true" : "false");
    {
        char *s = cJSON_PrintUnformatted(v), *out;
        if (s == NULL)
            pd_fatal("out of memory");
        out = pd_xstrdup(s);
        cJSON_free(s);
        return out;
    }
}

/* A JSON array of arrays (values in order) or of objects (their values in
 * the order written). */
static int parse_json(const char *p, size_t len, rows *r, char *why,
                      size_t whylen)
{
    cJSON *root = cJSON_ParseWithLength(p, len), *row, *v;
    size_t i = 0;
    int rc = 0;

    if (root == NULL || !cJSON_IsArray(root)) {
        cJSON_Delete(root);
        return sh_bench_cmd_bad(why, whylen, "not a JSON array of arrays "
                                "or objects");
    }
    cJSON_ArrayForEach(row, root) {
        int got = 0;
        i++;
        if (!cJSON_IsArray(row) && !cJSON_IsObject(row)) {
            rc = sh_bench_cmd_bad(why, whylen, "element %zu is not an array "
                                  "or an object", i);
            break;
        }
        cJSON_ArrayForEach(v, row) {
            rows_add(r, json_param(v));
            got++;
        }
        if ((rc = rows_end(r, got, i, "element", why, whylen)) != 0)
            break;
    }
    cJSON_Delete(root);
    return rc;
}

typedef struct batch_job {
    sh_session *s;   /* borrowed */
    char *path;      /* owned */
    char *sql;       /* owned */
    bool header;     /* CSV: the first line names the columns */
    uv_fs_t req;
    uv_file fd;
    pd_strbuf data;  /* the file */
    char chunk[65536];
    rows rows;
} batch_job;

static void job_end(batch_job *j, int status)
{
    sh_session *s = j->s;

    uv_fs_req_cleanup(&j->req);
    rows_free(&j->rows);
    pd_strbuf_free(&j->data);
    free(j->path);
    free(j->sql);
    free(j);
    sh_session_unit_done(s, status);
}

static void on_batched(const pd_batch_result *res, const pd_error *err,
                       void *ctx)
{
    batch_job *j = ctx;

    if (err != NULL) {
        sh_session_print_error(j->s, err);
        job_end(j, 1);
        return;
    }
    if (!sh_session_print_opts(j->s)->quiet)
        fprintf(sh_session_out(j->s), "BATCH %zu\n", res->rows);
    job_end(j, 0);
}

static void run_rows(batch_job *j)
{
    char why[256];
    const char *p = pd_strbuf_cstr(&j->data);
    size_t len = j->data.len, k = 0;
    pd_batch_opts o;
    int rc;

    while (k < len && isspace((unsigned char)p[k]))
        k++;
    rc = k < len && p[k] == '['
             ? parse_json(p, len, &j->rows, why, sizeof(why))
             : parse_csv(p, len, j->header, &j->rows, why, sizeof(why));
    if (rc != 0) {
        sh_session_errorf(j->s, "\\batch: %s: %s", j->path, why);
        job_end(j, 1);
        return;
    }
    memset(&o, 0, sizeof(o));
    o.source = "shell";
    if (pd_batch_run(pd_core_pool(sh_session_core(j->s)), j->sql,
                     j->rows.nrows, j->rows.ncols,
                     (const char *const *)j->rows.v, &o, on_batched,
                     j) != 0) {
        sh_session_errorf(j->s, "\\batch: the pool is closing");
        job_end(j, 1);
    }
}

static void on_closed(uv_fs_t *req)
{
    batch_job *j = req->data;

    uv_fs_req_cleanup(req);
    run_rows(j);
}

static void fs_failed(batch_job *j, ssize_t rc)
{
    sh_session_errorf(j->s, "\\batch: %s: %s", j->path,
                      uv_strerror((int)rc));
    if (j->fd >= 0) {
        uv_fs_t close_req;
        uv_fs_req_cleanup(&j->req);
        /* Synchronous close of a local file (no callback): brief, and
         * only on this error path. */
        uv_fs_close(NULL, &close_req, j->fd, NULL);
        uv_fs_req_cleanup(&close_req);
    }
    job_end(j, 1);
}

static void on_read(uv_fs_t *req)
{
    batch_job *j = req->data;
    ssize_t n = req->result;
    uv_buf_t buf;
    int rc;

    if (n < 0) {
        fs_failed(j, n);
        return;
    }
    uv_fs_req_cleanup(req);
    if (n == 0) {
        rc = uv_fs_close(pd_core_loop(sh_session_core(j->s)), &j->req,
                         j->fd, on_closed);
        j->fd = -1;
        if (rc != 0)
            run_rows(j); /* nothing to wait for: the data is read */
        return;
    }
    pd_strbuf_append(&j->data, j->chunk, (size_t)n);
    buf = uv_buf_init(j->chunk, sizeof(j->chunk));
    rc = uv_fs_read(pd_core_loop(sh_session_core(j->s)), &j->req, j->fd,
                    &buf, 1, -1, on_read);
    if (rc != 0)
        fs_failed(j, rc);
}

static void on_open(uv_fs_t *req)
{
    batch_job *j = req->data;
    uv_buf_t buf;
    int rc;

    if (req->result < 0) {
        fs_failed(j, req->result);
        return;
    }
    j->fd = (uv_file)req->result;
    uv_fs_req_cleanup(req);
    buf = uv_buf_init(j->chunk, sizeof(j->chunk));
    rc = uv_fs_read(pd_core_loop(sh_session_core(j->s)), &j->req, j->fd,
                    &buf, 1, -1, on_read);
    if (rc != 0)
        fs_failed(j, rc);
}

/* \batch FILE [header] SQL: FILE is a word, quoted with '...' when it has
 * blanks; the word "header" says a CSV file's first line names the columns
 * (as \copy's csv header; no SQL statement starts with it); SQL is the
 * rest of the line. Without it every line of a CSV file is data. */
int sh_bench_cmd_batch(sh_session *s, const char *args)
{
    batch_job *j;
    pd_strbuf path = PD_STRBUF_INIT;
    const char *p = args;
    bool header = false;
    int rc;

    if (*p == '\'') {
        for (p++; *p != '\0'; p++) {
            if (*p == '\'' && p[1] == '\'')
                pd_strbuf_putc(&path, *p++);
            else if (*p == '\'')
                break;
            else
                pd_strbuf_putc(&path, *p);
        }
        if (*p == '\'')
            p++;
    } else {
        while (*p != '\0' && !isspace((unsigned char)*p))
            pd_strbuf_putc(&path, *p++);
    }
    while (isspace((unsigned char)*p))
        p++;
    if (strncasecmp(p, "header", 6) == 0 &&
        (p[6] == '\0' || isspace((unsigned char)p[6]))) {
        header = true;
        for (p += 6; isspace((unsigned char)*p); p++)
            ;
    }
    if (path.len == 0 || *p == '\0') {
        pd_strbuf_free(&path);
        sh_session_errorf(s, "\\batch: usage: \\batch FILE [header] SQL "
                          "(one row of FILE, CSV or JSON, per execution of "
                          "SQL; without header every CSV line is data)");
        return 1;
    }
    j = pd_xcalloc(1, sizeof(*j));
    j->s = s;
    j->path = pd_strbuf_steal(&path);
    j->sql = pd_xstrdup(p);
    j->header = header;
    j->fd = -1;
    j->req.data = j;
    rc = uv_fs_open(pd_core_loop(sh_session_core(s)), &j->req, j->path,
                    O_RDONLY, 0, on_open);
    if (rc != 0) {
        sh_session_errorf(s, "\\batch: %s: %s", j->path, uv_strerror(rc));
        uv_fs_req_cleanup(&j->req);
        free(j->path);
        free(j->sql);
        free(j);
        return 1;
    }
    return SH_CMD_ASYNC;
}
