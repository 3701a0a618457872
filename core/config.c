/* config.c: the settings table, and the layers that fill pd_config from
 * it: defaults, the environment, the command line (the JSON file is
 * config_file.c's; see config_int.h for the module's files).
 *
 * One row per setting (STYLE.md rule 14) drives the defaults, the file's
 * key names and types and ranges, the environment variables, the error
 * messages, --print-config and the README check
 * (tests/check/config_keys.sh, which reads the rows' first strings: keep
 * each row starting with {"key",). The two lists, panels and syncs, have a
 * row each here and their element keys in list_keys[]. */
#include "core/config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/config_int.h"
#include "core/xalloc.h"

#define F(field) offsetof(pd_config, field)
#define DAY_MS PD_CONFIG_DAY_MS
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

/* The keys inside the list elements (parsed by config_sync.c; listed
 * here for unknown-key detection and the docs). */
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

/* Row i of the table, or NULL; see config_int.h. */
const setting *pd_config_setting_at(size_t i)
{
    return i < NSETTINGS ? &settings[i] : NULL;
}

/* Every key name, settings then list keys, by one index; see
 * config_int.h. */
const char *pd_config_key_at(size_t i)
{
    if (i < NSETTINGS)
        return settings[i].key;
    return i < NSETTINGS + NLIST_KEYS ? list_keys[i - NSETTINGS].key : NULL;
}

/* The row of key, or NULL; see config_int.h. */
const setting *pd_config_find_setting(const char *key)
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

/* snprintf that may truncate, for messages; see config_int.h. */
void pd_config_pathf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
}

/* Records where s's value came from; see config_int.h. */
void pd_config_set_origin(pd_config *cfg, const setting *s,
                          pd_config_source src, int line, int col,
                          const char *via)
{
    pd_config_origin *o = &cfg->origin[row_of(s)];

    memset(o, 0, sizeof(*o));
    o->source = src;
    o->line = line;
    o->col = col;
    if (via != NULL)
        pd_config_pathf(o->via, sizeof(o->via), "%s", via);
}

/* ---- values from text (defaults, environment, command line) ---- */

/* "an integer >= LO and <= HI": what a numeric setting must be; see
 * config_int.h. */
void pd_config_describe(const setting *s, bool seconds, char *buf, size_t n)
{
    if (s->type == T_BOOL)
        pd_config_pathf(buf, n, "true or false");
    else if (s->type == T_LISTEN)
        pd_config_pathf(buf, n, "HOST:PORT, such as 127.0.0.1:9187");
    else if (seconds)
        pd_config_pathf(buf, n, "a number of seconds >= %lld and <= %lld",
                 s->lo / 1000, s->hi / 1000);
    else
        pd_config_pathf(buf, n, "an integer >= %lld and <= %lld", s->lo, s->hi);
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

/* Letters, digits, '_', '-' and '.' only in s[0..n); see config_int.h. */
bool pd_config_name_ok(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-' ||
              s[i] == '.'))
            return false;
    return true;
}

/* HOST:PORT, HOST a name or address ("[v6]" for IPv6), PORT 1..65535;
 * see config_int.h. */
bool pd_config_listen_ok(const char *t)
{
    const char *colon = strrchr(t, ':');
    long long port;

    if (colon == NULL || colon == t ||
        parse_ll(colon + 1, 1, 65535, &port) != 0 || colon[1] == '+')
        return false;
    if (t[0] == '[')
        return colon - t > 2 && colon[-1] == ']';
    return pd_config_name_ok(t, (size_t)(colon - t));
}

/* Stores a number already in range; see config_int.h. */
void pd_config_store_number(pd_config *cfg, const setting *s, long long v)
{
    if (s->type == T_INT)
        *(int *)pd_config_field(cfg, s) = (int)v;
    else
        *(uint32_t *)pd_config_field(cfg, s) = (uint32_t)v;
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
        pd_config_store_number(cfg, s, v);
        return 0;
    case T_BOOL:
        if (parse_bool(t, &b) != 0)
            return PD_EINVAL;
        *(bool *)pd_config_field(cfg, s) = b;
        return 0;
    case T_LISTEN:
        if (*t != '\0' && !pd_config_listen_ok(t))
            return PD_EINVAL;
        /* fall through */
    case T_STR:
        pd_config_set_str((char **)pd_config_field(cfg, s),
                          *t != '\0' ? t : NULL);
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

/* ---- environment and command line ---- */

/* Applies DATABASE_URL, DB_* and NO_COLOR; see config.h. */
int pd_config_apply_env(pd_config *cfg, pd_error *err)
{
    const setting *mn = pd_config_find_setting("pool.min");
    const setting *mx = pd_config_find_setting("pool.max");
    size_t i;

    for (i = 0; i < NSETTINGS; i++) {
        const setting *s = &settings[i];
        const char *v;
        char want[96];

        if (s->env == NULL || (v = getenv(s->env)) == NULL || *v == '\0')
            continue;
        if (s->env_kind == E_PRESENT) {
            *(bool *)pd_config_field(cfg, s) = true;
        } else if (store_text(cfg, s, v, s->env_kind == E_SECONDS) != 0) {
            pd_config_describe(s, s->env_kind == E_SECONDS, want,
                               sizeof(want));
            pd_error_set(err, PD_ERR_USAGE, "%s: must be %s (got \"%s\")",
                         s->env, want, v);
            return PD_EINVAL;
        }
        pd_config_set_origin(cfg, s, PD_CFG_ENV, 0, 0, s->env);
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
    const setting *s = pd_config_find_setting(key);
    char want[96];

    if (s == NULL || s->type == T_PANELS || s->type == T_SYNCS) {
        pd_error_set(err, PD_ERR_USAGE, "%s: no setting \"%s\"", flag, key);
        return PD_ENOTFOUND;
    }
    if (store_text(cfg, s, value, false) != 0) {
        pd_config_describe(s, false, want, sizeof(want));
        pd_error_set(err, PD_ERR_USAGE, "%s: must be %s (got \"%s\")", flag,
                     want, value);
        return PD_EINVAL;
    }
    pd_config_set_origin(cfg, s, PD_CFG_ARGV, 0, 0, flag);
    return 0;
}

/* "FILE:3:12", "DB_MAX_POOL_SIZE", "--max-pool" or "the default"; see
 * config_int.h. */
void pd_config_where(const pd_config *cfg, const setting *s, char *buf,
                     size_t n)
{
    const pd_config_origin *o = &cfg->origin[row_of(s)];

    switch (o->source) {
    case PD_CFG_FILE:
        pd_config_pathf(buf, n, "%s:%d:%d",
                        cfg->config_file != NULL ? cfg->config_file
                                                 : "<config>",
                        o->line, o->col);
        break;
    case PD_CFG_ENV: case PD_CFG_ARGV:
        pd_config_pathf(buf, n, "%s", o->via);
        break;
    default:
        pd_config_pathf(buf, n, "the default");
    }
}

/* Checks across keys; see config.h. */
int pd_config_check(pd_config *cfg, pd_error *err)
{
    const setting *mn = pd_config_find_setting("pool.min");
    const setting *mx = pd_config_find_setting("pool.max");
    char wmin[300], wmax[300];

    if (cfg->pool_min > cfg->pool_max) {
        if (cfg->origin[row_of(mn)].source == PD_CFG_DEFAULT) {
            cfg->pool_min = cfg->pool_max;
        } else {
            pd_config_where(cfg, mn, wmin, sizeof(wmin));
            pd_config_where(cfg, mx, wmax, sizeof(wmax));
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

/* ---- provenance ---- */

/* Borrowed origin record of key, or NULL for an unknown key. */
const pd_config_origin *pd_config_origin_of(const pd_config *cfg,
                                            const char *key)
{
    const setting *s = pd_config_find_setting(key);

    return s != NULL ? &cfg->origin[row_of(s)] : NULL;
}

/* ---- copy and free ---- */

/* Returns-owned copy of s, or NULL; see config_int.h. */
char *pd_config_dup_or_null(const char *s)
{
    return s != NULL ? pd_xstrdup(s) : NULL;
}

/* Deep copy; see config.h. */
void pd_config_copy(pd_config *dst, const pd_config *src)
{
    *dst = *src;
    dst->owner = dst;
    dst->dsn = pd_config_dup_or_null(src->dsn);
    dst->host = pd_config_dup_or_null(src->host);
    dst->port = pd_config_dup_or_null(src->port);
    dst->user = pd_config_dup_or_null(src->user);
    dst->dbname = pd_config_dup_or_null(src->dbname);
    dst->slow_log = pd_config_dup_or_null(src->slow_log);
    dst->theme = pd_config_dup_or_null(src->theme);
    dst->metrics_listen = pd_config_dup_or_null(src->metrics_listen);
    dst->config_file = pd_config_dup_or_null(src->config_file);
    pd_config_copy_lists(dst, src);
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
        pd_config_free_lists(cfg);
    }
    memset(cfg, 0, sizeof(*cfg));
}
