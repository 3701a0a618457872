/* theme_cmd.c: \theme [NAME|FILE], the shell's colour theme.
 *
 * Alone it lists the themes that load by name (core/theme.h's list: the
 * ones pgdeck ships, then any other file of the theme folders) with the
 * current one marked. With a name or a file it loads and validates that
 * theme (a bad file is an error naming the file and the key, as in the
 * dashboard) and makes it the shell's: the prompt, ERROR and WARNING, and
 * the \bg announcements take its colours (shell/palette.h). Query output
 * never does. */
#include "shell/commands.h"

#include <stdlib.h>
#include <string.h>

#include "core/result.h"
#include "core/theme.h"
#include "core/xalloc.h"
#include "shell/palette.h"
#include "shell/vars.h"

/* Adds a row: name, "*" when it is the current theme, where it is. */
static void add_theme(pd_result *r, const char *name, const char *source)
{
    const char *row[3];

    row[0] = name;
    row[1] = strcmp(name, sh_palette_theme()) == 0 ? "*" : "";
    row[2] = source;
    pd_result_add_row(r, row);
}

/* The list, as psql prints its own lists ("List of ..."). */
static int list_themes(sh_session *s)
{
    static const char *const names[3] = {"Name", "Current", "Source"};
    pd_result *r = pd_result_new(3, names, NULL);
    pd_theme_entry *list;
    int n = pd_theme_list(&list), i;
    bool seen = false;

    for (i = 0; i < n; i++) {
        add_theme(r, list[i].name,
                  list[i].path != NULL ? list[i].path : "built-in");
        seen |= strcmp(list[i].name, sh_palette_theme()) == 0;
    }
    pd_theme_list_free(list, n);
    /* A theme loaded from a file elsewhere is current all the same. */
    if (!seen)
        add_theme(r, sh_palette_theme(), "a file given to \\theme");
    sh_format_print_titled(sh_session_out(s), r, "List of themes", NULL, 0,
                           sh_session_print_opts(s));
    pd_result_free(r);
    return 0;
}

static int cmd_theme(sh_session *s, const char *args)
{
    const char *p = args;
    char *name = sh_vars_next_arg(sh_session_vars(s), &p), *extra;
    pd_error err = PD_ERROR_INIT;
    int rc = 0;

    if (name == NULL)
        return list_themes(s);
    while ((extra = sh_vars_next_arg(sh_session_vars(s), &p)) != NULL) {
        fprintf(sh_session_err(s), "\\theme: extra argument \"%s\" ignored\n",
                extra);
        free(extra);
    }
    if (sh_palette_use_theme(name, &err) != 0) {
        fflush(sh_session_out(s));
        sh_session_errorf(s, "\\theme: %s", err.message);
        rc = 1;
    } else {
        /* As psql's "Timing is on."; the prompt says the rest. */
        fprintf(sh_session_out(s), "Theme is %s%s.\n", sh_palette_theme(),
                sh_palette_on(stdout) ? "" : " (no colour here)");
    }
    pd_error_clear(&err);
    free(name);
    return rc;
}

const sh_cmd sh_theme_commands[] = {
    {"theme", cmd_theme, "\\theme [NAME|FILE]",
     "list colour themes, or use one for the prompt and messages"},
    {NULL, NULL, NULL, NULL},
};
