/* repl.c: the shell's read-split-run loop on the core's uv loop.
 *
 * On a terminal, readline runs in callback mode: a uv_poll_t on stdin feeds
 * it one character at a time, so the loop (pool, timers, a running query)
 * never waits for the user. While a unit runs, the readline handler is
 * removed and the poll stopped: typed-ahead text waits in the terminal.
 * Signals are ours (rl_catch_signals = 0): SIGINT and SIGWINCH come in as
 * uv_signal_t callbacks on the loop, not in signal context.
 *
 * Without a terminal (a pipe or a file on stdin), stdin is read in chunks
 * with uv_fs_read on the thread pool, which works for pipes, files and
 * devices alike, and the splitter's final unit is run at end of input. */
#include "shell/repl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <readline/history.h>
#include <readline/readline.h>

#include "core/sqlsplit.h"
#include "core/strbuf.h"
#include "core/version.h"
#include "core/xalloc.h"
#include "shell/complete.h"
#include "shell/copyio.h"
#include "shell/histfile.h"
#include "shell/jobs.h"
#include "shell/palette.h"

#define READ_CHUNK 65536
#define HISTORY_MAX 500 /* psql's HISTSIZE */

typedef struct repl {
    pd_core *core;          /* borrowed */
    sh_session *s;          /* borrowed */
    uv_loop_t *loop;        /* borrowed, the core's */
    pd_sqlsplit *sp;        /* owned */
    bool tty;               /* stdin and stdout are terminals: readline */
    uv_poll_t poll;         /* stdin readable, tty only */
    uv_signal_t sigint;     /* Ctrl-C */
    uv_signal_t sigwinch;   /* terminal resized, tty only */
    int open_handles;       /* handles not yet closed */
    int stdin_flags;        /* fcntl flags of stdin to restore, or -1 */
    uv_fs_t read_req;       /* stdin read, non-tty only */
    char *rbuf;             /* READ_CHUNK bytes for read_req, owned */
    bool reading;           /* read_req is in flight */
    bool eof;               /* no more input */
    bool handler_on;        /* the readline handler is installed */
    bool running;           /* a unit is executing */
    bool pumping;           /* inside pump(): a synchronous done_cb */
    bool quitting;          /* shutting down */
    bool waiting_jobs;      /* quitting once the \bg jobs have ended */
    bool jobs_canceled;     /* ... which have been asked to stop */
    char *unit;             /* the running unit, owned */
    char *prompt;           /* the prompt readline shows, owned */
    int status;             /* exit status */
    bool show_edit;         /* \\e left text: show it before the prompt */
    char *histpath;         /* owned: the history file, or NULL */
    sh_complete *comp;      /* owned: tab completion, tty only */
    char *copy_unit;        /* owned: a COPY ... FROM STDIN whose data
                               lines are being read, or NULL */
    pd_strbuf copy_buf;     /* its data so far; sent with the unit */
    bool copy_eof;          /* Ctrl-D ended the data (a terminal) */
} repl;

/* Readline's callback interface passes no context to its line handler;
 * readline itself is a process-wide singleton, so one shell at a time
 * owns it, through this pointer (set only while sh_repl_run runs). */
static repl *rl_owner;

static void pump(repl *r);
static void start_input(repl *r);

/* psql's PROMPT1/PROMPT2 "%/%R%x%# ": database, state character,
 * transaction mark, '#' for a superuser and '>' for anyone else. */
static char *make_prompt(repl *r, char state)
{
    const char *db = sh_session_dbname(r->s);
    const char *mark = "";

    switch (sh_session_txn_status(r->s)) {
    case PQTRANS_INTRANS:
        mark = "*";
        break;
    case PQTRANS_INERROR:
        mark = "!";
        break;
    default:
        break;
    }
    if (!sh_session_has_conn(r->s)) /* psql's %/%R%# with no pset.db */
        return pd_xasprintf("%c> ", state == '=' ? '!' : state);
    return pd_xasprintf("%s%c%s%c ", db != NULL ? db : "", state, mark,
                        sh_session_is_superuser(r->s) ? '#' : '>');
}

/* The prompt for readline (takes plain): in the theme's prompt colour on
 * a colour terminal, the colour codes between \001 and \002 so readline
 * knows they take no room; the trailing blank stays plain. */
static char *paint_prompt(char *plain)
{
    const char *sgr = sh_palette_start(stdout, SH_PAL_PROMPT);
    size_t n = strlen(plain);
    char *s;

    if (sgr[0] == '\0')
        return plain;
    while (n > 0 && plain[n - 1] == ' ')
        n--;
    s = pd_xasprintf("\001%s\002%.*s\001\033[0m\002%s", sgr, (int)n, plain,
                     plain + n);
    free(plain);
    return s;
}

static void update_term_cols(repl *r)
{
    struct winsize ws;

    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        sh_session_print_opts(r->s)->term_cols = ws.ws_col;
}

/* History gets every unit typed, de-duplicated, except anything that may
 * hold a password (histfile.c decides). */
static void remember(repl *r, const char *unit)
{
    if (!r->tty)
        return;
    sh_histfile_add(unit);
}

static void on_handle_closed(uv_handle_t *h)
{
    repl *r = h->data;

    r->open_handles--;
}

static void close_handle(uv_handle_t *h)
{
    if (h->data == NULL || uv_is_closing(h))
        return;
    uv_close(h, on_handle_closed);
}

static void stop_input(repl *r)
{
    if (!r->tty)
        return;
    if (r->poll.data != NULL && !uv_is_closing((uv_handle_t *)&r->poll))
        uv_poll_stop(&r->poll);
    if (r->handler_on) {
        rl_callback_handler_remove();
        r->handler_on = false;
    }
}

/* The last of quitting: the jobs' last announcements, then the loop
 * stops. */
static void quit_done(repl *r)
{
    r->waiting_jobs = false;
    sh_jobs_announce(r->s);
    close_handle((uv_handle_t *)&r->sigint);
    fflush(stdout);
    pd_core_stop(r->core);
}

/* Ends the shell: stops input and closes our handles; \bg jobs still
 * running are waited for (a person leaving a terminal has them canceled
 * first; a script's are let finish, as -c's are), then the loop stops.
 * A read in flight is waited for by sh_repl_run. */
static void quit(repl *r)
{
    int n;

    if (r->quitting)
        return;
    r->quitting = true;
    stop_input(r);
    if (r->tty)
        close_handle((uv_handle_t *)&r->poll);
    if (r->tty)
        close_handle((uv_handle_t *)&r->sigwinch);
    fflush(stdout);
    if ((n = sh_jobs_running(r->s)) > 0 && r->tty) {
        fprintf(stderr, "Canceling %d background job%s.\n", n,
                n == 1 ? "" : "s");
        sh_jobs_cancel_all(r->s);
        r->jobs_canceled = true;
    }
    r->waiting_jobs = sh_jobs_running(r->s) > 0;
    if (!r->waiting_jobs)
        quit_done(r);
}

/* A \bg job ended (jobs.h): at an idle prompt its announcement goes
 * above the prompt now, the line being typed kept as it is; while a unit
 * runs, pump() prints it after the unit's output. */
static void on_job_ready(void *ctx)
{
    repl *r = ctx;

    if (r->quitting) {
        if (r->waiting_jobs && sh_jobs_running(r->s) == 0)
            quit_done(r);
        return;
    }
    if (r->running)
        return;
    if (!r->tty) {
        sh_jobs_announce(r->s); /* no prompt on the screen */
        return;
    }
    if (!r->handler_on)
        return;
    /* Readline's way to write above its line: clear the lines it shows
     * (every row of a long line), print, then draw prompt and line again
     * below; the line buffer and the cursor are untouched. */
    rl_clear_visible_line();
    fflush(stdout);
    sh_jobs_announce(r->s);
    fflush(stdout);
    fflush(stderr);
    rl_on_new_line();
    rl_redisplay();
}

static void on_unit_done(int status, void *ctx)
{
    repl *r = ctx;

    /* psql goes on after an error, and so do we; but without a person at
     * the prompt, a lost server ends the session with status 2, as psql. */
    char *back;

    fflush(stdout);
    r->running = false;
    free(r->unit);
    r->unit = NULL;
    pd_strbuf_free(&r->copy_buf); /* the unit's COPY data, if any */
    /* A command that left the SQL in front of it ("SELECT 1 \\x") gives
     * it back, as psql keeps its query buffer; \\e's text is read as if
     * typed. */
    if ((back = sh_session_take_pending(r->s)) != NULL) {
        pd_sqlsplit_set_pending(r->sp, back, strlen(back));
        free(back);
    }
    if ((back = sh_session_take_feed(r->s)) != NULL) {
        if (r->tty) {
            sh_histfile_add(back);
            r->show_edit = true;
        }
        pd_sqlsplit_feed(r->sp, back, strlen(back));
        free(back);
    }
    if (status == 2 && !r->tty) {
        r->status = 2;
        quit(r);
    } else if (sh_session_quit_requested(r->s)) {
        /* A failed unit and a quit: ON_ERROR_STOP in a script, exit 3 as
         * psql. */
        if (status != 0 && !r->tty)
            r->status = 3;
        quit(r);
    }
    if (!r->pumping)
        pump(r);
}

/* The next complete unit, or the final one once input has ended. */
static char *next_unit(repl *r)
{
    char *unit = pd_sqlsplit_next(r->sp, NULL, NULL);

    if (unit == NULL && r->eof)
        unit = pd_sqlsplit_finish(r->sp, NULL, NULL);
    return unit;
}

/* A COPY ... FROM STDIN unit: its data lines are read before it runs
 * (psql reads them once the server asks; here the statement's words
 * told). At a terminal psql's invitation is shown. */
static void copy_start(repl *r, char *unit)
{
    r->copy_unit = unit;
    r->copy_eof = false;
    pd_strbuf_reset(&r->copy_buf);
    pd_sqlsplit_copy_begin(r->sp);
    if (r->tty && !sh_session_print_opts(r->s)->quiet)
        puts("Enter data to be copied followed by a newline.\n"
             "End with a backslash and a period on a line by itself, "
             "or an EOF signal.");
}

/* Moves the data lines fed so far into copy_buf. Returns the unit (owned)
 * once its data has ended, else NULL (more input is needed). */
static char *copy_take(repl *r)
{
    const char *d;
    size_t n;
    char *unit;

    if (!pd_sqlsplit_copy_data(r->sp, r->eof || r->copy_eof, &d, &n)) {
        pd_strbuf_append(&r->copy_buf, d, n);
        return NULL;
    }
    pd_strbuf_append(&r->copy_buf, d, n); /* buf set even when n is 0 */
    unit = r->copy_unit;
    r->copy_unit = NULL;
    r->copy_eof = false;
    sh_session_set_copy_data(r->s, r->copy_buf.buf, r->copy_buf.len);
    return unit;
}

/* Runs units one after another until one goes asynchronous or none is
 * left; then asks for more input. A backslash command may complete
 * synchronously: the loop here, not recursion, takes the next unit. */
static void pump(repl *r)
{
    r->pumping = true;
    while (!r->running && !r->quitting) {
        char *unit;

        if (r->copy_unit != NULL) {
            if ((unit = copy_take(r)) == NULL)
                break;
        } else {
            if ((unit = next_unit(r)) == NULL)
                break;
            sh_jobs_announce(r->s); /* between units: the terminal is
                                       free */
            remember(r, unit);
            if (sh_copyio_reads_input(unit)) {
                copy_start(r, unit);
                continue;
            }
        }
        r->unit = unit;
        r->running = true;
        if (sh_exec_unit(r->s, unit, on_unit_done, r) != 0) {
            r->running = false;
            free(r->unit);
            r->unit = NULL;
            pd_strbuf_free(&r->copy_buf);
            sh_session_set_copy_data(r->s, NULL, 0);
        }
    }
    r->pumping = false;
    if (r->running || r->quitting)
        return;
    if (r->eof) {
        quit(r);
        return;
    }
    sh_jobs_announce(r->s); /* jobs that ended during the unit */
    start_input(r);
}

/* Readline's line handler: line is returns-owned by readline, NULL at
 * Ctrl-D on an empty line. */
/* Which of psql's bare words line is: "help", "exit" or "quit" alone
 * (any case, then blanks and at most one ';'), as psql 11 and later read
 * them at a prompt. Returns 'h', 'q' or 0. */
static int bare_word(const char *line)
{
    const char *rest = line + 4;
    int w;

    if (strncasecmp(line, "help", 4) == 0)
        w = 'h';
    else if (strncasecmp(line, "exit", 4) == 0 ||
             strncasecmp(line, "quit", 4) == 0)
        w = 'q';
    else
        return 0;
    rest += strspn(rest, " \t\r\n\f\v");
    if (*rest == ';')
        rest++;
    rest += strspn(rest, " \t\r\n\f\v");
    return *rest == '\0' ? w : 0;
}

/* psql's answers to help / exit / quit typed at a prompt. With nothing
 * pending they act and the line is used up (true); otherwise a one-line
 * hint, and the line goes into the statement as psql's does (false). */
static bool answer_bare_word(repl *r, const char *line)
{
    int w = r->tty && r->copy_unit == NULL ? bare_word(line) : 0;
    const char *pending = w != 0 ? pd_sqlsplit_pending(r->sp) : NULL;
    pd_sqlsplit_state st;

    if (w == 0)
        return false;
    if (pending == NULL || pending[strspn(pending, " \t\r\n")] == '\0') {
        if (w == 'q') {
            fflush(stdout);
            quit(r);
            return true;
        }
        fputs("You are using pgdeck, a PostgreSQL shell and dashboard "
              "that reads psql's commands.\n"
              "Type:  \\? for help with pgdeck's commands\n"
              "       \\g or terminate with semicolon to execute query\n"
              "       \\q to quit\n",
              stdout);
        fflush(stdout);
        return true;
    }
    st = pd_sqlsplit_state_get(r->sp);
    if (w == 'h')
        puts("Use \\? for help or press control-C to clear the input "
             "buffer.");
    else if (st == PD_SQLSPLIT_READY || st == PD_SQLSPLIT_CONTINUE ||
             st == PD_SQLSPLIT_PAREN)
        puts("Use \\q to quit.");
    else
        puts("Use control-D to quit.");
    return false;
}

static void on_line(char *line)
{
    repl *r = rl_owner;

    stop_input(r);
    if (line == NULL && r->copy_unit != NULL) {
        /* Ctrl-D ends the COPY's data, not the session, as psql's. */
        r->copy_eof = true;
        pump(r);
        return;
    }
    if (line == NULL) {
        /* As psql: echo \q so the terminal does not end mid-line. */
        fputs("\\q\n", stdout);
        quit(r);
        return;
    }
    if (answer_bare_word(r, line)) {
        free(line);
        if (!r->quitting)
            start_input(r);
        return;
    }
    pd_sqlsplit_feed(r->sp, line, strlen(line));
    pd_sqlsplit_feed(r->sp, "\n", 1);
    free(line);
    pump(r);
}

static void on_stdin_readable(uv_poll_t *h, int status, int events)
{
    repl *r = h->data;

    (void)events;
    if (status < 0) {
        fprintf(stderr, "pgdeck: stdin: %s\n", uv_strerror(status));
        r->status = 1;
        quit(r);
        return;
    }
    if (r->handler_on)
        rl_callback_read_char();
}

static void on_read(uv_fs_t *req)
{
    repl *r = req->data;
    ssize_t n = req->result;

    uv_fs_req_cleanup(req);
    r->reading = false;
    if (n < 0) {
        fprintf(stderr, "pgdeck: stdin: %s\n", uv_strerror((int)n));
        r->status = 1;
        r->eof = true;
    } else if (n == 0) {
        r->eof = true;
    } else {
        pd_sqlsplit_feed(r->sp, r->rbuf, (size_t)n);
    }
    if (r->quitting)
        return;
    pump(r);
}

/* Asks for more input: shows the prompt, or starts the next read. */
static void start_input(repl *r)
{
    if (r->quitting)
        return;
    fflush(stdout);
    fflush(stderr);
    if (!r->tty) {
        uv_buf_t buf = uv_buf_init(r->rbuf, READ_CHUNK);
        int rc;

        if (r->reading)
            return;
        r->read_req.data = r;
        rc = uv_fs_read(r->loop, &r->read_req, STDIN_FILENO, &buf, 1, -1,
                        on_read);
        if (rc < 0) {
            fprintf(stderr, "pgdeck: stdin: %s\n", uv_strerror(rc));
            r->status = 1;
            quit(r);
            return;
        }
        r->reading = true;
        return;
    }
    free(r->prompt);
    if (r->show_edit) {
        /* As psql after \\e: the buffer that did not run is shown after
         * a fresh prompt, and input goes on below it. */
        const char *pending = pd_sqlsplit_pending(r->sp);
        size_t n = strlen(pending);
        char *p = make_prompt(r, '=');

        r->show_edit = false;
        while (n > 0 && pending[n - 1] == '\n')
            n--;
        if (n > 0)
            printf("%s%.*s\n", p, (int)n, pending);
        free(p);
    }
    if (r->copy_unit != NULL) /* psql's PROMPT3; data is no SQL */
        r->prompt = pd_xstrdup(">> ");
    else
        r->prompt = paint_prompt(make_prompt(
            r, pd_sqlsplit_prompt_char(pd_sqlsplit_state_get(r->sp))));
    /* A tab in COPY data is data, not a completion request. */
    rl_inhibit_completion = r->copy_unit != NULL;
    rl_callback_handler_install(r->prompt, on_line);
    r->handler_on = true;
    uv_poll_start(&r->poll, UV_READABLE, on_stdin_readable);
}

/* Ctrl-C: cancel the running unit; at the prompt, drop the line and the
 * pending statement (as psql does) and prompt again. */
static void on_sigint(uv_signal_t *h, int signum)
{
    repl *r = h->data;

    (void)signum;
    if (r->running) {
        sh_session_cancel(r->s);
        return;
    }
    if (r->waiting_jobs) {
        /* Leaving: Ctrl-C cancels the jobs waited for; once they were
         * asked, it stops waiting (they end with the process). A
         * script interrupted fails, as below. */
        if (!r->tty)
            r->status = 1;
        if (r->jobs_canceled) {
            quit_done(r);
        } else {
            sh_jobs_cancel_all(r->s);
            r->jobs_canceled = true;
        }
        return;
    }
    if (!r->tty) {
        r->status = 1;
        quit(r);
        return;
    }
    if (!r->handler_on)
        return;
    rl_free_line_state();
    rl_callback_sigcleanup();
    rl_replace_line("", 0);
    rl_point = rl_end = rl_mark = 0;
    stop_input(r);
    fputs("\n", stdout);
    pd_sqlsplit_reset(r->sp);
    free(r->copy_unit); /* Ctrl-C during COPY data: the COPY is dropped */
    r->copy_unit = NULL;
    pd_strbuf_free(&r->copy_buf);
    start_input(r);
}

static void on_sigwinch(uv_signal_t *h, int signum)
{
    repl *r = h->data;

    (void)signum;
    update_term_cols(r);
    if (r->handler_on)
        rl_resize_terminal();
}

/* Opens the handles for the input mode. Returns 0 or a negative uv
 * error (some handles may be open: quit() closes them). */
static int open_input(repl *r)
{
    int rc;

    rc = uv_signal_init(r->loop, &r->sigint);
    if (rc < 0)
        return rc;
    r->sigint.data = r;
    r->open_handles++;
    rc = uv_signal_start(&r->sigint, on_sigint, SIGINT);
    if (rc < 0 || !r->tty)
        return rc;

    rc = uv_signal_init(r->loop, &r->sigwinch);
    if (rc < 0)
        return rc;
    r->sigwinch.data = r;
    r->open_handles++;
    rc = uv_signal_start(&r->sigwinch, on_sigwinch, SIGWINCH);
    if (rc < 0)
        return rc;

    r->stdin_flags = fcntl(STDIN_FILENO, F_GETFL);
    rc = uv_poll_init(r->loop, &r->poll, STDIN_FILENO);
    if (rc < 0)
        return rc;
    r->poll.data = r;
    r->open_handles++;
    /* uv_poll_init made stdin non-blocking; the terminal's file is shared
     * with stdout, whose writes must not fail with EAGAIN. Readiness
     * works the same on a blocking descriptor. */
    if (r->stdin_flags >= 0)
        fcntl(STDIN_FILENO, F_SETFL, r->stdin_flags);
    return 0;
}

/* The statement typed on earlier lines, for completion. */
static const char *pending_text(void *ctx)
{
    repl *r = ctx;

    return pd_sqlsplit_pending(r->sp);
}

/* Readline, the history file (read now, before the loop runs) and the
 * completer (its catalog loads while the user types). */
static void setup_readline(repl *r)
{
    int rc;

    rl_readline_name = "pgdeck";
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_change_environment = 0;
    using_history();
    r->histpath = sh_histfile_path();
    if (r->histpath != NULL &&
        (rc = sh_histfile_load(r->histpath)) != 0)
        fprintf(stderr, "pgdeck: could not read history file \"%s\": %s\n",
                r->histpath, strerror(-rc));
    r->comp = sh_complete_new(r->core, r->s);
    sh_complete_install(r->comp, pending_text, r);
}

/* Runs the shell. See the contract in repl.h. */
int sh_repl_run(pd_core *core, sh_session *s)
{
    repl r;
    int rc;

    memset(&r, 0, sizeof(r));
    r.core = core;
    r.s = s;
    r.loop = pd_core_loop(core);
    r.sp = pd_sqlsplit_new();
    r.stdin_flags = -1;
    r.tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    sh_session_set_interactive(s, r.tty);
    if (r.tty) {
        setup_readline(&r);
        update_term_cols(&r);
    } else {
        r.rbuf = pd_xmalloc(READ_CHUNK);
    }
    rl_owner = &r;
    sh_jobs_set_ready_cb(s, on_job_ready, &r);

    rc = open_input(&r);
    if (rc < 0) {
        fprintf(stderr, "pgdeck: stdin: %s\n", uv_strerror(rc));
        r.status = 1;
        quit(&r);
    } else {
        if (r.tty) { /* psql's banner, at a terminal only */
            const char *sv = sh_session_server_version(s);

            if (sv == NULL)
                sv = "unknown";
            /* "15.18", not the packager's suffix after it, as psql's */
            printf("pgdeck %s (server %.*s)\nType \"help\" for help.\n\n",
                   PD_VERSION, (int)strcspn(sv, " "), sv);
        }
        start_input(&r);
        pd_core_run(core);
    }

    /* pd_core_stop may end the loop before our close callbacks ran, and a
     * read on the thread pool cannot be taken back: wait for both. */
    quit(&r);
    while (r.open_handles > 0 || r.reading)
        uv_run(r.loop, UV_RUN_ONCE);

    if (r.stdin_flags >= 0)
        fcntl(STDIN_FILENO, F_SETFL, r.stdin_flags);
    fflush(stdout);
    /* The loop has ended: writing the history file blocks no one. */
    if (r.histpath != NULL &&
        (rc = sh_histfile_save(r.histpath, HISTORY_MAX)) != 0)
        fprintf(stderr, "pgdeck: could not save history to file \"%s\": "
                        "%s\n", r.histpath, strerror(-rc));
    sh_complete_free(r.comp);
    free(r.histpath);
    sh_jobs_set_ready_cb(s, NULL, NULL);
    rl_owner = NULL;
    free(r.unit);
    free(r.copy_unit);
    pd_strbuf_free(&r.copy_buf);
    free(r.prompt);
    free(r.rbuf);
    pd_sqlsplit_free(r.sp);
    return r.status;
}
