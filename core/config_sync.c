/* config_sync.c: the config's two lists, "panels" and "syncs": each
 * element's keys and values, the syncs' dependency graph (unique names,
 * known dependencies, no cycle), and the lists' copy and free.
 *
 * A list is replaced as a whole, and only when every element is valid;
 * messages name the element's path ("syncs[2].depends_on[0]"). */
#include "core/config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/config_int.h"
#include "core/jsonc.h"
#include "core/locks.h"
#include "core/retry.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

/* ---- copy and free ---- */

static void free_strv(char **v, size_t n)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static char **dup_strv(char *const *v, size_t n)
{
    char **d;
    size_t i;

    if (v == NULL)
        return NULL;
    d = pd_xcalloc(n + 1, sizeof(*d));
    for (i = 0; i < n; i++)
        d[i] = pd_xstrdup(v[i]);
    return d;
}

static void free_sync(pd_config_sync *s)
{
    size_t i;

    free(s->name);
    free_strv(s->sql, s->nsql);
    free(s->file);
    free_strv(s->argv, s->argc);
    free(s->table);
    free_strv(s->key, s->nkey);
    for (i = 0; i < s->nlocks; i++)
        free(s->locks[i].resource);
    free(s->locks);
    free_strv(s->depends_on, s->ndepends);
    free(s->deps);
    memset(s, 0, sizeof(*s));
}

static void free_panels(pd_config_panel *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(p[i].title);
        free(p[i].sql);
    }
    free(p);
}

static void free_syncs(pd_config_sync *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free_sync(&s[i]);
    free(s);
}

/* Deep copy of s into d (overwritten, not freed). */
static void copy_sync(pd_config_sync *d, const pd_config_sync *s)
{
    size_t j;

    *d = *s;
    d->name = pd_xstrdup(s->name);
    d->sql = dup_strv(s->sql, s->nsql);
    d->file = pd_config_dup_or_null(s->file);
    d->argv = dup_strv(s->argv, s->argc);
    d->table = pd_config_dup_or_null(s->table);
    d->key = dup_strv(s->key, s->nkey);
    d->locks = NULL;
    if (s->nlocks > 0) {
        d->locks = pd_xcalloc(s->nlocks, sizeof(*d->locks));
        for (j = 0; j < s->nlocks; j++) {
            d->locks[j].resource = pd_xstrdup(s->locks[j].resource);
            d->locks[j].mode = s->locks[j].mode;
        }
    }
    d->depends_on = dup_strv(s->depends_on, s->ndepends);
    d->deps = NULL;
    if (s->ndepends > 0) {
        d->deps = pd_xcalloc(s->ndepends, sizeof(*d->deps));
        memcpy(d->deps, s->deps, s->ndepends * sizeof(*d->deps));
    }
}

/* Deep copies the lists; see config_int.h. */
void pd_config_copy_lists(pd_config *dst, const pd_config *src)
{
    size_t i;

    dst->panels = NULL;
    if (src->npanels > 0) {
        dst->panels = pd_xcalloc(src->npanels, sizeof(*dst->panels));
        for (i = 0; i < src->npanels; i++) {
            dst->panels[i] = src->panels[i];
            dst->panels[i].title = pd_xstrdup(src->panels[i].title);
            dst->panels[i].sql = pd_xstrdup(src->panels[i].sql);
        }
    }
    dst->syncs = NULL;
    if (src->nsyncs > 0) {
        dst->syncs = pd_xcalloc(src->nsyncs, sizeof(*dst->syncs));
        for (i = 0; i < src->nsyncs; i++)
            copy_sync(&dst->syncs[i], &src->syncs[i]);
    }
}

/* Frees the lists; see config_int.h. */
void pd_config_free_lists(pd_config *cfg)
{
    free_panels(cfg->panels, cfg->npanels);
    free_syncs(cfg->syncs, cfg->nsyncs);
}

/* ---- members ---- */

/* Member key of object o, or NULL; p gets its path, "PATH.KEY". */
static const pd_jsonc_value *member(const pd_jsonc_value *o,
                                    const char *path, const char *key,
                                    char *p, size_t n)
{
    pd_config_pathf(p, n, "%s.%s", path, key);
    return pd_jsonc_member(o, key);
}

/* The string member key of object o (at path), which must be there, into
 * *out (returns-owned); when it is not, fails with "PATH: needs NEEDS". */
static int member_string(loader *ld, const pd_jsonc_value *o,
                         const char *path, const char *key,
                         const char *needs, char **out)
{
    char p[128];
    const pd_jsonc_value *m = member(o, path, key, p, sizeof(p));

    if (m == NULL)
        return pd_config_fail_at(ld, o, false, path, "needs %s", needs);
    return pd_config_get_string(ld, m, p, out);
}

/* ---- panels ---- */

static int parse_panel(loader *ld, const pd_jsonc_value *o, size_t idx,
                       pd_config_panel *pn)
{
    char path[64], p[128];
    const pd_jsonc_value *m;
    long long v = 2000;

    pd_config_pathf(path, sizeof(path), "panels[%zu]", idx);
    pn->line = o->line;
    pn->col = o->col;
    if (pd_config_need_object(ld, o, path) != 0 ||
        pd_config_check_members(ld, o, "panels[].", path) != 0 ||
        member_string(ld, o, path, "title", "a \"title\"", &pn->title) != 0 ||
        member_string(ld, o, path, "sql", "\"sql\"", &pn->sql) != 0)
        return PD_EINVAL;
    if ((m = member(o, path, "refresh_ms", p, sizeof(p))) != NULL &&
        pd_config_get_int(ld, m, p, 100, PD_CONFIG_DAY_MS, &v) != 0)
        return PD_EINVAL;
    pn->refresh_ms = (uint32_t)v;
    return 0;
}

/* ---- syncs ---- */

/* "resource:mode" strings into s->locks. */
static int parse_locks(loader *ld, const pd_jsonc_value *v, const char *path,
                       pd_config_sync *s)
{
    char p[128], g[64];
    size_t i, j, len;

    if (v->type != PD_JSONC_ARRAY) {
        pd_config_got(v, g, sizeof(g));
        return pd_config_fail_at(ld, v, false, path, "must be an array of "
                                 "\"resource:read|write|exclusive\" strings "
                                 "(got %s)", g);
    }
    s->locks = pd_xcalloc(v->count + 1, sizeof(*s->locks));
    for (i = 0; i < v->count; i++) {
        const pd_jsonc_value *e = v->items[i];
        bool is_str = e->type == PD_JSONC_STRING;
        const char *colon = is_str ? strrchr(e->string, ':') : NULL;
        pd_lock_mode mode;

        pd_config_pathf(p, sizeof(p), "%s[%zu]", path, i);
        if (colon == NULL || colon == e->string ||
            pd_locks_mode_parse(colon + 1, &mode) != 0) {
            pd_config_got(e, g, sizeof(g));
            return pd_config_fail_at(ld, e, false, p, "must be "
                                     "\"resource:read\", \"resource:write\" "
                                     "or \"resource:exclusive\" "
                                     "(got %s%s%s)", is_str ? "\"" : "",
                                     is_str ? e->string : g,
                                     is_str ? "\"" : "");
        }
        len = (size_t)(colon - e->string);
        for (j = 0; j < s->nlocks; j++)
            if (strlen(s->locks[j].resource) == len &&
                strncmp(s->locks[j].resource, e->string, len) == 0)
                return pd_config_fail_at(ld, e, false, p, "\"%s\" is locked "
                                         "twice", s->locks[j].resource);
        s->locks[s->nlocks].resource = pd_xstrndup(e->string, len);
        s->locks[s->nlocks].mode = mode;
        s->nlocks++;
    }
    return 0;
}

/* A sync's own "retry", over the top-level one. */
static int parse_sync_retry(loader *ld, const pd_jsonc_value *v,
                            const char *path, pd_config_sync *s)
{
    static const char *const names[] = {"attempts", "base_ms", "cap_ms"};
    char p[128];
    pd_error e = PD_ERROR_INIT;
    size_t i;
    long long n;
    int rc;

    if (pd_config_need_object(ld, v, path) != 0 ||
        pd_config_check_members(ld, v, "syncs[].retry.", path) != 0)
        return PD_EINVAL;
    for (i = 0; i < 3; i++) {
        const pd_jsonc_value *m = member(v, path, names[i], p, sizeof(p));
        char rk[32];
        const setting *row;

        if (m == NULL)
            continue;
        pd_config_pathf(rk, sizeof(rk), "retry.%s", names[i]);
        row = pd_config_find_setting(rk);
        if (pd_config_get_int(ld, m, p, row->lo, row->hi, &n) != 0)
            return PD_EINVAL;
        if (i == 0)
            s->retry.attempts = (int)n;
        else if (i == 1)
            s->retry.base_ms = (uint32_t)n;
        else
            s->retry.cap_ms = (uint32_t)n;
    }
    if (pd_retry_policy_check(&s->retry, &e) == 0)
        return 0;
    if (s->retry.cap_ms < s->retry.base_ms)
        rc = pd_config_fail_at(ld, v, false, path, "cap_ms (%u) must not be "
                               "below base_ms (%u)%s",
                               (unsigned)s->retry.cap_ms,
                               (unsigned)s->retry.base_ms,
                               v->count < 3 ? " (the keys left out come from "
                                              "the top-level retry)" : "");
    else
        rc = pd_config_fail_at(ld, v, false, path, "%s", e.message);
    pd_error_clear(&e);
    return rc;
}

/* Resolves a load file against the config file's directory. */
static char *resolve_path(loader *ld, const char *file)
{
    if (file[0] == '/' || ld->dir == NULL)
        return pd_xstrdup(file);
    return pd_xasprintf("%s%s", ld->dir, file);
}

static int parse_load(loader *ld, const pd_jsonc_value *v, const char *path,
                      pd_config_sync *s)
{
    static const char needs[] = "\"file\", \"table\" and \"key\"";
    const pd_jsonc_value *m;
    char p[128], *file = NULL;

    if (pd_config_need_object(ld, v, path) != 0 ||
        pd_config_check_members(ld, v, "syncs[].load.", path) != 0 ||
        member_string(ld, v, path, "file", needs, &file) != 0)
        return PD_EINVAL;
    s->file = resolve_path(ld, file);
    free(file);
    if (member_string(ld, v, path, "table", needs, &s->table) != 0)
        return PD_EINVAL;
    if ((m = member(v, path, "key", p, sizeof(p))) == NULL)
        return pd_config_fail_at(ld, v, false, path, "needs %s", needs);
    return pd_config_get_strings(ld, m, p, false, &s->key, &s->nkey);
}

/* Exactly one of "sql", "load" and "command" (the second one found is the
 * error), and what it holds. */
static int parse_sync_kind(loader *ld, const pd_jsonc_value *o,
                           const char *path, pd_config_sync *s)
{
    static const char *const kinds[] = {"sql", "load", "command"};
    const pd_jsonc_value *m, *kind_v = NULL;
    char p[128];
    size_t i;

    for (i = 0; i < 3; i++) {
        if ((m = member(o, path, kinds[i], p, sizeof(p))) == NULL)
            continue;
        if (kind_v != NULL) {
            if (m->key_line < kind_v->key_line ||
                (m->key_line == kind_v->key_line &&
                 m->key_col < kind_v->key_col)) {
                const pd_jsonc_value *t = m;
                m = kind_v;
                kind_v = t;
                pd_config_pathf(p, sizeof(p), "%s.%s", path, m->key);
            }
            return pd_config_fail_at(ld, m, true, p, "a sync has one of "
                                     "\"sql\", \"load\" or \"command\", and "
                                     "this one already has \"%s\"",
                                     kind_v->key);
        }
        kind_v = m;
        s->kind = (pd_config_sync_kind)i;
    }
    if (kind_v == NULL)
        return pd_config_fail_at(ld, o, false, path, "needs one of \"sql\", "
                                 "\"load\" or \"command\"");
    pd_config_pathf(p, sizeof(p), "%s.%s", path, kind_v->key);
    if (s->kind == PD_CONFIG_SYNC_SQL)
        return pd_config_get_strings(ld, kind_v, p, true, &s->sql, &s->nsql);
    if (s->kind == PD_CONFIG_SYNC_LOAD)
        return parse_load(ld, kind_v, p, s);
    return pd_config_get_strings(ld, kind_v, p, false, &s->argv, &s->argc);
}

/* A command's target, "table" and "key", at the top; a load gives its own
 * inside "load", and a SQL sync has none. */
static int parse_sync_target(loader *ld, const pd_jsonc_value *o,
                             const char *path, pd_config_sync *s)
{
    bool command = s->kind == PD_CONFIG_SYNC_COMMAND;
    const pd_jsonc_value *m;
    char p[128];
    size_t i;

    for (i = 0; i < 2; i++) {
        const char *k = i == 0 ? "table" : "key";

        m = member(o, path, k, p, sizeof(p));
        if (m != NULL && !command)
            return pd_config_fail_at(ld, m, true, p, "only a \"command\" "
                                     "sync has \"%s\" here (a \"load\" sync "
                                     "gives it inside \"load\")", k);
        if (!command)
            continue;
        if (m == NULL)
            return pd_config_fail_at(ld, o, false, path, "a \"command\" sync "
                                     "needs \"table\" and \"key\"");
        if (i == 0 ? pd_config_get_string(ld, m, p, &s->table)
                   : pd_config_get_strings(ld, m, p, false, &s->key,
                                           &s->nkey))
            return PD_EINVAL;
    }
    return 0;
}

/* "depends_on" (at path): names of syncs, each once; [] is none. */
static int parse_sync_depends(loader *ld, const pd_jsonc_value *m,
                              const char *path, pd_config_sync *s)
{
    char p[160];
    size_t i, j;

    if (m->type == PD_JSONC_ARRAY && m->count == 0)
        return 0;
    if (pd_config_get_strings(ld, m, path, false, &s->depends_on,
                              &s->ndepends) != 0)
        return PD_EINVAL;
    for (i = 0; i < s->ndepends; i++)
        for (j = 0; j < i; j++)
            if (strcmp(s->depends_on[i], s->depends_on[j]) == 0) {
                pd_config_pathf(p, sizeof(p), "%s[%zu]", path, i);
                return pd_config_fail_at(ld, m->items[i], false, p, "\"%s\" "
                                         "is listed twice", s->depends_on[i]);
            }
    return 0;
}

/* One element of "syncs" into s (which the caller frees either way). */
static int parse_sync(loader *ld, const pd_jsonc_value *o, size_t idx,
                      pd_config_sync *s)
{
    const pd_jsonc_value *m;
    char path[64], p[128];
    long long n;

    pd_config_pathf(path, sizeof(path), "syncs[%zu]", idx);
    s->line = o->line;
    s->col = o->col;
    s->retry = ld->cfg->retry;
    if (pd_config_need_object(ld, o, path) != 0 ||
        pd_config_check_members(ld, o, "syncs[].", path) != 0 ||
        member_string(ld, o, path, "name", "a \"name\"", &s->name) != 0)
        return PD_EINVAL;
    if (!pd_config_name_ok(s->name, strlen(s->name)))
        return pd_config_fail_at(ld, member(o, path, "name", p, sizeof(p)),
                                 false, p, "must be letters, digits, '_', "
                                 "'-' or '.' (got \"%s\")", s->name);
    if (parse_sync_kind(ld, o, path, s) != 0 ||
        parse_sync_target(ld, o, path, s) != 0)
        return PD_EINVAL;
    if ((m = member(o, path, "locks", p, sizeof(p))) != NULL &&
        parse_locks(ld, m, p, s) != 0)
        return PD_EINVAL;
    if ((m = member(o, path, "timeout_ms", p, sizeof(p))) != NULL) {
        if (pd_config_get_int(ld, m, p, 0, PD_CONFIG_DAY_MS, &n) != 0)
            return PD_EINVAL;
        s->timeout_ms = (uint32_t)n;
    }
    if ((m = member(o, path, "depends_on", p, sizeof(p))) != NULL &&
        parse_sync_depends(ld, m, p, s) != 0)
        return PD_EINVAL;
    if ((m = member(o, path, "retry", p, sizeof(p))) != NULL &&
        parse_sync_retry(ld, m, p, s) != 0)
        return PD_EINVAL;
    return 0;
}

/* ---- the dependency graph ---- */

/* Depth-first search for a dependency cycle through syncs[u]. stack holds
 * the path from the search's root; color: 0 new, 1 on the path, 2 done. */
static int find_cycle(loader *ld, const pd_jsonc_value *arr,
                      pd_config_sync *syncs, size_t u, unsigned char *color,
                      size_t *stack, size_t depth)
{
    size_t j, k;

    color[u] = 1;
    stack[depth] = u;
    for (j = 0; j < syncs[u].ndepends; j++) {
        size_t w = syncs[u].deps[j];

        if (color[w] == 1) {
            const pd_jsonc_value *dep =
                pd_jsonc_member(arr->items[u], "depends_on")->items[j];
            pd_strbuf sb = PD_STRBUF_INIT;
            char p[96];
            int rc;

            for (k = 0; stack[k] != w; k++)
                ;
            for (; k <= depth; k++)
                pd_strbuf_printf(&sb, "%s -> ", syncs[stack[k]].name);
            pd_strbuf_puts(&sb, syncs[w].name);
            pd_config_pathf(p, sizeof(p), "syncs[%zu].depends_on[%zu]", u, j);
            rc = pd_config_fail_at(ld, dep, false, p, "dependency cycle: %s",
                                   pd_strbuf_cstr(&sb));
            pd_strbuf_free(&sb);
            return rc;
        }
        if (color[w] == 0 &&
            find_cycle(ld, arr, syncs, w, color, stack, depth + 1) != 0)
            return PD_EINVAL;
    }
    color[u] = 2;
    return 0;
}

/* Unique names, existing dependencies, no cycles. */
static int check_sync_graph(loader *ld, const pd_jsonc_value *arr,
                            pd_config_sync *syncs, size_t n)
{
    unsigned char *color = NULL;
    size_t *stack = NULL, i, j, k;
    char p[96];
    int rc = 0;

    for (i = 0; i < n; i++) {
        for (j = 0; j < i; j++) {
            if (strcmp(syncs[i].name, syncs[j].name) != 0)
                continue;
            pd_config_pathf(p, sizeof(p), "syncs[%zu].name", i);
            return pd_config_fail_at(ld, pd_jsonc_member(arr->items[i],
                                                         "name"),
                                     false, p, "\"%s\" is already the name "
                                     "of syncs[%zu]", syncs[i].name, j);
        }
    }
    for (i = 0; i < n; i++) {
        const pd_jsonc_value *deps = pd_jsonc_member(arr->items[i],
                                                     "depends_on");

        if (syncs[i].ndepends == 0)
            continue;
        syncs[i].deps = pd_xcalloc(syncs[i].ndepends, sizeof(size_t));
        for (j = 0; j < syncs[i].ndepends; j++) {
            pd_config_pathf(p, sizeof(p), "syncs[%zu].depends_on[%zu]", i, j);
            for (k = 0; k < n; k++)
                if (strcmp(syncs[k].name, syncs[i].depends_on[j]) == 0)
                    break;
            if (k == n)
                return pd_config_fail_at(ld, deps->items[j], false, p,
                                         "no sync is named \"%s\"",
                                         syncs[i].depends_on[j]);
            if (k == i)
                return pd_config_fail_at(ld, deps->items[j], false, p,
                                         "a sync cannot depend on itself");
            syncs[i].deps[j] = k;
        }
    }
    color = pd_xcalloc(n, 1);
    stack = pd_xcalloc(n, sizeof(size_t));
    for (i = 0; i < n && rc == 0; i++)
        if (color[i] == 0)
            rc = find_cycle(ld, arr, syncs, i, color, stack, 0);
    free(color);
    free(stack);
    return rc;
}

/* ---- the lists ---- */

/* A list setting from the file; see config_int.h. */
int pd_config_apply_list(loader *ld, const setting *s,
                         const pd_jsonc_value *v)
{
    pd_config *cfg = ld->cfg;
    pd_config_panel *panels = NULL;
    pd_config_sync *syncs = NULL;
    size_t i, n = v->count;
    int rc = 0;
    char g[64];

    if (v->type != PD_JSONC_ARRAY) {
        pd_config_got(v, g, sizeof(g));
        return pd_config_fail_at(ld, v, false, s->key, "must be an array of "
                                 "objects (got %s)", g);
    }
    if (s->type == T_PANELS) {
        panels = n > 0 ? pd_xcalloc(n, sizeof(*panels)) : NULL;
        for (i = 0; i < n && rc == 0; i++)
            rc = parse_panel(ld, v->items[i], i, &panels[i]);
        if (rc != 0) {
            free_panels(panels, n);
            return rc;
        }
        free_panels(cfg->panels, cfg->npanels);
        cfg->panels = panels;
        cfg->npanels = n;
    } else {
        syncs = n > 0 ? pd_xcalloc(n, sizeof(*syncs)) : NULL;
        for (i = 0; i < n && rc == 0; i++)
            rc = parse_sync(ld, v->items[i], i, &syncs[i]);
        if (rc == 0)
            rc = check_sync_graph(ld, v, syncs, n);
        if (rc != 0) {
            free_syncs(syncs, n);
            return rc;
        }
        free_syncs(cfg->syncs, cfg->nsyncs);
        cfg->syncs = syncs;
        cfg->nsyncs = n;
    }
    pd_config_set_origin(cfg, s, PD_CFG_FILE, v->line, v->col, NULL);
    return 0;
}
