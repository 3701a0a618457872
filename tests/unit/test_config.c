/* test_config.c: the settings layers (default < file < env < argv), every
 * key of DESIGN.md's example, the file:line:col and key path of each kind
 * of error, the panels and syncs lists with their graph checks, provenance
 * and --print-config with the password masked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"

static const char *const env_names[] = {
    "DATABASE_URL", "DB_MIN_POOL_SIZE", "DB_MAX_POOL_SIZE",
    "DB_POOL_TIMEOUT", "DB_COMMAND_TIMEOUT", "DB_POOL_RECYCLE",
    "DB_SLOW_QUERY_MS", "NO_COLOR",
};

static int clear_env(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++)
        unsetenv(env_names[i]);
    return 0;
}

/* Loads text as /etc/pgdeck/c.json into cfg; asserts success. */
static void load_ok(pd_config *cfg, const char *text)
{
    pd_error err = PD_ERROR_INIT;

    if (pd_config_load_text(cfg, text, strlen(text), "/etc/pgdeck/c.json",
                            &err) != 0)
        fail_msg("load failed: %s", err.message);
    pd_error_clear(&err);
}

/* Asserts that text fails to load with exactly the message want (the
 * file is named c.json). */
static void load_fails(const char *text, const char *want)
{
    pd_config cfg;
    pd_error err = PD_ERROR_INIT;

    pd_config_init(&cfg);
    assert_int_not_equal(pd_config_load_text(&cfg, text, strlen(text),
                                             "c.json", &err), 0);
    assert_non_null(err.message);
    if (strcmp(err.message, want) != 0)
        fail_msg("for %s\n  got  %s\n  want %s", text, err.message, want);
    pd_error_clear(&err);
    pd_config_free(&cfg);
}

static void test_defaults(void **state)
{
    pd_config cfg;
    pd_retry_policy rp = PD_RETRY_POLICY_DEFAULT;
    pd_breaker_opts bo = PD_BREAKER_OPTS_DEFAULT;
    pd_error err = PD_ERROR_INIT;

    (void)state;
    pd_config_init(&cfg);
    assert_null(cfg.dsn);
    assert_int_equal(cfg.pool_min, 2);
    assert_int_equal(cfg.pool_max, 10);
    assert_int_equal(cfg.acquire_timeout_ms, 30000);
    assert_int_equal(cfg.command_timeout_ms, 60000);
    assert_int_equal(cfg.connect_timeout_ms, 10000);
    assert_int_equal(cfg.max_lifetime_s, 1800);
    assert_int_equal(cfg.idle_timeout_s, 300);
    assert_true(cfg.prepare);
    assert_int_equal(cfg.preping_ms, 0);
    assert_int_equal(cfg.retry.attempts, rp.attempts);
    assert_int_equal(cfg.retry.base_ms, rp.base_ms);
    assert_int_equal(cfg.retry.cap_ms, rp.cap_ms);
    assert_int_equal(cfg.breaker.failures, bo.failures);
    assert_int_equal(cfg.breaker.open_ms, bo.open_ms);
    assert_int_equal(cfg.slow_ms, 100);
    assert_null(cfg.slow_log);
    assert_false(cfg.slow_log_literals);
    assert_null(cfg.theme);
    assert_false(cfg.no_color);
    assert_null(cfg.metrics_listen);
    assert_int_equal(cfg.max_concurrency, 0);
    assert_int_equal(cfg.npanels, 0);
    assert_int_equal(cfg.nsyncs, 0);
    assert_int_equal(pd_config_origin_of(&cfg, "pool.max")->source,
                     PD_CFG_DEFAULT);
    assert_null(pd_config_origin_of(&cfg, "pool.nope"));
    assert_int_equal(pd_config_check(&cfg, &err), 0);
    pd_config_free(&cfg);
}

/* DESIGN.md's example, every key, with comments. */
static const char design_example[] =
    "// pgdeck config\n"
    "{ \"database\": { \"url\": \"postgresql://app:s3cret@db/app\" },\n"
    "  \"pool\":     { \"min\": 3, \"max\": 12, \"acquire_timeout_ms\": 1000,"
    " \"command_timeout_ms\": 2000,\n"
    "                \"max_lifetime_s\": 60, \"idle_timeout_s\": 30, "
    "\"prepare\": false },\n"
    "  \"retry\":    { \"attempts\": 4, \"base_ms\": 10, \"cap_ms\": 500 },\n"
    "  \"breaker\":  { \"failures\": 7, \"open_ms\": 3000 },\n"
    "  \"slow_log\": { \"threshold_ms\": 250, \"file\": \"/var/log/s.jsonl\","
    " \"log_literals\": true },\n"
    "  /* custom panels */\n"
    "  \"panels\":   [ { \"title\": \"Open positions\", \"sql\": \"SELECT 1\","
    " \"refresh_ms\": 5000 } ],\n"
    "  \"syncs\":    [ { \"name\": \"markets\", \"sql\": [\"SELECT 1\", "
    "\"SELECT 2\"], \"locks\": [\"markets:write\"] },\n"
    "                { \"name\": \"prices\", \"load\": { \"file\": "
    "\"prices.json\", \"table\": \"prices\", \"key\": [\"symbol\", \"day\"] "
    "}, \"depends_on\": [\"markets\"] },\n"
    "                { \"name\": \"feed\", \"command\": [\"./fetch-feed\", "
    "\"--all\"], \"table\": \"feed\", \"key\": [\"id\"],\n"
    "                  \"timeout_ms\": 9000, \"retry\": { \"attempts\": 1 },"
    " \"depends_on\": [\"prices\", \"markets\"] } ],\n"
    "  \"theme\": \"dark\",\n"
    "  \"metrics_listen\": \"127.0.0.1:9187\", \"max_concurrency\": 2 }\n";

static void test_design_example(void **state)
{
    pd_config cfg;
    const pd_config_sync *s;
    const pd_config_origin *o;

    (void)state;
    pd_config_init(&cfg);
    load_ok(&cfg, design_example);
    assert_string_equal(cfg.dsn, "postgresql://app:s3cret@db/app");
    assert_int_equal(cfg.pool_min, 3);
    assert_int_equal(cfg.pool_max, 12);
    assert_int_equal(cfg.acquire_timeout_ms, 1000);
    assert_int_equal(cfg.command_timeout_ms, 2000);
    assert_int_equal(cfg.max_lifetime_s, 60);
    assert_int_equal(cfg.idle_timeout_s, 30);
    assert_false(cfg.prepare);
    assert_int_equal(cfg.retry.attempts, 4);
    assert_int_equal(cfg.retry.base_ms, 10);
    assert_int_equal(cfg.retry.cap_ms, 500);
    assert_int_equal(cfg.breaker.failures, 7);
    assert_int_equal(cfg.breaker.open_ms, 3000);
    assert_int_equal(cfg.slow_ms, 250);
    assert_string_equal(cfg.slow_log, "/var/log/s.jsonl");
    assert_true(cfg.slow_log_literals);
    assert_string_equal(cfg.theme, "dark");
    assert_string_equal(cfg.metrics_listen, "127.0.0.1:9187");
    assert_int_equal(cfg.max_concurrency, 2);
    assert_string_equal(cfg.config_file, "/etc/pgdeck/c.json");

    assert_int_equal(cfg.npanels, 1);
    assert_string_equal(cfg.panels[0].title, "Open positions");
    assert_string_equal(cfg.panels[0].sql, "SELECT 1");
    assert_int_equal(cfg.panels[0].refresh_ms, 5000);
    assert_int_equal(cfg.panels[0].line, 9);

    assert_int_equal(cfg.nsyncs, 3);
    s = &cfg.syncs[0];
    assert_string_equal(s->name, "markets");
    assert_int_equal(s->kind, PD_CONFIG_SYNC_SQL);
    assert_int_equal(s->nsql, 2);
    assert_string_equal(s->sql[1], "SELECT 2");
    assert_null(s->sql[2]);
    assert_int_equal(s->nlocks, 1);
    assert_string_equal(s->locks[0].resource, "markets");
    assert_int_equal(s->locks[0].mode, PD_LOCK_WRITE);
    assert_int_equal(s->retry.attempts, 4); /* the top-level retry */
    assert_int_equal(s->line, 10);
    s = &cfg.syncs[1];
    assert_int_equal(s->kind, PD_CONFIG_SYNC_LOAD);
    /* relative to the config file's directory */
    assert_string_equal(s->file, "/etc/pgdeck/prices.json");
    assert_string_equal(s->table, "prices");
    assert_int_equal(s->nkey, 2);
    assert_string_equal(s->key[1], "day");
    assert_int_equal(s->ndepends, 1);
    assert_int_equal(s->deps[0], 0);
    s = &cfg.syncs[2];
    assert_int_equal(s->kind, PD_CONFIG_SYNC_COMMAND);
    assert_int_equal(s->argc, 2);
    assert_string_equal(s->argv[0], "./fetch-feed");
    assert_null(s->argv[2]);
    assert_string_equal(s->table, "feed");
    assert_string_equal(s->key[0], "id");
    assert_int_equal(s->timeout_ms, 9000);
    assert_int_equal(s->retry.attempts, 1);
    assert_int_equal(s->retry.base_ms, 10); /* inherited */
    assert_int_equal(s->retry.cap_ms, 500);
    assert_int_equal(s->ndepends, 2);
    assert_int_equal(s->deps[0], 1);
    assert_int_equal(s->deps[1], 0);

    o = pd_config_origin_of(&cfg, "pool.max");
    assert_int_equal(o->source, PD_CFG_FILE);
    assert_int_equal(o->line, 3);
    assert_int_equal(o->col, 34);
    assert_int_equal(pd_config_origin_of(&cfg, "syncs")->source,
                     PD_CFG_FILE);
    assert_int_equal(pd_config_origin_of(&cfg, "pool.connect_timeout_ms")
                         ->source, PD_CFG_DEFAULT);
    pd_config_free(&cfg);
}

/* The same key from each layer: the later one wins, and says so. */
static void test_precedence(void **state)
{
    pd_config cfg;
    pd_error err = PD_ERROR_INIT;
    const pd_config_origin *o;

    (void)state;
    pd_config_init(&cfg);
    load_ok(&cfg, "{\"pool\": {\"min\": 1, \"max\": 5, \"max_lifetime_s\": "
                  "9, \"command_timeout_ms\": 7000},\n"
                  " \"slow_log\": {\"threshold_ms\": 5}, \"database\": "
                  "{\"url\": \"dbname=file\"}}");
    setenv("DB_MAX_POOL_SIZE", "6", 1);
    setenv("DB_POOL_RECYCLE", "11", 1);
    setenv("DB_COMMAND_TIMEOUT", "1.5", 1);
    setenv("DATABASE_URL", "dbname=env", 1);
    setenv("NO_COLOR", "1", 1);
    assert_int_equal(pd_config_apply_env(&cfg, &err), 0);
    assert_int_equal(pd_config_set(&cfg, "pool.max", "7", "--max-pool",
                                   &err), 0);
    assert_int_equal(pd_config_set(&cfg, "slow_log.threshold_ms", "8",
                                   "--slow-ms", &err), 0);
    assert_int_equal(pd_config_check(&cfg, &err), 0);

    assert_int_equal(cfg.pool_min, 1); /* file */
    o = pd_config_origin_of(&cfg, "pool.min");
    assert_int_equal(o->source, PD_CFG_FILE);
    assert_int_equal(cfg.max_lifetime_s, 11); /* env over file */
    o = pd_config_origin_of(&cfg, "pool.max_lifetime_s");
    assert_int_equal(o->source, PD_CFG_ENV);
    assert_string_equal(o->via, "DB_POOL_RECYCLE");
    assert_int_equal(cfg.command_timeout_ms, 1500); /* seconds -> ms */
    assert_string_equal(cfg.dsn, "dbname=env");
    assert_true(cfg.no_color);
    assert_int_equal(cfg.pool_max, 7); /* argv over env over file */
    o = pd_config_origin_of(&cfg, "pool.max");
    assert_int_equal(o->source, PD_CFG_ARGV);
    assert_string_equal(o->via, "--max-pool");
    assert_int_equal(cfg.slow_ms, 8);
    assert_int_equal(cfg.idle_timeout_s, 300); /* default throughout */
    assert_int_equal(pd_config_origin_of(&cfg, "pool.idle_timeout_s")
                         ->source, PD_CFG_DEFAULT);
    clear_env(NULL);
    pd_config_free(&cfg);
}

static void test_env_errors(void **state)
{
    pd_config cfg;
    pd_error err = PD_ERROR_INIT;

    (void)state;
    pd_config_init(&cfg);
    setenv("DB_MAX_POOL_SIZE", "0", 1);
    assert_int_equal(pd_config_apply_env(&cfg, &err), PD_EINVAL);
    assert_string_equal(err.message, "DB_MAX_POOL_SIZE: must be an integer "
                        ">= 1 and <= 10000 (got \"0\")");
    pd_error_clear(&err);
    setenv("DB_MAX_POOL_SIZE", "4", 1);
    setenv("DB_POOL_TIMEOUT", "soon", 1);
    assert_int_equal(pd_config_apply_env(&cfg, &err), PD_EINVAL);
    assert_string_equal(err.message, "DB_POOL_TIMEOUT: must be a number of "
                        "seconds >= 0 and <= 86400 (got \"soon\")");
    pd_error_clear(&err);
    unsetenv("DB_POOL_TIMEOUT");
    setenv("DB_MIN_POOL_SIZE", "5", 1);
    assert_int_equal(pd_config_apply_env(&cfg, &err), PD_EINVAL);
    assert_string_equal(err.message, "DB_MIN_POOL_SIZE (5) is larger than "
                        "DB_MAX_POOL_SIZE (4)");
    pd_error_clear(&err);
    clear_env(NULL);
    pd_config_free(&cfg);
}

static void test_argv_errors(void **state)
{
    pd_config cfg;
    pd_error err = PD_ERROR_INIT;

    (void)state;
    pd_config_init(&cfg);
    assert_int_equal(pd_config_set(&cfg, "pool.max", "lots", "--max-pool",
                                   &err), PD_EINVAL);
    assert_string_equal(err.message, "--max-pool: must be an integer >= 1 "
                        "and <= 10000 (got \"lots\")");
    pd_error_clear(&err);
    assert_int_equal(pd_config_set(&cfg, "metrics_listen", "9187",
                                   "--metrics-listen", &err), PD_EINVAL);
    assert_string_equal(err.message, "--metrics-listen: must be HOST:PORT, "
                        "such as 127.0.0.1:9187 (got \"9187\")");
    pd_error_clear(&err);
    assert_int_equal(pd_config_set(&cfg, "metrics_listen", "[::1]:9187",
                                   "--metrics-listen", &err), 0);
    assert_string_equal(cfg.metrics_listen, "[::1]:9187");
    assert_int_equal(pd_config_set(&cfg, "metrics_listen", "h:0",
                                   "--metrics-listen", &err), PD_EINVAL);
    pd_error_clear(&err);
    assert_int_equal(pd_config_set(&cfg, "syncs", "x", "--x", &err),
                     PD_ENOTFOUND);
    pd_error_clear(&err);
    assert_int_equal(pd_config_set(&cfg, "no_color", "yes", "--no-color",
                                   &err), 0);
    assert_true(cfg.no_color);
    assert_int_equal(pd_config_set(&cfg, "no_color", "maybe", "--no-color",
                                   &err), PD_EINVAL);
    pd_error_clear(&err);
    pd_config_free(&cfg);
}

/* pool.min above pool.max after every layer. */
static void test_min_max_check(void **state)
{
    pd_config cfg;
    pd_error err = PD_ERROR_INIT;

    (void)state;
    pd_config_init(&cfg); /* a default min follows a lower max */
    assert_int_equal(pd_config_set(&cfg, "pool.max", "1", "--max-pool",
                                   &err), 0);
    assert_int_equal(pd_config_check(&cfg, &err), 0);
    assert_int_equal(cfg.pool_min, 1);
    pd_config_free(&cfg);

    pd_config_init(&cfg);
    load_ok(&cfg, "{\"pool\": {\n  \"min\": 5}}");
    assert_int_equal(pd_config_set(&cfg, "pool.max", "4", "--max-pool",
                                   &err), 0);
    assert_int_equal(pd_config_check(&cfg, &err), PD_EINVAL);
    assert_string_equal(err.message, "/etc/pgdeck/c.json:2:10: pool.min "
                        "(5) is larger than pool.max (4, from --max-pool)");
    pd_error_clear(&err);
    pd_config_free(&cfg);
}

static void test_unknown_keys(void **state)
{
    (void)state;
    load_fails("{\n  \"pool\": { \"max\": 3,\n    \"maxx\": 4 } }",
               "c.json:3:5: pool.maxx: unknown key (did you mean \"max\"?)");
    load_fails("{ \"colour\": 1 }", "c.json:1:3: colour: unknown key");
    load_fails("{ \"thme\": \"x\" }",
               "c.json:1:3: thme: unknown key (did you mean \"theme\"?)");
    load_fails("{ \"panels\": [ {\"title\": \"t\", \"sql\": \"s\", "
               "\"refresh\": 1} ] }",
               "c.json:1:42: panels[0].refresh: unknown key");
    load_fails("{ \"syncs\": [ {\"name\": \"a\", \"load\": {\"file\": \"f\","
               " \"tabel\": \"t\"}} ] }",
               "c.json:1:50: syncs[0].load.tabel: unknown key (did you mean "
               "\"table\"?)");
    load_fails("{ \"syncs\": [ {\"name\": \"a\", \"sql\": \"s\", \"retry\": "
               "{\"tries\": 2}} ] }",
               "c.json:1:50: syncs[0].retry.tries: unknown key");
    load_fails("{ \"panels[]\": 1 }",
               "c.json:1:3: panels[]: unknown key (did you mean \"panels\"?)");
}

static void test_wrong_types_and_ranges(void **state)
{
    (void)state;
    load_fails("{\n  \"pool\": {\n    \"max\": 0\n  }\n}",
               "c.json:3:12: pool.max: must be an integer >= 1 and <= 10000 "
               "(got 0)");
    load_fails("{ \"pool\": { \"max\": \"10\" } }",
               "c.json:1:20: pool.max: must be an integer >= 1 and <= 10000 "
               "(got a string)");
    load_fails("{ \"pool\": { \"max\": 2.5 } }",
               "c.json:1:20: pool.max: must be an integer >= 1 and <= 10000 "
               "(got 2.5)");
    load_fails("{ \"pool\": { \"min\": -1 } }",
               "c.json:1:20: pool.min: must be an integer >= 0 and <= 10000 "
               "(got -1)");
    load_fails("{ \"pool\": { \"prepare\": 1 } }",
               "c.json:1:24: pool.prepare: must be true or false (got 1)");
    load_fails("{ \"pool\": 5 }",
               "c.json:1:11: pool: must be an object (got 5)");
    load_fails("{ \"theme\": \"\" }",
               "c.json:1:12: theme: must be a non-empty string (got \"\")");
    load_fails("{ \"database\": { \"url\": null } }",
               "c.json:1:24: database.url: must be a non-empty string "
               "(got null)");
    load_fails("{ \"metrics_listen\": \"localhost\" }",
               "c.json:1:21: metrics_listen: must be HOST:PORT, such as "
               "127.0.0.1:9187 (got \"localhost\")");
    load_fails("{ \"retry\": { \"attempts\": 0 } }",
               "c.json:1:26: retry.attempts: must be an integer >= 1 and "
               "<= 100 (got 0)");
    load_fails("{ \"retry\": { \"base_ms\": 100, \"cap_ms\": 10 } }",
               "c.json:1:40: retry: retry.cap_ms (10) must not be below "
               "retry.base_ms (100)");
    load_fails("{ \"breaker\": { \"failures\": 0 } }",
               "c.json:1:28: breaker.failures: must be an integer >= 1 and "
               "<= 1000000 (got 0)");
    load_fails("[1]", "c.json:1:1: (top level): must be an object (got an "
               "array)");
    load_fails("{ \"panels\": {} }",
               "c.json:1:13: panels: must be an array of objects (got an "
               "object)");
    load_fails("{ \"panels\": [ {\"title\": \"t\", \"sql\": \"s\", "
               "\"refresh_ms\": 10} ] }",
               "c.json:1:56: panels[0].refresh_ms: must be an integer >= 100 "
               "and <= 86400000 (got 10)");
    load_fails("{ \"panels\": [ {\"title\": \"t\"} ] }",
               "c.json:1:15: panels[0]: needs \"sql\"");
    load_fails("{ \"panels\": [ 3 ] }",
               "c.json:1:15: panels[0]: must be an object (got 3)");
    /* syntax errors come from the reader, with the same file:line:col */
    load_fails("{ \"pool\": { \"max\": 3, } }",
               "c.json:1:23: trailing comma before '}'");
    load_fails("{ \"pool\": { \"max\": 3 }\n  \"theme\": \"x\" }",
               "c.json:2:3: unexpected '\"', expected ',' or '}'");
}

static void test_sync_errors(void **state)
{
    (void)state;
    load_fails("{\"syncs\": [ {\"name\": \"a\", \"sql\": \"s\",\n"
               "  \"locks\": [\"m:write\", \"n:wrte\"]} ]}",
               "c.json:2:24: syncs[0].locks[1]: must be \"resource:read\", "
               "\"resource:write\" or \"resource:exclusive\" (got "
               "\"n:wrte\")");
    load_fails("{\"syncs\": [ {\"name\": \"a\", \"sql\": \"s\", \"locks\": "
               "[\":read\"]} ]}",
               "c.json:1:49: syncs[0].locks[0]: must be \"resource:read\", "
               "\"resource:write\" or \"resource:exclusive\" (got "
               "\":read\")");
    load_fails("{\"syncs\": [ {\"name\": \"a\", \"sql\": \"s\", \"locks\": "
               "[\"m:read\", \"m:write\"]} ]}",
               "c.json:1:59: syncs[0].locks[1]: \"m\" is locked twice");
    load_fails("{\"syncs\": [\n"
               "  {\"name\": \"a\", \"sql\": \"s\"},\n"
               "  {\"name\": \"b\", \"sql\": \"s\", \"depends_on\": [\"a\", "
               "\"zz\"]} ]}",
               "c.json:3:49: syncs[1].depends_on[1]: no sync is named "
               "\"zz\"");
    load_fails("{\"syncs\": [\n"
               "  {\"name\": \"a\", \"sql\": \"s\", \"depends_on\": [\"c\"]},\n"
               "  {\"name\": \"b\", \"sql\": \"s\", \"depends_on\": [\"a\"]},\n"
               "  {\"name\": \"c\", \"sql\": \"s\", \"depends_on\": [\"b\"]} "
               "]}",
               "c.json:3:44: syncs[1].depends_on[0]: dependency cycle: a -> "
               "c -> b -> a");
    load_fails("{\"syncs\": [ {\"name\": \"a\", \"sql\": \"s\", "
               "\"depends_on\": [\"a\"]} ]}",
               "c.json:1:54: syncs[0].depends_on[0]: a sync cannot depend "
               "on itself");
    load_fails("{\"syncs\": [ {\"name\": \"a\", \"sql\": \"s\"},\n"
               "  {\"name\": \"a\", \"sql\": \"t\"} ]}",
               "c.json:2:12: syncs[1].name: \"a\" is already the name of "
               "syncs[0]");
    load_fails("{\"syncs\": [ {\"name\": \"a\"} ]}",
               "c.json:1:13: syncs[0]: needs one of \"sql\", \"load\" or "
               "\"command\"");
    load_fails("{\"syncs\": [ {\"command\": [\"x\"], \"name\": \"a\", \"sql\":"
               " \"s\"} ]}",
               "c.json:1:45: syncs[0].sql: a sync has one of \"sql\", "
               "\"load\" or \"command\", and this one already has "
               "\"command\"");
    load_fails("{\"syncs\": [ {\"name\": \"a\", \"command\": [\"x\"]} ]}",
               "c.json:1:13: syncs[0]: a \"command\" sync needs \"table\" "
               "and \"key\"");
    load_fails("{\"syncs\": [ {\"name\": \"a\", \"sql\": \"s\", \"table\": "
               "\"t\"} ]}",
               "c.json:1:39: syncs[0].table: only a \"command\" sync has "
               "\"table\" here (a \"load\" sync gives it inside \"load\")");
    load_fails("{\"syncs\": [ {\"name\": \"a\", \"sql\": []} ]}",
               "c.json:1:34: syncs[0].sql: must be a string or a non-empty "
               "array of strings (got [])");
    load_fails("{\"syncs\": [ {\"name\": \"a b\", \"sql\": \"s\"} ]}",
               "c.json:1:22: syncs[0].name: must be letters, digits, '_', "
               "'-' or '.' (got \"a b\")");
    load_fails("{\"syncs\": [ {\"name\": \"a\", \"load\": {\"file\": \"f\", "
               "\"table\": \"t\", \"key\": [\"\"]}} ]}",
               "c.json:1:71: syncs[0].load.key[0]: must be a non-empty "
               "string (got \"\")");
    load_fails("{\"syncs\": [ {\"name\": \"a\", \"sql\": \"s\", \"retry\": "
               "{\"base_ms\": 3000}} ]}",
               "c.json:1:48: syncs[0].retry: cap_ms (2000) must not be below "
               "base_ms (3000) (the keys left out come from the top-level "
               "retry)");
}

/* A failed load leaves the earlier lists alone, and no leaks (ASan). */
static void test_failed_load_keeps_lists(void **state)
{
    pd_config cfg;
    pd_error err = PD_ERROR_INIT;
    const char *bad = "{\"syncs\": [{\"name\": \"x\", \"sql\": \"s\", "
                      "\"depends_on\": [\"y\"]}]}";

    (void)state;
    pd_config_init(&cfg);
    load_ok(&cfg, "{\"syncs\": [{\"name\": \"a\", \"sql\": \"s\"}]}");
    assert_int_not_equal(pd_config_load_text(&cfg, bad, strlen(bad), NULL,
                                             &err), 0);
    assert_int_equal(strncmp(err.message, "<config>:1:", 11), 0);
    pd_error_clear(&err);
    assert_int_equal(cfg.nsyncs, 1);
    assert_string_equal(cfg.syncs[0].name, "a");
    pd_config_free(&cfg);
}

static void test_empty_and_files(void **state)
{
    pd_config cfg;
    pd_error err = PD_ERROR_INIT;
    char dir[] = "/tmp/test_config.XXXXXX", path[300];
    FILE *f;

    (void)state;
    pd_config_init(&cfg);
    load_ok(&cfg, "// everything commented out\n/* { \"pool\": {} } */\n");
    assert_int_equal(cfg.pool_max, 10);
    assert_non_null(mkdtemp(dir));
    /* the default path, absent: fine */
    setenv("XDG_CONFIG_HOME", dir, 1);
    assert_int_equal(pd_config_load(&cfg, NULL, &err), 0);
    assert_string_equal(cfg.config_file, "/etc/pgdeck/c.json");
    /* an explicit path, absent: an error */
    snprintf(path, sizeof(path), "%s/nope.json", dir);
    assert_int_equal(pd_config_load(&cfg, path, &err), PD_ENOTFOUND);
    assert_non_null(strstr(err.message, "nope.json: No such file"));
    pd_error_clear(&err);
    /* the default path, present */
    snprintf(path, sizeof(path), "%s/pgdeck", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/pgdeck/config.json", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("{ \"pool\": { \"max\": 4 },\n  \"pool \": 1 }\n", f);
    fclose(f);
    assert_int_equal(pd_config_load(&cfg, NULL, &err), PD_EINVAL);
    {
        char want[400];
        snprintf(want, sizeof(want), "%s:2:3: pool : unknown key (did you "
                 "mean \"pool\"?)", path);
        assert_string_equal(err.message, want);
    }
    pd_error_clear(&err);
    f = fopen(path, "w");
    fputs("{ \"pool\": { \"max\": 4 } }\n", f);
    fclose(f);
    assert_int_equal(pd_config_load(&cfg, NULL, &err), 0);
    assert_int_equal(cfg.pool_max, 4);
    assert_string_equal(cfg.config_file, path);
    {
        char *d = pd_config_default_path();
        assert_string_equal(d, path);
        free(d);
    }
    unlink(path);
    snprintf(path, sizeof(path), "%s/pgdeck", dir);
    rmdir(path);
    rmdir(dir);
    unsetenv("XDG_CONFIG_HOME");
    pd_config_free(&cfg);
}

/* Reads what pd_config_print writes. */
static char *print_to_string(const pd_config *cfg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    pd_config_print(cfg, f);
    fclose(f);
    return buf;
}

static void test_print(void **state)
{
    pd_config cfg;
    pd_error err = PD_ERROR_INIT;
    char *out;

    (void)state;
    pd_config_init(&cfg);
    load_ok(&cfg, design_example);
    setenv("DB_MIN_POOL_SIZE", "1", 1);
    assert_int_equal(pd_config_apply_env(&cfg, &err), 0);
    assert_int_equal(pd_config_set(&cfg, "theme", "light", "--theme", &err),
                     0);
    pd_config_set_str(&cfg.host, "/tmp");
    out = print_to_string(&cfg);
    assert_null(strstr(out, "s3cret"));
    assert_non_null(strstr(out, "# config file: /etc/pgdeck/c.json\n"));
    assert_non_null(strstr(out, "database.url             = "
                           "\"postgresql://app:********@db/app\""));
    assert_non_null(strstr(out, "# file /etc/pgdeck/c.json:2:24\n"));
    assert_non_null(strstr(out, "\npool.min                 = 1 "));
    assert_non_null(strstr(out, "# env DB_MIN_POOL_SIZE\n"));
    assert_non_null(strstr(out, "\ntheme                    = \"light\""));
    assert_non_null(strstr(out, "# argv --theme\n"));
    assert_non_null(strstr(out, "\npool.connect_timeout_ms  = 10000"));
    assert_non_null(strstr(out, "\nsyncs                    = 3 syncs"));
    assert_non_null(strstr(out, "\nsyncs[1]                 = {\"name\":"
                           "\"prices\",\"load\":{\"file\":"
                           "\"/etc/pgdeck/prices.json\""));
    assert_non_null(strstr(out, "\npanels[0]                = {\"title\":"
                           "\"Open positions\",\"sql\":\"SELECT 1\","
                           "\"refresh_ms\":5000}\n"));
    assert_non_null(strstr(out, "\"locks\":[\"markets:write\"]"));
    assert_non_null(strstr(out, "\nhost                     = \"/tmp\""));
    free(out);
    /* A conninfo password from the environment is masked too. */
    setenv("DATABASE_URL", "host=h password=hunter2 dbname=d", 1);
    assert_int_equal(pd_config_apply_env(&cfg, &err), 0);
    out = print_to_string(&cfg);
    assert_null(strstr(out, "hunter2"));
    assert_non_null(strstr(out, "# env DATABASE_URL"));
    free(out);
    clear_env(NULL);
    pd_config_free(&cfg);
}

/* pd_config_copy is deep; a struct assignment borrows (core.c's copy). */
static void test_copy(void **state)
{
    pd_config a, b, view;

    (void)state;
    pd_config_init(&a);
    load_ok(&a, design_example);
    pd_config_copy(&b, &a);
    view = a;
    view.dsn = strdup(a.dsn);
    view.host = view.port = view.user = view.dbname = NULL;
    view.slow_log = strdup(a.slow_log);
    view.theme = strdup(a.theme);
    pd_config_free(&view); /* frees only its own seven strings */
    assert_string_equal(a.syncs[2].argv[0], "./fetch-feed");
    pd_config_free(&a);
    assert_int_equal(b.nsyncs, 3);
    assert_string_equal(b.syncs[1].file, "/etc/pgdeck/prices.json");
    assert_int_equal(b.syncs[2].deps[1], 0);
    assert_string_equal(b.panels[0].title, "Open positions");
    assert_string_equal(b.metrics_listen, "127.0.0.1:9187");
    pd_config_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults, clear_env),
        cmocka_unit_test_setup(test_design_example, clear_env),
        cmocka_unit_test_setup(test_precedence, clear_env),
        cmocka_unit_test_setup(test_env_errors, clear_env),
        cmocka_unit_test_setup(test_argv_errors, clear_env),
        cmocka_unit_test_setup(test_min_max_check, clear_env),
        cmocka_unit_test_setup(test_unknown_keys, clear_env),
        cmocka_unit_test_setup(test_wrong_types_and_ranges, clear_env),
        cmocka_unit_test_setup(test_sync_errors, clear_env),
        cmocka_unit_test_setup(test_failed_load_keeps_lists, clear_env),
        cmocka_unit_test_setup(test_empty_and_files, clear_env),
        cmocka_unit_test_setup(test_print, clear_env),
        cmocka_unit_test_setup(test_copy, clear_env),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
