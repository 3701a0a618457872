#!/usr/bin/env bash
# shell_psql.sh: psql's own commands in pgdeck, compared with psql where
# psql has the same thing (\pset, \set/\echo, :var, \gset, \o, \i,
# ON_ERROR_STOP, \copy), and the interactive parts in tmux: the history
# file, tab completion, the pager, \watch stopped by Ctrl-C, \e.
#
# Runs in a database of its own, so its tables meet no other test's.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

export PGCLIENTENCODING=UTF8
unset PSQLRC PGOPTIONS PAGER PSQL_PAGER COLUMNS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pd-shell-psql.XXXXXX") || exit 1
db="pd_shell_psql_$$"
cleanup() {
    pd_e2e_cleanup
    "$PSQL" -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
"$PSQL" -X -q -d postgres -c "CREATE DATABASE $db" || exit 1
export PGDATABASE=$db
"$PSQL" -X -q -c "CREATE TABLE markets (id int PRIMARY KEY, name text,
    price numeric, opened date);
  INSERT INTO markets SELECT g, 'market ' || g, g * 1.25,
    date '2024-01-01' + g FROM generate_series(1, 40) g;
  UPDATE markets SET name = NULL WHERE id = 3;
  UPDATE markets SET name = 'tab	and ''quote''' WHERE id = 4;
  CREATE TABLE copied (LIKE markets);" || exit 1

# same NAME FILE [ARGS...]: pgdeck -f FILE and psql -X -f FILE print the
# same (stdout and stderr together, psql's "psql:" prefix read as
# "pgdeck:"). The exit status is main.c's business (psql -f exits 0
# after a failed statement).
same() {
    local name=$1 file=$2; shift 2
    "$PSQL" -X "$@" -f "$file" >"$tmp/psql.out" 2>&1
    timeout 30 "$PGDECK" "$@" -f "$file" >"$tmp/pd.out" 2>&1 </dev/null
    sed -i 's/^psql:/pgdeck:/' "$tmp/psql.out"
    if cmp -s "$tmp/psql.out" "$tmp/pd.out"; then
        ok "$name"
    else
        not_ok "$name" "$(diff "$tmp/psql.out" "$tmp/pd.out" | head -n 8 |
            tr '\n' '|')"
    fi
}

# script NAME: the text on stdin becomes $tmp/NAME.sql.
script() { cat >"$tmp/$1.sql"; }

script pset <<'EOF'
\pset format csv
SELECT id, name, price FROM markets WHERE id <= 4 ORDER BY id;
\pset format unaligned
\pset fieldsep ;
\pset recordsep '|\n'
SELECT id, name FROM markets WHERE id <= 4 ORDER BY id;
\pset recordsep '\n'
\pset fieldsep
\pset format aligned
\pset border 2
\pset null '(null)'
SELECT id, name FROM markets WHERE id <= 4 ORDER BY id;
\pset border 0
\pset footer
SELECT id, name FROM markets WHERE id <= 2 ORDER BY id;
\pset footer on
\pset tuples_only
SELECT id FROM markets WHERE id <= 2 ORDER BY id;
\pset tuples_only off
\pset border 1
\pset expanded
SELECT * FROM markets WHERE id = 3;
\pset expanded auto
\pset x off
\pset format al
\pset format a
\pset nosuch
\pset tuples_only maybe
\pset expanded maybe
\pset csv_fieldsep ab
\pset csv_fieldsep ;
\pset format csv extra
SELECT 1 AS a, 2 AS b;
EOF
same "\\pset formats, options and messages as psql" "$tmp/pset.sql"
out=$(timeout 30 "$PGDECK" -c '\pset format json' -c 'SELECT 1 AS a' \
      -c '\pset format nosuch' 2>&1)
want='Output format is json.
[{"a":1}]
\pset: allowed formats are aligned, csv, json, unaligned, wrapped'
if [ "$out" = "$want" ]; then
    ok "\\pset format json, and pgdeck's own list of formats"
else
    not_ok "\\pset format json, and pgdeck's own list of formats" \
        "$(printf '%s' "$out" | tr '\n' '|')"
fi

script vars <<'EOF'
\set foo bar
\set q 'it''s a \\ x'
\set n 'a''b"c'
\echo :foo :'foo' :"foo" ':foo' :nosuch :'nosuch' pre:foo
\echo :q :'q' :"q" :"n"
\echo -n no newline
\echo
\echo 'a b'  c "q x" 'it''s' 'tab\tx' x'y'z "a""b" 'oct\101' 'hex\x41'
SELECT :'q' AS lit, :'foo' AS "x", 1::int AS c, ':foo' AS s, $$:foo$$ AS d;
SELECT :{?foo} AS set, :{?nosuch} AS unset;
\set a 1 2 3
\echo :a
\unset foo
\echo :foo
\unset
\set 1bad x
\set x:y 1
\set ON_ERROR_STOP maybe
\set ON_ERROR_STOP
\echo :ON_ERROR_STOP
\unset ON_ERROR_STOP
\echo :ON_ERROR_STOP
SELECT 1 AS one, 'two' AS two \gset
\echo :one :two
SELECT 3 AS one, NULL AS two \gset pre_
\echo :pre_one :pre_two
SELECT 1 WHERE false \gset
SELECT 1, 2 UNION SELECT 3, 4 \gset
SELECT 1 \gset
SELECT 10 AS ten; SELECT 20 AS twenty \gset
\echo :twenty
INSERT INTO copied VALUES (999, 'x', 1, NULL) \gset
DELETE FROM copied;
\echo :ROW_COUNT :ERROR :SQLSTATE
SELECT nosuch;
\echo :ROW_COUNT :ERROR :SQLSTATE :LAST_ERROR_SQLSTATE :LAST_ERROR_MESSAGE
SELECT 7 AS seven;
\g
\gx
\p
SELECT 8 \p
\r
\p
EOF
same "\\set, \\echo, :var interpolation, \\gset, \\g, \\p, \\r as psql" \
    "$tmp/vars.sql"

printf 'SELECT 42 AS included;\nSELECT nope;\n\\qecho in include\n' \
    >"$tmp/inc.sql"
mkdir -p "$tmp/sub"
printf '\\ir inc2.sql\n' >"$tmp/sub/rel.sql"
printf 'SELECT 43 AS relative;\n' >"$tmp/sub/inc2.sql"
script io <<EOF
\\o $tmp/o_NAME.txt
SELECT 1 AS to_file;
\\echo echo goes to stdout
\\qecho qecho goes to the file
\\o
SELECT 2 AS to_stdout;
\\i $tmp/inc.sql
\\i $tmp/sub/rel.sql
\\i $tmp/nosuch.sql
\\i
\\o /nonexistent/dir/x
\\o $tmp/o_NAME.txt $tmp/extra
\\o
EOF
sed "s/NAME/psql/" "$tmp/io.sql" >"$tmp/io_psql.sql"
sed "s/NAME/pgdeck/" "$tmp/io.sql" >"$tmp/io_pd.sql"
"$PSQL" -X -f "$tmp/io_psql.sql" >"$tmp/psql.out" 2>&1
timeout 30 "$PGDECK" -f "$tmp/io_pd.sql" >"$tmp/pd.out" 2>&1 </dev/null
sed -i -e 's/^psql:/pgdeck:/' -e 's/io_psql/io_pd/' -e 's/o_psql/o_pgdeck/' \
    "$tmp/psql.out"
if cmp -s "$tmp/psql.out" "$tmp/pd.out" &&
   cmp -s "$tmp/o_psql.txt" "$tmp/o_pgdeck.txt"; then
    ok "\\o to a file and back, \\i, \\ir, their errors as psql"
else
    not_ok "\\o to a file and back, \\i, \\ir, their errors as psql" \
        "$(diff "$tmp/psql.out" "$tmp/pd.out" | head -n 6 | tr '\n' '|')$(
           diff "$tmp/o_psql.txt" "$tmp/o_pgdeck.txt" | head -n 4 |
           tr '\n' '|')"
fi

script stop <<'EOF'
SELECT 1 AS before;
SELECT nosuch;
\set ON_ERROR_STOP on
SELECT 2 AS still;
SELECT alsonosuch;
SELECT 3 AS never;
EOF
# Exit 3 from a script on stdin (psql reads it as pgdeck does).
"$PSQL" -X <"$tmp/stop.sql" >"$tmp/psql.out" 2>&1
echo "rc=$?" >>"$tmp/psql.out"
timeout 30 "$PGDECK" <"$tmp/stop.sql" >"$tmp/pd.out" 2>&1
echo "rc=$?" >>"$tmp/pd.out"
if cmp -s "$tmp/psql.out" "$tmp/pd.out"; then
    ok "ON_ERROR_STOP stops a script on stdin with exit 3"
else
    not_ok "ON_ERROR_STOP stops a script on stdin with exit 3" \
        "$(diff "$tmp/psql.out" "$tmp/pd.out" | tr '\n' '|')"
fi
# With -f the output must match; the status is main.c's to map to 3.
"$PSQL" -X -f "$tmp/stop.sql" >"$tmp/psql.out" 2>&1
timeout 30 "$PGDECK" -f "$tmp/stop.sql" >"$tmp/pd.out" 2>&1 </dev/null
rc=$?
sed -i 's/^psql:/pgdeck:/' "$tmp/psql.out"
if cmp -s "$tmp/psql.out" "$tmp/pd.out"; then
    ok "ON_ERROR_STOP stops a -f script where psql stops"
else
    not_ok "ON_ERROR_STOP stops a -f script where psql stops" \
        "$(diff "$tmp/psql.out" "$tmp/pd.out" | tr '\n' '|')"
fi
if [ "$rc" -eq 3 ]; then
    ok "ON_ERROR_STOP: -f exits 3"
else
    not_ok "ON_ERROR_STOP: -f exits 3" "exit status $rc"
fi
# -c stops at the first failure, exit 1, as psql.
"$PSQL" -X -c '\set ON_ERROR_STOP on' -c 'SELECT nosuch' -c 'SELECT 1' \
    >"$tmp/psql.out" 2>&1
echo "rc=$?" >>"$tmp/psql.out"
timeout 30 "$PGDECK" -c '\set ON_ERROR_STOP on' -c 'SELECT nosuch' \
    -c 'SELECT 1' >"$tmp/pd.out" 2>&1 </dev/null
echo "rc=$?" >>"$tmp/pd.out"
if cmp -s "$tmp/psql.out" "$tmp/pd.out"; then
    ok "ON_ERROR_STOP with -c: stop, exit 1"
else
    not_ok "ON_ERROR_STOP with -c: stop, exit 1" \
        "$(diff "$tmp/psql.out" "$tmp/pd.out" | tr '\n' '|')"
fi

# \copy TO a file: byte-identical to psql's file, same "COPY n".
for opts in "" "csv header" "(format csv, header true, delimiter ';')"; do
    "$PSQL" -X -c "\\copy markets to '$tmp/psql.copy' $opts" \
        >"$tmp/psql.out" 2>&1
    timeout 30 "$PGDECK" -c "\\copy markets to '$tmp/pd.copy' $opts" \
        >"$tmp/pd.out" 2>&1 </dev/null
    if cmp -s "$tmp/psql.copy" "$tmp/pd.copy" &&
       cmp -s "$tmp/psql.out" "$tmp/pd.out"; then
        ok "\\copy to a file as psql [$opts]"
    else
        not_ok "\\copy to a file as psql [$opts]" \
            "$(cat "$tmp/pd.out" | tr '\n' '|')"
    fi
done
for c in "\\copy (SELECT id, name FROM markets WHERE id < 5) to '$tmp/@F@.q'" \
         "\\copy markets (id, price) to '$tmp/@F@.c' with csv" \
         "\\copy markets to stdout" "\\copy nosuch to '$tmp/@F@.n'" \
         "\\copy markets to '/nonexistent/dir/x'" "\\copy markets"; do
    "$PSQL" -X -c "${c//@F@/psql}" >"$tmp/psql.out" 2>&1
    echo "rc=$?" >>"$tmp/psql.out"
    timeout 30 "$PGDECK" -c "${c//@F@/pd}" >"$tmp/pd.out" 2>&1 </dev/null
    echo "rc=$?" >>"$tmp/pd.out"
    if cmp -s "$tmp/psql.out" "$tmp/pd.out"; then
        ok "as psql: ${c//@F@/f}"
    else
        not_ok "as psql: ${c//@F@/f}" \
            "$(diff "$tmp/psql.out" "$tmp/pd.out" | tr '\n' '|')"
    fi
done
# The round trip back: COPY FROM STDIN fed by the core.
if timeout 30 "$PGDECK" -c "\\copy copied from '$tmp/pd.copy' with (format csv, header true, delimiter ';')" \
        >"$tmp/pd.out" 2>&1 </dev/null &&
   [ "$("$PSQL" -X -At -c 'SELECT count(*) FROM copied')" = 40 ]; then
    ok "\\copy from a file: round trip"
else
    not_ok "\\copy from a file: round trip" "$(head -c 300 "$tmp/pd.out")"
fi

# ---- in a terminal ----

S=psql
state="$tmp/state"
mkdir -p "$state"
cat >"$tmp/pager" <<EOF
#!/bin/sh
cat >"$tmp/paged"
echo "[paged \$(wc -l <"$tmp/paged") lines]"
EOF
cat >"$tmp/editor" <<'EOF'
#!/bin/sh
sed -i 's/41/42/' "$1"
EOF
chmod +x "$tmp/pager" "$tmp/editor"

tmux_start "$S" 100 24 XDG_STATE_HOME="$state" PAGER="$tmp/pager" \
    EDITOR="$tmp/editor" PGDATABASE="$db" "$PGDECK" shell
shows "prompt" "^$db=$PC ?\$"

# Completion: the catalog loads while the prompt waits.
sleep 1
tmux_keys "$S" -l "SELECT id FROM mar"
tmux_keys "$S" Tab
shows "Tab completes a table name" "SELECT id FROM markets ?\$" 5
tmux_keys "$S" -l "WHERE pri"
tmux_keys "$S" Tab
shows "Tab completes a column of the statement's table" \
    "WHERE price ?\$" 5
tmux_keys "$S" -l "> 49.5"
typeln ";"
shows "completed statement runs" "^ +40\$"
tmux_keys "$S" -l '\pse'
tmux_keys "$S" Tab
shows "Tab completes a backslash command" '\\pset ?$' 5
tmux_keys "$S" C-c

# The pager takes results taller than the screen, not short ones.
typeln "SELECT id FROM markets ORDER BY id;"
shows "a tall result goes through PAGER" "^\[paged 44 lines\]\$"
typeln "SELECT 1 AS short;"
shows "a short result does not" "^ +short\$"
if grep -q "^ 40\$" "$tmp/paged" 2>/dev/null; then
    ok "the pager got the whole result"
else
    not_ok "the pager got the whole result" "$(tail -n 3 "$tmp/paged")"
fi

# History: password lines never reach the file.
typeln "ALTER ROLE CURRENT_USER PASSWORD 'sekrit';"
shows "ALTER ROLE runs" "^ALTER ROLE\$"
typeln "SELECT 'kept in history' AS h;"
typeln "SELECT 'kept in history' AS h;"
shows "statement before \\e" "kept in history" 5

# \e: the editor changes the buffer, which waits for its ';' as psql's.
typeln "SELECT 41 AS edited \\e"
shows "\\e leaves the edited buffer pending" "^$db-$PC ?\$"
typeln ";"
shows "\\e: what the editor left runs" "^ +42\$"

# \watch re-runs until Ctrl-C.
typeln "SELECT 'watching' AS w \\watch 0.2"
shows "\\watch runs" "every 0.2s" 5
sleep 0.8
n1=$(tmux_capture "$S" | grep -c "every 0.2s")
tmux_keys "$S" C-c
sleep 0.5
typeln "SELECT 'after watch' AS aw;"
shows "\\watch stops on Ctrl-C" "^ after watch\$"
n2=$(pd_tmux capture-pane -p -S -200 -t "$S" | grep -c "every 0.2s")
sleep 0.6
n3=$(pd_tmux capture-pane -p -S -200 -t "$S" | grep -c "every 0.2s")
if [ "$n1" -ge 2 ] && [ "$n2" -eq "$n3" ]; then
    ok "\\watch repeated, then stopped"
else
    not_ok "\\watch repeated, then stopped" "$n1 $n2 $n3"
fi
typeln '\q'
shows "\\q" "^\[pane-exit\] 0\$"
tmux_kill "$S"

hist="$state/pgdeck/history"
mode=$(stat -c %a "$hist" 2>/dev/null)
if [ "$mode" = 600 ]; then
    ok "history file mode 0600"
else
    not_ok "history file mode 0600" "mode $mode"
fi
if [ -f "$hist" ] && ! grep -qi "sekrit\|password" "$hist"; then
    ok "no password line in the history file"
else
    not_ok "no password line in the history file" "$(cat "$hist")"
fi
if [ "$(grep -c "kept in history" "$hist")" = 1 ]; then
    ok "history de-duplicated"
else
    not_ok "history de-duplicated" "$(tr '\n' '|' <"$hist")"
fi

# History survives a restart: Up recalls the last line.
tmux_start "$S" 100 24 XDG_STATE_HOME="$state" PGDATABASE="$db" \
    "$PGDECK" shell
shows "prompt after restart" "^$db=$PC ?\$"
tmux_keys "$S" Up
shows "history survives a restart" "^$db=$PC \\\\q\$"
tmux_kill "$S"
