/* config.c: defaults and the environment. */
#include "core/config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

void pd_config_init(pd_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->pool_min = 2;
    cfg->pool_max = 10;
    cfg->acquire_timeout_ms = 30000;
    cfg->command_timeout_ms = 60000;
    cfg->connect_timeout_ms = 10000;
    cfg->max_lifetime_s = 1800;
    cfg->idle_timeout_s = 300;
    cfg->prepare = true;
    cfg->slow_ms = 100;
}

void pd_config_set_str(char **field, const char *value)
{
    free(*field);
    *field = value != NULL ? pd_xstrdup(value) : NULL;
}

/* An integer in [lo, hi], the whole string. */
static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return PD_EINVAL;
    *out = v;
    return 0;
}

/* Seconds, possibly fractional, to milliseconds in [0, hi_ms]. */
static int parse_seconds_ms(const char *s, uint32_t hi_ms, uint32_t *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < 0 ||
        v * 1000.0 > hi_ms)
        return PD_EINVAL;
    *out = (uint32_t)llround(v * 1000.0);
    return 0;
}

/* The numeric DB_* variables: one row each, so every one is parsed and
 * reported the same way. */
typedef enum { ENV_INT, ENV_SECONDS } env_kind;

typedef struct env_var {
    const char *name;
    env_kind kind;
    long lo, hi;      /* ENV_INT bounds; ENV_SECONDS: hi is in ms */
    size_t offset;    /* of an int or uint32_t field in pd_config */
    bool is_int;      /* field type: int (true) or uint32_t */
} env_var;

static const env_var env_vars[] = {
    {"DB_MIN_POOL_SIZE", ENV_INT, 0, 10000, offsetof(pd_config, pool_min),
     true},
    {"DB_MAX_POOL_SIZE", ENV_INT, 1, 10000, offsetof(pd_config, pool_max),
     true},
    {"DB_POOL_TIMEOUT", ENV_SECONDS, 0, 86400000,
     offsetof(pd_config, acquire_timeout_ms), false},
    {"DB_COMMAND_TIMEOUT", ENV_SECONDS, 0, 86400000,
     offsetof(pd_config, command_timeout_ms), false},
    {"DB_POOL_RECYCLE", ENV_INT, 0, 31536000,
     offsetof(pd_config, max_lifetime_s), false},
    {"DB_SLOW_QUERY_MS", ENV_INT, 0, 86400000, offsetof(pd_config, slow_ms),
     false},
};

/* Applies DATABASE_URL, DB_* and NO_COLOR; see config.h. */
int pd_config_apply_env(pd_config *cfg, pd_error *err)
{
    const char *v;
    size_t i;

    if ((v = getenv("DATABASE_URL")) != NULL && *v != '\0')
        pd_config_set_str(&cfg->dsn, v);
    for (i = 0; i < sizeof(env_vars) / sizeof(env_vars[0]); i++) {
        const env_var *e = &env_vars[i];
        char *field = (char *)cfg + e->offset;
        long n = 0;
        uint32_t ms = 0;

        if ((v = getenv(e->name)) == NULL || *v == '\0')
            continue;
        if (e->kind == ENV_INT ? parse_int(v, e->lo, e->hi, &n) != 0
                               : parse_seconds_ms(v, (uint32_t)e->hi, &ms) != 0) {
            if (e->kind == ENV_INT)
                pd_error_set(err, PD_ERR_USAGE,
                             "%s: must be an integer from %ld to %ld "
                             "(got \"%s\")", e->name, e->lo, e->hi, v);
            else
                pd_error_set(err, PD_ERR_USAGE,
                             "%s: must be a number of seconds from 0 to %ld "
                             "(got \"%s\")", e->name, e->hi / 1000, v);
            return PD_EINVAL;
        }
        if (e->kind == ENV_SECONDS)
            n = (long)ms;
        if (e->is_int)
            *(int *)(void *)field = (int)n;
        else
            *(uint32_t *)(void *)field = (uint32_t)n;
    }
    if ((v = getenv("NO_COLOR")) != NULL && *v != '\0')
        cfg->no_color = true;
    if (cfg->pool_min > cfg->pool_max) {
        pd_error_set(err, PD_ERR_USAGE,
                     "DB_MIN_POOL_SIZE (%d) is larger than DB_MAX_POOL_SIZE "
                     "(%d)", cfg->pool_min, cfg->pool_max);
        return PD_EINVAL;
    }
    return 0;
}

void pd_config_free(pd_config *cfg)
{
    free(cfg->dsn);
    free(cfg->host);
    free(cfg->port);
    free(cfg->user);
    free(cfg->dbname);
    free(cfg->slow_log);
    free(cfg->theme);
    memset(cfg, 0, sizeof(*cfg));
}
