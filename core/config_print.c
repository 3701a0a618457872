/* config_print.c: --print-config, the effective settings with where each
 * came from, one "key = value  # origin" line per row of the settings
 * table, a line per panel and per sync under their rows, then the
 * connection options given on the command line. */
#include "core/config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/config_int.h"
#include "core/conninfo.h"
#include "core/locks.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

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

/* "key = value", then "# origin" in a column of its own. */
static void print_line(FILE *out, const char *key, const char *value,
                       const char *origin)
{
    int w = (int)strlen(value);

    fprintf(out, "%-24s = %s", key, value);
    if (origin != NULL)
        fprintf(out, "%*s# %s", w < 30 ? 30 - w : 2, "", origin);
    fputc('\n', out);
}

/* "file FILE:3:12", "env VAR", "argv --flag" or "default". */
static void origin_text(const pd_config *cfg, const setting *s, char *buf,
                        size_t n)
{
    const pd_config_origin *o = pd_config_origin_of(cfg, s->key);
    char w[300];

    pd_config_where(cfg, s, w, sizeof(w));
    switch (o->source) {
    case PD_CFG_FILE: pd_config_pathf(buf, n, "file %s", w); break;
    case PD_CFG_ENV: pd_config_pathf(buf, n, "env %s", w); break;
    case PD_CFG_ARGV: pd_config_pathf(buf, n, "argv %s", w); break;
    default: pd_config_pathf(buf, n, "default");
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

/* Row s's value, as --print-config shows it, into v (reset first). */
static void value_text(const pd_config *cfg, const setting *s, pd_strbuf *v)
{
    const void *f = pd_config_cfield(cfg, s);
    char *masked;

    pd_strbuf_reset(v);
    switch (s->type) {
    case T_INT:
        pd_strbuf_printf(v, "%d", *(const int *)f);
        break;
    case T_U32:
        pd_strbuf_printf(v, "%u", (unsigned)*(const uint32_t *)f);
        break;
    case T_BOOL:
        pd_strbuf_puts(v, *(const bool *)f ? "true" : "false");
        break;
    case T_STR: case T_LISTEN:
        masked = *(char *const *)f != NULL
                     ? pd_conninfo_mask(*(char *const *)f) : NULL;
        put_json_str(v, s->offset == offsetof(pd_config, dsn)
                            ? masked : *(char *const *)f);
        free(masked);
        break;
    case T_PANELS:
        pd_strbuf_printf(v, "%zu panel%s", cfg->npanels,
                         cfg->npanels == 1 ? "" : "s");
        break;
    case T_SYNCS:
        pd_strbuf_printf(v, "%zu sync%s", cfg->nsyncs,
                         cfg->nsyncs == 1 ? "" : "s");
        break;
    }
}

/* Under the row of a list, one line per element (v is scratch). */
static void print_items(const pd_config *cfg, const setting *s, FILE *out,
                        pd_strbuf *v)
{
    char k[48], *js;
    size_t j;

    for (j = 0; s->type == T_PANELS && j < cfg->npanels; j++) {
        pd_strbuf_reset(v);
        pd_strbuf_puts(v, "{\"title\":");
        put_json_str(v, cfg->panels[j].title);
        pd_strbuf_puts(v, ",\"sql\":");
        put_json_str(v, cfg->panels[j].sql);
        pd_strbuf_printf(v, ",\"refresh_ms\":%u}",
                         (unsigned)cfg->panels[j].refresh_ms);
        pd_config_pathf(k, sizeof(k), "panels[%zu]", j);
        print_line(out, k, pd_strbuf_cstr(v), NULL);
    }
    for (j = 0; s->type == T_SYNCS && j < cfg->nsyncs; j++) {
        js = sync_json(&cfg->syncs[j]);
        pd_config_pathf(k, sizeof(k), "syncs[%zu]", j);
        print_line(out, k, js, NULL);
        free(js);
    }
}

/* The connection options of the command line that were given (v is
 * scratch). */
static void print_conn(const pd_config *cfg, FILE *out, pd_strbuf *v)
{
    static const struct {
        const char *name, *flag;
        size_t offset;
    } conn[] = {
        {"host", "-h", offsetof(pd_config, host)},
        {"port", "-p", offsetof(pd_config, port)},
        {"user", "-U", offsetof(pd_config, user)},
        {"dbname", "-d", offsetof(pd_config, dbname)},
    };
    char o[64];
    size_t i;

    for (i = 0; i < sizeof(conn) / sizeof(conn[0]); i++) {
        const char *s = *(char *const *)((const char *)cfg + conn[i].offset);
        if (s == NULL)
            continue;
        pd_strbuf_reset(v);
        put_json_str(v, s);
        pd_config_pathf(o, sizeof(o), "argv %s", conn[i].flag);
        print_line(out, conn[i].name, pd_strbuf_cstr(v), o);
    }
}

/* Writes the effective settings; see config.h. */
void pd_config_print(const pd_config *cfg, FILE *out)
{
    pd_strbuf v = PD_STRBUF_INIT;
    const setting *s;
    char o[400], *def;
    size_t i;

    if (cfg->config_file != NULL) {
        fprintf(out, "# config file: %s\n", cfg->config_file);
    } else if ((def = pd_config_default_path()) != NULL) {
        fprintf(out, "# config file: none (%s does not exist)\n", def);
        free(def);
    } else {
        fprintf(out, "# config file: none\n");
    }
    fprintf(out, "# precedence: default < file < env < argv\n");
    for (i = 0; (s = pd_config_setting_at(i)) != NULL; i++) {
        origin_text(cfg, s, o, sizeof(o));
        value_text(cfg, s, &v);
        print_line(out, s->key, pd_strbuf_cstr(&v), o);
        print_items(cfg, s, out, &v);
    }
    print_conn(cfg, out, &v);
    pd_strbuf_free(&v);
}
