/* histfile.c: the history file (see histfile.h).
 *
 * Plain stdio: sh_histfile_load runs before the loop starts and
 * sh_histfile_save after it has ended, when blocking harms no one. */
#include "shell/histfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "core/sqllex.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#define NL_IN_HISTORY '\x01' /* psql's stand-in for a newline */

char *sh_histfile_path(void)
{
    const char *state = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");

    if (state != NULL && state[0] == '/')
        return pd_xasprintf("%s/pgdeck/history", state);
    if (home != NULL && *home)
        return pd_xasprintf("%s/.local/state/pgdeck/history", home);
    return NULL;
}

static bool word_is(const char *text, const pd_sqltok *t, const char *w)
{
    return (t->kind == PD_SQLTOK_IDENT || t->kind == PD_SQLTOK_QIDENT) &&
           t->len == strlen(w) && strncasecmp(text + t->start, w, t->len) == 0;
}

/* True for "scheme://user:secret@host". */
static bool uri_with_password(const char *line)
{
    const char *p = strstr(line, "://"), *at, *colon;

    while (p != NULL) {
        p += 3;
        at = strchr(p, '@');
        colon = strchr(p, ':');
        if (at != NULL && colon != NULL && colon < at &&
            strcspn(p, " \t\n/") > (size_t)(at - p))
            return true;
        p = strstr(p, "://");
    }
    return false;
}

/* Secret lines; see histfile.h. Conservative: a ROLE/USER/GROUP
 * statement naming PASSWORD anywhere is dropped whole. */
bool sh_histfile_secret(const char *line)
{
    size_t len = strlen(line), pos = 0;
    pd_sqltok t;
    int words = 0;
    bool ddl = false, role = false;

    if (strcasestr(line, "password=") != NULL ||
        strcasestr(line, "password =") != NULL || uri_with_password(line))
        return true;
    while (pd_sqllex_next(line, len, pos, &t)) {
        pos += t.len;
        if (t.kind == PD_SQLTOK_BACKSLASH) {
            if (strncmp(line + t.start, "\\password", 9) == 0)
                return true;
            continue;
        }
        if (t.kind == PD_SQLTOK_SEMI) {
            words = 0;
            ddl = role = false;
            continue;
        }
        if (t.kind != PD_SQLTOK_IDENT)
            continue;
        words++;
        if (words == 1)
            ddl = word_is(line, &t, "alter") || word_is(line, &t, "create");
        else if (ddl && (word_is(line, &t, "role") ||
                         word_is(line, &t, "user") ||
                         word_is(line, &t, "group")))
            role = true;
        if (role && word_is(line, &t, "password"))
            return true;
    }
    return false;
}

void sh_histfile_add(const char *line)
{
    HIST_ENTRY *h;
    int i;

    if (line[strspn(line, " \t\r\n")] == '\0' || sh_histfile_secret(line))
        return;
    for (i = history_length - 1; i >= 0; i--) {
        h = history_get(history_base + i);
        if (h != NULL && strcmp(h->line, line) == 0) {
            h = remove_history(i);
            if (h != NULL)
                free_history_entry(h);
            break; /* there is never more than one */
        }
    }
    add_history(line);
}

/* Loads the file; see histfile.h. */
int sh_histfile_load(const char *path)
{
    FILE *f = fopen(path, "r");
    char *line = NULL, *p;
    size_t cap = 0;
    ssize_t n;

    if (f == NULL)
        return errno == ENOENT ? 0 : -errno;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        for (p = line; *p; p++)
            if (*p == NL_IN_HISTORY)
                *p = '\n';
        sh_histfile_add(line);
    }
    free(line);
    fclose(f);
    return 0;
}

/* Creates the parent directory of path (and its own parents), 0700. */
static int make_parent(const char *path)
{
    char *dir = pd_xstrdup(path), *p;
    int rc = 0;

    for (p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            rc = -errno;
            break;
        }
        *p = '/';
    }
    free(dir);
    return rc;
}

/* Saves the history; see histfile.h. */
int sh_histfile_save(const char *path, int max)
{
    char *tmp = NULL;
    FILE *f = NULL;
    HIST_ENTRY *h;
    int fd = -1, i, first, rc;
    const char *c;

    rc = make_parent(path);
    if (rc != 0)
        goto fail;
    tmp = pd_xasprintf("%s.XXXXXX", path);
    fd = mkstemp(tmp); /* mode 0600 */
    if (fd < 0 || fchmod(fd, 0600) != 0 || (f = fdopen(fd, "w")) == NULL) {
        rc = -errno;
        goto fail;
    }
    fd = -1;
    first = history_length > max ? history_length - max : 0;
    for (i = first; i < history_length; i++) {
        h = history_get(history_base + i);
        if (h == NULL || sh_histfile_secret(h->line))
            continue;
        for (c = h->line; *c; c++)
            fputc(*c == '\n' ? NL_IN_HISTORY : *c, f);
        fputc('\n', f);
    }
    if (fclose(f) != 0) {
        f = NULL;
        rc = -errno;
        goto fail;
    }
    f = NULL;
    if (rename(tmp, path) != 0) {
        rc = -errno;
        goto fail;
    }
    free(tmp);
    return 0;

fail:
    if (f != NULL)
        fclose(f);
    if (fd >= 0)
        close(fd);
    if (tmp != NULL)
        unlink(tmp);
    free(tmp);
    return rc;
}
