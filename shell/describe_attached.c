/* describe_attached.c: the footer steps of \d NAME about what hangs off
 * a table (see describe_internal.h and describe_footer.c): its indexes,
 * check and foreign-key constraints, the foreign keys pointing at it,
 * row-level security policies, extended statistics, rules, publications
 * and triggers. Each step is a query and the footer lines of its
 * result. */
#include "shell/describe.h"

#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "shell/describe_internal.h"

/* A table, or what has a table's footers. */
static bool tablelike(const job *j)
{
    return kind_in(j, "rmfpt");
}

/* ---- F_INDEXES: a table's indexes ---- */

static bool indexes_query(job *j, qb *q)
{
    if (!tablelike(j) || !info_true(j, INFO_HASINDEX))
        return false;
    sh_describe_qb_puts(q,
            "SELECT c2.relname, i.indisprimary, i.indisunique,\n"
            "  i.indisclustered, i.indisvalid,\n"
            "  pg_catalog.pg_get_indexdef(i.indexrelid, 0, true),\n"
            "  pg_catalog.pg_get_constraintdef(con.oid, true),\n"
            "  con.contype, con.condeferrable, con.condeferred,\n"
            "  i.indisreplident,\n"
            "  (SELECT spcname FROM pg_catalog.pg_tablespace\n"
            "   WHERE oid = c2.reltablespace)\n"
            "FROM pg_catalog.pg_index i\n"
            "  JOIN pg_catalog.pg_class c2 ON c2.oid = i.indexrelid\n"
            "  LEFT JOIN pg_catalog.pg_constraint con\n"
            "    ON con.conrelid = i.indrelid\n"
            "   AND con.conindid = i.indexrelid\n"
            "   AND con.contype IN ('p', 'u', 'x')\n"
            "WHERE i.indrelid = $1::pg_catalog.oid\n"
            "ORDER BY i.indisprimary DESC, c2.relname");
    return true;
}

/* One line per index of a table (F_INDEXES). */
static bool indexes_lines(job *j, const pd_result *res)
{
    ptab *t = &j->tab;
    size_t i, n = pd_result_nrows(res);

    if (n > 0)
        sh_describe_tab_footer(t, "Indexes:");
    for (i = 0; i < n; i++) {
        pd_strbuf sb = PD_STRBUF_INIT;

        pd_strbuf_printf(&sb, "    \"%s\"", val(res, i, 0));
        if (strcmp(val(res, i, 7), "x") == 0) {
            /* An exclusion constraint shows as its definition. */
            pd_strbuf_printf(&sb, " %s", val(res, i, 6));
        } else {
            const char *def = val(res, i, 5);
            const char *using = strstr(def, " USING ");

            if (is_true(res, i, 1))
                pd_strbuf_puts(&sb, " PRIMARY KEY,");
            else if (is_true(res, i, 2))
                pd_strbuf_puts(&sb, strcmp(val(res, i, 7), "u") == 0
                                        ? " UNIQUE CONSTRAINT,"
                                        : " UNIQUE,");
            pd_strbuf_printf(&sb, " %s", using != NULL ? using + 7 : def);
            if (is_true(res, i, 8))
                pd_strbuf_puts(&sb, " DEFERRABLE");
            if (is_true(res, i, 9))
                pd_strbuf_puts(&sb, " INITIALLY DEFERRED");
        }
        if (is_true(res, i, 3))
            pd_strbuf_puts(&sb, " CLUSTER");
        if (!is_true(res, i, 4))
            pd_strbuf_puts(&sb, " INVALID");
        if (is_true(res, i, 10))
            pd_strbuf_puts(&sb, " REPLICA IDENTITY");
        if (!pd_result_is_null(res, i, 11))
            pd_strbuf_printf(&sb, ", tablespace \"%s\"", val(res, i, 11));
        sh_describe_tab_footer_take(t, pd_strbuf_steal(&sb));
    }
    return true;
}

/* ---- F_CHECKS: check constraints ---- */

static bool checks_query(job *j, qb *q)
{
    if (!tablelike(j) || atoi(info(j, INFO_CHECKS)) == 0)
        return false;
    sh_describe_qb_puts(q,
            "SELECT r.conname,\n"
            "  pg_catalog.pg_get_constraintdef(r.oid, true)\n"
            "FROM pg_catalog.pg_constraint r\n"
            "WHERE r.conrelid = $1::pg_catalog.oid "
            "AND r.contype = 'c'\n"
            "ORDER BY 1");
    return true;
}

static bool checks_lines(job *j, const pd_result *res)
{
    ptab *t = &j->tab;
    size_t i, n = pd_result_nrows(res);

    if (n > 0)
        sh_describe_tab_footer(t, "Check constraints:");
    for (i = 0; i < n; i++)
        sh_describe_tab_footer(t, "    \"%s\" %s", val(res, i, 0),
                               val(res, i, 1));
    return true;
}

/* ---- F_FKEYS: foreign keys ---- */

/* Has the table foreign keys of its own, or pointing at it? A partitioned
 * table has no triggers of its own to say so. */
static bool may_have_fkeys(const job *j)
{
    return tablelike(j) &&
           (info_true(j, INFO_HASTRIGGERS) || j->kind == 'p');
}

static bool fkeys_query(job *j, qb *q)
{
    if (!may_have_fkeys(j))
        return false;
    if (info_true(j, INFO_ISPARTITION) || j->kind == 'p')
        /* Its own first, then those of its partitioned ancestors. */
        sh_describe_qb_puts(q,
                "SELECT conrelid = $1::pg_catalog.regclass AS sametable,\n"
                "  conname,\n"
                "  pg_catalog.pg_get_constraintdef(oid, true),\n"
                "  conrelid::pg_catalog.regclass\n"
                "FROM pg_catalog.pg_constraint,\n"
                "  pg_catalog.pg_partition_ancestors($1)\n"
                "WHERE conrelid = relid AND contype = 'f'\n"
                "  AND conparentid = 0\n"
                "ORDER BY sametable DESC, conname");
    else
        sh_describe_qb_puts(q,
                "SELECT true, conname,\n"
                "  pg_catalog.pg_get_constraintdef(r.oid, true),\n"
                "  conrelid::pg_catalog.regclass\n"
                "FROM pg_catalog.pg_constraint r\n"
                "WHERE r.conrelid = $1::pg_catalog.oid "
                "AND r.contype = 'f'\n"
                "  AND conparentid = 0\n"
                "ORDER BY conname");
    return true;
}

static bool fkeys_lines(job *j, const pd_result *res)
{
    ptab *t = &j->tab;
    size_t i, n = pd_result_nrows(res);

    if (n > 0)
        sh_describe_tab_footer(t, "Foreign-key constraints:");
    for (i = 0; i < n; i++) {
        /* Constraints inherited from a partitioned parent name it. */
        if (strcmp(val(res, i, 0), "f") == 0)
            sh_describe_tab_footer(t, "    TABLE \"%s\" CONSTRAINT \"%s\" %s",
                                   val(res, i, 3), val(res, i, 1),
                                   val(res, i, 2));
        else
            sh_describe_tab_footer(t, "    \"%s\" %s", val(res, i, 1),
                                   val(res, i, 2));
    }
    return true;
}

/* ---- F_REFBY: foreign keys pointing here ---- */

static bool refby_query(job *j, qb *q)
{
    if (!may_have_fkeys(j))
        return false;
    sh_describe_qb_puts(q,
            "SELECT conname, conrelid::pg_catalog.regclass,\n"
            "  pg_catalog.pg_get_constraintdef(oid, true)\n"
            "FROM pg_catalog.pg_constraint\n"
            "WHERE confrelid IN (\n"
            "    SELECT pg_catalog.pg_partition_ancestors("
            "$1::pg_catalog.regclass)\n"
            "    UNION ALL VALUES ($1::pg_catalog.regclass))\n"
            "  AND contype = 'f' AND conparentid = 0\n"
            "ORDER BY conname");
    return true;
}

static bool refby_lines(job *j, const pd_result *res)
{
    ptab *t = &j->tab;
    size_t i, n = pd_result_nrows(res);

    if (n > 0)
        sh_describe_tab_footer(t, "Referenced by:");
    for (i = 0; i < n; i++)
        sh_describe_tab_footer(t, "    TABLE \"%s\" CONSTRAINT \"%s\" %s",
                               val(res, i, 1), val(res, i, 0), val(res, i, 2));
    return true;
}

/* ---- F_POLICIES: row-level security ---- */

static bool policies_query(job *j, qb *q)
{
    if (!tablelike(j))
        return false;
    sh_describe_qb_puts(q,
            "SELECT pol.polname, pol.polpermissive,\n"
            "  CASE WHEN pol.polroles = '{0}' THEN NULL ELSE\n"
            "    pg_catalog.array_to_string(array(\n"
            "      SELECT rolname FROM pg_catalog.pg_roles\n"
            "      WHERE oid = any (pol.polroles) ORDER BY 1), ',')\n"
            "  END,\n"
            "  pg_catalog.pg_get_expr(pol.polqual, pol.polrelid),\n"
            "  pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid),\n"
            "  CASE pol.polcmd WHEN 'r' THEN 'SELECT' "
            "WHEN 'a' THEN 'INSERT'\n"
            "    WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' END\n"
            "FROM pg_catalog.pg_policy pol\n"
            "WHERE pol.polrelid = $1::pg_catalog.oid\n"
            "ORDER BY 1");
    return true;
}

/* Row-level security: a heading that says the table's mode,
 * then each policy over several lines. */
static bool policies_lines(job *j, const pd_result *res)
{
    ptab *t = &j->tab;
    bool on = info_true(j, INFO_ROWSEC);
    bool forced = info_true(j, INFO_FORCEROWSEC);
    size_t i, n = pd_result_nrows(res);

    if (on && n > 0)
        sh_describe_tab_footer(t, "%s", forced ? "Policies (forced row "
                               "security enabled):" : "Policies:");
    if (on && n == 0)
        sh_describe_tab_footer(t, "Policies (%srow security enabled): "
                               "(none)", forced ? "forced " : "");
    if (!on && n > 0)
        sh_describe_tab_footer(t, "Policies (row security disabled):");
    for (i = 0; i < n; i++) {
        pd_strbuf sb = PD_STRBUF_INIT;

        pd_strbuf_printf(&sb, "    POLICY \"%s\"", val(res, i, 0));
        if (val(res, i, 1)[0] == 'f')
            pd_strbuf_puts(&sb, " AS RESTRICTIVE");
        if (!pd_result_is_null(res, i, 5))
            pd_strbuf_printf(&sb, " FOR %s", val(res, i, 5));
        if (!pd_result_is_null(res, i, 2))
            pd_strbuf_printf(&sb, "\n      TO %s", val(res, i, 2));
        if (!pd_result_is_null(res, i, 3))
            pd_strbuf_printf(&sb, "\n      USING (%s)", val(res, i, 3));
        if (!pd_result_is_null(res, i, 4))
            pd_strbuf_printf(&sb, "\n      WITH CHECK (%s)", val(res, i, 4));
        sh_describe_tab_footer_take(t, pd_strbuf_steal(&sb));
    }
    return true;
}

/* ---- F_STATS: extended statistics ---- */

static bool stats_query(job *j, qb *q)
{
    if (!tablelike(j))
        return false;
    sh_describe_qb_puts(q,
            "SELECT oid, stxrelid::pg_catalog.regclass,\n"
            "  stxnamespace::pg_catalog.regnamespace::pg_catalog.text "
            "AS nsp,\n"
            "  stxname,\n"
            "  pg_catalog.pg_get_statisticsobjdef_columns(oid),\n"
            "  'd' = any(stxkind), 'f' = any(stxkind), "
            "'m' = any(stxkind),\n"
            "  stxstattarget\n"
            "FROM pg_catalog.pg_statistic_ext\n"
            "WHERE stxrelid = $1::pg_catalog.oid\n"
            "ORDER BY nsp, stxname");
    return true;
}

/* Extended statistics (F_STATS). */
static bool stats_lines(job *j, const pd_result *res)
{
    ptab *t = &j->tab;
    size_t i, n = pd_result_nrows(res);

    if (n > 0)
        sh_describe_tab_footer(t, "Statistics objects:");
    for (i = 0; i < n; i++) {
        pd_strbuf sb = PD_STRBUF_INIT;
        bool nd = is_true(res, i, 5), dep = is_true(res, i, 6);
        bool mcv = is_true(res, i, 7);

        pd_strbuf_printf(&sb, "    \"%s.%s\"", val(res, i, 2),
                         val(res, i, 3));
        /* No kinds listed when all are (CREATE STATISTICS's default) or
         * none are (a single expression). */
        if ((nd || dep || mcv) && !(nd && dep && mcv))
            pd_strbuf_printf(&sb, " (%s%s%s%s%s)", nd ? "ndistinct" : "",
                             nd && dep ? ", " : "",
                             dep ? "dependencies" : "",
                             (nd || dep) && mcv ? ", " : "",
                             mcv ? "mcv" : "");
        pd_strbuf_printf(&sb, " ON %s FROM %s", val(res, i, 4),
                         val(res, i, 1));
        if (!pd_result_is_null(res, i, 8) &&
            strcmp(val(res, i, 8), "-1") != 0)
            pd_strbuf_printf(&sb, "; STATISTICS %s", val(res, i, 8));
        sh_describe_tab_footer_take(t, pd_strbuf_steal(&sb));
    }
    return true;
}

/* ---- F_RULES: a table's rules ---- */

static bool rules_query(job *j, qb *q)
{
    if (!tablelike(j) || j->kind == 'm' || !info_true(j, INFO_HASRULES))
        return false;
    sh_describe_qb_puts(q,
            "SELECT r.rulename,\n"
            "  trim(trailing ';' from "
            "pg_catalog.pg_get_ruledef(r.oid, true)),\n"
            "  ev_enabled\n"
            "FROM pg_catalog.pg_rewrite r\n"
            "WHERE r.ev_class = $1::pg_catalog.oid\n"
            "ORDER BY 1");
    return true;
}

/* A table's rules by state (F_RULES), each after "CREATE RULE ". */
static bool rules_lines(job *j, const pd_result *res)
{
    ptab *t = &j->tab;
    static const char states[] = "ODAR";
    static const char *const headings[] = {
        "Rules:", "Disabled rules:", "Rules firing always:",
        "Rules firing on replica only:"};
    size_t i, n = pd_result_nrows(res);
    int c;

    for (c = 0; c < 4; c++) {
        bool heading = false;

        for (i = 0; i < n; i++) {
            const char *def = val(res, i, 1);

            if (val(res, i, 2)[0] != states[c])
                continue;
            if (!heading)
                sh_describe_tab_footer(t, "%s", headings[c]);
            heading = true;
            sh_describe_tab_footer(t, "    %s",
                                   strlen(def) > 12 ? def + 12 : "");
        }
    }
    return true;
}

/* ---- F_PUBS: publications ---- */

static bool pubs_query(job *j, qb *q)
{
    if (!tablelike(j))
        return false;
    sh_describe_qb_puts(q,
            "SELECT pubname, NULL, NULL\n"
            "FROM pg_catalog.pg_publication p\n"
            "  JOIN pg_catalog.pg_publication_namespace pn "
            "ON p.oid = pn.pnpubid\n"
            "  JOIN pg_catalog.pg_class pc "
            "ON pc.relnamespace = pn.pnnspid\n"
            "WHERE pc.oid = $1::pg_catalog.oid\n"
            "  AND pg_catalog.pg_relation_is_publishable($1::pg_catalog."
            "regclass)\n"
            "UNION\n"
            "SELECT pubname,\n"
            "  pg_catalog.pg_get_expr(pr.prqual, c.oid),\n"
            "  CASE WHEN pr.prattrs IS NOT NULL THEN\n"
            "    (SELECT string_agg(attname, ', ')\n"
            "     FROM pg_catalog.generate_series(0,\n"
            "       pg_catalog.array_upper(pr.prattrs::pg_catalog.int2[],"
            " 1)) s,\n"
            "       pg_catalog.pg_attribute\n"
            "     WHERE attrelid = pr.prrelid AND attnum = prattrs[s])\n"
            "  ELSE NULL END\n"
            "FROM pg_catalog.pg_publication p\n"
            "  JOIN pg_catalog.pg_publication_rel pr "
            "ON p.oid = pr.prpubid\n"
            "  JOIN pg_catalog.pg_class c ON c.oid = pr.prrelid\n"
            "WHERE pr.prrelid = $1::pg_catalog.oid\n"
            "UNION\n"
            "SELECT pubname, NULL, NULL\n"
            "FROM pg_catalog.pg_publication p\n"
            "WHERE p.puballtables\n"
            "  AND pg_catalog.pg_relation_is_publishable($1::pg_catalog."
            "regclass)\n"
            "ORDER BY 1");
    return true;
}

static bool pubs_lines(job *j, const pd_result *res)
{
    ptab *t = &j->tab;
    size_t i, n = pd_result_nrows(res);

    if (n > 0)
        sh_describe_tab_footer(t, "Publications:");
    for (i = 0; i < n; i++) {
        pd_strbuf sb = PD_STRBUF_INIT;

        pd_strbuf_printf(&sb, "    \"%s\"", val(res, i, 0));
        if (!pd_result_is_null(res, i, 2))
            pd_strbuf_printf(&sb, " (%s)", val(res, i, 2));
        if (!pd_result_is_null(res, i, 1))
            pd_strbuf_printf(&sb, " WHERE %s", val(res, i, 1));
        sh_describe_tab_footer_take(t, pd_strbuf_steal(&sb));
    }
    return true;
}

/* ---- F_TRIGGERS: triggers, by category ---- */

static bool triggers_query(job *j, qb *q)
{
    if (!info_true(j, INFO_HASTRIGGERS))
        return false;
    /* Internal triggers only when disabled; a partition's clone of
     * an ancestor's trigger names the ancestor. */
    sh_describe_qb_puts(q,
            "SELECT t.tgname, pg_catalog.pg_get_triggerdef(t.oid, true),\n"
            "  t.tgenabled, t.tgisinternal,\n"
            "  CASE WHEN t.tgparentid != 0 THEN\n"
            "    (SELECT u.tgrelid::pg_catalog.regclass\n"
            "     FROM pg_catalog.pg_trigger AS u,\n"
            "       pg_catalog.pg_partition_ancestors(t.tgrelid)\n"
            "         WITH ORDINALITY AS a(relid, depth)\n"
            "     WHERE u.tgname = t.tgname AND u.tgrelid = a.relid\n"
            "       AND u.tgparentid = 0\n"
            "     ORDER BY a.depth LIMIT 1)\n"
            "  END\n"
            "FROM pg_catalog.pg_trigger t\n"
            "WHERE t.tgrelid = $1::pg_catalog.oid\n"
            "  AND (NOT t.tgisinternal OR "
            "(t.tgisinternal AND t.tgenabled = 'D'))\n"
            "ORDER BY 1");
    return true;
}

/* Triggers by category (F_TRIGGERS), each after "CREATE TRIGGER". */
static bool triggers_lines(job *j, const pd_result *res)
{
    ptab *t = &j->tab;
    static const char *const headings[] = {
        "Triggers:", "Disabled user triggers:", "Disabled internal triggers:",
        "Triggers firing always:", "Triggers firing on replica only:"};
    size_t i, n = pd_result_nrows(res);
    int c;

    for (c = 0; c < 5; c++) {
        bool heading = false;

        for (i = 0; i < n; i++) {
            char en = val(res, i, 2)[0];
            bool internal = val(res, i, 3)[0] == 't';
            bool off = en == 'D' || en == 'f';
            bool list = c == 0   ? en == 'O' || en == 't'
                        : c == 1 ? off && !internal
                        : c == 2 ? off && internal
                        : c == 3 ? en == 'A'
                                 : en == 'R';
            const char *def = val(res, i, 1), *p;
            pd_strbuf sb = PD_STRBUF_INIT;

            if (!list)
                continue;
            if (!heading)
                sh_describe_tab_footer(t, "%s", headings[c]);
            heading = true;
            p = strstr(def, " TRIGGER ");
            pd_strbuf_printf(&sb, "    %s", p != NULL ? p + 9 : def);
            if (!pd_result_is_null(res, i, 4))
                pd_strbuf_printf(&sb, ", ON TABLE %s", val(res, i, 4));
            sh_describe_tab_footer_take(t, pd_strbuf_steal(&sb));
        }
    }
    return true;
}

/* The steps of this file, by enum fstep; describe_footer.c runs them. */
const dstep sh_describe_attached_steps[F_DONE] = {
    [F_INDEXES] = {indexes_query, indexes_lines},
    [F_CHECKS] = {checks_query, checks_lines},
    [F_FKEYS] = {fkeys_query, fkeys_lines},
    [F_REFBY] = {refby_query, refby_lines},
    [F_POLICIES] = {policies_query, policies_lines},
    [F_STATS] = {stats_query, stats_lines},
    [F_RULES] = {rules_query, rules_lines},
    [F_PUBS] = {pubs_query, pubs_lines},
    [F_TRIGGERS] = {triggers_query, triggers_lines},
};
