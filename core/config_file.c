/* config_file.c: the config file: reading it, the document's shape (an
 * object of settings and sections of settings), its scalar keys, and the
 * value readers and messages the lists (config_sync.c) use as well.
 *
 * Every message names the file, the line and column of the offending
 * value or key, and the key's path: "config.json:3:12: pool.max: must be
 * an integer >= 1 and <= 10000 (got 0)". */
#include "core/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config_int.h"
#include "core/jsonc.h"
#include "core/xalloc.h"

/* Sets err at v and returns PD_EINVAL; see config_int.h. */
int pd_config_fail_at(loader *ld, const pd_jsonc_value *v, bool at_key,
                      const char *path, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = pd_xvasprintf(fmt, ap);
    va_end(ap);
    pd_error_set(ld->err, PD_ERR_USAGE, "%s:%d:%d: %s: %s", ld->name,
                 at_key ? v->key_line : v->line, at_key ? v->key_col : v->col,
                 path, msg);
    free(msg);
    return PD_EINVAL;
}

/* "(got 0)", "(got a string)": what a wrong value was; see config_int.h. */
void pd_config_got(const pd_jsonc_value *v, char *buf, size_t n)
{
    if (v->type == PD_JSONC_NUMBER && v->is_int)
        pd_config_pathf(buf, n, "%lld", (long long)v->integer);
    else if (v->type == PD_JSONC_NUMBER)
        pd_config_pathf(buf, n, "%g", v->number);
    else if (v->type == PD_JSONC_BOOL)
        pd_config_pathf(buf, n, "%s", v->boolean ? "true" : "false");
    else
        pd_config_pathf(buf, n, "%s", pd_jsonc_type_name(v->type));
}

/* Edit distance of two short names, for "did you mean". */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j;
    size_t row[64], prev, tmp;

    if (la >= 64 || lb >= 64)
        return SIZE_MAX;
    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        prev = row[0];
        row[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t best = prev + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            tmp = row[j];
            row[j] = best;
            prev = tmp;
        }
    }
    return row[lb];
}

/* Is name a key directly under prefix ("", "pool.", "syncs[].")? When it
 * is not, *near is set to the closest known sibling, or "". */
static bool known_child(const char *prefix, const char *name,
                        char *near, size_t nearsz)
{
    size_t i, plen = strlen(prefix);
    size_t best = strlen(name) >= 8 ? 4 : 3; /* suggest below this */
    const char *k;

    near[0] = '\0';
    for (i = 0; (k = pd_config_key_at(i)) != NULL; i++) {
        const char *child, *dot;
        size_t clen, d;
        char c[64];

        if (strncmp(k, prefix, plen) != 0)
            continue;
        child = k + plen;
        dot = strchr(child, '.');
        clen = dot != NULL ? (size_t)(dot - child) : strlen(child);
        if (clen == 0 || clen >= sizeof(c) || memchr(child, '[', clen))
            continue; /* "panels[]" is no name to write */
        if (strlen(name) == clen && strncmp(child, name, clen) == 0)
            return true;
        memcpy(c, child, clen);
        c[clen] = '\0';
        if ((d = distance(name, c)) < best) {
            best = d;
            pd_config_pathf(near, nearsz, "%s", c);
        }
    }
    return false;
}

/* Fails for each member of object o not known under prefix; see
 * config_int.h. */
int pd_config_check_members(loader *ld, const pd_jsonc_value *o,
                            const char *prefix, const char *path)
{
    size_t i;
    char near[64], full[256];

    for (i = 0; i < o->count; i++) {
        const pd_jsonc_value *m = o->items[i];

        if (known_child(prefix, m->key, near, sizeof(near)))
            continue;
        pd_config_pathf(full, sizeof(full), "%s%s%s", path,
                        *path ? "." : "", m->key);
        if (near[0] != '\0')
            return pd_config_fail_at(ld, m, true, full, "unknown key (did "
                                     "you mean \"%s\"?)", near);
        return pd_config_fail_at(ld, m, true, full, "unknown key");
    }
    return 0;
}

/* A non-empty string at v; see config_int.h. */
int pd_config_get_string(loader *ld, const pd_jsonc_value *v,
                         const char *path, char **out)
{
    char g[64];

    if (v->type != PD_JSONC_STRING || v->string[0] == '\0') {
        pd_config_got(v, g, sizeof(g));
        return pd_config_fail_at(ld, v, false, path, "must be a non-empty "
                                 "string (got %s)",
                                 v->type == PD_JSONC_STRING ? "\"\"" : g);
    }
    *out = pd_xstrdup(v->string);
    return 0;
}

/* A non-empty array of non-empty strings (or one string); see
 * config_int.h. */
int pd_config_get_strings(loader *ld, const pd_jsonc_value *v,
                          const char *path, bool one_ok, char ***out,
                          size_t *n)
{
    char g[64], p[256];
    size_t i;

    if (one_ok && v->type == PD_JSONC_STRING) {
        *out = pd_xcalloc(2, sizeof(char *));
        *n = 1;
        return pd_config_get_string(ld, v, path, &(*out)[0]);
    }
    if (v->type != PD_JSONC_ARRAY || v->count == 0) {
        pd_config_got(v, g, sizeof(g));
        return pd_config_fail_at(ld, v, false, path, "must be %sa non-empty "
                                 "array of strings (got %s)",
                                 one_ok ? "a string or " : "",
                                 v->type == PD_JSONC_ARRAY ? "[]" : g);
    }
    *out = pd_xcalloc(v->count + 1, sizeof(char *));
    *n = v->count;
    for (i = 0; i < v->count; i++) {
        pd_config_pathf(p, sizeof(p), "%s[%zu]", path, i);
        if (pd_config_get_string(ld, v->items[i], p, &(*out)[i]) != 0)
            return PD_EINVAL;
    }
    return 0;
}

/* An integer in [lo, hi] at v; see config_int.h. */
int pd_config_get_int(loader *ld, const pd_jsonc_value *v, const char *path,
                      long long lo, long long hi, long long *out)
{
    char g[64];

    if (v->type != PD_JSONC_NUMBER || !v->is_int || v->integer < lo ||
        v->integer > hi) {
        pd_config_got(v, g, sizeof(g));
        return pd_config_fail_at(ld, v, false, path, "must be an integer "
                                 ">= %lld and <= %lld (got %s)", lo, hi, g);
    }
    *out = v->integer;
    return 0;
}

/* Fails unless v is an object; see config_int.h. */
int pd_config_need_object(loader *ld, const pd_jsonc_value *v,
                          const char *path)
{
    char g[64];

    if (v->type == PD_JSONC_OBJECT)
        return 0;
    pd_config_got(v, g, sizeof(g));
    return pd_config_fail_at(ld, v, false, path, "must be an object (got %s)",
                             g);
}

/* A scalar setting from the file. */
static int apply_scalar(loader *ld, const setting *s, const pd_jsonc_value *v)
{
    char want[96], g[64], *str;
    bool is_str = v->type == PD_JSONC_STRING;
    long long n;

    switch (s->type) {
    case T_INT: case T_U32:
        if (pd_config_get_int(ld, v, s->key, s->lo, s->hi, &n) != 0)
            return PD_EINVAL;
        pd_config_store_number(ld->cfg, s, n);
        break;
    case T_BOOL:
        if (v->type != PD_JSONC_BOOL) {
            pd_config_got(v, g, sizeof(g));
            return pd_config_fail_at(ld, v, false, s->key, "must be true or "
                                     "false (got %s)", g);
        }
        *(bool *)pd_config_field(ld->cfg, s) = v->boolean;
        break;
    case T_LISTEN:
        if (!is_str ||
            (v->string[0] != '\0' && !pd_config_listen_ok(v->string))) {
            pd_config_describe(s, false, want, sizeof(want));
            pd_config_got(v, g, sizeof(g));
            return pd_config_fail_at(ld, v, false, s->key,
                                     "must be %s (got %s%s%s)", want,
                                     is_str ? "\"" : "",
                                     is_str ? v->string : g,
                                     is_str ? "\"" : "");
        }
        pd_config_set_str((char **)pd_config_field(ld->cfg, s),
                          v->string[0] != '\0' ? v->string : NULL);
        break;
    case T_STR:
        if (pd_config_get_string(ld, v, s->key, &str) != 0)
            return PD_EINVAL;
        free(*(char **)pd_config_field(ld->cfg, s));
        *(char **)pd_config_field(ld->cfg, s) = str;
        break;
    case T_PANELS: case T_SYNCS:
        return PD_EINVAL; /* not scalars */
    }
    pd_config_set_origin(ld->cfg, s, PD_CFG_FILE, v->line, v->col, NULL);
    return 0;
}

/* A section of scalars: "pool": { ... }. */
static int apply_section(loader *ld, const pd_jsonc_value *m)
{
    char prefix[64], key[128];
    size_t j;

    if (pd_config_need_object(ld, m, m->key) != 0)
        return PD_EINVAL;
    pd_config_pathf(prefix, sizeof(prefix), "%s.", m->key);
    if (pd_config_check_members(ld, m, prefix, m->key) != 0)
        return PD_EINVAL;
    for (j = 0; j < m->count; j++) {
        pd_config_pathf(key, sizeof(key), "%s%s", prefix, m->items[j]->key);
        if (apply_scalar(ld, pd_config_find_setting(key), m->items[j]) != 0)
            return PD_EINVAL;
    }
    return 0;
}

/* Where in the file the retry or breaker check should point: the last
 * key of the section given, else the section. */
static const pd_jsonc_value *section_last(const pd_jsonc_value *root,
                                          const char *section)
{
    const pd_jsonc_value *sec = pd_jsonc_member(root, section);

    if (sec == NULL || sec->count == 0)
        return sec != NULL ? sec : root;
    return sec->items[sec->count - 1];
}

/* The whole document: scalars (and their sections) first, so that the
 * lists see the final top-level retry, then the lists. */
static int apply_tree(loader *ld, const pd_jsonc_value *root)
{
    pd_error e = PD_ERROR_INIT;
    size_t i, pass;
    char g[64];

    if (root->type != PD_JSONC_OBJECT) {
        pd_config_got(root, g, sizeof(g));
        return pd_config_fail_at(ld, root, false, "(top level)", "must be "
                                 "an object (got %s)", g);
    }
    if (pd_config_check_members(ld, root, "", "") != 0)
        return PD_EINVAL;
    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < root->count; i++) {
            const pd_jsonc_value *m = root->items[i];
            const setting *s = pd_config_find_setting(m->key);
            bool list = s != NULL && (s->type == T_PANELS ||
                                      s->type == T_SYNCS);
            int rc;

            if (list != (pass == 1))
                continue; /* a section is no list: pass 0 */
            if (s == NULL)
                rc = apply_section(ld, m);
            else if (list)
                rc = pd_config_apply_list(ld, s, m);
            else
                rc = apply_scalar(ld, s, m);
            if (rc != 0)
                return PD_EINVAL;
        }
        if (pass == 0 && pd_retry_policy_check(&ld->cfg->retry, &e) != 0) {
            (void)pd_config_fail_at(ld, section_last(root, "retry"), false,
                                    "retry", "%s", e.message);
            pd_error_clear(&e);
            return PD_EINVAL;
        }
        if (pass == 0 && pd_breaker_opts_check(&ld->cfg->breaker, &e) != 0) {
            (void)pd_config_fail_at(ld, section_last(root, "breaker"), false,
                                    "breaker", "%s", e.message);
            pd_error_clear(&e);
            return PD_EINVAL;
        }
    }
    return 0;
}

/* Applies a parsed document (root borrowed; NULL: an empty one) read from
 * the file name (NULL: "<config>" and the current directory). */
static int apply_root(pd_config *cfg, const pd_jsonc_value *root,
                      const char *name, pd_error *err)
{
    loader ld;
    const char *slash;
    int rc;

    memset(&ld, 0, sizeof(ld));
    ld.cfg = cfg;
    ld.name = name != NULL ? name : "<config>";
    ld.err = err;
    if (name != NULL && (slash = strrchr(name, '/')) != NULL)
        ld.dir = pd_xstrndup(name, (size_t)(slash - name) + 1);
    rc = root != NULL ? apply_tree(&ld, root) : 0;
    if (rc == 0 && name != NULL)
        pd_config_set_str(&cfg->config_file, name);
    free(ld.dir);
    return rc;
}

/* Applies a document; see config.h. */
int pd_config_load_text(pd_config *cfg, const char *text, size_t len,
                        const char *name, pd_error *err)
{
    pd_jsonc_value *root = NULL;
    int rc;

    rc = pd_jsonc_parse(text, len, name != NULL ? name : "<config>",
                        PD_JSONC_ALLOW_EMPTY, &root, err);
    if (rc == 0)
        rc = apply_root(cfg, root, name, err);
    pd_jsonc_free(root);
    return rc;
}

/* Returns-owned default path of the file, or NULL; see config.h. */
char *pd_config_default_path(void)
{
    const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

    if (x != NULL && x[0] == '/')
        return pd_xasprintf("%s/pgdeck/config.json", x);
    if (home != NULL && home[0] != '\0')
        return pd_xasprintf("%s/.config/pgdeck/config.json", home);
    return NULL;
}

/* Reads and applies the file; see config.h. */
int pd_config_load(pd_config *cfg, const char *path, pd_error *err)
{
    pd_jsonc_value *root = NULL;
    char *def = NULL;
    int rc;

    if (path == NULL) {
        def = pd_config_default_path();
        /* No file at the default path is fine. */
        if (def == NULL || (access(def, F_OK) != 0 && errno == ENOENT)) {
            free(def);
            return 0;
        }
        path = def;
    }
    rc = pd_jsonc_parse_file(path, PD_JSONC_ALLOW_EMPTY, &root, err);
    if (rc == 0)
        rc = apply_root(cfg, root, path, err);
    pd_jsonc_free(root);
    free(def);
    return rc;
}
