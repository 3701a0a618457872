/* sync_load.c: JSON array of objects -> rows -> batched upserts. */
#include "core/sync_load.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonc.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#define MAX_PARAMS 65535
#define MAX_BATCH_ROWS 1000

void pd_sync_load_free(pd_sync_rows *rows)
{
    size_t i;
    int c;

    if (rows == NULL)
        return;
    for (c = 0; c < rows->ncols; c++)
        free(rows->cols[c]);
    free(rows->cols);
    for (i = 0; i < rows->nrows * (size_t)rows->ncols; i++)
        free(rows->values[i]);
    free(rows->values);
    free(rows);
}

/* The number as written in the source: JSON's grammar, from its offset. */
static char *number_text(const char *text, size_t len, size_t off)
{
    size_t end = off;

    while (end < len && strchr("+-0123456789.eE", text[end]) != NULL)
        end++;
    return pd_xstrndup(text + off, end - off);
}

static void put_json_string(pd_strbuf *sb, const char *s)
{
    pd_strbuf_putc(sb, '"');
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            pd_strbuf_putc(sb, '\\');
            pd_strbuf_putc(sb, (char)c);
        } else if (c < 0x20) {
            pd_strbuf_printf(sb, "\\u%04x", c);
        } else {
            pd_strbuf_putc(sb, (char)c);
        }
    }
    pd_strbuf_putc(sb, '"');
}

/* Writes v back as compact JSON (numbers as written). */
static void put_json(pd_strbuf *sb, const pd_jsonc_value *v,
                     const char *text, size_t len)
{
    size_t i;
    char *n;

    switch (v->type) {
    case PD_JSONC_NULL:
        pd_strbuf_puts(sb, "null");
        break;
    case PD_JSONC_BOOL:
        pd_strbuf_puts(sb, v->boolean ? "true" : "false");
        break;
    case PD_JSONC_NUMBER:
        n = number_text(text, len, v->offset);
        pd_strbuf_puts(sb, n);
        free(n);
        break;
    case PD_JSONC_STRING:
        put_json_string(sb, v->string);
        break;
    case PD_JSONC_ARRAY:
    case PD_JSONC_OBJECT:
        pd_strbuf_putc(sb, v->type == PD_JSONC_ARRAY ? '[' : '{');
        for (i = 0; i < v->count; i++) {
            if (i > 0)
                pd_strbuf_putc(sb, ',');
            if (v->type == PD_JSONC_OBJECT) {
                put_json_string(sb, v->items[i]->key);
                pd_strbuf_putc(sb, ':');
            }
            put_json(sb, v->items[i], text, len);
        }
        pd_strbuf_putc(sb, v->type == PD_JSONC_ARRAY ? ']' : '}');
        break;
    }
}

/* The text PostgreSQL casts from, or NULL for JSON null. */
static char *value_text(const pd_jsonc_value *v, const char *text, size_t len)
{
    pd_strbuf sb = PD_STRBUF_INIT;

    switch (v->type) {
    case PD_JSONC_NULL:
        return NULL;
    case PD_JSONC_STRING:
        return pd_xstrdup(v->string);
    case PD_JSONC_NUMBER:
        return number_text(text, len, v->offset);
    case PD_JSONC_BOOL:
        return pd_xstrdup(v->boolean ? "true" : "false");
    default:
        put_json(&sb, v, text, len);
        return pd_strbuf_steal(&sb);
    }
}

static int col_index(const pd_sync_rows *r, const char *name)
{
    int c;

    for (c = 0; c < r->ncols; c++)
        if (strcmp(r->cols[c], name) == 0)
            return c;
    return -1;
}

/* Collects the union of the objects' keys, checking shapes on the way. */
static int collect_columns(pd_sync_rows *r, const pd_jsonc_value *root,
                           const char *origin, const char *const *key,
                           int nkey, pd_error *err)
{
    size_t i, j;
    int k;

    for (i = 0; i < root->count; i++) {
        const pd_jsonc_value *o = root->items[i];
        if (o->type != PD_JSONC_OBJECT) {
            pd_error_set(err, PD_ERR_USAGE,
                         "%s:%d:%d: element %zu is %s, not an object", origin,
                         o->line, o->col, i + 1, pd_jsonc_type_name(o->type));
            return PD_EINVAL;
        }
        for (k = 0; k < nkey; k++) {
            const pd_jsonc_value *kv = pd_jsonc_member(o, key[k]);
            if (kv == NULL || kv->type == PD_JSONC_NULL) {
                pd_error_set(err, PD_ERR_USAGE,
                             "%s:%d:%d: element %zu: %s key column \"%s\"",
                             origin, o->line, o->col, i + 1,
                             kv == NULL ? "missing" : "null in", key[k]);
                return PD_EINVAL;
            }
        }
        for (j = 0; j < o->count; j++) {
            if (col_index(r, o->items[j]->key) >= 0)
                continue;
            r->cols = pd_xrealloc(r->cols,
                                  (size_t)(r->ncols + 1) * sizeof(char *));
            r->cols[r->ncols++] = pd_xstrdup(o->items[j]->key);
        }
    }
    return 0;
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    while (*s != '\0') {
        h ^= (unsigned char)*s++;
        h *= 1099511628211ULL;
    }
    return h;
}

/* A key repeated in the input would make ON CONFLICT DO UPDATE touch a row
 * twice in one statement, which PostgreSQL refuses: say so up front,
 * naming both elements. */
static int check_unique_keys(const pd_sync_rows *r, const pd_jsonc_value *root,
                             const char *origin, const char *const *key,
                             int nkey, pd_error *err)
{
    size_t nslots = 16, i, *slots;
    char **joined = pd_xcalloc(r->nrows + 1, sizeof(char *));
    int k, rc = 0;

    while (nslots < r->nrows * 2)
        nslots *= 2;
    slots = pd_xcalloc(nslots, sizeof(size_t)); /* row index + 1, 0 free */
    for (i = 0; i < r->nrows && rc == 0; i++) {
        pd_strbuf sb = PD_STRBUF_INIT;
        size_t h;
        for (k = 0; k < nkey; k++) {
            int c = col_index(r, key[k]);
            pd_strbuf_puts(&sb, r->values[i * (size_t)r->ncols + (size_t)c]);
            pd_strbuf_putc(&sb, '\x1f');
        }
        joined[i] = pd_strbuf_steal(&sb);
        for (h = hash_str(joined[i]) & (nslots - 1); slots[h] != 0;
             h = (h + 1) & (nslots - 1)) {
            if (strcmp(joined[slots[h] - 1], joined[i]) == 0) {
                const pd_jsonc_value *o = root->items[i];
                pd_error_set(err, PD_ERR_USAGE,
                             "%s:%d:%d: element %zu repeats the key of "
                             "element %zu", origin, o->line, o->col, i + 1,
                             slots[h]);
                rc = PD_EINVAL;
                break;
            }
        }
        if (rc == 0)
            slots[h] = i + 1;
    }
    for (i = 0; i < r->nrows; i++)
        free(joined[i]);
    free(joined);
    free(slots);
    return rc;
}

/* Parses; see sync_load.h. */
int pd_sync_load_parse(const char *text, size_t len, const char *origin,
                       const char *const *key, int nkey, pd_sync_rows **out,
                       pd_error *err)
{
    pd_jsonc_value *root = NULL;
    pd_sync_rows *r = NULL;
    size_t i, j;
    int rc;

    *out = NULL;
    if ((rc = pd_jsonc_parse(text, len, origin, 0, &root, err)) != 0)
        return rc;
    if (root->type != PD_JSONC_ARRAY) {
        pd_error_set(err, PD_ERR_USAGE,
                     "%s:%d:%d: expected an array of objects, found %s",
                     origin, root->line, root->col,
                     pd_jsonc_type_name(root->type));
        rc = PD_EINVAL;
        goto fail;
    }
    r = pd_xcalloc(1, sizeof(*r));
    if ((rc = collect_columns(r, root, origin, key, nkey, err)) != 0)
        goto fail;
    r->nrows = root->count;
    if (r->nrows > 0 && r->ncols > 0)
        r->values = pd_xcalloc(r->nrows * (size_t)r->ncols, sizeof(char *));
    for (i = 0; i < root->count; i++) {
        const pd_jsonc_value *o = root->items[i];
        for (j = 0; j < o->count; j++)
            r->values[i * (size_t)r->ncols +
                      (size_t)col_index(r, o->items[j]->key)] =
                value_text(o->items[j], text, len);
    }
    if (nkey > 0 &&
        (rc = check_unique_keys(r, root, origin, key, nkey, err)) != 0)
        goto fail;
    pd_jsonc_free(root);
    *out = r;
    return 0;

fail:
    pd_jsonc_free(root);
    pd_sync_load_free(r);
    return rc;
}

/* Appends name as a quoted identifier; "schema.table" becomes two. */
static void put_ident(pd_strbuf *sb, const char *name, bool split_dots)
{
    const char *p;

    pd_strbuf_putc(sb, '"');
    for (p = name; *p != '\0'; p++) {
        if (*p == '"')
            pd_strbuf_putc(sb, '"');
        if (split_dots && *p == '.') {
            pd_strbuf_puts(sb, "\".\"");
            continue;
        }
        pd_strbuf_putc(sb, *p);
    }
    pd_strbuf_putc(sb, '"');
}

static bool is_key(const char *col, const char *const *key, int nkey)
{
    int k;

    for (k = 0; k < nkey; k++)
        if (strcmp(col, key[k]) == 0)
            return true;
    return false;
}

/* Returns-owned upsert SQL; see sync_load.h. */
char *pd_sync_load_sql(const pd_sync_rows *rows, const char *table,
                       const char *const *key, int nkey, size_t nrows)
{
    pd_strbuf sb = PD_STRBUF_INIT;
    size_t i, p = 1;
    int c, k, set = 0;

    pd_strbuf_puts(&sb, "INSERT INTO ");
    put_ident(&sb, table, true);
    pd_strbuf_puts(&sb, " (");
    for (c = 0; c < rows->ncols; c++) {
        if (c > 0)
            pd_strbuf_puts(&sb, ", ");
        put_ident(&sb, rows->cols[c], false);
    }
    pd_strbuf_puts(&sb, ") VALUES ");
    for (i = 0; i < nrows; i++) {
        pd_strbuf_puts(&sb, i > 0 ? ", (" : "(");
        for (c = 0; c < rows->ncols; c++)
            pd_strbuf_printf(&sb, c > 0 ? ", $%zu" : "$%zu", p++);
        pd_strbuf_putc(&sb, ')');
    }
    pd_strbuf_puts(&sb, " ON CONFLICT (");
    for (k = 0; k < nkey; k++) {
        if (k > 0)
            pd_strbuf_puts(&sb, ", ");
        put_ident(&sb, key[k], false);
    }
    pd_strbuf_puts(&sb, ") DO ");
    for (c = 0; c < rows->ncols; c++) {
        if (is_key(rows->cols[c], key, nkey))
            continue;
        pd_strbuf_puts(&sb, set++ == 0 ? "UPDATE SET " : ", ");
        put_ident(&sb, rows->cols[c], false);
        pd_strbuf_puts(&sb, " = EXCLUDED.");
        put_ident(&sb, rows->cols[c], false);
    }
    if (set == 0)
        pd_strbuf_puts(&sb, "NOTHING");
    return pd_strbuf_steal(&sb);
}

size_t pd_sync_load_batch_rows(const pd_sync_rows *rows)
{
    size_t per = rows->ncols > 0 ? MAX_PARAMS / (size_t)rows->ncols : 1;

    return per < MAX_BATCH_ROWS ? (per > 0 ? per : 1) : MAX_BATCH_ROWS;
}
