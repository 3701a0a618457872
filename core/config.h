/* config.h: every setting, in one struct, from one settings table.
 *
 * Precedence: built-in defaults < config file < environment < command line.
 * The caller applies the layers in that order:
 *     pd_config_init      defaults
 *     pd_config_load      the JSON file (comments allowed)
 *     pd_config_apply_env DATABASE_URL, DB_*, NO_COLOR
 *     pd_config_set       each command-line option
 *     pd_config_check     what involves several keys (pool.min <= max)
 * Every value remembers where it came from (pd_config_origin) for
 * --print-config. Errors in the file name file:line:col and the key's path:
 * "config.json:3:12: pool.max: must be an integer >= 1 and <= 10000 (got
 * 0)"; in the environment the variable, on the command line the flag.
 *
 * Copying: use pd_config_copy. A struct assignment copies the pointers:
 * such a copy borrows what the original owns (the lists and the strings
 * marked "view" below) and must not outlive it; pd_config_free on the copy
 * then frees only the seven connection and display strings. */
#ifndef PD_CONFIG_H
#define PD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/breaker.h"
#include "core/error.h"
#include "core/locks.h"
#include "core/retry.h"

/* Where a value came from. */
typedef enum pd_config_source {
    PD_CFG_DEFAULT = 0, /* built in */
    PD_CFG_FILE,        /* the config file, at line:col */
    PD_CFG_ENV,         /* an environment variable, named in via */
    PD_CFG_ARGV         /* a command-line option, named in via */
} pd_config_source;

typedef struct pd_config_origin {
    pd_config_source source;
    int line, col;  /* FILE: where the value starts */
    char via[32];   /* ENV: the variable; ARGV: the option ("--max-pool") */
} pd_config_origin;

#define PD_CONFIG_MAX_KEYS 48 /* room for the settings table's rows */

/* One custom dashboard panel ("panels" in the file). */
typedef struct pd_config_panel {
    char *title;          /* owned, non-empty */
    char *sql;            /* owned, non-empty: one statement */
    uint32_t refresh_ms;  /* >= 100; default 2000 */
    int line, col;        /* where its object starts in the config file */
} pd_config_panel;

typedef enum pd_config_sync_kind {
    PD_CONFIG_SYNC_SQL = 0, /* statements, run in one transaction */
    PD_CONFIG_SYNC_LOAD,    /* upsert a JSON file's array of objects */
    PD_CONFIG_SYNC_COMMAND  /* upsert a command's stdout, a JSON array of
                               objects */
} pd_config_sync_kind;

/* "resource:mode" of a sync's "locks", parsed. */
typedef struct pd_config_lock {
    char *resource;    /* owned, non-empty */
    pd_lock_mode mode; /* PD_LOCK_READ, _WRITE or _EXCLUSIVE */
} pd_config_lock;

/* One refresh-all job ("syncs" in the file). Exactly one kind. Lists are
 * owned and, for the string lists, also NULL-terminated. */
typedef struct pd_config_sync {
    char *name;                /* owned, unique among the syncs; letters,
                                  digits, '_', '-', '.' */
    pd_config_sync_kind kind;
    char **sql;                /* SQL: the statements, nsql >= 1 */
    size_t nsql;
    char *file;                /* LOAD: the JSON file; a relative path in
                                  the config is resolved against the config
                                  file's directory */
    char **argv;               /* COMMAND: argv[0] is the program (run
                                  without a shell), argc >= 1 */
    size_t argc;
    char *table;               /* LOAD, COMMAND: the target table; else
                                  NULL */
    char **key;                /* LOAD, COMMAND: upsert key columns,
                                  nkey >= 1; else NULL */
    size_t nkey;
    pd_config_lock *locks;     /* taken before it runs, in this order;
                                  one entry per resource */
    size_t nlocks;
    uint32_t timeout_ms;       /* the whole job; 0 = no limit of its own */
    char **depends_on;         /* names of syncs that must finish first */
    size_t ndepends;
    size_t *deps;              /* the same, as indexes into
                                  pd_config.syncs (acyclic: checked) */
    pd_retry_policy retry;     /* its "retry"; keys it leaves out come from
                                  the top-level "retry" */
    int line, col;             /* where its object starts in the file */
} pd_config_sync;

typedef struct pd_config {
    /* database */
    char *dsn;    /* database.url: DBNAME, conninfo or URI (config,
                     DATABASE_URL, argv); NULL: libpq's PG* alone */
    char *host;   /* -h, overrides the dsn's */
    char *port;   /* -p */
    char *user;   /* -U */
    char *dbname; /* -d */
    /* pool */
    int pool_min;                /* pool.min, DB_MIN_POOL_SIZE, default 2 */
    int pool_max;                /* pool.max, DB_MAX_POOL_SIZE, default 10 */
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
    /* retries and the circuit breaker (plain values) */
    pd_retry_policy retry;       /* retry.*, default {3, 50, 2000} */
    pd_breaker_opts breaker;     /* breaker.*, default {5, 10000} */
    /* slow log */
    uint32_t slow_ms;            /* slow_log.threshold_ms,
                                    DB_SLOW_QUERY_MS, default 100 */
    char *slow_log;              /* slow_log.file, NULL: the default path */
    bool slow_log_literals;      /* slow_log.log_literals, default false */
    /* display */
    char *theme;                 /* theme name, NULL: built-in */
    bool no_color;               /* NO_COLOR or --no-color */
    /* metrics and syncs */
    char *metrics_listen;        /* view; "HOST:PORT" for GET /metrics,
                                    NULL: no server */
    int max_concurrency;         /* syncs running at once; 0 = pool.max */
    pd_config_panel *panels;     /* view; npanels entries */
    size_t npanels;
    pd_config_sync *syncs;       /* view; nsyncs entries */
    size_t nsyncs;
    /* provenance */
    char *config_file;           /* view; the file loaded, or NULL */
    pd_config_origin origin[PD_CONFIG_MAX_KEYS]; /* by table row: use
                                                    pd_config_origin_of */
    const struct pd_config *owner; /* internal: the address that owns the
                                      "view" fields; see the top */
} pd_config;

/* Fills every setting with its built-in default (origin PD_CFG_DEFAULT).
 * cfg needs no prior state; release it with pd_config_free. */
void pd_config_init(pd_config *cfg);

/* Returns-owned default path of the config file:
 * $XDG_CONFIG_HOME/pgdeck/config.json, else ~/.config/pgdeck/config.json;
 * NULL when neither variable is set. */
char *pd_config_default_path(void);

/* Applies the config file at path (borrowed) on top of cfg. path NULL means
 * the default path, which may be absent (then nothing changes). Returns 0,
 * or PD_ENOTFOUND / PD_EIO / PD_EINVAL with err set to one line: the
 * reason the file cannot be read, a syntax error, an unknown key, a wrong
 * type or an out-of-range value, each as "FILE:LINE:COL: KEY: message".
 * Blocking (start-up only). On failure cfg keeps what it had and what was
 * applied before the error, and must still be freed. */
PD_MUSTCHECK int pd_config_load(pd_config *cfg, const char *path,
                                pd_error *err);
/* As pd_config_load, from text[0..len) (borrowed). name is the file name
 * used in messages and to resolve relative paths (NULL: "<config>" and the
 * current directory). */
PD_MUSTCHECK int pd_config_load_text(pd_config *cfg, const char *text,
                                     size_t len, const char *name,
                                     pd_error *err);

/* Applies the environment: DATABASE_URL, DB_MIN_POOL_SIZE,
 * DB_MAX_POOL_SIZE, DB_POOL_TIMEOUT (s), DB_COMMAND_TIMEOUT (s),
 * DB_POOL_RECYCLE, DB_SLOW_QUERY_MS, NO_COLOR. Empty variables are
 * ignored. Returns 0, or PD_EINVAL with err naming the variable and what
 * is wrong with its value, or naming both pool sizes when the environment
 * gives a minimum above its own maximum. */
PD_MUSTCHECK int pd_config_apply_env(pd_config *cfg, pd_error *err);

/* Sets key (a settings-table key such as "pool.max", or "database.url")
 * from the text value, as given on the command line by option flag (both
 * borrowed; flag, such as "--max-pool", names the option in errors and in
 * --print-config). Booleans take true/false, on/off, yes/no or 1/0.
 * Returns 0, PD_ENOTFOUND for a key that is not a single setting (panels,
 * syncs, unknown), or PD_EINVAL with err as "FLAG: must be ...". */
PD_MUSTCHECK int pd_config_set(pd_config *cfg, const char *key,
                               const char *value, const char *flag,
                               pd_error *err);

/* Checks what involves several keys, once every layer is applied:
 * pool.min above pool.max is an error naming where each came from, except
 * that a default pool.min is lowered to pool.max. Returns 0 or PD_EINVAL
 * with err set. */
PD_MUSTCHECK int pd_config_check(pd_config *cfg, pd_error *err);

/* Where key's value came from (borrowed from cfg), or NULL for an unknown
 * key. */
const pd_config_origin *pd_config_origin_of(const pd_config *cfg,
                                            const char *key);
/* Writes the effective settings, one "key = value  # origin" line per
 * table row (database.url with its password masked), then one line per
 * panel and per sync, to out. */
void pd_config_print(const pd_config *cfg, FILE *out);

/* Deep copy of src into dst (which is overwritten, not freed): dst owns
 * everything and is released with pd_config_free. */
void pd_config_copy(pd_config *dst, const pd_config *src);
/* Replaces a string setting (value copied; NULL clears). */
void pd_config_set_str(char **field, const char *value);
/* Frees what cfg owns (see the top) and zeroes it. Accepts a zeroed
 * cfg. */
void pd_config_free(pd_config *cfg);

#endif
