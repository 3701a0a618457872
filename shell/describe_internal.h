/* describe_internal.h: the internals of the \d family (describe.h),
 * shared by its files and included by no other.
 *
 *   describe.c           the command table, arguments, name patterns,
 *                        query building, tables built by hand, jobs;
 *   describe_list.c      the lists: \dt \di \dv \dm \ds \dE (and \d
 *                        alone), \df, \dn, \du, \l;
 *   describe_rel.c       \d NAME: the matches, each relation's facts, its
 *                        title and columns, or a sequence's parameters;
 *   describe_footer.c    \d NAME's footers, step by step in psql's order,
 *                        those about the relation itself, then the print;
 *   describe_attached.c  the footer steps about what hangs off a table:
 *                        indexes, constraints, policies, statistics,
 *                        rules, publications, triggers;
 *   describe_more.c      \dx, \dT, \dp (\z), \sf.
 *
 * A command is a job: a chain of catalog queries on the session's
 * connection, one at a time, each result handled by the step that asked
 * for it, then the print. Everything runs on the loop thread.
 *
 * The short static inline accessors (val, is_true, info, ...) are each
 * file's own; every function the files share is sh_describe_*. */
#ifndef SH_DESCRIBE_INTERNAL_H
#define SH_DESCRIBE_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/result.h"
#include "core/strbuf.h"
#include "shell/commands.h"
#include "shell/format.h"

/* ---- arguments and patterns (describe.c) ---- */

/* Reads the argument at *pp as psql reads a slash command's options:
 * blanks separate arguments; "double-quoted" parts keep their quotes (a
 * pattern needs them); 'single-quoted' parts lose theirs, with '' for a
 * quote and backslash escapes. Returns-owned, or NULL when none is left;
 * *pp moves past it. */
char *sh_describe_next_arg(const char **pp);

/* ---- building queries (describe.c) ---- */

/* A query being built: its text and its parameters. */
typedef struct qb {
    pd_strbuf sql;  /* the statement */
    char **params;  /* owned texts for $1, $2, ... */
    int nparams;    /* used entries */
    bool where;     /* a WHERE clause has begun */
} qb;

void sh_describe_qb_init(qb *q);
void sh_describe_qb_free(qb *q);
void sh_describe_qb_puts(qb *q, const char *s);
void sh_describe_qb_printf(qb *q, const char *fmt, ...) PD_PRINTF(2, 3);
/* Adds value (copied) as the next parameter; returns its number. */
int sh_describe_qb_param(qb *q, const char *value);
/* Starts the next condition: "WHERE " first, then "  AND ". */
void sh_describe_qb_and(qb *q);
/* Starts a query whose only parameter is the described relation's OID. */
void sh_describe_qb_oid(qb *q, const char *oid);

/* Adds the conditions psql's processSQLNamePattern adds for pattern
 * (borrowed; NULL adds the visibility rule alone): the name part matched
 * against namevar (or altnamevar), the schema part against schemavar, or
 * the visibility rule when there is no schema part. Checks its dotted
 * parts as validateSQLNamePattern does against maxparts and the current
 * database dbname. Returns NULL, or a returns-owned message in psql's
 * words when psql would refuse the pattern. */
char *sh_describe_add_pattern(qb *q, const char *pat, const char *dbname,
                              const char *schemavar, const char *namevar,
                              const char *altnamevar, const char *visibility,
                              int maxparts);

/* ---- tables built by hand (describe.c) ---- */

#define SH_DESCRIBE_MAX_COLS 16

/* A table as psql's printTable builds it: headers, cells, footers. */
typedef struct ptab {
    char *title;                 /* owned */
    int ncols;                   /* headers added */
    const char *headers[SH_DESCRIBE_MAX_COLS]; /* static strings */
    char aligns[SH_DESCRIBE_MAX_COLS + 1]; /* 'l' or 'r' per column */
    char **cells;                /* owned strings, row-major */
    size_t ncells, capcells;
    char **footers;              /* owned strings */
    size_t nfooters, capfooters;
} ptab;

/* Adds a column; name is a static string; align 'l' or 'r'. */
void sh_describe_tab_header(ptab *t, const char *name, char align);
/* Appends a copy of v (NULL is ""). */
void sh_describe_tab_cell(ptab *t, const char *v);
/* Appends a footer line; takes line. */
void sh_describe_tab_footer_take(ptab *t, char *line);
/* Appends a footer line, formatted. */
void sh_describe_tab_footer(ptab *t, const char *fmt, ...) PD_PRINTF(2, 3);
/* Frees what t owns and zeroes it. */
void sh_describe_tab_free(ptab *t);
void sh_describe_tab_print(FILE *out, const ptab *t, const sh_print_opts *o);

/* ---- results ---- */

/* A value as psql's PQgetvalue gives it: "" for NULL. Borrowed. */
static inline const char *val(const pd_result *r, size_t row, int col)
{
    const char *v = pd_result_value(r, row, col);

    return v != NULL ? v : "";
}

/* Is the value a boolean's "t"? */
static inline bool is_true(const pd_result *r, size_t row, int col)
{
    return strcmp(val(r, row, col), "t") == 0;
}

/* ---- jobs (describe.c) ---- */

typedef struct job job;

/* Handles the result of the query the job has in flight; takes res. */
typedef void (*step_fn)(job *j, pd_result *res);

/* One run of one command. */
struct job {
    sh_session *s;     /* borrowed */
    char *cmd;         /* owned: the name as typed ("dt+"), for warnings */
    char *pattern;     /* owned first argument, or NULL */
    char *rest;        /* owned: the arguments after it */
    bool verbose;      /* "+" */
    bool system;       /* "S" */
    const char *kinds; /* \d lists: which of "tvmisE" */
    step_fn next;      /* the step waiting for the query in flight */
    bool terse;        /* a server error is said as "SEVERITY:  message"
                          alone, psql's minimal_error_message (\sf) */

    /* \d NAME */
    pd_result *rels;   /* oid, schema, name of each match */
    size_t rel;        /* the one being described */
    pd_result *info;   /* its pg_class facts (INFO_* columns) */
    pd_result *seq;    /* a sequence's parameters */
    char *viewdef;     /* owned view definition, for \d+ of views */
    char kind;         /* its relkind */
    ptab tab;          /* the table being built */
    int fstep;         /* the footer step reached (enum fstep) */
};

/* A job for command name (as looked up: "dt") with its arguments args
 * (borrowed): the "+" and "S" of the name's tail, the first argument as
 * the pattern. Returns-owned; job_end or job_free frees it. */
job *sh_describe_job_new(sh_session *s, const char *name, const char *args);
void sh_describe_job_free(job *j);
/* Ends the command: on success psql warns about each argument it did not
 * use; after a failure it drops them silently. Frees j and ends the
 * session's unit with status. */
void sh_describe_job_end(job *j, int status);
/* Sends q (freed here) from inside a step, with next to handle its
 * result; a failure to send ends the job. */
void sh_describe_job_chain(job *j, qb *q, step_fn next);
/* Starts a command's first query (q freed here): returns what the
 * command returns (SH_CMD_ASYNC, or 1 with j freed). */
int sh_describe_job_start(job *j, qb *q, step_fn next);
/* Adds the pattern's conditions to q; when psql would refuse the pattern,
 * says why, frees q and returns false. */
bool sh_describe_job_pattern(job *j, qb *q, const char *schemavar,
                             const char *namevar, const char *visibility,
                             int maxparts);
/* A pattern psql refuses fails the command before any query: frees j,
 * returns 1. */
int sh_describe_job_refused(job *j);
/* The matches (res, taken; their rows in j->rels) of a command that
 * describes each in turn: none fails the command, said unless quiet as
 * psql says it ("Did not find any <one> named "PATTERN"." or, without a
 * pattern, "Did not find any <many>."); otherwise calls first with
 * j->rel at 0. */
void sh_describe_each(job *j, pd_result *res, const char *one,
                      const char *many, void (*first)(job *j));
/* Prints a list under its title (NULLs as ""), as psql's printQuery;
 * footers (borrowed) under it. */
void sh_describe_print_list(job *j, const pd_result *res, const char *title,
                            const char *const *footers, size_t nfooters);

/* ---- the commands: each takes j and returns what a command returns ---- */

/* describe_list.c */
int sh_describe_list_relations(job *j, const char *kinds); /* "tvmisE" */
int sh_describe_list_functions(job *j, const char *types); /* "anptw" */
int sh_describe_list_schemas(job *j);
int sh_describe_list_roles(job *j);
int sh_describe_list_databases(job *j);
/* The SQL spelling psql maps a type pattern to ("int" is "integer");
 * pat itself or a static string. */
const char *sh_describe_map_type_name(const char *pat);
/* describe_more.c */
int sh_describe_extensions(job *j);
int sh_describe_types(job *j);
int sh_describe_privileges(job *j);
/* \sf: args (borrowed) is the whole line, the function's name. */
int sh_describe_function_source(job *j, const char *args);
/* describe_rel.c: \d [NAME] */
int sh_describe_rel(job *j);

/* ---- \d NAME (describe_rel.c, describe_footer.c, describe_attached.c) */

/* Columns of the INFO query, the relation's pg_class facts. */
enum {
    INFO_CHECKS, INFO_KIND, INFO_HASINDEX, INFO_HASRULES, INFO_HASTRIGGERS,
    INFO_ROWSEC, INFO_FORCEROWSEC, INFO_ISPARTITION, INFO_OPTIONS,
    INFO_TABLESPACE, INFO_OFTYPE, INFO_PERSISTENCE, INFO_REPLIDENT, INFO_AM
};

/* The footers of \d NAME, in psql's order; each step may run a query. */
enum fstep {
    F_PARTOF,    /* a partition: its parent and bound */
    F_PARTKEY,   /* a partitioned table: its key */
    F_TOAST,     /* a TOAST table: its owner */
    F_INDEX,     /* an index: what it is and for which table */
    F_INDEXES,   /* a table's indexes */
    F_CHECKS,    /* check constraints */
    F_FKEYS,     /* foreign keys */
    F_REFBY,     /* foreign keys pointing here */
    F_POLICIES,  /* row-level security */
    F_STATS,     /* extended statistics */
    F_RULES,     /* a table's rules */
    F_PUBS,      /* publications */
    F_VIEWRULES, /* a view's definition (\d+) and rules */
    F_TRIGGERS,  /* triggers, by category */
    F_SERVER,    /* a foreign table's server */
    F_INHERITS,  /* parents */
    F_CHILDREN,  /* children or partitions */
    F_DONE       /* the lines that need no query, then the print */
};

/* The described relation's facts. Borrowed. */
static inline const char *info(const job *j, int col) /* INFO_* */
{
    return val(j->info, 0, col);
}

static inline bool info_true(const job *j, int col)
{
    return is_true(j->info, 0, col);
}

static inline const char *rel_oid(const job *j)
{
    return val(j->rels, j->rel, 0);
}

static inline const char *rel_schema(const job *j)
{
    return val(j->rels, j->rel, 1);
}

/* Is the relation's relkind one of kinds? */
static inline bool kind_in(const job *j, const char *kinds)
{
    return strchr(kinds, j->kind) != NULL;
}
/* The relation is printed: describes the next match, or ends the
 * command after the last. */
void sh_describe_rel_done(job *j);

/* Runs the footer steps of the relation, from F_PARTOF, then prints its
 * table and calls sh_describe_rel_done. */
void sh_describe_footers(job *j);

/* One footer step. query builds the step's query into q, which already
 * holds the relation's OID as $1, and returns false when the relation has
 * nothing for this step; lines adds the footer lines of its result
 * (borrowed) and returns false when psql gives up on the relation. */
typedef struct dstep {
    bool (*query)(job *j, qb *q);
    bool (*lines)(job *j, const pd_result *res);
} dstep;

/* describe_attached.c: the steps F_INDEXES to F_TRIGGERS, except
 * F_VIEWRULES; the other entries are empty. */
extern const dstep sh_describe_attached_steps[F_DONE];

#endif
