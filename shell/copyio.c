/* copyio.c: \copy (see copyio.h).
 *
 * TO a file: the file is opened with uv_fs_open; COPY ... TO STDOUT runs
 * on the session's connection with a sink that counts the rows (one
 * CopyData message each) and queues the bytes; one uv_fs_write at a time
 * drains the queue, so the loop never waits on the disk. When the
 * statement and the last write are done, the file is closed and "COPY n"
 * printed.
 *
 * FROM a file: the file is read on the thread pool, then COPY ... FROM
 * STDIN runs with that data, which the core feeds as the socket takes it;
 * the server's "COPY n" is printed as for any statement.
 *
 * TO PROGRAM 'command' and FROM PROGRAM 'command' (psql's popen) run the
 * command through shell/cmdpipe.c on the loop: the rows are queued for
 * its standard input as they come, or its whole output is read first and
 * then copied in, as a file's would be. Its end is waited for, and a
 * failure said as psql says it ("cmd: child process exited with exit
 * code 3") after "COPY n". */
#include "shell/copyio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sqllex.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "shell/cmdpipe.h"
#include "shell/commands.h"

typedef struct copyjob {
    sh_session *s;
    char *sql;          /* owned: the COPY statement */
    char *path;         /* owned: the file (the command for a
                           program), or NULL for stdout */
    sh_cmdpipe *prog;   /* TO PROGRAM: the command, or NULL */
    bool prog_waited;   /* "COPY n" said; the program's end awaited */
    uv_fs_t req;        /* open, write, close: one at a time */
    uv_file fd;         /* the open file, or -1 */
    pd_strbuf pend;     /* data waiting for the write in flight */
    char *wbuf;         /* owned: the data being written */
    bool writing;       /* a uv_fs_write is in flight */
    bool query_done;    /* the COPY statement has ended */
    bool header;        /* CSV HEADER: the first message is no row */
    int status;         /* 0, or 1 after an error */
    long long msgs;     /* CopyData messages received */
    int werr;           /* first write error (uv code), or 0 */
} copyjob;

static void job_free(copyjob *j)
{
    free(j->sql);
    free(j->path);
    free(j->wbuf);
    pd_strbuf_free(&j->pend);
    free(j);
}

static void finish(copyjob *j);

/* "COPY n" after \copy to a file or program: the statement's own tag
 * was not printed, its rows being the output (query.c). */
static void say_count(copyjob *j)
{
    long long rows = j->msgs - (j->header && j->msgs > 0 ? 1 : 0);

    if (j->status == 0 && j->werr == 0 && j->msgs > 0 && j->path != NULL)
        fprintf(sh_session_out(j->s), "COPY %lld\n", rows);
}

/* The end: says how it went and ends the unit. A program's failure (why
 * not NULL) comes after its "COPY n", as psql's pclose comes after the
 * statement. */
static void complete(copyjob *j, const char *why)
{
    sh_session *s = j->s;
    int status = j->status;

    if (j->werr != 0) {
        sh_session_errorf(s, "%s: %s", j->path, strerror(-j->werr));
        status = 1;
    } else if (!j->prog_waited) {
        say_count(j);
    }
    if (why != NULL) {
        sh_session_errorf(s, "%s: %s", j->path, why);
        status = 1;
    }
    job_free(j);
    sh_session_unit_done(s, status);
}

static void on_closed(uv_fs_t *req)
{
    copyjob *j = req->data;

    uv_fs_req_cleanup(req);
    complete(j, NULL);
}

static void on_prog_done(int code, int sig, char *data, size_t len,
                         void *ctx)
{
    copyjob *j = ctx;
    char *why = sh_cmdpipe_describe(code, sig);

    (void)len;
    free(data);
    complete(j, why);
    free(why);
}

static void kick_write(copyjob *j);

static void on_written(uv_fs_t *req)
{
    copyjob *j = req->data;

    if (req->result < 0 && j->werr == 0)
        j->werr = (int)req->result;
    uv_fs_req_cleanup(req);
    j->writing = false;
    free(j->wbuf);
    j->wbuf = NULL;
    kick_write(j);
    if (!j->writing && j->query_done)
        finish(j);
}

/* Starts writing what is queued, unless a write is in flight. */
static void kick_write(copyjob *j)
{
    uv_buf_t buf;

    if (j->writing || j->pend.len == 0 || j->fd < 0)
        return;
    if (j->werr != 0) { /* the file is broken: drop the rest */
        pd_strbuf_reset(&j->pend);
        return;
    }
    buf = uv_buf_init(j->pend.buf, (unsigned)j->pend.len);
    j->wbuf = pd_strbuf_steal(&j->pend);
    j->req.data = j;
    if (uv_fs_write(pd_core_loop(sh_session_core(j->s)), &j->req, j->fd,
                    &buf, 1, -1, on_written) < 0) {
        free(j->wbuf);
        j->wbuf = NULL;
        j->werr = UV_EIO;
        return;
    }
    j->writing = true;
}

static void finish(copyjob *j)
{
    uv_file fd = j->fd;

    if (j->prog != NULL) { /* its input ends; its exit is waited for */
        say_count(j); /* before, as psql says it before its pclose */
        fflush(sh_session_out(j->s));
        j->prog_waited = true;
        sh_cmdpipe_close(j->prog, on_prog_done, j);
        j->prog = NULL;
        return;
    }
    j->fd = -1;
    j->req.data = j;
    if (fd < 0 || uv_fs_close(pd_core_loop(sh_session_core(j->s)), &j->req,
                              fd, on_closed) < 0)
        complete(j, NULL);
}

static void on_data(const char *data, size_t len, void *ctx)
{
    copyjob *j = ctx;

    j->msgs++;
    if (j->prog != NULL) {
        sh_cmdpipe_write(j->prog, data, len);
        return;
    }
    if (j->path == NULL) {
        fwrite(data, 1, len, sh_session_out(j->s));
        return;
    }
    pd_strbuf_append(&j->pend, data, len);
    kick_write(j);
}

static void on_copy_done(int status, void *ctx)
{
    copyjob *j = ctx;

    j->query_done = true;
    j->status = status != 0 ? 1 : 0;
    if (!j->writing)
        finish(j);
}

static void start_copy(copyjob *j)
{
    sh_sql_opts o = {.copy_out = on_data, .copy_ctx = j};

    if (sh_session_run_sql(j->s, j->sql, &o, on_copy_done, j) != 0) {
        j->status = 1;
        j->query_done = true;
        finish(j);
    }
}

static void on_opened(uv_fs_t *req)
{
    copyjob *j = req->data;
    sh_session *s = j->s;

    if (req->result < 0) {
        sh_session_errorf(s, "%s: %s", j->path,
                          strerror(-(int)req->result));
        uv_fs_req_cleanup(req);
        job_free(j);
        sh_session_unit_done(s, 1);
        return;
    }
    j->fd = (uv_file)req->result;
    uv_fs_req_cleanup(req);
    start_copy(j);
}

/* ---- parsing ---- */

/* True when the token at text is the word w (any case). */
static bool is_word(const char *text, const pd_sqltok *t, const char *w)
{
    return t->kind == PD_SQLTOK_IDENT && t->len == strlen(w) &&
           strncasecmp(text + t->start, w, t->len) == 0;
}

/* True when opts (COPY options text) asks for a header line. */
static bool wants_header(const char *opts)
{
    size_t len = strlen(opts), pos = 0;
    pd_sqltok t, n;

    while (pd_sqllex_next(opts, len, pos, &t)) {
        pos += t.len;
        if (!is_word(opts, &t, "header"))
            continue;
        while (pd_sqllex_next(opts, len, pos, &n) &&
               n.kind == PD_SQLTOK_SPACE)
            pos += n.len;
        if (pd_sqllex_next(opts, len, pos, &n) &&
            (is_word(opts, &n, "false") || is_word(opts, &n, "off") ||
             (n.kind == PD_SQLTOK_NUMBER && opts[n.start] == '0')))
            return false;
        return true;
    }
    return false;
}

/* Reads the file operand at *p: a '...' literal ('' is a quote) or a
 * word up to a blank; *quoted says which. Returns-owned, NULL when there
 * is none. */
static char *file_operand(const char **p, bool *quoted)
{
    const char *s = *p;
    pd_strbuf sb = PD_STRBUF_INIT;

    while (*s == ' ' || *s == '\t')
        s++;
    *quoted = *s == '\'';
    if (*s == '\0')
        return NULL;
    if (*s == '\'') {
        for (s++; *s; s++) {
            if (*s == '\'' && s[1] == '\'')
                pd_strbuf_putc(&sb, *s++);
            else if (*s == '\'') {
                s++;
                break;
            } else
                pd_strbuf_putc(&sb, *s);
        }
    } else {
        while (*s && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            pd_strbuf_putc(&sb, *s++);
    }
    *p = s;
    return pd_strbuf_steal(&sb);
}

/* ---- \copy ... from FILE ---- */

typedef struct fromjob {
    sh_session *s;
    char *sql;        /* owned: COPY ... FROM STDIN ... */
    char *path;       /* owned: the file, or the program's command */
    char *why;        /* owned: how the program failed, or NULL */
    uv_work_t work;   /* reads the file on the thread pool */
    pd_strbuf data;   /* the file's bytes */
    int rerr;         /* errno of a failed read, or 0 */
} fromjob;

static void from_free(fromjob *f)
{
    free(f->sql);
    free(f->path);
    free(f->why);
    pd_strbuf_free(&f->data);
    free(f);
}

/* On the thread pool: touches only f. */
static void read_work(uv_work_t *w)
{
    fromjob *f = w->data;
    FILE *fp = fopen(f->path, "rb");
    char buf[65536];
    size_t n;

    if (fp == NULL) {
        f->rerr = errno;
        return;
    }
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
        pd_strbuf_append(&f->data, buf, n);
    if (ferror(fp))
        f->rerr = errno;
    fclose(fp);
}

static void on_from_done(int status, void *ctx)
{
    fromjob *f = ctx;
    sh_session *s = f->s;

    if (f->why != NULL) { /* after "COPY n", as psql's pclose comes */
        sh_session_errorf(s, "%s: %s", f->path, f->why);
        status = 1;
    }
    from_free(f);
    sh_session_unit_done(s, status == 2 ? 1 : status);
}

/* The data is in: COPY ... FROM STDIN runs with it. */
static void copy_in(fromjob *f)
{
    sh_sql_opts o;

    memset(&o, 0, sizeof(o));
    o.copy_in = f->data.buf != NULL ? f->data.buf : "";
    o.copy_in_len = f->data.len;
    if (sh_session_run_sql(f->s, f->sql, &o, on_from_done, f) != 0)
        on_from_done(1, f);
}

static void after_read(uv_work_t *w, int status)
{
    fromjob *f = w->data;

    if (status != 0 || f->rerr != 0) {
        sh_session_errorf(f->s, "%s: %s", f->path,
                          strerror(f->rerr != 0 ? f->rerr : EIO));
        on_from_done(1, f);
        return;
    }
    copy_in(f);
}

/* FROM PROGRAM: its whole output is the data, as a file's would be. */
static void on_prog_read(int code, int sig, char *data, size_t len,
                         void *ctx)
{
    fromjob *f = ctx;

    pd_strbuf_append(&f->data, data, len);
    free(data);
    f->why = sh_cmdpipe_describe(code, sig);
    copy_in(f);
}

static int copy_from(sh_session *s, const char *args, size_t dir_at,
                     const char *rest, char *file, bool program)
{
    fromjob *f;
    char *home = getenv("HOME");
    int rc;

    if (program) {
        f = pd_xcalloc(1, sizeof(*f));
        f->s = s;
        f->sql = pd_xasprintf("COPY %.*s FROM STDIN %s", (int)dir_at, args,
                              rest);
        f->path = file;
        rc = sh_cmdpipe_read(pd_core_loop(sh_session_core(s)), file,
                             sh_env_vector(sh_session_env(s)), on_prog_read,
                             f);
        if (rc == 0)
            return SH_CMD_ASYNC;
        sh_session_errorf(s, "%s: %s", file, uv_strerror(rc));
        from_free(f);
        return 1;
    }
    f = pd_xcalloc(1, sizeof(*f));
    f->s = s;
    f->sql = pd_xasprintf("COPY %.*s FROM STDIN %s", (int)dir_at, args, rest);
    if (strcasecmp(file, "stdin") == 0 || strcasecmp(file, "pstdin") == 0) {
        /* The input reader took the lines after the command as its data
         * (sh_copyio_reads_input); without them (-c, \i) it fails. */
        size_t n;
        const char *d = sh_session_copy_data(s, &n);
        free(file);
        f->path = pd_xstrdup("stdin");
        if (d == NULL) {
            sh_session_errorf(s, "\\copy ... from stdin needs its data "
                                 "after the command in a script or at "
                                 "the prompt");
            from_free(f);
            return 1;
        }
        pd_strbuf_append(&f->data, d, n);
        copy_in(f);
        return SH_CMD_ASYNC;
    }
    if (file[0] == '~' && file[1] == '/' && home != NULL) {
        f->path = pd_xasprintf("%s%s", home, file + 1);
        free(file);
    } else {
        f->path = file;
    }
    f->work.data = f;
    if (uv_queue_work(pd_core_loop(sh_session_core(s)), &f->work, read_work,
                      after_read) != 0) {
        sh_session_errorf(s, "%s: could not read", f->path);
        from_free(f);
        return 1;
    }
    return SH_CMD_ASYNC;
}

/* TO PROGRAM: the command (cmd, taken) starts now, as psql's popen
 * comes before the COPY; the rows are queued for it as they come. */
static int copy_to_program(copyjob *j, char *cmd)
{
    sh_session *s = j->s;
    int uverr = 0;

    j->path = cmd;
    fflush(sh_session_out(s));
    j->prog = sh_cmdpipe_open_write(pd_core_loop(sh_session_core(s)), cmd,
                                    sh_env_vector(sh_session_env(s)),
                                    &uverr);
    if (j->prog == NULL) {
        sh_session_errorf(s, "%s: %s", cmd, uv_strerror(uverr));
        job_free(j);
        return 1;
    }
    start_copy(j);
    return SH_CMD_ASYNC;
}

/* \copy ... TO FILE | PROGRAM 'cmd' | STDOUT (file taken). */
static int copy_to(sh_session *s, const char *args, size_t dir_at,
                   const char *rest, char *file, bool program)
{
    char *home;
    copyjob *j;

    j = pd_xcalloc(1, sizeof(*j));
    j->s = s;
    j->fd = -1;
    j->header = wants_header(rest);
    j->sql = pd_xasprintf("COPY %.*s TO STDOUT %s", (int)dir_at, args, rest);
    if (program)
        return copy_to_program(j, file);
    if (strcasecmp(file, "stdout") == 0 || strcasecmp(file, "pstdout") == 0) {
        free(file);
        start_copy(j);
        return SH_CMD_ASYNC;
    }
    home = getenv("HOME");
    if (file[0] == '~' && file[1] == '/' && home != NULL) {
        j->path = pd_xasprintf("%s%s", home, file + 1);
        free(file);
    } else {
        j->path = file;
    }
    j->req.data = j;
    if (uv_fs_open(pd_core_loop(sh_session_core(s)), &j->req, j->path,
                   O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600,
                   on_opened) < 0) { /* private, as pgdeck's files are */
        sh_session_errorf(s, "%s: could not open", j->path);
        job_free(j);
        return 1;
    }
    return SH_CMD_ASYNC;
}

/* Runs \copy; see copyio.h. */
int sh_copyio_run(sh_session *s, const char *args)
{
    size_t len = strlen(args), pos = 0, dir_at = 0;
    const char *rest;
    char *file = NULL;
    bool from = false, found = false, quoted = false, program = false;
    int depth = 0;
    pd_sqltok t;

    /* The table (or parenthesized query) runs up to a top-level FROM or
     * TO. */
    while (pd_sqllex_next(args, len, pos, &t)) {
        if (t.kind == PD_SQLTOK_LPAREN)
            depth++;
        else if (t.kind == PD_SQLTOK_RPAREN)
            depth--;
        else if (depth == 0 && pos > 0 &&
                 (is_word(args, &t, "from") || is_word(args, &t, "to"))) {
            from = is_word(args, &t, "from");
            dir_at = pos;
            pos += t.len;
            found = true;
            break;
        }
        pos += t.len;
    }
    rest = args + pos;
    if (found && (file = file_operand(&rest, &quoted)) != NULL && !quoted &&
        strcasecmp(file, "program") == 0) {
        /* psql wants the command quoted: it catches most slips. */
        free(file);
        file = file_operand(&rest, &quoted);
        if (file != NULL && !quoted) {
            sh_session_errorf(s, "\\copy: parse error at \"%s\"", file);
            free(file);
            return 1;
        }
        program = true;
    }
    if (!found || file == NULL) {
        sh_session_errorf(s, "\\copy: parse error at end of line");
        free(file);
        return 1;
    }
    if (from)
        return copy_from(s, args, dir_at, rest, file, program);
    return copy_to(s, args, dir_at, rest, file, program);
}

/* Skips blanks and comments from *pos; fills t with the next token. */
static bool next_word(const char *u, size_t len, size_t *pos, pd_sqltok *t)
{
    while (pd_sqllex_next(u, len, *pos, t)) {
        if (t->kind != PD_SQLTOK_SPACE &&
            t->kind != PD_SQLTOK_LINE_COMMENT &&
            t->kind != PD_SQLTOK_BLOCK_COMMENT)
            return true;
        *pos += t->len;
    }
    return false;
}

/* See copyio.h. psql decides when the server asks for the data; the
 * input reader must know before it splits the next line, so the
 * statement's words decide: COPY, then a top-level FROM STDIN. */
int sh_copyio_reads_input(const char *unit)
{
    size_t len = strlen(unit), pos = 0;
    int depth = 0;
    bool cmd = false;
    pd_sqltok t;

    while (*unit == ' ' || *unit == '\t' || *unit == '\n')
        unit++, len--;
    if (strncmp(unit, "\\copy", 5) == 0 &&
        (unit[5] == ' ' || unit[5] == '\t')) {
        const char *p;
        char *file;
        bool quoted, from = false;
        for (pos = 5; next_word(unit, len, &pos, &t); pos += t.len) {
            if (t.kind == PD_SQLTOK_LPAREN)
                depth++;
            else if (t.kind == PD_SQLTOK_RPAREN)
                depth--;
            else if (depth == 0 && (from = is_word(unit, &t, "from")))
                break;
            else if (depth == 0 && is_word(unit, &t, "to"))
                return 0;
        }
        if (!from)
            return 0;
        p = unit + pos + t.len;
        file = file_operand(&p, &quoted);
        from = file != NULL && !quoted && (strcasecmp(file, "stdin") == 0 ||
                                           strcasecmp(file, "pstdin") == 0);
        free(file);
        return from ? 1 : 0;
    }
    if (!next_word(unit, len, &pos, &t) || !is_word(unit, &t, "copy"))
        return 0;
    for (pos += t.len; next_word(unit, len, &pos, &t); pos += t.len) {
        if (t.kind == PD_SQLTOK_LPAREN)
            depth++;
        else if (t.kind == PD_SQLTOK_RPAREN)
            depth--;
        else if (depth == 0 && is_word(unit, &t, "from"))
            cmd = true;
        else if (cmd) {
            return is_word(unit, &t, "stdin") ? 1 : 0;
        }
    }
    return 0;
}
