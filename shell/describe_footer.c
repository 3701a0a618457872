/* describe_footer.c: the footers of \d NAME (see describe_internal.h),
 * step by step in psql's order (enum fstep): each step that applies to the
 * relation runs one catalog query and adds the lines of its result; the
 * lines that need no query come last, then the table is printed. This
 * file has the steps about the relation itself; describe_attached.c has
 * those about what hangs off a table. */
#include "shell/describe.h"

#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "shell/describe_internal.h"

/* ---- F_PARTOF: a partition: its parent and bound ---- */

static bool partof_query(job *j, qb *q)
{
    if (!info_true(j, INFO_ISPARTITION))
        return false;
    sh_describe_qb_printf(q,
            "SELECT inhparent::pg_catalog.regclass,\n"
            "  pg_catalog.pg_get_expr(c.relpartbound, c.oid),\n"
            "  inhdetachpending,\n"
            "  %s\n"
            "FROM pg_catalog.pg_class c\n"
            "  JOIN pg_catalog.pg_inherits i ON c.oid = inhrelid\n"
            "WHERE c.oid = $1::pg_catalog.oid",
            j->verbose ? "pg_catalog.pg_get_partition_constraintdef(c.oid)"
                       : "NULL");
    return true;
}

static bool partof_lines(job *j, const pd_result *res)
{
    ptab *t = &j->tab;
    size_t n = pd_result_nrows(res);

    if (n > 0) {
        sh_describe_tab_footer(t, "Partition of: %s %s%s", val(res, 0, 0),
                               val(res, 0, 1),
                               is_true(res, 0, 2) ? " DETACH PENDING" : "");
        if (j->verbose) {
            const char *c = val(res, 0, 3);

            if (c[0] == '\0')
                sh_describe_tab_footer(t, "No partition constraint");
            else
                sh_describe_tab_footer(t, "Partition constraint: %s", c);
        }
    }
    return true;
}

/* ---- F_PARTKEY: a partitioned table: its key ---- */

static bool partkey_query(job *j, qb *q)
{
    if (j->kind != 'p')
        return false;
    sh_describe_qb_puts(q,
            "SELECT pg_catalog.pg_get_partkeydef($1::pg_catalog.oid)");
    return true;
}

static bool partkey_lines(job *j, const pd_result *res)
{
    ptab *t = &j->tab;
    size_t n = pd_result_nrows(res);

    if (n == 1)
        sh_describe_tab_footer(t, "Partition key: %s", val(res, 0, 0));
    return true;
}

/* ---- F_TOAST: a TOAST table: its owner ---- */

static bool toast_query(job *j, qb *q)
{
    if (j->kind != 't')
        return false;
    sh_describe_qb_puts(q, "SELECT n.nspname, c.relname\n"
                           "FROM pg_catalog.pg_class c\n"
                           "  JOIN pg_catalog.pg_namespace n "
                           "ON n.oid = c.relnamespace\n"
                           "WHERE c.reltoastrelid = $1::pg_catalog.oid");
    return true;
}

static bool toast_lines(job *j, const pd_result *res)
{
    ptab *t = &j->tab;
    size_t n = pd_result_nrows(res);

    if (n == 1)
        sh_describe_tab_footer(t, "Owning table: \"%s.%s\"", val(res, 0, 0),
                               val(res, 0, 1));
    return true;
}

/* ---- F_INDEX: an index: what it is and for which table ---- */

static bool index_query(job *j, qb *q)
{
    if (!kind_in(j, "iI"))
        return false;
    sh_describe_qb_puts(q,
            "SELECT i.indisunique, i.indisprimary, i.indisclustered,\n"
            "  i.indisvalid,\n"
            "  (NOT i.indimmediate) AND EXISTS (\n"
            "    SELECT 1 FROM pg_catalog.pg_constraint\n"
            "    WHERE conrelid = i.indrelid AND conindid = i.indexrelid\n"
            "      AND contype IN ('p', 'u', 'x') AND condeferrable),\n"
            "  (NOT i.indimmediate) AND EXISTS (\n"
            "    SELECT 1 FROM pg_catalog.pg_constraint\n"
            "    WHERE conrelid = i.indrelid AND conindid = i.indexrelid\n"
            "      AND contype IN ('p', 'u', 'x') AND condeferred),\n"
            "  i.indisreplident, i.indnullsnotdistinct,\n"
            "  a.amname, c2.relname,\n"
            "  pg_catalog.pg_get_expr(i.indpred, i.indrelid, true)\n"
            "FROM pg_catalog.pg_index i\n"
            "  JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid\n"
            "  JOIN pg_catalog.pg_class c2 ON c2.oid = i.indrelid\n"
            "  JOIN pg_catalog.pg_am a ON a.oid = c.relam\n"
            "WHERE c.oid = $1::pg_catalog.oid");
    return true;
}

/* The footer lines of an index. */
static bool index_lines(job *j, const pd_result *res)
{
    ptab *t = &j->tab;
    pd_strbuf sb = PD_STRBUF_INIT;
    const char *pred;

    if (pd_result_nrows(res) != 1)
        return false; /* psql gives up on the table without a word */
    pred = val(res, 0, 10);
    if (is_true(res, 0, 1))
        pd_strbuf_puts(&sb, "primary key, ");
    else if (is_true(res, 0, 0))
        pd_strbuf_printf(&sb, "unique%s, ",
                         is_true(res, 0, 7) ? " nulls not distinct" : "");
    pd_strbuf_printf(&sb, "%s, for table \"%s.%s\"", val(res, 0, 8),
                     rel_schema(j), val(res, 0, 9));
    if (pred[0] != '\0')
        pd_strbuf_printf(&sb, ", predicate (%s)", pred);
    if (is_true(res, 0, 2))
        pd_strbuf_puts(&sb, ", clustered");
    if (!is_true(res, 0, 3))
        pd_strbuf_puts(&sb, ", invalid");
    if (is_true(res, 0, 4))
        pd_strbuf_puts(&sb, ", deferrable");
    if (is_true(res, 0, 5))
        pd_strbuf_puts(&sb, ", initially deferred");
    if (is_true(res, 0, 6))
        pd_strbuf_puts(&sb, ", replica identity");
    sh_describe_tab_footer_take(t, pd_strbuf_steal(&sb));
    if (j->kind == 'i' && !pd_result_is_null(j->info, 0, INFO_TABLESPACE))
        sh_describe_tab_footer(t, "Tablespace: \"%s\"",
                               info(j, INFO_TABLESPACE));
    return true;
}

/* ---- F_VIEWRULES: a view's definition (\d+) and rules ---- */

static bool viewrules_query(job *j, qb *q)
{
    if (j->viewdef == NULL)
        return false;
    sh_describe_tab_footer(&j->tab, "View definition:");
    sh_describe_tab_footer(&j->tab, "%s", j->viewdef);
    if (!info_true(j, INFO_HASRULES))
        return false;
    sh_describe_qb_puts(q,
            "SELECT r.rulename,\n"
            "  trim(trailing ';' from "
            "pg_catalog.pg_get_ruledef(r.oid, true))\n"
            "FROM pg_catalog.pg_rewrite r\n"
            "WHERE r.ev_class = $1::pg_catalog.oid "
            "AND r.rulename <> '_RETURN'\n"
            "ORDER BY 1");
    return true;
}

static bool viewrules_lines(job *j, const pd_result *res)
{
    ptab *t = &j->tab;
    size_t i, n = pd_result_nrows(res);

    if (n > 0)
        sh_describe_tab_footer(t, "Rules:");
    for (i = 0; i < n; i++) {
        const char *def = val(res, i, 1);

        sh_describe_tab_footer(t, " %s", strlen(def) > 12 ? def + 12 : "");
    }
    return true;
}

/* ---- F_SERVER: a foreign table's server ---- */

static bool server_query(job *j, qb *q)
{
    if (j->kind != 'f')
        return false;
    sh_describe_qb_puts(q,
            "SELECT s.srvname,\n"
            "  pg_catalog.array_to_string(ARRAY(\n"
            "    SELECT pg_catalog.quote_ident(option_name) || ' ' ||\n"
            "           pg_catalog.quote_literal(option_value)\n"
            "    FROM pg_catalog.pg_options_to_table(ftoptions)), ', ')\n"
            "FROM pg_catalog.pg_foreign_table f,\n"
            "  pg_catalog.pg_foreign_server s\n"
            "WHERE f.ftrelid = $1::pg_catalog.oid "
            "AND s.oid = f.ftserver");
    return true;
}

static bool server_lines(job *j, const pd_result *res)
{
    ptab *t = &j->tab;
    size_t n = pd_result_nrows(res);

    if (n > 0) {
        sh_describe_tab_footer(t, "Server: %s", val(res, 0, 0));
        if (val(res, 0, 1)[0] != '\0')
            sh_describe_tab_footer(t, "FDW options: (%s)", val(res, 0, 1));
    }
    return true;
}

/* ---- F_INHERITS: parents ---- */

static bool inherits_query(job *j, qb *q)
{
    if (!kind_in(j, "rmfpIt"))
        return false;
    sh_describe_qb_puts(q,
            "SELECT c.oid::pg_catalog.regclass\n"
            "FROM pg_catalog.pg_class c, pg_catalog.pg_inherits i\n"
            "WHERE c.oid = i.inhparent "
            "AND i.inhrelid = $1::pg_catalog.oid\n"
            "  AND c.relkind != 'p' AND c.relkind != 'I'\n"
            "ORDER BY inhseqno");
    return true;
}

/* "Inherits: a," then the others aligned under the first. */
static bool inherits_lines(job *j, const pd_result *res)
{
    ptab *t = &j->tab;
    size_t i, n = pd_result_nrows(res);

    for (i = 0; i < n; i++)
        sh_describe_tab_footer(t, "%s %s%s",
                               i == 0 ? "Inherits:" : "         ",
                               val(res, i, 0), i + 1 < n ? "," : "");
    return true;
}

/* ---- F_CHILDREN: children or partitions ---- */

static bool children_query(job *j, qb *q)
{
    if (!kind_in(j, "rmfpIt"))
        return false;
    sh_describe_qb_puts(q,
            "SELECT c.oid::pg_catalog.regclass, c.relkind,\n"
            "  inhdetachpending,\n"
            "  pg_catalog.pg_get_expr(c.relpartbound, c.oid)\n"
            "FROM pg_catalog.pg_class c, pg_catalog.pg_inherits i\n"
            "WHERE c.oid = i.inhrelid "
            "AND i.inhparent = $1::pg_catalog.oid\n"
            "ORDER BY pg_catalog.pg_get_expr(c.relpartbound, c.oid) = "
            "'DEFAULT',\n"
            "  c.oid::pg_catalog.regclass::pg_catalog.text");
    return true;
}

/* Children or partitions: their number, or with \d+ the list. */
static bool children_lines(job *j, const pd_result *res)
{
    ptab *t = &j->tab;
    bool parted = kind_in(j, "pI");
    size_t i, n = pd_result_nrows(res);
    const char *ct = parted ? "Partitions" : "Child tables";

    if (parted && n == 0) {
        sh_describe_tab_footer(t, "Number of partitions: 0");
    } else if (!j->verbose) {
        if (n > 0)
            sh_describe_tab_footer(t, "Number of %s: %zu (Use \\d+ "
                                   "to list them.)",
                                   parted ? "partitions" : "child tables", n);
    } else {
        for (i = 0; i < n; i++) {
            pd_strbuf sb = PD_STRBUF_INIT;
            char kind = val(res, i, 1)[0];

            if (i == 0)
                pd_strbuf_printf(&sb, "%s: %s", ct, val(res, i, 0));
            else
                pd_strbuf_printf(&sb, "%*s  %s", (int)strlen(ct), "",
                                 val(res, i, 0));
            if (val(res, i, 3)[0] != '\0')
                pd_strbuf_printf(&sb, " %s", val(res, i, 3));
            if (kind == 'p' || kind == 'I')
                pd_strbuf_puts(&sb, ", PARTITIONED");
            else if (kind == 'f')
                pd_strbuf_puts(&sb, ", FOREIGN");
            if (is_true(res, i, 2))
                pd_strbuf_puts(&sb, " (DETACH PENDING)");
            if (i + 1 < n)
                pd_strbuf_putc(&sb, ',');
            sh_describe_tab_footer_take(t, pd_strbuf_steal(&sb));
        }
    }
    return true;
}

/* ---- the steps, in order ---- */

static const dstep own_steps[F_DONE] = {
    [F_PARTOF] = {partof_query, partof_lines},
    [F_PARTKEY] = {partkey_query, partkey_lines},
    [F_TOAST] = {toast_query, toast_lines},
    [F_INDEX] = {index_query, index_lines},
    [F_VIEWRULES] = {viewrules_query, viewrules_lines},
    [F_SERVER] = {server_query, server_lines},
    [F_INHERITS] = {inherits_query, inherits_lines},
    [F_CHILDREN] = {children_query, children_lines},
};

/* Footer step st, this file's or describe_attached.c's. */
static const dstep *step(int st)
{
    return own_steps[st].query != NULL ? &own_steps[st]
                                       : &sh_describe_attached_steps[st];
}

/* The footers that need no query, then the print, then the next match. */
static void finish_table(job *j)
{
    ptab *t = &j->tab;
    sh_print_opts o = *sh_session_print_opts(j->s);
    char ri = info(j, INFO_REPLIDENT)[0];
    bool catalog = strcmp(rel_schema(j), "pg_catalog") == 0;

    if (kind_in(j, "rmfpIt")) {
        const char *oftype = info(j, INFO_OFTYPE);

        if (oftype[0] != '\0')
            sh_describe_tab_footer(t, "Typed table of type: %s", oftype);
        /* The default identity goes unsaid; an index one is marked on
         * the index. */
        if (j->verbose && kind_in(j, "rm") && ri != 'i' &&
            ((!catalog && ri != 'd') || (catalog && ri != 'n')))
            sh_describe_tab_footer(t, "Replica Identity: %s",
                                   ri == 'f'   ? "FULL"
                                   : ri == 'n' ? "NOTHING"
                                               : "???");
        if (j->kind != 'f' &&
            !pd_result_is_null(j->info, 0, INFO_TABLESPACE))
            sh_describe_tab_footer(t, "Tablespace: \"%s\"",
                                   info(j, INFO_TABLESPACE));
        if (j->verbose && !pd_result_is_null(j->info, 0, INFO_AM))
            sh_describe_tab_footer(t, "Access method: %s", info(j, INFO_AM));
    }
    if (j->verbose && info(j, INFO_OPTIONS)[0] != '\0')
        sh_describe_tab_footer(t, "Options: %s", info(j, INFO_OPTIONS));

    /* psql counts no rows here and never turns this table sideways. */
    o.footer = false;
    o.expanded = 0;
    sh_describe_tab_print(sh_session_out(j->s), t, &o);
    sh_describe_rel_done(j);
}

static void footer_next(job *j);

/* The result of the footer step j->fstep. */
static void on_footer(job *j, pd_result *res)
{
    bool ok = step(j->fstep)->lines(j, res);

    pd_result_free(res);
    if (!ok) {
        sh_describe_job_end(j, 1);
        return;
    }
    j->fstep++;
    footer_next(j);
}

/* Runs the next footer step that has a query, or finishes the table. */
static void footer_next(job *j)
{
    while (j->fstep < F_DONE) {
        qb q;

        sh_describe_qb_oid(&q, rel_oid(j));
        if (step(j->fstep)->query(j, &q)) {
            sh_describe_job_chain(j, &q, on_footer);
            return;
        }
        sh_describe_qb_free(&q);
        j->fstep++;
    }
    finish_table(j);
}

/* Runs the footer steps, then prints; see describe_internal.h. */
void sh_describe_footers(job *j)
{
    j->fstep = F_PARTOF;
    footer_next(j);
}
