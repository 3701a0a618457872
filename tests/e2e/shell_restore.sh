#!/usr/bin/env bash
# shell_restore.sh: restoring pg_dump files and other psql-only input
# features, pgdeck compared with psql 15: COPY ... FROM STDIN with its data
# inline (in -f, piped and typed input), \copy ... from stdin, \restrict /
# \unrestrict, a multi-megabyte COPY; a lost connection after a server
# restart (piped: psql's messages and exit status 2; at the prompt: reset,
# Succeeded, or Failed and the "!>" prompt).
#
# Runs in databases of its own, and restarts the harness cluster's server
# (PD_CLUSTER_DIR), which it leaves running.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

export PGCLIENTENCODING=UTF8
unset PSQLRC PGOPTIONS PAGER PSQL_PAGER COLUMNS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pd-restore.XXXXXX") || exit 1
src="pd_rs_src_$$"
dps="pd_rs_ps_$$"
dpd="pd_rs_pd_$$"
BIN=${PD_PG_BINDIR:-$(pg_config --bindir)}
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
server_up() { "$BIN/pg_isready" -q -h "$PGHOST" -p "$PGPORT"; }
# pg_ctl ARGS: on the harness cluster, as its owner; the server started
# must not hold a descriptor of ours (a FIFO's writing end).
pg_ctl() {
    as_owner "$BIN/pg_ctl" -D "$PD_CLUSTER_DIR/data" \
        -l "$PD_CLUSTER_DIR/server.log" -w -t 30 "$@" >/dev/null 2>&1 3>&-
}
server_start() {
    local i=0
    server_up && return 0
    pg_ctl start
    while ! server_up && [ "$i" -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    server_up
}
# wait_for FILE REGEX: bounded poll until FILE matches.
wait_for() {
    local i=0
    while ! grep -Eq -- "$2" "$1" 2>/dev/null && [ "$i" -lt 300 ]; do
        sleep 0.1; i=$((i + 1))
    done
}
cleanup() {
    pd_e2e_cleanup
    server_start || echo "# shell_restore: the server did not restart" >&2
    "$PSQL" -X -q -d postgres -c "DROP DATABASE IF EXISTS $src" \
        -c "DROP DATABASE IF EXISTS $dps" -c "DROP DATABASE IF EXISTS $dpd" \
        >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
"$PSQL" -X -q -d postgres -c "CREATE DATABASE $src" || exit 1
"$PSQL" -X -q -d "$src" >/dev/null <<'EOF' || exit 1
CREATE TABLE t (a int, b text);
INSERT INTO t VALUES (1, E'tab\there'), (2, E'back\\slash'), (3, NULL),
    (4, 'ünïcødé ✓'), (5, E'line\nbreak'), (6, '\.'), (7, '');
CREATE SEQUENCE s START 40;
SELECT nextval('s');
CREATE TABLE u (id serial PRIMARY KEY, t_a int, note text DEFAULT 'x');
INSERT INTO u (t_a) SELECT g FROM generate_series(1, 50) g;
CREATE INDEX u_t_a ON u (t_a);
CREATE VIEW v AS SELECT t.a, u.note FROM t JOIN u ON u.t_a = t.a;
EOF

# fresh: empty target databases for psql and pgdeck.
fresh() {
    "$PSQL" -X -q -d postgres -c "DROP DATABASE IF EXISTS $dps" \
        -c "DROP DATABASE IF EXISTS $dpd" -c "CREATE DATABASE $dps" \
        -c "CREATE DATABASE $dpd" || exit 1
}

# cmp_runs NAME: $tmp/ps.* and $tmp/pd.* (from run) equal, psql's
# "psql:" prefix read as pgdeck's.
cmp_runs() {
    sed -i 's/^psql:/pgdeck:/' "$tmp/ps.out" "$tmp/ps.err"
    if ! cmp -s "$tmp/ps.out" "$tmp/pd.out"; then
        not_ok "$1" "stdout differs"
        show_diff "$1 stdout" "$tmp/ps.out" "$tmp/pd.out"
    elif ! cmp -s "$tmp/ps.err" "$tmp/pd.err"; then
        not_ok "$1" "stderr differs"
        show_diff "$1 stderr" "$tmp/ps.err" "$tmp/pd.err"
    elif ! cmp -s "$tmp/ps.rc" "$tmp/pd.rc"; then
        not_ok "$1" "exit status: psql $(cat "$tmp/ps.rc"), pgdeck $(cat "$tmp/pd.rc")"
    else
        ok "$1"
    fi
}

# same_dbs NAME: the two restored databases dump the same.
same_dbs() {
    pg_dump -d "$dps" | grep -v restrict >"$tmp/dump.ps"
    pg_dump -d "$dpd" | grep -v restrict >"$tmp/dump.pd"
    if cmp -s "$tmp/dump.ps" "$tmp/dump.pd"; then
        ok "$1"
    else
        not_ok "$1" "restored databases differ"
        show_diff "$1" "$tmp/dump.ps" "$tmp/dump.pd"
    fi
}

# ---- a table's dump: -f and piped ----

pg_dump -d "$src" -t t >"$tmp/t.sql" || exit 1
fresh
run "$PSQL" "$tmp/ps" -X -d "$dps" -f "$tmp/t.sql"
run "$PGDECK" "$tmp/pd" -X -d "$dpd" -f "$tmp/t.sql"
cmp_runs "restore -f: a table with tabs, backslashes, NULLs, unicode"
same_dbs "restore -f: the table's rows"

fresh
timeout 30 "$PSQL" -X -d "$dps" <"$tmp/t.sql" >"$tmp/ps.out" 2>"$tmp/ps.err"
echo $? >"$tmp/ps.rc"
timeout 30 "$PGDECK" -X -d "$dpd" <"$tmp/t.sql" >"$tmp/pd.out" 2>"$tmp/pd.err"
echo $? >"$tmp/pd.rc"
cmp_runs "restore piped: a table's dump"
same_dbs "restore piped: the table's rows"

# ---- a whole database: tables, a view, a sequence, an index ----

pg_dump -d "$src" >"$tmp/all.sql" || exit 1
fresh
run "$PSQL" "$tmp/ps" -X -d "$dps" -f "$tmp/all.sql"
run "$PGDECK" "$tmp/pd" -X -d "$dpd" -f "$tmp/all.sql"
cmp_runs "restore -f: a whole database's dump"
same_dbs "restore -f: the whole database"

# ---- COPY and \copy from stdin in a script ----

cat >"$tmp/copy.sql" <<'EOF'
CREATE TEMP TABLE x (a int, b text);
COPY x FROM stdin;
1	one
2	\N
\.
\copy x from stdin
3	three
\.
\copy x (a, b) from stdin with (format csv)
4,"q,""r"
\.
COPY x FROM stdin; SELECT 'after the data';
5	five
\.
COPY x FROM stdin WITH (FORMAT csv);
6,bad,extra
\.
SELECT count(*) FROM x;
TABLE x;
COPY x FROM stdin;
7	at the end, no end marker
EOF
fresh
for how in f pipe; do
    for p in ps pd; do
        prog=$PSQL
        [ "$p" = pd ] && prog=$PGDECK
        if [ "$how" = f ]; then
            run "$prog" "$tmp/$p" -X -d "$dps" -f "$tmp/copy.sql"
        else
            timeout 30 "$prog" -X -d "$dps" <"$tmp/copy.sql" \
                >"$tmp/$p.out" 2>"$tmp/$p.err"
            echo $? >"$tmp/$p.rc"
        fi
    done
    # pgdeck -f exits 1 after a failure, psql 0 (README)
    [ "$how" = f ] && cp "$tmp/ps.rc" "$tmp/pd.rc"
    cmp_runs "COPY / \\copy from stdin with inline data ($how)"
done

# ---- \restrict and \unrestrict ----

cat >"$tmp/restrict.sql" <<'EOF'
\unrestrict abc
\restrict abc extra
\echo refused
SELECT 'sql still runs';
\restrict other
\unrestrict wrong
\unrestrict
\unrestrict abc more
\echo allowed again
\restrict
EOF
run "$PSQL" "$tmp/ps" -X -f "$tmp/restrict.sql"
run "$PGDECK" "$tmp/pd" -X -f "$tmp/restrict.sql"
cp "$tmp/ps.rc" "$tmp/pd.rc"
cmp_runs "\\restrict / \\unrestrict"

# ---- a multi-megabyte COPY ----

"$PSQL" -X -q -d "$src" -c "CREATE TABLE big AS SELECT g AS id,
    md5(g::text) || E'\\t\\\\' || repeat('é', g % 7) AS v
    FROM generate_series(1, 150000) g" || exit 1
pg_dump -d "$src" -t big >"$tmp/big.sql" || exit 1
fresh
timeout 60 "$PGDECK" -X -q -d "$dpd" -f "$tmp/big.sql" >"$tmp/pd.out" 2>&1
sum_src=$("$PSQL" -X -At -d "$src" -c "SELECT count(*), md5(string_agg(v, ',' ORDER BY id)) FROM big")
sum_pd=$("$PSQL" -X -At -d "$dpd" -c "SELECT count(*), md5(string_agg(v, ',' ORDER BY id)) FROM big" 2>&1)
if [ "$sum_src" = "$sum_pd" ] && [ "$(wc -c <"$tmp/big.sql")" -gt 4000000 ]; then
    ok "restore -f: a multi-megabyte COPY arrives whole"
else
    not_ok "restore -f: a multi-megabyte COPY arrives whole" "$sum_src vs $sum_pd"
fi

# ---- typed at the prompt ----

S=restore
fresh
tmux_start "$S" 100 30 "$PGDECK" -X -d "$dpd" shell
if tmux_wait "$S" "$dpd=$PC"; then
    tmux_keys "$S" "CREATE TABLE y (a int, b text)\;" Enter
    tmux_wait "$S" "CREATE TABLE" || true
    tmux_keys "$S" "COPY y FROM stdin\;" Enter
    if tmux_wait "$S" '^>> ?$'; then
        ok "prompt: COPY FROM stdin asks for the data with >>"
    else
        not_ok "prompt: COPY FROM stdin asks for the data with >>" \
            "$(tmux_capture "$S" | tail -n 5 | tr '\n' '|')"
    fi
    if tmux_capture "$S" | grep -q '^End with a backslash and a period on a line by itself, or an EOF signal.$'; then
        ok "prompt: psql's invitation for COPY data"
    else
        not_ok "prompt: psql's invitation for COPY data"
    fi
    tmux_keys "$S" "1" Tab "one" Enter '\.' Enter
    tmux_wait "$S" "^COPY 1" || true
    tmux_keys "$S" "COPY y FROM stdin\;" Enter
    tmux_wait "$S" '^>> ?$' || true
    tmux_keys "$S" "2" Tab "two" Enter C-d
    tmux_wait "$S" "^COPY 1(.|$)*COPY 1" || true
    tmux_keys "$S" "SELECT string_agg(a || ':' || b, ',' ORDER BY a) FROM y\;" Enter
    if tmux_wait "$S" " 1:one,2:two"; then
        ok "prompt: typed COPY data (ended by \\. and by Ctrl-D) arrives"
    else
        not_ok "prompt: typed COPY data (ended by \\. and by Ctrl-D) arrives" \
            "$(tmux_capture "$S" | tail -n 8 | tr '\n' '|')"
    fi
    tmux_keys "$S" '\q' Enter
else
    not_ok "prompt: pgdeck shell starts" "$(tmux_capture "$S" | tr '\n' '|')"
fi
tmux_kill "$S"

# ---- a lost connection: the server restarts between two statements ----

if [ -n "${PD_CLUSTER_DIR:-}" ]; then
    for p in ps pd; do
        prog=$PSQL
        [ "$p" = pd ] && prog=$PGDECK
        rm -f "$tmp/fifo"
        mkfifo "$tmp/fifo"
        timeout 60 "$prog" -X <"$tmp/fifo" >"$tmp/$p.out" 2>"$tmp/$p.err" 3>&- &
        pid=$!
        exec 3>"$tmp/fifo"
        echo "SELECT 1 AS a;" >&3
        wait_for "$tmp/$p.out" '^\(1 row\)'
        pg_ctl -m fast restart
        echo "SELECT 2 AS b;" >&3
        echo "SELECT 3 AS c;" >&3
        exec 3>&-
        wait "$pid"
        echo $? >"$tmp/$p.rc"
    done
    cmp_runs "lost connection, piped: psql's messages, exit status 2"

    S=lost
    tmux_start "$S" 100 30 "$PGDECK" -X shell
    if tmux_wait "$S" "=$PC ?\$"; then
        pg_ctl -m fast restart
        tmux_keys "$S" "SELECT 1 AS one\\;" Enter
        if tmux_wait "$S" "Attempting reset: Succeeded\.$" &&
            tmux_capture "$S" | grep -q "^server closed the connection unexpectedly$"; then
            ok "lost connection, prompt: psql's messages, reset succeeded"
        else
            not_ok "lost connection, prompt: psql's messages, reset succeeded" \
                "$(tmux_capture "$S" | tr '\n' '|')"
        fi
        tmux_keys "$S" "SELECT 'still' || 'here' AS s\\;" Enter
        if tmux_wait "$S" "^ stillhere" &&
            tmux_capture "$S" | grep -v '^$' | tail -n 1 | grep -q "=$PC"; then
            ok "lost connection, prompt: the session goes on, prompt kept"
        else
            not_ok "lost connection, prompt: the session goes on, prompt kept" \
                "$(tmux_capture "$S" | grep -v '^$' | tail -n 4 | tr '\n' '|')"
        fi
        pg_ctl -m fast stop
        tmux_keys "$S" "SELECT 2\\;" Enter
        if tmux_wait "$S" "Attempting reset: Failed\.$" &&
            tmux_wait "$S" "^!> ?\$"; then
            ok "lost connection, prompt: reset failed, psql's !> prompt"
        else
            not_ok "lost connection, prompt: reset failed, psql's !> prompt" \
                "$(tmux_capture "$S" | tail -n 4 | tr '\n' '|')"
        fi
        server_start || exit 1
        tmux_keys "$S" '\q' Enter
    else
        not_ok "lost connection, prompt: pgdeck shell starts"
    fi
    tmux_kill "$S"
fi
