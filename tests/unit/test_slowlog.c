/* test_slowlog.c: core/slowlog.c on a real uv loop, in a temp dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>
#include <uv.h>

#include "core/fingerprint.h"
#include "core/slowlog.h"

typedef struct fixture {
    uv_loop_t loop;
    char dir[64];
    char path[128];
    int errors;      /* error callbacks */
    char last[256];  /* the last error reported */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    assert_int_equal(uv_loop_init(&f->loop), 0);
    strcpy(f->dir, "/tmp/pgdeck-slowlog-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/state/pgdeck/slow.jsonl", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    free(f);
    return 0;
}

static void on_error(const char *message, void *ctx)
{
    fixture *f = ctx;

    f->errors++;
    snprintf(f->last, sizeof(f->last), "%s", message);
}

static pd_slowlog *open_log(fixture *f, const char *path, bool literals)
{
    pd_slowlog_opts o;

    pd_slowlog_opts_init(&o);
    o.file = path;
    o.log_literals = literals;
    o.on_error = on_error;
    o.on_error_ctx = f;
    return pd_slowlog_new(&f->loop, &o);
}

static void on_closed(void *ctx)
{
    (*(int *)ctx)++;
}

/* Frees sl and runs the loop until it is gone; the callback comes later,
 * never from pd_slowlog_free itself. */
static void close_log(fixture *f, pd_slowlog *sl)
{
    int closed = 0;

    pd_slowlog_free(sl, on_closed, &closed);
    assert_int_equal(closed, 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(closed, 1);
}

static void record(pd_slowlog *sl, const char *sql, uint64_t us,
                   int64_t rows)
{
    pd_slowlog_entry e = {0};

    e.sql = sql;
    e.duration_us = us;
    e.source = "shell";
    e.database = "app";
    e.rows = rows;
    pd_slowlog_record(sl, &e);
}

/* Returns-owned: the file's bytes, or NULL when it does not exist. */
static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char *buf;
    long n;

    if (fp == NULL)
        return NULL;
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    buf = calloc(1, (size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    return buf;
}

static int count_lines(const char *s)
{
    int n = 0;

    for (; s != NULL && *s != '\0'; s++)
        n += *s == '\n';
    return n;
}

/* Parses each line as JSON (all must parse); returns the last one. */
static cJSON *last_json(const char *text)
{
    cJSON *last = NULL;
    const char *p = text;

    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        char *line;

        assert_non_null(nl);
        line = strndup(p, (size_t)(nl - p));
        cJSON_Delete(last);
        last = cJSON_Parse(line);
        if (last == NULL)
            print_error("bad JSON line: %s\n", line);
        assert_non_null(last);
        free(line);
        p = nl + 1;
    }
    return last;
}

static void test_slow_entry_written_once(void **state)
{
    fixture *f = *state;
    pd_slowlog *sl = open_log(f, f->path, false);
    const char *sql = "SELECT * FROM users WHERE email = 'bob@example.com' "
                      "AND id = 4242";
    char *text, *norm, hex[17];
    cJSON *j, *v;
    struct stat st;
    char dir[160];

    record(sl, "SELECT 1", 99999, 1); /* fast: not recorded */
    assert_int_equal(pd_slowlog_count(sl), 0);
    record(sl, sql, 150500, 3);
    assert_int_equal(pd_slowlog_count(sl), 1);
    /* The write finishes on the loop; nothing else keeps it running. */
    uv_run(&f->loop, UV_RUN_DEFAULT);
    text = slurp(f->path);
    assert_non_null(text);
    assert_int_equal(count_lines(text), 1);
    assert_null(strstr(text, "bob@example.com"));
    assert_null(strstr(text, "4242"));
    assert_null(strstr(text, "query_raw"));

    j = last_json(text);
    v = cJSON_GetObjectItem(j, "ts");
    assert_true(cJSON_IsString(v));
    assert_int_equal(strlen(v->valuestring), 24); /* 2024-05-01T12:34:56.789Z */
    assert_int_equal(v->valuestring[10], 'T');
    assert_int_equal(v->valuestring[19], '.');
    assert_int_equal(v->valuestring[23], 'Z');
    assert_non_null(strstr(text, "\"duration_ms\":150.500,"));
    assert_string_equal(cJSON_GetObjectItem(j, "source")->valuestring,
                        "shell");
    assert_string_equal(cJSON_GetObjectItem(j, "database")->valuestring,
                        "app");
    assert_int_equal(cJSON_GetObjectItem(j, "rows")->valueint, 3);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "error")));
    norm = pd_fingerprint_normalize(sql, strlen(sql));
    assert_string_equal(cJSON_GetObjectItem(j, "query")->valuestring, norm);
    pd_fingerprint_hex(pd_fingerprint_hash(norm), hex);
    assert_string_equal(cJSON_GetObjectItem(j, "fingerprint")->valuestring,
                        hex);
    free(norm);
    cJSON_Delete(j);
    free(text);

    /* 0600 file in a 0700 directory that did not exist. */
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(dir, sizeof(dir), "%s/state/pgdeck", f->dir);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);

    /* One more, then closing: two lines, each written once. */
    record(sl, sql, 200000, -1);
    close_log(f, sl);
    text = slurp(f->path);
    assert_int_equal(count_lines(text), 2);
    j = last_json(text);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "rows")));
    cJSON_Delete(j);
    free(text);
    assert_int_equal(f->errors, 0);
}

static void test_log_literals(void **state)
{
    fixture *f = *state;
    pd_slowlog *sl = open_log(f, f->path, true);
    const char *params[] = {"secret", NULL};
    pd_slowlog_entry e = {0};
    char *text;
    cJSON *j, *p;

    e.sql = "SELECT $1, $2, 'lit\"eral'\n";
    e.nparams = 2;
    e.params = params;
    e.duration_us = 1000000;
    e.source = "bench";
    e.rows = 1;
    e.ts_us = 1714566896789000LL; /* 2024-05-01T12:34:56.789Z */
    pd_slowlog_record(sl, &e);
    assert_string_equal(pd_slowlog_get(sl, 0)->query_raw, e.sql);
    close_log(f, sl);
    text = slurp(f->path);
    j = last_json(text);
    assert_string_equal(cJSON_GetObjectItem(j, "ts")->valuestring,
                        "2024-05-01T12:34:56.789Z");
    assert_string_equal(cJSON_GetObjectItem(j, "query")->valuestring,
                        "SELECT $1, $2, $3");
    assert_string_equal(cJSON_GetObjectItem(j, "query_raw")->valuestring,
                        e.sql);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "database")));
    p = cJSON_GetObjectItem(j, "params");
    assert_int_equal(cJSON_GetArraySize(p), 2);
    assert_string_equal(cJSON_GetArrayItem(p, 0)->valuestring, "secret");
    assert_true(cJSON_IsNull(cJSON_GetArrayItem(p, 1)));
    cJSON_Delete(j);
    free(text);
}

static void test_error_entry_masks_values(void **state)
{
    fixture *f = *state;
    pd_slowlog *sl = open_log(f, f->path, false);
    pd_error err = PD_ERROR_INIT;
    pd_slowlog_entry e = {0};
    char *text;
    cJSON *j, *je;

    pd_error_set(&err, PD_ERR_SERVER,
                 "invalid input syntax for type integer: \"abc123\"");
    memcpy(err.sqlstate, "22P02", 6);
    e.sql = "SELECT 'abc123'::int";
    e.duration_us = 500000;
    e.source = "panel:Pool";
    e.rows = -1;
    e.error = &err;
    pd_slowlog_record(sl, &e);
    pd_error_set(&err, PD_ERR_TIMEOUT, "canceling statement");
    err.sqlstate[0] = '\0';
    pd_slowlog_record(sl, &e);
    pd_error_clear(&err);
    assert_string_equal(pd_slowlog_get(sl, 1)->err_message,
                        "invalid input syntax for type integer: \"?\"");
    assert_string_equal(pd_slowlog_get(sl, 1)->err_sqlstate, "22P02");
    close_log(f, sl);
    text = slurp(f->path);
    assert_null(strstr(text, "abc123"));
    j = last_json(text);
    je = cJSON_GetObjectItem(j, "error");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(je, "sqlstate")));
    assert_string_equal(cJSON_GetObjectItem(je, "message")->valuestring,
                        "canceling statement");
    cJSON_Delete(j);
    assert_non_null(strstr(text, "{\"sqlstate\":\"22P02\",\"message\":"
                                 "\"invalid input syntax for type integer: "
                                 "\\\"?\\\"\"}"));
    free(text);
}

/* Files other than slow.jsonl and slow.jsonl.1 in the log's directory. */
static int other_files(const char *dir)
{
    char cmd[256];
    FILE *p;
    int n;

    snprintf(cmd, sizeof(cmd),
             "ls -A '%s' | grep -cvE '^slow\\.jsonl(\\.1)?$'", dir);
    p = popen(cmd, "r");
    assert_non_null(p);
    assert_int_equal(fscanf(p, "%d", &n), 1);
    pclose(p);
    return n;
}

static void test_rotation(void **state)
{
    fixture *f = *state;
    pd_slowlog_opts o;
    pd_slowlog *sl;
    char path1[160], dir[160], sql[256], *a, *b;
    struct stat st;
    int i;

    pd_slowlog_opts_init(&o);
    o.file = f->path;
    o.max_bytes = 2000;
    sl = pd_slowlog_new(&f->loop, &o);
    for (i = 0; i < 40; i++) {
        snprintf(sql, sizeof(sql),
                 "SELECT a, b, c, d FROM some_table_%d WHERE x = %d AND "
                 "y = 'padding padding padding padding padding'", i % 7, i);
        record(sl, sql, 250000, i);
        /* Half the time let the write go out, half the time pile up. */
        if (i % 2)
            uv_run(&f->loop, UV_RUN_DEFAULT);
    }
    close_log(f, sl);
    snprintf(path1, sizeof(path1), "%s.1", f->path);
    assert_int_equal(stat(f->path, &st), 0);
    assert_true(st.st_size > 0 && st.st_size <= 2000);
    assert_int_equal(stat(path1, &st), 0);
    assert_true(st.st_size > 0 && st.st_size <= 2000);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(dir, sizeof(dir), "%s/state/pgdeck", f->dir);
    assert_int_equal(other_files(dir), 0);
    a = slurp(f->path);
    b = slurp(path1);
    cJSON_Delete(last_json(a));
    cJSON_Delete(last_json(b));
    /* The newest entry is the last line of the current file. */
    assert_non_null(strstr(a, "\"rows\":39,"));
    assert_true(count_lines(a) + count_lines(b) < 40);
    free(a);
    free(b);
}

static pd_slowlog *memory_log(fixture *f, uint32_t max_fp)
{
    pd_slowlog_opts o;

    pd_slowlog_opts_init(&o);
    o.no_file = true;
    o.max_fingerprints = max_fp;
    return pd_slowlog_new(&f->loop, &o);
}

static void test_ring_keeps_newest(void **state)
{
    fixture *f = *state;
    pd_slowlog *sl = memory_log(f, 0);
    int i;

    assert_null(pd_slowlog_path(sl));
    assert_null(pd_slowlog_get(sl, 0));
    for (i = 0; i < 600; i++)
        record(sl, "SELECT pg_sleep(1)", 1000000 + (uint64_t)i, i);
    assert_int_equal(pd_slowlog_count(sl), 500);
    assert_int_equal(pd_slowlog_get(sl, 0)->rows, 599);
    assert_int_equal(pd_slowlog_get(sl, 499)->rows, 100);
    assert_null(pd_slowlog_get(sl, 500));
    assert_string_equal(pd_slowlog_get(sl, 0)->query, "SELECT pg_sleep($1)");
    assert_int_equal(pd_slowlog_counters_get(sl).recorded, 600);
    close_log(f, sl);
}

static void test_aggregates_worst_first(void **state)
{
    fixture *f = *state;
    pd_slowlog *sl = memory_log(f, 0);
    pd_slowlog_stat s[8];
    int i;

    for (i = 0; i < 10; i++) /* A: 10 x 200 ms = 2 s */
        record(sl, "SELECT * FROM a WHERE id = 1", 200000, 1);
    record(sl, "SELECT * FROM b", 1500000, 1); /* B: 1 x 1.5 s */
    for (i = 0; i < 3; i++) /* C: 3 x 300 ms */
        record(sl, "UPDATE c SET x = 'y'", 300000, 1);
    record(sl, "select *  from A where ID=99", 400000, 1); /* A again */

    assert_int_equal(pd_slowlog_nstats(sl), 3);
    assert_int_equal(pd_slowlog_stats(sl, PD_SLOWLOG_BY_TOTAL, s, 8), 3);
    assert_string_equal(s[0].query, "SELECT * FROM a WHERE id = $1");
    assert_int_equal(s[0].calls, 11);
    assert_int_equal(s[0].total_us, 2400000);
    assert_int_equal(s[0].max_us, 400000);
    assert_int_equal(s[0].mean_us, 2400000 / 11);
    /* p95 of ten 200 ms and one 400 ms: 400 ms, the histogram's edge
     * capped at max. */
    assert_true(s[0].p95_us >= 200000 && s[0].p95_us <= 400000);
    assert_string_equal(s[1].query, "SELECT * FROM b");
    assert_string_equal(s[2].query, "UPDATE c SET x = $1");

    assert_int_equal(pd_slowlog_stats(sl, PD_SLOWLOG_BY_MAX, s, 2), 2);
    assert_string_equal(s[0].query, "SELECT * FROM b");
    assert_string_equal(s[1].query, "SELECT * FROM a WHERE id = $1");
    assert_int_equal(pd_slowlog_stats(sl, PD_SLOWLOG_BY_MEAN, s, 8), 3);
    assert_string_equal(s[0].query, "SELECT * FROM b");
    assert_string_equal(s[1].query, "UPDATE c SET x = $1");
    assert_int_equal(pd_slowlog_stats(sl, PD_SLOWLOG_BY_CALLS, s, 1), 1);
    assert_int_equal(s[0].calls, 11);
    close_log(f, sl);
}

static void test_fingerprints_evict_least_recent(void **state)
{
    fixture *f = *state;
    pd_slowlog *sl = memory_log(f, 2);
    pd_slowlog_stat s[4];

    record(sl, "SELECT 1 FROM a", 200000, 1);
    record(sl, "SELECT 1 FROM b", 200000, 1);
    record(sl, "SELECT 1 FROM a", 200000, 1); /* a is now the newest */
    record(sl, "SELECT 1 FROM c", 200000, 1); /* evicts b */
    assert_int_equal(pd_slowlog_stats(sl, PD_SLOWLOG_BY_TOTAL, s, 4), 2);
    assert_string_equal(s[0].query, "SELECT $1 FROM a");
    assert_int_equal(s[0].calls, 2);
    assert_string_equal(s[1].query, "SELECT $1 FROM c");
    close_log(f, sl);
}

static void test_threshold_live(void **state)
{
    fixture *f = *state;
    pd_slowlog *sl = memory_log(f, 0);

    assert_int_equal(pd_slowlog_threshold_ms(sl), 100);
    assert_false(pd_slowlog_is_slow(sl, 99999));
    assert_true(pd_slowlog_is_slow(sl, 100000));
    pd_slowlog_set_threshold(sl, 1000);
    record(sl, "SELECT 1", 500000, 1);
    assert_int_equal(pd_slowlog_count(sl), 0);
    pd_slowlog_set_threshold(sl, 0);
    assert_true(pd_slowlog_is_slow(sl, 0));
    record(sl, "SELECT 1", 10, 1);
    assert_int_equal(pd_slowlog_count(sl), 1);
    close_log(f, sl);
}

static void test_unwritable_path_reports_once(void **state)
{
    fixture *f = *state;
    char file[128], path[160];
    pd_slowlog *sl;
    FILE *fp;

    /* A path through a regular file fails with ENOTDIR, even for root. */
    snprintf(file, sizeof(file), "%s/plain", f->dir);
    fp = fopen(file, "w");
    assert_non_null(fp);
    fclose(fp);
    snprintf(path, sizeof(path), "%s/sub/slow.jsonl", file);
    sl = open_log(f, path, false);
    record(sl, "SELECT 1", 200000, 1);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(f->errors, 1);
    assert_non_null(strstr(f->last, "not a directory"));
    assert_non_null(pd_slowlog_last_error(sl));
    /* Still recording; no second report for the same trouble. */
    record(sl, "SELECT 2", 200000, 1);
    record(sl, "SELECT 3", 200000, 1);
    assert_int_equal(pd_slowlog_count(sl), 3);
    close_log(f, sl);
    assert_int_equal(f->errors, 1);
}

static void test_disk_full_reports_once(void **state)
{
    fixture *f = *state;
    struct stat before, after;
    pd_slowlog *sl;
    int i;

    if (stat("/dev/full", &before) != 0 || !S_ISCHR(before.st_mode))
        skip();
    sl = open_log(f, "/dev/full", false);
    for (i = 0; i < 3; i++) {
        record(sl, "SELECT 1", 200000, 1);
        uv_run(&f->loop, UV_RUN_DEFAULT);
    }
    assert_int_equal(f->errors, 1);
    assert_non_null(strstr(f->last, "no space"));
    close_log(f, sl);
    assert_int_equal(f->errors, 1);
    /* A device is neither chmod-ed nor rotated. */
    assert_int_equal(stat("/dev/full", &after), 0);
    assert_int_equal(after.st_mode, before.st_mode);
}

static void test_existing_file_made_private(void **state)
{
    fixture *f = *state;
    char path[128], *text;
    struct stat st;
    pd_slowlog *sl;
    FILE *fp;

    snprintf(path, sizeof(path), "%s/old.jsonl", f->dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("{\"old\":true}\n", fp);
    fclose(fp);
    assert_int_equal(chmod(path, 0644), 0);
    sl = open_log(f, path, false);
    record(sl, "SELECT 1", 200000, 1);
    close_log(f, sl);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    text = slurp(path);
    assert_int_equal(count_lines(text), 2);
    free(text);
}

static void test_default_path(void **state)
{
    char *old_state = getenv("XDG_STATE_HOME");
    char *old_home = getenv("HOME");
    char *saved_state = old_state ? strdup(old_state) : NULL;
    char *saved_home = old_home ? strdup(old_home) : NULL;
    char *p;

    (void)state;
    setenv("XDG_STATE_HOME", "/x/state", 1);
    setenv("HOME", "/home/u", 1);
    p = pd_slowlog_default_path();
    assert_string_equal(p, "/x/state/pgdeck/slow.jsonl");
    free(p);
    setenv("XDG_STATE_HOME", "relative", 1);
    p = pd_slowlog_default_path();
    assert_string_equal(p, "/home/u/.local/state/pgdeck/slow.jsonl");
    free(p);
    unsetenv("XDG_STATE_HOME");
    unsetenv("HOME");
    assert_null(pd_slowlog_default_path());
    if (saved_state != NULL)
        setenv("XDG_STATE_HOME", saved_state, 1);
    if (saved_home != NULL)
        setenv("HOME", saved_home, 1);
    free(saved_state);
    free(saved_home);
}

static void test_free_without_use(void **state)
{
    fixture *f = *state;

    pd_slowlog_free(NULL, on_closed, NULL); /* does nothing */
    close_log(f, open_log(f, f->path, false));
    /* Nothing recorded: no file made. */
    assert_null(slurp(f->path));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_slow_entry_written_once),
        T(test_log_literals),
        T(test_error_entry_masks_values),
        T(test_rotation),
        T(test_ring_keeps_newest),
        T(test_aggregates_worst_first),
        T(test_fingerprints_evict_least_recent),
        T(test_threshold_live),
        T(test_unwritable_path_reports_once),
        T(test_disk_full_reports_once),
        T(test_existing_file_made_private),
        cmocka_unit_test(test_default_path),
        T(test_free_without_use),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
