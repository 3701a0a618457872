/* describe_more.c: more of psql's describing commands (see
 * describe_internal.h): extensions (\dx, and with "+" the objects of
 * each), data types (\dT), access privileges (\dp and \z), and a
 * function's source (\sf). */
#include "shell/describe.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- \dx ---- */

static void on_extensions(job *j, pd_result *res)
{
    print_and_end(j, res, "List of installed extensions");
}

static void ext_contents_next(job *j);

/* One extension's objects are in: prints them, then the next one's. */
static void on_ext_contents(job *j, pd_result *res)
{
    char *title = pd_xasprintf("Objects in extension \"%s\"",
                               val(j->rels, j->rel, 0));

    sh_describe_print_list(j, res, title, NULL, 0);
    free(title);
    pd_result_free(res);
    j->rel++;
    ext_contents_next(j);
}

/* Asks for the objects of extension j->rel, or ends after the last. */
static void ext_contents_next(job *j)
{
    qb q;

    if (j->rel >= pd_result_nrows(j->rels)) {
        sh_describe_job_end(j, 0);
        return;
    }
    sh_describe_qb_oid(&q, val(j->rels, j->rel, 1));
    sh_describe_qb_puts(&q,
            "SELECT pg_catalog.pg_describe_object(classid, objid, 0) "
            "AS \"Object description\"\n"
            "FROM pg_catalog.pg_depend\n"
            "WHERE refclassid = 'pg_catalog.pg_extension'::"
            "pg_catalog.regclass AND refobjid = $1 AND deptype = 'e'\n"
            "ORDER BY 1");
    sh_describe_job_chain(j, &q, on_ext_contents);
}

/* The extensions \dx+ describes, one table each. */
static void on_ext_names(job *j, pd_result *res)
{
    sh_describe_each(j, res, "extension", "extensions", ext_contents_next);
}

/* \dx[+] [PATTERN]: installed extensions, or with "+" the objects each
 * one owns. Extensions live in no schema: the pattern is a bare name.
 * Takes j. */
int sh_describe_extensions(job *j)
{
    qb q;

    sh_describe_qb_init(&q);
    if (j->verbose)
        sh_describe_qb_puts(&q, "SELECT e.extname, e.oid\n"
                                "FROM pg_catalog.pg_extension e\n");
    else
        sh_describe_qb_puts(&q,
                "SELECT e.extname AS \"Name\", e.extversion AS \"Version\", "
                "n.nspname AS \"Schema\", c.description AS \"Description\"\n"
                "FROM pg_catalog.pg_extension e\n"
                "  LEFT JOIN pg_catalog.pg_namespace n "
                "ON n.oid = e.extnamespace\n"
                "  LEFT JOIN pg_catalog.pg_description c "
                "ON c.objoid = e.oid AND c.classoid = "
                "'pg_catalog.pg_extension'::pg_catalog.regclass\n");
    if (!sh_describe_job_pattern(j, &q, NULL, "e.extname", NULL, 1))
        return sh_describe_job_refused(j);
    sh_describe_qb_puts(&q, "ORDER BY 1");
    return sh_describe_job_start(j, &q,
                                 j->verbose ? on_ext_names : on_extensions);
}

/* ---- \dT ---- */

static void on_types(job *j, pd_result *res)
{
    print_and_end(j, res, "List of data types");
}

/* \dT[S+] [PATTERN]: data types, arrays and the row types of tables
 * left out. The pattern matches the internal name or the SQL one
 * ("integer" as well as "int4"). Takes j. */
int sh_describe_types(job *j)
{
    char *msg;
    qb q;

    sh_describe_qb_init(&q);
    sh_describe_qb_puts(&q,
            "SELECT n.nspname AS \"Schema\",\n"
            "  pg_catalog.format_type(t.oid, NULL) AS \"Name\",\n");
    if (j->verbose)
        sh_describe_qb_puts(&q,
                "  t.typname AS \"Internal name\",\n"
                "  CASE WHEN t.typrelid != 0 "
                "THEN CAST('tuple' AS pg_catalog.text)\n"
                "    WHEN t.typlen < 0 THEN CAST('var' AS pg_catalog.text)\n"
                "    ELSE CAST(t.typlen AS pg_catalog.text) END AS \"Size\",\n"
                "  pg_catalog.array_to_string(ARRAY(\n"
                "      SELECT e.enumlabel FROM pg_catalog.pg_enum e\n"
                "      WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder),\n"
                "    E'\\n') AS \"Elements\",\n"
                "  pg_catalog.pg_get_userbyid(t.typowner) AS \"Owner\",\n"
                "  pg_catalog.array_to_string(t.typacl, E'\\n') "
                "AS \"Access privileges\",\n");
    sh_describe_qb_puts(&q,
            "  pg_catalog.obj_description(t.oid, 'pg_type') "
            "AS \"Description\"\n"
            "FROM pg_catalog.pg_type t\n"
            "  LEFT JOIN pg_catalog.pg_namespace n "
            "ON n.oid = t.typnamespace\n"
            "WHERE (t.typrelid = 0 OR (SELECT c.relkind = 'c' "
            "FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid))\n"
            "  AND NOT EXISTS(SELECT 1 FROM pg_catalog.pg_type el "
            "WHERE el.oid = t.typelem AND el.typarray = t.oid)\n");
    q.where = true;
    if (!j->system && j->pattern == NULL)
        sh_describe_qb_puts(&q, "  AND n.nspname <> 'pg_catalog'\n"
                                "  AND n.nspname <> 'information_schema'\n");
    msg = sh_describe_add_pattern(
            &q, j->pattern != NULL ? sh_describe_map_type_name(j->pattern)
                                   : NULL,
            sh_session_dbname(j->s), "n.nspname", "t.typname",
            "pg_catalog.format_type(t.oid, NULL)",
            "pg_catalog.pg_type_is_visible(t.oid)", 3);
    if (msg != NULL) {
        sh_session_errorf(j->s, "%s", msg);
        free(msg);
        sh_describe_qb_free(&q);
        return sh_describe_job_refused(j);
    }
    sh_describe_qb_puts(&q, "ORDER BY 1, 2");
    return sh_describe_job_start(j, &q, on_types);
}

/* ---- \dp and \z ---- */

static void on_privileges(job *j, pd_result *res)
{
    print_and_end(j, res, "Access privileges");
}

/* The "Policies" column: each policy's name, whether restrictive, its
 * command, its USING and WITH CHECK expressions and its roles, one item a
 * line, as psql spells them. */
static const char policies_column[] =
    "  pg_catalog.array_to_string(ARRAY(\n"
    "    SELECT polname\n"
    "      || CASE WHEN NOT polpermissive THEN E' (RESTRICTIVE)' "
    "ELSE '' END\n"
    "      || CASE WHEN polcmd != '*' "
    "THEN E' (' || polcmd::pg_catalog.text || E'):' ELSE E':' END\n"
    "      || CASE WHEN polqual IS NOT NULL THEN E'\\n  (u): ' || "
    "pg_catalog.pg_get_expr(polqual, polrelid) ELSE E'' END\n"
    "      || CASE WHEN polwithcheck IS NOT NULL THEN E'\\n  (c): ' || "
    "pg_catalog.pg_get_expr(polwithcheck, polrelid) ELSE E'' END\n"
    "      || CASE WHEN polroles <> '{0}' THEN E'\\n  to: ' || "
    "pg_catalog.array_to_string(ARRAY(\n"
    "           SELECT rolname FROM pg_catalog.pg_roles\n"
    "           WHERE oid = ANY (polroles) ORDER BY 1), E', ')\n"
    "         ELSE E'' END\n"
    "    FROM pg_catalog.pg_policy pol\n"
    "    WHERE polrelid = c.oid), E'\\n') AS \"Policies\"\n";

/* \dp [PATTERN] and \z [PATTERN]: the privileges on tables, views and
 * sequences, on their columns, and their row-level policies. psql
 * ignores "S" and "+" here. Takes j. */
int sh_describe_privileges(job *j)
{
    qb q;

    sh_describe_qb_init(&q);
    sh_describe_qb_puts(&q,
            "SELECT n.nspname AS \"Schema\",\n"
            "  c.relname AS \"Name\",\n"
            "  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' "
            "WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' "
            "WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' "
            "END AS \"Type\",\n"
            "  pg_catalog.array_to_string(c.relacl, E'\\n') "
            "AS \"Access privileges\",\n"
            "  pg_catalog.array_to_string(ARRAY(\n"
            "    SELECT attname || E':\\n  ' || "
            "pg_catalog.array_to_string(attacl, E'\\n  ')\n"
            "    FROM pg_catalog.pg_attribute a\n"
            "    WHERE attrelid = c.oid AND NOT attisdropped "
            "AND attacl IS NOT NULL\n"
            "  ), E'\\n') AS \"Column privileges\",\n");
    sh_describe_qb_puts(&q, policies_column);
    sh_describe_qb_puts(&q,
            "FROM pg_catalog.pg_class c\n"
            "  LEFT JOIN pg_catalog.pg_namespace n "
            "ON n.oid = c.relnamespace\n"
            "WHERE c.relkind IN ('r','v','m','S','f','p')\n");
    q.where = true;
    /* Without a schema in the pattern, system and temporary tables are
     * left out along with the invisible ones: "pg_catalog.*" shows them. */
    if (!sh_describe_job_pattern(j, &q, "n.nspname", "c.relname",
                                 "n.nspname !~ '^pg_' AND "
                                 "pg_catalog.pg_table_is_visible(c.oid)", 3))
        return sh_describe_job_refused(j);
    sh_describe_qb_puts(&q, "ORDER BY 1, 2");
    return sh_describe_job_start(j, &q, on_privileges);
}

/* ---- \sf ---- */

/* Prints a function's definition with psql's line numbers: the header
 * lines (up to the one starting the body: "AS ", "BEGIN " or "RETURN ")
 * indented by eight blanks, then each body line after its number. */
static void print_numbered(FILE *out, const char *def)
{
    bool header = true;
    int lineno = 0;
    const char *line = def;

    while (*line != '\0') {
        const char *eol = strchr(line, '\n');
        int len = eol != NULL ? (int)(eol - line) : (int)strlen(line);

        if (header && (strncmp(line, "AS ", 3) == 0 ||
                       strncmp(line, "BEGIN ", 6) == 0 ||
                       strncmp(line, "RETURN ", 7) == 0))
            header = false;
        if (header)
            fprintf(out, "        %.*s\n", len, line);
        else
            fprintf(out, "%-7d %.*s\n", ++lineno, len, line);
        if (eol == NULL)
            break;
        line = eol + 1;
    }
}

static void on_functiondef(job *j, pd_result *res)
{
    FILE *out = sh_session_out(j->s);
    const char *def = val(res, 0, 0);

    if (j->verbose)
        print_numbered(out, def);
    else
        fputs(def, out);
    pd_result_free(res);
    sh_describe_job_end(j, 0);
}

/* \sf[+] FUNCTION: the CREATE command of one function, by name or with
 * its argument types, the whole line being the name. The server finds it
 * (regproc, or regprocedure when there are types) and says what is wrong:
 * unknown, ambiguous, an aggregate. Takes j. */
int sh_describe_function_source(job *j, const char *args)
{
    qb q;

    /* The whole line is the name: nothing is an extra argument. */
    free(j->rest);
    j->rest = pd_xstrdup("");
    if (args[0] == '\0') {
        sh_session_errorf(j->s, "function name is required");
        sh_describe_job_free(j);
        return 1;
    }
    /* psql says only the severity and the primary message: no DETAIL,
     * no CONTEXT (which would name our query parameter). */
    j->terse = true;
    sh_describe_qb_init(&q);
    sh_describe_qb_printf(&q,
            "SELECT pg_catalog.pg_get_functiondef("
            "$%d::pg_catalog.%s::pg_catalog.oid)",
            sh_describe_qb_param(&q, args),
            strchr(args, '(') != NULL ? "regprocedure" : "regproc");
    return sh_describe_job_start(j, &q, on_functiondef);
}
