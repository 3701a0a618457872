/* demo_config.c: the demo config and the shipped demo files.
 *
 * `pgdeck demo start` writes <state dir>/config.json (mode 0600) at each
 * start, so that it always names the server's current address and the
 * demo files of the pgdeck that runs (`pgdeck --config` it alone reaches
 * the demo database):
 *   syncs   transfer-ab, transfer-ba  the same two accounts updated in
 *                                     opposite orders with a pause
 *                                     between, so that refresh-all meets
 *                                     a deadlock and retries the loser;
 *           markets                   upsert of demo/markets.json;
 *           prices                    demo/fetch-prices's stdout upserted
 *                                     into prices (after markets);
 *           open-positions            refresh of the materialized view
 *                                     (after prices);
 *   panels  "Open positions", "Top movers";
 *   and a slow log threshold the workload's slow queries pass.
 * Without the demo files (an uninstalled binary moved elsewhere) the two
 * syncs that need them are left out and the file says why. Everything
 * here runs on the thread pool. */
#include "core/demo_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/strbuf.h"
#include "core/xalloc.h"

#ifndef PD_PREFIX
#define PD_PREFIX "/usr/local"
#endif

/* The slow log threshold of the demo: the workload's slow query and its
 * lock waiters pass it, the steady point reads do not. */
#define DEMO_SLOW_MS 50

/* The two transfers: the same accounts in opposite orders. The pause
 * makes sure each holds its first row when it asks for the second. */
#define XFER(from, to)                                                     \
    {"UPDATE accounts SET balance = balance - 10, version = version + 1, " \
     "updated_at = now() WHERE id = " #from,                               \
     "SELECT pg_sleep(0.5)",                                               \
     "UPDATE accounts SET balance = balance + 10, version = version + 1, " \
     "updated_at = now() WHERE id = " #to}

static const char *const xfer_ab[] = XFER(1, 2);
static const char *const xfer_ba[] = XFER(2, 1);

static const char *const refresh_sql[] = {
    "DELETE FROM prices WHERE ts < now() - interval '1 day'",
    "REFRESH MATERIALIZED VIEW open_positions",
};

static const struct {
    const char *title;
    const char *sql;
} panels[] = {
    {"Open positions",
     "SELECT symbol, trader, side, qty, entry, last, pnl "
     "FROM open_positions ORDER BY updated_at DESC, id LIMIT 20"},
    {"Top movers",
     "SELECT symbol, name, price, change_pct AS \"change %\" "
     "FROM markets WHERE change_pct IS NOT NULL "
     "ORDER BY abs(change_pct) DESC, symbol LIMIT 20"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* True when dir holds both demo files. */
static bool has_files(const char *dir)
{
    char *m = pd_xasprintf("%s/markets.json", dir);
    char *f = pd_xasprintf("%s/fetch-prices", dir);
    bool ok = access(m, R_OK) == 0 && access(f, R_OK) == 0;

    free(m);
    free(f);
    return ok;
}

/* Returns-owned absolute path of the directory with the demo files, or
 * NULL; see demo.h for the places tried, in order. */
static char *find_demo_dir(void)
{
    char exe[PATH_MAX], *cand[4] = {NULL}, *found = NULL, *slash;
    const char *env = getenv("PGDECK_DEMO_DIR");
    ssize_t n;
    size_t i, k = 0;

    if (env != NULL && *env != '\0')
        cand[k++] = pd_xstrdup(env);
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        slash = strrchr(exe, '/');
        if (slash != NULL) {
            *slash = '\0';
            cand[k++] = pd_xasprintf("%s/demo", exe);
            cand[k++] = pd_xasprintf("%s/../share/pgdeck/demo", exe);
        }
    }
    cand[k++] = pd_xstrdup(PD_PREFIX "/share/pgdeck/demo");
    for (i = 0; i < k && found == NULL; i++)
        if (has_files(cand[i]))
            found = realpath(cand[i], NULL);
    for (i = 0; i < k; i++)
        free(cand[i]);
    return found;
}

/* Appends s as a JSON string. */
static void json_str(pd_strbuf *sb, const char *s)
{
    pd_strbuf_putc(sb, '"');
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            pd_strbuf_putc(sb, '\\');
        if (c < 0x20)
            pd_strbuf_printf(sb, "\\u%04x", c);
        else
            pd_strbuf_putc(sb, (char)c);
    }
    pd_strbuf_putc(sb, '"');
}

/* Appends "[s0, s1, ...]" with one string a line. */
static void json_strs(pd_strbuf *sb, const char *const *v, size_t n)
{
    size_t i;

    pd_strbuf_puts(sb, "[");
    for (i = 0; i < n; i++) {
        pd_strbuf_puts(sb, i == 0 ? "\n        " : ",\n        ");
        json_str(sb, v[i]);
    }
    pd_strbuf_puts(sb, "]");
}

/* The config text: conninfo (borrowed) is the demo database's address,
 * dir (borrowed) holds the demo files, or is NULL. */
static void build(pd_strbuf *sb, const char *conninfo, const char *dir)
{
    size_t i;

    pd_strbuf_puts(sb,
        "// pgdeck demo config: written by `pgdeck demo start` (again at\n"
        "// each start). `pgdeck --demo` loads it unless --config is given;\n"
        "// to change it, copy it elsewhere and pass --config COPY.\n");
    if (dir == NULL)
        pd_strbuf_puts(sb,
            "// The demo files (markets.json, fetch-prices) were not found\n"
            "// beside pgdeck nor under " PD_PREFIX "/share/pgdeck/demo:\n"
            "// the markets and prices syncs are left out.\n");
    pd_strbuf_puts(sb, "{\n  \"database\": { \"url\": ");
    json_str(sb, conninfo);
    pd_strbuf_printf(sb, " },\n"
        "  \"pool\": { \"min\": 2, \"max\": 16 },\n"
        "  \"slow_log\": { \"threshold_ms\": %d },\n"
        "  \"max_concurrency\": 6,\n"
        "  \"panels\": [", DEMO_SLOW_MS);
    for (i = 0; i < COUNT(panels); i++) {
        pd_strbuf_puts(sb, i == 0 ? "\n" : ",\n");
        pd_strbuf_puts(sb, "    { \"title\": ");
        json_str(sb, panels[i].title);
        pd_strbuf_puts(sb, ", \"refresh_ms\": 2000,\n      \"sql\": ");
        json_str(sb, panels[i].sql);
        pd_strbuf_puts(sb, " }");
    }
    pd_strbuf_puts(sb, "\n  ],\n  \"syncs\": [\n"
                       "    { \"name\": \"transfer-ab\",\n"
                       "      \"retry\": { \"attempts\": 5, \"base_ms\": 20, "
                       "\"cap_ms\": 500 },\n      \"sql\": ");
    json_strs(sb, xfer_ab, COUNT(xfer_ab));
    pd_strbuf_puts(sb, " },\n"
                       "    { \"name\": \"transfer-ba\",\n"
                       "      \"retry\": { \"attempts\": 5, \"base_ms\": 20, "
                       "\"cap_ms\": 500 },\n      \"sql\": ");
    json_strs(sb, xfer_ba, COUNT(xfer_ba));
    pd_strbuf_puts(sb, " },\n");
    if (dir != NULL) {
        char *m = pd_xasprintf("%s/markets.json", dir);
        char *f = pd_xasprintf("%s/fetch-prices", dir);
        pd_strbuf_puts(sb, "    { \"name\": \"markets\", "
                           "\"locks\": [\"markets:write\"],\n"
                           "      \"load\": { \"file\": ");
        json_str(sb, m);
        pd_strbuf_puts(sb, ", \"table\": \"markets\", "
                           "\"key\": [\"symbol\"] } },\n"
                           "    { \"name\": \"prices\", "
                           "\"depends_on\": [\"markets\"], "
                           "\"timeout_ms\": 10000,\n"
                           "      \"command\": [\"/bin/sh\", ");
        json_str(sb, f);
        pd_strbuf_puts(sb, ", ");
        json_str(sb, m);
        pd_strbuf_puts(sb, "],\n      \"table\": \"prices\", "
                           "\"key\": [\"symbol\", \"ts\"] },\n");
        free(m);
        free(f);
    }
    pd_strbuf_printf(sb, "    { \"name\": \"open-positions\"%s,\n"
                         "      \"sql\": ",
                     dir != NULL ? ", \"depends_on\": [\"prices\"]" : "");
    json_strs(sb, refresh_sql, COUNT(refresh_sql));
    pd_strbuf_puts(sb, " }\n  ]\n}\n");
}

void pd_demo_write_config(pd_demo *d)
{
    char *dir = find_demo_dir();
    char *tmp = pd_xasprintf("%s.tmp", d->config_path);
    char *ci = pd_demo_conninfo(d, PD_DEMO_DBNAME);
    pd_strbuf sb = PD_STRBUF_INIT;
    size_t off = 0;
    ssize_t n;
    int fd, e;

    build(&sb, ci, dir);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || fchmod(fd, 0600) != 0)
        goto fail;
    while (off < sb.len) {
        n = write(fd, sb.buf + off, sb.len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = ENOSPC;
            goto fail;
        }
        off += (size_t)n;
    }
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, d->config_path) != 0)
        goto fail;
    pd_demo_set_str(&d->config_file, d->config_path);
    goto out;

fail:
    e = errno;
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    pd_demo_sys_error(d, "write", d->config_path, e);
out:
    pd_strbuf_free(&sb);
    free(tmp);
    free(ci);
    free(dir);
}
