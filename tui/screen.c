/* screen.c: the ncurses singleton (see screen.h).
 *
 * Input is read from a second open of the terminal (ttyname(0)), not from
 * fd 0: uv_poll_init makes its descriptor non-blocking, and fd 0 shares
 * its open file description with stdout and with the parent shell, which
 * must not be left non-blocking. The signal watchers start before newterm
 * so that ncurses sees handlers in place and does not install its own
 * SIGINT/SIGTERM/SIGWINCH handlers (which would exit behind the loop's
 * back). */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <curses.h>

#include "core/xalloc.h"
#include "tui/screen.h"

#define HANGUP_LIMIT 3 /* readable with nothing to read, in a row */
#define ESC 27
#define SEQ_MAX 16 /* bytes of an unknown escape sequence skipped */

static const int quit_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NQUIT ((int)(sizeof(quit_signals) / sizeof(quit_signals[0])))

static struct {
    bool active;             /* curses owns the terminal */
    bool started;            /* handles initialised (until closed) */
    int pending;             /* handles still closing */
    SCREEN *scr;             /* from newterm */
    FILE *in;                /* our own open of the terminal, for input */
    int hangups;             /* readable events that read nothing */
    uv_poll_t input;         /* on fileno(in) */
    uv_signal_t winch;       /* SIGWINCH */
    uv_signal_t quit[NQUIT]; /* quit_signals */
    uv_prepare_t render;     /* the render pass */
    tui_screen_cbs cbs;
    void *ctx;
} S;

static void restore_terminal(void)
{
    if (!S.active)
        return;
    S.active = false;
    endwin();
}

/* Restores the terminal if the dashboard holds it; safe to call at any
 * time and more than once (the fatal hook, a crash path). Does not free
 * anything. */
void tui_screen_emergency_restore(void)
{
    restore_terminal();
}

static void on_render(uv_prepare_t *h)
{
    (void)h;
    if (S.active && S.cbs.render(S.ctx))
        doupdate();
}

/* After ESC and the '[' (CSI) or 'O' (SS3) that followed it at once:
 * reads the rest of a sequence curses did not know, up to its final
 * byte, so that it is not taken for Esc and a few keys. */
static void skip_sequence(int intro)
{
    int ch, n = 0;

    while (n++ < SEQ_MAX && (ch = wgetch(stdscr)) != ERR)
        if (intro == 'O' || (ch >= 0x40 && ch <= 0x7e))
            return;
}

static void on_input(uv_poll_t *h, int status, int events)
{
    int ch, avail = 0;

    (void)h;
    if (!S.active)
        return;
    if (status < 0 || !(events & UV_READABLE)) {
        S.cbs.quit(SIGHUP, S.ctx);
        return;
    }
    /* A hung-up terminal polls readable forever with nothing to read. */
    if (ioctl(fileno(S.in), FIONREAD, &avail) == 0 && avail == 0) {
        if (++S.hangups >= HANGUP_LIMIT) {
            uv_poll_stop(&S.input);
            S.cbs.quit(SIGHUP, S.ctx);
        }
        return;
    }
    S.hangups = 0;
    while (S.active && (ch = wgetch(stdscr)) != ERR) {
        if (ch == ESC) {
            int next = wgetch(stdscr); /* a lone Esc has nothing behind */

            if (next == '[' || next == 'O') {
                skip_sequence(next);
                continue;
            }
            S.cbs.key(ESC, S.ctx);
            if (next == ERR || !S.active)
                break;
            ch = next;
        }
        S.cbs.key(ch, S.ctx);
    }
}

static void on_winch(uv_signal_t *h, int signum)
{
    struct winsize ws;

    (void)h;
    (void)signum;
    if (!S.active)
        return;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
        ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
    /* Nothing on screen can be trusted after a resize. */
    tui_screen_redraw_all();
    S.cbs.resize(LINES, COLS, S.ctx);
}

static void on_quit_signal(uv_signal_t *h, int signum)
{
    (void)h;
    S.cbs.quit(signum, S.ctx);
}

static void on_closed(uv_handle_t *h)
{
    (void)h;
    S.pending--;
}

static void close_handle(uv_handle_t *h)
{
    if (h->loop == NULL || uv_is_closing(h))
        return;
    S.pending++;
    uv_close(h, on_closed);
}

/* Opens the terminal for the dashboard on loop: curses in cbreak, noecho,
 * keypad, non-blocking input mode on the alternate screen; key input,
 * SIGWINCH, SIGINT/SIGTERM/SIGHUP and the render pass watched on loop.
 * cbs (copied) and ctx (borrowed) are used until tui_screen_close; no
 * callback runs synchronously. Returns 0, or PD_ESTATE (already open) or
 * PD_EIO (not a terminal, unknown TERM, a uv call failed) with err set and
 * the terminal untouched. Registers the fatal hook. */
int tui_screen_open(uv_loop_t *loop, const tui_screen_cbs *cbs, void *ctx,
                    pd_error *err)
{
    const char *tty;
    int fd = -1, i, rc;

    if (S.started || S.pending > 0) {
        pd_error_set(err, PD_ERR_USAGE, "the dashboard is already open");
        return PD_ESTATE;
    }
    memset(&S, 0, sizeof(S));
    S.cbs = *cbs;
    S.ctx = ctx;

    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) ||
        (tty = ttyname(STDIN_FILENO)) == NULL) {
        pd_error_set(err, PD_ERR_USAGE, "the dashboard needs a terminal");
        return PD_EIO;
    }
    fd = open(tty, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0 || (S.in = fdopen(fd, "r")) == NULL) {
        pd_error_set(err, PD_ERR_USAGE, "%s: %s", tty, strerror(errno));
        goto fail;
    }
    fd = -1;

    S.started = true;
    if ((rc = uv_signal_init(loop, &S.winch)) != 0 ||
        (rc = uv_signal_start(&S.winch, on_winch, SIGWINCH)) != 0)
        goto uv_fail;
    for (i = 0; i < NQUIT; i++)
        if ((rc = uv_signal_init(loop, &S.quit[i])) != 0 ||
            (rc = uv_signal_start(&S.quit[i], on_quit_signal,
                                  quit_signals[i])) != 0)
            goto uv_fail;
    if ((rc = uv_poll_init(loop, &S.input, fileno(S.in))) != 0 ||
        (rc = uv_prepare_init(loop, &S.render)) != 0)
        goto uv_fail;

    /* Wide characters need the locale's character type; numbers keep C. */
    setlocale(LC_CTYPE, "");
    S.scr = newterm(NULL, stdout, S.in);
    if (S.scr == NULL) {
        pd_error_set(err, PD_ERR_USAGE, "cannot use terminal type \"%s\"",
                     getenv("TERM") ? getenv("TERM") : "");
        goto fail;
    }
    S.active = true;
    pd_set_fatal_hook(tui_screen_emergency_restore);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    /* Home and End as terminals other than the terminfo entry's send
     * them (tmux and screen: ESC [ 1 ~ and ESC [ 4 ~). */
    define_key("\033[1~", KEY_HOME);
    define_key("\033[4~", KEY_END);
    define_key("\033[H", KEY_HOME);
    define_key("\033[F", KEY_END);
    define_key("\033OH", KEY_HOME);
    define_key("\033OF", KEY_END);
    curs_set(0);
    leaveok(stdscr, TRUE);
    /* Clicks focus panels, the wheel scrolls; endwin turns this off. */
    mouseinterval(0);
    mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);

    if ((rc = uv_poll_start(&S.input, UV_READABLE, on_input)) != 0 ||
        (rc = uv_prepare_start(&S.render, on_render)) != 0)
        goto uv_fail;
    return 0;

uv_fail:
    pd_error_set(err, PD_ERR_USAGE, "dashboard: %s", uv_strerror(rc));
fail:
    if (fd >= 0)
        close(fd);
    tui_screen_close();
    return PD_EIO;
}

/* Gives the terminal back (endwin: normal screen, modes, cursor as found;
 * a terminal without an alternate screen is cleared instead) and starts
 * closing every handle. The handles finish closing on a later
 * loop iteration: run the loop while tui_screen_closing() is true before
 * opening again. Safe to call when not open and more than once. */
void tui_screen_close(void)
{
    const char *smcup;
    int i;

    if (S.active) {
        smcup = tigetstr("smcup");
        if (smcup == NULL || smcup == (char *)-1) {
            /* Nothing to switch back to: leave a clean screen. */
            werase(stdscr);
            wnoutrefresh(stdscr);
            clearok(curscr, TRUE);
            doupdate();
        }
    }
    restore_terminal();
    pd_set_fatal_hook(NULL);
    if (!S.started)
        return;
    S.started = false;
    if (S.input.loop != NULL)
        uv_poll_stop(&S.input);
    close_handle((uv_handle_t *)&S.input);
    close_handle((uv_handle_t *)&S.render);
    close_handle((uv_handle_t *)&S.winch);
    for (i = 0; i < NQUIT; i++)
        close_handle((uv_handle_t *)&S.quit[i]);
    if (S.scr != NULL) {
        delscreen(S.scr);
        S.scr = NULL;
    }
    if (S.in != NULL) {
        fclose(S.in);
        S.in = NULL;
    }
}

/* True while handles from the last tui_screen_close are still closing. */
bool tui_screen_closing(void)
{
    return S.pending > 0;
}

/* Makes the next doupdate repaint the whole terminal (after a resize, or
 * Ctrl-L when something else wrote over the screen). */
void tui_screen_redraw_all(void)
{
    if (S.active)
        clearok(curscr, TRUE);
}
