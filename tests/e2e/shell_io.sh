#!/usr/bin/env bash
# shell_io.sh: psql 15's input and output commands in pgdeck, compared
# with psql: \c in all its forms (and a failed \c: kept at the prompt,
# gone in a script), \g FILE / \g |cmd / \g (options), \o |cmd, backquotes,
# \copy to/from program, FETCH_COUNT 0 over 1500 rows, \gset errors, JSON
# streamed equal to JSON whole; files pgdeck creates are 0600.
#
# Runs in databases of its own, with a role of its own.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

export PGCLIENTENCODING=UTF8
unset PSQLRC PGOPTIONS PAGER PSQL_PAGER COLUMNS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pd-shell-io.XXXXXX") || exit 1
db="pd_io_$$"
db2="pd_io_other_$$"
role="pd_io_role_$$"
cleanup() {
    pd_e2e_cleanup
    "$PSQL" -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" \
        -c "DROP DATABASE IF EXISTS $db2" -c "DROP ROLE IF EXISTS $role" \
        >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
"$PSQL" -X -q -d postgres -c "CREATE DATABASE $db" -c "CREATE DATABASE $db2" \
    -c "CREATE ROLE $role LOGIN" || exit 1
export PGDATABASE=$db
port=${PGPORT:-5432}
mkdir -p "$tmp/ps" "$tmp/pd"

# both NAME: the template on stdin becomes $tmp/ps/NAME.sql and
# $tmp/pd/NAME.sql, @DIR@ replaced by that program's own directory (so
# each writes its own files) and @DB@ @DB2@ @ROLE@ @PORT@ by this run's.
both() {
    local d
    for d in ps pd; do
        sed -e "s|@DIR@|$tmp/$d|g" -e "s|@DB@|$db|g" -e "s|@DB2@|$db2|g" \
            -e "s|@ROLE@|$role|g" -e "s|@PORT@|$port|g" >"$tmp/$d/$1.sql" \
            <"$tmp/$1.tmpl"
    done
}
tmpl() { cat >"$tmp/$1.tmpl"; both "$1"; }

# same NAME SCRIPT [HOW]: psql and pgdeck run SCRIPT with -f (HOW file,
# the default, or file-rc) or on stdin (stdin-rc); their stdout and
# stderr (psql's "psql:" prefix read as "pgdeck:", each one's directory
# as DIR) must be equal, and with *-rc their exit statuses too (pgdeck
# -f exits 1 after any failure, psql 0: README).
same() {
    local name=$1 sc=$2 how=${3:-file} d prog rc rc_ps=0 rc_pd=0
    for d in ps pd; do
        prog=$PSQL
        [ "$d" = pd ] && prog=$PGDECK
        if [ "$how" = stdin-rc ]; then
            timeout 30 "$prog" -X <"$tmp/$d/$sc.sql" \
                >"$tmp/$d/$sc.out" 2>"$tmp/$d/$sc.err"
        else
            timeout 30 "$prog" -X -f "$tmp/$d/$sc.sql" \
                >"$tmp/$d/$sc.out" 2>"$tmp/$d/$sc.err" </dev/null
        fi
        rc=$?
        if [ "$d" = ps ]; then rc_ps=$rc; else rc_pd=$rc; fi
        sed -i -e 's/^psql:/pgdeck:/' -e "s|$tmp/$d/|DIR/|g" \
            "$tmp/$d/$sc.out" "$tmp/$d/$sc.err"
    done
    if ! cmp -s "$tmp/ps/$sc.out" "$tmp/pd/$sc.out"; then
        not_ok "$name" "stdout differs"
        show_diff "$name stdout" "$tmp/ps/$sc.out" "$tmp/pd/$sc.out"
    elif ! cmp -s "$tmp/ps/$sc.err" "$tmp/pd/$sc.err"; then
        not_ok "$name" "stderr differs"
        show_diff "$name stderr" "$tmp/ps/$sc.err" "$tmp/pd/$sc.err"
    elif [ "${how#*-}" = rc ] && [ "$rc_ps" != "$rc_pd" ]; then
        not_ok "$name" "exit status: psql $rc_ps, pgdeck $rc_pd"
    else
        ok "$name"
    fi
}

# mode FILE: the file's permission bits.
mode() { stat -c %a "$1" 2>/dev/null || echo missing; }

# ---- \c ----

tmpl connect <<'EOF'
\c @DB2@
SELECT current_database(), current_user;
\c @DB2@ @ROLE@
SELECT current_database(), current_user;
\c - - 127.0.0.1
\conninfo
\c - - - @PORT@
\c - - - -
\c
\c -reuse-previous=on @DB@
\c -reuse-previous=off @DB2@
\conninfo
\c -reuse-previous=maybe @DB@ extra
\c 'dbname=@DB@'
\conninfo
\c postgresql://@ROLE@@127.0.0.1:@PORT@/@DB2@
SELECT current_database(), current_user;
\c "@DB@" @ROLE@ - - extra
\c dbname=@DB2@ @ROLE@
\c 'host=127.0.0.1 dbname=@DB2@ password=pd-secret-pw'
SELECT current_database();
\c postgresql://%zz
SELECT 'never';
EOF
same "\\c: DBNAME USER HOST PORT, -, -reuse-previous, conninfo, URI" connect file-rc
if grep -q pd-secret-pw "$tmp/pd/connect.out" "$tmp/pd/connect.err"; then
    not_ok "\\c never prints a password"
else
    ok "\\c never prints a password"
fi

# A failed \c in a script leaves no connection: psql's main loop ends it
# (exit 2), -c goes on without one.
tmpl connect_fail <<'EOF'
\c @DB2@
SELECT current_database();
\c pd_io_no_such_db
SELECT current_database();
EOF
same "failed \\c ends a script (-f), exit 2" connect_fail file-rc
same "failed \\c ends a script (stdin), exit 2" connect_fail stdin-rc
for d in ps pd; do
    prog=$PSQL
    [ "$d" = pd ] && prog=$PGDECK
    "$prog" -X -c "\\c $db2" -c '\conninfo' -c '\c pd_io_no_such_db' \
        -c '\conninfo' -c 'SELECT 1' -c '\c pd_io_x' \
        -c "\\c dbname=$db" -c 'SELECT current_database()' \
        >"$tmp/$d/cfail.out" 2>"$tmp/$d/cfail.err" </dev/null
done
if cmp -s "$tmp/ps/cfail.out" "$tmp/pd/cfail.out" &&
    cmp -s "$tmp/ps/cfail.err" "$tmp/pd/cfail.err"; then
    ok "failed \\c with -c: no connection until a conninfo \\c, as psql"
else
    not_ok "failed \\c with -c: no connection until a conninfo \\c, as psql"
    show_diff "-c stdout" "$tmp/ps/cfail.out" "$tmp/pd/cfail.out"
    show_diff "-c stderr" "$tmp/ps/cfail.err" "$tmp/pd/cfail.err"
fi

# At the prompt the previous connection is kept.
S=io
tmux_start "$S" 160 40 "$PGDECK" shell -X
if tmux_wait "$S" "^$db=$PC ?\$" 10; then
    tmux_keys "$S" -l '\c pd_io_no_such_db'
    tmux_keys "$S" Enter
    tmux_wait "$S" '^Previous connection kept$' 10
    tmux_keys "$S" -l 'SELECT current_database() AS now_in\;'
    tmux_keys "$S" Enter
    if tmux_wait "$S" "^ $db\$" 10 &&
        tmux_capture "$S" | grep -q '^connection to server .*"pd_io_no_such_db" does not exist$'; then
        ok "failed \\c at the prompt: psql's message, previous connection kept"
    else
        not_ok "failed \\c at the prompt: psql's message, previous connection kept" \
            "$(tmux_capture "$S" | grep -v '^$' | tail -n 6 | tr '\n' '|')"
    fi
else
    not_ok "failed \\c at the prompt: psql's message, previous connection kept" \
        "no prompt"
fi
tmux_kill "$S"

# ---- \g, \o ----

"$PSQL" -X -q -c "CREATE TABLE t (a int, b text);
  INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 5) g" || exit 1

# A \g that fails keeps its query in the buffer, as psql's: \r after
# those, as pgdeck -f has no buffer across lines (main.c).
tmpl g <<'EOF'
CREATE TEMP TABLE ti (a int);
SELECT a, b FROM t WHERE a <= 2 ORDER BY a \g @DIR@/g1.txt
SELECT 'piped' AS p \g |cat
SELECT a FROM t ORDER BY a \g | tr 1 X
\g (format=csv) @DIR@/g2.txt
SELECT a, NULL AS n FROM t WHERE a = 1 \g (format=unaligned tuples_only null=NUL)
SELECT a, b FROM t WHERE a = 3 \gx (format=csv) |cat
SELECT a FROM t WHERE a = 4 \g ( border=2 )
SELECT 1 \g (bogus=1)
\r
SELECT 2 \g (format=csv
\r
SELECT 3 \g @DIR@/g3.txt extra
CREATE TEMP TABLE tt (a int) \g @DIR@/never.txt
INSERT INTO ti VALUES (6) RETURNING a \g @DIR@/g4.txt
SELECT 1/0 \g @DIR@/never2.txt
SELECT 4 \g @DIR@/no/such/dir.txt
\o |cat
SELECT 'through cat' AS o;
SELECT a FROM t WHERE a = 5;
\o
\echo back
\o | tr a-z A-Z
SELECT 'upper' AS u;
\o @DIR@/o1.txt
SELECT 'to a file' AS f;
\qecho qecho line
\o
SELECT 'stdout again' AS s;
EOF
same "\\g FILE, \\g |cmd, \\g (options), \\gx, \\o |cmd, \\o FILE" g
for f in g1 g2 g3 g4 o1; do
    if ! cmp -s "$tmp/ps/$f.txt" "$tmp/pd/$f.txt"; then
        not_ok "\\g / \\o file $f.txt as psql's"
        show_diff "$f.txt" "$tmp/ps/$f.txt" "$tmp/pd/$f.txt"
        continue
    fi
    ok "\\g / \\o file $f.txt as psql's"
done
if [ ! -e "$tmp/pd/never.txt" ] && [ ! -e "$tmp/pd/never2.txt" ] &&
    [ ! -e "$tmp/ps/never.txt" ]; then
    ok "\\g FILE: no file when no rows come, as psql"
else
    not_ok "\\g FILE: no file when no rows come, as psql"
fi
modes="$(mode "$tmp/pd/g1.txt") $(mode "$tmp/pd/o1.txt")"
[ "$modes" = "600 600" ] && ok "files \\g and \\o create are 0600" ||
    not_ok "files \\g and \\o create are 0600" "modes: $modes"
# An existing file keeps its mode; \g with no rows leaves it untouched.
echo keep >"$tmp/pd/kept.txt"
chmod 644 "$tmp/pd/kept.txt"
"$PGDECK" -X -q -c 'CREATE TEMP TABLE x (a int)' \
    -c "\\g $tmp/pd/kept.txt" >/dev/null 2>&1
"$PGDECK" -X -c "SELECT 1 AS a \\g $tmp/pd/g5.txt" </dev/null >/dev/null 2>&1
printf 'SELECT 7 AS a \\g %s\n' "$tmp/pd/kept2.txt" >"$tmp/pd/g5.sql"
"$PGDECK" -X -f "$tmp/pd/g5.sql" >/dev/null 2>&1
if [ "$(cat "$tmp/pd/kept.txt")" = keep ] &&
    [ "$(mode "$tmp/pd/kept.txt")" = 644 ] &&
    [ "$(mode "$tmp/pd/kept2.txt")" = 600 ]; then
    ok "\\g FILE: an existing file keeps its mode, untouched without rows"
else
    not_ok "\\g FILE: an existing file keeps its mode, untouched without rows" \
        "$(cat "$tmp/pd/kept.txt") $(mode "$tmp/pd/kept.txt")"
fi

# ---- backquotes ----

tmpl ticks <<'EOF'
\set now `echo 42`
\echo :now
\echo `echo hi` a`echo b`c '`echo literal`' "`echo dq`"
\set v "it is"
\set w 'it''s'
\echo `echo :v` `echo :'w'` `echo :nosuch` `echo :'nosuch'`
\set two `printf 'l1\nl2\n\n'`
\echo [:two]
\set sp `echo 'a b'`
\echo :sp
\echo :`echo x`
\set e `printf ''`
\echo [:e]
\set nl 'a\nb'
\echo `echo :'nl'`
\echo `echo unterminated
\echo after
\pset null `echo NUL`
SELECT NULL AS n;
EOF
same "backquotes: output in place, :var and :'var' inside, quotes" ticks

# \x \t \a \timing read their values as psql (prefixes, backquotes) and
# say the new state on standard output even under \o.
tmpl toggles <<'EOF'
\t on
\t
\t foo
\x foo
\x of
\x
\x auto
\timing foo
\timing of
\t `echo off`
\x `echo on`
\timing `echo off`
\o @DIR@/toggles.txt
\a
\a
\t
\x
\timing
\o
EOF
same "\\x \\t \\a \\timing: values, backquotes, stdout under \\o" toggles

# ---- \copy to and from a program ----

tmpl copyprog <<'EOF'
CREATE TABLE c (a int, b text);
\copy c from program 'printf "1\tx\n2\ty\n"'
\copy c from program 'printf "3\tz\n"; exit 3'
\copy c to program 'cat > @DIR@/c1.txt'
\copy (SELECT a, b FROM c ORDER BY a) to program 'sed s/x/X/ > @DIR@/c2.txt' with (format csv, header)
\copy c to program 'cat > /dev/null; exit 4'
\copy c to program cat
\copy c to program
\copy c from program 'exit 126'
SELECT count(*) FROM c;
DROP TABLE c;
EOF
same "\\copy to/from program: rows, exit statuses, parse errors" copyprog
for f in c1 c2; do
    if cmp -s "$tmp/ps/$f.txt" "$tmp/pd/$f.txt"; then
        ok "\\copy to program: $f.txt as psql's"
    else
        not_ok "\\copy to program: $f.txt as psql's"
        show_diff "$f.txt" "$tmp/ps/$f.txt" "$tmp/pd/$f.txt"
    fi
done

# ---- FETCH_COUNT 0, JSON, \gset ----

# Widths differ between the first 1000 rows and the rest, so a chunked
# print differs from a whole one.
big='SELECT g, repeat($$x$$, g / 100) AS r FROM generate_series(1,1500) g'
"$PSQL" -X -c "$big" >"$tmp/ps/fc0.out"
"$PGDECK" -X -c '\set FETCH_COUNT 0' -c "$big" >"$tmp/pd/fc0.out" </dev/null
"$PGDECK" -X -v FETCH_COUNT=0 -c "$big" >"$tmp/pd/fc0v.out" </dev/null
"$PGDECK" -X -c "$big" >"$tmp/pd/fcd.out" </dev/null
if cmp -s "$tmp/ps/fc0.out" "$tmp/pd/fc0.out" &&
    cmp -s "$tmp/ps/fc0.out" "$tmp/pd/fc0v.out" &&
    ! cmp -s "$tmp/ps/fc0.out" "$tmp/pd/fcd.out"; then
    ok "FETCH_COUNT 0: 1500 rows byte-identical to plain psql"
else
    not_ok "FETCH_COUNT 0: 1500 rows byte-identical to plain psql"
    show_diff "FETCH_COUNT 0" "$tmp/ps/fc0.out" "$tmp/pd/fc0.out"
fi
out=$("$PGDECK" -X -c '\set FETCH_COUNT many' 2>&1 </dev/null)
want=$("$PSQL" -X -c '\set FETCH_COUNT many' 2>&1)
[ "$out" = "$want" ] && ok "FETCH_COUNT takes integers only, as psql" ||
    not_ok "FETCH_COUNT takes integers only, as psql" "got: $out"

# JSON streams: any chunk size prints what the whole result prints.
j='SELECT g, $$a"b$$ AS s, g % 2 = 0 AS even FROM generate_series(1,50) g'
"$PGDECK" -X --json -c '\set FETCH_COUNT 0' -c "$j" >"$tmp/pd/j0.out"
"$PGDECK" -X --json -c '\set FETCH_COUNT 100000' -c "$j" >"$tmp/pd/jbig.out"
jok=1
for fc in 1 7 49 50; do
    "$PGDECK" -X --json -c "\\set FETCH_COUNT $fc" -c "$j" >"$tmp/pd/j$fc.out"
    cmp -s "$tmp/pd/j0.out" "$tmp/pd/j$fc.out" || jok=0
done
cmp -s "$tmp/pd/j0.out" "$tmp/pd/jbig.out" || jok=0
[ "$(head -n 2 "$tmp/pd/j7.out")" = '[{"g":1,"s":"a\"b","even":false},
 {"g":2,"s":"a\"b","even":true},' ] || jok=0
[ "$("$PGDECK" -X --json -c '\set FETCH_COUNT 3' \
    -c 'SELECT 1 AS a WHERE false')" = '[]' ] || jok=0
[ $jok = 1 ] && ok "json streamed in chunks equals json whole" ||
    not_ok "json streamed in chunks equals json whole" \
        "$(diff "$tmp/pd/j0.out" "$tmp/pd/j7.out" | head -4 | tr '\n' '|')"

tmpl gset <<'EOF'
SELECT 1 AS one, 'x' AS two \gset
\echo :one :two
SELECT g FROM generate_series(1, 2) g \gset
SELECT g FROM generate_series(1, 100000) g \gset p_
\echo :p_g
SELECT 1 WHERE false \gset
CREATE TEMP TABLE tg (a int);
INSERT INTO tg VALUES (7) RETURNING a AS ins \gset
\echo :ins
SELECT 1 AS m \; SELECT 2 AS n \gset
\echo :n
SELECT 1/0 AS z \gset
CREATE TEMP TABLE gs () \gset
EOF
same "\\gset: more than one row, no rows, RETURNING, as psql" gset
