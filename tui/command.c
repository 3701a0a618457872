/* command.c: what the dashboard's commands run (see tui_int.h): R and
 * :\refresh (refresh-all: its events reach the Syncs panel and the
 * header's progress; when it ends, every panel refreshes at once), t and
 * :\theme, and the ':' line, whose SQL and data commands go to the
 * Results panel, made on the first command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sync.h"
#include "core/theme.h"
#include "tui/dialog.h"
#include "tui/screen.h"
#include "tui/tui_int.h"

/* Makes theme name current (see pd_theme_load). Returns 0, or the
 * error code with err (caller's, cleared by the caller) naming the file
 * and key. */
int tui_command_use_theme(tui *t, const char *name, pd_error *err)
{
    pd_theme_def def;
    int rc = pd_theme_load(&def, name, err);

    if (rc != 0)
        return rc;
    tui_theme_apply(&t->theme, &def);
    tui_screen_redraw_all();
    tui_mark_all(t);
    return 0;
}

/* The next of pd_theme_names after the current one (the first after a
 * theme of another name), skipping those that fail to load; the message
 * says which it is, and why the first skipped one was. */
void tui_command_next_theme(tui *t)
{
    pd_error err = PD_ERROR_INIT, first = PD_ERROR_INIT;
    int n = 0, cur = -1, i;

    while (pd_theme_names[n] != NULL)
        n++;
    for (i = 0; i < n; i++)
        if (strcmp(pd_theme_names[i], t->theme.name) == 0)
            cur = i;
    for (i = 1; i <= n; i++) {
        const char *name = pd_theme_names[(cur + i + n) % n];

        if (tui_command_use_theme(t, name, &err) == 0) {
            tui_dialog_message("theme: %s%s%s%s", name,
                               t->theme.color ? "" : " (no colour here)",
                               pd_error_isset(&first) ? "; skipped " : "",
                               pd_error_isset(&first) ? first.message : "");
            break;
        }
        if (!pd_error_isset(&first))
            pd_error_copy(&first, &err);
        pd_error_clear(&err);
    }
    pd_error_clear(&first);
}

/* :\theme alone: the themes there are, the current one in brackets, in
 * the message line ('t' or :\theme NAME switches). */
static void list_themes(tui *t)
{
    pd_theme_entry *list;
    int n = pd_theme_list(&list), i;
    char buf[512] = "";
    size_t len = 0;
    bool seen = false;

    for (i = 0; i < n && len < sizeof(buf); i++) {
        bool cur = strcmp(list[i].name, t->theme.name) == 0;

        seen |= cur;
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, " %s%s%s",
                                cur ? "[" : "", list[i].name, cur ? "]" : "");
    }
    pd_theme_list_free(list, n);
    /* A theme loaded from a file elsewhere is current all the same. */
    tui_dialog_message("themes:%s%s%s%s", buf, seen ? "" : " [",
                       seen ? "" : t->theme.name, seen ? "" : "]");
}

/* Counts the jobs of our refresh-all that are over, for the header. */
static void count_sync(tui *t, pd_sync *s)
{
    int i;

    t->sync_total = pd_sync_count(s);
    t->sync_done = 0;
    for (i = 0; i < t->sync_total; i++) {
        pd_sync_state st = pd_sync_status_get(s, i).state;

        t->sync_done += st == PD_SYNC_OK || st == PD_SYNC_FAILED ||
                        st == PD_SYNC_SKIPPED;
    }
    t->header_dirty = true;
}

static void on_sync_event(pd_sync *s, int index, void *ctx)
{
    tui *t = ctx;

    (void)index;
    if (t->closing)
        return;
    count_sync(t, s);
    tui_syncs_panel_update(t->syncs);
}

/* Refresh-all is over: says how it went, and every panel asks for its
 * data at once (the syncs changed it). */
static void on_sync_done(pd_sync *s, bool ok, const pd_error *err,
                         void *ctx)
{
    tui *t = ctx;
    int i, failed = 0;

    t->syncing = false;
    if (t->closing)
        return;
    count_sync(t, s);
    tui_syncs_panel_update(t->syncs);
    for (i = 0; i < t->sync_total; i++)
        failed += pd_sync_status_get(s, i).state != PD_SYNC_OK;
    if (err != NULL)
        tui_dialog_message("refresh-all failed: %s", err->message);
    else if (ok)
        tui_dialog_message("refresh-all: every job ok (%d)", t->sync_total);
    else
        tui_dialog_message("refresh-all: %d of %d jobs not ok", failed,
                           t->sync_total);
    for (i = 0; i < t->npanels; i++)
        if (t->panels[i] != t->syncs)
            tui_panel_refresh_now(t->panels[i]);
}

/* R: starts refresh-all, or says why not. */
void tui_command_refresh_all(tui *t)
{
    pd_sync *s = pd_core_syncs(t->core);
    pd_error err = PD_ERROR_INIT;

    if (s == NULL || pd_sync_count(s) == 0) {
        tui_dialog_message("no syncs configured (\"syncs\" in the config "
                           "file)");
        return;
    }
    if (pd_sync_running(s)) {
        count_sync(t, s);
        tui_dialog_message("refresh-all is already running (%d/%d done)",
                           t->sync_done, t->sync_total);
        return;
    }
    t->syncing = true; /* before: events may come at once */
    if (pd_sync_run_all(s, on_sync_event, on_sync_done, t, &err) != 0) {
        t->syncing = false;
        tui_dialog_message("refresh-all: %s", err.message);
        pd_error_clear(&err);
        return;
    }
    count_sync(t, s);
    tui_syncs_panel_update(t->syncs);
    tui_dialog_message("refresh-all started: %d job%s", t->sync_total,
                       t->sync_total == 1 ? "" : "s");
}

/* The Results panel, made (last, wide) on the first command. */
static tui_panel *results_panel(tui *t)
{
    if (t->results == NULL && t->npanels < TUI_LAYOUT_MAX) {
        t->results = tui_panel_new(&tui_results_panel, t->core,
                                   t->refresh_ms);
        t->panels[t->npanels++] = t->results;
        tui_panel_start(t->results);
        tui_relayout(t);
    }
    return t->results;
}

/* True when line is the backslash command name, alone or with
 * arguments; *args then points at them. */
static bool is_cmd(const char *line, const char *name, const char **args)
{
    size_t n = strlen(name);

    if (strncmp(line, name, n) != 0 ||
        (line[n] != '\0' && line[n] != ' ' && line[n] != '\t'))
        return false;
    *args = line + n + strspn(line + n, " \t");
    return true;
}

/* Runs what was typed after ':': the dashboard's own commands here, the
 * rest in the Results panel. */
static void run_line(tui *t, const char *line)
{
    const char *args;
    pd_error err = PD_ERROR_INIT;
    tui_panel *p;
    int i;

    line += strspn(line, " \t");
    if (line[0] == '\0')
        return;
    if (is_cmd(line, "\\q", &args) || is_cmd(line, "\\quit", &args)) {
        tui_quit(t, 0);
    } else if (is_cmd(line, "\\refresh", &args)) {
        tui_command_refresh_all(t);
    } else if (is_cmd(line, "\\theme", &args)) {
        if (args[0] == '\0')
            list_themes(t);
        else if (tui_command_use_theme(t, args, &err) != 0)
            tui_dialog_message("%s", err.message);
        else
            tui_dialog_message("theme: %s", t->theme.name);
        pd_error_clear(&err);
    } else if (is_cmd(line, "\\?", &args) || is_cmd(line, "\\help", &args)) {
        t->help = true;
        tui_place_help(t);
    } else if ((p = results_panel(t)) == NULL) {
        tui_dialog_message("no room for the results");
    } else if (tui_results_panel_run(p, line) != 0) {
        tui_dialog_message("a command is still running: Esc cancels it");
    } else {
        if (t->panels[t->focus] != p)
            t->focus_back = t->focus;
        for (i = 0; i < t->npanels; i++)
            if (t->panels[i] == p)
                tui_set_focus(t, i);
    }
}

/* Closes the Results panel (x, or Esc with nothing running), canceling
 * the command that runs first; its rows go back to the other panels and
 * the focus to the panel that had it before. The next command makes the
 * panel afresh. */
void tui_command_close_results(tui *t)
{
    tui_panel *p = t->results;
    bool canceled;
    int i;

    if (p == NULL)
        return;
    canceled = tui_results_panel_cancel(p);
    for (i = 0; i < t->npanels; i++)
        if (t->panels[i] == p) {
            memmove(&t->panels[i], &t->panels[i + 1],
                    (size_t)(t->npanels - i - 1) * sizeof(t->panels[0]));
            t->npanels--;
            break;
        }
    t->results = NULL;
    tui_panel_close(p);
    t->focus = t->focus_back < t->npanels ? t->focus_back : 0;
    t->zoom = false; /* it was the zoomed one, if any */
    tui_relayout(t);
    tui_dialog_message("%sResults closed; ':' opens it again",
                       canceled ? "command canceled, " : "");
}

/* A key while the ':' line is open. */
void tui_command_key(tui *t, int key)
{
    char *line;

    switch (tui_cmdline_key(&t->cmd, key)) {
    case TUI_CMDLINE_ENTER:
        line = tui_cmdline_take(&t->cmd);
        run_line(t, line);
        free(line);
        break;
    case TUI_CMDLINE_CANCEL:
    case TUI_CMDLINE_EDITED:
        break;
    }
    t->keybar_dirty = true;
}
