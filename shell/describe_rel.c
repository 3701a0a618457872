/* describe_rel.c: \d NAME, one matching relation after another (see
 * describe_internal.h): its pg_class facts, then a sequence's parameters
 * printed from their query, or the table psql builds by hand: the title,
 * the columns, then the footers (describe_footer.c). */
#include "shell/describe.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "shell/describe_internal.h"

/* Columns of the COLS query. */
enum {
    COL_NAME, COL_TYPE, COL_DEFAULT, COL_NOTNULL, COL_COLLATION,
    COL_IDENTITY, COL_GENERATED, COL_ISKEY, COL_INDEXDEF, COL_FDWOPTS,
    COL_STORAGE, COL_COMPRESSION, COL_STATS, COL_DESCRIPTION
};

static void describe_next(job *j);

/* The table's title, by kind and persistence. */
static char *rel_title(const job *j)
{
    const char *nsp = rel_schema(j);
    const char *name = val(j->rels, j->rel, 2);
    bool unlogged = info(j, INFO_PERSISTENCE)[0] == 'u';
    const char *what;

    switch (j->kind) {
    case 'r':
        what = unlogged ? "Unlogged table" : "Table";
        break;
    case 'v':
        what = "View";
        break;
    case 'm':
        what = unlogged ? "Unlogged materialized view" : "Materialized view";
        break;
    case 'S':
        what = unlogged ? "Unlogged sequence" : "Sequence";
        break;
    case 'i':
        what = unlogged ? "Unlogged index" : "Index";
        break;
    case 'I':
        what = unlogged ? "Unlogged partitioned index" : "Partitioned index";
        break;
    case 't':
        what = "TOAST table";
        break;
    case 'c':
        what = "Composite type";
        break;
    case 'f':
        what = "Foreign table";
        break;
    case 'p':
        what = unlogged ? "Unlogged partitioned table" : "Partitioned table";
        break;
    default:
        return pd_xasprintf("?%c? \"%s.%s\"", j->kind, nsp, name);
    }
    return pd_xasprintf("%s \"%s.%s\"", what, nsp, name);
}

/* -- sequences: printed from the query, as psql does -- */

static void on_seq_owner(job *j, pd_result *res)
{
    sh_print_opts o = *sh_session_print_opts(j->s);
    char *title = rel_title(j), *foot = NULL;

    if (pd_result_nrows(res) == 1) {
        const char *col = val(res, 0, 0);

        switch (val(res, 0, 1)[0]) {
        case 'a':
            foot = pd_xasprintf("Owned by: %s", col);
            break;
        case 'i':
            foot = pd_xasprintf("Sequence for identity column: %s", col);
            break;
        default:
            break;
        }
    }
    o.footer = false; /* the rows are not counted */
    sh_format_print_titled(sh_session_out(j->s), j->seq, title,
                           (const char *const *)&foot, foot != NULL ? 1 : 0,
                           &o);
    free(foot);
    free(title);
    pd_result_free(res);
    pd_result_free(j->seq);
    j->seq = NULL;
    sh_describe_rel_done(j);
}

static void on_seq(job *j, pd_result *res)
{
    qb q;

    j->seq = res;
    sh_describe_qb_oid(&q, rel_oid(j));
    sh_describe_qb_puts(&q,
            "SELECT pg_catalog.quote_ident(n.nspname) || '.' ||\n"
            "       pg_catalog.quote_ident(c.relname) || '.' ||\n"
            "       pg_catalog.quote_ident(a.attname), d.deptype\n"
            "FROM pg_catalog.pg_depend d\n"
            "  JOIN pg_catalog.pg_class c ON c.oid = d.refobjid\n"
            "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n"
            "  JOIN pg_catalog.pg_attribute a\n"
            "    ON a.attrelid = c.oid AND a.attnum = d.refobjsubid\n"
            "WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass\n"
            "  AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass\n"
            "  AND d.objid = $1::pg_catalog.oid\n"
            "  AND d.deptype IN ('a', 'i')");
    sh_describe_job_chain(j, &q, on_seq_owner);
}

/* -- columns -- */

static const char *storage_name(char c)
{
    switch (c) {
    case 'p':
        return "plain";
    case 'm':
        return "main";
    case 'x':
        return "extended";
    case 'e':
        return "external";
    default:
        return "???";
    }
}

static const char *compression_name(char c)
{
    switch (c) {
    case 'p':
        return "pglz";
    case 'l':
        return "lz4";
    case '\0':
        return "";
    default:
        return "???";
    }
}

/* The headers of the column table for this kind of relation. */
static void column_headers(job *j)
{
    ptab *t = &j->tab;

    sh_describe_tab_header(t, "Column", 'l');
    sh_describe_tab_header(t, "Type", 'l');
    if (kind_in(j, "rvmfcp")) {
        sh_describe_tab_header(t, "Collation", 'l');
        sh_describe_tab_header(t, "Nullable", 'l');
        sh_describe_tab_header(t, "Default", 'l');
    }
    if (kind_in(j, "iI")) {
        sh_describe_tab_header(t, "Key?", 'l');
        sh_describe_tab_header(t, "Definition", 'l');
    }
    if (j->kind == 'f')
        sh_describe_tab_header(t, "FDW options", 'l');
    if (j->verbose) {
        sh_describe_tab_header(t, "Storage", 'l');
        if (kind_in(j, "rpm"))
            sh_describe_tab_header(t, "Compression", 'l');
        if (kind_in(j, "riImfp"))
            sh_describe_tab_header(t, "Stats target", 'l');
        if (kind_in(j, "rvmfcp"))
            sh_describe_tab_header(t, "Description", 'l');
    }
}

/* Appends cell col of row r of res to t. */
static void cell(ptab *t, const pd_result *res, size_t r, int col)
{
    sh_describe_tab_cell(t, val(res, r, col));
}

/* The Default column: a generated column's expression, an identity, or
 * the default. */
static void default_cell(ptab *t, const pd_result *res, size_t r)
{
    const char *gen = val(res, r, COL_GENERATED);
    const char *ident = val(res, r, COL_IDENTITY);
    char *d;

    if (gen[0] == 's') {
        d = pd_xasprintf("generated always as (%s) stored",
                         val(res, r, COL_DEFAULT));
        sh_describe_tab_cell(t, d);
        free(d);
    } else if (ident[0] == 'a') {
        sh_describe_tab_cell(t, "generated always as identity");
    } else if (ident[0] == 'd') {
        sh_describe_tab_cell(t, "generated by default as identity");
    } else {
        cell(t, res, r, COL_DEFAULT);
    }
}

static void on_columns(job *j, pd_result *res)
{
    ptab *t = &j->tab;
    size_t r, n = pd_result_nrows(res);

    t->title = rel_title(j);
    column_headers(j);
    for (r = 0; r < n; r++) {
        cell(t, res, r, COL_NAME);
        cell(t, res, r, COL_TYPE);
        if (kind_in(j, "rvmfcp")) {
            cell(t, res, r, COL_COLLATION);
            sh_describe_tab_cell(t, is_true(res, r, COL_NOTNULL)
                                        ? "not null" : "");
            default_cell(t, res, r);
        }
        if (kind_in(j, "iI")) {
            cell(t, res, r, COL_ISKEY);
            cell(t, res, r, COL_INDEXDEF);
        }
        if (j->kind == 'f')
            cell(t, res, r, COL_FDWOPTS);
        if (!j->verbose)
            continue;
        sh_describe_tab_cell(t,
                storage_name(val(res, r, COL_STORAGE)[0]));
        if (kind_in(j, "rpm"))
            sh_describe_tab_cell(t, compression_name(
                    val(res, r, COL_COMPRESSION)[0]));
        if (kind_in(j, "riImfp"))
            cell(t, res, r, COL_STATS);
        if (kind_in(j, "rvmfcp"))
            cell(t, res, r, COL_DESCRIPTION);
    }
    pd_result_free(res);
    sh_describe_footers(j);
}

static void send_columns(job *j)
{
    bool index = kind_in(j, "iI");
    qb q;

    sh_describe_qb_oid(&q, rel_oid(j));
    sh_describe_qb_puts(&q,
            "SELECT a.attname,\n"
            "  pg_catalog.format_type(a.atttypid, a.atttypmod),\n"
            "  (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)\n"
            "   FROM pg_catalog.pg_attrdef d\n"
            "   WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum\n"
            "     AND a.atthasdef),\n"
            "  a.attnotnull,\n"
            "  (SELECT c.collname\n"
            "   FROM pg_catalog.pg_collation c, pg_catalog.pg_type t\n"
            "   WHERE c.oid = a.attcollation AND t.oid = a.atttypid\n"
            "     AND a.attcollation <> t.typcollation),\n"
            "  a.attidentity, a.attgenerated,\n");
    if (index)
        sh_describe_qb_puts(&q,
                "  CASE WHEN a.attnum <= (SELECT i.indnkeyatts\n"
                "    FROM pg_catalog.pg_index i\n"
                "    WHERE i.indexrelid = a.attrelid)\n"
                "  THEN 'yes' ELSE 'no' END,\n"
                "  pg_catalog.pg_get_indexdef(a.attrelid, a.attnum, true),\n");
    else
        sh_describe_qb_puts(&q, "  NULL, NULL,\n");
    if (j->kind == 'f')
        sh_describe_qb_puts(&q,
                "  CASE WHEN a.attfdwoptions IS NULL THEN '' ELSE '(' ||\n"
                "    pg_catalog.array_to_string(ARRAY(\n"
                "      SELECT pg_catalog.quote_ident(option_name) || ' ' ||\n"
                "             pg_catalog.quote_literal(option_value)\n"
                "      FROM pg_catalog.pg_options_to_table(a.attfdwoptions)"
                "), ', ') || ')' END,\n");
    else
        sh_describe_qb_puts(&q, "  NULL,\n");
    sh_describe_qb_puts(&q,
            "  a.attstorage, a.attcompression,\n"
            "  CASE WHEN a.attstattarget = -1 THEN NULL\n"
            "    ELSE a.attstattarget END,\n"
            "  pg_catalog.col_description(a.attrelid, a.attnum)\n"
            "FROM pg_catalog.pg_attribute a\n"
            "WHERE a.attrelid = $1::pg_catalog.oid AND a.attnum > 0\n"
            "  AND NOT a.attisdropped\n"
            "ORDER BY a.attnum");
    sh_describe_job_chain(j, &q, on_columns);
}

static void on_viewdef(job *j, pd_result *res)
{
    if (pd_result_nrows(res) > 0)
        j->viewdef = pd_xstrdup(val(res, 0, 0));
    pd_result_free(res);
    send_columns(j);
}

static void on_info(job *j, pd_result *res)
{
    qb q;

    if (pd_result_nrows(res) == 0) {
        /* Dropped since it was found. */
        if (!sh_session_print_opts(j->s)->quiet)
            sh_session_errorf(j->s, "Did not find any relation with OID %s.",
                              rel_oid(j));
        pd_result_free(res);
        sh_describe_job_end(j, 1);
        return;
    }
    j->info = res;
    j->kind = info(j, INFO_KIND)[0];
    sh_describe_qb_oid(&q, rel_oid(j));
    if (j->kind == 'S') {
        sh_describe_qb_puts(&q,
                "SELECT pg_catalog.format_type(seqtypid, NULL) AS \"Type\",\n"
                "  seqstart AS \"Start\",\n"
                "  seqmin AS \"Minimum\",\n"
                "  seqmax AS \"Maximum\",\n"
                "  seqincrement AS \"Increment\",\n"
                "  CASE WHEN seqcycle THEN 'yes' ELSE 'no' END "
                "AS \"Cycles?\",\n"
                "  seqcache AS \"Cache\"\n"
                "FROM pg_catalog.pg_sequence\n"
                "WHERE seqrelid = $1::pg_catalog.oid");
        sh_describe_job_chain(j, &q, on_seq);
    } else if (kind_in(j, "vm") && j->verbose) {
        sh_describe_qb_puts(&q,
                "SELECT pg_catalog.pg_get_viewdef($1::pg_catalog.oid, "
                "true)");
        sh_describe_job_chain(j, &q, on_viewdef);
    } else {
        sh_describe_qb_free(&q);
        send_columns(j);
    }
}

/* ---- one match after another ---- */

/* Describes the next match, or ends the command after the last. */
static void describe_next(job *j)
{
    qb q;

    pd_result_free(j->info);
    j->info = NULL;
    free(j->viewdef);
    j->viewdef = NULL;
    sh_describe_tab_free(&j->tab);
    if (j->rel >= pd_result_nrows(j->rels)) {
        sh_describe_job_end(j, 0);
        return;
    }
    sh_describe_qb_oid(&q, rel_oid(j));
    sh_describe_qb_puts(&q,
            "SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules,\n"
            "  c.relhastriggers, c.relrowsecurity, c.relforcerowsecurity,\n"
            "  c.relispartition,\n"
            "  pg_catalog.array_to_string(c.reloptions || array(\n"
            "    SELECT 'toast.' || x\n"
            "    FROM pg_catalog.unnest(tc.reloptions) x), ', '),\n"
            "  (SELECT spcname FROM pg_catalog.pg_tablespace\n"
            "   WHERE oid = c.reltablespace),\n"
            "  CASE WHEN c.reloftype = 0 THEN ''\n"
            "    ELSE c.reloftype::pg_catalog.regtype::pg_catalog.text END,\n"
            "  c.relpersistence, c.relreplident, am.amname\n"
            "FROM pg_catalog.pg_class c\n"
            "  LEFT JOIN pg_catalog.pg_class tc ON c.reltoastrelid = tc.oid\n"
            "  LEFT JOIN pg_catalog.pg_am am ON c.relam = am.oid\n"
            "WHERE c.oid = $1::pg_catalog.oid");
    sh_describe_job_chain(j, &q, on_info);
}

/* The relation is printed: on to the next match. */
void sh_describe_rel_done(job *j)
{
    j->rel++;
    describe_next(j);
}

static void on_matches(job *j, pd_result *res)
{
    sh_describe_each(j, res, "relation", "relations", describe_next);
}

/* \d [NAME]: without a name, the list of relations; with one, a
 * description of each relation it matches. Takes j. */
int sh_describe_rel(job *j)
{
    qb q;

    if (j->pattern == NULL)
        return sh_describe_list_relations(j, "tvmsE");
    sh_describe_qb_init(&q);
    sh_describe_qb_puts(&q, "SELECT c.oid, n.nspname, c.relname\n"
                            "FROM pg_catalog.pg_class c\n"
                            "  LEFT JOIN pg_catalog.pg_namespace n "
                            "ON n.oid = c.relnamespace\n");
    if (!sh_describe_job_pattern(j, &q, "n.nspname", "c.relname",
                                 "pg_catalog.pg_table_is_visible(c.oid)", 3))
        return sh_describe_job_refused(j);
    sh_describe_qb_puts(&q, "ORDER BY 2, 3");
    return sh_describe_job_start(j, &q, on_matches);
}

