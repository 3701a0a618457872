/* describe_list.c: the \d family's lists (see describe_internal.h), each
 * one catalog query whose rows psql prints as they come under a title:
 * relations (\dt \di \dv \dm \ds \dE, and \d alone), functions (\df),
 * schemas (\dn), databases (\l); and roles (\du), whose table is built
 * by hand. */
#include "shell/describe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/strbuf.h"
#include "core/xalloc.h"
#include "shell/describe_internal.h"

/* Prints res (taken) under title as psql's printQuery, and ends the
 * command. */
static void print_and_end(job *j, pd_result *res, const char *title)
{
    sh_describe_print_list(j, res, title, NULL, 0);
    pd_result_free(res);
    sh_describe_job_end(j, 0);
}

/* ---- \d lists: \dt \di \dv \dm \ds \dE, and \d alone ---- */

static void on_relations(job *j, pd_result *res)
{
    const sh_print_opts *o = sh_session_print_opts(j->s);

    if (pd_result_nrows(res) == 0 && !o->quiet) {
        if (j->pattern != NULL)
            sh_session_errorf(j->s, "Did not find any relation named \"%s\".",
                              j->pattern);
        else
            sh_session_errorf(j->s, "Did not find any relations.");
    } else {
        sh_describe_print_list(j, res, "List of relations", NULL, 0);
    }
    pd_result_free(res);
    sh_describe_job_end(j, 0);
}

/* psql's listTables for kinds, some of "tvmisE"; takes j. */
int sh_describe_list_relations(job *j, const char *kinds)
{
    bool tables = strchr(kinds, 't') != NULL;
    bool views = strchr(kinds, 'v') != NULL;
    bool matviews = strchr(kinds, 'm') != NULL;
    bool indexes = strchr(kinds, 'i') != NULL;
    bool seqs = strchr(kinds, 's') != NULL;
    bool foreign = strchr(kinds, 'E') != NULL;
    bool others = j->system || j->pattern != NULL;
    qb q;

    j->kinds = kinds;
    sh_describe_qb_init(&q);
    sh_describe_qb_puts(&q,
            "SELECT n.nspname AS \"Schema\",\n"
            "  c.relname AS \"Name\",\n"
            "  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' "
            "WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' "
            "WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' "
            "WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' "
            "WHEN 'I' THEN 'partitioned index' END AS \"Type\",\n"
            "  pg_catalog.pg_get_userbyid(c.relowner) AS \"Owner\"");
    if (indexes)
        sh_describe_qb_puts(&q, ",\n  c2.relname AS \"Table\"");
    if (j->verbose) {
        sh_describe_qb_puts(&q,
                ",\n  CASE c.relpersistence WHEN 'p' THEN 'permanent' "
                "WHEN 't' THEN 'temporary' WHEN 'u' THEN 'unlogged' "
                "END AS \"Persistence\"");
        if (tables || matviews || indexes)
            sh_describe_qb_puts(&q, ",\n  am.amname AS \"Access method\"");
        sh_describe_qb_puts(&q,
                ",\n  pg_catalog.pg_size_pretty("
                "pg_catalog.pg_table_size(c.oid)) AS \"Size\",\n"
                "  pg_catalog.obj_description(c.oid, 'pg_class') "
                "AS \"Description\"");
    }
    sh_describe_qb_puts(&q,
            "\nFROM pg_catalog.pg_class c\n"
            "  LEFT JOIN pg_catalog.pg_namespace n "
            "ON n.oid = c.relnamespace\n"
            "  LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam\n");
    if (indexes)
        sh_describe_qb_puts(&q, "  LEFT JOIN pg_catalog.pg_index i "
                                "ON i.indexrelid = c.oid\n"
                                "  LEFT JOIN pg_catalog.pg_class c2 "
                                "ON i.indrelid = c2.oid\n");
    /* TOAST tables only when asked for system objects or by name. */
    sh_describe_qb_printf(&q,
            "WHERE c.relkind IN (%s%s%s%s%s%s%s'')\n",
            tables ? "'r','p'," : "", tables && others ? "'t'," : "",
            views ? "'v'," : "", matviews ? "'m'," : "",
            indexes ? "'i','I'," : "", seqs ? "'S'," : "",
            foreign ? "'f'," : "");
    q.where = true;
    if (!j->system && j->pattern == NULL)
        sh_describe_qb_puts(&q, "  AND n.nspname <> 'pg_catalog'\n"
                                "  AND n.nspname !~ '^pg_toast'\n"
                                "  AND n.nspname <> 'information_schema'\n");
    if (!sh_describe_job_pattern(j, &q, "n.nspname", "c.relname",
                                 "pg_catalog.pg_table_is_visible(c.oid)", 3))
        return sh_describe_job_refused(j);
    sh_describe_qb_puts(&q, "ORDER BY 1, 2");
    return sh_describe_job_start(j, &q, on_relations);
}

/* ---- \df ---- */

static void on_functions(job *j, pd_result *res)
{
    print_and_end(j, res, "List of functions");
}

/* The type names the grammar accepts but neither pg_type nor format_type
 * spells that way, as psql maps them in type patterns (\df's argument
 * types, \dT). Returns pat itself or a static string. */
const char *sh_describe_map_type_name(const char *pat)
{
    static const char *const map[] = {
        "decimal", "numeric", "float", "double precision",
        "int", "integer", "bool[]", "boolean[]",
        "decimal[]", "numeric[]", "float[]", "double precision[]",
        "float4[]", "real[]", "float8[]", "double precision[]",
        "int[]", "integer[]", "int2[]", "smallint[]",
        "int4[]", "integer[]", "int8[]", "bigint[]",
        "time[]", "time without time zone[]",
        "timetz[]", "time with time zone[]",
        "timestamp[]", "timestamp without time zone[]",
        "timestamptz[]", "timestamp with time zone[]",
        "varbit[]", "bit varying[]", "varchar[]", "character varying[]",
        NULL};
    int i;

    for (i = 0; map[i] != NULL; i += 2)
        if (strcasecmp(pat, map[i]) == 0)
            return map[i + 1];
    return pat;
}

/* The kinds filter of \df[anptw]; none of the letters means all. */
static void function_kinds(qb *q, const char *types)
{
    bool agg = strchr(types, 'a') != NULL;
    bool normal = strchr(types, 'n') != NULL;
    bool proc = strchr(types, 'p') != NULL;
    bool trig = strchr(types, 't') != NULL;
    bool window = strchr(types, 'w') != NULL;

    if (!agg && !normal && !proc && !trig && !window)
        return;
    if (normal) {
        if (!agg) {
            sh_describe_qb_and(q);
            sh_describe_qb_puts(q, "p.prokind <> 'a'\n");
        }
        if (!proc) {
            sh_describe_qb_and(q);
            sh_describe_qb_puts(q, "p.prokind <> 'p'\n");
        }
        if (!trig) {
            sh_describe_qb_and(q);
            sh_describe_qb_puts(q,
                    "p.prorettype <> "
                    "'pg_catalog.trigger'::pg_catalog.regtype\n");
        }
        if (!window) {
            sh_describe_qb_and(q);
            sh_describe_qb_puts(q, "p.prokind <> 'w'\n");
        }
        return;
    }
    sh_describe_qb_and(q);
    sh_describe_qb_printf(q,
            "(%s%s%s%s%s%s%s)\n", agg ? "p.prokind = 'a'" : "",
            agg && trig ? " OR " : "",
            trig ? "p.prorettype = 'pg_catalog.trigger'::pg_catalog.regtype"
            : "",
            (agg || trig) && proc ? " OR " : "",
            proc ? "p.prokind = 'p'" : "",
            (agg || trig || proc) && window ? " OR " : "",
            window ? "p.prokind = 'w'" : "");
}

/* The columns and joins of \df's query. */
static void function_columns(qb *q, bool verbose)
{
    sh_describe_qb_puts(q,
            "SELECT n.nspname AS \"Schema\",\n"
            "  p.proname AS \"Name\",\n"
            "  pg_catalog.pg_get_function_result(p.oid) "
            "AS \"Result data type\",\n"
            "  pg_catalog.pg_get_function_arguments(p.oid) "
            "AS \"Argument data types\",\n"
            "  CASE p.prokind WHEN 'a' THEN 'agg' WHEN 'w' THEN 'window'\n"
            "    WHEN 'p' THEN 'proc' ELSE 'func' END AS \"Type\"");
    if (verbose)
        sh_describe_qb_puts(q,
                ",\n  CASE WHEN p.provolatile = 'i' THEN 'immutable'\n"
                "    WHEN p.provolatile = 's' THEN 'stable'\n"
                "    WHEN p.provolatile = 'v' THEN 'volatile' "
                "END AS \"Volatility\",\n"
                "  CASE WHEN p.proparallel = 'r' THEN 'restricted'\n"
                "    WHEN p.proparallel = 's' THEN 'safe'\n"
                "    WHEN p.proparallel = 'u' THEN 'unsafe' "
                "END AS \"Parallel\",\n"
                "  pg_catalog.pg_get_userbyid(p.proowner) AS \"Owner\",\n"
                "  CASE WHEN p.prosecdef THEN 'definer' ELSE 'invoker' "
                "END AS \"Security\",\n"
                "  pg_catalog.array_to_string(p.proacl, E'\\n') "
                "AS \"Access privileges\",\n"
                "  l.lanname AS \"Language\",\n"
                "  COALESCE(pg_catalog.pg_get_function_sqlbody(p.oid), "
                "p.prosrc) AS \"Source code\",\n"
                "  pg_catalog.obj_description(p.oid, 'pg_proc') "
                "AS \"Description\"");
    sh_describe_qb_puts(q, "\nFROM pg_catalog.pg_proc p\n"
                           "  LEFT JOIN pg_catalog.pg_namespace n "
                           "ON n.oid = p.pronamespace\n");
    if (verbose)
        sh_describe_qb_puts(q, "  LEFT JOIN pg_catalog.pg_language l "
                               "ON l.oid = p.prolang\n");
}

/* The conditions of \df's argument type patterns argpat[0..nargs), on
 * the tables t0, nt0, ... joined for them. psql adds these with AND
 * whether or not a WHERE has begun (when none has, they join the last
 * JOIN's condition): so do we. When psql refuses a pattern, says why,
 * frees q and returns false. */
static bool function_arg_patterns(job *j, qb *q, char *const *argpat,
                                  int nargs)
{
    char var[4][64], *msg;
    int i;

    for (i = 0; i < nargs; i++) {
        q->where = true;
        if (strcmp(argpat[i], "-") == 0) {
            sh_describe_qb_printf(q, "  AND t%d.typname IS NULL\n", i);
            continue;
        }
        snprintf(var[0], sizeof(var[0]), "nt%d.nspname", i);
        snprintf(var[1], sizeof(var[1]), "t%d.typname", i);
        snprintf(var[2], sizeof(var[2]),
                 "pg_catalog.format_type(t%d.oid, NULL)", i);
        snprintf(var[3], sizeof(var[3]),
                 "pg_catalog.pg_type_is_visible(t%d.oid)", i);
        msg = sh_describe_add_pattern(q,
                                      sh_describe_map_type_name(argpat[i]),
                                      sh_session_dbname(j->s), var[0],
                                      var[1], var[2], var[3], 3);
        if (msg != NULL) {
            sh_session_errorf(j->s, "%s", msg);
            free(msg);
            sh_describe_qb_free(q);
            return false;
        }
    }
    return true;
}

/* \df[anptwS+] [PATTERN [ARGTYPE ...]]: functions, of the kinds in types
 * (some of "anptw"; none: all); each further argument matches the type of
 * one argument in turn, "-" meaning no argument there. Takes j. */
int sh_describe_list_functions(job *j, const char *types)
{
    const char *p = j->rest;
    char *argpat[100], *rest;
    int nargs = 0, i;
    bool ok;
    qb q;

    /* Every argument after the name is a type pattern: none is extra. */
    while (j->pattern != NULL && nargs < 100 &&
           (argpat[nargs] = sh_describe_next_arg(&p)) != NULL)
        nargs++;
    rest = pd_xstrdup(p);
    free(j->rest);
    j->rest = rest;

    sh_describe_qb_init(&q);
    function_columns(&q, j->verbose);
    for (i = 0; i < nargs; i++)
        sh_describe_qb_printf(&q, "  LEFT JOIN pg_catalog.pg_type t%d "
                                  "ON t%d.oid = p.proargtypes[%d]\n"
                                  "  LEFT JOIN pg_catalog.pg_namespace nt%d "
                                  "ON nt%d.oid = t%d.typnamespace\n",
                              i, i, i, i, i, i);
    function_kinds(&q, types);
    ok = sh_describe_job_pattern(j, &q, "n.nspname", "p.proname",
                                 "pg_catalog.pg_function_is_visible(p.oid)",
                                 3) &&
         function_arg_patterns(j, &q, argpat, nargs);
    for (i = 0; i < nargs; i++)
        free(argpat[i]);
    if (!ok)
        return sh_describe_job_refused(j);
    if (!j->system && j->pattern == NULL)
        sh_describe_qb_puts(&q, "  AND n.nspname <> 'pg_catalog'\n"
                                "  AND n.nspname <> 'information_schema'\n");
    sh_describe_qb_puts(&q, "ORDER BY 1, 2, 4");
    return sh_describe_job_start(j, &q, on_functions);
}

/* ---- \dn ---- */

static void on_schema_pubs(job *j, pd_result *res)
{
    size_t i, n = pd_result_nrows(res);
    char **foot = pd_xcalloc(n + 1, sizeof(char *));

    foot[0] = pd_xstrdup("Publications:");
    for (i = 0; i < n; i++)
        foot[i + 1] = pd_xasprintf("    \"%s\"", val(res, i, 0));
    sh_describe_print_list(j, j->rels, "List of schemas",
                           (const char *const *)foot, n > 0 ? n + 1 : 0);
    for (i = 0; i <= n; i++)
        free(foot[i]);
    free(foot);
    pd_result_free(res);
    sh_describe_job_end(j, 0);
}

static void on_schemas(job *j, pd_result *res)
{
    qb q;

    if (j->pattern == NULL) {
        print_and_end(j, res, "List of schemas");
        return;
    }
    /* psql looks the pattern up, as a plain name, among the schemas
     * published. */
    j->rels = res;
    sh_describe_qb_init(&q);
    sh_describe_qb_printf(&q,
            "SELECT pubname\n"
            "FROM pg_catalog.pg_publication p\n"
            "  JOIN pg_catalog.pg_publication_namespace pn "
            "ON p.oid = pn.pnpubid\n"
            "  JOIN pg_catalog.pg_namespace n ON n.oid = pn.pnnspid\n"
            "WHERE n.nspname = $%d\n"
            "ORDER BY 1",
            sh_describe_qb_param(&q, j->pattern));
    sh_describe_job_chain(j, &q, on_schema_pubs);
}

/* \dn [PATTERN]: schemas. Takes j. */
int sh_describe_list_schemas(job *j)
{
    qb q;

    sh_describe_qb_init(&q);
    sh_describe_qb_puts(&q,
            "SELECT n.nspname AS \"Name\",\n"
            "  pg_catalog.pg_get_userbyid(n.nspowner) AS \"Owner\"");
    if (j->verbose)
        sh_describe_qb_puts(&q,
                ",\n  pg_catalog.array_to_string(n.nspacl, E'\\n') "
                "AS \"Access privileges\",\n"
                "  pg_catalog.obj_description(n.oid, 'pg_namespace') "
                "AS \"Description\"");
    sh_describe_qb_puts(&q, "\nFROM pg_catalog.pg_namespace n\n");
    if (!j->system && j->pattern == NULL) {
        sh_describe_qb_and(&q);
        sh_describe_qb_puts(&q, "n.nspname !~ '^pg_' "
                                "AND n.nspname <> 'information_schema'\n");
    }
    if (!sh_describe_job_pattern(j, &q, NULL, "n.nspname", NULL, 2))
        return sh_describe_job_refused(j);
    sh_describe_qb_puts(&q, "ORDER BY 1");
    return sh_describe_job_start(j, &q, on_schemas);
}

/* ---- \du and \dg ---- */

/* Appends a role attribute, after ", " unless it is the first. */
static void attr(pd_strbuf *sb, const char *what)
{
    if (sb->len > 0)
        pd_strbuf_puts(sb, ", ");
    pd_strbuf_puts(sb, what);
}

static void on_roles(job *j, pd_result *res)
{
    sh_print_opts o = *sh_session_print_opts(j->s);
    size_t i, n = pd_result_nrows(res);
    int extra = j->verbose ? 1 : 0;
    ptab t;

    memset(&t, 0, sizeof(t));
    t.title = pd_xstrdup("List of roles");
    sh_describe_tab_header(&t, "Role name", 'l');
    sh_describe_tab_header(&t, "Attributes", 'l');
    sh_describe_tab_header(&t, "Member of", 'l');
    if (j->verbose)
        sh_describe_tab_header(&t, "Description", 'l');
    for (i = 0; i < n; i++) {
        pd_strbuf sb = PD_STRBUF_INIT;
        int conns = atoi(val(res, i, 6));

        sh_describe_tab_cell(&t, val(res, i, 0));
        if (is_true(res, i, 1))
            attr(&sb, "Superuser");
        if (!is_true(res, i, 2))
            attr(&sb, "No inheritance");
        if (is_true(res, i, 3))
            attr(&sb, "Create role");
        if (is_true(res, i, 4))
            attr(&sb, "Create DB");
        if (!is_true(res, i, 5))
            attr(&sb, "Cannot login");
        if (is_true(res, i, 9 + extra))
            attr(&sb, "Replication");
        if (is_true(res, i, 10 + extra))
            attr(&sb, "Bypass RLS");
        /* The limit and the expiry go on lines of their own. */
        if (conns >= 0) {
            if (sb.len > 0)
                pd_strbuf_putc(&sb, '\n');
            if (conns == 0)
                pd_strbuf_puts(&sb, "No connections");
            else
                pd_strbuf_printf(&sb, "%d connection%s", conns,
                                 conns == 1 ? "" : "s");
        }
        if (val(res, i, 7)[0] != '\0') {
            if (sb.len > 0)
                pd_strbuf_putc(&sb, '\n');
            pd_strbuf_printf(&sb, "Password valid until %s",
                             val(res, i, 7));
        }
        sh_describe_tab_cell(&t, pd_strbuf_cstr(&sb));
        pd_strbuf_free(&sb);
        sh_describe_tab_cell(&t, val(res, i, 8));
        if (j->verbose)
            sh_describe_tab_cell(&t, val(res, i, 9));
    }
    o.footer = false; /* psql counts no roles */
    sh_describe_tab_print(sh_session_out(j->s), &t, &o);
    sh_describe_tab_free(&t);
    pd_result_free(res);
    sh_describe_job_end(j, 0);
}

/* \du and \dg [PATTERN]: roles. Takes j. */
int sh_describe_list_roles(job *j)
{
    qb q;

    sh_describe_qb_init(&q);
    sh_describe_qb_puts(&q,
            "SELECT r.rolname, r.rolsuper, r.rolinherit,\n"
            "  r.rolcreaterole, r.rolcreatedb, r.rolcanlogin,\n"
            "  r.rolconnlimit, r.rolvaliduntil,\n"
            "  ARRAY(SELECT b.rolname\n"
            "        FROM pg_catalog.pg_auth_members m\n"
            "        JOIN pg_catalog.pg_roles b ON m.roleid = b.oid\n"
            "        WHERE m.member = r.oid) AS memberof");
    if (j->verbose)
        sh_describe_qb_puts(&q,
                ",\n  pg_catalog.shobj_description(r.oid, 'pg_authid') "
                "AS description");
    sh_describe_qb_puts(&q, ",\n  r.rolreplication, r.rolbypassrls\n"
                            "FROM pg_catalog.pg_roles r\n");
    if (!j->system && j->pattern == NULL) {
        sh_describe_qb_and(&q);
        sh_describe_qb_puts(&q, "r.rolname !~ '^pg_'\n");
    }
    if (!sh_describe_job_pattern(j, &q, NULL, "r.rolname", NULL, 1))
        return sh_describe_job_refused(j);
    sh_describe_qb_puts(&q, "ORDER BY 1");
    return sh_describe_job_start(j, &q, on_roles);
}

/* ---- \l ---- */

static void on_databases(job *j, pd_result *res)
{
    print_and_end(j, res, "List of databases");
}

/* \l [PATTERN]: databases. Takes j. */
int sh_describe_list_databases(job *j)
{
    qb q;

    sh_describe_qb_init(&q);
    sh_describe_qb_puts(&q,
            "SELECT d.datname AS \"Name\",\n"
            "  pg_catalog.pg_get_userbyid(d.datdba) AS \"Owner\",\n"
            "  pg_catalog.pg_encoding_to_char(d.encoding) AS \"Encoding\",\n"
            "  d.datcollate AS \"Collate\",\n"
            "  d.datctype AS \"Ctype\",\n"
            "  d.daticulocale AS \"ICU Locale\",\n"
            "  CASE d.datlocprovider WHEN 'c' THEN 'libc' "
            "WHEN 'i' THEN 'icu' END AS \"Locale Provider\",\n"
            "  pg_catalog.array_to_string(d.datacl, E'\\n') "
            "AS \"Access privileges\"");
    if (j->verbose)
        sh_describe_qb_puts(&q,
                ",\n  CASE WHEN pg_catalog.has_database_privilege("
                "d.datname, 'CONNECT')\n"
                "    THEN pg_catalog.pg_size_pretty("
                "pg_catalog.pg_database_size(d.datname))\n"
                "    ELSE 'No Access' END AS \"Size\",\n"
                "  t.spcname AS \"Tablespace\",\n"
                "  pg_catalog.shobj_description(d.oid, 'pg_database') "
                "AS \"Description\"");
    sh_describe_qb_puts(&q, "\nFROM pg_catalog.pg_database d\n");
    if (j->verbose)
        sh_describe_qb_puts(&q, "  JOIN pg_catalog.pg_tablespace t "
                                "ON d.dattablespace = t.oid\n");
    if (!sh_describe_job_pattern(j, &q, NULL, "d.datname", NULL, 1))
        return sh_describe_job_refused(j);
    sh_describe_qb_puts(&q, "ORDER BY 1");
    return sh_describe_job_start(j, &q, on_databases);
}
