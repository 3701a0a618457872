#!/usr/bin/env bash
# shell_flags.sh: psql's -1 (--single-transaction), -o (--output) and -l
# (--list), compared with psql 15 side by side: standard output, standard
# error (psql's "psql:" prefix read as "pgdeck:"), the table afterwards,
# -o's file, and the exit status, which follows pgdeck's documented rule
# (README): with -c or -f, 1 when any command failed, where psql exits 0
# unless the last one failed or ON_ERROR_STOP stopped it.
#
# Runs in a database of its own, so its tables meet no other test's.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

unset PSQLRC PGOPTIONS PAGER PSQL_PAGER COLUMNS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pd-shell-flags.XXXXXX") || exit 1
db="pd_shell_flags_$$"
cleanup() {
    pd_e2e_cleanup
    "$PSQL" -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
"$PSQL" -X -q -d postgres -c "CREATE DATABASE $db" || exit 1
export PGDATABASE=$db
"$PSQL" -X -q -c "CREATE TABLE t (a int);
  CREATE TABLE p (id int PRIMARY KEY);
  CREATE TABLE c (pid int REFERENCES p DEFERRABLE INITIALLY DEFERRED);" ||
    exit 1

# both TAG ARGS...: psql -X and pgdeck -X with ARGS, each after emptying
# t, into $tmp/TAG.{psql,pd}.{out,err,rc,rows} (rows: t's rows after);
# an argument @O@ becomes each one's own $tmp/TAG.{psql,pd}.o (for -o).
both() {
    local tag=$1 prog who
    shift
    for who in psql pd; do
        prog=$PGDECK
        [ "$who" = psql ] && prog=$PSQL
        "$PSQL" -X -q -c 'TRUNCATE t, c' || exit 1
        rm -f "$tmp/$tag.$who.o"
        run "$prog" "$tmp/$tag.$who" -X "${@//@O@/$tmp/$tag.$who.o}"
        "$PSQL" -X -At -c 'SELECT coalesce(string_agg(a::text, $$,$$
            ORDER BY a), $$-$$) FROM t' >"$tmp/$tag.$who.rows"
    done
    sed -i 's/^psql:/pgdeck:/' "$tmp/$tag.psql.err"
}

# same NAME TAG WHAT...: the files WHAT (out, err, rows) of TAG are equal.
same() {
    local name=$1 tag=$2 w
    shift 2
    for w in "$@"; do
        if ! cmp -s "$tmp/$tag.psql.$w" "$tmp/$tag.pd.$w"; then
            not_ok "$name" "$w differs"
            show_diff "$name: $w" "$tmp/$tag.psql.$w" "$tmp/$tag.pd.$w"
            return
        fi
    done
    ok "$name"
}

# want NAME TAG WHAT PSQL PD: psql's WHAT (rc, rows) of TAG is PSQL and
# pgdeck's is PD.
want() {
    local p d
    p=$(cat "$tmp/$2.psql.$3")
    d=$(cat "$tmp/$2.pd.$3")
    if [ "$p" = "$4" ] && [ "$d" = "$5" ]; then
        ok "$1"
    else
        not_ok "$1" "$3: psql $p (want $4), pgdeck $d (want $5)"
    fi
}
status() { want "$1" "$2" rc "$3" "$4"; }
rows() { want "$1" "$2" rows "$3" "$3"; }

ins1='INSERT INTO t VALUES (1)'
ins2='INSERT INTO t VALUES (2)'

# ---- -1 ----
both ok1 -1 -c "$ins1" -c "$ins2"
same "-1: output as psql's, no BEGIN/COMMIT tags" ok1 out err
status "-1: success exits 0" ok1 0 0
rows "-1: committed" ok1 1,2
both ok1l --single-transaction -c "$ins1" -c "$ins2"
same "--single-transaction: output as psql's" ok1l out err rows

both fail1 -1 -c "$ins1" -c 'SELECT nope' -c "$ins2"
same "-1, a failure: output as psql's (then transaction aborted)" \
    fail1 out err
grep -q 'current transaction is aborted' "$tmp/fail1.pd.err" &&
    ok "-1, a failure: later statements are refused" ||
    not_ok "-1, a failure: later statements are refused"
status "-1, a failure: exit 1 (psql's: its last failed)" fail1 1 1
rows "-1, a failure: COMMIT rolled everything back" fail1 -

both stop1 -1 -v ON_ERROR_STOP=1 -c "$ins1" -c 'SELECT nope' -c "$ins2"
same "-1 with ON_ERROR_STOP: output as psql's" stop1 out err
status "-1 with ON_ERROR_STOP, -c fails: exit 1 as psql" stop1 1 1
rows "-1 with ON_ERROR_STOP: rolled back" stop1 -

printf '%s;\nSELECT\n  nope;\n%s;\n' "$ins1" "$ins2" >"$tmp/f.sql"
both failf -1 -f "$tmp/f.sql"
same "-1 -f, a failure: output as psql's" failf out err
status "-1 -f, a failure: pgdeck exits 1 (psql 0)" failf 0 1
rows "-1 -f, a failure: nothing committed" failf -

both stopf -1 -v ON_ERROR_STOP=1 -f "$tmp/f.sql"
same "-1 -f with ON_ERROR_STOP: output as psql's" stopf out err
status "-1 -f with ON_ERROR_STOP: exit 3" stopf 3 3
rows "-1 -f with ON_ERROR_STOP: rolled back" stopf -

printf '%s;\n%s;\n' "$ins1" "$ins2" >"$tmp/g.sql"
both mixed -1 -c "$ins1" -f "$tmp/g.sql" -c 'SELECT count(*) FROM t'
same "-1 over -c and -f: one transaction, as psql" mixed out err rows
status "-1 over -c and -f: exit 0" mixed 0 0

# A deferred constraint fails at the COMMIT itself: psql prints the error
# (no file prefix) and keeps its status; pgdeck says 1 (its rule).
both defer -1 -c 'INSERT INTO c VALUES (7)'
same "-1, COMMIT fails: output as psql's" defer out err
status "-1, COMMIT fails: pgdeck exits 1 (psql 0)" defer 0 1
printf 'INSERT INTO c VALUES (7);\n' >"$tmp/c.sql"
both deferstop -1 -v ON_ERROR_STOP=1 -f "$tmp/c.sql"
same "-1, COMMIT fails under ON_ERROR_STOP: output as psql's" \
    deferstop out err
status "-1, COMMIT fails under ON_ERROR_STOP: exit 3" deferstop 3 3

both nested -1 -c BEGIN -c COMMIT
same "-1 around BEGIN/COMMIT: psql's warnings" nested out err
both echo1 -1 -c '\echo hi' -q
same "-1 with a backslash command only" echo1 out err rc

both noconn -1 -h "$tmp/nosock" -c "$ins1"
same "-1, no server: psql's error" noconn out err rc
status "-1, no server: exit 2" noconn 2 2

# Without -c or -f psql ignores -1: piped input runs as it would.
echo COMMIT | "$PSQL" -X -1 >"$tmp/pipe.psql.out" 2>"$tmp/pipe.psql.err"
echo COMMIT | timeout 30 "$PGDECK" -X -1 >"$tmp/pipe.pd.out" \
    2>"$tmp/pipe.pd.err"
same "-1 without -c/-f is ignored, as psql" pipe out err

# ---- -o ----
# where.sql: results, tags, \qecho to -o's file; \echo and errors not.
cat >"$tmp/where.sql" <<'SQL'
SELECT 1 AS a, 'x' AS b;
\echo to stdout
\qecho to the output
INSERT INTO t VALUES (3);
SELECT nope;
\pset format unaligned
SELECT * FROM t;
SQL
both out1 -o @O@ -f "$tmp/where.sql"
same "-o: stdout and stderr as psql's" out1 out err
same "-o: the file as psql's, byte for byte" out1 o
[ "$(stat -c %a "$tmp/out1.pd.o")" = 600 ] && ok "-o: a new file is 0600" ||
    not_ok "-o: a new file is 0600" "$(stat -c %a "$tmp/out1.pd.o")"
status "-o: exit status (a statement failed)" out1 0 1

both out2 --output=@O@ -c 'SELECT 1' -c '\o' -c 'SELECT 2'
same "--output, then \\o back to stdout: as psql" out2 out err rc o

both outbad -o "$tmp/no/such/dir" -h "$tmp/nosock" -c 'SELECT 1'
same "-o unwritable: psql's error, before connecting" outbad out err rc
status "-o unwritable: exit 1" outbad 1 1

both outpipe -o '|cat -n' -c 'SELECT 1' -c 'SELECT generate_series(1, 500)'
same "-o |COMMAND: the command's output as psql's" outpipe out err rc
both outempty -o '' -c 'SELECT 1'
same "-o '': standard output, as psql" outempty out err rc

# ---- -l ----
both list -l
same "-l: the list as psql's" list out err rc
both listlong --list -x
same "--list -x: as psql's" listlong out err rc
both listc -l -c 'SELECT 1' -f "$tmp/missing.sql"
same "-l with -c and -f: lists, runs nothing, as psql" listc out err rc
both listA -l -A -t
same "-l -A -t: as psql's" listA out err rc
both listo -l -o @O@
same "-l -o FILE: the list in the file, as psql's" listo out err rc o
[ -s "$tmp/listo.pd.o" ] && ok "-l -o FILE: the file has the list" ||
    not_ok "-l -o FILE: the file has the list"
for who in psql pd; do
    prog=$PGDECK
    [ "$who" = psql ] && prog=$PSQL
    PGDATABASE=no_such_db_$$ run "$prog" "$tmp/listdb.$who" -X -l
done
same "-l connects to postgres, not PGDATABASE, as psql" listdb out err rc
both listbad -l -d "no_such_db_$$"
same "-l -d missing database: psql's error" listbad out err rc
status "-l -d missing database: exit 2" listbad 2 2

# ---- --help ----
help=$("$PGDECK" --help)
for o in '-1, --single-transaction' '-o, --output=FILE' '-l, --list'; do
    case "$help" in
    *"$o"*) ok "--help lists $o" ;;
    *) not_ok "--help lists $o" ;;
    esac
done
