/* jobs_cmd.c: \bg SQL, \jobs [N | cancel N], and the announcements of
 * jobs that ended (see jobs.h for what is printed where and when). */
#include "shell/jobs_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "shell/commands.h"
#include "shell/palette.h"
#include "shell/vars.h"

#define SQL_SHOWN 60 /* bytes of a job's SQL in its status line */

static const char *const state_names[] = {
    [SH_JOB_WAITING] = "waiting",   [SH_JOB_RUNNING] = "running",
    [SH_JOB_DONE] = "done",         [SH_JOB_FAILED] = "failed",
    [SH_JOB_CANCELED] = "canceled",
};

/* Returns-owned sql on one line (blank runs made one space), cut to
 * SQL_SHOWN bytes on a character boundary with "..." when longer. */
static char *one_line(const char *sql)
{
    size_t n = strlen(sql), k = 0, i;
    char *s = pd_xmalloc(n + 1);

    for (i = 0; i < n; i++) {
        if (isspace((unsigned char)sql[i])) {
            if (k > 0 && s[k - 1] != ' ')
                s[k++] = ' ';
        } else {
            s[k++] = sql[i];
        }
    }
    while (k > 0 && s[k - 1] == ' ')
        k--;
    if (k > SQL_SHOWN) {
        k = SQL_SHOWN - 3;
        while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
            k--;
        memcpy(s + k, "...", 3);
        k += 3;
    }
    s[k] = '\0';
    return s;
}

static double seconds(const sh_job *j)
{
    uint64_t end = j->t1_ns != 0 ? j->t1_ns : uv_hrtime();

    return (double)(end - j->t0_ns) / 1e9;
}

/* " (1 row)", " (12 rows; \jobs 3 shows them)", " (UPDATE 5)", or "". */
static char *summary(const sh_job *j, bool inline_rows)
{
    char *what, *s;

    if (j->rows >= 0)
        what = pd_xasprintf("%lld row%s", (long long)j->rows,
                            j->rows == 1 ? "" : "s");
    else if (j->tag != NULL)
        what = pd_xstrdup(j->tag);
    else
        return pd_xstrdup("");
    if (j->dropped)
        s = pd_xasprintf(" (%s; not kept: over %d rows or too big)", what,
                         SH_JOBS_KEEP_ROWS);
    else if (!inline_rows && j->res != NULL)
        s = pd_xasprintf(" (%s; \\jobs %d shows them)", what, j->id);
    else
        s = pd_xasprintf(" (%s)", what);
    free(what);
    return s;
}

/* "[N] WORD" in the colour of use, when f is a terminal. */
static void put_head(FILE *f, const sh_job *j, sh_palette_use use)
{
    fprintf(f, "%s[%d] %s%s", sh_palette_start(f, use), j->id,
            state_names[j->state], sh_palette_end(f, use));
}

/* The notices, then the results (when shown), as the session prints
 * them: notices on its error stream before the rows, as psql. */
static void put_results(sh_session *s, const sh_job *j, bool show)
{
    const pd_result *r;

    if (j->notices.len > 0) {
        fflush(sh_session_out(s));
        sh_print_notice(sh_session_err(s), pd_strbuf_cstr(&j->notices));
    }
    for (r = show ? j->res : NULL; r != NULL; r = pd_result_next(r))
        sh_session_print(s, r);
}

/* What became of j: its status line, then its notices, results and
 * error. full (\jobs N): every kept row; else rows only up to
 * SH_JOBS_INLINE_ROWS. */
static void print_outcome(sh_session *s, const sh_job *j, bool full)
{
    FILE *out = sh_session_out(s), *err = sh_session_err(s);
    bool show = full || j->rows <= SH_JOBS_INLINE_ROWS;
    char *sql = one_line(j->sql), *sum = summary(j, show);

    switch (j->state) {
    case SH_JOB_WAITING:
    case SH_JOB_RUNNING:
        put_head(out, j, SH_PAL_NOTE);
        fprintf(out, " for %.3f s: %s\n", seconds(j), sql);
        break;
    case SH_JOB_DONE:
        put_head(out, j, SH_PAL_OK);
        fprintf(out, " in %.3f s: %s%s\n", seconds(j), sql, sum);
        put_results(s, j, show);
        break;
    case SH_JOB_FAILED:
        fflush(out);
        put_head(err, j, SH_PAL_ERROR);
        fprintf(err, " in %.3f s: %s\n", seconds(j), sql);
        put_results(s, j, show); /* what ran before the error, as psql */
        fflush(out);
        sh_print_error(err, &j->err, NULL);
        break;
    case SH_JOB_CANCELED:
        put_head(out, j, SH_PAL_WARNING);
        if (j->cancel_asked)
            fprintf(out, " after %.3f s: %s\n", seconds(j), sql);
        else
            fprintf(out, " before it started: %s\n", sql);
        break;
    }
    free(sql);
    free(sum);
}

/* Prints what became of every job of s that ended since the last call,
 * in the order they were started, and trims the list. The caller makes
 * sure the terminal is free (no prompt shown, no output running).
 * Returns how many it printed. */
int sh_jobs_announce(sh_session *s)
{
    sh_jobs *jobs = sh_jobs_of(s);
    sh_job *j;
    int n = 0;

    for (j = jobs->head; j != NULL; j = j->next) {
        if (j->announced || j->state == SH_JOB_WAITING ||
            j->state == SH_JOB_RUNNING)
            continue;
        print_outcome(s, j, false);
        j->announced = true;
        n++;
    }
    if (n > 0) {
        fflush(sh_session_out(s));
        fflush(sh_session_err(s));
        sh_jobs_trim(jobs);
    }
    return n;
}

/* \bg SQL, or "SQL \bg": runs it on a connection of its own and comes
 * back at once. */
static int cmd_bg(sh_session *s, const char *args)
{
    FILE *out = sh_session_out(s);
    char *sql;
    sh_job *j;

    sql = args[0] != '\0' ? sh_vars_interpolate(sh_session_vars(s), args)
                          : sh_session_take_query_buf(s);
    if (sql == NULL || sql[strspn(sql, " \t\r\n;")] == '\0') {
        free(sql);
        sh_session_errorf(s, "\\bg: give a statement to run in the "
                             "background");
        return 1;
    }
    if (sh_jobs_start(s, sql, &j) != 0) {
        sh_session_errorf(s, "\\bg: no connection can be had now");
        return 1;
    }
    if (!sh_session_print_opts(s)->quiet)
        fprintf(out, "%s[%d] started%s\n", sh_palette_start(out, SH_PAL_NOTE),
                j->id, sh_palette_end(out, SH_PAL_NOTE));
    return 0;
}

/* \jobs: one row a job. */
static void list_jobs(sh_session *s, sh_jobs *jobs)
{
    static const char *const names[5] = {"Job", "State", "Elapsed", "Rows",
                                         "SQL"};
    static const uint32_t types[5] = {PD_OID_INT4, PD_OID_TEXT, PD_OID_TEXT,
                                      PD_OID_INT8, PD_OID_TEXT};
    pd_result *r;
    sh_job *j;

    if (jobs->head == NULL) {
        fputs("No background jobs.\n", sh_session_out(s));
        return;
    }
    r = pd_result_new(5, names, types);
    for (j = jobs->head; j != NULL; j = j->next) {
        char id[16], secs[32], rows[24], *sql = one_line(j->sql);
        const char *row[5] = {id, state_names[j->state], secs, NULL, sql};

        snprintf(id, sizeof(id), "%d", j->id);
        snprintf(secs, sizeof(secs), "%.3f s", seconds(j));
        snprintf(rows, sizeof(rows), "%lld", (long long)j->rows);
        if (j->rows >= 0)
            row[3] = rows;
        pd_result_add_row(r, row);
        free(sql);
    }
    sh_format_print_titled(sh_session_out(s), r, "Background jobs", NULL, 0,
                           sh_session_print_opts(s));
    pd_result_free(r);
}

/* The job a \jobs argument names, or NULL with the error said. */
static sh_job *job_arg(sh_session *s, sh_jobs *jobs, const char *arg)
{
    char *end;
    long id = arg != NULL ? strtol(arg, &end, 10) : 0;
    sh_job *j;

    if (arg == NULL || *end != '\0' || id <= 0 || id > 1000000000) {
        sh_session_errorf(s, "\\jobs: a job number is expected, as in "
                             "\\jobs 1 or \\jobs cancel 1");
        return NULL;
    }
    if ((j = sh_jobs_find(jobs, (int)id)) == NULL)
        sh_session_errorf(s, "\\jobs: no job %ld (\\jobs lists them)", id);
    return j;
}

/* \jobs cancel N: see sh_jobs_cancel. */
static int cancel_job(sh_session *s, sh_job *j)
{
    FILE *out = sh_session_out(s);

    switch (sh_jobs_cancel(j)) {
    case 0:
        print_outcome(s, j, false);
        j->announced = true;
        return 0;
    case 1:
        fprintf(out, "[%d] cancel request sent\n", j->id);
        return 0;
    default:
        sh_session_errorf(s, "\\jobs: job %d is not running (%s)", j->id,
                          state_names[j->state]);
        return 1;
    }
}

static int cmd_jobs(sh_session *s, const char *args)
{
    sh_jobs *jobs = sh_jobs_of(s);
    const char *p = args;
    char *w = sh_vars_next_arg(sh_session_vars(s), &p), *n = NULL;
    sh_job *j;
    int rc = 1;

    if (w == NULL) {
        list_jobs(s, jobs);
        return 0;
    }
    if (strcmp(w, "cancel") == 0) {
        n = sh_vars_next_arg(sh_session_vars(s), &p);
        if ((j = job_arg(s, jobs, n)) != NULL)
            rc = cancel_job(s, j);
    } else if ((j = job_arg(s, jobs, w)) != NULL) {
        print_outcome(s, j, true);
        rc = 0;
    }
    free(w);
    free(n);
    return rc;
}

const sh_cmd sh_jobs_commands[] = {
    {"bg", cmd_bg, "\\bg SQL",
     "run SQL in the background on its own connection; announced when done"},
    {"jobs", cmd_jobs, "\\jobs [N | cancel N]",
     "list background jobs, show job N's result, or cancel it"},
    {NULL, NULL, NULL, NULL},
};
