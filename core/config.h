/* config.h: every setting, in one struct.
 *
 * Precedence: built-in defaults < config file < environment < command line.
 * This module fills defaults and the environment; the command line is
 * applied by the caller (shell/main.c) on top. */
#ifndef PD_CONFIG_H
#define PD_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

typedef struct pd_config {
    /* database */
    char *dsn;    /* DBNAME, conninfo or URI (argv, then DATABASE_URL);
                     NULL: libpq's PG* environment alone */
    char *host;   /* -h, overrides the dsn's */
    char *port;   /* -p */
    char *user;   /* -U */
    char *dbname; /* -d */
    /* pool */
    int pool_min;                /* DB_MIN_POOL_SIZE, default 2 */
    int pool_max;                /* DB_MAX_POOL_SIZE, default 10 */
    uint32_t acquire_timeout_ms; /* DB_POOL_TIMEOUT (s), default 30000 */
    uint32_t command_timeout_ms; /* DB_COMMAND_TIMEOUT (s), default 60000 */
    uint32_t connect_timeout_ms; /* default 10000 */
    uint32_t max_lifetime_s;     /* DB_POOL_RECYCLE, default 1800 */
    uint32_t idle_timeout_s;     /* default 300 */
    bool prepare;                /* cache prepared statements, default
                                    true (false behind PgBouncer in
                                    transaction mode) */
    uint32_t preping_ms;         /* pre-ping connections idle longer than
                                    this; default 0 = off */
    /* slow log */
    uint32_t slow_ms;            /* DB_SLOW_QUERY_MS, default 100 */
    char *slow_log;              /* file, NULL: the default path */
    /* display */
    char *theme;                 /* theme name, NULL: built-in */
    bool no_color;               /* NO_COLOR or --no-color */
} pd_config;

/* Fills built-in defaults. */
void pd_config_init(pd_config *cfg);
/* Applies the environment. Returns 0, or PD_EINVAL with err naming the
 * variable and what is wrong with its value. */
PD_MUSTCHECK int pd_config_apply_env(pd_config *cfg, pd_error *err);
/* Replaces a string setting (value copied; NULL clears). */
void pd_config_set_str(char **field, const char *value);
void pd_config_free(pd_config *cfg);

#endif
