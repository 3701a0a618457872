/* conninfo.c: connection parameters, settled before any connect. */
#include "core/conninfo.h"

#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "core/strbuf.h"
#include "core/xalloc.h"

struct pd_conninfo {
    int n;        /* keywords in use */
    int cap;      /* slots allocated (one more for the NULL end) */
    char **keys;  /* owned keywords, NULL-terminated */
    char **vals;  /* owned values, NULL-terminated */
};

static bool looks_like_conninfo(const char *s)
{
    return strncmp(s, "postgresql://", 13) == 0 ||
           strncmp(s, "postgres://", 11) == 0 || strchr(s, '=') != NULL;
}

/* Overlays the options that have a value (borrowed opts). */
static void overlay(pd_conninfo *ci, const PQconninfoOption *opts)
{
    const PQconninfoOption *o;

    for (o = opts; o->keyword != NULL; o++)
        if (o->val != NULL && o->val[0] != '\0')
            pd_conninfo_set(ci, o->keyword, o->val);
}

/* Returns-owned parameters: libpq's defaults and PG* environment, then the
 * dsn on top. libpq does the parsing; it reads only the environment and
 * local files (service file), never the network. */
pd_conninfo *pd_conninfo_new(const char *dsn, pd_error *err)
{
    pd_conninfo *ci = pd_xcalloc(1, sizeof(*ci));
    PQconninfoOption *defs = NULL, *parsed = NULL;
    char *msg = NULL, *masked;

    defs = PQconndefaults();
    if (defs == NULL) {
        pd_error_set(err, PD_ERR_USAGE, "cannot read connection defaults");
        goto fail;
    }
    overlay(ci, defs);
    if (dsn != NULL && *dsn != '\0') {
        if (looks_like_conninfo(dsn)) {
            parsed = PQconninfoParse(dsn, &msg);
            if (parsed == NULL) {
                size_t n = msg != NULL ? strlen(msg) : 0;
                while (n > 0 && msg[n - 1] == '\n')
                    msg[--n] = '\0';
                /* libpq quotes the input back, password and all. */
                masked = pd_conninfo_mask(msg != NULL ? msg : "out of memory");
                pd_error_set(err, PD_ERR_USAGE,
                             "invalid connection string: %s", masked);
                free(masked);
                goto fail;
            }
            overlay(ci, parsed);
        } else {
            pd_conninfo_set(ci, "dbname", dsn);
        }
    }
    PQconninfoFree(defs);
    PQconninfoFree(parsed);
    return ci;

fail:
    PQfreemem(msg);
    PQconninfoFree(defs);
    PQconninfoFree(parsed);
    pd_conninfo_free(ci);
    return NULL;
}

pd_conninfo *pd_conninfo_dup(const pd_conninfo *ci)
{
    pd_conninfo *d = pd_xcalloc(1, sizeof(*d));
    int i;

    for (i = 0; i < ci->n; i++)
        pd_conninfo_set(d, ci->keys[i], ci->vals[i]);
    return d;
}

void pd_conninfo_free(pd_conninfo *ci)
{
    int i;

    if (ci == NULL)
        return;
    for (i = 0; i < ci->n; i++) {
        free(ci->keys[i]);
        free(ci->vals[i]);
    }
    free(ci->keys);
    free(ci->vals);
    free(ci);
}

static int find(const pd_conninfo *ci, const char *keyword)
{
    int i;

    for (i = 0; i < ci->n; i++)
        if (strcmp(ci->keys[i], keyword) == 0)
            return i;
    return -1;
}

/* Sets (copies) or, with value NULL, removes keyword. */
void pd_conninfo_set(pd_conninfo *ci, const char *keyword, const char *value)
{
    int i = find(ci, keyword);

    if (value == NULL) {
        if (i < 0)
            return;
        free(ci->keys[i]);
        free(ci->vals[i]);
        ci->n--;
        ci->keys[i] = ci->keys[ci->n];
        ci->vals[i] = ci->vals[ci->n];
        ci->keys[ci->n] = ci->vals[ci->n] = NULL;
        return;
    }
    if (i >= 0) {
        free(ci->vals[i]);
        ci->vals[i] = pd_xstrdup(value);
        return;
    }
    if (ci->n + 1 >= ci->cap) {
        ci->cap = ci->cap ? ci->cap * 2 : 16;
        ci->keys = pd_xrealloc(ci->keys, (size_t)ci->cap * sizeof(char *));
        ci->vals = pd_xrealloc(ci->vals, (size_t)ci->cap * sizeof(char *));
    }
    ci->keys[ci->n] = pd_xstrdup(keyword);
    ci->vals[ci->n] = pd_xstrdup(value);
    ci->n++;
    ci->keys[ci->n] = ci->vals[ci->n] = NULL;
}

const char *pd_conninfo_get(const pd_conninfo *ci, const char *keyword)
{
    int i = find(ci, keyword);

    return i >= 0 ? ci->vals[i] : NULL;
}

static const char *const empty_list[] = {NULL};

const char *const *pd_conninfo_keywords(const pd_conninfo *ci)
{
    return ci->keys != NULL ? (const char *const *)ci->keys : empty_list;
}

const char *const *pd_conninfo_values(const pd_conninfo *ci)
{
    return ci->vals != NULL ? (const char *const *)ci->vals : empty_list;
}

/* As libpq decides: dbname, else the user name. */
const char *pd_conninfo_dbname(const pd_conninfo *ci)
{
    const char *s = pd_conninfo_get(ci, "dbname");

    if (s == NULL)
        s = pd_conninfo_get(ci, "user");
    return s != NULL ? s : "postgres";
}

/* Returns-owned "dbname=... user=... host=... port=...", no password. */
char *pd_conninfo_describe(const pd_conninfo *ci)
{
    static const char *const shown[] = {"dbname", "user", "host", "hostaddr",
                                        "port"};
    pd_strbuf sb = PD_STRBUF_INIT;
    size_t i;

    for (i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
        const char *v = pd_conninfo_get(ci, shown[i]);
        if (v == NULL)
            continue;
        if (sb.len > 0)
            pd_strbuf_putc(&sb, ' ');
        pd_strbuf_printf(&sb, "%s=%s", shown[i], v);
    }
    return pd_strbuf_steal(&sb);
}

/* Returns-owned copy of s with passwords masked: the ":secret@" of a URI's
 * user info, a "password=..." conninfo pair, and a "password=" URI query
 * parameter. */
char *pd_conninfo_mask(const char *s)
{
    pd_strbuf sb = PD_STRBUF_INIT;
    const char *p = s, *scheme = strstr(s, "://");

    if (scheme != NULL) {
        const char *auth = scheme + 3;
        const char *end = auth + strcspn(auth, "/?");
        const char *at = NULL, *q;
        for (q = auth; q < end; q++)
            if (*q == '@')
                at = q;
        if (at != NULL) {
            const char *colon = memchr(auth, ':', (size_t)(at - auth));
            if (colon != NULL) {
                pd_strbuf_append(&sb, s, (size_t)(colon - s) + 1);
                pd_strbuf_puts(&sb, "********");
                p = at;
            }
        }
    }
    while (*p != '\0') {
        const char *hit = strstr(p, "password=");
        if (hit == NULL) {
            pd_strbuf_puts(&sb, p);
            break;
        }
        hit += strlen("password=");
        pd_strbuf_append(&sb, p, (size_t)(hit - p));
        pd_strbuf_puts(&sb, "********");
        if (*hit == '\'') { /* quoted conninfo value */
            hit++;
            while (*hit != '\0' && *hit != '\'')
                hit += (*hit == '\\' && hit[1] != '\0') ? 2 : 1;
            if (*hit == '\'')
                hit++;
        } else {
            hit += strcspn(hit, " &");
        }
        p = hit;
    }
    return pd_strbuf_steal(&sb);
}
