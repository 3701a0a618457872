/* config.c: the settings table, and the layers that fill pd_config from
 * it: defaults, the JSON file, the environment, the command line.
 *
 * One row per setting (STYLE.md rule 14) drives the defaults, the file's
 * key names and types and ranges, the environment variables, the error
 * messages, --print-config and the README check
 * (tests/check/config_keys.sh, which reads the rows' first strings: keep
 * each row starting with {"key",). The two lists, panels and syncs, have a
 * row each here and their element keys in list_keys[]. */
#include "core/config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/conninfo.h"
#include "core/jsonc.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

typedef enum stype {
    T_INT,    /* int */
    T_U32,    /* uint32_t */
    T_BOOL,   /* bool */
    T_STR,    /* char *, owned; NULL when unset */
    T_LISTEN, /* char *, "HOST:PORT" */
    T_PANELS, /* panels, npanels */
    T_SYNCS   /* syncs, nsyncs */
} stype;

typedef enum ekind {
    E_NONE = 0,
    E_VALUE,   /* the variable holds the value as the file would */
    E_SECONDS, /* seconds (fractions allowed) into a millisecond field */
    E_PRESENT  /* any non-empty value sets the boolean */
} ekind;

typedef struct setting {
    const char *key;   /* dotted path in the file */
    stype type;
    size_t offset;     /* of the field in pd_config */
    long long lo, hi;  /* numeric bounds, inclusive */
    const char *def;   /* default as text (NULL: unset) */
    const char *env;   /* environment variable, or NULL */
    ekind env_kind;
    const char *flag;  /* command-line option, or NULL (for the docs) */
    const char *doc;
} setting;

#define F(field) offsetof(pd_config, field)
#define DAY_MS 86400000LL
#define YEAR_S 31536000LL

static const setting settings[] = {
    {"database.url", T_STR, F(dsn), 0, 0, NULL, "DATABASE_URL", E_VALUE,
     "DBNAME", "URI or conninfo string of the database"},
    {"pool.min", T_INT, F(pool_min), 0, 10000, "2", "DB_MIN_POOL_SIZE",
     E_VALUE, "--min-pool", "connections kept open"},
    {"pool.max", T_INT, F(pool_max), 1, 10000, "10", "DB_MAX_POOL_SIZE",
     E_VALUE, "--max-pool", "connections at most"},
    {"pool.acquire_timeout_ms", T_U32, F(acquire_timeout_ms), 0, DAY_MS,
     "30000", "DB_POOL_TIMEOUT", E_SECONDS, NULL,
     "wait for a free connection at most this long (0: no limit)"},
    {"pool.command_timeout_ms", T_U32, F(command_timeout_ms), 0, DAY_MS,
     "60000", "DB_COMMAND_TIMEOUT", E_SECONDS, NULL,
     "cancel a statement running longer (0: no limit)"},
    {"pool.connect_timeout_ms", T_U32, F(connect_timeout_ms), 0, DAY_MS,
     "10000", NULL, E_NONE, NULL, "give up a connection attempt after"},
    {"pool.max_lifetime_s", T_U32, F(max_lifetime_s), 0, YEAR_S, "1800",
     "DB_POOL_RECYCLE", E_VALUE, NULL,
     "replace idle connections older than this (0: never)"},
    {"pool.idle_timeout_s", T_U32, F(idle_timeout_s), 0, YEAR_S, "300",
     NULL, E_NONE, NULL, "close connections idle longer, down to pool.min"},
    {"pool.prepare", T_BOOL, F(prepare), 0, 1, "true", NULL, E_NONE, NULL,
     "cache prepared statements (false behind PgBouncer)"},
    {"pool.preping_ms", T_U32, F(preping_ms), 0, DAY_MS, "0", NULL, E_NONE,
     NULL, "check connections idle longer than this first (0: never)"},
    {"retry.attempts", T_INT, F(retry.attempts), 1, PD_RETRY_MAX_ATTEMPTS,
     "3", NULL, E_NONE, NULL, "tries in all, the first included"},
    {"retry.base_ms", T_U32, F(retry.base_ms), 0, 3600000, "50", NULL,
     E_NONE, NULL, "ceiling of the first retry's random delay"},
    {"retry.cap_ms", T_U32, F(retry.cap_ms), 0, 3600000, "2000", NULL,
     E_NONE, NULL, "no retry delay is longer"},
    {"breaker.failures", T_INT, F(breaker.failures), 1, 1000000, "5", NULL,
     E_NONE, NULL, "consecutive connection failures that open the breaker"},
    {"breaker.open_ms", T_U32, F(breaker.open_ms), 0, DAY_MS, "10000", NULL,
     E_NONE, NULL, "time open before one probe is let through"},
    {"slow_log.threshold_ms", T_U32, F(slow_ms), 0, DAY_MS, "100",
     "DB_SLOW_QUERY_MS", E_VALUE, "--slow-ms",
     "queries at least this long are logged"},
    {"slow_log.file", T_STR, F(slow_log), 0, 0, NULL, NULL, E_NONE,
     "--slow-log", "JSON-lines file (default under $XDG_STATE_HOME)"},
    {"slow_log.log_literals", T_BOOL, F(slow_log_literals), 0, 1, "false",
     NULL, E_NONE, NULL, "also log the raw query text and parameters"},
    {"theme", T_STR, F(theme), 0, 0, NULL, NULL, E_NONE, "--theme",
     "colour theme name (default: dark)"},
    {"no_color", T_BOOL, F(no_color), 0, 1, "false", "NO_COLOR", E_PRESENT,
     "--no-color", "no colours"},
    {"metrics_listen", T_LISTEN, F(metrics_listen), 0, 0, NULL, NULL,
     E_NONE, "--metrics-listen",
     "HOST:PORT serving Prometheus GET /metrics (unset: off)"},
    {"max_concurrency", T_INT, F(max_concurrency), 0, 10000, "0", NULL,
     E_NONE, NULL, "syncs running at once (0: pool.max)"},
    {"panels", T_PANELS, F(panels), 0, 0, NULL, NULL, E_NONE, NULL,
     "custom dashboard panels"},
    {"syncs", T_SYNCS, F(syncs), 0, 0, NULL, NULL, E_NONE, NULL,
     "refresh-all jobs"},
};

#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))
_Static_assert(NSETTINGS <= PD_CONFIG_MAX_KEYS,
               "PD_CONFIG_MAX_KEYS is too small for the settings table");

/* The keys inside the list elements (parsed by parse_panel and
 * parse_sync; listed here for unknown-key detection and the docs). */
typedef struct list_key {
    const char *key;
    const char *doc;
} list_key;

static const list_key list_keys[] = {
    {"panels[].title", "panel title"},
    {"panels[].sql", "one statement; its rows are shown"},
    {"panels[].refresh_ms", "refresh interval, >= 100 (default 2000)"},
    {"syncs[].name", "unique name"},
    {"syncs[].sql", "statement or array of statements (one transaction)"},
    {"syncs[].load.file", "JSON array of objects (relative: to the config)"},
    {"syncs[].load.table", "table upserted into"},
    {"syncs[].load.key", "key columns of the upsert"},
    {"syncs[].command", "argv array; stdout is a JSON array of objects"},
    {"syncs[].table", "table a command's output is upserted into"},
    {"syncs[].key", "key columns of that upsert"},
    {"syncs[].locks", "\"resource:read|write|exclusive\" strings"},
    {"syncs[].timeout_ms", "limit for the whole job (0: none)"},
    {"syncs[].depends_on", "names of syncs that must finish first"},
    {"syncs[].retry.attempts", "as retry.attempts, for this sync"},
    {"syncs[].retry.base_ms", "as retry.base_ms, for this sync"},
    {"syncs[].retry.cap_ms", "as retry.cap_ms, for this sync"},
};

#define NLIST_KEYS (sizeof(list_keys) / sizeof(list_keys[0]))

/* Every key name, settings then list keys, by one index. */
static const char *any_key(size_t i)
{
    return i < NSETTINGS ? settings[i].key : list_keys[i - NSETTINGS].key;
}

static const setting *find_setting(const char *key)
{
    size_t i;

    for (i = 0; i < NSETTINGS; i++)
        if (strcmp(settings[i].key, key) == 0)
            return &settings[i];
    return NULL;
}

static size_t row_of(const setting *s)
{
    return (size_t)(s - settings);
}

static void *field(pd_config *cfg, const setting *s)
{
    return (char *)cfg + s->offset;
}

static const void *cfield(const pd_config *cfg, const setting *s)
{
    return (const char *)cfg + s->offset;
}

/* snprintf for names and paths in messages: truncation is acceptable
 * there (a key path is short; a file name may be cut). */
static void pathf(char *buf, size_t n, const char *fmt, ...) PD_PRINTF(3, 4);

static void pathf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
}

static void set_origin(pd_config *cfg, const setting *s,
                       pd_config_source src, int line, int col,
                       const char *via)
{
    pd_config_origin *o = &cfg->origin[row_of(s)];

    memset(o, 0, sizeof(*o));
    o->source = src;
    o->line = line;
    o->col = col;
    if (via != NULL)
        pathf(o->via, sizeof(o->via), "%s", via);
}

/* ---- values from text (defaults, environment, command line) ---- */

/* "an integer >= LO and <= HI": what a numeric setting must be. */
static void describe(const setting *s, bool seconds, char *buf, size_t n)
{
    if (s->type == T_BOOL)
        pathf(buf, n, "true or false");
    else if (s->type == T_LISTEN)
        pathf(buf, n, "HOST:PORT, such as 127.0.0.1:9187");
    else if (seconds)
        pathf(buf, n, "a number of seconds >= %lld and <= %lld",
                 s->lo / 1000, s->hi / 1000);
    else
        pathf(buf, n, "an integer >= %lld and <= %lld", s->lo, s->hi);
}

static int parse_ll(const char *t, long long lo, long long hi,
                    long long *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(t, &end, 10);
    if (errno != 0 || end == t || *end != '\0' || v < lo || v > hi)
        return PD_EINVAL;
    *out = v;
    return 0;
}

/* Seconds, possibly fractional, to milliseconds in [lo, hi]. */
static int parse_seconds(const char *t, long long lo, long long hi,
                         long long *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(t, &end);
    if (errno != 0 || end == t || *end != '\0' || !isfinite(v) ||
        v * 1000.0 < (double)lo || v * 1000.0 > (double)hi)
        return PD_EINVAL;
    *out = llround(v * 1000.0);
    return 0;
}

static int parse_bool(const char *t, bool *out)
{
    static const char *const yes[] = {"true", "on", "yes", "1"};
    static const char *const no[] = {"false", "off", "no", "0"};
    size_t i;

    for (i = 0; i < 4; i++) {
        if (strcasecmp(t, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(t, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return PD_EINVAL;
}

/* HOST:PORT, HOST a name or address ("[v6]" for IPv6), PORT 1..65535. */
static bool listen_ok(const char *t)
{
    const char *colon = strrchr(t, ':');
    long long port;
    const char *h;

    if (colon == NULL || colon == t ||
        parse_ll(colon + 1, 1, 65535, &port) != 0 || colon[1] == '+')
        return false;
    if (t[0] == '[')
        return colon - t > 2 && colon[-1] == ']';
    for (h = t; h < colon; h++)
        if (!((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') ||
              (*h >= '0' && *h <= '9') || *h == '.' || *h == '-' ||
              *h == '_'))
            return false;
    return true;
}

static void store_number(pd_config *cfg, const setting *s, long long v)
{
    if (s->type == T_INT)
        *(int *)field(cfg, s) = (int)v;
    else
        *(uint32_t *)field(cfg, s) = (uint32_t)v;
}

/* Stores text as the value of scalar s. Empty text clears a string.
 * Returns 0 or PD_EINVAL (nothing stored). */
static int store_text(pd_config *cfg, const setting *s, const char *t,
                      bool seconds)
{
    long long v;
    bool b;

    switch (s->type) {
    case T_INT: case T_U32:
        if ((seconds ? parse_seconds(t, s->lo, s->hi, &v)
                     : parse_ll(t, s->lo, s->hi, &v)) != 0)
            return PD_EINVAL;
        store_number(cfg, s, v);
        return 0;
    case T_BOOL:
        if (parse_bool(t, &b) != 0)
            return PD_EINVAL;
        *(bool *)field(cfg, s) = b;
        return 0;
    case T_LISTEN:
        if (*t != '\0' && !listen_ok(t))
            return PD_EINVAL;
        /* fall through */
    case T_STR:
        pd_config_set_str((char **)field(cfg, s), *t != '\0' ? t : NULL);
        return 0;
    case T_PANELS: case T_SYNCS:
        break;
    }
    return PD_EINVAL;
}

/* Fills built-in defaults from the table; see config.h. */
void pd_config_init(pd_config *cfg)
{
    size_t i;

    memset(cfg, 0, sizeof(*cfg));
    cfg->owner = cfg;
    for (i = 0; i < NSETTINGS; i++)
        if (settings[i].def != NULL)
            (void)store_text(cfg, &settings[i], settings[i].def, false);
}

/* Replaces *fieldp (owned) by a copy of value, or NULL. */
void pd_config_set_str(char **fieldp, const char *value)
{
    char *old = *fieldp;

    *fieldp = value != NULL ? pd_xstrdup(value) : NULL;
    free(old);
}

/* ---- lists ---- */

static void free_strv(char **v, size_t n)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static char **dup_strv(char *const *v, size_t n)
{
    char **d;
    size_t i;

    if (v == NULL)
        return NULL;
    d = pd_xcalloc(n + 1, sizeof(*d));
    for (i = 0; i < n; i++)
        d[i] = pd_xstrdup(v[i]);
    return d;
}

static char *dup_or_null(const char *s)
{
    return s != NULL ? pd_xstrdup(s) : NULL;
}

static void free_sync(pd_config_sync *s)
{
    size_t i;

    free(s->name);
    free_strv(s->sql, s->nsql);
    free(s->file);
    free_strv(s->argv, s->argc);
    free(s->table);
    free_strv(s->key, s->nkey);
    for (i = 0; i < s->nlocks; i++)
        free(s->locks[i].resource);
    free(s->locks);
    free_strv(s->depends_on, s->ndepends);
    free(s->deps);
    memset(s, 0, sizeof(*s));
}

static void free_panels(pd_config_panel *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(p[i].title);
        free(p[i].sql);
    }
    free(p);
}

static void free_syncs(pd_config_sync *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free_sync(&s[i]);
    free(s);
}

/* ---- the file ---- */

typedef struct loader {
    pd_config *cfg;    /* borrowed: being filled */
    const char *name;  /* borrowed: the file name for messages */
    char *dir;         /* owned: its directory with a '/', or NULL */
    pd_error *err;     /* borrowed */
} loader;

/* Sets err to "NAME:LINE:COL: PATH: message" at value v (at its member
 * name when at_key); returns PD_EINVAL. */
static int fail_at(loader *ld, const pd_jsonc_value *v, bool at_key,
                   const char *path, const char *fmt, ...) PD_PRINTF(5, 6);

static int fail_at(loader *ld, const pd_jsonc_value *v, bool at_key,
                   const char *path, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = pd_xvasprintf(fmt, ap);
    va_end(ap);
    pd_error_set(ld->err, PD_ERR_USAGE, "%s:%d:%d: %s: %s", ld->name,
                 at_key ? v->key_line : v->line, at_key ? v->key_col : v->col,
                 path, msg);
    free(msg);
    return PD_EINVAL;
}

/* "(got 0)", "(got a string)": what a wrong value was, for messages. */
static void got(const pd_jsonc_value *v, char *buf, size_t n)
{
    if (v->type == PD_JSONC_NUMBER && v->is_int)
        pathf(buf, n, "%lld", (long long)v->integer);
    else if (v->type == PD_JSONC_NUMBER)
        pathf(buf, n, "%g", v->number);
    else if (v->type == PD_JSONC_BOOL)
        pathf(buf, n, "%s", v->boolean ? "true" : "false");
    else
        pathf(buf, n, "%s", pd_jsonc_type_name(v->type));
}

/* Edit distance of two short names, for "did you mean". */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j;
    size_t row[64], prev, tmp;

    if (la >= 64 || lb >= 64)
        return SIZE_MAX;
    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        prev = row[0];
        row[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t best = prev + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            tmp = row[j];
            row[j] = best;
            prev = tmp;
        }
    }
    return row[lb];
}

/* Is name a key directly under prefix ("", "pool.", "syncs[].")? When it
 * is not, *near is set to the closest known sibling, or "". */
static bool known_child(const char *prefix, const char *name,
                        char *near, size_t nearsz)
{
    size_t i, plen = strlen(prefix);
    size_t best = strlen(name) >= 8 ? 4 : 3; /* suggest below this */

    near[0] = '\0';
    for (i = 0; i < NSETTINGS + NLIST_KEYS; i++) {
        const char *k = any_key(i), *child, *dot;
        size_t clen, d;
        char c[64];

        if (strncmp(k, prefix, plen) != 0)
            continue;
        child = k + plen;
        dot = strchr(child, '.');
        clen = dot != NULL ? (size_t)(dot - child) : strlen(child);
        if (clen == 0 || clen >= sizeof(c) || memchr(child, '[', clen))
            continue; /* "panels[]" is no name to write */
        if (strlen(name) == clen && strncmp(child, name, clen) == 0)
            return true;
        memcpy(c, child, clen);
        c[clen] = '\0';
        if ((d = distance(name, c)) < best) {
            best = d;
            pathf(near, nearsz, "%s", c);
        }
    }
    return false;
}

/* Fails for each member of object o not known under prefix. */
static int check_members(loader *ld, const pd_jsonc_value *o,
                         const char *prefix, const char *path)
{
    size_t i;
    char near[64], full[256];

    for (i = 0; i < o->count; i++) {
        const pd_jsonc_value *m = o->items[i];

        if (known_child(prefix, m->key, near, sizeof(near)))
            continue;
        pathf(full, sizeof(full), "%s%s%s", path, *path ? "." : "",
                 m->key);
        if (near[0] != '\0')
            return fail_at(ld, m, true, full, "unknown key (did you mean "
                           "\"%s\"?)", near);
        return fail_at(ld, m, true, full, "unknown key");
    }
    return 0;
}

/* A scalar setting from the file. */
static int apply_scalar(loader *ld, const setting *s, const pd_jsonc_value *v)
{
    char want[96], g[64];

    describe(s, false, want, sizeof(want));
    got(v, g, sizeof(g));
    switch (s->type) {
    case T_INT: case T_U32:
        if (v->type != PD_JSONC_NUMBER || !v->is_int ||
            v->integer < s->lo || v->integer > s->hi)
            return fail_at(ld, v, false, s->key, "must be %s (got %s)",
                           want, g);
        store_number(ld->cfg, s, v->integer);
        break;
    case T_BOOL:
        if (v->type != PD_JSONC_BOOL)
            return fail_at(ld, v, false, s->key, "must be true or false "
                           "(got %s)", g);
        *(bool *)field(ld->cfg, s) = v->boolean;
        break;
    case T_LISTEN:
        if (v->type != PD_JSONC_STRING ||
            (v->string[0] != '\0' && !listen_ok(v->string)))
            return fail_at(ld, v, false, s->key, "must be %s (got %s%s%s)",
                           want, v->type == PD_JSONC_STRING ? "\"" : "",
                           v->type == PD_JSONC_STRING ? v->string : g,
                           v->type == PD_JSONC_STRING ? "\"" : "");
        pd_config_set_str((char **)field(ld->cfg, s),
                          v->string[0] != '\0' ? v->string : NULL);
        break;
    case T_STR:
        if (v->type != PD_JSONC_STRING || v->string[0] == '\0')
            return fail_at(ld, v, false, s->key, "must be a non-empty "
                           "string (got %s)", v->type == PD_JSONC_STRING ?
                           "\"\"" : g);
        pd_config_set_str((char **)field(ld->cfg, s), v->string);
        break;
    case T_PANELS: case T_SYNCS:
        return PD_EINVAL; /* not scalars */
    }
    set_origin(ld->cfg, s, PD_CFG_FILE, v->line, v->col, NULL);
    return 0;
}

/* A non-empty string at v into *out (returns-owned). */
static int get_string(loader *ld, const pd_jsonc_value *v, const char *path,
                      char **out)
{
    char g[64];

    if (v->type != PD_JSONC_STRING || v->string[0] == '\0') {
        got(v, g, sizeof(g));
        return fail_at(ld, v, false, path, "must be a non-empty string "
                       "(got %s)", v->type == PD_JSONC_STRING ? "\"\"" : g);
    }
    *out = pd_xstrdup(v->string);
    return 0;
}

/* A non-empty array of non-empty strings (or, when one_ok, one string) at
 * v into a returns-owned NULL-terminated *out of *n strings. */
static int get_strings(loader *ld, const pd_jsonc_value *v,
                       const char *path, bool one_ok, char ***out,
                       size_t *n)
{
    char g[64], p[256];
    size_t i;

    if (one_ok && v->type == PD_JSONC_STRING) {
        *out = pd_xcalloc(2, sizeof(char *));
        *n = 1;
        return get_string(ld, v, path, &(*out)[0]);
    }
    if (v->type != PD_JSONC_ARRAY || v->count == 0) {
        got(v, g, sizeof(g));
        return fail_at(ld, v, false, path, "must be %sa non-empty array of "
                       "strings (got %s)", one_ok ? "a string or " : "",
                       v->type == PD_JSONC_ARRAY ? "[]" : g);
    }
    *out = pd_xcalloc(v->count + 1, sizeof(char *));
    *n = v->count;
    for (i = 0; i < v->count; i++) {
        pathf(p, sizeof(p), "%s[%zu]", path, i);
        if (get_string(ld, v->items[i], p, &(*out)[i]) != 0)
            return PD_EINVAL;
    }
    return 0;
}

/* An integer in [lo, hi] at v. */
static int get_int(loader *ld, const pd_jsonc_value *v, const char *path,
                   long long lo, long long hi, long long *out)
{
    char g[64];

    if (v->type != PD_JSONC_NUMBER || !v->is_int || v->integer < lo ||
        v->integer > hi) {
        got(v, g, sizeof(g));
        return fail_at(ld, v, false, path, "must be an integer >= %lld and "
                       "<= %lld (got %s)", lo, hi, g);
    }
    *out = v->integer;
    return 0;
}

static int need_object(loader *ld, const pd_jsonc_value *v, const char *path)
{
    char g[64];

    if (v->type == PD_JSONC_OBJECT)
        return 0;
    got(v, g, sizeof(g));
    return fail_at(ld, v, false, path, "must be an object (got %s)", g);
}

static int parse_panel(loader *ld, const pd_jsonc_value *o, size_t idx,
                       pd_config_panel *pn)
{
    char path[64], p[96];
    const pd_jsonc_value *m;
    long long v = 2000;

    pathf(path, sizeof(path), "panels[%zu]", idx);
    pn->line = o->line;
    pn->col = o->col;
    if (need_object(ld, o, path) != 0 ||
        check_members(ld, o, "panels[].", path) != 0)
        return PD_EINVAL;
    if ((m = pd_jsonc_member(o, "title")) == NULL)
        return fail_at(ld, o, false, path, "needs a \"title\"");
    pathf(p, sizeof(p), "%s.title", path);
    if (get_string(ld, m, p, &pn->title) != 0)
        return PD_EINVAL;
    if ((m = pd_jsonc_member(o, "sql")) == NULL)
        return fail_at(ld, o, false, path, "needs \"sql\"");
    pathf(p, sizeof(p), "%s.sql", path);
    if (get_string(ld, m, p, &pn->sql) != 0)
        return PD_EINVAL;
    if ((m = pd_jsonc_member(o, "refresh_ms")) != NULL) {
        pathf(p, sizeof(p), "%s.refresh_ms", path);
        if (get_int(ld, m, p, 100, DAY_MS, &v) != 0)
            return PD_EINVAL;
    }
    pn->refresh_ms = (uint32_t)v;
    return 0;
}

static bool name_ok(const char *s)
{
    for (; *s != '\0'; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' ||
              *s == '.'))
            return false;
    return true;
}

/* "resource:mode" strings into s->locks. */
static int parse_locks(loader *ld, const pd_jsonc_value *v, const char *path,
                       pd_config_sync *s)
{
    char p[128], g[64];
    size_t i, j;

    if (v->type != PD_JSONC_ARRAY) {
        got(v, g, sizeof(g));
        return fail_at(ld, v, false, path, "must be an array of "
                       "\"resource:read|write|exclusive\" strings (got %s)",
                       g);
    }
    s->locks = pd_xcalloc(v->count + 1, sizeof(*s->locks));
    for (i = 0; i < v->count; i++) {
        const pd_jsonc_value *e = v->items[i];
        const char *colon;
        pd_lock_mode mode;

        pathf(p, sizeof(p), "%s[%zu]", path, i);
        colon = e->type == PD_JSONC_STRING ? strrchr(e->string, ':') : NULL;
        if (colon == NULL || colon == e->string ||
            pd_locks_mode_parse(colon + 1, &mode) != 0) {
            if (e->type == PD_JSONC_STRING)
                return fail_at(ld, e, false, p, "must be \"resource:read\", "
                               "\"resource:write\" or "
                               "\"resource:exclusive\" (got \"%s\")",
                               e->string);
            got(e, g, sizeof(g));
            return fail_at(ld, e, false, p, "must be \"resource:read\", "
                           "\"resource:write\" or \"resource:exclusive\" "
                           "(got %s)", g);
        }
        for (j = 0; j < s->nlocks; j++)
            if (strlen(s->locks[j].resource) == (size_t)(colon - e->string) &&
                strncmp(s->locks[j].resource, e->string,
                        (size_t)(colon - e->string)) == 0)
                return fail_at(ld, e, false, p, "\"%s\" is locked twice",
                               s->locks[j].resource);
        s->locks[s->nlocks].resource =
            pd_xstrndup(e->string, (size_t)(colon - e->string));
        s->locks[s->nlocks].mode = mode;
        s->nlocks++;
    }
    return 0;
}

/* A sync's own "retry", over the top-level one. */
static int parse_sync_retry(loader *ld, const pd_jsonc_value *v,
                            const char *path, pd_config_sync *s)
{
    static const char *const names[] = {"attempts", "base_ms", "cap_ms"};
    char p[128];
    pd_error e = PD_ERROR_INIT;
    size_t i;
    long long n;

    if (need_object(ld, v, path) != 0 ||
        check_members(ld, v, "syncs[].retry.", path) != 0)
        return PD_EINVAL;
    for (i = 0; i < 3; i++) {
        const pd_jsonc_value *m = pd_jsonc_member(v, names[i]);
        char rk[32];
        const setting *row;

        if (m == NULL)
            continue;
        pathf(rk, sizeof(rk), "retry.%s", names[i]);
        row = find_setting(rk);
        pathf(p, sizeof(p), "%s.%s", path, names[i]);
        if (get_int(ld, m, p, row->lo, row->hi, &n) != 0)
            return PD_EINVAL;
        if (i == 0)
            s->retry.attempts = (int)n;
        else if (i == 1)
            s->retry.base_ms = (uint32_t)n;
        else
            s->retry.cap_ms = (uint32_t)n;
    }
    if (pd_retry_policy_check(&s->retry, &e) != 0) {
        int rc;

        if (s->retry.cap_ms < s->retry.base_ms)
            rc = fail_at(ld, v, false, path, "cap_ms (%u) must not be below "
                         "base_ms (%u)%s", (unsigned)s->retry.cap_ms,
                         (unsigned)s->retry.base_ms,
                         v->count < 3 ? " (the keys left out come from the "
                                        "top-level retry)" : "");
        else
            rc = fail_at(ld, v, false, path, "%s", e.message);
        pd_error_clear(&e);
        return rc;
    }
    return 0;
}

/* Resolves a load file against the config file's directory. */
static char *resolve_path(loader *ld, const char *file)
{
    if (file[0] == '/' || ld->dir == NULL)
        return pd_xstrdup(file);
    return pd_xasprintf("%s%s", ld->dir, file);
}

static int parse_load(loader *ld, const pd_jsonc_value *v, const char *path,
                      pd_config_sync *s)
{
    const pd_jsonc_value *m;
    char p[128], *file = NULL;

    if (need_object(ld, v, path) != 0 ||
        check_members(ld, v, "syncs[].load.", path) != 0)
        return PD_EINVAL;
    if ((m = pd_jsonc_member(v, "file")) == NULL)
        return fail_at(ld, v, false, path, "needs \"file\", \"table\" and "
                       "\"key\"");
    pathf(p, sizeof(p), "%s.file", path);
    if (get_string(ld, m, p, &file) != 0)
        return PD_EINVAL;
    s->file = resolve_path(ld, file);
    free(file);
    if ((m = pd_jsonc_member(v, "table")) == NULL)
        return fail_at(ld, v, false, path, "needs \"file\", \"table\" and "
                       "\"key\"");
    pathf(p, sizeof(p), "%s.table", path);
    if (get_string(ld, m, p, &s->table) != 0)
        return PD_EINVAL;
    if ((m = pd_jsonc_member(v, "key")) == NULL)
        return fail_at(ld, v, false, path, "needs \"file\", \"table\" and "
                       "\"key\"");
    pathf(p, sizeof(p), "%s.key", path);
    return get_strings(ld, m, p, false, &s->key, &s->nkey);
}

/* One element of "syncs" into s (which the caller frees either way). */
static int parse_sync(loader *ld, const pd_jsonc_value *o, size_t idx,
                      pd_config_sync *s)
{
    static const char *const kinds[] = {"sql", "load", "command"};
    const pd_jsonc_value *m, *kind_v = NULL;
    char path[64], p[128];
    size_t i;
    long long n;

    pathf(path, sizeof(path), "syncs[%zu]", idx);
    s->line = o->line;
    s->col = o->col;
    s->retry = ld->cfg->retry;
    if (need_object(ld, o, path) != 0 ||
        check_members(ld, o, "syncs[].", path) != 0)
        return PD_EINVAL;
    if ((m = pd_jsonc_member(o, "name")) == NULL)
        return fail_at(ld, o, false, path, "needs a \"name\"");
    pathf(p, sizeof(p), "%s.name", path);
    if (get_string(ld, m, p, &s->name) != 0)
        return PD_EINVAL;
    if (!name_ok(s->name))
        return fail_at(ld, m, false, p, "must be letters, digits, '_', "
                       "'-' or '.' (got \"%s\")", s->name);
    /* Exactly one kind; the second one found is the error. */
    for (i = 0; i < 3; i++) {
        if ((m = pd_jsonc_member(o, kinds[i])) == NULL)
            continue;
        pathf(p, sizeof(p), "%s.%s", path, kinds[i]);
        if (kind_v != NULL) {
            if (m->key_line < kind_v->key_line ||
                (m->key_line == kind_v->key_line &&
                 m->key_col < kind_v->key_col)) {
                const pd_jsonc_value *t = m;
                m = kind_v;
                kind_v = t;
                pathf(p, sizeof(p), "%s.%s", path, m->key);
            }
            return fail_at(ld, m, true, p, "a sync has one of \"sql\", "
                           "\"load\" or \"command\", and this one already "
                           "has \"%s\"", kind_v->key);
        }
        kind_v = m;
        s->kind = (pd_config_sync_kind)i;
    }
    if (kind_v == NULL)
        return fail_at(ld, o, false, path, "needs one of \"sql\", \"load\" "
                       "or \"command\"");
    pathf(p, sizeof(p), "%s.%s", path, kind_v->key);
    if (s->kind == PD_CONFIG_SYNC_SQL &&
        get_strings(ld, kind_v, p, true, &s->sql, &s->nsql) != 0)
        return PD_EINVAL;
    if (s->kind == PD_CONFIG_SYNC_LOAD && parse_load(ld, kind_v, p, s) != 0)
        return PD_EINVAL;
    if (s->kind == PD_CONFIG_SYNC_COMMAND &&
        get_strings(ld, kind_v, p, false, &s->argv, &s->argc) != 0)
        return PD_EINVAL;
    /* A command's target is at the top; a load's inside "load". */
    for (i = 0; i < 2; i++) {
        const char *k = i == 0 ? "table" : "key";

        m = pd_jsonc_member(o, k);
        pathf(p, sizeof(p), "%s.%s", path, k);
        if (m != NULL && s->kind != PD_CONFIG_SYNC_COMMAND)
            return fail_at(ld, m, true, p, "only a \"command\" sync has "
                           "\"%s\" here (a \"load\" sync gives it inside "
                           "\"load\")", k);
        if (s->kind != PD_CONFIG_SYNC_COMMAND)
            continue;
        if (m == NULL)
            return fail_at(ld, o, false, path, "a \"command\" sync needs "
                           "\"table\" and \"key\"");
        if (i == 0 ? get_string(ld, m, p, &s->table)
                   : get_strings(ld, m, p, false, &s->key, &s->nkey))
            return PD_EINVAL;
    }
    if ((m = pd_jsonc_member(o, "locks")) != NULL) {
        pathf(p, sizeof(p), "%s.locks", path);
        if (parse_locks(ld, m, p, s) != 0)
            return PD_EINVAL;
    }
    if ((m = pd_jsonc_member(o, "timeout_ms")) != NULL) {
        pathf(p, sizeof(p), "%s.timeout_ms", path);
        if (get_int(ld, m, p, 0, DAY_MS, &n) != 0)
            return PD_EINVAL;
        s->timeout_ms = (uint32_t)n;
    }
    if ((m = pd_jsonc_member(o, "depends_on")) != NULL) {
        size_t j;

        pathf(p, sizeof(p), "%s.depends_on", path);
        if (m->type == PD_JSONC_ARRAY && m->count == 0) {
            /* an empty list: no dependencies */
        } else if (get_strings(ld, m, p, false, &s->depends_on,
                               &s->ndepends) != 0) {
            return PD_EINVAL;
        }
        for (i = 0; i < s->ndepends; i++)
            for (j = 0; j < i; j++)
                if (strcmp(s->depends_on[i], s->depends_on[j]) == 0) {
                    pathf(p, sizeof(p), "%s.depends_on[%zu]", path, i);
                    return fail_at(ld, m->items[i], false, p, "\"%s\" is "
                                   "listed twice", s->depends_on[i]);
                }
    }
    if ((m = pd_jsonc_member(o, "retry")) != NULL) {
        pathf(p, sizeof(p), "%s.retry", path);
        if (parse_sync_retry(ld, m, p, s) != 0)
            return PD_EINVAL;
    }
    return 0;
}

/* Depth-first search for a dependency cycle through syncs[u]. stack holds
 * the path from the search's root; color: 0 new, 1 on the path, 2 done. */
static int find_cycle(loader *ld, const pd_jsonc_value *arr,
                      pd_config_sync *syncs, size_t u, unsigned char *color,
                      size_t *stack, size_t depth)
{
    size_t j, k;

    color[u] = 1;
    stack[depth] = u;
    for (j = 0; j < syncs[u].ndepends; j++) {
        size_t w = syncs[u].deps[j];

        if (color[w] == 1) {
            const pd_jsonc_value *dep =
                pd_jsonc_member(arr->items[u], "depends_on")->items[j];
            pd_strbuf sb = PD_STRBUF_INIT;
            char p[96];
            int rc;

            for (k = 0; stack[k] != w; k++)
                ;
            for (; k <= depth; k++)
                pd_strbuf_printf(&sb, "%s -> ", syncs[stack[k]].name);
            pd_strbuf_puts(&sb, syncs[w].name);
            pathf(p, sizeof(p), "syncs[%zu].depends_on[%zu]", u, j);
            rc = fail_at(ld, dep, false, p, "dependency cycle: %s",
                         pd_strbuf_cstr(&sb));
            pd_strbuf_free(&sb);
            return rc;
        }
        if (color[w] == 0 &&
            find_cycle(ld, arr, syncs, w, color, stack, depth + 1) != 0)
            return PD_EINVAL;
    }
    color[u] = 2;
    return 0;
}

/* Unique names, existing dependencies, no cycles. */
static int check_sync_graph(loader *ld, const pd_jsonc_value *arr,
                            pd_config_sync *syncs, size_t n)
{
    unsigned char *color = NULL;
    size_t *stack = NULL, i, j, k;
    int rc = 0;

    for (i = 0; i < n; i++) {
        const pd_jsonc_value *o = arr->items[i];

        for (j = 0; j < i; j++) {
            if (strcmp(syncs[i].name, syncs[j].name) == 0) {
                char p[64];
                pathf(p, sizeof(p), "syncs[%zu].name", i);
                return fail_at(ld, pd_jsonc_member(o, "name"), false, p,
                               "\"%s\" is already the name of syncs[%zu]",
                               syncs[i].name, j);
            }
        }
    }
    for (i = 0; i < n; i++) {
        const pd_jsonc_value *deps = pd_jsonc_member(arr->items[i],
                                                     "depends_on");

        if (syncs[i].ndepends == 0)
            continue;
        syncs[i].deps = pd_xcalloc(syncs[i].ndepends, sizeof(size_t));
        for (j = 0; j < syncs[i].ndepends; j++) {
            char p[96];

            pathf(p, sizeof(p), "syncs[%zu].depends_on[%zu]", i, j);
            for (k = 0; k < n; k++)
                if (strcmp(syncs[k].name, syncs[i].depends_on[j]) == 0)
                    break;
            if (k == n)
                return fail_at(ld, deps->items[j], false, p, "no sync is "
                               "named \"%s\"", syncs[i].depends_on[j]);
            if (k == i)
                return fail_at(ld, deps->items[j], false, p, "a sync cannot "
                               "depend on itself");
            syncs[i].deps[j] = k;
        }
    }
    color = pd_xcalloc(n, 1);
    stack = pd_xcalloc(n, sizeof(size_t));
    for (i = 0; i < n && rc == 0; i++)
        if (color[i] == 0)
            rc = find_cycle(ld, arr, syncs, i, color, stack, 0);
    free(color);
    free(stack);
    return rc;
}

/* A list setting from the file: replaces the list when all of it is
 * valid. */
static int apply_list(loader *ld, const setting *s, const pd_jsonc_value *v)
{
    pd_config *cfg = ld->cfg;
    pd_config_panel *panels = NULL;
    pd_config_sync *syncs = NULL;
    size_t i, n = v->count;
    int rc = 0;
    char g[64];

    if (v->type != PD_JSONC_ARRAY) {
        got(v, g, sizeof(g));
        return fail_at(ld, v, false, s->key, "must be an array of objects "
                       "(got %s)", g);
    }
    if (s->type == T_PANELS) {
        panels = n > 0 ? pd_xcalloc(n, sizeof(*panels)) : NULL;
        for (i = 0; i < n && rc == 0; i++)
            rc = parse_panel(ld, v->items[i], i, &panels[i]);
        if (rc != 0) {
            free_panels(panels, n);
            return rc;
        }
        free_panels(cfg->panels, cfg->npanels);
        cfg->panels = panels;
        cfg->npanels = n;
    } else {
        syncs = n > 0 ? pd_xcalloc(n, sizeof(*syncs)) : NULL;
        for (i = 0; i < n && rc == 0; i++)
            rc = parse_sync(ld, v->items[i], i, &syncs[i]);
        if (rc == 0)
            rc = check_sync_graph(ld, v, syncs, n);
        if (rc != 0) {
            free_syncs(syncs, n);
            return rc;
        }
        free_syncs(cfg->syncs, cfg->nsyncs);
        cfg->syncs = syncs;
        cfg->nsyncs = n;
    }
    set_origin(cfg, s, PD_CFG_FILE, v->line, v->col, NULL);
    return 0;
}

/* Where in the file the retry or breaker check should point: the last
 * key of the section given, else the section. */
static const pd_jsonc_value *section_last(const pd_jsonc_value *root,
                                          const char *section)
{
    const pd_jsonc_value *sec = pd_jsonc_member(root, section);

    if (sec == NULL || sec->count == 0)
        return sec != NULL ? sec : root;
    return sec->items[sec->count - 1];
}

/* The whole document: scalars (and their sections) first, so that the
 * lists see the final top-level retry, then the lists. */
static int apply_tree(loader *ld, const pd_jsonc_value *root)
{
    pd_error e = PD_ERROR_INIT;
    size_t i, j, pass;
    char g[64];

    if (root->type != PD_JSONC_OBJECT) {
        got(root, g, sizeof(g));
        return fail_at(ld, root, false, "(top level)", "must be an object "
                       "(got %s)", g);
    }
    if (check_members(ld, root, "", "") != 0)
        return PD_EINVAL;
    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < root->count; i++) {
            const pd_jsonc_value *m = root->items[i];
            const setting *s = find_setting(m->key);
            bool list = s != NULL && (s->type == T_PANELS ||
                                      s->type == T_SYNCS);

            if (s != NULL) {
                if (list != (pass == 1))
                    continue;
                if ((list ? apply_list(ld, s, m) : apply_scalar(ld, s, m))
                    != 0)
                    return PD_EINVAL;
                continue;
            }
            if (pass == 1)
                continue;
            /* a section: "pool": { ... } */
            {
                char prefix[64];

                if (need_object(ld, m, m->key) != 0)
                    return PD_EINVAL;
                pathf(prefix, sizeof(prefix), "%s.", m->key);
                if (check_members(ld, m, prefix, m->key) != 0)
                    return PD_EINVAL;
                for (j = 0; j < m->count; j++) {
                    char key[128];

                    pathf(key, sizeof(key), "%s%s", prefix,
                             m->items[j]->key);
                    if (apply_scalar(ld, find_setting(key), m->items[j]) != 0)
                        return PD_EINVAL;
                }
            }
        }
        if (pass == 0 && pd_retry_policy_check(&ld->cfg->retry, &e) != 0) {
            (void)fail_at(ld, section_last(root, "retry"), false, "retry",
                          "%s", e.message);
            pd_error_clear(&e);
            return PD_EINVAL;
        }
        if (pass == 0 && pd_breaker_opts_check(&ld->cfg->breaker, &e) != 0) {
            (void)fail_at(ld, section_last(root, "breaker"), false,
                          "breaker", "%s", e.message);
            pd_error_clear(&e);
            return PD_EINVAL;
        }
    }
    return 0;
}

/* Applies a document; see config.h. */
int pd_config_load_text(pd_config *cfg, const char *text, size_t len,
                        const char *name, pd_error *err)
{
    loader ld;
    pd_jsonc_value *root = NULL;
    const char *slash;
    int rc;

    memset(&ld, 0, sizeof(ld));
    ld.cfg = cfg;
    ld.name = name != NULL ? name : "<config>";
    ld.err = err;
    if (name != NULL && (slash = strrchr(name, '/')) != NULL)
        ld.dir = pd_xstrndup(name, (size_t)(slash - name) + 1);
    rc = pd_jsonc_parse(text, len, ld.name, PD_JSONC_ALLOW_EMPTY, &root,
                        err);
    if (rc == 0 && root != NULL)
        rc = apply_tree(&ld, root);
    if (rc == 0 && name != NULL)
        pd_config_set_str(&cfg->config_file, name);
    pd_jsonc_free(root);
    free(ld.dir);
    return rc;
}

/* Returns-owned default path of the file, or NULL; see config.h. */
char *pd_config_default_path(void)
{
    const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

    if (x != NULL && x[0] == '/')
        return pd_xasprintf("%s/pgdeck/config.json", x);
    if (home != NULL && home[0] != '\0')
        return pd_xasprintf("%s/.config/pgdeck/config.json", home);
    return NULL;
}

/* Reads and applies the file; see config.h. */
int pd_config_load(pd_config *cfg, const char *path, pd_error *err)
{
    char *def = NULL;
    FILE *f = NULL;
    pd_strbuf sb = PD_STRBUF_INIT;
    char buf[8192];
    size_t n;
    int rc;

    if (path == NULL) {
        def = pd_config_default_path();
        if (def == NULL)
            return 0;
        path = def;
    }
    f = fopen(path, "r");
    if (f == NULL) {
        rc = errno == ENOENT ? PD_ENOTFOUND : PD_EIO;
        if (def != NULL && rc == PD_ENOTFOUND) {
            rc = 0; /* no config file is fine */
        } else {
            pd_error_set(err, PD_ERR_USAGE, "%s: %s", path,
                         strerror(errno));
        }
        goto out;
    }
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        pd_strbuf_append(&sb, buf, n);
    if (ferror(f)) {
        pd_error_set(err, PD_ERR_USAGE, "%s: %s", path, strerror(errno));
        rc = PD_EIO;
        goto out;
    }
    rc = pd_config_load_text(cfg, pd_strbuf_cstr(&sb), sb.len, path, err);

out:
    if (f != NULL)
        fclose(f);
    pd_strbuf_free(&sb);
    free(def);
    return rc;
}

/* ---- environment and command line ---- */

/* Applies DATABASE_URL, DB_* and NO_COLOR; see config.h. */
int pd_config_apply_env(pd_config *cfg, pd_error *err)
{
    const setting *mn = find_setting("pool.min");
    const setting *mx = find_setting("pool.max");
    size_t i;

    for (i = 0; i < NSETTINGS; i++) {
        const setting *s = &settings[i];
        const char *v;
        char want[96];

        if (s->env == NULL || (v = getenv(s->env)) == NULL || *v == '\0')
            continue;
        if (s->env_kind == E_PRESENT) {
            *(bool *)field(cfg, s) = true;
        } else if (store_text(cfg, s, v, s->env_kind == E_SECONDS) != 0) {
            describe(s, s->env_kind == E_SECONDS, want, sizeof(want));
            pd_error_set(err, PD_ERR_USAGE, "%s: must be %s (got \"%s\")",
                         s->env, want, v);
            return PD_EINVAL;
        }
        set_origin(cfg, s, PD_CFG_ENV, 0, 0, s->env);
    }
    /* Both from the environment: the environment contradicts itself. */
    if (cfg->pool_min > cfg->pool_max &&
        cfg->origin[row_of(mn)].source == PD_CFG_ENV &&
        cfg->origin[row_of(mx)].source == PD_CFG_ENV) {
        pd_error_set(err, PD_ERR_USAGE,
                     "DB_MIN_POOL_SIZE (%d) is larger than DB_MAX_POOL_SIZE "
                     "(%d)", cfg->pool_min, cfg->pool_max);
        return PD_EINVAL;
    }
    return 0;
}

/* One command-line value; see config.h. */
int pd_config_set(pd_config *cfg, const char *key, const char *value,
                  const char *flag, pd_error *err)
{
    const setting *s = find_setting(key);
    char want[96];

    if (s == NULL || s->type == T_PANELS || s->type == T_SYNCS) {
        pd_error_set(err, PD_ERR_USAGE, "%s: no setting \"%s\"", flag, key);
        return PD_ENOTFOUND;
    }
    if (store_text(cfg, s, value, false) != 0) {
        describe(s, false, want, sizeof(want));
        pd_error_set(err, PD_ERR_USAGE, "%s: must be %s (got \"%s\")", flag,
                     want, value);
        return PD_EINVAL;
    }
    set_origin(cfg, s, PD_CFG_ARGV, 0, 0, flag);
    return 0;
}

/* "FILE:3:12", "DB_MAX_POOL_SIZE", "--max-pool" or "the default". */
static void where(const pd_config *cfg, const setting *s, char *buf,
                  size_t n)
{
    const pd_config_origin *o = &cfg->origin[row_of(s)];

    switch (o->source) {
    case PD_CFG_FILE:
        pathf(buf, n, "%s:%d:%d",
                 cfg->config_file != NULL ? cfg->config_file : "<config>",
                 o->line, o->col);
        break;
    case PD_CFG_ENV: case PD_CFG_ARGV:
        pathf(buf, n, "%s", o->via);
        break;
    default:
        pathf(buf, n, "the default");
    }
}

/* Checks across keys; see config.h. */
int pd_config_check(pd_config *cfg, pd_error *err)
{
    const setting *mn = find_setting("pool.min");
    const setting *mx = find_setting("pool.max");
    char wmin[300], wmax[300];

    if (cfg->pool_min > cfg->pool_max) {
        if (cfg->origin[row_of(mn)].source == PD_CFG_DEFAULT) {
            cfg->pool_min = cfg->pool_max;
        } else {
            where(cfg, mn, wmin, sizeof(wmin));
            where(cfg, mx, wmax, sizeof(wmax));
            pd_error_set(err, PD_ERR_USAGE, "%s: pool.min (%d) is larger "
                         "than pool.max (%d, from %s)", wmin, cfg->pool_min,
                         cfg->pool_max, wmax);
            return PD_EINVAL;
        }
    }
    if (pd_retry_policy_check(&cfg->retry, err) != 0 ||
        pd_breaker_opts_check(&cfg->breaker, err) != 0)
        return PD_EINVAL;
    return 0;
}

/* ---- provenance and printing ---- */

/* Borrowed origin record of key, or NULL for an unknown key. */
const pd_config_origin *pd_config_origin_of(const pd_config *cfg,
                                            const char *key)
{
    const setting *s = find_setting(key);

    return s != NULL ? &cfg->origin[row_of(s)] : NULL;
}

/* A JSON string literal of s (or null) onto sb. */
static void put_json_str(pd_strbuf *sb, const char *s)
{
    cJSON *j;
    char *t;

    if (s == NULL) {
        pd_strbuf_puts(sb, "null");
        return;
    }
    j = cJSON_CreateString(s);
    t = j != NULL ? cJSON_PrintUnformatted(j) : NULL;
    if (t == NULL)
        pd_fatal("out of memory");
    pd_strbuf_puts(sb, t);
    cJSON_free(t);
    cJSON_Delete(j);
}

static void print_line(FILE *out, const char *key, const char *value,
                       const char *origin)
{
    int w = (int)strlen(value);

    fprintf(out, "%-24s = %s", key, value);
    if (origin != NULL)
        fprintf(out, "%*s# %s", w < 30 ? 30 - w : 2, "", origin);
    fputc('\n', out);
}

static void origin_text(const pd_config *cfg, const setting *s, char *buf,
                        size_t n)
{
    const pd_config_origin *o = &cfg->origin[row_of(s)];
    char w[300];

    where(cfg, s, w, sizeof(w));
    switch (o->source) {
    case PD_CFG_FILE: pathf(buf, n, "file %s", w); break;
    case PD_CFG_ENV: pathf(buf, n, "env %s", w); break;
    case PD_CFG_ARGV: pathf(buf, n, "argv %s", w); break;
    default: pathf(buf, n, "default");
    }
}

static cJSON *strv_json(char *const *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    size_t i;

    for (i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
    return a;
}

/* One sync as the compact JSON --print-config shows (returns-owned). */
static char *sync_json(const pd_config_sync *s)
{
    cJSON *o = cJSON_CreateObject(), *x;
    char *t, *dup;
    size_t i;

    cJSON_AddStringToObject(o, "name", s->name);
    if (s->kind == PD_CONFIG_SYNC_SQL) {
        cJSON_AddItemToObject(o, "sql", strv_json(s->sql, s->nsql));
    } else if (s->kind == PD_CONFIG_SYNC_LOAD) {
        x = cJSON_AddObjectToObject(o, "load");
        cJSON_AddStringToObject(x, "file", s->file);
        cJSON_AddStringToObject(x, "table", s->table);
        cJSON_AddItemToObject(x, "key", strv_json(s->key, s->nkey));
    } else {
        cJSON_AddItemToObject(o, "command", strv_json(s->argv, s->argc));
        cJSON_AddStringToObject(o, "table", s->table);
        cJSON_AddItemToObject(o, "key", strv_json(s->key, s->nkey));
    }
    if (s->nlocks > 0) {
        x = cJSON_AddArrayToObject(o, "locks");
        for (i = 0; i < s->nlocks; i++) {
            char *l = pd_xasprintf("%s:%s", s->locks[i].resource,
                                   pd_locks_mode_name(s->locks[i].mode));
            cJSON_AddItemToArray(x, cJSON_CreateString(l));
            free(l);
        }
    }
    if (s->timeout_ms != 0)
        cJSON_AddNumberToObject(o, "timeout_ms", s->timeout_ms);
    if (s->ndepends > 0)
        cJSON_AddItemToObject(o, "depends_on",
                              strv_json(s->depends_on, s->ndepends));
    x = cJSON_AddObjectToObject(o, "retry");
    cJSON_AddNumberToObject(x, "attempts", s->retry.attempts);
    cJSON_AddNumberToObject(x, "base_ms", s->retry.base_ms);
    cJSON_AddNumberToObject(x, "cap_ms", s->retry.cap_ms);
    t = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (t == NULL)
        pd_fatal("out of memory");
    dup = pd_xstrdup(t);
    cJSON_free(t);
    return dup;
}

/* Writes the effective settings; see config.h. */
void pd_config_print(const pd_config *cfg, FILE *out)
{
    static const struct {
        const char *name, *flag;
        size_t offset;
    } conn[] = {
        {"host", "-h", F(host)}, {"port", "-p", F(port)},
        {"user", "-U", F(user)}, {"dbname", "-d", F(dbname)},
    };
    pd_strbuf v = PD_STRBUF_INIT;
    char o[400], *def, *masked;
    size_t i, j;

    if (cfg->config_file != NULL) {
        fprintf(out, "# config file: %s\n", cfg->config_file);
    } else if ((def = pd_config_default_path()) != NULL) {
        fprintf(out, "# config file: none (%s does not exist)\n", def);
        free(def);
    } else {
        fprintf(out, "# config file: none\n");
    }
    fprintf(out, "# precedence: default < file < env < argv\n");
    for (i = 0; i < NSETTINGS; i++) {
        const setting *s = &settings[i];
        const void *f = cfield(cfg, s);

        pd_strbuf_reset(&v);
        origin_text(cfg, s, o, sizeof(o));
        switch (s->type) {
        case T_INT:
            pd_strbuf_printf(&v, "%d", *(const int *)f);
            break;
        case T_U32:
            pd_strbuf_printf(&v, "%u", (unsigned)*(const uint32_t *)f);
            break;
        case T_BOOL:
            pd_strbuf_puts(&v, *(const bool *)f ? "true" : "false");
            break;
        case T_STR: case T_LISTEN:
            masked = *(char *const *)f != NULL
                         ? pd_conninfo_mask(*(char *const *)f) : NULL;
            put_json_str(&v, s->offset == F(dsn) ? masked
                                                 : *(char *const *)f);
            free(masked);
            break;
        case T_PANELS:
            pd_strbuf_printf(&v, "%zu panel%s", cfg->npanels,
                             cfg->npanels == 1 ? "" : "s");
            break;
        case T_SYNCS:
            pd_strbuf_printf(&v, "%zu sync%s", cfg->nsyncs,
                             cfg->nsyncs == 1 ? "" : "s");
            break;
        }
        print_line(out, s->key, pd_strbuf_cstr(&v), o);
        if (s->type == T_PANELS) {
            for (j = 0; j < cfg->npanels; j++) {
                char k[48];
                pd_strbuf_reset(&v);
                pd_strbuf_puts(&v, "{\"title\":");
                put_json_str(&v, cfg->panels[j].title);
                pd_strbuf_puts(&v, ",\"sql\":");
                put_json_str(&v, cfg->panels[j].sql);
                pd_strbuf_printf(&v, ",\"refresh_ms\":%u}",
                                 (unsigned)cfg->panels[j].refresh_ms);
                pathf(k, sizeof(k), "panels[%zu]", j);
                print_line(out, k, pd_strbuf_cstr(&v), NULL);
            }
        }
        if (s->type == T_SYNCS) {
            for (j = 0; j < cfg->nsyncs; j++) {
                char k[48], *js = sync_json(&cfg->syncs[j]);
                pathf(k, sizeof(k), "syncs[%zu]", j);
                print_line(out, k, js, NULL);
                free(js);
            }
        }
    }
    for (i = 0; i < sizeof(conn) / sizeof(conn[0]); i++) {
        const char *s = *(char *const *)((const char *)cfg + conn[i].offset);
        if (s == NULL)
            continue;
        pd_strbuf_reset(&v);
        put_json_str(&v, s);
        pathf(o, sizeof(o), "argv %s", conn[i].flag);
        print_line(out, conn[i].name, pd_strbuf_cstr(&v), o);
    }
    pd_strbuf_free(&v);
}

/* ---- copy and free ---- */

/* Deep copy; see config.h. */
void pd_config_copy(pd_config *dst, const pd_config *src)
{
    size_t i, j;

    *dst = *src;
    dst->owner = dst;
    dst->dsn = dup_or_null(src->dsn);
    dst->host = dup_or_null(src->host);
    dst->port = dup_or_null(src->port);
    dst->user = dup_or_null(src->user);
    dst->dbname = dup_or_null(src->dbname);
    dst->slow_log = dup_or_null(src->slow_log);
    dst->theme = dup_or_null(src->theme);
    dst->metrics_listen = dup_or_null(src->metrics_listen);
    dst->config_file = dup_or_null(src->config_file);
    dst->panels = NULL;
    if (src->npanels > 0) {
        dst->panels = pd_xcalloc(src->npanels, sizeof(*dst->panels));
        for (i = 0; i < src->npanels; i++) {
            dst->panels[i] = src->panels[i];
            dst->panels[i].title = pd_xstrdup(src->panels[i].title);
            dst->panels[i].sql = pd_xstrdup(src->panels[i].sql);
        }
    }
    dst->syncs = NULL;
    if (src->nsyncs > 0) {
        dst->syncs = pd_xcalloc(src->nsyncs, sizeof(*dst->syncs));
        for (i = 0; i < src->nsyncs; i++) {
            const pd_config_sync *s = &src->syncs[i];
            pd_config_sync *d = &dst->syncs[i];

            *d = *s;
            d->name = pd_xstrdup(s->name);
            d->sql = dup_strv(s->sql, s->nsql);
            d->file = dup_or_null(s->file);
            d->argv = dup_strv(s->argv, s->argc);
            d->table = dup_or_null(s->table);
            d->key = dup_strv(s->key, s->nkey);
            d->locks = NULL;
            if (s->nlocks > 0) {
                d->locks = pd_xcalloc(s->nlocks, sizeof(*d->locks));
                for (j = 0; j < s->nlocks; j++) {
                    d->locks[j].resource = pd_xstrdup(s->locks[j].resource);
                    d->locks[j].mode = s->locks[j].mode;
                }
            }
            d->depends_on = dup_strv(s->depends_on, s->ndepends);
            d->deps = NULL;
            if (s->ndepends > 0) {
                d->deps = pd_xcalloc(s->ndepends, sizeof(*d->deps));
                memcpy(d->deps, s->deps, s->ndepends * sizeof(*d->deps));
            }
        }
    }
}

/* Frees what cfg owns; see config.h. */
void pd_config_free(pd_config *cfg)
{
    free(cfg->dsn);
    free(cfg->host);
    free(cfg->port);
    free(cfg->user);
    free(cfg->dbname);
    free(cfg->slow_log);
    free(cfg->theme);
    if (cfg->owner == cfg) {
        free(cfg->metrics_listen);
        free(cfg->config_file);
        free_panels(cfg->panels, cfg->npanels);
        free_syncs(cfg->syncs, cfg->nsyncs);
    }
    memset(cfg, 0, sizeof(*cfg));
}
