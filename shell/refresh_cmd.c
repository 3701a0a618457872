/* refresh_cmd.c: refresh-all from the command line and the shell. */
#include "shell/refresh_cmd.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/sync.h"
#include "core/xalloc.h"

/* The report as a table, for psql-style printing. */
static pd_result *report_table(const pd_sync *s)
{
    static const char *const names[] = {"job", "status", "attempts", "rows",
                                        "ms", "error"};
    static const uint32_t types[] = {PD_OID_TEXT, PD_OID_TEXT, PD_OID_INT4,
                                     PD_OID_INT8, PD_OID_INT8, PD_OID_TEXT};
    pd_result *r = pd_result_new(6, names, types);
    int i;

    for (i = 0; i < pd_sync_count(s); i++) {
        pd_sync_status st = pd_sync_status_get(s, i);
        char att[16], rows[32], ms[32];
        const char *row[6];
        snprintf(att, sizeof(att), "%u", st.attempts);
        snprintf(rows, sizeof(rows), "%lld", (long long)st.rows);
        snprintf(ms, sizeof(ms), "%llu", (unsigned long long)st.ms);
        row[0] = st.name;
        row[1] = pd_sync_state_name(st.state);
        row[2] = att;
        row[3] = rows;
        row[4] = ms;
        row[5] = st.error;
        pd_result_add_row(r, row);
    }
    pd_result_set_tag(r, "SELECT");
    return r;
}

static char *report_json(const pd_sync *s, bool ok)
{
    cJSON *root = cJSON_CreateObject(), *jobs = cJSON_CreateArray();
    char *text;
    int i;

    cJSON_AddBoolToObject(root, "ok", ok);
    for (i = 0; i < pd_sync_count(s); i++) {
        pd_sync_status st = pd_sync_status_get(s, i);
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "name", st.name);
        cJSON_AddStringToObject(j, "status", pd_sync_state_name(st.state));
        cJSON_AddNumberToObject(j, "attempts", st.attempts);
        cJSON_AddNumberToObject(j, "rows", (double)st.rows);
        cJSON_AddNumberToObject(j, "ms", (double)st.ms);
        if (st.error != NULL)
            cJSON_AddStringToObject(j, "error", st.error);
        else
            cJSON_AddNullToObject(j, "error");
        cJSON_AddItemToArray(jobs, j);
    }
    cJSON_AddItemToObject(root, "jobs", jobs);
    text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (text == NULL)
        pd_fatal("out of memory (JSON)");
    return text;
}

typedef struct headless {
    pd_core *core;
    bool json, done, ok;
} headless;

static void on_headless_done(pd_sync *s, bool ok, const pd_error *err,
                             void *ctx)
{
    headless *h = ctx;
    sh_print_opts po;
    pd_result *r;
    char *text;

    (void)err; /* every job carries its own part of it */
    h->ok = ok;
    h->done = true;
    if (h->json) {
        text = report_json(s, ok);
        puts(text);
        cJSON_free(text);
    } else {
        sh_print_opts_init(&po);
        r = report_table(s);
        sh_format_print(stdout, r, &po);
        pd_result_free(r);
        sh_print_opts_free(&po);
    }
    fflush(stdout);
    pd_core_stop(h->core);
}

int sh_refresh_main(int argc, char **argv, pd_core *core)
{
    headless h = {core, false, false, false};
    pd_error err = PD_ERROR_INIT;
    pd_sync *s = pd_core_syncs(core);
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            h.json = true;
        } else {
            fprintf(stderr, "pgdeck: error: refresh: unrecognized argument "
                            "\"%s\" (only --json)\n", argv[i]);
            return 2;
        }
    }
    if (s == NULL || pd_sync_count(s) == 0) {
        fprintf(stderr, "pgdeck: error: no syncs are configured (add "
                        "\"syncs\" to the config file)\n");
        return 2;
    }
    if (pd_sync_run_all(s, NULL, on_headless_done, &h, &err) != 0) {
        fprintf(stderr, "pgdeck: error: %s\n", err.message);
        pd_error_clear(&err);
        return 1;
    }
    pd_core_run(core);
    return h.done && h.ok ? 0 : 1;
}

/* ---- \refresh and \syncs ---- */

static void on_shell_done(pd_sync *s, bool ok, const pd_error *err, void *ctx)
{
    sh_session *ses = ctx;
    pd_result *r = report_table(s);

    (void)err;
    sh_session_print(ses, r);
    pd_result_free(r);
    sh_session_unit_done(ses, ok ? 0 : 1);
}

static int cmd_refresh(sh_session *ses, const char *args)
{
    pd_sync *s = pd_core_syncs(sh_session_core(ses));
    pd_error err = PD_ERROR_INIT;

    (void)args;
    if (s == NULL || pd_sync_count(s) == 0) {
        fputs("no syncs are configured (add \"syncs\" to the config file)\n",
              sh_session_err(ses));
        return 1;
    }
    if (pd_sync_run_all(s, NULL, on_shell_done, ses, &err) != 0) {
        fprintf(sh_session_err(ses), "%s\n", err.message);
        pd_error_clear(&err);
        return 1;
    }
    return SH_CMD_ASYNC;
}

static int cmd_syncs(sh_session *ses, const char *args)
{
    pd_sync *s = pd_core_syncs(sh_session_core(ses));
    pd_result *r;

    (void)args;
    if (s == NULL || pd_sync_count(s) == 0) {
        fputs("no syncs are configured\n", sh_session_out(ses));
        return 0;
    }
    r = report_table(s);
    sh_session_print(ses, r);
    pd_result_free(r);
    return 0;
}

const sh_cmd sh_refresh_commands[] = {
    {"refresh", cmd_refresh, "\\refresh",
     "run every configured sync now (refresh-all)"},
    {"syncs", cmd_syncs, "\\syncs", "show the syncs and their last run"},
    {NULL, NULL, NULL, NULL},
};
