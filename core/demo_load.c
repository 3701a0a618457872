/* demo_load.c: talking to the demo server.
 *
 * Its address (the private socket dir and port, as conninfo), the
 * readiness probe (one non-blocking pd_conn connect) and the schema load:
 * CREATE DATABASE, then pd_demo_sql, each one pd_query_fetch through a
 * private one-connection pool, then the state file marks the cluster
 * complete; and, at every start, the schema additions
 * (pd_demo_upgrade_sql) the same way. */
#include "core/demo_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/conn.h"
#include "core/conninfo.h"
#include "core/query.h"
#include "core/result.h"
#include "core/xalloc.h"

#define PROBE_TIMEOUT_MS 2000

/* Appends value to sb as a conninfo value, quoted when it needs it. */
static void conninfo_value(pd_strbuf *sb, const char *value)
{
    const char *p;

    if (*value != '\0' && strpbrk(value, " \t\n'\\") == NULL) {
        pd_strbuf_puts(sb, value);
        return;
    }
    pd_strbuf_putc(sb, '\'');
    for (p = value; *p != '\0'; p++) {
        if (*p == '\'' || *p == '\\')
            pd_strbuf_putc(sb, '\\');
        pd_strbuf_putc(sb, *p);
    }
    pd_strbuf_putc(sb, '\'');
}

char *pd_demo_conninfo(const pd_demo *d, const char *dbname)
{
    pd_strbuf sb = PD_STRBUF_INIT;

    pd_strbuf_puts(&sb, "host=");
    conninfo_value(&sb, d->st.sock != NULL ? d->st.sock : "");
    pd_strbuf_printf(&sb, " port=%d dbname=", d->st.port);
    conninfo_value(&sb, dbname);
    pd_strbuf_puts(&sb, " user=");
    conninfo_value(&sb, d->st.user != NULL ? d->st.user : d->user);
    return pd_strbuf_steal(&sb);
}

/* Returns-owned parameters for dbname, or NULL with d->perr set. Settings
 * from the PG* environment that would send us elsewhere are dropped. */
static pd_conninfo *make_ci(pd_demo *d, const char *dbname)
{
    char *s = pd_demo_conninfo(d, dbname);
    pd_conninfo *ci = pd_conninfo_new(s, &d->perr);

    free(s);
    if (ci == NULL)
        return NULL;
    pd_conninfo_set(ci, "hostaddr", NULL);
    pd_conninfo_set(ci, "service", NULL);
    pd_conninfo_set(ci, "options", NULL);
    pd_conninfo_set(ci, "target_session_attrs", NULL);
    pd_conninfo_set(ci, "application_name", "pgdeck-demo");
    return ci;
}

static void on_probe(pd_conn *c, const pd_error *err, void *ctx)
{
    pd_demo *d = ctx;

    d->probe_ok = err == NULL;
    if (err != NULL)
        pd_error_copy(&d->perr, err);
    pd_conn_close(c);
    pd_demo_later(d, 0, d->next);
}

void pd_demo_probe(pd_demo *d, pd_demo_step next)
{
    pd_conninfo *ci;
    pd_conn *c;

    pd_error_clear(&d->perr);
    d->probe_ok = false;
    d->next = next;
    ci = make_ci(d, "postgres");
    if (ci == NULL) {
        pd_demo_later(d, 0, next);
        return;
    }
    c = pd_conn_new(d->loop, ci);
    pd_conninfo_free(ci);
    if (pd_conn_connect(c, PROBE_TIMEOUT_MS, on_probe, d) != 0) {
        pd_error_set(&d->perr, PD_ERR_CONNECTION, "cannot connect");
        pd_conn_close(c);
        pd_demo_later(d, 0, next);
    }
}

static void on_sql(pd_result *res, const pd_error *err, void *ctx)
{
    pd_demo *d = ctx;

    pd_result_free(res);
    if (err != NULL)
        pd_error_copy(&d->perr, err);
    pd_demo_later(d, 0, d->next); /* leave the pool's callback first */
}

/* Runs sql (borrowed until next runs) in dbname with the simple protocol
 * on a one-connection pool; then next with perr set on failure. */
static void sql(pd_demo *d, const char *dbname, const char *text,
                pd_demo_step next)
{
    /* The data load takes seconds: no command timeout. */
    pd_query_opts qo = {.flags = PD_QUERY_SIMPLE,
                        .timeout_ms = PD_QUERY_NO_TIMEOUT};

    pd_error_clear(&d->perr);
    d->next = next;
    if (d->pool == NULL || strcmp(d->pool_db, dbname) != 0) {
        pd_pool_opts po = {.min = 0, .max = 1, .acquire_timeout_ms = 30000,
                           .connect_timeout_ms = 10000, .prepare = true,
                           .reconnect_base_ms = 100,
                           .reconnect_cap_ms = 10000};
        pd_conninfo *ci = make_ci(d, dbname);
        if (ci == NULL) {
            pd_demo_later(d, 0, next);
            return;
        }
        pd_pool_free(d->pool);
        d->pool = pd_pool_new(d->loop, ci, &po);
        pd_conninfo_free(ci);
        pd_demo_set_str(&d->pool_db, dbname);
        pd_pool_start(d->pool);
    }
    if (pd_query_fetch(d->pool, text, 0, NULL, &qo, on_sql, d) != 0) {
        pd_error_set(&d->perr, PD_ERR_CONNECTION, "cannot run a query");
        pd_demo_later(d, 0, next);
    }
}

/* ---------- the schema load ---------- */

static void load_error(pd_demo *d, const char *doing)
{
    if (strcmp(d->perr.sqlstate, "53100") == 0 ||
        (d->perr.message != NULL &&
         strstr(d->perr.message, "No space left on device") != NULL))
        pd_demo_disk_full(d, doing);
    else
        pd_error_set(&d->err, d->perr.kind, "%s failed: %s", doing,
                     d->perr.message != NULL ? d->perr.message : "error");
}

static void w_complete(pd_demo *d)
{
    d->st.complete = true;
    pd_demo_write_state(d);
}

static void after_load(pd_demo *d)
{
    if (pd_error_isset(&d->perr)) {
        load_error(d, "loading the demo data");
        d->load_next(d);
        return;
    }
    pd_demo_offload(d, w_complete, d->load_next);
}

static void after_createdb(pd_demo *d)
{
    if (pd_error_isset(&d->perr) &&
        strcmp(d->perr.sqlstate, "42P04") != 0) { /* duplicate_database */
        load_error(d, "creating database " PD_DEMO_DBNAME);
        d->load_next(d);
        return;
    }
    pd_demo_progress(d, "loading the demo data (markets: 100000 rows)");
    sql(d, PD_DEMO_DBNAME, pd_demo_sql, after_load);
}

void pd_demo_load(pd_demo *d, pd_demo_step next)
{
    d->load_next = next;
    sql(d, "postgres", "CREATE DATABASE " PD_DEMO_DBNAME, after_createdb);
}

/* ---------- the schema additions ---------- */

static void after_upgrade(pd_demo *d)
{
    if (pd_error_isset(&d->perr))
        load_error(d, "adding to the demo schema");
    d->load_next(d);
}

void pd_demo_upgrade(pd_demo *d, pd_demo_step next)
{
    d->load_next = next;
    sql(d, PD_DEMO_DBNAME, pd_demo_upgrade_sql, after_upgrade);
}
