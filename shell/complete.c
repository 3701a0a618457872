/* complete.c: tab completion from a catalog cache (see complete.h).
 *
 * The cache is five sorted-by-arrival string lists filled by one UNION
 * query; each completion walks the statement's tokens (core/sqllex) to
 * find the context: the word before the cursor, the tables the statement
 * names and their aliases. Candidates are matched case-insensitively;
 * keywords come back in the case the user is typing (psql's
 * COMP_KEYWORD_CASE preserve-upper). */
#include "shell/complete.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <readline/readline.h>

#include "core/query.h"
#include "core/sqllex.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "shell/commands.h"

/* A growable list of owned strings. */
typedef struct strlist {
    char **v;
    size_t n, cap;
} strlist;

/* A relation: name, schema, and whether the search path sees it. */
typedef struct rel {
    char *name, *schema;
    bool visible;
    char kind;              /* pg_class.relkind */
} rel;

/* A column and its relation's name. */
typedef struct col {
    char *name, *relname;
} col;

struct sh_complete {
    pd_core *core;          /* borrowed */
    sh_session *s;          /* borrowed */
    strlist keywords, schemas, funcs;
    rel *rels;              /* owned */
    size_t nrels, caprels;
    col *cols;              /* owned */
    size_t ncols, capcols;
    bool loading;           /* the catalog query is in flight */
    bool dead;              /* freed while loading: the callback frees */
    sh_complete_pending_fn pending;
    void *pending_ctx;
    /* the completion in progress (readline's generator has no context) */
    char **cands;           /* owned, NULL-terminated */
    size_t next;
};

/* Readline's hooks take no context; the installed completer. */
static sh_complete *installed;

/* Words after which psql lists relations. */
static const char *const rel_words[] = {
    "from", "join", "into", "update", "table", "truncate", "only",
};

/* Words that end a FROM list or follow a table instead of an alias. */
static const char *const clause_words[] = {
    "where", "on", "join", "inner", "left", "right", "full", "cross",
    "natural", "group", "order", "limit", "offset", "having", "using",
    "set", "values", "select", "union", "intersect", "except", "as",
    "lateral", "returning", "window", "for", "fetch", "outer", "default",
};

static void list_add(strlist *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = pd_xrealloc(l->v, l->cap * sizeof(char *));
    }
    l->v[l->n++] = pd_xstrdup(s);
}

static void list_free(strlist *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static void cache_free(sh_complete *c)
{
    size_t i;

    list_free(&c->keywords);
    list_free(&c->schemas);
    list_free(&c->funcs);
    for (i = 0; i < c->nrels; i++) {
        free(c->rels[i].name);
        free(c->rels[i].schema);
    }
    free(c->rels);
    for (i = 0; i < c->ncols; i++) {
        free(c->cols[i].name);
        free(c->cols[i].relname);
    }
    free(c->cols);
    c->rels = NULL;
    c->cols = NULL;
    c->nrels = c->ncols = c->caprels = c->capcols = 0;
}

static void free_cands(sh_complete *c)
{
    size_t i;

    if (c->cands == NULL)
        return;
    for (i = 0; c->cands[i] != NULL; i++)
        free(c->cands[i]);
    free(c->cands);
    c->cands = NULL;
}

static void really_free(sh_complete *c)
{
    cache_free(c);
    free_cands(c);
    free(c);
}

/* kind, name, parent (schema of a relation, relation of a column), and a
 * relation's relkind. Indexes are there for \d and \di only. */
static const char catalog_sql[] =
    "SELECT 'k', word, NULL, NULL::text "
    "  FROM pg_catalog.pg_get_keywords() "
    "UNION ALL "
    "SELECT 's', nspname, NULL, NULL FROM pg_catalog.pg_namespace "
    " WHERE nspname !~ '^pg_(toast|temp)' "
    "UNION ALL "
    "SELECT CASE WHEN pg_catalog.pg_table_is_visible(c.oid) THEN 'r' "
    "       ELSE 'R' END, c.relname, n.nspname, c.relkind::text "
    "  FROM pg_catalog.pg_class c "
    "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S', 'i', 'I') "
    "   AND n.nspname !~ '^pg_(toast|temp)' "
    "UNION ALL "
    "SELECT 'c', a.attname, c.relname, NULL "
    "  FROM pg_catalog.pg_attribute a "
    "  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
    "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    " WHERE a.attnum > 0 AND NOT a.attisdropped "
    "   AND c.relkind IN ('r', 'p', 'v', 'm', 'f') "
    "   AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "   AND n.nspname !~ '^pg_(toast|temp)' "
    "UNION ALL "
    "SELECT DISTINCT 'f', p.proname::text, NULL, NULL "
    "  FROM pg_catalog.pg_proc p "
    " WHERE pg_catalog.pg_function_is_visible(p.oid)";

static void on_catalog(pd_result *res, const pd_error *err, void *ctx)
{
    sh_complete *c = ctx;
    size_t i, n;

    c->loading = false;
    if (c->dead) {
        pd_result_free(res);
        really_free(c);
        return;
    }
    if (err != NULL || res == NULL) { /* no cache: commands and files */
        pd_result_free(res);
        return;
    }
    n = pd_result_nrows(res);
    for (i = 0; i < n; i++) {
        const char *k = pd_result_value(res, i, 0);
        const char *name = pd_result_value(res, i, 1);
        const char *parent = pd_result_value(res, i, 2);
        const char *relkind = pd_result_value(res, i, 3);

        if (k == NULL || name == NULL)
            continue;
        switch (k[0]) {
        case 'k':
            list_add(&c->keywords, name);
            break;
        case 's':
            list_add(&c->schemas, name);
            break;
        case 'f':
            list_add(&c->funcs, name);
            break;
        case 'r':
        case 'R':
            if (c->nrels == c->caprels) {
                c->caprels = c->caprels ? c->caprels * 2 : 128;
                c->rels = pd_xrealloc(c->rels, c->caprels * sizeof(rel));
            }
            c->rels[c->nrels].name = pd_xstrdup(name);
            c->rels[c->nrels].schema = pd_xstrdup(parent ? parent : "");
            c->rels[c->nrels].kind = relkind != NULL ? relkind[0] : 'r';
            c->rels[c->nrels++].visible = k[0] == 'r';
            break;
        case 'c':
            if (c->ncols == c->capcols) {
                c->capcols = c->capcols ? c->capcols * 2 : 256;
                c->cols = pd_xrealloc(c->cols, c->capcols * sizeof(col));
            }
            c->cols[c->ncols].name = pd_xstrdup(name);
            c->cols[c->ncols++].relname = pd_xstrdup(parent ? parent : "");
            break;
        default:
            break;
        }
    }
    pd_result_free(res);
}

/* Returns-owned completer; see complete.h. */
sh_complete *sh_complete_new(pd_core *core, sh_session *s)
{
    sh_complete *c = pd_xcalloc(1, sizeof(*c));
    pd_query_opts o = {.source = "shell:complete",
                       .flags = PD_QUERY_READ_ONLY | PD_QUERY_NO_PREPARE};

    c->core = core;
    c->s = s;
    if (pd_query_fetch(pd_core_pool(core), catalog_sql, 0, NULL, &o,
                       on_catalog, c) == 0)
        c->loading = true;
    return c;
}

size_t sh_complete_nrelations(const sh_complete *c)
{
    return c->nrels;
}

/* ---- context ---- */

static bool in_words(const char *w, size_t n, const char *const *words,
                     size_t count)
{
    size_t i;

    for (i = 0; i < count; i++)
        if (strlen(words[i]) == n && strncasecmp(words[i], w, n) == 0)
            return true;
    return false;
}

/* A table the statement names, and its alias. */
typedef struct named {
    char name[128], alias[128];
} named;

static void copy_word(char *dst, size_t cap, const char *src, size_t n)
{
    size_t i, j = 0;
    bool quoted = n >= 2 && src[0] == '"';

    for (i = quoted ? 1 : 0; i < (quoted ? n - 1 : n) && j + 1 < cap; i++)
        dst[j++] = quoted ? src[i] : (char)tolower((unsigned char)src[i]);
    dst[j] = '\0';
}

/* Finds the tables named after FROM/JOIN/UPDATE/INTO in text, with their
 * aliases ("FROM s.markets m, t AS u"). Returns how many (at most max). */
static size_t named_tables(const char *text, named *out, size_t max)
{
    size_t len = strlen(text), pos = 0, n = 0;
    pd_sqltok t;
    /* 0 elsewhere, 1 a table may come, 2 after a table, 3 after "schema.",
     * 4 after an alias */
    int state = 0;

    while (pd_sqllex_next(text, len, pos, &t) && n < max) {
        const char *w = text + t.start;
        bool ident = t.kind == PD_SQLTOK_IDENT;
        bool name = t.kind == PD_SQLTOK_QIDENT ||
                    (ident && !in_words(w, t.len, clause_words,
                                        sizeof(clause_words) / sizeof(char *)));

        pos += t.len;
        if (t.kind == PD_SQLTOK_SPACE || t.kind == PD_SQLTOK_LINE_COMMENT ||
            t.kind == PD_SQLTOK_BLOCK_COMMENT)
            continue;
        if (ident && in_words(w, t.len, rel_words,
                              sizeof(rel_words) / sizeof(char *))) {
            state = 1;
        } else if (state == 1 && name) {
            copy_word(out[n].name, sizeof(out[n].name), w, t.len);
            out[n++].alias[0] = '\0';
            state = 2;
        } else if (state == 2 && t.kind == PD_SQLTOK_OP && *w == '.') {
            state = 3;
        } else if (state == 3 && (ident || t.kind == PD_SQLTOK_QIDENT)) {
            copy_word(out[n - 1].name, sizeof(out[n - 1].name), w, t.len);
            state = 2;
        } else if (state == 2 && ident && t.len == 2 &&
                   strncasecmp(w, "as", 2) == 0) {
            continue;
        } else if (state == 2 && name) {
            copy_word(out[n - 1].alias, sizeof(out[n - 1].alias), w, t.len);
            state = 4;
        } else if ((state == 2 || state == 4) && t.kind == PD_SQLTOK_OP &&
                   *w == ',') {
            state = 1;
        } else {
            state = 0;
        }
    }
    return n;
}

/* The last word before the cursor (skipping blanks and comments):
 * copied lower-cased into buf, or "" when the last token is no word;
 * *punct gets the last token's first char when it is punctuation. */
static void last_word(const char *text, char *buf, size_t cap, char *punct)
{
    size_t len = strlen(text), pos = 0;
    pd_sqltok t, last = {0};
    bool have = false;

    while (pd_sqllex_next(text, len, pos, &t)) {
        pos += t.len;
        if (t.kind == PD_SQLTOK_SPACE || t.kind == PD_SQLTOK_LINE_COMMENT ||
            t.kind == PD_SQLTOK_BLOCK_COMMENT)
            continue;
        last = t;
        have = true;
    }
    buf[0] = '\0';
    *punct = '\0';
    if (!have)
        return;
    if (last.kind == PD_SQLTOK_IDENT)
        copy_word(buf, cap, text + last.start, last.len);
    else if (last.kind == PD_SQLTOK_OP || last.kind == PD_SQLTOK_LPAREN ||
             last.kind == PD_SQLTOK_SEMI)
        *punct = text[last.start];
}

/* ---- candidates ---- */

typedef struct cand_list {
    char **v;
    size_t n, cap;
} cand_list;

static void cand_add(cand_list *l, char *owned)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        if (strcmp(l->v[i], owned) == 0) {
            free(owned);
            return;
        }
    }
    if (l->n + 1 >= l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->v = pd_xrealloc(l->v, l->cap * sizeof(char *));
    }
    l->v[l->n++] = owned;
    l->v[l->n] = NULL;
}

static bool prefix_ci(const char *s, const char *prefix, size_t n)
{
    return strncasecmp(s, prefix, n) == 0;
}

/* Keywords in the case being typed: lower when the word holds a lower
 * case letter, else upper. */
static void add_keywords(sh_complete *c, cand_list *l, const char *text)
{
    size_t n = strlen(text), i, k;
    bool lower = false;

    for (i = 0; i < n; i++)
        if (islower((unsigned char)text[i]))
            lower = true;
    for (i = 0; i < c->keywords.n; i++) {
        char *w;
        if (!prefix_ci(c->keywords.v[i], text, n))
            continue;
        w = pd_xstrdup(c->keywords.v[i]);
        for (k = 0; w[k]; k++)
            w[k] = (char)(lower ? tolower((unsigned char)w[k])
                                : toupper((unsigned char)w[k]));
        cand_add(l, w);
    }
}

static bool system_schema(const char *schema)
{
    return strcmp(schema, "pg_catalog") == 0 ||
           strcmp(schema, "information_schema") == 0;
}

/* The relkinds a statement's relation may be: no indexes. */
#define ANY_RELATION "rpvmfS"

/* Relations whose relkind is in kinds: visible ones by name (system ones
 * only when the word starts with "pg_"), others as schema.name; schemas
 * with a dot. */
static void add_relations(sh_complete *c, cand_list *l, const char *text,
                          const char *kinds)
{
    size_t n = strlen(text), i;
    const char *dot = strchr(text, '.');

    if (dot != NULL) {
        size_t sl = (size_t)(dot - text);
        for (i = 0; i < c->nrels; i++) {
            const rel *r = &c->rels[i];
            if (strchr(kinds, r->kind) == NULL)
                continue;
            if (strlen(r->schema) == sl && strncmp(r->schema, text, sl) == 0 &&
                prefix_ci(r->name, dot + 1, strlen(dot + 1)))
                cand_add(l, pd_xasprintf("%s.%s", r->schema, r->name));
        }
        return;
    }
    for (i = 0; i < c->nrels; i++) {
        const rel *r = &c->rels[i];
        if (!r->visible || !prefix_ci(r->name, text, n) ||
            strchr(kinds, r->kind) == NULL)
            continue;
        /* psql offers system relations only for a "pg_" prefix. */
        if (system_schema(r->schema) && strncmp(text, "pg_", 3) != 0)
            continue;
        cand_add(l, pd_xstrdup(r->name));
    }
    for (i = 0; i < c->schemas.n; i++) {
        const char *sch = c->schemas.v[i];
        if (prefix_ci(sch, text, n) && !system_schema(sch) &&
            (strncmp(sch, "pg_", 3) != 0 || strncmp(text, "pg_", 3) == 0))
            cand_add(l, pd_xasprintf("%s.", sch));
    }
}

/* Columns of the named tables (of the one whose name or alias is before
 * the dot, when the word has one). */
static void add_columns(sh_complete *c, cand_list *l, const char *text,
                        const named *tabs, size_t ntabs)
{
    const char *dot = strchr(text, '.');
    const char *word = dot ? dot + 1 : text;
    size_t n = strlen(word), i, k;

    for (k = 0; k < ntabs; k++) {
        const named *t = &tabs[k];
        if (dot != NULL) {
            size_t ql = (size_t)(dot - text);
            bool is_alias = strlen(t->alias) == ql &&
                            strncasecmp(t->alias, text, ql) == 0;
            bool is_name = strlen(t->name) == ql &&
                           strncasecmp(t->name, text, ql) == 0;
            if (!is_alias && !is_name)
                continue;
        }
        for (i = 0; i < c->ncols; i++) {
            if (strcmp(c->cols[i].relname, t->name) != 0 ||
                !prefix_ci(c->cols[i].name, word, n))
                continue;
            if (dot != NULL)
                cand_add(l, pd_xasprintf("%.*s%s", (int)(dot - text + 1),
                                         text, c->cols[i].name));
            else
                cand_add(l, pd_xstrdup(c->cols[i].name));
        }
    }
}

static void add_functions(sh_complete *c, cand_list *l, const char *text)
{
    size_t n = strlen(text), i;

    if (n == 0)
        return; /* thousands of them: only with a prefix */
    for (i = 0; i < c->funcs.n; i++)
        if (prefix_ci(c->funcs.v[i], text, n))
            cand_add(l, pd_xstrdup(c->funcs.v[i]));
}

static void add_commands(sh_complete *c, cand_list *l, const char *text)
{
    size_t ntab, i, n = strlen(text);
    const sh_cmd *const *tabs = sh_session_cmd_tables(&ntab);
    const sh_cmd *cmd;

    (void)c;
    for (i = 0; i < ntab; i++) {
        for (cmd = tabs[i]; cmd->name != NULL; cmd++) {
            char *w = pd_xasprintf("\\%s", cmd->name);
            if (strncmp(w, text, n) == 0)
                cand_add(l, w);
            else
                free(w);
        }
    }
}

/* Backslash commands whose argument is a file name. */
static bool file_command(const char *cmd, size_t n)
{
    static const char *const names[] = {"i", "ir", "include",
                                        "include_relative", "o", "out",
                                        "batch", "copy", "w", "write"};
    return in_words(cmd, n, names, sizeof(names) / sizeof(char *));
}

/* The relkinds psql's tab-complete.c offers after a \d command (name
 * without its "+" or "S", n bytes): \d any relation, \dt tables, \dv
 * views, \dm materialized views, \ds sequences, \di indexes, \dE
 * foreign tables; any other \d... any relation but an index. */
static const char *d_kinds(const char *cmd, size_t n)
{
    if (n < 2)
        return ANY_RELATION "iI";
    switch (cmd[1]) {
    case 't': return "rp";
    case 'v': return "v";
    case 'm': return "m";
    case 's': return "S";
    case 'i': return "iI";
    case 'E': return "f";
    default: return ANY_RELATION;
    }
}

enum { CTX_NONE, CTX_FILES };

/* Fills l for the word text after before; returns CTX_FILES when
 * readline's file-name completion should run instead. */
static int complete_into(sh_complete *c, const char *before,
                         const char *text, const char *after, cand_list *l)
{
    size_t blen = strlen(before), at = pd_sqllex_command_start(before, blen);
    char word[128], punct;
    named tabs[16];
    size_t ntabs;

    if (text[0] == '\\') {
        add_commands(c, l, text);
        return CTX_NONE;
    }
    if (at < blen) {
        /* The argument of a backslash command. */
        const char *cmd = before + at + 1;
        size_t n = strcspn(cmd, " \t+S");
        if (file_command(cmd, n))
            return CTX_FILES;
        /* \dx and \dT name extensions and types, which the cache does
         * not hold: nothing rather than relations; \z is \dp. */
        if (n >= 2 && cmd[0] == 'd' && (cmd[1] == 'x' || cmd[1] == 'T'))
            return CTX_NONE;
        if (n >= 1 && cmd[0] == 'd')
            add_relations(c, l, text, d_kinds(cmd, n));
        else if (n == 1 && cmd[0] == 'z')
            add_relations(c, l, text, ANY_RELATION);
        else if (n == 2 && strncmp(cmd, "sf", 2) == 0)
            add_functions(c, l, text);
        return CTX_NONE;
    }
    last_word(before, word, sizeof(word), &punct);
    if (in_words(word, strlen(word), rel_words,
                 sizeof(rel_words) / sizeof(char *))) {
        add_relations(c, l, text, ANY_RELATION);
        return CTX_NONE;
    }
    if (strchr(text, '.') != NULL) {
        char *all = pd_xasprintf("%s%s%s", before, text, after);
        ntabs = named_tables(all, tabs, 16);
        free(all);
        add_columns(c, l, text, tabs, ntabs);
        if (l->n == 0)
            add_relations(c, l, text, ANY_RELATION);
        return CTX_NONE;
    }
    if (word[0] == '\0' && punct == '\0') {
        add_keywords(c, l, text); /* a statement starts */
        return CTX_NONE;
    }
    {
        /* An expression: columns of the statement's tables first. The
         * statement continues after the cursor too ("SELECT | FROM t"). */
        char *all = pd_xasprintf("%s%s%s", before, text, after);
        ntabs = named_tables(all, tabs, 16);
        free(all);
    }
    add_columns(c, l, text, tabs, ntabs);
    add_functions(c, l, text);
    if (l->n == 0) /* psql offers no keywords inside an expression */
        add_keywords(c, l, text);
    return CTX_NONE;
}

char **sh_complete_candidates(sh_complete *c, const char *before,
                              const char *text)
{
    cand_list l = {0};

    complete_into(c, before, text, "", &l);
    if (l.v == NULL)
        l.v = pd_xcalloc(1, sizeof(char *));
    return l.v;
}

/* ---- readline ---- */

static char *generator(const char *text, int state)
{
    sh_complete *c = installed;

    (void)text;
    if (c == NULL || c->cands == NULL)
        return NULL;
    if (state == 0)
        c->next = 0;
    if (c->cands[c->next] == NULL)
        return NULL;
    /* readline frees what we return */
    return pd_xstrdup(c->cands[c->next++]);
}

static char **attempt(const char *text, int start, int end)
{
    sh_complete *c = installed;
    cand_list l = {0};
    char *before;
    const char *pending;
    char **m;
    int ctx;

    (void)end;
    if (c == NULL)
        return NULL;
    pending = c->pending ? c->pending(c->pending_ctx) : "";
    before = pd_xasprintf("%s%.*s", pending, start, rl_line_buffer);
    ctx = complete_into(c, before, text,
                        end <= rl_end ? rl_line_buffer + end : "", &l);
    free(before);
    if (ctx == CTX_FILES) {
        free(l.v);
        rl_attempted_completion_over = 0;
        return NULL;
    }
    rl_attempted_completion_over = 1;
    free_cands(c);
    c->cands = l.v;
    if (c->cands == NULL)
        return NULL;
    /* "schema." goes on without a blank. */
    rl_completion_append_character =
        l.n == 1 && l.v[0][strlen(l.v[0]) - 1] == '.' ? '\0' : ' ';
    m = rl_completion_matches(text, generator);
    free_cands(c);
    return m;
}

void sh_complete_install(sh_complete *c, sh_complete_pending_fn pending,
                         void *ctx)
{
    c->pending = pending;
    c->pending_ctx = ctx;
    installed = c;
    /* Not '.', '\\' or '"': they are part of the words we complete. */
    rl_completer_word_break_characters = (char *)" \t\n'`@$><=;|&{(,)";
    rl_attempted_completion_function = attempt;
}

void sh_complete_free(sh_complete *c)
{
    if (c == NULL)
        return;
    if (installed == c) {
        installed = NULL;
        rl_attempted_completion_function = NULL;
    }
    if (c->loading) {
        c->dead = true;
        return;
    }
    really_free(c);
}
