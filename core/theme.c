/* theme.c: JSON themes read, validated and listed (see theme.h). Pure
 * data: the front ends turn a pd_theme_def into what they draw with.
 * Theme files are small (at most 256 KiB) and read when a person asks for
 * a theme, so they are read directly, as the config file is. */
#include "core/theme.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/xalloc.h"

#define THEME_FILE_MAX (256 * 1024) /* a theme file larger is an error */

const char *const pd_theme_names[] = {
    "dark", "light", "solarized-dark", "high-contrast", "monochrome", NULL,
};

/* The JSON key of each role. */
static const char *const role_names[PD_THEME_ROLE_COUNT] = {
#define ROLE_NAME(id, key) [PD_THEME_ROLE_##id] = key,
    PD_THEME_ROLES(ROLE_NAME)
#undef ROLE_NAME
};

static const char *const color_names[16] = {
    "black",       "red",         "green",       "yellow",
    "blue",        "magenta",     "cyan",        "white",
    "brightblack", "brightred",   "brightgreen", "brightyellow",
    "brightblue",  "brightmagenta", "brightcyan", "brightwhite",
};

static const struct {
    const char *name;
    unsigned attr;
} attr_names[] = {
    {"bold", PD_THEME_BOLD},           {"dim", PD_THEME_DIM},
    {"underline", PD_THEME_UNDERLINE}, {"reverse", PD_THEME_REVERSE},
    {"italic", PD_THEME_ITALIC},       {"standout", PD_THEME_STANDOUT},
    {"blink", PD_THEME_BLINK},         {"normal", 0},
};

/* xterm's palette for 0..15; 16..255 are computed. */
static const unsigned char base16[16][3] = {
    {0, 0, 0},       {205, 0, 0},     {0, 205, 0},     {205, 205, 0},
    {0, 0, 238},     {205, 0, 205},   {0, 205, 205},   {229, 229, 229},
    {127, 127, 127}, {255, 0, 0},     {0, 255, 0},     {255, 255, 0},
    {92, 92, 255},   {255, 0, 255},   {0, 255, 255},   {255, 255, 255},
};

/* Returns the JSON key of role ("frame_focus"), or "?" out of range. */
const char *pd_theme_role_name(pd_theme_role role)
{
    if ((int)role < 0 || role >= PD_THEME_ROLE_COUNT)
        return "?";
    return role_names[role];
}

static void rgb_of(int c, int *r, int *g, int *b)
{
    static const int level[6] = {0, 95, 135, 175, 215, 255};

    if (c < 16) {
        *r = base16[c][0];
        *g = base16[c][1];
        *b = base16[c][2];
    } else if (c < 232) {
        c -= 16;
        *r = level[c / 36];
        *g = level[c / 6 % 6];
        *b = level[c % 6];
    } else {
        *r = *g = *b = 8 + 10 * (c - 232);
    }
}

static int nearest(int r, int g, int b, int from, int to)
{
    long best_d = LONG_MAX;
    int c, best = from;

    for (c = from; c < to; c++) {
        int cr, cg, cb;
        long d;

        rgb_of(c, &cr, &cg, &cb);
        d = (long)(cr - r) * (cr - r) + (long)(cg - g) * (cg - g) +
            (long)(cb - b) * (cb - b);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    return best;
}

/* Returns the 256-colour index nearest to the colour (r, g, b), from the
 * cube and the grey ramp (16..255; 0..15 vary between terminals). */
int pd_theme_rgb_to_256(int r, int g, int b)
{
    return nearest(r, g, b, 16, 256);
}

/* Returns color (-1 or 0..255) as a terminal with ncolors colours can
 * show it: itself when it has it; -1 stays -1. Else, by hue rather than
 * by distance (which turns a sea green into cyan): a grey is black, grey
 * or white; a colour keeps the channels near its strongest (red 1,
 * green 2, blue 4, as the ANSI colours are numbered), made bright on
 * terminals with 16 colours when it is bright. */
int pd_theme_degrade(int color, int ncolors)
{
    int r, g, b, max, min, t, c;

    if (color < 0 || color < ncolors)
        return color;
    if (ncolors <= 0)
        return -1;
    rgb_of(color, &r, &g, &b);
    max = r > g ? (r > b ? r : b) : (g > b ? g : b);
    min = r < g ? (r < b ? r : b) : (g < b ? g : b);
    if (max - min < 40) {
        if (max < 80)
            return 0;
        if (ncolors >= 16)
            return max < 160 ? 8 : max < 230 ? 7 : 15;
        return 7;
    }
    t = max * 7 / 10;
    c = (r >= t ? 1 : 0) | (g >= t ? 2 : 0) | (b >= t ? 4 : 0);
    if (ncolors >= 16 && max >= 230)
        c += 8;
    return c;
}

static int fail(pd_error *err, const char *file, const char *what, ...)
    PD_PRINTF(3, 4);

static int fail(pd_error *err, const char *file, const char *what, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, what);
    msg = pd_xvasprintf(what, ap);
    va_end(ap);
    pd_error_set(err, PD_ERR_USAGE, "%s: %s", file, msg);
    free(msg);
    return PD_EINVAL;
}

static int parse_color(const cJSON *v, short *out, const char *file,
                       const char *key, pd_error *err)
{
    int i, r, g, b;

    if (cJSON_IsNumber(v)) {
        if (v->valuedouble < 0 || v->valuedouble > 255 ||
            v->valuedouble != (double)v->valueint)
            return fail(err, file, "%s: a colour index is 0..255", key);
        *out = (short)v->valueint;
        return 0;
    }
    if (!cJSON_IsString(v))
        return fail(err, file, "%s: a colour is a name, 0..255 or #rrggbb",
                    key);
    if (strcasecmp(v->valuestring, "default") == 0) {
        *out = -1;
        return 0;
    }
    for (i = 0; i < 16; i++)
        if (strcasecmp(v->valuestring, color_names[i]) == 0) {
            *out = (short)i;
            return 0;
        }
    if (v->valuestring[0] == '#' && strlen(v->valuestring) == 7 &&
        strspn(v->valuestring + 1, "0123456789abcdefABCDEF") == 6 &&
        sscanf(v->valuestring + 1, "%2x%2x%2x", &r, &g, &b) == 3) {
        *out = (short)pd_theme_rgb_to_256(r, g, b);
        return 0;
    }
    return fail(err, file, "%s: unknown colour \"%s\"", key, v->valuestring);
}

static int parse_attrs(const cJSON *v, unsigned *out, const char *file,
                       const char *key, pd_error *err)
{
    const cJSON *a;
    size_t i;

    *out = 0;
    if (!cJSON_IsArray(v))
        return fail(err, file, "%s: a list of attributes, as [\"bold\"]",
                    key);
    cJSON_ArrayForEach(a, v)
    {
        bool found = false;

        for (i = 0; cJSON_IsString(a) &&
                    i < sizeof(attr_names) / sizeof(attr_names[0]);
             i++)
            if (strcmp(a->valuestring, attr_names[i].name) == 0) {
                *out |= attr_names[i].attr;
                found = true;
            }
        if (!found)
            return fail(err, file, "%s: unknown attribute %s%s%s", key,
                        cJSON_IsString(a) ? "\"" : "",
                        cJSON_IsString(a) ? a->valuestring : "(not a string)",
                        cJSON_IsString(a) ? "\"" : "");
    }
    return 0;
}

static int parse_role(const cJSON *obj, pd_theme_style *st,
                      const char *file, const char *role, pd_error *err)
{
    const cJSON *f;
    char key[96];
    bool mono = false;

    st->fg = st->bg = -1;
    st->attrs = st->mono = 0;
    if (!cJSON_IsObject(obj))
        return fail(err, file, "roles.%s: an object, as {\"fg\": \"red\"}",
                    role);
    cJSON_ArrayForEach(f, obj)
    {
        int rc;

        snprintf(key, sizeof(key), "roles.%s.%s", role, f->string);
        if (strcmp(f->string, "fg") == 0)
            rc = parse_color(f, &st->fg, file, key, err);
        else if (strcmp(f->string, "bg") == 0)
            rc = parse_color(f, &st->bg, file, key, err);
        else if (strcmp(f->string, "attrs") == 0)
            rc = parse_attrs(f, &st->attrs, file, key, err);
        else if (strcmp(f->string, "mono") == 0) {
            rc = parse_attrs(f, &st->mono, file, key, err);
            mono = true;
        } else
            rc = fail(err, file, "%s: unknown key (fg, bg, attrs, mono)",
                      key);
        if (rc != 0)
            return rc;
    }
    if (!mono)
        st->mono = st->attrs;
    return 0;
}

/* Line and column (1-based) of byte pos in s. */
static void line_col(const char *s, const char *pos, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (; s < pos && *s != '\0'; s++) {
        if (*s == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* Parses the theme text json (borrowed) from file (borrowed; for
 * messages) into def. Every role must be defined and every key known.
 * Returns 0, or PD_EINVAL with err naming the file and the key (or the
 * line and column of a syntax error); def is then undefined. */
int pd_theme_parse(pd_theme_def *def, const char *json, const char *file,
                    pd_error *err)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(json, &end, true), *roles, *f;
    int r, rc = 0, line, col;

    memset(def, 0, sizeof(*def));
    if (root == NULL) {
        line_col(json, end != NULL ? end : json, &line, &col);
        return fail(err, file, "%d:%d: not valid JSON", line, col);
    }
    if (!cJSON_IsObject(root)) {
        rc = fail(err, file, "the theme is a JSON object");
        goto done;
    }
    cJSON_ArrayForEach(f, root)
    {
        if (strcmp(f->string, "name") == 0) {
            if (!cJSON_IsString(f) || f->valuestring[0] == '\0' ||
                strlen(f->valuestring) >= sizeof(def->name)) {
                rc = fail(err, file, "name: a short string");
                goto done;
            }
            snprintf(def->name, sizeof(def->name), "%s", f->valuestring);
        } else if (strcmp(f->string, "description") != 0 &&
                   strcmp(f->string, "roles") != 0) {
            rc = fail(err, file, "%s: unknown key (name, description, roles)",
                      f->string);
            goto done;
        }
    }
    if (def->name[0] == '\0') {
        rc = fail(err, file, "name: missing");
        goto done;
    }
    roles = cJSON_GetObjectItemCaseSensitive(root, "roles");
    if (!cJSON_IsObject(roles)) {
        rc = fail(err, file, "roles: missing (an object of every role)");
        goto done;
    }
    cJSON_ArrayForEach(f, roles)
    {
        for (r = 0; r < PD_THEME_ROLE_COUNT; r++)
            if (strcmp(f->string, role_names[r]) == 0)
                break;
        if (r == PD_THEME_ROLE_COUNT) {
            rc = fail(err, file, "roles.%s: unknown role", f->string);
            goto done;
        }
    }
    for (r = 0; r < PD_THEME_ROLE_COUNT; r++) {
        f = cJSON_GetObjectItemCaseSensitive(roles, role_names[r]);
        if (f == NULL) {
            rc = fail(err, file, "roles.%s: missing", role_names[r]);
            goto done;
        }
        if ((rc = parse_role(f, &def->role[r], file, role_names[r], err)) !=
            0)
            goto done;
    }
done:
    cJSON_Delete(root);
    return rc;
}

/* Fills def with the compiled-in default, the "dark" theme. */
void pd_theme_builtin(pd_theme_def *def)
{
    pd_error err = PD_ERROR_INIT;

    if (pd_theme_parse(def, pd_theme_builtin_json, "built-in theme",
                        &err) != 0)
        pd_fatal("%s", err.message); /* a build without a valid default */
}

/* Returns-owned contents of path, or NULL with err set. */
static char *read_file(const char *path, pd_error *err)
{
    FILE *f = fopen(path, "re");
    char *buf = NULL;
    size_t n;

    if (f == NULL) {
        pd_error_set(err, PD_ERR_USAGE, "%s: %s", path, strerror(errno));
        return NULL;
    }
    buf = pd_xmalloc(THEME_FILE_MAX + 1);
    n = fread(buf, 1, THEME_FILE_MAX + 1, f);
    if (ferror(f) || n > THEME_FILE_MAX) {
        pd_error_set(err, PD_ERR_USAGE, "%s: %s", path,
                     ferror(f) ? strerror(errno) : "larger than 256 KiB");
        free(buf);
        buf = NULL;
    } else {
        buf[n] = '\0';
    }
    fclose(f);
    return buf;
}

/* Fills dirs (returns-owned strings) with the directories searched for
 * NAME.json, most personal first; returns how many. */
static int theme_dirs(char **dirs)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    char exe[PATH_MAX], *slash;
    ssize_t n;
    int k = 0;

    if (xdg != NULL && xdg[0] == '/')
        dirs[k++] = pd_xasprintf("%s/pgdeck/themes", xdg);
    else if (home != NULL && home[0] != '\0')
        dirs[k++] = pd_xasprintf("%s/.config/pgdeck/themes", home);
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        if ((slash = strrchr(exe, '/')) != NULL) {
            *slash = '\0';
            dirs[k++] = pd_xasprintf("%s/themes", exe);
            dirs[k++] = pd_xasprintf("%s/../share/pgdeck/themes", exe);
        }
    }
    dirs[k++] = pd_xstrdup("/usr/local/share/pgdeck/themes");
    dirs[k++] = pd_xstrdup("/usr/share/pgdeck/themes");
    return k;
}

/* Returns-owned path of NAME.json in the first of the theme folders
 * that has it readable, or NULL. */
static char *find_file(const char *name)
{
    char *dirs[8], *path = NULL;
    int i, n = theme_dirs(dirs);

    for (i = 0; i < n; i++) {
        char *p = pd_xasprintf("%s/%s.json", dirs[i], name);

        if (path == NULL && access(p, R_OK) == 0)
            path = p;
        else
            free(p);
        free(dirs[i]);
    }
    return path;
}

/* Loads theme name into def: a path when it has a '/' or ends in ".json",
 * else NAME.json from the user's config (XDG_CONFIG_HOME/pgdeck/themes),
 * beside the binary (themes/, ../share/pgdeck/themes) or the system's
 * share/pgdeck/themes; "dark" found nowhere is the built-in. Returns 0,
 * or PD_ENOTFOUND / PD_EINVAL with err naming the file (and key). */
int pd_theme_load(pd_theme_def *def, const char *name, pd_error *err)
{
    char *path = NULL, *text;
    size_t len = strlen(name);
    int rc;

    if (strchr(name, '/') != NULL ||
        (len > 5 && strcmp(name + len - 5, ".json") == 0)) {
        path = pd_xstrdup(name);
    } else if ((path = find_file(name)) == NULL) {
        if (strcmp(name, "dark") == 0) {
            pd_theme_builtin(def);
            return 0;
        }
        pd_error_set(err, PD_ERR_USAGE, "theme \"%s\" not found", name);
        return PD_ENOTFOUND;
    }
    if ((text = read_file(path, err)) == NULL) {
        free(path);
        return PD_ENOTFOUND;
    }
    rc = pd_theme_parse(def, text, path, err);
    free(text);
    free(path);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool listed(char **names, int n, const char *name)
{
    int i;

    for (i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

/* Adds to names (returns-owned strings, *n of them) every NAME of a
 * NAME.json in the theme folders not there yet, sorted after the ones
 * already there. */
static char **add_found(char **names, int *n)
{
    char *dirs[8];
    int i, nd = theme_dirs(dirs), first = *n;

    for (i = 0; i < nd; i++) {
        DIR *d = opendir(dirs[i]);
        struct dirent *e;

        while (d != NULL && (e = readdir(d)) != NULL) {
            size_t len = strlen(e->d_name);
            char *name;

            if (len <= 5 || e->d_name[0] == '.' ||
                strcmp(e->d_name + len - 5, ".json") != 0)
                continue;
            name = pd_xstrndup(e->d_name, len - 5);
            if (listed(names, *n, name)) {
                free(name);
                continue;
            }
            names = pd_xrealloc(names, (size_t)(*n + 1) * sizeof(char *));
            names[(*n)++] = name;
        }
        if (d != NULL)
            closedir(d);
        free(dirs[i]);
    }
    qsort(names + first, (size_t)(*n - first), sizeof(char *), cmp_str);
    return names;
}

/* Fills *out (returns-owned: pd_theme_list_free) with the themes that
 * load by name: the ones pgdeck ships, in their order, then any other
 * NAME.json of the theme folders, by name; each with the file
 * pd_theme_load would read ("dark" without one is the built-in). The
 * files are found, not parsed. Returns how many. */
int pd_theme_list(pd_theme_entry **out)
{
    char **names = NULL;
    int n = 0, i, k = 0;
    pd_theme_entry *list;

    for (i = 0; pd_theme_names[i] != NULL; i++) {
        names = pd_xrealloc(names, (size_t)(n + 1) * sizeof(char *));
        names[n++] = pd_xstrdup(pd_theme_names[i]);
    }
    names = add_found(names, &n);
    list = pd_xcalloc((size_t)n, sizeof(*list));
    for (i = 0; i < n; i++) {
        char *path = find_file(names[i]);

        if (path == NULL && strcmp(names[i], "dark") != 0) {
            free(names[i]); /* shipped, but not installed here */
            continue;
        }
        list[k].name = names[i];
        list[k++].path = path;
    }
    free(names);
    *out = list;
    return k;
}

/* Frees list (n entries, as pd_theme_list made it). Accepts NULL. */
void pd_theme_list_free(pd_theme_entry *list, int n)
{
    int i;

    if (list == NULL)
        return;
    for (i = 0; i < n; i++) {
        free(list[i].name);
        free(list[i].path);
    }
    free(list);
}
